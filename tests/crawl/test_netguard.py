"""The network guard refuses private, loopback and link-local targets after resolution."""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import pytest
from scrapy import Request
from twisted.internet.error import DNSLookupError

from crawlers.middlewares.guard import NetworkGuardMiddleware
from crawlers.netguard import AddressRefused, GuardedResolver, check_host, refusal_reason
from crawlers.outcomes import GuardRefused


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "loopback"), ("::1", "loopback"), ("10.1.2.3", "private"), ("192.168.1.10", "private"),
        ("172.16.0.5", "private"), ("100.64.0.1", "private"), ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
        ("0.0.0.0", "unspecified"), ("::ffff:127.0.0.1", "loopback"), ("fd00::1", "private"), ("224.0.0.1", "multicast"),
    ],
)
def test_non_public_addresses_are_refused_with_their_reason(address, why):
    assert refusal_reason(ipaddress.ip_address(address)) == why


@pytest.mark.parametrize("address", ["8.8.8.8", "14.225.0.10", "2001:4860:4860::8888"])
def test_public_addresses_pass(address):
    assert refusal_reason(ipaddress.ip_address(address)) is None


def test_public_looking_name_resolving_to_loopback_is_refused(monkeypatch):
    """The system resolver answers 127.0.0.1 for an innocent-looking name (as a hostile DNS would)."""
    real = socket.getaddrinfo

    def resolver(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host == "tin-moi-truong.example.vn":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 0))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    with pytest.raises(AddressRefused, match="loopback"):
        check_host("tin-moi-truong.example.vn", {})


def test_one_private_answer_among_public_ones_is_enough_to_refuse(monkeypatch):
    monkeypatch.setattr(
        socket, "getaddrinfo",
        lambda host, *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, 0)) for ip in ("8.8.8.8", "10.0.0.7")],
    )
    with pytest.raises(AddressRefused, match="private"):
        check_host("mixed.example", {})


def test_hosts_override_is_checked_like_any_answer():
    with pytest.raises(AddressRefused, match="link-local"):
        check_host("metadata.example", {"metadata.example": "169.254.169.254"})


def _guard(allow: bool = False, overrides: dict | None = None) -> NetworkGuardMiddleware:
    return NetworkGuardMiddleware(allow, overrides or {})


def test_redirected_request_to_a_private_address_is_refused():
    redirected = Request("http://192.168.0.1/admin", meta={"redirect_urls": ["http://bao.example/tin.html"], "redirect_times": 1})
    with pytest.raises(GuardRefused, match="private"):
        asyncio.run(_guard().process_request(redirected))


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://bao.example/x", "data:text/html,hi"])
def test_non_web_schemes_are_refused_even_when_private_networks_are_allowed(url):
    with pytest.raises(GuardRefused, match="only http"):
        asyncio.run(_guard(allow=True).process_request(Request(url)))


def test_allow_flag_lets_loopback_through():
    assert asyncio.run(_guard(allow=True).process_request(Request("http://127.0.0.1:8000/rss.xml"))) is None


def test_resolver_refuses_at_connect_time_too():
    with pytest.raises(DNSLookupError, match="ENVMON_ALLOW_PRIVATE_NETWORKS"):
        GuardedResolver._refuse_private("10.0.0.8", "rebinding.example")
