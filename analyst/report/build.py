"""The weekly sensitivity report as data: what `report.json` holds and the HTML/PDF show.

Counts are of distinct stories (near-duplicates once, analyst.stories) unless a field says
"documents"; `indexed` repeats, for the same local days, the facet counts `envmon search
--from MONDAY --to SUNDAY` shows, so a reader can reconcile the two. Labels are the effective
ones (an analyst's correction wins), as in search.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from analyst.alerts.store import alerts_between
from analyst.issues import issue_key
from analyst.models import ISSUE_RECORD, IssueRecord
from analyst.stories import Story, distinct_stories, headline, prominence
from analyst.vi import place_label, project_label
from index.backend import Backend
from index.errors import InputError
from index.query import build_query
from index.records import MISINFO_LEVELS, SENSITIVITY_LEVELS, TOPICS, Document, Place

TOP_ISSUES = 8
TOP_PROJECTS = 8
LISTED_ITEMS = 15
MAX_LISTED_ISSUES = 100_000
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
# The report also reads the week before and the days after: the calendar's ends would overflow.
MIN_YEAR, MAX_YEAR = 1900, 9000


class ReportItem(BaseModel):
    """One story listed in the report (its earliest document stands for the copies)."""

    id: str
    title: str
    url: str | None = None
    source: str
    published_at: datetime
    topic: str | None = None
    sensitivity: str | None = None
    misinfo_level: str | None = None
    misinfo_risk: float | None = None
    places: list[str] = Field(default_factory=list)
    copies: int = 1
    reasons: list[str] = Field(default_factory=list)
    claims: list[dict[str, str | float | None]] = Field(default_factory=list)


class Trajectory(BaseModel):
    """An issue or project this week, last week, and day by day over both."""

    key: str
    title: str
    kind: str
    issue_id: str | None = None
    places: list[str] = Field(default_factory=list)
    this_week: int
    last_week: int
    high_this_week: int
    by_day: dict[str, int]


class CommunePoint(BaseModel):
    ward_code: str
    name: str
    province: str
    lat: float
    lon: float
    stories: int
    high: int


class WeeklyReport(BaseModel):
    week: str
    period_start: date
    period_end: date
    timezone: str
    as_of: datetime
    totals: dict[str, int]
    indexed: dict[str, dict[str, int]] = Field(description="Every indexed document, as search facets count them.")
    topics: dict[str, int]
    topics_last_week: dict[str, int]
    stories_by_day: dict[str, dict[str, int]] = Field(description="day → topic → stories")
    sensitivity: dict[str, dict[str, int]] = Field(description="this_week, last_week, change")
    top_issues: list[Trajectory]
    top_projects: list[Trajectory]
    new_high_sensitivity: list[ReportItem]
    misinfo_to_verify: list[ReportItem]
    communes: list[CommunePoint]
    sources: dict[str, dict[str, int]]
    alerts: list[dict[str, str | float]]


def parse_week(week: str) -> date:
    """'2026-W48' → the Monday of that ISO week."""
    match = _WEEK.match(week.strip())
    if match is None:
        raise InputError(f"The week {week!r} is not understood; write it as YYYY-Www, e.g. 2026-W48.")
    if not MIN_YEAR <= int(match.group(1)) <= MAX_YEAR:
        raise InputError(f"The year {match.group(1)} is out of range; pick a week between {MIN_YEAR} and {MAX_YEAR}.")
    try:
        return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise InputError(f"The year {match.group(1)} has no week {match.group(2)}; pick a week between 01 and 52 or 53.") from None


def week_of(moment: datetime, tz: ZoneInfo) -> str:
    year, week, _ = moment.astimezone(tz).isocalendar()
    return f"{year}-W{week:02d}"


def week_documents(backend: Backend, monday: date) -> list[Document]:
    """Documents of the seven local days from Monday (the backend's own day boundaries)."""
    query = build_query("", date_from=monday, date_to=monday + timedelta(days=6), facets=False, highlight=False)
    return list(backend.scan(query))


def build_report(backend: Backend, week: str, now: datetime, tz: ZoneInfo) -> WeeklyReport:
    """Everything the weekly report says about `week`, computed from the index as it is now."""
    monday = parse_week(week)
    sunday = monday + timedelta(days=6)
    documents = week_documents(backend, monday)
    stories = distinct_stories(documents)
    previous = distinct_stories(week_documents(backend, monday - timedelta(days=7)))
    days = [monday - timedelta(days=7) + timedelta(days=offset) for offset in range(14)]
    this_labels = _sensitivity(stories)
    last_labels = _sensitivity(previous)
    start = datetime.combine(monday, datetime.min.time(), tz)
    return WeeklyReport(
        week=week,
        period_start=monday,
        period_end=sunday,
        timezone=str(tz),
        as_of=now.astimezone(tz),
        totals={
            "documents": len(documents),
            "stories": len(stories),
            "near_duplicates": len(documents) - len(stories),
            "high_sensitivity": this_labels.get("high", 0),
            "elevated_misinfo": sum(1 for story in stories if story.document.enrichment.misinfo_level in MISINFO_LEVELS[1:]),
            "stories_last_week": len(previous),
        },
        indexed=indexed_counts(documents, tz),
        topics=_ordered(Counter(story.document.effective("topic") or "other" for story in stories), TOPICS),
        topics_last_week=_ordered(Counter(story.document.effective("topic") or "other" for story in previous), TOPICS),
        stories_by_day={
            day.isoformat(): dict(Counter(story.document.effective("topic") or "other" for story in stories if _day(story, tz) == day))
            for day in days[7:]
        },
        sensitivity={
            "this_week": this_labels,
            "last_week": last_labels,
            "change": {level: this_labels.get(level, 0) - last_labels.get(level, 0) for level in SENSITIVITY_LEVELS},
        },
        top_issues=_top_issues(backend, stories, previous, days, tz),
        top_projects=_top_projects(stories, previous, days, tz),
        new_high_sensitivity=[_item(story, tz) for story in sorted(
            (story for story in stories if story.document.effective("sensitivity") == "high"), key=lambda s: prominence(s.document), reverse=True
        )[:LISTED_ITEMS]],
        misinfo_to_verify=[_item(story, tz, with_claims=True) for story in sorted(
            (story for story in stories if story.document.enrichment.misinfo_level in MISINFO_LEVELS[1:]),
            key=lambda s: (s.document.enrichment.misinfo_risk or 0.0, s.document.engagement.total), reverse=True,
        )[:LISTED_ITEMS]],
        communes=_communes(stories),
        sources={
            "by_source": dict(Counter(story.document.source for story in stories).most_common()),
            "by_kind": dict(Counter(story.document.source_kind.value for story in stories).most_common()),
            "by_reliability": dict(Counter(story.document.reliability.value for story in stories).most_common()),
        },
        alerts=[
            {"id": alert.id, "title": alert.title, "kind": alert.kind, "raised_at": alert.raised_at.astimezone(tz).isoformat(), "score": alert.score}
            for alert in sorted(alerts_between(backend, start, start + timedelta(days=7)), key=lambda alert: (alert.raised_at, alert.score), reverse=True)
        ],
    )


def indexed_counts(documents: list[Document], tz: ZoneInfo) -> dict[str, dict[str, int]]:
    """Per facet, every document counted, the way the search backends count facets."""
    counts: dict[str, Counter[str]] = {name: Counter() for name in ("topic", "sensitivity", "misinfo_level", "province", "project", "source", "source_kind", "date")}
    for document in documents:
        for name, value in (
            ("topic", document.effective("topic")),
            ("sensitivity", document.effective("sensitivity")),
            ("misinfo_level", document.enrichment.misinfo_level),
            ("source", document.source),
            ("source_kind", document.source_kind.value),
            ("date", document.sort_at.astimezone(tz).date().isoformat()),
        ):
            if value is not None:
                counts[name][value] += 1
        counts["province"].update(document.provinces)
        counts["project"].update(set(document.enrichment.projects))
    return {name: dict(counter.most_common()) for name, counter in counts.items()}


def _ordered(counter: Counter[str], order: tuple[str, ...]) -> dict[str, int]:
    return {label: counter[label] for label in order if counter.get(label)}


def _sensitivity(stories: list[Story]) -> dict[str, int]:
    return _ordered(Counter(story.document.effective("sensitivity") or "unknown" for story in stories), SENSITIVITY_LEVELS)


def _day(story: Story, tz: ZoneInfo) -> date:
    return story.document.sort_at.astimezone(tz).date()


def _by_day(stories: list[Story], days: list[date], tz: ZoneInfo) -> dict[str, int]:
    counts = Counter(_day(story, tz) for story in stories)
    return {day.isoformat(): counts.get(day, 0) for day in days}


def _place_names(places: list[Place]) -> list[str]:
    return list(dict.fromkeys(place_label(place) for place in places))


def _issue_keys(story: Story) -> list[str]:
    found = story.document.enrichment.issue_id or (issue_key(story.document) or (None, None))[0]
    return [found] if found else []


def _project_keys(story: Story) -> list[str]:
    return list(dict.fromkeys(story.document.enrichment.projects))


def _grouped(stories: list[Story], keys_of: Callable[[Story], list[str]]) -> dict[str, list[Story]]:
    groups: dict[str, list[Story]] = {}
    for story in stories:
        for key in keys_of(story):
            groups.setdefault(key, []).append(story)
    return groups


def _leaders(stories: list[Story], previous: list[Story], keys_of: Callable[[Story], list[str]], limit: int,
             days: list[date], tz: ZoneInfo) -> list[tuple[str, Trajectory]]:
    """The keys with the most stories this week (more high-sensitivity ones first on ties), and
    their numbers; title, kind and places are filled in by the caller."""
    now_groups, before_groups = _grouped(stories, keys_of), _grouped(previous, keys_of)
    ranked = sorted(now_groups, key=lambda key: (-len(now_groups[key]), -_high(now_groups[key]), key))[:limit]
    return [
        (key, Trajectory(
            key=key, title=key, kind="", places=_place_names([place for story in now_groups[key] for place in story.document.enrichment.places])[:3],
            this_week=len(now_groups[key]), last_week=len(before_groups.get(key, [])), high_this_week=_high(now_groups[key]),
            by_day=_by_day(before_groups.get(key, []) + now_groups[key], days, tz),
        ))
        for key in ranked
    ]


def _top_issues(backend: Backend, stories: list[Story], previous: list[Story], days: list[date], tz: ZoneInfo) -> list[Trajectory]:
    """Issues with the most stories this week, titled from their issue records."""
    records = {record.id: IssueRecord.model_validate(record.data) for record in backend.list_records(ISSUE_RECORD, limit=MAX_LISTED_ISSUES)}
    trajectories = []
    for key, trajectory in _leaders(stories, previous, _issue_keys, TOP_ISSUES, days, tz):
        record = records.get(key)
        if record is None:  # documents indexed after the last issue regrouping
            trajectories.append(trajectory.model_copy(update={"kind": "unassigned"}))
            continue
        trajectories.append(trajectory.model_copy(update={
            "key": record.key, "title": record.title, "kind": record.kind, "issue_id": record.id, "places": _place_names(record.places)[:3],
        }))
    return trajectories


def _top_projects(stories: list[Story], previous: list[Story], days: list[date], tz: ZoneInfo) -> list[Trajectory]:
    """Projects named by the most stories this week."""
    names: dict[str, str] = {}
    for story in stories:
        names.update(story.document.enrichment.project_names)
    return [
        trajectory.model_copy(update={"title": project_label(key, names), "kind": "project"})
        for key, trajectory in _leaders(stories, previous, _project_keys, TOP_PROJECTS, days, tz)
    ]


def _high(stories: list[Story]) -> int:
    return sum(1 for story in stories if story.document.effective("sensitivity") == "high")


def _item(story: Story, tz: ZoneInfo, with_claims: bool = False) -> ReportItem:
    document = story.document
    enrichment = document.enrichment
    reason = enrichment.reasons.get("misinfo" if with_claims else "sensitivity")
    reasons = [*reason.rules, *reason.terms[:4]] if reason is not None else []
    return ReportItem(
        id=document.id,
        title=headline(document, 140),
        url=document.url,
        source=document.source,
        published_at=document.sort_at.astimezone(tz),
        topic=document.effective("topic"),
        sensitivity=document.effective("sensitivity"),
        misinfo_level=enrichment.misinfo_level,
        misinfo_risk=enrichment.misinfo_risk,
        places=_place_names(enrichment.places)[:3],
        copies=story.copies,
        reasons=reasons[:6],
        claims=[
            {"claim_id": match.claim_id, "claim": match.claim, "similarity": match.similarity, "status": match.status, "source": match.source}
            for match in enrichment.claim_matches
        ] if with_claims else [],
    )


def _communes(stories: list[Story]) -> list[CommunePoint]:
    """Communes/wards named this week, with coordinates from the gazetteer (via enrich)."""
    points: dict[str, CommunePoint] = {}
    for story in stories:
        high = story.document.effective("sensitivity") == "high"
        for place in {place.ward_code: place for place in story.document.enrichment.places if place.ward_code}.values():
            if place.level != "ward" or place.lat is None or place.lon is None or place.ward_code is None:
                continue
            point = points.setdefault(place.ward_code, CommunePoint(
                ward_code=place.ward_code, name=place.ward or place.name, province=place.province,
                lat=place.lat, lon=place.lon, stories=0, high=0,
            ))
            point.stories += 1
            point.high += int(high)
    return sorted(points.values(), key=lambda point: (-point.stories, point.ward_code))
