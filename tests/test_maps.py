"""The map functions of toolkit.maps, drawn with the Agg backend on hand-built place and country tables.

The tables follow the schemas of the places module (place counts: one row per resolved place;
country counts: one row per country) but are built here, so these tests do not depend on it. Set
TOOLKIT_MAPS_REVIEW_DIR to a folder to keep a PNG of every map for review.
"""

from __future__ import annotations

import itertools
import logging
import math
import os
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba

from toolkit import maps
from toolkit.errors import InputError
from toolkit.maps import (
    FEATURE_COLORS,
    NO_DATA_COLOR,
    load_basemap,
    map_coordinates,
    place_labels,
    plot_country_choropleth,
    plot_place_map,
    plot_regional_map,
    regional_extent,
)

# name, country, feature, lat, lon, mentions, articles
MIDDLE_EAST = [
    ("Raqqa", "SY", "city", 35.95, 39.01, 140, 41),
    ("Mosul", "IQ", "city", 36.34, 43.13, 95, 33),
    ("Baghdad", "IQ", "city", 33.34, 44.40, 60, 27),
    ("Deir ez-Zor", "SY", "city", 35.34, 40.14, 48, 19),
    ("Damascus", "SY", "city", 33.51, 36.29, 41, 22),
    ("Tripoli", "LB", "city", 34.43, 35.84, 12, 7),
    ("Syria", "SY", "country", 35.0, 38.0, 150, 58),
    ("Iraq", "IQ", "country", 33.0, 44.0, 110, 47),
    ("Anbar", "IQ", "admin1", 33.0, 42.0, 16, 9),
    ("Euphrates", "IQ", "river", 34.5, 41.0, 9, 6),
]
WEST = [
    ("London", "GB", "city", 51.51, -0.13, 25, 12),
    ("Paris", "FR", "city", 48.86, 2.35, 18, 9),
    ("Washington", "US", "city", 38.90, -77.04, 30, 15),
]
COLUMNS = ["place_name", "country_code", "feature", "lat", "lon", "mentions", "articles"]


# ---------------------------------------------------------------------------------------------
# Fixtures: a non-interactive backend, plt.show forbidden, every figure closed
# ---------------------------------------------------------------------------------------------

#: Every test here draws on the Agg backend, with plt.show forbidden (see conftest).
pytestmark = pytest.mark.usefixtures("agg_backend")


def _save(ax: Axes, tmp_path: Path, name: str) -> Path:
    """Save the map (and keep a copy in TOOLKIT_MAPS_REVIEW_DIR when set)."""
    path = tmp_path / f"{name}.png"
    ax.figure.savefig(path, dpi=100)
    assert path.stat().st_size > 5000
    review = os.environ.get("TOOLKIT_MAPS_REVIEW_DIR")
    if review:
        Path(review).mkdir(parents=True, exist_ok=True)
        ax.figure.savefig(Path(review) / f"{name}.png", dpi=100)
    return path


def _places(rows) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=COLUMNS)
    table.insert(0, "place_id", np.arange(1000, 1000 + len(table)))
    return table


@pytest.fixture
def places() -> pd.DataFrame:
    """Middle East coverage with a few western places, and one place the resolver could not locate."""
    table = _places([*MIDDLE_EAST, *WEST, ("Nowhere", "", "city", np.nan, np.nan, 3, 1)])
    return table


@pytest.fixture
def middle_east() -> pd.DataFrame:
    return _places(MIDDLE_EAST)


@pytest.fixture
def countries() -> pd.DataFrame:
    codes = ["SY", "IQ", "US", "GB", "FR", "LB", "TR", "JO", "BH"]
    mentions = [420, 310, 48, 30, 21, 12, 8, 5, 3]
    articles = [70, 61, 15, 12, 9, 6, 4, 3, 2]
    return pd.DataFrame({"country_code": codes, "country_name": codes, "mentions": mentions,
                         "articles": articles, "share_articles": [a / 100 for a in articles]})


