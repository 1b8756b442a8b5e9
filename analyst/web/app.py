"""The analyst web app: `create_app(settings)` builds one FastAPI application.

Pages are server-rendered (Jinja2, autoescaped) under a strict Content-Security-Policy with
no script at all; the JSON API under /api/ mirrors them and is described at /api/openapi.json.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from analyst import audit
from analyst.audit import AuditLog
from analyst.users import UserStore
from analyst.web.config import WebSettings
from analyst.web.context import Forbidden, NotAuthenticated, NotFound, WebContext
from analyst.web.rendering import build_environment, render
from analyst.web.routes import admin, api_data, api_search, auth, documents, search, watch
from index.backend import Backend
from index.backends import open_backend
from index.errors import BackendUnavailable, EnvmonError
from index.settings import Settings

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


class SecurityHeaders:
    """Adds the security headers to every response (a route may set a stricter CSP of its own)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.decode().lower() for name, _ in headers}
                headers.extend((name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items() if name not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, exc: NotAuthenticated) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "Authentication required: send a bearer token."}, 401, {"WWW-Authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=302)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        message = "The CSRF token is missing or wrong; reload the page and try again." if exc.reason == "csrf" else "Your role does not allow this."
        context: WebContext = request.app.state.context
        if exc.caller is not None:  # refused attempts are part of who-did-what
            context.audit.record(
                exc.caller.name, audit.ACCESS_DENIED, request.url.path, {"method": request.method, "reason": exc.reason}, exc.caller.client
            )
        if _is_api(request):
            return JSONResponse({"detail": message}, 403)
        return render(request, context, None, "error.html", status_code=403, message_key=f"error.forbidden_{exc.reason}")

    @app.exception_handler(EnvmonError)
    async def user_error(request: Request, exc: EnvmonError) -> Response:
        status = 404 if isinstance(exc, NotFound) else 503 if isinstance(exc, BackendUnavailable) else 400
        if _is_api(request):
            return JSONResponse({"detail": str(exc)}, status)
        context: WebContext = request.app.state.context
        return render(request, context, None, "error.html", status_code=status, message_key="", message=str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        first: dict[str, Any] = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()))
        message = f"Request field {where or 'input'} is invalid: {first.get('msg', 'invalid')}."
        if _is_api(request):
            return JSONResponse({"detail": message}, 422)
        context: WebContext = request.app.state.context
        return render(request, context, None, "error.html", status_code=422, message_key="", message=message)


def create_app(
    settings: Settings,
    web: WebSettings | None = None,
    backend: Backend | None = None,
    clock: Callable[[], datetime] | None = None,
    users: UserStore | None = None,
) -> FastAPI:
    """The application over one data dir and backend (opened here unless one is given)."""
    web = web or WebSettings.from_settings(settings)
    now = clock or (lambda: datetime.now(UTC))
    settings.ensure_data_dir()
    backend = backend or open_backend(settings)
    context = WebContext(
        settings=settings,
        web=web,
        backend=backend,
        users=users or UserStore.from_settings(settings, session_lifetime=web.session_lifetime, limits=web.login_limits, clock=now),
        audit=AuditLog.from_settings(settings, clock=now),
        templates=build_environment(settings.tz),
        clock=now,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        backend.close()

    app = FastAPI(
        title="envmon analyst API",
        description="Search, flagged queue, documents, issues, alerts, reports and sources of envmon. "
        "Authenticate with `Authorization: Bearer <token>` (`envmon user token NAME`). "
        "Author pseudonyms are withheld from every answer.",
        version="1",
        docs_url=None,  # the Swagger/ReDoc pages load scripts from a CDN; the schema itself is served below
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.context = context
    app.add_middleware(SecurityHeaders)
    _install_error_handlers(app)
    app.mount("/static", StaticFiles(packages=[("analyst.web", "static")]), name="static")
    for module in (auth, search, documents, watch, admin, api_search, api_data):
        app.include_router(module.router)

    @app.get("/api/openapi.json", include_in_schema=False)
    def openapi_schema(_: api_search.ApiUser) -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/healthz", tags=["health"], summary="Liveness and backend health (no authentication).")
    def healthz() -> dict[str, object]:
        health = backend.health()
        return {"status": "ok" if health.ok else "degraded", "backend": health.backend, "backend_ok": health.ok}

    return app
