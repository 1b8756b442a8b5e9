"""The one text normaliser: NFC, HTML entities, control characters, tone marks, whitespace.

Social-text normalisation (teencode, repeated letters, emoji, URLs) builds on this in
nlp/social.py; search folding lives in index/text.py because the query parser needs it too.
"""

from __future__ import annotations

import html
import re

from index.text import basic_clean, fold, nfc

__all__ = ["fold", "normalise_text", "normalise_tone_marks"]

# Tone on the second vowel of an open "oa/oe/uy" syllable ("hoà", "thuỷ") is the newer
# spelling; the press mostly writes "hòa", "thủy". One spelling makes n-grams and
# gazetteer matches agree. Syllables that continue ("hoàng", "thuyết") are already right.
_TONES = {
    "à": "ò", "á": "ó", "ả": "ỏ", "ã": "õ", "ạ": "ọ",
    "è": "ò", "é": "ó", "ẻ": "ỏ", "ẽ": "õ", "ẹ": "ọ",
}
_TONES_Y = {"ỳ": "ù", "ý": "ú", "ỷ": "ủ", "ỹ": "ũ", "ỵ": "ụ"}
_BASE = {"à": "a", "á": "a", "ả": "a", "ã": "a", "ạ": "a", "è": "e", "é": "e", "ẻ": "e", "ẽ": "e", "ẹ": "e",
         "ỳ": "y", "ý": "y", "ỷ": "y", "ỹ": "y", "ỵ": "y"}
_OA_OE = re.compile(r"(?<![qQ\w])([hkltdsxnmvgbcrpđĐHKLTDSXNMVGBCRP]{0,2})([oO])([àáảãạèéẻẽẹ])(?!\w)")
_UY = re.compile(r"(?<![qQ\w])([hkltdsxnmvgbcrpđĐHKLTDSXNMVGBCRP]{0,2})([uU])([ỳýỷỹỵ])(?!\w)")


def _move_oa(match: re.Match[str]) -> str:
    onset, vowel, toned = match.groups()
    marked = _TONES[toned]
    return onset + (marked.upper() if vowel.isupper() else marked) + _BASE[toned]


def _move_uy(match: re.Match[str]) -> str:
    onset, vowel, toned = match.groups()
    marked = _TONES_Y[toned]
    return onset + (marked.upper() if vowel.isupper() else marked) + _BASE[toned]


def normalise_tone_marks(text: str) -> str:
    """'hoà' → 'hòa', 'thuỷ' → 'thủy', 'khoẻ' → 'khỏe'; 'quý', 'hoàng' unchanged."""
    return _UY.sub(_move_uy, _OA_OE.sub(_move_oa, text))


_TAGS = re.compile(r"<[^>]{0,200}>")


def normalise_text(text: str) -> str:
    """What every stored or analysed text goes through once."""
    text = nfc(text)
    if "&" in text:
        text = html.unescape(text)
    if "<" in text and ">" in text:
        text = _TAGS.sub(" ", text)
    return normalise_tone_marks(basic_clean(text))
