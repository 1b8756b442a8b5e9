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

