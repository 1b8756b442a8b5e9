"""Shared fixtures: an isolated data dir per test, a CLI runner, document factories."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from index.records import Document, Enrichment, Place, RawItem, Reliability, SourceKind
from index.settings import Settings

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh ENVMON_DATA_DIR; no other ENVMON_* setting leaks in from the environment."""
    for name in list(os.environ):
        if name.startswith("ENVMON_") and name not in ("ENVMON_TEST_ES_URL", "ENVMON_REQUIRE_ES"):
            monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "data"
    monkeypatch.setenv("ENVMON_DATA_DIR", str(folder))
    monkeypatch.setenv("ENVMON_CONFIG", str(tmp_path / "no-envmon.toml"))
    return folder


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return Settings()


@pytest.fixture
def cli(data_dir: Path):  # type: ignore[no-untyped-def]
    """Run `envmon …` in-process; returns the click Result."""
    from envmon_cli.main import app

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return invoke


def make_document(
    doc_id: str,
    text: str,
    *,
    title: str | None = None,
    topic: str = "water",
    sensitivity: str = "low",
    sensitivity_score: float | None = None,
    misinfo_risk: float = 0.1,
    misinfo_level: str = "low",
    provinces: tuple[str, ...] = (),
    projects: tuple[str, ...] = (),
    source: str = "baotest",
    source_kind: SourceKind = SourceKind.RSS,
    published_at: datetime | None = None,
) -> Document:
    """A labelled Document as enrich would produce it."""
    published = published_at or datetime(2026, 11, 20, 9, 0, tzinfo=HCM)
    item = RawItem(
        id=doc_id,
        url=f"https://example.vn/{doc_id}",
        canonical_url=f"https://example.vn/{doc_id}",
        source=source,
        source_kind=source_kind,
        reliability=Reliability.MAINSTREAM,
        fetched_at=published + timedelta(hours=1),
        published_at=published,
        title=title,
        text=text,
    )
    enrichment = Enrichment(
        tokens=text,
        topic=topic,
        topic_scores={topic: 0.9},
        sensitivity=sensitivity,
        sensitivity_score=sensitivity_score if sensitivity_score is not None else {"low": 0.2, "medium": 0.5, "high": 0.9}[sensitivity],
        misinfo_risk=misinfo_risk,
        misinfo_level=misinfo_level,
        places=[Place(name=name, level="province", province=name) for name in provinces],
        projects=list(projects),
        model_version="test",
    )
    return Document(**item.model_dump(), enrichment=enrichment)


@pytest.fixture
def hcm() -> ZoneInfo:
    return HCM


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep marker bookkeeping in one place: crawl and browser tests are also slow."""
    for item in items:
        if "crawl" in item.keywords or "browser" in item.keywords:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def repo() -> Iterator[Path]:
    yield REPO
