"""The early-warning flow: regroup issues, detect what is newly escalating, deliver it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from flows.tasks import deliver, detect, group_issues
from index.settings import load_settings


@flow(name="early-warning")
def early_warning(now: datetime | None = None) -> dict[str, Any]:
    """Detect alerts as of now (default: the current time) and send the new ones."""
    settings = load_settings()
    moment = now or datetime.now(settings.tz)
    group_issues(settings)
    detection = detect(settings, moment)
    alerts = deliver(settings, detection["alerts"], moment)
    lines = [f"# Early warning as of {moment.isoformat()}", "", f"{len(alerts)} new alert(s); {detection['held']} signal(s) held by the cooldown.", ""]
    lines += [f"- **{alert['title']}** (score {alert['score']}): " + "; ".join(alert["reasons"][:2]) for alert in alerts]
    create_markdown_artifact("\n".join(lines), key="early-warning", description="Alerts raised by this run")
    return {"now": moment.isoformat(), "alerts": alerts, "held": detection["held"], "candidates": detection["candidates"]}
