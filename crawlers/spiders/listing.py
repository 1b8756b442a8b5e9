"""Section pages → article links (configured `follow` selectors), paginated up to max_pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response, TextResponse

from crawlers.outcomes import count
from crawlers.spiders.base import SourceSpider, is_html
from crawlers.spiders.links import DEFAULT_ARTICLE_LINKS, DEFAULT_NEXT_PAGE, select_links, within
from index.records import SourceKind


class ListingSpider(SourceSpider):
    """Walk a section's pages; new articles appear first, so an unchanged page ends the walk."""

    name = "listing"
    source_kind = SourceKind.LISTING

    def parse_start(self, response: Response) -> Iterator[Any]:
        """Article links of one section page, then the next page while max_pages allows."""
        key, body_hash, unchanged = self.note_page(response)
        if unchanged:
            return
        if not is_html(response) or not isinstance(response, TextResponse):
            count(self.crawler.stats, "not_html")
            return
        for url in select_links(response, self.source.follow or DEFAULT_ARTICLE_LINKS):
            if within(url, self.source.domains):
                request = self.article_request(url)
                if request is not None:
                    yield request
        page_no = response.meta.get("page_no", 1)
        next_pages = select_links(response, [self.source.next_page] if self.source.next_page else DEFAULT_NEXT_PAGE)
        next_url = next((url for url in next_pages if within(url, self.source.domains)), None)
        if next_url and page_no < self.source.max_pages:
            yield self.page_request(next_url, self.parse_start, page_no=page_no + 1)
        yield self.page_visit(response, key, body_hash, next_url=next_url, commit_at_close=True)
