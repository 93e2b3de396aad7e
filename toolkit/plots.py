"""Charts of the analysis tables: one matplotlib function per chart, in the manner of seaborn.

Every ``plot_*`` function takes a tidy table first and keyword-only options after it, draws on the
``ax`` it is given (or on a new figure sized for a notebook, about 9 inches wide), never calls
``plt.show()``, and returns the :class:`~matplotlib.axes.Axes` so the caller can adjust or save it.
The two faceted charts (:func:`plot_entity_trends` with ``kind="small_multiples"`` and
:func:`plot_distinctive_entities` with several groups) return their first panel; the others are
``ax.figure.axes``.

Shared conventions: a title and axis labels with units on every chart, fonts of 9 pt or more, long
tick labels shortened or wrapped rather than overlapping, the Okabe–Ito palette for categories
(an entity type keeps its colour in every chart: :data:`LABEL_COLORS`, :data:`LABEL_NAMES`),
"viridis" for heat maps and the two ends of "RdBu" for z-scores.

The inputs are the tables of :mod:`toolkit.analysis` (``entity_counts``, ``entity_trends``,
``cooccurrence``, ``distinctive_entities``); this module does not import it.

Example:
    >>> import toolkit as tk                                              # doctest: +SKIP
    >>> corpus = tk.annotate("data/articles")                             # doctest: +SKIP
    >>> counts = tk.entity_counts(corpus.mentions, corpus.articles)       # doctest: +SKIP
    >>> ax = plot_top_entities(counts, n=15)                              # doctest: +SKIP
    >>> ax.figure.savefig("top_entities.png", dpi=150)                    # doctest: +SKIP
"""

from __future__ import annotations

import itertools
import logging
import math
import textwrap
from collections.abc import Iterable, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter

from .checks import require_table
from .errors import InputError

__all__ = [
    "LABEL_COLORS",
    "LABEL_NAMES",
    "OKABE_ITO",
    "plot_cooccurrence_network",
    "plot_distinctive_entities",
    "plot_entity_trends",
    "plot_outlet_heatmap",
    "plot_top_entities",
]

logger = logging.getLogger(__name__)

#: The Okabe–Ito palette (Okabe & Ito 2008), distinguishable with every common colour-vision deficiency.
OKABE_ITO: tuple[str, ...] = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
                              "#000000")
#: Okabe–Ito reordered for lines on white: the strong colours first, the pale yellow last.
LINE_COLORS: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000",
                                "#F0E442")
#: Line styles and markers that tell apart lines sharing a colour (the 9th and 10th line).
LINE_STYLES: tuple[str, ...] = ("-", "--", ":", "-.")
LINE_MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")
#: Colour of each spaCy entity label; every other label is drawn as ``"other"`` (a neutral grey).
LABEL_COLORS: dict[str, str] = {
    "PERSON": "#0072B2",
    "ORG": "#E69F00",
    "GPE": "#009E73",
    "LOC": "#56B4E9",
    "NORP": "#CC79A7",
    "FAC": "#D55E00",
    "EVENT": "#F0E442",
    "other": "#999999",
}
#: Legend name of each entity label.
LABEL_NAMES: dict[str, str] = {
    "PERSON": "Person",
    "ORG": "Organisation",
    "GPE": "Country/city",
    "LOC": "Place",
    "NORP": "Group/nationality",
    "FAC": "Building/facility",
    "EVENT": "Event",
    "other": "Other",
}
#: Perceptually uniform sequential map for heat maps.
SEQUENTIAL_CMAP = "viridis"
#: Diverging map for z-scores, centred at 0 (blue = under-, red = over-covered). The dot plot uses its
#: two ends (ColorBrewer RdBu) as flat colours: its pale centre would vanish on white.
DIVERGING_CMAP = "RdBu_r"
Z_OVER_COLOR = "#B2182B"
Z_UNDER_COLOR = "#2166AC"
#: Two-sided 95% critical value of the standard normal distribution.
Z_95 = 1.96

#: Axis label of each value column.
VALUE_LABELS: dict[str, str] = {
    "mentions": "Mentions (count)",
    "articles": "Articles mentioning (count)",
    "share_articles": "Articles mentioning (%)",
}
_COUNT_COLUMNS = frozenset({"entity", "label", "mentions", "articles", "share_articles"})
_TEXT_SIZE = 9          # smallest text in any chart (annotations, legends)
_NAME_CHARS = 30        # entity names longer than this are shortened with an ellipsis
_CHAR_INCHES = 0.085    # average width of a character of 10 pt DejaVu Sans, for fitting labels
_LABEL_BOX = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8}


# ---------------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------------

def _require(table: Any, columns: Iterable[str], func: str, producer: str) -> pd.DataFrame:
    """``table`` itself after checking it is a non-empty DataFrame holding ``columns``."""
    return require_table(table, columns, func=func, what=f"the output of {producer}", allow_empty=False)


def _choice(value: Any, name: str, allowed: Sequence[str], func: str) -> str:
    if value not in allowed:
        raise InputError(f"{func}(): {name}={value!r} is not supported; expected one of "
                         f"{', '.join(map(repr, allowed))}")
    return value


