"""The loopback news site "Báo Môi Trường Xanh": articles rendered from sites/news/ plus every
hostile case the crawler must survive (windows-1258, 5 MB page, PDF, redirect loop, robots.txt,
429-then-200, invalid feed, deep nesting, scripts, broken HTML, a gzip bomb).

`news_routes(base, stage=2)` is the same site a few days later: one article edited, one added.
"""

from __future__ import annotations

import gzip
import json
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

from crawlers.loopback import Hit, Page, Route

HERE = Path(__file__).parent / "sites" / "news"
HTML_UTF8 = "text/html; charset=utf-8"
MIRROR_PREFIX = "/m"  # a mobile mirror serving the same article under another URL
PDF_PATH = "/tai-lieu/bao-cao-quan-trac-quy-3.pdf"
BIG_PATH = "/thoi-su/phong-su-anh-a1098.html"
BOMB_PATH = "/moi-truong/ban-tin-nen-a1099.html"
LOOP_A, LOOP_B = "/chuyen-huong/vong-lap-a.html", "/chuyen-huong/vong-lap-b.html"
ARCHIVE_ARTICLE = "/moi-truong/bai-cu-nam-2009-a0001.html"
EDITED_ID = "a1006"
EDIT_SENTENCE = "Cập nhật: từ ngày 24/11, dữ liệu của trạm được công bố thêm trên ứng dụng di động của tỉnh."
TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


@dataclass
class Article:
    id: str
    path: str
    section: str
    title: str
    sapo: str
    author: str
    published: str
    expected: str
    date_text: str
    dates: str
    paragraphs: list[str]
    caption: str | None = None
    encoding: str = "utf-8"
    special: str | None = None
    later: bool = False


@cache
def articles() -> tuple[Article, ...]:
    data = tomllib.loads((HERE / "articles.toml").read_text(encoding="utf-8"))
    return tuple(Article(**entry) for entry in data["article"])


def article(article_id: str) -> Article:
    return next(entry for entry in articles() if entry.id == article_id)


def _template(name: str, base: str, **values: str) -> str:
    text = (HERE / name).read_text(encoding="utf-8").replace("{{base}}", base)
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def render_article(entry: Article, base: str, *, stage: int = 1) -> str:
    paragraphs = list(entry.paragraphs)
    if stage >= 2 and entry.id == EDITED_ID:
        paragraphs.append(EDIT_SENTENCE)
    body = [f'        <p class="Normal">{escape(text, quote=False)}</p>' for text in paragraphs]
    if entry.caption:
        body.insert(1, f'        <figure class="pic"><img src="/anh/{entry.id}.jpg" alt="{escape(entry.title)}"><figcaption><p>{escape(entry.caption)}</p></figcaption></figure>')
    if entry.special == "nested-and-scripts":
        body.append('        <script>var fakeComment = "Bình luận giả trong mã script không được lọt vào nội dung";</script>')
        body.append("        <style>.content-detail p{line-height:1.6} /* Ghi chú kiểu dáng không phải nội dung */</style>")
        body.append('        <div class="embed">' + "<div><span>" * 1500 + "Khung nhúng lồng sâu" + "</span></div>" * 1500 + "</div>")
    jsonld = og_published = ""
    date_html = f'<span class="date">{escape(entry.date_text)}</span>'
    if entry.dates.startswith("jsonld"):
        document = {
            "@context": "https://schema.org", "@type": "NewsArticle", "headline": entry.title,
            "description": entry.sapo, "datePublished": entry.published, "dateModified": entry.published,
            "author": {"@type": "Person", "name": entry.author},
            "publisher": {"@type": "Organization", "name": "Báo Môi Trường Xanh"},
        }
        jsonld = f'<script type="application/ld+json">{json.dumps(document, ensure_ascii=False)}</script>'
    elif entry.dates == "og":
        og_published = f'<meta property="article:published_time" content="{entry.published}">'
    elif entry.dates == "time":
        date_html = f'<time datetime="{entry.published}">{escape(entry.date_text)}</time>'
    html = _template(
        "article.html", base,
        charset=entry.encoding, title=escape(entry.title), sapo=escape(entry.sapo), canonical=base + entry.path,
        og_published=og_published, jsonld=jsonld, section=entry.section, date_html=date_html,
        body="\n".join(body), author=escape(entry.author),
    )
    if entry.special == "broken":
        html = _break(html)
    return html


