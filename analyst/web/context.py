"""What every request handler receives: the app's context and the authenticated caller.

FastAPI dependencies, not globals: `create_app` puts one WebContext on `app.state`, and
handlers ask for it (and for the caller, with a role) in their signatures.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, Request
from jinja2 import Environment

from analyst.audit import AuditLog
from analyst.users import User, UserStore
from analyst.web.config import WebSettings
from index.backend import Backend
from index.errors import InputError
from index.settings import Settings

SESSION_COOKIE = "envmon_session"
LOGIN_CSRF_COOKIE = "envmon_login_csrf"
LANG_COOKIE = "envmon_lang"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class WebContext:
    settings: Settings
    web: WebSettings
    backend: Backend
    users: UserStore
    audit: AuditLog
    templates: Environment
    clock: Callable[[], datetime]


@dataclass(frozen=True)
class Caller:
    """The authenticated user of one request and how they proved it."""

    user: User
    via: Literal["session", "token"]
    csrf_token: str | None
    client: str

    @property
    def name(self) -> str:
        return self.user.name


class NotAuthenticated(Exception):
    """No valid session cookie or bearer token: pages redirect to /login, the API answers 401."""


class NotFound(InputError):
    """The document, issue, alert, saved search or report asked for does not exist (404)."""


class Forbidden(Exception):
    """Authenticated, but the role does not allow this (403)."""

    def __init__(self, reason: str, caller: Caller | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.caller = caller


def get_context(request: Request) -> WebContext:
    return request.app.state.context  # type: ignore[no-any-return]


Context = Annotated[WebContext, Depends(get_context)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def authenticate(request: Request, context: Context) -> Caller:
    """The caller from a bearer token (API clients) or a session cookie (browsers)."""
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        user = context.users.user_for_token(header[7:].strip())
        if user is None:
            raise NotAuthenticated()
        return Caller(user=user, via="token", csrf_token=None, client=client_address(request))
    session_id = request.cookies.get(SESSION_COOKIE)
    session = context.users.session(session_id) if session_id else None
    if session is None:
        raise NotAuthenticated()
    return Caller(user=session.user, via="session", csrf_token=session.csrf_token, client=client_address(request))


async def _check_csrf(request: Request, caller: Caller) -> None:
    """Cookie-authenticated writes must echo the session's CSRF token (form field or header)."""
    if caller.via == "token" or request.method in _SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not same_token(sent, caller.csrf_token):
        raise Forbidden("csrf", caller)


def same_token(sent: str | None, issued: str | None) -> bool:
    """Constant-time check of a token a client echoed against the one issued; whatever a client
    sends (non-ASCII text included) is a mismatch, never an error."""
    if not sent or not issued:
        return False
    return hmac.compare_digest(sent.encode(), issued.encode())


def require(role: str) -> Callable[..., Coroutine[Any, Any, Caller]]:
    """A dependency: the caller, who must hold `role`; writes also pass the CSRF check."""

    async def dependency(request: Request, caller: Annotated[Caller, Depends(authenticate)]) -> Caller:
        if not caller.user.can(role):
            raise Forbidden("role", caller)
        await _check_csrf(request, caller)
        return caller

    return dependency


AnyUser = Annotated[Caller, Depends(require("viewer"))]
AnalystUser = Annotated[Caller, Depends(require("analyst"))]
AdminUser = Annotated[Caller, Depends(require("admin"))]
