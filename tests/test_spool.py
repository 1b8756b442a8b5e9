"""The raw spool: append-only, resumable, and never corrupted by a crash or a full disk."""

from __future__ import annotations

import errno
import json
import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from index.errors import SpoolWriteError
from index.spool import Spool, SpoolConsumer
from index.state import StateStore

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
DAY1 = datetime(2026, 11, 20, 9, tzinfo=HCM)
DAY2 = datetime(2026, 11, 21, 9, tzinfo=HCM)


@pytest.fixture
def spool(tmp_path: Path) -> Spool:
    return Spool(tmp_path / "spool", HCM)


@pytest.fixture
def state(tmp_path: Path) -> StateStore:
    store = StateStore(tmp_path / "state.sqlite")
    yield store
    store.close()


def ids(entries) -> list[str]:  # type: ignore[no-untyped-def]
    return [entry.data["id"] for entry in entries if entry.data]


def test_one_file_per_local_day(spool: Spool) -> None:
    spool.append([{"id": "a"}], now=DAY1)
    spool.append([{"id": "b"}], now=datetime(2026, 11, 20, 23, 30, tzinfo=HCM))
    spool.append([{"id": "c"}], now=DAY2)
    assert [path.name for path in spool.files()] == ["2026-11-20.jsonl", "2026-11-21.jsonl"]
    assert ids(spool.read(None)) == ["a", "b", "c"]


def test_consumer_resumes_after_its_checkpoint(spool: Spool, state: StateStore) -> None:
    spool.append([{"id": f"x{i}"} for i in range(5)], now=DAY1)
    consumer = SpoolConsumer(spool, state, "enrich")
    entries = list(consumer.pending())
    consumer.commit(entries[2])
    assert ids(SpoolConsumer(spool, state, "enrich").pending()) == ["x3", "x4"]
    spool.append([{"id": "y0"}], now=DAY2)
    assert ids(SpoolConsumer(spool, state, "enrich").pending()) == ["x3", "x4", "y0"]
    # another stage has its own position
    assert len(ids(SpoolConsumer(spool, state, "other").pending())) == 6


def test_torn_last_line_is_skipped_and_reported_not_fatal(spool: Spool, state: StateStore) -> None:
    spool.append([{"id": "a"}, {"id": "b"}], now=DAY1)
    path = spool.files()[0]
    with path.open("ab") as handle:  # a writer killed mid-line
        handle.write('{"id": "c", "text": "ô nhi'.encode())
    consumer = SpoolConsumer(spool, state, "enrich")
    entries = list(consumer.pending())
    assert ids(entries) == ["a", "b"]
    assert consumer.report.skipped == 1
    consumer.commit(entries[-1])
    # the next append seals the torn line; the new item is read, the fragment skipped
    spool.append([{"id": "d"}], now=DAY1)
    consumer = SpoolConsumer(spool, state, "enrich")
    assert ids(consumer.pending()) == ["d"]
    assert consumer.report.skipped == 1


def test_invalid_line_in_the_middle_is_skipped(spool: Spool) -> None:
    spool.append([{"id": "a"}], now=DAY1)
    with spool.files()[0].open("ab") as handle:
        handle.write(b"not json at all\n[1, 2]\n")
    spool.append([{"id": "b"}], now=DAY1)
    assert ids(spool.read(None)) == ["a", "b"]


def test_write_error_leaves_no_partial_line(spool: Spool, monkeypatch: pytest.MonkeyPatch) -> None:
    spool.append([{"id": "a"}], now=DAY1)
    before = spool.files()[0].read_bytes()
    real_write = os.write
    calls = {"n": 0}

    def disk_full(fd: int, data: bytes | memoryview) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            return real_write(fd, bytes(data)[:7])  # part of the batch reaches the disk…
        raise OSError(errno.ENOSPC, "No space left on device")  # …then the disk is full

    monkeypatch.setattr(os, "write", disk_full)
    with pytest.raises(SpoolWriteError, match="No space left on device"):
        spool.append([{"id": "b", "text": "x" * 100}, {"id": "c"}], now=DAY1)
    monkeypatch.setattr(os, "write", real_write)
    assert spool.files()[0].read_bytes() == before
    spool.append([{"id": "d"}], now=DAY1)
    assert ids(spool.read(None)) == ["a", "d"]


def test_lines_are_utf8_json_objects(spool: Spool) -> None:
    spool.append([{"id": "a", "text": "Đất đai ô nhiễm"}], now=DAY1)
    line = spool.files()[0].read_text(encoding="utf-8").strip()
    assert json.loads(line)["text"] == "Đất đai ô nhiễm"
    assert "Đất" in line  # not \u-escaped: greppable by analysts


def test_backlog_shrinks_as_the_consumer_commits(spool: Spool, state: StateStore) -> None:
    spool.append([{"id": str(i)} for i in range(3)], now=DAY1)
    consumer = SpoolConsumer(spool, state, "index")
    total = consumer.backlog_bytes()
    assert total == spool.files()[0].stat().st_size
    consumer.commit(list(consumer.pending())[-1])
    assert consumer.backlog_bytes() == 0


def test_an_item_dated_before_the_newest_file_still_reaches_the_consumers(tmp_path: Path, state: StateStore) -> None:
    # ENVMON_TIMEZONE changed from Asia/Ho_Chi_Minh to UTC at 03:00 local time (or the clock
    # stepped back at midnight): "today" is a day earlier than the newest file already read.
    Spool(tmp_path / "spool", HCM).append([{"id": "a"}], now=DAY2)
    consumer = SpoolConsumer(Spool(tmp_path / "spool", ZoneInfo("UTC")), state, "enrich")
    for entry in consumer.pending():
        consumer.commit(entry)
    consumer.spool.append([{"id": "b"}], now=DAY1)
    assert ids(consumer.pending()) == ["b"]


@pytest.mark.parametrize("cut", [10, 0], ids=["mid-line", "between-batches"])
def test_lines_still_being_written_into_yesterdays_file_are_not_skipped(spool: Spool, state: StateStore, cut: int) -> None:
    # A crawl appending across midnight while an import starts today's file: the reader must
    # not read on into today's file while yesterday's writer still adds lines (a batch after
    # a batch, or the rest of a half-written line), or the checkpoint moves past them.
    import fcntl

    spool.append([{"id": "a"}], now=DAY1)
    line = json.dumps({"id": "c", "text": "ô nhiễm"}, ensure_ascii=False).encode() + b"\n"
    with spool.files()[0].open("ab") as writer:
        fcntl.flock(writer, fcntl.LOCK_EX)  # as Spool.append holds it while writing
        writer.write(b'{"id": "b"}\n' + line[:cut])
        writer.flush()
        Spool(spool.folder, HCM).append([{"id": "d"}], now=DAY2)
        consumer = SpoolConsumer(spool, state, "enrich")
        first = list(consumer.pending())
        for entry in first:
            consumer.commit(entry)
        writer.write(line[cut:])
        writer.flush()
        fcntl.flock(writer, fcntl.LOCK_UN)
    second = list(SpoolConsumer(spool, state, "enrich").pending())
    assert ids(first) == ["a", "b"] and ids(second) == ["c", "d"]
