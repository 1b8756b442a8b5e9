"""The ingest flow: crawl each source group (and import exports), enrich, index, regroup issues.

A source that fails does not stop the others; the summary artifact lists it. Every stage
resumes from its own checkpoint in the data dir, so a run that crashes part-way is simply
run again: nothing is lost, and ids make repeated work harmless.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow
from prefect.artifacts import create_markdown_artifact
from prefect.futures import PrefectFuture

from flows.crawling import CrawlPlan, SourceGroup, plan_crawl
from flows.runtime import uses_dask
from flows.summary import IngestSummary
from flows.tasks import (
    CRAWL_RETRIES,
    TransientCrawlFailure,
    crawl_group,
    enrich_spool,
    group_issues,
    import_export,
    index_documents,
)
from index.settings import Settings, load_settings

SUMMARY_ARTIFACT = "ingest-summary"


@flow(name="ingest")
def ingest(sources: str | None = None, imports: list[str] | None = None, crawl: bool = True,
           crawl_retries: int = CRAWL_RETRIES) -> dict[str, Any]:
    """Crawl the sources file (default: the packaged one) and import export files; then enrich,
    index and regroup issues. Returns the run's summary (also stored as an artifact)."""
    settings = load_settings()
    summary = IngestSummary()
    try:
        if crawl:
            crawl_sources(settings, plan_crawl(Path(sources) if sources else None), crawl_retries, summary)
        for path in imports or []:
            state = import_export(settings, Path(path), return_state=True)
            if state.is_completed():
                summary.imports.append(state.result())
            else:
                summary.imports.append({"file": Path(path).name, "error": str(state.result(raise_on_failure=False))})
                summary.failures.append(f"import of {Path(path).name} failed: {state.result(raise_on_failure=False)}")
        summary.enrich = enrich(settings)
        summary.index = index_documents(settings)
        summary.issues = group_issues(settings)
    except Exception as exc:
        summary.failures.append(f"ingest stopped: {exc}")
        raise
    finally:
        create_markdown_artifact(summary.markdown(), key=SUMMARY_ARTIFACT, description="What this ingest run crawled, enriched and indexed")
    return summary.as_json()


def crawl_sources(settings: Settings, plan: CrawlPlan, retries: int, summary: IngestSummary) -> None:
    """Crawl the groups, at most plan.parallel at a time; record every source's outcome."""
    task = crawl_group.with_options(retries=retries)
    for start in range(0, len(plan.groups), plan.parallel):
        wave = plan.groups[start : start + plan.parallel]
        futures = [task.submit(settings, plan, group) for group in wave]
        for group, future in zip(wave, futures, strict=True):
            outcomes = group_outcome(group, future)
            summary.sources.extend(outcomes)
            for outcome in outcomes:
                if outcome.get("status") != "ok":
                    summary.failures.append(f"{outcome['source']}: {outcome.get('status')} — {outcome.get('message')}")


def group_outcome(group: SourceGroup, future: PrefectFuture[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The summaries of a group's sources, also when the task failed after its retries."""
    result = future.result(raise_on_failure=False)
    if isinstance(result, TransientCrawlFailure):
        return result.summaries
    if isinstance(result, BaseException):
        return [{"source": name, "status": "crashed", "message": str(result), "errors": {"crash": 1}, "fetched": 0, "new": 0}
                for name in group.names]
    return result


def enrich(settings: Settings) -> dict[str, Any]:
    """On this machine, or on the Dask cluster at ENVMON_DASK_ADDRESS."""
    if uses_dask(settings):
        from flows.dask_enrich import dask_enrich_flow

        return dask_enrich_flow(settings.dask_address)()
    return enrich_spool(settings)
