"""The index stage on both backends: a new version of a document keeps what analysts did to it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from index.backend import Backend
from index.indexer import run_index
from index.query import build_query
from index.records import Review
from index.settings import Settings
from index.spool import Spool
from tests.conftest import HCM, make_document


def test_an_updated_article_keeps_the_analysts_review(backend: Backend, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "reindex")
    documents = Spool(settings.documents_dir, settings.tz)
    first = make_document("r1", "Nước thải nhà máy đổ ra sông Kỳ Cùng.", topic="water", sensitivity="medium")
    documents.append([first])
    assert run_index(settings, backend).indexed == 1
    review = Review(reviewed=True, reviewed_by="ana", reviewed_at=datetime(2026, 11, 25, tzinfo=HCM), topic="waste")
    backend.record_review("r1", review)
    backend.refresh()

    # The outlet edits the article: the crawler spools the new version, enrich labels it afresh.
    edited = make_document("r1", "Nước thải nhà máy đổ ra sông Kỳ Cùng, cá chết hàng loạt.", topic="water", sensitivity="high")
    documents.append([edited])
    assert run_index(settings, backend).indexed == 1

    stored = backend.get("r1")
    assert stored is not None and "cá chết" in stored.text  # the new version is indexed
    assert stored.enrichment.sensitivity == "high"  # with the model's new labels
    assert stored.review == review  # and the analyst's correction beside them
    assert stored.effective("topic") == "waste"
    result = backend.search(build_query("", reviewed=True))
    assert [hit.document.id for hit in result.hits] == ["r1"]



def _wipe(backend: Backend) -> None:
    """What an operator does to rebuild the index: delete index.sqlite, or the cluster's indices."""
    drop = getattr(backend, "drop_everything", None)
    if drop is not None:
        drop()
        return
    backend.close()
    path: Path = backend.path  # type: ignore[attr-defined]
    for leftover in path.parent.glob(f"{path.name}*"):
        leftover.unlink()


def test_a_deleted_index_is_rebuilt_from_the_documents_spool(backend: Backend, tmp_path: Path) -> None:
    # docs/operations.md: "delete it and run `envmon index` (it re-reads the documents spool)".
    settings = Settings(data_dir=tmp_path / "rebuild")
    Spool(settings.documents_dir, settings.tz).append([make_document(f"b{n}", f"Bãi rác số {n} bốc mùi.") for n in range(3)])
    assert run_index(settings, backend).indexed == 3
    _wipe(backend)
    report = run_index(settings, backend)
    assert report.indexed == 3 and report.pending_bytes == 0
    assert backend.count() == 3
    assert run_index(settings, backend).indexed == 0  # and then it is up to date again


def test_an_index_built_before_it_had_an_identity_keeps_its_place(backend: Backend, tmp_path: Path) -> None:
    from index.indexer import consumer_name
    from index.spool import SpoolConsumer
    from index.state import StateStore

    settings = Settings(data_dir=tmp_path / "legacy")
    documents = Spool(settings.documents_dir, settings.tz)
    documents.append([make_document("l1", "Khói lò gạch.")])
    backend.upsert([make_document("l1", "Khói lò gạch.")])
    backend.refresh()
    state = StateStore(settings.state_path)
    legacy = SpoolConsumer(documents, state, consumer_name(settings))
    for entry in legacy.pending():
        legacy.commit(entry)
    state.close()
    assert run_index(settings, backend).indexed == 0  # nothing sent twice
    documents.append([make_document("l2", "Nước thải nhuộm đen kênh.")])
    assert run_index(settings, backend).indexed == 1
