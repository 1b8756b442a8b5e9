"""Saved searches: re-run on demand, and tell what arrived since the analyst last looked.

Stored as backend records (kind SAVED_SEARCH_RECORD), one per search, owned by the user who
saved it. "New" means fetched by envmon after the last time the owner marked it seen.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ValidationError

from analyst.models import SAVED_SEARCH_RECORD
from analyst.web.context import NotFound
from analyst.web.search_params import SearchParams
from index.backend import Backend
from index.errors import InputError

NEW_SINCE_SCAN_LIMIT = 20_000  # beyond this a saved search is too broad to diff; say "at least"
NEW_IDS_KEPT = 500  # enough to mark every hit on the pages an analyst actually reads
MAX_NAME_CHARS = 120
# Every user's searches are one record kind, read whole and filtered by owner: the backend's
# default of 1000 records would drop one analyst's searches once colleagues saved many.
SAVED_SEARCHES_READ = 100_000


class SavedSearch(BaseModel):
    id: str
    owner: str
    name: str
    params: SearchParams
    created_at: datetime
    last_seen_at: datetime
    last_total: int = 0


@dataclass(frozen=True)
class NewSince:
    count: int
    ids: frozenset[str]
    capped: bool


def list_saved(backend: Backend, owner: str) -> list[SavedSearch]:
    found = []
    for record in backend.list_records(SAVED_SEARCH_RECORD, limit=SAVED_SEARCHES_READ):
        try:
            saved = SavedSearch.model_validate(record.data)
        except ValidationError:
            continue
        if saved.owner == owner:
            found.append(saved)
    return sorted(found, key=lambda saved: saved.name.lower())


def get_saved(backend: Backend, owner: str, saved_id: str) -> SavedSearch | None:
    """The caller's own saved search, or None (another user's searches are not visible)."""
    record = backend.get_record(SAVED_SEARCH_RECORD, saved_id)
    if record is None:
        return None
    try:
        saved = SavedSearch.model_validate(record.data)
    except ValidationError:
        return None
    return saved if saved.owner == owner else None


def own_saved(backend: Backend, owner: str, saved_id: str) -> SavedSearch:
    """Like get_saved, but a missing (or someone else's) search is a 404."""
    saved = get_saved(backend, owner, saved_id)
    if saved is None:
        raise NotFound(f"No saved search {saved_id!r} of yours; it may have been deleted.")
    return saved


def save_search(backend: Backend, owner: str, name: str, params: SearchParams, now: datetime) -> SavedSearch:
    """Store the search; what it matches now counts as seen."""
    name = " ".join(name.split())[:MAX_NAME_CHARS] or params.q or "—"
    params.to_query(limit=0)  # refuse to save what cannot run
    total = backend.count(params.to_query(limit=0, facets=False, highlight=False))
    saved = SavedSearch(
        id=secrets.token_hex(8), owner=owner, name=name, params=params, created_at=now, last_seen_at=now, last_total=total
    )
    backend.put_record(SAVED_SEARCH_RECORD, saved.id, saved.model_dump(mode="json"))
    return saved


def mark_seen(backend: Backend, saved: SavedSearch, now: datetime) -> SavedSearch:
    total = backend.count(saved.params.to_query(limit=0, facets=False, highlight=False))
    updated = saved.model_copy(update={"last_seen_at": now, "last_total": total})
    backend.put_record(SAVED_SEARCH_RECORD, saved.id, updated.model_dump(mode="json"))
    return updated


def delete_saved(backend: Backend, saved: SavedSearch) -> None:
    backend.delete_record(SAVED_SEARCH_RECORD, saved.id)


def new_since(backend: Backend, params: SearchParams, since: datetime) -> NewSince:
    """How many matching documents were fetched after `since`, and (some of) their ids."""
    count, capped = 0, False
    ids: set[str] = set()
    for scanned, document in enumerate(backend.scan(params.to_query(limit=0, facets=False, highlight=False)), start=1):
        if scanned > NEW_SINCE_SCAN_LIMIT:
            capped = True
            break
        if document.fetched_at > since:
            count += 1
            if len(ids) < NEW_IDS_KEPT:
                ids.add(document.id)
    return NewSince(count=count, ids=frozenset(ids), capped=capped)


def saved_name(form_value: object) -> str:
    if not isinstance(form_value, str) or not form_value.strip():
        raise InputError("Give the saved search a name.")
    return form_value
