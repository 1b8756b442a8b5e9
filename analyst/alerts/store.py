"""Alerts kept in the backend as "alert" records (read by the web app and the cooldown)."""

from __future__ import annotations

from datetime import datetime, timedelta

from analyst.models import ALERT_RECORD, Alert
from index.backend import Backend

MAX_LISTED_ALERTS = 100_000


def save_alert(backend: Backend, alert: Alert) -> None:
    """Store an alert; an acknowledgement already stored (by an analyst, meanwhile) is kept."""
    if alert.acknowledged_by is None:
        stored = backend.get_record(ALERT_RECORD, alert.id)
        if stored is not None and stored.data.get("acknowledged_by"):
            alert = Alert.model_validate(
                {**alert.model_dump(), "acknowledged_by": stored.data["acknowledged_by"], "acknowledged_at": stored.data.get("acknowledged_at")}
            )
    backend.put_record(ALERT_RECORD, alert.id, alert.model_dump(mode="json"))


def list_alerts(backend: Backend, limit: int | None = None) -> list[Alert]:
    """Stored alerts, most recently raised first."""
    alerts = [Alert.model_validate(record.data) for record in backend.list_records(ALERT_RECORD, limit=MAX_LISTED_ALERTS)]
    alerts.sort(key=lambda alert: (alert.raised_at, alert.id), reverse=True)
    return alerts if limit is None else alerts[:limit]


def alerts_between(backend: Backend, start: datetime, end: datetime) -> list[Alert]:
    """Alerts raised in (start, end], most recent first."""
    return [alert for alert in list_alerts(backend) if start < alert.raised_at <= end]


def recent_levels(backend: Backend, now: datetime, memory: timedelta) -> dict[str, float]:
    """'signal|kind:key' → the highest level an alert raised in (now - memory, now] reached."""
    levels: dict[str, float] = {}
    for alert in alerts_between(backend, now - memory, now):
        for coverage, level in alert.levels.items():
            levels[coverage] = max(level, levels.get(coverage, level))
    return levels
