"""Social-text normalisation: teencode and abbreviations, stretched letters, emoji and URLs.

Applied to the text the models read (and the segmented tokens search uses), never to the
stored text an analyst reads.
"""

from __future__ import annotations

import re

from index.text import fold

# Shorthand seen in Vietnamese forum and Facebook posts. Single letters are included only
# where the shorthand reading dominates in social text ("k", "r", "j"); ambiguous ones
# ("v", "e", "a", "t", "nc") are left alone.
TEENCODE = {
    "ko": "không", "k": "không", "kh": "không", "khong": "không", "hok": "không", "hông": "không",
    "hem": "không", "hk": "không", "kg": "không", "kô": "không", "khg": "không", "0k": "không",
    "dc": "được", "đc": "được", "dk": "được", "đk": "được", "duoc": "được", "đươc": "được",
    "ng": "người", "ngta": "người ta", "nguoi": "người",
    "j": "gì", "ji": "gì", "vs": "với", "voi": "với", "mn": "mọi người", "mng": "mọi người",
    "ae": "anh em", "cx": "cũng", "cũg": "cũng", "bít": "biết", "bik": "biết", "bjt": "biết",
    "wá": "quá", "qá": "quá", "r": "rồi", "rùi": "rồi", "trc": "trước", "bh": "bây giờ",
    "bjo": "bây giờ", "bjờ": "bây giờ", "ntn": "như thế nào", "mik": "mình", "mk": "mình",
    "thik": "thích", "iu": "yêu", "lm": "làm", "ms": "mới", "đag": "đang", "dag": "đang",
    "nhìu": "nhiều", "hum": "hôm", "hnay": "hôm nay", "hqua": "hôm qua", "thui": "thôi",
    "lun": "luôn", "tks": "cảm ơn", "thanks": "cảm ơn", "cty": "công ty", "ubnd": "UBND",
    "tnmt": "TN&MT", "bvmt": "bảo vệ môi trường", "csgt": "cảnh sát giao thông", "sđt": "số điện thoại",
    "nt": "nhắn tin", "ib": "nhắn tin", "fb": "facebook", "zalo": "Zalo", "ktra": "kiểm tra",
    "kt": "kiểm tra", "chx": "chưa", "chưa": "chưa", "bn": "bao nhiêu", "nhg": "nhưng", "nhưg": "nhưng",
    "ak": "à", "uk": "ừ", "uh": "ừ", "oke": "ok", "okela": "ok", "thì": "thì", "dân mình": "dân mình",
}
_WORD = re.compile(r"(?<![\w&])([^\W\d_]+|0k)(?![\w&])", re.UNICODE)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U0001f900-\U0001f9ff\u2b00-\u2bff\ufe0f\u200d]+"
)
_PUNCT_RUN = re.compile(r"([!?.])\1+")
_SPACES = re.compile(r"[ \t]+")


def expand_teencode(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        word = match.group(1)
        expansion = TEENCODE.get(word.lower())
        if expansion is None:
            return word
        return expansion.capitalize() if word[0].isupper() and expansion.islower() else expansion

    return _WORD.sub(replace, text)


def collapse_stretched(text: str) -> str:
    """'quáaaa' → 'quá', 'điiii' → 'đi'; a plain identical pair ('xoong') is kept."""
    out: list[str] = []
    run_base = ""
    run: list[str] = []

    def flush() -> None:
        if len(run) >= 3 or (len(run) == 2 and run[0] != run[1]):
            toned = [char for char in run if fold(char) != char.lower()]
            out.append(toned[0] if toned else run[0])
        else:
            out.extend(run)

    for char in text:
        base = fold(char) if char.isalpha() else ""
        if base and base == run_base:
            run.append(char)
            continue
        flush()
        run, run_base = [char], base
    flush()
    return "".join(out)


def strip_urls(text: str) -> str:
    return _URL.sub(" ", text)


def strip_emoji(text: str) -> str:
    return _EMOJI.sub(" ", text)


def count_emoji(text: str) -> int:
    return sum(len(run) for run in _EMOJI.findall(text))


def normalise_social(text: str) -> str:
    """URLs and emoji out, stretched letters collapsed, shorthand expanded, '!!!' → '!'."""
    text = strip_emoji(strip_urls(text))
    text = _PUNCT_RUN.sub(r"\1", collapse_stretched(text))
    text = expand_teencode(text)
    return _SPACES.sub(" ", text).strip()
