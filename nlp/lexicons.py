"""Transparent lexicon features: phrase lists in nlp/data/lexicons, matched over a text.

Phrases of two or more syllables are matched on folded syllables (so unaccented social
posts match too); single syllables only on the accented lower-case text, where folding
would be ambiguous ("chết" vs "chét", "rác" vs "rạc"). Matching is one pass of dictionary
lookups over syllable n-grams, so it costs about a millisecond for a long article.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from index.text import fold, nfc

LEXICON_DIR = Path(__file__).resolve().parent / "data" / "lexicons"
MAX_PHRASE_SYLLABLES = 6
_SYLLABLE = re.compile(r"\w+(?:[.,]\w+)*%?")


@dataclass(frozen=True)
class Lexicon:
    name: str
    phrases: tuple[str, ...]


@dataclass
class LexiconIndex:
    """Folded syllable tuple → [(lexicon name, canonical phrase, accented form or None)]."""

    lexicons: tuple[Lexicon, ...]
    entries: dict[tuple[str, ...], list[tuple[str, str, str | None]]] = field(default_factory=dict)
    longest: int = 1

    @classmethod
    def build(cls, lexicons: tuple[Lexicon, ...]) -> LexiconIndex:
        entries: dict[tuple[str, ...], list[tuple[str, str, str | None]]] = defaultdict(list)
        longest = 1
        for lexicon in lexicons:
            for phrase in lexicon.phrases:
                syllables = tuple(_SYLLABLE.findall(fold(phrase)))
                if not syllables or len(syllables) > MAX_PHRASE_SYLLABLES:
                    continue
                longest = max(longest, len(syllables))
                entries[syllables].append((lexicon.name, phrase, phrase if len(syllables) == 1 else None))
        return cls(lexicons, dict(entries), longest)

    def match(self, text: str) -> dict[str, list[str]]:
        """Lexicon name → canonical phrases found (one per occurrence; empty lexicons omitted)."""
        lower = nfc(text).lower()
        accented = _SYLLABLE.findall(lower)
        folded = _SYLLABLE.findall(fold(lower))
        if len(folded) != len(accented):  # a rare character folded into punctuation: align by hand
            folded = [fold(syllable) for syllable in accented]
        found: dict[str, list[str]] = {}
        entries, longest = self.entries, self.longest
        for start in range(len(folded)):
            for size in range(1, longest + 1):
                key = tuple(folded[start : start + size])
                if len(key) < size:
                    break
                for name, phrase, must_equal in entries.get(key, ()):
                    if must_equal is not None and accented[start] != must_equal:
                        continue
                    found.setdefault(name, []).append(phrase)
        return found


def load_lexicon(path: Path) -> Lexicon:
    phrases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        phrase = nfc(line.split("#", 1)[0]).strip().lower()
        if phrase:
            phrases.append(phrase)
    return Lexicon(name=path.stem, phrases=tuple(dict.fromkeys(phrases)))


@lru_cache(maxsize=4)
def lexicon_index(folder: Path = LEXICON_DIR) -> LexiconIndex:
    """Every lexicon file, in name order (the feature order the models were trained with)."""
    return LexiconIndex.build(tuple(load_lexicon(path) for path in sorted(folder.glob("*.txt"))))


def lexicon_names(folder: Path = LEXICON_DIR) -> list[str]:
    return [lexicon.name for lexicon in lexicon_index(folder).lexicons]


def match_lexicons(text: str) -> dict[str, list[str]]:
    """Lexicon name → phrases found in text."""
    return lexicon_index().match(text)
