"""The newcomer's path: import → enrich → index → search, from the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "posts.jsonl"


@pytest.fixture
def posts(tmp_path: Path) -> Path:
    return Path(shutil.copy(SAMPLE, tmp_path / "posts.jsonl"))


def run_pipeline(cli, posts: Path) -> None:  # type: ignore[no-untyped-def]
    for args in (("import", str(posts)), ("enrich", "--workers", "1"), ("index",)):
        result = cli(*args)
        assert result.exit_code == 0, result.output


def search_json(cli, *args: str) -> dict:  # type: ignore[no-untyped-def]
    result = cli("search", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_accent_free_search_finds_accented_posts_with_facets(cli, posts: Path) -> None:  # type: ignore[no-untyped-def]
    run_pipeline(cli, posts)
    found = search_json(cli, "o nhiem")
    texts = [hit["text"] for hit in found["hits"]]
    expected = [json.loads(line)["text"] for line in posts.read_text().splitlines() if "ô nhiễm" in json.loads(line)["text"].lower()]
    assert found["total"] == len(expected) and sorted(texts) == sorted(expected)
    assert set(found["facets"]) >= {"topic", "sensitivity", "province", "source", "source_kind", "date"}
    assert sum(found["facets"]["source_kind"].values()) == found["total"]
    assert "<mark>" in found["hits"][0]["snippet_html"]


def test_rerunning_the_four_commands_adds_no_duplicates(cli, posts: Path) -> None:  # type: ignore[no-untyped-def]
    run_pipeline(cli, posts)
    first = search_json(cli, "", "--limit", "100")
    run_pipeline(cli, posts)
    second = search_json(cli, "", "--limit", "100")
    assert first["total"] == second["total"] == len(posts.read_text().splitlines())
    assert sorted(hit["id"] for hit in second["hits"]) == sorted(hit["id"] for hit in first["hits"])


def test_no_author_handle_anywhere_in_the_data_dir(cli, posts: Path, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    run_pipeline(cli, posts)
    authors = {json.loads(line)["author"] for line in posts.read_text().splitlines()}
    for file in data_dir.rglob("*"):
        if file.is_file():
            content = file.read_bytes()
            for author in authors:
                assert author.encode() not in content, f"{author!r} found in {file}"


def test_malformed_query_is_one_sentence_and_non_zero(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("search", '"ô nhiễm')
    assert result.exit_code == 2
    assert "unclosed quote" in result.stderr
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1


def test_missing_file_is_one_sentence_and_non_zero(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("import", str(tmp_path / "khong-co.jsonl"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr and "Traceback" not in result.output


def test_csv_with_only_broken_rows_fails_and_lists_them(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "broken.csv"
    path.write_text("platform,post_id,url,author,text,published_at\nfacebook,1,https://fb.com/1,An,thiếu ngày\nfacebook,2\n")
    result = cli("import", str(path))
    assert result.exit_code == 2
    assert "line 2" in result.stderr and "line 3" in result.stderr
    assert "No usable rows" in result.stderr and "Traceback" not in result.output


def test_bad_filter_value_is_one_sentence(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("search", "rác", "--topic", "weather")
    assert result.exit_code == 2 and "unknown topic 'weather'" in result.stderr


def test_doctor_reports_each_check(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("doctor")
    assert "settings" in result.stdout and "backend (sqlite)" in result.stdout and "models" in result.stdout


def test_enrich_in_two_worker_processes_enriches_every_post(cli, posts: Path, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("import", str(posts)).exit_code == 0
    assert cli("enrich", "--workers", "2").exit_code == 0
    assert cli("index").exit_code == 0
    tokens = {hit["id"]: hit["enrichment"]["tokens"] for hit in search_json(cli, "", "--limit", "100")["hits"]}
    assert len(tokens) == len(posts.read_text().splitlines())
    assert all(value for value in tokens.values())


def test_doctor_shows_the_spool_backlog_of_each_stage(cli, posts: Path) -> None:  # type: ignore[no-untyped-def]
    # docs/operations.md: archive spool files once the enrich checkpoint has passed them, as doctor shows.
    assert cli("import", str(posts)).exit_code == 0
    before = cli("doctor").stdout
    assert "backlog" in before and "not enriched" in before
    assert "0 bytes not enriched" not in before
    run_pipeline(cli, posts)
    after = cli("doctor").stdout
    assert "0 bytes not enriched" in after and "0 bytes not indexed" in after


def test_lone_surrogates_in_an_export_do_not_stop_the_pipeline(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # JSON allows "\ud800" escapes that are not characters; broken exporters write them.
    rows = [
        '{"platform": "facebook", "post_id": "1", "url": "https://fb.com/1", "author": "An\\udc00", '
        '"text": "Ô nhiễm \\ud800 sông Kỳ Cùng", "title": "\\udfffTin", "published_at": "2026-11-20T08:00:00+07:00"}',
        '{"platform": "facebook", "post_id": "2", "url": "https://fb.com/2", "author": "Bình", '
        '"text": "Khói bụi ô nhiễm từ lò gạch", "published_at": "2026-11-20T09:00:00+07:00"}',
    ]
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    run_pipeline(cli, path)
    found = search_json(cli, "o nhiem")
    assert found["total"] == 2
    assert any(hit["text"] == "Ô nhiễm sông Kỳ Cùng" for hit in found["hits"])


def test_a_config_file_that_is_not_toml_or_not_utf8_is_one_sentence(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "envmon.toml"
    monkeypatch.setenv("ENVMON_CONFIG", str(config))
    for content in (b"data_dir = [unclosed\n", 'data_dir = "/srv/môi trường"\n'.encode("cp1258", "replace") + b"\xff\n"):
        config.write_bytes(content)
        result = cli("search", "rác")
        assert result.exit_code == 2, content
        assert str(config) in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_an_unusable_index_url_is_one_sentence(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    urls = ("http://[::1", "http://envmon:s3cret-pw@[::1", "http://envmon:s3cret-pw@127.0.0.1:99999",
            "ftp://envmon:s3cret-pw@es.example", f"sqlite:///{blocker}/index.sqlite")
    for url in urls:
        monkeypatch.setenv("ENVMON_INDEX_URL", url)
        result = cli("search", "rác")
        assert result.exit_code in (2, 3), url
        assert "ENVMON_INDEX_URL" in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "s3cret-pw" not in result.stderr


def test_names_from_the_import_file_are_printed_as_written(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Rich would read "[red]" as a style and "[/x]" as a broken closing tag (a traceback).
    path = tmp_path / "export[red].csv"
    path.write_text(
        "platform,post_id,url,author,text,published_at,[/x]\n"
        "facebook,1,https://fb.com/1,An,Ô nhiễm sông,2026-11-20T08:00:00+07:00,z\n",
        encoding="utf-8",
    )
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert "export[red].csv: 1 rows read" in result.stdout
    assert "ignored columns: [/x]" in result.stdout


def test_paths_and_settings_with_brackets_are_printed_as_written(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "envmon[/prod]"
    monkeypatch.setenv("ENVMON_DATA_DIR", str(folder))
    for command in ("init", "doctor"):
        result = cli(command)
        assert "Traceback" not in result.output
        assert "envmon[/prod]" in "".join(result.stdout.split())  # however the table wraps it
    monkeypatch.setenv("ENVMON_TIMEZONE", "Asia/[/x]")
    result = cli("doctor")
    assert result.exit_code == 2 and "Asia/[/x]" in "".join(result.stdout.split())
