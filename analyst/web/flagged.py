"""The flagged queue: high sensitivity or elevated/high misinformation risk, unreviewed first.

The query model combines filters with AND only, so the queue is the union of two queries
(A: sensitivity ≥ high, B: misinfo level elevated/high), counted as |A| + |B| − |A∩B| and
paged by merging both date-ordered lists. Each side is read only as deep as the page needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.backend import Backend
from index.query import MAX_PAGE_SIZE, Query, build_query
from index.records import Document

FLAGGED_SENSITIVITY = "high"
FLAGGED_MISINFO_LEVELS = ("elevated", "high")


def is_flagged(document: Document) -> bool:
    """True when the document belongs in the flagged queue (analyst corrections count)."""
    return document.effective("sensitivity") == FLAGGED_SENSITIVITY or document.enrichment.misinfo_level in FLAGGED_MISINFO_LEVELS


@dataclass(frozen=True)
class FlaggedPage:
    total: int
    unreviewed: int
    documents: list[Document]


def _queries(reviewed: bool) -> tuple[Query, Query, Query]:
    common: dict[str, object] = {"reviewed": reviewed, "sort": "date", "facets": False, "highlight": False}
    sensitive = build_query("", min_sensitivity=FLAGGED_SENSITIVITY, **common)
    risky = build_query("", misinfo_level=list(FLAGGED_MISINFO_LEVELS), **common)
    both = build_query("", min_sensitivity=FLAGGED_SENSITIVITY, misinfo_level=list(FLAGGED_MISINFO_LEVELS), **common)
    return sensitive, risky, both


def _top(backend: Backend, query: Query, depth: int) -> list[Document]:
    """The first `depth` documents of a date-ordered query, read in pages the backend allows."""
    found: list[Document] = []
    while len(found) < depth:
        size = min(MAX_PAGE_SIZE, depth - len(found))
        hits = backend.search(query.model_copy(update={"limit": size, "offset": len(found)})).hits
        found.extend(hit.document for hit in hits)
        if len(hits) < size:
            break
    return found


def _merged(backend: Backend, reviewed: bool, depth: int) -> list[Document]:
    sensitive, risky, _ = _queries(reviewed)
    unique: dict[str, Document] = {}
    for document in _top(backend, sensitive, depth) + _top(backend, risky, depth):
        unique.setdefault(document.id, document)
    ordered = sorted(unique.values(), key=lambda doc: (-doc.sort_at.timestamp(), doc.id))
    return ordered[:depth]


def _count(backend: Backend, reviewed: bool) -> int:
    sensitive, risky, both = _queries(reviewed)
    return backend.count(sensitive) + backend.count(risky) - backend.count(both)


def flagged_page(backend: Backend, offset: int, limit: int, include_reviewed: bool = True) -> FlaggedPage:
    """One page of the queue: unreviewed documents (newest first), then reviewed ones."""
    unreviewed = _count(backend, reviewed=False)
    reviewed = _count(backend, reviewed=True) if include_reviewed else 0
    documents: list[Document] = []
    if offset < unreviewed:
        documents = _merged(backend, False, offset + limit)[offset:]
    if include_reviewed and len(documents) < limit and offset + len(documents) < unreviewed + reviewed:
        start = max(0, offset - unreviewed)
        documents += _merged(backend, True, start + limit - len(documents))[start:]
    return FlaggedPage(total=unreviewed + reviewed, unreviewed=unreviewed, documents=documents[:limit])
