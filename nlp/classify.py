"""The three label models (topic, sensitivity, misinformation risk) and their explanations.

One shared feature extractor feeds three linear heads, so every score decomposes into
feature contributions: the reasons an analyst reads are the features that pushed the label
(words, lexicon rules, style signals, source reliability), not a post-hoc guess.
Persisted with skops; loading refuses any type that is not ours or scikit-learn's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import skops.io as sio
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion

from index.errors import EnvmonError
from index.records import MISINFO_LEVELS, SENSITIVITY_LEVELS, LabelReason
from nlp.features import ModelInput
from nlp.lexicons import lexicon_index

MODEL_FILES = ("features", "topic", "sensitivity", "misinfo")
CARD_FILE = "card.json"
# Our own types a model file may contain; everything else must be on skops's default list.
TRUSTED_PREFIXES = ("nlp.features.",)
ELEVATED_RISK = 0.5  # at or above: "elevated" — analysts verify before relying on it
HIGH_RISK = 0.75
REASON_TERMS = 6
SENSITIVITY_WEIGHTS = {"low": 0.0, "medium": 0.5, "high": 1.0}


class ModelLoadError(EnvmonError):
    """A model file is missing, corrupt or contains types we do not trust."""

    exit_code = 5


def misinfo_level(risk: float) -> str:
    if risk >= HIGH_RISK:
        return MISINFO_LEVELS[2]
    if risk >= ELEVATED_RISK:
        return MISINFO_LEVELS[1]
    return MISINFO_LEVELS[0]


@dataclass
class Prediction:
    topic: str
    topic_scores: dict[str, float]
    sensitivity: str
    sensitivity_score: float
    misinfo_risk: float
    misinfo_level: str
    reasons: dict[str, LabelReason] = field(default_factory=dict)


@dataclass
class LabelModels:
    """Shared features + three heads, with the card describing how they were trained."""

    features: FeatureUnion
    topic: LogisticRegression
    sensitivity: LogisticRegression
    misinfo: LogisticRegression
    card: dict[str, Any]

    def __post_init__(self) -> None:
        raw_names = feature_names(self.features)
        self.feature_names = np.array([_readable(name) for name in raw_names], dtype=object)
        self._word_like = np.array([not name.startswith("chars__") for name in raw_names])

    @property
    def version(self) -> str:
        return str(self.card.get("version", "unversioned"))

    # ---- prediction ---------------------------------------------------------
    def predict(self, inputs: Sequence[ModelInput]) -> list[Prediction]:
        if not inputs:
            return []
        matrix = sparse.csr_matrix(self.features.transform(list(inputs)))
        topic_proba = self.topic.predict_proba(matrix)
        sensitivity_proba = _off_topic_is_low(
            self.sensitivity.predict_proba(matrix),
            [str(label) for label in self.sensitivity.classes_],
            topic_proba[:, list(self.topic.classes_).index("other")] if "other" in self.topic.classes_ else None,
        )
        misinfo_proba = self.misinfo.predict_proba(matrix)[:, list(self.misinfo.classes_).index(1)]
        predictions = []
        lexicons = lexicon_index()
        for row_index, item in enumerate(inputs):
            row = matrix.getrow(row_index)
            matched = lexicons.match(item.text)
            topic_index = int(np.argmax(topic_proba[row_index]))
            topic = str(self.topic.classes_[topic_index])
            sensitivity_classes = [str(label) for label in self.sensitivity.classes_]
            sensitivity_index = int(np.argmax(sensitivity_proba[row_index]))
            sensitivity_score = float(
                sum(SENSITIVITY_WEIGHTS[label] * p for label, p in zip(sensitivity_classes, sensitivity_proba[row_index], strict=True))
            )
            risk = float(misinfo_proba[row_index])
            predictions.append(
                Prediction(
                    topic=topic,
                    topic_scores={str(label): round(float(p), 4) for label, p in zip(self.topic.classes_, topic_proba[row_index], strict=True)},
                    sensitivity=sensitivity_classes[sensitivity_index],
                    sensitivity_score=round(sensitivity_score, 4),
                    misinfo_risk=round(risk, 4),
                    misinfo_level=misinfo_level(risk),
                    reasons={
                        "topic": self._explain(row, _class_direction(self.topic, topic_index), matched, "topic_"),
                        "sensitivity": self._explain(
                            row, _class_direction(self.sensitivity, sensitivity_index), matched, ""
                        ),
                        "misinfo": self._explain(
                            row, self.misinfo.coef_[0] if risk >= ELEVATED_RISK else -self.misinfo.coef_[0], matched, ""
                        ),
                    },
                )
            )
        return predictions

    def _explain(self, row: sparse.csr_matrix, direction: np.ndarray, matched: dict[str, list[str]], lexicon_prefix: str) -> LabelReason:
        """The features that pushed this label most: words as terms, transparent features as rules."""
        indices = row.indices
        contributions = row.data * direction[indices]
        order = np.argsort(-contributions)
        terms: list[str] = []
        rules: list[str] = []
        for position in order:
            if contributions[position] <= 0 or (len(terms) >= REASON_TERMS and len(rules) >= 3):
                break
            feature = indices[position]
            name = self.feature_names[feature]
            if name.startswith("rule:"):
                if len(rules) < 3:
                    rules.append(_rule_text(name.removeprefix("rule:"), matched))
            elif self._word_like[feature] and len(terms) < REASON_TERMS and name not in terms:
                terms.append(name)
        if not terms and not rules:  # nothing pushed it: say what it rests on
            rules.append("no strong signal: the label follows the model's prior")
        return LabelReason(terms=terms, rules=rules)

    # ---- persistence --------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        _pack_vocabularies(self.features)
        try:
            for name in MODEL_FILES:
                sio.dump(getattr(self, name), folder / f"{name}.skops")
        finally:
            _unpack_vocabularies(self.features)
        (folder / CARD_FILE).write_text(json.dumps(self.card, ensure_ascii=False, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> LabelModels:
        """Load a model folder, refusing any object type that is not ours or scikit-learn's."""
        try:
            card = json.loads((folder / CARD_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"The model card {folder / CARD_FILE} is missing or unreadable; run `envmon train`.") from exc
        parts: dict[str, Any] = {}
        for name in MODEL_FILES:
            path = folder / f"{name}.skops"
            try:
                untrusted = sio.get_untrusted_types(file=path)
            except Exception as exc:  # a truncated or non-zip file
                raise ModelLoadError(f"The model file {path} is corrupt ({exc.__class__.__name__}); run `envmon train` to rebuild it.") from exc
            refused = [type_name for type_name in untrusted if not type_name.startswith(TRUSTED_PREFIXES)]
            if refused:
                raise ModelLoadError(
                    f"The model file {path} contains untrusted types ({', '.join(refused[:3])}); it was not loaded — rebuild it with `envmon train`."
                )
            try:
                parts[name] = sio.load(path, trusted=untrusted)
            except Exception as exc:
                raise ModelLoadError(f"The model file {path} could not be loaded ({exc.__class__.__name__}); run `envmon train`.") from exc
        _unpack_vocabularies(parts["features"])
        return cls(card=card, **parts)


def _off_topic_is_low(proba: np.ndarray, classes: list[str], p_other: np.ndarray | None) -> np.ndarray:
    """Sensitivity is about environmental issues: with probability P(other) a text is off-topic,
    and off-topic text is low (LABELLING.md), whatever deaths or crowds it mentions."""
    if p_other is None or "low" not in classes:
        return proba
    adjusted = proba * (1.0 - p_other)[:, None]
    adjusted[:, classes.index("low")] += p_other
    return adjusted


def _vectorizers(union: FeatureUnion) -> list[Any]:
    found = []
    for _, transformer in union.transformer_list:
        last = transformer[-1] if hasattr(transformer, "steps") else transformer
        if hasattr(last, "vocabulary_") or hasattr(last, "vocabulary_terms_"):
            found.append(last)
    return found


def _pack_vocabularies(union: FeatureUnion) -> None:
    """Vocabularies as arrays, not dicts: skops writes a dict entry by entry into its JSON
    schema (20 MB, seconds to load); an array is one compact .npy file."""
    for vectorizer in _vectorizers(union):
        if hasattr(vectorizer, "vocabulary_"):
            terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
            vectorizer.vocabulary_terms_ = np.array(terms, dtype=str)
            del vectorizer.vocabulary_


def _unpack_vocabularies(union: FeatureUnion) -> None:
    for vectorizer in _vectorizers(union):
        if hasattr(vectorizer, "vocabulary_terms_"):
            vectorizer.vocabulary_ = {str(term): index for index, term in enumerate(vectorizer.vocabulary_terms_)}
            del vectorizer.vocabulary_terms_


def feature_names(union: FeatureUnion) -> list[str]:
    """'group__feature' names in column order (FunctionTransformer selectors have none of their own)."""
    names: list[str] = []
    for group, transformer in union.transformer_list:
        last = transformer[-1] if hasattr(transformer, "steps") else transformer
        names.extend(f"{group}__{name}" for name in last.get_feature_names_out())
    return names


def _class_direction(model: LogisticRegression, index: int) -> np.ndarray:
    """How each feature pushes towards class index relative to the others."""
    coef = model.coef_
    if coef.shape[0] == 1:  # binary head
        return coef[0] if index == 1 else -coef[0]
    return coef[index] - coef.mean(axis=0)


def _readable(feature_name: str) -> str:
    """'words__ô_nhiễm' → 'ô nhiễm'; 'signals__lexicon:hedges' → 'rule:hedges'."""
    group, _, name = feature_name.partition("__")
    if group == "signals":
        return f"rule:{name}"
    if group == "chars":
        return f"chars__{name}"
    return name.replace("_", " ")


def _rule_text(rule: str, matched: dict[str, list[str]]) -> str:
    if rule.startswith("lexicon:"):
        lexicon = rule.removeprefix("lexicon:")
        phrases = list(dict.fromkeys(matched.get(lexicon, [])))[:4]
        return f"{lexicon}: {', '.join(phrases)}" if phrases else lexicon
    return rule


def sensitivity_label(score: float) -> str:
    """The level an expected-harm score falls in (used when only a score is known)."""
    return SENSITIVITY_LEVELS[0] if score < 0.34 else SENSITIVITY_LEVELS[1] if score < 0.67 else SENSITIVITY_LEVELS[2]
