"""The administrative-unit gazetteer: legacy (63 provinces, districts, wards) and post-2025 units.

Built once per process from the `vietnamadminunits` SQLite file and its 2025 converter, then
held as plain dicts keyed by folded names, so matching a document never touches the database.
Every unit knows its CURRENT province (what analysts filter on) and, for continuity, the
legacy province and district it belonged to.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from nlp.fastfold import fold_aligned, nfc
from nlp.normalise import normalise_tone_marks

PROVINCE, DISTRICT, WARD = "province", "district", "ward"
LEVEL_RANK = {PROVINCE: 0, DISTRICT: 1, WARD: 2}

# Spellings the press uses that the dataset lacks; values are short names in the dataset.
EXTRA_PROVINCE_ALIASES = {
    "tphcm": "Hồ Chí Minh",
    "saigon": "Hồ Chí Minh",
    "thuathienhue": "Huế",
    "tthue": "Huế",
    "baccan": "Bắc Kạn",
    "daclac": "Đắk Lắk",
    "brvt": "Bà Rịa - Vũng Tàu",
}
# The dataset's aliases "baria"/"vungtau" name the province, but in text they are the cities.
DROPPED_ALIASES = {"baria", "vungtau"}
_TYPE_PREFIXES = ("tinh", "thanhpho", "tp", "huyen", "quan", "thixa", "tx", "thitran", "xa",
                  "phuong", "dackhu")
_PARENTHESISED = re.compile(r"\s*\(.*\)\s*$")
_SYLLABLES = re.compile(r"[^\W\d_]+|\d+")


@dataclass(frozen=True, slots=True)
class Unit:
    """One administrative unit, legacy or current, with the keys used to check nesting."""

    uid: int
    level: str
    kind: str  # the type word, lowercase: "tỉnh", "thành phố", "huyện", "xã", "phường", …
    name: str  # short name as written officially: "Cai Kinh"
    code: str | None
    lat: float | None
    lon: float | None
    current: bool  # exists in the post-2025 table
    province: str  # current (post-2025) province short name
    province_code: str
    old_province: str | None = None  # legacy province short name, when it differs
    district: str | None = None  # legacy district with its type: "huyện Hữu Lũng"
    district_code: str | None = None
    # "c:<key>" for the current province, "l:<key>" for legacy ones it lies in or came from.
    province_keys: frozenset[str] = frozenset()
    # Legacy district codes the unit lies in or came from (its own code for a district).
    district_codes: frozenset[str] = frozenset()
    name_lower: str = ""  # lowercase spelling with tone marks, to break ties between spellings
    legacy: bool = True  # exists in the pre-2025 table
    alt_kind: str | None = None  # the legacy type when a kept commune changed it (thị trấn → xã)

    @property
    def label(self) -> str:
        """'xã Cai Kinh', 'huyện Hữu Lũng', 'tỉnh Lạng Sơn'."""
        return f"{self.kind} {self.name}"


@dataclass
class Gazetteer:
    """Units and a name index: folded, space-free name key → unit ids, per level."""

    units: list[Unit] = field(default_factory=list)
    names: dict[str, dict[str, list[int]]] = field(
        default_factory=lambda: {PROVINCE: {}, DISTRICT: {}, WARD: {}}
    )
    province_by_key: dict[str, int] = field(default_factory=dict)  # folded name/alias → province uid
    province_by_nesting_key: dict[str, int] = field(default_factory=dict)  # "c:…"/"l:…" → uid
    # Every leading part of every key: a scan stops extending a name as soon as it leaves this set.
    prefixes: set[str] = field(default_factory=set)
    known: set[str] = field(default_factory=set)  # every name key, any level
    max_tokens: int = 1

    def add(self, unit: Unit, keys: set[str]) -> None:
        """Index a unit under its name key and aliases (aliases come without syllable breaks)."""
        index = self.names[unit.level]
        syllables = _syllable_keys(unit.name)
        self.max_tokens = max(self.max_tokens, min(6, len(syllables)))
        own = ""
        for syllable in syllables:
            own += syllable
            self.prefixes.add(own)
        for key in keys:
            if key:
                index.setdefault(key, []).append(unit.uid)
                self.known.add(key)
                if key != own:
                    self.prefixes.update(key[:end] for end in range(1, len(key) + 1))

    def lookup(self, key: str, level: str) -> list[Unit]:
        return [self.units[uid] for uid in self.names[level].get(key, ())]

    def province_keys_for(self, name: str) -> frozenset[str]:
        """Nesting keys of a province given by name ('Lạng Sơn', 'tỉnh Bắc Giang', 'TP.HCM')."""
        key = name_key(nfc(name))
        for prefix in ("tinh", "thanhpho", "tp"):
            if key not in self.province_by_key and key.startswith(prefix):
                key = key[len(prefix):]
        uid = self.province_by_key.get(key)
        return self.units[uid].province_keys if uid is not None else frozenset()


def name_key(name: str) -> str:
    """The lookup key of an NFC name: folded syllables joined without spaces, numbers unpadded."""
    return "".join(_syllable_keys(name))


def _syllable_keys(name: str) -> list[str]:
    syllables = _SYLLABLES.findall(fold_aligned(name))
    if any(s.isdigit() for s in syllables):
        return [str(int(s)) if s.isdigit() else s for s in syllables]
    return syllables


def spelling(name: str) -> str:
    """Lowercase with tone marks in one placement ('Thanh Hoá' → 'thanh hóa'), for exact ties."""
    return normalise_tone_marks(nfc(name)).lower()


def _short(name: str | None, kind: str) -> str:
    """Official short name without disambiguation notes or a repeated type: 'Phường 1' → '1'."""
    short = _PARENTHESISED.sub("", name or "").strip()
    if short.lower().startswith(kind + " ") and short[len(kind) + 1:][:1].isdigit():
        short = short[len(kind) + 1:]
    return short


def _aliases(raw: str | None) -> set[str]:
    """The dataset's alias keys that are bare names (typed forms like 'huyenquevo' are dropped)."""
    if not raw:
        return set()
    keys = set(json.loads(raw))
    return {
        key for key in keys
        if key not in DROPPED_ALIASES
        and not any(key.startswith(p) and key[len(p):] in keys for p in _TYPE_PREFIXES)
    }


