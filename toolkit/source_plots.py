"""Charts of the source-pattern tables: who is quoted, how, how often anonymously, how much from wires.

The inputs are the tables of :mod:`toolkit.sourcing` (``source_counts``, ``source_type_mix``,
``anonymous_rate``, ``wire_dependence``, ``quotes_per_article``, ``cue_profile``,
``source_network``). The conventions are those of :mod:`toolkit.plots`: data first, keyword-only
options, drawn on the given ``ax`` or a new figure about 9 inches wide, ``plt.show()`` never
called, the :class:`~matplotlib.axes.Axes` returned; a title and axis labels with units on every
chart, fonts of 9 pt or more, the Okabe–Ito palette. A source type keeps its colour in every chart
(:data:`SOURCE_TYPE_COLORS`, :data:`SOURCE_TYPE_NAMES`).

Shares are drawn with their 95% intervals (the ``ci_low``/``ci_high`` columns) as whiskers, and
each dot is labelled with the counts behind it ("7/23"), so a reader sees how many statements or
articles a percentage rests on.

Example:
    >>> import toolkit as tk                                                      # doctest: +SKIP
    >>> mix = tk.source_type_mix(corpus.attributions, corpus.articles)            # doctest: +SKIP
    >>> ax = plot_source_type_mix(mix)                                            # doctest: +SKIP
    >>> ax.figure.savefig("source_types.png", dpi=150)                            # doctest: +SKIP
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter

from .errors import InputError
from .plots import (
    _LABEL_BOX,
    _TEXT_SIZE,
    LINE_MARKERS,
    SEQUENTIAL_CMAP,
    _axes_inches,
    _choice,
    _new_axes,
    _period_label,
    _period_unit,
    _place_nodes,
    _positive,
    _require,
    _shorten,
    _text_color,
    _tidy_axes,
    _wrap,
)

__all__ = [
    "SOURCE_TYPE_COLORS",
    "SOURCE_TYPE_NAMES",
    "plot_anonymous_rate",
    "plot_cue_profile",
    "plot_quotes_per_article",
    "plot_source_network",
    "plot_source_type_mix",
    "plot_top_sources",
    "plot_wire_dependence",
]

logger = logging.getLogger(__name__)

#: Colour of each source type (Okabe–Ito); any other value is drawn as ``"unknown"``.
SOURCE_TYPE_COLORS: dict[str, str] = {
    "named_person": "#0072B2",
    "official": "#D55E00",
    "organisation": "#E69F00",
    "media": "#009E73",
    "anonymous": "#CC79A7",
    "unknown": "#999999",
}
#: Legend name of each source type.
SOURCE_TYPE_NAMES: dict[str, str] = {
    "named_person": "Named person",
    "official": "Official",
    "organisation": "Organisation",
    "media": "Media / agency",
    "anonymous": "Anonymous",
    "unknown": "Unknown",
}
#: Colour and legend name of each wire-dependence measure.
WIRE_MEASURE_STYLE: dict[str, tuple[str, str]] = {
    "wire_credit": ("#0072B2", "a wire credit (dateline, \"AFP reported\" …)"),
    "media_source": ("#009E73", "a statement from a media source"),
    "shared_copy": ("#D55E00", "shared copy (a near-duplicate elsewhere in the corpus)"),
    "credit_or_copy": ("#000000", "a credit or shared copy"),
}
#: Marker of each source type in the dot charts (shape as well as colour tells the types apart).
TYPE_MARKERS: dict[str, str] = {key: LINE_MARKERS[i] for i, key in enumerate(SOURCE_TYPE_COLORS)}
OUTLET_COLOR = "#333333"
_RATE_COLUMNS = ("count", "total", "share", "ci_low", "ci_high")
_KIND_WORDS = {"statement": "statements", "article": "articles"}


# ---------------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------------

def _type_key(value: Any) -> str:
    return value if isinstance(value, str) and value in SOURCE_TYPE_COLORS else "unknown"


def _type_handles(keys: Sequence[str], marker: bool = False) -> list[Any]:
    """Legend entries of the source types present, in :data:`SOURCE_TYPE_COLORS` order."""
    present = set(keys)
    if marker:
        return [Line2D([], [], linestyle="", marker=TYPE_MARKERS[key], markersize=8, markerfacecolor=color,
                       markeredgecolor="white", label=SOURCE_TYPE_NAMES[key])
                for key, color in SOURCE_TYPE_COLORS.items() if key in present]
    return [Patch(facecolor=color, edgecolor="#444444", linewidth=0.5, label=SOURCE_TYPE_NAMES[key])
            for key, color in SOURCE_TYPE_COLORS.items() if key in present]


def _group_columns(table: pd.DataFrame, values: Sequence[str]) -> list[str]:
    """The grouping columns of a table: every column that is not one of ``values``."""
    return [c for c in table.columns if c not in values]


def _group_labels(table: pd.DataFrame, groups: list[str]) -> pd.Series:
    """One label per row naming its group ("Meridian Post", "Sep 2017", "Post · Sep 2017"); "All" without
    group columns."""
    if not groups:
        return pd.Series("All", index=table.index, dtype=object)
    parts = []
    for column in groups:
        values = table[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            stamps = pd.to_datetime(values)
            if isinstance(stamps.dtype, pd.DatetimeTZDtype):
                stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
            unit = _period_unit(pd.DatetimeIndex(sorted(stamps.dropna().unique())))
            parts.append(stamps.map(lambda t, u=unit: "undated" if pd.isna(t) else _period_label(t, u)))
        else:
            missing = f"(no {column.replace('_', ' ')})"
            parts.append(values.map(lambda v, m=missing: m if pd.isna(v) else str(v)))
    label = parts[0].astype(str)
    for part in parts[1:]:
        label = label + " · " + part.astype(str)
    return label


def _ordered_groups(table: pd.DataFrame, groups: list[str]) -> list[str]:
    """Group labels in the table's order (the analysis functions sort by group)."""
    return list(dict.fromkeys(_group_labels(table, groups)))


