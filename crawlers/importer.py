"""Import social/forum export files (JSONL or CSV) into the raw spool.

Each row is validated on its own: bad rows are counted and reported with their line number,
good rows are kept. Authors, the @handles a post mentions and profile handles in post URLs
become keyed pseudonyms before anything is written, and bad rows are reported by line and
reason only, so a raw handle never reaches the data dir.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import charset_normalizer
import ftfy

from crawlers.urls import canonicalise_url, is_http_url
from index.dates import DateParseError, parse_datetime
from index.errors import InputError
from index.ids import content_hash, item_id_for_post
from index.privacy import PSEUDONYM_PREFIX, pseudonymise_author
from index.records import Engagement, RawItem, Reliability, SourceKind
from index.settings import Settings
from index.spool import Spool
from index.state import StateStore
from index.text import basic_clean, truncate

log = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("platform", "post_id", "url", "author", "text", "published_at")
OPTIONAL_COLUMNS = ("title", "parent_id", "likes", "shares", "comments")
MAX_TEXT_CHARS = 100_000  # ~15k words: longer fields are pasted dumps; keep the start, say so
MAX_TITLE_CHARS = 1_000
MAX_LINE_BYTES = 16 << 20  # a JSONL line beyond 16 MB is not a post
MAX_REPORTED_BAD_ROWS = 1_000
SEEN_NAMESPACE = "import"
SPOOL_BATCH = 500
# A path segment naming an account (tiktok.com/@name/video/…, youtube.com/@name): the handle itself.
_PROFILE_SEGMENT = re.compile(r"(?<=/)@[^/?#]+")
# An @mention of another account in a post ("@lan.nguyen_92 ơi"); not the middle of an e-mail address.
_MENTION = re.compile(r"(?<![\w@.])@(\w[\w.]{0,48}\w)")


@dataclass
class BadRow:
    line: int
    reason: str


@dataclass
class ImportReport:
    path: str
    encoding: str = "utf-8"
    rows: int = 0
    imported: int = 0
    unchanged: int = 0
    duplicates: int = 0
    truncated: int = 0
    repaired: int = 0
    bad: list[BadRow] = field(default_factory=list)
    bad_count: int = 0
    ignored_columns: set[str] = field(default_factory=set)

    def reject(self, line: int, reason: str) -> None:
        self.bad_count += 1
        if len(self.bad) < MAX_REPORTED_BAD_ROWS:
            self.bad.append(BadRow(line, reason))

    @property
    def useful(self) -> bool:
        return self.imported + self.unchanged + self.duplicates > 0


class RowError(ValueError):
    """A row that cannot be imported; the message is the reason shown to the user."""


def import_file(
    path: Path,
    settings: Settings,
    platform: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Validate and append the rows of a JSONL/CSV export to the raw spool."""
    if not path.is_file():
        raise InputError(f"The file {path} does not exist; check the path.")
    kind = _file_kind(path)
    settings.ensure_data_dir()
    spool = Spool(settings.spool_dir, settings.tz)
    state = StateStore(settings.state_path)
    report = ImportReport(path=str(path))
    now = now or datetime.now(settings.tz)
    key = settings.pseudonym_key
    total_bytes = path.stat().st_size
    batch: list[RawItem] = []
    seen_in_file: set[str] = set()
    try:
        rows = _jsonl_rows(path, report, progress, total_bytes) if kind == "jsonl" else _csv_rows(path, report, progress, total_bytes)
        for line, row in rows:
            report.rows += 1
            try:
                item = _row_to_item(row, platform, key, settings, now, report)
            except RowError as exc:
                report.reject(line, str(exc))
                continue
            if item.id in seen_in_file:
                report.duplicates += 1
                continue
            seen_in_file.add(item.id)
            batch.append(item)
            if len(batch) >= SPOOL_BATCH:
                _flush(batch, spool, state, report)
                batch = []
        if batch:
            _flush(batch, spool, state, report)
    finally:
        state.close()
    log.info(
        "import %s: %d rows, %d imported, %d unchanged, %d duplicates, %d bad",
        path.name, report.rows, report.imported, report.unchanged, report.duplicates, report.bad_count,
    )
    return report


