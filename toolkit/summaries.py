"""Small summary tables for reading results side by side: groups as columns, focus per group, review lists.

These turn the tidy tables of :mod:`toolkit.analysis`, :mod:`toolkit.places` and
:mod:`toolkit.sourcing` into the few shapes a reader wants to look at in a notebook or a report,
so that notebooks hold calls and no table manipulation:

- :func:`pivot_counts`: a count table by group (outlet, period …) as one row per item and one
  column per group;
- :func:`focus_counts`: how many articles of each group are mainly about each country (or place);
- :func:`places_to_review`: the place mentions to check before publishing a map;
- :func:`kind_counts`: how many statements of each kind (direct quote, paraphrase, …).

Example:
    >>> import pandas as pd
    >>> counts = pd.DataFrame({"outlet": ["Ledger", "Post", "Post"], "entity": ["Iraq", "Iraq", "Syria"],
    ...                        "share_articles": [0.5, 1.0, 0.25]})
    >>> print(pivot_counts(counts, by="outlet"))
    outlet  Ledger  Post
    entity
    Iraq       0.5  1.00
    Syria      0.0  0.25
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from .analysis import _positive_int, entity_counts
from .checks import require_table
from .errors import InputError

__all__ = ["focus_counts", "kind_counts", "pivot_counts", "places_to_review"]

logger = logging.getLogger(__name__)

#: The item column of each count table, in the order they are looked for (country_counts has both
#: a code and a name; the name reads better).
_ITEMS = ("source_entity", "place_name", "country_name", "entity", "kind")
#: The measure shown by default, in the order they are looked for.
_VALUES = ("share_articles", "share", "mentions", "statements", "articles")


def pivot_counts(counts: pd.DataFrame, *, by: str = "outlet", value: str | None = None,
                 n: int | None = None) -> pd.DataFrame:
    """A count table by group as a grid: one row per item, one column per group, 0 where absent.

    ``counts`` is a table of :func:`~toolkit.analysis.entity_counts`,
    :func:`~toolkit.analysis.place_counts`, :func:`~toolkit.analysis.country_counts` or
    :func:`~toolkit.sourcing.source_counts` computed with ``by=by``. The rows are its items
    (``entity``, ``place_name``, ``country_name`` or ``source_entity``), the columns the values of
    ``by`` (sorted), the cells ``value`` (default ``share_articles``, else ``share``, else the
    count). Rows are sorted by their mean over the groups (largest first; ties by name), so the
    items most present across groups come first; ``n`` keeps the first ``n``.

    >>> import pandas as pd
    >>> counts = pd.DataFrame({"outlet": ["A", "B"], "country_name": ["Iraq", "Syria"], "mentions": [3, 1]})
    >>> pivot_counts(counts, value="mentions").loc["Iraq"].tolist()
    [3, 0]
    """
    func = "pivot_counts"
    require_table(counts, [by], func=func, what=f"a count table computed with by={by!r}", name="counts")
    item = next((c for c in _ITEMS if c in counts.columns), None)
    if item is None:
        raise InputError(f"{func}(): counts has none of the columns {', '.join(_ITEMS)}; expected a table of "
                         "entity_counts, place_counts, country_counts or source_counts")
    value = value or next((c for c in _VALUES if c in counts.columns), None)
    if value is None or value not in counts.columns:
        raise InputError(f"{func}(): value={value!r} is not a column of counts (it has "
                         f"{', '.join(map(str, counts.columns))})")
    n = _positive_int(n, "n", func, allow_none=True)
    grid = counts.pivot_table(index=item, columns=by, values=value, aggfunc="sum", fill_value=0,
                              observed=True, sort=True)
    order = pd.DataFrame({"mean": grid.mean(axis=1), "name": grid.index.astype(str)}, index=grid.index)
    grid = grid.loc[order.sort_values(["mean", "name"], ascending=[False, True], kind="stable").index]
    grid.columns.name = by
    return grid.head(n) if n is not None else grid


def focus_counts(focus: pd.DataFrame, articles: pd.DataFrame, *, by: str = "outlet",
                 level: str = "country") -> pd.DataFrame:
    """How many articles of each group are mainly about each country (or place).

    ``focus`` is :func:`~toolkit.places.article_focus`' table; each article counts once, for its
    first-ranked country (``level="country"``) or place (``level="place"``). Columns: ``by``,
    ``place_name``, ``country_code``, ``articles`` and ``share`` (of the group's articles in
    ``articles``, those without a focus included). Sorted by group, then ``articles``
    (descending), then name.

    >>> import pandas as pd
    >>> focus = pd.DataFrame({"article_id": ["a", "b", "c"], "level": ["country"] * 3, "rank": [1, 1, 1],
    ...                       "place_name": ["Iraq", "Iraq", "Syria"], "country_code": ["IQ", "IQ", "SY"]})
    >>> articles = pd.DataFrame({"article_id": ["a", "b", "c", "d"], "outlet": ["P", "P", "L", "L"]})
    >>> print(focus_counts(focus, articles).to_string(index=False))
    outlet place_name country_code  articles  share
         L      Syria           SY         1    0.5
         P       Iraq           IQ         2    1.0
    """
    func = "focus_counts"
    require_table(focus, ["article_id", "level", "rank", "place_name", "country_code"], func=func,
                  what="the output of article_focus()", name="focus")
    require_table(articles, ["article_id", by], func=func, what="the articles table", name="articles")
    if level not in ("country", "place"):
        raise InputError(f"{func}(): level must be 'country' or 'place', got {level!r}")
    main = focus[(focus["level"] == level) & (focus["rank"] == 1)]
    main = main[["article_id", "place_name", "country_code"]].merge(articles[["article_id", by]],
                                                                     on="article_id", how="inner")
    table = main.groupby([by, "place_name", "country_code"], dropna=False, sort=False).size()
    table = table.rename("articles").reset_index()
    totals = articles.groupby(by, dropna=False, sort=False).size().rename("_total").reset_index()
    table = table.merge(totals, on=by, how="left")
    table["share"] = (table["articles"] / table["_total"]).astype("float64")
    table = table.sort_values([by, "articles", "place_name"], ascending=[True, False, True], kind="stable",
                              na_position="last")
    return table[[by, "place_name", "country_code", "articles", "share"]].reset_index(drop=True)


def places_to_review(places: pd.DataFrame, *, min_score: float = 0.5) -> pd.DataFrame:
    """The place mentions to check before publishing a map: unresolved, or resolved with a low score.

    Rows of ``places`` (all its columns, in its order) with no ``place_id`` (the ``reason`` column
    says why) or a ``score`` below ``min_score``.

    >>> import pandas as pd
    >>> places = pd.DataFrame({"surface": ["Raqqa", "Deir", "Tripoli"], "place_id": [170794, None, 2210247],
    ...                        "score": [1.0, None, 0.4]})
    >>> places_to_review(places)["surface"].tolist()
    ['Deir', 'Tripoli']
    """
    func = "places_to_review"
    require_table(places, ["place_id", "score"], func=func, what="the places table", name="places")
    if isinstance(min_score, bool) or not isinstance(min_score, (int, float)) or not 0 <= min_score <= 1:
        raise InputError(f"{func}(): min_score must be a number between 0 and 1, got {min_score!r}")
    review = places["place_id"].isna() | (places["score"] < min_score).fillna(False).astype(bool)
    return places[review.to_numpy()]


def kind_counts(attributions: pd.DataFrame, articles: pd.DataFrame | None = None, *,
                by: Any = None) -> pd.DataFrame:
    """Statements of each kind (direct, indirect, according_to …), overall or per group.

    Columns: the ``by`` columns, ``kind``, ``statements``, ``articles`` (articles with at least
    one) and ``share_articles`` (of the group's articles; with ``articles=None``, of the articles
    having any statement). ``by`` as in :func:`~toolkit.analysis.entity_counts`. Sorted by
    group, then ``statements`` (descending), then kind.

    >>> import pandas as pd
    >>> attributions = pd.DataFrame({"article_id": ["a", "a", "b"], "kind": ["direct", "direct", "indirect"]})
    >>> print(kind_counts(attributions).to_string(index=False))
        kind  statements  articles  share_articles
      direct           2         1             0.5
    indirect           1         1             0.5
    """
    func = "kind_counts"
    require_table(attributions, ["article_id", "kind"], func=func, what="the attributions table",
                  name="attributions")
    data = attributions[["article_id", "kind"]].assign(entity=attributions["kind"].astype("string"),
                                                      label="statement")
    if by is not None:
        extra = [k for k in ([by] if isinstance(by, str) else list(by)) if k in attributions.columns
                 and k not in data.columns]
        data = data.join(attributions[extra]) if extra else data
    table = entity_counts(data, articles, by=by).rename(columns={"entity": "kind", "mentions": "statements"})
    return table.drop(columns="label")