def _dataset_dir() -> Path:
    # Located, not imported: importing the package loads its parsers and geopy (~0.5 s).
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or spec.origin is None:
        raise RuntimeError("vietnamadminunits is not installed; run `pip install -e .`")
    return Path(spec.origin).parent / "data"


@cache
def load_gazetteer() -> Gazetteer:
    """The process-wide gazetteer (built on first use, ~0.2 s)."""
    return _build(_dataset_dir())


def _build(data_dir: Path) -> Gazetteer:
    converter = json.loads((data_dir / "converter_2025.json").read_text(encoding="utf-8"))
    current_of_legacy = {
        legacy: new for new, olds in converter["DICT_PROVINCE"].items() for legacy in olds
    }
    connection = sqlite3.connect(f"file:{data_dir / 'dataset.db'}?mode=ro", uri=True)
    try:
        legacy_rows = connection.execute(
            "SELECT provinceShort, provinceKey, provinceCode, provinceLat, provinceLon,"
            " provinceAlias, districtShort, districtType, districtKey, districtCode, districtLat,"
            " districtLon, districtAlias, wardShort, wardType, wardKey, wardCode, wardLat, wardLon,"
            " wardAlias FROM admin_units_legacy"
        ).fetchall()
        current_rows = connection.execute(
            "SELECT provinceShort, provinceKey, provinceCode, provinceLat, provinceLon,"
            " provinceAlias, wardShort, wardType, wardKey, wardCode, wardLat, wardLon, wardAlias"
            " FROM admin_units"
        ).fetchall()
    finally:
        connection.close()
    return _GazetteerBuilder(current_of_legacy, converter).build(legacy_rows, current_rows)


