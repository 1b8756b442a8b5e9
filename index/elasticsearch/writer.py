"""Bulk upserts into monthly indices: one copy per id, retries on 429, honest per-item errors.

A document lives in the index of its ``sort_at`` month. When its date changes between
upserts it must move, not be copied: before each batch the writer looks the ids up on the
read alias (and in its own list of writes not yet visible to search, because search only
sees refreshed documents) and deletes every copy outside the new month in the same bulk.

Outcome of a batch: permanent per-item rejections (4xx: a malformed document) are reported
in ``UpsertReport.failed``; anything transient (cluster unreachable, 429 after retries,
5xx, unassigned shards) raises BackendUnavailable so the indexer keeps the batch pending
and the next run sends it again — re-sending is harmless because ``_id`` is the document id.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import tzinfo
from typing import Any

from elasticsearch import Elasticsearch, helpers

from index.backend import UpsertReport
from index.elasticsearch.connection import UNAVAILABLE_STATUSES
from index.elasticsearch.mapping import IndexNames, document_source, month_key
from index.errors import BackendUnavailable
from index.records import Document

log = logging.getLogger(__name__)

UPSERT_BATCH = 500  # documents per bulk request, as the indexer's batch
MAX_REQUEST_BYTES = 10 * 1024 * 1024  # split bulk requests above ~10 MB: kind to small clusters
BULK_RETRIES = 5  # 429 (queue full) retries per item, with exponential backoff
INITIAL_BACKOFF_S = 1.0
MAX_BACKOFF_S = 30.0
# Ids written since the last refresh are remembered (search cannot see them yet) up to this
# many; past it the writer refreshes the read alias once and forgets them.
UNREFRESHED_LIMIT = 50_000


class DocumentWriter:
    """Writes Documents for one backend; remembers known months and unrefreshed writes."""

    def __init__(self, client: Elasticsearch, names: IndexNames, tz: tzinfo, where: str) -> None:
        self.client = client
        self.names = names
        self.tz = tz
        self.where = where  # the redacted URL, for messages
        self.known_months: set[str] = set()
        self.unrefreshed: dict[str, str] = {}  # id → index it was last written to

    def forget(self) -> None:
        """After a refresh every write is visible to search; no need to remember them."""
        self.unrefreshed.clear()

    def upsert(self, documents: Iterable[Document]) -> UpsertReport:
        report = UpsertReport()
        batch: list[Document] = []
        for document in documents:
            batch.append(document)
            if len(batch) >= UPSERT_BATCH:
                self._write_batch(batch, report)
                batch = []
        if batch:
            self._write_batch(batch, report)
        return report

    # ---- one batch ----------------------------------------------------------
    def _write_batch(self, batch: list[Document], report: UpsertReport) -> None:
        unique = {document.id: document for document in batch}  # the last version of an id wins
        targets = {doc_id: self.names.month_index(month_key(doc.sort_at, self.tz)) for doc_id, doc in unique.items()}
        self.ensure_indices(set(targets.values()))
        copies = self.locate(list(unique))
        actions: list[dict[str, Any]] = []
        for doc_id, document in unique.items():
            target = targets[doc_id]
            actions.append({"_op_type": "index", "_index": target, "_id": doc_id, "_source": document_source(document, self.tz)})
            for stale in sorted(copies.get(doc_id, set()) - {target}):
                actions.append({"_op_type": "delete", "_index": stale, "_id": doc_id})
        if len(self.unrefreshed) + len(unique) > UNREFRESHED_LIMIT:
            self.client.indices.refresh(index=self.names.docs_alias, ignore_unavailable=True, allow_no_indices=True)
            self.forget()
        indexed, failed, transient = self._send(actions)
        for doc_id in indexed:
            self.unrefreshed[doc_id] = targets[doc_id]
        report.indexed += len(indexed)
        report.failed.extend(failed)
        if transient:
            raise BackendUnavailable(
                f"Elasticsearch at {self.where} could not store {len(transient)} of {len(actions)} bulk operations "
                f"now ({transient[0]}); the batch stays pending — run `envmon index` again once the cluster is healthy."
            )

    def _send(self, actions: list[dict[str, Any]]) -> tuple[list[str], list[tuple[str, str]], list[str]]:
        """Run the bulk; returns (indexed ids, permanently rejected (id, reason), transient reasons)."""
        indexed: list[str] = []
        failed: list[tuple[str, str]] = []
        transient: list[str] = []
        for ok, item in helpers.streaming_bulk(
            self.client,
            actions,
            chunk_size=len(actions),
            max_chunk_bytes=MAX_REQUEST_BYTES,
            raise_on_error=False,
            raise_on_exception=True,
            max_retries=BULK_RETRIES,
            initial_backoff=INITIAL_BACKOFF_S,
            max_backoff=MAX_BACKOFF_S,
        ):
            operation, result = next(iter(item.items()))
            doc_id = str(result.get("_id"))
            status = int(result.get("status", 0))
            if operation == "delete":
                if not ok and status != 404:  # 404: that stale copy is already gone
                    transient.append(f"delete {doc_id}: {_reason(result)}")
                continue
            if ok:
                indexed.append(doc_id)
            elif status in UNAVAILABLE_STATUSES or _is_missing_index(result):
                transient.append(_reason(result))
                self.known_months.discard(str(result.get("_index")))
            else:
                failed.append((doc_id, f"Elasticsearch rejected it: {_reason(result)}"))
        return indexed, failed, transient

    # ---- indices and copies -------------------------------------------------
    def ensure_indices(self, indices: set[str]) -> None:
        """Create month indices we have not seen (the template adds mapping and read alias)."""
        for name in sorted(indices - self.known_months):
            response = self.client.options(ignore_status=400).indices.create(index=name)
            if response.meta.status == 400 and _error_type(response.body) != "resource_already_exists_exception":
                raise BackendUnavailable(
                    f"Elasticsearch at {self.where} refused to create the index {name} ({_error_type(response.body)}); "
                    "check the cluster's index limits and that ENVMON_ES_INDEX_PREFIX is allowed."
                )
            self.known_months.add(name)

    def load_known_months(self) -> None:
        self.known_months = set(self.month_indices())

    def month_indices(self) -> list[str]:
        """The month indices behind the read alias, oldest first."""
        response = self.client.options(ignore_status=404).indices.get_alias(name=self.names.docs_alias)
        if response.meta.status == 404:
            return []
        return sorted(name for name in response.body if self.names.month_of(name) is not None)

    def locate(self, ids: list[str]) -> dict[str, set[str]]:
        """Every index that holds a copy of each id (searchable ones, plus unrefreshed writes)."""
        copies: dict[str, set[str]] = {}
        for doc_id in ids:
            recent = self.unrefreshed.get(doc_id)
            if recent is not None:
                copies.setdefault(doc_id, set()).add(recent)
        response = self.client.search(
            index=self.names.docs_alias,
            query={"ids": {"values": ids}},
            size=min(10_000, 4 * len(ids)),
            source=False,
            track_total_hits=False,
            ignore_unavailable=True,
            allow_no_indices=True,
            filter_path="hits.hits._id,hits.hits._index",
        )
        for hit in response.body.get("hits", {}).get("hits", []):
            copies.setdefault(hit["_id"], set()).add(hit["_index"])
        return copies

    def bulk_delete(self, index: str, ids: Iterator[str]) -> int:
        """Delete ids from one index; returns how many were deleted."""
        deleted = 0
        for ok, item in helpers.streaming_bulk(
            self.client,
            ({"_op_type": "delete", "_index": index, "_id": doc_id} for doc_id in ids),
            chunk_size=UPSERT_BATCH,
            raise_on_error=False,
            max_retries=BULK_RETRIES,
            initial_backoff=INITIAL_BACKOFF_S,
            max_backoff=MAX_BACKOFF_S,
        ):
            result = item["delete"]
            if ok:
                deleted += 1
            elif int(result.get("status", 0)) != 404:
                raise BackendUnavailable(
                    f"Elasticsearch at {self.where} could not delete old documents from {index} ({_reason(result)}); "
                    "run the retention again once the cluster is healthy."
                )
        return deleted


def _reason(result: dict[str, Any]) -> str:
    error = result.get("error")
    if isinstance(error, dict):
        reason = str(error.get("reason", ""))[:200]
        return f"{error.get('type', 'error')}: {reason}" if reason else str(error.get("type", "error"))
    return f"HTTP {result.get('status')}"


def _is_missing_index(result: dict[str, Any]) -> bool:
    error = result.get("error")
    return isinstance(error, dict) and error.get("type") == "index_not_found_exception"


def _error_type(body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("type", "error"))
    return "error"
