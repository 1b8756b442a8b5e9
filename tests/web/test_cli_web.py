"""envmon user add / token / list: the accounts the web app and the API accept."""

from __future__ import annotations

from fastapi.testclient import TestClient

from analyst.users import USERS_FILE
from analyst.web import create_app
from index.settings import Settings


def test_user_add_reads_the_password_from_stdin_and_the_token_opens_the_api(cli, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    added = cli("user", "add", "ana", "--role", "analyst", "--password-stdin", input="một mật khẩu dài\n")
    assert added.exit_code == 0 and "ana" in added.output and "analyst" in added.output
    issued = cli("user", "token", "ana")
    token = issued.stdout.strip()
    assert issued.exit_code == 0 and token.startswith("envmon_")
    assert token.encode() not in (settings.data_dir / USERS_FILE).read_bytes()
    client = TestClient(create_app(settings))
    assert client.get("/api/search?q=o+nhiem").status_code == 401
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["role"] == "analyst"
    assert "ana\tanalyst\tactive" in cli("user", "list").output


def test_user_errors_are_one_sentence(cli) -> None:  # type: ignore[no-untyped-def]
    short = cli("user", "add", "bo", "--role", "viewer", "--password-stdin", input="ngắn\n")
    assert short.exit_code == 2 and "too short" in short.output and "Traceback" not in short.output
    role = cli("user", "add", "bo", "--role", "boss", "--password-stdin", input="đủ dài rồi đấy\n")
    assert role.exit_code == 2 and "Unknown role 'boss'" in role.output
    cli("user", "add", "bo", "--role", "viewer", "--password-stdin", input="đủ dài rồi đấy\n")
    again = cli("user", "add", "bo", "--role", "viewer", "--password-stdin", input="đủ dài rồi đấy\n")
    assert again.exit_code == 2 and "already exists" in again.output
    assert cli("user", "token", "nobody").exit_code == 2


def test_revoking_tokens_locks_the_api_out(cli, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    cli("user", "add", "ana", "--role", "viewer", "--password-stdin", input="một mật khẩu dài\n")
    token = cli("user", "token", "ana").stdout.strip()
    assert "1 tokens revoked" in cli("user", "token", "ana", "--revoke-all").output
    client = TestClient(create_app(settings))
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
