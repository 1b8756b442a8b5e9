"""Text normalisation: one spelling for the same word, social shorthand expanded."""

from __future__ import annotations

import pytest

from nlp.normalise import normalise_text, normalise_tone_marks
from nlp.social import (
    collapse_stretched,
    count_emoji,
    expand_teencode,
    normalise_social,
    strip_urls,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hoà bình", "hòa bình"),
        ("thuỷ điện", "thủy điện"),
        ("hoá chất", "hóa chất"),
        ("khoẻ mạnh", "khỏe mạnh"),
        ("Thuỷ", "Thủy"),
        ("quý", "quý"),  # qu+y: the mark belongs on y
        ("hoàng hôn", "hoàng hôn"),  # a closed syllable is already right
        ("thuyết phục", "thuyết phục"),
    ],
)
def test_tone_marks_follow_one_convention(text: str, expected: str) -> None:
    assert normalise_tone_marks(text) == expected


def test_normalise_text_composes_unescapes_and_tidies() -> None:
    decomposed = "O\u0302 nhie\u0302\u0303m"  # NFD, as windows-1258 pages arrive
    assert normalise_text(f"  {decomposed}  &amp;\u00a0<b>rác</b>\u0000 ") == "Ô nhiễm & rác"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ko biết", "không biết"),
        ("K ai quan tâm", "Không ai quan tâm"),
        ("hok dc đâu", "không được đâu"),
        ("đc ko", "được không"),
        ("ng dân khổ wá", "người dân khổ quá"),
        ("mn ơi ae cx biết r", "mọi người ơi anh em cũng biết rồi"),
        ("cty xả thải", "công ty xả thải"),
    ],
)
def test_teencode_is_expanded(text: str, expected: str) -> None:
    assert expand_teencode(text) == expected


def test_teencode_leaves_ordinary_words_alone() -> None:
    sentence = "Không khí ở Hà Nội, kể cả khi ông Kha về"
    assert expand_teencode(sentence) == sentence


def test_stretched_letters_collapse_but_real_pairs_stay() -> None:
    assert collapse_stretched("quáaaaa điiii nhaaa") == "quá đi nha"
    assert collapse_stretched("xoong nồi") == "xoong nồi"


def test_emoji_and_urls_are_removed_for_analysis() -> None:
    text = "Nước đen kìa 😡😡 xem https://fb.com/abc?x=1 !!!"
    assert count_emoji(text) == 2
    assert "https" not in strip_urls(text)
    assert normalise_social(text) == "Nước đen kìa xem !"
