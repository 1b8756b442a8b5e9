"""Retries on 429/5xx and network errors, waiting with exponential backoff (and Retry-After)."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import response_status_message
from twisted.internet import task

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

log = logging.getLogger(__name__)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry policy, but the retry waits RETRY_BACKOFF_BASE * 2**attempt seconds,
    or as long as the site's Retry-After asks, never more than RETRY_BACKOFF_MAX; and no
    retry once the source's time budget (CLOSESPIDER_TIMEOUT) is spent."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE")
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX")
        self.budget_s = settings.getfloat("CLOSESPIDER_TIMEOUT")
        self.opened_at = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        middleware = cls(crawler.settings)
        middleware.crawler = crawler
        crawler.signals.connect(middleware._opened, signal=signals.spider_opened)
        return middleware

    def _opened(self) -> None:
        self.opened_at = time.monotonic()

    def _retry(self, request: Request, reason: str | Exception | type[Exception]) -> Request | None:
        if self.budget_s and time.monotonic() - self.opened_at >= self.budget_s:
            return None  # the spider is closing at its time limit: retrying would only delay that
        return super()._retry(request, reason)

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await self._wait(self.delay_for(retry.meta.get("retry_times", 1), response.headers.get(b"Retry-After")))
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:  # type: ignore[override]
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry", False):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await self._wait(self.delay_for(retry.meta.get("retry_times", 1), None))
        return retry

    def delay_for(self, attempt: int, retry_after: bytes | None) -> float:
        """Seconds to wait before retry number attempt (1-based)."""
        delay = self.backoff_base * 2 ** (attempt - 1)
        asked = _retry_after_seconds(retry_after)
        if asked is not None:
            delay = max(delay, asked)
        remaining = self.budget_s - (time.monotonic() - self.opened_at) if self.budget_s else self.backoff_max
        return max(0.0, min(delay, self.backoff_max, remaining))

    @staticmethod
    async def _wait(seconds: float) -> None:
        if seconds > 0:
            from twisted.internet import reactor  # imported late: importing it installs a reactor

            await maybe_deferred_to_future(task.deferLater(reactor, seconds, lambda: None))


def _retry_after_seconds(value: bytes | None) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isascii() and text.isdigit():  # not "²", which str.isdigit() also accepts
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000": a UTC time of unknown origin (RFC 5322)
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
