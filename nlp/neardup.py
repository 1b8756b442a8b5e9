"""Near-duplicates: syndicated copies of one story share a `dup_cluster`.

MinHash over word 3-gram shingles of folded text, LSH for candidates (datasketch). The
signatures of recent documents persist in the data dir so clusters span enrich runs; the
cluster id is the id of the first document of the cluster (the smallest when several
match), and a document keeps its cluster when re-enriched, so re-running is harmless.
"""

from __future__ import annotations

import re
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from datasketch import MinHash, MinHashLSH

from index.records import Document
from index.settings import Settings
from index.text import fold

NUM_PERM = 64  # 64 permutations: ±0.06 Jaccard error, fast, 256 bytes per document
SCHEME = "affine32"  # datasketch 2 default; stored signatures must be read back with it
THRESHOLD = 0.7  # syndicated copies differ by a byline or a sentence; rewrites fall below
SHINGLE = 3
MIN_SHINGLES = 8  # shorter texts ("Ô nhiễm quá!") are not evidence of copying
WINDOW_DAYS = 60  # copies appear within days; older signatures are dropped
_WORD = re.compile(r"\w+")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS signatures (
    doc_id TEXT PRIMARY KEY,
    cluster TEXT NOT NULL,
    signature BLOB NOT NULL,
    seen_at REAL NOT NULL
)
"""


def shingles(text: str) -> set[bytes]:
    words = _WORD.findall(fold(text))
    return {" ".join(words[i : i + SHINGLE]).encode() for i in range(max(0, len(words) - SHINGLE + 1))}


def signature(text: str) -> MinHash | None:
    parts = shingles(text)
    if len(parts) < MIN_SHINGLES:
        return None
    minhash = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME)
    minhash.update_batch(list(parts))
    return minhash


class NearDuplicateStep:
    """Assigns dup_cluster across the corpus (a corpus step: it runs in the parent process)."""

    name = "near_duplicates"

    def __init__(self, path: Path, now: datetime | None = None) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute(_SCHEMA)
        cutoff = ((now or datetime.now(UTC)) - timedelta(days=WINDOW_DAYS)).timestamp()
        self._conn.execute("DELETE FROM signatures WHERE seen_at < ?", (cutoff,))
        self._lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
        self._clusters: dict[str, str] = {}
        for doc_id, cluster, blob in self._conn.execute("SELECT doc_id, cluster, signature FROM signatures"):
            hashvalues = np.frombuffer(blob, dtype=np.uint32)
            self._lsh.insert(doc_id, MinHash(num_perm=NUM_PERM, seed=1, hashvalues=hashvalues, scheme=SCHEME))
            self._clusters[doc_id] = cluster

    @classmethod
    def from_settings(cls, settings: Settings) -> NearDuplicateStep:
        return cls(settings.data_dir / "neardup.sqlite")

    def process(self, documents: list[Document]) -> None:
        rows = []
        for document in documents:
            cluster = self._clusters.get(document.id)
            if cluster is None:
                cluster = document.id
                minhash = signature(f"{document.title or ''}\n{document.text}")
                if minhash is not None:
                    candidates = [key for key in self._lsh.query(minhash) if key in self._clusters]
                    if candidates:
                        cluster = min(self._clusters[key] for key in candidates)
                    self._lsh.insert(document.id, minhash)
                    rows.append((document.id, cluster, minhash.hashvalues.astype(np.uint32).tobytes(), time.time()))
                self._clusters[document.id] = cluster
            document.enrichment.dup_cluster = cluster
        if rows:
            self._conn.executemany("INSERT OR IGNORE INTO signatures VALUES (?, ?, ?, ?)", rows)

    def close(self) -> None:
        self._conn.close()
