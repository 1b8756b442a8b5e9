"""A small analyst world for the web tests: documents (one hostile), an issue, an alert, a report."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from fastapi.testclient import TestClient

from analyst.models import ALERT_RECORD, ISSUE_RECORD, Alert, AlertDocument, IssueRecord
from index.backend import Backend
from index.records import ClaimMatch, LabelReason, Place, SourceKind
from index.settings import Settings
from tests.conftest import HCM, make_document

PASSWORD = "correct horse battery staple"
ROLES = ("viewer", "analyst", "admin")
HOSTILE_TEXT = (
    "Dân phản đối bãi rác <script>alert('xss')</script> gây ô nhiễm "
    '<img src=x onerror="alert(1)"> và <a href="javascript:alert(2)">link</a>.'
)
WEEK = "2026-W47"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def seed(settings: Settings, backend: Backend) -> None:
    """Documents, one issue, one alert and one weekly report."""
    land = make_document(
        "doc-land",
        "Người dân xã Cai Kinh phản đối vì tranh chấp đất đai với dự án mỏ đá Hữu Lũng kéo dài.",
        title="Tranh chấp đất đai ở Hữu Lũng",
        topic="mining",
        sensitivity="high",
        provinces=("Lạng Sơn",),
        projects=("mo-da-huu-lung",),
    )
    land.author_pseudonym = "psn-land-author"
    land.enrichment.issue_id = "issue-mo-da"
    land.enrichment.dup_cluster = "doc-land"
    land.enrichment.reasons = {"sensitivity": LabelReason(terms=["phản đối"], rules=["collective_action"])}
    land.enrichment.places = [Place(name="xã Cai Kinh", level="ward", province="Lạng Sơn", ward="Cai Kinh", lat=21.6, lon=106.3)]
    copy = make_document(
        "doc-land-copy",
        "Người dân xã Cai Kinh phản đối vì tranh chấp đất đai với dự án mỏ đá Hữu Lũng kéo dài (bài đăng lại).",
        title="Tranh chấp đất đai ở Hữu Lũng (đăng lại)",
        topic="mining",
        sensitivity="medium",
        provinces=("Lạng Sơn",),
        source="baokhac",
        published_at=datetime(2026, 11, 20, 15, 0, tzinfo=HCM),
    )
    copy.enrichment.issue_id = "issue-mo-da"
    copy.enrichment.dup_cluster = "doc-land"
    rumour = make_document(
        "doc-rumour",
        "Nghe nói nước sông Thương bị nhiễm độc, chưa rõ nguồn.",
        title="Tin đồn ô nhiễm nước",
        topic="water",
        sensitivity="low",
        misinfo_risk=0.7,
        misinfo_level="elevated",
        provinces=("Bắc Giang",),
        source_kind=SourceKind.FORUM,
        source="otofun",
        published_at=datetime(2026, 11, 21, 8, 0, tzinfo=HCM),
    )
    rumour.enrichment.claim_matches = [
        ClaimMatch(claim_id="c1", claim="Nước sông Thương nhiễm độc", similarity=0.81, status="confirm", source="https://example.vn/bac-bo")
    ]
    routine = make_document("doc-routine", "Sở TN&MT họp về kế hoạch quản lý chất thải rắn năm 2027.", title="Họp kế hoạch", topic="waste")
    hostile = make_document(
        "doc-hostile",
        HOSTILE_TEXT,
        title='<svg onload="alert(3)">Bãi rác</svg>',
        topic="waste",
        sensitivity="high",
        published_at=datetime(2026, 11, 22, 10, 0, tzinfo=HCM),
    )
    hostile.url = hostile.canonical_url = "javascript:alert(4)"
    backend.upsert([land, copy, rumour, routine, hostile])

    first = datetime(2026, 11, 18, 9, 0, tzinfo=HCM)
    issue = IssueRecord(
        id="issue-mo-da",
        key="project:mo-da-huu-lung",
        kind="project",
        title="Mỏ đá Hữu Lũng",
        topic="mining",
        projects=["mo-da-huu-lung"],
        first_seen=first,
        last_seen=first + timedelta(days=3),
        documents=2,
        counts_by_day={"2026-11-18": 1, "2026-11-20": 3, "2026-11-21": 2},
        sensitivity_mix={"medium": 1, "high": 1},
        top_document_ids=["doc-land"],
    )
    backend.put_record(ISSUE_RECORD, issue.id, issue.model_dump(mode="json"))
    alert = Alert(
        id="alert-1",
        raised_at=first + timedelta(days=3),
        kind="volume_rise",
        subject="issue",
        subject_key="project:mo-da-huu-lung",
        issue_id="issue-mo-da",
        title="Mỏ đá Hữu Lũng: số bài tăng gấp 4",
        score=4.2,
        escalation=4.0,
        reasons=["12 bài trong 24 giờ, nền 3/ngày"],
        top_documents=[AlertDocument(id="doc-land", title="Tranh chấp đất đai ở Hữu Lũng", sensitivity="high")],
    )
    backend.put_record(ALERT_RECORD, alert.id, alert.model_dump(mode="json"))
    folder = settings.reports_dir / WEEK
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.html").write_text("<html><body><h1>Báo cáo tuần</h1></body></html>", encoding="utf-8")
    (folder / "report.pdf").write_bytes(b"%PDF-1.4\n%fake\n")
    (folder / "report.json").write_text('{"week": "2026-W47"}', encoding="utf-8")


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD) -> TestClient:
    """Log a TestClient in through the login form (as a browser would)."""
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"username": name, "password": password, "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return client


def page_csrf(client: TestClient, path: str = "/search") -> str:
    return csrf_of(client.get(path).text)
