"""Issues and timelines, alerts and acknowledgement, weekly reports, source health."""

from __future__ import annotations

from datetime import UTC, datetime

from analyst.web.context import WebContext
from analyst.web.sources_health import CRAWL_RUN_NAMESPACE
from index.state import StateStore
from tests.web.support import csrf_of


def test_issues_list_and_timeline_with_sensitivity_mix(client_as, api_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("viewer")
    listing = client.get("/issues").text
    assert 'href="/issues/issue-mo-da"' in listing and "Mỏ đá Hữu Lũng" in listing
    page = client.get("/issues/issue-mo-da").text
    assert page.count("<rect") >= 4 + 2  # four days (one empty) and two sensitivity segments
    assert "2026-11-19: 0" in page and "2026-11-20: 3" in page
    assert "trung bình: 1" in page and "cao: 1" in page
    assert 'href="/documents/doc-land"' in page
    detail = api_as("viewer").get("/api/issues/issue-mo-da").json()
    assert detail["counts_by_day"]["2026-11-20"] == 3 and {doc["id"] for doc in detail["documents"]} == {"doc-land", "doc-land-copy"}
    assert api_as("viewer").get("/api/issues?topic=water").json() == []


def test_malformed_issue_records_are_skipped(api_as, context: WebContext) -> None:  # type: ignore[no-untyped-def]
    context.backend.put_record("issue", "broken", {"title": "no dates"})
    assert [issue["id"] for issue in api_as("viewer").get("/api/issues").json()] == ["issue-mo-da"]


def test_acknowledging_an_alert_records_who_and_when(client_as, context: WebContext) -> None:  # type: ignore[no-untyped-def]
    client = client_as("analyst")
    page = client.get("/alerts").text
    assert "Mỏ đá Hữu Lũng: số bài tăng gấp 4" in page and "Xác nhận đã nắm" in page
    client.post("/alerts/alert-1/ack", data={"csrf_token": csrf_of(page)})
    assert "Mỏ đá Hữu Lũng: số bài" not in client.get("/alerts").text  # open alerts only
    assert "Đã xác nhận bởi analyst" in client.get("/alerts?show=all").text
    entry = context.audit.entries(action="alert_acknowledge")[0]
    assert entry.user == "analyst" and entry.target == "alert-1"
    record = context.backend.get_record("alert", "alert-1")
    assert record is not None and record.data["acknowledged_by"] == "analyst"


def test_reports_list_open_and_download(client_as, api_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("viewer")
    listing = client.get("/reports").text
    assert "2026-W47" in listing and 'href="/reports/2026-W47/report.pdf"' in listing
    pdf = client.get("/reports/2026-W47/report.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and "attachment" in pdf.headers["content-disposition"]
    reports = api_as("viewer").get("/api/reports").json()
    assert reports[0]["week"] == "2026-W47" and set(reports[0]["files"]) == {"report.html", "report.pdf", "report.json"}
    assert api_as("viewer").get("/api/reports/2026-W47/report.json").json() == {"week": "2026-W47"}


def test_sources_show_documents_per_week_and_degrade_without_crawl_state(client_as, api_as, context: WebContext) -> None:  # type: ignore[no-untyped-def]
    page = client_as("viewer").get("/sources").text
    assert "baotest" in page and "otofun" in page and "chưa ghi lại các lần chạy" in page
    store = StateStore(context.settings.state_path)
    store.put_memo(CRAWL_RUN_NAMESPACE, "baotest", {"finished_at": datetime(2026, 11, 24, tzinfo=UTC).isoformat(), "status": "ok",
                                                    "errors": {"http_5xx": 2, "timeout": 1}})
    store.close()
    sources = {item["source"]: item for item in api_as("viewer").get("/api/sources").json()}
    assert sources["baotest"]["documents"] == 3 and sources["baotest"]["last_crawl"]["status"] == "ok"
    assert sources["otofun"]["last_crawl"] is None
    page = client_as("viewer").get("/sources").text
    assert "http_5xx: 2" in page and "chưa ghi lại" not in page
