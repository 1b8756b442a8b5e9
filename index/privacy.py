"""Keyed pseudonyms for social and forum authors: the raw handle never reaches disk."""

from __future__ import annotations

import hashlib
import hmac

from index.text import nfc

PSEUDONYM_PREFIX = "anon-"
PSEUDONYM_HEX_CHARS = 16  # 64 bits: collisions negligible per deployment, short enough to read


def pseudonymise_author(handle: str | None, key: bytes, platform: str = "") -> str | None:
    """HMAC-SHA256 of the platform and normalised handle under the deployment key.

    Stable for one deployment (the same author groups their own posts in one thread),
    unlinkable across deployments; None/blank handles stay None.
    """
    if handle is None:
        return None
    normalised = nfc(handle).strip().lstrip("@").casefold()
    if not normalised:
        return None
    # surrogatepass: a broken export's lone surrogate must not stop the import (nor change other pseudonyms)
    message = f"{platform.strip().casefold()}\x1f{normalised}".encode("utf-8", "surrogatepass")
    digest = hmac.new(key, message, hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:PSEUDONYM_HEX_CHARS]
