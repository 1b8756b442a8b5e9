"""Label steps: topic, sensitivity and misinformation risk with reasons; refuted-claim matches."""

from __future__ import annotations

from index.records import Document
from index.settings import Settings
from nlp.claims import ClaimMatcher, adjust_risk
from nlp.classify import LabelModels, misinfo_level
from nlp.features import ModelInput
from nlp.models import load_models
from nlp.steps_text import analysis_text


def document_input(document: Document) -> ModelInput:
    """What the classifiers read about a document (its segmented tokens come from SegmentStep)."""
    raw = f"{document.title}\n{document.text}" if document.title else document.text
    return ModelInput(
        text=analysis_text(document),
        tokens=document.enrichment.tokens,
        raw_text=raw,
        reliability=document.reliability.value,
        source_kind=document.source_kind.value,
        engagement=document.engagement.total,
    )


class ClassifyStep:
    """The three label models; cheaper per document in batches."""

    name = "classify"

    def __init__(self, models: LabelModels) -> None:
        self.models = models

    @classmethod
    def from_settings(cls, settings: Settings) -> ClassifyStep:
        return cls(load_models(settings))

    def __call__(self, document: Document) -> None:
        self.process_batch([document])

    def process_batch(self, documents: list[Document]) -> None:
        predictions = self.models.predict([document_input(document) for document in documents])
        for document, prediction in zip(documents, predictions, strict=True):
            enrichment = document.enrichment
            enrichment.topic = prediction.topic
            enrichment.topic_scores = prediction.topic_scores
            enrichment.sensitivity = prediction.sensitivity
            enrichment.sensitivity_score = prediction.sensitivity_score
            enrichment.misinfo_risk = prediction.misinfo_risk
            enrichment.misinfo_level = prediction.misinfo_level
            enrichment.reasons.update(prediction.reasons)
            enrichment.model_version = self.models.version


class ClaimsStep:
    """Refuted claims the text resembles; repeating one raises the misinformation risk."""

    name = "claims"

    def __init__(self, matcher: ClaimMatcher) -> None:
        self.matcher = matcher

    @classmethod
    def from_settings(cls, settings: Settings) -> ClaimsStep:
        return cls(ClaimMatcher.from_settings(settings))

    def __call__(self, document: Document) -> None:
        text = f"{document.title}\n{document.text}" if document.title else document.text
        matches = self.matcher.match(text)
        enrichment = document.enrichment
        enrichment.claim_matches = matches
        if not matches or enrichment.misinfo_risk is None:
            return
        risk = adjust_risk(enrichment.misinfo_risk, matches)
        reason = enrichment.reasons.get("misinfo")
        if reason is not None:
            reason.matches = [f"{match.status} {match.similarity:.2f}: {match.claim}" for match in matches[:3]]
        if risk != enrichment.misinfo_risk:
            enrichment.misinfo_risk = round(risk, 4)
            enrichment.misinfo_level = misinfo_level(risk)
