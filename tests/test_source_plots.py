"""The source-pattern charts (toolkit.source_plots), drawn with the Agg backend on the constructed corpus.

The tables come from toolkit.sourcing applied to the hand-built corpus of test_sourcing.py; every
chart is also saved to /tmp/charts (or $TOOLKIT_CHART_DIR) for a look.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_hex
from matplotlib.patches import Rectangle
from test_sourcing import build_tables, corpus_specs  # the corpus builder (tests/ is on sys.path)

from toolkit.errors import InputError
from toolkit.source_plots import (
    SOURCE_TYPE_COLORS,
    SOURCE_TYPE_NAMES,
    plot_anonymous_rate,
    plot_cue_profile,
    plot_quotes_per_article,
    plot_source_network,
    plot_source_type_mix,
    plot_top_sources,
    plot_wire_dependence,
)
from toolkit.sourcing import (
    anonymous_rate,
    cue_profile,
    quotes_per_article,
    source_counts,
    source_network,
    source_type_mix,
    wire_dependence,
)

#: Every test here draws on the Agg backend, with plt.show forbidden (see conftest).
pytestmark = pytest.mark.usefixtures("agg_backend")
CHARTS = Path(os.environ.get("TOOLKIT_CHART_DIR", "/tmp/charts"))


@pytest.fixture(scope="module")
def corpus() -> tuple[pd.DataFrame, pd.DataFrame]:
    return build_tables(corpus_specs())


@pytest.fixture(scope="module")
def syndication(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
    ids = corpus[0]["article_id"].tolist()
    return pd.DataFrame({"article_id": [ids[0], ids[10], ids[20], ids[12], ids[13]],
                         "story_id": ["s1", "s1", "s1", "s2", "s2"]})


def _save(ax: Axes, name: str) -> Path:
    CHARTS.mkdir(parents=True, exist_ok=True)
    path = CHARTS / f"{name}.png"
    ax.figure.savefig(path, dpi=100)
    assert path.stat().st_size > 5000
    return path


def _texts(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.texts]


def _tick_labels(ax: Axes, axis: str = "y") -> list[str]:
    ticks = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    return [t.get_text() for t in ticks]


def _legend_labels(ax: Axes) -> list[str]:
    legend = ax.get_legend()
    assert legend is not None, "the chart has no legend"
    return [t.get_text() for t in legend.get_texts()]


def _boxes_apart(artists: list) -> bool:
    """True when no two artists' drawn boxes overlap."""
    artists[0].figure.draw_without_rendering()
    boxes = [a.get_window_extent() for a in artists if a.get_text()]
    return not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def _labelled(ax: Axes) -> None:
    """A title and both axis labels, with a unit in brackets on the value axis."""
    assert ax.get_title()
    assert ax.get_xlabel() and "(" in ax.get_xlabel()
    assert ax.get_ylabel()


# ---------------------------------------------------------------------------------------------
# Top sources
# ---------------------------------------------------------------------------------------------

