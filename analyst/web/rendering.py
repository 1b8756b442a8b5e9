"""Server-side HTML: one autoescaping Jinja2 environment, local-time and label filters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined

from analyst.stories import headline
from analyst.web.context import LANG_COOKIE, Caller, WebContext
from analyst.web.i18n import request_language, translator

DATE_FORMAT = "%d/%m/%Y"
DATETIME_FORMAT = "%d/%m/%Y %H:%M"


def build_environment(tz: ZoneInfo) -> Environment:
    """Autoescape everything: crawled text is data, never markup."""
    environment = Environment(
        loader=PackageLoader("analyst.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )

    def localtime(value: datetime | None, fmt: str = DATETIME_FORMAT) -> str:
        if value is None:
            return "—"
        return value.astimezone(tz).strftime(fmt)

    def localdate(value: date | datetime | None) -> str:
        if value is None:
            return "—"
        if isinstance(value, datetime):
            value = value.astimezone(tz).date()
        return value.strftime(DATE_FORMAT)

    environment.filters["localtime"] = localtime
    environment.filters["localdate"] = localdate
    environment.filters["score"] = lambda value: "—" if value is None else f"{float(value):.2f}"
    environment.filters["percent"] = lambda value: "—" if value is None else f"{float(value) * 100:.0f}%"
    environment.filters["web_url"] = web_url
    environment.filters["headline"] = lambda document: headline(document, HEADLINE_CHARS)
    return environment


HEADLINE_CHARS = 90  # social posts have no title; their opening words stand in for one


def web_url(url: str | None) -> str | None:
    """The URL when it is plain http(s), else None: a crawled `javascript:` link must not become a link."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def render(
    request: Request,
    context: WebContext,
    caller: Caller | None,
    template: str,
    status_code: int = 200,
    **values: Any,
) -> HTMLResponse:
    """Render a page with the caller, the CSRF token, the language and its translator."""
    language = request_language(request, LANG_COOKIE)
    page = context.templates.get_template(template).render(
        request=request,
        path=request.url.path,
        full_path=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        caller=caller,
        csrf_token=caller.csrf_token if caller else "",
        lang=language,
        t=translator(language),
        **values,
    )
    return HTMLResponse(page, status_code=status_code, headers={"Cache-Control": "no-store"})
