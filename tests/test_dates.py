"""Dates from exports and pages: whatever a cell or a meta tag holds, it is a date or a bad row."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.importer import import_file
from index.dates import DateParseError, parse_datetime
from index.settings import Settings
from tests.conftest import HCM
from tests.test_import import row, write_jsonl

HOSTILE = [
    "2026-11-20 08:00 +25:00",  # an offset no clock has
    "2026-11-20T08:00:00-9959",
    "39999999999999199999999999996h2026",  # dateutil's arithmetic overflows
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_date_is_a_parse_error(value: str) -> None:
    with pytest.raises(DateParseError):
        parse_datetime(value, HCM)


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_date_is_a_bad_row_and_the_import_goes_on(tmp_path: Path, settings: Settings, value: str) -> None:
    path = write_jsonl(tmp_path / "p.jsonl", [row(published_at=value), row(post_id="ok")])
    report = import_file(path, settings)
    assert report.imported == 1 and report.bad_count == 1
    assert report.bad[0].reason.startswith("published_at")
