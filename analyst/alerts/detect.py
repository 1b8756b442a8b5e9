"""Early-warning detection as of one moment: signals → one alert per escalation → stored.

Signals about the same stories (the project, its issue and its commune rising together, a
collective-action post among them) are merged into one alert, led by the most specific
subject. The cooldown keeps one alert per escalation: a signal already covered by an alert
of the last ESCALATION_MEMORY is "held" unless its level (the weighted 24 h volume, or the
number of stories) has grown by RISE_FACTOR since; a collective-action signal is reported
once per memory. A merged group alerts when one of its signals rose further, or when none
of them is held. Everything is computed "as of now", so `--now` replays any moment.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from analyst.alerts.signals import Candidate, Windows, candidates, group_subjects
from analyst.alerts.store import recent_levels, save_alert
from analyst.issues import top_places
from analyst.models import ISSUE_RECORD, Alert, AlertDocument
from analyst.stories import Story, distinct_stories, headline, prominence
from analyst.vi import place_label, project_label
from index.backend import Backend
from index.query import build_query
from index.records import Document, Place

ESCALATION_MEMORY = timedelta(days=14)
RISE_FACTOR = 1.5  # a held escalation alerts again once its level is half as high again
ONCE_PER_MEMORY = frozenset({"collective_action"})
MERGE_OVERLAP = 0.5  # candidates sharing half of the smaller one's stories are one escalation
TOP_DOCUMENTS = 5
MAX_PROJECTS = 5
# Which candidate leads a merged alert: the most specific subject with the strongest signal.
LEAD_ORDER = (
    ("volume_rise", "project"),
    ("volume_rise", "issue"),
    ("volume_rise", "commune"),
    ("collective_action", "project"),
    ("misinfo_burst", "claim"),
)


@dataclass
class Detection:
    alerts: list[Alert]
    candidates: int
    held: int


def detect_alerts(backend: Backend, now: datetime, tz: ZoneInfo) -> Detection:
    """Raise and store the alerts that are new as of `now` (tz-aware)."""
    windows = Windows(now)
    stories = distinct_stories(window_documents(backend, windows, tz))
    found = candidates(group_subjects(stories), windows)
    previous = recent_levels(backend, now, ESCALATION_MEMORY)
    detection = Detection(alerts=[], candidates=len(found), held=0)
    for group in merge(found):
        if not should_raise(group, previous):
            detection.held += len(group)
            continue
        alert = build_alert(group, now, backend)
        save_alert(backend, alert)
        detection.alerts.append(alert)
    detection.alerts.sort(key=lambda alert: -alert.score)
    return detection


def window_documents(backend: Backend, windows: Windows, tz: ZoneInfo) -> Iterator[Document]:
    """Indexed documents dated inside the compared windows."""
    query = build_query("", date_from=windows.start.astimezone(tz).date(), date_to=windows.now.astimezone(tz).date(),
                        facets=False, highlight=False)
    for document in backend.scan(query):
        if windows.start < document.sort_at <= windows.now:
            yield document


def status(candidate: Candidate, previous: dict[str, float]) -> str:
    """new (no recent alert covers it), risen (grew by RISE_FACTOR since) or held."""
    before = previous.get(candidate.coverage)
    if before is None:
        return "new"
    if candidate.signal in ONCE_PER_MEMORY or candidate.level < before * RISE_FACTOR:
        return "held"
    return "risen"


def should_raise(group: list[Candidate], previous: dict[str, float]) -> bool:
    statuses = {status(candidate, previous) for candidate in group}
    return "risen" in statuses or "held" not in statuses


def merge(found: list[Candidate]) -> list[list[Candidate]]:
    """Group candidates whose stories overlap (union-find), each group led by LEAD_ORDER."""
    parent = list(range(len(found)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    clusters = [{story.cluster for story in candidate.stories} for candidate in found]
    for left in range(len(found)):
        for right in range(left + 1, len(found)):
            smaller = min(len(clusters[left]), len(clusters[right]))
            if smaller and len(clusters[left] & clusters[right]) / smaller >= MERGE_OVERLAP:
                parent[root(right)] = root(left)
    groups: dict[int, list[Candidate]] = {}
    for index, candidate in enumerate(found):
        groups.setdefault(root(index), []).append(candidate)
    return [sorted(group, key=_lead_rank) for group in groups.values()]


def _lead_rank(candidate: Candidate) -> tuple[int, float, str]:
    kind = (candidate.signal, candidate.subject.kind)
    rank = LEAD_ORDER.index(kind) if kind in LEAD_ORDER else len(LEAD_ORDER)
    return rank, -candidate.score, candidate.subject.ref


def build_alert(group: list[Candidate], now: datetime, backend: Backend) -> Alert:
    """One alert for a merged group: subject, places, projects, numbers, reasons, top documents."""
    lead = group[0]
    stories = _union_stories(group)
    documents = [story.document for story in stories]
    places = top_places(documents)
    if lead.subject.kind == "commune":
        commune = _named_place(documents, lead.subject.key)
        places = [commune, *[place for place in places if place.ward_code != lead.subject.key]] if commune else places
    project_counts = Counter(project for document in documents for project in dict.fromkeys(document.enrichment.projects))
    projects = [project for project, _ in project_counts.most_common(MAX_PROJECTS)]
    if lead.subject.kind == "project":
        projects = [lead.subject.key, *[project for project in projects if project != lead.subject.key]][:MAX_PROJECTS]
    project_names: dict[str, str] = {}
    for document in documents:
        for project, name in document.enrichment.project_names.items():
            if project in projects:
                project_names.setdefault(project, name)
    issue_ids = Counter(document.enrichment.issue_id for document in documents if document.enrichment.issue_id)
    issue_id = lead.subject.key if lead.subject.kind == "issue" else (issue_ids.most_common(1)[0][0] if issue_ids else None)
    reasons = list(dict.fromkeys(reason for candidate in group for reason in candidate.reasons))
    others = [candidate.subject for candidate in group[1:] if candidate.subject.ref != lead.subject.ref]
    if others:
        labels = dict.fromkeys(_subject_label(subject.kind, subject.key, subject.label, backend) for subject in others)
        reasons.append("Cùng đợt tăng: " + "; ".join(labels))
    return Alert(
        id="alert-" + hashlib.sha1(f"{lead.coverage}|{now.isoformat()}".encode()).hexdigest()[:16],
        raised_at=now,
        kind=lead.signal,
        subject=lead.subject.kind,
        subject_key=lead.subject.key,
        issue_id=issue_id,
        title=_title(lead, places, project_names, backend),
        places=places,
        projects=projects,
        project_names=project_names,
        window=lead.window,
        score=max(candidate.score for candidate in group),
        escalation=lead.level,
        reasons=reasons,
        top_documents=[_alert_document(document) for document in sorted(documents, key=prominence, reverse=True)[:TOP_DOCUMENTS]],
        signals=list(dict.fromkeys(candidate.signal for candidate in group)),
        subjects=list(dict.fromkeys(candidate.subject.ref for candidate in group)),
        levels={candidate.coverage: candidate.level for candidate in group},
    )


def _named_place(documents: list[Document], ward_code: str) -> Place | None:
    for document in documents:
        for place in document.enrichment.places:
            if place.ward_code == ward_code:
                return place
    return None


def _union_stories(group: list[Candidate]) -> list[Story]:
    stories: dict[str, Story] = {}
    for candidate in group:
        for story in candidate.stories:
            stories.setdefault(story.cluster, story)
    return list(stories.values())


def _subject_label(kind: str, key: str, label: str, backend: Backend) -> str:
    if kind == "issue":
        record = backend.get_record(ISSUE_RECORD, key)
        return f"vấn đề “{record.data.get('title', key)}”" if record else f"vấn đề {key}"
    if kind == "project":
        return project_label(key, {key: label})
    if kind == "commune":
        return label
    return f"tuyên bố “{label}”"


def _title(lead: Candidate, places: list[Place], project_names: dict[str, str], backend: Backend) -> str:
    subject = lead.subject
    where = f" ({place_label(places[0])})" if places else ""
    if lead.signal == "misinfo_burst":
        claim = subject.label if len(subject.label) <= 90 else subject.label[:89] + "…"
        return f"Tin sai lệch lan nhanh: “{claim}”"
    if lead.signal == "collective_action":
        return f"Dấu hiệu hành động tập thể: {project_label(subject.key, {subject.key: subject.label, **project_names})}{where}"
    if subject.kind == "project":
        return f"Quan tâm tăng đột biến: {project_label(subject.key, {subject.key: subject.label, **project_names})}{where}"
    if subject.kind == "commune":
        return f"Quan tâm tăng đột biến tại {subject.label}"
    return f"Quan tâm tăng đột biến: {_subject_label(subject.kind, subject.key, subject.label, backend)}"


def _alert_document(document: Document) -> AlertDocument:
    return AlertDocument(
        id=document.id,
        title=headline(document),
        url=document.url,
        sensitivity=document.effective("sensitivity"),
        misinfo_level=document.enrichment.misinfo_level,
        published_at=document.published_at,
    )
