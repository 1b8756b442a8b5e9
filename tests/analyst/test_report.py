"""The weekly report: its counts agree with search, charts are real images, crawled text stays text."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from analyst.report.build import build_report, parse_week
from analyst.report.render import write_report
from index.backends import open_backend
from index.errors import InputError
from index.records import Review, SourceKind
from tests.analyst.conftest import CAI_KINH, HCM, NA_DUONG, QUARRY, TAN_THANH, labelled

WEEK = "2026-W47"  # Monday 16 – Sunday 22 November 2026
MONDAY = datetime(2026, 11, 16, tzinfo=HCM)


def _week_documents() -> list:  # type: ignore[type-arg]
    documents = [
        labelled("q1", MONDAY + timedelta(days=1, hours=9), places=(TAN_THANH,), projects=(QUARRY,), sensitivity="high", likes=80),
        labelled("q2", MONDAY + timedelta(days=5, hours=20), places=(TAN_THANH,), projects=(QUARRY,), sensitivity="high"),
        labelled("q2-copy", MONDAY + timedelta(days=5, hours=22), places=(TAN_THANH,), projects=(QUARRY,), sensitivity="high", dup_cluster="q2"),
        labelled("w1", MONDAY + timedelta(days=2, hours=8), places=(CAI_KINH,), topic="water", sensitivity="low", source="baolangson"),
        labelled("a1", MONDAY + timedelta(days=3, hours=18), places=(NA_DUONG,), topic="air_noise", sensitivity="medium",
                 misinfo_level="elevated", source="tiktok"),
        # the first minutes of the week and its last minutes, local time: day boundaries must agree with search
        labelled("edge-start", MONDAY + timedelta(minutes=5), places=(NA_DUONG,), topic="waste", sensitivity="low"),
        labelled("edge-end", MONDAY + timedelta(days=6, hours=23, minutes=55), places=(CAI_KINH,), topic="waste", sensitivity="medium"),
        labelled("hostile", MONDAY + timedelta(days=4, hours=10), places=(CAI_KINH,), topic="governance", sensitivity="high",
                 text="<script>alert('x')</script> <img src=x onerror=alert(1)> dân phản đối"),
        # outside the week on both sides
        labelled("before", MONDAY - timedelta(minutes=5), places=(TAN_THANH,), projects=(QUARRY,)),
        labelled("after", MONDAY + timedelta(days=7, minutes=5), places=(TAN_THANH,), projects=(QUARRY,)),
    ]
    documents[4].source_kind = SourceKind.IMPORT
    documents[3].review = Review(reviewed=True, reviewed_by="analyst", topic="waste")  # a correction: search counts it as waste
    return documents


@pytest.fixture
def report_dir(cli, settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    backend = open_backend(settings)
    backend.upsert(_week_documents())
    backend.close()
    result = cli("report", "weekly", "--week", WEEK, "--now", "2026-11-23T07:00:00+07:00")
    assert result.exit_code == 0, result.output
    return settings.reports_dir / WEEK


@pytest.mark.slow
def test_report_counts_agree_with_search_facets_for_the_same_week(cli, report_dir: Path) -> None:  # type: ignore[no-untyped-def]
    report = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    result = cli("search", "", "--from", "2026-11-16", "--to", "2026-11-22", "--json", "--limit", "0")
    facets = json.loads(result.output)["facets"]
    for name in ("topic", "sensitivity", "misinfo_level", "province", "project", "source", "source_kind", "date"):
        assert report["indexed"][name] == facets[name], name
    assert report["totals"]["documents"] == json.loads(result.output)["total"] == 8
    assert report["totals"]["stories"] == 7 and report["totals"]["near_duplicates"] == 1
    assert report["topics"]["waste"] == 3  # the corrected label, once per story


@pytest.mark.slow
def test_report_has_its_three_files_with_real_charts_in_the_pdf(report_dir: Path) -> None:
    assert sorted(path.name for path in report_dir.iterdir()) == ["report.html", "report.json", "report.pdf"]
    pdf = (report_dir / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert pdf.count(b"/Subtype /Image") >= 6  # every chart is an embedded raster image
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,') == 6
    assert "Mỏ đá Khau Lù" in html and "Báo cáo tuần 2026-W47" in html


@pytest.mark.slow
def test_crawled_text_is_escaped_in_the_report(report_dir: Path) -> None:
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(" in html


def test_crawled_names_that_look_like_tex_are_drawn_as_plain_text(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    documents = _week_documents()
    documents[0].enrichment.project_names = {QUARRY: "mỏ đá $\\frac$ Khau Lù"}  # matplotlib would parse $…$ as mathtext
    documents[3].source = "tin $^$ nhanh"
    backend = open_backend(settings)
    backend.upsert(documents)
    report = build_report(backend, WEEK, MONDAY + timedelta(days=7), HCM)
    backend.close()
    files = write_report(report, tmp_path / "report")
    assert files.pdf.read_bytes().startswith(b"%PDF-")


def test_a_malformed_week_is_refused_in_one_sentence() -> None:
    with pytest.raises(InputError, match="YYYY-Www"):
        parse_week("2026-48")
    with pytest.raises(InputError, match="no week 54"):
        parse_week("2026-W54")
    for year in ("0001", "9999"):  # the report also reads the week before and the one after
        with pytest.raises(InputError, match="year"):
            parse_week(f"{year}-W01")
