"""The weekly-report flow: last week's sensitivity report (report.json, .html, .pdf)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from analyst.report.build import week_of
from flows.tasks import group_issues, write_weekly_report
from index.settings import load_settings


@flow(name="weekly-report")
def weekly_report(week: str | None = None, now: datetime | None = None, out: str | None = None) -> dict[str, Any]:
    """Write the report of `week` (YYYY-Www; default: the last complete week before now)."""
    settings = load_settings()
    moment = now or datetime.now(settings.tz)
    chosen = week or week_of(moment - timedelta(days=7), settings.tz)
    group_issues(settings)
    files = write_weekly_report(settings, chosen, moment, Path(out) if out else None)
    create_markdown_artifact(
        f"# Weekly report {chosen}\n\n- stories: {files['totals']['stories']}\n- high sensitivity: {files['totals']['high_sensitivity']}\n"
        f"- folder: `{files['folder']}`",
        key="weekly-report",
        description="Where this week's report was written",
    )
    return files
