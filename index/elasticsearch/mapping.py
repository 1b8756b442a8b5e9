"""Index names, the index template (strict mapping, Vietnamese analysis) and the stored body.

Layout: one index per month of the documents' ``sort_at`` (local time), named
``<prefix>-docs-YYYY.MM``, all behind the read alias ``<prefix>-docs`` (the template adds
it to every new month). Dropping a whole month is how retention deletes without
delete-by-query. Small records live in ``<prefix>-records``.

The stored ``_source`` is the Document's own JSON (so ``get`` returns exactly what was
upserted; ``dynamic: false`` leaves unmapped parts stored but unindexed) plus a ``search``
block of derived fields. Matching uses ``search.title``/``search.text``: the text
split on every non-letter/digit like the query parser and SQLite's unicode61, then analysed
by whitespace + lowercase + asciifolding. Splitting in Python matters because the
standard tokenizer keeps "TP.HCM" and "H.Hữu" as single tokens, so "hcm" or "huu lung"
would miss them. Those two fields are left out of the stored ``_source`` (no second copy);
highlighting re-analyses the original ``text`` with the standard tokenizer instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from pydantic_core import to_json

from index.records import Document, sensitivity_rank
from index.text import nfc

MAPPING_VERSION = 1  # bump when the template changes; new months pick it up, old ones keep theirs
MONTH_FORMAT = "%Y.%m"
KEYWORD_LIMIT = 1024  # longer keyword values are left unindexed: Lucene refuses terms over 32766 bytes
_NOT_WORD = re.compile(r"[\W_]+")
_ASCII_NOT_WORD = bytes(code for code in range(128) if not (chr(code).isalnum() or chr(code).isspace()))
_ASCII_SEPARATORS = bytes.maketrans(_ASCII_NOT_WORD, b" " * len(_ASCII_NOT_WORD))
# Frequent in Vietnamese text and none of them a letter; NBSP is not whitespace to Lucene.
_COMMON_SEPARATORS = ("\u00a0", "“", "”", "‘", "’", "…", "–", "—", "«", "»", "•", "·", "°")
# Anything but ASCII letters/digits/whitespace and the Latin letter blocks Vietnamese uses
# (× and ÷ excluded); matches are then split exactly by _NOT_WORD.
_UNCOMMON = re.compile(r"[^0-9A-Za-z \t\n\r\f\v\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]+")
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
    """The text with every character that is not a letter or digit turned into a space.

    Splits where the query parser and SQLite's unicode61 split (``[\\W_]+``); lowercasing
    and folding are left to the analyser (asciifolding folds đ too). A plain regex costs
    ~40 µs per KB of Vietnamese, most of a bulk request's client time, so ASCII separators go
    through bytes.translate, frequent Unicode punctuation through str.replace, and only what
    remains outside the Latin letter ranges through the exact regex. Runs of spaces are left:
    the whitespace tokenizer ignores them.
    """
    words = nfc(text).encode("utf-8", "surrogatepass").translate(_ASCII_SEPARATORS).decode("utf-8", "surrogatepass")
    for mark in _COMMON_SEPARATORS:
        if mark in words:
            words = words.replace(mark, " ")
    if _UNCOMMON.search(words):
        words = _UNCOMMON.sub(lambda match: _NOT_WORD.sub(" ", match.group(0)), words)
    return words


def search_fields(document: Document, tz: tzinfo) -> dict[str, Any]:
    """The derived ``search`` block: words to match, effective labels, local day."""
    sort_at = document.sort_at
    sensitivity = document.effective("sensitivity")
    return {
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


def document_body(document: Document, tz: tzinfo) -> bytes:
    """The stored body as JSON bytes: the Document's JSON with the ``search`` block appended.

    Serialised by pydantic-core and spliced, instead of building a dict for the client to
    encode: that halves the client-side cost of a bulk request.
    """
    return to_json(document)[:-1] + b',"search":' + to_json(search_fields(document, tz)) + b"}"


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

def index_settings(replicas: int) -> dict[str, Any]:
    """One shard per month keeps facet counts exact and is plenty for ~1M documents a month;
    replicas come from ENVMON_ES_REPLICAS (0 on a single node, where a replica never starts)."""
    return {"number_of_shards": 1, "number_of_replicas": replicas, "refresh_interval": "1s"}


def docs_template(names: IndexNames, replicas: int = 0) -> dict[str, Any]:
    """Arguments for indices.put_index_template: every month gets the mapping and the read alias."""
    return {
        "name": names.template,
        "index_patterns": [names.docs_pattern],
        "priority": 100,
        "template": {
            "settings": {**index_settings(replicas), "analysis": ANALYSIS},
            "mappings": DOCS_MAPPING,
            "aliases": {names.docs_alias: {}},
        },
        "meta": {"managed_by": "envmon", "envmon_mapping_version": MAPPING_VERSION},
    }
