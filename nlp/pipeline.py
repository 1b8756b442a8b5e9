"""The enrichment pipeline: named steps over one Document, in one ordered list (spaCy-style).

Per-document steps run in worker processes; corpus steps (near-duplicates, which need to see
every document) run afterwards in the parent, batch by batch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Protocol

from index.records import Document, RawItem

log = logging.getLogger(__name__)


class DocumentStep(Protocol):
    """Adds annotations to one document in place."""

    name: str

    def __call__(self, document: Document) -> None: ...


class CorpusStep(Protocol):
    """Adds annotations that depend on other documents (e.g. near-duplicate clusters)."""

    name: str

    def process(self, documents: list[Document]) -> None: ...

    def close(self) -> None: ...


class Enricher:
    """Runs the document steps in order and stamps the result."""

    def __init__(self, steps: Sequence[DocumentStep], model_version: str | None = None) -> None:
        self.steps = list(steps)
        self.model_version = model_version

    @property
    def step_names(self) -> list[str]:
        return [step.name for step in self.steps]

    def enrich(self, item: RawItem, now: datetime | None = None) -> Document:
        document = Document.model_validate(item.model_dump())
        for step in self.steps:
            step(document)
        document.enrichment.model_version = document.enrichment.model_version or self.model_version
        document.enrichment.enriched_at = now or datetime.now(UTC)
        return document


EnricherFactory = Callable[[], Enricher]
