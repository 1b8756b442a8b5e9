"""Alerts as plain Vietnamese text: the e-mail body and the CLI's readable output."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from analyst.models import Alert
from analyst.vi import SENSITIVITY_VI, number, place_label, project_label

SIGNAL_VI = {
    "volume_rise": "lượng quan tâm tăng đột biến",
    "collective_action": "dấu hiệu hành động tập thể",
    "misinfo_burst": "tin sai lệch lan nhanh",
}


def alert_subject_line(alert: Alert) -> str:
    return f"[envmon] Cảnh báo sớm: {alert.title}"


def alert_text(alert: Alert, tz: ZoneInfo) -> str:
    """Everything a duty officer needs to judge the alert, without opening the app."""
    lines = [
        alert.title,
        f"Thời điểm: {alert.raised_at.astimezone(tz):%H:%M %d/%m/%Y} · tín hiệu: "
        + ", ".join(SIGNAL_VI.get(signal, signal) for signal in alert.signals or [alert.kind])
        + f" · điểm {number(alert.score)}",
    ]
    if alert.places:
        lines.append("Địa bàn: " + "; ".join(place_label(place) for place in alert.places))
    if alert.projects:
        lines.append("Dự án: " + "; ".join(project_label(project, alert.project_names) for project in alert.projects))
    lines.append("")
    lines.append("Lý do:")
    lines.extend(f"  - {reason}" for reason in alert.reasons)
    if alert.top_documents:
        lines.append("")
        lines.append("Tin/bài tiêu biểu:")
        for document in alert.top_documents:
            sensitivity = SENSITIVITY_VI.get(document.sensitivity or "", "?")
            lines.append(f"  - [{sensitivity}] {document.title or document.id}" + (f" <{document.url}>" if document.url else ""))
    lines.append("")
    lines.append(f"Mã cảnh báo: {alert.id}" + (f" · vấn đề: {alert.issue_id}" if alert.issue_id else ""))
    return "\n".join(lines)
