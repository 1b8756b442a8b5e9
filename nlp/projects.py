"""Named projects ("mỏ đá Hữu Lũng", "KCN Đồng Văn II") and organisations, with stable keys.

A project is a head ("dự án", "nhà máy", "mỏ đá", "bãi rác", "KCN", "thủy điện", …), a few
category words ("xi măng", "đá vôi") and a capitalised name; "dự án này" or "nhà máy" alone
are not projects. "mỏ đá ở Hữu Lũng" counts when the words after "ở"/"tại" name a known place,
because that is how people refer to a quarry they have no other name for.

Keys link wordings of one project: `kind:name`, folded, ASCII, hyphenated, Roman numerals as
digits, a trailing province dropped. "Dự án mỏ đá Hữu Lũng", "mỏ đá ở Hữu Lũng", "MỎ ĐÁ HỮU
LŨNG", "mo da Huu Lung" → `mo-da:huu-lung`; "KCN Đồng Văn 2" = "khu công nghiệp Đồng Văn II" →
`kcn:dong-van-2`. Organisations: `org:` + the name without legal forms ("Công ty TNHH MK Noah
Vina" → `org:mk-noah-vina`). A project named inside a company name ("Công ty Thủy điện Sông
Đà") is the company, not a project.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.records import Document
from nlp.fastfold import fold_aligned, nfc
from nlp.gazetteer import DISTRICT, PROVINCE, load_gazetteer, name_key, spelling
from nlp.organisations import OrganisationMention, find_organisations
from nlp.phrase_match import Phrases, case_variants, is_caps_stop_word, trie_pattern
from nlp.project_lexicon import (
    ACRONYM_HEADS,
    CATEGORIES,
    CATEGORY_IN_KEY,
    MINERAL_DETAILS,
    MINERALS,
    PROJECT_HEADS,
)

__all__ = ["OrganisationMention", "ProjectMention", "ProjectsStep", "find_organisations",
           "find_projects"]

MAX_NAME_WORDS = 6
Word = tuple[str, int, int]  # a token and its offsets in the text
LOOKAHEAD_CHARS = 100  # category words and a name fit; tokenising further costs time
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]")
_ROMAN = {"I": "1", "II": "2", "III": "3", "IV": "4", "V": "5", "VI": "6", "VII": "7",
          "VIII": "8", "IX": "9", "X": "10"}
_AT = {"ở", "tại", "o", "tai"}
_TYPE_WORDS = Phrases(["xã", "phường", "thị trấn", "huyện", "quận", "thị xã", "thành phố",
                       "tỉnh", "tp", "tx", "tt", "đặc khu"])

_HEADS: dict[str, tuple[str, str]] = {}
for _head, _kind in PROJECT_HEADS.items():  # the first spelling listed is the one displayed
    _shown = _head.upper() if _head in ACRONYM_HEADS else _head
    _HEADS.setdefault(fold_aligned(_head), (_shown, _kind))
_MINERALS = Phrases(MINERALS)
_MINERAL_DETAILS = Phrases(MINERAL_DETAILS)
_CATEGORIES = {kind: Phrases(words) for kind, words in CATEGORIES.items()}
# No optional "dự án" group in front: a pattern that starts with a plain alternation lets the
# regex engine skip to candidate letters (3x faster). "dự án" before a head is read in Python.
_HEAD_PATTERN = re.compile(
    r"(?P<head>" + trie_pattern(
        [v for head in PROJECT_HEADS if head not in ACRONYM_HEADS
         for v in case_variants([head, fold_aligned(head)])]
        + [head.upper() for head in ACRONYM_HEADS]
    ) + r")(?![^\W_])"
)
_PROJECT_PREFIX = re.compile(r"(?:dự án|du an)[ \t]+\Z", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ProjectMention:
    """One mention of a named project: its stable key, a readable name, its kind."""

    key: str
    name: str
    kind: str
    start: int
    end: int


def find_projects(
    text: str, organisations: list[OrganisationMention] | None = None
) -> list[ProjectMention]:
    """Named projects in order of mention (a project mentioned twice appears twice).

    organisations: the text's companies when already found, so heads inside their names
    ("Công ty Thủy điện Sông Đà") are skipped without a second scan.
    """
    text = nfc(text)
    if organisations is None:
        organisations = find_organisations(text)
    inside_companies = [(o.start, o.end) for o in organisations]
    found = []
    for match in _HEAD_PATTERN.finditer(text):
        start = match.start()
        if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            continue
        if any(a <= start < b for a, b in inside_companies):
            continue
        is_generic = _HEADS[fold_aligned(match["head"])][1] == "du-an"
        if is_generic and _HEAD_PATTERN.match(text, _after_spaces(text, match.end())):
            continue  # "dự án thủy điện X" is read from its own head, "thủy điện"
        prefix = _PROJECT_PREFIX.search(text, max(0, start - 8), start)
        mention = _read_project(text, match, prefix.group().strip() if prefix else None)
        if mention is not None:
            found.append(mention)
    return found


class ProjectsStep:
    """enrichment.projects (unique keys, first mention first), project_names, organisations."""

    name = "projects"

    def __call__(self, document: Document) -> None:
        text = f"{document.title}\n{document.text}" if document.title else document.text
        enrichment = document.enrichment
        organisations = find_organisations(text)
        names: dict[str, str] = {}
        for mention in find_projects(text, organisations):
            if mention.key not in names or _reads_better(mention.name, names[mention.key]):
                names[mention.key] = mention.name
        enrichment.projects = list(names)
        enrichment.project_names = names
        enrichment.organisations = list(dict.fromkeys(o.key for o in organisations))


def _read_project(text: str, match: re.Match[str], prefix: str | None) -> ProjectMention | None:
    head_written = match["head"]
    head, kind = _HEADS[fold_aligned(head_written)]
    shouting = _is_shouting(head_written, prefix)
    window_start = match.end()
    window = fold_aligned(text[window_start:window_start + LOOKAHEAD_CHARS])
    words = [(m.group(), m.start(), m.end())
             for m in _TOKEN.finditer(text, window_start, window_start + LOOKAHEAD_CHARS)]
    folded = [window[s - window_start:e - window_start] for _, s, e in words]
    position, readable = 0, [head]
    if kind == "mo":
        mineral = _MINERALS.match(folded, position)
        if mineral is not None:
            length, phrase = mineral
            kind = f"mo-{MINERALS[phrase]}"
            readable.append(phrase)
            position += length
            while (detail := _MINERAL_DETAILS.match(folded, position)) is not None:
                position += detail[0]
    category_words: list[str] = []
    categories = _CATEGORIES.get(kind)
    while categories is not None and (found := categories.match(folded, position)) is not None:
        category_words.append(found[1])
        position += found[0]
    name_words = _name_words(text, words, position, shouting)
    if not name_words:
        name_words = _place_after(words, folded, position)
    if not name_words and not shouting:
        name_words = _lowercase_place(words, folded, position)
    if not name_words:
        return None
    name_words = _without_trailing_province(name_words)
    slug_words = [fold_aligned(c) for c in category_words] if kind in CATEGORY_IN_KEY else []
    slug_words += [_ROMAN.get(w, fold_aligned(w)) for w, _, _ in name_words]
    slug = "-".join(s for w in slug_words for s in re.findall(r"[a-z0-9]+", w))
    if not slug:
        return None
    readable_name = " ".join(readable + category_words + [_readable_name(text, name_words)])
    start = match.start() - (len(prefix) + 1 if prefix else 0)
    return ProjectMention(f"{kind}:{slug}", readable_name, kind, start, match.end())


def _after_spaces(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t":
        position += 1
    return position


def _is_shouting(head: str, prefix: str | None) -> bool:
    """ALL CAPS or Title Case headings: capitals no longer mark where a name starts and ends."""
    written = f"{prefix} {head}" if prefix else head
    letters = [w for w in written.split() if w.isalpha()]
    if head.lower() in ACRONYM_HEADS and not prefix:
        return False
    if all(w.isupper() for w in letters) and any(len(w) > 1 for w in letters):
        return True
    return len(letters) > 1 and all(w[0].isupper() for w in letters)


def _name_words(text: str, words: list[Word], position: int, shouting: bool) -> list[Word]:
    """Capitalised words and numbers right after the head, on one line, without punctuation
    other than a tight hyphen or '&' inside the name ("Đăk-Mi", "Lee & Man")."""
    taken: list[tuple[str, int, int]] = []
    previous_end = words[position - 1][2] if position else None
    for word, start, end in words[position:position + MAX_NAME_WORDS + 2]:
        if previous_end is not None and "\n" in text[previous_end:start]:
            break
        if taken and (word == "&" or (word == "-" and start == previous_end)):
            previous_end = end
            continue
        if not (word[0].isupper() or word.isdigit()) or not word[0].isalnum():
            break
        taken.append((word, start, end))
        previous_end = end
        if len(taken) == MAX_NAME_WORDS:
            break
    if shouting and taken:
        return _shouted_name(taken)
    return taken


def _shouted_name(words: list[Word]) -> list[Word]:
    """In capitals: a known place name if it starts there, else words up to a function word."""
    known = load_gazetteer().known
    for length in range(min(len(words), 5), 0, -1):
        if _key_of(words[:length]) in known and (length > 1 or len(words) == 1):
            return words[:length]
    kept: list[Word] = []
    for word in words[:3]:
        if is_caps_stop_word(word[0]):
            break
        kept.append(word)
    return kept


def _place_after(words: list[Word], folded: list[str], position: int) -> list[Word]:
    """'mỏ đá ở (xã) Hữu Lũng' → the place words, when they name a known unit."""
    if position >= len(words) or folded[position] not in _AT:
        return []
    position += 1
    type_word = _TYPE_WORDS.match(folded, position)
    if type_word is not None:
        position += type_word[0]
    candidate = []
    for word in words[position:position + 5]:
        if not word[0][0].isupper() or not word[0].isalnum():
            break
        candidate.append(word)
    known = load_gazetteer().known
    for length in range(len(candidate), 1, -1):
        if _key_of(candidate[:length]) in known:
            return candidate[:length]
    return _lowercase_place(words, folded, position)


def _lowercase_place(words: list[Word], folded: list[str], position: int) -> list[Word]:
    """Social posts skip capitals ('mỏ đá hữu lũng'): accept a province or district name of two
    syllables or more, spelled exactly, tone marks included, since without them ordinary words
    collide with names ('cần được' is not Cần Đước). Communes are too ambiguous."""
    gazetteer = load_gazetteer()
    for length in range(min(4, len(words) - position), 1, -1):
        written = words[position:position + length]
        if not all(w.isalpha() for w, _, _ in written):
            continue
        key = "".join(folded[position:position + length])
        spelled = spelling(" ".join(w for w, _, _ in written))
        for level in (PROVINCE, DISTRICT):
            if any(gazetteer.units[uid].name_lower == spelled
                   for uid in gazetteer.names[level].get(key, ())):
                return written
    return []


def _without_trailing_province(words: list[Word]) -> list[Word]:
    """'mỏ đá Hữu Lũng Lạng Sơn' is the Hữu Lũng quarry: drop a province that ends the name."""
    provinces = load_gazetteer().names[PROVINCE]
    for cut in range(1, len(words)):
        if _key_of(words[cut:]) in provinces:
            return words[:cut]
    return words


def _key_of(words: list[Word]) -> str:
    return name_key(" ".join(word for word, _, _ in words))


def _readable_name(text: str, words: list[Word]) -> str:
    """The name as written, or the official spelling of a place when the text lost it:
    'HỮU LŨNG' and 'Huu Lung' → 'Hữu Lũng' (unless several places share the folded name)."""
    written = text[words[0][1]:words[-1][2]]
    shouted = written.isupper() and len(written) > 4
    if fold_aligned(written) != written.lower() and written[0].isupper() and not shouted:
        return written
    gazetteer = load_gazetteer()
    key = _key_of(words)
    spellings = {
        unit.name for level in gazetteer.names.values() for uid in level.get(key, ())
        if name_key((unit := gazetteer.units[uid]).name) == key  # not an old name kept as alias
    } if len(words) > 1 else set()
    if shouted:
        spellings = {s for s in spellings if s.upper() == written} or spellings
    if len(spellings) == 1:
        return spellings.pop()
    return written.title() if shouted else written


def _reads_better(candidate: str, current: str) -> bool:
    """Prefer a name with tone marks over one typed without them."""
    return fold_aligned(current) == current.lower() and fold_aligned(candidate) != candidate.lower()
