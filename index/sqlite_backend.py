"""The embedded backend: one SQLite file, FTS5 over accent-folded text, bm25 ranking.

The FTS5 table is external-content: it indexes fts_text(title), fts_text(text) while the base
table keeps the original words, so snippet() highlights the original (same token count; see
PITFALLS.md). Its 'delete' command must therefore receive those same values too.
fts_text gives the tokenizer the same tokens as fold() at a fraction of its cost (fold() was
most of the upsert time): for text in the scripts Vietnamese uses, unicode61
(remove_diacritics 2) lowercases and strips diacritics itself and only đ/Đ need folding;
any other text still goes through fold().
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from index.backend import (
    FACET_FIELDS,
    FACET_SIZE,
    BackendHealth,
    Hit,
    SearchResult,
    StoredRecord,
    UpsertReport,
)
from index.batches import batched
from index.errors import BackendUnavailable, InputError
from index.query import And, Node, Not, Or, Phrase, Query, Term, is_exclusion
from index.records import Document, Review, sensitivity_rank
from index.text import fold

BUSY_TIMEOUT_MS = 30_000
SNIPPET_TOKENS = 32  # about two lines of text around the best match
PLAIN_SNIPPET_CHARS = 240
UPSERT_BATCH = 500
# Relevance pages: fetch this many ranks past the page so every document tied on the page's
# last score is seen, then break ties (newest, then id) in Python; rarely falls back to SQL.
RANK_TIE_MARGIN = 50
# A matched set this small is sorted and faceted from its own (wide, ~15 µs each) rows; a bigger
# one by scanning the narrow indexes and probing the set (~0.2 µs per indexed document).
SMALL_SCOPE = 200
_MARK_OPEN, _MARK_CLOSE = "\x02", "\x03"  # cannot occur in stored text (stripped on ingest)
_FOLD_D = (("đ", "d"), ("Đ", "D"), ("ð", "d"), ("Ð", "D"))  # the letters unicode61 keeps
# Where unicode61 and fold() agree once đ is folded (checked code point by code point against
# SQLite in tests/test_sqlite_fts_text.py): ASCII, the Latin letter blocks minus ten rare
# letters (Ǡ ǡ Ǣ ǣ Ǯ ǯ Ǽ ǽ Ǿ ǿ), punctuation, symbols and emoji. Anything else takes fold().
_NEEDS_FOLD = re.compile(
    r"[^\x00-\x7f\u00a0-\u01df\u01e4-\u01ed\u01f0-\u01fb\u0200-\u024f\u1e00-\u1eff\u2000-\u206f"
    r"\u20a0-\u20cf\u2100-\u214f\u2190-\u21ff\u2500-\u27ff\U0001f300-\U0001f9ff]"
)


def fts_text(text: str) -> str:
    """What the FTS table indexes for a title or text: the tokens of fold(text), cheaply."""
    if _NEEDS_FOLD.search(text):
        return fold(text)
    for letter, plain in _FOLD_D:  # str.replace is ~10x faster than str.translate here
        if letter in text:
            text = text.replace(letter, plain)
    return text

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL DEFAULT '',
    doc TEXT NOT NULL,
    topic TEXT,
    sensitivity TEXT,
    sensitivity_rank INTEGER NOT NULL DEFAULT -1,
    sensitivity_score REAL,
    misinfo_risk REAL,
    misinfo_level TEXT,
    source TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    reliability TEXT,
    sort_ts REAL NOT NULL,
    day TEXT NOT NULL,
    issue_id TEXT,
    dup_cluster TEXT,
    reviewed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS documents_sort ON documents(sort_ts DESC, id);
DROP INDEX IF EXISTS documents_topic;
DROP INDEX IF EXISTS documents_sensitivity;
CREATE INDEX IF NOT EXISTS documents_by_sensitivity
    ON documents(sensitivity_rank DESC, sensitivity_score DESC, sort_ts DESC, id);
-- The narrow copy of every label a filter or facet reads: scanning it (and probing the
-- matched rowids) avoids reading the wide rows, one page each because of text and doc.
CREATE INDEX IF NOT EXISTS documents_labels ON documents(
    topic, sensitivity, misinfo_level, source_kind, source, day, sensitivity_rank, misinfo_risk, issue_id, reviewed
);
CREATE INDEX IF NOT EXISTS documents_misinfo ON documents(misinfo_risk);
CREATE INDEX IF NOT EXISTS documents_source ON documents(source);
CREATE INDEX IF NOT EXISTS documents_day ON documents(day);
CREATE INDEX IF NOT EXISTS documents_issue ON documents(issue_id);
CREATE INDEX IF NOT EXISTS documents_dup_cluster ON documents(dup_cluster);
CREATE TABLE IF NOT EXISTS doc_places (
    doc_rowid INTEGER NOT NULL REFERENCES documents(rowid) ON DELETE CASCADE,
    province TEXT NOT NULL,
    province_folded TEXT NOT NULL,
    PRIMARY KEY (doc_rowid, province)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS doc_places_province ON doc_places(province_folded, doc_rowid);
CREATE INDEX IF NOT EXISTS doc_places_facet ON doc_places(province, doc_rowid);
CREATE TABLE IF NOT EXISTS doc_projects (
    doc_rowid INTEGER NOT NULL REFERENCES documents(rowid) ON DELETE CASCADE,
    project TEXT NOT NULL,
    PRIMARY KEY (doc_rowid, project)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS doc_projects_project ON doc_projects(project, doc_rowid);
CREATE VIRTUAL TABLE IF NOT EXISTS docs_fts USING fts5(
    title, text, content='documents', content_rowid='rowid',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    data TEXT NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
"""


