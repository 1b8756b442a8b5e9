"""Data-moving commands: init, import, enrich, index."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from envmon_cli.common import byte_progress, console, err_console, settings, user_errors
from index.backends import open_backend
from index.errors import BackendUnavailable, InputError
from index.settings import redact_url


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("import")(import_command)
    app.command("enrich")(enrich)
    app.command("index")(index)


@user_errors
def init() -> None:
    """Create the data dir, the pseudonym secret (mode 0600) and the search index."""
    config = settings()
    config.ensure_data_dir()
    _ = config.pseudonym_key
    backend = open_backend(config)
    backend.ensure_ready()
    backend.close()
    console.print(f"data dir: {config.data_dir}", markup=False, highlight=False)
    location = redact_url(config.index_url or "") if config.backend_kind == "elasticsearch" else config.sqlite_path
    console.print(f"backend:  {config.backend_kind} ({location})", markup=False, highlight=False)  # never a password written into the URL


@user_errors
def import_command(
    file: Annotated[Path, typer.Argument(help="A JSONL or CSV export with platform, post_id, url, author, text, published_at.")],
    platform: Annotated[str | None, typer.Option(help="Platform name when the file has no platform column.")] = None,
    show_bad: Annotated[int, typer.Option(help="How many bad rows to list.")] = 20,
) -> None:
    """Import a social/forum export into the raw spool (authors pseudonymised at once)."""
    from crawlers.importer import import_file

    config = settings()
    with byte_progress(f"importing {file.name}") as progress:
        report = import_file(file, config, platform=platform, progress=progress)
    # File and column names come from the user's file: Text, never Rich markup.
    summary = Text(f"{file.name}: {report.rows} rows read ({report.encoding}) — ")
    summary.append(f"{report.imported} imported", style="green")
    summary.append(f", {report.unchanged} unchanged, {report.duplicates} duplicates, ")
    summary.append(f"{report.bad_count} bad", style="red" if report.bad_count else "green")
    summary.append((f", {report.truncated} truncated" if report.truncated else "")
                   + (f", {report.repaired} repaired encodings" if report.repaired else ""))
    console.print(summary, highlight=False)
    if report.ignored_columns:
        console.print(Text(f"ignored columns: {', '.join(sorted(report.ignored_columns))}"), highlight=False)
    for bad in report.bad[:show_bad]:
        err_console.print(f"  line {bad.line}: {bad.reason}", highlight=False, markup=False)
    if report.bad_count > show_bad:
        err_console.print(f"  … and {report.bad_count - show_bad} more bad rows", highlight=False)
    if not report.useful:
        raise InputError(f"No usable rows in {file.name}: fix the rows listed above and import it again.")


@user_errors
def enrich(
    limit: Annotated[int | None, typer.Option(help="Stop after this many documents.")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: ENVMON_ENRICH_WORKERS or up to 2).")] = None,
) -> None:
    """Turn new raw spool items into labelled Documents."""
    from nlp.enrich import run_enrich

    config = settings()
    with byte_progress("enriching") as progress:
        report = run_enrich(config, progress=progress, limit=limit, workers=workers)
    topics = ", ".join(f"{topic} {count}" for topic, count in sorted(report.by_topic.items(), key=lambda kv: -kv[1]))
    console.print(
        f"enriched {report.enriched} documents"
        + (f" ({topics})" if topics else "")
        + (f"; {report.quarantined} quarantined" if report.quarantined else "")
        + (f"; {report.torn_lines} torn spool lines skipped" if report.torn_lines else "")
        + (f"; model {report.model_version}" if report.model_version else ""),
        highlight=False,
    )


@user_errors
def index() -> None:
    """Send new documents to the search backend (kept pending if it is down)."""
    from index.indexer import run_index

    config = settings()
    backend = open_backend(config)
    try:
        with byte_progress("indexing") as progress:
            report = run_index(config, backend, progress=progress)
    finally:
        backend.close()
    console.print(
        f"indexed {report.indexed} documents into {config.backend_kind}"
        + (f"; {report.rejected} rejected (see quarantine/index.jsonl)" if report.rejected else "")
        + (f"; {report.expired} older than {config.retention_days} days deleted" if report.expired else ""),
        highlight=False,
    )
    if report.error:
        raise BackendUnavailable(
            f"{report.error.rstrip('.')} — {report.pending_bytes} bytes of documents stay pending; run `envmon index` again once it is back."
        )
