"""The enrichment pipeline: named steps over Documents, in one ordered list (spaCy-style).

A step annotates one document (`__call__`); a step that is cheaper in bulk (the classifiers)
also offers `process_batch`. Per-document steps run in worker processes; corpus steps
(near-duplicates, which need to see every document) run afterwards in the parent.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

from index.records import Document, RawItem

log = logging.getLogger(__name__)


class DocumentStep(Protocol):
    """Adds annotations to one document in place."""

    name: str

    def __call__(self, document: Document) -> None: ...


@runtime_checkable
class BatchStep(Protocol):
    """A document step that annotates many documents at once more cheaply."""

    name: str

    def process_batch(self, documents: list[Document]) -> None: ...


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
        return self.enrich_batch([item], now)[0]

    def enrich_batch(self, items: Sequence[RawItem], now: datetime | None = None) -> list[Document]:
        documents = [Document.model_validate(item.model_dump()) for item in items]
        for step in self.steps:
            if isinstance(step, BatchStep):
                step.process_batch(documents)
            else:
                for document in documents:
                    step(document)
        stamp = now or datetime.now(UTC)
        for document in documents:
            document.enrichment.model_version = document.enrichment.model_version or self.model_version
            document.enrichment.enriched_at = stamp
        return documents
