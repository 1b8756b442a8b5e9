"""Where the models in use live, and loading them once per process.

The data dir's promoted models win; otherwise the ones `make install` built from nlp/data
into nlp/models (not in git: they are rebuilt in seconds).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from index.settings import Settings
from nlp.classify import CARD_FILE, LabelModels, ModelLoadError

BUNDLED_MODELS_DIR = Path(__file__).resolve().parent / "models"
CURRENT_FILE = "CURRENT"
_cache: dict[Path, LabelModels] = {}
_lock = threading.Lock()


def models_root(settings: Settings) -> Path:
    """The data dir's model store when it has a promoted model, else the bundled build."""
    local = settings.models_dir
    if (local / CURRENT_FILE).is_file():
        return local
    return BUNDLED_MODELS_DIR


def current_model_dir(settings: Settings) -> Path | None:
    return current_in(models_root(settings))


def current_in(root: Path) -> Path | None:
    pointer = root / CURRENT_FILE
    if not pointer.is_file():
        return None
    folder = root / pointer.read_text().strip()
    return folder if (folder / CARD_FILE).is_file() else None


def set_current(root: Path, version: str) -> None:
    """Point CURRENT at version atomically (write a temp file, rename)."""
    temporary = root / f".{CURRENT_FILE}.tmp"
    temporary.write_text(version + "\n")
    temporary.replace(root / CURRENT_FILE)


def load_models(settings: Settings) -> LabelModels:
    """The models in use, loaded once per process; a clear error when none exist."""
    folder = current_model_dir(settings)
    if folder is None:
        raise ModelLoadError("No trained models found; run `make install` or `envmon train` to build them.")
    with _lock:
        if folder not in _cache:
            _cache[folder] = LabelModels.load(folder)
        return _cache[folder]


def model_status(settings: Settings) -> tuple[bool, str]:
    folder = current_model_dir(settings)
    if folder is None:
        return False, "no trained models found: run `make install` (or `envmon train`)"
    try:
        card = json.loads((folder / CARD_FILE).read_text())
    except (OSError, ValueError):
        return False, f"the model card in {folder} is unreadable: run `envmon train`"
    score = card.get("held_out_score")
    return True, f"{card.get('version', folder.name)} in {folder}" + (f" (held-out score {score})" if score else "")
