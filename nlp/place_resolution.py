"""Resolving place mentions to single units: by address, by the rest of the text, by the source.

Many names are shared ("Tân Thành" is a commune in dozens of provinces). A mention keeps every
unit it could be, then narrows in this order, stopping when one is left:

1. the same address: "xã Cai Kinh, huyện Hữu Lũng, tỉnh Lạng Sơn" (mentions separated only by
   commas, hyphens, brackets or "thuộc"), larger units first, then smaller ones back up;
2. the same spelling with tone marks ("Lãng Sơn" is not "Lang Sơn");
3. provinces and districts named unambiguously elsewhere in the text;
4. the province of the source;
5. the post-2025 unit over abolished same-named legacy ones (or the reverse for older texts).

Still ambiguous: the province alone when every candidate lies in it, otherwise nothing —
a wrong commune misleads an analyst more than a missing one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from index.records import Place
from nlp.gazetteer import DISTRICT, LEVEL_RANK, PROVINCE, WARD, Gazetteer, Unit

_ADDRESS_GAP = re.compile(r"[\s,\-–()/]*(?:thuộc|thuoc)?[\s,\-–()/]*", re.IGNORECASE)
MAX_ADDRESS_GAP = 24  # characters between parts of one address


@dataclass(slots=True)
class Mention:
    """A place-like span and every unit it could name (all of one level)."""

    start: int
    end: int
    text: str
    candidates: list[Unit]
    weak: bool  # ALL CAPS: capitalisation tells nothing, so the name needs support
    typed: bool
    spelling: str
    type_word: str | None = None
    plural: bool = False
    supported: bool = False

    @property
    def level(self) -> str:
        return self.candidates[0].level

    def narrow(self, keep: Callable[[Unit], bool], *, is_support: bool = True) -> None:
        """Keep the candidates that pass, unless none would (then the clue is ignored).

        A clue from context that some candidate satisfies is support for an ALL-CAPS name;
        spelling and recency are tie-breakers, not support.
        """
        kept = [unit for unit in self.candidates if keep(unit)]
        if kept:
            self.supported = self.supported or is_support
            self.candidates = kept


def inside(unit: Unit, container: Unit) -> bool:
    """True when unit lies in (or is) container, old or new boundaries."""
    if container.level == PROVINCE:
        return bool(unit.province_keys & container.province_keys)
    if container.level == DISTRICT:
        return container.code in unit.district_codes
    return unit.uid == container.uid


def resolve(
    gazetteer: Gazetteer,
    text: str,
    mentions: list[Mention],
    source_keys: frozenset[str],
    prefer_current: bool,
) -> list[Place]:
    """The places of a text: one per distinct unit, most specific units only."""
    for address in _addresses(text, mentions):
        _narrow_by_address(address)
    _narrow_by_text(mentions)
    chosen: dict[int, tuple[Mention, Unit]] = {}
    undecided: list[Mention] = []
    for mention in mentions:
        unit = _decide(mention, source_keys, prefer_current)
        if unit is None:
            undecided.append(mention)
        elif unit.uid not in chosen:
            chosen[unit.uid] = (mention, unit)
    for mention in undecided:  # after the others, so a named province is reused
        unit = _common_province(gazetteer, mention, chosen)
        if unit is not None and unit.uid not in chosen:
            chosen[unit.uid] = (mention, unit)
    found = sorted(chosen.values(), key=lambda pair: pair[0].start)
    units = [unit for _, unit in found]
    return [
        to_place(mention.text, unit)
        for mention, unit in found
        if not any(LEVEL_RANK[o.level] > LEVEL_RANK[unit.level] and inside(o, unit) for o in units)
    ]


def _addresses(text: str, mentions: list[Mention]) -> list[list[Mention]]:
    """Mentions grouped into addresses: neighbours separated only by punctuation or 'thuộc'."""
    groups: list[list[Mention]] = []
    for mention in mentions:
        if groups:
            previous = groups[-1][-1]
            gap = mention.start - previous.end
            if 0 <= gap <= MAX_ADDRESS_GAP and _ADDRESS_GAP.fullmatch(text, previous.end,
                                                                      mention.start):
                groups[-1].append(mention)
                continue
        groups.append([mention])
    return [group for group in groups if len(group) > 1]


def _narrow_by_address(address: list[Mention]) -> None:
    """Each part narrowed by the nearest larger part (after it, else before), then upwards."""
    for level in (DISTRICT, WARD):
        for position, mention in enumerate(address):
            if mention.level != level:
                continue
            for larger in (PROVINCE, DISTRICT):
                if LEVEL_RANK[larger] >= LEVEL_RANK[level]:
                    continue
                reference = _nearest(address, position, larger)
                if reference is not None:
                    mention.narrow(partial(_inside_any, containers=reference.candidates))
    for level in (DISTRICT, PROVINCE):
        for mention in address:
            if mention.level != level:
                continue
            smaller = [m for m in address if LEVEL_RANK[m.level] > LEVEL_RANK[level]]
            if smaller:
                mention.narrow(partial(_contains_each, parts=smaller))


def _nearest(address: list[Mention], position: int, level: str) -> Mention | None:
    after = [m for m in address[position + 1:] if m.level == level]
    if after:
        return after[0]
    before = [m for m in address[:position] if m.level == level]
    return before[-1] if before else None


def _narrow_by_text(mentions: list[Mention]) -> None:
    """Narrow by the spelling, then by units named unambiguously elsewhere in the text."""
    for mention in mentions:
        if len(mention.candidates) > 1:
            mention.narrow(partial(_spelled, spelling=mention.spelling), is_support=False)
    confident = [m for m in mentions if len(m.candidates) == 1 and (m.supported or not m.weak)]
    for mention in mentions:
        if len(mention.candidates) == 1 and not mention.weak:
            continue
        # A mention cannot support itself (an ALL-CAPS headline repeating its own name).
        others = [o.candidates[0] for o in confident if o is not mention]
        if not others:
            continue
        if mention.level == WARD:
            codes = frozenset[str]().union(*(o.district_codes for o in others))
            mention.narrow(partial(_in_districts, codes=codes))
        keys = frozenset[str]().union(*(o.province_keys for o in others))
        mention.narrow(partial(_in_provinces, keys=keys))


def _decide(mention: Mention, source_keys: frozenset[str], prefer_current: bool) -> Unit | None:
    if source_keys and (len(mention.candidates) > 1 or mention.weak):
        mention.narrow(partial(_in_provinces, keys=source_keys))
    if len(mention.candidates) > 1:
        if prefer_current:
            mention.narrow(lambda u: u.current, is_support=False)
        else:
            mention.narrow(lambda u: u.legacy, is_support=False)
    if mention.weak and not mention.supported:
        mention.candidates = []
        return None
    return mention.candidates[0] if len(mention.candidates) == 1 else None


def _common_province(
    gazetteer: Gazetteer, mention: Mention, chosen: dict[int, tuple[Mention, Unit]]
) -> Unit | None:
    """The province every remaining candidate lies in: one already named in the text, else the
    old province when they share one (more precise), else the current province."""
    if not mention.candidates:
        return None
    shared = frozenset.intersection(*(unit.province_keys for unit in mention.candidates))
    provinces = [gazetteer.units[uid] for key in sorted(shared)
                 if (uid := gazetteer.province_by_nesting_key.get(key)) is not None]
    named = [unit for unit in provinces if unit.uid in chosen]
    if named:
        return named[0]
    legacy = [unit for unit in provinces if not unit.current]
    preferred = legacy or provinces
    return preferred[0] if preferred else None


def _inside_any(unit: Unit, containers: list[Unit]) -> bool:
    return any(inside(unit, container) for container in containers)


def _contains_each(unit: Unit, parts: list[Mention]) -> bool:
    return all(any(inside(c, unit) for c in part.candidates) for part in parts)


def _spelled(unit: Unit, spelling: str) -> bool:
    return unit.name_lower == spelling


def _in_districts(unit: Unit, codes: frozenset[str]) -> bool:
    return bool(unit.district_codes & codes)


def _in_provinces(unit: Unit, keys: frozenset[str]) -> bool:
    return bool(unit.province_keys & keys)


def to_place(name: str, unit: Unit) -> Place:
    """The record analysts see: current province, legacy district kept, the unit's coordinates."""
    return Place(
        name=name,
        level=unit.level,
        province=unit.province,
        province_code=unit.province_code,
        old_province=unit.old_province,
        district=unit.district,
        district_code=unit.district_code,
        ward=unit.label if unit.level == WARD else None,
        ward_code=unit.code if unit.level == WARD else None,
        lat=unit.lat,
        lon=unit.lon,
    )
