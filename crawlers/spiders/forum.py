"""Forum threads (XenForo/vBulletin-style): one item per post, authors pseudonymised at once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from scrapy.http import Response, TextResponse

from crawlers.extraction import ExtractionError, parse_html
from crawlers.forum import ForumPage, ForumPost, read_forum_page
from crawlers.items import CrawledItem
from crawlers.outcomes import count
from crawlers.spiders.base import SourceSpider, is_html
from crawlers.spiders.links import select_links, within
from crawlers.urls import canonicalise_url
from index.ids import item_id_for_post, item_id_for_url
from index.privacy import pseudonymise_author
from index.records import RawItem, SourceKind


class ForumSpider(SourceSpider):
    """Walk a thread's pages (or a board's threads). Every page is revisited because replies
    land on the last one; a 304 page is passed through and its remembered next link followed."""

    name = "forum"
    source_kind = SourceKind.FORUM

    @property
    def platform(self) -> str:
        """The platform name used for post ids and pseudonyms: forum:<host>."""
        return f"forum:{self.source.host}"

    def page_request(self, url: str, callback: Any = None, **kwargs: Any) -> Any:  # type: ignore[override]
        """Forum pages pass 304s through: a remembered next link must still be followed."""
        return super().page_request(url, callback or self.parse_start, pass_not_modified=True, **kwargs)

    def parse_start(self, response: Response) -> Iterator[Any]:
        """Posts of a thread page (or threads of a board page), then the next page."""
        key, body_hash, unchanged = self.note_page(response)
        page_no = response.meta.get("page_no", 1)
        thread_url = response.meta.get("thread_url")
        if response.status == 304:
            memo = self.state.url_memo(key)
            if memo is not None and memo.next_url and page_no < self.source.max_pages:
                yield self._next(memo.next_url, page_no, thread_url or key, response.meta.get("board"))
            return
        if not is_html(response) or not isinstance(response, TextResponse):
            count(self.crawler.stats, "not_html")
            return
        try:
            page = read_forum_page(parse_html(response.text), response.url, self._pseudonymise)
        except ExtractionError:
            count(self.crawler.stats, "parse")
            return
        if page.thread_urls and not page.posts:
            yield from self._board(response, page)
        elif page.posts:
            thread_key = thread_url or canonicalise_url(response.url)
            if not unchanged:
                yield from self._posts(page, page_no, thread_key)
            if page.next_url and page_no < self.source.max_pages and within(page.next_url, self.source.domains):
                yield self._next(page.next_url, page_no, thread_key, None)
        else:
            count(self.crawler.stats, "parse")
        yield self.page_visit(response, key, body_hash, next_url=page.next_url)

    def _board(self, response: TextResponse, page: ForumPage) -> Iterator[Any]:
        links = select_links(response, self.source.follow) if self.source.follow else page.thread_urls
        for url in links:
            if within(url, self.source.domains):
                yield self.page_request(url, thread_url=canonicalise_url(url))
        page_no = response.meta.get("page_no", 1)
        if page.next_url and page_no < self.source.max_pages:
            yield self._next(page.next_url, page_no, None, True)

    def _next(self, url: str, page_no: int, thread_url: str | None, board: bool | None) -> Any:
        return self.page_request(url, page_no=page_no + 1, thread_url=thread_url, board=board)

    def _posts(self, page: ForumPage, page_no: int, thread_key: str) -> Iterator[CrawledItem]:
        thread_id = item_id_for_url(thread_key)
        for index, post in enumerate(page.posts):
            opening = page_no == 1 and index == 0
            yield CrawledItem(record=self._record(post, page.title, thread_key, thread_id, opening))

    def _record(self, post: ForumPost, title: str | None, thread_key: str, thread_id: str, opening: bool) -> RawItem:
        url = thread_key if opening else (post.permalink or thread_key)
        return RawItem(
            id=thread_id if opening else item_id_for_post(self.platform, post.post_id),
            url=url,
            canonical_url=canonicalise_url(url),
            source=self.source.name,
            source_kind=self.source_kind,
            reliability=self.source.effective_reliability,
            source_province=self.source.province,
            fetched_at=datetime.now(self.envmon.tz),
            published_at=self.to_datetime(post.published),
            title=title,
            text=post.text,
            author_pseudonym=post.author_pseudonym,
            parent_id=None if opening else thread_id,
        )

    def _pseudonymise(self, handle: str | None) -> str | None:
        return pseudonymise_author(handle, self.envmon.pseudonym_key, self.platform)
