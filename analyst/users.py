"""Web-app users: roles, argon2 password hashes, API bearer tokens, sessions, login rate limits.

One SQLite file in the data dir (users.sqlite). Secrets are never stored in the clear:
passwords as argon2id hashes, bearer tokens and session ids as SHA-256 digests (they are
256-bit random values, so a fast hash is enough and lookups stay indexable).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from index.errors import InputError
from index.settings import Settings

USERS_FILE = "users.sqlite"
ROLES = ("viewer", "analyst", "admin")  # each role can do everything the ones before it can
MIN_PASSWORD_CHARS = 10  # argon2 slows guessing; a short password still falls to a dictionary
TOKEN_PREFIX = "envmon_"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,31}$")
_BUSY_TIMEOUT_S = 30

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    digest TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users(name),
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    digest TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users(name),
    csrf_token TEXT NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS login_failures (
    key TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_key ON login_failures(key, at);
"""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    active: bool = True

    def can(self, role: str) -> bool:
        """True when this user's role includes `role` (admin ⊃ analyst ⊃ viewer)."""
        return self.active and ROLES.index(self.role) >= ROLES.index(role)


@dataclass(frozen=True)
class Session:
    user: User
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class LoginLimits:
    """How many failed logins are tolerated within the window, per user name and per client."""

    per_user: int = 5
    per_client: int = 20
    window: timedelta = timedelta(minutes=15)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _utcnow() -> datetime:
    return datetime.now(UTC)


