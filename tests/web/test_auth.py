"""Login, sessions, CSRF, rate limiting and tokens: secrets never stored or logged in the clear."""

from __future__ import annotations

import sqlite3

import pytest
from fastapi.testclient import TestClient

from analyst.audit import AUDIT_FILE
from analyst.users import USERS_FILE
from analyst.web.context import SESSION_COOKIE, WebContext
from tests.web.support import PASSWORD, csrf_of, page_csrf


def _try_login(client: TestClient, name: str, password: str) -> int:
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"username": name, "password": password, "csrf_token": token}, follow_redirects=False).status_code


def test_login_sets_an_httponly_samesite_session_cookie_and_returns_to_the_page(app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    first = client.get("/flagged", follow_redirects=False)
    assert first.status_code == 302 and first.headers["location"] == "/login?next=%2Fflagged"
    form = client.get(first.headers["location"])
    response = client.post(
        "/login",
        data={"username": "analyst", "password": PASSWORD, "csrf_token": csrf_of(form.text), "next": "/flagged"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/flagged"
    cookie = next(value for value in response.headers.get_list("set-cookie") if value.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert client.get("/flagged").status_code == 200


def test_secure_cookies_can_be_required(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from analyst.web import create_app
    from analyst.web.config import WebSettings
    from index.settings import Settings

    app = create_app(Settings(data_dir=tmp_path / "data"), WebSettings(cookie_secure=True))
    app.state.context.users.add_user("ana", "analyst", PASSWORD)
    client = TestClient(app, base_url="https://testserver")
    response = client.post(
        "/login", data={"username": "ana", "password": PASSWORD, "csrf_token": csrf_of(client.get("/login").text)}, follow_redirects=False
    )
    cookie = next(value for value in response.headers.get_list("set-cookie") if value.startswith(SESSION_COOKIE))
    assert "Secure" in cookie


def test_login_never_redirects_to_another_site(app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"username": "viewer", "password": PASSWORD, "csrf_token": token, "next": "//evil.example/x"}, follow_redirects=False
    )
    assert response.headers["location"] == "/search"


def test_login_without_its_csrf_token_is_refused(app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    client.get("/login")
    response = client.post("/login", data={"username": "viewer", "password": PASSWORD, "csrf_token": "forged"}, follow_redirects=False)
    assert response.status_code == 403 and SESSION_COOKIE not in client.cookies


def test_wrong_password_is_refused_and_audited_without_the_password(app, context: WebContext) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    assert _try_login(client, "viewer", "not the password at all") == 401
    assert _try_login(client, "viewer", PASSWORD) == 303
    entries = context.audit.entries()
    failure = next(entry for entry in entries if entry.action == "login_failure")
    success = next(entry for entry in entries if entry.action == "login_success")
    assert failure.user == "viewer" and failure.client and success.user == "viewer"
    audit_bytes = (context.settings.data_dir / AUDIT_FILE).read_bytes()
    assert b"not the password at all" not in audit_bytes and PASSWORD.encode() not in audit_bytes


def test_repeated_failed_logins_are_rate_limited(app, context: WebContext) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    limit = context.web.login_max_failures
    for _ in range(limit):
        assert _try_login(client, "analyst", "wrong password 123") == 401
    token = csrf_of(client.get("/login").text)
    blocked = client.post("/login", data={"username": "analyst", "password": PASSWORD, "csrf_token": token}, follow_redirects=False)
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    assert _try_login(client, "viewer", PASSWORD) == 303  # other users are not locked out
    assert context.audit.count(action="login_failure", user="analyst") == limit + 1


def test_rate_limit_expires_after_the_window(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta

    from analyst.users import LoginLimits, UserStore

    now = [datetime(2026, 11, 24, 8, 0, tzinfo=UTC)]
    store = UserStore(tmp_path / USERS_FILE, limits=LoginLimits(per_user=2, window=timedelta(minutes=15)), clock=lambda: now[0])
    for _ in range(2):
        store.record_login_failure("ana", "10.0.0.1")
    assert store.login_blocked_for("ana", "10.0.0.2") is not None
    now[0] += timedelta(minutes=16)
    assert store.login_blocked_for("ana", "10.0.0.2") is None


def test_passwords_and_tokens_are_stored_only_as_hashes(context: WebContext, tokens: dict[str, str]) -> None:
    content = (context.settings.data_dir / USERS_FILE).read_bytes()
    assert PASSWORD.encode() not in content
    assert all(token.encode() not in content for token in tokens.values())
    with sqlite3.connect(context.settings.data_dir / USERS_FILE) as conn:
        hashes = [row[0] for row in conn.execute("SELECT password_hash FROM users")]
    assert hashes and all(value.startswith("$argon2id$") for value in hashes)


def test_logout_ends_the_session(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("viewer")
    response = client.post("/logout", data={"csrf_token": page_csrf(client)}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/search", follow_redirects=False).status_code == 302


def test_a_stolen_cookie_cannot_post_without_the_csrf_token(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("analyst")
    for path, data in [
        ("/documents/doc-land/review", {"topic": "waste"}),
        ("/alerts/alert-1/ack", {}),
        ("/saved", {"name": "x", "q": "rac"}),
        ("/logout", {}),
    ]:
        assert client.post(path, data=data, follow_redirects=False).status_code == 403
        assert client.post(path, data={**data, "csrf_token": "forged"}, follow_redirects=False).status_code == 403
    assert client.post("/api/documents/doc-land/review", json={"topic": "waste"}).status_code == 403  # cookie, no header
    assert client.get("/api/documents/doc-land").json()["document"]["review"]["reviewed"] is False


def test_a_forged_non_ascii_csrf_token_is_refused_not_a_server_error(app, client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("analyst")
    assert client.post("/documents/doc-land/review", data={"topic": "waste", "csrf_token": "ô"}).status_code == 403
    assert client.post("/api/documents/doc-land/review", json={"topic": "waste"}, headers={"X-CSRF-Token": b"\xf4"}).status_code == 403
    anonymous = TestClient(app)
    anonymous.get("/login")
    response = anonymous.post("/login", data={"username": "analyst", "password": PASSWORD, "csrf_token": "ô"}, follow_redirects=False)
    assert response.status_code == 403


def test_the_api_accepts_the_csrf_header_with_a_session_cookie(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("analyst")
    response = client.post("/api/documents/doc-land/review", json={"topic": "waste"}, headers={"X-CSRF-Token": page_csrf(client)})
    assert response.status_code == 200 and response.json()["document"]["review"]["topic"] == "waste"


@pytest.mark.parametrize("header", ["Bearer envmon_not-a-token", "Bearer ", "Basic dmlld2VyOng="])
def test_bad_credentials_get_401(app, header: str) -> None:  # type: ignore[no-untyped-def]
    assert TestClient(app).get("/api/search", headers={"Authorization": header}).status_code == 401


def test_disabled_users_lose_sessions_and_tokens(app, client_as, api_as, context: WebContext) -> None:  # type: ignore[no-untyped-def]
    browser, api = client_as("viewer"), api_as("viewer")
    context.users.update_user("viewer", active=False)
    assert browser.get("/search", follow_redirects=False).status_code == 302
    assert api.get("/api/search").status_code == 401
    assert _try_login(TestClient(app), "viewer", PASSWORD) == 401
