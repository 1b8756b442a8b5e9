"""The loopback forum "Diễn đàn Sống Xanh": one XenForo-style thread over three pages, with
quotes of other posts, an @mention, a signature, reactions naming members and a who's-online box.

`forum_routes(base, stage=2)` is the thread after one more reply (on the last page).
"""

from __future__ import annotations

import tomllib
from datetime import datetime
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

from crawlers.loopback import Page, Route
from index.text import fold

HERE = Path(__file__).parent / "sites" / "forum"
LATE_REPLY = {
    "id": 88113,
    "author": "BacSiNongThon",
    "user_id": 140,
    "time": "2026-11-24T07:10:00+0700",
    "text": ["Kết quả lấy mẫu đã có: bụi tổng tại hai điểm vượt quy chuẩn, tỉnh yêu cầu nhà máy dừng lò số hai để khắc phục."],
}


@cache
def thread() -> dict[str, Any]:
    return tomllib.loads((HERE / "thread.toml").read_text(encoding="utf-8"))


def authors() -> list[str]:
    """Every raw handle in the thread (what must never reach the data dir)."""
    return sorted({post["author"] for post in thread()["post"]})


def posts(stage: int = 1) -> list[dict[str, Any]]:
    return [*thread()["post"], *([LATE_REPLY] if stage >= 2 else [])]


def expected_texts(stage: int = 1) -> dict[int, str]:
    """Post id → the words each stored post must contain (its own text, quotes removed)."""
    return {post["id"]: " ".join(post["text"]) for post in posts(stage)}


def _template(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


def _render_post(post: dict[str, Any], number: int, thread_path: str) -> str:
    body = []
    quote = post.get("quote")
    if quote:
        body.append(
            f'<blockquote data-attributes="member: 0" data-quote="{escape(quote["of"])}" data-source="post: {quote["post"]}" '
            'class="bbCodeBlock bbCodeBlock--expandable bbCodeBlock--quote js-expandWatch">'
            f'<div class="bbCodeBlock-title"><a href="/goto/post?id={quote["post"]}" class="bbCodeBlock-sourceJump">{escape(quote["of"])} đã viết:</a></div>'
            f'<div class="bbCodeBlock-content"><div class="bbCodeBlock-expandContent js-expandContent">{escape(quote["text"])}</div>'
            '<div class="bbCodeBlock-expandLink js-expandLink"><a role="button" tabindex="0">Bấm để xem đầy đủ...</a></div></div></blockquote>'
        )
    mention = post.get("mention")
    for paragraph in post["text"]:
        html = escape(paragraph)
        if mention:
            link = f'<a href="/members/{mention["user_id"]}/" class="username" data-xf-init="member-tooltip" data-user-id="{mention["user_id"]}" data-username="@{escape(mention["name"])}">@{escape(mention["name"])}</a>'
            html = html.replace("{mention}", link)
        body.append(html)
    signature = ""
    if post.get("signature"):
        signature = f'<aside class="message-signature"><div class="bbWrapper">{escape(post["signature"])}</div></aside>'
    when = datetime.strptime(post["time"], "%Y-%m-%dT%H:%M:%S%z")
    values = {
        "author": escape(post["author"]), "id": str(post["id"]), "user_id": str(post["user_id"]),
        "member_slug": fold(post["author"]).replace(" ", "-"), "initial": escape(post["author"][0]),
        "thread_path": thread_path, "time": post["time"], "epoch": str(int(when.timestamp())),
        "time_text": when.strftime("%d/%m/%Y lúc %H:%M"), "number": str(number), "body": "<br />\n".join(body),
        "signature": signature,
    }
    html = _template("post.html")
    for key, value in values.items():
        html = html.replace("{{" + key + "}}", value)
    return html


def forum_routes(base: str, stage: int = 1) -> dict[str, Route]:
    data = thread()
    path, per_page = data["path"], data["per_page"]
    everything = posts(stage)
    pages = [everything[start : start + per_page] for start in range(0, len(everything), per_page)]
    routes: dict[str, Route] = {}
    for index, page_posts in enumerate(pages, start=1):
        page_path = path if index == 1 else f"{path}page-{index}"
        rel, nav = [], []
        if index > 1:
            previous = path if index == 2 else f"{path}page-{index - 1}"
            rel.append(f'<link rel="prev" href="{base}{previous}">')
            nav.append(f'<a href="{previous}" class="pageNav-jump pageNav-jump--prev">Trước</a>')
        nav += [f'<a href="{path if n == 1 else f"{path}page-{n}"}">{n}</a>' for n in range(1, len(pages) + 1)]
        if index < len(pages):
            rel.append(f'<link rel="next" href="{base}{path}page-{index + 1}">')
            nav.append(f'<a href="{path}page-{index + 1}" class="pageNav-jump pageNav-jump--next">Tiếp</a>')
        number0 = (index - 1) * per_page
        rendered = "\n".join(_render_post(post, number0 + n + 1, path) for n, post in enumerate(page_posts))
        html = (
            _template("page.html")
            .replace("{{title}}", escape(data["title"]))
            .replace("{{page}}", str(index))
            .replace("{{canonical}}", base + page_path)
            .replace("{{rel_links}}", "\n".join(rel))
            .replace("{{posts}}", rendered)
            .replace("{{page_nav}}", " ".join(nav))
        )
        routes[page_path] = Page(html.encode("utf-8"))
    routes["/robots.txt"] = Page(b"User-agent: *\nDisallow: /members/\nDisallow: /search/\n", content_type="text/plain")
    return routes
