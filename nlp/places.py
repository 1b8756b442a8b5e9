"""Places named in a text: administrative units found with type words and capitalised names.

Matching is precision-first. A name counts only when every syllable is capitalised as written
("Hữu Lũng", not "môi trường"), wards and communes only after a type word ("xã Cai Kinh"),
bare names only for provinces and districts of two syllables or more, and never as part of a
longer proper name ("Nguyễn Văn Lâm", "đường Ngô Quyền"). Folded lookups make text typed
without diacritics or in ALL CAPS work; ALL-CAPS names are weak evidence and need support from
the same address, the rest of the text or the source's province (see place_resolution).

Output keeps one Place per distinct unit, the most specific ones only: a ward carries its
district and province, so "xã Cai Kinh, huyện Hữu Lũng, tỉnh Lạng Sơn" gives a single Place,
and a province or district is emitted only when nothing named inside it is.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from index.records import Document, Place
from nlp.fastfold import UPPERCASE_LETTERS, fold_aligned, is_unaccented, nfc
from nlp.gazetteer import (
    DISTRICT,
    PROVINCE,
    WARD,
    Gazetteer,
    Unit,
    load_gazetteer,
    spelling,
)
from nlp.place_resolution import Mention, resolve

Span = tuple[int, int]  # character offsets of a syllable
Leading = tuple[str, int, bool]  # a type word before a run: (type, where it starts, plural)
Option = tuple[int, Mention]  # tokens a reading uses, and the mention it makes

# The administrative reform took effect on 1 July 2025; older texts use the old units.
REFORM_DATE = datetime(2025, 7, 1, tzinfo=UTC)

_UP = re.escape(UPPERCASE_LETTERS)
_WORD = rf"(?:[{_UP}][^\W_]*|\d+(?![^\W\d_]))"
_ABBREVIATION = r"(?:TP|Tp|TX|TT|H|Q|P)\.[ \t]*"
_SEPARATOR = r"(?:[ \t]*[-–][ \t]*|[ \t]+)"
# A run of capitalised words (and numbers), joined by spaces or hyphens: "Bà Rịa - Vũng Tàu".
_RUN = re.compile(rf"(?<!\w)(?:{_ABBREVIATION})?{_WORD}(?:{_SEPARATOR}(?:{_ABBREVIATION})?{_WORD})*")
_SYLLABLE = re.compile(r"[^\W\d_]+|\d+")

# Type words and the levels they name, largest first ("thành phố Huế" is the province,
# "thành phố Lạng Sơn" a city in it). Also matched folded (text without diacritics) and
# abbreviated.
TYPES = {
    "tỉnh": [PROVINCE],
    "thành phố": [PROVINCE, DISTRICT],
    "huyện": [DISTRICT],
    "quận": [DISTRICT],
    "thị xã": [DISTRICT],
    "thị trấn": [WARD],
    "xã": [WARD],
    "phường": [WARD],
    "đặc khu": [WARD],
}
_FOLDED = {fold_aligned(word): word for word in TYPES}
_ABBREVIATED = {"tp": "thành phố", "tx": "thị xã", "tt": "thị trấn", "h": "huyện", "q": "quận",
                "p": "phường"}
_NEEDS_DOT = {"h", "q", "p"}  # single letters count only as "H." / "Q.1" / "P12"
_TYPE_FORMS = (
    "thành phố|thị xã|thị trấn|đặc khu|tỉnh|huyện|quận|xã|phường|tp|tx|tt|h|q|p|"
    "thanh pho|thi xa|thi tran|dac khu|tinh|huyen|quan|xa|phuong"
)
# Case-sensitive on purpose: listing the forms lets the regex engine skip to candidate first
# letters (IGNORECASE or a leading look-behind would test every position, 5x slower).
# Capitalised single words are part of the run itself and are read there.
_TYPE_WORD = re.compile(
    rf"(?:{_TYPE_FORMS}|Thành phố|Thị xã|Thị trấn|Đặc khu|Thanh pho|Thi xa|Thi tran|Dac khu)"
    rf"(?P<dot>\.)?[ \t]*(?=[{_UP}\d])"
)
_PLURAL_BEFORE = re.compile(r"(?:các|những|nhiều|hai|ba|bốn|năm|sáu|\d+)[ \t]+\Z", re.IGNORECASE)
_MULTI_TOKEN = re.compile(r"[ \t\-–.]")
_LIST_GAP = re.compile(r"\s*(?:,|và|,\s*và|hoặc)\s*\Z")
_SENTENCE_START = re.compile(r"(?:\A|[.!?:;\n\"“”'(\[…•*-]\s*)\Z")
_LAST_WORD = re.compile(r"(\w+)\W*\Z")

# Words that make a following bare name something else: a street, river, person, building,
# or a hamlet sharing a district's name ("thôn Phú Lộc", "đường Ngô Quyền", "ông Văn Lâm").
NOT_A_PLACE_BEFORE = frozenset([
    "đường", "phố", "ngõ", "ngách", "hẻm", "kiệt", "lộ", "sông", "suối", "kênh", "rạch", "núi",
    "đèo", "cầu", "chợ", "hồ", "vịnh", "đầm", "chùa", "đền", "đình", "miếu", "lăng", "trường",
    "viện", "dinh", "bến", "thôn", "xóm", "ấp", "bản", "làng", "buôn", "khóm", "khối", "tổ",
    "ông", "bà", "anh", "chị", "em", "cô", "chú", "bác", "cụ", "cháu", "tịch", "tên", "họ",
    "nguyễn", "trần", "lê", "phạm", "hoàng", "huỳnh", "phan", "vũ", "võ", "đặng", "bùi", "đỗ",
    "ngô", "dương", "lý", "đinh", "trương", "lương", "mai", "trịnh", "đoàn", "tạ", "cao",
])
STRONG_ACRONYMS = frozenset({"hcm", "tphcm", "hn", "brvt"})
MAX_CONTEXT = 14  # characters looked back for the word before a run ("thôn ", "đường ")


def find_places(
    text: str, source_province: str | None = None, *, prefer_current: bool = True
) -> list[Place]:
    """Administrative units named in text, resolved to current provinces (legacy kept).

    source_province breaks ties between same-named communes; prefer_current picks the
    post-2025 unit over abolished legacy ones of the same name (False for older texts).
    """
    gazetteer = load_gazetteer()
    text = nfc(text)
    mentions = _Scanner(gazetteer, text).mentions()
    source_keys = gazetteer.province_keys_for(source_province) if source_province else frozenset()
    return resolve(gazetteer, text, mentions, source_keys, prefer_current)


class PlacesStep:
    """enrichment.places from the title and text, ties broken by the source's province."""

    name = "places"

    def __call__(self, document: Document) -> None:
        text = f"{document.title}\n{document.text}" if document.title else document.text
        published = document.published_at
        prefer_current = published is None or published >= REFORM_DATE
        document.enrichment.places = find_places(
            text, document.source_province, prefer_current=prefer_current
        )


