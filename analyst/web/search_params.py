"""Search parameters as the pages, the API, exports and saved searches share them.

The names follow the CLI (`envmon search --topic … --from … --to …`), so a URL reads like a
command line. Nothing here filters by author: the query model has no such filter, on purpose.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query as Param
from pydantic import BaseModel, Field

from index.errors import QueryError
from index.query import Query, build_query

PAGE_SIZE = 20
MAX_PAGE = 5000  # the query model stops at offset 100 000
LIST_FIELDS = ("topic", "misinfo_level", "province", "project", "source", "kind")
SORTS = ("relevance", "date", "sensitivity")


class SearchParams(BaseModel):
    """One search as typed in the search form (or a saved search, or an API call)."""

    q: str = ""
    topic: list[str] = Field(default_factory=list)
    sensitivity: str | None = Field(default=None, description="Minimum sensitivity: low | medium | high.")
    misinfo_level: list[str] = Field(default_factory=list)
    province: list[str] = Field(default_factory=list)
    project: list[str] = Field(default_factory=list)
    source: list[str] = Field(default_factory=list)
    kind: list[str] = Field(default_factory=list)
    date_from: str | None = Field(default=None, description="First day, YYYY-MM-DD (Asia/Ho_Chi_Minh).")
    date_to: str | None = Field(default=None, description="Last day, YYYY-MM-DD.")
    sort: str = "relevance"

    @classmethod
    def from_pairs(cls, pairs: list[tuple[str, str]]) -> SearchParams:
        """Params from URL- or form-style (name, value) pairs; unknown names are ignored."""
        values: dict[str, list[str]] = {}
        for name, value in pairs:
            values.setdefault(name, []).append(value)

        def one(name: str) -> str | None:
            found = [value for value in values.get(name, []) if value.strip()]
            return found[-1] if found else None

        return cls(
            q=one("q") or "",
            sensitivity=one("sensitivity"),
            date_from=one("from"),
            date_to=one("to"),
            sort=one("sort") or "relevance",
            **{name: _present(values.get(name)) for name in LIST_FIELDS},
        )

    def to_query(self, *, limit: int = PAGE_SIZE, offset: int = 0, facets: bool = True, highlight: bool = True) -> Query:
        """The backend query; raises QueryError with one sentence when something is invalid."""
        if self.sort not in SORTS:
            raise QueryError(f"Sort order {self.sort!r} is unknown; use one of {', '.join(SORTS)}.")
        return build_query(
            self.q,
            topic=self.topic,
            min_sensitivity=self.sensitivity or None,
            misinfo_level=self.misinfo_level,
            province=self.province,
            project=self.project,
            source=self.source,
            source_kind=self.kind,
            date_from=_day(self.date_from, "from"),
            date_to=_day(self.date_to, "to"),
            sort=self.sort,
            limit=limit,
            offset=offset,
            facets=facets,
            highlight=highlight,
        )

    def filters(self) -> dict[str, Any]:
        """The non-empty filters (for the audit log and saved-search listings)."""
        data = self.model_dump(exclude={"q", "sort"})
        return {key: value for key, value in data.items() if value not in (None, "", [])}

    def items(self) -> list[tuple[str, str]]:
        """(name, value) pairs for a URL, repeated names for lists."""
        pairs: list[tuple[str, str]] = []
        if self.q:
            pairs.append(("q", self.q))
        for name in LIST_FIELDS:
            pairs.extend((name, value) for value in getattr(self, name))
        for name, key in (("sensitivity", "sensitivity"), ("date_from", "from"), ("date_to", "to")):
            if getattr(self, name):
                pairs.append((key, getattr(self, name)))
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        return pairs

    def url(self, path: str = "/search", **extra: object) -> str:
        pairs = self.items() + [(key, str(value)) for key, value in extra.items() if value is not None]
        return f"{path}?{urlencode(pairs)}" if pairs else path

    def adding(self, name: str, value: str) -> SearchParams:
        """These params with one more facet value (a single-valued field is replaced)."""
        if name in LIST_FIELDS:
            values = getattr(self, name)
            return self.model_copy(update={name: values if value in values else [*values, value]})
        return self.model_copy(update={name: value})

    def removing(self, name: str, value: str | None = None) -> SearchParams:
        if name in LIST_FIELDS:
            return self.model_copy(update={name: [item for item in getattr(self, name) if item != value]})
        return self.model_copy(update={name: None})

    def active_filters(self) -> list[tuple[str, str]]:
        """(field, value) for every filter in use, for removable chips."""
        chips = [(name, value) for name in LIST_FIELDS for value in getattr(self, name)]
        chips.extend((name, getattr(self, name)) for name in ("sensitivity", "date_from", "date_to") if getattr(self, name))
        return chips


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"The '{name}' date {value!r} is not a date; use YYYY-MM-DD.") from None


def search_params(
    q: Annotated[str, Param(description='Words, "phrases", AND/OR/NOT, -exclusions (the CLI syntax).')] = "",
    topic: Annotated[list[str] | None, Param(description="Topic label (repeatable).")] = None,
    sensitivity: Annotated[str | None, Param(description="Minimum sensitivity: low | medium | high.")] = None,
    misinfo_level: Annotated[list[str] | None, Param(description="low | elevated | high (repeatable).")] = None,
    province: Annotated[list[str] | None, Param(description="Province name (repeatable).")] = None,
    project: Annotated[list[str] | None, Param(description="Project key (repeatable).")] = None,
    source: Annotated[list[str] | None, Param(description="Source name (repeatable).")] = None,
    kind: Annotated[list[str] | None, Param(description="rss | sitemap | listing | forum | import")] = None,
    date_from: Annotated[str | None, Param(alias="from", description="First day, YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, Param(alias="to", description="Last day, YYYY-MM-DD.")] = None,
    sort: Annotated[str, Param(description="relevance | date | sensitivity")] = "relevance",
) -> SearchParams:
    """FastAPI dependency: the search parameters of a request (documented in OpenAPI)."""
    return SearchParams(
        q=q,
        topic=_present(topic),
        sensitivity=sensitivity or None,
        misinfo_level=_present(misinfo_level),
        province=_present(province),
        project=_present(project),
        source=_present(source),
        kind=_present(kind),
        date_from=date_from or None,
        date_to=date_to or None,
        sort=sort or "relevance",
    )


def _present(values: list[str] | None) -> list[str]:
    """Drop the empty values an HTML form sends for an unselected <select>."""
    return [value for value in values or [] if value.strip()]
