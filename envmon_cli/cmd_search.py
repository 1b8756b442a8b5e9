"""envmon search: the query syntax and filters shared with the web app and the API."""

from __future__ import annotations

import html
import json
import re
from datetime import date, datetime
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from envmon_cli.common import console, settings, user_errors
from index.backend import SearchResult
from index.backends import open_backend
from index.query import build_query

_MARK = re.compile(r"<mark>(.*?)</mark>", re.DOTALL)


def register(app: typer.Typer) -> None:
    app.command("search")(search)


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        from index.errors import QueryError

        raise QueryError(f"{option} {value!r} is not a date; use YYYY-MM-DD.") from None


@user_errors
def search(
    query: Annotated[str, typer.Argument(help='Words, "phrases", AND/OR/NOT, -exclusions; "" matches everything.')] = "",
    topic: Annotated[list[str] | None, typer.Option("--topic", help="Topic label (repeatable).")] = None,
    min_sensitivity: Annotated[str | None, typer.Option(help="low | medium | high")] = None,
    min_misinfo: Annotated[float | None, typer.Option(help="Minimum misinformation risk, 0..1.")] = None,
    misinfo_level: Annotated[list[str] | None, typer.Option("--misinfo-level", help="low | elevated | high")] = None,
    province: Annotated[list[str] | None, typer.Option("--province", help="Province name (repeatable).")] = None,
    project: Annotated[list[str] | None, typer.Option("--project", help="Project key (repeatable).")] = None,
    source: Annotated[list[str] | None, typer.Option("--source", help="Source name (repeatable).")] = None,
    kind: Annotated[list[str] | None, typer.Option("--kind", help="rss | sitemap | listing | forum | import")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD (Asia/Ho_Chi_Minh).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
    sort: Annotated[str, typer.Option(help="relevance | date | sensitivity")] = "relevance",
    limit: Annotated[int, typer.Option(help="Hits to show.")] = 20,
    offset: Annotated[int, typer.Option(help="Hits to skip (pagination).")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help='Print {"total", "hits", "facets"} as JSON.')] = False,
) -> None:
    """Search indexed documents, accent-insensitively ("o nhiem" finds "ô nhiễm")."""
    parsed = build_query(
        query,
        topic=topic or [],
        min_sensitivity=min_sensitivity,
        min_misinfo=min_misinfo,
        misinfo_level=misinfo_level or [],
        province=province or [],
        project=project or [],
        source=source or [],
        source_kind=kind or [],
        date_from=_date(date_from, "--from"),
        date_to=_date(date_to, "--to"),
        sort=sort,
        limit=limit,
        offset=offset,
    )
    config = settings()
    backend = open_backend(config)
    try:
        result = backend.search(parsed)
    finally:
        backend.close()
    if as_json:
        typer.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=None))
        return
    _print_table(result, config.tz, offset)


def snippet_text(snippet_html: str) -> Text:
    """Rich Text from our escaped snippet: highlights as reverse video, never as markup."""
    text = Text()
    position = 0
    for match in _MARK.finditer(snippet_html):
        text.append(html.unescape(snippet_html[position : match.start()]))
        text.append(html.unescape(match.group(1)), style="bold reverse")
        position = match.end()
    text.append(html.unescape(snippet_html[position:]))
    return text


def _print_table(result: SearchResult, tz, offset: int) -> None:  # type: ignore[no-untyped-def]
    table = Table(title=f"{result.total} documents", show_lines=True, title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("date")
    table.add_column("source")
    table.add_column("labels")
    table.add_column("title / snippet", ratio=1)
    for number, hit in enumerate(result.hits, start=offset + 1):
        document = hit.document
        when: datetime = document.sort_at.astimezone(tz)
        enrichment = document.enrichment
        labels = Text()
        for label in (document.effective("topic"), document.effective("sensitivity"), enrichment.misinfo_level and f"misinfo {enrichment.misinfo_level}"):
            if label:
                labels.append(f"{label}\n")
        body = Text(document.title or "", style="bold")
        if document.title:
            body.append("\n")
        body.append_text(snippet_text(hit.snippet_html))
        table.add_row(str(number), f"{when:%Y-%m-%d %H:%M}", Text(document.source), labels, body)
    console.print(table)
    for name, buckets in result.facets.items():
        if buckets and name != "date":
            console.print(Text(f"{name}: " + ", ".join(f"{key} ({count})" for key, count in list(buckets.items())[:8])))
