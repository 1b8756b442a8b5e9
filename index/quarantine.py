"""Items a stage could not handle, kept with the reason instead of dropped or crashing the run."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from index.settings import Settings

log = logging.getLogger(__name__)


def quarantine(settings: Settings, stage: str, item_id: object, reason: str) -> None:
    """Append {at, id, reason} to quarantine/<stage>.jsonl (ids only: no raw content or authors)."""
    settings.quarantine_dir.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"at": datetime.now(UTC).isoformat(), "id": item_id, "reason": reason}, ensure_ascii=False)
    with (settings.quarantine_dir / f"{stage}.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    log.warning("%s: quarantined %s: %s", stage, item_id, reason)
