"""Article extraction off the crawl process's event loop, in worker processes.

Extraction is the expensive step of a crawl (trafilatura, ~5–10 ms of CPU per page). Run in
the crawl process it stalls every download while a page is parsed; in a worker process it
overlaps with downloading, and a page that crashes the parser (hostile HTML meeting a native
bug) takes down a worker, not the crawl. EXTRACTION_PROCESSES = 0 extracts in-process.
"""

from __future__ import annotations

import atexit
import gc
import logging
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any
from zoneinfo import ZoneInfo

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer

from crawlers.extraction import ExtractedArticle, ExtractionError, extract_article

log = logging.getLogger(__name__)
# Extraction allocates millions of short-lived objects per thousand pages while a crawl process
# holds a large, stable heap (Scrapy, Twisted, lxml, trafilatura): with the default thresholds
# the collector rescans that heap constantly (~15% of the time). Crawl processes and extraction
# workers collect young objects less often and freeze what they hold at start-up.
GC_THRESHOLDS = (20_000, 50, 100)
_pools: dict[int, ArticleExtractor] = {}


def _extract_in_worker(html: str, url: str, timezone: str) -> ExtractedArticle:
    return extract_article(html, url, ZoneInfo(timezone))


def _warm_up() -> None:
    """Submitted once per new worker so its imports happen before the first page arrives."""


def _init_worker(gc_thresholds: tuple[int, int, int]) -> None:
    """A worker lives for the whole crawl: tune its collector like the crawl process's."""
    gc.freeze()
    gc.set_threshold(*gc_thresholds)


class ArticleExtractor:
    """extract_article, awaited from a spider callback; runs in `processes` workers (0 = inline)."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._executor: ProcessPoolExecutor | None = None

    @classmethod
    def shared(cls, processes: int) -> ArticleExtractor:
        """One extractor per process and size: the sources of a host share its workers."""
        if processes not in _pools:
            _pools[processes] = cls(processes)
        return _pools[processes]

    def start(self) -> None:
        """Start the workers now, so they boot while robots.txt and feeds are fetched."""
        if self.processes and self._executor is None:
            # spawn, not fork: the crawl process has threads (DNS, SQLite) by the time workers start.
            self._executor = ProcessPoolExecutor(
                self.processes, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker, initargs=(GC_THRESHOLDS,)
            )
            for _ in range(self.processes):
                self._executor.submit(_warm_up)

    async def extract(self, html: str, url: str, timezone: str) -> ExtractedArticle:
        """The article of one page; raises ExtractionError when there is none (or the worker died)."""
        if not self.processes:
            return extract_article(html, url, ZoneInfo(timezone))
        self.start()
        assert self._executor is not None
        try:
            future = self._executor.submit(_extract_in_worker, html, url, timezone)
            return await maybe_deferred_to_future(_deferred_from(future))
        except BrokenProcessPool:
            log.error("an extraction worker died on %s; starting new workers", url)
            self.close()
            raise ExtractionError("the extraction worker crashed on this page") from None

    def close(self) -> None:
        """Stop the workers (pages in flight are abandoned)."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None


def _deferred_from(future: Future[Any]) -> defer.Deferred[Any]:
    """A Twisted Deferred fired (in the reactor thread) when a concurrent future completes."""
    from twisted.internet import reactor  # imported late: importing it installs a reactor

    result: defer.Deferred[Any] = defer.Deferred()

    def settle(done: Future[Any]) -> None:
        error = done.exception()
        if error is not None:
            reactor.callFromThread(result.errback, error)  # type: ignore[attr-defined]
        else:
            reactor.callFromThread(result.callback, done.result())  # type: ignore[attr-defined]

    future.add_done_callback(settle)
    return result


@atexit.register
def close_all() -> None:
    """Stop every worker (called at the end of a crawl process)."""
    for extractor in _pools.values():
        extractor.close()
