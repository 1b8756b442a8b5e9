"""Crawl a sources file: one subprocess per host (its sources in turn), hosts in parallel, each
source under a wall-clock limit, and one summary at the end. What `envmon crawl` and the
ingest flow call.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawlers import settings as crawl_defaults
from crawlers.crawl_source import summary_path
from crawlers.report import CRASHED, TIMEOUT, CrawlReport, SourceSummary
from crawlers.sources import DEFAULT_SOURCES_FILE, CrawlOptions, Source, load_sources
from index.errors import ConfigError, InputError
from index.settings import Settings
from index.state import CRAWL_RUN_NAMESPACE, StateStore

log = logging.getLogger(__name__)

# Each spider closes itself at source_timeout_s; a process still alive this much after its
# sources' combined budget (a download stuck past every timeout) is killed.
KILL_GRACE_S = 10.0
MIN_KILL_GRACE_S = 5.0  # process start-up and shutdown alone take a couple of seconds
# When the run itself is interrupted (Ctrl-C), crawl processes get this long to flush their
# spool batch before they are killed; what they had not written is fetched again next run.
STOP_GRACE_S = 3.0
STDERR_TAIL_CHARS = 400


def run_crawl(
    settings: Settings,
    sources_path: Path | None = None,
    only: str | None = None,
    *,
    overrides: dict[str, Any] | None = None,
    on_result: Callable[[SourceSummary], None] | None = None,
) -> CrawlReport:
    """Crawl every source (or the one named `only`) into the raw spool and summarise."""
    path = (sources_path or DEFAULT_SOURCES_FILE).resolve()
    sources_file = load_sources(path)
    selected = list(sources_file.source)
    if only is not None:
        source = sources_file.named(only)
        if source is None:
            names = ", ".join(s.name for s in sources_file.source)
            raise InputError(f"No source named {only!r} in {path.name}; choose one of: {names}.")
        selected = [source]
    check_politeness(sources_file.crawl, settings)
    settings.ensure_data_dir()
    _ = settings.pseudonym_key  # create the key once here, not concurrently in the children
    # Likewise the state database: switching a new file to WAL needs an exclusive lock, and two
    # children doing it at once can fail with "database is locked".
    StateStore(settings.state_path).close()
    groups = _by_host(selected)
    results: dict[str, SourceSummary] = {}
    children = CrawlProcesses()

    def crawl_group(group: list[Source]) -> None:
        for summary in _crawl_in_subprocess(settings, path, group, sources_file.crawl, overrides or {}, children):
            results[summary.source] = summary
            if on_result is not None:
                on_result(summary)

    with ThreadPoolExecutor(max_workers=max(1, min(sources_file.crawl.parallel_sources, len(groups)))) as pool:
        futures = [pool.submit(crawl_group, group) for group in groups]
        try:
            for future in futures:
                future.result()
        except BaseException:  # Ctrl-C: the crawl processes (in their own sessions) must stop too
            for future in futures:
                future.cancel()
            children.stop_all()
            raise
    report = CrawlReport([results[source.name] for source in selected])
    record_runs(settings, report)
    return report


def record_runs(settings: Settings, report: CrawlReport) -> None:
    """Remember each source's latest crawl (counters, errors, when) for source health."""
    finished_at = datetime.now(UTC).isoformat()
    store = StateStore(settings.state_path)
    try:
        for summary in report.sources:
            store.put_memo(CRAWL_RUN_NAMESPACE, summary.source, {**summary.as_json(), "finished_at": finished_at})
    finally:
        store.close()


def check_politeness(options: CrawlOptions, settings: Settings) -> None:
    """A delay below the polite minimum is for loopback test sites only."""
    if options.download_delay is not None and options.download_delay < crawl_defaults.MIN_DOWNLOAD_DELAY and not settings.allow_private_networks:
        raise ConfigError(
            f"The crawl table's download_delay = {options.download_delay} is below the polite minimum of "
            f"{crawl_defaults.MIN_DOWNLOAD_DELAY} s; raise it (lower delays are for loopback test sites only)."
        )


def _by_host(sources: list[Source]) -> list[list[Source]]:
    """Sources sharing a host run one after another, so per-site politeness holds across them."""
    groups: dict[str, list[Source]] = {}
    for source in sources:
        groups.setdefault(source.netloc, []).append(source)
    return list(groups.values())


