"""Hostile crawled text stays inert, strict headers on every response, no person-centric output."""

from __future__ import annotations

import sqlite3

import pytest

from analyst.audit import AUDIT_FILE
from analyst.web.context import WebContext


def test_every_response_carries_strict_security_headers(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("viewer")
    for path in ("/search?q=rac", "/login", "/api/search", "/healthz", "/static/style.css"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"


def test_pages_have_no_inline_script_or_style(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("admin")
    for path in ("/search?q=dat+dai", "/documents/doc-land", "/flagged", "/issues/issue-mo-da", "/alerts", "/sources", "/admin/audit"):
        html = client.get(path).text.lower()
        assert "<script" not in html and "<style" not in html and " style=" not in html, path


def test_hostile_document_is_shown_inert_everywhere(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("analyst")
    pages = {
        "document": client.get("/documents/doc-hostile").text,
        "search": client.get("/search?q=bai+rac").text,
        "flagged": client.get("/flagged").text,
    }
    for name, html in pages.items():
        assert "<script>alert" not in html, name
        assert "onerror=" not in html.replace("onerror=&#34;", "").replace("onerror=&quot;", ""), name
        assert "<img src=x" not in html and "<svg onload" not in html, name
        assert 'href="javascript:' not in html, name
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in pages["document"]
    assert "&lt;svg onload=" in pages["document"]


def test_snippet_highlights_are_the_only_markup_from_crawled_text(client_as) -> None:  # type: ignore[no-untyped-def]
    html = client_as("viewer").get("/search?q=o+nhiem").text
    assert "<mark>" in html
    assert "&lt;script&gt;" in html and "<script>" not in html


def test_export_neutralises_spreadsheet_formulas(app, context: WebContext, api_as) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import make_document

    context.backend.upsert([make_document("doc-formula", "=HYPERLINK(\"http://evil\",\"rác\") rác thải", title="+cmd|' /C calc'!A0")])
    body = api_as("analyst").get("/api/export?q=HYPERLINK&format=csv").text
    assert "'=HYPERLINK" in body and "'+cmd" in body


def test_no_route_groups_or_exposes_author_pseudonyms(api_as, client_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as("admin")
    schema = api.get("/api/openapi.json").json()
    assert "author" not in " ".join(schema["paths"]).lower()
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            assert all("author" not in parameter["name"] for parameter in operation.get("parameters", [])), path
    outputs = [
        api.get("/api/search?q=dat+dai").text,
        api.get("/api/documents/doc-land").text,
        api.get("/api/flagged").text,
        api.get("/api/export?format=json").text,
        api.get("/api/export?format=csv").text,
        client_as("admin").get("/documents/doc-land").text,
    ]
    assert all("psn-land-author" not in output for output in outputs)
    assert api.get("/api/search?q=dat+dai&author_pseudonym=psn-land-author").json()["total"] == 2  # ignored, not a filter


def test_the_audit_log_cannot_be_rewritten(context: WebContext, client_as) -> None:  # type: ignore[no-untyped-def]
    client_as("viewer").get("/search?q=rac")
    with sqlite3.connect(context.settings.data_dir / AUDIT_FILE) as conn:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("UPDATE audit SET user = 'someone-else'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("DELETE FROM audit")
    assert context.audit.count(action="search") >= 1


def test_the_audit_log_has_no_edit_route(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("admin")
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)("/api/audit").status_code == 405
    assert client.post("/api/audit", json={}).status_code == 405


def test_audit_pages_far_beyond_the_end_are_answered_not_crashed_on(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("admin")
    assert client.get("/admin/audit?page=99999999999999999999").status_code == 200
    assert client.get("/api/audit?offset=99999999999999999999").status_code in (200, 422)


def test_report_html_is_served_sandboxed(client_as) -> None:  # type: ignore[no-untyped-def]
    response = client_as("viewer").get("/reports/2026-W47/report.html")
    assert response.status_code == 200 and "Báo cáo tuần" in response.text
    csp = response.headers["content-security-policy"]
    assert "sandbox" in csp and "script-src" not in csp and "default-src 'none'" in csp


@pytest.mark.parametrize("path", ["/reports/..%2F..%2Fusers.sqlite/report.html", "/reports/2026-W47/..%2F..%2Fusers.sqlite", "/reports/2026-W47/other.html"])
def test_report_paths_cannot_escape_the_reports_folder(client_as, path: str) -> None:  # type: ignore[no-untyped-def]
    assert client_as("viewer").get(path).status_code == 404
