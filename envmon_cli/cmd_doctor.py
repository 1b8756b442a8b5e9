"""envmon doctor: check settings, data dir, backend, models, and say what to fix."""

from __future__ import annotations

import os
import sqlite3
import stat

import typer
from rich.table import Table
from rich.text import Text

from envmon_cli.common import console, user_errors
from index.backends import open_backend
from index.errors import EnvmonError
from index.logs import setup_logging
from index.settings import PSEUDONYM_SECRET_FILE, Settings, load_settings


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)


@user_errors
def doctor() -> None:
    """Check the deployment and print what to fix; exits non-zero when something is wrong."""
    checks: list[tuple[str, bool, str]] = []
    try:
        config = load_settings()
    except EnvmonError as exc:
        console.print(Text("✗ settings", style="red") + Text(f": {exc}"))
        raise typer.Exit(2) from None
    checks.append(("settings", True, f"data dir {config.data_dir}, backend {config.backend_kind}, tz {config.timezone}"))
    try:
        config.ensure_data_dir()
        setup_logging(config)
        writable = os.access(config.data_dir, os.W_OK)
        checks.append(("data dir", writable, "writable" if writable else f"{config.data_dir} is not writable: fix its permissions"))
    except EnvmonError as exc:
        checks.append(("data dir", False, str(exc)))
    key_file = config.data_dir / PSEUDONYM_SECRET_FILE
    if config.pseudonym_secret is not None:
        checks.append(("pseudonym secret", True, "from ENVMON_PSEUDONYM_SECRET"))
    elif key_file.exists():
        mode = stat.S_IMODE(key_file.stat().st_mode)
        ok = mode & 0o077 == 0
        checks.append(("pseudonym secret", ok, f"{key_file} mode {mode:o}" + ("" if ok else f": run chmod 600 {key_file}")))
    else:
        checks.append(("pseudonym secret", True, "not created yet; `envmon init` or the first import creates it (mode 600)"))
    try:
        backend = open_backend(config)
        health = backend.health()
        backend.close()
        checks.append((f"backend ({health.backend})", health.ok, health.detail + (f"; {health.documents} documents" if health.documents is not None else "")))
    except EnvmonError as exc:
        checks.append(("backend", False, str(exc)))
    try:
        checks.append(("backlog", True, _backlog(config)))
    except (OSError, sqlite3.Error) as exc:
        checks.append(("backlog", False, f"the state file {config.state_path} cannot be read ({exc}): check the data dir's permissions"))
    try:
        from nlp.models import model_status

        ok, detail = model_status(config)
        checks.append(("models", ok, detail))
    except ImportError:
        checks.append(("models", False, "the NLP models module is missing: reinstall envmon"))
    table = Table(show_header=False, box=None)
    for name, ok, detail in checks:
        table.add_row("[green]✓[/]" if ok else "[red]✗[/]", name, Text(detail, overflow="fold"))  # paths, URLs, messages: never markup, never cut
    console.print(table)
    if not all(ok for _, ok, _ in checks):
        raise typer.Exit(1)


def _backlog(config: Settings) -> str:
    """How much of each spool its stage has not consumed (archive spool files only once passed)."""
    from index.indexer import pending_bytes
    from index.spool import Spool, SpoolConsumer
    from index.state import StateStore
    from nlp.enrich import CONSUMER as ENRICH_CONSUMER

    state = StateStore(config.state_path)
    try:
        raw = SpoolConsumer(Spool(config.spool_dir, config.tz), state, ENRICH_CONSUMER).backlog_bytes()
    finally:
        state.close()
    return f"{raw} bytes not enriched, {pending_bytes(config)} bytes not indexed"
