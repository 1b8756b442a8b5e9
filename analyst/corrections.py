"""Analyst corrections: stored beside the model labels and fed to retraining."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from index.backend import Backend
from index.errors import InputError
from index.records import MISINFO_LEVELS, SENSITIVITY_LEVELS, TOPICS, Document, Review
from index.settings import Settings

CORRECTIONS_FILE = "corrections.jsonl"  # read by nlp.promote (envmon train / the retrain flow)
_REGISTER = {"import": "social", "forum": "forum"}


def record_review(
    settings: Settings,
    backend: Backend,
    doc_id: str,
    user: str,
    topic: str | None = None,
    sensitivity: str | None = None,
    misinfo: bool | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> Document:
    """Mark a document reviewed, with optional corrected labels; corrections become training data."""
    if topic is not None and topic not in TOPICS:
        raise InputError(f"Unknown topic {topic!r}; use one of {', '.join(TOPICS)}.")
    if sensitivity is not None and sensitivity not in SENSITIVITY_LEVELS:
        raise InputError(f"Unknown sensitivity {sensitivity!r}; use one of {', '.join(SENSITIVITY_LEVELS)}.")
    document = backend.get(doc_id)
    if document is None:
        raise InputError(f"No document with id {doc_id!r}.")
    review = Review(
        reviewed=True,
        reviewed_by=user,
        reviewed_at=now or datetime.now(UTC),
        topic=topic if topic is not None else document.review.topic,
        sensitivity=sensitivity if sensitivity is not None else document.review.sensitivity,
        misinfo=misinfo if misinfo is not None else document.review.misinfo,
        note=note if note is not None else document.review.note,
    )
    updated = backend.record_review(doc_id, review)
    if any(value is not None for value in (topic, sensitivity, misinfo)):
        _append_training_example(settings, updated)
    return updated


def _append_training_example(settings: Settings, document: Document) -> None:
    """One labelled example in the training-data format; the latest line for an id wins."""
    enrichment = document.enrichment
    misinfo = document.review.misinfo
    if misinfo is None:
        misinfo = (enrichment.misinfo_level or "low") != MISINFO_LEVELS[0]
    example = {
        "id": f"correction-{document.id}",
        "register": _REGISTER.get(document.source_kind.value, "official" if document.reliability.value == "official" else "news"),
        "text": f"{document.title}\n{document.text}" if document.title else document.text,
        "topic": document.effective("topic") or "other",
        "sensitivity": document.effective("sensitivity") or "low",
        "misinfo": int(bool(misinfo)),
        "corrected_by": document.review.reviewed_by,
        "corrected_at": document.review.reviewed_at.isoformat() if document.review.reviewed_at else None,
    }
    settings.ensure_data_dir()
    with (settings.data_dir / CORRECTIONS_FILE).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(example, ensure_ascii=False) + "\n")