def _share_ticks(ax: Axes, high: float) -> None:
    """Ticks at round percentages from 0 up to the first one at or above ``high`` (at most 100 %)."""
    step = 0.05 if high <= 0.3 else 0.1 if high <= 0.7 else 0.2
    last = min(1.0, math.ceil(high / step - 1e-9) * step)
    ticks = np.arange(0, last + 1e-9, step)
    ax.set_xticks(ticks)
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))


def _level_of(table: pd.DataFrame, default: str = "statement") -> str:
    level = table.attrs.get("level", default)
    return level if level in _KIND_WORDS else default


def _dodged_rates(ax: Axes, table: pd.DataFrame, groups: list[str], category: str | None,
                  categories: list[str], colors: dict[str, str], markers: dict[str, str], *,
                  counts: bool = True) -> float:
    """Dots at ``share`` with whiskers from ``ci_low`` to ``ci_high``: one row band per group, one dot per
    category inside it (first category on top). Returns the largest x drawn (for the axis limit)."""
    labels = _group_labels(table, groups)
    order = list(dict.fromkeys(labels))
    m = max(len(categories), 1)
    step = 0.8 / m
    right = 0.0
    for g, group in enumerate(order):
        rows = table[labels == group]
        if rows["share"].isna().all():
            ax.text(0.005, g, "nothing to count", va="center", ha="left", fontsize=_TEXT_SIZE,
                    color="#777777")
            continue
        for c, name in enumerate(categories):
            row = rows if category is None else rows[rows[category] == name]
            if row.empty or pd.isna(row["share"].iloc[0]):
                continue
            row = row.iloc[0]
            y = g + (c - (m - 1) / 2) * step
            low, high = float(row["ci_low"]), float(row["ci_high"])
            ax.hlines(y, low, high, color=colors[name], linewidth=2.2 if m == 1 else 1.8, zorder=2)
            ax.plot([float(row["share"])], [y], linestyle="", marker=markers[name],
                    markersize=8 if m == 1 else 6.5, markerfacecolor=colors[name], markeredgecolor="white",
                    markeredgewidth=0.8, zorder=3)
            if counts:
                ax.annotate(f"{int(row['count'])}/{int(row['total'])}", (high, y), xytext=(7, 0),
                            textcoords="offset points", va="center", ha="left", fontsize=_TEXT_SIZE,
                            color="#333333")
            right = max(right, high)
    ax.set_yticks(range(len(order)), labels=[_shorten(o, 28) for o in order])
    ax.set_ylim(len(order) - 0.5, -0.5)
    for g in range(len(order) - 1):
        ax.axhline(g + 0.5, color="#e5e5e5", linewidth=0.8, zorder=0)
    ax.tick_params(axis="y", length=0)
    return right


def _rate_axes(ax: Axes, right: float, label_room: float) -> None:
    """Share axis from 0 (with a sliver of room so dots at 0 % show whole) and room on the right for the
    count labels."""
    high = max(0.1, right) + label_room
    _share_ticks(ax, right)
    ax.set_xlim(-0.02 * high, high)
    ax.spines["left"].set_visible(False)
    ax.axvline(0, color="#333333", linewidth=0.8, zorder=1)
    _tidy_axes(ax, "x")


def _label_room(ax: Axes, right: float, chars: int = 7) -> float:
    """Data units taken by a count label of ``chars`` characters right of the widest whisker."""
    width = max(_axes_inches(ax) - 2.0, 3.0)
    span = max(0.1, right)
    inches = chars * 0.075 + 0.1
    return span * inches / max(width - inches, 1.0)


