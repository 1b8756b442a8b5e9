"""Login (rate-limited, CSRF-protected with a double-submit cookie), logout, language switch."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from analyst import audit
from analyst.web.context import (
    LANG_COOKIE,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    AnyUser,
    Context,
    client_address,
    same_token,
)
from analyst.web.i18n import LANGUAGES
from analyst.web.rendering import render

router = APIRouter(include_in_schema=False)
LANG_COOKIE_DAYS = 365


def safe_next(target: str | None, default: str = "/search") -> str:
    """A local path to go to after login: never another site (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def _login_page(request: Request, context: Context, next_url: str, status_code: int = 200, error: str = "", **values: object) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, context, None, "login.html", status_code=status_code, next_url=next_url, login_token=token, error=error, **values)
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=context.web.cookie_secure, path="/login"
    )
    return response


@router.get("/login")
def login_form(request: Request, context: Context, next: str | None = None) -> Response:
    return _login_page(request, context, safe_next(next))


@router.post("/login")
def login(
    request: Request,
    context: Context,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/search",
) -> Response:
    target = safe_next(next)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not same_token(cookie, csrf_token):
        return _login_page(request, context, target, 403, "login.csrf")
    client = client_address(request)
    wait = context.users.login_blocked_for(username, client)
    if wait is not None:
        context.audit.record(username or None, audit.LOGIN_FAILURE, detail={"reason": "rate_limited"}, client=client)
        response = _login_page(request, context, target, 429, "login.rate_limited", minutes=max(1, round(wait.total_seconds() / 60)))
        response.headers["Retry-After"] = str(int(wait.total_seconds()))
        return response
    user = context.users.authenticate(username, password)
    if user is None:
        context.users.record_login_failure(username, client)
        context.audit.record(username or None, audit.LOGIN_FAILURE, detail={"reason": "bad_credentials"}, client=client)
        return _login_page(request, context, target, 401, "login.failed", username=username)
    context.users.clear_login_failures(user.name)
    session_id, _ = context.users.create_session(user)
    context.audit.record(user.name, audit.LOGIN_SUCCESS, client=client)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=int(context.web.session_lifetime.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=context.web.cookie_secure,
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, context: Context, caller: AnyUser) -> Response:
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        context.users.end_session(session_id)
    context.audit.record(caller.name, audit.LOGOUT, client=caller.client)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang/{language}")
def switch_language(language: str, next: str | None = None) -> Response:
    """Remember the interface language in a cookie (a preference, not a secret)."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if language in LANGUAGES:
        response.set_cookie(LANG_COOKIE, language, max_age=LANG_COOKIE_DAYS * 86400, samesite="lax", httponly=True)
    return response


@router.get("/")
def home() -> Response:
    return RedirectResponse("/search", status_code=302)
