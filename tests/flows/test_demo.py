"""`envmon demo`: offline, end to end, an alert about the planted project and a report with charts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]


def test_demo_ends_with_topics_an_alert_about_the_planted_quarry_and_the_report(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "demo"
    result = cli("demo", "--data-dir", str(folder))
    assert result.exit_code == 0, result.output
    output = result.output
    assert "crawled 2/2 loopback sources, imported 48 posts" in output
    assert "documents indexed per topic" in output and "mining (Khai khoáng)" in output
    assert "Quan tâm tăng đột biến: Mỏ đá Khau Lù (xã Tân Thành, Lạng Sơn)" in output
    assert "24 giờ qua" in output and "hành động tập thể" in output  # the reasons are printed
    report = folder / "reports" / "2026-W47"
    for name in ("report.html", "report.pdf", "report.json"):
        assert str(report / name) in output.replace("\n", "")
    assert b"/Subtype /Image" in (report / "report.pdf").read_bytes()
    data = json.loads((report / "report.json").read_text(encoding="utf-8"))
    assert data["top_projects"][0]["key"] == "mo-da:khau-lu"
    assert any("Khau Lù" in alert["title"] for alert in data["alerts"])

    again = cli("demo", "--data-dir", str(folder))  # a second demo starts afresh and finds the same
    assert again.exit_code == 0 and "Mỏ đá Khau Lù (xã Tân Thành" in again.output


def test_demo_refuses_to_wipe_a_folder_it_did_not_make(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "precious.txt").write_text("keep me", encoding="utf-8")
    result = cli("demo", "--data-dir", str(tmp_path))
    assert result.exit_code == 2 and "not made by `envmon demo`" in result.output
    assert (tmp_path / "precious.txt").exists()
