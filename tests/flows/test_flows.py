"""Early warning, weekly report, retrain and the schedules, composed as Prefect flows."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from analyst.models import ALERT_RECORD
from index.backends import open_backend
from index.settings import Settings
from tests.analyst.conftest import HCM, QUARRY, SURGE_END, background, surge
from tests.analyst.test_delivery import Receiver

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def surge_indexed(settings: Settings) -> Settings:
    backend = open_backend(settings)
    backend.upsert(background() + surge())
    backend.close()
    return settings


def test_early_warning_raises_stores_and_delivers_one_alert_per_escalation(
    surge_indexed: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.early_warning import early_warning

    hook = Receiver([503])
    monkeypatch.setenv("ENVMON_WEBHOOK_URL", hook.url)
    monkeypatch.setattr("analyst.alerts.deliver.BACKOFF_S", 0.01)
    try:
        first = early_warning(now=SURGE_END)
        again = early_warning(now=SURGE_END + timedelta(hours=1))
    finally:
        hook.server.shutdown()
    (alert,) = first["alerts"]
    assert alert["subject_key"] == QUARRY and alert["deliveries"] == {"webhook": "delivered"}
    assert again["alerts"] == [] and again["held"] > 0
    backend = open_backend(surge_indexed)
    assert [record.id for record in backend.list_records(ALERT_RECORD)] == [alert["id"]]
    backend.close()


def test_weekly_report_flow_writes_last_weeks_report_on_monday_morning(surge_indexed: Settings) -> None:
    from flows.weekly_report import weekly_report

    files = weekly_report(now=datetime(2026, 11, 30, 7, 0, tzinfo=HCM))
    assert files["week"] == "2026-W48"
    folder = surge_indexed.reports_dir / "2026-W48"
    assert Path(files["folder"]) == folder
    assert sorted(path.name for path in folder.iterdir()) == ["report.html", "report.json", "report.pdf"]
    assert files["totals"]["high_sensitivity"] == 12


@pytest.mark.slow
def test_retrain_records_whether_it_promoted(settings: Settings) -> None:
    from flows.retrain import DECISION_RECORD, retrain

    decision = retrain()
    assert decision["reason"]
    backend = open_backend(settings)
    stored = backend.get_record(DECISION_RECORD, decision["version"])
    backend.close()
    assert stored is not None and stored.data["promoted"] == decision["promoted"]


def test_serve_schedules_the_four_flows_in_vietnam_time() -> None:
    from flows.serve import deployments

    schedules = {deployment.flow_name: deployment.schedules[0].schedule for deployment in deployments()}
    assert set(schedules) == {"ingest", "early-warning", "weekly-report", "retrain"}
    assert schedules["weekly-report"].cron == "0 7 * * 1"
    assert {schedule.timezone for schedule in schedules.values()} == {"Asia/Ho_Chi_Minh"}
    assert schedules["ingest"].cron.split()[1:] == ["*", "*", "*", "*"]  # hourly


@pytest.mark.slow
def test_run_with_no_reachable_source_says_so_and_suggests_the_demo(cli, allow_private: None, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sources = tmp_path / "sources.toml"
    sources.write_text('[crawl]\nretry_backoff_s = 0.05\n\n[[source]]\nname = "bao-tat-may"\nkind = "rss"\nurl = "http://127.0.0.1:9/rss.xml"\n', encoding="utf-8")
    result = cli("run", "--sources", str(sources))
    assert result.exit_code == 1
    assert "No source was reachable" in result.output and "make demo" in result.output