# ---------------------------------------------------------------------------------------------
# 1. Top sources
# ---------------------------------------------------------------------------------------------

def plot_top_sources(table: pd.DataFrame, *, n: int = 15, value: str = "statements",
                     ax: Axes | None = None) -> Axes:
    """Horizontal bars of the ``n`` most quoted sources, coloured by source type, largest on top.

    ``table`` is a ``source_counts`` table (``source_entity``, ``source_type``, ``statements``,
    ``articles``, ``share``). ``value`` is ``"statements"``, ``"articles"`` (articles quoting the
    source) or ``"share"`` (of all statements, drawn as a percentage). Each bar ends in its value;
    the legend lists the source types present. A table counted ``by=`` several groups raises an
    :class:`~toolkit.errors.InputError`: filter to one group first (its name goes into the title).

    Example:
        >>> counts = tk.source_counts(corpus.attributions, corpus.articles)   # doctest: +SKIP
        >>> ax = plot_top_sources(counts, n=12)                               # doctest: +SKIP
    """
    func = "plot_top_sources"
    _choice(value, "value", ("statements", "articles", "share"), func)
    n = _positive(n, "n", func)
    _require(table, ["source_entity", value], func, "source_counts()")
    groups = _group_columns(table, ("source_entity", "source_type", "statements", "articles", "share"))
    suffix = ""
    if groups:
        combos = table[groups].drop_duplicates()
        if len(combos) > 1:
            raise InputError(
                f"{func}(): the table holds {len(combos)} groups in column(s) {groups} and one chart draws "
                f"one ranking; filter to one group first, e.g. table[table[{groups[0]!r}] == "
                f"{combos.iloc[0][groups[0]]!r}], or count without by=")
        suffix = ": " + " · ".join(_group_labels(combos, groups).iloc[:1])
    data = table.sort_values([value, "source_entity"], ascending=[False, True], kind="mergesort").head(n)
    data = data.reset_index(drop=True)
    types = data["source_type"] if "source_type" in data.columns else pd.Series("unknown", index=data.index)
    keys = [_type_key(v) for v in types]
    values = data[value].to_numpy(dtype=float)

    k = len(data)
    if ax is None:
        ax = _new_axes(9, max(2.8, 0.3 * k + 1.5))
    y = np.arange(k)
    bars = ax.barh(y, values, height=0.72, color=[SOURCE_TYPE_COLORS[key] for key in keys],
                   edgecolor="#444444", linewidth=0.5)
    labels = [f"{100 * v:.0f}%" if value == "share" else f"{round(v):,}" for v in values]
    ax.bar_label(bars, labels=labels, padding=3, fontsize=_TEXT_SIZE)
    ax.set_yticks(y, labels=[_shorten(name, 34) for name in data["source_entity"]])
    ax.set_ylim(k - 0.5, -0.5)
    top = float(np.nanmax(values)) if k else 0.0
    ax.set_xlim(0, top * 1.14 if top > 0 else 1)
    if value == "share":
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel({"statements": "Statements attributed to the source (count)",
                   "articles": "Articles quoting the source (count)",
                   "share": "Share of all attributed statements (%)"}[value])
    ax.set_ylabel("Source")
    what = {"statements": "statements", "articles": "articles quoting them", "share": "share of statements"}
    ax.set_title(f"Top {k} sources by {what[value]}{suffix}")
    _tidy_axes(ax, "x")
    ax.legend(handles=_type_handles(keys), title="Source type", loc="upper left", bbox_to_anchor=(1.01, 1),
              frameon=False, fontsize=_TEXT_SIZE, title_fontsize=_TEXT_SIZE + 1)
    return ax


# ---------------------------------------------------------------------------------------------
# 2. Source-type mix
# ---------------------------------------------------------------------------------------------

