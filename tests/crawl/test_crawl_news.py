"""Crawling the loopback news outlet: every article once, hostile pages counted, re-runs incremental."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from crawlers.loopback import LoopbackSite, Page
from crawlers.report import CrawlReport, SourceSummary
from crawlers.runner import run_crawl
from index.settings import Settings
from tests.crawl.conftest import isolated_data_dir, latest_by_id, spool_records
from tests.crawl.newssite import (
    ARCHIVE_ARTICLE,
    BOILERPLATE,
    EDIT_SENTENCE,
    MIRROR_PREFIX,
    article,
    expected_articles,
    news_routes,
    sources_toml,
)

pytestmark = pytest.mark.crawl


@dataclass
class Crawl:
    site: LoopbackSite
    sources: Path
    report: CrawlReport
    data_dir: Path


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    """One crawl of the whole outlet, shared by the tests that only read its results."""
    folder = tmp_path_factory.mktemp("news")
    with isolated_data_dir(folder) as data_dir:
        site = LoopbackSite().start()
        site.routes.update(news_routes(site.base))
        path = folder / "sources.toml"
        path.write_text(sources_toml(site.base), encoding="utf-8")
        try:
            yield Crawl(site, path, run_crawl(Settings(), path), data_dir)
        finally:
            site.stop()


def _by_source(report):  # type: ignore[no-untyped-def]
    return {summary.source: summary for summary in report.sources}


def test_every_article_is_stored_once_with_clean_text_and_dates(crawled):
    site = crawled.site
    stored = latest_by_id(spool_records(crawled.data_dir))
    by_path = {record["canonical_url"].removeprefix(site.base): record for record in stored.values()}
    expected = expected_articles()
    assert sorted(by_path) == sorted(entry.path for entry in expected)
    for entry in expected:
        record = by_path[entry.path]
        assert record["title"] == entry.title
        assert datetime.fromisoformat(record["published_at"]) == datetime.fromisoformat(entry.expected), entry.id
        assert entry.paragraphs[0].split(",")[0] in record["text"]
        for phrase in BOILERPLATE:
            assert phrase not in record["text"], (entry.id, phrase)
        assert record["reliability"] == "mainstream"
        assert record["source_kind"] in ("rss", "sitemap", "listing")
    assert by_path[article("a1001").path]["source_province"] == "Lạng Sơn"


def test_disallowed_and_out_of_range_pages_are_never_fetched(crawled):
    site, report = crawled.site, crawled.report
    assert not site.requested(article("a1009").path)  # robots.txt: Disallow /noi-bo/
    assert not site.requested(article("a1012").path)  # listing page 3 > max_pages
    assert not site.requested("/thoi-su/trang-3.html")
    assert not site.requested(ARCHIVE_ARTICLE)  # sitemap older than max_age_days
    assert _by_source(report)["xanh-moi-truong"].robots == 1


def test_hostile_pages_are_counted_by_kind_not_crashed_on(crawled):
    report = crawled.report
    sources = _by_source(report)
    assert all(summary.status == "ok" for summary in report.sources)
    assert sources["xanh-dat-dai"].errors == {"redirect": 1}
    assert sources["xanh-sitemap"].errors == {"too_large": 1}  # the gzip bomb
    assert sources["xanh-thoi-su"].errors == {"not_html": 1, "too_large": 1}  # the PDF and the 5 MB page
    assert sources["xanh-ban-doc-loi"].errors == {"parse": 1}  # invalid XML feed


def test_429_is_retried_after_backoff_and_the_article_kept(crawled):
    path = article("a1008").path
    hits = crawled.site.requested(path)
    assert [hit.status for hit in hits] == [429, 200]
    assert hits[1].at - hits[0].at >= 0.9  # the site's Retry-After: 1 was honoured
    assert any(record["canonical_url"].endswith(path) for record in spool_records(crawled.data_dir))


def test_tracking_parameters_and_mirror_urls_do_not_duplicate_articles(crawled):
    site, report = crawled.site, crawled.report
    stored = latest_by_id(spool_records(crawled.data_dir))
    with_tracking = [record for record in stored.values() if "a1002" in record["canonical_url"]]
    assert len(with_tracking) == 1 and "utm_" not in with_tracking[0]["canonical_url"]
    original = next(record for record in stored.values() if record["canonical_url"] == site.base + article("a1001").path)
    assert original["alt_urls"] == [site.base + MIRROR_PREFIX + article("a1001").path]
    assert _by_source(report)["xanh-sitemap"].alt_urls == 1


@pytest.mark.usefixtures("allow_private")
def test_recrawls_fetch_only_what_is_new_or_changed(news_site, sources_file, data_dir):
    path = sources_file(sources_toml(news_site.base))
    run_crawl(Settings(), path)
    lines_after_first = len(spool_records(data_dir))

    news_site.clear_hits()
    again = run_crawl(Settings(), path)
    assert again.total("new") == 0 and again.total("changed") == 0 and again.total("unchanged") >= 4
    assert len(spool_records(data_dir)) == lines_after_first
    article_paths = {entry.path for entry in expected_articles()}
    assert [hit.path for hit in news_site.hits if hit.status == 200 and hit.path.split("?")[0] in article_paths] == []
    entry_points = [hit for hit in news_site.hits if hit.path in ("/rss/moi-truong.rss", "/atom/dat-dai.xml", "/sitemap.xml", "/thoi-su/")]
    assert len(entry_points) == 4 and all(hit.status == 304 for hit in entry_points)

    news_site.routes.update(news_routes(news_site.base, stage=2))
    news_site.clear_hits()
    later = run_crawl(Settings(), path)
    appended = spool_records(data_dir)[lines_after_first:]
    assert sorted(record["canonical_url"].rsplit("-", 1)[-1] for record in appended) == ["a1006.html", "a1013.html"]
    assert later.total("new") == 1 and later.total("changed") == 1
    edited = next(record for record in appended if record["canonical_url"].endswith("a1006.html"))
    assert EDIT_SENTENCE in edited["text"]
    downloaded = {hit.path for hit in news_site.hits if hit.status == 200 and hit.path.endswith(".html") and "trang-" not in hit.path}
    assert downloaded == {article("a1006").path, article("a1013").path}


MALFORMED_LINKS = ["http://[::1/tin.html", "http://[bad/tin.html"]


@pytest.mark.parametrize(
    ("kind", "path", "entry"),
    [
        ("rss", "/rss/hong.rss", "<item><title>t</title><link>{url}</link></item>"),
        ("sitemap", "/sitemap-hong.xml", "<url><loc>{url}</loc></url>"),
    ],
)
@pytest.mark.usefixtures("allow_private")
def test_a_malformed_link_in_a_feed_does_not_lose_the_entries_after_it(news_site, sources_file, data_dir, kind, path, entry):
    good = news_site.base + article("a1001").path
    entries = "".join(entry.format(url=url) for url in [*MALFORMED_LINKS, good])
    if kind == "rss":
        body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{entries}</channel></rss>'
    else:
        body = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    news_site.add(path, Page(body.encode(), content_type="application/xml"))
    text = sources_toml(news_site.base).split("\n[[source]]")[0]
    text += f'\n[[source]]\nname = "hong"\nkind = "{kind}"\nurl = "{news_site.base}{path}"\nmax_age_days = 36500\n'
    report = run_crawl(Settings(), sources_file(text))
    assert report.sources[0].new == 1
    assert [record["canonical_url"] for record in spool_records(data_dir)] == [good]


def test_pages_the_spider_failed_on_are_errors_in_the_summary():
    stats = {"envmon/start_ok": 1, "envmon/fetched": 3, "spider_exceptions/count": 2, "spider_exceptions/RecursionError": 2}
    summary = SourceSummary.from_stats("x", "rss", "https://x.vn/rss", stats, 1.0)
    assert summary.errors == {"spider_error": 2} and summary.error_count == 2
