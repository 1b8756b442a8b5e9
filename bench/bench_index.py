"""Bulk indexing throughput of each backend against the raw write of the same rows.

Prints one JSON object per line through bench.common.emit (no pytest timing):

    {"name": "index_sqlite", "value": docs/s through SqliteBackend.upsert,
     "reference": docs/s of raw executemany of the same rows into the same schema (FTS rows
     included), "ratio": value/reference, "target": 0.5, "unit": "docs/s", "docs": N}
    {"name": "index_es", "value": docs/s through ElasticsearchBackend.upsert,
     "reference": docs/s of helpers.bulk of the same _source bodies into indices made by the
     same template, through the same client, "ratio": …, "target": 0.8, …}

The references get their rows/bodies prebuilt outside the timed region; the backends build
theirs inside it. Both sides write the same chunks alternately into fresh stores, so page
cache and Lucene merges weigh on both alike. Without a reachable Elasticsearch the index_es
line has value null and a note.

    python -m bench.bench_index [--docs 20000] [--only sqlite|es] [--es-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import emit  # noqa: E402
from bench.corpus import chunks  # noqa: E402
from index.records import Document  # noqa: E402
from index.text import fold  # noqa: E402

CHUNK = 5_000  # documents generated at a time: memory stays flat at any --docs
BATCH = 500  # the indexer's batch size; both sides commit/flush per batch
DEFAULT_ES_URL = os.environ.get("ENVMON_TEST_ES_URL", "http://127.0.0.1:9200")


def bench_sqlite(count: int, folder: Path) -> dict[str, Any]:
    """SqliteBackend.upsert vs raw executemany of the same rows, one transaction per batch."""
    from index.sqlite_backend import SqliteBackend

    backend = SqliteBackend(folder / "backend.sqlite")
    backend.ensure_ready()
    raw = SqliteBackend(folder / "raw.sqlite")
    conn = raw.conn  # the same schema and pragmas, written to directly
    next_rowid = 1
    spent_backend = spent_raw = 0.0
    for chunk in chunks(count, CHUNK):
        for start in range(0, len(chunk), BATCH):
            batch = chunk[start : start + BATCH]
            rows = [_prebuilt(raw, document) for document in batch]  # not timed
            began = time.perf_counter()
            next_rowid = _raw_sqlite_batch(conn, rows, next_rowid)
            spent_raw += time.perf_counter() - began
            began = time.perf_counter()
            backend.upsert(batch)
            spent_backend += time.perf_counter() - began
    assert backend.count() == raw.count() == count, "both stores must hold every document"
    backend.close()
    raw.close()
    return _line("index_sqlite", count, spent_backend, spent_raw, 0.5)


def _prebuilt(raw: Any, document: Document) -> dict[str, Any]:
    """The backend's own row for a document, with the folded province values precomputed too."""
    row = raw._row(document)
    row["places"] = [(province, fold(province)) for province in row["provinces"]]
    return row


def _raw_sqlite_batch(conn: Any, rows: list[dict[str, Any]], next_rowid: int) -> int:
    rowids = list(range(next_rowid, next_rowid + len(rows)))
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        """INSERT INTO documents(rowid, id, title, text, doc, topic, sensitivity, sensitivity_rank,
               sensitivity_score, misinfo_risk, misinfo_level, source, source_kind, reliability,
               sort_ts, day, issue_id, dup_cluster, reviewed)
           VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
        [(rowid, *row["documents"]) for rowid, row in zip(rowids, rows, strict=True)],
    )
    conn.executemany(
        "INSERT INTO docs_fts(rowid, title, text) VALUES (?, ?, ?)",
        [(rowid, *row["fts"]) for rowid, row in zip(rowids, rows, strict=True)],
    )
    conn.executemany(
        "INSERT INTO doc_places(doc_rowid, province, province_folded) VALUES (?, ?, ?)",
        [(rowid, *place) for rowid, row in zip(rowids, rows, strict=True) for place in row["places"]],
    )
    conn.executemany(
        "INSERT INTO doc_projects(doc_rowid, project) VALUES (?, ?)",
        [(rowid, project) for rowid, row in zip(rowids, rows, strict=True) for project in row["projects"]],
    )
    conn.execute("COMMIT")
    return next_rowid + len(rows)


def bench_es(count: int, url: str) -> dict[str, Any]:
    """ElasticsearchBackend.upsert vs helpers.bulk of the same bodies, same client, same template."""
    from elasticsearch import helpers

    from index.elasticsearch import ElasticsearchBackend
    from index.elasticsearch.mapping import document_body, month_key
    from index.errors import BackendUnavailable
    from index.settings import Settings

    run = uuid.uuid4().hex[:8]
    with tempfile.TemporaryDirectory(prefix="envmon-bench-") as folder:
        backend = ElasticsearchBackend.from_settings(
            Settings(data_dir=Path(folder), index_url=url, es_index_prefix=f"envmon-bench-{run}")
        )
        raw = ElasticsearchBackend.from_settings(
            Settings(data_dir=Path(folder), index_url=url, es_index_prefix=f"envmon-bench-raw-{run}")
        )
        try:
            backend.ensure_ready()
            raw.ensure_ready()  # installs the same template under the raw prefix
        except BackendUnavailable as exc:
            return {"name": "index_es", "value": None, "unit": "docs/s", "reference": None, "target": 0.8,
                    "docs": count, "note": str(exc)}
        spent_backend = spent_raw = 0.0
        try:
            for chunk in chunks(count, CHUNK):
                for start in range(0, len(chunk), BATCH):
                    batch = chunk[start : start + BATCH]
                    actions = [  # not timed
                        {"_index": raw.names.month_index(month_key(doc.sort_at, raw.tz)), "_id": doc.id,
                         "_source": json.loads(document_body(doc, raw.tz))}
                        for doc in batch
                    ]
                    began = time.perf_counter()
                    helpers.bulk(raw.client, actions, chunk_size=BATCH)
                    spent_raw += time.perf_counter() - began
                    began = time.perf_counter()
                    backend.upsert(batch)
                    spent_backend += time.perf_counter() - began
            backend.refresh()
            raw.refresh()
            assert backend.count() == raw.count() == count, "both sides must hold every document"
        finally:
            backend.drop_everything()
            raw.drop_everything()
            backend.close()
            raw.close()
    return _line("index_es", count, spent_backend, spent_raw, 0.8)


def _line(name: str, count: int, spent_value: float, spent_reference: float, target: float) -> dict[str, Any]:
    """The arguments of bench.common.emit for one throughput figure."""
    return {
        "name": name,
        "value": count / spent_value,
        "unit": "docs/s",
        "reference": count / spent_reference,
        "target": target,
        "docs": count,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--only", choices=("sqlite", "es"))
    parser.add_argument("--es-url", default=DEFAULT_ES_URL)
    args = parser.parse_args(argv)
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory(prefix="envmon-bench-") as folder:
            emit(**bench_sqlite(args.docs, Path(folder)))
    if args.only in (None, "es"):
        emit(**bench_es(args.docs, args.es_url))


if __name__ == "__main__":
    main()
