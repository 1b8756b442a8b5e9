"""Enrichment throughput on 600-word articles against raw underthesea segmentation.

    {"name": "enrich", "value": docs/s of the enrich stage (spool → documents, every step,
     default worker processes), "reference": docs/s of underthesea.word_tokenize alone on the
     same texts in one process, "ratio": value/reference, "target": 0.6}

    python -m bench.bench_enrich [--docs 300]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.articles import articles  # noqa: E402
from bench.common import emit  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=500)
    args = parser.parse_args()
    texts = articles(args.docs)

    from underthesea import word_tokenize

    word_tokenize("khởi động")  # load the CRF model outside the timed region
    started = time.perf_counter()
    for text in texts:
        word_tokenize(text, format="text")
    reference = len(texts) / (time.perf_counter() - started)

    with tempfile.TemporaryDirectory() as folder:
        os.environ["ENVMON_DATA_DIR"] = folder
        from index.ids import item_id_for_url
        from index.records import RawItem, Reliability, SourceKind
        from index.settings import Settings
        from index.spool import Spool
        from nlp.enrich import run_enrich, worker_count

        settings = Settings()
        settings.ensure_data_dir()
        now = datetime.now(UTC)
        Spool(settings.spool_dir, settings.tz).append(
            RawItem(
                id=item_id_for_url(f"https://bench.example/{index}"),
                url=f"https://bench.example/{index}",
                source="bench",
                source_kind=SourceKind.RSS,
                reliability=Reliability.MAINSTREAM,
                fetched_at=now,
                published_at=now,
                title=text.split(".", 1)[0][:120],
                text=text,
            )
            for index, text in enumerate(texts)
        )
        started = time.perf_counter()
        report = run_enrich(settings)
        value = report.enriched / (time.perf_counter() - started)
    emit("enrich", value, "docs/s", reference, 0.6, docs=len(texts), words_per_doc=600, workers=worker_count(settings))


if __name__ == "__main__":
    main()
