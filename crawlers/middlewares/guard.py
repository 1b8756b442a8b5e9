"""Refuse non-web schemes and private/loopback/link-local targets before a request is sent."""

from __future__ import annotations

import ipaddress
import logging
from typing import TYPE_CHECKING

from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.threads import deferToThread

from crawlers.netguard import AddressRefused, HostUnresolvable, check_host
from crawlers.outcomes import GuardRefused

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)
WEB_SCHEMES = ("http", "https")


class NetworkGuardMiddleware:
    """Every request (redirects and robots.txt included) passes here: resolve, then refuse
    non-public addresses unless ENVMON_ALLOW_PRIVATE_NETWORKS is set."""

    def __init__(self, allow_private: bool, overrides: dict[str, str]) -> None:
        self.allow_private = allow_private
        self.overrides = overrides
        self._refusals: dict[str, str | None] = {}  # host → refusal message, None when public

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NetworkGuardMiddleware:
        settings = crawler.settings
        return cls(settings.getbool("ENVMON_ALLOW_PRIVATE_NETWORKS"), settings.getdict("ENVMON_RESOLVE"))

    async def process_request(self, request: Request) -> None:
        parts = urlparse_cached(request)
        if parts.scheme not in WEB_SCHEMES:
            raise GuardRefused(f"{parts.scheme}: addresses are not crawled, only http(s)")
        host = (parts.hostname or "").lower()
        if self.allow_private or not host:
            return None
        if host not in self._refusals:
            if _is_ip_literal(host) or host in self.overrides:
                self._refusals[host] = self._verdict(host)  # nothing to look up
            else:
                self._refusals[host] = await maybe_deferred_to_future(deferToThread(self._verdict, host))
        refusal = self._refusals[host]
        if refusal:
            raise GuardRefused(refusal)
        return None

    def _verdict(self, host: str) -> str | None:
        try:
            check_host(host, self.overrides)
        except AddressRefused as exc:
            log.warning("refused %s: %s", host, exc)
            return str(exc)
        except HostUnresolvable:
            return None  # the download fails with a DNS error of its own, counted as such
        return None


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
