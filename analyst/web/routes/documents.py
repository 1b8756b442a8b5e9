"""Flagged queue, document page, review and label corrections."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from analyst import audit
from analyst.corrections import record_review
from analyst.web.context import AnalystUser, AnyUser, Caller, Context, NotFound, WebContext
from analyst.web.documents import document_view
from analyst.web.flagged import flagged_page
from analyst.web.rendering import render
from analyst.web.routes.auth import safe_next
from index.records import SENSITIVITY_LEVELS, TOPICS, Document

router = APIRouter(include_in_schema=False)
FLAGGED_PAGE_SIZE = 25
MAX_NOTE_CHARS = 2000


def get_document(context: WebContext, doc_id: str) -> Document:
    document = context.backend.get(doc_id)
    if document is None:
        raise NotFound(f"No document with id {doc_id!r}; it may have been removed by retention.")
    return document


def _misinfo(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get((value or "").strip())


def apply_review(
    context: WebContext,
    caller: Caller,
    doc_id: str,
    topic: str | None,
    sensitivity: str | None,
    misinfo: bool | None,
    note: str | None,
) -> Document:
    """Store a review (and any corrected labels) beside the model's labels, and audit it."""
    before = get_document(context, doc_id)
    updated = record_review(
        context.settings,
        context.backend,
        doc_id,
        caller.name,
        topic=topic or None,
        sensitivity=sensitivity or None,
        misinfo=misinfo,
        note=(note or "").strip()[:MAX_NOTE_CHARS] or None,
        now=context.clock(),
    )
    context.backend.refresh()  # the queue the analyst returns to must already show the review
    changes: dict[str, object] = {}
    if topic:
        changes["topic"] = {"model": before.enrichment.topic, "before": before.effective("topic"), "after": topic}
    if sensitivity:
        changes["sensitivity"] = {"model": before.enrichment.sensitivity, "before": before.effective("sensitivity"), "after": sensitivity}
    if misinfo is not None:
        changes["misinfo"] = {"model_level": before.enrichment.misinfo_level, "before": before.review.misinfo, "after": misinfo}
    action = audit.LABEL_CORRECTION if changes else audit.MARK_REVIEWED
    context.audit.record(caller.name, action, doc_id, {"changes": changes, "note": bool(note)} if changes else {}, caller.client)
    return updated


@router.get("/flagged")
def flagged(request: Request, context: Context, caller: AnyUser, page: int = 1, show: str = "all") -> Response:
    include_reviewed = show != "unreviewed"
    page = max(page, 1)
    queue = flagged_page(context.backend, (page - 1) * FLAGGED_PAGE_SIZE, FLAGGED_PAGE_SIZE, include_reviewed)
    pages = max(math.ceil(queue.total / FLAGGED_PAGE_SIZE), 1)
    return render(
        request,
        context,
        caller,
        "flagged.html",
        queue=queue,
        page=page,
        pages=pages,
        show="all" if include_reviewed else "unreviewed",
        page_url=lambda number: f"/flagged?page={number}&show={'all' if include_reviewed else 'unreviewed'}",
    )


@router.get("/documents/{doc_id}")
def document_page(request: Request, context: Context, caller: AnyUser, doc_id: str) -> Response:
    view = document_view(context.backend, get_document(context, doc_id))
    if view.flagged:
        context.audit.record(caller.name, audit.VIEW_FLAGGED, doc_id, client=caller.client)
    return render(
        request, context, caller, "document.html", view=view, doc=view.document, topics=TOPICS, sensitivities=SENSITIVITY_LEVELS
    )


@router.post("/documents/{doc_id}/review")
def review(
    context: Context,
    caller: AnalystUser,
    doc_id: str,
    topic: Annotated[str, Form()] = "",
    sensitivity: Annotated[str, Form()] = "",
    misinfo: Annotated[str, Form()] = "",
    note: Annotated[str, Form(max_length=MAX_NOTE_CHARS)] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    apply_review(context, caller, doc_id, topic, sensitivity, _misinfo(misinfo), note)
    return RedirectResponse(safe_next(next, f"/documents/{doc_id}"), status_code=303)
