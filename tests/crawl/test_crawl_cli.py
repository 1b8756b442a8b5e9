"""`envmon crawl` end to end: loopback outlet and forum → crawl → enrich → index → search."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from index.settings import Settings
from index.state import CRAWL_RUN_NAMESPACE, StateStore
from tests.crawl.forumsite import expected_texts
from tests.crawl.newssite import BOILERPLATE, expected_articles, sources_toml
from tests.crawl.test_crawl_forum import raw_handles_on_disk

pytestmark = pytest.mark.crawl


def _search_all(cli) -> dict:  # type: ignore[no-untyped-def]
    result = cli("search", "", "--json", "--limit", "500")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _crawl_json(cli, path) -> dict:  # type: ignore[no-untyped-def]
    result = cli("crawl", "--sources", str(path), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.usefixtures("allow_private")
def test_crawl_enrich_index_search_lists_every_article_and_post_once(cli, news_site, forum_site, sources_file, data_dir):
    path = sources_file(sources_toml(news_site.base, forum_site.base, extraction_processes=1))  # the production default
    table = cli("crawl", "--sources", str(path))
    assert table.exit_code == 0, table.output
    assert "crawl summary" in table.stdout and "6/6 sources crawled" in " ".join(table.stdout.split())
    assert cli("enrich").exit_code == 0
    assert cli("index").exit_code == 0

    found = _search_all(cli)
    hits = found["hits"]
    assert len({hit["id"] for hit in hits}) == len(hits) == found["total"]
    articles = {hit["canonical_url"].removeprefix(news_site.base): hit for hit in hits if hit["source_kind"] != "forum"}
    assert sorted(articles) == sorted(entry.path for entry in expected_articles())
    for entry in expected_articles():
        hit = articles[entry.path]
        assert hit["title"] == entry.title
        assert datetime.fromisoformat(hit["published_at"]) == datetime.fromisoformat(entry.expected)
        assert hit["source"].startswith("xanh-") and hit["reliability"] == "mainstream"
        assert entry.paragraphs[-1][:40] in hit["text"]
        assert not any(phrase in hit["text"] for phrase in BOILERPLATE)
    forum = [hit for hit in hits if hit["source_kind"] == "forum"]
    assert len(forum) == len(expected_texts())
    assert all(hit["source"] == "dien-dan-xanh" and hit["reliability"] == "social" and hit["title"] for hit in forum)
    assert "/noi-bo/" not in json.dumps(hits)
    assert raw_handles_on_disk(data_dir) == []

    runs = StateStore(Settings().state_path).memos(CRAWL_RUN_NAMESPACE)
    assert set(runs) >= {"dien-dan-xanh"} and all(run["finished_at"] and "fetched" in run for run in runs.values())

    again = _crawl_json(cli, path)
    assert again["totals"]["new"] == 0 and again["totals"]["changed"] == 0 and again["totals"]["unchanged"] > 0
    assert "0 documents" in cli("enrich").stdout
    assert cli("index").stdout.startswith("indexed 0 documents")
    assert _search_all(cli)["total"] == found["total"]


def test_loopback_source_is_refused_without_the_flag(cli, news_site, sources_file, data_dir):
    text = sources_toml(news_site.base).replace("download_delay = 0", "download_delay = 1")
    result = cli("crawl", "--sources", str(sources_file(text)))
    assert result.exit_code != 0
    assert "refused" in result.output and "loopback" in result.output
    assert "ENVMON_ALLOW_PRIVATE_NETWORKS=1" in result.output
    assert "No source could be crawled" in result.output
    assert news_site.hits == []  # not even robots.txt was fetched


def test_malformed_sources_file_is_one_sentence_and_exit_2(cli, sources_file, data_dir):
    result = cli("crawl", "--sources", str(sources_file('[[source]]\nname = "x"\nkind = "rss"\n')))
    assert result.exit_code == 2
    assert "source table #1 ('x') lacks the required field 'url'" in " ".join(result.output.split())


def test_unknown_source_name_is_refused_with_the_choices(cli, sources_file, data_dir):
    result = cli("crawl", "--sources", str(sources_file(sources_toml("http://127.0.0.1:9"))), "--source", "nope")
    assert result.exit_code == 2
    assert "No source named 'nope'" in result.output and "xanh-moi-truong" in result.output


def test_public_looking_name_resolving_to_loopback_and_metadata_address_are_refused(cli, news_site, sources_file, data_dir, monkeypatch):
    """Hosts-style resolution (the [crawl] resolve table) answers 127.0.0.1 for an innocent name."""
    text = (
        '[crawl]\ndownload_delay = 1\nextraction_processes = 0\nresolve = { "tin-moi-truong.example.vn" = "127.0.0.1" }\n'
        f'[[source]]\nname = "ten-mien-thuong"\nkind = "rss"\nurl = "http://tin-moi-truong.example.vn:{news_site.port}/rss/moi-truong.rss"\n'
        '[[source]]\nname = "metadata"\nkind = "rss"\nurl = "http://169.254.169.254/latest/meta-data/"\n'
    )
    path = sources_file(text)
    refused = cli("crawl", "--sources", str(path), "--json")
    assert refused.exit_code != 0
    summaries = {summary["source"]: summary for summary in json.loads(refused.stdout)["sources"]}
    assert summaries["ten-mien-thuong"]["message"].startswith("private: tin-moi-truong.example.vn (127.0.0.1) is a loopback address")
    assert summaries["metadata"]["message"].startswith("private: 169.254.169.254 is a link-local address")
    assert news_site.hits == []

    monkeypatch.setenv("ENVMON_ALLOW_PRIVATE_NETWORKS", "1")  # the same name really leads to the loopback site
    allowed = cli("crawl", "--sources", str(path), "--source", "ten-mien-thuong", "--json")
    assert allowed.exit_code == 0, allowed.output
    assert json.loads(allowed.stdout)["sources"][0]["status"] == "ok"
    assert [hit.headers["host"] for hit in news_site.requested("/rss/moi-truong.rss")] == [f"tin-moi-truong.example.vn:{news_site.port}"]
