"""Index names, the index template (strict mapping, Vietnamese analysis) and the stored body.

Layout: one index per month of the documents' ``sort_at`` (local time), named
``<prefix>-docs-YYYY.MM``, all behind the read alias ``<prefix>-docs`` (the template adds
it to every new month). Dropping a whole month is how retention deletes without
delete-by-query. Small records live in ``<prefix>-records``.

The stored ``_source`` is the Document's own JSON (so ``get`` returns exactly what was
upserted; ``dynamic: false`` leaves unmapped parts stored but unindexed) plus a ``search``
block of derived fields. Matching uses ``search.title``/``search.text``: the folded text
split on every non-letter/digit exactly like the query parser and SQLite's unicode61, then
analysed by whitespace + lowercase + asciifolding. Splitting in Python matters because the
standard tokenizer keeps "TP.HCM" and "H.Hữu" as single tokens, so "hcm" or "huu lung"
would miss them. Those two fields are left out of the stored ``_source`` (no second copy);
highlighting re-analyses the original ``text`` with the standard tokenizer instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from index.records import Document, sensitivity_rank
from index.text import fold

MAPPING_VERSION = 1  # bump when the template changes; new months pick it up, old ones keep theirs
MONTH_FORMAT = "%Y.%m"
KEYWORD_LIMIT = 1024  # longer keyword values are left unindexed: Lucene refuses terms over 32766 bytes
_NOT_WORD = re.compile(r"[\W_]+")
_MONTH_SUFFIX = re.compile(r"^(\d{4})\.(\d{2})$")

FOLDED_ANALYZER = "envmon_folded"  # whitespace tokens, lowercased, accents and đ folded
HIGHLIGHT_ANALYZER = "envmon_highlight"  # the same folding over the original text's words
FOLDED_NORMALIZER = "envmon_folded_keyword"


@dataclass(frozen=True)
class IndexNames:
    """Every index, alias and template name derived from one prefix."""

    prefix: str

    @property
    def docs_alias(self) -> str:
        return f"{self.prefix}-docs"

    @property
    def docs_pattern(self) -> str:
        return f"{self.prefix}-docs-*"

    @property
    def template(self) -> str:
        return f"{self.prefix}-docs"

    @property
    def records(self) -> str:
        return f"{self.prefix}-records"

    def month_index(self, month: str) -> str:
        return f"{self.prefix}-docs-{month}"

    def month_of(self, index: str) -> str | None:
        """'2026.11' for '<prefix>-docs-2026.11'; None for any other name."""
        head = f"{self.prefix}-docs-"
        if not index.startswith(head):
            return None
        suffix = index[len(head) :]
        return suffix if _MONTH_SUFFIX.match(suffix) else None


def month_key(when: datetime, tz: tzinfo) -> str:
    return when.astimezone(tz).strftime(MONTH_FORMAT)


def month_bounds(month: str, tz: tzinfo) -> tuple[datetime, datetime]:
    """[start, end) of a 'YYYY.MM' month in local time."""
    match = _MONTH_SUFFIX.match(month)
    if match is None:
        raise ValueError(f"not a month key: {month!r}")
    year, number = int(match.group(1)), int(match.group(2))
    start = datetime(year, number, 1, tzinfo=tz)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following


def search_words(text: str) -> str:
    """Folded words separated by single spaces: what the query parser produces from input."""
    return _NOT_WORD.sub(" ", fold(text)).strip()


def document_source(document: Document, tz: tzinfo) -> dict[str, Any]:
    """The stored body: the Document's JSON plus the derived ``search`` block."""
    body = document.model_dump(mode="json")
    sort_at = document.sort_at
    sensitivity = document.effective("sensitivity")
    body["search"] = {
        "title": search_words(document.title or ""),
        "text": search_words(document.text),
        "topic": document.effective("topic"),
        "sensitivity": sensitivity,
        "sensitivity_rank": sensitivity_rank(sensitivity),
        "provinces": document.provinces,
        "sort_at": sort_at.isoformat(),
        "day": sort_at.astimezone(tz).date().isoformat(),
        "reviewed": document.review.reviewed,
    }
    return body


