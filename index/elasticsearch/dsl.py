"""Compile the shared query model (index/query.py) into Elasticsearch query DSL, and read answers.

Semantics follow SqliteBackend: a word matches a whole folded word of the title or the text;
a "phrase" matches consecutive words within one of them; AND/OR/NOT nest; a query made only
of exclusions means "everything except"; filters are exact (province accent-insensitive);
relevance ranks the title double, then newer first, then by id; without a positive text
match, relevance means newest first.
"""

from __future__ import annotations

import html
from typing import Any

from index.backend import FACET_FIELDS, FACET_SIZE
from index.query import And, Filters, Node, Not, Or, Phrase, Query, Term, is_exclusion
from index.records import sensitivity_rank
from index.text import fold

MATCH_FIELDS = ["search.title^2", "search.text"]  # as SQLite's bm25 weights (2.0, 1.0)
COMPOUND_SIZES = (2, 3)  # Vietnamese words are mostly two or three syllables
FACET_SHARD_SIZE = 1000  # per-shard candidates: exact counts for labels, sources and provinces
SNIPPET_CHARS = 200  # about the 32 tokens SQLite's snippet() shows
PLAIN_SNIPPET_CHARS = 240  # same fallback as SQLite when nothing is highlighted
MAX_ANALYZED_CHARS = 200_000  # highlight only the first 200k characters of a huge text
_MARK_OPEN, _MARK_CLOSE = "<mark>", "</mark>"

FACET_SOURCES = {
    "topic": "search.topic",
    "sensitivity": "search.sensitivity",
    "misinfo_level": "enrichment.misinfo_level",
    "province": "search.provinces",
    "project": "enrichment.projects",
    "source": "source",
    "source_kind": "source_kind",
}
assert set(FACET_SOURCES) == set(FACET_FIELDS)


def has_text_match(query: Query) -> bool:
    """True when the query has words a document must contain (not only exclusions)."""
    tree = query.tree()
    return tree is not None and not is_exclusion(tree)


def compile_query(query: Query) -> dict[str, Any]:
    """The bool query for the text and the filters of a Query."""
    tree = query.tree()
    must: list[dict[str, Any]] = []
    must_not: list[dict[str, Any]] = []
    should: list[dict[str, Any]] = []
    if tree is not None:
        if is_exclusion(tree):
            children = [tree] if isinstance(tree, Not) else list(tree.children)  # type: ignore[union-attr]
            must_not.extend(text_query(child.child) for child in children)  # type: ignore[union-attr]
        else:
            must.append(text_query(tree))
            compounds = compound_words(tree)
            if compounds:
                should.append({"match": {"enrichment.tokens": {"query": " ".join(compounds)}}})
    bool_query: dict[str, Any] = {"filter": filter_clauses(query.filters)}
    if must:
        bool_query["must"] = must
    if must_not:
        bool_query["must_not"] = must_not
    if should:
        bool_query["should"] = should
    return {"bool": bool_query}


def text_query(node: Node) -> dict[str, Any]:
    """One node of the parsed query; words are already folded runs of letters and digits."""
    if isinstance(node, Term):
        return {"multi_match": {"query": node.word, "fields": MATCH_FIELDS, "type": "most_fields"}}
    if isinstance(node, Phrase):
        return {"multi_match": {"query": " ".join(node.words), "fields": MATCH_FIELDS, "type": "phrase"}}
    if isinstance(node, Or):
        return {"bool": {"should": [text_query(child) for child in node.children], "minimum_should_match": 1}}
    if isinstance(node, And):
        positive = [text_query(child) for child in node.children if not isinstance(child, Not)]
        negative = [text_query(child.child) for child in node.children if isinstance(child, Not)]
        clause: dict[str, Any] = {"must": positive}
        if negative:
            clause["must_not"] = negative
        return {"bool": clause}
    raise AssertionError("a bare NOT is handled by compile_query")  # parse_query forbids nested ones


def compound_words(node: Node) -> list[str]:
    """'o_nhiem'-style joins of adjacent query words, to rank segmented compounds higher."""
    runs: list[tuple[str, ...]] = []
    _collect_runs(node, runs)
    compounds: list[str] = []
    for run in runs:
        for size in COMPOUND_SIZES:
            compounds.extend("_".join(run[start : start + size]) for start in range(len(run) - size + 1))
    return list(dict.fromkeys(compounds))


def _collect_runs(node: Node, runs: list[tuple[str, ...]]) -> None:
    if isinstance(node, Phrase):
        runs.append(node.words)
    elif isinstance(node, Or):
        for child in node.children:
            _collect_runs(child, runs)
    elif isinstance(node, And):
        run: list[str] = []
        for child in node.children:
            if isinstance(child, Term):
                run.append(child.word)
                continue
            if len(run) > 1:
                runs.append(tuple(run))
            run = []
            if not isinstance(child, Not):
                _collect_runs(child, runs)
        if len(run) > 1:
            runs.append(tuple(run))


