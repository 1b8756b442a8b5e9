"""Small matching helpers for the extractors: phrases at a token position, fast head regexes."""

from __future__ import annotations

import re
from collections.abc import Iterable

from nlp.fastfold import fold_aligned
from nlp.project_lexicon import CAPS_STOP_WORDS, CAPS_STOP_WORDS_FOLDED

_SYLLABLES = re.compile(r"[^\W_]+|[^\w\s]")


class Phrases:
    """Canonical phrases matched on folded tokens at a given position, longest first."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self.by_tokens: dict[tuple[str, ...], str] = {}
        for phrase in phrases:
            tokens = tuple(_SYLLABLES.findall(fold_aligned(phrase)))
            self.by_tokens.setdefault(tokens, phrase)
        self.longest = max((len(t) for t in self.by_tokens), default=0)

    def match(self, folded_tokens: list[str], position: int) -> tuple[int, str] | None:
        """(tokens used, canonical phrase) for the longest phrase starting at position."""
        for length in range(min(self.longest, len(folded_tokens) - position), 0, -1):
            phrase = self.by_tokens.get(tuple(folded_tokens[position:position + length]))
            if phrase is not None:
                return length, phrase
        return None


def case_variants(phrases: Iterable[str]) -> list[str]:
    """How a phrase is written in running text, sentence starts, Title Case and ALL CAPS."""
    variants: set[str] = set()
    for phrase in phrases:
        variants.update({phrase, phrase[:1].upper() + phrase[1:], phrase.title(), phrase.upper()})
    return sorted(variants)


def trie_pattern(words: Iterable[str]) -> str:
    """One regex alternation with shared prefixes factored out ('nhà máy|nhà ở' → 'nhà (?:máy|ở)').

    Python's regex engine tries alternatives one by one; a trie makes a scan over an article
    with hundreds of head variants cost about as much as one with a handful.
    """
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _emit(trie)


def _emit(node: dict) -> str:
    branches = []
    optional = False
    for char, child in sorted(node.items()):
        if char == "":
            optional = True
            continue
        branches.append(re.escape(char) + _emit(child))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 and not optional else "(?:" + "|".join(branches) + ")"
    if optional:
        body = f"{body}?" if body.startswith("(?:") else f"(?:{body})?"
    return body


def is_caps_stop_word(word: str) -> bool:
    """Whether a word written in capitals is a function word that ends a name ('GÂY', 'GAY')."""
    lower = word.lower()
    return lower in CAPS_STOP_WORDS or lower in CAPS_STOP_WORDS_FOLDED
