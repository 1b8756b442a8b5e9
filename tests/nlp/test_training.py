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
