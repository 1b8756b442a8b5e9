"""Refuse to crawl private, loopback and link-local addresses (SSRF), after DNS resolution.

A hostile feed can point at http://169.254.169.254/ or at a public-looking name that resolves
to 127.0.0.1. The check runs twice: in NetworkGuardMiddleware before a request is sent (a clear,
counted refusal, redirects included), and in GuardedResolver when Twisted connects, so a name
that changes its answer between the two (DNS rebinding) is still refused.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.error import DNSLookupError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
ALLOW_FLAG_HINT = "set ENVMON_ALLOW_PRIVATE_NETWORKS=1 only for test or demo sites"
_SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT, RFC 6598


class AddressRefused(Exception):
    """A host resolves to an address envmon must not crawl."""

    def __init__(self, host: str, address: str, why: str) -> None:
        self.host, self.address, self.why = host, address, why
        shown = host if host == address else f"{host} ({address})"
        super().__init__(f"{shown} is a {why} address; {ALLOW_FLAG_HINT}")


class HostUnresolvable(Exception):
    """A host name has no address."""


def refusal_reason(address: IPAddress) -> str | None:
    """Why an address must not be crawled, or None when it is public."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_unspecified:
        return "unspecified"
    if address.is_multicast:
        return "multicast"
    if isinstance(address, ipaddress.IPv4Address) and address in _SHARED_ADDRESS_SPACE:
        return "private"
    if address.is_private or address.is_reserved or not address.is_global:
        return "private"
    return None


def resolve_host(host: str, overrides: Mapping[str, str]) -> list[str]:
    """Every address a host name resolves to, honouring hosts-file style overrides."""
    host = host.lower().rstrip(".")
    if host in overrides:
        return [overrides[host]]
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise HostUnresolvable(f"no address for {host}") from exc
    addresses = sorted({str(info[4][0]).split("%", 1)[0] for info in infos})
    if not addresses:
        raise HostUnresolvable(f"no address for {host}")
    return addresses


def check_addresses(host: str, addresses: Sequence[str]) -> None:
    """Raise AddressRefused if any address of host is not public (one bad answer is enough)."""
    for text in addresses:
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            raise AddressRefused(host, text, "malformed") from None
        why = refusal_reason(address)
        if why:
            raise AddressRefused(host, text, why)


def check_host(host: str, overrides: Mapping[str, str]) -> list[str]:
    """Resolve host and refuse non-public answers; returns the addresses."""
    addresses = resolve_host(host, overrides)
    check_addresses(host, addresses)
    return addresses


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver plus hosts overrides and the private-address refusal."""

    def __init__(self, reactor: Any, cache_size: int, timeout: float, overrides: Mapping[str, str], allow_private: bool):
        super().__init__(reactor, cache_size, timeout)
        self.overrides = {host.lower(): address for host, address in overrides.items()}
        self.allow_private = allow_private

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> GuardedResolver:
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        return cls(
            reactor,
            cache_size,
            settings.getfloat("DNS_TIMEOUT"),
            settings.getdict("ENVMON_RESOLVE"),
            settings.getbool("ENVMON_ALLOW_PRIVATE_NETWORKS"),
        )

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred[str]:  # noqa: N802 (Twisted API)
        override = self.overrides.get(name.lower().rstrip("."))
        result = defer.succeed(override) if override else super().getHostByName(name, timeout)
        if not self.allow_private:
            result.addCallback(self._refuse_private, name)
        return result

    @staticmethod
    def _refuse_private(address: str, name: str) -> str:
        try:
            check_addresses(name, [address])
        except AddressRefused as exc:
            raise DNSLookupError(str(exc)) from None
        return address
