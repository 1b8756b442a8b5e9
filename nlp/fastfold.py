"""Length-preserving accent folding for scanning: one C-level str.translate per document.

index.text.fold is the reference (and what search uses); this table gives the same result on
NFC Vietnamese text, character for character, so offsets found in the folded text point at the
same words in the original. Matchers fold a whole article once instead of word by word.
"""

from __future__ import annotations

import unicodedata

from index.text import fold

# Basic Latin capitals, Latin-1/Extended-A/B and Latin Extended Additional (Vietnamese letters).
_RANGES = ((0x41, 0x5B), (0xC0, 0x250), (0x1E00, 0x1F00))


def _table() -> dict[int, str]:
    table: dict[int, str] = {}
    for low, high in _RANGES:
        for code in range(low, high):
            folded = fold(chr(code))
            if len(folded) == 1 and folded != chr(code):
                table[code] = folded
    return table


_FOLD_TABLE = _table()
UPPERCASE_LETTERS = "".join(
    chr(code) for low, high in _RANGES for code in range(low, high) if chr(code).isupper()
)


def fold_aligned(text: str) -> str:
    """fold(text) with len(result) == len(text) for NFC input: 'Đồng Bành' → 'dong banh'."""
    return text.translate(_FOLD_TABLE)


def nfc(text: str) -> str:
    """NFC only when needed (the normalise step has usually done it already)."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def is_unaccented(text: str) -> bool:
    """True for text typed without Vietnamese diacritics ('xa Cai Kinh, huyen Huu Lung').

    Counts multi-byte characters in C: accented Vietnamese runs at ~20% of characters, so a
    text under 1% is written in plain ASCII and type words must be matched folded.
    """
    extra_bytes = len(text.encode("utf-8")) - len(text)
    return extra_bytes < 0.01 * max(1, len(text))
