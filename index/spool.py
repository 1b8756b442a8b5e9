"""Append-only JSON Lines, one file per day: the raw spool (and the documents spool after nlp).

Writers append whole lines under a lock and roll back a partial write, so a crash or a full
disk never leaves a half line in the middle of the file. Readers resume from a per-consumer
checkpoint; a torn line (crash mid-write) is skipped and reported, never fatal.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import BinaryIO

from pydantic import BaseModel

from index.errors import SpoolWriteError
from index.state import StateStore

log = logging.getLogger(__name__)

SPOOL_SUFFIX = ".jsonl"
WRITE_BATCH_BYTES = 1 << 20  # write and fsync in ~1 MB batches: durable without a syscall per line


@dataclass
class SpoolEntry:
    file: str
    end_offset: int
    data: dict


@dataclass
class ReadReport:
    read: int = 0
    torn: list[str] = field(default_factory=list)  # "file:offset" of skipped lines

    @property
    def skipped(self) -> int:
        return len(self.torn)


class Spool:
    """A folder of daily JSONL files."""

    def __init__(self, folder: Path, tz: tzinfo) -> None:
        self.folder = folder
        self.tz = tz

    def files(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(p for p in self.folder.iterdir() if p.suffix == SPOOL_SUFFIX and p.is_file())

    def file_for(self, when: datetime) -> Path:
        return self.folder / f"{when.astimezone(self.tz):%Y-%m-%d}{SPOOL_SUFFIX}"

    def _append_target(self, when: datetime) -> Path:
        """The day's file, or the newest file when that sorts later (the time zone setting
        changed, the clock stepped back): consumers read on from their checkpoint in name
        order and would never see lines added to an earlier file."""
        path = self.file_for(when)
        files = self.files()
        return files[-1] if files and files[-1].name > path.name else path

    # ---- writing ------------------------------------------------------------
    def append(self, records: Iterable[BaseModel | dict], now: datetime | None = None) -> int:
        """Append records as lines to today's file (never to one before the newest); returns how many were written.

        On any write error the file is cut back to its size before the failed batch and
        SpoolWriteError is raised, so the spool stays a sequence of whole lines.
        """
        now = now or datetime.now(self.tz)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SpoolWriteError(f"Cannot create the spool folder {self.folder} ({exc.strerror}).") from exc
        path = self._append_target(now)
        written = 0
        with _locked_append(path) as fd:
            batch: list[bytes] = []
            size = 0
            for record in records:
                line = _dump(record)
                batch.append(line)
                size += len(line)
                if size >= WRITE_BATCH_BYTES:
                    _write_batch(fd, path, batch)
                    written += len(batch)
                    batch, size = [], 0
            if batch:
                _write_batch(fd, path, batch)
                written += len(batch)
        return written

    # ---- reading ------------------------------------------------------------
    def read(self, start: tuple[str, int] | None, report: ReadReport | None = None) -> Iterator[SpoolEntry]:
        """Yield entries after position start=(file name, byte offset)."""
        report = report if report is not None else ReadReport()
        files = self.files()
        for index, path in enumerate(files):
            offset = 0
            if start is not None:
                if path.name < start[0]:
                    continue
                if path.name == start[0]:
                    offset = start[1]
            is_newest = index == len(files) - 1
            if (yield from self._read_file(path, offset, is_newest, report)) == "stopped":
                return  # reading on into a later file would move the checkpoint past the line

    def _read_file(
        self, path: Path, offset: int, is_newest: bool, report: ReadReport
    ) -> Generator[SpoolEntry, None, str]:
        """Entries of one file after offset; returns "stopped" when lines may still be coming (read them next time)."""
        with path.open("rb") as handle:
            handle.seek(offset)
            position = offset
            for raw in handle:
                line_start = position
                position += len(raw)
                if not raw.endswith(b"\n"):
                    # An unterminated last line: a writer crashed mid-line, or is writing now.
                    # Leave it unconsumed in the newest file (the next append seals it) and in
                    # any file a writer still holds; skip it only in an older, unlocked file.
                    report.torn.append(f"{path.name}:{line_start}")
                    log.warning("spool %s: incomplete last line at byte %d left unread", path.name, line_start)
                    if is_newest or _being_written(handle):
                        return "stopped"
                    yield SpoolEntry(path.name, position, {})
                    continue
                stripped = raw.strip()
                if not stripped:
                    continue
                try:
                    data = json.loads(stripped)
                    if not isinstance(data, dict):
                        raise ValueError("not an object")
                except (ValueError, UnicodeDecodeError):
                    report.torn.append(f"{path.name}:{line_start}")
                    log.warning("spool %s: torn or invalid line at byte %d skipped", path.name, line_start)
                    yield SpoolEntry(path.name, position, {})
                    continue
                report.read += 1
                yield SpoolEntry(path.name, position, data)
            if not is_newest and (_being_written(handle) or os.fstat(handle.fileno()).st_size > position):
                return "stopped"  # a writer that chose this file before the next day's began is (or was just) adding lines
        return "read"

    def count_lines(self) -> int:
        total = 0
        for path in self.files():
            with path.open("rb") as handle:
                total += sum(1 for line in handle if line.strip())
        return total


class SpoolConsumer:
    """A stage's view of a spool: what it has not consumed yet, and how to mark progress."""

    def __init__(self, spool: Spool, state: StateStore, name: str) -> None:
        self.spool = spool
        self.state = state
        self.name = name
        self.report = ReadReport()

    def pending(self) -> Iterator[SpoolEntry]:
        """Entries after the checkpoint; entries with empty data are skipped torn lines."""
        return self.spool.read(self.state.checkpoint(self.name), self.report)

    def commit(self, entry: SpoolEntry) -> None:
        """Everything up to and including entry has been durably handled."""
        self.state.set_checkpoint(self.name, entry.file, entry.end_offset)

    def backlog_bytes(self) -> int:
        start = self.state.checkpoint(self.name)
        total = 0
        for path in self.spool.files():
            size = path.stat().st_size
            if start is None or path.name > start[0]:
                total += size
            elif path.name == start[0]:
                total += max(0, size - start[1])
        return total


