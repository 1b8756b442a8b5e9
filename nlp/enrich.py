"""The enrich stage: new raw spool items → Documents in the documents spool.

Resumes from its checkpoint; an item it cannot read goes to quarantine with the reason.
Per-document steps run in a fork-based process pool (underthesea is CPU-bound), corpus steps
in this process. A crash between writing documents and committing the checkpoint only means
some documents are enriched twice; indexing by id makes that harmless.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import multiprocessing.pool
import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

from pydantic import ValidationError

from index.batches import batched
from index.quarantine import quarantine
from index.records import Document, RawItem
from index.settings import Settings
from index.spool import Spool, SpoolConsumer, SpoolEntry
from index.state import StateStore, stage_lock
from nlp.pipeline import CorpusStep, Enricher

log = logging.getLogger(__name__)

CONSUMER = "enrich"
BATCH_SIZE = 64  # documents per checkpoint: small enough to lose little on a crash
MAX_WORKERS = 2  # underthesea is single-threaded; these machines have 2 cores


@dataclass
class EnrichReport:
    enriched: int = 0
    quarantined: int = 0
    torn_lines: int = 0
    by_topic: dict[str, int] = field(default_factory=dict)
    model_version: str | None = None


def build_enricher(settings: Settings) -> Enricher:
    """The default pipeline, in order. Imported lazily by workers after fork."""
    from nlp.steps import default_steps

    steps, version = default_steps(settings)
    return Enricher(steps, model_version=version)


def build_corpus_steps(settings: Settings) -> list[CorpusStep]:
    from nlp.steps import default_corpus_steps

    return default_corpus_steps(settings)


# Set in the parent just before forking, so workers inherit the loaded models (copy-on-write)
# instead of each loading them again, and a broken pipeline fails once, in the parent.
_worker_enricher: Enricher | None = None


def _enrich_chunk(items_json: list[str]) -> list[str]:
    assert _worker_enricher is not None
    items = [RawItem.model_validate_json(text) for text in items_json]
    return [document.model_dump_json() for document in _worker_enricher.enrich_batch(items)]


class ItemMapper(Protocol):
    """Turns raw items into Documents with the per-document steps (EnrichRunner or a remote pool)."""

    @property
    def model_version(self) -> str | None: ...

    def map(self, items: list[RawItem]) -> list[Document]: ...


_item_enrichers: dict[str, Enricher] = {}


def enrich_items(settings: Settings, items: list[RawItem]) -> list[Document]:
    """The per-document steps over items, in this process, without the spool or corpus steps:
    what a remote worker (Dask) does with its share of a batch. The pipeline is built once
    per process and settings."""
    key = settings.model_dump_json()
    if key not in _item_enrichers:
        _item_enrichers[key] = build_enricher(settings)
    return _item_enrichers[key].enrich_batch(items)


def worker_count(settings: Settings) -> int:
    if settings.enrich_workers > 0:
        return settings.enrich_workers
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


class EnrichRunner:
    """Maps RawItems to Documents, in-process or in a pool of forked workers."""

    def __init__(self, settings: Settings, workers: int | None = None) -> None:
        self.settings = settings
        self.workers = workers if workers is not None else worker_count(settings)
        self._enricher: Enricher | None = None
        self._pool: multiprocessing.pool.Pool | None = None

    def __enter__(self) -> EnrichRunner:
        global _worker_enricher
        self._enricher = build_enricher(self.settings)
        if self.workers > 1:
            from nlp.tokenise import segment

            segment("khởi động")  # load the segmenter once, before forking, so workers share it
            _worker_enricher = self._enricher
            self._pool = multiprocessing.get_context("fork").Pool(self.workers)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None

    @property
    def model_version(self) -> str | None:
        assert self._enricher is not None, "use EnrichRunner as a context manager"
        return self._enricher.model_version

    def map(self, items: list[RawItem]) -> list[Document]:
        if self._pool is not None:
            payload = [item.model_dump_json() for item in items]
            size = max(1, -(-len(payload) // self.workers))  # one chunk per worker: batch steps stay batched
            chunks = [payload[start : start + size] for start in range(0, len(payload), size)]
            return [Document.model_validate_json(text) for chunk in self._pool.map(_enrich_chunk, chunks) for text in chunk]
        assert self._enricher is not None
        return self._enricher.enrich_batch(items)


def run_enrich(
    settings: Settings,
    progress: Callable[[int, int], None] | None = None,
    limit: int | None = None,
    workers: int | None = None,
    runner: AbstractContextManager[ItemMapper] | None = None,
) -> EnrichReport:
    """Enrich every raw item not yet consumed by this stage.

    runner maps each batch of raw items to Documents (default: EnrichRunner on this machine;
    the ingest flow passes one that spreads batches over Dask workers). Reading the spool,
    the corpus steps, writing documents and committing progress always happen here.
    """
    settings.ensure_data_dir()
    with stage_lock(settings.data_dir, CONSUMER):
        return _enrich_pending(settings, progress, limit, workers, runner)


def _enrich_pending(
    settings: Settings,
    progress: Callable[[int, int], None] | None,
    limit: int | None,
    workers: int | None,
    runner: AbstractContextManager[ItemMapper] | None,
) -> EnrichReport:
    state = StateStore(settings.state_path)
    raw = SpoolConsumer(Spool(settings.spool_dir, settings.tz), state, CONSUMER)
    documents = Spool(settings.documents_dir, settings.tz)
    report = EnrichReport()
    backlog = raw.backlog_bytes()
    corpus_steps = build_corpus_steps(settings)
    try:
        with runner if runner is not None else EnrichRunner(settings, workers) as mapper:
            report.model_version = mapper.model_version
            done_bytes = 0
            for batch in batched(raw.pending(), BATCH_SIZE):
                items, last = _parse(batch, settings, report)
                enriched = mapper.map(items) if items else []
                for step in corpus_steps:
                    step.process(enriched)
                if enriched:
                    documents.append(enriched)
                raw.commit(last)
                for document in enriched:
                    topic = document.enrichment.topic or "unlabelled"
                    report.by_topic[topic] = report.by_topic.get(topic, 0) + 1
                report.enriched += len(enriched)
                done_bytes = min(backlog, done_bytes + sum(len(json.dumps(entry.data)) for entry in batch))
                if progress:
                    progress(done_bytes, backlog)
                if limit is not None and report.enriched >= limit:
                    break
    finally:
        for step in corpus_steps:
            step.close()
        report.torn_lines = raw.report.skipped
        state.close()
    if progress:
        progress(backlog, backlog)
    return report


def _parse(batch: list[SpoolEntry], settings: Settings, report: EnrichReport) -> tuple[list[RawItem], SpoolEntry]:
    items: list[RawItem] = []
    for entry in batch:
        if not entry.data:
            continue  # a torn line, already reported by the reader
        try:
            items.append(RawItem.model_validate(entry.data))
        except ValidationError as exc:
            report.quarantined += 1
            quarantine(settings, "enrich", entry.data.get("id"), f"not a RawItem: {exc.errors()[0].get('msg')}")
    return items, batch[-1]
