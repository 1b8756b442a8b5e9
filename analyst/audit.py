"""The audit log: who did what and when, append-only (data_dir/audit.sqlite).

SQLite triggers refuse UPDATE and DELETE on the table, so not even a bug in the app can
rewrite history; the web app offers no route that tries. Passwords and tokens never enter
it: details are scrubbed of any key that names a secret.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from index.settings import Settings

AUDIT_FILE = "audit.sqlite"
_SECRET_WORDS = ("password", "token", "secret", "authorization", "cookie")
_BUSY_TIMEOUT_S = 30
EXPORT_BATCH = 1000

# What the app records; the names are stable because auditors filter on them.
SEARCH = "search"
EXPORT = "export"
VIEW_FLAGGED = "view_flagged"
MARK_REVIEWED = "mark_reviewed"
LABEL_CORRECTION = "label_correction"
ALERT_ACK = "alert_acknowledge"
LOGIN_SUCCESS = "login_success"
LOGIN_FAILURE = "login_failure"
LOGOUT = "logout"
SAVED_SEARCH = "saved_search"
REPORT_VIEW = "report_view"
USER_CHANGE = "user_change"
AUDIT_EXPORT = "audit_export"
ACCESS_DENIED = "access_denied"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    user TEXT,
    action TEXT NOT NULL,
    target TEXT,
    detail TEXT NOT NULL DEFAULT '{}',
    client TEXT
);
CREATE INDEX IF NOT EXISTS audit_action ON audit(action, id);
CREATE INDEX IF NOT EXISTS audit_user ON audit(user, id);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


class AuditEntry(BaseModel):
    id: int
    at: datetime
    user: str | None = Field(description="The acting user; for a failed login, the name that was tried.")
    action: str
    target: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)
    client: str | None = None


def _utcnow() -> datetime:
    return datetime.now(UTC)


def scrub(detail: dict[str, Any]) -> dict[str, Any]:
    """Drop any key that names a secret, at any depth."""
    clean: dict[str, Any] = {}
    for key, value in detail.items():
        if any(word in key.lower() for word in _SECRET_WORDS):
            continue
        clean[key] = scrub(value) if isinstance(value, dict) else value
    return clean


class AuditLog:
    """Append and read audit entries."""

    def __init__(self, path: Path, clock: Callable[[], datetime] = _utcnow) -> None:
        self.path = path
        self.clock = clock
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.executescript(_SCHEMA)

    @classmethod
    def from_settings(cls, settings: Settings, clock: Callable[[], datetime] = _utcnow) -> AuditLog:
        return cls(settings.data_dir / AUDIT_FILE, clock)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            yield conn
        finally:
            conn.close()

    def record(
        self,
        user: str | None,
        action: str,
        target: str | None = None,
        detail: dict[str, Any] | None = None,
        client: str | None = None,
    ) -> None:
        """Append one entry, stamped with the current UTC time."""
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO audit(at, user, action, target, detail, client) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    self.clock().astimezone(UTC).isoformat(),
                    user,
                    action,
                    target,
                    json.dumps(scrub(detail or {}), ensure_ascii=False, default=str),
                    client,
                ),
            )

    def _where(self, action: str | None, user: str | None) -> tuple[str, list[Any]]:
        clauses, params = [], []
        if action:
            clauses.append("action = ?")
            params.append(action)
        if user:
            clauses.append("user = ?")
            params.append(user)
        return (" AND ".join(clauses) or "1"), params

    def entries(self, *, limit: int = 100, offset: int = 0, action: str | None = None, user: str | None = None) -> list[AuditEntry]:
        """Newest first."""
        where, params = self._where(action, user)
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT id, at, user, action, target, detail, client FROM audit WHERE {where} ORDER BY id DESC LIMIT ? OFFSET ?",
                [*params, limit, offset],
            ).fetchall()
        return [_entry(row) for row in rows]

    def count(self, *, action: str | None = None, user: str | None = None) -> int:
        where, params = self._where(action, user)
        with self._connect() as conn:
            return int(conn.execute(f"SELECT count(*) FROM audit WHERE {where}", params).fetchone()[0])

    def actions(self) -> list[str]:
        with self._connect() as conn:
            return [row[0] for row in conn.execute("SELECT DISTINCT action FROM audit ORDER BY action")]

    def iter_all(self) -> Iterator[AuditEntry]:
        """Every entry, oldest first, read in batches (for export)."""
        last = 0
        while True:
            with self._connect() as conn:
                rows = conn.execute(
                    "SELECT id, at, user, action, target, detail, client FROM audit WHERE id > ? ORDER BY id LIMIT ?",
                    (last, EXPORT_BATCH),
                ).fetchall()
            if not rows:
                return
            for row in rows:
                last = row[0]
                yield _entry(row)


def _entry(row: tuple[Any, ...]) -> AuditEntry:
    return AuditEntry(
        id=row[0], at=datetime.fromisoformat(row[1]), user=row[2], action=row[3], target=row[4], detail=json.loads(row[5]), client=row[6]
    )
