"""The retrain flow: analyst corrections + nlp/data → train → promote only when not worse."""

from __future__ import annotations

from typing import Any

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from flows.tasks import backend_for, train_models
from index.settings import load_settings

DECISION_RECORD = "model_decision"


@flow(name="retrain")
def retrain(force: bool = False) -> dict[str, Any]:
    """Retrain the classifiers and record whether the new models were promoted, and why."""
    settings = load_settings()
    decision = train_models(settings, force)
    with backend_for(settings) as backend:
        backend.put_record(DECISION_RECORD, decision["version"], decision)
    verdict = "promoted" if decision["promoted"] else "kept the models in use"
    create_markdown_artifact(
        f"# Retrain: {verdict}\n\n- version: `{decision['version']}`\n- reason: {decision['reason']}\n"
        f"- held-out score: {decision['new_score']} (models in use: {decision['current_score']})",
        key="retrain-decision",
        description="Whether retraining promoted new models",
    )
    return decision
