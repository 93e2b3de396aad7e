"""Maps of where the coverage is: places as proportional circles, countries as a choropleth.

Three chart functions in the manner of :mod:`toolkit.plots` (table first, keyword-only options,
``ax=None`` draws a new figure about 10 inches wide, never ``plt.show()``, the Axes returned):

- :func:`plot_place_map`: a world map (or a lon/lat ``extent``) with one circle per place, area
  proportional to its mentions, coloured by kind of place, the top places labelled;
- :func:`plot_country_choropleth`: countries filled by their mentions (or articles, or share of
  articles) on a perceptually uniform sequential colour map;
- :func:`plot_regional_map`: the place map zoomed automatically to where the mentions are
  (:func:`regional_extent`), with country outlines and names drawn lightly for orientation.

Everything is pure matplotlib (a ``PathCollection`` of country outlines and a scatter of places): no
cartopy, geopandas or shapely, and nothing is downloaded.

**Basemap.** Country outlines come from the ``countryinfo`` package, whose per-country JSON files
each hold a GeoJSON FeatureCollection in lon/lat generalised at about 1:110 million (the Natural
Earth small scale). :func:`load_basemap` reads those files directly (about 250 small files; faster
than going through ``CountryInfo`` objects), keys the outlines by ISO alpha-2 (alpha-3 accepted as an
alias) and caches the result for the process: the first call takes a few tens of milliseconds, later
calls nothing. countryinfo 1.0.1 has no outline for a few countries (notably Hungary, Serbia,
Montenegro, Kosovo and Myanmar) nor for most small island states (Bahrain, Singapore, Mauritius…),
and only a bounding box for Palestine and Andorra (left out too): on the maps they show as gaps;
places in them are still drawn at their coordinates, and a choropleth draws such a country as a
coloured dot at its centre (``Basemap.unoutlined``).

**Projections.** World maps use the Equal Earth projection (Šavrič, Patterson & Jenny 2018), an
equal-area pseudo-cylindrical projection whose shapes look familiar, so circle and country areas
compare fairly; Antarctica is left out. Zoomed maps (``extent=``, :func:`plot_regional_map`) use the
equirectangular projection with true scale at the middle latitude of the view, which keeps shapes
right at regional scale. Both are a few lines of numpy (:func:`map_coordinates` projects lon/lat for
drawing more on a returned map). Maps have no axis frame or ticks; the note under each map names the
projection and the outline source.

**Labels.** The top places are labelled by a greedy placement (:func:`place_labels`): in order of
importance, each label tries positions around its circle (right, left, above, below, then the
diagonals), then further out in rings with a leader line, and takes the cheapest position that
stays inside the map, overlaps no label placed before it and covers as little of the other circles
as possible. Labels are placed in the final pixel geometry of the figure; resizing the figure
afterwards can bring them together again.

Example:
    >>> import toolkit as tk                                              # doctest: +SKIP
    >>> ax = plot_place_map(place_counts, n_labels=12)                    # doctest: +SKIP
    >>> ax = plot_country_choropleth(country_counts, value="share_articles")  # doctest: +SKIP
    >>> ax = plot_regional_map(place_counts)                              # doctest: +SKIP
    >>> ax.figure.savefig("places.png", dpi=150)                          # doctest: +SKIP
"""

from __future__ import annotations

import functools
import importlib.util
import json
import logging
import math
import textwrap
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.collections import PathCollection
from matplotlib.colors import LogNorm, Normalize, to_rgba
from matplotlib.legend import Legend
from matplotlib.legend_handler import HandlerLine2D
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.path import Path as MplPath
from matplotlib.text import Annotation
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter, PercentFormatter

from .errors import InputError
from .plots import (
    _LABEL_BOX,
    _TEXT_SIZE,
    OKABE_ITO,
    SEQUENTIAL_CMAP,
    VALUE_LABELS,
    _choice,
    _format_value,
    _nice_levels,
    _positive,
    _require,
    _shorten,
)

__all__ = [
    "FEATURE_COLORS",
    "FEATURE_NAMES",
    "Basemap",
    "CountryShape",
    "load_basemap",
    "map_coordinates",
    "place_labels",
    "plot_country_choropleth",
    "plot_place_map",
    "plot_regional_map",
    "regional_extent",
]

logger = logging.getLogger(__name__)

#: Colour of each kind of place (Okabe–Ito): countries blue, provinces green, cities vermillion,
#: regions, seas, rivers and other places reddish purple, places of unknown kind orange.
FEATURE_COLORS: dict[str, str] = {
    "country": OKABE_ITO[4],
    "admin": OKABE_ITO[2],
    "city": OKABE_ITO[5],
    "other": OKABE_ITO[6],
    "unknown": OKABE_ITO[0],
}
#: Legend name of each kind of place.
FEATURE_NAMES: dict[str, str] = {
    "country": "Country",
    "admin": "Province / state",
    "city": "City / town",
    "other": "Region / landform",
    "unknown": "Place (kind unknown)",
}
_CITY_FEATURES = frozenset({"city", "town", "village", "capital", "populated place", "ppl", "neighbourhood",
                            "neighborhood", "district"})
_ADMIN_FEATURES = frozenset({"admin", "admin1", "admin2", "admin3", "state", "province", "county"})

LAND_COLOR = "#dcdcdc"          # countries on the place map
BORDER_COLOR = "#ffffff"
NO_DATA_COLOR = "#dcdcdc"       # countries without a value on the choropleth
REGION_LAND_COLOR = "#eeeeee"   # the lighter outlines of the regional map
REGION_BORDER_COLOR = "#a9a9a9"
COUNTRY_NAME_COLOR = "#8a8a8a"
NOTE_COLOR = "#555555"
#: Choropleth colour map: viridis reversed, so that more is darker and the lightest colour (a single
#: mention) still stands apart from the grey of countries without any.
CHOROPLETH_CMAP = f"{SEQUENTIAL_CMAP}_r"

_FIG_WIDTH = 10.0               # inches
_MAX_AREA = 1400.0              # pt², the circle of the largest value on a zoomed map (~half an inch across)
_WORLD_MAX_AREA = 900.0         # pt², the same on a world map, where places crowd more
_MIN_AREA = 5.0                 # pt², so that a circle of a tiny value stays visible
_CIRCLE_ALPHA = 0.55
_WORLD_LAT = (-58.0, 84.0)      # world maps: from below Cape Horn to the north of Greenland
_DROPPED = frozenset({"AQ"})    # Antarctica, left out of world maps
_MIN_SPAN = 8.0                 # degrees of latitude: the smallest regional view
_KEEP_SHARE = 0.05              # a place with this share of the total is always inside a regional view
_LOG_RATIO = 100.0              # scale="auto" goes logarithmic when max/min of the positive values is above


