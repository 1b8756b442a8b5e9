"""The demo's own little web: a provincial news site with an RSS feed and a forum thread,
rendered from content/*.toml and served on 127.0.0.1 for the length of the demo.

Pages carry what real outlets carry (JSON-LD NewsArticle, OpenGraph, boilerplate around the
article; XenForo markup with quotes on the forum), so the demo goes through the real crawler.
"""

from __future__ import annotations

import json
import tomllib
from datetime import datetime
from email.utils import format_datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from crawlers.loopback import LoopbackSite, Page

HERE = Path(__file__).resolve().parent
CONTENT = HERE / "content"
FEED_PATH = "/rss/tin-moi.rss"
ROBOTS = b"User-agent: *\nDisallow: /members/\nDisallow: /search/\n"
RSS_TYPE = "application/rss+xml; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
LAST_MODIFIED = "Sun, 22 Nov 2026 13:00:00 GMT"


@cache
def articles() -> list[dict[str, Any]]:
    return tomllib.loads((CONTENT / "articles.toml").read_text(encoding="utf-8"))["article"]


@cache
def thread() -> dict[str, Any]:
    return tomllib.loads((CONTENT / "thread.toml").read_text(encoding="utf-8"))


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True,
                       trim_blocks=True, lstrip_blocks=True)


def render_site(base: str) -> dict[str, tuple[bytes, str]]:
    """Every page of the site: path → (body, content type)."""
    environment = _environment()
    pages: dict[str, tuple[bytes, str]] = {"/robots.txt": (ROBOTS, "text/plain; charset=utf-8")}
    ordered = sorted(articles(), key=lambda article: article["published"], reverse=True)
    for article in ordered:
        published = datetime.fromisoformat(article["published"])
        view = {**article, "date_text": f"{published:%d/%m/%Y %H:%M} (GMT+7)", "rfc822": format_datetime(published)}
        jsonld = json.dumps({
            "@context": "https://schema.org", "@type": "NewsArticle", "headline": article["title"],
            "description": article["sapo"], "datePublished": article["published"], "dateModified": article["published"],
            "author": {"@type": "Person", "name": article["author"]},
            "publisher": {"@type": "Organization", "name": "Báo Biên Cương"},
            "mainEntityOfPage": f"{base}/{article['section']}/{article['slug']}.html",
        }, ensure_ascii=False).replace("</", "<\\/")  # cannot close the script element early
        related = [other for other in ordered if other["section"] == article["section"] and other["slug"] != article["slug"]][:4]
        html = environment.get_template("article.html").render(article=view, base=base, jsonld=Markup(jsonld), related=related)
        pages[f"/{article['section']}/{article['slug']}.html"] = (html.encode("utf-8"), HTML_TYPE)
    feed = [{**article, "rfc822": format_datetime(datetime.fromisoformat(article["published"]))} for article in ordered]
    pages[FEED_PATH] = (environment.get_template("feed.xml").render(articles=feed, base=base).encode("utf-8"), RSS_TYPE)
    pages.update(_thread_pages(environment, base))
    return pages


def _thread_pages(environment: Environment, base: str) -> dict[str, tuple[bytes, str]]:
    data = thread()
    path, per_page = data["path"], data["per_page"]
    posts = data["post"]
    chunks = [posts[start : start + per_page] for start in range(0, len(posts), per_page)]

    def page_path(number: int) -> str:
        return path if number == 1 else f"{path}page-{number}"

    pages: dict[str, tuple[bytes, str]] = {}
    for number, chunk in enumerate(chunks, start=1):
        views = []
        for offset, post in enumerate(chunk):
            when = datetime.strptime(post["time"], "%Y-%m-%dT%H:%M:%S%z")
            views.append({**post, "number": (number - 1) * per_page + offset + 1, "time_text": when.strftime("%d/%m/%Y lúc %H:%M")})
        html = environment.get_template("thread.html").render(
            title=data["title"], base=base, path=path, page=number, page_path=page_path(number), posts=views,
            previous=page_path(number - 1) if number > 1 else None, next=page_path(number + 1) if number < len(chunks) else None,
            pages=[(n, page_path(n)) for n in range(1, len(chunks) + 1)],
        )
        pages[page_path(number)] = (html.encode("utf-8"), HTML_TYPE)
    return pages


class DemoSite:
    """The rendered site on 127.0.0.1:<free port>, served from a background thread."""

    def __init__(self) -> None:
        self._site = LoopbackSite()

    @property
    def base(self) -> str:
        return self._site.base

    def __enter__(self) -> DemoSite:
        for path, (body, content_type) in render_site(self.base).items():
            self._site.add(path, Page(body, content_type=content_type, last_modified=LAST_MODIFIED))
        self._site.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._site.stop()

    def sources_toml(self, extra: str = "") -> str:
        """A sources file for this site: its RSS feed and its forum thread (fast, loopback-only politeness)."""
        return (
            "# The demo's loopback sources (written by `envmon demo`).\n"
            "[crawl]\ndownload_delay = 0\nautothrottle = false\nretry_backoff_s = 0.1\nsource_timeout_s = 60\nparallel_sources = 2\n\n"
            f'[[source]]\nname = "bao-bien-cuong"\nkind = "rss"\nurl = "{self.base}{FEED_PATH}"\nprovince = "Lạng Sơn"\nreliability = "local"\n\n'
            f'[[source]]\nname = "dien-dan-huu-lung"\nkind = "forum"\nurl = "{self.base}{thread()["path"]}"\nprovince = "Lạng Sơn"\nmax_pages = 5\n'
            + extra
        )
