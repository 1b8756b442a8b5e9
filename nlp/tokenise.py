"""Word segmentation and sentence splitting with underthesea (bundled CRF models, offline)."""

from __future__ import annotations

import logging
import re
from functools import lru_cache

log = logging.getLogger(__name__)

MAX_SEGMENT_CHARS = 60_000  # ~10k words; segmentation is linear, but enrich latency must stay bounded
_SPLIT_PARAGRAPHS = re.compile(r"\n+")


@lru_cache(maxsize=1)
def _underthesea():  # type: ignore[no-untyped-def]
    import underthesea

    return underthesea


def segment(text: str) -> str:
    """Segmented text: multi-syllable words joined by '_' ("ô_nhiễm môi_trường"), paragraphs kept.

    Text past MAX_SEGMENT_CHARS is appended unsegmented so search still finds it.
    """
    head, tail = text[:MAX_SEGMENT_CHARS], text[MAX_SEGMENT_CHARS:]
    word_tokenize = _underthesea().word_tokenize
    parts = []
    for paragraph in _SPLIT_PARAGRAPHS.split(head):
        if paragraph.strip():
            parts.append(word_tokenize(paragraph, format="text"))
    segmented = "\n".join(parts)
    return f"{segmented}\n{tail}" if tail else segmented


def sentences(text: str) -> list[str]:
    """Sentences of a text, paragraph breaks respected."""
    sent_tokenize = _underthesea().sent_tokenize
    found: list[str] = []
    for paragraph in _SPLIT_PARAGRAPHS.split(text):
        if paragraph.strip():
            found.extend(sentence for sentence in sent_tokenize(paragraph) if sentence.strip())
    return found
