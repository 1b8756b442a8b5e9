"""Training data, reproducible training and promotion of the label models.

Examples come from nlp/data/train/*.jsonl (our own text) plus analysts' corrections. The
held-out split is decided by a hash of each example's id, so it stays the same as the data
grows and a model is never compared on examples it was trained on.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from index.errors import InputError
from index.records import SENSITIVITY_LEVELS, TOPICS
from nlp.classify import LabelModels
from nlp.features import ModelInput, build_features
from nlp.normalise import normalise_text
from nlp.social import normalise_social
from nlp.tokenise import segment

log = logging.getLogger(__name__)

TRAIN_DIR = Path(__file__).resolve().parent / "data" / "train"
HELD_OUT_BUCKETS = 5  # one in five examples is held out
SEED = 20261128
REGISTERS = {
    # register → (reliability, source kind) as the enrichment stage would see such a text
    "news": ("mainstream", "rss"),
    "official": ("official", "rss"),
    "blog": ("unknown", "listing"),
    "forum": ("social", "forum"),
    "social": ("social", "import"),
}
SOCIAL_REGISTERS = {"forum", "social"}


@dataclass
class Example:
    id: str
    text: str
    register: str
    topic: str
    sensitivity: str
    misinfo: int
    origin: str = "train"


@dataclass
class Dataset:
    examples: list[Example]
    inputs: list[ModelInput] = field(default_factory=list)

    def labels(self, name: str) -> np.ndarray:
        return np.array([getattr(example, name) for example in self.examples])

    def subset(self, mask: Sequence[bool]) -> Dataset:
        return Dataset(
            [example for example, keep in zip(self.examples, mask, strict=True) if keep],
            [item for item, keep in zip(self.inputs, mask, strict=True) if keep],
        )


def read_examples(paths: Iterable[Path], origin: str = "train", strict: bool = True) -> list[Example]:
    """Labelled JSONL rows; a malformed row is an error naming file and line (our own data)."""
    examples: list[Example] = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                example = Example(
                    id=str(row["id"]),
                    text=str(row["text"]),
                    register=str(row.get("register") or row.get("source_type") or "news"),
                    topic=str(row["topic"]),
                    sensitivity=str(row["sensitivity"]),
                    misinfo=int(row["misinfo"]),
                    origin=origin,
                )
            except (ValueError, KeyError, TypeError) as exc:
                if strict:
                    raise InputError(f"{path.name} line {number} is not a labelled example ({exc}); fix that line.") from None
                continue
            if example.topic not in TOPICS or example.sensitivity not in SENSITIVITY_LEVELS or example.misinfo not in (0, 1):
                raise InputError(f"{path.name} line {number} has an unknown label; use the labels of nlp/data/LABELLING.md.")
            examples.append(example)
    return examples


def training_examples(corrections: Path | None = None) -> list[Example]:
    """Our training text, with analysts' corrections overriding or adding examples."""
    examples = {example.id: example for example in read_examples(sorted(TRAIN_DIR.glob("*.jsonl")))}
    if corrections is not None and corrections.is_file():
        for example in read_examples([corrections], origin="correction", strict=False):
            examples[example.id] = example
    return list(examples.values())


def is_held_out(example_id: str) -> bool:
    digest = hashlib.sha1(example_id.encode()).digest()
    return digest[0] % HELD_OUT_BUCKETS == 0


def model_input(text: str, register: str, tokens: str | None = None, engagement: int = 0) -> ModelInput:
    """The input the models see for a text of a register (as enrich would build it)."""
    clean = normalise_text(text)
    analysis = normalise_social(clean) if register in SOCIAL_REGISTERS else clean
    reliability, kind = REGISTERS.get(register, ("unknown", "rss"))
    return ModelInput(
        text=analysis,
        tokens=tokens if tokens is not None else segment(analysis),
        raw_text=clean,
        reliability=reliability,
        source_kind=kind,
        engagement=engagement,
    )


def _input_for(example: tuple[str, str]) -> ModelInput:
    return model_input(*example)


