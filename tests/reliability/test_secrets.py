"""Secrets stay secret: the pseudonym key is private and no secret reaches a log or the output."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.contract.conftest import ES_URL, _es_reachable

ENVMON = [sys.executable, "-m", "envmon_cli.main"]
SAMPLE = Path(__file__).resolve().parent.parent.parent / "samples" / "posts.jsonl"
ES_PASSWORD = "s3cret-Pa55-for-tests"


def full_run(env: dict[str, str]) -> str:
    """import → enrich → index → search → doctor; returns everything printed."""
    printed = []
    for args in (["import", str(SAMPLE)], ["enrich"], ["index"], ["search", "o nhiem", "--json"], ["doctor"]):
        result = subprocess.run(ENVMON + args, env=env, capture_output=True, text=True, timeout=300)
        printed.append(result.stdout + result.stderr)
    return "\n".join(printed)


def everything_written(data_dir: Path) -> bytes:
    return b"\n".join(path.read_bytes() for path in (data_dir / "logs").rglob("*") if path.is_file())


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("elasticsearch", marks=pytest.mark.es)])
def test_no_secret_in_logs_or_output_of_a_full_run(data_dir: Path, backend: str) -> None:
    env = {**os.environ, "ENVMON_DATA_DIR": str(data_dir), "ENVMON_ES_USERNAME": "elastic",
           "ENVMON_ES_PASSWORD": ES_PASSWORD, "ENVMON_LOG_LEVEL": "DEBUG"}
    if backend == "elasticsearch":
        if not _es_reachable():
            if os.environ.get("ENVMON_REQUIRE_ES") == "1":
                pytest.fail(f"Elasticsearch is not reachable at {ES_URL}")
            pytest.skip(f"Elasticsearch is not reachable at {ES_URL}")
        env["ENVMON_INDEX_URL"] = ES_URL
        env["ENVMON_ES_INDEX_PREFIX"] = f"envmon-secrets-{os.getpid()}"
    try:
        output = full_run(env)
    finally:
        if backend == "elasticsearch":
            from index.elasticsearch import ElasticsearchBackend
            from index.settings import Settings

            ElasticsearchBackend.from_settings(
                Settings(data_dir=data_dir, index_url=ES_URL, es_index_prefix=env["ENVMON_ES_INDEX_PREFIX"])
            ).drop_everything()
    key = (data_dir / "pseudonym.key").read_text().strip()
    logs = everything_written(data_dir)
    assert logs, "the run wrote no log at all"
    for secret in (ES_PASSWORD, key):
        assert secret not in output
        assert secret.encode() not in logs


def test_pseudonym_key_is_created_private(cli, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("init").exit_code == 0
    mode = stat.S_IMODE((data_dir / "pseudonym.key").stat().st_mode)
    assert mode == 0o600


def test_a_pseudonym_secret_that_is_not_a_hex_key_is_one_sentence(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    posts = tmp_path / "posts.jsonl"
    posts.write_bytes(SAMPLE.read_bytes())
    for value in ("correct horse battery staple", "ab"):  # a passphrase; a key too short to keep handles secret
        monkeypatch.setenv("ENVMON_PSEUDONYM_SECRET", value)
        result = cli("import", str(posts))
        assert result.exit_code == 2, value
        assert "ENVMON_PSEUDONYM_SECRET" in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert value not in result.stderr


@pytest.mark.parametrize("content", [b"", b"\xff\xfe\x00garbage"])
def test_an_empty_or_corrupt_key_file_is_refused_not_used_as_the_key(cli, data_dir: Path, content: bytes) -> None:  # type: ignore[no-untyped-def]
    # What a crash (or a full disk) between creating the key file and writing it leaves behind:
    # pseudonyms under an empty key could be reversed by anyone who guesses a handle.
    data_dir.mkdir(parents=True)
    (data_dir / "pseudonym.key").write_bytes(content)
    result = cli("import", str(SAMPLE))
    assert result.exit_code == 2
    assert "pseudonym.key" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not list((data_dir / "spool").glob("*.jsonl"))


@pytest.mark.es
def test_a_password_inside_the_index_url_is_never_printed_or_stored(cli, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    if not _es_reachable():
        if os.environ.get("ENVMON_REQUIRE_ES") == "1":
            pytest.fail(f"Elasticsearch is not reachable at {ES_URL}")
        pytest.skip(f"Elasticsearch is not reachable at {ES_URL}")
    from index.elasticsearch import ElasticsearchBackend
    from index.settings import Settings
    from index.spool import Spool
    from tests.conftest import make_document

    scheme, rest = ES_URL.split("://", 1)
    prefix = f"envmon-urlsecret-{os.getpid()}"
    monkeypatch.setenv("ENVMON_INDEX_URL", f"{scheme}://envmon:{ES_PASSWORD}@{rest}")
    monkeypatch.setenv("ENVMON_ES_INDEX_PREFIX", prefix)
    try:
        printed = cli("init").output
        settings = Settings()
        Spool(settings.documents_dir, settings.tz).append([make_document("u1", "Khói bụi từ nhà máy xi măng.")])
        printed += cli("index").output
        assert "indexed 1 documents" in printed
        assert ES_PASSWORD not in printed
        for file in data_dir.rglob("*"):
            if file.is_file():
                assert ES_PASSWORD.encode() not in file.read_bytes(), file
    finally:
        ElasticsearchBackend.from_settings(Settings(data_dir=data_dir, index_url=ES_URL, es_index_prefix=prefix)).drop_everything()
