"""What spiders yield: records for the spool, and bookkeeping about pages they read.

Both are plain dataclasses (Scrapy items via itemadapter). The record itself is the typed
RawItem of index/records.py; the bookkeeping lets pipelines remember what was crawled.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from index.records import RawItem


@dataclass
class CrawledItem:
    """One article or forum post, plus crawl bookkeeping that is not part of the record."""

    record: RawItem
    # Canonical URLs under which to remember this fetch (the link followed, the final URL).
    url_keys: list[str] = field(default_factory=list)
    # The feed or sitemap date that announced it: a later crawl skips it unless this grows.
    lastmod: str | None = None


@dataclass
class PageVisit:
    """A URL was read without producing a new record (a feed, a listing, an unchanged article):
    what to remember about it."""

    url_keys: list[str]
    item_id: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    lastmod: str | None = None
    next_url: str | None = None
    # Feeds are remembered only when the crawl ended without transient errors, so articles
    # that failed this time are retried next time instead of hiding behind a 304.
    commit_at_close: bool = False