def _keyword(**extra: Any) -> dict[str, Any]:
    return {"type": "keyword", "ignore_above": KEYWORD_LIMIT, **extra}


ANALYSIS: dict[str, Any] = {
    "analyzer": {
        FOLDED_ANALYZER: {"type": "custom", "tokenizer": "whitespace", "filter": ["lowercase", "asciifolding"]},
        HIGHLIGHT_ANALYZER: {"type": "custom", "tokenizer": "standard", "filter": ["lowercase", "asciifolding"]},
    },
    "normalizer": {FOLDED_NORMALIZER: {"type": "custom", "filter": ["lowercase", "asciifolding"]}},
}

DOCS_MAPPING: dict[str, Any] = {
    "dynamic": False,
    "_meta": {"envmon_mapping_version": MAPPING_VERSION},
    "_source": {"excludes": ["search.title", "search.text"]},
    "properties": {
        "id": _keyword(),
        "source": _keyword(),
        "source_kind": _keyword(),
        "reliability": _keyword(),
        "source_province": _keyword(normalizer=FOLDED_NORMALIZER),
        "lang": _keyword(),
        "parent_id": _keyword(),
        "content_hash": _keyword(),
        "published_at": {"type": "date"},
        "fetched_at": {"type": "date"},
        # Highlighting only: not indexed, re-analysed from _source for the returned hits.
        "title": {"type": "text", "index": False, "analyzer": HIGHLIGHT_ANALYZER},
        "text": {"type": "text", "index": False, "analyzer": HIGHLIGHT_ANALYZER},
        "enrichment": {
            "properties": {
                # Segmented words keep their syllables joined ("ô_nhiễm" → "o_nhiem"): searching
                # "o nhiem" ranks documents that use it as one word higher (see dsl.compound_boost).
                "tokens": {"type": "text", "analyzer": FOLDED_ANALYZER, "norms": False},
                "topic": _keyword(),
                "sensitivity": _keyword(),
                "sensitivity_score": {"type": "float"},
                "misinfo_risk": {"type": "float"},
                "misinfo_level": _keyword(),
                "projects": _keyword(),
                "organisations": _keyword(),
                "dup_cluster": _keyword(),
                "issue_id": _keyword(),
                "model_version": _keyword(),
                "enriched_at": {"type": "date"},
            }
        },
        "review": {
            "properties": {
                "reviewed": {"type": "boolean"},
                "reviewed_at": {"type": "date"},
                "topic": _keyword(),
                "sensitivity": _keyword(),
                "misinfo": {"type": "boolean"},
            }
        },
        "search": {
            "properties": {
                "title": {"type": "text", "analyzer": FOLDED_ANALYZER},
                "text": {"type": "text", "analyzer": FOLDED_ANALYZER},
                "topic": _keyword(),
                "sensitivity": _keyword(),
                "sensitivity_rank": {"type": "byte"},
                "provinces": _keyword(fields={"folded": _keyword(normalizer=FOLDED_NORMALIZER)}),
                "sort_at": {"type": "date"},
                "day": {"type": "date", "format": "yyyy-MM-dd"},
                "reviewed": {"type": "boolean"},
            }
        },
    },
}

RECORDS_MAPPING: dict[str, Any] = {
    "dynamic": False,
    "properties": {
        "kind": _keyword(),
        "record_id": _keyword(),
        "updated_at": {"type": "date"},
        "data": {"type": "object", "enabled": False},
    },
}

# One shard per month keeps facet counts exact and is plenty for ~1M documents a month;
# replicas 0 suits the single local node (set it per cluster: docs/elasticsearch.md).
INDEX_SETTINGS: dict[str, Any] = {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "1s"}


def docs_template(names: IndexNames) -> dict[str, Any]:
    """Arguments for indices.put_index_template: every month gets the mapping and the read alias."""
    return {
        "name": names.template,
        "index_patterns": [names.docs_pattern],
        "priority": 100,
        "template": {
            "settings": {**INDEX_SETTINGS, "analysis": ANALYSIS},
            "mappings": DOCS_MAPPING,
            "aliases": {names.docs_alias: {}},
        },
        "meta": {"managed_by": "envmon", "envmon_mapping_version": MAPPING_VERSION},
    }