def _positive(value: Any, name: str, func: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise InputError(f"{func}(): {name}={value!r}; expected a positive integer")
    return int(value)


def _new_axes(width: float, height: float) -> Axes:
    """A new figure of ``width`` x ``height`` inches with constrained layout, and its Axes."""
    _, ax = plt.subplots(figsize=(width, height), layout="constrained")
    return ax


def _shorten(name: Any, max_chars: int = _NAME_CHARS) -> str:
    """``name`` as text, cut to ``max_chars`` characters with an ellipsis."""
    text = str(name)
    return text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"


def _label_key(label: Any) -> str:
    """The key of :data:`LABEL_COLORS` for a spaCy label (``"other"`` when it has no colour of its own)."""
    return label if isinstance(label, str) and label in LABEL_COLORS else "other"


def _type_legend_handles(keys: Iterable[str]) -> list[Patch]:
    """Legend patches of the label keys present, in :data:`LABEL_COLORS` order."""
    present = set(keys)
    return [Patch(facecolor=color, edgecolor="#444444", linewidth=0.5, label=LABEL_NAMES[key])
            for key, color in LABEL_COLORS.items() if key in present]


def _format_value(value: float, kind: str) -> str:
    """A count as ``1,234``; a share (0..1) as a percentage, ``<1%`` for small non-zero shares."""
    if kind != "share_articles":
        return f"{round(value):,}"
    percent = 100 * value
    if 0 < percent < 1:
        return "<1%"
    return f"{percent:.0f}%"


def _tidy_axes(ax: Axes, grid_axis: str | None = None) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    if grid_axis:
        ax.grid(axis=grid_axis, color="#dddddd", linewidth=0.8)
        ax.set_axisbelow(True)


def _text_color(rgb: Sequence[float]) -> str:
    """Black or white, whichever contrasts more with a background colour (WCAG relative luminance)."""
    channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb[:3]]
    luminance = 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
    return "black" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "white"


def _axes_inches(ax: Axes) -> float:
    """Width of ``ax`` in inches (before any layout engine adjusts it)."""
    return ax.figure.get_figwidth() * ax.get_position().width


def _wrap(label: str, width: int) -> str:
    return "\n".join(textwrap.wrap(label, width=max(width, 4), break_long_words=True)[:3]) or label


def _group_title(by: str) -> str:
    return by.replace("_", " ").capitalize()


# ---------------------------------------------------------------------------------------------
# Time axes
# ---------------------------------------------------------------------------------------------

def _naive_periods(values: pd.Series) -> pd.Series:
    periods = pd.to_datetime(values)
    if isinstance(periods.dtype, pd.DatetimeTZDtype):
        periods = periods.dt.tz_convert("UTC").dt.tz_localize(None)
    return periods


def _period_unit(periods: pd.DatetimeIndex) -> str:
    """"Year", "Quarter", "Month", "Week", "Day" or "Period", from the spacing of period starts."""
    starts_of_month = bool((periods.day == 1).all())
    if len(periods) < 2:
        return "Month" if starts_of_month else "Period"
    days = np.diff(periods.to_numpy()).astype("timedelta64[D]").astype(np.int64)
    if starts_of_month and (periods.month == 1).all() and ((days % 365 <= 1) | (days % 366 == 0)).all():
        return "Year"
    if starts_of_month and ((days >= 28) & (days <= 31)).all():
        return "Month"
    if starts_of_month and ((days >= 89) & (days <= 92)).all():
        return "Quarter"
    if (days % 7 == 0).all():
        return "Week"
    if (days == 1).all():
        return "Day"
    return "Period"


def _period_label(stamp: pd.Timestamp, unit: str, sep: str = " ") -> str:
    """"Sep 2017" for a month, "Q3 2017", "2017", or "4 Sep 2017" for a week or day (``sep`` before years)."""
    if unit == "Year":
        return f"{stamp:%Y}"
    if unit == "Quarter":
        return f"Q{stamp.quarter}{sep}{stamp:%Y}"
    if unit == "Month":
        return f"{stamp:%b}{sep}{stamp:%Y}"
    return f"{stamp.day} {stamp:%b}{sep}{stamp:%Y}"


def _set_period_ticks(ax: Axes, periods: pd.DatetimeIndex, unit: str, width: float, sep: str = " ") -> None:
    """Ticks at period starts, every k-th one so that neighbouring labels keep apart in ``width`` inches."""
    longest = max((len(line) for t in periods for line in _period_label(t, unit, sep).split("\n")), default=1)
    needed = longest * _CHAR_INCHES + 0.25          # one label and the gap after it
    step = max(1, math.ceil(needed * max(len(periods) - 1, 1) / max(width, 0.5)))
    ticks = periods[::step]
    ax.set_xticks(ticks.to_numpy(), labels=[_period_label(t, unit, sep) for t in ticks])
    ax.xaxis.set_minor_locator(plt.NullLocator())


def _axis_name(unit: str) -> str:
    return {"Week": "Week (starting)", "Day": "Day", "Period": "Period (start)"}.get(unit, unit)


# ---------------------------------------------------------------------------------------------
# 1. Top entities
# ---------------------------------------------------------------------------------------------

def _group_columns(counts: pd.DataFrame) -> list[str]:
    """The grouping columns of an ``entity_counts`` table: its text columns other than entity/label."""
    return [c for c in counts.columns
            if c not in _COUNT_COLUMNS and not pd.api.types.is_numeric_dtype(counts[c])]