class _GazetteerBuilder:
    """Turns dataset rows into Units; kept separate so the loader reads as three steps."""

    def __init__(self, current_of_legacy: dict[str, str], converter: dict) -> None:
        self.current_of_legacy = current_of_legacy
        self.converter = converter
        self.gazetteer = Gazetteer()
        self.current_province: dict[str, tuple[str, str]] = {}  # key → (short name, code)
        self.legacy_province_name: dict[str, str] = {}
        self.legacy_ward: dict[tuple[str, str, str], Unit] = {}  # (prov, dist, ward) keys → unit
        self.ward_keys: dict[int, set[str]] = {}  # legacy wards are indexed after merging

    def _new_uid(self) -> int:
        return len(self.gazetteer.units)

    def build(self, legacy_rows: list[tuple], current_rows: list[tuple]) -> Gazetteer:
        self._current_provinces(current_rows)
        legacy_by_code = self._legacy_units(legacy_rows)
        self._current_wards(current_rows, legacy_by_code)
        for alias, short in EXTRA_PROVINCE_ALIASES.items():
            uid = self.gazetteer.province_by_key[name_key(short)]
            self.gazetteer.add(self.gazetteer.units[uid], {alias})
            self.gazetteer.province_by_key[alias] = uid
        return self.gazetteer

    def _current_provinces(self, rows: list[tuple]) -> None:
        seen: set[str] = set()
        for short, key, code, lat, lon, alias, *_ in rows:
            if key in seen:
                continue
            seen.add(key)
            self.current_province[key] = (short, code)
            # A province that kept its name is also its own legacy province.
            legacy_same_name = {f"l:{key}"} if key in self.converter["DICT_PROVINCE"][key] else set()
            kind = "thành phố" if key.startswith("thanhpho") else "tỉnh"
            unit = Unit(self._new_uid(), PROVINCE, kind, short, code, lat, lon, True, short, code,
                        province_keys=frozenset({f"c:{key}"} | legacy_same_name),
                        name_lower=spelling(short), legacy=bool(legacy_same_name))
            self._add(unit, {name_key(short)} | _aliases(alias))

    def _legacy_units(self, rows: list[tuple]) -> dict[str, Unit]:
        """Legacy provinces (when renamed by a merger), districts and wards; wards by code."""
        districts: dict[str, Unit] = {}
        wards_by_code: dict[str, Unit] = {}
        province_facts: dict[str, tuple[str, str, str | None, frozenset[str]]] = {}
        for (p_short, p_key, _p_code, p_lat, p_lon, p_alias, d_short, d_type, d_key, d_code,
             d_lat, d_lon, d_alias, w_short, w_type, w_key, w_code, w_lat, w_lon, w_alias) in rows:
            if p_key not in province_facts:
                province_facts[p_key] = self._legacy_province(p_short, p_key, p_lat, p_lon, p_alias)
            c_short, c_code, old, keys = province_facts[p_key]
            district = districts.get(d_code)
            if district is None:
                kind = d_type.lower()
                name = _short(d_short, kind)
                district = districts[d_code] = Unit(
                    self._new_uid(), DISTRICT, kind, name, d_code, d_lat, d_lon, False, c_short,
                    c_code, old_province=old, district=f"{kind} {name}", district_code=d_code,
                    province_keys=keys, district_codes=frozenset({d_code}),
                    name_lower=spelling(name))
                self._add(district, {name_key(name)} | _aliases(d_alias))
            if not w_code:
                continue  # island districts without wards
            kind = w_type.lower()
            name = _short(w_short, kind)
            ward = Unit(self._new_uid(), WARD, kind, name, w_code, w_lat, w_lon, False, c_short,
                        c_code, old_province=old, district=district.label, district_code=d_code,
                        province_keys=keys, district_codes=district.district_codes,
                        name_lower=spelling(name))
            self.gazetteer.units.append(ward)  # indexed later: a current ward may merge into it
            self.legacy_ward[(p_key, d_key, w_key)] = ward
            wards_by_code[w_code] = ward
            self.ward_keys[ward.uid] = {name_key(name)} | _aliases(w_alias)
        return wards_by_code

    def _legacy_province(
        self, short: str, key: str, lat: float, lon: float, alias: str | None
    ) -> tuple[str, str, str | None, frozenset[str]]:
        """Current short name and code, old name if renamed, nesting keys; indexes renamed ones."""
        c_key = self.current_of_legacy[key]
        c_short, c_code = self.current_province[c_key]
        old = short if name_key(short) != name_key(c_short) else None
        if old:
            unit = Unit(self._new_uid(), PROVINCE, "tỉnh", short, c_code, lat, lon, False,
                        c_short, c_code, old_province=old, province_keys=frozenset({f"l:{key}"}),
                        name_lower=spelling(short))
            self._add(unit, {name_key(short)} | _aliases(alias))
        return c_short, c_code, old, frozenset({f"c:{c_key}", f"l:{key}"})

    def _current_wards(self, rows: list[tuple], legacy_by_code: dict[str, Unit]) -> None:
        origins = self._origins()
        for (p_short, p_key, p_code, _plat, _plon, _palias, w_short, w_type, w_key, w_code,
             w_lat, w_lon, w_alias) in rows:
            kind = w_type.lower()
            name = _short(w_short, kind)
            same = legacy_by_code.get(w_code)
            if same is not None and name_key(same.name) == name_key(name):
                # The commune kept its name and code: one unit, current, legacy district kept.
                merged = Unit(same.uid, WARD, kind, same.name, same.code, same.lat, same.lon,
                              True, p_short, p_code, same.old_province, same.district,
                              same.district_code, same.province_keys | {f"c:{p_key}"},
                              same.district_codes, same.name_lower, legacy=True,
                              alt_kind=same.kind if same.kind != kind else None)
                self.gazetteer.units[same.uid] = merged
                self.ward_keys[same.uid] |= _aliases(w_alias)
                continue
            sources = [self.legacy_ward[k] for k in origins.get((p_key, w_key), ())
                       if k in self.legacy_ward]
            districts = {(s.district, s.district_code) for s in sources}
            olds = {s.old_province for s in sources}
            district, district_code = districts.pop() if len(districts) == 1 else (None, None)
            unit = Unit(self._new_uid(), WARD, kind, name, w_code, w_lat, w_lon, True, p_short,
                        p_code, old_province=olds.pop() if len(olds) == 1 else None,
                        district=district, district_code=district_code,
                        province_keys=frozenset({f"c:{p_key}"}).union(
                            *(s.province_keys for s in sources)),
                        district_codes=frozenset(s.district_code for s in sources
                                                 if s.district_code),
                        name_lower=spelling(name), legacy=False)
            self._add(unit, {name_key(name)} | _aliases(w_alias))
        for uid, keys in self.ward_keys.items():
            self.gazetteer.add(self.gazetteer.units[uid], keys)

    def _origins(self) -> dict[tuple[str, str], list[tuple[str, str, str]]]:
        """(current province key, current ward key) → the legacy wards it was formed from."""
        found: dict[tuple[str, str], list[tuple[str, str, str]]] = defaultdict(list)
        for p_key, wards in self.converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
            for w_key, olds in wards.items():
                found[(p_key, w_key)].extend(tuple(o.split("_")) for o in olds)
        for p_key, olds in self.converter["DICT_PROVINCE_WARD_DIVIDED"].items():
            for old, targets in olds.items():
                for target in targets:
                    found[(p_key, target["newWardKey"])].append(tuple(old.split("_")))
        return found

    def _add(self, unit: Unit, keys: set[str]) -> None:
        if unit.uid == len(self.gazetteer.units):
            self.gazetteer.units.append(unit)
        self.gazetteer.add(unit, keys)
        if unit.level == PROVINCE:
            for key in keys:
                self.gazetteer.province_by_key.setdefault(key, unit.uid)
            for key in unit.province_keys:
                self.gazetteer.province_by_nesting_key.setdefault(key, unit.uid)
