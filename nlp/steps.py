"""The default enrichment pipeline, ordered in this one place."""

from __future__ import annotations

from index.settings import Settings
from nlp.pipeline import CorpusStep, DocumentStep
from nlp.steps_text import NormaliseStep, SegmentStep


def default_steps(settings: Settings) -> tuple[list[DocumentStep], str | None]:
    """Document steps in order, and the model version they stamp."""
    steps: list[DocumentStep] = [NormaliseStep(), SegmentStep()]
    return steps, None


def default_corpus_steps(settings: Settings) -> list[CorpusStep]:
    return []
