"""Structured metadata a page declares about itself: JSON-LD NewsArticle, OpenGraph, <meta>.

Used by extraction as a fallback and a cross-check for what trafilatura finds. Read from the
parsed tree before trafilatura cleans it; every value is bounded and may be missing.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from lxml import html as lxml_html

log = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset(
    {
        "newsarticle", "article", "reportagenews", "analysisnewsarticle", "opinionnewsarticle",
        "backgroundnewsarticle", "blogposting", "liveblogposting", "report", "scholarlyarticle",
    }
)
MAX_JSONLD_SCRIPTS = 20  # a page with more JSON-LD blocks than this is not worth reading them all
MAX_JSONLD_CHARS = 1 << 20
MAX_FIELD_CHARS = 2_000  # a title or description longer than this is junk
MAX_BODY_CHARS = 200_000
PUBLISHED_META_NAMES = (
    "article:published_time", "datepublished", "pubdate", "publishdate", "publish-date", "dc.date.issued", "dc.date",
)
MODIFIED_META_NAMES = ("article:modified_time", "datemodified", "og:updated_time", "lastmod", "dc.date.modified")


@dataclass
class PageMetadata:
    """What the page's JSON-LD, OpenGraph and <meta> tags say (None when silent)."""

    headline: str | None = None
    og_title: str | None = None
    description: str | None = None
    published: str | None = None
    modified: str | None = None
    article_body: str | None = None
    authors: list[str] = field(default_factory=list)
    canonical_url: str | None = None
    lang: str | None = None
    has_article_jsonld: bool = False
    time_element: str | None = None  # a <time datetime> in the page: precise, but maybe not the article's

    @property
    def title(self) -> str | None:
        return self.headline or self.og_title


def read_metadata(tree: lxml_html.HtmlElement) -> PageMetadata:
    """Collect JSON-LD article fields first, then OpenGraph and <meta> for what is still missing."""
    meta = PageMetadata()
    for article in _jsonld_articles(tree):
        meta.has_article_jsonld = True
        meta.headline = meta.headline or _text(article.get("headline") or article.get("name"))
        meta.description = meta.description or _text(article.get("description"))
        meta.published = meta.published or _text(article.get("datePublished") or article.get("dateCreated"))
        meta.modified = meta.modified or _text(article.get("dateModified"))
        body = article.get("articleBody")
        if isinstance(body, str) and not meta.article_body:
            meta.article_body = body[:MAX_BODY_CHARS]
        meta.authors.extend(_names(article.get("author")))
        meta.lang = meta.lang or _text(article.get("inLanguage"))
    properties = _meta_properties(tree)
    meta.og_title = _text(properties.get("og:title"))
    meta.description = meta.description or _text(properties.get("og:description") or properties.get("description"))
    meta.published = meta.published or next((properties[name] for name in PUBLISHED_META_NAMES if properties.get(name)), None)
    meta.modified = meta.modified or next((properties[name] for name in MODIFIED_META_NAMES if properties.get(name)), None)
    if properties.get("author"):
        meta.authors.append(properties["author"][:MAX_FIELD_CHARS])
    times = tree.xpath("//article//time/@datetime | //time[@itemprop='datePublished']/@datetime")
    meta.time_element = _text(times[0] if times else None)
    canonical = tree.xpath('//head/link[@rel="canonical"]/@href')
    meta.canonical_url = _text(canonical[0] if canonical else properties.get("og:url"))
    meta.lang = meta.lang or _text(tree.get("lang")) or _text(properties.get("og:locale"))
    return meta


def _jsonld_articles(tree: lxml_html.HtmlElement) -> list[dict[str, Any]]:
    articles: list[dict[str, Any]] = []
    scripts = tree.xpath('//script[@type="application/ld+json"]')[:MAX_JSONLD_SCRIPTS]
    for script in scripts:
        raw = (script.text or "").strip()
        if not raw or len(raw) > MAX_JSONLD_CHARS:
            continue
        try:
            data = json.loads(raw, strict=False)  # control characters inside strings are common
        except (ValueError, RecursionError):  # RecursionError: arrays nested beyond Python's stack
            log.debug("unreadable JSON-LD block skipped")
            continue
        articles.extend(node for node in _nodes(data) if _is_article(node))
    return articles


def _nodes(data: Any, depth: int = 0) -> list[dict[str, Any]]:
    """Top-level objects, list members and @graph members (bounded depth)."""
    if depth > 3:
        return []
    if isinstance(data, list):
        return [node for item in data[:50] for node in _nodes(item, depth + 1)]
    if isinstance(data, dict):
        graph = data.get("@graph")
        return [data, *(_nodes(graph, depth + 1) if isinstance(graph, list) else [])]
    return []


def _is_article(node: dict[str, Any]) -> bool:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(value, str) and value.lower() in ARTICLE_TYPES for value in kinds)


def _names(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    names = []
    for item in values[:10]:
        if isinstance(item, dict):
            item = item.get("name")
        if isinstance(item, str) and item.strip():
            names.append(item.strip()[:MAX_FIELD_CHARS])
    return names


def _meta_properties(tree: lxml_html.HtmlElement) -> dict[str, str]:
    found: dict[str, str] = {}
    for element in tree.xpath("//meta[@content][@property or @name or @itemprop]"):
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "").strip().lower()
        if key and key not in found:
            found[key] = element.get("content", "")[:MAX_FIELD_CHARS]
    return found


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value[:MAX_FIELD_CHARS] or None
