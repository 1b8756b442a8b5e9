"""Records the analyst side shares: issues, alerts and their delivery, reports.

Issues and alerts are stored in the search backend as small records (`put_record`), so
they live wherever the documents live (SQLite or Elasticsearch).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from index.records import Place

ISSUE_RECORD = "issue"
ALERT_RECORD = "alert"
SAVED_SEARCH_RECORD = "saved_search"


class IssueRecord(BaseModel):
    """A cluster of documents about one problem: one project, or one commune and topic."""

    id: str = Field(description="Stable: derived from key and the issue's first document.")
    key: str = Field(description="project:<project key> or place:<commune code>:<topic>")
    kind: Literal["project", "commune_topic"]
    title: str
    topic: str | None = None
    places: list[Place] = Field(default_factory=list)
    projects: list[str] = Field(default_factory=list)
    project_names: dict[str, str] = Field(default_factory=dict)
    first_seen: datetime
    last_seen: datetime
    documents: int = Field(description="Near-duplicates counted once.")
    counts_by_day: dict[str, int] = Field(default_factory=dict, description="local day → documents")
    sensitivity_mix: dict[str, int] = Field(default_factory=dict)
    top_document_ids: list[str] = Field(default_factory=list)


class AlertDocument(BaseModel):
    id: str
    title: str | None = None
    url: str | None = None
    sensitivity: str | None = None
    misinfo_level: str | None = None
    published_at: datetime | None = None


class Alert(BaseModel):
    """An early warning: an issue, project or commune whose attention rose significantly."""

    id: str
    raised_at: datetime
    kind: Literal["volume_rise", "collective_action", "misinfo_burst"]
    subject: Literal["issue", "project", "commune", "claim"]
    subject_key: str
    issue_id: str | None = None
    title: str
    places: list[Place] = Field(default_factory=list)
    projects: list[str] = Field(default_factory=list)
    project_names: dict[str, str] = Field(default_factory=dict)
    window: dict[str, float] = Field(default_factory=dict, description="counts and baselines of the compared windows")
    score: float
    escalation: float = Field(description="The level this alert fired at; a new alert needs a higher one.")
    reasons: list[str] = Field(default_factory=list)
    top_documents: list[AlertDocument] = Field(default_factory=list)
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    deliveries: dict[str, str] = Field(default_factory=dict, description="channel → delivered | failed: reason")
    signals: list[str] = Field(default_factory=list, description="Every signal behind this alert (kind is the main one).")
    subjects: list[str] = Field(default_factory=list, description='Every subject it covers, as "kind:key" (subject first).')
    levels: dict[str, float] = Field(
        default_factory=dict,
        description='"signal|kind:key" → level reached; the cooldown compares later levels with these.',
    )
