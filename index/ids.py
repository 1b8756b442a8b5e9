"""Deterministic ids: the same item always gets the same id, so every stage is idempotent."""

from __future__ import annotations

import hashlib

from index.text import fold


def item_id_for_url(canonical_url: str) -> str:
    """sha1 of the canonical URL (DESIGN.md)."""
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()


def item_id_for_post(platform: str, post_id: str) -> str:
    """sha1 of platform + post id, for imported social/forum posts."""
    return hashlib.sha1(f"{platform.strip().lower()}:{post_id.strip()}".encode()).hexdigest()


def content_hash(title: str | None, text: str) -> str:
    """Hash of the folded, whitespace-normalised content: equal for the same text under two URLs."""
    normalised = " ".join(fold(f"{title or ''}\n{text}").split())
    return hashlib.sha1(normalised.encode("utf-8")).hexdigest()
