"""Metrics against labelled text: what `envmon eval` prints and what a model card records."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from sklearn.metrics import (
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
    roc_auc_score,
)

from index.errors import InputError
from index.records import SENSITIVITY_LEVELS, TOPICS
from index.text import read_utf8
from nlp.classify import ELEVATED_RISK, Prediction


class Labelled(Protocol):
    id: str
    topic: str
    sensitivity: str
    misinfo: int


def _per_label(gold: list[str], predicted: list[str], labels: Sequence[str]) -> dict[str, Any]:
    present = [label for label in labels if label in gold or label in predicted]
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=present, zero_division=0
    )
    return {
        "per_label": {
            label: {"precision": round(float(p), 4), "recall": round(float(r), 4), "f1": round(float(f), 4), "support": int(s)}
            for label, p, r, f, s in zip(present, precision, recall, f1, support, strict=True)
        },
        "macro_f1": round(float(f1_score(gold, predicted, labels=[label for label in present if label in gold], average="macro", zero_division=0)), 4),
        "accuracy": round(float(np.mean([g == p for g, p in zip(gold, predicted, strict=True)])), 4),
        "confusion": {
            "labels": present,
            "matrix": confusion_matrix(gold, predicted, labels=present).tolist(),
        },
    }


def evaluate_predictions(gold: Sequence[Labelled], predictions: Sequence[Prediction]) -> dict[str, Any]:
    """Topic and sensitivity P/R/F1 + confusion; misinformation ROC AUC, F1 and the false-positive
    rate on legitimate high-sensitivity items (misinfo=0), which must stay low."""
    if len(gold) != len(predictions) or not gold:
        raise InputError("Nothing to evaluate: the data file has no labelled rows.")
    topic = _per_label([g.topic for g in gold], [p.topic for p in predictions], TOPICS)
    sensitivity = _per_label([g.sensitivity for g in gold], [p.sensitivity for p in predictions], SENSITIVITY_LEVELS)
    truth = np.array([int(g.misinfo) for g in gold])
    risk = np.array([p.misinfo_risk for p in predictions])
    flagged = risk >= ELEVATED_RISK
    legit_high = np.array([g.sensitivity == "high" and int(g.misinfo) == 0 for g in gold])
    misinfo = {
        "roc_auc": round(float(roc_auc_score(truth, risk)), 4) if 0 < truth.sum() < len(truth) else None,
        "f1": round(float(f1_score(truth, flagged.astype(int), zero_division=0)), 4),
        "precision": round(float(precision_recall_fscore_support(truth, flagged.astype(int), average="binary", zero_division=0)[0]), 4),
        "recall": round(float(precision_recall_fscore_support(truth, flagged.astype(int), average="binary", zero_division=0)[1]), 4),
        "threshold": ELEVATED_RISK,
        "positives": int(truth.sum()),
        "fpr_legitimate_high_sensitivity": round(float(flagged[legit_high].mean()), 4) if legit_high.any() else None,
        "legitimate_high_sensitivity_items": int(legit_high.sum()),
    }
    return {"items": len(gold), "topic": topic, "sensitivity": sensitivity, "misinfo": misinfo}


def headline_score(metrics: dict[str, Any]) -> float:
    """One number for "is the new model better": mean of topic F1, sensitivity F1, misinfo AUC."""
    auc = metrics["misinfo"]["roc_auc"] or 0.5
    return round((metrics["topic"]["macro_f1"] + metrics["sensitivity"]["macro_f1"] + auc) / 3, 4)


def read_eval_file(path: Path) -> list[dict[str, Any]]:
    """Rows with id, text, topic, sensitivity, misinfo (and source_type/register)."""
    if not path.is_file():
        raise InputError(f"The evaluation file {path} does not exist; check the path.")
    rows = []
    for number, line in enumerate(read_utf8(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            for key in ("text", "topic", "sensitivity", "misinfo"):
                row[key]  # noqa: B018 - presence check
        except (ValueError, KeyError, TypeError):
            raise InputError(f"{path.name} line {number} is not a labelled row with text, topic, sensitivity and misinfo.") from None
        if row["topic"] not in TOPICS or row["sensitivity"] not in SENSITIVITY_LEVELS or row["misinfo"] not in (0, 1):
            raise InputError(f"{path.name} line {number} has an unknown label; use the labels of nlp/data/LABELLING.md.")
        rows.append(row)
    return rows
