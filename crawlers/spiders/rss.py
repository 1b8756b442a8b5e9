"""RSS 2.0 / Atom feeds → article pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from crawlers.feeds import parse_feed
from crawlers.spiders.base import SourceSpider
from crawlers.urls import absolute_http_url
from index.records import SourceKind


class RssSpider(SourceSpider):
    """Read one feed and fetch the articles it announces that are new or changed."""

    name = "rss"
    source_kind = SourceKind.RSS

    def parse_start(self, response: Response) -> Iterator[Any]:
        """Requests for the new or changed articles a feed announces."""
        read = self.read_xml(response, parse_feed)
        if read is None:
            return
        key, body_hash, entries = read
        for entry in entries:
            if self.is_too_old(entry.lastmod):
                continue
            url = absolute_http_url(response.url, entry.url)
            if url is None:
                continue
            request = self.article_request(url, lastmod=entry.lastmod, title=entry.title, published=entry.published)
            if request is not None:
                yield request
        yield self.page_visit(response, key, body_hash, commit_at_close=True)
