"""Sitemap index → sitemaps → article pages, skipping entries whose lastmod has not moved."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

from scrapy.http import Response

from crawlers.feeds import FeedError, parse_sitemap, unpack
from crawlers.outcomes import UNCHANGED, count
from crawlers.spiders.base import SourceSpider
from crawlers.urls import canonicalise_url
from index.records import SourceKind

log = logging.getLogger(__name__)
MAX_SITEMAP_DEPTH = 2  # index → index → urlset is the deepest real sites go


class SitemapSpider(SourceSpider):
    """Read a sitemap index or a (news) sitemap and fetch new or changed articles."""

    name = "sitemap"
    source_kind = SourceKind.SITEMAP

    def parse_start(self, response: Response) -> Iterator[Any]:
        key, body_hash, unchanged = self.note_page(response)
        if unchanged:
            return
        try:
            sitemap = parse_sitemap(unpack(response.body, self.settings.getint("DOWNLOAD_MAXSIZE")))
        except FeedError as exc:
            count(self.crawler.stats, "parse")
            log.warning("%s: sitemap %s unreadable: %s", self.source.name, response.url, exc)
            return
        depth = response.meta.get("sitemap_depth", 0)
        for entry in sitemap.entries:
            url = urljoin(response.url, entry.url)
            if sitemap.is_index:
                request = self._child_sitemap(url, entry.lastmod, depth)
            elif self.is_too_old(entry.published or entry.lastmod):
                continue
            else:
                request = self.article_request(url, lastmod=entry.lastmod or entry.published, title=entry.title, published=entry.published)
            if request is not None:
                yield request
        yield self.page_visit(response, key, body_hash, commit_at_close=True)

    def _child_sitemap(self, url: str, lastmod: str | None, depth: int) -> Any:
        if depth >= MAX_SITEMAP_DEPTH or self.is_too_old(lastmod):
            return None
        memo = self.state.url_memo(canonicalise_url(url))
        if lastmod and memo is not None and memo.lastmod and not self._is_newer(lastmod, memo.lastmod):
            count(self.crawler.stats, UNCHANGED)
            return None
        return self.page_request(url, self.parse_start, sitemap_depth=depth + 1, lastmod=lastmod)
