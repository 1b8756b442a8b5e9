"""The index stage: new documents from the documents spool → the configured backend.

Progress is committed only after the backend accepted a batch, so when the backend is down
the documents stay pending and the next run sends them (nothing is lost). Documents the
backend rejects for good (e.g. a mapping error) go to quarantine with the reason.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import ValidationError

from index.backend import Backend
from index.errors import BackendUnavailable
from index.quarantine import quarantine
from index.records import Document, Review
from index.settings import Settings, redact_url
from index.spool import Spool, SpoolConsumer, SpoolEntry
from index.state import StateStore, stage_lock

log = logging.getLogger(__name__)

BATCH_SIZE = 500
IDENTITY_KIND = "index-identity"  # a record in the backend, and a memo in the state file


@dataclass
class IndexReport:
    indexed: int = 0
    rejected: int = 0
    pending_bytes: int = 0
    expired: int = 0
    error: str | None = None


def consumer_name(settings: Settings, identity: str = "") -> str:
    """Each backend keeps its own position: switching to Elasticsearch indexes the whole spool;
    so does each new index at the same place (see index_identity)."""
    if settings.backend_kind == "elasticsearch":
        # Without user:password: the state file must not hold a password, and changing it
        # must not send the whole spool again.
        url = settings.index_url or ""
        base = f"index:es:{redact_url(url) if '@' in url else url}:{settings.es_index_prefix}"
    else:
        base = f"index:sqlite:{settings.sqlite_path}"
    return f"{base}:{identity}" if identity else base


def index_identity(backend: Backend) -> str:
    """Which index this is, stored in the index itself. A new empty one (index.sqlite deleted,
    the cluster's indices wiped) gets a fresh identity, hence its own checkpoint, so `envmon
    index` refills it from the start of the documents spool; an index filled before identities
    existed keeps the plain name and its checkpoint."""
    stored = backend.get_record(IDENTITY_KIND, IDENTITY_KIND)
    if stored is not None:
        return str(stored.data.get("identity", ""))
    identity = "" if backend.count() else uuid.uuid4().hex
    backend.put_record(IDENTITY_KIND, IDENTITY_KIND, {"identity": identity})
    return identity


def run_index(
    settings: Settings,
    backend: Backend,
    progress: Callable[[int, int], None] | None = None,
) -> IndexReport:
    """Send every pending document to the backend; stop (keeping them pending) if it fails."""
    settings.ensure_data_dir()
    with stage_lock(settings.data_dir, "index"):
        return _index_pending(settings, backend, progress)


def _index_pending(settings: Settings, backend: Backend, progress: Callable[[int, int], None] | None) -> IndexReport:
    state = StateStore(settings.state_path)
    documents = Spool(settings.documents_dir, settings.tz)
    # Until the backend answers, the identity it had last time tells what is pending.
    remembered = state.get_memo(IDENTITY_KIND, consumer_name(settings)) or ""
    consumer = SpoolConsumer(documents, state, consumer_name(settings, remembered))
    report = IndexReport()
    backlog = done = 0
    try:
        backend.ensure_ready()
        identity = index_identity(backend)
        if identity != remembered:
            state.put_memo(IDENTITY_KIND, consumer_name(settings), identity)
            consumer = SpoolConsumer(documents, state, consumer_name(settings, identity))
        backlog = consumer.backlog_bytes()
        batch: list[Document] = []
        last: SpoolEntry | None = None
        for entry in consumer.pending():
            last = entry
            done += len(json.dumps(entry.data)) if entry.data else 0
            if entry.data:
                try:
                    batch.append(Document.model_validate(entry.data))
                except ValidationError as exc:
                    report.rejected += 1
                    quarantine(settings, "index", entry.data.get("id"), f"not a Document: {exc.errors()[0].get('msg')}")
            if len(batch) >= BATCH_SIZE:
                _send(backend, batch, settings, report)
                consumer.commit(entry)
                batch = []
                if progress:
                    progress(min(done, backlog), backlog)
        if batch:
            _send(backend, batch, settings, report)
        if last is not None:
            consumer.commit(last)
        if settings.retention_days is not None:
            report.expired = backend.delete_older_than(settings.retention_days)
        backend.refresh()
    except BackendUnavailable as exc:
        report.error = str(exc)
    finally:
        report.pending_bytes = consumer.backlog_bytes()
        state.close()
    if progress:
        progress(backlog, backlog)
    return report


def pending_bytes(settings: Settings) -> int:
    """Bytes of the documents spool the configured backend has not received (as of its last run)."""
    state = StateStore(settings.state_path)
    try:
        identity = state.get_memo(IDENTITY_KIND, consumer_name(settings)) or ""
        documents = Spool(settings.documents_dir, settings.tz)
        return SpoolConsumer(documents, state, consumer_name(settings, identity)).backlog_bytes()
    finally:
        state.close()


def _send(backend: Backend, batch: list[Document], settings: Settings, report: IndexReport) -> None:
    _keep_reviews(backend, batch)
    result = backend.upsert(batch)
    report.indexed += result.indexed
    for doc_id, reason in result.failed:
        report.rejected += 1
        quarantine(settings, "index", doc_id, reason)


def _keep_reviews(backend: Backend, batch: list[Document]) -> None:
    """A new version of a stored document (an edited article, a re-enrichment) arrives without
    a review; the analyst's review of the stored one stays beside the new labels (DESIGN.md)."""
    unreviewed = [document for document in batch if document.review == Review()]
    if not unreviewed:
        return
    stored = {document.id: document.review for document in backend.get_many(doc.id for doc in unreviewed)}
    for document in unreviewed:
        review = stored.get(document.id)
        if review is not None and review != Review():
            document.review = review
