"""Loopback sites for crawler tests: a news outlet and a forum, each on 127.0.0.1:<free port>."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from crawlers.loopback import LoopbackSite
from tests.crawl.forumsite import forum_routes
from tests.crawl.newssite import news_routes


def _serve(routes: Callable[[str], dict]) -> Iterator[LoopbackSite]:
    site = LoopbackSite().start()
    site.routes.update(routes(site.base))
    try:
        yield site
    finally:
        site.stop()


@pytest.fixture
def news_site() -> Iterator[LoopbackSite]:
    yield from _serve(news_routes)


@pytest.fixture
def forum_site() -> Iterator[LoopbackSite]:
    yield from _serve(forum_routes)


@pytest.fixture
def allow_private(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback sites are private addresses: tests opt in, exactly as the demo does."""
    monkeypatch.setenv("ENVMON_ALLOW_PRIVATE_NETWORKS", "1")


@pytest.fixture
def sources_file(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str, name: str = "sources.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@contextmanager
def isolated_data_dir(folder: Path, allow_private: bool = True) -> Iterator[Path]:
    """Like the `data_dir` fixture, for module-scoped fixtures that share one crawl among tests."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("ENVMON_") and name not in ("ENVMON_TEST_ES_URL", "ENVMON_REQUIRE_ES"):
                patch.delenv(name)
        patch.setenv("ENVMON_DATA_DIR", str(folder / "data"))
        patch.setenv("ENVMON_CONFIG", str(folder / "no-envmon.toml"))
        if allow_private:
            patch.setenv("ENVMON_ALLOW_PRIVATE_NETWORKS", "1")
        yield folder / "data"


def spool_records(data_dir: Path) -> list[dict]:
    """Every line of the raw spool, in order."""
    records = []
    for path in sorted((data_dir / "spool").glob("*.jsonl")):
        records += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return records


def latest_by_id(records: list[dict]) -> dict[str, dict]:
    """What a downstream upsert by id keeps: the last line for each id."""
    return {record["id"]: record for record in records}
