"""The query syntax analysts type: words, "phrases", AND/OR/NOT, -exclusions, brackets."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.errors import QueryError
from index.query import And, Not, Or, Phrase, Term, build_query, parse_query, positive_terms, render
from index.text import fold


def test_plain_words_are_folded_and_anded() -> None:
    assert parse_query("Ô nhiễm Đất đai") == And((Term("o"), Term("nhiem"), Term("dat"), Term("dai")))


def test_empty_and_punctuation_only_queries_match_everything() -> None:
    for text in ("", "   ", "*:*", "!!!", '""', "()"):
        assert parse_query(text) is None


def test_quoted_phrase_keeps_word_order() -> None:
    assert parse_query('"ô nhiễm môi trường"') == Phrase(("o", "nhiem", "moi", "truong"))


def test_or_binds_looser_than_and() -> None:
    assert parse_query("rác OR nước thải") == Or((Term("rac"), And((Term("nuoc"), Term("thai")))))


def test_minus_and_not_exclude() -> None:
    assert parse_query("rác -nhựa") == And((Term("rac"), Not(Term("nhua"))))
    assert parse_query("rác NOT nhựa") == parse_query("rác -nhựa")
    assert parse_query('rác -"bãi chôn"') == And((Term("rac"), Not(Phrase(("bai", "chon")))))


def test_whole_query_may_be_only_exclusions() -> None:
    assert parse_query("-rác") == Not(Term("rac"))


def test_hyphenated_word_is_a_phrase() -> None:
    assert parse_query("xi-măng") == Phrase(("xi", "mang"))


def test_lowercase_operators_are_words() -> None:
    assert parse_query("rác or nước") == And((Term("rac"), Term("or"), Term("nuoc")))


def test_brackets_group() -> None:
    assert parse_query("(rác OR nước) thải") == And((Or((Term("rac"), Term("nuoc"))), Term("thai")))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('"ô nhiễm', "unclosed quote"),
        ("(rác", "'(' without a matching ')'"),
        ("rác)", "')' without a matching '('"),
        ("AND rác", "starts with AND"),
        ("rác AND", "ends with AND"),
        ("rác OR", "ends with OR"),
        ("OR rác", "starts with OR"),
        ("rác NOT", "must be followed"),
        ("rác OR -nước", "OR-branch made only of excluded words"),
        ("a -(-b)", "Excluding an exclusion"),
        ("x" * 1001, "characters long"),
        (" ".join(["từ"] * 65), "more than 64 words"),
        ("(" * 20 + "a" + ")" * 20, "deeper than"),
    ],
)
def test_malformed_queries_raise_one_clear_sentence(text: str, fragment: str) -> None:
    with pytest.raises(QueryError) as error:
        parse_query(text)
    message = str(error.value)
    assert fragment in message
    assert message.endswith(".") and "\n" not in message


def test_render_is_a_canonical_form_that_parses_to_the_same_tree() -> None:
    for text in ('"đất đai" OR rừng -"thủy điện"', "a (b OR c) -d", "-(a OR b) c"):
        tree = parse_query(text)
        assert parse_query(render(tree)) == tree


def test_positive_terms_ignore_exclusions() -> None:
    assert positive_terms(parse_query('rác "nước thải" -nhựa')) == ["rac", "nuoc", "thai"]


def test_filters_are_validated_with_a_clear_message() -> None:
    with pytest.raises(QueryError, match="unknown topic 'weather'"):
        build_query("", topic=["weather"])
    with pytest.raises(QueryError, match="sensitivity"):
        build_query("", min_sensitivity="extreme")
    with pytest.raises(QueryError, match="min_misinfo"):
        build_query("", min_misinfo=1.5)


# ---- properties -------------------------------------------------------------

vietnamese = st.text(
    alphabet=st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵĐÂÔƯ ")),
    max_size=60,
)


@given(vietnamese)
def test_folding_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(vietnamese)
def test_folding_removes_every_diacritic(text: str) -> None:
    assert fold(text).isascii()


@settings(max_examples=400)
@given(st.text(max_size=120))
def test_any_string_parses_or_raises_query_error(text: str) -> None:
    try:
        tree = parse_query(text)
    except QueryError as error:
        assert str(error)
        return
    if tree is not None:
        assert parse_query(render(tree)) == tree


@settings(max_examples=300)
@given(st.lists(st.sampled_from(['"', "(", ")", "-", "AND", "OR", "NOT", "rác", "nước", " ", "*", ":", "\\"]), max_size=20))
def test_operator_soup_parses_or_raises_query_error(parts: list[str]) -> None:
    with contextlib.suppress(QueryError):
        parse_query(" ".join(parts))
