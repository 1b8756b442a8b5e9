"""Incremental crawl state in data_dir/state.sqlite: what was fetched, under which validators,
and which text already lives under which id.

Namespaces in the shared StateStore:
  seen  "crawl"       item id → content hash of the version in the spool
  memo  "crawl-url"   canonical URL → UrlMemo (ETag, Last-Modified, feed lastmod, body hash, …)
  memo  "crawl-text"  content hash → TextOwner (the id that holds this text and its other URLs)
Only the spool writer pipeline writes, after the spool append succeeded.
"""

from __future__ import annotations

import weakref
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.records import RawItem
from index.state import StateStore

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

SEEN_NAMESPACE = "crawl"
URL_NAMESPACE = "crawl-url"
TEXT_NAMESPACE = "crawl-text"
_by_crawler: weakref.WeakKeyDictionary[Any, CrawlState] = weakref.WeakKeyDictionary()


@dataclass
class UrlMemo:
    """What we know about one URL from the last crawl that fetched it."""

    item_id: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    lastmod: str | None = None
    body_hash: str | None = None
    next_url: str | None = None

    @property
    def has_validators(self) -> bool:
        """True when a conditional GET is possible."""
        return bool(self.etag or self.last_modified)


@dataclass
class TextOwner:
    """The item that holds a given text (its record, text left out), and the other URLs the
    same text was found under."""

    record: dict[str, Any]
    alt_urls: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, record: RawItem) -> TextOwner:
        """The owner record of a text: the item itself, its text left out."""
        return cls(record.model_dump(mode="json", exclude={"text", "alt_urls"}), list(record.alt_urls))

    @property
    def item_id(self) -> str:
        return str(self.record["id"])

    @property
    def url(self) -> str | None:
        return self.record.get("url")

    def knows(self, canonical_url: str | None) -> bool:
        """True when this URL is the owner's or one of its alternates."""
        return canonical_url is None or canonical_url == self.record.get("canonical_url") or canonical_url in self.alt_urls

    def with_alternate(self, found: RawItem) -> RawItem:
        """The original record again, carrying the text just found and one more URL."""
        self.alt_urls = [*self.alt_urls, found.canonical_url or found.url or ""]
        return RawItem.model_validate({**self.record, "text": found.text, "alt_urls": self.alt_urls, "fetched_at": found.fetched_at})


class CrawlState:
    """Domain view of the StateStore for one crawl process."""

    def __init__(self, store: StateStore) -> None:
        self.store = store

    @classmethod
    def for_crawler(cls, crawler: Crawler) -> CrawlState:
        """One shared instance per crawler (spider, middlewares and pipelines read the same state)."""
        state = _by_crawler.get(crawler)
        if state is None:
            state = cls(StateStore(Path(crawler.settings["ENVMON_STATE_PATH"])))
            _by_crawler[crawler] = state
        return state

    def close(self) -> None:
        """Close the state database connection."""
        self.store.close()

    # ---- reading ----------------------------------------------------------------------
    def url_memo(self, url_key: str) -> UrlMemo | None:
        """What the last crawl remembered about a canonical URL."""
        value = self.store.get_memo(URL_NAMESPACE, url_key)
        return UrlMemo(**{k: v for k, v in value.items() if k in UrlMemo.__dataclass_fields__}) if isinstance(value, dict) else None

    def stored_hash(self, item_id: str) -> str | None:
        """Content hash of the version of an item already in the spool."""
        return self.store.seen_hashes(SEEN_NAMESPACE, [item_id]).get(item_id)

    def text_owner(self, content_hash: str) -> TextOwner | None:
        """The item already holding this text, if any."""
        value = self.store.get_memo(TEXT_NAMESPACE, content_hash)
        return TextOwner(**value) if isinstance(value, dict) else None

    # ---- writing (spool writer only) --------------------------------------------------
    def remember_url(self, url_key: str, memo: UrlMemo) -> None:
        """Merge memo into what is stored for url_key (fields left None keep their value)."""
        stored = self.url_memo(url_key) or UrlMemo()
        merged = {name: value if value is not None else getattr(stored, name) for name, value in asdict(memo).items()}
        self.store.put_memo(URL_NAMESPACE, url_key, merged)

    def remember_items(self, items: list[tuple[str, str]]) -> None:
        """Mark (item id, content hash) pairs as stored in the spool."""
        self.store.mark_seen(SEEN_NAMESPACE, items)

    def remember_text(self, content_hash: str, owner: TextOwner) -> None:
        """Record which item holds a text (and its alternate URLs)."""
        self.store.put_memo(TEXT_NAMESPACE, content_hash, asdict(owner))
