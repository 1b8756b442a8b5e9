"""Pipeline commands: run (the ingest flow), flows serve, alerts, report weekly, demo."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.table import Table
from rich.text import Text

from envmon_cli.common import console, err_console, settings, user_errors
from index.errors import EnvmonError, InputError

flows_app = typer.Typer(help="Prefect deployments of the four flows.", no_args_is_help=True)
report_app = typer.Typer(help="Reports for officials.", no_args_is_help=True)


class NothingReachable(EnvmonError):
    """No configured source answered an ingest run."""

    exit_code = 1


def register(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("alerts")(alerts)
    app.command("demo")(demo)
    flows_app.command("serve")(serve)
    report_app.command("weekly")(weekly)
    app.add_typer(flows_app, name="flows")
    app.add_typer(report_app, name="report")


def parse_now(value: str | None, tz: ZoneInfo) -> datetime:
    """--now as a tz-aware moment (a value without a zone is local time); default: now."""
    if value is None:
        return datetime.now(tz)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"--now {value!r} is not a date and time; use ISO 8601, e.g. 2026-11-25T20:00+07:00.") from None
    moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)
    if not datetime(1995, 1, 1, tzinfo=tz) <= moment <= datetime(2200, 1, 1, tzinfo=tz):
        raise InputError(f"--now {value!r} is outside the years envmon can reason about (1995–2200).")
    return moment


@user_errors
def run(
    sources: Annotated[Path | None, typer.Option("--sources", help="A sources.toml (default: the packaged crawlers/sources.toml).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run's summary as JSON.")] = False,
) -> None:
    """Run the ingest flow once: crawl every source, enrich, index, regroup issues."""
    from flows.runtime import configure_prefect

    config = settings()
    configure_prefect(config, quiet=True)
    from flows.crawling import plan_crawl
    from flows.ingest import ingest

    plan_crawl(sources)  # a malformed sources file ends here, in one sentence
    with console.status("ingest: crawling, enriching, indexing…"):
        summary = ingest(sources=str(sources) if sources else None)
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
    else:
        print_ingest(summary)
    if summary["nothing_reachable"]:
        kinds = sorted({kind for source in summary["sources"] for kind in (source.get("errors") or {})})
        raise NothingReachable(
            f"No source was reachable ({len(summary['sources'])} tried; {', '.join(kinds) or 'no answer'}): this machine "
            "looks offline — run `make demo` (or `envmon demo`) to see envmon end to end without the network."
        )


def print_ingest(summary: dict[str, Any]) -> None:
    """The ingest summary: one row per source, then one line per stage."""
    if summary["sources"]:
        table = Table(title="sources", title_justify="left")
        for column in ("source", "status", "fetched", "new", "changed", "errors"):
            table.add_column(column, justify="right" if column in ("fetched", "new", "changed") else "left")
        for source in summary["sources"]:
            errors = ", ".join(f"{kind} {n}" for kind, n in sorted((source.get("errors") or {}).items())) or "-"
            style = "green" if source.get("status") == "ok" else "red"
            table.add_row(Text(source["source"]), Text(str(source.get("status")), style=style), str(source.get("fetched", 0)),
                          str(source.get("new", 0)), str(source.get("changed", 0)), Text(errors))
        console.print(table)
    for item in summary["imports"]:
        console.print(Text(f"imported {item['file']}: {item.get('imported', 0)} new of {item.get('rows', 0)} rows" if "error" not in item
                           else f"import of {item['file']} failed: {item['error']}"))
    enrich, index, issues = summary["enrich"], summary["index"], summary["issues"]
    topics = ", ".join(f"{topic} {count}" for topic, count in sorted(enrich.get("by_topic", {}).items(), key=lambda kv: -kv[1]))
    console.print(Text(f"crawled {summary['crawled']}/{len(summary['sources'])} sources; enriched {enrich.get('enriched', 0)} documents"
                       + (f" ({topics})" if topics else "") + f"; indexed {index.get('indexed', 0)}; "
                       f"{issues.get('issues', 0)} issues ({issues.get('documents_updated', 0)} documents re-tagged)"))
    failed_sources = {source["source"] for source in summary["sources"] if source.get("status") != "ok"}
    for failure in summary["failures"]:
        if summary["nothing_reachable"] and failure.split(":", 1)[0] in failed_sources:
            continue  # every source failed: the table and the closing sentence say it once
        err_console.print(Text(f"  {failure}", style="yellow"))


@user_errors
def serve(
    sources: Annotated[Path | None, typer.Option("--sources", help="The sources.toml the hourly ingest crawls.")] = None,
) -> None:
    """Serve ingest (hourly), early warning (hourly), weekly report (Monday 07:00) and retrain (weekly)."""
    from flows.runtime import configure_prefect

    config = settings()
    configure_prefect(config)
    from flows.serve import serve_all

    serve_all(str(sources.resolve()) if sources else None)


@user_errors
def alerts(
    now: Annotated[str | None, typer.Option("--now", help="Detect as of this ISO time (default: now).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the alerts as a JSON list.")] = False,
    list_stored: Annotated[bool, typer.Option("--list", help="Show stored alerts instead of detecting.")] = False,
    limit: Annotated[int, typer.Option(help="With --list: how many, most recent first.")] = 20,
) -> None:
    """Detect escalating issues, projects, communes and claims; print only newly raised alerts."""
    from analyst.alerts.deliver import deliver_alerts, deliver_pending
    from analyst.alerts.detect import detect_alerts
    from analyst.alerts.store import list_alerts
    from analyst.issues import update_issues
    from index.backends import open_backend

    config = settings()
    backend = open_backend(config)
    try:
        if list_stored:
            found = list_alerts(backend, limit)
        else:
            update_issues(backend, config.tz)
            moment = parse_now(now, config.tz)
            found = detect_alerts(backend, moment, config.tz).alerts
            deliver_alerts(config, backend, found)
            deliver_pending(config, backend, moment)
    finally:
        backend.close()
    if as_json:
        typer.echo(json.dumps([alert.model_dump(mode="json") for alert in found], ensure_ascii=False))
        return
    print_alerts(found, config.tz, stored=list_stored)


def print_alerts(found: list, tz: ZoneInfo, stored: bool = False) -> None:  # type: ignore[type-arg]
    from analyst.alerts.text import alert_text

    if not found:
        console.print("no stored alerts" if stored else "no new alerts")
        return
    for alert in found:
        console.print(Text(alert_text(alert, tz)), Text(", ".join(f"{channel}: {outcome}" for channel, outcome in alert.deliveries.items())))
        console.rule(style="dim")


@user_errors
def weekly(
    week: Annotated[str | None, typer.Option("--week", help="ISO week YYYY-Www (default: the week of --now).")] = None,
    now: Annotated[str | None, typer.Option("--now", help="The moment the report is as of (ISO; default: now).")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Folder for the files (default: <data dir>/reports/<week>/).")] = None,
) -> None:
    """Write the weekly sensitivity report: report.html, report.pdf and report.json, in Vietnamese."""
    from analyst.issues import update_issues
    from analyst.report.build import build_report, parse_week, week_of
    from analyst.report.render import write_report
    from index.backends import open_backend

    config = settings()
    moment = parse_now(now, config.tz)
    chosen = week or week_of(moment, config.tz)
    parse_week(chosen)
    backend = open_backend(config)
    try:
        update_issues(backend, config.tz)
        with console.status(f"building the report of {chosen}…"):
            report = build_report(backend, chosen, moment, config.tz)
            files = write_report(report, out or config.reports_dir / chosen, generated_at=datetime.now(config.tz))
    finally:
        backend.close()
    console.print(Text(f"week {chosen}: {report.totals['stories']} stories ({report.totals['documents']} documents), "
                       f"{report.totals['high_sensitivity']} high sensitivity, {len(report.alerts)} alerts"))
    for path in (files.html, files.pdf, files.json):
        console.print(Text(f"  {path}"))


@user_errors
def demo(
    folder: Annotated[Path | None, typer.Option("--data-dir", help="Where the demo keeps its data (default: <data dir>/demo; wiped each run).")] = None,
) -> None:
    """Offline demo: a loopback news site, a forum and a social export with a planted escalation, end to end."""
    from flows.demo.run import run_demo

    config = settings()
    with console.status("demo: serving the demo site, crawling, importing, enriching, detecting, reporting…"):
        outcome = run_demo(config, folder)
    print_demo(outcome)


def print_demo(outcome) -> None:  # type: ignore[no-untyped-def]
    """The demo's closing summary: documents per topic, the alerts with their reasons, the report files."""
    from analyst.vi import topic_vi

    ingest = outcome.ingest
    console.rule("envmon demo")
    console.print(Text(f"scenario clock: {outcome.now:%Y-%m-%d %H:%M %Z} · data dir: {outcome.data_dir}"))
    console.print(Text(f"crawled {ingest['crawled']}/{len(ingest['sources'])} loopback sources, imported "
                       + ", ".join(f"{item.get('imported', 0)} posts from {item['file']}" for item in ingest["imports"])))
    table = Table(title="documents indexed per topic", title_justify="left")
    table.add_column("topic")
    table.add_column("documents", justify="right")
    for topic, count in outcome.documents_by_topic.items():
        table.add_row(f"{topic} ({topic_vi(topic)})", str(count))
    console.print(table)
    console.print(Text(f"{len(outcome.alerts)} alert(s) raised as of the scenario clock:", style="bold"))
    for alert in outcome.alerts:
        console.print(Text(f"• {alert['title']}  [score {alert['score']}]", style="bold red"))
        for reason in alert["reasons"]:
            console.print(Text(f"    - {reason}"))
    report = outcome.report
    console.print(Text(f"weekly report {report['week']}:", style="bold"))
    for key in ("html", "pdf", "json"):
        console.print(Text(f"  {report[key]}"))
    console.print(Text(f"done in {outcome.seconds:.0f} s. Browse it: ENVMON_DATA_DIR={outcome.data_dir} envmon serve"))
