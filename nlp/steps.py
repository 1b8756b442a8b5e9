"""The default enrichment pipeline, ordered in this one place."""

from __future__ import annotations

from index.settings import Settings
from nlp.pipeline import CorpusStep, DocumentStep
from nlp.steps_labels import ClaimsStep, ClassifyStep
from nlp.steps_text import NormaliseStep, SegmentStep


def default_steps(settings: Settings) -> tuple[list[DocumentStep], str | None]:
    """Document steps in order, and the model version they stamp."""
    classify = ClassifyStep.from_settings(settings)
    steps: list[DocumentStep] = [
        NormaliseStep(),
        SegmentStep(),
        *_place_and_project_steps(),
        classify,
        ClaimsStep.from_settings(settings),
    ]
    return steps, classify.models.version


def _place_and_project_steps() -> list[DocumentStep]:
    from nlp.places import PlacesStep
    from nlp.projects import ProjectsStep

    return [PlacesStep(), ProjectsStep()]


def default_corpus_steps(settings: Settings) -> list[CorpusStep]:
    from nlp.neardup import NearDuplicateStep

    return [NearDuplicateStep.from_settings(settings)]