class SqliteBackend:
    """Embedded search over one SQLite file (WAL mode; one writer at a time)."""

    name = "sqlite"

    def __init__(self, path: Path, tz: ZoneInfo | None = None) -> None:
        self.path = path
        self.tz = tz or ZoneInfo("Asia/Ho_Chi_Minh")
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._facet_conn: sqlite3.Connection | None = None
        self._facet_pool: ThreadPoolExecutor | None = None

    # ---- connection ---------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            self.ensure_ready()
        assert self._conn is not None
        return self._conn

    def ensure_ready(self) -> None:
        if self._conn is not None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = self._connect()
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise BackendUnavailable(
                f"The SQLite index {self.path} cannot be opened ({exc}); move it away and run `envmon index` again to rebuild it from the spool."
            ) from exc
        except OSError as exc:  # its folder cannot be created
            raise BackendUnavailable(
                f"The SQLite index {self.path} cannot be created ({exc.strerror}); point ENVMON_INDEX_URL at a writable folder."
            ) from exc
        self._conn = conn

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.execute("PRAGMA cache_size=-65536")  # 64 MB page cache keeps 100k-doc facets in memory
        return conn

    def _facet_counter(self) -> tuple[ThreadPoolExecutor, sqlite3.Connection]:
        """A second reader (WAL lets it read beside the first) and the one thread that uses it."""
        if self._facet_pool is None or self._facet_conn is None:
            self.ensure_ready()
            self._facet_conn = self._connect()
            self._facet_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="envmon-sqlite-facets")
        return self._facet_pool, self._facet_conn

    def close(self) -> None:
        with self._lock:
            if self._facet_pool is not None:
                self._facet_pool.shutdown(wait=True)
                self._facet_pool = None
            if self._facet_conn is not None:
                self._facet_conn.close()
                self._facet_conn = None
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _write(self) -> _WriteTransaction:
        return _WriteTransaction(self)

    # ---- writing ------------------------------------------------------------
    def upsert(self, documents: Iterable[Document]) -> UpsertReport:
        report = UpsertReport()
        for batch in batched(documents, UPSERT_BATCH):
            report.indexed += self._upsert_batch(batch)
        return report

    def _upsert_batch(self, batch: list[Document]) -> int:
        unique: dict[str, Document] = {}
        for document in batch:
            unique[document.id] = document  # the last version of an id in a batch wins
        rows = [self._row(document) for document in unique.values()]
        with self._write() as conn:
            existing = self._existing(conn, list(unique))
            if existing:
                conn.executemany(
                    "INSERT INTO docs_fts(docs_fts, rowid, title, text) VALUES('delete', ?, ?, ?)",
                    [(rowid, fts_text(title), fts_text(text)) for rowid, title, text in existing.values()],
                )
            conn.executemany(
                """INSERT INTO documents(id, title, text, doc, topic, sensitivity, sensitivity_rank,
                       sensitivity_score, misinfo_risk, misinfo_level, source, source_kind, reliability,
                       sort_ts, day, issue_id, dup_cluster, reviewed)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                   ON CONFLICT(id) DO UPDATE SET title=excluded.title, text=excluded.text, doc=excluded.doc,
                       topic=excluded.topic, sensitivity=excluded.sensitivity,
                       sensitivity_rank=excluded.sensitivity_rank, sensitivity_score=excluded.sensitivity_score,
                       misinfo_risk=excluded.misinfo_risk, misinfo_level=excluded.misinfo_level,
                       source=excluded.source, source_kind=excluded.source_kind, reliability=excluded.reliability,
                       sort_ts=excluded.sort_ts, day=excluded.day, issue_id=excluded.issue_id,
                       dup_cluster=excluded.dup_cluster, reviewed=excluded.reviewed""",
                [row["documents"] for row in rows],
            )
            rowids = self._rowids(conn, list(unique))
            conn.executemany(
                "INSERT INTO docs_fts(rowid, title, text) VALUES (?, ?, ?)",
                [(rowids[row["id"]], row["fts"][0], row["fts"][1]) for row in rows],
            )
            self._delete_side_rows(conn, [rowid for rowid, _, _ in existing.values()])
            conn.executemany(
                "INSERT OR IGNORE INTO doc_places(doc_rowid, province, province_folded) VALUES (?, ?, ?)",
                [(rowids[row["id"]], province, fold(province)) for row in rows for province in row["provinces"]],
            )
            conn.executemany(
                "INSERT OR IGNORE INTO doc_projects(doc_rowid, project) VALUES (?, ?)",
                [(rowids[row["id"]], project) for row in rows for project in row["projects"]],
            )
        return len(rows)

    def _row(self, document: Document) -> dict[str, Any]:
        enrichment = document.enrichment
        topic = document.effective("topic")
        sensitivity = document.effective("sensitivity")
        sort_at = document.sort_at
        title = document.title or ""
        return {
            "id": document.id,
            "documents": (
                document.id,
                title,
                document.text,
                document.model_dump_json(),
                topic,
                sensitivity,
                sensitivity_rank(sensitivity),
                enrichment.sensitivity_score,
                enrichment.misinfo_risk,
                enrichment.misinfo_level,
                document.source,
                document.source_kind.value,
                document.reliability.value,
                sort_at.timestamp(),
                sort_at.astimezone(self.tz).date().isoformat(),
                enrichment.issue_id,
                enrichment.dup_cluster,
                int(document.review.reviewed),
            ),
            "fts": (fts_text(title), fts_text(document.text)),
            "provinces": document.provinces,
            "projects": sorted(set(enrichment.projects)),
        }

    @staticmethod
    def _existing(conn: sqlite3.Connection, ids: list[str]) -> dict[str, tuple[int, str, str]]:
        found: dict[str, tuple[int, str, str]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for rowid, doc_id, title, text in conn.execute(
                f"SELECT rowid, id, title, text FROM documents WHERE id IN ({marks})", chunk
            ):
                found[doc_id] = (rowid, title, text)
        return found

    @staticmethod
    def _rowids(conn: sqlite3.Connection, ids: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(conn.execute(f"SELECT id, rowid FROM documents WHERE id IN ({marks})", chunk).fetchall())
        return found

    @staticmethod
    def _delete_side_rows(conn: sqlite3.Connection, rowids: list[int]) -> None:
        conn.executemany("DELETE FROM doc_places WHERE doc_rowid = ?", [(rowid,) for rowid in rowids])
        conn.executemany("DELETE FROM doc_projects WHERE doc_rowid = ?", [(rowid,) for rowid in rowids])

    def delete_older_than(self, days: int, now: datetime | None = None) -> int:
        if days < 0:
            raise InputError("The retention period must be zero or more days.")
        cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
        with self._write() as conn:
            rows = conn.execute(
                "SELECT rowid, title, text FROM documents WHERE sort_ts < ?", (cutoff.timestamp(),)
            ).fetchall()
            conn.executemany(
                "INSERT INTO docs_fts(docs_fts, rowid, title, text) VALUES('delete', ?, ?, ?)",
                [(rowid, fts_text(title), fts_text(text)) for rowid, title, text in rows],
            )
            self._delete_side_rows(conn, [row[0] for row in rows])
            conn.executemany("DELETE FROM documents WHERE rowid = ?", [(row[0],) for row in rows])
        return len(rows)

    def record_review(self, doc_id: str, review: Review) -> Document:
        document = self.get(doc_id)
        if document is None:
            raise InputError(f"No document with id {doc_id!r}; check the id.")
        document.review = review
        self._upsert_batch([document])
        return document

    # ---- reading ------------------------------------------------------------
    def get(self, doc_id: str) -> Document | None:
        with self._lock:
            row = self.conn.execute("SELECT doc FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return Document.model_validate_json(row[0]) if row else None

    def get_many(self, doc_ids: Iterable[str]) -> list[Document]:
        ids = list(dict.fromkeys(doc_ids))
        found: dict[str, Document] = {}
        with self._lock:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for doc_id, doc in self.conn.execute(f"SELECT id, doc FROM documents WHERE id IN ({marks})", chunk):
                    found[doc_id] = Document.model_validate_json(doc)
        return [found[doc_id] for doc_id in ids if doc_id in found]

    def count(self, query: Query | None = None) -> int:
        query = query or Query(facets=False, highlight=False, limit=0)
        where, params, _ = self._where(query)
        with self._lock:
            return int(self.conn.execute(f"SELECT count(*) FROM documents d WHERE {where}", params).fetchone()[0])

    def search(self, query: Query) -> SearchResult:
        started = time.perf_counter()
        _, _, match = self._filters(query)
        with self._lock:
            conn = self.conn
            counting = None
            if query.facets:  # the second reader counts places, projects and days meanwhile
                pool, facet_conn = self._facet_counter()
                counting = pool.submit(self._facets_on, facet_conn, query, match)
            scoped = self._fill_matched(conn, query, match)
            table = "matched" if scoped else "documents"
            total = int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            hits: list[Hit] = []
            if query.limit and total > query.offset:
                if match is not None and query.sort == "relevance":
                    page = self._ranked_page(conn, query, match)
                else:
                    page = [(rowid, None) for rowid in self._ordered_page(conn, query, scoped, total)]
                hits = self._hits(conn, query, match, page)
            facets: dict[str, dict[str, int]] = {}
            if counting is not None:
                counts = {**self._label_counts(conn, scoped, total), **counting.result()}
                facets = {name: _top_buckets(counts[name]) for name in FACET_FIELDS}
                facets["date"] = dict(sorted(counts["date"].items()))
        return SearchResult(total=total, hits=hits, facets=facets, took_ms=round((time.perf_counter() - started) * 1000, 2))

    def _facets_on(self, conn: sqlite3.Connection, query: Query, match: str | None) -> dict[str, dict[str, int]]:
        """Province, project and day counts, on the second reader (it finds the matches itself)."""
        scoped = self._fill_matched(conn, query, match)
        total = int(conn.execute(f"SELECT count(*) FROM {'matched' if scoped else 'documents'}").fetchone()[0])
        return self._side_counts(conn, scoped, total)

    def _fill_matched(self, conn: sqlite3.Connection, query: Query, match: str | None) -> bool:
        """Put the rowids the query matches into the temp table matched; False: it matches everything."""
        if query.tree() is None and query.filters.is_empty():
            return False
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS matched(rid INTEGER PRIMARY KEY)")
        conn.execute("DELETE FROM matched")
        # The intersection of small rowid sets, each read from the index that answers it (the
        # columns all live in narrow covering indexes): never from the wide document rows.
        clauses, params, selects, _ = self._conditions(query)
        if match is not None:
            selects = [("SELECT rowid FROM docs_fts WHERE docs_fts MATCH ?", [match]), *selects]
        if clauses or not selects:
            selects.append((f"SELECT d.rowid FROM documents AS d WHERE {' AND '.join(clauses) or '1'}", params))
        conn.execute(
            "INSERT INTO matched " + " INTERSECT ".join(select for select, _ in selects),
            [param for _, select_params in selects for param in select_params],
        )
        return True

    def _ranked_page(self, conn: sqlite3.Connection, query: Query, match: str) -> list[tuple[int, float | None]]:
        """(rowid, bm25) of the page in relevance order: bm25, then newest, then id."""
        wanted = query.offset + query.limit
        restrict = "" if query.filters.is_empty() else " CROSS JOIN matched AS m ON m.rid = docs_fts.rowid"
        ranked = conn.execute(
            f"SELECT docs_fts.rowid, bm25(docs_fts, 2.0, 1.0) AS rank FROM docs_fts{restrict} WHERE docs_fts MATCH ? "
            "ORDER BY rank LIMIT ?",
            (match, wanted + RANK_TIE_MARGIN),
        ).fetchall()
        if len(ranked) == wanted + RANK_TIE_MARGIN and ranked[-1][1] <= ranked[wanted - 1][1]:
            # More documents share the last score than were fetched: let SQL order them all.
            filters_sql, filter_params, _ = self._filters(query)
            return conn.execute(
                "SELECT d.rowid, bm25(docs_fts, 2.0, 1.0) FROM docs_fts JOIN documents d ON d.rowid = docs_fts.rowid "
                f"WHERE docs_fts MATCH ? AND {filters_sql} ORDER BY {self._order(query, True)} LIMIT ? OFFSET ?",
                [match, *filter_params, query.limit, query.offset],
            ).fetchall()
        if len(ranked) >= wanted:
            last = ranked[wanted - 1][1]
            ranked = [row for row in ranked if row[1] <= last]
        marks = ",".join("?" * len(ranked))
        tiebreak = {
            rowid: (sort_ts, doc_id)
            for rowid, sort_ts, doc_id in conn.execute(
                f"SELECT rowid, sort_ts, id FROM documents WHERE rowid IN ({marks})", [row[0] for row in ranked]
            )
        }
        ranked.sort(key=lambda row: (row[1], -tiebreak[row[0]][0], tiebreak[row[0]][1]))
        return ranked[query.offset : wanted]

    def _ordered_page(self, conn: sqlite3.Connection, query: Query, scoped: bool, total: int) -> list[int]:
        """Rowids of the page by date or by sensitivity, read in index order."""
        order = self._order(query, False)
        index = "documents_by_sensitivity" if query.sort == "sensitivity" else "documents_sort"
        if not scoped:
            source = f"documents AS d INDEXED BY {index}"
        elif total <= SMALL_SCOPE:
            source = "matched AS m JOIN documents AS d ON d.rowid = m.rid"
        else:
            source = f"documents AS d INDEXED BY {index} CROSS JOIN matched AS m ON m.rid = d.rowid"
        sql = f"SELECT d.rowid FROM {source} ORDER BY {order} LIMIT ? OFFSET ?"
        return [row[0] for row in conn.execute(sql, (query.limit, query.offset))]

    def _hits(
        self, conn: sqlite3.Connection, query: Query, match: str | None, page: list[tuple[int, float | None]]
    ) -> list[Hit]:
        """Documents, scores and snippets for the page's rowids, in page order."""
        rowids = [rowid for rowid, _ in page]
        marks = ",".join("?" * len(rowids))
        stored = dict(conn.execute(f"SELECT rowid, doc FROM documents WHERE rowid IN ({marks})", rowids))
        scores = {rowid: -rank for rowid, rank in page if rank is not None}
        snippets: dict[int, str | None] = {}
        if match is not None:
            snippet = f"snippet(docs_fts, 1, '{_MARK_OPEN}', '{_MARK_CLOSE}', '…', {SNIPPET_TOKENS})"
            # bm25 reads every match of every phrase (~30 ms for a common word): computed here
            # only when the page was not ranked by it already.
            rank = "-bm25(docs_fts, 2.0, 1.0)" if not scores else "NULL"
            for rowid, score, snippet_text in conn.execute(
                f"SELECT rowid, {rank}, {snippet if query.highlight else 'NULL'} FROM docs_fts "
                f"WHERE docs_fts MATCH ? AND rowid IN ({marks})",
                [match, *rowids],
            ):
                snippets[rowid] = snippet_text
                if score is not None:
                    scores[rowid] = score
        hits: list[Hit] = []
        for rowid in rowids:
            document = Document.model_validate_json(stored[rowid])
            score = scores.get(rowid)
            hits.append(
                Hit(
                    document=document,
                    score=round(score, 4) if score is not None else None,
                    snippet_html=_snippet_html(snippets.get(rowid), document.text) if query.highlight else "",
                )
            )
        return hits

    def scan(self, query: Query) -> Iterator[Document]:
        where, params, _ = self._where(query)
        last = 0
        while True:
            with self._lock:
                rows = self.conn.execute(
                    f"SELECT d.rowid, d.doc FROM documents d WHERE d.rowid > ? AND {where} ORDER BY d.rowid LIMIT 1000",
                    [last, *params],
                ).fetchall()
            if not rows:
                return
            for rowid, doc in rows:
                last = rowid
                yield Document.model_validate_json(doc)

    def _where(self, query: Query) -> tuple[str, list[Any], str | None]:
        """SQL condition over documents d (full-text match included), its parameters, the MATCH."""
        filters_sql, filter_params, match = self._filters(query)
        if match is None:
            return filters_sql, filter_params, None
        return (
            f"d.rowid IN (SELECT rowid FROM docs_fts WHERE docs_fts MATCH ?) AND {filters_sql}",
            [match, *filter_params],
            match,
        )

    def _filters(self, query: Query) -> tuple[str, list[Any], str | None]:
        """SQL condition for everything but a positive full-text match, and that MATCH expression."""
        clauses, params, rowid_sets, match = self._conditions(query)
        for select, select_params in rowid_sets:
            clauses.append(f"d.rowid IN ({select})")
            params.extend(select_params)
        return (" AND ".join(clauses) or "1"), params, match

    def _conditions(self, query: Query) -> tuple[list[str], list[Any], list[tuple[str, list[Any]]], str | None]:
        """Conditions on documents d and their parameters, rowid sets from the side tables, MATCH."""
        clauses: list[str] = []
        params: list[Any] = []
        rowid_sets: list[tuple[str, list[Any]]] = []
        tree = query.tree()
        match: str | None = None
        if tree is not None:
            if is_exclusion(tree):
                excluded = [child.child for child in _exclusion_children(tree)]
                expression = _fts(Or(tuple(excluded)) if len(excluded) > 1 else excluded[0])
                clauses.append("d.rowid NOT IN (SELECT rowid FROM docs_fts WHERE docs_fts MATCH ?)")
                params.append(expression)
            else:
                match = _fts(tree)
        filters = query.filters
        if filters.topic:
            clauses.append(f"d.topic IN ({','.join('?' * len(filters.topic))})")
            params.extend(filters.topic)
        if filters.min_sensitivity:
            clauses.append("d.sensitivity_rank >= ?")
            params.append(sensitivity_rank(filters.min_sensitivity))
        if filters.min_misinfo is not None:
            clauses.append("d.misinfo_risk >= ?")
            params.append(filters.min_misinfo)
        if filters.misinfo_level:
            clauses.append(f"d.misinfo_level IN ({','.join('?' * len(filters.misinfo_level))})")
            params.extend(filters.misinfo_level)
        if filters.province:
            rowid_sets.append((
                f"SELECT doc_rowid FROM doc_places WHERE province_folded IN ({','.join('?' * len(filters.province))})",
                [fold(value) for value in filters.province],
            ))
        if filters.project:
            rowid_sets.append((
                f"SELECT doc_rowid FROM doc_projects WHERE project IN ({','.join('?' * len(filters.project))})",
                list(filters.project),
            ))
        if filters.source:
            clauses.append(f"d.source IN ({','.join('?' * len(filters.source))})")
            params.extend(filters.source)
        if filters.source_kind:
            clauses.append(f"d.source_kind IN ({','.join('?' * len(filters.source_kind))})")
            params.extend(filters.source_kind)
        if filters.date_from:
            clauses.append("d.day >= ?")
            params.append(filters.date_from.isoformat())
        if filters.date_to:
            clauses.append("d.day <= ?")
            params.append(filters.date_to.isoformat())
        if filters.issue_id:
            clauses.append("d.issue_id = ?")
            params.append(filters.issue_id)
        if filters.dup_cluster:
            clauses.append("d.dup_cluster = ?")
            params.append(filters.dup_cluster)
        if filters.reviewed is not None:
            clauses.append("d.reviewed = ?")
            params.append(int(filters.reviewed))
        return clauses, params, rowid_sets, match

    @staticmethod
    def _order(query: Query, has_match: bool) -> str:
        if query.sort == "date" or (query.sort == "relevance" and not has_match):
            return "d.sort_ts DESC, d.id"
        if query.sort == "sensitivity":
            return "d.sensitivity_rank DESC, d.sensitivity_score DESC, d.sort_ts DESC, d.id"
        return "bm25(docs_fts, 2.0, 1.0), d.sort_ts DESC, d.id"

    def _label_counts(self, conn: sqlite3.Connection, scoped: bool, total: int) -> dict[str, dict[str, int]]:
        """Topic, sensitivity, misinfo level, kind and source counts in one pass over documents_labels."""
        label_columns = ("topic", "sensitivity", "misinfo_level", "source_kind", "source")
        counts: dict[str, dict[str, int]] = {name: {} for name in label_columns}
        rows = conn.execute(
            "SELECT d.topic, d.sensitivity, d.misinfo_level, d.source_kind, d.source, count(*) "
            f"FROM {_counted('documents', 'd', 'documents_labels', 'd.rowid', scoped, total)} GROUP BY 1, 2, 3, 4, 5"
        )
        for *keys, n in rows:  # its leading columns, grouped together: no sort needed
            for name, key in zip(label_columns, keys, strict=True):
                if key is not None:
                    counts[name][key] = counts[name].get(key, 0) + n
        return counts

    @staticmethod
    def _side_counts(conn: sqlite3.Connection, scoped: bool, total: int) -> dict[str, dict[str, int]]:
        """Province, project and local-day counts."""
        places = _counted("doc_places", "p", "doc_places_facet", "p.doc_rowid", scoped, total)
        projects = _counted("doc_projects", "p", "doc_projects_project", "p.doc_rowid", scoped, total)
        days = _counted("documents", "d", "documents_day", "d.rowid", scoped, total)
        return {
            "province": dict(conn.execute(f"SELECT p.province, count(*) FROM {places} GROUP BY 1").fetchall()),
            "project": dict(conn.execute(f"SELECT p.project, count(*) FROM {projects} GROUP BY 1").fetchall()),
            "date": dict(conn.execute(f"SELECT d.day, count(*) FROM {days} GROUP BY 1").fetchall()),
        }

    # ---- small records ------------------------------------------------------
    def put_record(self, kind: str, record_id: str, data: dict[str, Any]) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO records(kind, id, data, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(kind, id) DO UPDATE SET data=excluded.data, updated_at=excluded.updated_at",
                (kind, record_id, json.dumps(data, ensure_ascii=False, default=str), time.time()),
            )

    def get_record(self, kind: str, record_id: str) -> StoredRecord | None:
        with self._lock:
            row = self.conn.execute(
                "SELECT data, updated_at FROM records WHERE kind = ? AND id = ?", (kind, record_id)
            ).fetchone()
        if row is None:
            return None
        return StoredRecord(kind=kind, id=record_id, data=json.loads(row[0]), updated_at=datetime.fromtimestamp(row[1], UTC))

    def list_records(self, kind: str, limit: int = 1000) -> list[StoredRecord]:
        with self._lock:
            rows = self.conn.execute(
                "SELECT id, data, updated_at FROM records WHERE kind = ? ORDER BY updated_at DESC, id LIMIT ?",
                (kind, limit),
            ).fetchall()
        return [
            StoredRecord(kind=kind, id=record_id, data=json.loads(data), updated_at=datetime.fromtimestamp(ts, UTC))
            for record_id, data, ts in rows
        ]

    def delete_record(self, kind: str, record_id: str) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM records WHERE kind = ? AND id = ?", (kind, record_id))

    # ---- operations ---------------------------------------------------------
    def refresh(self) -> None:
        """SQLite commits are visible at once; nothing to do."""

    def health(self) -> BackendHealth:
        try:
            documents = self.count()
        except BackendUnavailable as exc:
            return BackendHealth(backend=self.name, ok=False, detail=str(exc))
        return BackendHealth(
            backend=self.name,
            ok=True,
            detail=f"SQLite {sqlite3.sqlite_version} index at {self.path}",
            documents=documents,
            version=sqlite3.sqlite_version,
        )


class _WriteTransaction:
    """BEGIN IMMEDIATE … COMMIT: SQLite's write lock makes this the only writer until commit."""

    def __init__(self, backend: SqliteBackend) -> None:
        self.backend = backend

    def __enter__(self) -> sqlite3.Connection:
        self.backend._lock.acquire()
        conn = self.backend.conn
        conn.execute("BEGIN IMMEDIATE")
        return conn

    def __exit__(self, exc_type: object, *rest: object) -> None:
        conn = self.backend.conn
        try:
            conn.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self.backend._lock.release()


def _counted(table: str, alias: str, index: str, rowid: str, scoped: bool, total: int) -> str:
    """FROM clause counting a table's rows over the matched set: scan the narrow index and probe
    matched, or, for a small set, look its rows up; the whole index when everything matches."""
    if not scoped:
        return f"{table} AS {alias} INDEXED BY {index}"
    if total <= SMALL_SCOPE:
        return f"matched AS m JOIN {table} AS {alias} ON {rowid} = m.rid"
    return f"{table} AS {alias} INDEXED BY {index} CROSS JOIN matched AS m ON m.rid = {rowid}"


def _top_buckets(counts: dict[str, int]) -> dict[str, int]:
    """The FACET_SIZE biggest buckets, biggest first, ties by key (as ORDER BY n DESC, key)."""
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:FACET_SIZE])


def _exclusion_children(node: Node) -> list[Not]:
    if isinstance(node, Not):
        return [node]
    assert isinstance(node, And)
    return [child for child in node.children if isinstance(child, Not)]


def _fts(node: Node) -> str:
    """Compile a parsed query into an FTS5 MATCH expression. Words are already folded \\w+ runs."""
    if isinstance(node, Term):
        return f'"{node.word}"'
    if isinstance(node, Phrase):
        return '"' + " ".join(node.words) + '"'
    if isinstance(node, Or):
        return "(" + " OR ".join(_fts(child) for child in node.children) + ")"
    if isinstance(node, And):
        positive = [child for child in node.children if not isinstance(child, Not)]
        negative = [child.child for child in node.children if isinstance(child, Not)]
        expression = "(" + " AND ".join(_fts(child) for child in positive) + ")"
        for child in negative:
            expression += f" NOT {_fts(child)}"
        return f"({expression})"
    raise AssertionError("a bare NOT is handled by the caller")  # parse_query forbids nested ones


def _snippet_html(snippet: str | None, text: str) -> str:
    """Escape crawled text, then turn our private markers into <mark> tags."""
    if not snippet:
        plain = " ".join(text.split())
        snippet = plain[:PLAIN_SNIPPET_CHARS] + ("…" if len(plain) > PLAIN_SNIPPET_CHARS else "")
    escaped = html.escape(snippet.replace("\n", " "), quote=True)
    return escaped.replace(_MARK_OPEN, "<mark>").replace(_MARK_CLOSE, "</mark>")