def plot_source_type_mix(mix: pd.DataFrame, *, kind: str = "dots", ax: Axes | None = None) -> Axes:
    """The mix of source types per outlet (or other group), with its uncertainty.

    ``mix`` is a ``source_type_mix`` table (the ``by`` columns, ``source_type``, ``count``,
    ``total``, ``share``, ``ci_low``, ``ci_high``).

    ``kind="dots"`` (default): one band per outlet, one dot per source type at its share with a
    whisker over its 95% interval and the counts behind it ("7/23"); compares outlets type by
    type and shows which differences are larger than the uncertainty.
    ``kind="stacked"``: one 100% bar per outlet split by type (segments of 7% or more carry their
    percentage) with the number of statements at the end; shows the composition at a glance
    (intervals are not drawn: use the dots for them). Statement-level mixes only: article-level
    shares do not add up to 100%.

    Example:
        >>> mix = tk.source_type_mix(corpus.attributions, corpus.articles)   # doctest: +SKIP
        >>> ax = plot_source_type_mix(mix, kind="stacked")                   # doctest: +SKIP
    """
    func = "plot_source_type_mix"
    _choice(kind, "kind", ("dots", "stacked"), func)
    _require(mix, ["source_type", *_RATE_COLUMNS], func, "source_type_mix()")
    level = _level_of(mix)
    if kind == "stacked" and level == "article":
        raise InputError(f"{func}(): kind='stacked' draws shares that add up to 100%, and article-level "
                         "shares (level='article') do not; use kind='dots' or "
                         "source_type_mix(level='statement')")
    groups = _group_columns(mix, ("source_type", *_RATE_COLUMNS))
    types = list(dict.fromkeys(_type_key(t) for t in mix["source_type"]))
    types = [t for t in SOURCE_TYPE_COLORS if t in types]
    data = mix.assign(source_type=[_type_key(t) for t in mix["source_type"]])
    order = _ordered_groups(data, groups)
    noun = groups[0].replace("_", " ") if len(groups) == 1 else "group"
    unit = _KIND_WORDS[level]

    if kind == "stacked":
        if ax is None:
            ax = _new_axes(9, max(2.6, 0.45 * len(order) + 1.7))
        labels = _group_labels(data, groups)
        for g, group in enumerate(order):
            rows = data[labels == group].set_index("source_type")
            total = int(rows["total"].iloc[0]) if len(rows) else 0
            left = 0.0
            if total == 0:
                ax.text(0.01, g, f"no {unit}", va="center", fontsize=_TEXT_SIZE, color="#777777")
            for t in types:
                if t not in rows.index or total == 0:
                    continue
                share = float(rows.loc[t, "share"])
                color = SOURCE_TYPE_COLORS[t]
                ax.barh(g, share, left=left, height=0.7, color=color, edgecolor="white", linewidth=0.8)
                if share >= 0.07:
                    ax.text(left + share / 2, g, f"{100 * share:.0f}%", ha="center", va="center",
                            fontsize=_TEXT_SIZE, color=_text_color(plt.matplotlib.colors.to_rgb(color)))
                left += share
            if total:
                ax.text(1.01, g, f"n = {total:,}", va="center", ha="left", fontsize=_TEXT_SIZE,
                        color="#333333")
        ax.set_yticks(range(len(order)), labels=[_shorten(o, 28) for o in order])
        ax.set_ylim(len(order) - 0.5, -0.5)
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
        ax.tick_params(axis="y", length=0)
        ax.spines[["top", "right", "left"]].set_visible(False)
        ax.set_xlabel(f"Share of the {noun}'s attributed {unit} (%)")
        ax.set_ylabel(_group_name(groups))
        ax.legend(handles=_type_handles(types), title="Source type", loc="lower center",
                  bbox_to_anchor=(0.5, 1.0), ncols=min(len(types), 6), frameon=False, fontsize=_TEXT_SIZE,
                  title_fontsize=_TEXT_SIZE + 1)
        ax.set_title(f"Who is quoted: source types per {noun}", pad=42)
        return ax

    if ax is None:
        ax = _new_axes(9, max(3.0, len(order) * (0.16 * len(types) + 0.3) + 1.2))
    right = _dodged_rates(ax, data, groups, "source_type", types, SOURCE_TYPE_COLORS, TYPE_MARKERS)
    _rate_axes(ax, right, _label_room(ax, right))
    how = "quoting each type" if level == "article" else "by source type"
    ax.set_xlabel(f"Share of the {noun}'s {unit} ({how}, %), with 95% interval")
    ax.set_ylabel(_group_name(groups))
    ax.set_title(f"Who is quoted: source types per {noun}")
    ax.legend(handles=_type_handles(types, marker=True), title="Source type", loc="upper left",
              bbox_to_anchor=(1.01, 1), frameon=False, fontsize=_TEXT_SIZE, title_fontsize=_TEXT_SIZE + 1)
    return ax


def _group_name(groups: list[str]) -> str:
    return " · ".join(g.replace("_", " ").capitalize() for g in groups) if groups else ""


# ---------------------------------------------------------------------------------------------
# 3. Anonymous sourcing and wire dependence
# ---------------------------------------------------------------------------------------------