class UserStore:
    """Users, tokens, sessions and login failures in data_dir/users.sqlite."""

    def __init__(
        self,
        path: Path,
        *,
        session_lifetime: timedelta = timedelta(hours=12),
        limits: LoginLimits | None = None,
        clock: Callable[[], datetime] = _utcnow,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self.path = path
        self.session_lifetime = session_lifetime
        self.limits = limits or LoginLimits()
        self.clock = clock
        self._hasher = hasher or PasswordHasher()  # argon2id with the library's (RFC 9106) defaults
        # Verifying against this when the user is unknown keeps timing from revealing names.
        self._dummy_hash = self._hasher.hash(secrets.token_hex(16))
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.executescript(_SCHEMA)

    @classmethod
    def from_settings(cls, settings: Settings, **options: object) -> UserStore:
        return cls(settings.data_dir / USERS_FILE, **options)  # type: ignore[arg-type]

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            yield conn
        finally:
            conn.close()

    # ---- users ----------------------------------------------------------------------
    def add_user(self, name: str, role: str, password: str) -> User:
        """Create a user; raises InputError for a taken or malformed name, unknown role, short password."""
        name = name.strip().lower()
        if not _NAME.match(name):
            raise InputError(f"User name {name!r} is not allowed; use 2-32 lowercase letters, digits, '.', '_' or '-'.")
        _check_role(role)
        _check_password(password)
        with self._connect() as conn:
            try:
                conn.execute(
                    "INSERT INTO users(name, role, password_hash, active, created_at) VALUES (?, ?, ?, 1, ?)",
                    (name, role, self._hasher.hash(password), self.clock().isoformat()),
                )
            except sqlite3.IntegrityError:
                raise InputError(f"User {name!r} already exists; pick another name.") from None
        return User(name=name, role=role)

    def get(self, name: str) -> User | None:
        with self._connect() as conn:
            row = conn.execute("SELECT name, role, active FROM users WHERE name = ?", (name,)).fetchone()
        return User(row[0], row[1], bool(row[2])) if row else None

    def list_users(self) -> list[User]:
        with self._connect() as conn:
            rows = conn.execute("SELECT name, role, active FROM users ORDER BY name").fetchall()
        return [User(name, role, bool(active)) for name, role, active in rows]

    def update_user(self, name: str, *, role: str | None = None, active: bool | None = None) -> User:
        """Change a user's role or switch the account on/off (off ends its sessions)."""
        user = self.get(name)
        if user is None:
            raise InputError(f"No user named {name!r}; check the name.")
        if role is not None:
            _check_role(role)
        with self._connect() as conn:
            conn.execute(
                "UPDATE users SET role = ?, active = ? WHERE name = ?",
                (role or user.role, int(user.active if active is None else active), name),
            )
            if active is False:
                conn.execute("DELETE FROM sessions WHERE user = ?", (name,))
        return self.get(name)  # type: ignore[return-value]

    def set_password(self, name: str, password: str) -> None:
        _check_password(password)
        with self._connect() as conn:
            changed = conn.execute(
                "UPDATE users SET password_hash = ? WHERE name = ?", (self._hasher.hash(password), name)
            ).rowcount
            conn.execute("DELETE FROM sessions WHERE user = ?", (name,))
        if not changed:
            raise InputError(f"No user named {name!r}; check the name.")

    def authenticate(self, name: str, password: str) -> User | None:
        """The active user with this name and password, or None."""
        name = name.strip().lower()
        with self._connect() as conn:
            row = conn.execute("SELECT role, password_hash, active FROM users WHERE name = ?", (name,)).fetchone()
        stored = row[1] if row else self._dummy_hash
        try:
            self._hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if row is None or not row[2]:
            return None
        if self._hasher.check_needs_rehash(stored):
            with self._connect() as conn:
                conn.execute("UPDATE users SET password_hash = ? WHERE name = ?", (self._hasher.hash(password), name))
        return User(name=name, role=row[0])

    # ---- bearer tokens --------------------------------------------------------------
    def create_token(self, name: str) -> str:
        """A new API token for the user, shown once; only its digest is kept."""
        if self.get(name) is None:
            raise InputError(f"No user named {name!r}; add it first with `envmon user add`.")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO tokens(digest, user, created_at) VALUES (?, ?, ?)",
                (_digest(token), name, self.clock().isoformat()),
            )
        return token

    def revoke_tokens(self, name: str) -> int:
        with self._connect() as conn:
            return conn.execute("DELETE FROM tokens WHERE user = ?", (name,)).rowcount

    def user_for_token(self, token: str) -> User | None:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT u.name, u.role, u.active FROM tokens t JOIN users u ON u.name = t.user WHERE t.digest = ?",
                (_digest(token),),
            ).fetchone()
        if row is None or not row[2]:
            return None
        return User(row[0], row[1], True)

    # ---- sessions -------------------------------------------------------------------
    def create_session(self, user: User) -> tuple[str, Session]:
        """A new session id (for the cookie) and its session, with a CSRF token bound to it."""
        session_id = secrets.token_urlsafe(32)
        expires = self.clock() + self.session_lifetime
        session = Session(user=user, csrf_token=secrets.token_urlsafe(32), expires_at=expires)
        with self._connect() as conn:
            conn.execute("DELETE FROM sessions WHERE expires_at < ?", (self.clock().timestamp(),))
            conn.execute(
                "INSERT INTO sessions(digest, user, csrf_token, expires_at) VALUES (?, ?, ?, ?)",
                (_digest(session_id), user.name, session.csrf_token, expires.timestamp()),
            )
        return session_id, session

    def session(self, session_id: str) -> Session | None:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT u.name, u.role, u.active, s.csrf_token, s.expires_at FROM sessions s "
                "JOIN users u ON u.name = s.user WHERE s.digest = ?",
                (_digest(session_id),),
            ).fetchone()
        if row is None or not row[2] or row[4] < self.clock().timestamp():
            return None
        return Session(User(row[0], row[1], True), row[3], datetime.fromtimestamp(row[4], UTC))

    def end_session(self, session_id: str) -> None:
        with self._connect() as conn:
            conn.execute("DELETE FROM sessions WHERE digest = ?", (_digest(session_id),))

    # ---- login rate limiting --------------------------------------------------------
    def login_blocked_for(self, name: str, client: str) -> timedelta | None:
        """How long this name or client must wait before trying again, or None when allowed."""
        now = self.clock().timestamp()
        since = now - self.limits.window.total_seconds()
        waits: list[float] = []
        with self._connect() as conn:
            for key, limit in ((f"user:{name.strip().lower()}", self.limits.per_user), (f"client:{client}", self.limits.per_client)):
                rows = conn.execute(
                    "SELECT at FROM login_failures WHERE key = ? AND at >= ? ORDER BY at DESC LIMIT ?",
                    (key, since, limit),
                ).fetchall()
                if len(rows) >= limit:
                    waits.append(rows[-1][0] + self.limits.window.total_seconds() - now)
        return timedelta(seconds=max(1, int(max(waits)))) if waits else None

    def record_login_failure(self, name: str, client: str) -> None:
        now = self.clock().timestamp()
        with self._connect() as conn:
            conn.execute("DELETE FROM login_failures WHERE at < ?", (now - self.limits.window.total_seconds(),))
            conn.executemany(
                "INSERT INTO login_failures(key, at) VALUES (?, ?)",
                [(f"user:{name.strip().lower()}", now), (f"client:{client}", now)],
            )

    def clear_login_failures(self, name: str) -> None:
        with self._connect() as conn:
            conn.execute("DELETE FROM login_failures WHERE key = ?", (f"user:{name.strip().lower()}",))


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InputError(f"Unknown role {role!r}; use one of {', '.join(ROLES)}.")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise InputError(f"The password is too short; use at least {MIN_PASSWORD_CHARS} characters.")
