"""Enrichment on a Dask LocalCluster with two workers gives the same documents as a local run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.demo.run import DEMO_NOW, SOCIAL_EXPORT
from index.settings import Settings

IMPORTED_AT = DEMO_NOW

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]


def _documents(folder: Path) -> dict[str, dict]:  # type: ignore[type-arg]
    found = {}
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            document = json.loads(line)
            document["enrichment"].pop("enriched_at")  # the only field that depends on when
            found[document["id"]] = document
    return found


def test_enrich_on_a_two_worker_dask_cluster_matches_the_local_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from crawlers.importer import import_file
    from flows.dask_enrich import dask_enrich_flow
    from nlp.enrich import run_enrich

    monkeypatch.setenv("ENVMON_PSEUDONYM_SECRET", "ab" * 32)  # both data dirs pseudonymise authors alike
    runs = {}
    for name in ("local", "dask"):
        monkeypatch.setenv("ENVMON_DATA_DIR", str(tmp_path / name))
        settings = Settings()
        import_file(SOCIAL_EXPORT, settings, now=IMPORTED_AT)
        if name == "local":
            report = run_enrich(settings, workers=1)
        else:
            report = dask_enrich_flow(None, {"n_workers": 2, "threads_per_worker": 1, "processes": True})(chunk_items=8)
            report = type("Report", (), report)
        assert report.enriched == 48
        runs[name] = _documents(settings.documents_dir)
    assert list(runs["dask"]) == list(runs["local"])  # same order too: corpus steps saw the same sequence
    assert runs["dask"] == runs["local"]
