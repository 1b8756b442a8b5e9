"""Every route and every role: anonymous → /login (pages) or 401 (API); too low a role → 403."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import _world
from tests.web.support import WEEK, login, page_csrf

CALLERS = ("anonymous", "viewer", "analyst", "admin")
RANK = {"viewer": 0, "analyst": 1, "admin": 2}

# (method, path, minimum role, form or JSON body, success status)
PAGES: list[tuple[str, str, str, dict[str, Any] | None, int]] = [
    ("GET", "/search?q=dat+dai", "viewer", None, 200),
    ("GET", "/saved", "viewer", None, 200),
    ("POST", "/saved", "viewer", {"name": "đất đai", "q": "dat dai"}, 303),
    ("GET", "/flagged", "viewer", None, 200),
    ("GET", "/documents/doc-land", "viewer", None, 200),
    ("GET", "/issues", "viewer", None, 200),
    ("GET", "/issues/issue-mo-da", "viewer", None, 200),
    ("GET", "/alerts?show=all", "viewer", None, 200),
    ("GET", "/reports", "viewer", None, 200),
    ("GET", f"/reports/{WEEK}/report.html", "viewer", None, 200),
    ("GET", f"/reports/{WEEK}/report.pdf", "viewer", None, 200),
    ("GET", "/sources", "viewer", None, 200),
    ("GET", "/export?q=dat+dai&format=csv", "analyst", None, 200),
    ("POST", "/documents/doc-routine/review", "analyst", {"topic": "waste"}, 303),
    ("POST", "/alerts/alert-1/ack", "analyst", {}, 303),
    ("GET", "/admin/users", "admin", None, 200),
    ("POST", "/admin/users/viewer", "admin", {"role": "viewer", "active": "yes"}, 303),
    ("GET", "/admin/audit", "admin", None, 200),
    ("GET", "/admin/audit/export", "admin", None, 200),
]
API: list[tuple[str, str, str, dict[str, Any] | None, int]] = [
    ("GET", "/api/search?q=o+nhiem", "viewer", None, 200),
    ("GET", "/api/documents/doc-land", "viewer", None, 200),
    ("GET", "/api/flagged", "viewer", None, 200),
    ("GET", "/api/issues", "viewer", None, 200),
    ("GET", "/api/issues/issue-mo-da", "viewer", None, 200),
    ("GET", "/api/alerts", "viewer", None, 200),
    ("GET", "/api/reports", "viewer", None, 200),
    ("GET", f"/api/reports/{WEEK}/report.json", "viewer", None, 200),
    ("GET", "/api/sources", "viewer", None, 200),
    ("GET", "/api/saved-searches", "viewer", None, 200),
    ("POST", "/api/saved-searches", "viewer", {"name": "nước", "params": {"q": "nuoc"}}, 201),
    ("GET", "/api/me", "viewer", None, 200),
    ("GET", "/api/openapi.json", "viewer", None, 200),
    ("GET", "/api/export?q=o+nhiem&format=json", "analyst", None, 200),
    ("POST", "/api/documents/doc-routine/review", "analyst", {"sensitivity": "medium"}, 200),
    ("POST", "/api/alerts/alert-1/ack", "analyst", {}, 200),
    ("GET", "/api/audit", "admin", None, 200),
    ("GET", "/api/audit/export", "admin", None, 200),
    ("GET", "/api/users", "admin", None, 200),
]


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, TestClient]]]:
    """One app for the whole matrix; a logged-in browser and a token client per role."""
    app, tokens = _world(tmp_path_factory.mktemp("roles") / "data")
    pages = {"anonymous": TestClient(app)} | {role: login(TestClient(app), role) for role in RANK}
    api = {"anonymous": TestClient(app)} | {role: TestClient(app, headers={"Authorization": f"Bearer {tokens[role]}"}) for role in RANK}
    yield {"pages": pages, "api": api}
    app.state.context.backend.close()


def _expected(caller: str, minimum: str, success: int, anonymous: int) -> int:
    if caller == "anonymous":
        return anonymous
    return success if RANK[caller] >= RANK[minimum] else 403


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("method", "path", "minimum", "body", "success"), PAGES, ids=[f"{m} {p}" for m, p, *_ in PAGES])
def test_page_access_follows_roles(clients, caller, method, path, minimum, body, success) -> None:  # type: ignore[no-untyped-def]
    client = clients["pages"][caller]
    if method == "GET":
        response = client.get(path, follow_redirects=False)
    else:
        token = page_csrf(client) if caller != "anonymous" else "none"
        response = client.post(path, data={**(body or {}), "csrf_token": token}, follow_redirects=False)
    assert response.status_code == _expected(caller, minimum, success, 302), response.text[:300]
    if caller == "anonymous":
        assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("method", "path", "minimum", "body", "success"), API, ids=[f"{m} {p}" for m, p, *_ in API])
def test_api_access_follows_roles(clients, caller, method, path, minimum, body, success) -> None:  # type: ignore[no-untyped-def]
    client = clients["api"][caller]
    response = client.get(path) if method == "GET" else client.post(path, json=body or {})
    assert response.status_code == _expected(caller, minimum, success, 401), response.text[:300]
    if caller == "anonymous":
        assert response.headers["www-authenticate"] == "Bearer"


def test_healthz_needs_no_login(clients) -> None:  # type: ignore[no-untyped-def]
    response = clients["api"]["anonymous"].get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_every_api_route_is_in_the_role_matrix(clients) -> None:  # type: ignore[no-untyped-def]
    """A new API route must be added to the matrix above (so its roles are tested)."""
    schema = clients["api"]["viewer"].get("/api/openapi.json").json()
    values = {"{doc_id}": "doc-land", "{issue_id}": "issue-mo-da", "{alert_id}": "alert-1", "{week}": WEEK, "{name}": "report.json"}
    tested = {(method, path.split("?")[0].replace("doc-routine", "doc-land")) for method, path, *_ in API}
    missing = []
    for path, operations in schema["paths"].items():
        concrete = path
        for placeholder, value in values.items():
            concrete = concrete.replace(placeholder, value)
        for method in operations:
            if (method.upper(), concrete) not in tested and "{saved_id}" not in path and path != "/healthz":
                missing.append((method.upper(), path))
    assert not missing, f"routes missing from the role matrix: {missing}"


@pytest.mark.parametrize("method", ["GET", "POST_SEEN", "DELETE"])
def test_saved_search_routes_need_a_token_and_the_owner(clients, method) -> None:  # type: ignore[no-untyped-def]
    owner, other, anonymous = clients["api"]["viewer"], clients["api"]["analyst"], clients["api"]["anonymous"]
    saved_id = owner.post("/api/saved-searches", json={"name": "rác", "params": {"q": "rac"}}).json()["id"]

    def call(client: TestClient):  # type: ignore[no-untyped-def]
        path = f"/api/saved-searches/{saved_id}"
        if method == "GET":
            return client.get(path)
        return client.post(path + "/seen") if method == "POST_SEEN" else client.delete(path)

    assert call(anonymous).status_code == 401
    assert call(other).status_code == 404  # another analyst's saved searches are not visible
    assert call(owner).status_code in (200, 204)
