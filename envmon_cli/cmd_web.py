"""envmon serve, envmon user: the analyst web app and its accounts."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from envmon_cli.common import console, settings, user_errors
from index.errors import InputError

user_app = typer.Typer(help="Web-app users: add accounts, issue API tokens.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.add_typer(user_app, name="user")


@user_errors
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on; keep 127.0.0.1 behind a TLS proxy.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    secure_cookies: Annotated[
        bool | None, typer.Option("--secure-cookies/--no-secure-cookies", help="Cookies over HTTPS only (default: ENVMON_WEB_COOKIE_SECURE).")
    ] = None,
) -> None:
    """Run the analyst web app and its JSON API (/api/, schema at /api/openapi.json)."""
    import uvicorn

    from analyst.web import create_app
    from analyst.web.config import WebSettings

    config = settings()
    web = WebSettings.from_settings(config) if secure_cookies is None else WebSettings.from_settings(config, cookie_secure=secure_cookies)
    app = create_app(config, web)
    console.print(f"envmon web app on http://{host}:{port}/  (Ctrl-C to stop)")
    uvicorn.run(app, host=host, port=port, proxy_headers=False, server_header=False, log_level="info")


def _store():  # type: ignore[no-untyped-def]
    from analyst.users import UserStore

    return UserStore.from_settings(settings())


@user_app.command("add")
@user_errors
def user_add(
    name: Annotated[str, typer.Argument(help="Login name: lowercase letters, digits, '.', '_' or '-'.")],
    role: Annotated[str, typer.Option(help="viewer | analyst | admin")] = "viewer",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")] = False,
) -> None:
    """Add a web-app user; the password is read from stdin (never from the command line)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    else:
        raise InputError("Pass --password-stdin and pipe the password in, or run the command in a terminal to be asked for it.")
    user = _store().add_user(name, role, password)
    console.print(f"user {user.name} added with role {user.role}")


@user_app.command("token")
@user_errors
def user_token(
    name: Annotated[str, typer.Argument(help="An existing user.")],
    revoke_all: Annotated[bool, typer.Option("--revoke-all", help="Revoke the user's tokens instead of adding one.")] = False,
) -> None:
    """Print a new bearer token for the API (shown once; only its hash is stored)."""
    store = _store()
    if revoke_all:
        console.print(f"{store.revoke_tokens(name)} tokens revoked for {name}")
        return
    typer.echo(store.create_token(name))


@user_app.command("list")
@user_errors
def user_list() -> None:
    """List users, their roles and whether they are active."""
    for user in _store().list_users():
        typer.echo(f"{user.name}\t{user.role}\t{'active' if user.active else 'disabled'}")
