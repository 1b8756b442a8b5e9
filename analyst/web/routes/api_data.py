"""JSON API mirroring the pages: documents and reviews, flagged queue, issues, alerts, reports,
sources, and (admins) users and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from analyst import audit
from analyst.audit import AuditEntry
from analyst.models import Alert, IssueRecord
from analyst.web.context import AdminUser, AnalystUser, AnyUser, Context
from analyst.web.documents import document_view, public_document
from analyst.web.flagged import flagged_page
from analyst.web.records_view import acknowledge_alert, list_alerts, list_issues
from analyst.web.reports_list import list_reports
from analyst.web.routes.admin import audit_export_response
from analyst.web.routes.documents import apply_review, get_document
from analyst.web.routes.watch import issue_detail, serve_report
from analyst.web.sources_health import source_health

router = APIRouter(prefix="/api")


class DocumentOut(BaseModel):
    document: dict[str, Any] = Field(description="The Document (labels, scores, reasons, places, review); author withheld.")
    flagged: bool
    near_duplicates: list[dict[str, Any]]
    issue: IssueRecord | None


class ReviewIn(BaseModel):
    """A review: leave a label out (null) to keep it; any label given is a correction fed to retraining."""

    topic: str | None = None
    sensitivity: str | None = None
    misinfo: bool | None = Field(default=None, description="true: is misinformation; false: is not.")
    note: str | None = Field(default=None, max_length=2000)


class FlaggedOut(BaseModel):
    total: int
    unreviewed: int
    documents: list[dict[str, Any]]


class IssueOut(BaseModel):
    issue: IssueRecord
    documents: list[dict[str, Any]]
    counts_by_day: dict[str, int]


class ReportOut(BaseModel):
    week: str
    files: dict[str, str] = Field(description="file name → download URL")
    generated_at: datetime | None


class SourceOut(BaseModel):
    source: str
    documents: int
    weekly: dict[str, int]
    latest_published: datetime | None
    latest_fetched: datetime | None
    last_crawl: dict[str, Any] | None


class UserOut(BaseModel):
    name: str
    role: str
    active: bool


@router.get("/documents/{doc_id}", response_model=DocumentOut, tags=["documents"], summary="One document with reasons, near-duplicates and its issue.")
def api_document(context: Context, caller: AnyUser, doc_id: str) -> DocumentOut:
    view = document_view(context.backend, get_document(context, doc_id))
    if view.flagged:
        context.audit.record(caller.name, audit.VIEW_FLAGGED, doc_id, client=caller.client)
    return DocumentOut(
        document=public_document(view.document),
        flagged=view.flagged,
        near_duplicates=[public_document(doc) for doc in view.near_duplicates],
        issue=view.issue,
    )


@router.post("/documents/{doc_id}/review", response_model=DocumentOut, tags=["documents"], summary="Mark reviewed and/or correct labels (analyst).")
def api_review(context: Context, caller: AnalystUser, doc_id: str, body: ReviewIn) -> DocumentOut:
    updated = apply_review(context, caller, doc_id, body.topic, body.sensitivity, body.misinfo, body.note)
    view = document_view(context.backend, updated)
    return DocumentOut(
        document=public_document(updated), flagged=view.flagged, near_duplicates=[public_document(d) for d in view.near_duplicates], issue=view.issue
    )


@router.get("/flagged", response_model=FlaggedOut, tags=["documents"], summary="High sensitivity or elevated/high misinformation risk, unreviewed first.")
def api_flagged(
    context: Context,
    caller: AnyUser,
    limit: Annotated[int, Query(ge=1, le=500)] = 25,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    include_reviewed: bool = True,
) -> FlaggedOut:
    queue = flagged_page(context.backend, offset, limit, include_reviewed)
    return FlaggedOut(total=queue.total, unreviewed=queue.unreviewed, documents=[public_document(doc) for doc in queue.documents])


@router.get("/issues", response_model=list[IssueRecord], tags=["issues"], summary="Issues, most recently active first.")
def api_issues(context: Context, caller: AnyUser, topic: str | None = None, province: str | None = None) -> list[IssueRecord]:
    return list_issues(context.backend, topic, province)


@router.get("/issues/{issue_id}", response_model=IssueOut, tags=["issues"], summary="One issue, its documents and its timeline.")
def api_issue(context: Context, caller: AnyUser, issue_id: str) -> IssueOut:
    issue, result, per_day = issue_detail(context, issue_id)
    return IssueOut(issue=issue, documents=[public_document(hit.document) for hit in result.hits], counts_by_day=per_day)


@router.get("/alerts", response_model=list[Alert], tags=["alerts"], summary="Early-warning alerts, newest first.")
def api_alerts(context: Context, caller: AnyUser, open_only: bool = False) -> list[Alert]:
    return list_alerts(context.backend, open_only)


@router.post("/alerts/{alert_id}/ack", response_model=Alert, tags=["alerts"], summary="Acknowledge an alert (analyst).")
def api_alert_ack(context: Context, caller: AnalystUser, alert_id: str) -> Alert:
    alert = acknowledge_alert(context.backend, alert_id, caller.name, context.clock())
    context.audit.record(caller.name, audit.ALERT_ACK, alert_id, client=caller.client)
    return alert


@router.get("/reports", response_model=list[ReportOut], tags=["reports"], summary="Weekly reports and their files.")
def api_reports(context: Context, caller: AnyUser) -> list[ReportOut]:
    return [
        ReportOut(week=report.week, files={name: f"/api/reports/{report.week}/{name}" for name in report.files}, generated_at=report.generated_at)
        for report in list_reports(context.settings.reports_dir)
    ]


@router.get("/reports/{week}/{name}", tags=["reports"], summary="Download report.html, report.pdf or report.json of a week.")
def api_report_file(context: Context, caller: AnyUser, week: str, name: str) -> Response:
    return serve_report(context, caller.name, caller.client, week, name)


@router.get("/sources", response_model=list[SourceOut], tags=["sources"], summary="Source health: documents per week, latest item, last crawl.")
def api_sources(context: Context, caller: AnyUser) -> list[SourceOut]:
    report = source_health(context.settings, context.backend, context.clock())
    return [
        SourceOut(
            source=item.source,
            documents=item.documents,
            weekly=dict(item.weekly),
            latest_published=item.latest_published,
            latest_fetched=item.latest_fetched,
            last_crawl=item.last_crawl,
        )
        for item in report.sources
    ]


@router.get("/audit", response_model=list[AuditEntry], tags=["admin"], summary="Audit log entries, newest first (admin).")
def api_audit(
    context: Context,
    caller: AdminUser,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**62)] = 0,  # SQLite integers are 64-bit
    action: str | None = None,
    user: str | None = None,
) -> list[AuditEntry]:
    return context.audit.entries(limit=limit, offset=offset, action=action, user=user)


@router.get("/audit/export", tags=["admin"], summary="The whole audit log as CSV (admin).", responses={200: {"content": {"text/csv": {}}}})
def api_audit_export(context: Context, caller: AdminUser) -> Response:
    return audit_export_response(context, caller)


@router.get("/users", response_model=list[UserOut], tags=["admin"], summary="Users and roles (admin).")
def api_users(context: Context, caller: AdminUser) -> list[UserOut]:
    return [UserOut(name=user.name, role=user.role, active=user.active) for user in context.users.list_users()]