# ---------------------------------------------------------------------------------------------
# Helpers to read the drawing back
# ---------------------------------------------------------------------------------------------

def _collection(ax: Axes, gid: str) -> PathCollection:
    found = [c for c in ax.collections if c.get_gid() == gid]
    assert len(found) == 1, f"expected one collection {gid!r}, found {len(found)}"
    return found[0]


def _labels(ax: Axes) -> list:
    return [t for t in ax.texts if t.get_gid() == "place-label"]


def _label_boxes(ax: Axes) -> list:
    """Window extents of the label boxes (the white box around each label's text), after a full draw."""
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    return [t.get_bbox_patch().get_window_extent(renderer) for t in _labels(ax)]


def _assert_no_overlap(boxes) -> None:
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), f"label boxes overlap: {a} and {b}"


def _country_colors(ax: Axes) -> dict[str, tuple]:
    collection = _collection(ax, "countries")
    codes = maps._STATES[ax].country_codes
    faces = collection.get_facecolors()
    assert len(codes) == len(faces)
    return {code: tuple(face) for code, face in zip(codes, faces, strict=True)}


def _luminance(rgba) -> float:
    r, g, b = rgba[:3]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


# ---------------------------------------------------------------------------------------------
# Basemap
# ---------------------------------------------------------------------------------------------

def test_basemap_holds_the_countries_keyed_by_iso_codes():
    basemap = load_basemap()
    assert len(basemap.countries) > 150
    for code in ("SY", "IQ", "LB", "GB", "FR", "US", "TR", "JO"):
        shape = basemap.countries[code]
        assert shape.code == code and shape.polygons
        for rings in shape.polygons:
            for ring in rings:
                assert ring.shape[1] == 2
                assert (np.abs(ring[:, 0]) <= 180).all() and (np.abs(ring[:, 1]) <= 90).all()
    assert basemap.resolve("SYR") == "SY" and basemap.resolve("gbr") == "GB" and basemap.resolve("iq") == "IQ"
    assert basemap.resolve("ZZ") is None and basemap.resolve(None) is None
    lon, lat = basemap.countries["SY"].center
    assert 35 < lon < 42 and 32 < lat < 37
    # Countries countryinfo knows without an outline keep a centre for choropleth dots.
    name, lon, lat = basemap.unoutlined["BH"]
    assert name == "Bahrain" and 50 < lon < 51 and 25 < lat < 27
    # Bounding-box placeholders are not outlines: Palestine's would cover much of Israel.
    assert "PS" not in basemap.countries and "PS" in basemap.unoutlined and "AD" in basemap.unoutlined


def test_basemap_loads_fast_and_once():
    load_basemap.cache_clear()
    started = time.perf_counter()
    first = load_basemap()
    cold = time.perf_counter() - started
    started = time.perf_counter()
    second = load_basemap()
    warm = time.perf_counter() - started
    assert first is second
    assert cold < 1.0, f"the basemap took {cold:.2f} s to load"
    assert warm < 0.01
    assert first.load_seconds < 1.0


def test_projections_keep_orientation_and_equal_earth_extent():
    equal_earth = maps._EqualEarth()
    x, y = equal_earth(np.array([-180.0, 0.0, 180.0, 0.0]), np.array([0.0, 0.0, 0.0, 90.0]))
    assert x[0] == pytest.approx(-x[2]) and x[1] == pytest.approx(0) and y[3] > 1.2
    # Equal Earth is about 2.05 times as wide as it is tall.
    assert (x[2] - x[0]) / (2 * y[3]) == pytest.approx(2.05, abs=0.02)
    flat = maps._Equirectangular(60.0)
    x, y = flat(np.array([10.0]), np.array([50.0]))
    assert x[0] == pytest.approx(5.0) and y[0] == pytest.approx(50.0)