# ---------------------------------------------------------------------------------------------
# Basemap
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CountryShape:
    """The outline of one country: polygons of lon/lat rings (exterior first, then holes)."""

    code: str                                   # ISO-3166 alpha-2
    code3: str                                  # ISO-3166 alpha-3 ("" when unknown)
    name: str
    polygons: tuple[tuple[np.ndarray, ...], ...]
    center: tuple[float, float]                 # (lon, lat) where to write the name
    bounds: tuple[float, float, float, float]   # lon_min, lon_max, lat_min, lat_max

    @property
    def area(self) -> float:
        """Area of the exterior rings in square degrees scaled by cos(latitude) (for ranking)."""
        total = 0.0
        for rings in self.polygons:
            ring = rings[0]
            scale = math.cos(math.radians(float(ring[:, 1].mean())))
            total += abs(_signed_area(ring)) * scale
        return total


@dataclass(frozen=True)
class Basemap:
    """Country outlines keyed by ISO alpha-2, plus the countries known without an outline."""

    countries: dict[str, CountryShape]
    #: alpha-2 -> (name, lon, lat) of countries countryinfo knows but has no outline for
    #: (lon/lat NaN when it has no centre either).
    unoutlined: dict[str, tuple[str, float, float]]
    #: alpha-3 -> alpha-2 for every country known.
    aliases: dict[str, str]
    source: str = "countryinfo"
    load_seconds: float = field(default=0.0, compare=False)

    def resolve(self, code: Any) -> str | None:
        """The alpha-2 code for an alpha-2 or alpha-3 ``code`` (any case), or None."""
        if not isinstance(code, str):
            return None
        key = code.strip().upper()
        if key in self.countries or key in self.unoutlined:
            return key
        return self.aliases.get(key)

    def name_of(self, code: str) -> str:
        if code in self.countries:
            return self.countries[code].name
        if code in self.unoutlined:
            return self.unoutlined[code][0]
        return code


def _signed_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))


def _countryinfo_records() -> Iterator[dict[str, Any]]:
    """Every country record of countryinfo: its JSON files read directly, else ``CountryInfo.all()``."""
    spec = importlib.util.find_spec("countryinfo")
    if spec is None or not spec.submodule_search_locations:
        raise InputError("the maps need the 'countryinfo' package for their country outlines; install it "
                         "with: pip install 'countryinfo>=1.0,<2'")
    base = Path(next(iter(spec.submodule_search_locations)))
    files = [p for folder in ("data", "data_no_iso") for p in sorted((base / folder).glob("*.json"))]
    if not files:       # a future layout of the package: go through its public API
        from countryinfo import CountryInfo

        yield from CountryInfo.all().values()
        return
    for path in files:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            logger.debug("countryinfo file %s skipped: %s", path, error)
            continue
        if isinstance(record, dict):
            yield record


def _rings_of(geojson: Any) -> list[list[np.ndarray]]:
    """Polygons (lists of rings as (n, 2) lon/lat arrays) of a GeoJSON FeatureCollection / geometry."""
    if not isinstance(geojson, dict):
        return []
    if geojson.get("type") == "FeatureCollection":
        return [p for feature in geojson.get("features") or [] for p in _rings_of(feature)]
    if geojson.get("type") == "Feature":
        return _rings_of(geojson.get("geometry"))
    kind, coords = geojson.get("type"), geojson.get("coordinates")
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    result = []
    for polygon in polygons or []:
        rings = []
        for k, ring in enumerate(polygon):
            array = np.asarray(ring, dtype=float)
            if array.ndim != 2 or array.shape[0] < 3 or array.shape[1] < 2:
                continue
            array = array[:, :2]
            # Exterior rings counter-clockwise, holes clockwise: a hole then stays empty under both
            # the non-zero and the even-odd fill rule.
            if (_signed_area(array) > 0) != (k == 0):
                array = array[::-1]
            rings.append(np.ascontiguousarray(array))
        if rings:
            result.append(rings)
    return result


def _lonlat(value: Any) -> tuple[float, float] | None:
    """(lon, lat) of a countryinfo ``[lat, lon]`` pair, or None."""
    if isinstance(value, (list, tuple)) and len(value) == 2:
        try:
            lat, lon = float(value[0]), float(value[1])
        except (TypeError, ValueError):
            return None
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            return lon, lat
    return None


def _is_box(ring: np.ndarray) -> bool:
    """Whether ``ring`` is a lon/lat-aligned rectangle (a bounding box, not a real outline)."""
    return len(ring) <= 5 and len(np.unique(ring[:, 0])) == 2 and len(np.unique(ring[:, 1])) == 2


@functools.cache
def load_basemap() -> Basemap:
    """The country outlines of ``countryinfo``, loaded once per process (cached).

    Each country is a :class:`CountryShape` of lon/lat polygons, keyed by ISO alpha-2;
    :meth:`Basemap.resolve` accepts alpha-3 codes too. Countries countryinfo knows without an outline
    are in ``unoutlined`` with their centre. ``load_seconds`` records how long the first load took.
    """
    import time

    started = time.perf_counter()
    countries: dict[str, CountryShape] = {}
    known: dict[str, tuple[str, float, float]] = {}
    aliases: dict[str, str] = {}
    for record in _countryinfo_records():
        iso = record.get("ISO") if isinstance(record.get("ISO"), dict) else {}
        code = str(iso.get("alpha2") or "").strip().upper()
        if len(code) != 2 or not code.isalpha():
            continue
        code3 = str(iso.get("alpha3") or "").strip().upper()
        if len(code3) == 3 and code3 not in aliases:
            aliases[code3] = code
        name = str(record.get("name") or code)
        center = _lonlat(record.get("latlng")) or _lonlat(record.get("capital_latlng"))
        polygons = _rings_of(record.get("geoJSON"))
        if polygons and all(_is_box(rings[0]) for rings in polygons):
            # A bounding-box placeholder (countryinfo has one for Palestine, spilling over Israel and
            # the sea, and for Andorra): no outline rather than a wrong one.
            polygons = []
        if not polygons:
            if code not in known or (math.isnan(known[code][1]) and center):
                known[code] = (name, *(center or (math.nan, math.nan)))
            continue
        if code in countries:
            continue        # the first record with an outline wins (data/ before data_no_iso/)
        points = np.concatenate([rings[0] for rings in polygons])
        if center is None:
            largest = max(polygons, key=lambda rings: abs(_signed_area(rings[0])))[0]
            center = (float(largest[:, 0].mean()), float(largest[:, 1].mean()))
        bounds = (float(points[:, 0].min()), float(points[:, 0].max()),
                  float(points[:, 1].min()), float(points[:, 1].max()))
        countries[code] = CountryShape(code, code3, name, tuple(tuple(r) for r in polygons), center, bounds)
    if not countries:
        raise InputError("no country outline found in the countryinfo package; reinstall it with "
                         "pip install --force-reinstall 'countryinfo>=1.0,<2'")
    unoutlined = {code: info for code, info in sorted(known.items()) if code not in countries}
    seconds = time.perf_counter() - started
    logger.debug("basemap: %d country outlines, %d countries without outline, loaded in %.3f s",
                 len(countries), len(unoutlined), seconds)
    return Basemap(dict(sorted(countries.items())), unoutlined, aliases, "countryinfo", seconds)


