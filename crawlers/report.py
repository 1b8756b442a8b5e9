"""The crawl summary: per source, what was fetched, new, changed, unchanged, skipped, failed."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from crawlers.outcomes import (
    ALT_URL,
    CHANGED,
    FETCHED,
    NEW,
    ROBOTS,
    START_ERROR,
    START_OK,
    STAT_PREFIX,
    UNCHANGED,
    counted_errors,
)
from index.errors import EnvmonError

OK, FAILED, TIMEOUT, CRASHED = "ok", "failed", "timeout", "crashed"


class NothingCrawled(EnvmonError):
    """No source of the run answered."""

    exit_code = 1


@dataclass
class SourceSummary:
    """What one source's crawl did: counters, error kinds, and why it failed if it did."""
    source: str
    kind: str
    url: str
    status: str = FAILED
    message: str | None = None
    fetched: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    robots: int = 0
    alt_urls: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    elapsed_s: float = 0.0

    @classmethod
    def from_stats(cls, source: str, kind: str, url: str, stats: dict[str, Any], elapsed_s: float) -> SourceSummary:
        """Read the envmon/… counters a spider run left in its Scrapy stats."""

        def counter(name: str) -> int:
            return int(stats.get(STAT_PREFIX + name, 0) or 0)

        summary = cls(
            source=source,
            kind=kind,
            url=url,
            fetched=counter(FETCHED),
            new=counter(NEW),
            changed=counter(CHANGED),
            unchanged=counter(UNCHANGED),
            robots=counter(ROBOTS),
            alt_urls=counter(ALT_URL),
            errors=counted_errors(stats),
            elapsed_s=round(elapsed_s, 2),
        )
        reason = stats.get("finish_reason")
        if reason == "closespider_timeout":
            summary.status = TIMEOUT
            summary.message = f"stopped at the source time limit after {summary.fetched} pages; the rest waits for the next run"
        elif stats.get(STAT_PREFIX + START_OK):
            summary.status = OK
        else:
            summary.status = FAILED
            summary.message = stats.get(STAT_PREFIX + START_ERROR) or "the start page gave no response"
        return summary

    @property
    def error_count(self) -> int:
        """Failed requests of every kind."""
        return sum(self.errors.values())

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CrawlReport:
    """The summaries of one run, in sources-file order."""
    sources: list[SourceSummary] = field(default_factory=list)

    @property
    def crawled(self) -> list[SourceSummary]:
        """Sources whose start page answered (fully or until their time limit)."""
        return [summary for summary in self.sources if summary.status == OK or (summary.status == TIMEOUT and summary.fetched)]

    def total(self, name: str) -> int:
        """A counter summed over every source."""
        return sum(int(getattr(summary, name)) for summary in self.sources)

    def as_json(self) -> dict[str, Any]:
        totals = {name: self.total(name) for name in ("fetched", "new", "changed", "unchanged", "robots", "alt_urls", "error_count")}
        return {"sources": [summary.as_json() for summary in self.sources], "totals": totals, "crawled": len(self.crawled)}
