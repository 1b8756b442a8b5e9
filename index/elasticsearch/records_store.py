"""Small non-document records (alerts, saved searches, reports) in ``<prefix>-records``.

Writes refresh the (tiny) index at once so a record is listed right after it is put, as
with SQLite. ``_id`` is ``kind:record_id``; kinds are envmon's own constants.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from elasticsearch import Elasticsearch

from index.backend import StoredRecord
from index.elasticsearch.mapping import RECORDS_MAPPING, index_settings

MAX_LISTED = 10_000  # Elasticsearch's default result window; envmon lists far fewer records


class RecordStore:
    """put/get/list/delete of StoredRecord in one index."""

    def __init__(self, client: Elasticsearch, index: str, replicas: int = 0) -> None:
        self.client = client
        self.index = index
        self.replicas = replicas

    def create(self) -> None:
        """Create the records index with its mapping when it does not exist yet."""
        if self.client.indices.exists(index=self.index):
            return
        self.client.options(ignore_status=400).indices.create(
            index=self.index, settings=index_settings(self.replicas), mappings=RECORDS_MAPPING
        )

    def put(self, kind: str, record_id: str, data: dict[str, Any]) -> None:
        body = {
            "kind": kind,
            "record_id": record_id,
            # the same JSON round trip as SQLite: what is read back is what json can hold
            "data": json.loads(json.dumps(data, ensure_ascii=False, default=str)),
            "updated_at": datetime.now(UTC).isoformat(),
        }
        self.client.index(index=self.index, id=_key(kind, record_id), document=body, refresh=True)

    def get(self, kind: str, record_id: str) -> StoredRecord | None:
        response = self.client.options(ignore_status=404).get(index=self.index, id=_key(kind, record_id))
        if response.meta.status == 404 or not response.body.get("found"):
            return None
        return _stored(response.body["_source"])

    def list(self, kind: str, limit: int) -> list[StoredRecord]:
        response = self.client.search(
            index=self.index,
            query={"term": {"kind": kind}},
            sort=[{"updated_at": {"order": "desc"}}, {"record_id": {"order": "asc"}}],
            size=max(0, min(limit, MAX_LISTED)),
            ignore_unavailable=True,
            allow_no_indices=True,
        )
        return [_stored(hit["_source"]) for hit in response["hits"]["hits"]]

    def delete(self, kind: str, record_id: str) -> None:
        self.client.options(ignore_status=404).delete(index=self.index, id=_key(kind, record_id), refresh=True)


def _key(kind: str, record_id: str) -> str:
    return f"{kind}:{record_id}"


def _stored(source: dict[str, Any]) -> StoredRecord:
    return StoredRecord(
        kind=source["kind"],
        id=source["record_id"],
        data=source.get("data") or {},
        updated_at=datetime.fromisoformat(source["updated_at"]),
    )
