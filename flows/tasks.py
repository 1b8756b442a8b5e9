"""Prefect tasks: each calls one stage function and returns plain data (composition only).

Tasks take the Settings object the flow loaded; they never cache (every run must look at
the spool and the index as they are now), and they open and close the backend themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import NONE
from prefect.tasks import exponential_backoff

from flows.crawling import CrawlPlan, SourceGroup, crawl_source, worth_retrying
from index.backend import Backend
from index.backends import open_backend
from index.errors import BackendUnavailable
from index.settings import Settings

CRAWL_RETRIES = 2
CRAWL_BACKOFF_S = 30.0  # then 60 s: a site that answered 503 gets a minute to recover
INDEX_RETRIES = 2
INDEX_BACKOFF_S = 10.0


class TransientCrawlFailure(Exception):
    """Some sources of a group failed in a way worth retrying; carries every summary."""

    def __init__(self, summaries: list[dict[str, Any]]) -> None:
        failed = ", ".join(summary["source"] for summary in summaries if worth_retrying(summary))
        super().__init__(f"retryable crawl failure of {failed}")
        self.summaries = summaries


def _retry_transient_crawls(task: Any, task_run: Any, state: Any) -> bool:
    return isinstance(state.result(raise_on_failure=False), TransientCrawlFailure)


@contextmanager
def backend_for(settings: Settings) -> Iterator[Backend]:
    backend = open_backend(settings)
    try:
        yield backend
    finally:
        backend.close()


@task(name="crawl", task_run_name="crawl {group.host}", retries=CRAWL_RETRIES, retry_delay_seconds=exponential_backoff(CRAWL_BACKOFF_S),
      retry_condition_fn=_retry_transient_crawls, cache_policy=NONE, persist_result=False)
def crawl_group(settings: Settings, plan: CrawlPlan, group: SourceGroup) -> list[dict[str, Any]]:
    """Crawl one host's sources in turn, each in its own `envmon crawl` subprocess."""
    summaries = [crawl_source(settings, plan, name) for name in group.names]
    if any(worth_retrying(summary) for summary in summaries):
        raise TransientCrawlFailure(summaries)
    return summaries


@task(name="import", task_run_name="import {path.name}", cache_policy=NONE, persist_result=False)
def import_export(settings: Settings, path: Path) -> dict[str, Any]:
    """Import a social/forum export file into the raw spool."""
    from crawlers.importer import import_file

    report = import_file(path, settings)
    return {"file": path.name, "rows": report.rows, "imported": report.imported, "unchanged": report.unchanged,
            "duplicates": report.duplicates, "bad": report.bad_count}


@task(name="enrich", cache_policy=NONE, persist_result=False)
def enrich_spool(settings: Settings) -> dict[str, Any]:
    """Enrich new raw items on this machine (a process pool of up to two workers)."""
    from nlp.enrich import run_enrich

    return asdict(run_enrich(settings))


@task(name="index", retries=INDEX_RETRIES, retry_delay_seconds=exponential_backoff(INDEX_BACKOFF_S), cache_policy=NONE, persist_result=False)
def index_documents(settings: Settings) -> dict[str, Any]:
    """Send new documents to the backend; an outage keeps them pending and fails the task (retried)."""
    from index.indexer import run_index

    with backend_for(settings) as backend:
        report = run_index(settings, backend)
    if report.error:
        raise BackendUnavailable(f"{report.error.rstrip('.')}; {report.pending_bytes} bytes of documents stay pending.")
    return asdict(report)


@task(name="issues", cache_policy=NONE, persist_result=False)
def group_issues(settings: Settings) -> dict[str, Any]:
    """Regroup indexed documents into issues and tag each document with its issue."""
    from analyst.issues import update_issues

    with backend_for(settings) as backend:
        return asdict(update_issues(backend, settings.tz))


@task(name="detect alerts", cache_policy=NONE, persist_result=False)
def detect(settings: Settings, now: datetime) -> dict[str, Any]:
    """Raise and store the alerts that are new as of now."""
    from analyst.alerts.detect import detect_alerts

    with backend_for(settings) as backend:
        detection = detect_alerts(backend, now, settings.tz)
    return {"alerts": [alert.model_dump(mode="json") for alert in detection.alerts],
            "candidates": detection.candidates, "held": detection.held}


@task(name="deliver alerts", cache_policy=NONE, persist_result=False)
def deliver(settings: Settings, alerts: list[dict[str, Any]], now: datetime | None = None) -> list[dict[str, Any]]:
    """Send new alerts to the webhook and e-mail channels, retry recent ones a channel missed,
    and record each outcome on the alert."""
    from analyst.alerts.deliver import deliver_alerts, deliver_pending
    from analyst.models import Alert

    parsed = [Alert.model_validate(alert) for alert in alerts]
    with backend_for(settings) as backend:
        deliver_alerts(settings, backend, parsed)
        if now is not None:
            deliver_pending(settings, backend, now)
    return [alert.model_dump(mode="json") for alert in parsed]


@task(name="weekly report", task_run_name="weekly report {week}", cache_policy=NONE, persist_result=False)
def write_weekly_report(settings: Settings, week: str, now: datetime, out: Path | None) -> dict[str, Any]:
    """Build the week's report from the index and write report.json, .html and .pdf."""
    from analyst.report.build import build_report
    from analyst.report.render import write_report

    with backend_for(settings) as backend:
        report = build_report(backend, week, now, settings.tz)
    files = write_report(report, out or settings.reports_dir / week, generated_at=datetime.now(settings.tz))
    return {"week": week, "folder": str(files.folder), "html": str(files.html), "pdf": str(files.pdf), "json": str(files.json),
            "totals": report.totals, "topics": report.topics}


@task(name="train and promote", cache_policy=NONE, persist_result=False)
def train_models(settings: Settings, force: bool) -> dict[str, Any]:
    """Train on nlp/data plus analyst corrections; promote only when not worse (nlp.promote)."""
    from nlp.promote import train_and_promote

    decision = train_and_promote(settings, force=force)
    data = asdict(decision)
    data["folder"] = str(decision.folder) if decision.folder else None
    return data
