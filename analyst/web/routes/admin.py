"""Administration: users and roles, and the audit log (read and export; nothing edits it)."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from analyst import audit
from analyst.audit import AuditLog
from analyst.users import ROLES
from analyst.web.context import AdminUser, Caller, Context, WebContext
from analyst.web.rendering import render

router = APIRouter(include_in_schema=False)
AUDIT_PAGE_SIZE = 100
AUDIT_COLUMNS = ("id", "at", "user", "action", "target", "client", "detail")


def audit_csv(log: AuditLog) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(AUDIT_COLUMNS)
    for number, entry in enumerate(log.iter_all(), start=1):
        writer.writerow(
            [entry.id, entry.at.isoformat(), entry.user or "", entry.action, entry.target or "", entry.client or "",
             json.dumps(entry.detail, ensure_ascii=False)]
        )
        if number % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def audit_export_response(context: WebContext, caller: Caller) -> StreamingResponse:
    context.audit.record(caller.name, audit.AUDIT_EXPORT, client=caller.client)
    stamp = context.clock().astimezone(context.settings.tz).strftime("%Y%m%d-%H%M")
    return StreamingResponse(
        audit_csv(context.audit),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="envmon-audit-{stamp}.csv"', "Cache-Control": "no-store"},
    )


@router.get("/admin/users")
def users_page(request: Request, context: Context, caller: AdminUser, error: str = "") -> Response:
    return render(request, context, caller, "users.html", users=context.users.list_users(), roles=ROLES, error=error)


@router.post("/admin/users")
def user_add(
    context: Context,
    caller: AdminUser,
    name: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form()],
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    user = context.users.add_user(name, role, password)
    context.audit.record(caller.name, audit.USER_CHANGE, user.name, {"op": "add", "role": user.role}, caller.client)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{name}")
def user_update(
    context: Context,
    caller: AdminUser,
    name: str,
    role: Annotated[str, Form()] = "",
    active: Annotated[str, Form()] = "",
) -> Response:
    switch = {"yes": True, "no": False}.get(active)
    user = context.users.update_user(name, role=role or None, active=switch)
    context.audit.record(caller.name, audit.USER_CHANGE, user.name, {"op": "update", "role": user.role, "active": user.active}, caller.client)
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/admin/audit")
def audit_page(
    request: Request, context: Context, caller: AdminUser, page: int = 1, action: str = "", user: str = ""
) -> Response:
    total = context.audit.count(action=action or None, user=user or None)
    pages = max(math.ceil(total / AUDIT_PAGE_SIZE), 1)
    page = min(max(page, 1), pages)
    entries = context.audit.entries(limit=AUDIT_PAGE_SIZE, offset=(page - 1) * AUDIT_PAGE_SIZE, action=action or None, user=user or None)
    return render(
        request,
        context,
        caller,
        "audit.html",
        entries=entries,
        total=total,
        page=page,
        pages=pages,
        actions=context.audit.actions(),
        action=action,
        user=user,
        page_url=lambda number: "/admin/audit?" + urlencode({"page": number, "action": action, "user": user}),
    )


@router.get("/admin/audit/export")
def audit_export(context: Context, caller: AdminUser) -> Response:
    return audit_export_response(context, caller)
