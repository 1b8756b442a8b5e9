"""Distinct stories: near-duplicates (one `dup_cluster`) count once everywhere analysts count.

A story is represented by its earliest document (ties broken by id), whose labels, places and
time stand for the whole cluster; the other copies only add to `copies`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from index.records import Document, sensitivity_rank


@dataclass
class Story:
    document: Document
    ids: list[str] = field(default_factory=list)

    @property
    def copies(self) -> int:
        return len(self.ids)

    @property
    def cluster(self) -> str:
        return self.document.enrichment.dup_cluster or self.document.id


def cluster_of(document: Document) -> str:
    return document.enrichment.dup_cluster or document.id


def distinct_stories(documents: Iterable[Document]) -> list[Story]:
    """Group documents by near-duplicate cluster; stories come back oldest first."""
    stories: dict[str, Story] = {}
    for document in documents:
        key = cluster_of(document)
        story = stories.get(key)
        if story is None:
            stories[key] = Story(document, [document.id])
            continue
        story.ids.append(document.id)
        if (document.sort_at, document.id) < (story.document.sort_at, story.document.id):
            story.document = document
    return sorted(stories.values(), key=lambda story: (story.document.sort_at, story.document.id))


def prominence(document: Document) -> tuple[int, int, float]:
    """Sort key for "most important first": sensitivity, then engagement, then recency."""
    return (
        sensitivity_rank(document.effective("sensitivity")),
        document.engagement.total,
        document.sort_at.timestamp(),
    )


def headline(document: Document, max_chars: int = 120) -> str:
    """The title, or the start of the text cut at a word (social posts have no title)."""
    if document.title:
        return document.title
    text = " ".join(document.text.split())
    if len(text) <= max_chars:
        return text
    cut = text.rfind(" ", 0, max_chars)
    return text[: cut if cut > max_chars // 2 else max_chars].rstrip(" ,.;:") + "…"
