"""Search latency of each backend over a fixed query mix with facets and highlights.

Prints one JSON object per line through bench.common.emit (no pytest timing):

    {"name": "search_sqlite_p95", "value": p95 ms, "unit": "ms", "reference": median ms,
     "ratio": p95/median, "target": 100, "docs": N, "queries": …}
    {"name": "search_es_p95", …}                     (value null and a note without a node)

Each backend gets the same N generated documents (bench/corpus.py), then answers every
query of QUERY_MIX once to warm up and --reps more times; latency is wall time of
Backend.search from the caller's side (20 hits, facets, highlights).

    python -m bench.bench_search [--docs 100000] [--reps 5] [--only sqlite|es] [--es-url URL]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import emit  # noqa: E402
from bench.corpus import chunks  # noqa: E402
from index.backend import Backend  # noqa: E402
from index.query import build_query  # noqa: E402

CHUNK = 5_000
DEFAULT_ES_URL = os.environ.get("ENVMON_TEST_ES_URL", "http://127.0.0.1:9200")
SQLITE_TARGET_MS = 100
# What analysts type: words, phrases, boolean operators, exclusions, filters, sorts, a deep page.
QUERY_MIX: list[tuple[str, dict[str, Any]]] = [
    ("o nhiem", {}),
    ("dat dai", {}),
    ('"nuoc thai"', {}),
    ("rac OR khoi", {}),
    ("o nhiem -song", {}),
    ("xa thai", {"province": ["Đồng Nai"]}),
    ("", {}),
    ("", {"topic": ["water"]}),
    ("", {"min_sensitivity": "high", "sort": "sensitivity"}),
    ("khai thac cat", {"date_from": date(2026, 6, 1), "date_to": date(2026, 8, 31)}),
    ("nha may", {"sort": "date", "offset": 200}),
    ("-rac", {"source_kind": ["import", "forum"]}),
]


def fill(backend: Backend, count: int) -> None:
    backend.ensure_ready()
    for chunk in chunks(count, CHUNK):
        backend.upsert(chunk)
    backend.refresh()


def measure(backend: Backend, reps: int) -> list[float]:
    """Milliseconds per search, every query of the mix reps times (after one warm-up pass)."""
    queries = [build_query(text, limit=20, **options) for text, options in QUERY_MIX]
    for query in queries:
        backend.search(query)
    timings: list[float] = []
    for _ in range(reps):
        for query in queries:
            began = time.perf_counter()
            backend.search(query)
            timings.append((time.perf_counter() - began) * 1000)
    return timings


def line(name: str, timings: list[float], count: int, target: float | None) -> dict[str, Any]:
    """The arguments of bench.common.emit: p95 as the value, the median as the reference."""
    return {
        "name": name,
        "value": statistics.quantiles(timings, n=20, method="inclusive")[-1],
        "unit": "ms",
        "reference": statistics.median(timings),
        "target": target,
        "docs": count,
        "queries": len(timings),
    }


def bench_sqlite(count: int, reps: int) -> dict[str, Any]:
    from index.sqlite_backend import SqliteBackend

    with tempfile.TemporaryDirectory(prefix="envmon-bench-") as folder:
        backend = SqliteBackend(Path(folder) / "index.sqlite")
        fill(backend, count)
        timings = measure(backend, reps)
        backend.close()
    return line("search_sqlite_p95", timings, count, SQLITE_TARGET_MS)


def bench_es(count: int, reps: int, url: str) -> dict[str, Any]:
    from index.elasticsearch import ElasticsearchBackend
    from index.errors import BackendUnavailable
    from index.settings import Settings

    with tempfile.TemporaryDirectory(prefix="envmon-bench-") as folder:
        backend = ElasticsearchBackend.from_settings(
            Settings(data_dir=Path(folder), index_url=url, es_index_prefix=f"envmon-bench-{uuid.uuid4().hex[:8]}")
        )
        try:
            fill(backend, count)
            timings = measure(backend, reps)
        except BackendUnavailable as exc:
            return {"name": "search_es_p95", "value": None, "unit": "ms", "reference": None, "target": None,
                    "docs": count, "note": str(exc)}
        finally:
            with contextlib.suppress(BackendUnavailable):
                backend.drop_everything()
            backend.close()
    return line("search_es_p95", timings, count, None)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--only", choices=("sqlite", "es"))
    parser.add_argument("--es-url", default=DEFAULT_ES_URL)
    args = parser.parse_args(argv)
    if args.only in (None, "sqlite"):
        emit(**bench_sqlite(args.docs, args.reps))
    if args.only in (None, "es"):
        emit(**bench_es(args.docs, args.reps, args.es_url))


if __name__ == "__main__":
    main()
