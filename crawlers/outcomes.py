"""What happened to each request, counted per source: the vocabulary of the crawl summary.

Every failure is classified into one short kind (timeout, dns, refused, private, http_404,
too_large, not_html, parse, redirect, …) and counted in the Scrapy stats under `envmon/…`;
crawlers.report turns those stats into the per-source summary.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
    UnsupportedURLSchemeError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as tx_error
from twisted.python.failure import Failure

from crawlers.netguard import AddressRefused

log = logging.getLogger(__name__)

STAT_PREFIX = "envmon/"
FETCHED = "fetched"  # pages downloaded with a body (feeds, listings, articles, thread pages)
NEW = "new"  # items appended to the spool for the first time
CHANGED = "changed"  # known items whose text changed, appended again
UNCHANGED = "unchanged"  # 304, same content hash, or a feed date no newer than last time
ROBOTS = "robots"  # skipped because robots.txt disallows them
ALT_URL = "alt_urls"  # identical text found under another URL: recorded on the original
ERROR_PREFIX = "error/"
START_OK = "start_ok"
START_ERROR = "start_error"
COUNTERS = (FETCHED, NEW, CHANGED, UNCHANGED, ROBOTS, ALT_URL)
SPIDER_ERROR = "spider_error"  # a callback raised: a page our code could not handle
SPIDER_EXCEPTIONS_STAT = "spider_exceptions/count"

# Failures worth retrying on the next run: feed state is only committed when none happened.
TRANSIENT_KINDS = frozenset({"timeout", "dns", "refused", "connection", "http_429", "http_5xx"})


class NotModified(IgnoreRequest):
    """The server answered 304: what we stored is current."""


class RedirectLoop(IgnoreRequest):
    """A redirect led back to a URL already visited in the same chain."""


class NotHtml(IgnoreRequest):
    """The response is not an HTML page (a PDF, an image, …)."""


class GuardRefused(IgnoreRequest):
    """The network guard refused the target (private address or unsupported scheme)."""

    def __init__(self, reason: AddressRefused | str) -> None:
        super().__init__(str(reason))


def classify_failure(failure: Failure) -> str:
    """The summary kind of a failed request."""
    exc = failure.value
    if isinstance(exc, NotModified):
        return UNCHANGED
    if isinstance(exc, HttpError):
        return http_kind(exc.response.status)
    if isinstance(exc, GuardRefused):
        return "private"
    if isinstance(exc, RedirectLoop):
        return "redirect"
    if isinstance(exc, NotHtml):
        return "not_html"
    if isinstance(exc, IgnoreRequest):
        message = str(exc)
        if "robots.txt" in message:
            return ROBOTS
        if "DOWNLOAD_MAXSIZE" in message:
            return "too_large"
        if "redirection" in message:
            return "redirect"
        if "offsite" in message.lower():
            return "offsite"
        return "ignored"
    if isinstance(exc, DownloadTimeoutError | tx_error.TimeoutError | tx_error.TCPTimedOutError):
        return "timeout"
    if isinstance(exc, CannotResolveHostError | tx_error.DNSLookupError):
        return "private" if "ENVMON_ALLOW_PRIVATE_NETWORKS" in str(exc) else "dns"
    if isinstance(exc, DownloadConnectionRefusedError | tx_error.ConnectionRefusedError):
        return "refused"
    if isinstance(exc, DownloadCancelledError):
        return "too_large"  # the only cancellation we cause mid-download is the size limit
    if isinstance(exc, UnsupportedURLSchemeError):
        return "private"
    if isinstance(exc, ResponseDataLossError | DownloadFailedError | tx_error.ConnectionLost | tx_error.ConnectError):
        return "connection"
    return "other"


def http_kind(status: int) -> str:
    """http_404, http_429 …; all server errors share http_5xx so summaries stay short."""
    return "http_5xx" if 500 <= status <= 599 else f"http_{status}"


def describe_failure(failure: Failure) -> str:
    """One line for the summary and the log, without a traceback."""
    exc = failure.value
    if isinstance(exc, HttpError):
        return f"HTTP {exc.response.status}"
    text = str(exc).strip() or exc.__class__.__name__
    return text.splitlines()[0][:300]


def count(stats: Any, kind: str, amount: int = 1) -> None:
    """Add to a summary counter (a kind that is not a counter is an error kind)."""
    key = kind if kind in COUNTERS else ERROR_PREFIX + kind
    stats.inc_value(STAT_PREFIX + key, amount)


def counted_errors(stats: dict[str, Any]) -> dict[str, int]:
    """Error kinds and their counts from a stats dict, including pages a spider callback failed on
    (Scrapy's own count), which would otherwise pass unnoticed in an "ok" summary."""
    prefix = STAT_PREFIX + ERROR_PREFIX
    errors = {key[len(prefix) :]: int(value) for key, value in stats.items() if key.startswith(prefix)}
    if stats.get(SPIDER_EXCEPTIONS_STAT):
        errors[SPIDER_ERROR] = int(stats[SPIDER_EXCEPTIONS_STAT])
    return errors
