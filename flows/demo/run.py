"""`envmon demo`: the whole product offline, in under a minute, on a planted scenario.

It serves the demo site (flows/demo/site.py) on 127.0.0.1, runs the ingest flow over it
with the planted social export (content/social_export.jsonl), then the early-warning flow
and the weekly-report flow. The scenario's clock stops at DEMO_NOW, the evening the quarry
dispute boils over; detection and the report run "as of" that moment, so the demo gives the
same answer whatever today's date is. Nothing in it is scripted: the alert, if any, is
whatever detection finds in the crawled and imported data.

The demo keeps its own data dir (default <data dir>/demo, embedded SQLite, no alert
delivery) and starts it afresh on each run; it never touches the deployment's data.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flows.demo.site import CONTENT, DemoSite
from flows.runtime import configure_prefect
from index.errors import ConfigError
from index.settings import Settings, load_settings

DEMO_NOW = datetime(2026, 11, 22, 21, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
SOCIAL_EXPORT = CONTENT / "social_export.jsonl"
MARKER = ".envmon-demo"  # only a folder carrying this file is ever wiped
# Settings the demo must not inherit: another backend, alert channels, a Dask cluster.
CLEARED = ("ENVMON_INDEX_URL", "ENVMON_WEBHOOK_URL", "ENVMON_SMTP_HOST", "ENVMON_SMTP_TO", "ENVMON_DASK_ADDRESS",
           "ENVMON_RETENTION_DAYS", "ENVMON_PSEUDONYM_SECRET")


@dataclass
class DemoOutcome:
    data_dir: Path
    now: datetime
    ingest: dict[str, Any]
    alerts: list[dict[str, Any]]
    report: dict[str, Any]
    documents_by_topic: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def prepare(folder: Path) -> None:
    """Start from an empty demo folder; refuse to wipe a folder the demo did not create."""
    if folder.exists() and any(folder.iterdir()):
        if not (folder / MARKER).is_file():
            raise ConfigError(f"{folder} is not empty and was not made by `envmon demo`; choose another --data-dir.")
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("Made by `envmon demo`; wiped and rebuilt on each demo run.\n", encoding="utf-8")


@contextmanager
def demo_environment(folder: Path) -> Iterator[Settings]:
    """ENVMON_* pointing at the demo folder for the flows this process runs; restored after."""
    saved = {name: os.environ.get(name) for name in (*CLEARED, "ENVMON_DATA_DIR", "ENVMON_CONFIG", "ENVMON_ALLOW_PRIVATE_NETWORKS")}
    try:
        for name in CLEARED:
            os.environ.pop(name, None)
        os.environ["ENVMON_DATA_DIR"] = str(folder)
        os.environ["ENVMON_CONFIG"] = str(folder / "no-envmon.toml")  # ignore the deployment's envmon.toml
        os.environ["ENVMON_ALLOW_PRIVATE_NETWORKS"] = "1"  # the demo site is on 127.0.0.1
        yield load_settings()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_demo(settings: Settings, folder: Path | None = None) -> DemoOutcome:
    """Serve the site, ingest it with the social export, detect alerts, write the report."""
    started = time.monotonic()
    target = (folder or settings.data_dir / "demo").expanduser().resolve()
    prepare(target)
    configure_prefect(settings, quiet=True)  # Prefect's own state stays in the real data dir, reused across demos
    from analyst.report.build import week_of
    from flows.early_warning import early_warning
    from flows.ingest import ingest
    from flows.weekly_report import weekly_report

    with demo_environment(target) as demo_settings, DemoSite() as site:
        sources = target / "sources.toml"
        sources.write_text(site.sources_toml(), encoding="utf-8")
        summary = ingest(sources=str(sources), imports=[str(SOCIAL_EXPORT)], crawl_retries=0)
        warning = early_warning(now=DEMO_NOW)
        report = weekly_report(week=week_of(DEMO_NOW, demo_settings.tz), now=DEMO_NOW)
        topics = indexed_topics(demo_settings)
    return DemoOutcome(target, DEMO_NOW, summary, warning["alerts"], report, topics, round(time.monotonic() - started, 1))


def indexed_topics(settings: Settings) -> dict[str, int]:
    """Documents in the demo index per topic, as `envmon search` counts them."""
    from index.backends import open_backend
    from index.query import build_query

    backend = open_backend(settings)
    try:
        return backend.search(build_query("", limit=0, highlight=False)).facets.get("topic", {})
    finally:
        backend.close()