def _break(html: str) -> str:
    """Realistic breakage: unclosed paragraphs and tables, stray closing tags, raw & and <, no </html>."""
    html = html.replace("</p>", "", 3).replace('<div class="content-detail">', '<div class="content-detail"><table><tr><td>')
    html = html.replace("</article>", "</span></div></b></article><p>Ghi chú <b>in đậm chưa đóng & ký tự < lẻ")
    return html.replace("</body>\n</html>", "")


def to_cp1258(text: str) -> bytes:
    """Encode Vietnamese text as windows-1258: tone marks become combining characters."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        try:
            out.append(char.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
        marks = "".join(c for c in decomposed if c in TONE_MARKS)
        out.append((base + marks).encode("cp1258", errors="xmlcharrefreplace"))
    return b"".join(out)


def _listing_item(entry_path: str, title: str, sapo: str) -> str:
    return (
        f'<article class="item-news"><h3 class="title-news"><a href="{entry_path}">{escape(title)}</a></h3>'
        f'<p class="description">{escape(sapo)}</p></article>'
    )


def _listing(base: str, page: int, items: list[str], has_next: bool) -> str:
    links = []
    prev_next = []
    if page > 1:
        previous = "/thoi-su/" if page == 2 else f"/thoi-su/trang-{page - 1}.html"
        links.append(f'<a class="prev" href="{previous}">‹ Trang trước</a>')
    if has_next:
        links.append(f'<a class="next" href="/thoi-su/trang-{page + 1}.html">Trang sau ›</a>')
        prev_next.append(f'<link rel="next" href="{base}/thoi-su/trang-{page + 1}.html">')
    return _template("listing.html", base, page=str(page), items="\n".join(items), pagination=" ".join(links), prev_next="\n".join(prev_next))


@cache
def gzip_bomb() -> bytes:
    """20 MB of HTML whitespace compressed to ~20 kB: inflating it must hit DOWNLOAD_MAXSIZE."""
    return gzip.compress(b"<html><body>" + b" " * (20 << 20) + b"</body></html>", compresslevel=9)


@cache
def big_page() -> bytes:
    paragraph = "<p>Ảnh phóng sự: đoàn kiểm tra đo đạc độ sâu lòng sông tại các điểm khai thác cát.</p>\n"
    return ("<html><head><meta charset='utf-8'><title>Phóng sự ảnh</title></head><body>" + paragraph * 60_000 + "</body></html>").encode()


def _pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


class _TooManyRequestsOnce:
    """429 with Retry-After on the first request, the page afterwards."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.calls = 0

    def __call__(self, hit: Hit) -> Page:
        self.calls += 1
        if self.calls == 1:
            return Page(b"<html><body>Too many requests</body></html>", status=429, headers={"Retry-After": "1"}, validators=False)
        return self.page


def news_routes(base: str, stage: int = 1) -> dict[str, Route]:
    """Every path of the news site, as it stands at `stage` (1 = first crawl, 2 = a few days later)."""
    routes: dict[str, Route] = {}
    for entry in articles():
        if entry.later and stage < 2:
            continue
        html = render_article(entry, base, stage=stage)
        if entry.encoding == "windows-1258":
            page = Page(to_cp1258(html), content_type="text/html")
        else:
            page = Page(html.encode("utf-8"))
        routes[entry.path] = _TooManyRequestsOnce(page) if entry.id == "a1008" else page
    mirror = article("a1001")
    routes[MIRROR_PREFIX + mirror.path] = routes[mirror.path]
    routes["/robots.txt"] = Page(_template("robots.txt", base).encode(), content_type="text/plain")
    later_item = ""
    if stage >= 2:
        fresh = article("a1013")
        later_item = (
            f"<item><title>{escape(fresh.title)}</title><link>{base}{fresh.path}</link>"
            "<pubDate>Mon, 23 Nov 2026 09:30:00 +0700</pubDate></item>"
        )
    routes["/rss/moi-truong.rss"] = Page(_template("moi-truong.rss", base, later_item=later_item).encode(), content_type="application/rss+xml; charset=utf-8")
    routes["/atom/dat-dai.xml"] = Page(_template("dat-dai.atom", base).encode(), content_type="application/atom+xml")
    routes["/rss/loi-dinh-dang.rss"] = Page(_template("invalid.rss", base).encode(), content_type="application/rss+xml")
    routes["/sitemap.xml"] = Page(_template("sitemap-index.xml", base).encode(), content_type="application/xml")
    routes["/sitemaps/news-2026-11.xml"] = Page(_template("sitemap-news.xml", base).encode(), content_type="application/xml")
    routes["/sitemaps/archive-2009.xml"] = Page(_template("sitemap-archive.xml", base).encode(), content_type="application/xml")
    first = [article(key) for key in ("a1006", "a1010", "a1002")]
    if stage >= 2:
        first.insert(0, article("a1013"))
    page_one = [_listing_item(a.path, a.title, a.sapo) for a in first]
    page_one.append(_listing_item(PDF_PATH, "Báo cáo quan trắc quý III (PDF)", "Tài liệu đính kèm định dạng PDF."))
    page_two = [_listing_item(a.path, a.title, a.sapo) for a in (article("a1007"), article("a1011"))]
    page_two.append(_listing_item(BIG_PATH, "Phóng sự ảnh: dòng sông bị rút ruột", "Trang ảnh dung lượng lớn."))
    page_three = [_listing_item(article("a1012").path, article("a1012").title, article("a1012").sapo)]
    routes["/thoi-su/"] = Page(_listing(base, 1, page_one, True).encode())
    routes["/thoi-su/trang-2.html"] = Page(_listing(base, 2, page_two, True).encode())
    routes["/thoi-su/trang-3.html"] = Page(_listing(base, 3, page_three, False).encode())
    routes[PDF_PATH] = Page(_pdf(), content_type="application/pdf")
    routes[BIG_PATH] = Page(big_page())
    routes[BOMB_PATH] = Page(gzip_bomb(), headers={"Content-Encoding": "gzip"})
    routes[LOOP_A] = Page(status=302, headers={"Location": base + LOOP_B}, validators=False)
    routes[LOOP_B] = Page(status=302, headers={"Location": base + LOOP_A}, validators=False)
    return routes


