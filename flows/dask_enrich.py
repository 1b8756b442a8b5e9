"""Enrichment spread over a Dask cluster (ENVMON_DASK_ADDRESS), through prefect-dask.

The split: this process keeps everything stateful — it reads the raw spool, runs the corpus
steps (near-duplicates need every document, in order), appends to the documents spool and
commits the checkpoint (nlp.enrich.run_enrich). Each batch of raw items is cut into chunks
and only the per-document steps (normalise, segment, places, projects, classify, claims)
run on the workers, as Prefect tasks (`nlp.enrich.enrich_items`). Workers need the envmon
package and the models, never the data dir; results come back in input order, so the
documents are the same as a local run's.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, task
from prefect.cache_policies import NONE
from prefect_dask import DaskTaskRunner

from index.records import Document, RawItem
from index.settings import Settings, load_settings

CHUNK_ITEMS = 16  # a batch of 64 becomes 4 tasks: enough to keep two workers busy, few round trips


@task(name="enrich items", cache_policy=NONE, persist_result=False)
def enrich_chunk(settings: Settings, items: list[RawItem]) -> list[Document]:
    """Per-document enrichment of one chunk, on whichever worker runs it."""
    from nlp.enrich import enrich_items

    return enrich_items(settings, items)


class DaskItemMapper:
    """An nlp.enrich ItemMapper that enriches each batch as chunks on the flow's task runner."""

    def __init__(self, settings: Settings, chunk_items: int = CHUNK_ITEMS) -> None:
        self.settings = settings
        self.chunk_items = chunk_items

    def __enter__(self) -> DaskItemMapper:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    @property
    def model_version(self) -> str | None:
        from nlp.models import load_models

        return load_models(self.settings).version

    def map(self, items: list[RawItem]) -> list[Document]:
        chunks = [items[start : start + self.chunk_items] for start in range(0, len(items), self.chunk_items)]
        futures = [enrich_chunk.submit(self.settings, chunk) for chunk in chunks]
        return [document for future in futures for document in future.result()]


@flow(name="enrich on dask")
def enrich_on_dask(chunk_items: int = CHUNK_ITEMS) -> dict[str, Any]:
    """Enrich new raw items with the per-document steps on the Dask cluster this flow runs with."""
    from dataclasses import asdict

    from nlp.enrich import run_enrich

    settings = load_settings()
    return asdict(run_enrich(settings, runner=DaskItemMapper(settings, chunk_items)))


def dask_enrich_flow(address: str | None, cluster_kwargs: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
    """enrich_on_dask bound to a cluster: the scheduler at address, or a LocalCluster (tests)."""
    runner = DaskTaskRunner(address=address) if address else DaskTaskRunner(cluster_kwargs=cluster_kwargs or {"n_workers": 2, "threads_per_worker": 1})
    return enrich_on_dask.with_options(task_runner=runner)  # type: ignore[arg-type]  # prefect-dask's generics lag Prefect's
