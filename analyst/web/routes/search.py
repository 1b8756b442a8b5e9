"""Search page (facets, highlights, sort, pages), exports, saved searches that show what is new."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from analyst.web.audited import audited_delete, audited_export, audited_save, audited_search
from analyst.web.charts import bar_chart, daily_series
from analyst.web.context import AnalystUser, AnyUser, Caller, Context
from analyst.web.rendering import render
from analyst.web.saved import list_saved, mark_seen, new_since, own_saved, saved_name
from analyst.web.search_params import MAX_PAGE, PAGE_SIZE, SearchParams, search_params
from index.backend import SearchResult
from index.errors import InputError

router = APIRouter(include_in_schema=False)
Params = Annotated[SearchParams, Depends(search_params)]
# facet name in the backend's answer → search parameter it sets
FACET_PARAMS = {
    "topic": "topic",
    "sensitivity": "sensitivity",
    "misinfo_level": "misinfo_level",
    "province": "province",
    "project": "project",
    "source": "source",
    "source_kind": "kind",
}


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    url: str
    active: bool


def facet_groups(result: SearchResult | None, params: SearchParams, path: str) -> dict[str, list[FacetValue]]:
    """Clickable facet values: a click adds the filter (or removes it when it is active)."""
    groups: dict[str, list[FacetValue]] = {}
    if result is None:
        return groups
    for facet, param in FACET_PARAMS.items():
        values = []
        for value, count in result.facets.get(facet, {}).items():
            current = getattr(params, param)
            active = value in current if isinstance(current, list) else value == current
            changed = params.removing(param, value) if active else params.adding(param, value)
            values.append(FacetValue(value=value, count=count, url=changed.url(path), active=active))
        if values:
            groups[param] = values
    return groups


def _page_number(page: int) -> int:
    return min(max(page, 1), MAX_PAGE)


def _results_page(
    request: Request, context: Context, caller: Caller, params: SearchParams, page: int, path: str, via: str, **extra: object
) -> Response:
    page = _page_number(page)
    result, error = None, ""
    try:
        result = audited_search(context, caller, params, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, via=via)
    except InputError as exc:
        error = str(exc)
    pages = min(math.ceil(result.total / PAGE_SIZE), MAX_PAGE) if result else 0
    return render(
        request,
        context,
        caller,
        "search.html",
        status_code=400 if error else 200,
        params=params,
        result=result,
        error=error,
        page=page,
        pages=pages,
        page_url=(lambda number: params.url(path, page=number)) if path == "/search" else (lambda number: f"{path}?page={number}"),
        facets=facet_groups(result, params, "/search"),
        timeline=bar_chart(daily_series(result.facets.get("date", {})), height=60) if result else None,
        **{"saved_search": None, "new_since": None, **extra},
    )


@router.get("/search")
def search_page(request: Request, context: Context, caller: AnyUser, params: Params, page: int = 1) -> Response:
    return _results_page(request, context, caller, params, page, "/search", "page")


@router.get("/export")
def export_page(context: Context, caller: AnalystUser, params: Params, format: str = "csv") -> Response:
    return audited_export(context, caller, params, format)


@router.get("/saved")
def saved_list(request: Request, context: Context, caller: AnyUser) -> Response:
    searches = list_saved(context.backend, caller.name)
    current = {saved.id: context.backend.count(saved.params.to_query(limit=0, facets=False, highlight=False)) for saved in searches}
    return render(request, context, caller, "saved.html", searches=searches, current=current)


@router.post("/saved")
async def saved_create(request: Request, context: Context, caller: AnyUser) -> Response:
    form = await request.form()
    pairs = [(key, value) for key, value in form.multi_items() if isinstance(value, str)]
    params = SearchParams.from_pairs(pairs)
    saved = audited_save(context, caller, saved_name(form.get("name")), params)
    return RedirectResponse(f"/saved/{saved.id}", status_code=303)


@router.get("/saved/{saved_id}")
def saved_run(request: Request, context: Context, caller: AnyUser, saved_id: str, page: int = 1) -> Response:
    saved = own_saved(context.backend, caller.name, saved_id)
    fresh = new_since(context.backend, saved.params, saved.last_seen_at)
    return _results_page(request, context, caller, saved.params, page, f"/saved/{saved.id}", "saved", saved_search=saved, new_since=fresh)


@router.post("/saved/{saved_id}/seen")
def saved_seen(context: Context, caller: AnyUser, saved_id: str) -> Response:
    mark_seen(context.backend, own_saved(context.backend, caller.name, saved_id), context.clock())
    return RedirectResponse(f"/saved/{saved_id}", status_code=303)


@router.post("/saved/{saved_id}/delete")
def saved_delete(context: Context, caller: AnyUser, saved_id: str) -> Response:
    saved = own_saved(context.backend, caller.name, saved_id)
    audited_delete(context, caller, saved)
    return RedirectResponse("/saved", status_code=303)
