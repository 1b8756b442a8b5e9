"""Importing social/forum exports: bad rows reported with line numbers, good rows kept,
authors pseudonymised before anything touches the disk."""

from __future__ import annotations

import json
import os
import stat
import unicodedata
from pathlib import Path

import pytest

from crawlers.importer import MAX_TEXT_CHARS, import_file
from index.errors import InputError
from index.privacy import pseudonymise_author
from index.settings import Settings
from index.spool import Spool

GOOD = {
    "platform": "facebook",
    "post_id": "1",
    "url": "https://www.facebook.com/groups/xanh/posts/1",
    "author": "Trần Thị Hoa Lạng Sơn",
    "text": "Khói nhà máy xi măng làm ô nhiễm cả xóm.",
    "published_at": "2026-11-20T08:00:00+07:00",
}


def write_jsonl(path: Path, rows: list[object]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write((row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)) + "\n")
    return path


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def encode_cp1258(text: str) -> bytes:
    """Windows-1258 as legacy Vietnamese software wrote it: precomposed vowels, combining tones."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in TONE_MARKS))
            out += (base + "".join(p for p in parts if p in TONE_MARKS)).encode("cp1258")
    return bytes(out)


def spooled(settings: Settings) -> list[dict]:
    return [entry.data for entry in Spool(settings.spool_dir, settings.tz).read(None) if entry.data]


def row(**changes: object) -> dict:
    return {**GOOD, **changes}


def test_good_rows_are_kept_and_bad_rows_reported_by_line(tmp_path: Path, settings: Settings) -> None:
    path = write_jsonl(
        tmp_path / "posts.jsonl",
        [
            row(post_id="1"),
            "{not json",
            row(post_id="2", published_at="hôm qua"),
            {k: v for k, v in row(post_id="3").items() if k != "text"},
            row(post_id="4", text="   "),
            "[1, 2, 3]",
            row(post_id="5", url="javascript:alert(1)"),
            row(post_id="6"),
        ],
    )
    report = import_file(path, settings)
    assert report.imported == 2
    assert [(bad.line, bad.reason.split(" ")[0]) for bad in report.bad] == [
        (2, "invalid"), (3, "published_at:"), (4, "missing"), (5, "empty"), (6, "a"), (7, "url"),
    ]
    assert [item["text"] for item in spooled(settings)] == [GOOD["text"]] * 2


def test_author_handles_never_reach_the_data_dir(tmp_path: Path, settings: Settings) -> None:
    handle = "hoa.tran.langson99"
    path = write_jsonl(
        tmp_path / "posts.jsonl",
        [
            row(post_id="1", author=handle, url=f"https://www.tiktok.com/@{handle}/video/1"),
            row(post_id="2", author=handle, published_at="nonsense date"),  # a bad row is reported, not stored
        ],
    )
    report = import_file(path, settings)
    assert report.imported == 1 and report.bad_count == 1
    item = spooled(settings)[0]
    assert item["author_pseudonym"].startswith("anon-")
    assert handle not in item["url"]
    for file in settings.data_dir.rglob("*"):
        if file.is_file():
            assert handle.encode() not in file.read_bytes(), file


def test_same_author_gets_the_same_pseudonym_and_the_secret_is_private(tmp_path: Path, settings: Settings) -> None:
    path = write_jsonl(tmp_path / "p.jsonl", [row(post_id="1", author="@Hoa"), row(post_id="2", author="hoa ")])
    import_file(path, settings)
    first, second = spooled(settings)
    assert first["author_pseudonym"] == second["author_pseudonym"]
    key_file = settings.data_dir / "pseudonym.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_reimport_adds_nothing_and_changed_text_is_an_update(tmp_path: Path, settings: Settings) -> None:
    path = write_jsonl(tmp_path / "p.jsonl", [row(post_id="1"), row(post_id="2")])
    import_file(path, settings)
    again = import_file(path, settings)
    assert (again.imported, again.unchanged) == (0, 2)
    write_jsonl(path, [row(post_id="1"), row(post_id="2", text="Đã sửa: nước thải đen ngòm.")])
    changed = import_file(path, settings)
    assert (changed.imported, changed.unchanged) == (1, 1)
    assert len(spooled(settings)) == 3


def test_duplicate_ids_in_one_file_are_counted_once(tmp_path: Path, settings: Settings) -> None:
    path = write_jsonl(tmp_path / "p.jsonl", [row(post_id="7"), row(post_id="7"), row(post_id="8")])
    report = import_file(path, settings)
    assert (report.imported, report.duplicates) == (2, 1)


def test_csv_with_broken_rows(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "posts.csv"
    path.write_text(
        "platform,post_id,url,author,text,published_at,likes,extra_col\n"
        'facebook,1,https://fb.com/p/1,An,"Rác ùn ứ, mùi hôi",20/11/2026 08:30,12,x\n'
        "facebook,2,https://fb.com/p/2,Bình,thiếu cột\n"
        'facebook,3,https://fb.com/p/3,Chi,"Nước sông đen, cá chết",2026-11-21,abc,y\n'
        'facebook,4,https://fb.com/p/4,Dũng,"Dòng ""trích dẫn"" có, dấu phẩy",1763600000,3,z\n',
        encoding="utf-8",
    )
    report = import_file(path, settings)
    assert report.imported == 3
    assert [(bad.line, "fields" in bad.reason) for bad in report.bad] == [(3, True)]
    assert report.ignored_columns == {"extra_col"}
    items = spooled(settings)
    assert items[0]["engagement"]["likes"] == 12
    assert items[1]["engagement"]["likes"] is None  # "abc" is not a count
    assert items[0]["published_at"].startswith("2026-11-20T08:30:00+07:00")
    assert items[2]["text"] == 'Dòng "trích dẫn" có, dấu phẩy'


def test_windows_1258_file_is_decoded_and_composed(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "legacy.jsonl"
    line = json.dumps(row(text="Người dân phản đối ô nhiễm môi trường"), ensure_ascii=False) + "\n"
    path.write_bytes(encode_cp1258(line))
    report = import_file(path, settings)
    assert report.imported == 1 and report.encoding.replace("_", "").lower() in ("cp1258", "windows1258")
    assert spooled(settings)[0]["text"] == "Người dân phản đối ô nhiễm môi trường"


def test_utf16_file_with_bom(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "export.jsonl"
    path.write_bytes(("\n".join(json.dumps(row(post_id=str(i)), ensure_ascii=False) for i in range(3)) + "\n").encode("utf-16"))
    report = import_file(path, settings)
    assert report.imported == 3
    assert spooled(settings)[0]["text"] == GOOD["text"]


def test_latin1_mojibake_is_repaired(tmp_path: Path, settings: Settings) -> None:
    garbled = "Ô nhiễm nguồn nước".encode().decode("latin-1")
    path = write_jsonl(tmp_path / "p.jsonl", [row(text=garbled)])
    report = import_file(path, settings)
    assert report.repaired == 1
    assert spooled(settings)[0]["text"] == "Ô nhiễm nguồn nước"


def test_nul_bytes_and_controls_are_removed(tmp_path: Path, settings: Settings) -> None:
    path = write_jsonl(tmp_path / "p.jsonl", [row(text="Nước\u0000 thải\u0007 đen")])
    import_file(path, settings)
    assert spooled(settings)[0]["text"] == "Nước thải đen"


def test_ten_megabyte_text_is_truncated_not_fatal(tmp_path: Path, settings: Settings) -> None:
    huge = ("ô nhiễm " * 1_400_000)[: 10 * 1024 * 1024]
    path = write_jsonl(tmp_path / "p.jsonl", [row(post_id="big", text=huge), row(post_id="small")])
    report = import_file(path, settings)
    assert report.imported == 2 and report.truncated == 1
    assert len(spooled(settings)[0]["text"]) <= MAX_TEXT_CHARS


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-20T08:00:00Z", "2026-11-20T08:00:00Z"),
        ("2026-11-20 15:00", "2026-11-20T15:00:00+07:00"),
        ("20/11/2026", "2026-11-20T00:00:00+07:00"),
        ("20-11-2026 7:05", "2026-11-20T07:05:00+07:00"),
        ("ngày 20 tháng 11 năm 2026", "2026-11-20T00:00:00+07:00"),
        ("Fri, 20 Nov 2026 01:00:00 GMT", "2026-11-20T01:00:00Z"),
        (1763600000, "2025-11-20T00:53:20Z"),
        ("1763600000000", "2025-11-20T00:53:20Z"),
    ],
)
def test_many_date_formats(tmp_path: Path, settings: Settings, value: object, expected: str) -> None:
    path = write_jsonl(tmp_path / "p.jsonl", [row(published_at=value)])
    assert import_file(path, settings).imported == 1
    assert spooled(settings)[0]["published_at"] == expected


@pytest.mark.parametrize("value", ["31/02/2026", "0000-00-00", "9999-12-31", "", None, "tuần trước", 12])
def test_nonsense_dates_are_rejected(tmp_path: Path, settings: Settings, value: object) -> None:
    path = write_jsonl(tmp_path / "p.jsonl", [row(published_at=value), row(post_id="ok")])
    report = import_file(path, settings)
    assert report.imported == 1 and report.bad_count == 1
    assert report.bad[0].reason.startswith("published_at")


def test_platform_option_fills_a_missing_column(tmp_path: Path, settings: Settings) -> None:
    rows = [{k: v for k, v in row().items() if k != "platform"}]
    path = write_jsonl(tmp_path / "p.jsonl", rows)
    assert import_file(path, settings).bad_count == 1
    report = import_file(path, settings, platform="Zalo")
    assert report.imported == 1 and spooled(settings)[0]["source"] == "zalo"


def test_parent_id_links_to_the_thread_item(tmp_path: Path, settings: Settings) -> None:
    path = write_jsonl(tmp_path / "p.jsonl", [row(post_id="t1"), row(post_id="r1", parent_id="t1")])
    import_file(path, settings)
    thread, reply = spooled(settings)
    assert reply["parent_id"] == thread["id"]


def test_missing_file_and_unknown_extension(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(InputError, match="does not exist"):
        import_file(tmp_path / "nope.jsonl", settings)
    other = tmp_path / "posts.xlsx"
    other.write_bytes(b"PK")
    with pytest.raises(InputError, match="neither .jsonl nor .csv"):
        import_file(other, settings)


def test_hostile_rows_are_reported_and_the_good_ones_kept(tmp_path: Path, settings: Settings) -> None:
    path = write_jsonl(
        tmp_path / "p.jsonl",
        [
            row(post_id="1", likes="1e400", shares=float("inf")),
            "[" * 100_000,
            row(post_id="2", url="http://[::1/posts/2"),
            row(post_id="3"),
        ],
    )
    report = import_file(path, settings)
    assert report.imported == 2
    assert [(bad.line, bad.reason.split(" ")[0]) for bad in report.bad] == [(2, "invalid"), (3, "url")]
    assert spooled(settings)[0]["engagement"]["likes"] is None


def test_truncated_utf16_file_keeps_its_complete_rows(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "export.jsonl"
    text = "\n".join(json.dumps(row(post_id=str(i)), ensure_ascii=False) for i in range(2)) + "\n"
    path.write_bytes(text.encode("utf-16") + b"\x00")  # an export cut off mid-character
    report = import_file(path, settings)
    assert report.imported == 2


def test_profile_handle_in_the_url_is_replaced_even_when_the_author_column_is_a_display_name(
    tmp_path: Path, settings: Settings
) -> None:
    path = write_jsonl(
        tmp_path / "p.jsonl",
        [row(post_id="1", author="Tin nóng vùng cao", url="https://www.tiktok.com/@tinnongvungcao/video/1")],
    )
    assert import_file(path, settings).imported == 1
    item = spooled(settings)[0]
    assert "tinnongvungcao" not in item["url"] and "tinnongvungcao" not in item["canonical_url"]
    assert item["url"] == f"https://www.tiktok.com/@{item['author_pseudonym']}/video/1"


def test_mentioned_handles_in_the_text_become_pseudonyms_too(tmp_path: Path, settings: Settings) -> None:
    text = "@lan.nguyen_92 ơi, nước sông lại đen rồi, hỏi @TuanHL xem. Liên hệ tonghop@baolangson.vn."
    path = write_jsonl(tmp_path / "p.jsonl", [row(post_id="1", platform="tiktok", text=text)])
    import_file(path, settings)
    stored = spooled(settings)[0]["text"]
    for handle in ("lan.nguyen_92", "TuanHL"):
        assert handle not in stored
    mentioned = pseudonymise_author("TuanHL", settings.pseudonym_key, "tiktok")
    assert f"hỏi {mentioned} xem" in stored  # the same pseudonym the person gets as an author
    assert "tonghop@baolangson.vn" in stored and stored.startswith("anon-") and " ơi, nước sông" in stored