def plot_anonymous_rate(rates: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Share of statements (or articles) with an anonymous source per outlet, with 95% intervals.

    ``rates`` is an ``anonymous_rate`` table (the ``by`` columns, ``count``, ``total``, ``share``,
    ``ci_low``, ``ci_high``). Outlets are sorted by share (highest on top); each dot carries the
    counts behind it, and a dashed line marks the rate over all outlets together.

    Example:
        >>> rates = tk.anonymous_rate(corpus.attributions, corpus.articles)   # doctest: +SKIP
        >>> ax = plot_anonymous_rate(rates)                                    # doctest: +SKIP
    """
    func = "plot_anonymous_rate"
    _require(rates, list(_RATE_COLUMNS), func, "anonymous_rate()")
    groups = _group_columns(rates, _RATE_COLUMNS)
    level = _level_of(rates)
    data = rates.sort_values(["share", *groups], ascending=[False] + [True] * len(groups), kind="mergesort",
                             na_position="last")
    k = len(data)
    if ax is None:
        ax = _new_axes(9, max(2.6, 0.42 * k + 1.6))
    right = _dodged_rates(ax, data, groups, None, ["rate"], {"rate": "#CC79A7"}, {"rate": "o"})
    _rate_axes(ax, right, _label_room(ax, right))
    total = float(data["total"].sum())
    handles = [Line2D([], [], linestyle="", marker="o", markersize=8, markerfacecolor="#CC79A7",
                      markeredgecolor="white", label="share (label: anonymous / all)"),
               Line2D([], [], color="#CC79A7", linewidth=2.2, label="95% interval (Wilson)")]
    if total > 0 and len(data) > 1:
        pooled = float(data["count"].sum()) / total
        ax.axvline(pooled, color="#555555", linestyle="--", linewidth=1, zorder=1)
        handles.append(Line2D([], [], color="#555555", linestyle="--", linewidth=1,
                              label=f"all together: {100 * pooled:.0f}%"))
    noun = groups[0].replace("_", " ") if len(groups) == 1 else "group"
    ax.set_xlabel("Statements from anonymous sources (%)" if level == "statement"
                  else "Articles quoting at least one anonymous source (%)")
    ax.set_ylabel(_group_name(groups))
    ax.set_title(f"Anonymous sourcing per {noun}, with 95% intervals")
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=_TEXT_SIZE)
    return ax


def plot_wire_dependence(wire: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """How much of each outlet rests on wire agencies: one dot per measure with its 95% interval.

    ``wire`` is a ``wire_dependence`` table (the ``by`` columns, ``measure``, ``count``,
    ``total``, ``share``, ``ci_low``, ``ci_high``). Each outlet gets a band with one dot per
    measure (wire credit, media source, and with syndication groups shared copy and credit or
    copy), labelled with the articles behind it ("3/8").

    Example:
        >>> wire = tk.wire_dependence(attributions, articles, syndication=groups)   # doctest: +SKIP
        >>> ax = plot_wire_dependence(wire)                                         # doctest: +SKIP
    """
    func = "plot_wire_dependence"
    _require(wire, ["measure", *_RATE_COLUMNS], func, "wire_dependence()")
    groups = _group_columns(wire, ("measure", *_RATE_COLUMNS))
    present = list(dict.fromkeys(str(m) for m in wire["measure"]))
    measures = [m for m in WIRE_MEASURE_STYLE if m in present]
    measures += [m for m in present if m not in WIRE_MEASURE_STYLE]
    extra = ("#CC79A7", "#E69F00", "#56B4E9")
    colors = {m: WIRE_MEASURE_STYLE[m][0] if m in WIRE_MEASURE_STYLE else extra[i % len(extra)]
              for i, m in enumerate(measures)}
    names = {m: WIRE_MEASURE_STYLE[m][1] if m in WIRE_MEASURE_STYLE else m.replace("_", " ")
             for m in measures}
    order = _ordered_groups(wire, groups)
    if ax is None:
        ax = _new_axes(9, max(3.0, len(order) * (0.17 * len(measures) + 0.3) + 1.2))
    markers = {m: LINE_MARKERS[i % len(LINE_MARKERS)] for i, m in enumerate(measures)}
    right = _dodged_rates(ax, wire, groups, "measure", measures, colors, markers)
    _rate_axes(ax, right, _label_room(ax, right))
    noun = groups[0].replace("_", " ") if len(groups) == 1 else "group"
    ax.set_xlabel(f"Share of the {noun}'s articles (%), with 95% interval")
    ax.set_ylabel(_group_name(groups))
    ax.set_title(f"Wire dependence per {noun}: credits and shared copy")
    handles = [Line2D([], [], linestyle="", marker=markers[m], markersize=7, markerfacecolor=colors[m],
                      markeredgecolor="white", label=_wrap(names[m], 26)) for m in measures]
    handles.append(Line2D([], [], color="#777777", linewidth=1.8, label="95% interval (Wilson)"))
    ax.legend(handles=handles, title="Article has …", loc="upper left", bbox_to_anchor=(1.01, 1),
              frameon=False, fontsize=_TEXT_SIZE, title_fontsize=_TEXT_SIZE + 1, labelspacing=0.8)
    return ax


# ---------------------------------------------------------------------------------------------
# 4. Quotes per article
# ---------------------------------------------------------------------------------------------

def plot_quotes_per_article(table: pd.DataFrame, *, value: str = "statements", ax: Axes | None = None,
                            seed: int = 0) -> Axes:
    """Distribution of statements per article for each outlet: box plots with every article as a dot.

    ``table`` is a ``quotes_per_article`` table (the ``by`` columns, ``article_id``,
    ``statements``), one row per article, zeros included. Each box spans the middle half of the
    outlet's articles with a line at the median and whiskers to the furthest article within
    1.5 box lengths; the dots are the articles themselves (jittered vertically with a fixed
    ``seed``, so the picture is reproducible), the diamond is the mean, and the tick label gives
    the number of articles.

    Example:
        >>> table = tk.quotes_per_article(corpus.attributions, corpus.articles)   # doctest: +SKIP
        >>> ax = plot_quotes_per_article(table)                                   # doctest: +SKIP
    """
    func = "plot_quotes_per_article"
    _require(table, ["article_id", value], func, "quotes_per_article()")
    groups = _group_columns(table, ("article_id", value))
    labels = _group_labels(table, groups)
    order = list(dict.fromkeys(labels))
    series = [table.loc[labels == g, value].to_numpy(dtype=float) for g in order]
    k = len(order)
    if ax is None:
        ax = _new_axes(9, max(2.6, 0.55 * k + 1.5))
    positions = np.arange(k)
    box = ax.boxplot(series, positions=positions, orientation="horizontal", widths=0.55, patch_artist=True,
                     showfliers=False, medianprops={"color": "#000000", "linewidth": 1.8},
                     whiskerprops={"color": "#555555"}, capprops={"color": "#555555"})
    for patch in box["boxes"]:
        patch.set(facecolor="#56B4E9", alpha=0.35, edgecolor="#0072B2", linewidth=1)
    rng = np.random.default_rng(seed)
    for position, values in zip(positions, series, strict=True):
        jitter = rng.uniform(-0.22, 0.22, size=len(values))
        ax.scatter(values, position + jitter, s=22, color="#0072B2", alpha=0.8, edgecolors="white",
                   linewidths=0.5, zorder=3)
        if len(values):
            ax.scatter([values.mean()], [position], marker="D", s=46, color="#D55E00", edgecolors="white",
                       linewidths=0.6, zorder=4)
    ax.set_yticks(positions, labels=[f"{_shorten(g, 26)}\n({len(s)} article{'' if len(s) == 1 else 's'})"
                                     for g, s in zip(order, series, strict=True)])
    ax.set_ylim(k - 0.5, -0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    high = max((float(s.max()) for s in series if len(s)), default=1.0)
    ax.set_xlim(-0.5, max(high, 1.0) + 0.5)
    ax.tick_params(axis="y", length=0)
    _tidy_axes(ax, "x")
    noun = groups[0].replace("_", " ") if len(groups) == 1 else "group"
    ax.set_xlabel("Attributed statements per article (count)")
    ax.set_ylabel(_group_name(groups))
    ax.set_title(f"Statements per article, by {noun}")
    handles = [Patch(facecolor="#56B4E9", alpha=0.35, edgecolor="#0072B2", label="middle half of articles"),
               Line2D([], [], color="#000000", linewidth=1.8, label="median"),
               Line2D([], [], linestyle="", marker="D", markersize=7, color="#D55E00", label="mean"),
               Line2D([], [], linestyle="", marker="o", markersize=5, color="#0072B2", label="one article")]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=_TEXT_SIZE)
    return ax


# ---------------------------------------------------------------------------------------------
# 5. Cue verbs
# ---------------------------------------------------------------------------------------------

def plot_cue_profile(profile: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Heat map of the reporting verbs (rows) each outlet (columns) uses, as shares of its statements.

    ``profile`` is a ``cue_profile`` table (the ``by`` columns, ``cue_lemma``, ``count``,
    ``total``, ``share`` …). Rows keep the table's order (most used overall first, ``other``
    last); each cell gives the percentage and its colour follows "viridis" from 0 to the largest
    cell; the column label gives the number of statements.

    Example:
        >>> ax = plot_cue_profile(tk.cue_profile(corpus.attributions, corpus.articles))   # doctest: +SKIP
    """
    func = "plot_cue_profile"
    _require(profile, ["cue_lemma", "count", "total", "share"], func, "cue_profile()")
    groups = _group_columns(profile, ("cue_lemma", *_RATE_COLUMNS))
    labels = _group_labels(profile, groups)
    columns = list(dict.fromkeys(labels))
    rows = list(dict.fromkeys(str(v) for v in profile["cue_lemma"]))
    grid = (profile.assign(_g=labels.to_numpy(), _l=profile["cue_lemma"].astype(str).to_numpy())
            .pivot_table(index="_l", columns="_g", values="share", aggfunc="first", dropna=False)
            .reindex(index=rows, columns=columns))
    totals = profile.assign(_g=labels.to_numpy()).groupby("_g", sort=False)["total"].first().reindex(columns)
    matrix = grid.to_numpy(dtype=float)
    nrows, ncols = matrix.shape
    if ax is None:
        ax = _new_axes(min(10.0, 3.8 + 1.2 * ncols), 0.38 * nrows + 2.2)
    finite = matrix[np.isfinite(matrix)]
    vmax = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    image = ax.imshow(np.nan_to_num(matrix, nan=0.0), cmap=SEQUENTIAL_CMAP, norm=Normalize(0, vmax),
                      aspect="auto", interpolation="nearest")
    for i in range(nrows):
        for j in range(ncols):
            cell = matrix[i, j]
            text = "–" if not np.isfinite(cell) else ("<1%" if 0 < cell < 0.005 else f"{100 * cell:.0f}%")
            ax.text(j, i, text, ha="center", va="center", fontsize=_TEXT_SIZE,
                    color=_text_color(image.cmap(image.norm(0 if not np.isfinite(cell) else cell))))
    chars = int(0.9 * (_axes_inches(ax) - 1.0) / max(ncols, 1) / 0.085)
    names = [f"{c}\n(n = {int(t) if pd.notna(t) else 0})" for c, t in zip(columns, totals, strict=True)]
    if chars >= 8:
        ax.set_xticks(range(ncols), labels=[_wrap(c, chars) + f"\n(n = {int(t) if pd.notna(t) else 0})"
                                            for c, t in zip(columns, totals, strict=True)])
    else:
        ax.set_xticks(range(ncols), labels=[n.replace("\n", " ") for n in names], rotation=40, ha="right",
                      rotation_mode="anchor")
    ax.set_yticks(range(nrows), labels=[_shorten(r, 24) for r in rows])
    ax.set_xticks(np.arange(-0.5, ncols), minor=True)
    ax.set_yticks(np.arange(-0.5, nrows), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="both", length=0)
    ax.spines[:].set_visible(False)
    colorbar = ax.figure.colorbar(image, ax=ax, fraction=0.05, pad=0.02)
    noun = groups[0].replace("_", " ") if len(groups) == 1 else "group"
    colorbar.set_label(f"Share of the {noun}'s statements (%)" if groups else "Share of statements (%)")
    colorbar.ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    ax.set_xlabel(_group_name(groups) or "All statements")
    ax.set_ylabel("Reporting verb (lemma)")
    ax.set_title(f"Reporting verbs per {noun}: \"say\" or \"claim\"?" if groups
                 else "Reporting verbs in all statements")
    return ax


# ---------------------------------------------------------------------------------------------
# 6. Outlet → source network
# ---------------------------------------------------------------------------------------------

def _network_parts(graph: Any, func: str) -> tuple[list[tuple[Any, dict[str, Any]]],
                                                   list[tuple[Any, Any, float]]]:
    """(nodes with attributes, edges with weights) of a ``source_network`` graph."""
    if not (hasattr(graph, "nodes") and hasattr(graph, "edges")):
        raise InputError(f"{func}(): expected the networkx graph of source_network(), "
                         f"got {type(graph).__name__}")
    nodes = [(node, dict(data)) for node, data in graph.nodes(data=True)]
    if not nodes:
        raise InputError(f"{func}(): the graph has no nodes; there is nothing to draw")
    missing = [node for node, data in nodes if data.get("kind") not in ("outlet", "source")]
    if missing:
        raise InputError(f"{func}(): node {missing[0]!r} has no kind='outlet' or 'source' attribute; "
                         "expected the graph of source_network()")
    edges = [(a, b, float(data.get("weight", data.get("statements", 1))))
             for a, b, data in graph.edges(data=True)]
    return nodes, edges


def plot_source_network(graph: Any, *, n: int | None = 40, ax: Axes | None = None, seed: int = 0) -> Axes:
    """Network of outlets (dark squares) and the sources they quote (circles coloured by source type).

    ``graph`` is the graph of :func:`toolkit.sourcing.source_network`. Only the ``n`` sources
    with the most statements are drawn (ties by name; ``n=None`` draws all), with every outlet.
    A source's area is proportional to its statements in all outlets (outlets are drawn at one
    size); line width grows with the statements an outlet takes from a source. Sources quoted by
    several outlets sit between them. The layout is the seeded force-directed layout of
    :func:`toolkit.plots.plot_cooccurrence_network`, so the same graph and ``seed`` give the same
    picture; labels sit under their nodes on white boxes, nudged apart until none overlap.

    Example:
        >>> graph = tk.source_network(attributions, articles, min_statements=2)   # doctest: +SKIP
        >>> ax = plot_source_network(graph, n=30)                                 # doctest: +SKIP
    """
    func = "plot_source_network"
    n = None if n is None else _positive(n, "n", func)
    nodes, edges = _network_parts(graph, func)
    nodes.sort(key=lambda item: (item[1]["kind"] != "outlet", -float(item[1].get("statements", 0) or 0),
                                 str(item[1].get("name", item[0]))))
    sources_total = sum(1 for _, data in nodes if data["kind"] == "source")
    if n is not None and sources_total > n:
        outlet_count = len(nodes) - sources_total
        nodes = nodes[: outlet_count + n]
        kept = {node for node, _ in nodes}
        edges = [(a, b, w) for a, b, w in edges if a in kept and b in kept]
    index = {node: i for i, (node, _) in enumerate(nodes)}
    names = [str(data.get("name", node)) for node, data in nodes]
    is_outlet = np.array([data["kind"] == "outlet" for _, data in nodes])
    statements = np.array([float(data.get("statements", 0) or 0) for _, data in nodes])
    types = [_type_key(data.get("source_type")) for _, data in nodes]
    colors = [OUTLET_COLOR if outlet else SOURCE_TYPE_COLORS[t]
              for outlet, t in zip(is_outlet, types, strict=True)]
    source_counts = statements[~is_outlet]
    scale = source_counts.max() if len(source_counts) and source_counts.max() > 0 else 1.0
    areas = np.where(is_outlet, 700.0, np.maximum(650 * statements / scale, 45))
    edge_index = np.array([[index[a], index[b]] for a, b, _ in edges], dtype=np.int64).reshape(-1, 2)
    weights = np.array([w for _, _, w in edges], dtype=float)
    low, high = (float(weights.min()), float(weights.max())) if len(weights) else (0.0, 0.0)
    relative = (weights - low) / (high - low) if high > low else np.ones_like(weights)

    if ax is None:
        ax = _new_axes(9.5, 7.5)
    outlets = int(is_outlet.sum())
    shown = len(nodes) - outlets
    which = (f"the {shown} most quoted of {sources_total} sources" if shown < sources_total
             else f"{shown} sources")
    ax.set_title(f"Who quotes whom: {outlets} {'outlet' if outlets == 1 else 'outlets'} and {which} "
                 f"({len(edges)} links)")
    ax.set_axis_off()
    handles: list[Any] = [Line2D([], [], linestyle="", marker="s", markersize=9, markerfacecolor=OUTLET_COLOR,
                                 markeredgecolor="white", label="Outlet")]
    present = {t for t, outlet in zip(types, is_outlet, strict=True) if not outlet}
    handles += [Line2D([], [], linestyle="", marker="o", markersize=9, markerfacecolor=color,
                       markeredgecolor="white", label=SOURCE_TYPE_NAMES[key])
                for key, color in SOURCE_TYPE_COLORS.items() if key in present]
    min_statements = getattr(graph, "graph", {}).get("min_statements")
    note = f" ({min_statements} or more)" if min_statements else ""
    title = f"Source area ∝ statements\nLine width ∝ statements\n  on the link{note}"
    ax.legend(handles=handles, title=title,
              loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=_TEXT_SIZE,
              title_fontsize=_TEXT_SIZE, alignment="left")

    texts = [ax.text(0, 0, _shorten(name, 30), ha="center", va="center", zorder=4, bbox=_LABEL_BOX,
                     clip_on=False, fontsize=10 if outlet else _TEXT_SIZE,
                     fontweight="bold" if outlet else "normal")
             for name, outlet in zip(names, is_outlet, strict=True)]
    xy, label_y = _place_nodes(ax, texts, areas, edge_index, 0.3 + 0.7 * relative, seed)
    if len(edges):
        segments = np.stack([xy[edge_index[:, 0]], xy[edge_index[:, 1]]], axis=1)
        ax.add_collection(LineCollection(segments, linewidths=0.8 + 5.2 * relative, colors="#555555",
                                         alpha=0.45, zorder=1, capstyle="round"))
    for marker, mask in (("s", is_outlet), ("o", ~is_outlet)):
        if mask.any():
            ax.scatter(xy[mask, 0], xy[mask, 1], s=areas[mask], marker=marker,
                       c=[c for c, m in zip(colors, mask, strict=True) if m], edgecolors="white",
                       linewidths=0.8, zorder=2)
    for text, x, y in zip(texts, xy[:, 0], label_y, strict=True):
        text.set_position((x, y))
    if not len(edges):
        logger.info("%s: the graph has no links (raise the corpus or lower min_statements)", func)
    return ax
