"""JSON API: search (the shape of `envmon search --json`), export, saved searches."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from analyst.web.audited import audited_delete, audited_export, audited_save, audited_search
from analyst.web.context import AnalystUser, AnyUser, Context
from analyst.web.documents import public_document
from analyst.web.saved import SavedSearch, list_saved, mark_seen, new_since, own_saved
from analyst.web.search_params import SearchParams, search_params
from index.backend import SearchResult
from index.query import MAX_PAGE_SIZE

router = APIRouter(prefix="/api", tags=["search"])
ApiUser = AnyUser
Params = Annotated[SearchParams, Depends(search_params)]
Limit = Annotated[int, Query(ge=0, le=MAX_PAGE_SIZE, description="Hits per answer.")]
Offset = Annotated[int, Query(ge=0, le=100_000, description="Hits to skip (pagination).")]


class SearchResponse(BaseModel):
    """What `envmon search --json` prints: total, hits (documents + score + snippet_html), facets."""

    total: int
    hits: list[dict[str, Any]] = Field(description="Document fields plus `score` and `snippet_html`; `author_pseudonym` is withheld.")
    facets: dict[str, dict[str, int]]


class SavedSearchIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    params: SearchParams


class SavedSearchRun(BaseModel):
    saved_search: SavedSearch
    new_since_last_seen: int
    new_ids: list[str] = Field(description="Ids of new matches (at most 500).")
    new_count_capped: bool
    result: SearchResponse


def search_json(result: SearchResult) -> dict[str, Any]:
    data = result.as_json()
    data["hits"] = [
        {**public_document(hit.document), "score": hit.score, "snippet_html": hit.snippet_html} for hit in result.hits
    ]
    return data


@router.get("/search", response_model=SearchResponse, summary="Search documents (accent-insensitive, CLI query syntax).")
def api_search(
    context: Context,
    caller: ApiUser,
    params: Params,
    limit: Limit = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    return search_json(audited_search(context, caller, params, limit=limit, offset=offset, via="api"))


@router.get(
    "/export",
    summary="Export every matching document (streamed; analyst role).",
    responses={200: {"content": {"text/csv": {}, "application/json": {}}}},
)
def api_export(context: Context, caller: AnalystUser, params: Params, format: Literal["csv", "json"] = "json") -> Response:
    return audited_export(context, caller, params, format)


@router.get("/saved-searches", response_model=list[SavedSearch], summary="Your saved searches.")
def api_saved_list(context: Context, caller: ApiUser) -> list[SavedSearch]:
    return list_saved(context.backend, caller.name)


@router.post("/saved-searches", response_model=SavedSearch, status_code=201, summary="Save a search.")
def api_saved_create(context: Context, caller: ApiUser, body: SavedSearchIn) -> SavedSearch:
    return audited_save(context, caller, body.name, body.params)


@router.get("/saved-searches/{saved_id}", response_model=SavedSearchRun, summary="Re-run a saved search: results and what is new since last seen.")
def api_saved_run(
    context: Context,
    caller: ApiUser,
    saved_id: str,
    limit: Limit = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    saved = own_saved(context.backend, caller.name, saved_id)
    fresh = new_since(context.backend, saved.params, saved.last_seen_at)
    result = audited_search(context, caller, saved.params, limit=limit, offset=offset, via="saved")
    return {
        "saved_search": saved,
        "new_since_last_seen": fresh.count,
        "new_ids": sorted(fresh.ids),
        "new_count_capped": fresh.capped,
        "result": search_json(result),
    }


@router.post("/saved-searches/{saved_id}/seen", response_model=SavedSearch, summary="Mark everything it matches now as seen.")
def api_saved_seen(context: Context, caller: ApiUser, saved_id: str) -> SavedSearch:
    return mark_seen(context.backend, own_saved(context.backend, caller.name, saved_id), context.clock())


@router.delete("/saved-searches/{saved_id}", status_code=204, summary="Delete a saved search.")
def api_saved_delete(context: Context, caller: ApiUser, saved_id: str) -> Response:
    saved = own_saved(context.backend, caller.name, saved_id)
    audited_delete(context, caller, saved)
    return Response(status_code=204)


class Me(BaseModel):
    name: str
    role: str
    authenticated_via: str
    now: datetime


@router.get("/me", response_model=Me, tags=["users"], summary="Who the API thinks you are.")
def api_me(context: Context, caller: ApiUser) -> Me:
    return Me(name=caller.name, role=caller.user.role, authenticated_via=caller.via, now=context.clock())