# ---------------------------------------------------------------------------------------------
# Label placement
# ---------------------------------------------------------------------------------------------

def _boxes_of(spots, sizes):
    return [(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            for spot, (w, h) in zip(spots, sizes, strict=True) if spot is not None for cx, cy, _ in [spot]]


def _overlapping(a, b, gap=0.0) -> bool:
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def test_place_labels_puts_a_lone_label_right_of_its_circle():
    spots = place_labels([[100, 100]], [10], [[40, 12]], (0, 0, 400, 300))
    cx, cy, ring = spots[0]
    assert ring == 0 and cx - 20 >= 110 and cy == pytest.approx(100)


def test_place_labels_never_overlap_in_a_crowd():
    rng = np.random.default_rng(7)
    points = rng.normal([300, 200], 12, size=(12, 2))      # a tight cluster, like the Levant on a world map
    sizes = np.column_stack([rng.uniform(30, 80, 12), np.full(12, 14.0)])
    radii = rng.uniform(3, 15, 12)
    spots = place_labels(points, radii, sizes, (0, 0, 600, 400), obstacles=np.column_stack([points, radii]))
    assert all(spot is not None for spot in spots)
    boxes = _boxes_of(spots, sizes)
    for a, b in itertools.combinations(boxes, 2):
        assert not _overlapping(a, b)
    assert all(box[0] >= 0 and box[2] <= 600 and box[1] >= 0 and box[3] <= 400 for box in boxes)
    assert any(spot[2] > 0 for spot in spots)                   # some had to move out (leader lines)


def test_place_labels_avoid_covering_other_circles_when_they_can():
    # A big circle right of the point: the label should go left rather than cover it.
    spots = place_labels([[200, 200]], [5], [[40, 12]], (0, 0, 400, 400),
                         obstacles=[[200, 200, 5], [245, 200, 30]])
    cx, _, _ = spots[0]
    assert cx < 200


def test_place_labels_skip_a_label_with_no_room_and_respect_blocked_boxes():
    blocked = [(0, 0, 100, 100)]
    spots = place_labels([[50, 50], [50, 50]], [5, 5], [[90, 90], [20, 10]], (0, 0, 100, 100),
                         blocked=blocked)
    assert spots == [None, None]
    spots = place_labels([[150, 50]], [5], [[20, 10]], (0, 0, 300, 100), blocked=blocked)
    box = _boxes_of(spots, [[20, 10]])[0]
    assert not _overlapping(box, blocked[0])


# ---------------------------------------------------------------------------------------------
# 1. Place map
# ---------------------------------------------------------------------------------------------

def test_place_map_draws_circles_labels_legend_and_title(places, tmp_path):
    ax = plot_place_map(places, n_labels=10)
    assert isinstance(ax, Axes)
    assert ax.get_title()
    circles = _collection(ax, "places")
    assert len(circles.get_offsets()) == places["lat"].notna().sum() == 13
    # Area ∝ mentions: the largest value gets the largest circle, in proportion.
    sizes = circles.get_sizes()
    assert sizes.max() / sizes[1] == pytest.approx(150 / 140)
    # Colour by kind of place: countries and cities differ.
    faces = {tuple(np.round(f, 3)) for f in circles.get_facecolors()}
    assert tuple(np.round(to_rgba(FEATURE_COLORS["country"], maps._CIRCLE_ALPHA), 3)) in faces
    assert tuple(np.round(to_rgba(FEATURE_COLORS["city"], maps._CIRCLE_ALPHA), 3)) in faces
    labels = _labels(ax)
    assert len(labels) == 10
    assert {t.get_text() for t in labels} >= {"Syria", "Raqqa", "Iraq", "Mosul", "Baghdad"}
    _assert_no_overlap(_label_boxes(ax))
    legends = [a for a in ax.artists if a.get_gid() == "size-legend"]
    assert len(legends) == 1 and legends[0].get_title().get_text() == "Mentions (count)"
    assert ax.get_legend().get_title().get_text() == "Kind of place"
    assert "Equal Earth" in ax.get_xlabel()
    _save(ax, tmp_path, "place_map_world")


def test_place_map_labels_stay_apart_for_many_labels(places, tmp_path):
    ax = plot_place_map(places, n_labels=13)
    boxes = _label_boxes(ax)
    assert len(boxes) == 13
    _assert_no_overlap(boxes)
    frame = ax.get_window_extent()
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1 for b in boxes)
    _save(ax, tmp_path, "place_map_13_labels")


