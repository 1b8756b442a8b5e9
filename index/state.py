"""Small durable state shared by the stages: spool checkpoints, seen items, key/value memos.

One SQLite file in the data dir, WAL mode so a crawler subprocess and the CLI can use it at once.
"""

from __future__ import annotations

import fcntl
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 30_000  # a concurrent writer holds the lock for milliseconds; wait, don't fail
CRAWL_RUN_NAMESPACE = "crawl-source"  # memos: each source's latest crawl summary (for source health)
LOCKS_FOLDER = "locks"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS checkpoints (
    consumer TEXT PRIMARY KEY,
    file TEXT NOT NULL,
    offset INTEGER NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS seen (
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    hash TEXT,
    seen_at REAL NOT NULL,
    PRIMARY KEY (namespace, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS memo (
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (namespace, key)
) WITHOUT ROWID;
"""


def _switch_to_wal(conn: sqlite3.Connection) -> None:
    """WAL lets readers and one writer work at once. Switching a new file needs an exclusive
    lock that the busy handler does not always wait for, so retry briefly."""
    for attempt in range(50):
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 49:
                raise
            time.sleep(0.1)


@contextmanager
def stage_lock(data_dir: Path, stage: str) -> Iterator[None]:
    """One run of a stage per data dir at a time. Two runs from one checkpoint would both
    process the same items, and the slower would move the checkpoint back; a second run
    waits for the first instead, then reads on from where it stopped."""
    folder = data_dir / LOCKS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{stage}.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("another %s run is in progress in %s; waiting for it to finish", stage, data_dir)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class StateStore:
    """Checkpoints, seen-sets and memos in data_dir/state.sqlite."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, isolation_level=None)
        self._conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        _switch_to_wal(self._conn)
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    # ---- checkpoints --------------------------------------------------------
    def checkpoint(self, consumer: str) -> tuple[str, int] | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT file, offset FROM checkpoints WHERE consumer = ?", (consumer,)
            ).fetchone()
        return (row[0], int(row[1])) if row else None

    def set_checkpoint(self, consumer: str, file: str, offset: int) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO checkpoints(consumer, file, offset, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(consumer) DO UPDATE SET file=excluded.file, offset=excluded.offset, updated_at=excluded.updated_at",
                (consumer, file, offset, time.time()),
            )

    def reset_checkpoint(self, consumer: str) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM checkpoints WHERE consumer = ?", (consumer,))

    # ---- seen sets ----------------------------------------------------------
    def seen_hashes(self, namespace: str, keys: Iterable[str]) -> dict[str, str | None]:
        """The stored hash for each key already seen in namespace."""
        keys = list(keys)
        found: dict[str, str | None] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for key, value in self._conn.execute(
                    f"SELECT key, hash FROM seen WHERE namespace = ? AND key IN ({marks})", (namespace, *chunk)
                ):
                    found[key] = value
        return found

    def mark_seen(self, namespace: str, items: Iterable[tuple[str, str | None]]) -> None:
        now = time.time()
        with self.transaction() as conn:
            conn.executemany(
                "INSERT INTO seen(namespace, key, hash, seen_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(namespace, key) DO UPDATE SET hash=excluded.hash, seen_at=excluded.seen_at",
                [(namespace, key, value, now) for key, value in items],
            )

    def count_seen(self, namespace: str) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM seen WHERE namespace = ?", (namespace,)).fetchone()[0])

    # ---- memos --------------------------------------------------------------
    def get_memo(self, namespace: str, key: str) -> Any | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT value FROM memo WHERE namespace = ? AND key = ?", (namespace, key)
            ).fetchone()
        return json.loads(row[0]) if row else None

    def put_memo(self, namespace: str, key: str, value: Any) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO memo(namespace, key, value, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(namespace, key) DO UPDATE SET value=excluded.value, updated_at=excluded.updated_at",
                (namespace, key, json.dumps(value, ensure_ascii=False, default=str), time.time()),
            )

    def memos(self, namespace: str) -> dict[str, Any]:
        with self._lock:
            rows = self._conn.execute("SELECT key, value FROM memo WHERE namespace = ?", (namespace,)).fetchall()
        return {key: json.loads(value) for key, value in rows}

    def delete_memo(self, namespace: str, key: str) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM memo WHERE namespace = ? AND key = ?", (namespace, key))
