"""Issues: documents grouped by what they are about — one project, or one commune and topic.

A document's issue key is its first-mentioned project ("project:<key>"); without a project,
its first commune/ward and its topic ("place:<ward code>:<topic>"); with neither it belongs to
no issue (a province-wide text is not one local problem). Documents sharing a key form one
issue as long as each follows the previous one within ISSUE_GAP (a sliding window); a key
quiet for longer starts a new issue. Near-duplicates count once (analyst.stories).

The issue id is derived from the key and the issue's first document, so re-running over the
same documents gives the same ids; documents get their `enrichment.issue_id` set in the backend.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from analyst.models import ISSUE_RECORD, IssueRecord
from analyst.stories import distinct_stories, prominence
from analyst.vi import place_label, project_label, topic_vi
from index.backend import Backend
from index.query import Query
from index.records import Document, Place

ISSUE_GAP = timedelta(days=30)  # a problem quiet for a month that flares up again is a new issue
TOP_DOCUMENTS = 5
MAX_PLACES = 5
MAX_LISTED_RECORDS = 100_000  # every issue record, not a page of them
UPSERT_BATCH = 500

IssueKind = Literal["project", "commune_topic"]


@dataclass
class IssueSet:
    issues: list[IssueRecord] = field(default_factory=list)
    assignment: dict[str, str] = field(default_factory=dict)  # document id → issue id


@dataclass
class IssueUpdate:
    issues: int = 0
    written: int = 0
    removed: int = 0
    documents_updated: int = 0


def commune_of(document: Document) -> Place | None:
    """The first ward/commune-level place named in a document."""
    for place in document.enrichment.places:
        if place.level == "ward" and place.ward_code:
            return place
    return None


def issue_key(document: Document) -> tuple[str, IssueKind] | None:
    """What a document is about, as an issue key and kind; None when it is no local issue."""
    projects = document.enrichment.projects
    if projects:
        return f"project:{projects[0]}", "project"
    commune = commune_of(document)
    if commune is not None:
        return f"place:{commune.ward_code}:{document.effective('topic') or 'other'}", "commune_topic"
    return None


def issue_id(key: str, first_document_id: str) -> str:
    return "issue-" + hashlib.sha1(f"{key}|{first_document_id}".encode()).hexdigest()[:16]


def build_issues(documents: Iterable[Document], tz: ZoneInfo) -> IssueSet:
    """Group documents into issues (pure: no backend)."""
    by_key: dict[str, tuple[IssueKind, list[Document]]] = {}
    for document in documents:
        found = issue_key(document)
        if found is None:
            continue
        key, kind = found
        by_key.setdefault(key, (kind, []))[1].append(document)
    result = IssueSet()
    for key, (kind, members) in sorted(by_key.items()):
        for episode in _episodes(members):
            record = _issue_record(key, kind, episode, tz)
            result.issues.append(record)
            for document in episode:
                result.assignment[document.id] = record.id
    return result


def _episodes(documents: list[Document]) -> list[list[Document]]:
    """Split a key's documents wherever two consecutive ones are more than ISSUE_GAP apart."""
    ordered = sorted(documents, key=lambda document: (document.sort_at, document.id))
    episodes: list[list[Document]] = [[ordered[0]]]
    for previous, document in zip(ordered, ordered[1:], strict=False):
        if document.sort_at - previous.sort_at > ISSUE_GAP:
            episodes.append([])
        episodes[-1].append(document)
    return episodes


def _issue_record(key: str, kind: IssueKind, documents: list[Document], tz: ZoneInfo) -> IssueRecord:
    stories = distinct_stories(documents)
    representatives = [story.document for story in stories]
    places = top_places(representatives)
    projects = Counter(project for document in representatives for project in dict.fromkeys(document.enrichment.projects))
    project_names: dict[str, str] = {}
    for document in representatives:
        for project, name in document.enrichment.project_names.items():
            project_names.setdefault(project, name)
    ordered_projects = [project for project, _ in projects.most_common()]
    if kind == "project":
        main = key.removeprefix("project:")
        ordered_projects = [main, *[project for project in ordered_projects if project != main]]
        topic = Counter(document.effective("topic") or "other" for document in representatives).most_common(1)[0][0]
        title = project_label(main, project_names) + (f" — {place_label(places[0])}" if places else "")
    else:
        topic = key.rsplit(":", 1)[1]
        commune = commune_of(representatives[0])
        title = f"{topic_vi(topic)} tại {place_label(commune) if commune else key}"
    return IssueRecord(
        id=issue_id(key, documents[0].id),
        key=key,
        kind=kind,
        title=title,
        topic=topic,
        places=places,
        projects=ordered_projects,
        project_names={project: project_names[project] for project in ordered_projects if project in project_names},
        first_seen=representatives[0].sort_at,
        last_seen=max(document.sort_at for document in representatives),
        documents=len(stories),
        counts_by_day=dict(sorted(Counter(document.sort_at.astimezone(tz).date().isoformat() for document in representatives).items())),
        sensitivity_mix=dict(Counter(document.effective("sensitivity") or "unknown" for document in representatives)),
        top_document_ids=[document.id for document in sorted(representatives, key=prominence, reverse=True)[:TOP_DOCUMENTS]],
    )


def top_places(documents: list[Document]) -> list[Place]:
    """The most often named places, communes before districts before provinces."""
    counts: Counter[str] = Counter()
    first: dict[str, Place] = {}
    for document in documents:
        for place in document.enrichment.places:
            unit = place.ward_code or place.district_code or place.province
            counts[unit] += 1
            first.setdefault(unit, place)
    level_order = {"ward": 0, "district": 1, "province": 2}
    ranked = sorted(counts, key=lambda unit: (level_order.get(first[unit].level, 3), -counts[unit], unit))
    return [first[unit] for unit in ranked[:MAX_PLACES]]


def update_issues(backend: Backend, tz: ZoneInfo) -> IssueUpdate:
    """Recompute every issue from the indexed documents; store changed issue records, drop
    issues that no longer exist, and set `enrichment.issue_id` on documents whose issue changed."""
    documents = list(backend.scan(Query(facets=False, highlight=False)))
    issue_set = build_issues(documents, tz)
    update = IssueUpdate(issues=len(issue_set.issues))
    stored = {record.id: record.data for record in backend.list_records(ISSUE_RECORD, limit=MAX_LISTED_RECORDS)}
    for record in issue_set.issues:
        data = record.model_dump(mode="json")
        if stored.get(record.id) != data:
            backend.put_record(ISSUE_RECORD, record.id, data)
            update.written += 1
    for stale in set(stored) - {record.id for record in issue_set.issues}:
        backend.delete_record(ISSUE_RECORD, stale)
        update.removed += 1
    changed = [document.id for document in documents if document.enrichment.issue_id != issue_set.assignment.get(document.id)]
    for start in range(0, len(changed), UPSERT_BATCH):
        # Re-read just before writing: a review or a re-index since the scan must not be undone.
        batch = backend.get_many(changed[start : start + UPSERT_BATCH])
        for document in batch:
            document.enrichment.issue_id = issue_set.assignment.get(document.id)
        backend.upsert(batch)
    if changed:
        backend.refresh()
    update.documents_updated = len(changed)
    return update
