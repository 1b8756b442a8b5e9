"""The typed records that cross stage borders (DESIGN.md, "Data model")."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

TOPICS = (
    "air_noise",
    "water",
    "waste",
    "mining",
    "forest_biodiversity",
    "project_eia",
    "climate_disaster",
    "governance",
    "other",
)
SENSITIVITY_LEVELS = ("low", "medium", "high")
MISINFO_LEVELS = ("low", "elevated", "high")


class SourceKind(StrEnum):
    RSS = "rss"
    SITEMAP = "sitemap"
    LISTING = "listing"
    FORUM = "forum"
    IMPORT = "import"


class Reliability(StrEnum):
    OFFICIAL = "official"
    MAINSTREAM = "mainstream"
    LOCAL = "local"
    SOCIAL = "social"
    UNKNOWN = "unknown"


class Record(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Engagement(Record):
    likes: int | None = None
    shares: int | None = None
    comments: int | None = None

    @property
    def total(self) -> int:
        return (self.likes or 0) + (self.shares or 0) + (self.comments or 0)


class HttpMeta(Record):
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None


def _require_aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("datetime must carry a time zone")
    return value


class RawItem(Record):
    """One fetched or imported item, exactly as it enters the raw spool."""

    id: str
    url: str | None = None
    canonical_url: str | None = None
    alt_urls: list[str] = Field(default_factory=list, description="Other URLs under which the same text was found.")
    source: str
    source_kind: SourceKind
    reliability: Reliability = Reliability.UNKNOWN
    source_province: str | None = None
    fetched_at: datetime
    published_at: datetime | None = None
    title: str | None = None
    text: str
    lang: str = "vi"
    author_pseudonym: str | None = None
    parent_id: str | None = None
    engagement: Engagement = Field(default_factory=Engagement)
    http: HttpMeta = Field(default_factory=HttpMeta)
    content_hash: str | None = None

    _aware_fetched = field_validator("fetched_at")(classmethod(lambda cls, v: _require_aware(v)))
    _aware_published = field_validator("published_at")(classmethod(lambda cls, v: _require_aware(v)))


class Place(Record):
    """A place named in a text, resolved to current and legacy administrative units."""

    name: str = Field(description="The words as they appear in the text.")
    level: str = Field(description="province | district | ward")
    province: str
    province_code: str | None = None
    old_province: str | None = None
    district: str | None = Field(default=None, description="Legacy (pre-2025) district, kept for continuity.")
    district_code: str | None = None
    ward: str | None = None
    ward_code: str | None = None
    lat: float | None = None
    lon: float | None = None


class ClaimMatch(Record):
    claim_id: str
    claim: str
    similarity: float
    verdict: str = "refuted"
    status: str = Field(description="suggest | confirm")
    source: str | None = None


class LabelReason(Record):
    """Why a label was given: the strongest terms, the rules that fired, the matched claims."""

    terms: list[str] = Field(default_factory=list)
    rules: list[str] = Field(default_factory=list)
    matches: list[str] = Field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.terms or self.rules or self.matches)


class Enrichment(Record):
    tokens: str = ""
    sentences: int = 0
    topic: str | None = None
    topic_scores: dict[str, float] = Field(default_factory=dict)
    sensitivity: str | None = None
    sensitivity_score: float | None = None
    misinfo_risk: float | None = None
    misinfo_level: str | None = None
    claim_matches: list[ClaimMatch] = Field(default_factory=list)
    reasons: dict[str, LabelReason] = Field(default_factory=dict)
    places: list[Place] = Field(default_factory=list)
    projects: list[str] = Field(default_factory=list)
    project_names: dict[str, str] = Field(default_factory=dict, description="project key → a readable name")
    organisations: list[str] = Field(default_factory=list)
    dup_cluster: str | None = None
    issue_id: str | None = None
    model_version: str | None = None
    enriched_at: datetime | None = None


class Review(Record):
    """An analyst's review, stored beside the model's labels, never over them."""

    reviewed: bool = False
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    topic: str | None = None
    sensitivity: str | None = None
    misinfo: bool | None = None
    note: str | None = None


class Document(RawItem):
    """A RawItem with its enrichment: what the backends store and search returns."""

    enrichment: Enrichment = Field(default_factory=Enrichment)
    review: Review = Field(default_factory=Review)

    @property
    def sort_at(self) -> datetime:
        return self.published_at or self.fetched_at

    @property
    def provinces(self) -> list[str]:
        return sorted({place.province for place in self.enrichment.places})

    def effective(self, label: str) -> Any:
        """The analyst's correction when there is one, else the model's label."""
        corrected = getattr(self.review, label, None)
        if corrected is not None:
            return corrected
        return getattr(self.enrichment, label, None)


def sensitivity_rank(level: str | None) -> int:
    """low=0, medium=1, high=2; unknown sorts below low."""
    return SENSITIVITY_LEVELS.index(level) if level in SENSITIVITY_LEVELS else -1
