"""The Backend protocol every search store implements, and the shapes it answers with."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from index.query import Query
from index.records import Document, Review

FACET_FIELDS = ("topic", "sensitivity", "misinfo_level", "province", "project", "source", "source_kind")
FACET_SIZE = 20  # buckets per facet shown to analysts; the long tail is reachable by filtering


class Hit(BaseModel):
    document: Document
    score: float | None = None
    snippet_html: str = Field(default="", description="HTML-escaped text with <mark> around matched words.")

    def as_json(self) -> dict[str, Any]:
        """The Document's fields plus score and snippet_html (the shape of `search --json` hits)."""
        data = self.document.model_dump(mode="json")
        data["score"] = self.score
        data["snippet_html"] = self.snippet_html
        return data


class SearchResult(BaseModel):
    total: int
    hits: list[Hit] = Field(default_factory=list)
    facets: dict[str, dict[str, int]] = Field(default_factory=dict)
    took_ms: float | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "hits": [hit.as_json() for hit in self.hits],
            "facets": self.facets,
        }


class UpsertReport(BaseModel):
    indexed: int = 0
    failed: list[tuple[str, str]] = Field(default_factory=list, description="(id, reason) rejected permanently")


class BackendHealth(BaseModel):
    backend: str
    ok: bool
    detail: str
    documents: int | None = None
    version: str | None = None


class StoredRecord(BaseModel):
    """A small non-document record kept in the backend (alerts, saved searches, reports)."""

    kind: str
    id: str
    data: dict[str, Any]
    updated_at: datetime


@runtime_checkable
class Backend(Protocol):
    """Upsert, get, search with facets and highlights, scan, delete by age, record feedback."""

    name: str

    def ensure_ready(self) -> None:
        """Create schema/templates if missing; raise BackendUnavailable if unreachable."""

    def upsert(self, documents: Iterable[Document]) -> UpsertReport:
        """Insert or replace documents by id (idempotent)."""

    def get(self, doc_id: str) -> Document | None: ...

    def get_many(self, doc_ids: Iterable[str]) -> list[Document]: ...

    def search(self, query: Query) -> SearchResult: ...

    def scan(self, query: Query) -> Iterator[Document]:
        """Every matching document, in no guaranteed order, without a page limit."""

    def count(self, query: Query | None = None) -> int: ...

    def delete_older_than(self, days: int, now: datetime | None = None) -> int:
        """Delete documents published (or fetched) more than days ago; returns how many."""

    def record_review(self, doc_id: str, review: Review) -> Document:
        """Store an analyst's review beside the model labels."""

    def put_record(self, kind: str, record_id: str, data: dict[str, Any]) -> None: ...

    def get_record(self, kind: str, record_id: str) -> StoredRecord | None: ...

    def list_records(self, kind: str, limit: int = 1000) -> list[StoredRecord]: ...

    def delete_record(self, kind: str, record_id: str) -> None: ...

    def refresh(self) -> None:
        """Make everything written so far visible to search."""

    def health(self) -> BackendHealth: ...

    def close(self) -> None: ...
