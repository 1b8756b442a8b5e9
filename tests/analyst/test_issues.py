"""Issues group documents by project, or by commune and topic, within a sliding window."""

from __future__ import annotations

from datetime import timedelta

from analyst.issues import ISSUE_GAP, build_issues, update_issues
from analyst.models import ISSUE_RECORD
from index.backends import open_backend
from index.records import Review
from tests.analyst.conftest import CAI_KINH, HCM, QUARRY, SURGE_END, TAN_THANH, labelled


def test_documents_about_one_project_form_one_issue_whatever_the_commune() -> None:
    documents = [
        labelled("a", SURGE_END, places=(TAN_THANH,), projects=(QUARRY,)),
        labelled("b", SURGE_END + timedelta(days=2), places=(CAI_KINH,), projects=(QUARRY,), sensitivity="high"),
        labelled("c", SURGE_END + timedelta(days=3), places=(CAI_KINH,), topic="water"),
    ]
    issues = build_issues(documents, HCM)
    by_key = {issue.key: issue for issue in issues.issues}
    assert set(by_key) == {f"project:{QUARRY}", f"place:{CAI_KINH.ward_code}:water"}
    quarry = by_key[f"project:{QUARRY}"]
    assert quarry.kind == "project" and quarry.documents == 2
    assert quarry.title.startswith("Mỏ đá Khau Lù")
    assert quarry.sensitivity_mix == {"medium": 1, "high": 1}
    assert issues.assignment["a"] == issues.assignment["b"] == quarry.id
    assert by_key[f"place:{CAI_KINH.ward_code}:water"].title == "Nước tại xã Cai Kinh, Lạng Sơn"


def test_near_duplicates_count_once_in_an_issue() -> None:
    documents = [
        labelled("original", SURGE_END, places=(TAN_THANH,), projects=(QUARRY,)),
        labelled("copy", SURGE_END + timedelta(hours=1), places=(TAN_THANH,), projects=(QUARRY,), dup_cluster="original"),
    ]
    (issue,) = build_issues(documents, HCM).issues
    assert issue.documents == 1
    assert sum(issue.counts_by_day.values()) == 1


def test_a_key_quiet_longer_than_the_window_starts_a_new_issue() -> None:
    first = labelled("early", SURGE_END, places=(TAN_THANH,), projects=(QUARRY,))
    later = labelled("late", SURGE_END + ISSUE_GAP + timedelta(days=1), places=(TAN_THANH,), projects=(QUARRY,))
    issues = build_issues([first, later], HCM)
    assert len(issues.issues) == 2
    assert issues.assignment["early"] != issues.assignment["late"]


def test_issue_ids_are_stable_and_documents_carry_them(settings) -> None:  # type: ignore[no-untyped-def]
    backend = open_backend(settings)
    documents = [labelled(f"d{n}", SURGE_END + timedelta(hours=n), places=(TAN_THANH,), projects=(QUARRY,)) for n in range(3)]
    backend.upsert(documents)
    first = update_issues(backend, HCM)
    assert first.issues == 1 and first.documents_updated == 3
    again = update_issues(backend, HCM)
    assert again.written == 0 and again.documents_updated == 0
    (record,) = backend.list_records(ISSUE_RECORD)
    assert {document.enrichment.issue_id for document in backend.get_many(["d0", "d1", "d2"])} == {record.id}
    backend.close()


def test_a_review_made_while_issues_are_regrouped_is_kept(settings) -> None:  # type: ignore[no-untyped-def]
    backend = open_backend(settings)
    documents = [labelled(f"d{n}", SURGE_END + timedelta(hours=n), places=(TAN_THANH,), projects=(QUARRY,)) for n in range(3)]
    backend.upsert(documents)
    scan = backend.scan

    def scan_then_an_analyst_reviews(query):  # type: ignore[no-untyped-def]
        yield from scan(query)
        reviewed = backend.get("d1")
        reviewed.review = Review(reviewed=True, reviewed_by="analyst", sensitivity="high")
        backend.record_review("d1", reviewed.review)

    backend.scan = scan_then_an_analyst_reviews
    update_issues(backend, HCM)
    stored = backend.get("d1")
    assert stored.review.reviewed and stored.review.sensitivity == "high"
    assert stored.enrichment.issue_id is not None
    backend.close()