def test_plot_top_sources(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = corpus
    counts = source_counts(attributions, articles)
    ax = plot_top_sources(counts, n=10)
    _labelled(ax)
    assert ax.get_title() == "Top 10 sources by statements"
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == 10
    top = counts.head(10)
    assert [b.get_width() for b in bars] == top["statements"].tolist()
    expected_colours = [SOURCE_TYPE_COLORS[t].lower() for t in top["source_type"]]
    assert [to_hex(b.get_facecolor()) for b in bars] == expected_colours
    assert _tick_labels(ax)[0] == top["source_entity"].iloc[0]
    assert _texts(ax)[:10] == [str(v) for v in top["statements"]]        # counts on the bars
    assert set(_legend_labels(ax)) == {SOURCE_TYPE_NAMES[t] for t in top["source_type"]}
    assert _boxes_apart(ax.get_yticklabels())
    _save(ax, "top_sources")

    share = plot_top_sources(counts, n=5, value="share")
    assert share.get_xlabel() == "Share of all attributed statements (%)"
    assert all(t.endswith("%") for t in _texts(share)[:5])


def test_plot_top_sources_refuses_several_groups(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = corpus
    by_outlet = source_counts(attributions, articles, by="outlet")
    with pytest.raises(InputError, match="filter to one group"):
        plot_top_sources(by_outlet)
    one = by_outlet[by_outlet["outlet"] == "Harbor Times"]
    ax = plot_top_sources(one)
    assert ax.get_title().endswith(": Harbor Times")
    with pytest.raises(InputError, match="'source_entity'"):
        plot_top_sources(one.drop(columns="source_entity"))
    with pytest.raises(InputError, match="empty"):
        plot_top_sources(one.iloc[0:0])


# ---------------------------------------------------------------------------------------------
# Source-type mix
# ---------------------------------------------------------------------------------------------

def test_plot_source_type_mix_dots(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = corpus
    mix = source_type_mix(attributions, articles)
    ax = plot_source_type_mix(mix)
    _labelled(ax)
    assert "95% interval" in ax.get_xlabel()
    whiskers = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(whiskers) == len(mix)                      # one interval per (outlet, type)
    spans = sorted(float(np.ptp(c.get_segments()[0][:, 0])) for c in whiskers)
    expected = sorted((mix["ci_high"] - mix["ci_low"]).tolist())
    assert np.allclose(spans, expected)
    labels = _texts(ax)
    for row in mix.itertuples(index=False):
        assert f"{row.count}/{row.total}" in labels
    assert _tick_labels(ax) == sorted(articles["outlet"].unique())
    present = set(mix["source_type"])
    assert _legend_labels(ax) == [SOURCE_TYPE_NAMES[t] for t in SOURCE_TYPE_COLORS if t in present]
    assert _boxes_apart(ax.get_yticklabels())
    _save(ax, "source_type_mix_dots")


def test_plot_source_type_mix_stacked(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = corpus
    mix = source_type_mix(attributions, articles)
    _, ax = plt.subplots(figsize=(9, 4))
    assert plot_source_type_mix(mix, kind="stacked", ax=ax) is ax
    _labelled(ax)
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == len(mix)
    widths: dict[float, float] = {}
    for bar in bars:
        y = round(bar.get_y() + bar.get_height() / 2, 6)
        widths[y] = widths.get(y, 0.0) + bar.get_width()
    assert np.allclose(list(widths.values()), 1.0)       # every bar is 100%
    totals = mix.groupby("outlet")["total"].first()
    assert {f"n = {t}" for t in totals} <= set(_texts(ax))
    _save(ax, "source_type_mix_stacked")
    with pytest.raises(InputError, match=r"kind='stacked'.*level='article'"):
        plot_source_type_mix(source_type_mix(attributions, articles, level="article"), kind="stacked")
    with pytest.raises(InputError, match="kind="):
        plot_source_type_mix(mix, kind="pie")


def test_plot_source_type_mix_by_period_with_an_empty_group() -> None:
    dates = pd.to_datetime(["2017-09-02", "2017-10-05", "2017-11-01"], utc=True)
    articles = pd.DataFrame({"article_id": ["a", "b", "c"], "outlet": ["P", "P", "Q"], "published": dates})
    attributions = pd.DataFrame({"article_id": ["a", "a", "b"], "kind": ["direct"] * 3,
                                 "source_type": ["official", "anonymous", "official"]})
    mix = source_type_mix(attributions, articles, by="period")
    ax = plot_source_type_mix(mix)
    assert _tick_labels(ax) == ["Sep 2017", "Oct 2017", "Nov 2017"]
    assert _texts(ax).count("nothing to count") == 1        # once for the empty period
    assert ax.get_ylabel() == "Period"
    # Each dot has the shape of its type in the legend (shape and colour both tell the types apart).
    box = ax.get_legend()
    legend = {text.get_text(): handle.get_marker()
              for text, handle in zip(box.get_texts(), box.legend_handles, strict=True)}
    dots = [line for line in ax.get_lines() if line.get_marker() not in ("None", None, "")]
    assert len(dots) == 4
    for line in dots:
        colour = to_hex(line.get_markerfacecolor())
        source_type = next(t for t, c in SOURCE_TYPE_COLORS.items() if c.lower() == colour)
        assert line.get_marker() == legend[SOURCE_TYPE_NAMES[source_type]]
    _save(ax, "source_type_mix_by_period")


# ---------------------------------------------------------------------------------------------
# Anonymous sourcing and wire dependence
# ---------------------------------------------------------------------------------------------

def test_plot_anonymous_rate(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = corpus
    rates = anonymous_rate(attributions, articles)
    ax = plot_anonymous_rate(rates)
    _labelled(ax)
    assert ax.get_xlabel() == "Statements from anonymous sources (%)"
    ordered = rates.sort_values(["share", "outlet"], ascending=[False, True])
    assert _tick_labels(ax) == ordered["outlet"].tolist()            # highest share on top
    for row in rates.itertuples(index=False):
        assert f"{row.count}/{row.total}" in _texts(ax)
    pooled = rates["count"].sum() / rates["total"].sum()
    assert any(f"{100 * pooled:.0f}%" in label for label in _legend_labels(ax))
    vertical = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(vertical) == 1 and vertical[0].get_xdata()[0] == pytest.approx(pooled)
    assert ax.get_xlim()[1] <= 1.3
    _save(ax, "anonymous_rate")
    articles_level = plot_anonymous_rate(anonymous_rate(attributions, articles, level="article"))
    assert articles_level.get_xlabel() == "Articles quoting at least one anonymous source (%)"


def test_plot_wire_dependence(corpus: tuple[pd.DataFrame, pd.DataFrame], syndication: pd.DataFrame) -> None:
    articles, attributions = corpus
    wire = wire_dependence(attributions, articles, syndication=syndication)
    ax = plot_wire_dependence(wire)
    _labelled(ax)
    whiskers = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(whiskers) == len(wire) == 4 * articles["outlet"].nunique()
    assert sum(label.startswith(("a wire credit", "shared copy")) for label in _legend_labels(ax)) == 2
    for row in wire.itertuples(index=False):
        assert f"{row.count}/{row.total}" in _texts(ax)
    _save(ax, "wire_dependence")
    plain = plot_wire_dependence(wire_dependence(attributions, articles))
    plain_whiskers = [c for c in plain.collections if isinstance(c, LineCollection)]
    assert len(plain_whiskers) == 2 * articles["outlet"].nunique()


# ---------------------------------------------------------------------------------------------
# Quotes per article, cue verbs
# ---------------------------------------------------------------------------------------------

def test_plot_quotes_per_article(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = corpus
    table = quotes_per_article(attributions, articles)
    ax = plot_quotes_per_article(table)
    _labelled(ax)
    dots = [c for c in ax.collections if isinstance(c, PathCollection)]
    points = sum(len(c.get_offsets()) for c in dots)
    assert points == len(table) + table["outlet"].nunique()          # every article, plus one mean each
    per_outlet = table.groupby("outlet").size()
    assert _tick_labels(ax) == [f"{o}\n({n} articles)" for o, n in per_outlet.items()]
    xs = np.concatenate([c.get_offsets()[:, 0] for c in dots])
    assert set(table["statements"]) <= set(np.round(xs, 6))
    again = plot_quotes_per_article(table)
    assert np.array_equal(np.concatenate([c.get_offsets() for c in again.collections
                                          if isinstance(c, PathCollection)]),
                          np.concatenate([c.get_offsets() for c in dots]))       # seeded jitter
    _save(ax, "quotes_per_article")


def test_plot_cue_profile(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = corpus
    profile = cue_profile(attributions, articles, n=5)
    ax = plot_cue_profile(profile)
    assert ax.get_title() and ax.get_ylabel() == "Reporting verb (lemma)" and ax.get_xlabel() == "Outlet"
    lemmas = profile["cue_lemma"].unique().tolist()
    outlets = profile["outlet"].unique().tolist()
    assert _tick_labels(ax) == lemmas
    assert len(_texts(ax)) == len(lemmas) * len(outlets)
    first = profile[(profile["cue_lemma"] == lemmas[0]) & (profile["outlet"] == outlets[0])]["share"].iloc[0]
    assert _texts(ax)[0] == f"{100 * first:.0f}%"
    colorbar = ax.figure.axes[-1]
    assert "(%)" in colorbar.get_ylabel()
    totals = profile.groupby("outlet")["total"].first()
    assert all(f"(n = {t})" in label for label, t in zip(_tick_labels(ax, "x"), totals, strict=True))
    assert _boxes_apart(ax.get_xticklabels())
    _save(ax, "cue_profile")


# ---------------------------------------------------------------------------------------------
# Network
# ---------------------------------------------------------------------------------------------

def test_plot_source_network(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = corpus
    graph = source_network(attributions, articles, min_statements=2)
    ax = plot_source_network(graph)
    assert ax.get_title().startswith("Who quotes whom")
    dots = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert sum(len(c.get_offsets()) for c in dots) == graph.number_of_nodes()
    lines = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(lines) == 1 and len(lines[0].get_segments()) == graph.number_of_edges()
    names = {data["name"] for _, data in graph.nodes(data=True)}
    shown = {t.get_text().rstrip("…") for t in ax.texts}
    assert all(any(name.startswith(s) for name in names) for s in shown) and len(ax.texts) == len(names)
    assert _boxes_apart(ax.texts)                           # labels never overlap
    assert "Outlet" in _legend_labels(ax)
    colours = {to_hex(c) for collection in dots for c in collection.get_facecolors()}
    types = {data["source_type"] for _, data in graph.nodes(data=True) if data["kind"] == "source"}
    assert {SOURCE_TYPE_COLORS[t].lower() for t in types} <= colours
    _save(ax, "source_network")
    again = plot_source_network(graph)
    assert np.array_equal(np.concatenate([c.get_offsets() for c in dots]),
                          np.concatenate([c.get_offsets() for c in again.collections
                                          if isinstance(c, PathCollection)]))
    sources = sorted((-d["statements"], d["name"]) for _, d in graph.nodes(data=True)
                     if d["kind"] == "source")
    few = plot_source_network(graph, n=4)
    assert f"the 4 most quoted of {len(sources)} sources" in few.get_title()
    drawn = {t.get_text() for t in few.texts}
    assert {name for _, name in sources[:4]} <= drawn and not {name for _, name in sources[4:]} & drawn
    with pytest.raises(InputError, match="networkx graph"):
        plot_source_network(pd.DataFrame())
