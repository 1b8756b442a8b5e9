"""Follow redirects up to REDIRECT_MAX_TIMES, and call a loop a loop (a counted error)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.redirect import RedirectMiddleware

from crawlers.outcomes import RedirectLoop
from crawlers.urls import canonicalise_url

if TYPE_CHECKING:
    from scrapy import Request


class LoopAwareRedirectMiddleware(RedirectMiddleware):
    """Scrapy's redirect handling, except that a redirect back to a URL already in the chain
    raises RedirectLoop instead of vanishing silently in the duplicate filter."""

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        visited = {canonicalise_url(url) for url in [*request.meta.get("redirect_urls", []), request.url]}
        if canonicalise_url(redirected.url) in visited:
            raise RedirectLoop(f"redirect loop: {request.url} leads back to {redirected.url}")
        return super()._redirect(redirected, request, reason)
