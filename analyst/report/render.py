"""Write the weekly report: report.json, report.html (self-contained) and report.pdf.

Files land in `<data dir>/reports/<YYYY-Www>/` by default (the web app lists that folder).
The HTML is rendered by Jinja2 with autoescaping, so crawled titles and text can never
become markup; charts are embedded as data: URIs, and WeasyPrint may fetch nothing else.
Each file is written beside its final name and renamed into place, so a reader never sees
half a report.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from analyst.report.build import WeeklyReport
from analyst.report.charts import CHARTS, render_charts
from analyst.vi import MISINFO_VI, SENSITIVITY_VI, SOURCE_KIND_VI, number, topic_vi

TEMPLATES = Path(__file__).resolve().parent / "templates"
HTML_FILE, PDF_FILE, JSON_FILE = "report.html", "report.pdf", "report.json"


@dataclass
class ReportFiles:
    folder: Path
    html: Path
    pdf: Path
    json: Path


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its suffix: crawled text is untrusted
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        topic=topic_vi,
        sensitivity=lambda level: SENSITIVITY_VI.get(level or "", level or "?"),
        misinfo=lambda level: MISINFO_VI.get(level or "", level or "?"),
        source_kind=lambda kind: SOURCE_KIND_VI.get(kind, kind),
        number=number,
        signed=lambda value: f"+{value}" if value > 0 else str(value),
        day=lambda value: value.strftime("%d/%m/%Y"),
        moment=lambda value: value.strftime("%H:%M %d/%m/%Y"),
        web_url=lambda url: url if isinstance(url, str) and url.startswith(("http://", "https://")) else None,
    )
    return environment


def render_html(report: WeeklyReport, charts: dict[str, bytes]) -> str:
    images = {name: "data:image/png;base64," + base64.b64encode(data).decode("ascii") for name, data in charts.items()}
    titles = {name: title for name, (title, _) in CHARTS.items()}
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    return _environment().get_template("weekly.html").render(report=report, images=images, titles=titles, css=css)


def write_pdf(html: str, target: Path) -> None:
    """Render html to PDF; the report embeds everything, so only data: URLs may be fetched."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf(target)


def write_report(report: WeeklyReport, folder: Path, generated_at: datetime | None = None) -> ReportFiles:
    """Render the charts and write the three files into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    charts = render_charts(report)
    html = render_html(report, charts)
    files = ReportFiles(folder, folder / HTML_FILE, folder / PDF_FILE, folder / JSON_FILE)
    data = report.model_dump(mode="json")
    data["charts"] = sorted(charts)
    if generated_at is not None:
        data["generated_at"] = generated_at.isoformat()
    _replace(files.json, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))
    _replace(files.html, html.encode("utf-8"))
    partial = files.pdf.with_name(files.pdf.name + ".part")
    write_pdf(html, partial)
    os.replace(partial, files.pdf)
    return files


def _replace(target: Path, payload: bytes) -> None:
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(payload)
    os.replace(partial, target)
