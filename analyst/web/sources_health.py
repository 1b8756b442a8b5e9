"""Source health, derived from what the data dir holds: documents per source and week (facets),
the latest document, crawl runs if the crawler records them, and quarantined items.

Crawl runs are read from state.sqlite memos in the namespace CRAWL_RUN_NAMESPACE (source name →
{"finished_at", "status", "fetched", "new", "errors", "message"}); when the crawler does not
record them, the page shows what the index knows and says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from index.backend import Backend
from index.query import build_query
from index.settings import Settings
from index.state import CRAWL_RUN_NAMESPACE, StateStore

log = logging.getLogger(__name__)
WEEKS_SHOWN = 8


@dataclass
class SourceHealth:
    source: str
    documents: int
    weekly: list[tuple[str, int]] = field(default_factory=list)
    latest_published: datetime | None = None
    latest_fetched: datetime | None = None
    last_crawl: dict[str, Any] | None = None

    @property
    def failures(self) -> int:
        errors = (self.last_crawl or {}).get("errors") or {}
        return sum(int(value) for value in errors.values()) if isinstance(errors, dict) else 0


@dataclass
class SourcesReport:
    sources: list[SourceHealth]
    crawl_runs_recorded: bool
    quarantined: dict[str, int]
    weeks: list[str]


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _crawl_runs(settings: Settings) -> dict[str, Any]:
    if not settings.state_path.is_file():
        return {}
    store = StateStore(settings.state_path)
    try:
        return store.memos(CRAWL_RUN_NAMESPACE)
    except Exception as exc:  # a locked or foreign file must not take the page down
        log.warning("crawl state unreadable: %s", exc)
        return {}
    finally:
        store.close()


def _quarantined(settings: Settings) -> dict[str, int]:
    folder = settings.quarantine_dir
    if not folder.is_dir():
        return {}
    counts = {}
    for path in sorted(folder.glob("*.jsonl")):
        with path.open("rb") as handle:
            counts[path.stem] = sum(1 for _ in handle)
    return counts


def source_health(settings: Settings, backend: Backend, now: datetime) -> SourcesReport:
    tz: ZoneInfo = settings.tz
    today = now.astimezone(tz).date()
    first_day = today - timedelta(weeks=WEEKS_SHOWN - 1, days=today.weekday())
    weeks = [iso_week(first_day + timedelta(weeks=index)) for index in range(WEEKS_SHOWN)]
    totals = backend.search(build_query("", limit=0, highlight=False)).facets.get("source", {})
    runs = _crawl_runs(settings)
    names = list(totals) + sorted(name for name in runs if name not in totals)
    sources = []
    for name in names:
        result = backend.search(build_query("", source=[name], sort="date", limit=1, highlight=False, date_from=first_day))
        weekly = dict.fromkeys(weeks, 0)
        for day, count in result.facets.get("date", {}).items():
            try:
                week = iso_week(date.fromisoformat(day[:10]))
            except ValueError:
                continue
            if week in weekly:
                weekly[week] += count
        latest = result.hits[0].document if result.hits else None
        if latest is None and totals.get(name):
            older = backend.search(build_query("", source=[name], sort="date", limit=1, facets=False, highlight=False))
            latest = older.hits[0].document if older.hits else None
        run = runs.get(name)
        sources.append(
            SourceHealth(
                source=name,
                documents=int(totals.get(name, 0)),
                weekly=list(weekly.items()),
                latest_published=latest.published_at if latest else None,
                latest_fetched=latest.fetched_at if latest else None,
                last_crawl=run if isinstance(run, dict) else None,
            )
        )
    return SourcesReport(sources=sources, crawl_runs_recorded=bool(runs), quarantined=_quarantined(settings), weeks=weeks)
