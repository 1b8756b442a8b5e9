"""What every backend must do the same way: membership, counts, facets, filters, folding,
pagination and idempotency. Ranking may differ between backends; nothing else may."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from index.backend import Backend
from index.errors import QueryError
from index.query import build_query
from index.records import Review, SourceKind
from tests.conftest import HCM, make_document

CORPUS = [
    make_document(
        "d1", "Người dân xã Đồng Tân phản đối ô nhiễm từ bãi rác, nước rỉ rác tràn vào ruộng.",
        title="Dân phản đối bãi rác Đồng Tân", topic="waste", sensitivity="high",
        provinces=("Lạng Sơn",), projects=("bai-rac-dong-tan",), published_at=datetime(2026, 11, 20, 8, tzinfo=HCM),
    ),
    make_document(
        "d2", "Tranh chấp đất đai quanh dự án mỏ đá ở Hữu Lũng kéo dài nhiều tháng.",
        title="Mỏ đá Hữu Lũng", topic="mining", sensitivity="medium",
        provinces=("Lạng Sơn",), projects=("mo-da-huu-lung",), published_at=datetime(2026, 11, 21, 8, tzinfo=HCM),
    ),
    make_document(
        "d3", "Nghe nói sông Cầu bị ô nhiễm nặng, ăn cá là ung thư.",
        topic="water", sensitivity="high", misinfo_risk=0.72, misinfo_level="elevated",
        provinces=("Bắc Ninh",), published_at=datetime(2026, 11, 22, 23, 30, tzinfo=HCM),
    ),
    make_document(
        "d4", "Hội nghị tổng kết công tác bảo vệ môi trường năm 2026.",
        topic="governance", sensitivity="low", provinces=("Hà Nội",), published_at=datetime(2026, 11, 10, 8, tzinfo=HCM),
    ),
    make_document(
        "d5", "Đội bóng xã thắng giải huyện, không khí sân bóng sôi động.",
        topic="other", sensitivity="low", source="facebook", source_kind=SourceKind.IMPORT,
        published_at=datetime(2026, 11, 23, 8, tzinfo=HCM),
    ),
    make_document(
        "d6", "Lũ quét cuốn trôi cầu tạm, đất đá sạt lở vùi lấp đường.",
        topic="climate_disaster", sensitivity="high", provinces=("Lạng Sơn",),
        published_at=datetime(2026, 11, 24, 8, tzinfo=HCM),
    ),
    make_document(
        "d7", "Đất đai bị thu hồi cho khu công nghiệp, dân chưa nhận bồi thường.",
        topic="project_eia", sensitivity="medium", provinces=("Bắc Ninh",),
        published_at=datetime(2026, 9, 1, 8, tzinfo=HCM),
    ),
]
ALL = {document.id for document in CORPUS}


@pytest.fixture
def loaded(backend: Backend) -> Backend:
    report = backend.upsert(CORPUS)
    assert report.indexed == len(CORPUS) and not report.failed
    backend.refresh()
    return backend


def ids(backend: Backend, text: str = "", **filters: object) -> set[str]:
    result = backend.search(build_query(text, limit=100, **filters))
    found = {hit.document.id for hit in result.hits}
    assert result.total == len(found)
    return found


def test_empty_query_matches_everything(loaded: Backend) -> None:
    assert ids(loaded, "") == ALL
    assert loaded.count() == len(CORPUS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("o nhiem", {"d1", "d3"}),
        ("ô nhiễm", {"d1", "d3"}),
        ("Ô NHIỄM", {"d1", "d3"}),
        ("dat dai", {"d2", "d7"}),
        ("đất đai", {"d2", "d7"}),
        ('"dat dai"', {"d2", "d7"}),
        ('"dai dat"', set()),
        ("huu lung", {"d2"}),
        ("bai rac", {"d1"}),
    ],
)
def test_search_is_accent_insensitive(loaded: Backend, text: str, expected: set[str]) -> None:
    assert ids(loaded, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("o nhiem -song", {"d1"}),
        ("o nhiem NOT song", {"d1"}),
        ("o nhiem OR lu", {"d1", "d3", "d6"}),
        ("rac AND nhiem", {"d1"}),
        ('(rac OR "lu quet") dat', {"d6"}),
        ('-"o nhiem"', ALL - {"d1", "d3"}),
        ("-rac -lu", ALL - {"d1", "d6"}),
        ('dat -"dat dai"', {"d6"}),
    ],
)
def test_boolean_operators(loaded: Backend, text: str, expected: set[str]) -> None:
    assert ids(loaded, text) == expected


def test_title_words_are_searchable(loaded: Backend) -> None:
    assert ids(loaded, "mo da") == {"d2"}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"topic": ["water"]}, {"d3"}),
        ({"topic": ["water", "waste"]}, {"d1", "d3"}),
        ({"min_sensitivity": "high"}, {"d1", "d3", "d6"}),
        ({"min_sensitivity": "medium"}, {"d1", "d2", "d3", "d6", "d7"}),
        ({"min_misinfo": 0.5}, {"d3"}),
        ({"misinfo_level": ["elevated"]}, {"d3"}),
        ({"province": ["Lạng Sơn"]}, {"d1", "d2", "d6"}),
        ({"province": ["lang son"]}, {"d1", "d2", "d6"}),
        ({"project": ["mo-da-huu-lung"]}, {"d2"}),
        ({"source": ["facebook"]}, {"d5"}),
        ({"source_kind": ["import"]}, {"d5"}),
        ({"date_from": date(2026, 11, 20), "date_to": date(2026, 11, 22)}, {"d1", "d2", "d3"}),
        ({"date_to": date(2026, 11, 10)}, {"d4", "d7"}),
    ],
)
def test_filters(loaded: Backend, filters: dict, expected: set[str]) -> None:
    assert ids(loaded, "", **filters) == expected


def test_dup_cluster_filter_finds_syndicated_copies(backend: Backend) -> None:
    copies = [make_document(f"s{i}", "Bản tin về bãi rác Đồng Tân được nhiều báo đăng lại.") for i in range(3)]
    for copy in copies:
        copy.enrichment.dup_cluster = "s0"
    backend.upsert([*copies, make_document("other", "Tin khác về rừng phòng hộ.")])
    backend.refresh()
    assert ids(backend, "", dup_cluster="s0") == {"s0", "s1", "s2"}


def test_filters_combine_with_text(loaded: Backend) -> None:
    assert ids(loaded, "o nhiem", province=["Lạng Sơn"]) == {"d1"}
    assert ids(loaded, "dat", min_sensitivity="high") == {"d6"}


def test_facets_count_the_whole_match(loaded: Backend) -> None:
    facets = loaded.search(build_query("", limit=1)).facets
    assert facets["topic"] == {
        "waste": 1, "mining": 1, "water": 1, "governance": 1, "other": 1, "climate_disaster": 1, "project_eia": 1,
    }
    assert facets["sensitivity"] == {"high": 3, "medium": 2, "low": 2}
    assert facets["province"] == {"Lạng Sơn": 3, "Bắc Ninh": 2, "Hà Nội": 1}
    assert facets["source_kind"] == {"rss": 6, "import": 1}
    assert facets["source"] == {"baotest": 6, "facebook": 1}
    assert facets["project"] == {"bai-rac-dong-tan": 1, "mo-da-huu-lung": 1}
    assert facets["misinfo_level"] == {"low": 6, "elevated": 1}


def test_facets_follow_query_and_filters(loaded: Backend) -> None:
    facets = loaded.search(build_query("o nhiem")).facets
    assert facets["topic"] == {"waste": 1, "water": 1}
    facets = loaded.search(build_query("", province=["Bắc Ninh"])).facets
    assert facets["topic"] == {"water": 1, "project_eia": 1}


def test_date_histogram_uses_local_days(loaded: Backend) -> None:
    histogram = loaded.search(build_query("", limit=0)).facets["date"]
    # d3 was published at 23:30 in Ho Chi Minh City, 16:30 UTC: it belongs to the local day.
    assert histogram == {
        "2026-09-01": 1, "2026-11-10": 1, "2026-11-20": 1, "2026-11-21": 1,
        "2026-11-22": 1, "2026-11-23": 1, "2026-11-24": 1,
    }


def test_pagination_is_stable_and_complete(loaded: Backend) -> None:
    for sort in ("relevance", "date", "sensitivity"):
        pages = []
        for offset in range(0, 8, 2):
            result = loaded.search(build_query("", limit=2, offset=offset, sort=sort, facets=False))
            pages.extend(hit.document.id for hit in result.hits)
            assert result.total == len(CORPUS)
        assert len(pages) == len(CORPUS) and set(pages) == ALL
        again = [hit.document.id for hit in loaded.search(build_query("", limit=7, sort=sort)).hits]
        assert again == pages


def test_sort_by_date_is_newest_first(loaded: Backend) -> None:
    hits = loaded.search(build_query("", sort="date", limit=3)).hits
    assert [hit.document.id for hit in hits] == ["d6", "d5", "d3"]


def test_sort_by_sensitivity_puts_high_first(loaded: Backend) -> None:
    hits = loaded.search(build_query("", sort="sensitivity", limit=7)).hits
    levels = [hit.document.enrichment.sensitivity for hit in hits]
    assert levels == ["high"] * 3 + ["medium"] * 2 + ["low"] * 2


def test_relevance_puts_title_matches_first(loaded: Backend) -> None:
    hits = loaded.search(build_query("bai rac", limit=5)).hits
    assert hits[0].document.id == "d1"
    assert hits[0].score is not None and hits[0].score > 0


def test_snippets_highlight_original_words(loaded: Backend) -> None:
    hit = loaded.search(build_query("o nhiem")).hits[0]
    assert "<mark>" in hit.snippet_html
    assert "nhiễm</mark>" in hit.snippet_html


def test_snippets_escape_hostile_text(backend: Backend) -> None:
    hostile = make_document("h1", 'Ô nhiễm <script>alert(1)</script> <img src=x onerror="alert(2)"> ở đây.')
    backend.upsert([hostile])
    backend.refresh()
    for text in ("o nhiem", ""):
        snippet = backend.search(build_query(text)).hits[0].snippet_html
        assert "<script" not in snippet and "<img" not in snippet
        assert "&lt;script&gt;" in snippet


def test_upsert_is_idempotent(loaded: Backend) -> None:
    loaded.upsert(CORPUS)
    loaded.upsert(CORPUS[:3])
    loaded.refresh()
    assert loaded.count() == len(CORPUS)
    assert ids(loaded, "o nhiem") == {"d1", "d3"}


def test_upsert_replaces_text_and_labels(loaded: Backend) -> None:
    changed = make_document("d1", "Bãi rác đã được đóng cửa và phủ xanh.", topic="governance", sensitivity="low")
    loaded.upsert([changed])
    loaded.refresh()
    assert ids(loaded, "o nhiem") == {"d3"}
    assert ids(loaded, "phu xanh") == {"d1"}
    assert ids(loaded, "", topic=["waste"]) == set()
    assert loaded.count() == len(CORPUS)


def test_get_returns_the_stored_document(loaded: Backend) -> None:
    document = loaded.get("d2")
    assert document is not None and document.title == "Mỏ đá Hữu Lũng"
    assert document.enrichment.projects == ["mo-da-huu-lung"]
    assert loaded.get("missing") is None
    assert [doc.id for doc in loaded.get_many(["d3", "missing", "d1"])] == ["d3", "d1"]


def test_review_is_stored_beside_model_labels(loaded: Backend) -> None:
    review = Review(reviewed=True, reviewed_by="ana", reviewed_at=datetime(2026, 11, 25, tzinfo=HCM), topic="waste")
    loaded.record_review("d3", review)
    loaded.refresh()
    stored = loaded.get("d3")
    assert stored is not None
    assert stored.enrichment.topic == "water"  # the model's label is kept
    assert stored.review.topic == "waste" and stored.review.reviewed_by == "ana"
    assert ids(loaded, "", topic=["waste"]) == {"d1", "d3"}
    assert ids(loaded, "", reviewed=True) == {"d3"}


def test_delete_older_than(loaded: Backend) -> None:
    deleted = loaded.delete_older_than(30, now=datetime(2026, 11, 28, tzinfo=HCM))
    loaded.refresh()
    assert deleted == 1
    assert ids(loaded, "dat dai") == {"d2"}
    assert loaded.count() == len(CORPUS) - 1


def test_scan_returns_every_match(loaded: Backend) -> None:
    assert {document.id for document in loaded.scan(build_query("", limit=1))} == ALL
    assert {document.id for document in loaded.scan(build_query("o nhiem"))} == {"d1", "d3"}


def test_records_round_trip(backend: Backend) -> None:
    backend.put_record("alert", "a1", {"score": 3.5, "issue": "x"})
    backend.put_record("alert", "a1", {"score": 4.0, "issue": "x"})
    backend.put_record("alert", "a2", {"score": 1.0})
    backend.refresh()
    stored = backend.get_record("alert", "a1")
    assert stored is not None and stored.data["score"] == 4.0
    assert {record.id for record in backend.list_records("alert")} == {"a1", "a2"}
    assert backend.get_record("alert", "nope") is None


@pytest.mark.parametrize("text", ['"; DROP TABLE documents; --', ") OR 1=1", "a" * 5000, '"unbalanced'])
def test_malformed_or_hostile_queries_raise_query_error(loaded: Backend, text: str) -> None:
    with pytest.raises(QueryError):
        loaded.search(build_query(text))
    assert loaded.count() == len(CORPUS)


@pytest.mark.parametrize("text", ["*:*", "_all", "title:x", "a~2 b^3", "{x TO y}", "docs_fts MATCH", "NEAR(a b)", "\\", "%", "'"])
def test_special_characters_are_plain_text(loaded: Backend, text: str) -> None:
    result = loaded.search(build_query(text))
    assert result.total >= 0
    assert loaded.count() == len(CORPUS)