def test_place_map_skips_places_without_coordinates_with_a_log_note(places, caplog):
    with caplog.at_level(logging.INFO, logger="toolkit.maps"):
        ax = plot_place_map(places)
    assert len(_collection(ax, "places").get_offsets()) == 13
    assert "skipped 1 place(s) without coordinates: Nowhere" in caplog.text


def test_place_map_by_articles_uses_its_units(places):
    ax = plot_place_map(places, value="articles", n_labels=3)
    legend = next(a for a in ax.artists if a.get_gid() == "size-legend")
    assert legend.get_title().get_text() == "Articles mentioning (count)"
    assert "articles" in ax.get_title()
    assert len(_labels(ax)) == 3


def test_place_map_draws_on_the_given_axes(places):
    fig, (left, right) = plt.subplots(1, 2, figsize=(14, 4))
    figures = plt.get_fignums()
    ax = plot_place_map(places, ax=right, n_labels=4)
    assert ax is right and ax.figure is fig
    assert plt.get_fignums() == figures
    assert not left.collections
    assert len(_labels(right)) == 4


def test_place_map_extent_zooms(places, tmp_path):
    extent = (-15.0, 50.0, 25.0, 60.0)
    ax = plot_place_map(places, extent=extent, n_labels=12)
    x, y = map_coordinates(ax, [extent[0], extent[1]], [extent[2], extent[3]])
    assert ax.get_xlim() == pytest.approx(tuple(x)) and ax.get_ylim() == pytest.approx(tuple(y))
    # Washington is out of the zoomed view: drawn (clipped) but not labelled, and the note says so.
    assert len(_collection(ax, "places").get_offsets()) == 13
    assert len(_labels(ax)) == 12 and "Washington" not in {t.get_text() for t in _labels(ax)}
    assert "1 place outside the view" in ax.get_xlabel()
    _assert_no_overlap(_label_boxes(ax))
    _save(ax, tmp_path, "place_map_extent")


def test_place_map_rejects_bad_input(places):
    with pytest.raises(InputError, match="'lat'"):
        plot_place_map(places.drop(columns="lat"))
    with pytest.raises(InputError, match="value='share_articles'"):
        plot_place_map(places, value="share_articles")
    with pytest.raises(InputError, match="extent="):
        plot_place_map(places, extent=(50, -15, 25, 60))
    with pytest.raises(InputError, match="n_labels"):
        plot_place_map(places, n_labels=-1)
    with pytest.raises(InputError, match="none of the 1 places has coordinates"):
        plot_place_map(places.tail(1))
    with pytest.raises(InputError, match="DataFrame"):
        plot_place_map([1, 2, 3])


def test_place_map_without_labels(places):
    ax = plot_place_map(places, n_labels=0)
    assert _labels(ax) == []


# ---------------------------------------------------------------------------------------------
# 2. Choropleth
# ---------------------------------------------------------------------------------------------

