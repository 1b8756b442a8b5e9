"""Flagged queue, document page with reasons, review and label corrections fed to retraining."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from analyst.corrections import CORRECTIONS_FILE
from analyst.web.context import WebContext
from analyst.web.flagged import flagged_page
from tests.conftest import HCM, make_document
from tests.web.support import page_csrf


def test_flagged_queue_holds_high_sensitivity_and_elevated_risk_unreviewed_first(api_as, context: WebContext) -> None:  # type: ignore[no-untyped-def]
    api = api_as("analyst")
    queue = api.get("/api/flagged").json()
    assert [doc["id"] for doc in queue["documents"]] == ["doc-hostile", "doc-rumour", "doc-land"]  # newest first
    assert queue["total"] == queue["unreviewed"] == 3  # not the medium copy, not the routine meeting
    api.post("/api/documents/doc-hostile/review", json={})
    queue = api.get("/api/flagged").json()
    assert [doc["id"] for doc in queue["documents"]] == ["doc-rumour", "doc-land", "doc-hostile"]
    assert queue["unreviewed"] == 2
    assert [doc["id"] for doc in api.get("/api/flagged?include_reviewed=false").json()["documents"]] == ["doc-rumour", "doc-land"]


def test_flagged_pages_merge_both_kinds_without_gaps_or_repeats(context: WebContext) -> None:
    start = datetime(2026, 10, 1, 8, 0, tzinfo=HCM)
    documents = []
    for n in range(60):
        kind = n % 3  # 0: sensitive, 1: risky, 2: both
        documents.append(make_document(
            f"flag-{n:02d}", f"Văn bản {n}", sensitivity="high" if kind != 1 else "low",
            misinfo_level="elevated" if kind != 0 else "low", published_at=start + timedelta(hours=n),
        ))
    context.backend.upsert(documents)
    everything = flagged_page(context.backend, 0, 100)
    paged = [doc.id for offset in range(0, everything.total, 7) for doc in flagged_page(context.backend, offset, 7).documents]
    assert everything.total == 63 and paged == [doc.id for doc in everything.documents]
    assert len(set(paged)) == 63


def test_document_page_shows_labels_scores_reasons_places_claims_issue_and_near_duplicates(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("viewer")
    land = client.get("/documents/doc-land").text
    assert "Khai khoáng" in land and "0.90" in land  # topic and its score
    assert "phản đối" in land and "collective_action" in land  # reasons
    assert "xã Cai Kinh" in land and "<svg class=\"map\"" in land  # places, with a small map
    assert "Mỏ đá Hữu Lũng" in land and 'href="/issues/issue-mo-da"' in land  # its issue
    assert 'href="/documents/doc-land-copy"' in land  # near-duplicate
    assert 'href="https://example.vn/doc-land"' in land and 'rel="noopener noreferrer nofollow"' in land
    assert "Xem xét và sửa nhãn" not in land  # viewers cannot correct
    rumour = client.get("/documents/doc-rumour").text
    assert "Nước sông Thương nhiễm độc" in rumour and "0.81" in rumour  # matched refuted claim


def test_viewing_a_flagged_document_is_audited(client_as, context: WebContext) -> None:  # type: ignore[no-untyped-def]
    client = client_as("viewer")
    client.get("/documents/doc-routine")
    client.get("/documents/doc-land")
    viewed = context.audit.entries(action="view_flagged")
    assert [(entry.user, entry.target) for entry in viewed] == [("viewer", "doc-land")]


def test_correcting_a_topic_keeps_the_model_label_and_feeds_retraining(client_as, context: WebContext) -> None:  # type: ignore[no-untyped-def]
    client = client_as("analyst")
    response = client.post(
        "/documents/doc-land/review",
        data={"csrf_token": page_csrf(client, "/documents/doc-land"), "topic": "project_eia", "note": "dự án chưa có ĐTM"},
        follow_redirects=True,
    )
    assert response.status_code == 200 and "Dự án, ĐTM" in response.text and "Đã xem xét bởi analyst" in response.text
    document = context.backend.get("doc-land")
    assert document is not None
    assert document.enrichment.topic == "mining" and document.review.topic == "project_eia" and document.review.reviewed
    example = json.loads((context.settings.data_dir / CORRECTIONS_FILE).read_text().splitlines()[-1])
    assert example["topic"] == "project_eia" and example["corrected_by"] == "analyst"
    entry = context.audit.entries(action="label_correction")[0]
    assert entry.user == "analyst" and entry.target == "doc-land" and entry.at <= datetime.now(UTC)
    assert entry.detail["changes"]["topic"] == {"model": "mining", "before": "mining", "after": "project_eia"}


def test_mark_reviewed_from_the_queue_returns_to_the_queue(client_as, context: WebContext) -> None:  # type: ignore[no-untyped-def]
    client = client_as("analyst")
    response = client.post(
        "/documents/doc-rumour/review",
        data={"csrf_token": page_csrf(client, "/flagged"), "next": "/flagged?page=1&show=all"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/flagged?page=1&show=all"
    assert context.audit.entries(action="mark_reviewed")[0].target == "doc-rumour"
    assert not (context.settings.data_dir / CORRECTIONS_FILE).exists()  # no label changed: nothing to learn


def test_api_corrections_validate_labels(api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as("analyst")
    assert api.post("/api/documents/doc-land/review", json={"topic": "weather"}).status_code == 400
    assert api.post("/api/documents/no-such-doc/review", json={"topic": "water"}).status_code == 404
    corrected = api.post("/api/documents/doc-rumour/review", json={"misinfo": False, "sensitivity": "medium"}).json()
    assert corrected["document"]["review"]["misinfo"] is False and corrected["document"]["enrichment"]["misinfo_level"] == "elevated"


def test_viewer_cannot_correct_labels(client_as, api_as, context: WebContext) -> None:  # type: ignore[no-untyped-def]
    client = client_as("viewer")
    page = client.post("/documents/doc-land/review", data={"csrf_token": page_csrf(client), "topic": "water"}, follow_redirects=False)
    assert page.status_code == 403
    assert api_as("viewer").post("/api/documents/doc-land/review", json={"topic": "water"}).status_code == 403
    assert api_as("viewer").get("/api/export").status_code == 403
    document = context.backend.get("doc-land")
    assert document is not None and document.review.topic is None
    denied = context.audit.entries(action="access_denied", user="viewer")
    assert {entry.target for entry in denied} == {"/documents/doc-land/review", "/api/documents/doc-land/review", "/api/export"}
