"""Parse RSS 2.0 / RSS 1.0 / Atom feeds and sitemaps (index, urlset, Google news) from bytes.

Feeds are hostile input: no entity expansion, no network access, size-bounded gunzip, and
invalid XML raises FeedError (counted as a parse error by the spider), never a crash.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from lxml import etree

MAX_ENTRIES = 50_000  # the sitemap protocol's own limit per file
GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 64 << 10


class FeedError(ValueError):
    """The document is not a readable feed or sitemap; the message says why."""


@dataclass
class FeedEntry:
    """One link announced by a feed or sitemap, with the dates and title it came with."""

    url: str
    title: str | None = None
    published: str | None = None
    updated: str | None = None

    @property
    def lastmod(self) -> str | None:
        """The date that changes when the item changes (updated, else published)."""
        return self.updated or self.published


@dataclass
class Sitemap:
    """A parsed sitemap: links to other sitemaps (an index) or to pages."""
    is_index: bool
    entries: list[FeedEntry]


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True, remove_pis=True, recover=False
    )


def unpack(body: bytes, max_size: int) -> bytes:
    """Gunzip a .xml.gz body, refusing to inflate beyond max_size bytes (gzip bombs)."""
    if not body.startswith(GZIP_MAGIC):
        return body
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    parts: list[bytes] = []
    size = 0
    pending = body
    try:
        while pending and not inflater.eof:
            chunk = inflater.decompress(pending, _CHUNK)
            pending = inflater.unconsumed_tail
            size += len(chunk)
            if size > max_size:
                raise FeedError(f"gzip body inflates beyond {max_size} bytes (DOWNLOAD_MAXSIZE)")
            parts.append(chunk)
    except zlib.error as exc:
        raise FeedError(f"corrupt gzip body ({exc})") from None
    return b"".join(parts)


def _root(body: bytes) -> etree._Element:
    if not body.strip():
        raise FeedError("empty document")
    try:
        root = etree.fromstring(body, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"invalid XML ({exc.msg}, line {exc.lineno})") from None
    if root is None:
        raise FeedError("no XML root element")
    return root


def _local(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _child_text(element: etree._Element, *names: str) -> str | None:
    for name in names:
        for child in element:
            if _local(child) == name and child.text and child.text.strip():
                return " ".join(child.text.split())
    return None


def parse_feed(body: bytes) -> list[FeedEntry]:
    """Entries of an RSS 2.0, RSS 1.0 (RDF) or Atom feed, in document order."""
    root = _root(body)
    kind = _local(root)
    if kind not in ("rss", "feed", "rdf"):
        raise FeedError(f"not a feed (root element <{kind or '?'}>)")
    entries: list[FeedEntry] = []
    for element in root.iter():
        name = _local(element)
        if name == "item":
            url = _child_text(element, "link") or _permalink_guid(element)
            entry = FeedEntry(url or "", _child_text(element, "title"), _child_text(element, "pubdate", "date", "published"), _child_text(element, "updated", "modified"))
        elif name == "entry" and kind == "feed":
            entry = FeedEntry(_atom_link(element) or "", _child_text(element, "title"), _child_text(element, "published", "issued"), _child_text(element, "updated", "modified"))
        else:
            continue
        if entry.url:
            entries.append(entry)
        if len(entries) >= MAX_ENTRIES:
            break
    return entries


def _permalink_guid(item: etree._Element) -> str | None:
    for child in item:
        if _local(child) == "guid" and child.get("isPermaLink", "true").lower() == "true" and (child.text or "").strip().startswith("http"):
            return child.text.strip()
    return None


def _atom_link(entry: etree._Element) -> str | None:
    fallback = None
    for child in entry:
        if _local(child) != "link" or not child.get("href"):
            continue
        rel = child.get("rel", "alternate")
        if rel == "alternate" and child.get("type", "text/html") in ("text/html", "application/xhtml+xml"):
            return child.get("href").strip()
        fallback = fallback or (child.get("href").strip() if rel == "alternate" else None)
    return fallback


def parse_sitemap(body: bytes) -> Sitemap:
    """A sitemap index (links to sitemaps) or a urlset (links to pages, news extensions read)."""
    root = _root(body)
    kind = _local(root)
    if kind not in ("sitemapindex", "urlset"):
        raise FeedError(f"not a sitemap (root element <{kind or '?'}>)")
    wanted = "sitemap" if kind == "sitemapindex" else "url"
    entries: list[FeedEntry] = []
    for element in root:
        if _local(element) != wanted:
            continue
        location = _child_text(element, "loc")
        if not location:
            continue
        title = published = None
        for child in element:
            if _local(child) == "news":
                title = _child_text(child, "title")
                published = _child_text(child, "publication_date")
        entries.append(FeedEntry(location, title, published, _child_text(element, "lastmod")))
        if len(entries) >= MAX_ENTRIES:
            break
    return Sitemap(is_index=kind == "sitemapindex", entries=entries)
