"""The backend fixture: every contract test runs on SQLite and on a real Elasticsearch node."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.backend import Backend
from index.settings import Settings

ES_URL = os.environ.get("ENVMON_TEST_ES_URL", "http://127.0.0.1:9200")


def _es_reachable() -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(ES_URL, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def open_test_backend(kind: str, tmp_path: Path) -> Backend:
    if kind == "sqlite":
        from index.sqlite_backend import SqliteBackend

        return SqliteBackend(tmp_path / "index.sqlite")
    if not _es_reachable():
        message = f"Elasticsearch is not reachable at {ES_URL}: run `make es-up`"
        if os.environ.get("ENVMON_REQUIRE_ES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from index.elasticsearch import ElasticsearchBackend

    settings = Settings(
        data_dir=tmp_path / "data", index_url=ES_URL, es_index_prefix=f"envmon-test-{uuid.uuid4().hex[:10]}"
    )
    return ElasticsearchBackend.from_settings(settings)


@pytest.fixture(params=["sqlite", pytest.param("elasticsearch", marks=pytest.mark.es)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    opened = open_test_backend(request.param, tmp_path)
    opened.ensure_ready()
    try:
        yield opened
    finally:
        drop = getattr(opened, "drop_everything", None)
        if drop is not None:
            drop()
        opened.close()
