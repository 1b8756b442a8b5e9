"""Feeds and sitemaps are hostile input: read what is there, refuse what is broken or explosive."""

from __future__ import annotations

import gzip

import pytest

from crawlers.feeds import FeedError, parse_feed, parse_sitemap, unpack
from tests.crawl.newssite import HERE

BASE = "http://bao.example"


def _fixture(name: str) -> bytes:
    return (HERE / name).read_text(encoding="utf-8").replace("{{base}}", BASE).replace("{{later_item}}", "").encode()


def test_rss_items_keep_links_titles_and_dates():
    entries = parse_feed(_fixture("moi-truong.rss"))
    assert [entry.url.rsplit("/", 1)[-1][:20] for entry in entries] == ["nuoc-thai-nha-may-ti", "song-ky-cung-duc-nga", "ke-hoach-kiem-tra-do"]
    assert entries[0].title.startswith("Người dân Tân Thành")
    assert entries[0].published == "Fri, 20 Nov 2026 08:15:00 +0700"
    assert "utm_source=rss&utm_medium=feed" in entries[1].url


def test_atom_entries_use_the_alternate_link_and_updated_date():
    entries = parse_feed(_fixture("dat-dai.atom"))
    assert len(entries) == 3
    assert entries[0].url.endswith("a1003.html")
    assert entries[1].lastmod == "2026-11-16T11:00:00+07:00"


def test_sitemap_index_and_news_sitemap_are_told_apart():
    index = parse_sitemap(_fixture("sitemap-index.xml"))
    news = parse_sitemap(_fixture("sitemap-news.xml"))
    assert index.is_index and len(index.entries) == 2 and index.entries[1].lastmod == "2009-05-01"
    assert not news.is_index
    assert news.entries[0].title.startswith("Bụi mù từ mỏ đá")
    assert news.entries[0].published == "2026-11-21T06:45:00+07:00"


def test_invalid_xml_feed_raises_feed_error_naming_the_line():
    with pytest.raises(FeedError, match="invalid XML"):
        parse_feed(_fixture("invalid.rss"))


@pytest.mark.parametrize("body", [b"", b"<html><body>Not found</body></html>", b"<urlset/>"])
def test_documents_that_are_not_feeds_are_refused(body):
    with pytest.raises(FeedError):
        parse_feed(body)


def test_entities_are_never_expanded():
    laughs = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>' \
        b"<rss><channel><item><title>&b;</title><link>http://bao.example/x</link></item></channel></rss>"
    entries = parse_feed(laughs)
    assert "hahaha" not in (entries[0].title or "")


def test_gzipped_sitemap_is_unpacked_and_a_gzip_bomb_is_refused():
    body = _fixture("sitemap-news.xml")
    assert unpack(gzip.compress(body), 1 << 20) == body
    with pytest.raises(FeedError, match="DOWNLOAD_MAXSIZE"):
        unpack(gzip.compress(b"<urlset>" + b" " * (8 << 20)), 1 << 20)
