"""A source that hangs or cannot be reached is reported clearly while the others are crawled."""

from __future__ import annotations

import time

import pytest

from crawlers.loopback import LoopbackSite, Page
from crawlers.runner import run_crawl
from index.settings import Settings
from tests.crawl.newssite import sources_toml

pytestmark = [pytest.mark.crawl, pytest.mark.usefixtures("allow_private")]
SOURCE_TIMEOUT_S = 3


@pytest.fixture
def hanging_site():  # type: ignore[no-untyped-def]
    """Accepts connections, then never answers (until the test ends)."""
    site = LoopbackSite().start()
    site.routes.update({path: Page(b"<rss/>", hang_s=120) for path in ("/robots.txt", "/rss.xml")})
    yield site
    site.stop()


def test_hanging_and_unreachable_sources_do_not_stall_the_others(news_site, hanging_site, sources_file):
    text = sources_toml(news_site.base, source_timeout_s=SOURCE_TIMEOUT_S)
    text += (
        f'\n[[source]]\nname = "treo"\nkind = "rss"\nurl = "{hanging_site.base}/rss.xml"\n'
        '\n[[source]]\nname = "cong-dong"\nkind = "rss"\nurl = "http://127.0.0.1:9/rss.xml"\n'
        '\n[[source]]\nname = "khong-ton-tai"\nkind = "rss"\nurl = "http://khong-ton-tai.invalid/rss.xml"\n'
    )
    started = time.monotonic()
    report = run_crawl(Settings(), sources_file(text))
    elapsed = time.monotonic() - started
    by_name = {summary.source: summary for summary in report.sources}
    assert by_name["treo"].status == "timeout" and by_name["treo"].errors.get("timeout")
    assert by_name["treo"].message.startswith("stopped at the source time limit")  # closed itself, not killed
    assert by_name["cong-dong"].status == "failed" and by_name["cong-dong"].message.startswith("refused:")
    assert by_name["khong-ton-tai"].status == "failed" and by_name["khong-ton-tai"].message.startswith("dns:")
    assert by_name["xanh-moi-truong"].status == "ok" and by_name["xanh-moi-truong"].new == 2
    assert len(report.crawled) == 5
    assert elapsed < 4 * SOURCE_TIMEOUT_S + 10
