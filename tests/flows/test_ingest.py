"""The ingest flow: a failing source does not stop the others; a crashed run resumes losslessly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.demo.run import SOCIAL_EXPORT
from flows.demo.site import DemoSite, articles, thread
from index.backends import open_backend
from index.query import build_query
from index.settings import Settings

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

CLOSED_PORT_SOURCE = '\n[[source]]\nname = "bao-tat-may"\nkind = "rss"\nurl = "http://127.0.0.1:9/rss/tin-moi.rss"\n'


def _indexed_ids(settings: Settings) -> list[str]:
    backend = open_backend(settings)
    try:
        return [document.id for document in backend.scan(build_query("", highlight=False, facets=False))]
    finally:
        backend.close()


def _spool_ids(folder: Path) -> list[str]:
    return [json.loads(line)["id"] for path in sorted(folder.glob("*.jsonl")) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_ingest_with_one_failing_source_indexes_the_others_and_reports_the_failure(
    settings: Settings, allow_private: None, demo_site: DemoSite, tmp_path: Path
) -> None:
    from flows.ingest import ingest

    sources = tmp_path / "sources.toml"
    sources.write_text(demo_site.sources_toml(extra=CLOSED_PORT_SOURCE), encoding="utf-8")
    summary = ingest(sources=str(sources), crawl_retries=0)

    statuses = {source["source"]: source["status"] for source in summary["sources"]}
    assert statuses == {"bao-bien-cuong": "ok", "dien-dan-huu-lung": "ok", "bao-tat-may": "failed"}, summary["sources"]
    assert any(failure.startswith("bao-tat-may: failed") for failure in summary["failures"])
    assert summary["crawled"] == 2 and not summary["nothing_reachable"]
    expected = len(articles()) + len(thread()["post"])
    assert summary["index"]["indexed"] == expected
    assert len(_indexed_ids(Settings())) == expected
    assert summary["issues"]["issues"] >= 1


class _CrashOnSecondBatch:
    """A corpus step that fails the second time it is called, like a process dying mid-run."""

    name = "crash"

    def __init__(self) -> None:
        self.calls = 0

    def process(self, documents: list) -> None:  # type: ignore[type-arg]
        self.calls += 1
        if self.calls == 2:
            raise RuntimeError("simulated crash in the middle of enrichment")

    def close(self) -> None:
        pass


def test_a_crash_mid_run_then_a_rerun_loses_and_duplicates_nothing(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import nlp.enrich
    from flows.ingest import ingest

    export = tmp_path / "export.jsonl"
    rows = [json.loads(line) for line in SOCIAL_EXPORT.read_text(encoding="utf-8").splitlines()]
    more = [{**row, "post_id": f"{row['post_id']}-again", "url": f"{row['url']}-again"} for row in rows]
    export.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows + more), encoding="utf-8")

    real_corpus_steps = nlp.enrich.build_corpus_steps
    crash = _CrashOnSecondBatch()
    monkeypatch.setattr(nlp.enrich, "build_corpus_steps", lambda config: [*real_corpus_steps(config), crash])
    with pytest.raises(RuntimeError, match="simulated crash"):
        ingest(imports=[str(export)], crawl=False)
    raw_ids = _spool_ids(settings.spool_dir)
    assert len(raw_ids) == len(set(raw_ids)) == 2 * len(rows)  # the import finished before the crash
    assert 0 < len(_spool_ids(settings.documents_dir)) < len(raw_ids)  # one batch got through
    assert _indexed_ids(settings) == []

    monkeypatch.setattr(nlp.enrich, "build_corpus_steps", real_corpus_steps)
    summary = ingest(imports=[str(export)], crawl=False)
    assert summary["imports"][0]["imported"] == 0  # nothing new to import the second time
    indexed = _indexed_ids(settings)
    assert sorted(indexed) == sorted(set(raw_ids))
    assert len(indexed) == len(set(indexed))
    assert set(_spool_ids(settings.documents_dir)) == set(raw_ids)