def _flush(batch: list[RawItem], spool: Spool, state: StateStore, report: ImportReport) -> None:
    """Append new or changed items; mark them seen only after the spool write succeeded."""
    known = state.seen_hashes(SEEN_NAMESPACE, [item.id for item in batch])
    fresh = [item for item in batch if item.id not in known or known[item.id] != item.content_hash]
    report.unchanged += len(batch) - len(fresh)
    if fresh:
        spool.append(fresh)
        state.mark_seen(SEEN_NAMESPACE, [(item.id, item.content_hash) for item in fresh])
        report.imported += len(fresh)


def _file_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return "csv"
    raise InputError(f"{path.name} is neither .jsonl nor .csv; export the posts as JSON Lines or CSV.")


# ---- decoding ------------------------------------------------------------------


def _sniff_encoding(path: Path, report: ImportReport) -> str:
    """UTF-8 unless a BOM or the bytes say otherwise (UTF-16, windows-1258, …)."""
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start > len(head) - 4:  # a multibyte character cut by our 1 MB window
            return "utf-8"
    best = charset_normalizer.from_bytes(head, cp_isolation=["cp1258", "cp1252", "latin_1", "utf_16", "utf_8"]).best()
    encoding = best.encoding if best is not None else "cp1258"
    log.warning("import %s: not UTF-8, decoding as %s", path.name, encoding)
    return encoding


