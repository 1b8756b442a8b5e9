"""Stored alerts: a later save (e.g. delivery results) never loses an analyst's acknowledgement."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from analyst.alerts.store import list_alerts, save_alert
from analyst.models import Alert
from index.sqlite_backend import SqliteBackend


def test_saving_delivery_results_keeps_the_acknowledgement(tmp_path: Path) -> None:
    backend = SqliteBackend(tmp_path / "index.sqlite")
    alert = Alert(
        id="a1", raised_at=datetime(2026, 11, 22, tzinfo=UTC), kind="volume_rise", subject="project",
        subject_key="mo-da:khau-lu", title="Quan tâm tăng đột biến", score=9.5, escalation=9.5,
    )
    save_alert(backend, alert)
    acknowledged = alert.model_copy(update={"acknowledged_by": "ana", "acknowledged_at": datetime(2026, 11, 22, 1, tzinfo=UTC)})
    save_alert(backend, acknowledged)
    save_alert(backend, alert.model_copy(update={"deliveries": {"webhook": "delivered"}}))
    stored = list_alerts(backend)[0]
    assert stored.acknowledged_by == "ana" and stored.deliveries == {"webhook": "delivered"}
