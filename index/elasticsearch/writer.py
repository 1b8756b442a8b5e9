"""Bulk upserts into monthly indices: one copy per id, retries on 429, honest per-item errors.

A document lives in the index of its ``sort_at`` month. When its date changes between
upserts it must move, not be copied: before each batch the writer looks the ids up on the
read alias (and in its own list of writes not yet visible to search, because search only
sees refreshed documents) and deletes every copy outside the new month in the same bulk.

Month indices are created by the bulk request itself (the template supplies mapping and
read alias; the cluster batches those creations, where creating them one by one first cost
~0.4 s each). On a cluster that forbids automatic index creation the writer creates the
missing months explicitly and sends their documents once more.

Outcome of a batch: permanent per-item rejections (4xx: a malformed document) are reported
in ``UpsertReport.failed``; anything transient (cluster unreachable, 429 after retries,
5xx, unassigned shards) raises BackendUnavailable so the indexer keeps the batch pending
and the next run sends it again — re-sending is harmless because ``_id`` is the document id.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import tzinfo
from itertools import islice
from typing import Any

from elasticsearch import Elasticsearch, helpers

from index.backend import UpsertReport
from index.batches import batched
from index.elasticsearch.connection import UNAVAILABLE_STATUSES
from index.elasticsearch.mapping import IndexNames, document_body, month_key
from index.errors import BackendUnavailable
from index.records import Document

log = logging.getLogger(__name__)

UPSERT_BATCH = 500  # documents per bulk request, as the indexer's batch
MAX_ID_BYTES = 512  # Elasticsearch refuses a whole bulk request when one _id is longer
MAX_REQUEST_BYTES = 10 * 1024 * 1024  # split bulk requests above ~10 MB: kind to small clusters
BULK_RETRIES = 5  # 429 (queue full) retries per item, with exponential backoff
INITIAL_BACKOFF_S = 1.0
MAX_BACKOFF_S = 30.0
# Ids written since the last refresh are remembered (search cannot see them yet) up to this
# many; past it the writer refreshes the read alias once and forgets them.
UNREFRESHED_LIMIT = 50_000


@dataclass
class _BulkOutcome:
    """What became of each operation of a bulk request."""

    indexed: list[str] = field(default_factory=list)  # ids now stored
    failed: list[tuple[str, str]] = field(default_factory=list)  # (id, reason) rejected for good
    transient: list[str] = field(default_factory=list)  # reasons to retry the batch later
    missing: list[dict[str, Any]] = field(default_factory=list)  # actions whose month index is missing
    deleted: int = 0  # delete operations that removed a document

    def replace_missing(self, retry: _BulkOutcome) -> _BulkOutcome:
        """This outcome with the result of sending the missing-index actions again."""
        return _BulkOutcome(
            self.indexed + retry.indexed, self.failed + retry.failed, self.transient + retry.transient, retry.missing
        )


class DocumentWriter:
    """Writes Documents for one backend, remembering where it wrote what search cannot see yet."""

    def __init__(self, client: Elasticsearch, names: IndexNames, tz: tzinfo, where: str) -> None:
        self.client = client
        self.names = names
        self.tz = tz
        self.where = where  # the redacted URL, for messages
        self.unrefreshed: dict[str, str] = {}  # id → index it was last written to
        self._pool: ThreadPoolExecutor | None = None

    def forget(self) -> None:
        """After a refresh every write is visible to search; no need to remember them."""
        self.unrefreshed.clear()

    def upsert(self, documents: Iterable[Document]) -> UpsertReport:
        report = UpsertReport()
        for batch in batched(documents, UPSERT_BATCH):
            self._write_batch(batch, report)
        return report

    # ---- one batch ----------------------------------------------------------
    def _write_batch(self, batch: list[Document], report: UpsertReport) -> None:
        unique = {document.id: document for document in batch}  # the last version of an id wins
        for doc_id in [doc_id for doc_id in unique if len(doc_id.encode("utf-8")) > MAX_ID_BYTES]:
            del unique[doc_id]
            report.failed.append((doc_id, f"its id is longer than Elasticsearch's limit of {MAX_ID_BYTES} bytes"))
        if not unique:
            return
        targets = {doc_id: self.names.month_index(month_key(doc.sort_at, self.tz)) for doc_id, doc in unique.items()}
        if len(self.unrefreshed) + len(unique) > UNREFRESHED_LIMIT:
            self.client.indices.refresh(index=self.names.docs_alias, ignore_unavailable=True, allow_no_indices=True)
            self.forget()
        # The lookup of existing copies runs while this batch is encoded and indexed: it only
        # has to find copies in *other* months, which the new writes cannot create.
        lookup = self._lookup_thread().submit(self.locate, list(unique))
        actions = [
            {"_op_type": "index", "_index": targets[doc_id], "_id": doc_id, "_source": document_body(document, self.tz)}
            for doc_id, document in unique.items()
        ]
        outcome = self._send(actions)
        if outcome.missing:  # automatic index creation is off on this cluster
            missing = {action["_index"] for action in outcome.missing}
            log.info("creating %s explicitly: automatic index creation is off", ", ".join(sorted(missing)))
            self.create_indices(missing)
            outcome = outcome.replace_missing(self._send(outcome.missing))
        copies = lookup.result()
        stale = [
            {"_op_type": "delete", "_index": index, "_id": doc_id}
            for doc_id in outcome.indexed  # a rejected new version leaves the old copy in place
            for index in sorted(copies.get(doc_id, set()) - {targets[doc_id]})
        ]
        if stale:
            log.info("moving %d re-dated documents: deleting their copies in other months", len(stale))
            outcome.transient.extend(self._send(stale).transient)
        for doc_id in outcome.indexed:
            self.unrefreshed[doc_id] = targets[doc_id]
        report.indexed += len(outcome.indexed)
        report.failed.extend(outcome.failed)
        reasons = outcome.transient + [f"index_not_found_exception: {action['_index']}" for action in outcome.missing]
        if reasons:
            raise BackendUnavailable(
                f"Elasticsearch at {self.where} could not store {len(reasons)} of {len(actions) + len(stale)} bulk "
                f"operations now ({reasons[0]}); the batch stays pending — run `envmon index` again once the cluster is healthy."
            )

    def _lookup_thread(self) -> ThreadPoolExecutor:
        """One thread: the copy lookup waits on the cluster while the bulk request does."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="envmon-es-lookup")
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def _send(self, actions: list[dict[str, Any]]) -> _BulkOutcome:
        """Run one bulk with retries on 429 and sort every item's result."""
        outcome = _BulkOutcome()
        by_key = {(action["_index"], action["_id"]): action for action in actions}
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
                if ok and result.get("result") == "deleted":
                    outcome.deleted += 1
                elif not ok and status != 404:  # 404: that copy (or its month) is already gone
                    outcome.transient.append(f"delete {doc_id}: {_reason(result)}")
            elif ok:
                outcome.indexed.append(doc_id)
            elif _error_type(result) == "index_not_found_exception":
                outcome.missing.append(by_key[(str(result.get("_index")), doc_id)])
            elif status in UNAVAILABLE_STATUSES:
                outcome.transient.append(_reason(result))
            else:
                outcome.failed.append((doc_id, f"Elasticsearch rejected it: {_reason(result)}"))
        return outcome

    # ---- indices and copies -------------------------------------------------
    def create_indices(self, indices: set[str]) -> None:
        """Create month indices explicitly (the template adds mapping and read alias)."""
        for name in sorted(indices):
            response = self.client.options(ignore_status=400).indices.create(index=name)
            if response.meta.status == 400 and _error_type(response.body) != "resource_already_exists_exception":
                raise BackendUnavailable(
                    f"Elasticsearch at {self.where} refused to create the index {name} ({_error_type(response.body)}); "
                    "check the cluster's index limits and that ENVMON_ES_INDEX_PREFIX is allowed."
                )

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
        """Delete ids from one index, a batch at a time; returns how many were deleted."""
        deleted = 0
        while chunk := list(islice(ids, UPSERT_BATCH)):
            outcome = self._send([{"_op_type": "delete", "_index": index, "_id": doc_id} for doc_id in chunk])
            if outcome.transient:
                raise BackendUnavailable(
                    f"Elasticsearch at {self.where} could not delete old documents from {index} "
                    f"({outcome.transient[0]}); run the retention again once the cluster is healthy."
                )
            deleted += outcome.deleted
        return deleted


def _reason(result: dict[str, Any]) -> str:
    error = result.get("error")
    if isinstance(error, dict):
        reason = str(error.get("reason", ""))[:200]
        return f"{error.get('type', 'error')}: {reason}" if reason else str(error.get("type", "error"))
    return f"HTTP {result.get('status')}"


def _error_type(body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("type", "error"))
    return "error"