def expected_articles(stage: int = 1) -> list[Article]:
    """Articles the crawl must store: not robots-disallowed, not beyond max_pages, not yet published."""
    excluded = {"a1009", "a1012"} | (set() if stage >= 2 else {"a1013"})
    return [entry for entry in articles() if entry.id not in excluded]


BOILERPLATE = (
    "Trang chủ", "Tin liên quan", "Xã Phú Xá kêu cứu", "Ý kiến bạn đọc", "chịu không nổi nữa", "Đọc nhiều",
    "Giá xăng dầu", "Giấy phép hoạt động", "Bản quyền thuộc về", "Vay tiêu dùng", "Mua đất nền", "Nhận thông báo",
    "Đăng ký nhận bản tin", "Chia sẻ Facebook", "Từ khóa", "Viết bình luận", "Đường dây nóng", "Bình luận giả",
    "Ghi chú kiểu dáng", "Quảng cáo",
)


def sources_toml(news_base: str, forum_base: str | None = None, **crawl: Any) -> str:
    """A sources file for the loopback sites, fast settings for tests."""
    options = {
        "download_delay": 0, "autothrottle": False, "retry_backoff_s": 0.05, "source_timeout_s": 60, "parallel_sources": 3,
        "extraction_processes": 0,  # in-process: each worker would add a second of start-up per crawl
        **crawl,
    }
    lines = ["[crawl]"] + [f"{key} = {json.dumps(value)}" for key, value in options.items() if not isinstance(value, dict)]
    for key, value in options.items():
        if isinstance(value, dict):
            lines.append(f"{key} = {{ " + ", ".join(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in value.items()) + " }")
    lines += [
        _source("xanh-moi-truong", "rss", f"{news_base}/rss/moi-truong.rss", reliability="mainstream", province="Lạng Sơn"),
        _source("xanh-dat-dai", "rss", f"{news_base}/atom/dat-dai.xml", reliability="mainstream"),
        _source("xanh-sitemap", "sitemap", f"{news_base}/sitemap.xml", reliability="mainstream", max_age_days=3650),
        _source("xanh-thoi-su", "listing", f"{news_base}/thoi-su/", reliability="mainstream", follow=[".list-news .title-news a"], max_pages=2),
        _source("xanh-ban-doc-loi", "rss", f"{news_base}/rss/loi-dinh-dang.rss", reliability="local"),
    ]
    if forum_base:
        lines.append(_source("dien-dan-xanh", "forum", f"{forum_base}/threads/bui-nha-may-xi-mang-dong-banh.4521/", province="Lạng Sơn", max_pages=5))
    return "\n".join(lines) + "\n"


def _source(name: str, kind: str, url: str, **fields: Any) -> str:
    lines = ["", "[[source]]", f'name = "{name}"', f'kind = "{kind}"', f'url = "{url}"']
    lines += [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in fields.items()]
    return "\n".join(lines)
