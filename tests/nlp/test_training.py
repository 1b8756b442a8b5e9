"""Training is reproducible and promotion refuses a worse model."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.training import is_held_out, train, training_examples


@pytest.mark.slow
def test_training_twice_gives_identical_models() -> None:
    examples = training_examples()[::10]  # a tenth of the data keeps this test quick
    first = train(examples, workers=1)
    second = train(examples, workers=1)
    assert first.metrics == second.metrics
    assert np.array_equal(first.models.topic.coef_, second.models.topic.coef_)
    assert first.models.card["data_fingerprint"] == second.models.card["data_fingerprint"]


def test_held_out_split_is_stable_and_about_a_fifth() -> None:
    examples = training_examples()
    held = [example.id for example in examples if is_held_out(example.id)]
    assert 0.12 < len(held) / len(examples) < 0.28
    assert held == [example.id for example in examples if is_held_out(example.id)]


def test_training_data_covers_every_label() -> None:
    examples = training_examples()
    from index.records import SENSITIVITY_LEVELS, TOPICS

    assert {example.topic for example in examples} == set(TOPICS)
    assert {example.sensitivity for example in examples} == set(SENSITIVITY_LEVELS)
    assert {example.register for example in examples} >= {"news", "official", "blog", "forum", "social"}
    assert 0.1 < np.mean([example.misinfo for example in examples]) < 0.3
    assert len(examples) >= 500


@pytest.mark.slow
def test_train_refuses_to_replace_better_models_unless_forced(settings, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    import nlp.promote as promote
    from nlp.models import current_in

    subset = training_examples()[::10]
    monkeypatch.setattr(promote, "training_examples", lambda corrections=None: subset)
    target = tmp_path / "models"
    first = promote.train_and_promote(settings, out=target, workers=1)
    assert first.promoted and current_in(target) == target / first.version
    # Pretend the models in use were measured better than anything this data can reach.
    card_path = target / first.version / "card.json"
    card = json.loads(card_path.read_text())
    card["held_out_score"] = 0.999
    card_path.write_text(json.dumps(card))
    monkeypatch.setattr(promote, "training_examples", lambda corrections=None: subset[:-1])
    refused = promote.train_and_promote(settings, out=target, workers=1)
    assert not refused.promoted and "lower than" in refused.reason
    assert current_in(target) == target / first.version
    forced = promote.train_and_promote(settings, out=target, force=True, workers=1)
    assert forced.promoted and current_in(target) == target / forced.version
    decisions = [json.loads(line) for line in (target / "decisions.jsonl").read_text().splitlines()]
    assert [entry["promoted"] for entry in decisions] == [True, False, True]
