"""Conditional GET: send the ETag / Last-Modified we stored, turn a 304 into "unchanged"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crawlers.crawlstate import CrawlState
from crawlers.outcomes import NotModified
from crawlers.urls import canonicalise_url

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


class ConditionalGetMiddleware:
    """For requests marked `conditional`, add If-None-Match / If-Modified-Since from the crawl
    state; a 304 raises NotModified (counted as unchanged) unless the spider asked to see it."""

    def __init__(self, state: CrawlState) -> None:
        self.state = state

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        return cls(CrawlState.for_crawler(crawler))

    def process_request(self, request: Request) -> None:
        if not request.meta.get("conditional"):
            return None
        memo = self.state.url_memo(canonicalise_url(request.url))
        if memo is None:
            return None
        if memo.etag and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = memo.etag.encode("latin-1", "replace")
        if memo.last_modified and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = memo.last_modified.encode("latin-1", "replace")
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status == 304 and request.meta.get("conditional") and not request.meta.get("pass_not_modified"):
            raise NotModified(f"{request.url} not modified since the last crawl")
        return response