def crawl_environment(settings: Settings) -> dict[str, str]:
    """The environment of a crawl subprocess: the same data dir, timezone, network policy and
    pseudonym key as this process, wherever this process got them from."""
    env = dict(os.environ)
    env["ENVMON_DATA_DIR"] = str(settings.data_dir)
    env["ENVMON_TIMEZONE"] = settings.timezone
    env["ENVMON_ALLOW_PRIVATE_NETWORKS"] = "1" if settings.allow_private_networks else "0"
    if settings.pseudonym_secret is not None:
        env["ENVMON_PSEUDONYM_SECRET"] = settings.pseudonym_secret.get_secret_value()
    return env


class CrawlProcesses:
    """The crawl processes of one run, so that an interrupted run can stop every one of them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen[bytes]] = set()
        self._stopping = False

    def start(self, command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes] | None:
        """Start a crawl process in its own session; None once the run is being stopped."""
        with self._lock:
            if self._stopping:
                return None
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, start_new_session=True)
            self._running.add(process)
            return process

    @property
    def stopping(self) -> bool:
        """True once the run is being stopped (its processes' exits are expected)."""
        return self._stopping

    def finished(self, process: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._running.discard(process)

    def stop_all(self) -> None:
        """SIGTERM every crawl process group, then SIGKILL what is left after STOP_GRACE_S."""
        with self._lock:
            self._stopping = True
            groups = [process.pid for process in self._running]
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for group in groups:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(group, sig)
            deadline = time.monotonic() + STOP_GRACE_S
            while sig == signal.SIGTERM and _any_alive(groups) and time.monotonic() < deadline:
                time.sleep(0.1)


def _any_alive(groups: list[int]) -> bool:
    for group in groups:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            continue
        return True
    return False


def _crawl_in_subprocess(
    settings: Settings, path: Path, group: list[Source], options: CrawlOptions, overrides: dict[str, Any], children: CrawlProcesses
) -> list[SourceSummary]:
    """Crawl one host's sources in a child process; a source it did not finish gets a summary saying why."""
    with tempfile.TemporaryDirectory(prefix="envmon-crawl-") as folder:
        summaries = Path(folder)
        command = [sys.executable, "-m", "crawlers.crawl_source", "--sources", str(path), "--summaries", str(summaries),
                   "--overrides", json.dumps(overrides), "--parent", str(os.getpid())]
        for source in group:
            command += ["--source", source.name]
        budget = len(group) * options.source_timeout_s + min(KILL_GRACE_S, max(MIN_KILL_GRACE_S, options.source_timeout_s))
        process = children.start(command, crawl_environment(settings))
        if process is None:  # the run was interrupted before this host's turn
            return []
        killed = False
        try:
            _, stderr = process.communicate(timeout=budget)
        except subprocess.TimeoutExpired:
            stderr = _kill(process)
            killed = True
            log.warning("crawl of %s killed after %.0f s", ", ".join(s.name for s in group), budget)
        finally:
            children.finished(process)
        tail = stderr.decode("utf-8", "replace").strip()[-STDERR_TAIL_CHARS:]
        if process.returncode and not killed and not children.stopping:
            log.error("crawler process for %s exited with %s: %s", group[0].netloc, process.returncode, tail)
        return [_summary_of(source, summary_path(summaries, source.name), killed, options, tail, process.returncode) for source in group]


def _summary_of(source: Source, path: Path, killed: bool, options: CrawlOptions, tail: str, code: int | None) -> SourceSummary:
    if path.is_file():
        return SourceSummary(**json.loads(path.read_text(encoding="utf-8")))
    if killed:
        return SourceSummary(
            source.name, source.kind, source.url, status=TIMEOUT,
            message=f"no answer within {options.source_timeout_s:.0f} s (source_timeout_s); stopped so the others could go on",
            errors={"timeout": 1}, elapsed_s=options.source_timeout_s,
        )
    message = tail.splitlines()[-1] if tail else f"the crawler process exited with code {code}"
    return SourceSummary(source.name, source.kind, source.url, status=CRASHED, message=message, errors={"crash": 1})


def _kill(process: subprocess.Popen[bytes]) -> bytes:
    """Stop the child and anything it started (it leads its own process group); returns its stderr."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            return process.communicate(timeout=5)[1] or b""
        except subprocess.TimeoutExpired:
            continue
    return b""
