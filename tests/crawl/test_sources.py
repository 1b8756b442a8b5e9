"""sources.toml: the default outlets load; a malformed file ends in one sentence naming table and field."""

from __future__ import annotations

import pytest

from crawlers.runner import check_politeness
from crawlers.sources import CrawlOptions, load_sources
from index.errors import ConfigError
from index.settings import Settings


def test_default_sources_cover_national_ministry_and_provincial_press():
    sources = load_sources()
    hosts = {source.host for source in sources.source}
    assert {"vnexpress.net", "tuoitre.vn", "thanhnien.vn", "dantri.com.vn", "vietnamnet.vn", "baolangson.vn"} <= hosts
    assert any("moitruong" in host for host in hosts)
    assert any(source.url == "https://vnexpress.net/rss/thoi-su.rss" for source in sources.source)
    assert {source.kind for source in sources.source} <= {"rss", "sitemap"}
    langson = next(source for source in sources.source if source.host == "baolangson.vn")
    assert langson.province == "Lạng Sơn" and langson.reliability == "local"


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        ('[[source]]\nname = "a"\nkind = "rss"\nurl = "https://a.vn/rss"\n\n[[source]]\nname = "b"\nkind = "telegram"\nurl = "https://b.vn"\n',
         ["source table #2", "'b'", "'kind'"]),
        ('[[source]]\nname = "a"\nkind = "rss"\n', ["source table #1", "'a'", "'url'", "lacks"]),
        ('[[source]]\nname = "a"\nkind = "rss"\nurl = "https://a.vn/rss"\nfolow = ".x a"\n', ["#1", "'folow'", "unknown field"]),
        ('[[source]]\nname = "a"\nkind = "rss"\nurl = "ftp://a.vn/rss"\n', ["#1", "'url'", "http"]),
        ('[[source]]\nname = "a"\nkind = "listing"\nurl = "https://a.vn/"\nmax_pages = 0\n', ["#1", "'max_pages'"]),
        ('[crawl]\nresolve = { "a.vn" = "not-an-ip" }\n[[source]]\nname = "a"\nkind = "rss"\nurl = "https://a.vn/rss"\n', ["crawl table", "'resolve", "not an IP"]),
        ('[[source]]\nname = "a"\nkind = "rss"\nurl = "https://a.vn/rss"\n[[source]]\nname = "a"\nkind = "rss"\nurl = "https://a.vn/2"\n', ["duplicate source name 'a'"]),
        ('[[source]]\nname = "a"\nkind = "listing"\nurl = "https://a.vn/"\nfollow = [".list a", "a[["]\n', ["#1", "'follow'", "'a[['", "selector"]),
        ('[[source]]\nname = "a"\nkind = "listing"\nurl = "https://a.vn/"\nnext_page = "//a[@rel="\n', ["#1", "'next_page'", "selector"]),
        ('[[source]\nname = "a"\n', ["not valid TOML"]),
        ("", ["no source tables"]),
    ],
)
def test_malformed_sources_file_ends_in_one_sentence(tmp_path, body, fragments):
    path = tmp_path / "sources.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_sources(path)
    message = str(caught.value)
    assert "\n" not in message and message.count(". ") == 0 and message.endswith(".")
    for fragment in fragments:
        assert fragment in message


def test_missing_sources_file_says_which(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_sources(tmp_path / "nope.toml")


def test_impolite_delay_is_refused_for_public_sites(data_dir):
    with pytest.raises(ConfigError, match="polite minimum"):
        check_politeness(CrawlOptions(download_delay=0), Settings())
    check_politeness(CrawlOptions(download_delay=0), Settings(allow_private_networks=True))
