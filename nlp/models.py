"""Where the models in use live: the data dir's promoted models, else the ones `make install` built."""

from __future__ import annotations

import json
from pathlib import Path

from index.settings import Settings

BUNDLED_MODELS_DIR = Path(__file__).resolve().parent / "models"
CURRENT_FILE = "CURRENT"
MANIFEST = "card.json"


def models_root(settings: Settings) -> Path:
    """The data dir's model store when it has a promoted model, else the bundled build."""
    local = settings.models_dir
    if (local / CURRENT_FILE).is_file():
        return local
    return BUNDLED_MODELS_DIR


def current_model_dir(settings: Settings) -> Path | None:
    root = models_root(settings)
    pointer = root / CURRENT_FILE
    if not pointer.is_file():
        return None
    folder = root / pointer.read_text().strip()
    return folder if (folder / MANIFEST).is_file() else None


def model_status(settings: Settings) -> tuple[bool, str]:
    folder = current_model_dir(settings)
    if folder is None:
        return False, "no trained models found: run `make install` (or `envmon train`)"
    card = json.loads((folder / MANIFEST).read_text())
    return True, f"{card.get('version', folder.name)} in {folder}"
