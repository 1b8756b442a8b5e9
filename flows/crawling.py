"""Crawl through the `envmon crawl` command in a subprocess (Scrapy's reactor cannot restart).

Sources that share a host form one group and are crawled one after another, so per-site
politeness holds across them; groups may run side by side. Each source's outcome is the
crawl command's own JSON summary (`envmon crawl --source NAME --json`) and exit code.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawlers.runner import crawl_environment
from crawlers.sources import DEFAULT_SOURCES_FILE, load_sources
from index.settings import Settings

# Failures worth another attempt within the same run: a slow or overloaded site, a crawler
# that died. An unknown host or a refused address will not change in a minute; the next
# scheduled run tries them again.
RETRYABLE_KINDS = frozenset({"timeout", "connection", "http_429", "http_5xx", "crash"})
STDERR_TAIL_CHARS = 300
CRAWL_COMMAND_GRACE_S = 60  # beyond the source's own time limit, for process start and shutdown


@dataclass(frozen=True)
class SourceGroup:
    host: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class CrawlPlan:
    sources_file: Path
    groups: tuple[SourceGroup, ...]
    parallel: int
    source_timeout_s: float


def plan_crawl(sources_file: Path | None) -> CrawlPlan:
    """Read the sources file (raising ConfigError when malformed) and group sources by host."""
    path = (sources_file or DEFAULT_SOURCES_FILE).resolve()
    parsed = load_sources(path)
    groups: dict[str, list[str]] = {}
    for source in parsed.source:
        groups.setdefault(source.netloc, []).append(source.name)
    return CrawlPlan(
        sources_file=path,
        groups=tuple(SourceGroup(host, tuple(names)) for host, names in groups.items()),
        parallel=max(1, parsed.crawl.parallel_sources),
        source_timeout_s=parsed.crawl.source_timeout_s,
    )


def crawl_source(settings: Settings, plan: CrawlPlan, name: str) -> dict[str, Any]:
    """Run `envmon crawl --sources FILE --source NAME --json`; its summary of that source.

    A crash or an unreadable answer becomes a summary with status "crashed", never an exception.
    """
    command = [sys.executable, "-m", "envmon_cli.main", "crawl", "--sources", str(plan.sources_file), "--source", name, "--json"]
    try:
        finished = subprocess.run(
            command, capture_output=True, env=crawl_environment(settings), timeout=plan.source_timeout_s + CRAWL_COMMAND_GRACE_S, check=False
        )
    except subprocess.TimeoutExpired:
        return _failed(name, "timeout", f"the crawl command did not finish within {plan.source_timeout_s + CRAWL_COMMAND_GRACE_S:.0f} s")
    stdout = finished.stdout.decode("utf-8", "replace").strip()
    try:
        summary = json.loads(stdout.splitlines()[-1])["sources"][0]
    except (IndexError, KeyError, ValueError):
        tail = finished.stderr.decode("utf-8", "replace").strip()[-STDERR_TAIL_CHARS:]
        message = tail.splitlines()[-1] if tail else f"the crawl command exited with code {finished.returncode}"
        return _failed(name, "crash", message)
    summary["exit_code"] = finished.returncode
    return summary


def _failed(name: str, kind: str, message: str) -> dict[str, Any]:
    return {"source": name, "status": "crashed", "message": message, "errors": {kind: 1}, "fetched": 0, "new": 0,
            "changed": 0, "unchanged": 0, "exit_code": None}


def succeeded(summary: dict[str, Any]) -> bool:
    """The source answered (fully, or until its time limit with pages fetched)."""
    return summary.get("status") == "ok" or (summary.get("status") == "timeout" and bool(summary.get("fetched")))


def worth_retrying(summary: dict[str, Any]) -> bool:
    return not succeeded(summary) and bool(RETRYABLE_KINDS & set(summary.get("errors") or {"crash": 1}))
