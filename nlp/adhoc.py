"""Labelling texts that do not come from the spool: `envmon classify` and `envmon eval`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from index.errors import InputError
from index.records import Document, RawItem, Reliability, SourceKind
from nlp.pipeline import Enricher
from nlp.training import REGISTERS

BATCH = 64


def raw_item(row: dict[str, Any], now: datetime | None = None) -> RawItem:
    """A RawItem for a {id, text, title?, source_type|register?, province?} row."""
    register = str(row.get("register") or row.get("source_type") or "news")
    reliability, kind = REGISTERS.get(register, ("unknown", "rss"))
    text = str(row.get("text") or "")
    item_id = str(row.get("id") or hashlib.sha1(text.encode()).hexdigest())
    try:
        return RawItem(
            id=item_id,
            source=str(row.get("source") or register),
            source_kind=SourceKind(kind),
            reliability=Reliability(row.get("reliability") or reliability),
            source_province=row.get("province"),
            fetched_at=now or datetime.now(UTC),
            title=row.get("title"),
            text=text,
        )
    except ValueError as exc:  # pydantic's ValidationError is one too
        raise InputError(f"The input {item_id!r} cannot be labelled ({_first_problem(exc)}); fix that row.") from None


def _first_problem(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        return f"{'.'.join(str(part) for part in first.get('loc', ()))}: {first.get('msg')}"
    return str(exc)


def label_rows(rows: Iterable[dict[str, Any]], enricher: Enricher) -> Iterator[tuple[dict[str, Any], Document]]:
    """Each row with its enriched Document, in input order."""
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield from zip(batch, enricher.enrich_batch([raw_item(item) for item in batch]), strict=True)
            batch = []
    if batch:
        yield from zip(batch, enricher.enrich_batch([raw_item(item) for item in batch]), strict=True)


def classify_output(row: dict[str, Any], document: Document) -> dict[str, Any]:
    """The `envmon classify` JSON line for one input."""
    enrichment = document.enrichment
    return {
        "id": row.get("id", document.id),
        "topic": enrichment.topic,
        "topic_scores": enrichment.topic_scores,
        "sensitivity": enrichment.sensitivity,
        "sensitivity_score": enrichment.sensitivity_score,
        "misinfo_risk": enrichment.misinfo_risk,
        "misinfo_level": enrichment.misinfo_level,
        "reasons": {label: reason.model_dump() for label, reason in enrichment.reasons.items()},
        "claim_matches": [match.model_dump() for match in enrichment.claim_matches],
        "places": [place.model_dump(exclude_none=True) for place in enrichment.places],
        "projects": [
            {"key": key, "name": enrichment.project_names.get(key, key)} for key in enrichment.projects
        ],
        "organisations": enrichment.organisations,
        "model_version": enrichment.model_version,
    }
