"""Item pipelines, one job each: normalise the record, drop what we already have, store the rest.

Order (crawlers/settings.py): NormalisePipeline → DeduplicatePipeline → SpoolWriterPipeline.
A PageVisit passes the first two untouched and is remembered by the writer.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import DropItem

from crawlers.crawlstate import CrawlState, TextOwner, UrlMemo
from crawlers.items import CrawledItem, PageVisit
from crawlers.outcomes import (
    ALT_URL,
    CHANGED,
    NEW,
    TRANSIENT_KINDS,
    UNCHANGED,
    count,
    counted_errors,
)
from index.ids import content_hash
from index.records import RawItem, SourceKind
from index.settings import Settings
from index.spool import Spool
from index.text import basic_clean, truncate

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 100_000  # ~15k words: longer is a dump or a listing page, keep the start
MAX_TITLE_CHARS = 1_000
SPOOL_BATCH_ITEMS = 200  # append (and fsync) in batches: one fsync per page would dominate
SPOOL_BATCH_SECONDS = 2.0
FINISHED = "finished"  # Scrapy's close reason when the spider ran out of requests


class QuietDrop(DropItem):
    """A routine drop (unchanged, duplicate): logged at DEBUG, never with the item's text."""

    log_level = "DEBUG"


class NormalisePipeline:
    """NFC, no control characters, tidy whitespace, bounded sizes, content hash."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormalisePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, CrawledItem):
            return item
        record = item.record
        text, cut = truncate(basic_clean(record.text), MAX_TEXT_CHARS)
        if cut:
            log.info("%s: text cut to %d characters", record.url, MAX_TEXT_CHARS)
        if not text:
            count(self.stats, "parse")
            raise DropItem(f"{record.url}: no text left after cleaning")
        record.text = text
        record.title = basic_clean(record.title)[:MAX_TITLE_CHARS] or None if record.title else None
        record.content_hash = content_hash(record.title, record.text)
        return item


def merges_by_text(record: RawItem) -> bool:
    """Identical text under another URL is the same article (syndication, mirrors), but two
    forum posts with the same words ("Đồng ý", "+1") are two members' posts: never merged."""
    return record.source_kind != SourceKind.FORUM


class DeduplicatePipeline:
    """Drop items whose text is already stored under their id; turn identical text under a new
    URL into an update of the original item that records the extra URL (RawItem.alt_urls)."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.state = CrawlState.for_crawler(crawler)
        self._hashes_this_run: dict[str, str] = {}  # item id → hash passed on during this run
        self._owners_this_run: dict[str, TextOwner] = {}  # content hash → owner passed on

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DeduplicatePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, CrawledItem):
            return item
        record = item.record
        assert record.content_hash is not None  # set by NormalisePipeline
        known_hash = self._hashes_this_run.get(record.id) or self.state.stored_hash(record.id)
        if known_hash == record.content_hash:
            return self._unchanged(item, record.id)
        if not merges_by_text(record):
            count(self.stats, CHANGED if known_hash else NEW)
            self._hashes_this_run[record.id] = record.content_hash
            return item
        owner = self._owners_this_run.get(record.content_hash) or self.state.text_owner(record.content_hash)
        if owner is not None and owner.item_id != record.id:
            if owner.knows(record.canonical_url):
                return self._unchanged(item, owner.item_id)
            return self._as_alternate(item, owner)
        count(self.stats, CHANGED if known_hash else NEW)
        self._pass_on(record.id, record.content_hash, owner or TextOwner.of(record))
        return item

    def _unchanged(self, item: CrawledItem, item_id: str) -> PageVisit:
        """Nothing to append; only the URL's validators and feed date are worth remembering."""
        count(self.stats, UNCHANGED)
        if not item.url_keys:
            raise QuietDrop(f"unchanged: {item.record.url}")
        http = item.record.http
        return PageVisit(url_keys=item.url_keys, item_id=item_id, etag=http.etag, last_modified=http.last_modified, lastmod=item.lastmod)

    def _as_alternate(self, item: CrawledItem, owner: TextOwner) -> CrawledItem:
        """The same text under another URL: re-append the original with this URL added."""
        record = item.record
        merged = owner.with_alternate(record)
        log.info("%s has the same text as %s; recorded as an alternate URL", record.url, owner.url)
        count(self.stats, ALT_URL)
        self._pass_on(owner.item_id, record.content_hash or "", owner)
        return CrawledItem(record=merged, url_keys=item.url_keys, lastmod=item.lastmod)

    def _pass_on(self, item_id: str, text_hash: str, owner: TextOwner) -> None:
        self._hashes_this_run[item_id] = text_hash
        self._owners_this_run[text_hash] = owner


