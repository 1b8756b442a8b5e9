"""Decide how to decode a page: header, BOM, <meta>, then detection — checked, not trusted.

Vietnamese sites still serve windows-1258 (tone marks as combining characters) and sometimes
declare the wrong charset. A declared encoding is used only if the body decodes under it;
otherwise UTF-8, then windows-1258 (the legacy encoding of Vietnamese pages), then
charset-normalizer for the rest. Text decoded from windows-1258 is not NFC: callers normalise after extraction.
"""

from __future__ import annotations

import codecs
import logging

import charset_normalizer
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

log = logging.getLogger(__name__)

LEGACY_FALLBACK = "cp1258"
# Encodings a page we crawl may plausibly be in; wider detection guesses wrong on short pages.
DETECTION_CANDIDATES = ["utf_16", "cp1252", "latin_1"]
# Detection looks at the start of the body; 64 kB is plenty and bounds the cost.
DETECTION_WINDOW = 64 << 10


def choose_encoding(body: bytes, content_type: str | None) -> str:
    """The Python codec name to decode body with."""
    bom_encoding, _ = read_bom(body)
    if bom_encoding:
        return bom_encoding
    for declared in (http_content_type_encoding(content_type or ""), html_body_declared_encoding(body)):
        codec = _codec(declared)
        if codec and _decodes(body, codec):
            return codec
    if _decodes(body, "utf-8"):
        return "utf-8"
    if _decodes(body, LEGACY_FALLBACK):
        return LEGACY_FALLBACK
    best = charset_normalizer.from_bytes(body[:DETECTION_WINDOW], cp_isolation=DETECTION_CANDIDATES).best()
    return best.encoding if best is not None else LEGACY_FALLBACK


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a page body; returns (text, codec). Undecodable bytes become U+FFFD, never an error."""
    codec = choose_encoding(body, content_type)
    text = body.decode(codec, errors="replace")
    return text.lstrip("\ufeff"), codec


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    resolved = resolve_encoding(label)
    if not resolved:
        return None
    try:
        return codecs.lookup(resolved).name
    except LookupError:
        return None


def _decodes(body: bytes, codec: str) -> bool:
    """True when body decodes cleanly; a character cut at the very end is tolerated."""
    try:
        body.decode(codec)
        return True
    except UnicodeDecodeError as exc:
        return exc.start >= len(body) - 3 and codec.replace("-", "_").startswith("utf_8")
    except LookupError:
        return False