def _decode_line(raw: bytes, fallback: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode(fallback, errors="replace")


def _jsonl_rows(
    path: Path, report: ImportReport, progress: Callable[[int, int], None] | None, total: int
) -> Iterator[tuple[int, dict[str, Any]]]:
    encoding = _sniff_encoding(path, report)
    report.encoding = encoding
    done = 0
    if encoding.startswith("utf-16"):
        # errors="replace": an export cut off mid-character still yields its complete lines
        text_lines = path.open(encoding=encoding, errors="replace", newline="")
        stream: Iterator[bytes] = (line.encode("utf-8") for line in text_lines)
    else:
        stream = path.open("rb")
    fallback = "cp1258" if encoding in ("utf-8", "utf-8-sig") else encoding
    for number, raw in enumerate(stream, start=1):
        done += len(raw)
        if progress and number % 200 == 0:
            progress(min(done, total), total)
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE_BYTES:
            report.reject(number, f"line longer than {MAX_LINE_BYTES >> 20} MB")
            continue
        text = _decode_line(raw, fallback).lstrip("\ufeff")
        try:
            row = json.loads(text)
        except json.JSONDecodeError as exc:
            report.reject(number, f"invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        except RecursionError:
            report.reject(number, "invalid JSON (nested too deeply)")
            continue
        if not isinstance(row, dict):
            report.reject(number, "a JSON object is expected on each line")
            continue
        yield number, row
    if progress:
        progress(total, total)


def _csv_rows(
    path: Path, report: ImportReport, progress: Callable[[int, int], None] | None, total: int
) -> Iterator[tuple[int, dict[str, Any]]]:
    encoding = _sniff_encoding(path, report)
    report.encoding = encoding
    csv.field_size_limit(MAX_LINE_BYTES)
    with path.open("rb") as binary:
        decoded = io.TextIOWrapper(binary, encoding=encoding, errors="replace", newline="")
        sample = decoded.read(64 << 10)
        decoded.seek(0)
        # csv.Sniffer guesses quoting wrongly on short samples; only the delimiter varies in practice.
        header_line = sample.split("\n", 1)[0]
        delimiter = max(",;\t|", key=header_line.count)
        reader = csv.reader(decoded, csv.excel, delimiter=delimiter)
        try:
            header = [name.strip().lstrip("\ufeff").lower() for name in next(reader)]
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"{path.name} is not a readable CSV file ({exc}); export it again as CSV.") from None
        line = reader.line_num
        while True:
            try:
                values = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                report.reject(reader.line_num, f"broken CSV row ({exc})")
                continue
            start, line = line + 1, reader.line_num
            if progress and reader.line_num % 200 == 0:
                progress(min(binary.tell(), total), total)
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(header):
                report.reject(start, f"{len(values)} fields where the header has {len(header)}")
                continue
            yield start, dict(zip(header, values, strict=True))
    if progress:
        progress(total, total)


# ---- validation ----------------------------------------------------------------


def _row_to_item(
    row: dict[str, Any], platform: str | None, key: bytes, settings: Settings, now: datetime, report: ImportReport
) -> RawItem:
    row = {str(name).strip().lower(): value for name, value in row.items()}
    extra = set(row) - set(REQUIRED_COLUMNS) - set(OPTIONAL_COLUMNS)
    report.ignored_columns |= extra
    missing = [column for column in REQUIRED_COLUMNS if column not in row and not (column == "platform" and platform)]
    if missing:
        raise RowError(f"missing column {', '.join(missing)}")
    platform_name = _clean_field(row.get("platform") or platform or "", 60, report).lower()
    post_id = _clean_field(row.get("post_id"), 200, report)
    if not platform_name:
        raise RowError("empty platform (pass --platform NAME)")
    if not post_id:
        raise RowError("empty post_id")
    text_raw = row.get("text")
    if not isinstance(text_raw, str):
        raise RowError("text must be a string")
    text = _pseudonymise_mentions(_repair(text_raw, report), key, platform_name)
    text, cut = truncate(text, MAX_TEXT_CHARS)
    if cut:
        report.truncated += 1
    if not text:
        raise RowError("empty text")
    try:
        published_at = parse_datetime(row.get("published_at"), settings.tz, now=now)
    except DateParseError as exc:
        raise RowError(f"published_at: {exc}") from None
    url_value = _clean_field(row.get("url"), 4000, report)
    url = url_value if is_http_url(url_value) else None
    if url_value and url is None:
        raise RowError("url is not an http(s) address")
    title = _pseudonymise_mentions(_repair(row["title"], report), key, platform_name)[:MAX_TITLE_CHARS] if isinstance(row.get("title"), str) else None
    parent = _clean_field(row.get("parent_id"), 200, report)
    author = str(row["author"]) if row.get("author") is not None else None
    pseudonym = pseudonymise_author(author, key, platform_name)
    url = _redact_handle(url, author, pseudonym)
    item = RawItem(
        id=item_id_for_post(platform_name, post_id),
        url=url,
        canonical_url=canonicalise_url(url) if url else None,
        source=platform_name,
        source_kind=SourceKind.IMPORT,
        reliability=Reliability.SOCIAL,
        fetched_at=now,
        published_at=published_at,
        title=title or None,
        text=text,
        author_pseudonym=pseudonym,
        parent_id=item_id_for_post(platform_name, parent) if parent and parent != post_id else None,
        engagement=Engagement(
            likes=_count(row.get("likes")), shares=_count(row.get("shares")), comments=_count(row.get("comments"))
        ),
    )
    item.content_hash = content_hash(item.title, item.text)
    return item


def _redact_handle(url: str | None, author: str | None, pseudonym: str | None) -> str | None:
    """Put the pseudonym where a URL carries a handle: every profile-style `/@name` segment
    (tiktok.com/@handle/…, whatever the author column says, often a display name), and the
    author's own handle wherever else it appears."""
    if not url:
        return url
    url = _PROFILE_SEGMENT.sub("@" + (pseudonym or PSEUDONYM_PREFIX.rstrip("-")), url)
    handle = (author or "").strip().lstrip("@")
    if len(handle) < 3 or pseudonym is None:
        return url
    lowered, needle = url.lower(), handle.lower()
    position = lowered.find(needle)
    while position >= 0:
        url = url[:position] + pseudonym + url[position + len(handle) :]
        lowered = url.lower()
        position = lowered.find(needle, position + len(pseudonym))
    return url


def _pseudonymise_mentions(text: str, key: bytes, platform: str) -> str:
    """@handles named in a post become the pseudonyms those accounts get as authors (as on forums)."""
    return _MENTION.sub(lambda match: pseudonymise_author(match.group(1), key, platform) or match.group(), text)


def _repair(value: str, report: ImportReport) -> str:
    """Undo mojibake (UTF-8 read as latin-1), then NFC, no controls, tidy whitespace."""
    fixed = ftfy.fix_text(value, normalization="NFC") if _looks_mojibake(value) else value
    if fixed != value:
        report.repaired += 1
    return basic_clean(fixed)


def _looks_mojibake(value: str) -> bool:
    return any(marker in value for marker in ("Ã", "á»", "Æ°", "Ä", "Â"))


def _clean_field(value: Any, limit: int, report: ImportReport) -> str:
    if value is None:
        return ""
    return basic_clean(str(value))[:limit]


def _count(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(float(str(value).replace(",", "").strip()))
    except (ValueError, OverflowError):  # "abc", "nan", "1e400"
        return None
    return number if number >= 0 else None
