"""Text primitives every stage shares: NFC, control-character removal and accent folding.

Folding is here (not in nlp/) because the query parser and both backends need it, and
index/ must not import another stage. nlp/normalise.py builds the full normaliser on top.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from index.errors import InputError

# Lone surrogates too: JSON's "\ud800" escapes decode to them, and no UTF-8 file or database takes them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200d\u2060\ufeff\ud800-\udfff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
# đ/Đ are letters of their own, not d plus a diacritic, so NFD does not fold them.
_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def strip_controls(text: str) -> str:
    """Drop NUL and other control/zero-width characters (and lone surrogates) that break storage and tokenisers."""
    return _CONTROL.sub("", text)


def clean_whitespace(text: str) -> str:
    """Collapse runs of spaces, keep paragraph breaks, trim."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def fold(text: str) -> str:
    """Lowercase and remove every diacritic, đ→d included: 'Đất đai Ô nhiễm' → 'dat dai o nhiem'.

    Idempotent: fold(fold(x)) == fold(x).
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).lower()


def basic_clean(text: str) -> str:
    """NFC, no control characters, tidy whitespace: the minimum applied to any stored text."""
    return clean_whitespace(strip_controls(nfc(text)))


def truncate(text: str, max_chars: int) -> tuple[str, bool]:
    """Cut text to max_chars at a whitespace boundary; report whether it was cut."""
    if len(text) <= max_chars:
        return text, False
    cut = text.rfind(" ", 0, max_chars)
    return text[: cut if cut > max_chars // 2 else max_chars].rstrip(), True


def read_utf8(path: Path) -> str:
    """A text file a user gives or edits: UTF-8, with or without a byte-order mark (as Windows
    editors save it); anything else is one sentence naming the file."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path.name} is not UTF-8 text (byte {exc.start}); save it as UTF-8 and retry.") from None