def test_choropleth_colours_countries_by_value(countries, tmp_path):
    ax = plot_country_choropleth(countries)
    assert isinstance(ax, Axes) and ax.get_title()
    colors = _country_colors(ax)
    grey = to_rgba(NO_DATA_COLOR)
    # More is darker, and different; absent countries stay grey.
    assert colors["SY"] != colors["GB"] != colors["TR"]
    assert _luminance(colors["SY"]) < _luminance(colors["US"]) < _luminance(colors["TR"])
    for absent in ("BR", "CN", "AU", "DE", "EG"):
        assert colors[absent] == pytest.approx(grey)
    for present in ("SY", "IQ", "US", "GB", "FR", "LB", "TR", "JO"):
        assert colors[present] != pytest.approx(grey)
    # The colour bar carries the units; counts spanning > 100x go logarithmic.
    colorbar_axes = [a for a in ax.figure.axes if a is not ax]
    assert len(colorbar_axes) == 1
    assert colorbar_axes[0].get_xlabel() == "Mentions (count, log scale)"
    # Bahrain has no outline in the basemap: drawn as a dot of its colour.
    dots = _collection(ax, "unoutlined-countries")
    assert len(dots.get_offsets()) == 1
    _save(ax, tmp_path, "choropleth_mentions")


def test_choropleth_share_is_linear_in_percent(countries, tmp_path):
    ax = plot_country_choropleth(countries, value="share_articles")
    bar = next(a for a in ax.figure.axes if a is not ax)
    assert bar.get_xlabel() == "Articles mentioning (%)"
    colors = _country_colors(ax)
    assert _luminance(colors["SY"]) < _luminance(colors["IQ"]) < _luminance(colors["FR"])
    ax.figure.canvas.draw()
    assert any(t.get_text().endswith("%") for t in bar.get_xticklabels())
    _save(ax, tmp_path, "choropleth_share")


def test_choropleth_accepts_alpha3_codes_and_skips_unknown_ones(countries, caplog):
    table = countries.assign(country_code=["SYR", "IRQ", "USA", "GBR", "FRA", "LBN", "TUR", "JOR", "XXX"])
    with caplog.at_level(logging.INFO, logger="toolkit.maps"):
        ax = plot_country_choropleth(table, value="articles", scale="linear")
    colors = _country_colors(ax)
    assert colors["SY"] != pytest.approx(to_rgba(NO_DATA_COLOR))
    assert "unknown country code(s): XXX" in caplog.text
    assert next(a for a in ax.figure.axes if a is not ax).get_xlabel() == "Articles mentioning (count)"


def test_choropleth_honours_ax_and_extent(countries):
    fig, ax = plt.subplots(figsize=(8, 5))
    out = plot_country_choropleth(countries, ax=ax, extent=(25, 50, 25, 42))
    assert out is ax and out.figure is fig
    x, _ = map_coordinates(ax, [25, 50], [33, 33])
    assert ax.get_xlim() == pytest.approx(tuple(x))


def test_choropleth_rejects_duplicates_and_empty_values(countries):
    with pytest.raises(InputError, match="more than one row"):
        plot_country_choropleth(pd.concat([countries, countries.head(1)]))
    with pytest.raises(InputError, match="no country has a mentions above 0"):
        plot_country_choropleth(countries.assign(mentions=0))
    with pytest.raises(InputError, match="scale="):
        plot_country_choropleth(countries, scale="sqrt")


# ---------------------------------------------------------------------------------------------
# 3. Regional map
# ---------------------------------------------------------------------------------------------

def _inside(extent, lon, lat) -> bool:
    return extent[0] <= lon <= extent[1] and extent[2] <= lat <= extent[3]


def test_regional_extent_holds_the_middle_east_and_is_small(middle_east):
    extent = regional_extent(middle_east)
    for row in middle_east.itertuples():
        assert _inside(extent, row.lon, row.lat), row.place_name
    lon_span, lat_span = extent[1] - extent[0], extent[3] - extent[2]
    assert lon_span < 30 and lat_span < 20           # the world is 360 x 180
    # The aspect stays sensible on the map (width / height between 1.25 and 2.2).
    ratio = lon_span * math.cos(math.radians((extent[2] + extent[3]) / 2)) / lat_span
    assert 1.24 <= ratio <= 2.21


