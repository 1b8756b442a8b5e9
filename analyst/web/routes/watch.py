"""Issues with timelines, alerts (acknowledge), weekly reports, source health."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from analyst import audit
from analyst.models import IssueRecord
from analyst.web.charts import bar_chart, daily_series, sensitivity_mix
from analyst.web.context import AnalystUser, AnyUser, Context, NotFound, WebContext
from analyst.web.documents import load_issue
from analyst.web.records_view import acknowledge_alert, list_alerts, list_issues
from analyst.web.rendering import render
from analyst.web.reports_list import REPORT_CSP, REPORT_FILES, list_reports, report_file
from analyst.web.sources_health import source_health
from index.backend import SearchResult
from index.query import build_query

router = APIRouter(include_in_schema=False)
ISSUE_DOCUMENTS_SHOWN = 50


def issue_detail(context: WebContext, issue_id: str) -> tuple[IssueRecord, SearchResult, dict[str, int]]:
    """The issue, its latest documents and its documents per day (the record's, else the index's)."""
    issue = load_issue(context.backend, issue_id)
    if issue is None:
        raise NotFound(f"No issue with id {issue_id!r}; issues are rebuilt by the ingest flow.")
    result = context.backend.search(build_query("", issue_id=issue_id, sort="date", limit=ISSUE_DOCUMENTS_SHOWN, highlight=False))
    per_day = issue.counts_by_day or result.facets.get("date", {})
    return issue, result, per_day


@router.get("/issues")
def issues_page(request: Request, context: Context, caller: AnyUser, topic: str | None = None, province: str | None = None) -> Response:
    issues = list_issues(context.backend, topic or None, province or None)
    charts = {issue.id: bar_chart(daily_series(issue.counts_by_day), width=240, height=36) for issue in issues}
    return render(request, context, caller, "issues.html", issues=issues, charts=charts, topic=topic or "", province=province or "")


@router.get("/issues/{issue_id}")
def issue_page(request: Request, context: Context, caller: AnyUser, issue_id: str) -> Response:
    issue, result, per_day = issue_detail(context, issue_id)
    mix = issue.sensitivity_mix or result.facets.get("sensitivity", {})
    return render(
        request,
        context,
        caller,
        "issue.html",
        issue=issue,
        result=result,
        timeline=bar_chart(daily_series(per_day)),
        mix=sensitivity_mix(mix),
        mix_counts=mix,
    )


@router.get("/alerts")
def alerts_page(request: Request, context: Context, caller: AnyUser, show: str = "open") -> Response:
    alerts = list_alerts(context.backend, open_only=show != "all")
    return render(request, context, caller, "alerts.html", alerts=alerts, show="all" if show == "all" else "open")


@router.post("/alerts/{alert_id}/ack")
def alert_ack(context: Context, caller: AnalystUser, alert_id: str) -> Response:
    acknowledge_alert(context.backend, alert_id, caller.name, context.clock())
    context.audit.record(caller.name, audit.ALERT_ACK, alert_id, client=caller.client)
    return RedirectResponse("/alerts", status_code=303)


@router.get("/reports")
def reports_page(request: Request, context: Context, caller: AnyUser) -> Response:
    return render(request, context, caller, "reports.html", reports=list_reports(context.settings.reports_dir))


def serve_report(context: WebContext, caller_name: str, client: str, week: str, name: str) -> Response:
    path = report_file(context.settings.reports_dir, week, name)
    if path is None:
        raise NotFound(f"No report {name} for week {week}; reports are written by `envmon report weekly`.")
    context.audit.record(caller_name, audit.REPORT_VIEW, f"{week}/{name}", client=client)
    headers = {"Cache-Control": "no-store"}
    if name == "report.html":
        headers["Content-Security-Policy"] = REPORT_CSP
        return FileResponse(path, media_type=REPORT_FILES[name], headers=headers)
    return FileResponse(path, media_type=REPORT_FILES[name], filename=f"envmon-{week}-{name}", headers=headers)


@router.get("/reports/{week}/{name}")
def report_download(context: Context, caller: AnyUser, week: str, name: str) -> Response:
    return serve_report(context, caller.name, caller.client, week, name)


@router.get("/sources")
def sources_page(request: Request, context: Context, caller: AnyUser) -> Response:
    report = source_health(context.settings, context.backend, context.clock())
    charts = {item.source: bar_chart(item.weekly, width=160, height=30) for item in report.sources}
    return render(request, context, caller, "sources.html", report=report, charts=charts)
