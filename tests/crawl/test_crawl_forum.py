"""Crawling the loopback forum: one item per post, thread parents, pseudonyms, no handle on disk."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from crawlers.runner import run_crawl
from index.ids import item_id_for_post, item_id_for_url
from index.privacy import pseudonymise_author
from index.settings import Settings
from index.text import fold
from tests.crawl import forumsite
from tests.crawl.conftest import latest_by_id, spool_records
from tests.crawl.forumsite import authors, expected_texts, forum_routes, posts, thread
from tests.crawl.newssite import sources_toml

pytestmark = [pytest.mark.crawl, pytest.mark.usefixtures("allow_private")]


def forum_only(forum_base: str) -> str:
    """The forum source alone (the news sources point at a closed port and are dropped)."""
    text = sources_toml("http://127.0.0.1:9", forum_base)
    head, _, forum = text.partition('name = "dien-dan-xanh"')
    return head.split("[[source]]")[0] + '[[source]]\nname = "dien-dan-xanh"' + forum


def raw_handles_on_disk(folder: Path) -> list[str]:
    """Every (file, handle) where a raw forum handle appears, in any of its spellings."""
    spellings = {spelling for handle in authors() for spelling in (handle, handle.lower(), fold(handle))}
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            found += [f"{path.name}: {spelling}" for spelling in spellings if spelling.encode() in content]
    return found


def _words(text: str) -> str:
    return " ".join(text.split())


def test_forum_thread_becomes_one_item_per_post_with_thread_parent(forum_site, sources_file, data_dir):
    report = run_crawl(Settings(), sources_file(forum_only(forum_site.base)))
    assert report.sources[0].status == "ok" and report.sources[0].new == 12
    stored = latest_by_id(spool_records(data_dir))
    thread_url = forum_site.base + thread()["path"]
    thread_id = item_id_for_url(thread_url)
    texts = expected_texts()
    assert len(stored) == len(texts)
    opening = stored[thread_id]
    assert opening["parent_id"] is None and opening["url"] == thread_url
    assert _words(opening["text"]) == _words(texts[88101])
    mention = pseudonymise_author("trandung1975", Settings().pseudonym_key, "forum:127.0.0.1")
    for post in posts()[1:]:
        record = stored[item_id_for_post("forum:127.0.0.1", str(post["id"]))]
        assert record["parent_id"] == thread_id
        assert _words(record["text"]) == _words(texts[post["id"]].replace("{mention}", mention))
        assert record["title"] == thread()["title"]
        assert record["source_kind"] == "forum" and record["reliability"] == "social"
        assert datetime.fromisoformat(record["published_at"]) == datetime.strptime(post["time"], "%Y-%m-%dT%H:%M:%S%z")
        assert record["author_pseudonym"].startswith("anon-")
    by_author = {}
    for post in posts():
        post_id = thread_id if post["id"] == 88101 else item_id_for_post("forum:127.0.0.1", str(post["id"]))
        by_author.setdefault(post["author"], set()).add(stored[post_id]["author_pseudonym"])
    assert all(len(pseudonyms) == 1 for pseudonyms in by_author.values())
    assert len({next(iter(p)) for p in by_author.values()}) == len(by_author)
    assert raw_handles_on_disk(data_dir) == []


def test_a_new_reply_on_the_last_page_is_the_only_thing_added(forum_site, sources_file, data_dir):
    path = sources_file(forum_only(forum_site.base))
    run_crawl(Settings(), path)
    lines = len(spool_records(data_dir))
    unchanged = run_crawl(Settings(), path)
    assert unchanged.total("new") == 0 and len(spool_records(data_dir)) == lines
    forum_site.routes.update(forum_routes(forum_site.base, stage=2))
    later = run_crawl(Settings(), path)
    appended = spool_records(data_dir)[lines:]
    assert later.total("new") == 1 and [record["id"] for record in appended] == [item_id_for_post("forum:127.0.0.1", "88113")]
    assert raw_handles_on_disk(data_dir) == []


def test_two_members_posting_the_same_words_are_two_posts(forum_site, sources_file, data_dir, monkeypatch):
    path = sources_file(forum_only(forum_site.base))
    run_crawl(Settings(), path)
    echo = posts()[-1]  # "Ủng hộ, …": short replies like it are often repeated word for word
    monkeypatch.setitem(forumsite.LATE_REPLY, "text", list(echo["text"]))
    forum_site.routes.update(forum_routes(forum_site.base, stage=2))
    later = run_crawl(Settings(), path)
    stored = latest_by_id(spool_records(data_dir))
    reply = stored.get(item_id_for_post("forum:127.0.0.1", "88113"))
    assert later.total("new") == 1 and reply is not None and _words(reply["text"]) == _words(" ".join(echo["text"]))
    original = stored[item_id_for_post("forum:127.0.0.1", str(echo["id"]))]
    assert original["alt_urls"] == [] and original["author_pseudonym"] != reply["author_pseudonym"]
