"""envmon crawl: fetch the sources into the raw spool and say, per source, what happened."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from envmon_cli.common import console, err_console, settings, user_errors

# The failure kinds that mean "could not reach the site at all".
UNREACHABLE_KINDS = ("dns", "timeout", "refused", "connection")


def register(app: typer.Typer) -> None:
    """Add `envmon crawl` to the CLI."""
    app.command("crawl")(crawl)


@user_errors
def crawl(
    sources: Annotated[Path | None, typer.Option("--sources", help="A sources.toml (default: the packaged crawlers/sources.toml).")] = None,
    source: Annotated[str | None, typer.Option("--source", help="Crawl only the source with this name.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object.")] = False,
) -> None:
    """Crawl news feeds, sitemaps, section pages and forum threads into the raw spool.

    Only new or changed pages are fetched; robots.txt is obeyed; private and loopback
    addresses are refused unless ENVMON_ALLOW_PRIVATE_NETWORKS=1.
    """
    from crawlers.report import NothingCrawled
    from crawlers.runner import run_crawl

    config = settings()
    report = run_crawl(config, sources, source)
    if as_json:
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        _print_summary(report)
    if not report.crawled:
        count = len(report.sources)
        raise NothingCrawled(
            f"No source could be crawled ({count} tried); fix the reasons listed above or check the network."
        )


def status_label(status: str, message: str | None) -> str:
    """ok | refused | unreachable | failed | timeout | crashed."""
    if status != "failed" or not message:
        return status
    kind = message.split(":", 1)[0]
    if kind == "private":
        return "refused"
    return "unreachable" if kind in UNREACHABLE_KINDS else "failed"


def _print_summary(report) -> None:  # type: ignore[no-untyped-def]
    table = Table(title="crawl summary", title_justify="left")
    table.add_column("source")
    table.add_column("status")
    for name in ("fetched", "new", "changed", "unchanged", "robots"):
        table.add_column(name, justify="right")
    table.add_column("errors")
    colours = {"ok": "green", "timeout": "yellow"}
    for summary in report.sources:
        label = status_label(summary.status, summary.message)
        errors = ", ".join(f"{kind} {n}" for kind, n in sorted(summary.errors.items())) or "-"
        table.add_row(
            Text(summary.source),
            Text(label, style=colours.get(label, "red")),
            str(summary.fetched), str(summary.new), str(summary.changed), str(summary.unchanged), str(summary.robots),
            Text(errors),
        )
    console.print(table)
    for summary in report.sources:
        if summary.message:
            target = console if summary.status == "ok" else err_console
            target.print(Text(f"{summary.source}: {status_label(summary.status, summary.message)} — {summary.message}"))
    console.print(
        Text(
            f"{len(report.crawled)}/{len(report.sources)} sources crawled: {report.total('fetched')} pages fetched, "
            f"{report.total('new')} new, {report.total('changed')} changed, {report.total('unchanged')} unchanged, "
            f"{report.total('robots')} skipped by robots.txt, {report.total('alt_urls')} duplicates under another URL, "
            f"{report.total('error_count')} errors"
        )
    )
