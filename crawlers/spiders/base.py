"""What every envmon spider shares: its source, requests with incremental decisions, article
parsing, and counting each failure by kind.

Spiders find and parse; they read the crawl state to decide what to fetch, but only the
pipelines write it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime, timedelta
from typing import Any, TypeVar

import scrapy
from scrapy.http import HtmlResponse, Response, TextResponse
from twisted.python.failure import Failure

from crawlers.crawlstate import CrawlState
from crawlers.extraction import ExtractionError
from crawlers.extraction_pool import ArticleExtractor
from crawlers.feeds import FeedError, unpack
from crawlers.items import CrawledItem, PageVisit
from crawlers.outcomes import (
    FETCHED,
    START_ERROR,
    START_OK,
    STAT_PREFIX,
    UNCHANGED,
    classify_failure,
    count,
    describe_failure,
)
from crawlers.sources import Source
from crawlers.urls import canonicalise_url, is_http_url
from index.dates import DateParseError, parse_datetime
from index.ids import item_id_for_url
from index.records import HttpMeta, RawItem, SourceKind
from index.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

HTML_TYPES = (b"text/html", b"application/xhtml+xml")


class SourceSpider(scrapy.Spider):
    """Base of the rss, sitemap, listing and forum spiders: one spider run = one source."""

    source_kind: SourceKind

    def __init__(self, source: Source, **kwargs: Any) -> None:
        super().__init__(name=self.name, **kwargs)
        self.source = source
        self.allowed_domains = source.domains
        self._scheduled: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SourceSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.state = CrawlState.for_crawler(crawler)
        spider.envmon = crawler.settings["ENVMON_SETTINGS"]
        spider.extractor = ArticleExtractor.shared(crawler.settings.getint("EXTRACTION_PROCESSES"))
        spider.extractor.start()
        return spider

    state: CrawlState
    envmon: Settings
    extractor: ArticleExtractor

    async def start(self) -> AsyncIterator[Any]:
        """The source's start page: a feed, sitemap, section page or forum page."""
        yield self.page_request(self.source.url, self.parse_start, start=True)

    def parse_start(self, response: Response) -> Iterator[Any]:
        """Read a start (or following) page: each spider kind says how."""
        raise NotImplementedError

    # ---- requests -----------------------------------------------------------------------
    def page_request(
        self, url: str, callback: Callable[..., Any], *, start: bool = False, pass_not_modified: bool = False, **meta: Any
    ) -> scrapy.Request:
        """A feed/listing/thread page: fetched conditionally (ETag/Last-Modified)."""
        meta.update(conditional=True, start=start, url_key=canonicalise_url(url))
        if pass_not_modified:
            meta.update(pass_not_modified=True, handle_httpstatus_list=[304])
        return scrapy.Request(url, callback=callback, errback=self.on_failure, meta=meta, dont_filter=start)

    def article_request(self, url: str, *, lastmod: str | None = None, title: str | None = None, published: str | None = None) -> scrapy.Request | None:
        """A request for an article link, or None when it was scheduled already or is known
        unchanged (counted as unchanged, never fetched)."""
        if not is_http_url(url):
            return None
        key = canonicalise_url(url)
        if key in self._scheduled:
            return None
        self._scheduled.add(key)
        memo = self.state.url_memo(key)
        if memo is not None and memo.item_id:
            if lastmod and memo.lastmod and not self._is_newer(lastmod, memo.lastmod):
                count(self.crawler.stats, UNCHANGED)
                return None
            if not lastmod and not memo.has_validators:
                count(self.crawler.stats, UNCHANGED)  # no cheap way to tell; articles rarely change
                return None
        meta = {"conditional": True, "url_key": key, "lastmod": lastmod, "hint_title": title, "hint_published": published}
        return scrapy.Request(url, callback=self.parse_article, errback=self.on_failure, meta=meta)

    def is_too_old(self, date_text: str | None) -> bool:
        """True when the source sets max_age_days and the entry is older than that."""
        if not self.source.max_age_days or not date_text:
            return False
        when = self.to_datetime(date_text)
        return when is not None and when < datetime.now(self.envmon.tz) - timedelta(days=self.source.max_age_days)

    def _is_newer(self, candidate: str, stored: str) -> bool:
        new, old = self.to_datetime(candidate), self.to_datetime(stored)
        return new is None or old is None or new > old

    def to_datetime(self, value: str | None) -> datetime | None:
        """A date string as a tz-aware datetime (Asia/Ho_Chi_Minh when it has no zone), or None."""
        if not value:
            return None
        try:
            return parse_datetime(value, self.envmon.tz)
        except DateParseError:
            return None

    # ---- responses ----------------------------------------------------------------------
    def note_page(self, response: Response) -> tuple[str, str, bool]:
        """Count a fetched page; returns (url key, body hash, unchanged since the last crawl)."""
        if response.meta.get("start"):
            self.crawler.stats.set_value(STAT_PREFIX + START_OK, 1)
        if response.status == 304:
            count(self.crawler.stats, UNCHANGED)
            return response.meta["url_key"], "", True
        count(self.crawler.stats, FETCHED)
        key = response.meta.get("url_key") or canonicalise_url(response.url)
        body_hash = hashlib.sha1(response.body).hexdigest()
        memo = self.state.url_memo(key)
        unchanged = memo is not None and memo.body_hash == body_hash
        if unchanged:
            count(self.crawler.stats, UNCHANGED)
        return key, body_hash, unchanged

    def read_xml(self, response: Response, parse: Callable[[bytes], T]) -> tuple[str, str, T] | None:
        """A feed or sitemap, parsed: (url key, body hash, document); None when it is unchanged
        since the last crawl or unreadable (then counted as a parse error)."""
        key, body_hash, unchanged = self.note_page(response)
        if unchanged:
            return None
        try:
            document = parse(unpack(response.body, self.settings.getint("DOWNLOAD_MAXSIZE")))
        except FeedError as exc:
            count(self.crawler.stats, "parse")
            log.warning("%s: %s unreadable: %s", self.source.name, response.url, exc)
            return None
        return key, body_hash, document

    def page_visit(self, response: Response, key: str, body_hash: str, *, next_url: str | None = None, commit_at_close: bool = False) -> PageVisit:
        """Bookkeeping for a page read: its validators, body hash and next page."""
        return PageVisit(
            url_keys=[key],
            etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
            body_hash=body_hash or None,
            lastmod=response.meta.get("lastmod"),
            next_url=next_url,
            commit_at_close=commit_at_close,
        )

    async def parse_article(self, response: Response) -> AsyncIterator[CrawledItem]:
        """An article page → one CrawledItem (non-HTML and empty pages are counted skips)."""
        count(self.crawler.stats, FETCHED)
        if not is_html(response):
            count(self.crawler.stats, "not_html")
            log.info("%s: skipped, not an HTML page (%s)", response.url, _header(response, b"Content-Type") or "no type")
            return
        assert isinstance(response, TextResponse)
        try:
            article = await self.extractor.extract(response.text, response.url, self.envmon.timezone)
        except ExtractionError as exc:
            count(self.crawler.stats, "parse")
            log.info("%s: skipped, %s", response.url, exc)
            return
        canonical = canonicalise_url(response.url)
        meta = response.meta
        record = RawItem(
            id=item_id_for_url(canonical),
            url=response.url,
            canonical_url=canonical,
            source=self.source.name,
            source_kind=self.source_kind,
            reliability=self.source.effective_reliability,
            source_province=self.source.province,
            fetched_at=datetime.now(self.envmon.tz),
            published_at=article.published_at or self.to_datetime(meta.get("hint_published")),
            title=article.title or meta.get("hint_title"),
            text=article.text,
            lang=article.lang or "vi",
            http=HttpMeta(status=response.status, etag=_header(response, b"ETag"), last_modified=_header(response, b"Last-Modified")),
        )
        keys = sorted({meta.get("url_key") or canonical, canonical})
        yield CrawledItem(record=record, url_keys=keys, lastmod=meta.get("lastmod"))

    def on_failure(self, failure: Failure) -> None:
        """Count a failed request by kind; remember why the start page failed."""
        request = getattr(failure, "request", None)
        kind = classify_failure(failure)
        count(self.crawler.stats, kind)
        url = request.url if request is not None else "?"
        reason = describe_failure(failure)
        if request is not None and request.meta.get("start"):
            if kind == UNCHANGED:
                self.crawler.stats.set_value(STAT_PREFIX + START_OK, 1)
            else:
                self.crawler.stats.set_value(STAT_PREFIX + START_ERROR, f"{kind}: {reason}")
        level = logging.DEBUG if kind in (UNCHANGED, "robots", "offsite") else logging.WARNING
        log.log(level, "%s %s: %s", self.source.name, url, reason)


def is_html(response: Response) -> bool:
    """True when the response is an HTML page (by Content-Type, else by Scrapy's sniffing)."""
    content_type = (response.headers.get(b"Content-Type") or b"").lower()
    if content_type:
        return any(kind in content_type for kind in HTML_TYPES)
    return isinstance(response, HtmlResponse)


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1").strip()[:300] if value else None
