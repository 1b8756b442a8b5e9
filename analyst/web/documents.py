"""Everything the document page shows beside the document: near-duplicates and its issue."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from analyst.models import ISSUE_RECORD, IssueRecord
from analyst.web.flagged import is_flagged
from index.backend import Backend
from index.query import build_query
from index.records import Document

log = logging.getLogger(__name__)
NEAR_DUPLICATES_SHOWN = 20
_CANDIDATE_WORDS = 12  # a syndicated copy shares its opening words; enough to find it by phrase


@dataclass
class DocumentView:
    document: Document
    flagged: bool
    near_duplicates: list[Document] = field(default_factory=list)
    issue: IssueRecord | None = None


def public_document(document: Document) -> dict[str, Any]:
    """A document as the web API shows it: the author pseudonym is withheld (issue-centric, not person-centric)."""
    data = document.model_dump(mode="json")
    data["author_pseudonym"] = None
    return data


def load_issue(backend: Backend, issue_id: str | None) -> IssueRecord | None:
    if not issue_id:
        return None
    record = backend.get_record(ISSUE_RECORD, issue_id)
    if record is None:
        return None
    try:
        return IssueRecord.model_validate(record.data)
    except ValidationError as exc:
        log.warning("issue record %s is malformed: %s", issue_id, exc.errors()[0].get("msg"))
        return None


def near_duplicates(backend: Backend, document: Document) -> list[Document]:
    """Other documents in the same dup_cluster (the cluster id is its first document's id)."""
    cluster = document.enrichment.dup_cluster
    if not cluster:
        return []
    query = build_query("", dup_cluster=cluster, sort="date", limit=NEAR_DUPLICATES_SHOWN + 1, facets=False, highlight=False)
    same = [hit.document for hit in backend.search(query).hits if hit.document.id != document.id]
    return sorted(same, key=lambda doc: doc.sort_at)[:NEAR_DUPLICATES_SHOWN]


def document_view(backend: Backend, document: Document) -> DocumentView:
    return DocumentView(
        document=document,
        flagged=is_flagged(document),
        near_duplicates=near_duplicates(backend, document),
        issue=load_issue(backend, document.enrichment.issue_id),
    )