class _Scanner:
    """Finds candidate mentions run by run; resolution happens afterwards, over the whole text."""

    def __init__(self, gazetteer: Gazetteer, text: str) -> None:
        self.gazetteer = gazetteer
        self.text = text
        self._unaccented: bool | None = None
        self.found: list[Mention] = []
        self.list_type: tuple[str, int] | None = None  # "các xã A, B và C": (type, end of C)
        self.types_before = self._types_before()

    @property
    def unaccented(self) -> bool:
        """Whether the text is typed without diacritics; computed only when a folded type word
        ("xa", "huyen") needs it."""
        if self._unaccented is None:
            self._unaccented = is_unaccented(self.text)
        return self._unaccented

    def mentions(self) -> list[Mention]:
        text, types_before = self.text, self.types_before
        single_names = self.gazetteer.names[PROVINCE]
        for run in _RUN.finditer(text):
            start, end = run.span()
            leading = types_before.get(start)
            if leading is None and self.list_type is not None:
                leading = self._carried_type(start)
            folded = fold_aligned(text[start:end])
            # Most runs are one capitalised word ("Người", "Theo"); only a province name
            # ("Huế", "TPHCM") or a type glued to a number ("Q1") can be a place there.
            if (leading is None and not _MULTI_TOKEN.search(text, start, end)
                    and folded not in single_names and (folded.isalpha() or folded.isdigit())):
                continue
            self._scan_run(start, end, folded, leading)
        return self.found

    def _types_before(self) -> dict[int, Leading]:
        """Type words written before a capitalised run ('xã Cai Kinh'), keyed by the run start."""
        found = {}
        text = self.text
        for match in _TYPE_WORD.finditer(text):
            start = match.start()
            if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
                continue  # inside a word
            word = text[start:match.end("dot") if match["dot"] else match.end()].rstrip(". \t")
            word = word.lower()
            if word in TYPES:
                type_word = word
            elif word in _ABBREVIATED and (word not in _NEEDS_DOT or match["dot"]
                                           or (word != "h" and self.text[match.end()].isdigit())):
                type_word = _ABBREVIATED[word]
            elif word in _FOLDED and self.unaccented:
                type_word = _FOLDED[word]
            else:
                continue
            plural = _PLURAL_BEFORE.search(text, max(0, start - 8), start) is not None
            found[match.end()] = (type_word, start, plural)
        return found

    def _carried_type(self, start: int) -> Leading | None:
        """The type of a plural list carried to its next names: 'các xã Cai Kinh, Hòa Lạc'."""
        if self.list_type is None:
            return None
        type_word, list_end = self.list_type
        if start - list_end < 8 and _LIST_GAP.match(self.text, list_end, start):
            return type_word, start, True
        return None

    def _scan_run(
        self, start: int, end: int, folded: str, leading: Leading | None
    ) -> None:
        spans = [m.span() for m in _SYLLABLE.finditer(self.text, start, end)]
        keys = [_number_key(folded[s - start:e - start]) for s, e in spans]
        accepted: list[tuple[int, int, Mention]] = []  # token range and mention
        i = 0
        while i < len(spans):
            option = self._best_option(spans, keys, i, leading if i == 0 else None)
            if option is None:
                i += 1
                continue
            length, mention = option
            accepted.append((i, i + length, mention))
            i += length
        for first, last, mention in accepted:
            if mention.typed or self._stands_alone(spans, accepted, first, last, start):
                self.found.append(mention)
                if mention.type_word is not None and mention.plural:
                    self.list_type = (mention.type_word, mention.end)

    def _best_option(
        self, spans: list[Span], keys: list[str], i: int, leading: Leading | None
    ) -> Option | None:
        """The longer of 'type word + name' and 'bare name' at token i; typed wins ties."""
        typed = None
        if leading is not None:
            type_word, type_start, plural = leading
            typed = self._typed(spans, keys, i, 0, type_word, type_start, plural)
        else:
            inside = self._type_at(spans, keys, i)
            if inside is not None:
                type_word, used = inside
                typed = self._typed(spans, keys, i, used, type_word, spans[i][0], False)
        bare = self._bare(spans, keys, i)
        if typed and (bare is None or typed[0] >= bare[0]):
            return typed
        return bare

    def _typed(
        self, spans: list[Span], keys: list[str], i: int, used: int, type_word: str,
        type_start: int, plural: bool,
    ) -> Option | None:
        found = self._lookup(keys, i + used, TYPES[type_word], type_word)
        if found is None:
            return None
        length, candidates = found
        name_spans = spans[i + used:i + used + length]
        mention = self._mention(type_start, name_spans, candidates, typed=True)
        mention.type_word, mention.plural = type_word, plural
        return used + length, mention

    def _bare(self, spans: list[Span], keys: list[str], i: int) -> Option | None:
        found = self._lookup(keys, i, [PROVINCE, DISTRICT], None)
        if found is None:
            return None
        length, candidates = found
        if candidates[0].level != PROVINCE and length < 2:
            return None  # one-syllable district names are ordinary words too often
        if length == 1 and keys[i] not in STRONG_ACRONYMS and len(keys[i]) < 3:
            return None
        return length, self._mention(spans[i][0], spans[i:i + length], candidates, typed=False)

    def _lookup(
        self, keys: list[str], i: int, levels: list[str], kind: str | None
    ) -> tuple[int, list[Unit]] | None:
        """Longest name at token i: (tokens used, candidates of one level).

        With a type word, units of that exact type win at any level ("thành phố Lạng Sơn" is
        the city, not the province); otherwise the largest level with the name.
        """
        gazetteer = self.gazetteer
        prefixes, known = gazetteer.prefixes, gazetteer.known
        if keys[i] not in prefixes:
            return None  # most capitalised words start no place name
        key, matched = "", []
        # A number is a whole name ("quận 12"), never glued to its neighbours ("1–2 ngày").
        longest = 1 if keys[i].isdigit() else gazetteer.max_tokens
        for position in range(i, min(len(keys), i + longest)):
            if position > i and keys[position].isdigit():
                break
            key += keys[position]
            if key not in prefixes:
                break
            matched.append(key)
        names, units = gazetteer.names, gazetteer.units
        for length in range(len(matched), 0, -1):
            key = matched[length - 1]
            if key not in known:
                continue
            found = [[units[uid] for uid in names[level].get(key, ())] for level in levels]
            if kind is not None:
                for level_units in found:
                    exact = [u for u in level_units if kind in (u.kind, u.alt_kind)]
                    if exact:
                        return length, exact
            for level_units in found:
                if level_units:
                    return length, level_units
        return None

    def _mention(
        self, start: int, name_spans: list[Span], candidates: list[Unit], typed: bool
    ) -> Mention:
        end = name_spans[-1][1]
        words = [self.text[s:e] for s, e in name_spans]
        letters = [w for w in words if not w.isdigit()]
        shouted = bool(letters) and all(w.isupper() for w in letters) and any(
            len(w) > 1 for w in letters)
        strong = len(words) == 1 and fold_aligned(words[0]) in STRONG_ACRONYMS
        written = spelling(self.text[name_spans[0][0]:end])
        return Mention(start, end, self.text[start:end], candidates, weak=shouted and not strong,
                       typed=typed, spelling=written)

    def _type_at(self, spans: list[Span], keys: list[str], i: int) -> tuple[str, int] | None:
        """A type word written inside the capitalised run: 'Xã', 'Huyện', 'TP', 'Thị Xã', 'H.'."""
        for used in (2, 1):
            if i + used >= len(spans):
                continue
            words = self.text[spans[i][0]:spans[i + used - 1][1]].lower()
            words = " ".join(words.split())
            if words in TYPES:
                return words, used
            folded = " ".join(keys[i:i + used])
            if folded in _FOLDED and self.unaccented:
                return _FOLDED[folded], used
            if used == 1 and folded in _ABBREVIATED and self._abbreviation_ok(spans[i], folded):
                return _ABBREVIATED[folded], 1
        return None

    def _abbreviation_ok(self, span: Span, folded: str) -> bool:
        following = self.text[span[1]:span[1] + 1]
        if folded in _NEEDS_DOT:
            return following == "." or (folded != "h" and following.isdigit())
        return self.text[span[0]:span[1]].isupper() or self.text[span[0]:span[1]] == "Tp"

    def _stands_alone(
        self, spans: list[Span], accepted: list[tuple[int, int, Mention]], first: int, last: int,
        run_start: int,
    ) -> bool:
        """A bare name must not be part of a longer proper name or follow a street/person word."""
        covered = {t for a, b, _ in accepted for t in range(a, b)}
        before = self._word_before(spans, first, run_start)
        if before is not None and before.lower() in NOT_A_PLACE_BEFORE:
            return False
        for neighbour, inner in ((first - 1, first), (last, last - 1)):
            if neighbour < 0 or neighbour >= len(spans) or neighbour in covered:
                continue
            if not self._same_segment(spans, min(neighbour, inner), max(neighbour, inner)):
                continue
            word = self.text[spans[neighbour][0]:spans[neighbour][1]]
            if (word.isupper() and len(word) > 1) or word.isdigit():
                continue  # an acronym or a number: "UBND Hữu Lũng", "Hà Nội 2025"
            if neighbour == 0 and _SENTENCE_START.search(self.text, max(0, run_start - 3),
                                                         run_start):
                continue  # a capitalised first word of a sentence: "Tại Hữu Lũng, …"
            return False
        return True

    def _word_before(self, spans: list[Span], first: int, run_start: int) -> str | None:
        if first > 0:
            return self.text[spans[first - 1][0]:spans[first - 1][1]]
        match = _LAST_WORD.search(self.text, max(0, run_start - MAX_CONTEXT), run_start)
        return match.group(1) if match else None

    def _same_segment(self, spans: list[Span], left: int, right: int) -> bool:
        """No hyphen or dot between two tokens of a run: 'Lạng Sơn - Người dân' are two parts."""
        return not any(ch in "-–." for ch in self.text[spans[left][1]:spans[right][0]])


def _number_key(key: str) -> str:
    """'01' and '1' are the same ward number."""
    return str(int(key)) if key.isdigit() else key
