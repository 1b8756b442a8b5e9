"""Weekly reports as the report flow writes them: <data dir>/reports/<YYYY-Www>/report.{html,pdf,json}."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

WEEK = re.compile(r"^\d{4}-W\d{2}$")
REPORT_FILES = {"report.html": "text/html; charset=utf-8", "report.pdf": "application/pdf", "report.json": "application/json"}
# The report HTML is our renderer's, but it quotes crawled text: serve it sandboxed, no script at all.
REPORT_CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox"
)


@dataclass(frozen=True)
class WeeklyReport:
    week: str
    files: list[str] = field(default_factory=list)
    generated_at: datetime | None = None


def list_reports(reports_dir: Path) -> list[WeeklyReport]:
    """Every week folder that holds at least one report file, newest week first."""
    if not reports_dir.is_dir():
        return []
    found = []
    for folder in reports_dir.iterdir():
        if not (folder.is_dir() and WEEK.match(folder.name)):
            continue
        files = [name for name in REPORT_FILES if (folder / name).is_file()]
        if files:
            newest = max((folder / name).stat().st_mtime for name in files)
            found.append(WeeklyReport(week=folder.name, files=files, generated_at=datetime.fromtimestamp(newest, UTC)))
    return sorted(found, key=lambda report: report.week, reverse=True)


def report_file(reports_dir: Path, week: str, name: str) -> Path | None:
    """The file, when week and name are well-formed and it exists (no path ever comes from the URL)."""
    if not WEEK.match(week) or name not in REPORT_FILES:
        return None
    path = reports_dir / week / name
    return path if path.is_file() else None
