"""URL canonicalisation: the same article under tracking or cosmetic variants gets one id."""

from __future__ import annotations

import contextlib
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that identify a visit or a campaign, never the content.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "mc_cid", "mc_eid",
        "igshid", "zarsrc", "zalo_source", "ref_src", "ref_url", "referrer", "cmpid", "_ga",
        "_gl", "vn_source", "vn_medium", "vn_campaign", "vn_term", "vn_content", "s_cid", "spm",
        "sessionid", "phpsessid", "jsessionid", "fb_action_ids", "fb_action_types", "fb_source",
        "ocid",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "oly_", "__hs")
DEFAULT_PORTS = {"http": 80, "https": 443}


def canonicalise_url(url: str) -> str:
    """Lower-case scheme and host, drop default ports, fragments and tracking parameters,
    sort the remaining query, normalise percent-encoding and empty paths.

    >>> canonicalise_url("HTTPS://VnExpress.net:443/a.html?utm_source=fb&b=2&a=1#comments")
    'https://vnexpress.net/a.html?a=1&b=2'
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    with contextlib.suppress(UnicodeError):  # leave hosts IDNA cannot encode as they are
        host = host.encode("idna").decode("ascii") if host else host
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:  # a non-numeric or out-of-range port: keep none rather than fail
        port = None
    netloc = host if port is None or DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    path = quote(unquote(parts.path or "/"), safe="/:@!$&'()*+,;=-._~%")
    query_pairs = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in TRACKING_PARAMS and not key.lower().startswith(TRACKING_PREFIXES)
    ]
    query = urlencode(sorted(query_pairs), doseq=True)
    return urlunsplit((scheme, netloc, path, query, ""))


def is_http_url(url: str | None) -> bool:
    """True for an absolute http(s) URL with a host."""
    if not url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[::1" and other hosts urllib cannot split
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def absolute_http_url(base: str, link: str) -> str | None:
    """A link found on a page resolved against the page's URL, or None when the result is not
    an http(s) URL (mailto:, javascript:, or a malformed host a hostile page may carry)."""
    try:
        url = urljoin(base, link.strip())
    except ValueError:
        return None
    return url if is_http_url(url) else None
