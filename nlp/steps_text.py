"""Text steps: normalise the stored text, segment it into words for search and features."""

from __future__ import annotations

from index.records import Document, SourceKind
from nlp.normalise import normalise_text
from nlp.social import normalise_social
from nlp.tokenise import segment


class NormaliseStep:
    """NFC, entities, controls, tone marks on title and text (the stored, displayed text)."""

    name = "normalise"

    def __call__(self, document: Document) -> None:
        document.text = normalise_text(document.text)
        if document.title:
            document.title = normalise_text(document.title)


SOCIAL_KINDS = {SourceKind.IMPORT, SourceKind.FORUM}


def analysis_text(document: Document) -> str:
    """Title and text as the models read them: social shorthand expanded for forum/social posts."""
    text = f"{document.title}\n{document.text}" if document.title else document.text
    return normalise_social(text) if document.source_kind in SOCIAL_KINDS else text


class SegmentStep:
    """Word segmentation (underthesea) of the analysis text → enrichment.tokens."""

    name = "segment"

    def __call__(self, document: Document) -> None:
        tokens = segment(analysis_text(document))
        document.enrichment.tokens = tokens
        document.enrichment.sentences = max(1, tokens.count(" . ") + tokens.count(" ? ") + tokens.count(" ! ") + 1)