def build_inputs(examples: Sequence[Example], workers: int = 2) -> list[ModelInput]:
    """Segment every example (underthesea), in a small process pool."""
    payload = [(example.text, example.register) for example in examples]
    if workers <= 1 or len(payload) < 200:
        return [_input_for(item) for item in payload]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return pool.map(_input_for, payload, chunksize=64)


def _head(c: float) -> LogisticRegression:
    return LogisticRegression(C=c, class_weight="balanced", max_iter=3000, random_state=SEED)


def fit_models(train: Dataset, version: str, card: dict[str, Any]) -> LabelModels:
    features = build_features()
    matrix = features.fit_transform(train.inputs)
    _drop_pruned_vocabulary(features)
    topic = _head(8.0).fit(matrix, train.labels("topic"))
    sensitivity = _head(4.0).fit(matrix, train.labels("sensitivity"))
    misinfo = _head(2.0).fit(matrix, train.labels("misinfo"))
    return LabelModels(features=features, topic=topic, sensitivity=sensitivity, misinfo=misinfo, card={**card, "version": version})


def _drop_pruned_vocabulary(features: object) -> None:
    """TfidfVectorizer keeps every pruned term in stop_words_ (tens of MB); it is only for
    introspection, so drop it before saving (scikit-learn's documented advice)."""
    for _, transformer in getattr(features, "transformer_list", []):
        vectorizer = transformer[-1] if hasattr(transformer, "steps") else transformer
        if hasattr(vectorizer, "stop_words_"):
            vectorizer.stop_words_ = None


def data_fingerprint(examples: Sequence[Example]) -> str:
    digest = hashlib.sha256()
    for example in sorted(examples, key=lambda item: item.id):
        digest.update(json.dumps(example.__dict__, ensure_ascii=False, sort_keys=True).encode())
    return digest.hexdigest()[:10]


@dataclass
class TrainResult:
    models: LabelModels
    metrics: dict[str, Any]
    score: float
    train_size: int
    held_out_size: int
    held_out: Dataset


def train(examples: Sequence[Example], workers: int = 2, now: datetime | None = None) -> TrainResult:
    """Fit on the training split, measure on the held-out split; deterministic for the same data."""
    from nlp.evaluate import evaluate_predictions, headline_score

    if len(examples) < 50:
        raise InputError(f"Only {len(examples)} training examples: at least 50 are needed; check nlp/data/train.")
    dataset = Dataset(list(examples), build_inputs(examples, workers))
    mask = [is_held_out(example.id) for example in dataset.examples]
    train_set = dataset.subset([not held for held in mask])
    held_out = dataset.subset(mask)
    fingerprint = data_fingerprint(examples)
    version = f"envmon-{fingerprint}"
    card = {
        "created_at": (now or datetime.now(UTC)).isoformat(),
        "data_fingerprint": fingerprint,
        "examples": len(examples),
        "train_examples": len(train_set.examples),
        "held_out_examples": len(held_out.examples),
        "corrections": sum(1 for example in examples if example.origin == "correction"),
        "seed": SEED,
        "features": "word unigrams+bigrams (segmented), char 3-5-grams (folded), lexicons, style, reliability, kind, engagement",
        "heads": "LogisticRegression (balanced class weights) per label; sensitivity conditioned on P(other)",
        "thresholds": {"misinfo_elevated": 0.5, "misinfo_high": 0.75},
    }
    measured = fit_models(train_set, version, card)
    metrics = evaluate_predictions(held_out.examples, measured.predict(held_out.inputs))
    # The shipped models learn from every example; their card reports the held-out figures
    # of the same recipe fitted without the held-out fifth.
    models = fit_models(dataset, version, {**card, "fitted_on": "all examples (metrics: fitted without the held-out split)"})
    models.card["held_out_metrics"] = metrics
    models.card["held_out_score"] = headline_score(metrics)
    return TrainResult(models, metrics, headline_score(metrics), len(train_set.examples), len(held_out.examples), held_out)
