"""Crawl the sources of ONE host, one after another, in this process
(`python -m crawlers.crawl_source --source A --source B …`), writing each source's summary
as JSON as soon as it is done.

Twisted's reactor cannot restart, so crawlers.runner starts one of these per host; a hanging
or crashing site then cannot take the other sites down with it. Sources on one host run in
sequence because per-site politeness (concurrency, delay) is enforced per crawler.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings as ScrapySettings
from twisted.internet import defer
from twisted.internet.error import ReactorNotRunning

from crawlers.extraction_pool import GC_THRESHOLDS
from crawlers.report import SourceSummary
from crawlers.sources import CrawlOptions, Source, load_sources
from crawlers.spiders import SPIDERS
from index.errors import EnvmonError
from index.logs import setup_logging
from index.settings import Settings, load_settings

log = logging.getLogger(__name__)
ORPHAN_CHECK_S = 1.0  # how often a crawl process checks that the run which started it is still there
ORPHAN_STOP_GRACE_S = 5.0  # then it stops its spiders and gives them this long to flush the spool


def scrapy_settings(envmon: Settings, options: CrawlOptions, overrides: dict[str, Any] | None = None) -> ScrapySettings:
    """crawlers/settings.py, then the [crawl] table, then caller overrides (tests, benchmark)."""
    settings = ScrapySettings()
    settings.setmodule("crawlers.settings", priority="project")
    chosen: dict[str, Any] = {
        "CLOSESPIDER_TIMEOUT": options.source_timeout_s,
        # Half the source budget at most: robots.txt and the start page may both have to time out.
        "DOWNLOAD_TIMEOUT": min(options.download_timeout_s or settings.getfloat("DOWNLOAD_TIMEOUT"), options.source_timeout_s / 2),
        "ENVMON_RESOLVE": dict(options.resolve),
        "ENVMON_ALLOW_PRIVATE_NETWORKS": envmon.allow_private_networks,
        "ENVMON_SETTINGS": envmon,
        "ENVMON_STATE_PATH": str(envmon.state_path),
    }
    if options.download_delay is not None:
        chosen["DOWNLOAD_DELAY"] = options.download_delay
        chosen["AUTOTHROTTLE_START_DELAY"] = max(options.download_delay, 0.1)
    if options.autothrottle is not None:
        chosen["AUTOTHROTTLE_ENABLED"] = options.autothrottle
    if options.retry_backoff_s is not None:
        chosen["RETRY_BACKOFF_BASE"] = options.retry_backoff_s
    if options.extraction_processes is not None:
        chosen["EXTRACTION_PROCESSES"] = options.extraction_processes
    settings.setdict(chosen, priority="project")
    settings.setdict(overrides or {}, priority="cmdline")
    return settings


def summary_path(folder: Path, name: str) -> Path:
    """Where a source's summary JSON is written."""
    return folder / f"{name}.json"


def crawl_sources(
    envmon: Settings, sources: list[Source], options: CrawlOptions, summaries: Path, overrides: dict[str, Any] | None = None,
    parent: int | None = None,
) -> None:
    """Run the spider of each source in turn; write each summary into `summaries` when done.

    When the process `parent` (default: this one's parent now) is gone, the crawl stops."""
    settings = scrapy_settings(envmon, options, overrides)
    # Our root handlers (index.logs) receive Scrapy's records; its per-request lines are noise.
    logging.getLogger("scrapy").setLevel(settings.get("LOG_LEVEL"))
    # CrawlerProcess installs the reactor and our guarded DNS resolver (TWISTED_DNS_RESOLVER).
    process = CrawlerProcess(settings)
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)

    parent = parent or os.getppid()
    orphaned = False

    @defer.inlineCallbacks
    def one_after_another():  # type: ignore[no-untyped-def]
        for source in sources:
            if orphaned:
                return
            crawler = process.create_crawler(SPIDERS[source.kind])
            started = time.monotonic()
            try:
                yield process.crawl(crawler, source=source)
            except Exception:  # a crawler that fails to start must not stop the others
                log.exception("crawl of %s failed to run", source.name)
                continue
            stats = crawler.stats.get_stats() if crawler.stats else {}
            summary = SourceSummary.from_stats(source.name, source.kind, source.url, stats, time.monotonic() - started)
            _write(summary_path(summaries, source.name), summary)
            log.info(
                "crawl %s: %s, %d fetched, %d new, %d changed, %d unchanged, errors %s",
                source.name, summary.status, summary.fetched, summary.new, summary.changed, summary.unchanged, summary.errors or "none",
            )

    # The first crawler created installs the reactor Scrapy is configured for; importing
    # twisted.internet.reactor any earlier would install the default one instead.
    done = one_after_another()
    if done.called:
        return  # every source failed before it needed the network
    done.addBoth(_stop_reactor)

    def stop_when_orphaned() -> None:
        """The run that started this process was killed: stop rather than crawl on unsupervised."""
        nonlocal orphaned
        if orphaned or os.getppid() == parent:
            return
        orphaned = True
        log.warning("the crawl run that started this process is gone; stopping %s", ", ".join(s.name for s in sources))
        process.stop()
        clock.callLater(ORPHAN_STOP_GRACE_S, _stop_reactor, None)

    from twisted.internet import reactor, task  # the first crawler has installed the reactor by now

    clock: Any = reactor
    task.LoopingCall(stop_when_orphaned).start(ORPHAN_CHECK_S, now=False)
    process.start(stop_after_crawl=False)


def _stop_reactor(_: object) -> None:
    from twisted.internet import reactor

    with contextlib.suppress(ReactorNotRunning):  # already stopping: the crawls ended meanwhile
        reactor.stop()  # type: ignore[attr-defined,misc]


def _write(path: Path, summary: SourceSummary) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(summary.as_json(), ensure_ascii=False), encoding="utf-8")
    temporary.replace(path)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry of the crawl subprocess."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sources", type=Path, required=True)
    parser.add_argument("--source", action="append", required=True, help="A source name (repeatable; crawled in order).")
    parser.add_argument("--summaries", type=Path, required=True, help="Folder receiving one <source>.json per source.")
    parser.add_argument("--overrides", default="{}", help="Scrapy settings as a JSON object (tests, benchmark).")
    parser.add_argument("--parent", type=int, help="Stop when this process (the run that started the crawl) is gone.")
    args = parser.parse_args(argv)
    try:
        envmon = load_settings()
        setup_logging(envmon)
        sources_file = load_sources(args.sources)
        sources = [sources_file.named(name) for name in args.source]
        missing = [name for name, source in zip(args.source, sources, strict=True) if source is None]
        if missing:
            raise EnvmonError(f"No source named {missing[0]!r} in {args.sources}.")
        crawl_sources(
            envmon, [source for source in sources if source], sources_file.crawl, args.summaries, json.loads(args.overrides), args.parent
        )
    except EnvmonError as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
