"""Lexicon rules: the transparent half of every label's reasons."""

from __future__ import annotations

from nlp.lexicons import lexicon_names, match_lexicons


def test_multi_syllable_phrases_match_without_diacritics() -> None:
    found = match_lexicons("nghe noi ca chet hang loat o song")
    assert "nghe nói" in found["hedges"]
    assert "cá chết" in found["health_harm"]


def test_single_syllables_need_their_accents() -> None:
    assert "chết" in match_lexicons("Cây chết khô")["health_harm"]
    assert "health_harm" not in match_lexicons("chét keo vào khe")


def test_collective_action_phrases() -> None:
    found = match_lexicons("Hàng trăm hộ dân kéo đến chặn cổng nhà máy, căng băng rôn phản đối.")
    assert {"kéo đến", "chặn cổng", "căng băng rôn", "phản đối"} <= set(found["collective_action"])


def test_every_lexicon_file_is_loaded() -> None:
    names = lexicon_names()
    for expected in ("collective_action", "cover_up", "debunk", "hedges", "sensational", "sourcing", "topic_water"):
        assert expected in names
