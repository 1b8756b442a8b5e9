"""SqliteBackend answers through several plans (small or large matched sets, ranked pages with
tie-breaking in Python or in SQL); every plan must give the same answer."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

import index.sqlite_backend as sqlite_module
from index.query import build_query
from index.sqlite_backend import SqliteBackend
from tests.conftest import HCM, make_document
from tests.contract.test_backend_contract import CORPUS

# Eight copies of one text score the same: ties that only the date and then the id break.
TWINS = [
    make_document(f"t{number}", "Bãi rác Đồng Tân lại bốc mùi, ô nhiễm kéo dài.", provinces=("Lạng Sơn",),
                  published_at=datetime(2026, 10, 1, 8, tzinfo=HCM) + timedelta(days=number % 4))
    for number in range(8)
]
QUERIES = [
    ("", {}), ("o nhiem", {}), ("bai rac", {"province": ["lang son"]}), ("-rac", {}),
    ("dat", {"min_sensitivity": "medium"}), ("", {"topic": ["waste", "water"], "sort": "sensitivity"}),
    ("o nhiem", {"sort": "date"}),
]


@pytest.fixture
def loaded(tmp_path: Path) -> SqliteBackend:
    backend = SqliteBackend(tmp_path / "index.sqlite")
    backend.upsert(CORPUS + TWINS)
    return backend


def _answer(backend: SqliteBackend, text: str, options: dict, offset: int = 0, limit: int = 4) -> tuple:
    result = backend.search(build_query(text, limit=limit, offset=offset, **options))
    return result.total, [hit.document.id for hit in result.hits], result.facets


@pytest.mark.parametrize(("text", "options"), QUERIES)
def test_small_and_large_matched_sets_give_the_same_answer(
    loaded: SqliteBackend, monkeypatch: pytest.MonkeyPatch, text: str, options: dict
) -> None:
    monkeypatch.setattr(sqlite_module, "SMALL_SCOPE", 10_000)
    small = [_answer(loaded, text, options, offset) for offset in (0, 4, 8)]
    monkeypatch.setattr(sqlite_module, "SMALL_SCOPE", 0)
    assert [_answer(loaded, text, options, offset) for offset in (0, 4, 8)] == small


def test_ties_on_relevance_go_newest_first_then_by_id(loaded: SqliteBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = [doc.id for doc in sorted(TWINS, key=lambda doc: (-doc.sort_at.timestamp(), doc.id))]
    pages = {}
    for margin in (50, 1):  # 1: too few extra ranks to see every tie, so SQL orders them
        monkeypatch.setattr(sqlite_module, "RANK_TIE_MARGIN", margin)
        pages[margin] = [_answer(loaded, '"bai rac dong tan lai"', {}, offset, 3)[1] for offset in (0, 3, 6)]
    assert sum(pages[50], []) == expected
    assert pages[1] == pages[50]
