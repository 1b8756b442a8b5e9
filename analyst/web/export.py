"""Streamed exports of a whole search result (every match, via Backend.scan), CSV or JSON.

Crawled text goes to spreadsheets: a cell that starts with = + - @ would be run as a
formula by Excel or LibreOffice, so such cells get a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from analyst.web.documents import public_document
from index.backend import Backend
from index.query import Query
from index.records import Document

EXPORT_FORMATS = ("csv", "json")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ROWS_PER_CHUNK = 200  # one network write per 200 documents keeps memory flat and overhead low

CSV_COLUMNS = (
    "id",
    "published_at",
    "fetched_at",
    "source",
    "source_kind",
    "reliability",
    "url",
    "title",
    "topic",
    "model_topic",
    "sensitivity",
    "model_sensitivity",
    "sensitivity_score",
    "misinfo_level",
    "misinfo_risk",
    "provinces",
    "projects",
    "issue_id",
    "dup_cluster",
    "reviewed",
    "reviewed_by",
    "text",
)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _local(value: datetime | None, tz: ZoneInfo) -> str:
    return value.astimezone(tz).isoformat() if value else ""


def csv_row(document: Document, tz: ZoneInfo) -> list[str]:
    enrichment = document.enrichment
    values: list[object] = [
        document.id,
        _local(document.published_at, tz),
        _local(document.fetched_at, tz),
        document.source,
        document.source_kind.value,
        document.reliability.value,
        document.url,
        document.title,
        document.effective("topic"),
        enrichment.topic,
        document.effective("sensitivity"),
        enrichment.sensitivity,
        enrichment.sensitivity_score,
        enrichment.misinfo_level,
        enrichment.misinfo_risk,
        "; ".join(document.provinces),
        "; ".join(enrichment.projects),
        enrichment.issue_id,
        enrichment.dup_cluster,
        "yes" if document.review.reviewed else "no",
        document.review.reviewed_by,
        document.text,
    ]
    return [_cell(value) for value in values]


def stream_csv(backend: Backend, query: Query, tz: ZoneInfo) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # Excel needs the BOM to read UTF-8 Vietnamese correctly
    writer.writerow(CSV_COLUMNS)
    for number, document in enumerate(backend.scan(query), start=1):
        writer.writerow(csv_row(document, tz))
        if number % _ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def stream_json(backend: Backend, query: Query) -> Iterator[str]:
    """A JSON array of documents (the API's document shape), written as it is read."""
    yield "["
    chunk: list[str] = []
    first = True
    for document in backend.scan(query):
        chunk.append(("" if first else ",") + json.dumps(public_document(document), ensure_ascii=False))
        first = False
        if len(chunk) >= _ROWS_PER_CHUNK:
            yield "\n".join(chunk)
            chunk = []
    yield "\n".join(chunk) + "]\n"


def export_stream(backend: Backend, query: Query, fmt: str, tz: ZoneInfo) -> Iterator[str]:
    return stream_csv(backend, query, tz) if fmt == "csv" else stream_json(backend, query)
