"""A source that hangs or cannot be reached is reported clearly while the others are crawled."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

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


def _children(pid: int) -> list[int]:
    """Child processes of pid, whichever of its threads started them."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found += [int(child) for child in task.read_text().split()]
    return found


def _start_crawl(hanging_site, sources_file) -> tuple[subprocess.Popen[bytes], list[int]]:  # type: ignore[no-untyped-def]
    """`envmon crawl` of the hanging source, in a session of its own like a terminal job; and its crawler processes."""
    path = sources_file(f'[crawl]\nsource_timeout_s = 120\n\n[[source]]\nname = "treo"\nkind = "rss"\nurl = "{hanging_site.base}/rss.xml"\n')
    command = [sys.executable, "-m", "envmon_cli.main", "crawl", "--sources", str(path)]
    crawl = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 30
    while not _children(crawl.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    return crawl, _children(crawl.pid)


def _gone_within(pids: list[int], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not [pid for pid in pids if Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid)]:
            return True
        time.sleep(0.2)
    return False


def _clean_up(crawl: subprocess.Popen[bytes], crawlers: list[int]) -> None:
    crawl.kill()
    crawl.wait()
    for pid in crawlers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def test_ctrl_c_stops_the_crawl_and_its_crawler_processes_at_once(hanging_site, sources_file):
    crawl, crawlers = _start_crawl(hanging_site, sources_file)
    try:
        assert crawlers, "the crawler process never started"
        os.killpg(crawl.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        crawl.wait(timeout=15)
        assert crawl.returncode != 0
        assert _gone_within(crawlers, 5)
    finally:
        _clean_up(crawl, crawlers)


def test_a_crawler_whose_run_was_killed_stops_instead_of_crawling_on(hanging_site, sources_file):
    crawl, crawlers = _start_crawl(hanging_site, sources_file)
    try:
        assert crawlers, "the crawler process never started"
        crawl.kill()  # a flow run cancelled or timed out: no chance to clean up
        crawl.wait()
        assert _gone_within(crawlers, 20)
    finally:
        _clean_up(crawl, crawlers)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split("\n")[0]
    except (OSError, IndexError):
        return "zombie"


def test_articles_left_at_the_time_limit_are_fetched_by_the_next_run(sources_file, data_dir):
    site = LoopbackSite().start()
    body = "Người dân xã Tân Thành phản ánh nước thải từ nhà máy chảy ra sông, cá chết hàng loạt. " * 4
    urls = []
    for number in range(40):
        html = f"<html><head><title>Bài {number}</title></head><body><article><h1>Bài {number}</h1><p>{body} Số {number}.</p></article></body></html>"
        site.add(f"/bai-{number}.html", Page(html.encode(), hang_s=0.5))  # a slow site: 40 pages do not fit in 2 s
        urls.append(f"<url><loc>{site.base}/bai-{number}.html</loc></url>")
    sitemap = '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + "".join(urls) + "</urlset>"
    site.add("/sitemap.xml", Page(sitemap.encode(), content_type="application/xml"))
    site.add("/robots.txt", Page(b"", content_type="text/plain"))

    def crawl(limit: float):  # type: ignore[no-untyped-def]
        text = sources_toml(site.base, source_timeout_s=limit).split("\n[[source]]")[0]
        return run_crawl(Settings(), sources_file(text + f'\n[[source]]\nname = "cham"\nkind = "sitemap"\nurl = "{site.base}/sitemap.xml"\n'))

    try:
        first = crawl(2)
        assert first.sources[0].status == "timeout" and first.total("new") < 40, first.sources
        second = crawl(60)
        assert first.total("new") + second.total("new") == 40
    finally:
        site.stop()