def plot_top_entities(counts: pd.DataFrame, *, n: int = 20, value: str = "mentions",
                      ax: Axes | None = None) -> Axes:
    """Horizontal bar chart of the ``n`` entities with the largest ``value``, largest on top.

    ``counts`` is an ``entity_counts`` table (``entity``, ``label``, ``mentions``, ``articles``,
    ``share_articles``). Bars are coloured by entity type (:data:`LABEL_COLORS`; the legend lists
    only the types present) and end in their value. ``value`` is ``"mentions"``, ``"articles"``
    (articles mentioning the entity) or ``"share_articles"`` (drawn as a percentage). Ties are
    ranked by name.

    One chart draws one ranking: a table counted ``by=`` a group column (``outlet``, ``period``…)
    holding several groups raises an :class:`~toolkit.errors.InputError` rather than summing them,
    because shares of different groups cannot be added; filter to one group first (its name then
    goes into the title) or use :func:`plot_outlet_heatmap` to compare groups.

    Example:
        >>> counts = pd.DataFrame({"entity": ["Raqqa", "Iraq"], "label": ["GPE", "GPE"],
        ...                        "mentions": [12, 30], "articles": [5, 9], "share_articles": [0.5, 0.9]})
        >>> ax = plot_top_entities(counts, n=10, value="share_articles")   # doctest: +SKIP
    """
    func = "plot_top_entities"
    _choice(value, "value", ("mentions", "articles", "share_articles"), func)
    n = _positive(n, "n", func)
    _require(counts, ["entity", value], func, "entity_counts()")
    groups = _group_columns(counts)
    suffix = ""
    if groups:
        combos = counts[groups].drop_duplicates()
        if len(combos) > 1:
            example = combos.iloc[0]
            raise InputError(
                f"{func}(): the table holds {len(combos)} groups in column(s) {groups} and one chart draws "
                f"one ranking; filter to one group first, e.g. counts[counts[{groups[0]!r}] == "
                f"{example[groups[0]]!r}], count without by=, or compare groups with plot_outlet_heatmap()")
        suffix = ": " + ", ".join(str(v) for v in combos.iloc[0] if pd.notna(v))

    data = counts.sort_values([value, "entity"], ascending=[False, True], kind="mergesort").head(n)
    data = data.reset_index(drop=True)
    keys = [_label_key(v) for v in data["label"]] if "label" in data.columns else ["other"] * len(data)
    names = [_shorten(e) for e in data["entity"]]
    duplicated = pd.Series(names).duplicated(keep=False)
    names = [f"{name} ({LABEL_NAMES[key]})" if dup else name
             for name, key, dup in zip(names, keys, duplicated, strict=True)]
    values = data[value].to_numpy(dtype=float)

    k = len(data)
    if ax is None:
        ax = _new_axes(9, max(2.8, 0.3 * k + 1.5))
    y = np.arange(k)
    bars = ax.barh(y, values, height=0.72, color=[LABEL_COLORS[key] for key in keys], edgecolor="#444444",
                   linewidth=0.5)
    ax.bar_label(bars, labels=[_format_value(v, value) for v in values], padding=3, fontsize=_TEXT_SIZE)
    ax.set_yticks(y, labels=names)
    ax.set_ylim(k - 0.5, -0.5)      # largest on top
    top = float(np.nanmax(values)) if k else 0.0
    ax.set_xlim(0, top * 1.14 if top > 0 else 1)
    if value == "share_articles":
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(VALUE_LABELS[value])
    ax.set_ylabel("Entity")
    what = {"mentions": "mentions", "articles": "articles mentioning them",
            "share_articles": "share of articles mentioning them"}[value]
    ax.set_title(f"Top {k} entities by {what}{suffix}")
    _tidy_axes(ax, "x")
    ax.legend(handles=_type_legend_handles(keys), title="Entity type", loc="upper left",
              bbox_to_anchor=(1.01, 1), frameon=False, fontsize=_TEXT_SIZE, title_fontsize=_TEXT_SIZE + 1)
    return ax


# ---------------------------------------------------------------------------------------------
# 2. Trends
# ---------------------------------------------------------------------------------------------

def _trend_entities(trends: pd.DataFrame, entities: Any, value: str, default: int, func: str) -> list[str]:
    totals = trends.groupby("entity", sort=False)[value].sum().reset_index()
    totals = totals.sort_values([value, "entity"], ascending=[False, True], kind="mergesort")
    if entities is None:
        chosen = totals.loc[totals[value] > 0, "entity"].head(default).tolist()
        return chosen or totals["entity"].head(default).tolist()
    wanted = [entities] if isinstance(entities, str) else list(dict.fromkeys(entities))
    if not wanted:
        raise InputError(f"{func}(): entities= is empty; pass entity names or None for the most mentioned")
    known = set(totals["entity"])
    unknown = [e for e in wanted if e not in known]
    if unknown:
        raise InputError(f"{func}(): entities {unknown} are not in the trends table; it holds "
                         f"{', '.join(map(repr, totals['entity'].head(10)))}"
                         f"{', …' if len(totals) > 10 else ''} (pass them to entity_trends(entities=…))")
    return wanted


