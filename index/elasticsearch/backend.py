"""The Elasticsearch backend: the same answers as SqliteBackend, from a node or a cluster.

Reads go through the read alias over the monthly indices (see mapping.py), writes through
DocumentWriter (writer.py), queries are compiled by dsl.py. Every call is wrapped so that an
unreachable, unauthorised or failing cluster ends in one BackendUnavailable sentence.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, suppress
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from elasticsearch import Elasticsearch, NotFoundError

from index.backend import BackendHealth, Hit, SearchResult, StoredRecord, UpsertReport
from index.elasticsearch.connection import open_client, unavailable_as_error
from index.elasticsearch.dsl import (
    compile_query,
    facet_aggregations,
    has_text_match,
    highlight_request,
    read_facets,
    snippet_html,
    sort_clause,
)
from index.elasticsearch.mapping import IndexNames, docs_template, month_bounds
from index.elasticsearch.records_store import RecordStore
from index.elasticsearch.writer import DocumentWriter
from index.errors import ConfigError, InputError
from index.query import Query
from index.records import Document, Review
from index.settings import Settings, redact_url

MAX_RESULT_WINDOW = 10_000  # from+size limit of an index; deeper pages walk with search_after
PAGE_SIZE = 1_000  # hits per request when scanning or walking to a deep page
PIT_KEEP_ALIVE = "2m"  # between two pages of one walk, not for the whole walk
_NOT_STORED = ["search"]  # derived fields: not part of the Document handed back


class ElasticsearchBackend:
    """Documents in monthly indices behind a read alias; small records in their own index."""

    name = "elasticsearch"

    def __init__(
        self,
        client: Elasticsearch,
        *,
        url: str,
        prefix: str,
        tz: tzinfo | None = None,
        timeout_s: float = 30.0,
        replicas: int = 0,
    ) -> None:
        self.client = client
        self.url = redact_url(url)
        self.names = IndexNames(prefix)
        self.tz = tz or ZoneInfo("Asia/Ho_Chi_Minh")
        self.timeout_s = timeout_s
        self.replicas = replicas
        self.writer = DocumentWriter(client, self.names, self.tz, self.url)
        self.records = RecordStore(client, self.names.records, replicas)
        self._ready = False

    @classmethod
    def from_settings(cls, settings: Settings) -> ElasticsearchBackend:
        """The backend for ENVMON_INDEX_URL with its credentials, CA, prefix and time zone."""
        return cls(
            open_client(settings),
            url=settings.index_url or "",
            prefix=settings.es_index_prefix,
            tz=settings.tz,
            timeout_s=settings.es_timeout_s,
            replicas=settings.es_replicas,
        )

    def _guard(self) -> AbstractContextManager[None]:
        return unavailable_as_error(self.url, self.timeout_s)

    # ---- set-up -------------------------------------------------------------
    def ensure_ready(self) -> None:
        """Check the cluster answers, install the template, create the records index."""
        if self._ready:
            return
        with self._guard():
            self.client.info()
            response = self.client.options(ignore_status=400).indices.put_index_template(**docs_template(self.names, self.replicas))
            if response.meta.status == 400:
                raise ConfigError(
                    f"Elasticsearch at {self.url} refused envmon's index template {self.names.template} "
                    f"({response.body.get('error', {}).get('reason', 'bad request')}); choose another ENVMON_ES_INDEX_PREFIX."
                )
            self.records.create()
        self._ready = True

    # ---- writing ------------------------------------------------------------
    def upsert(self, documents: Iterable[Document]) -> UpsertReport:
        self.ensure_ready()
        with self._guard():
            return self.writer.upsert(documents)

    def record_review(self, doc_id: str, review: Review) -> Document:
        document = self.get(doc_id)
        if document is None:
            raise InputError(f"No document with id {doc_id!r}; check the id.")
        document.review = review
        self.upsert([document])
        return document

    def delete_older_than(self, days: int, now: datetime | None = None) -> int:
        """Drop whole months older than the cutoff; delete by id inside the month that holds it."""
        if days < 0:
            raise InputError("The retention period must be zero or more days.")
        cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
        self.refresh()  # the boundary month is searched: recent writes must be visible
        deleted = 0
        with self._guard():
            for index in self.writer.month_indices():
                start, end = month_bounds(self.names.month_of(index) or "", self.tz)
                if end <= cutoff:
                    deleted += int(self.client.count(index=index)["count"])
                    self.client.indices.delete(index=index)
                elif start <= cutoff:
                    older = {"range": {"search.sort_at": {"lt": cutoff.isoformat()}}}
                    ids = (hit["_id"] for hit in self._walk(index, older, with_source=False))
                    deleted += self.writer.bulk_delete(index, ids)
        self.refresh()
        return deleted

    # ---- reading ------------------------------------------------------------
    def get(self, doc_id: str) -> Document | None:
        found = self.get_many([doc_id])
        return found[0] if found else None

    def get_many(self, doc_ids: Iterable[str]) -> list[Document]:
        ids = list(dict.fromkeys(doc_ids))
        found: dict[str, Document] = {}
        with self._guard():
            # Writes not yet refreshed are invisible to search; a realtime mget sees them.
            written = self.writer.unrefreshed
            recent = [{"_index": index, "_id": i} for i in ids if (index := written.get(i)) is not None]
            if recent:
                response = self.client.mget(docs=recent, source_excludes=_NOT_STORED)
                for item in response["docs"]:
                    if item.get("found"):
                        found[item["_id"]] = Document.model_validate(item["_source"])
            rest = [i for i in ids if i not in found]
            for start in range(0, len(rest), PAGE_SIZE):
                chunk = rest[start : start + PAGE_SIZE]
                response = self.client.search(
                    index=self.names.docs_alias,
                    query={"ids": {"values": chunk}},
                    size=len(chunk),
                    source_excludes=_NOT_STORED,
                    ignore_unavailable=True,
                    allow_no_indices=True,
                )
                for hit in response["hits"]["hits"]:
                    found[hit["_id"]] = Document.model_validate(hit["_source"])
        return [found[doc_id] for doc_id in ids if doc_id in found]

    def count(self, query: Query | None = None) -> int:
        query = query or Query(facets=False, highlight=False, limit=0)
        with self._guard():
            response = self.client.count(
                index=self.names.docs_alias, query=compile_query(query), ignore_unavailable=True, allow_no_indices=True
            )
        return int(response["count"])

    def search(self, query: Query) -> SearchResult:
        started = time.perf_counter()
        has_match = has_text_match(query)
        request: dict[str, Any] = {
            "query": compile_query(query),
            "sort": sort_clause(query, has_match),
            "track_scores": has_match,
        }
        highlight = highlight_request(query) if query.highlight and query.limit else None
        if highlight:
            request["highlight"] = highlight
        deep = query.offset + query.limit > MAX_RESULT_WINDOW
        # Past the result window, this request only counts and facets; _deep_page fetches the hits.
        page: dict[str, Any] = {"size": 0} if deep else {"from_": query.offset, "size": query.limit, **request}
        with self._guard():
            response = self.client.search(
                index=self.names.docs_alias,
                query=request["query"],
                track_total_hits=True,
                aggregations=facet_aggregations() if query.facets else None,
                source_excludes=_NOT_STORED,
                ignore_unavailable=True,
                allow_no_indices=True,
                **{key: value for key, value in page.items() if key != "query"},
            )
            hits = self._deep_page(request, query.offset, query.limit) if deep else response["hits"]["hits"]
        results = [
            Hit(
                document=(document := Document.model_validate(hit["_source"])),
                score=round(hit["_score"], 4) if has_match and hit.get("_score") is not None else None,
                snippet_html=snippet_html(hit.get("highlight", {}).get("text"), document.text) if query.highlight else "",
            )
            for hit in hits
        ]
        return SearchResult(
            total=int(response["hits"]["total"]["value"]),
            hits=results,
            facets=read_facets(response.get("aggregations")) if query.facets else {},
            took_ms=round((time.perf_counter() - started) * 1000, 2),
        )

    def _deep_page(self, request: dict[str, Any], offset: int, limit: int) -> list[dict[str, Any]]:
        """Hits offset..offset+limit past the result window: walk there with search_after on a PIT."""
        try:
            pit = self.client.open_point_in_time(index=self.names.docs_alias, keep_alive=PIT_KEEP_ALIVE)["id"]
        except NotFoundError:
            return []
        try:
            after: list[Any] | None = None
            remaining = offset
            while remaining > 0:
                response = self.client.search(
                    pit={"id": pit, "keep_alive": PIT_KEEP_ALIVE},
                    query=request["query"],
                    sort=request["sort"],
                    track_scores=request["track_scores"],
                    size=min(MAX_RESULT_WINDOW, remaining),
                    source=False,
                    track_total_hits=False,
                    search_after=after,
                    filter_path="pit_id,hits.hits.sort",
                )
                skipped = response.get("hits", {}).get("hits", [])
                if not skipped:
                    return []
                pit = response.get("pit_id", pit)
                after = skipped[-1]["sort"]
                remaining -= len(skipped)
            response = self.client.search(
                pit={"id": pit, "keep_alive": PIT_KEEP_ALIVE}, size=limit, search_after=after,
                source_excludes=_NOT_STORED, track_total_hits=False, **request,
            )
            return list(response["hits"]["hits"])
        finally:
            with suppress(Exception):
                self.client.close_point_in_time(id=pit)

    def scan(self, query: Query) -> Iterator[Document]:
        for hit in self._walk(self.names.docs_alias, compile_query(query), with_source=True):
            yield Document.model_validate(hit["_source"])

    def _walk(self, index: str, query: dict[str, Any], *, with_source: bool) -> Iterator[dict[str, Any]]:
        """Every hit of query in index, in index order, page by page on a point in time."""
        try:
            with self._guard():
                pit = self.client.open_point_in_time(index=index, keep_alive=PIT_KEEP_ALIVE)["id"]
        except NotFoundError:
            return
        try:
            after: list[Any] | None = None
            while True:
                with self._guard():
                    response = self.client.search(
                        pit={"id": pit, "keep_alive": PIT_KEEP_ALIVE},
                        query=query,
                        sort=[{"_shard_doc": "asc"}],
                        size=PAGE_SIZE,
                        search_after=after,
                        track_total_hits=False,
                        **({"source_excludes": _NOT_STORED} if with_source else {"source": False}),
                    )
                hits = response["hits"]["hits"]
                if not hits:
                    return
                pit = response.get("pit_id", pit)
                yield from hits
                after = hits[-1]["sort"]
        finally:
            with suppress(Exception):
                self.client.close_point_in_time(id=pit)

    # ---- small records ------------------------------------------------------
    def put_record(self, kind: str, record_id: str, data: dict[str, Any]) -> None:
        self.ensure_ready()
        with self._guard():
            self.records.put(kind, record_id, data)

    def get_record(self, kind: str, record_id: str) -> StoredRecord | None:
        with self._guard():
            return self.records.get(kind, record_id)

    def list_records(self, kind: str, limit: int = 1000) -> list[StoredRecord]:
        with self._guard():
            return self.records.list(kind, limit)

    def delete_record(self, kind: str, record_id: str) -> None:
        with self._guard():
            self.records.delete(kind, record_id)

    # ---- operations ---------------------------------------------------------
    def refresh(self) -> None:
        """Make every write so far visible to search."""
        with self._guard():
            self.client.indices.refresh(
                index=f"{self.names.docs_alias},{self.names.records}", ignore_unavailable=True, allow_no_indices=True
            )
        self.writer.forget()

    def health(self) -> BackendHealth:
        """Cluster status, version and document count; never raises for an unreachable cluster."""
        try:
            with self._guard():
                info = self.client.info()
                cluster = self.client.cluster.health()
            documents = self.count()
        except Exception as exc:  # BackendUnavailable, or an unexpected answer: report, do not crash doctor
            return BackendHealth(backend=self.name, ok=False, detail=str(exc))
        status = str(cluster["status"])
        version = str(info["version"]["number"])
        detail = (
            f"Elasticsearch {version} at {self.url}, cluster {cluster['cluster_name']} {status} "
            f"({cluster['number_of_nodes']} node{'s' if cluster['number_of_nodes'] != 1 else ''}), "
            f"indices {self.names.docs_pattern}"
        )
        if status == "red":
            detail += "; red means some primary shards are unassigned: check the cluster's allocation"
        return BackendHealth(backend=self.name, ok=status != "red", detail=detail, documents=documents, version=version)

    def drop_everything(self) -> None:
        """Delete this prefix's month indices, records index and template (tests, resets)."""
        with self._guard():
            response = self.client.indices.get(
                index=f"{self.names.docs_pattern},{self.names.records}",
                expand_wildcards="all",
                ignore_unavailable=True,
                allow_no_indices=True,
            )
            owned = [name for name in response.body if self.names.month_of(name) or name == self.names.records]
            for start in range(0, len(owned), 50):  # wildcard deletes are refused: name each index
                self.client.indices.delete(index=",".join(owned[start : start + 50]))
            self.client.options(ignore_status=404).indices.delete_index_template(name=self.names.template)
        self.writer.forget()
        self._ready = False

    def close(self) -> None:
        self.writer.close()
        with suppress(Exception):
            self.client.close()
