"""Searches, exports and saved searches as the pages and the API run them: validated, executed, audited."""

from __future__ import annotations

from fastapi.responses import StreamingResponse

from analyst import audit
from analyst.web.context import Caller, WebContext
from analyst.web.export import EXPORT_FORMATS, export_stream
from analyst.web.saved import SavedSearch, delete_saved, save_search
from analyst.web.search_params import SearchParams
from index.backend import SearchResult
from index.errors import InputError


def audited_search(context: WebContext, caller: Caller, params: SearchParams, *, limit: int, offset: int, via: str) -> SearchResult:
    """Run a search and record who searched for what (also when the query is invalid)."""
    detail: dict[str, object] = {"q": params.q, "filters": params.filters(), "sort": params.sort, "offset": offset, "via": via}
    try:
        result = context.backend.search(params.to_query(limit=limit, offset=offset))
    except InputError as exc:
        context.audit.record(caller.name, audit.SEARCH, detail={**detail, "error": str(exc)}, client=caller.client)
        raise
    context.audit.record(caller.name, audit.SEARCH, detail={**detail, "total": result.total}, client=caller.client)
    return result


def audited_export(context: WebContext, caller: Caller, params: SearchParams, fmt: str) -> StreamingResponse:
    """Every matching document, streamed as CSV or JSON; the export is audited before it starts."""
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"Export format {fmt!r} is unknown; use csv or json.")
    query = params.to_query(limit=0, facets=False, highlight=False)
    total = context.backend.count(query)
    context.audit.record(
        caller.name,
        audit.EXPORT,
        detail={"q": params.q, "filters": params.filters(), "format": fmt, "documents": total},
        client=caller.client,
    )
    stamp = context.clock().astimezone(context.settings.tz).strftime("%Y%m%d-%H%M")
    media_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    return StreamingResponse(
        export_stream(context.backend, query, fmt, context.settings.tz),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="envmon-export-{stamp}.{fmt}"', "Cache-Control": "no-store"},
    )


def audited_save(context: WebContext, caller: Caller, name: str, params: SearchParams) -> SavedSearch:
    saved = save_search(context.backend, caller.name, name, params, context.clock())
    detail = {"op": "create", "name": saved.name, "q": params.q, "filters": params.filters()}
    context.audit.record(caller.name, audit.SAVED_SEARCH, saved.id, detail, caller.client)
    return saved


def audited_delete(context: WebContext, caller: Caller, saved: SavedSearch) -> None:
    delete_saved(context.backend, saved)
    context.audit.record(caller.name, audit.SAVED_SEARCH, saved.id, {"op": "delete", "name": saved.name}, caller.client)