# ---------------------------------------------------------------------------------------------
# Projections and map state
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _EqualEarth:
    """Equal Earth (Šavrič, Patterson & Jenny 2018), unit sphere, central meridian 0°."""

    name: str = "Equal Earth projection"

    def __call__(self, lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
        a1, a2, a3, a4 = 1.340264, -0.081106, 0.000893, 0.003796
        lam = np.radians(np.asarray(lon, dtype=float))
        theta = np.arcsin(np.sqrt(3) / 2 * np.sin(np.radians(np.asarray(lat, dtype=float))))
        t2 = theta * theta
        t6 = t2 * t2 * t2
        x = 2 * np.sqrt(3) * lam * np.cos(theta) / (3 * (9 * a4 * t6 * t2 + 7 * a3 * t6 + 3 * a2 * t2 + a1))
        y = theta * (a4 * t6 * t2 + a3 * t6 + a2 * t2 + a1)
        return x, y


@dataclass(frozen=True)
class _Equirectangular:
    """Equirectangular (plate carrée) with true scale along the parallel ``lat0``; units are degrees."""

    lat0: float = 0.0

    @property
    def name(self) -> str:
        hemisphere = "N" if self.lat0 >= 0 else "S"
        return f"Equirectangular projection (true scale at {abs(self.lat0):.0f}°{hemisphere})"

    def __call__(self, lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
        scale = math.cos(math.radians(self.lat0))
        return np.asarray(lon, dtype=float) * scale, np.asarray(lat, dtype=float)


_Projection = _EqualEarth | _Equirectangular


@dataclass
class _MapState:
    projection: _Projection
    extent: tuple[float, float, float, float]
    country_codes: list[str]                # the country of each path in the "countries" collection


_STATES: weakref.WeakKeyDictionary[Axes, _MapState] = weakref.WeakKeyDictionary()


def map_coordinates(ax: Axes, lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """Data coordinates on a map drawn by this module of the points ``lon``, ``lat`` (degrees).

    Use it to draw more on a returned map, e.g. ``ax.plot(*map_coordinates(ax, 36.3, 33.5), "k*")``.
    """
    state = _STATES.get(ax)
    if state is None:
        raise InputError("map_coordinates(): this Axes holds no map drawn by toolkit.maps; pass the Axes "
                         "returned by plot_place_map(), plot_country_choropleth() or plot_regional_map()")
    return state.projection(lon, lat)


# ---------------------------------------------------------------------------------------------
# Views: projection, limits and figure size
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _View:
    projection: _Projection
    extent: tuple[float, float, float, float]       # lon_min, lon_max, lat_min, lat_max
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    world: bool

    @property
    def aspect(self) -> float:
        return (self.xlim[1] - self.xlim[0]) / (self.ylim[1] - self.ylim[0])

    def contains(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        lon_min, lon_max, lat_min, lat_max = self.extent
        return (lon >= lon_min) & (lon <= lon_max) & (lat >= lat_min) & (lat <= lat_max)


def _world_view(lat: np.ndarray | None = None) -> _View:
    projection = _EqualEarth()
    low, high = _WORLD_LAT
    if lat is not None and lat.size:            # keep far-south or far-north places in view
        low, high = min(low, float(lat.min()) - 3), max(high, float(lat.max()) + 3)
        low, high = max(low, -90.0), min(high, 90.0)
    x_edge, _ = projection(180.0, 0.0)
    _, y_low = projection(0.0, low)
    _, y_high = projection(0.0, high)
    margin = 0.01 * float(x_edge)
    return _View(projection, (-180.0, 180.0, low, high), (-float(x_edge) - margin, float(x_edge) + margin),
                 (float(y_low), float(y_high)), True)


def _zoom_view(extent: tuple[float, float, float, float]) -> _View:
    lon_min, lon_max, lat_min, lat_max = extent
    projection = _Equirectangular(round((lat_min + lat_max) / 2, 1))
    x0, y0 = projection(lon_min, lat_min)
    x1, y1 = projection(lon_max, lat_max)
    return _View(projection, extent, (float(x0), float(x1)), (float(y0), float(y1)), False)


def _check_extent(extent: Any, func: str) -> tuple[float, float, float, float]:
    try:
        values = tuple(float(v) for v in extent)
    except (TypeError, ValueError):
        values = ()
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise InputError(f"{func}(): extent={extent!r}; expected (lon_min, lon_max, lat_min, lat_max) in "
                         "degrees")
    lon_min, lon_max, lat_min, lat_max = values
    if not (-180 <= lon_min < lon_max <= 180 and -90 <= lat_min < lat_max <= 90):
        raise InputError(f"{func}(): extent={extent!r}; expected -180 <= lon_min < lon_max <= 180 and "
                         "-90 <= lat_min < lat_max <= 90")
    return values  # type: ignore[return-value]


def _map_axes(view: _View, ax: Axes | None, legend_inches: float, extra_height: float = 0.0) -> Axes:
    """``ax``, or a new Axes on a figure ~10 in wide whose height suits the map's aspect ratio
    (``legend_inches`` beside the map, ``extra_height`` below it for a colour bar)."""
    if ax is not None:
        return ax
    map_width = _FIG_WIDTH - 0.4 - legend_inches
    map_height = min(max(map_width / view.aspect, 3.2), 7.5)
    _, ax = plt.subplots(figsize=(_FIG_WIDTH, map_height + 1.0 + extra_height), layout="constrained")
    return ax


def _finish_axes(ax: Axes, view: _View, note: str) -> None:
    """Limits, equal aspect, no ticks; a light frame on zoomed maps; the note under the map."""
    ax.set_xlim(*view.xlim)
    ax.set_ylim(*view.ylim)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(not view.world)
        spine.set_color("#bbbbbb")
        spine.set_linewidth(0.8)
    ax.set_xlabel(note, loc="right", fontsize=_TEXT_SIZE, color=NOTE_COLOR)


def _draw_countries(ax: Axes, view: _View, *, facecolors: dict[str, Any] | Any, edgecolor: str,
                    linewidth: float, zorder: float = 0) -> tuple[PathCollection, list[str]]:
    """One PathCollection of the country outlines in view (``gid="countries"``), biggest first."""
    basemap = load_basemap()
    lon_min, lon_max, lat_min, lat_max = view.extent
    shapes = [shape for code, shape in basemap.countries.items()
              if not (view.world and code in _DROPPED)
              and shape.bounds[1] >= lon_min - 1 and shape.bounds[0] <= lon_max + 1
              and shape.bounds[3] >= lat_min - 1 and shape.bounds[2] <= lat_max + 1]
    shapes.sort(key=lambda s: (-s.area, s.code))     # enclaves (Lesotho, San Marino…) above their host
    paths, codes, colors = [], [], []
    for shape in shapes:
        for rings in shape.polygons:
            vertices, kinds = [], []
            for ring in rings:
                x, y = view.projection(ring[:, 0], ring[:, 1])
                vertices.append(np.column_stack([x, y]))
                kind = np.full(len(ring), MplPath.LINETO, dtype=np.uint8)
                kind[0] = MplPath.MOVETO
                vertices.append(vertices[-1][:1])
                kinds.extend([kind, np.array([MplPath.CLOSEPOLY], dtype=np.uint8)])
            paths.append(MplPath(np.concatenate(vertices), np.concatenate(kinds)))
            codes.append(shape.code)
            colors.append(facecolors.get(shape.code, NO_DATA_COLOR) if isinstance(facecolors, dict)
                          else facecolors)
    collection = PathCollection(paths, facecolors=colors, edgecolors=edgecolor, linewidths=linewidth,
                                zorder=zorder)
    collection.set_gid("countries")
    ax.add_collection(collection, autolim=False)
    return collection, codes


# ---------------------------------------------------------------------------------------------
# Place tables
# ---------------------------------------------------------------------------------------------

def _feature_group(feature: Any) -> str:
    """The key of :data:`FEATURE_COLORS` for a ``feature`` of the places table."""
    if not isinstance(feature, str) or not feature.strip():
        return "unknown"
    key = feature.strip().lower()
    if key == "country":
        return "country"
    if key in _ADMIN_FEATURES or key.startswith("admin"):
        return "admin"
    if key in _CITY_FEATURES:
        return "city"
    return "other"


def _place_rows(place_counts: Any, value: str, func: str) -> pd.DataFrame:
    """The rows with usable coordinates, sorted by ``value`` (largest first, ties by name), with
    ``name`` and ``group`` columns; the rows without coordinates are logged and dropped."""
    _choice(value, "value", ("mentions", "articles"), func)
    table = _require(place_counts, ["lat", "lon", value], func, "place_counts()")
    if "place_name" in table.columns:
        names = table["place_name"]
    elif "place_id" in table.columns:
        names = table["place_id"]
    else:
        raise InputError(f"{func}(): the table has neither 'place_name' nor 'place_id'; expected the output "
                         f"of place_counts(). Columns present: {list(table.columns)}")
    lat = pd.to_numeric(table["lat"], errors="coerce")
    lon = pd.to_numeric(table["lon"], errors="coerce")
    usable = lat.between(-90, 90) & lon.between(-180, 180)
    data = pd.DataFrame({
        "name": names.astype(str).where(names.notna(), "(unnamed)"),
        "lat": lat.astype(float),
        "lon": lon.astype(float),
        "value": pd.to_numeric(table[value], errors="coerce").fillna(0).clip(lower=0).astype(float),
        "group": [_feature_group(f) for f in table["feature"]] if "feature" in table.columns else "unknown",
    })
    skipped = data[~usable.to_numpy()]
    if len(skipped):
        shown = ", ".join(skipped["name"].head(5))
        more = f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
        logger.info("%s(): skipped %d place(s) without coordinates: %s%s", func, len(skipped), shown, more)
    data = data[usable.to_numpy()]
    if data.empty:
        raise InputError(f"{func}(): none of the {len(table)} places has coordinates (lat/lon); there is "
                         "nothing to draw")
    data = data.sort_values(["value", "name"], ascending=[False, True], kind="mergesort")
    return data.reset_index(drop=True)


def _unit_words(value: str, count: float) -> str:
    if value == "articles":
        return f"{count:,.0f} article{'s' if count != 1 else ''}"
    return f"{count:,.0f} mention{'s' if count != 1 else ''}"


# ---------------------------------------------------------------------------------------------
# Label placement
# ---------------------------------------------------------------------------------------------

#: Directions tried around a point, in order of preference: right, left, above, below, diagonals.
_DIRECTIONS = np.array([(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1)], dtype=float)


def _overlap_area(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Intersection areas of ``box`` (x0, y0, x1, y1) with each row of ``boxes``."""
    if boxes.size == 0:
        return np.zeros(0)
    width = np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0])
    height = np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1])
    return np.clip(width, 0, None) * np.clip(height, 0, None)


def place_labels(points: Any, radii: Any, sizes: Any, bounds: Sequence[float], *,
                 obstacles: Any = None, blocked: Any = None, gap: float = 3.0, step: float | None = None,
                 rings: int = 8) -> list[tuple[float, float, int] | None]:
    """Greedy placement of labels next to circles, in pixels, without overlapping labels.

    ``points`` (n, 2) are circle centres, ``radii`` (n,) their radii and ``sizes`` (n, 2) the width
    and height of each label's box, in priority order (the first label gets the best spot).
    ``bounds`` (x0, y0, x1, y1) is the area the boxes must stay inside. ``obstacles`` (m, 3) are
    circles (x, y, r) the labels should rather not cover (soft); ``blocked`` (k, 4) are boxes they
    must not overlap (hard), like the labels placed before.

    Each label tries the 8 directions around its circle (right, left, above, below, then the
    diagonals), first just off the circle's edge, then in ``rings`` rings further out by ``step``
    pixels (default: 1.3 label heights). A position is allowed when its box lies inside ``bounds``
    and keeps ``gap`` pixels from every blocked box; among the allowed ones it takes the cheapest:
    one unit per ring out, plus the share of the box covering other circles (twice that for a
    circle's centre), plus a tie-break by direction. A label with no allowed position is skipped.

    Returns, per label, the centre of its box and the ring it sits in (0 = next to its circle; the
    caller draws a leader line for the others), or None when skipped.
    """
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    radii = np.asarray(radii, dtype=float).reshape(-1)
    sizes = np.asarray(sizes, dtype=float).reshape(-1, 2)
    circles = np.asarray(obstacles if obstacles is not None else np.zeros((0, 3)), dtype=float).reshape(-1, 3)
    placed = [np.asarray(b, dtype=float) for b in (blocked if blocked is not None else [])]
    x_min, y_min, x_max, y_max = (float(v) for v in bounds)
    circle_boxes = np.column_stack([circles[:, 0] - circles[:, 2], circles[:, 1] - circles[:, 2],
                                    circles[:, 0] + circles[:, 2], circles[:, 1] + circles[:, 2]])
    unit = _DIRECTIONS / np.linalg.norm(_DIRECTIONS, axis=1, keepdims=True)
    result: list[tuple[float, float, int] | None] = []
    for (px, py), radius, (width, height) in zip(points, radii, sizes, strict=True):
        ring_step = step if step is not None else 1.3 * height
        # Circles other than this label's own one (the first circle centred on the point).
        own = np.flatnonzero((np.abs(circles[:, 0] - px) < 0.5) & (np.abs(circles[:, 1] - py) < 0.5))
        others = np.ones(len(circles), dtype=bool)
        others[own[:1]] = False
        best: tuple[float, float, float, int] | None = None
        blocked_boxes = np.array(placed).reshape(-1, 4)
        for ring in range(rings + 1):
            if best is not None and best[0] < ring:         # nothing further out can be cheaper
                break
            distance = radius + gap + ring * ring_step
            for d, ((dx, dy), (ux, uy)) in enumerate(zip(_DIRECTIONS, unit, strict=True)):
                ax_, ay_ = px + ux * distance, py + uy * distance
                cx = ax_ + dx * width / 2
                cy = ay_ + dy * height / 2
                box = np.array([cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2])
                if box[0] < x_min or box[1] < y_min or box[2] > x_max or box[3] > y_max:
                    continue
                if blocked_boxes.size and (_overlap_area(
                        box + np.array([-gap, -gap, gap, gap]), blocked_boxes) > 0).any():
                    continue
                covered = 0.0
                if others.any():
                    # Nearer to another circle's edge than to its own: it would read as that one's label.
                    edges = np.hypot(circles[others, 0] - ax_, circles[others, 1] - ay_) - circles[others, 2]
                    if (edges < gap + ring * ring_step - 0.5).any():
                        covered += 0.7 * width * height
                    covered = float((_overlap_area(box, circle_boxes[others]) * (math.pi / 4)).sum())
                    centres = circles[others, :2]
                    inside = ((centres[:, 0] >= box[0]) & (centres[:, 0] <= box[2])
                              & (centres[:, 1] >= box[1]) & (centres[:, 1] <= box[3]))
                    covered += float(inside.sum()) * width * height * 0.5
                cost = ring + min(covered / (width * height), 3.0) * 0.9 + 0.01 * d
                if best is None or cost < best[0]:
                    best = (cost, cx, cy, ring)
        if best is None:
            result.append(None)
            continue
        _, cx, cy, ring = best
        placed.append(np.array([cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2]))
        result.append((cx, cy, ring))
    return result


def _label_places(ax: Axes, view: _View, data: pd.DataFrame, areas: np.ndarray,
                  n_labels: int) -> list[Annotation]:
    """Label the top ``n_labels`` places in view, placed with :func:`place_labels`."""
    fig = ax.figure
    in_view = view.contains(data["lon"].to_numpy(), data["lat"].to_numpy())
    top = np.flatnonzero(in_view)[:n_labels]
    if top.size == 0:
        return []
    x, y = view.projection(data["lon"].to_numpy(), data["lat"].to_numpy())
    texts = []
    for i in top:
        text = ax.annotate(_shorten(data["name"].iat[i], 24), xy=(x[i], y[i]), xytext=(0, 0),
                           textcoords="offset points", ha="center", va="center", fontsize=_TEXT_SIZE + 0.5,
                           bbox=dict(_LABEL_BOX), zorder=6)
        text.set_in_layout(False)
        texts.append(text)
    fig.draw_without_rendering()        # final layout: now data -> pixels is fixed
    to_px = ax.transData.transform
    centres = to_px(np.column_stack([x, y]))
    radii_px = np.sqrt(areas) / 2 * fig.dpi / 72
    sizes = np.array([[t.get_bbox_patch().get_window_extent().width,
                       t.get_bbox_patch().get_window_extent().height] for t in texts])
    frame = ax.get_window_extent()
    obstacles = np.column_stack([centres, radii_px])[in_view][:300]
    spots = place_labels(centres[top], radii_px[top], sizes, (frame.x0 + 2, frame.y0 + 2, frame.x1 - 2,
                                                              frame.y1 - 2),
                         obstacles=obstacles)
    labels = []
    per_point = 72 / fig.dpi
    for text, i, spot in zip(texts, top, spots, strict=True):
        if spot is None:
            logger.debug("no room for the label of %s", data["name"].iat[i])
            text.remove()
            continue
        cx, cy, ring = spot
        offset = ((cx - centres[i, 0]) * per_point, (cy - centres[i, 1]) * per_point)
        if ring == 0:
            text.xyann = offset
        else:           # further out: a new annotation with a leader line to the circle's edge
            text.remove()
            text = ax.annotate(text.get_text(), xy=(x[i], y[i]), xytext=offset, textcoords="offset points",
                               ha="center", va="center", fontsize=_TEXT_SIZE + 0.5, bbox=dict(_LABEL_BOX),
                               zorder=6, arrowprops={"arrowstyle": "-", "color": "#555555", "linewidth": 0.7,
                                                     "shrinkA": 0, "shrinkB": radii_px[i] * per_point + 1})
            text.set_in_layout(False)
        text.set_gid("place-label")
        labels.append(text)
    skipped = len(top) - len(labels)
    if skipped:
        logger.info("%d of the top %d place labels found no free spot and were left out", skipped, len(top))
    return labels


# ---------------------------------------------------------------------------------------------
# Circles and legends
# ---------------------------------------------------------------------------------------------

def _circle_areas(values: np.ndarray, max_area: float) -> np.ndarray:
    """Marker areas in pt², proportional to ``values`` (the largest gets ``max_area``)."""
    top = float(values.max()) if values.size else 0.0
    if top <= 0:
        return np.full(values.shape, _MIN_AREA)
    return np.maximum(max_area * values / top, _MIN_AREA)


def _draw_places(ax: Axes, view: _View, data: pd.DataFrame, areas: np.ndarray) -> PathCollection:
    """One circle per place, of the given areas, largest drawn first (``gid="places"``)."""
    x, y = view.projection(data["lon"].to_numpy(), data["lat"].to_numpy())
    colors = [FEATURE_COLORS[g] for g in data["group"]]
    circles = ax.scatter(x, y, s=areas, c=[to_rgba(c, _CIRCLE_ALPHA) for c in colors],
                         edgecolors=[to_rgba(c, 0.95) for c in colors], linewidths=0.9, zorder=3)
    circles.set_gid("places")
    return circles


class _CentredMarker(HandlerLine2D):
    """Legend handler drawing the marker at the middle of its handle box: matplotlib's own puts it
    higher, by half the box's descent, so that a big marker would cover the legend title."""

    def create_artists(self, legend, orig_handle, xdescent, ydescent, width, height, fontsize, trans):
        artists = super().create_artists(legend, orig_handle, xdescent, ydescent, width, height, fontsize,
                                         trans)
        for artist in artists:
            artist.set_ydata(np.full(len(artist.get_xdata()), height / 2 - ydescent))
        return artists


def _place_legends(ax: Axes, data: pd.DataFrame, value: str, max_area: float) -> None:
    """Kind of place (top right, outside the map) and circle sizes (bottom right, outside the map)."""
    present = set(data["group"])
    handles = [Line2D([], [], linestyle="", marker="o", markersize=9,
                      markerfacecolor=to_rgba(color, _CIRCLE_ALPHA), markeredgecolor=color,
                      label=FEATURE_NAMES[key]) for key, color in FEATURE_COLORS.items() if key in present]
    kinds = ax.legend(handles=handles, title="Kind of place", loc="upper left", bbox_to_anchor=(1.01, 1.0),
                      frameon=False, fontsize=_TEXT_SIZE, title_fontsize=_TEXT_SIZE + 1, alignment="left")
    values = data["value"].to_numpy()
    top = float(values.max())
    levels = _nice_levels(values[values > 0]) if top > 0 else [0.0]
    diameters = [math.sqrt(max(max_area * level / top, _MIN_AREA)) if top > 0 else math.sqrt(_MIN_AREA)
                 for level in levels]
    sizes = [Line2D([], [], linestyle="", marker="o", markersize=d, markerfacecolor="#cccccc",
                    markeredgecolor="#666666", label=_format_value(level, value))
             for level, d in zip(levels, diameters, strict=True)]
    # Rows as tall as the biggest circle: a handle box is fontsize * (0.65 * handleheight + 0.245) tall.
    room = (max(diameters) + 4) / _TEXT_SIZE
    legend = Legend(ax, sizes[::-1], [h.get_label() for h in sizes[::-1]], loc="lower left",
                    bbox_to_anchor=(1.01, 0.0), frameon=False, fontsize=_TEXT_SIZE,
                    title=VALUE_LABELS[value], title_fontsize=_TEXT_SIZE + 1,
                    handleheight=max(0.7, (room - 0.245) / 0.65), handlelength=max(2.0, room),
                    handler_map={Line2D: _CentredMarker()},
                    labelspacing=0.3, alignment="left")
    legend.set_gid("size-legend")
    ax.add_artist(legend)
    legend.set_clip_on(False)       # add_artist clips to the Axes, which would hide it from the layout
    kinds.set_gid("kind-legend")


def _note(view: _View, extra: str = "") -> str:
    parts = [view.projection.name]
    if view.world:
        parts.append("Antarctica not shown")
    parts.append("country outlines: countryinfo (Natural Earth 1:110m)")
    text = "; ".join(parts)
    return f"{extra}\n{text}" if extra else text


# ---------------------------------------------------------------------------------------------
# 1. Place map
# ---------------------------------------------------------------------------------------------

def plot_place_map(place_counts: pd.DataFrame, *, value: str = "mentions", n_labels: int = 10,
                   ax: Axes | None = None, extent: Sequence[float] | None = None) -> Axes:
    """World map of the places mentioned: one circle per place, area proportional to ``value``.

    ``place_counts`` is a place counts table (``place_id``, ``place_name``, ``country_code``,
    ``feature``, ``lat``, ``lon``, ``mentions``, ``articles``), one row per resolved place. Rows
    without coordinates are skipped (logged at INFO). Circles are semi-transparent, largest drawn
    first, coloured by kind of place (:data:`FEATURE_COLORS`: country, province/state, city/town,
    region/landform, from ``feature``); the legend on the right shows circle sizes in
    ``value`` units ("Mentions (count)" or "Articles mentioning (count)"). The ``n_labels`` places
    with the largest ``value`` in view are labelled without overlapping (:func:`place_labels`).

    The world is drawn in the Equal Earth projection without Antarctica; ``extent=(lon_min,
    lon_max, lat_min, lat_max)`` zooms to a lon/lat box instead (equirectangular projection).

    Example:
        >>> ax = plot_place_map(places, n_labels=12)                                  # doctest: +SKIP
        >>> ax = plot_place_map(places, extent=(-15, 45, 30, 62), value="articles")   # doctest: +SKIP
    """
    func = "plot_place_map"
    n_labels = _nonnegative(n_labels, "n_labels", func)
    data = _place_rows(place_counts, value, func)
    if extent is not None:
        view = _zoom_view(_check_extent(extent, func))
    else:
        view = _world_view(data["lat"].to_numpy())
    return _draw_place_map(ax, view, data, value, n_labels,
                           title=f"Where the coverage is: {len(data):,} places, "
                                 f"{_unit_words(value, data['value'].sum())}")


def _nonnegative(value: Any, name: str, func: str) -> int:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value == 0:
        return 0
    return _positive(value, name, func)


def _draw_place_map(ax: Axes | None, view: _View, data: pd.DataFrame, value: str, n_labels: int, *,
                    title: str, regional: bool = False) -> Axes:
    ax = _map_axes(view, ax, legend_inches=1.9)
    if regional:
        countries, codes = _draw_countries(ax, view, facecolors=REGION_LAND_COLOR,
                                           edgecolor=REGION_BORDER_COLOR, linewidth=0.7)
    else:
        countries, codes = _draw_countries(ax, view, facecolors=LAND_COLOR, edgecolor=BORDER_COLOR,
                                           linewidth=0.5)
    max_area = _WORLD_MAX_AREA if view.world else _MAX_AREA
    areas = _circle_areas(data["value"].to_numpy(), max_area)
    _draw_places(ax, view, data, areas)
    _place_legends(ax, data, value, max_area)
    ax.set_title(title, fontsize=12)
    extra = ""
    outside = ~view.contains(data["lon"].to_numpy(), data["lat"].to_numpy())
    if outside.any():
        names = ", ".join(data["name"][outside].head(3))
        more = ", …" if outside.sum() > 3 else ""
        count = int(outside.sum())
        extra = (f"{count} place{'s' if count != 1 else ''} outside the view "
                 f"({_unit_words(value, data['value'][outside].sum())}): {names}{more}")
    _finish_axes(ax, view, _note(view, extra))
    _STATES[ax] = _MapState(view.projection, view.extent, codes)
    labels = _label_places(ax, view, data, areas, n_labels)
    if regional:
        x, y = view.projection(data["lon"].to_numpy(), data["lat"].to_numpy())
        circles = np.column_stack([ax.transData.transform(np.column_stack([x, y])),
                                   np.sqrt(areas) / 2 * ax.figure.dpi / 72])
        _name_countries(ax, view, labels, countries, codes, circles)
    return ax


# ---------------------------------------------------------------------------------------------
# 2. Country choropleth
# ---------------------------------------------------------------------------------------------

def _country_values(country_counts: Any, value: str, func: str) -> tuple[dict[str, float], Basemap]:
    table = _require(country_counts, ["country_code", value], func, "country_counts()")
    basemap = load_basemap()
    codes = [basemap.resolve(c) for c in table["country_code"]]
    values = pd.to_numeric(table[value], errors="coerce").to_numpy(dtype=float)
    unknown = sorted({str(c) for c, r in zip(table["country_code"], codes, strict=True)
                      if r is None and pd.notna(c)})
    if unknown:
        logger.info("%s(): skipped %d unknown country code(s): %s", func, len(unknown),
                    ", ".join(unknown[:10]))
    result: dict[str, float] = {}
    for code, amount in zip(codes, values, strict=True):
        if code is None or not math.isfinite(amount):
            continue
        if code in result:
            raise InputError(f"{func}(): country {code!r} has more than one row; expected one row per "
                             "country (the output of country_counts() without by=); filter to one group "
                             "first")
        result[code] = float(amount)
    return result, basemap


def plot_country_choropleth(country_counts: pd.DataFrame, *, value: str = "mentions", ax: Axes | None = None,
                            extent: Sequence[float] | None = None, scale: str = "auto") -> Axes:
    """World map of countries filled by ``value``: more is darker.

    ``country_counts`` is a country counts table (``country_code`` ISO alpha-2, or alpha-3;
    ``country_name`` optional; ``mentions``, ``articles``, ``share_articles``), one row per
    country. ``value`` is ``"mentions"``, ``"articles"`` or ``"share_articles"`` (0..1, drawn as a
    percentage). Countries are filled on :data:`CHOROPLETH_CMAP` (reversed viridis: perceptually
    uniform, colour-blind-safe, dark = more); countries absent from the table or with 0 stay light
    grey. The colour bar under the map carries the units. ``scale`` is ``"linear"``, ``"log"`` or
    ``"auto"`` (logarithmic for counts spanning more than a factor of 100, as news coverage often
    does; shares stay linear). A country with a value but no outline in the basemap (a small island
    state, or one of the gaps of countryinfo) is drawn as a dot of its colour at its centre.

    ``extent=(lon_min, lon_max, lat_min, lat_max)`` zooms as in :func:`plot_place_map`.

    Example:
        >>> ax = plot_country_choropleth(countries, value="share_articles")   # doctest: +SKIP
    """
    func = "plot_country_choropleth"
    _choice(value, "value", ("mentions", "articles", "share_articles"), func)
    _choice(scale, "scale", ("auto", "linear", "log"), func)
    values, basemap = _country_values(country_counts, value, func)
    view = _zoom_view(_check_extent(extent, func)) if extent is not None else _world_view()
    positive = np.array([v for v in values.values() if v > 0])
    if positive.size == 0:
        raise InputError(f"{func}(): no country has a {value} above 0; there is nothing to colour")
    top = float(positive.max())
    use_log = scale == "log" or (scale == "auto" and value != "share_articles"
                                 and top / float(positive.min()) > _LOG_RATIO)
    if use_log:
        norm: Normalize = LogNorm(vmin=float(positive.min()), vmax=top)
    else:
        norm = Normalize(vmin=0.0, vmax=1.0 if value == "share_articles" and top > 0.5 else top)
    cmap = plt.get_cmap(CHOROPLETH_CMAP)
    colors = {code: cmap(norm(v)) for code, v in values.items() if v > 0}

    ax = _map_axes(view, ax, legend_inches=0.0, extra_height=0.7)
    _, codes = _draw_countries(ax, view, facecolors=colors, edgecolor=BORDER_COLOR, linewidth=0.5)

    # Countries with a value but no outline: a dot of their colour at their centre.
    dots = [(code, *basemap.unoutlined[code][1:]) for code in sorted(colors) if code in basemap.unoutlined
            and math.isfinite(basemap.unoutlined[code][1])]
    handles: list[Any] = [Patch(facecolor=NO_DATA_COLOR, edgecolor="#aaaaaa", linewidth=0.5,
                                label=f"No {'mentions' if value == 'mentions' else 'articles'}")]
    if dots:
        x, y = view.projection([d[1] for d in dots], [d[2] for d in dots])
        marks = ax.scatter(x, y, s=36, c=[colors[d[0]] for d in dots], edgecolors="#333333", linewidths=0.7,
                           zorder=4)
        marks.set_gid("unoutlined-countries")
        handles.append(Line2D([], [], linestyle="", marker="o", markersize=6, markerfacecolor="#bbbbbb",
                              markeredgecolor="#333333", label="Country without outline (dot)"))
        logger.debug("%s(): %d countries drawn as dots: %s", func, len(dots), ", ".join(d[0] for d in dots))
    missing = sorted(c for c in colors if c not in basemap.countries and c not in {d[0] for d in dots})
    if missing:
        logger.info("%s(): no outline or centre for %s; not drawn", func, ", ".join(missing))

    label = VALUE_LABELS[value].replace(")", ", log scale)") if use_log else VALUE_LABELS[value]
    mappable = ScalarMappable(norm=norm, cmap=cmap)
    bar = ax.figure.colorbar(mappable, ax=ax, orientation="horizontal", shrink=0.45, aspect=30, pad=0.02,
                             location="bottom")
    bar.set_label(label, fontsize=_TEXT_SIZE + 1)
    bar.ax.tick_params(labelsize=_TEXT_SIZE)
    if value == "share_articles":
        bar.ax.xaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    elif use_log:       # 1, 2, 5, 10, 20… written out rather than as powers of ten
        bar.ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        bar.ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1 else f"{v:g}"))
        bar.ax.xaxis.set_minor_formatter(NullFormatter())
    # The grey of "none" (and the dots) explained beside the colour bar, clear of the map.
    legend = bar.ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.04, 0.5), frameon=False,
                           fontsize=_TEXT_SIZE, borderaxespad=0.0)
    legend.set_gid("no-data-legend")
    titles = {"mentions": "Mentions of each country", "articles": "Articles mentioning each country",
              "share_articles": "Share of articles mentioning each country"}
    coloured = len(colors)
    ax.set_title(f"{titles[value]} ({coloured} {'country' if coloured == 1 else 'countries'})", fontsize=12)
    _finish_axes(ax, view, _note(view))
    _STATES[ax] = _MapState(view.projection, view.extent, codes)
    return ax


# ---------------------------------------------------------------------------------------------
# 3. Regional map
# ---------------------------------------------------------------------------------------------

def _weighted_range(x: np.ndarray, weights: np.ndarray, tail: float) -> tuple[float, float]:
    """The smallest and largest values of ``x`` left once at most ``tail`` of the total weight is
    trimmed from each end: the weighted ``tail`` and ``1 - tail`` quantiles, taken on data points (not
    interpolated, so that the range never ends half-way across an ocean between two far points)."""
    order = np.argsort(x, kind="mergesort")
    x, weights = x[order], weights[order]
    total = weights.sum()
    below = np.cumsum(weights)                  # weight at or below each point
    above = total - below + weights             # weight at or above each point
    low = x[np.flatnonzero(below > tail * total)[0]]
    high = x[np.flatnonzero(above > tail * total)[-1]]
    return float(low), float(high)


def _regional_box(lon: np.ndarray, lat: np.ndarray, weights: np.ndarray, padding: float,
                  min_span: float = _MIN_SPAN, keep_share: float = _KEEP_SHARE,
                  aspect_range: tuple[float, float] = (1.25, 2.2)) -> tuple[float, float, float, float]:
    weights = np.where(weights > 0, weights, 0.0)
    if weights.sum() <= 0:
        weights = np.ones_like(lon)
    lon_lo, lon_hi = _weighted_range(lon, weights, 0.05)
    lat_lo, lat_hi = _weighted_range(lat, weights, 0.05)
    keep = weights / weights.sum() >= keep_share
    if keep.any():
        lon_lo, lon_hi = min(lon_lo, lon[keep].min()), max(lon_hi, lon[keep].max())
        lat_lo, lat_hi = min(lat_lo, lat[keep].min()), max(lat_hi, lat[keep].max())
    # Pad by a share of the span (at least of the minimum span, so a tight cluster gets room too).
    pad_lat = padding * max(lat_hi - lat_lo, min_span)
    lat_lo, lat_hi = lat_lo - pad_lat, lat_hi + pad_lat
    cos = max(math.cos(math.radians((lat_lo + lat_hi) / 2)), 0.2)
    pad_lon = padding * max(lon_hi - lon_lo, min_span / cos)
    lon_lo, lon_hi = lon_lo - pad_lon, lon_hi + pad_lon
    # Minimum span and a sensible aspect ratio, in projected units (degrees of latitude).
    width, height = (lon_hi - lon_lo) * cos, lat_hi - lat_lo
    width, height = max(width, min_span), max(height, min_span)
    low_ratio, high_ratio = aspect_range
    if width / height > high_ratio:
        height = width / high_ratio
    elif width / height < low_ratio:
        width = height * low_ratio
    height = min(height, 170.0)
    lat_mid = (lat_lo + lat_hi) / 2
    lat_lo, lat_hi = lat_mid - height / 2, lat_mid + height / 2
    if lat_lo < -85:
        lat_lo, lat_hi = -85.0, min(-85.0 + height, 85.0)
    if lat_hi > 85:
        lat_lo, lat_hi = max(85.0 - height, -85.0), 85.0
    lon_mid, half = (lon_lo + lon_hi) / 2, min(width / cos / 2, 180.0)
    lon_lo, lon_hi = lon_mid - half, lon_mid + half
    if lon_lo < -180:
        lon_lo, lon_hi = -180.0, -180.0 + 2 * half
    if lon_hi > 180:
        lon_lo, lon_hi = 180.0 - 2 * half, 180.0
    lon_lo, lon_hi, lat_lo, lat_hi = (round(float(v), 4) for v in (lon_lo, lon_hi, lat_lo, lat_hi))
    return lon_lo, lon_hi, lat_lo, lat_hi


def regional_extent(place_counts: pd.DataFrame, *, value: str = "mentions",
                    padding: float = 0.15) -> tuple[float, float, float, float]:
    """The (lon_min, lon_max, lat_min, lat_max) box where the mentions are, for a regional map.

    The box spans the 5th to 95th percentiles of longitude and latitude, weighting each place by
    ``value``, so that a few far places with little weight (one mention of Washington in coverage
    of Syria) do not stretch it; any place holding at least 5% of the total is kept inside all the
    same. It is then padded by ``padding`` times its span on every side, widened to at least 8° of
    latitude (and the same distance east–west), and its width:height ratio (on the map) is kept
    between 1.25 and 2.2 (landscape, to suit a notebook) by growing the shorter side.

    Boxes do not cross the antimeridian: coverage of places on both sides of 180° (Fiji and Samoa)
    gets a box spanning the longitudes in between, up to the whole world.
    """
    func = "regional_extent"
    return _extent_of(_place_rows(place_counts, value, func), padding, func)


def _extent_of(data: pd.DataFrame, padding: Any, func: str) -> tuple[float, float, float, float]:
    if not isinstance(padding, (int, float)) or isinstance(padding, bool) or not 0 <= padding <= 2:
        raise InputError(f"{func}(): padding={padding!r}; expected a number between 0 and 2 (a share of the "
                         "span added on each side)")
    return _regional_box(data["lon"].to_numpy(), data["lat"].to_numpy(), data["value"].to_numpy(),
                         float(padding))


def _name_countries(ax: Axes, view: _View, labels: list[Annotation], countries: PathCollection,
                    codes: list[str], circles: np.ndarray) -> None:
    """Country names in light grey capitals, for orientation on a regional map.

    Larger countries (by area in view) first. A name goes at the country's centre when it fits
    there, else at the point of a grid over the view nearest to that centre where it does: its box
    inside the map, its middle and both ends inside the country, clear of the place labels, of the
    circles (``circles``: (n, 3) x, y, radius in pixels) and of the names placed before.
    """
    basemap = load_basemap()
    frame = ax.get_window_extent()
    to_px = ax.transData
    taken = [np.array([b.x0, b.y0, b.x1, b.y1])
             for b in (t.get_bbox_patch().get_window_extent() for t in labels)]
    taken += [np.array([x - r, y - r, x + r, y + r]) for x, y, r in circles]
    grid_x, grid_y = np.meshgrid(np.linspace(frame.x0, frame.x1, 25)[1:-1],
                                 np.linspace(frame.y0, frame.y1, 17)[1:-1])
    grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    paths_of: dict[str, list[MplPath]] = {}
    for code, path in zip(codes, countries.get_paths(), strict=True):
        paths_of.setdefault(code, []).append(path)

    def within(code: str, points: np.ndarray) -> np.ndarray:
        hits = np.zeros(len(points), dtype=bool)
        for path in paths_of[code]:
            hits |= path.contains_points(points, transform=to_px)
        return hits

    inside_grid = {code: within(code, grid) for code in paths_of}
    ranked = sorted((code for code in paths_of if inside_grid[code].any()),
                    key=lambda code: (-int(inside_grid[code].sum()), code))
    for code in ranked:
        shape = basemap.countries[code]
        centre = to_px.transform(np.column_stack(view.projection(*shape.center)))[0]
        spots = grid[inside_grid[code]]
        spots = np.vstack([centre, spots[np.argsort(np.hypot(*(spots - centre).T), kind="mergesort")]])
        name = "\n".join(textwrap.wrap(shape.name.upper(), 16)[:2])
        text = ax.text(0, 0, name, ha="center", va="center", fontsize=_TEXT_SIZE, color=COUNTRY_NAME_COLOR,
                       zorder=2, linespacing=1.0, gid="country-name")
        text.set_in_layout(False)
        box = text.get_window_extent()
        half_w, half_h = box.width / 2 + 2, box.height / 2 + 2
        for x, y in spots:
            array = np.array([x - half_w, y - half_h, x + half_w, y + half_h])
            if array[0] < frame.x0 or array[2] > frame.x1 or array[1] < frame.y0 or array[3] > frame.y1:
                continue
            if not within(code, np.array([[x, y], [array[0] + 2, y], [array[2] - 2, y]])).all():
                continue
            if taken and (_overlap_area(array, np.array(taken)) > 0).any():
                continue
            text.set_position(tuple(to_px.inverted().transform([x, y])))
            taken.append(array)
            break
        else:
            text.remove()


def plot_regional_map(place_counts: pd.DataFrame, *, value: str = "mentions", n_labels: int = 12,
                      ax: Axes | None = None, padding: float = 0.15) -> Axes:
    """Map zoomed to where the mentions are, with the places labelled and countries named.

    As :func:`plot_place_map`, on the box of :func:`regional_extent` (the weighted 5th–95th
    percentiles of the places' longitudes and latitudes, padded by ``padding``), in the
    equirectangular projection true to scale at the middle of the box. Country outlines and names
    are drawn lightly for orientation. Places outside the box are still counted: the note under
    the map says how many there are and how much they hold. The ``n_labels`` largest places in the
    box are labelled.

    Example:
        >>> ax = plot_regional_map(places, n_labels=15, padding=0.25)    # doctest: +SKIP
    """
    func = "plot_regional_map"
    n_labels = _nonnegative(n_labels, "n_labels", func)
    data = _place_rows(place_counts, value, func)
    view = _zoom_view(_extent_of(data, padding, func))
    inside = view.contains(data["lon"].to_numpy(), data["lat"].to_numpy())
    count = int(inside.sum())
    held = data["value"][inside].sum()
    share = held / data["value"].sum() if data["value"].sum() > 0 else 1.0
    title = (f"Where the coverage is concentrated: {count:,} place{'s' if count != 1 else ''}, "
             f"{_unit_words(value, held)} ({'>99%' if 0.99 < share < 1 else f'{share:.0%}'} of all)")
    return _draw_place_map(ax, view, data, value, n_labels, title=title, regional=True)