def plot_entity_trends(trends: pd.DataFrame, *, entities: Sequence[str] | None = None, kind: str = "lines",
                       value: str = "mentions", ax: Axes | None = None) -> Axes:
    """Mentions (or articles) per period of a few entities, as lines or as small multiples.

    ``trends`` is an ``entity_trends`` table (``period``, ``entity``, ``mentions``, ``articles``).
    ``entities`` picks and orders the entities; by default the 6 (lines) or 9 (small multiples)
    with the most ``value`` overall.

    ``kind="lines"``: one line per entity on one Axes, at most 10 (Okabe–Ito colours, then line
    styles, and a marker per entity), legend outside on the right.
    ``kind="small_multiples"``: one panel per entity in a grid sharing both axes, so heights compare
    across panels; it makes its own figure (``ax`` must be None) and returns the first (top-left)
    panel; all panels are ``ax.figure.axes`` and the chart title is ``ax.figure.get_suptitle()``.

    Ticks read like "Sep 2017" for months ("2017" for years, "4 Sep 2017" for weeks and days).

    Example:
        >>> ax = plot_entity_trends(trends, entities=["Raqqa", "Kirkuk"])   # doctest: +SKIP
        >>> ax = plot_entity_trends(trends, kind="small_multiples")          # doctest: +SKIP
    """
    func = "plot_entity_trends"
    _choice(kind, "kind", ("lines", "small_multiples"), func)
    _choice(value, "value", ("mentions", "articles"), func)
    _require(trends, ["period", "entity", value], func, "entity_trends()")
    if kind == "small_multiples" and ax is not None:
        raise InputError(f"{func}(): kind='small_multiples' draws a grid of panels in a figure of its own; "
                         "leave ax=None (or use kind='lines' to draw on an existing Axes)")
    chosen = _trend_entities(trends, entities, value, 6 if kind == "lines" else 9, func)
    if kind == "lines" and len(chosen) > 10:
        raise InputError(f"{func}(): {len(chosen)} entities are too many lines to tell apart (at most 10); "
                         "pass fewer entities or kind='small_multiples'")

    data = trends.assign(period=_naive_periods(trends["period"]))
    periods = pd.DatetimeIndex(sorted(data["period"].dropna().unique()))
    table = (data[data["entity"].isin(chosen)].groupby(["period", "entity"])[value].sum()
             .unstack("entity").reindex(index=periods, columns=chosen).fillna(0))
    unit = _period_unit(periods)
    per = {"Week": "week", "Day": "day", "Period": "period"}.get(unit, unit.lower())
    what = {"mentions": "Mentions", "articles": "Articles mentioning each entity"}[value]
    x = periods.to_numpy()

    if kind == "lines":
        if ax is None:
            ax = _new_axes(9.5, 4.8)
        for i, entity in enumerate(chosen):
            ax.plot(x, table[entity].to_numpy(dtype=float), color=LINE_COLORS[i % len(LINE_COLORS)],
                    linestyle=LINE_STYLES[i // len(LINE_COLORS) % len(LINE_STYLES)],
                    marker=LINE_MARKERS[i % len(LINE_MARKERS)], markersize=6, linewidth=2,
                    markeredgecolor="#333333", markeredgewidth=0.5, clip_on=False, label=_shorten(entity, 28))
        legend_inches = 0.7 + 0.075 * max(len(_shorten(e, 28)) for e in chosen)
        _set_period_ticks(ax, periods, unit, width=_axes_inches(ax) - legend_inches)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.margins(x=0.03)
        ax.set_xlabel(_axis_name(unit))
        ax.set_ylabel(VALUE_LABELS[value])
        ax.set_title(f"{what} per {per}")
        _tidy_axes(ax, "y")
        ax.legend(title="Entity", loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False,
                  fontsize=_TEXT_SIZE, title_fontsize=_TEXT_SIZE + 1)
        return ax

    k = len(chosen)
    ncols = min(k, 3 if k <= 9 else 4)
    nrows = math.ceil(k / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(9.5, 1.9 * nrows + 1.1), sharex=True, sharey=True,
                             squeeze=False, layout="constrained")
    flat = axes.ravel()
    panel_inches = fig.get_figwidth() / ncols - 0.45      # less the y tick labels
    for i, entity in enumerate(chosen):
        panel = flat[i]
        series = table[entity].to_numpy(dtype=float)
        panel.fill_between(x, series, color="#0072B2", alpha=0.15, linewidth=0)
        panel.plot(x, series, color="#0072B2", linewidth=1.8, marker="o", markersize=3.5, clip_on=False)
        panel.set_title(_shorten(entity, int(panel_inches / _CHAR_INCHES)), fontsize=10, loc="left")
        _tidy_axes(panel, "y")
    for extra in flat[k:]:
        extra.remove()
    # Narrow panels: the year goes on a second line so neighbouring panels' labels keep apart.
    _set_period_ticks(flat[0], periods, unit, width=panel_inches, sep="\n")
    flat[0].set_ylim(bottom=0)
    flat[0].yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    flat[0].margins(x=0.08)
    for i in range(k):
        if i + ncols >= k:          # nothing below: this panel carries the x tick labels
            flat[i].tick_params(labelbottom=True, labelsize=_TEXT_SIZE)
            flat[i].set_xlabel(_axis_name(unit))
        if i % ncols == 0:
            flat[i].set_ylabel(VALUE_LABELS[value])
    fig.suptitle(f"{what} per {per}: {k} entities (shared scales)", fontsize=13)
    return flat[0]


# ---------------------------------------------------------------------------------------------
# 3. Outlet heat map
# ---------------------------------------------------------------------------------------------

def plot_outlet_heatmap(counts: pd.DataFrame, *, by: str = "outlet", n: int = 15,
                        value: str = "share_articles", ax: Axes | None = None) -> Axes:
    """Heat map of the top ``n`` entities (rows) by group (columns, e.g. outlets), each cell annotated.

    ``counts`` is an ``entity_counts(..., by=by)`` table. Rows are the ``n`` entities with the most
    articles overall (the most mentions for ``value="mentions"``), most on top; columns are the
    groups in alphabetical order; a missing (group, entity) pair is 0. ``value="share_articles"``
    (the default) compares outlets of different sizes fairly: the percentage of each outlet's
    articles that mention the entity. Cells use "viridis" from 0 to the largest cell and a text
    colour (black or white) chosen for contrast; the colour bar carries the unit.

    Example:
        >>> counts = tk.entity_counts(corpus.mentions, corpus.articles, by="outlet")   # doctest: +SKIP
        >>> ax = plot_outlet_heatmap(counts, n=12)                                     # doctest: +SKIP
    """
    func = "plot_outlet_heatmap"
    _choice(value, "value", ("mentions", "articles", "share_articles"), func)
    n = _positive(n, "n", func)
    _require(counts, [by, "entity", value], func, f"entity_counts(by={by!r})")

    if value == "share_articles":
        rank_by, rank = ("articles", "sum") if "articles" in counts.columns else ("share_articles", "mean")
    else:
        rank_by, rank = value, "sum"
    overall = counts.groupby("entity")[rank_by].agg(rank).reset_index()
    overall = overall.sort_values([rank_by, "entity"], ascending=[False, True], kind="mergesort")
    rows = overall["entity"].head(n).tolist()
    columns = sorted(counts[by].dropna().unique().tolist(), key=str)
    if not columns:
        raise InputError(f"{func}(): column {by!r} holds no group names (all missing)")
    kept = counts[counts["entity"].isin(rows) & counts[by].notna()]
    grid = (kept.groupby(["entity", by])[value].agg("max" if value == "share_articles" else "sum")
            .unstack(by).reindex(index=rows, columns=columns).fillna(0))
    matrix = grid.to_numpy(dtype=float)

    nrows, ncols = matrix.shape
    if ax is None:
        ax = _new_axes(min(10.0, 4.2 + 1.15 * ncols), 0.36 * nrows + 2.0)
    vmax = float(matrix.max()) if matrix.size and matrix.max() > 0 else 1.0
    image = ax.imshow(matrix, cmap=SEQUENTIAL_CMAP, norm=Normalize(0, vmax), aspect="auto",
                      interpolation="nearest")
    for i in range(nrows):
        for j in range(ncols):
            cell = matrix[i, j]
            ax.text(j, i, _format_value(cell, value), ha="center", va="center", fontsize=_TEXT_SIZE,
                    color=_text_color(image.cmap(image.norm(cell))))

    # Column labels: wrapped to the column width, or rotated when even wrapped they would collide.
    fig = ax.figure
    colorbar_inches = 1.0
    chars = int(0.9 * (_axes_inches(ax) - colorbar_inches) / max(ncols, 1) / _CHAR_INCHES)
    labels = [str(c) for c in columns]
    if chars >= 8:
        ax.set_xticks(range(ncols), labels=[_wrap(lab, chars) for lab in labels])
    else:
        ax.set_xticks(range(ncols), labels=[_shorten(lab, 24) for lab in labels], rotation=40, ha="right",
                      rotation_mode="anchor")
    ax.set_yticks(range(nrows), labels=[_shorten(r) for r in rows])
    ax.set_xticks(np.arange(-0.5, ncols), minor=True)
    ax.set_yticks(np.arange(-0.5, nrows), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    ax.tick_params(which="major", length=0)
    ax.spines[:].set_visible(False)

    colorbar = fig.colorbar(image, ax=ax, fraction=0.05, pad=0.02)
    colorbar.set_label(VALUE_LABELS[value])
    if value == "share_articles":
        colorbar.ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    else:
        colorbar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    noun = by.replace("_", " ")
    ax.set_xlabel(_group_title(by))
    ax.set_ylabel("Entity")
    title = {"share_articles": f"Share of each {noun}'s articles mentioning the top {nrows} entities",
             "articles": f"Articles mentioning the top {nrows} entities, by {noun}",
             "mentions": f"Mentions of the top {nrows} entities, by {noun}"}[value]
    ax.set_title(title)
    return ax


# ---------------------------------------------------------------------------------------------
# 4. Co-occurrence network
# ---------------------------------------------------------------------------------------------

def _cooccurrence_frame(cooc: Any, func: str) -> pd.DataFrame:
    """A ``cooccurrence`` table, or one built from a networkx-like graph (nodes/edges with attributes)."""
    if isinstance(cooc, pd.DataFrame):
        return cooc
    if hasattr(cooc, "edges") and hasattr(cooc, "nodes"):
        rows = []
        for a, b, attrs in cooc.edges(data=True):
            node_a, node_b = cooc.nodes[a], cooc.nodes[b]
            rows.append({**attrs, "entity_a": str(a), "entity_b": str(b),
                         "count_a": node_a.get("count"), "count_b": node_b.get("count"),
                         "label_a": node_a.get("label"), "label_b": node_b.get("label")})
        if not rows:
            raise InputError(f"{func}(): the graph has no edges; there is nothing to draw")
        return pd.DataFrame(rows)
    raise InputError(f"{func}(): expected a cooccurrence() DataFrame or a networkx Graph, "
                     f"got {type(cooc).__name__}")


def _spring_layout(size: int, edges: np.ndarray, strength: np.ndarray, seed: int,
                   iterations: int = 300) -> np.ndarray:
    """Fruchterman–Reingold positions in the unit square, deterministic for a given ``seed``.

    The force-directed method of networkx's ``spring_layout`` (repulsion k²/d between all nodes,
    attraction w·d²/k along edges, a cooling step), plus a weak pull to the centre that keeps
    small components from drifting to the corners. Pure numpy, so the toolkit needs no networkx.
    """
    if size == 1:
        return np.array([[0.5, 0.5]])
    rng = np.random.default_rng(seed)
    pos = rng.random((size, 2))
    adjacency = np.zeros((size, size))
    adjacency[edges[:, 0], edges[:, 1]] = strength
    adjacency[edges[:, 1], edges[:, 0]] = strength
    k = 1 / math.sqrt(size)
    gravity = 0.08 * size           # the repulsion summed over all nodes grows with the node count
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        distance = np.clip(np.linalg.norm(delta, axis=-1), 0.01, None)
        force = k * k / distance**2 - adjacency * distance / k
        displacement = np.einsum("ijk,ij->ik", delta, force)
        displacement -= gravity * (pos - pos.mean(axis=0))
        length = np.clip(np.linalg.norm(displacement, axis=-1), 0.01, None)
        pos += displacement * (temperature / length)[:, None]
        temperature -= cooling
    pos -= pos.min(axis=0)
    span = pos.max(axis=0)
    span[span == 0] = 1
    return pos / span


def _separate(xy: np.ndarray, half_w: np.ndarray, half_h: np.ndarray, width: float, height: float,
              pad: float = 6.0, iterations: int = 400) -> np.ndarray:
    """Move boxes centred at ``xy`` (pixels) apart until none overlap, keeping them inside the area.

    Each overlapping pair is pushed apart along the axis where it overlaps less (for wide label
    boxes, mostly vertically), half the overlap each; ties are broken by index, so it is
    deterministic. Stops early when no pair overlaps.
    """
    xy = xy.copy()
    size = len(xy)
    index = np.arange(size)
    tie = np.where(index[:, None] < index[None, :], -1.0, 1.0)
    for _ in range(iterations):
        dx = xy[:, 0][:, None] - xy[:, 0][None, :]
        dy = xy[:, 1][:, None] - xy[:, 1][None, :]
        over_x = half_w[:, None] + half_w[None, :] + pad - np.abs(dx)
        over_y = half_h[:, None] + half_h[None, :] + pad - np.abs(dy)
        overlap = (over_x > 0) & (over_y > 0)
        np.fill_diagonal(overlap, False)
        if not overlap.any():
            break
        sign_x = np.where(dx == 0, tie, np.sign(dx))
        sign_y = np.where(dy == 0, tie, np.sign(dy))
        along_x = overlap & (over_x < over_y)
        along_y = overlap & ~along_x
        xy[:, 0] += 0.55 * np.where(along_x, over_x / 2 * sign_x, 0).sum(axis=1)
        xy[:, 1] += 0.55 * np.where(along_y, over_y / 2 * sign_y, 0).sum(axis=1)
        xy[:, 0] = np.clip(xy[:, 0], half_w, np.maximum(half_w, width - half_w))
        xy[:, 1] = np.clip(xy[:, 1], half_h, np.maximum(half_h, height - half_h))
    else:
        logger.debug("co-occurrence labels still overlap after %d passes", iterations)
    return xy


def _nice_levels(values: np.ndarray, count: int = 3) -> list[float]:
    """A few round values spanning ``values`` for a size legend."""
    low, high = float(np.min(values)), float(np.max(values))
    if high <= low:
        return [high]
    levels = []
    for q in np.linspace(low, high, count):
        magnitude = 10 ** math.floor(math.log10(q)) if q > 0 else 1
        step = magnitude / 2 if q / magnitude < 3 else magnitude
        rounded = min(max(round(q / step) * step, low), high)     # round, but within the data
        if rounded not in levels:
            levels.append(rounded)
    return levels


def plot_cooccurrence_network(cooc: Any, *, n: int = 30, weight: str = "npmi", unit: str | None = None,
                              ax: Axes | None = None, seed: int = 0) -> Axes:
    """Network of the ``n`` pairs of entities seen together most often.

    ``cooc`` is a ``cooccurrence`` table (``entity_a``, ``entity_b``, ``count``, ``count_a``,
    ``count_b``, ``pmi``, ``npmi``) or its networkx graph (node attribute ``count``, edge
    attributes ``count``, ``pmi``, ``npmi``). The top ``n`` edges by ``count`` (ties by ``weight``,
    then names) are drawn. Node area is proportional to the entity's own count (``count_a`` /
    ``count_b`` or the node's ``count``); line width grows linearly with ``weight`` (``"npmi"``,
    ``"pmi"`` or ``"count"``) from the weakest to the strongest drawn edge; nodes are coloured by
    entity type when the table has ``label_a``/``label_b`` columns (or nodes a ``label``). ``unit``
    names what the counts count ("sentences", "articles"; by default ``cooc.attrs["level"]`` when
    set) for the legend.

    The layout is a seeded force-directed layout (Fruchterman–Reingold, as networkx's
    ``spring_layout``), so the same table and ``seed`` give the same picture. Every node is
    labelled just below itself on a white box, and nodes are then nudged apart until no two
    node-and-label boxes overlap.

    Example:
        >>> pairs = tk.cooccurrence(corpus.mentions, level="article")    # doctest: +SKIP
        >>> ax = plot_cooccurrence_network(pairs, n=25, unit="articles")  # doctest: +SKIP
    """
    func = "plot_cooccurrence_network"
    _choice(weight, "weight", ("npmi", "pmi", "count"), func)
    n = _positive(n, "n", func)
    table = _require(_cooccurrence_frame(cooc, func), ["entity_a", "entity_b", "count", weight], func,
                     "cooccurrence()")
    if unit is None and isinstance(cooc, pd.DataFrame):
        level = cooc.attrs.get("level")
        unit = f"{level}s" if isinstance(level, str) and level else None

    keys = ["count", *([weight] if weight != "count" else []), "entity_a", "entity_b"]
    ascending = [False, *([False] if weight != "count" else []), True, True]
    top = table.sort_values(keys, ascending=ascending, kind="mergesort").head(n).reset_index(drop=True)

    # Nodes: their own count (from count_a/count_b, else the largest count of an edge they are on).
    frequency: dict[str, float] = {}
    label_of: dict[str, str] = {}
    for side in ("a", "b"):
        for row in top.itertuples(index=False):
            name = str(getattr(row, f"entity_{side}"))
            own = getattr(row, f"count_{side}", None)
            own = float(own) if own is not None and pd.notna(own) else float(row.count)
            frequency[name] = max(frequency.get(name, 0.0), own)
            label = getattr(row, f"label_{side}", None)
            if isinstance(label, str) and name not in label_of:
                label_of[name] = label
    nodes = sorted(frequency, key=lambda name: (-frequency[name], name))
    position_of = {name: i for i, name in enumerate(nodes)}
    edge_index = np.array([[position_of[str(a)], position_of[str(b)]]
                           for a, b in zip(top["entity_a"], top["entity_b"], strict=True)], dtype=np.int64)
    strength = top[weight].to_numpy(dtype=float)
    low, high = float(np.nanmin(strength)), float(np.nanmax(strength))
    relative = (strength - low) / (high - low) if high > low else np.ones_like(strength)
    relative = np.nan_to_num(relative, nan=0.0)
    edge_widths = 0.8 + 5.2 * relative

    counts = np.array([frequency[name] for name in nodes])
    areas = np.maximum(1300 * counts / counts.max(), 40)     # marker area in pt², ∝ count
    colored = bool(label_of)
    node_colors = [LABEL_COLORS[_label_key(label_of.get(name))] if colored else "#56B4E9" for name in nodes]

    if ax is None:
        ax = _new_axes(9.5, 7.5)
    fig = ax.figure
    title = f"Entities mentioned together: the {len(top)} most frequent pairs"
    ax.set_title(title)
    ax.set_axis_off()

    # Legend below the network: node sizes, line widths and (if known) entity types.
    counted = f"{unit or 'units (sentences or articles)'} mentioning the entity"
    size_keys = [Line2D([], [], linestyle="", marker="o", markersize=math.sqrt(1300 * level / counts.max()),
                        markerfacecolor="#cccccc", markeredgecolor="#555555",
                        label=f"{level:g} {unit or ''}".strip())
                 for level in _nice_levels(counts)]
    weight_name = {"npmi": "NPMI", "pmi": "PMI", "count": "pairs"}[weight]
    widths_shown = sorted({low, high})
    width_keys = [Line2D([], [], color="#555555",
                     linewidth=0.8 + 5.2 * ((value - low) / (high - low) if high > low else 1),
                     label=f"{weight_name} {value:.2f}" if weight != "count" else f"{value:g} together")
              for value in widths_shown]
    handles: list[Line2D] = [*size_keys, *width_keys]
    # Legend of the encodings below the network, in one row (two when one is too wide for the Axes).
    # Its rows must be as tall as the biggest marker: matplotlib makes a handle box of height
    # fontsize * (0.65 * handleheight + 0.245) points.
    room = (max(h.get_markersize() for h in handles) + 4) / _TEXT_SIZE
    title = f"Node area ∝ {counted}\nLine width ∝ {weight_name} (association strength)"

    def encoding_legend(rows: int) -> Legend:
        columns = math.ceil(len(handles) / rows)
        # Legends fill column by column: interleave so that sizes form the first row, widths the second.
        order = handles if rows == 1 else [
            h for pair in itertools.zip_longest(size_keys, width_keys) for h in pair if h is not None]
        legend = Legend(ax, order, [h.get_label() for h in order], loc="upper center",
                        bbox_to_anchor=(0.5, 0.0), ncols=columns, frameon=False, fontsize=_TEXT_SIZE,
                        title=title, title_fontsize=_TEXT_SIZE + 1, borderaxespad=0.3, columnspacing=1.2,
                        handletextpad=0.5, handleheight=max(0.7, (room - 0.245) / 0.65),
                        handlelength=max(2.0, room))
        ax.add_artist(legend)
        legend.set_clip_on(False)           # add_artist clips to the Axes, which hides it from the layout
        return legend

    encodings = encoding_legend(1)
    if colored:
        ax.legend(handles=_type_legend_handles(_label_key(label_of.get(name)) for name in nodes),
                  title="Entity type", loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
                  fontsize=_TEXT_SIZE, title_fontsize=_TEXT_SIZE + 1)
    fig.draw_without_rendering()
    if encodings.get_window_extent().width > ax.get_window_extent().width and len(size_keys) > 1:
        encodings.remove()
        encodings = encoding_legend(2)

    # Work in pixels: measure labels and nodes, place them, then make data units equal pixels.
    fontsize = 10 if len(nodes) <= 30 else _TEXT_SIZE
    texts = [ax.text(0, 0, _shorten(name, 24), ha="center", va="center", fontsize=fontsize, zorder=4,
                     bbox=_LABEL_BOX, clip_on=False) for name in nodes]
    xy, label_y = _place_nodes(ax, texts, areas, edge_index, 0.2 + 0.8 * relative, seed)
    segments = np.stack([xy[edge_index[:, 0]], xy[edge_index[:, 1]]], axis=1)
    ax.add_collection(LineCollection(segments, linewidths=edge_widths, colors="#555555", alpha=0.5, zorder=1,
                                     capstyle="round"))
    ax.scatter(xy[:, 0], xy[:, 1], s=areas, c=node_colors, edgecolors="#333333", linewidths=0.6,
               zorder=2)
    for text, x, y in zip(texts, xy[:, 0], label_y, strict=True):
        text.set_position((x, y))
    return ax


def _place_nodes(ax: Axes, texts: list, areas: np.ndarray, edge_index: np.ndarray, strength: np.ndarray,
                 seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Node centres (pixels) and label heights for a network drawn in pixel units on ``ax``.

    Works in pixels: measures the labels and nodes, lays them out with a spring layout, then pushes
    apart the boxes (a node with its label just below it) until none overlap. Sets the axes limits
    to the figure's pixels, so data units equal pixels. Returns the node centres and the y of each
    label's centre.
    """
    fig = ax.figure
    fig.draw_without_rendering()
    box = ax.get_window_extent()
    width, height = box.width, box.height
    radius = np.sqrt(areas) / 2 * fig.dpi / 72
    text_w = np.array([t.get_window_extent().width for t in texts]) + 6
    text_h = np.array([t.get_window_extent().height for t in texts]) + 4
    gap = 1.0
    half_w = np.maximum(text_w / 2, radius + 1)
    half_h = (2 * radius + gap + text_h) / 2
    offset = radius - half_h            # node centre = box centre + (0, -offset)
    unit_square = _spring_layout(len(texts), edge_index, strength, seed)
    margin_x, margin_y = float(half_w.max()), float(half_h.max())
    start = np.column_stack([margin_x + unit_square[:, 0] * max(width - 2 * margin_x, 1),
                             margin_y + unit_square[:, 1] * max(height - 2 * margin_y, 1)])
    centres = _separate(start, half_w, half_h, width, height)
    xy = centres + np.column_stack([np.zeros(len(texts)), -offset])
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    return xy, xy[:, 1] - radius - gap - text_h / 2


# ---------------------------------------------------------------------------------------------
# 5. Distinctive entities
# ---------------------------------------------------------------------------------------------

_Z_LABEL = "z-score of weighted log-odds (positive = over-covered)"


def _distinctive_rows(group: pd.DataFrame, n: int) -> pd.DataFrame:
    """The ``n`` most over-covered and ``n`` most under-covered entities of one group, by z descending."""
    over = group[group["z"] > 0].sort_values(["z", "entity"], ascending=[False, True], kind="mergesort")
    under = group[group["z"] < 0].sort_values(["z", "entity"], ascending=[True, True], kind="mergesort")
    over, under = over.head(n), under.head(n)
    rows = pd.concat([over, under.iloc[::-1]])
    return rows.reset_index(drop=True)


def _distinctive_legend() -> list[Any]:
    return [Line2D([], [], linestyle="", marker="o", markersize=7, color=Z_OVER_COLOR,
                   label="Over-covered (z > 0)"),
            Line2D([], [], linestyle="", marker="o", markersize=7, color=Z_UNDER_COLOR,
                   label="Under-covered (z < 0)"),
            Line2D([], [], color="#777777", linestyle="--", linewidth=1,
                   label=f"95% band (|z| < {Z_95})")]


def _draw_distinctive(ax: Axes, rows: pd.DataFrame, slots: int, limit: float) -> None:
    z = rows["z"].to_numpy(dtype=float)
    y = np.arange(len(rows))
    colors = [Z_OVER_COLOR if v > 0 else Z_UNDER_COLOR for v in z]
    ax.axvspan(-Z_95, Z_95, color="#eeeeee", zorder=0, linewidth=0)
    for edge in (-Z_95, Z_95):
        ax.axvline(edge, color="#777777", linestyle="--", linewidth=1, zorder=1)
    ax.axvline(0, color="#333333", linewidth=1, zorder=1)
    ax.hlines(y, 0, z, colors=colors, linewidth=1.5, zorder=2)
    ax.scatter(z, y, s=42, c=colors, zorder=3, edgecolors="white", linewidths=0.5)
    ax.set_yticks(y, labels=[_shorten(e, 24) for e in rows["entity"]])
    ax.set_ylim(max(slots, 1) - 0.5, -0.5)
    ax.set_xlim(-limit, limit)
    ax.tick_params(axis="y", length=0)
    _tidy_axes(ax, "x")
    if rows.empty:
        ax.text(0.5, 0.5, "no entity differs", transform=ax.transAxes, ha="center", va="center",
                fontsize=_TEXT_SIZE, color="#555555")


def plot_distinctive_entities(distinctive: pd.DataFrame, *, by: str = "outlet", n: int = 8,
                              ax: Axes | None = None) -> Axes:
    """Dot plot of the entities each group covers more (z > 0) or less (z < 0) than the others.

    ``distinctive`` is a ``distinctive_entities`` table (``by``, ``entity``, ``count``,
    ``count_rest``, ``log_odds``, ``z``). For each group it shows the ``n`` entities with the
    highest z and the ``n`` with the lowest (negative) z, sorted by z, as lollipops from 0, red
    for over- and blue for under-covered, over a grey band between the dashed lines at ±1.96 (the
    95% band: dots inside it are within chance).

    With several groups it draws one panel per group (a grid of up to 3 or 4 columns sharing the x
    scale, x labels on the bottom panels, one legend under the figure, the title in
    ``ax.figure.get_suptitle()``) in a figure of its own, and returns the first panel (all are
    ``ax.figure.axes``); ``ax`` must then be None. With one group (filter the
    table first) it draws on ``ax`` or a new Axes.

    Example:
        >>> table = tk.distinctive_entities(corpus.mentions, corpus.articles)   # doctest: +SKIP
        >>> ax = plot_distinctive_entities(table, n=6)                          # doctest: +SKIP
        >>> ax = plot_distinctive_entities(table[table.outlet == "Meridian Post"], ax=my_ax)  # doctest: +SKIP
    """
    func = "plot_distinctive_entities"
    n = _positive(n, "n", func)
    _require(distinctive, [by, "entity", "z"], func, f"distinctive_entities(by={by!r})")
    groups = sorted(distinctive[by].dropna().unique().tolist(), key=str)
    if not groups:
        raise InputError(f"{func}(): column {by!r} holds no group names (all missing)")
    if ax is not None and len(groups) > 1:
        raise InputError(f"{func}(): the table holds {len(groups)} groups in {by!r}, drawn as one panel each "
                         f"in a figure of its own; leave ax=None, or filter to one group to draw on ax, e.g. "
                         f"table[table[{by!r}] == {groups[0]!r}]")
    selected = {g: _distinctive_rows(distinctive[distinctive[by] == g], n) for g in groups}
    slots = max(len(rows) for rows in selected.values())
    extreme = max((float(rows["z"].abs().max()) for rows in selected.values() if not rows.empty), default=0.0)
    limit = max(Z_95 * 1.3, extreme * 1.08)
    noun = by.replace("_", " ")

    if len(groups) == 1:
        group = groups[0]
        if ax is None:
            ax = _new_axes(9, 0.3 * max(slots, 2) + 1.9)
        _draw_distinctive(ax, selected[group], slots, limit)
        ax.set_xlabel(_Z_LABEL)
        ax.set_ylabel("Entity")
        ax.set_title(f"Entities {group} covers more or less than other {noun}s")
        ax.legend(handles=_distinctive_legend(), loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False,
                  fontsize=_TEXT_SIZE)
        return ax

    count = len(groups)
    ncols = min(count, 3 if count <= 9 else 4)
    nrows = math.ceil(count / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(10, nrows * (0.24 * max(slots, 2) + 0.9) + 1.3),
                             sharex=True, squeeze=False, layout="constrained")
    flat = axes.ravel()
    for i, group in enumerate(groups):
        panel = flat[i]
        _draw_distinctive(panel, selected[group], slots, limit)
        panel.set_title(_shorten(group, 32), fontsize=11, fontweight="bold", loc="left")
        if i % ncols == 0:
            panel.set_ylabel("Entity")
        if i + ncols >= count:      # nothing below: this panel carries the x tick labels and label
            panel.tick_params(labelbottom=True)
            panel.set_xlabel(_Z_LABEL.replace(" (", "\n("))
    for extra in flat[count:]:
        extra.remove()
    fig.suptitle(f"Entities each {noun} covers more or less than the others (top {n} each way)", fontsize=13)
    fig.legend(handles=_distinctive_legend(), loc="outside lower center", ncols=3, frameon=False,
               fontsize=_TEXT_SIZE + 1)
    return flat[0]
