"""The app's main paths on both backends: SQLite and a real Elasticsearch node (marked es)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from analyst.users import UserStore
from analyst.web import create_app
from index.backend import Backend
from index.settings import Settings
from tests.conftest import make_document
from tests.contract.conftest import open_test_backend
from tests.web.conftest import FAST_HASHER
from tests.web.support import seed


@pytest.fixture(params=["sqlite", pytest.param("elasticsearch", marks=pytest.mark.es)])
def api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[TestClient, Backend]]:
    backend = open_test_backend(request.param, tmp_path)
    backend.ensure_ready()
    settings = Settings(data_dir=tmp_path / "data")
    seed(settings, backend)
    backend.refresh()
    users = UserStore.from_settings(settings, hasher=FAST_HASHER)
    users.add_user("ana", "analyst", "correct horse battery staple")
    app = create_app(settings, backend=backend, users=users)
    try:
        yield TestClient(app, headers={"Authorization": f"Bearer {users.create_token('ana')}"}), backend
    finally:
        drop = getattr(backend, "drop_everything", None)
        if drop is not None:
            drop()
        backend.close()


def test_search_flagged_review_and_export_behave_alike(api) -> None:  # type: ignore[no-untyped-def]
    client, backend = api
    found = client.get("/api/search?q=dat+dai").json()
    assert found["total"] == 2 and "<mark>" in found["hits"][0]["snippet_html"]
    assert found["facets"]["province"] == {"Lạng Sơn": 2}
    assert [doc["id"] for doc in client.get("/api/flagged").json()["documents"]] == ["doc-hostile", "doc-rumour", "doc-land"]
    client.post("/api/documents/doc-hostile/review", json={"topic": "governance"})
    queue = client.get("/api/flagged").json()  # visible at once, without waiting for a refresh
    assert queue["unreviewed"] == 2 and queue["documents"][-1]["id"] == "doc-hostile"
    assert client.get("/api/search?topic=governance").json()["total"] == 1
    backend.upsert([make_document(f"bulk-{n}", f"Rác thải số {n}", topic="waste") for n in range(120)])
    backend.refresh()
    exported = json.loads(client.get("/api/export?q=rac+thai&format=json").text)
    assert len(exported) == 120


def test_saved_search_new_since_and_near_duplicates(api) -> None:  # type: ignore[no-untyped-def]
    client, backend = api
    saved = client.post("/api/saved-searches", json={"name": "mỏ đá", "params": {"q": "mo da"}}).json()
    fresh = make_document("doc-new", "Mỏ đá nổ mìn ban đêm.", topic="mining")
    fresh.fetched_at = datetime.now(UTC)
    backend.upsert([fresh])
    backend.refresh()
    assert client.get(f"/api/saved-searches/{saved['id']}").json()["new_ids"] == ["doc-new"]
    document = client.get("/api/documents/doc-land").json()
    assert [doc["id"] for doc in document["near_duplicates"]] == ["doc-land-copy"]
    assert document["issue"]["id"] == "issue-mo-da"
