"""Issues and alerts as the flows store them (backend records), read defensively.

The flows write these records concurrently; one malformed record is skipped and logged,
never a reason for a page to fail.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from analyst.models import ALERT_RECORD, ISSUE_RECORD, Alert, IssueRecord
from analyst.web.context import NotFound
from index.backend import Backend, StoredRecord

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)
RECORDS_READ = 5000  # issues/alerts are few per province; this is a safety cap, not a page


def _valid(model: type[M], kind: str, records: list[StoredRecord]) -> list[M]:
    found = []
    for record in records:
        try:
            found.append(model.model_validate(record.data))
        except ValidationError as exc:
            log.warning("%s record %s skipped: %s", kind, record.id, exc.errors()[0].get("msg"))
    return found


def list_issues(backend: Backend, topic: str | None = None, province: str | None = None) -> list[IssueRecord]:
    """Issues, most recently active first, optionally of one topic or province."""
    issues = _valid(IssueRecord, ISSUE_RECORD, backend.list_records(ISSUE_RECORD, limit=RECORDS_READ))
    if topic:
        issues = [issue for issue in issues if issue.topic == topic]
    if province:
        issues = [issue for issue in issues if any(place.province == province for place in issue.places)]
    return sorted(issues, key=lambda issue: issue.last_seen, reverse=True)


def list_alerts(backend: Backend, open_only: bool = False) -> list[Alert]:
    """Alerts, newest first; open_only keeps the unacknowledged ones."""
    alerts = _valid(Alert, ALERT_RECORD, backend.list_records(ALERT_RECORD, limit=RECORDS_READ))
    if open_only:
        alerts = [alert for alert in alerts if alert.acknowledged_at is None]
    return sorted(alerts, key=lambda alert: alert.raised_at, reverse=True)


def acknowledge_alert(backend: Backend, alert_id: str, user: str, now: datetime) -> Alert:
    """Mark an alert acknowledged by `user` (a second acknowledgement keeps the first)."""
    record = backend.get_record(ALERT_RECORD, alert_id)
    if record is None:
        raise NotFound(f"No alert with id {alert_id!r}.")
    alert = Alert.model_validate(record.data)
    if alert.acknowledged_at is None:
        alert = alert.model_copy(update={"acknowledged_by": user, "acknowledged_at": now})
        backend.put_record(ALERT_RECORD, alert.id, alert.model_dump(mode="json"))
    return alert
