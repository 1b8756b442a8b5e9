"""Organisations named in a text: "Công ty (TNHH|CP|Cổ phần) …", "Tập đoàn …", keyed `org:`.

The key drops legal forms and connectors so wordings of one company link together:
"Công ty TNHH MK Noah Vina" and "Cty MK Noah Vina" → `org:mk-noah-vina`; "Công ty CP Tập đoàn
Hòa Phát" and "Tập đoàn Hòa Phát" → `org:hoa-phat`. Only companies and groups are extracted;
people are never (DESIGN.md: issue-centric, not person-centric).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.fastfold import fold_aligned, nfc
from nlp.phrase_match import Phrases, case_variants, is_caps_stop_word, trie_pattern
from nlp.project_lexicon import (
    BUSINESS_BIGRAMS,
    LEGAL_FORMS,
    ORGANISATION_CONNECTORS,
    ORGANISATION_HEADS,
)

MAX_NAME_WORDS = 12
LOOKAHEAD_CHARS = 200
_TOKEN = re.compile(r"[^\W_]+|%|&|-|–|[^\w\s]")
_LEGAL = Phrases(LEGAL_FORMS)
_HEAD = re.compile(
    "(?:" + trie_pattern(case_variants(
        ORGANISATION_HEADS + [fold_aligned(h) for h in ORGANISATION_HEADS]
    )) + r")(?![^\W_])"
)


@dataclass(frozen=True, slots=True)
class OrganisationMention:
    """A named company or group: its `org:` key and the words as written."""

    key: str
    name: str
    start: int
    end: int


def find_organisations(text: str) -> list[OrganisationMention]:
    """Companies and groups in order of mention."""
    text = nfc(text)
    found: list[OrganisationMention] = []
    for match in _HEAD.finditer(text):
        start = match.start()
        if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            continue
        if found and start < found[-1].end:
            continue  # "Tập đoàn" inside "Công ty Cổ phần Tập đoàn Hòa Phát"
        mention = _read_organisation(text, match)
        if mention is not None:
            found.append(mention)
    return found


def _read_organisation(text: str, match: re.Match[str]) -> OrganisationMention | None:
    words = [(m.group(), m.start(), m.end())
             for m in _TOKEN.finditer(text, match.end(), match.end() + LOOKAHEAD_CHARS)]
    folded = [fold_aligned(w) for w, _, _ in words]
    position = 0
    while (legal := _LEGAL.match(folded, position)) is not None:
        position += legal[0]
    shouting = match.group().isupper() and len(match.group()) > 3
    taken = _name_span(text, words, folded, position, shouting)
    if not taken:
        return None
    slug = "-".join(
        part for i in taken if folded[i] not in ORGANISATION_CONNECTORS
        for part in re.findall(r"[a-z0-9]+", folded[i])
    )
    if not slug:
        return None
    end = words[taken[-1]][2]
    return OrganisationMention(f"org:{slug}", text[match.start():end], match.start(), end)


def _name_span(text: str, words: list[tuple[str, int, int]], folded: list[str], position: int,
               shouting: bool) -> list[int]:
    """Indexes of the name's words: capitalised words, the lowercase syllables that complete a
    business word ("Xây dựng"), and "và"/"&"/"-" between capitalised parts."""
    taken: list[int] = []
    index = position
    while index < len(words) and len(taken) < MAX_NAME_WORDS:
        word, start, _ = words[index]
        if taken and "\n" in text[words[index - 1][2]:start]:
            break
        if shouting and is_caps_stop_word(word):
            break
        continues_word = taken and f"{folded[index - 1]} {folded[index]}" in BUSINESS_BIGRAMS
        if word[0].isupper() or word[0].isdigit() or continues_word:
            taken.append(index)
        elif taken and (folded[index] in ORGANISATION_CONNECTORS or word in "-–") \
                and index + 1 < len(words) and words[index + 1][0][0].isupper():
            if folded[index] in ORGANISATION_CONNECTORS:
                taken.append(index)
        else:
            break
        index += 1
    while taken and folded[taken[-1]] in ORGANISATION_CONNECTORS:
        taken.pop()
    return taken