def filter_clauses(filters: Filters) -> list[dict[str, Any]]:
    """Exact filters, in the same order and meaning as SqliteBackend._filters."""
    clauses: list[dict[str, Any]] = []
    if filters.topic:
        clauses.append({"terms": {"search.topic": filters.topic}})
    if filters.min_sensitivity:
        clauses.append({"range": {"search.sensitivity_rank": {"gte": sensitivity_rank(filters.min_sensitivity)}}})
    if filters.min_misinfo is not None:
        clauses.append({"range": {"enrichment.misinfo_risk": {"gte": filters.min_misinfo}}})
    if filters.misinfo_level:
        clauses.append({"terms": {"enrichment.misinfo_level": filters.misinfo_level}})
    if filters.province:
        clauses.append({"terms": {"search.provinces.folded": [fold(value) for value in filters.province]}})
    if filters.project:
        clauses.append({"terms": {"enrichment.projects": filters.project}})
    if filters.source:
        clauses.append({"terms": {"source": filters.source}})
    if filters.source_kind:
        clauses.append({"terms": {"source_kind": filters.source_kind}})
    if filters.date_from or filters.date_to:
        days: dict[str, str] = {"format": "yyyy-MM-dd"}
        if filters.date_from:
            days["gte"] = filters.date_from.isoformat()
        if filters.date_to:
            days["lte"] = filters.date_to.isoformat()
        clauses.append({"range": {"search.day": days}})
    if filters.issue_id:
        clauses.append({"term": {"enrichment.issue_id": filters.issue_id}})
    if filters.dup_cluster:
        clauses.append({"term": {"enrichment.dup_cluster": filters.dup_cluster}})
    if filters.reviewed is not None:
        clauses.append({"term": {"search.reviewed": filters.reviewed}})
    return clauses


def sort_clause(query: Query, has_match: bool) -> list[Any]:
    """Sort keys ending in the unique id, so pages are stable and search_after can resume."""
    newest = [{"search.sort_at": {"order": "desc"}}, {"id": {"order": "asc"}}]
    if query.sort == "date" or (query.sort == "relevance" and not has_match):
        return newest
    if query.sort == "sensitivity":
        return [
            {"search.sensitivity_rank": {"order": "desc"}},
            {"enrichment.sensitivity_score": {"order": "desc", "missing": "_last"}},
            *newest,
        ]
    return [{"_score": {"order": "desc"}}, *newest]


def facet_aggregations() -> dict[str, Any]:
    """Terms per facet (top FACET_SIZE, count then key order like SQLite) and the local-day histogram."""
    aggregations: dict[str, Any] = {
        name: {
            "terms": {
                "field": field,
                "size": FACET_SIZE,
                "shard_size": FACET_SHARD_SIZE,
                "order": [{"_count": "desc"}, {"_key": "asc"}],
            }
        }
        for name, field in FACET_SOURCES.items()
    }
    # search.day already holds the local (settings.tz) day, so day buckets are local days.
    aggregations["date"] = {
        "date_histogram": {"field": "search.day", "calendar_interval": "day", "min_doc_count": 1, "format": "yyyy-MM-dd"}
    }
    return aggregations


def read_facets(aggregations: dict[str, Any] | None) -> dict[str, dict[str, int]]:
    """{facet: {key: count}} in the aggregation's order; empty facets when nothing matched."""
    aggregations = aggregations or {}
    facets: dict[str, dict[str, int]] = {}
    for name in (*FACET_FIELDS, "date"):
        buckets = aggregations.get(name, {}).get("buckets", [])
        key = "key_as_string" if name == "date" else "key"
        facets[name] = {str(bucket[key]): int(bucket["doc_count"]) for bucket in buckets}
    return facets


def highlight_request(query: Query) -> dict[str, Any] | None:
    """Highlight the original text's words that the positive part of the query matched."""
    tree = query.tree()
    if tree is None or is_exclusion(tree):
        return None
    # The query runs on search.text (folded words); require_field_match=false lets the
    # highlighter mark those terms in `text`, re-analysed with the same folding.
    return {
        "encoder": "html",
        "pre_tags": [_MARK_OPEN],
        "post_tags": [_MARK_CLOSE],
        "require_field_match": False,
        "max_analyzed_offset": MAX_ANALYZED_CHARS,
        "fields": {
            "text": {
                "type": "unified",
                "number_of_fragments": 1,
                "fragment_size": SNIPPET_CHARS,
                "no_match_size": 0,
                "highlight_query": text_query(tree),
            }
        },
    }


def snippet_html(fragments: list[str] | None, text: str) -> str:
    """The highlighted fragment (already HTML-escaped by the encoder), or the escaped start of the text."""
    if not fragments:
        plain = " ".join(text.split())
        cut = plain[:PLAIN_SNIPPET_CHARS] + ("…" if len(plain) > PLAIN_SNIPPET_CHARS else "")
        return html.escape(cut, quote=True)
    fragment = " ".join(fragments[0].split())
    shown = html.unescape(fragment.replace(_MARK_OPEN, "").replace(_MARK_CLOSE, ""))
    whole = " ".join(text.split())
    start = whole.find(shown)
    if start > 0:
        fragment = "…" + fragment
    if start >= 0 and start + len(shown) < len(whole):
        fragment += "…"
    return fragment
