"""The SQLite index feeds FTS5 a cheap stand-in for fold(); it must give the same tokens."""

from __future__ import annotations

import sqlite3

import pytest

from index.sqlite_backend import fts_text
from index.text import fold

# Every block fts_text handles without fold(), plus neighbours that must take fold().
CHECKED_BLOCKS = [
    (0x20, 0x7F), (0xA0, 0x250), (0x1E00, 0x1F00), (0x2000, 0x2070), (0x20A0, 0x20D0),
    (0x2100, 0x2150), (0x2190, 0x2200), (0x2500, 0x2800), (0x1F300, 0x1FA00),
    (0x300, 0x370), (0x370, 0x400), (0x400, 0x530), (0x3040, 0x3100),
]


@pytest.fixture(scope="module")
def tokens():  # type: ignore[no-untyped-def]
    """unicode61 remove_diacritics 2 tokens of a string, as docs_fts sees them."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61 remove_diacritics 2')")
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")

    def tokenise(text: str) -> list[str]:
        conn.execute("DELETE FROM t")
        conn.execute("INSERT INTO t(rowid, x) VALUES (1, ?)", (text,))
        return [row[0] for row in conn.execute("SELECT term FROM v ORDER BY offset")]

    yield tokenise
    conn.close()


def test_fts_text_tokenises_like_fold_for_every_checked_character(tokens) -> None:  # type: ignore[no-untyped-def]
    differing = [
        hex(code)
        for low, high in CHECKED_BLOCKS
        for code in range(low, high)
        for sample in (f"q{chr(code)}q", f"Q{chr(code)}", chr(code))
        if tokens(fts_text(sample)) != tokens(fold(sample))
    ]
    assert differing == []


def test_vietnamese_text_keeps_its_length_and_only_loses_the_stroke_on_d() -> None:
    text = "Đất đai ở TP.HCM bị ô nhiễm 😡"
    assert fts_text(text) == "Dất dai ở TP.HCM bị ô nhiễm 😡"


def test_other_scripts_still_go_through_fold() -> None:
    assert fts_text("Ελλάδα й") == fold("Ελλάδα й")
