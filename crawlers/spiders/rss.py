"""RSS 2.0 / Atom feeds → article pages."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

from scrapy.http import Response

from crawlers.feeds import FeedError, parse_feed, unpack
from crawlers.outcomes import count
from crawlers.spiders.base import SourceSpider
from index.records import SourceKind

log = logging.getLogger(__name__)


class RssSpider(SourceSpider):
    """Read one feed and fetch the articles it announces that are new or changed."""

    name = "rss"
    source_kind = SourceKind.RSS

    def parse_start(self, response: Response) -> Iterator[Any]:
        key, body_hash, unchanged = self.note_page(response)
        if unchanged:
            return
        try:
            entries = parse_feed(unpack(response.body, self.settings.getint("DOWNLOAD_MAXSIZE")))
        except FeedError as exc:
            count(self.crawler.stats, "parse")
            log.warning("%s: feed %s unreadable: %s", self.source.name, response.url, exc)
            return
        for entry in entries:
            if self.is_too_old(entry.lastmod):
                continue
            request = self.article_request(urljoin(response.url, entry.url), lastmod=entry.lastmod, title=entry.title, published=entry.published)
            if request is not None:
                yield request
        yield self.page_visit(response, key, body_hash, commit_at_close=True)
