"""The chart functions of toolkit.plots, drawn with the Agg backend on hand-built analysis tables.

The tables follow the schemas of toolkit.analysis (entity_counts, entity_trends, cooccurrence,
distinctive_entities) but are built here, so these tests do not depend on that module.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection

from toolkit.errors import InputError
from toolkit.plots import (
    LABEL_COLORS,
    LABEL_NAMES,
    OKABE_ITO,
    plot_cooccurrence_network,
    plot_distinctive_entities,
    plot_entity_trends,
    plot_outlet_heatmap,
    plot_top_entities,
)

OUTLETS = ["Coastline Chronicle", "Harbor Times", "Meridian Post", "Northern Courier", "The Daily Ledger"]
ARTICLES_PER_OUTLET = {"Coastline Chronicle": 7, "Harbor Times": 6, "Meridian Post": 8, "Northern Courier": 7,
                       "The Daily Ledger": 8}
ENTITIES = [  # name, spaCy label, base weight
    ("Iraq", "GPE", 39), ("Syria", "GPE", 30), ("Islamic State", "ORG", 24), ("Raqqa", "GPE", 23),
    ("Kurdish", "NORP", 19), ("Thomas Whitaker", "PERSON", 15), ("United Nations", "ORG", 13),
    ("Euphrates", "LOC", 11), ("Mosul Dam", "FAC", 9), ("Geneva talks", "EVENT", 8), ("Reuters", "ORG", 7),
    ("Faisal Saleh", "PERSON", 6), ("The Kurdish Question", "WORK_OF_ART", 5), ("Deir ez-Zor", "GPE", 4),
]
MONTHS = pd.date_range("2017-09-01", "2017-12-01", freq="MS")


# ---------------------------------------------------------------------------------------------
# Fixtures: a non-interactive backend, plt.show forbidden, every figure closed
# ---------------------------------------------------------------------------------------------

#: Every test here draws on the Agg backend, with plt.show forbidden (see conftest).
pytestmark = pytest.mark.usefixtures("agg_backend")


def _save(ax: Axes, directory: Path, name: str) -> Path:
    path = directory / f"{name}.png"
    ax.figure.savefig(path, dpi=80)
    assert path.stat().st_size > 1000
    return path


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------

def _counts_by_outlet() -> pd.DataFrame:
    rows = []
    for o, outlet in enumerate(OUTLETS):
        total = ARTICLES_PER_OUTLET[outlet]
        for e, (entity, label, weight) in enumerate(ENTITIES):
            mentions = (weight * (o + 2) + 3 * e) % 17
            if mentions == 0:
                continue        # entity_counts has no row for an entity an outlet never mentions
            articles = min(total, 1 + mentions // 3)
            rows.append((outlet, entity, label, mentions, articles, articles / total))
    return pd.DataFrame(rows, columns=["outlet", "entity", "label", "mentions", "articles", "share_articles"])


def _counts() -> pd.DataFrame:
    total = sum(ARTICLES_PER_OUTLET.values())
    rows = [(entity, label, weight, max(1, weight // 3), max(1, weight // 3) / total)
            for entity, label, weight in ENTITIES]
    return pd.DataFrame(rows, columns=["entity", "label", "mentions", "articles", "share_articles"])


def _trends(periods: pd.DatetimeIndex = MONTHS) -> pd.DataFrame:
    rows = []
    for p, period in enumerate(periods):
        for e, (entity, _, weight) in enumerate(ENTITIES[:12]):
            mentions = (weight + 5 * p * (e % 3 - 1)) % 23
            rows.append((period, entity, mentions, (mentions + 2) // 3))
    return pd.DataFrame(rows, columns=["period", "entity", "mentions", "articles"])


def _cooccurrence() -> pd.DataFrame:
    units = 120
    own = {entity: 8 + 2 * weight for entity, _, weight in ENTITIES}
    rows = []
    for (a, _, wa), (b, _, wb) in itertools.combinations(ENTITIES, 2):
        count = (wa * wb) % 13 + (3 if a == "Iraq" else 0)
        if count < 2:
            continue
        a_, b_ = sorted((a, b))
        pmi = math.log2(count * units / (own[a_] * own[b_]))
        rows.append((a_, b_, count, own[a_], own[b_], pmi, pmi / -math.log2(count / units)))
    table = pd.DataFrame(rows, columns=["entity_a", "entity_b", "count", "count_a", "count_b", "pmi", "npmi"])
    return table.sort_values(["count", "npmi"], ascending=False, ignore_index=True)


def _distinctive(by: str = "outlet") -> pd.DataFrame:
    rows = []
    for o, outlet in enumerate(OUTLETS):
        for e, (entity, _, weight) in enumerate(ENTITIES):
            z = round(((e * 7 + o * 5) % 13 - 6) / 2.0 + 0.1 * o, 3)
            count = 1 + (weight * (o + 1)) % 9
            rows.append((outlet, entity, count, 20 - count % 7, z / 3, z))
    return pd.DataFrame(rows, columns=[by, "entity", "count", "count_rest", "log_odds", "z"])


def _legend_texts(legend) -> list[str]:
    return [t.get_text() for t in legend.get_texts()]


# ---------------------------------------------------------------------------------------------
# plot_top_entities
# ---------------------------------------------------------------------------------------------

def test_top_entities_bars_values_labels_and_legend(tmp_path: Path):
    counts = _counts()
    ax = plot_top_entities(counts, n=10)
    assert isinstance(ax, Axes)
    assert len(ax.patches) == 10
    assert ax.get_title().startswith("Top 10 entities")
    assert ax.get_xlabel() == "Mentions (count)"
    assert ax.get_ylabel() == "Entity"
    top = counts.sort_values("mentions", ascending=False).head(10)
    assert [t.get_text() for t in ax.get_yticklabels()] == top["entity"].tolist()   # largest on top
    widths = [p.get_width() for p in ax.patches]
    assert widths == top["mentions"].tolist()
    assert [t.get_text() for t in ax.texts] == [str(v) for v in top["mentions"]]
    # Bars take their type's colour; the legend names exactly the types present, readably.
    for patch, label in zip(ax.patches, top["label"], strict=True):
        assert patch.get_facecolor()[:3] == pytest.approx(plt.matplotlib.colors.to_rgb(LABEL_COLORS[label]))
    expected = [LABEL_NAMES[key] for key in LABEL_COLORS if key in set(top["label"])]
    assert _legend_texts(ax.get_legend()) == expected
    assert "Person" in expected and "Organisation" in expected
    _save(ax, tmp_path, "top_entities")


def test_top_entities_share_is_drawn_as_percent(tmp_path: Path):
    ax = plot_top_entities(_counts(), n=5, value="share_articles")
    assert ax.get_xlabel() == "Articles mentioning (%)"
    assert "%" in ax.get_xlabel()
    texts = [t.get_text() for t in ax.texts]
    assert texts[0] == "36%"                          # Iraq: 13 of 36 articles
    assert all(t.endswith("%") for t in texts)
    _save(ax, tmp_path, "top_share")


def test_top_entities_articles_and_all_rows_when_n_exceeds(tmp_path: Path):
    counts = _counts()
    ax = plot_top_entities(counts, n=100, value="articles")
    assert len(ax.patches) == len(counts)
    assert ax.get_xlabel() == "Articles mentioning (count)"
    assert _legend_texts(ax.get_legend())[-1] == "Other"          # WORK_OF_ART has no colour of its own
    _save(ax, tmp_path, "top_articles")


def test_top_entities_ties_are_ranked_by_name():
    counts = pd.DataFrame({"entity": ["Mosul", "Baghdad", "Kirkuk"], "label": ["GPE"] * 3,
                           "mentions": [5, 5, 7], "articles": [1, 1, 1], "share_articles": [0.1] * 3})
    ax = plot_top_entities(counts)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Kirkuk", "Baghdad", "Mosul"]


def test_top_entities_refuses_several_groups_but_draws_one():
    by_outlet = _counts_by_outlet()
    with pytest.raises(ValueError, match="filter to one group"):
        plot_top_entities(by_outlet)
    ax = plot_top_entities(by_outlet[by_outlet["outlet"] == "Meridian Post"], n=8)
    assert len(ax.patches) == 8
    assert "Meridian Post" in ax.get_title()


def test_top_entities_draws_on_the_given_axes():
    fig, given = plt.subplots()
    assert plot_top_entities(_counts(), n=4, ax=given) is given
    assert len(fig.axes) == 1 and len(given.patches) == 4


def test_top_entities_bad_arguments():
    with pytest.raises(InputError, match="value='count'"):
        plot_top_entities(_counts(), value="count")
    with pytest.raises(ValueError, match="'mentions'"):
        plot_top_entities(_counts().drop(columns="mentions"))
    with pytest.raises(ValueError, match="positive integer"):
        plot_top_entities(_counts(), n=0)
    with pytest.raises(ValueError, match="empty"):
        plot_top_entities(_counts().iloc[:0])


def test_long_names_are_shortened():
    counts = pd.DataFrame({"entity": ["Syrian Observatory for Human Rights in the United Kingdom"],
                           "label": ["ORG"], "mentions": [3], "articles": [2], "share_articles": [0.2]})
    label = plot_top_entities(counts).get_yticklabels()[0].get_text()
    assert len(label) <= 30 and label.endswith("…")


# ---------------------------------------------------------------------------------------------
# plot_entity_trends
# ---------------------------------------------------------------------------------------------

def test_trends_lines_default_top_six(tmp_path: Path):
    trends = _trends()
    ax = plot_entity_trends(trends)
    assert isinstance(ax, Axes)
    totals = trends.groupby("entity")["mentions"].sum().reset_index()
    expected = totals.sort_values(["mentions", "entity"], ascending=[False, True])["entity"].head(6).tolist()
    assert [line.get_label() for line in ax.get_lines()] == expected
    assert _legend_texts(ax.get_legend()) == expected
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Sep 2017", "Oct 2017", "Nov 2017", "Dec 2017"]
    assert ax.get_xlabel() == "Month"
    assert ax.get_ylabel() == "Mentions (count)"
    assert ax.get_title() == "Mentions per month"
    first = ax.get_lines()[0]
    assert first.get_ydata().tolist() == trends[trends["entity"] == expected[0]]["mentions"].tolist()
    _save(ax, tmp_path, "trends_lines")


def test_trends_ten_lines_are_all_distinguishable(tmp_path: Path):
    names = [e for e, _, _ in ENTITIES[:10]]
    ax = plot_entity_trends(_trends(), entities=names)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == names
    styles = {(line.get_color(), line.get_linestyle(), line.get_marker()) for line in lines}
    assert len(styles) == 10
    assert {line.get_color().upper() for line in lines[:8]} == set(OKABE_ITO)
    _save(ax, tmp_path, "trends_ten")
    with pytest.raises(ValueError, match="too many lines"):
        plot_entity_trends(_trends(), entities=[e for e, _, _ in ENTITIES[:11]])


def test_trends_unknown_entity_is_named():
    with pytest.raises(ValueError, match="Atlantis"):
        plot_entity_trends(_trends(), entities=["Iraq", "Atlantis"])


def test_trends_draws_on_the_given_axes_and_counts_articles():
    _fig, given = plt.subplots()
    ax = plot_entity_trends(_trends(), entities=["Iraq", "Raqqa"], value="articles", ax=given)
    assert ax is given and len(given.get_lines()) == 2
    assert ax.get_ylabel() == "Articles mentioning (count)"


def test_trends_small_multiples(tmp_path: Path):
    ax = plot_entity_trends(_trends(), kind="small_multiples")
    assert isinstance(ax, Axes)
    fig = ax.figure
    assert len(fig.axes) == 9
    assert "per month" in fig.get_suptitle()
    assert all(len(panel.get_lines()) == 1 and panel.get_title(loc="left") for panel in fig.axes)
    assert ax.get_ylabel() == "Mentions (count)"
    bottom = fig.axes[-1]
    assert bottom.get_xlabel() == "Month"
    assert next(t.get_text() for t in bottom.get_xticklabels()) == "Sep\n2017"
    ylims = {panel.get_ylim() for panel in fig.axes}
    assert len(ylims) == 1                          # shared scale
    _save(ax, tmp_path, "trends_small_multiples")


def test_small_multiples_with_an_incomplete_last_row():
    ax = plot_entity_trends(_trends(), kind="small_multiples", entities=[e for e, _, _ in ENTITIES[:5]])
    panels = ax.figure.axes
    assert len(panels) == 5
    # the panel above the empty slot carries its own x tick labels
    assert panels[2].xaxis.get_tick_params()["labelbottom"] is True
    assert panels[2].get_xlabel() == "Month"


def test_small_multiples_refuses_an_axes():
    _, given = plt.subplots()
    with pytest.raises(ValueError, match="ax=None"):
        plot_entity_trends(_trends(), kind="small_multiples", ax=given)


def test_trends_weekly_labels_do_not_crowd():
    weeks = pd.date_range("2017-09-04", periods=20, freq="W-MON")
    ax = plot_entity_trends(_trends(weeks), entities=["Iraq"])
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert ax.get_xlabel() == "Week (starting)"
    assert labels[0] == "4 Sep 2017"
    assert len(labels) <= 8


# ---------------------------------------------------------------------------------------------
# plot_outlet_heatmap
# ---------------------------------------------------------------------------------------------

def test_heatmap_share_cells_rows_columns_and_colorbar(tmp_path: Path):
    by_outlet = _counts_by_outlet()
    ax = plot_outlet_heatmap(by_outlet, n=10)
    assert isinstance(ax, Axes)
    image = ax.images[0]
    matrix = image.get_array()
    assert matrix.shape == (10, 5)
    overall = by_outlet.groupby("entity")["articles"].sum().reset_index()
    rows = overall.sort_values(["articles", "entity"], ascending=[False, True])["entity"].head(10).tolist()
    assert [t.get_text() for t in ax.get_yticklabels()] == rows
    assert [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()] == OUTLETS
    assert len(ax.texts) == 50
    cell = by_outlet[(by_outlet["entity"] == rows[0]) & (by_outlet["outlet"] == OUTLETS[0])]
    expected = f"{100 * cell['share_articles'].iloc[0]:.0f}%" if len(cell) else "0%"
    assert ax.texts[0].get_text() == expected
    assert all(t.get_text().endswith("%") for t in ax.texts)
    assert image.colorbar.ax.get_ylabel() == "Articles mentioning (%)"
    assert ax.get_xlabel() == "Outlet" and ax.get_ylabel() == "Entity"
    assert "top 10" in ax.get_title()
    _save(ax, tmp_path, "heatmap_share")


def test_heatmap_counts_missing_pairs_are_zero_and_text_contrasts(tmp_path: Path):
    by_outlet = _counts_by_outlet()
    ax = plot_outlet_heatmap(by_outlet, value="mentions", n=14)
    matrix = np.asarray(ax.images[0].get_array())
    grid = by_outlet.pivot_table(index="entity", columns="outlet", values="mentions", aggfunc="sum",
                                 fill_value=0)
    rows = [t.get_text() for t in ax.get_yticklabels()]
    np.testing.assert_array_equal(matrix, grid.loc[rows, OUTLETS].to_numpy())
    assert (matrix == 0).any()
    assert ax.images[0].colorbar.ax.get_ylabel() == "Mentions (count)"
    texts = {(round(t.get_position()[1]), round(t.get_position()[0])): t for t in ax.texts}
    high = np.unravel_index(np.argmax(matrix), matrix.shape)
    low = np.unravel_index(np.argmin(matrix), matrix.shape)
    assert texts[high].get_text() == str(int(matrix[high]))
    assert texts[high].get_color() == "black"      # on viridis yellow
    assert texts[low].get_text() == "0" and texts[low].get_color() == "white"   # on viridis purple
    _save(ax, tmp_path, "heatmap_mentions")


def test_heatmap_other_group_column_and_given_axes():
    table = _counts_by_outlet().rename(columns={"outlet": "section"})
    _fig, given = plt.subplots(figsize=(8, 6))
    ax = plot_outlet_heatmap(table, by="section", n=5, value="articles", ax=given)
    assert ax is given
    assert ax.get_xlabel() == "Section"
    assert ax.images[0].colorbar.ax.get_ylabel() == "Articles mentioning (count)"
    with pytest.raises(ValueError, match="'outlet'"):
        plot_outlet_heatmap(table)


# ---------------------------------------------------------------------------------------------
# plot_cooccurrence_network
# ---------------------------------------------------------------------------------------------

def _network_parts(ax: Axes) -> tuple[LineCollection, PathCollection]:
    edges = [c for c in ax.collections if isinstance(c, LineCollection)]
    nodes = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(edges) == 1 and len(nodes) == 1
    return edges[0], nodes[0]


def test_network_edges_nodes_labels_and_legend(tmp_path: Path):
    cooc = _cooccurrence()
    cooc.attrs["level"] = "article"
    ax = plot_cooccurrence_network(cooc, n=20)
    assert isinstance(ax, Axes)
    assert not ax.axison and ax.get_title()
    edges, nodes = _network_parts(ax)
    top = cooc.sort_values(["count", "npmi", "entity_a", "entity_b"],
                           ascending=[False, False, True, True]).head(20)
    names = set(top["entity_a"]) | set(top["entity_b"])
    assert len(edges.get_segments()) == 20
    assert len(nodes.get_offsets()) == len(names)
    assert {t.get_text() for t in ax.texts} == names
    # node area proportional to the entity's own count; line width grows with npmi
    own = {**dict(zip(top["entity_a"], top["count_a"], strict=True)),
           **dict(zip(top["entity_b"], top["count_b"], strict=True))}
    order = sorted(names, key=lambda name: (-own[name], name))
    sizes = nodes.get_sizes()
    ratios = [sizes[i] / own[name] for i, name in enumerate(order) if sizes[i] > 40]
    assert max(ratios) == pytest.approx(min(ratios))
    widths = edges.get_linewidths()
    strongest = int(np.argmax(top["npmi"].to_numpy()))
    assert widths[strongest] == max(widths)
    legend_texts = [t.get_text() for legend in [*ax.artists, ax.get_legend()] if legend is not None
                    for t in legend.get_texts()]
    assert any(text.endswith("articles") for text in legend_texts)
    assert any(text.startswith("NPMI") for text in legend_texts)
    _save(ax, tmp_path, "network")


def test_network_labels_never_overlap_at_default_n(tmp_path: Path):
    ax = plot_cooccurrence_network(_cooccurrence())
    ax.figure.draw_without_rendering()
    boxes = [t.get_window_extent() for t in ax.texts]
    assert len(boxes) > 10
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)
    inside = ax.get_window_extent()
    assert all(inside.x0 - 1 <= b.x0 and b.x1 <= inside.x1 + 1 for b in boxes)
    _save(ax, tmp_path, "network_default")


def test_network_layout_is_deterministic():
    first = _network_parts(plot_cooccurrence_network(_cooccurrence(), seed=3))[1].get_offsets().copy()
    again = _network_parts(plot_cooccurrence_network(_cooccurrence(), seed=3))[1].get_offsets()
    other = _network_parts(plot_cooccurrence_network(_cooccurrence(), seed=4))[1].get_offsets()
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_network_from_a_graph_with_types(tmp_path: Path):
    nx = pytest.importorskip("networkx")
    cooc = _cooccurrence()
    label = {entity: lab for entity, lab, _ in ENTITIES}
    graph = nx.Graph()
    for row in cooc.itertuples():
        graph.add_node(row.entity_a, count=row.count_a, label=label[row.entity_a])
        graph.add_node(row.entity_b, count=row.count_b, label=label[row.entity_b])
        graph.add_edge(row.entity_a, row.entity_b, count=row.count, pmi=row.pmi, npmi=row.npmi)
    ax = plot_cooccurrence_network(graph, n=15, weight="pmi")
    from_table = plot_cooccurrence_network(cooc, n=15, weight="pmi")
    assert {t.get_text() for t in ax.texts} == {t.get_text() for t in from_table.texts}
    assert ax.get_legend().get_title().get_text() == "Entity type"
    _save(ax, tmp_path, "network_graph")


def test_network_given_axes_and_bad_arguments():
    _fig, given = plt.subplots(figsize=(8, 6))
    assert plot_cooccurrence_network(_cooccurrence(), n=10, ax=given) is given
    with pytest.raises(ValueError, match="weight='lift'"):
        plot_cooccurrence_network(_cooccurrence(), weight="lift")
    with pytest.raises(ValueError, match="DataFrame or a networkx Graph"):
        plot_cooccurrence_network([("Iraq", "Syria")])


# ---------------------------------------------------------------------------------------------
# plot_distinctive_entities
# ---------------------------------------------------------------------------------------------

def test_distinctive_one_panel_per_outlet(tmp_path: Path):
    table = _distinctive()
    ax = plot_distinctive_entities(table, n=4)
    assert isinstance(ax, Axes)
    fig = ax.figure
    assert len(fig.axes) == 5
    assert [panel.get_title(loc="left") for panel in fig.axes] == OUTLETS
    assert "covers more or less" in fig.get_suptitle()
    for panel, outlet in zip(fig.axes, OUTLETS, strict=True):
        rows = table[table["outlet"] == outlet]
        over = rows[rows["z"] > 0].nlargest(4, "z")
        under = rows[rows["z"] < 0].nsmallest(4, "z")
        dots = next(c for c in panel.collections if isinstance(c, PathCollection))
        z = dots.get_offsets()[:, 0]
        assert len(z) == len(over) + len(under)
        assert list(z) == sorted(z, reverse=True)       # over-covered on top
        assert set(np.round(z, 3)) == set(over["z"]) | set(under["z"])
        assert {t.get_text() for t in panel.get_yticklabels()} == set(over["entity"]) | set(under["entity"])
        positions = sorted(line.get_xdata()[0] for line in panel.get_lines())
        assert positions == pytest.approx([-1.96, 0, 1.96])
    bottoms = [panel for panel in fig.axes if panel.get_xlabel()]
    assert bottoms and all("z-score" in panel.get_xlabel() and "over-covered" in panel.get_xlabel()
                           for panel in bottoms)
    assert any("95% band" in text for text in _legend_texts(fig.legends[0]))
    _save(ax, tmp_path, "distinctive")


def test_distinctive_single_group_on_given_axes(tmp_path: Path):
    table = _distinctive(by="section")
    one = table[table["section"] == "Harbor Times"]
    _fig, given = plt.subplots(figsize=(9, 6))
    ax = plot_distinctive_entities(one, by="section", ax=given)
    assert ax is given
    assert ax.get_xlabel() == "z-score of weighted log-odds (positive = over-covered)"
    assert "Harbor Times" in ax.get_title()
    assert any("95% band" in text for text in _legend_texts(ax.get_legend()))
    _save(ax, tmp_path, "distinctive_one")


def test_distinctive_refuses_axes_for_several_groups():
    _, given = plt.subplots()
    with pytest.raises(ValueError, match="filter to one group"):
        plot_distinctive_entities(_distinctive(), ax=given)


def test_distinctive_group_without_under_covered_entities():
    table = _distinctive()
    table = table[(table["outlet"] != "Harbor Times") | (table["z"] > 0)]
    ax = plot_distinctive_entities(table, n=3)
    harbor = ax.figure.axes[OUTLETS.index("Harbor Times")]
    dots = next(c for c in harbor.collections if isinstance(c, PathCollection))
    assert (dots.get_offsets()[:, 0] > 0).all()
