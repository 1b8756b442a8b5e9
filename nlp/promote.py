"""`envmon train`: rebuild the models reproducibly and promote them only if they are not worse."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from index.settings import Settings
from nlp.classify import LabelModels, ModelLoadError
from nlp.lexicons import LEXICON_DIR
from nlp.models import BUNDLED_MODELS_DIR, current_in, models_root, set_current
from nlp.training import Example, train, training_examples

CORRECTIONS_FILE = "corrections.jsonl"
DECISIONS_FILE = "decisions.jsonl"
# Code that shapes the models: a change here is a new model version even on the same data.
_MODEL_CODE = ("features.py", "classify.py", "training.py", "lexicons.py", "normalise.py", "social.py")


@dataclass
class TrainDecision:
    version: str
    promoted: bool
    reason: str
    new_score: float | None
    current_version: str | None
    current_score: float | None
    folder: Path | None
    metrics: dict | None = None


def model_fingerprint(examples: list[Example]) -> str:
    """Version of a model: training data + lexicons + the code that builds it."""
    digest = hashlib.sha256()
    for example in sorted(examples, key=lambda item: item.id):
        digest.update(json.dumps(example.__dict__, ensure_ascii=False, sort_keys=True).encode())
    for path in sorted(LEXICON_DIR.glob("*.txt")):
        digest.update(path.read_bytes())
    here = Path(__file__).resolve().parent
    for name in _MODEL_CODE:
        digest.update((here / name).read_bytes())
    return "envmon-" + digest.hexdigest()[:10]


def train_and_promote(settings: Settings, out: Path | None = None, force: bool = False, workers: int = 2) -> TrainDecision:
    """Train on nlp/data (+ analyst corrections); write to out or the data dir's model store;
    make it current unless the models in use score better on the new held-out split."""
    examples = training_examples(settings.data_dir / CORRECTIONS_FILE)
    version = model_fingerprint(examples)
    target = out or settings.models_dir
    in_use_root = out if out is not None else models_root(settings)
    in_use = current_in(in_use_root) if in_use_root.exists() else None
    if in_use is not None and in_use.name == version and not force:
        return TrainDecision(version, False, "up to date: the models in use were built from the same data and code", None, version, None, in_use)
    result = train(examples, workers=workers)
    result.models.card["version"] = version
    current_score = None
    current_version = in_use.name if in_use is not None else None
    if in_use is not None:
        # Shipped models have seen every example, so they cannot be re-scored on a held-out
        # split fairly; compare the held-out scores each recipe earned when it was trained.
        try:
            current_score = float(LabelModels.load(in_use).card["held_out_score"])
        except (ModelLoadError, KeyError, TypeError, ValueError):
            current_score = None  # unreadable models in use: anything trained is better
    if current_score is not None and result.score < current_score and not force:
        decision = TrainDecision(
            version, False,
            f"held-out score {result.score} is lower than {current_score} of the models in use; kept them (use --force to replace)",
            result.score, current_version, current_score, None, result.metrics,
        )
    else:
        folder = target / version
        _save_atomically(result.models, folder)
        set_current(target, version)
        reason = "forced" if force and current_score is not None and result.score < current_score else "not worse than the models in use" if current_score is not None else "no models in use"
        decision = TrainDecision(version, True, reason, result.score, current_version, current_score, folder, result.metrics)
    _record(target, decision)
    return decision


def _save_atomically(models: LabelModels, folder: Path) -> None:
    """Write beside the target and swap in with renames: a process loading the models in use
    (same version, retrained with --force) never sees half-written files."""
    staging = folder.with_name(f".{folder.name}.staging")
    shutil.rmtree(staging, ignore_errors=True)
    models.save(staging)
    if folder.exists():
        retired = folder.with_name(f".{folder.name}.retired")
        shutil.rmtree(retired, ignore_errors=True)
        folder.rename(retired)
        staging.rename(folder)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        staging.rename(folder)


def _record(target: Path, decision: TrainDecision) -> None:
    target.mkdir(parents=True, exist_ok=True)
    entry = {
        "at": datetime.now(UTC).isoformat(),
        "version": decision.version,
        "promoted": decision.promoted,
        "reason": decision.reason,
        "new_score": decision.new_score,
        "current_version": decision.current_version,
        "current_score": decision.current_score,
    }
    with (target / DECISIONS_FILE).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, ensure_ascii=False) + "\n")


__all__ = ["BUNDLED_MODELS_DIR", "TrainDecision", "train_and_promote"]