def test_regional_extent_ignores_a_far_outlier(middle_east):
    with_outlier = pd.concat([middle_east, _places([("Washington", "US", "city", 38.90, -77.04, 1, 1)])])
    assert regional_extent(with_outlier) == regional_extent(middle_east)
    # A far place holding a real share of the coverage is kept in view.
    heavy = pd.concat([middle_east, _places([("Washington", "US", "city", 38.90, -77.04, 200, 80)])])
    assert _inside(regional_extent(heavy), -77.04, 38.90)


def test_regional_extent_of_one_place_has_a_minimum_span():
    extent = regional_extent(_places([("Mosul", "IQ", "city", 36.34, 43.13, 5, 2)]))
    assert _inside(extent, 43.13, 36.34)
    assert extent[3] - extent[2] >= 8 - 1e-9


def test_regional_map_zooms_labels_and_names_countries(middle_east, tmp_path):
    table = pd.concat([middle_east, _places([("Washington", "US", "city", 38.90, -77.04, 1, 1)])])
    ax = plot_regional_map(table, n_labels=8)
    assert isinstance(ax, Axes) and ax.get_title()
    extent = maps._STATES[ax].extent
    assert extent == regional_extent(middle_east)
    x, y = map_coordinates(ax, [extent[0], extent[1]], [extent[2], extent[3]])
    assert ax.get_xlim() == pytest.approx(tuple(x)) and ax.get_ylim() == pytest.approx(tuple(y))
    assert len(_collection(ax, "places").get_offsets()) == len(table)
    labels = _labels(ax)
    assert len(labels) == 8
    _assert_no_overlap(_label_boxes(ax))
    names = {t.get_text() for t in ax.texts if t.get_gid() == "country-name"}
    assert names & {"TURKEY", "JORDAN", "SAUDI ARABIA", "IRAN", "LEBANON", "ISRAEL"}
    assert "1 place outside the view (1 mention): Washington" in ax.get_xlabel()
    _save(ax, tmp_path, "regional_middle_east")


def test_regional_map_with_western_places_and_all_labels(places, tmp_path):
    ax = plot_regional_map(places, n_labels=12, padding=0.2)
    labels = _labels(ax)
    extent = maps._STATES[ax].extent
    in_view = sum(_inside(extent, r.lon, r.lat) for r in places.dropna(subset=["lat"]).itertuples())
    assert len(labels) == min(12, in_view)
    _assert_no_overlap(_label_boxes(ax))
    _save(ax, tmp_path, "regional_with_west")


def test_regional_map_draws_on_the_given_axes(middle_east):
    fig, ax = plt.subplots(figsize=(8, 6))
    assert plot_regional_map(middle_east, ax=ax, n_labels=5) is ax
    assert ax.figure is fig and len(_labels(ax)) == 5


def test_regional_map_rejects_bad_padding(middle_east):
    with pytest.raises(InputError, match="padding"):
        plot_regional_map(middle_east, padding=-1)


def test_map_coordinates_needs_a_map():
    _, ax = plt.subplots()
    with pytest.raises(InputError, match=r"no map drawn by toolkit\.maps"):
        map_coordinates(ax, 0, 0)


def test_feature_classes_map_to_kinds_of_place(places):
    group = maps._feature_group
    features = ("country", "admin1", "admin2", "city", "region", "river", "sea", None, "")
    assert [group(f) for f in features] == [
        "country", "admin", "admin", "city", "other", "other", "other", "unknown", "unknown"]
    ax = plot_place_map(places.drop(columns="feature"), n_labels=2)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Place (kind unknown)"]


def test_maps_are_deterministic(places):
    first = plot_place_map(places, n_labels=13)
    second = plot_place_map(places, n_labels=13)
    spots = [[(t.get_text(), t.xyann) for t in _labels(ax)] for ax in (first, second)]
    assert spots[0] == spots[1]