class SpoolWriterPipeline:
    """Append records to the raw spool in batches, then remember them in the crawl state.

    State is written only after the append succeeded, so a crash re-fetches rather than loses.
    """

    def __init__(self, crawler: Crawler, settings: Settings) -> None:
        self.stats = crawler.stats
        self.state = CrawlState.for_crawler(crawler)
        self.spool = Spool(settings.spool_dir, settings.tz)
        self._items: list[CrawledItem] = []
        self._pages: list[PageVisit] = []
        self._deferred_pages: list[PageVisit] = []
        self._last_flush = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SpoolWriterPipeline:
        pipeline = cls(crawler, crawler.settings["ENVMON_SETTINGS"])
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def process_item(self, item: Any) -> Any:
        if isinstance(item, PageVisit):
            (self._deferred_pages if item.commit_at_close else self._pages).append(item)
        elif isinstance(item, CrawledItem):
            self._items.append(item)
        if len(self._items) >= SPOOL_BATCH_ITEMS or time.monotonic() - self._last_flush >= SPOOL_BATCH_SECONDS:
            self.flush()
        return item

    def close_spider(self) -> None:
        """Append what is still buffered."""
        self.flush()

    def spider_closed(self, reason: str) -> None:
        """Remember feeds, sitemaps and listings only after a complete run without transient
        errors: articles they announce that were not fetched (time limit, 503, …) must be found
        again next run, which an unchanged feed would otherwise hide."""
        transient = {kind: n for kind, n in counted_errors(self.stats.get_stats()).items() if kind in TRANSIENT_KINDS}
        if self._deferred_pages and reason == FINISHED and not transient:
            self._remember_pages(self._deferred_pages)
        elif self._deferred_pages:
            log.info("feed state not saved (%s, transient errors %s): its articles are read again next run", reason, transient or "none")
        self.state.close()

    def flush(self) -> None:
        """Append buffered records to the spool, then remember them and the pages read."""
        items, self._items = self._items, []
        if items:
            self.spool.append([item.record for item in items])
            self._remember_items(items)
        pages, self._pages = self._pages, []
        self._remember_pages(pages)
        self._last_flush = time.monotonic()

    def _remember_items(self, items: list[CrawledItem]) -> None:
        self.state.remember_items([(item.record.id, item.record.content_hash or "") for item in items])
        for item in items:
            record = item.record
            if record.content_hash and merges_by_text(record):
                self.state.remember_text(record.content_hash, TextOwner.of(record))
            memo = UrlMemo(item_id=record.id, etag=record.http.etag, last_modified=record.http.last_modified, lastmod=item.lastmod)
            for url_key in item.url_keys:
                self.state.remember_url(url_key, memo)

    def _remember_pages(self, pages: list[PageVisit]) -> None:
        for page in pages:
            memo = UrlMemo(
                item_id=page.item_id,
                etag=page.etag,
                last_modified=page.last_modified,
                lastmod=page.lastmod,
                body_hash=page.body_hash,
                next_url=page.next_url,
            )
            for url_key in page.url_keys:
                self.state.remember_url(url_key, memo)
