"""`envmon flows serve`: the four flows as scheduled deployments, run by this process."""

from __future__ import annotations

from prefect import serve
from prefect.schedules import Cron

TIMEZONE = "Asia/Ho_Chi_Minh"
INGEST_CRON = "5 * * * *"  # hourly, a few minutes past so feeds published on the hour are in
EARLY_WARNING_CRON = "20 * * * *"  # hourly, after ingest has had time to index
WEEKLY_REPORT_CRON = "0 7 * * 1"  # Monday 07:00, before the officials' week starts
RETRAIN_CRON = "0 2 * * 0"  # Sunday 02:00: a quiet hour, models ready for Monday's report


def deployments(sources: str | None = None) -> list:  # type: ignore[type-arg]
    """The four deployments with their schedules (in Asia/Ho_Chi_Minh time)."""
    from flows.early_warning import early_warning
    from flows.ingest import ingest
    from flows.retrain import retrain
    from flows.weekly_report import weekly_report

    return [
        ingest.to_deployment("hourly", schedules=[Cron(INGEST_CRON, timezone=TIMEZONE)], parameters={"sources": sources}),
        early_warning.to_deployment("hourly", schedules=[Cron(EARLY_WARNING_CRON, timezone=TIMEZONE)]),
        weekly_report.to_deployment("monday-0700", schedules=[Cron(WEEKLY_REPORT_CRON, timezone=TIMEZONE)]),
        retrain.to_deployment("weekly", schedules=[Cron(RETRAIN_CRON, timezone=TIMEZONE)]),
    ]


def serve_all(sources: str | None = None) -> None:
    """Register the deployments and run their scheduled flow runs until interrupted."""
    serve(*deployments(sources))
