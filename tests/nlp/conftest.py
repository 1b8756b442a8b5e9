"""Fixtures for the NLP tests: the models `make install` built (they are rebuilt in seconds)."""

from __future__ import annotations

import pytest

from nlp.classify import LabelModels
from nlp.models import BUNDLED_MODELS_DIR, current_in


@pytest.fixture(scope="session")
def models() -> LabelModels:
    folder = current_in(BUNDLED_MODELS_DIR)
    if folder is None:
        pytest.fail("no bundled models: run `make install` (it builds them from nlp/data)")
    return LabelModels.load(folder)