def _dump(record: BaseModel | dict) -> bytes:
    if isinstance(record, BaseModel):
        text = record.model_dump_json(exclude_none=False)
    else:
        text = json.dumps(record, ensure_ascii=False, default=str)
    return text.encode("utf-8") + b"\n"


class _locked_append:
    """Open path for appending under an exclusive lock; seal a torn last line first."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd = -1

    def __enter__(self) -> int:
        try:
            self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            size = os.fstat(self.fd).st_size
            if size and _last_byte(self.path, size) != b"\n":
                _write_batch(self.fd, self.path, [b"\n"])
        except SpoolWriteError:
            self.__exit__()
            raise
        except OSError as exc:
            self.__exit__()
            raise SpoolWriteError(f"Cannot open the spool file {self.path} ({exc.strerror}).") from exc
        return self.fd

    def __exit__(self, *exc_info: object) -> None:
        if self.fd >= 0:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
            finally:
                os.close(self.fd)
                self.fd = -1


def _being_written(handle: BinaryIO) -> bool:
    """True while a writer holds the file's append lock (Spool.append takes it exclusively)."""
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return False


def _last_byte(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        handle.seek(size - 1)
        return handle.read(1)


def _write_batch(fd: int, path: Path, lines: list[bytes]) -> None:
    payload = b"".join(lines)
    before = os.fstat(fd).st_size
    try:
        view = memoryview(payload)
        while view:
            done = os.write(fd, view)
            view = view[done:]
        os.fsync(fd)
    except OSError as exc:
        try:
            os.ftruncate(fd, before)
        except OSError:
            log.error("spool %s: could not roll back a partial write at byte %d", path, before)
        raise SpoolWriteError(
            f"Writing to the spool file {path} failed ({exc.strerror}); nothing partial was kept — free disk space and re-run."
        ) from exc
