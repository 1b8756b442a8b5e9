"""Sitemap index → sitemaps → article pages, skipping entries whose lastmod has not moved."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from crawlers.feeds import parse_sitemap
from crawlers.outcomes import UNCHANGED, count
from crawlers.spiders.base import SourceSpider
from crawlers.urls import absolute_http_url, canonicalise_url
from index.records import SourceKind

MAX_SITEMAP_DEPTH = 2  # index → index → urlset is the deepest real sites go


class SitemapSpider(SourceSpider):
    """Read a sitemap index or a (news) sitemap and fetch new or changed articles."""

    name = "sitemap"
    source_kind = SourceKind.SITEMAP

    def parse_start(self, response: Response) -> Iterator[Any]:
        """Child sitemaps of an index, or requests for new and changed pages of a urlset."""
        read = self.read_xml(response, parse_sitemap)
        if read is None:
            return
        key, body_hash, sitemap = read
        depth = response.meta.get("sitemap_depth", 0)
        for entry in sitemap.entries:
            url = absolute_http_url(response.url, entry.url)
            if url is None:
                continue
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
