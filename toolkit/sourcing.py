"""Source patterns: who is quoted, how, how often anonymously, and how much comes from wire copy.

Every function takes the ``attributions`` table (one row per attributed statement: ``article_id``,
``start``, ``end``, ``kind``, ``cue``, ``cue_lemma``, ``source``, ``source_entity``,
``source_type``, ``content``, offsets …) and usually the ``articles`` table, and returns a tidy
DataFrame: one row per observation, ``lower_snake`` columns, stable sorting with ties broken by
name, so the same input gives byte-identical output. Every count can be traced back to rows of
``attributions`` (and from them, with :func:`source_statements`, to the sentences in the articles).

What is counted
    A *statement* is a row of ``attributions``. Functions about speakers count, by default, the
    kinds in :data:`SPEECH_KINDS` (``direct``, ``mixed``, ``indirect``, ``according_to``,
    ``told_outlet``) and leave out ``wire_credit`` rows: a dateline or "AFP contributed to this
    report" credits copy, not a statement by a source, and would otherwise make agencies the most
    quoted "sources". Pass ``kinds=None`` to count every row, or any list of kinds.

Grouping
    ``by`` names a column of ``attributions`` (``kind``, ``cue_lemma`` …), a column of ``articles``
    (``outlet``, ``section`` …; joined on ``article_id``) or ``"period"``, the start of the
    ``freq`` period of the article's ``published`` date (:func:`toolkit.analysis.period_of`;
    undated articles are then left out with a logged note). Attributions of articles missing from
    ``articles`` are left out with a logged note.

Uncertainty
    Shares of statements or articles come with 95% Wilson score intervals (``ci_low``,
    ``ci_high``): unlike the normal approximation they stay inside [0, 1] and behave for small
    counts and shares of 0 or 1. They treat statements as independent draws, which they are not
    quite (an article quoting one anonymous official often quotes two), so read them as a lower
    bound on the uncertainty; article-level rates (``level="article"``) avoid that clustering.
    The share of quoted words uses a percentile bootstrap over articles instead, because words
    are far from independent. A group with nothing to count has ``share`` and interval NaN.

Syndicated copy
    By default a wire story printed by three outlets counts three times (once per outlet, which is
    what a per-outlet comparison needs). ``dedupe="syndicated"`` (or a table of
    :func:`toolkit.syndication.find_syndicated`) counts each syndicated story once, for the outlet
    and period of its first copy, as in :func:`toolkit.analysis.entity_counts`.
    :func:`wire_dependence` reports how much of each outlet is shared copy.

Example:
    >>> import pandas as pd
    >>> attributions = pd.DataFrame({
    ...     "article_id": ["a1", "a1", "a2"], "kind": ["direct", "indirect", "indirect"],
    ...     "source_entity": ["Karim Haddad", "officials", "Karim Haddad"],
    ...     "source_type": ["named_person", "anonymous", "named_person"]})
    >>> print(source_counts(attributions).to_string(index=False))
    source_entity  source_type  statements  articles    share
     Karim Haddad named_person           2         2 0.666667
        officials    anonymous           1         1 0.333333
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .analysis import (
    Dedupe,
    _article_frame,
    _check_freq,
    _dedupe,
    _left_context,
    _positive_int,
    _right_context,
    _string_list,
    _unique_articles,
)
from .checks import require_table
from .errors import InputError
from .speakers import SOURCE_TYPES
from .stats import wilson_interval

if TYPE_CHECKING:
    import networkx

__all__ = [
    "SOURCE_TYPES",
    "SPEECH_KINDS",
    "anonymous_rate",
    "cue_profile",
    "quoted_word_share",
    "quotes_per_article",
    "source_counts",
    "source_edges",
    "source_network",
    "source_statements",
    "source_type_mix",
    "wire_dependence",
]

logger = logging.getLogger(__name__)

#: Every kind of attribution, in the order of the attributions contract.
ATTRIBUTION_KINDS: tuple[str, ...] = ("direct", "mixed", "indirect", "according_to", "told_outlet",
                                      "wire_credit")
#: The kinds that are statements by a source (all but the ``wire_credit`` copy credits).
SPEECH_KINDS: tuple[str, ...] = ("direct", "mixed", "indirect", "according_to", "told_outlet")
#: Kinds whose content holds the source's own words: ``direct`` (all of the content) and ``mixed``
#: (the quoted fragments inside the paraphrase).
QUOTE_KINDS: tuple[str, ...] = ("direct", "mixed")
#: The values of ``source_type``, in the order charts and tables list them.
#: Measures of :func:`wire_dependence`, in table order.
WIRE_MEASURES: tuple[str, ...] = ("wire_credit", "media_source", "shared_copy", "credit_or_copy")
#: Columns of :func:`source_statements`' table, in order.
STATEMENT_COLUMNS: tuple[str, ...] = (
    "article_id", "title", "outlet", "published", "sentence", "start", "end", "kind", "source",
    "source_entity", "source_type", "cue", "content", "left", "statement", "right")

_WORD = re.compile(r"\w+(?:['’\-]\w+)*")
# Double quotation marks (straight, curly, low-9, guillemets): the marks of a quoted fragment.
_OPEN_QUOTES = "\"“„«"
_CLOSE_QUOTES = "\"”“»"
# Sentence ends for the drill-down context: . ! ? (with closing quotes/brackets) before white space,
# or a line break.
_SENTENCE_END = re.compile(r"[.!?][\"”’»)\]]*(?=\s)|\n")
_RATE_COLUMNS = ("count", "total", "share", "ci_low", "ci_high")


# ---------------------------------------------------------------------------------------------
# Intervals
# ---------------------------------------------------------------------------------------------

def _add_rates(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (with ``count`` and ``total``) plus ``share``, ``ci_low`` and ``ci_high``."""
    count = table["count"].to_numpy(dtype="float64")
    total = table["total"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, count / total, np.nan)
    low, high = wilson_interval(count, total)
    table = table.astype({"count": "int64", "total": "int64"})
    return table.assign(share=share.astype("float64"), ci_low=low.astype("float64"),
                        ci_high=high.astype("float64"))


# ---------------------------------------------------------------------------------------------
# Argument checks and grouping shared by the functions below
# ---------------------------------------------------------------------------------------------

def _require_attributions(attributions: Any, columns: Iterable[str], func: str) -> pd.DataFrame:
    return require_table(attributions, ["article_id", *columns], func=func,
                         what="the attributions table", name="attributions")


def _require_articles(articles: Any, columns: Iterable[str], func: str) -> pd.DataFrame:
    table = require_table(articles, ["article_id", *columns], func=func, what="the articles table",
                          name="articles")
    return _unique_articles(table, func)


def _filter_kinds(data: pd.DataFrame, kinds: Any, func: str) -> pd.DataFrame:
    """The rows of ``data`` whose ``kind`` is in ``kinds`` (None keeps every row)."""
    if kinds is None:
        return data
    wanted = _string_list(kinds, "kinds", func)
    if "kind" not in data.columns:
        raise InputError(f"{func}(): attributions is missing column 'kind' (needed by kinds=); pass "
                         "kinds=None to count every row")
    known = set(ATTRIBUTION_KINDS) | set(data["kind"].dropna().astype(str))
    unknown = [kind for kind in wanted if kind not in known]
    if unknown:
        raise InputError(f"{func}(): kinds {unknown} are not attribution kinds; expected some of "
                         f"{', '.join(map(repr, ATTRIBUTION_KINDS))}")
    return data[data["kind"].isin(wanted).fillna(False).astype(bool)]


def _split_keys(by: Any, attributions: pd.DataFrame, articles: pd.DataFrame | None, func: str,
                reserved: Sequence[str] = ()) -> tuple[list[str], list[str], list[str]]:
    """``by`` as (all keys, statement-level keys, article-level keys), each key checked."""
    if by is None:
        return [], [], []
    keys = _string_list(by, "by", func)
    statement_keys: list[str] = []
    article_keys: list[str] = []
    for key in keys:
        if key in reserved or key == "article_id":
            raise InputError(f"{func}(): by={key!r} names an output column or the article id; expected "
                             "'outlet', 'period', a column of articles or a column of attributions such as "
                             "'kind'")
        if key in attributions.columns and not (key == "period" and articles is not None):
            statement_keys.append(key)
        elif key == "period" or (articles is not None and key in articles.columns):
            if articles is None:
                raise InputError(f"{func}(): by={key!r} needs the articles table; pass articles=")
            article_keys.append(key)
        else:
            where = ("attributions or articles" if articles is not None
                     else "attributions (pass articles= to group by an article column such as 'outlet')")
            raise InputError(f"{func}(): by={key!r} is not a column of {where}; expected 'outlet', 'period', "
                             "another column of articles or a column of attributions such as 'kind'")
    return keys, statement_keys, article_keys


def _prepare(attributions: pd.DataFrame, articles: pd.DataFrame | None, keys: list[str],
             article_keys: list[str], kinds: Any, freq: str, func: str,
             dedupe: Dedupe = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(statements of the wanted kinds with the article-level keys joined, articles with those keys).

    Without ``articles`` the second table lists the distinct article ids of ``attributions``. With
    ``dedupe`` the later copies of syndicated stories and their statements are left out first
    (:func:`toolkit.analysis.entity_counts` explains ``dedupe``).
    """
    attributions, articles = _dedupe(attributions, articles, dedupe, func)
    data = _filter_kinds(attributions, kinds, func)
    if articles is None:
        base = pd.DataFrame({"article_id": attributions["article_id"].drop_duplicates().to_numpy()})
        return data.reset_index(drop=True), base
    known = data["article_id"].isin(articles["article_id"])
    if not known.all():
        logger.info("%s: %d attribution(s) of articles absent from the articles table left out",
                    func, int((~known).sum()))
        data = data[known]
    base = _article_frame(articles, article_keys, freq, func)
    base.attrs = {}                 # the articles' load report is not this table's metadata
    if article_keys:
        data = data.drop(columns=[k for k in article_keys if k in data.columns])
        data = data.merge(base, on="article_id", how="inner", sort=False)
    else:
        data = data[data["article_id"].isin(base["article_id"])]
    return data.reset_index(drop=True), base.reset_index(drop=True)


def _sorted(table: pd.DataFrame, keys: list[str], extra: list[str] | None = None,
            ascending: list[bool] | None = None) -> pd.DataFrame:
    columns = [*keys, *(extra or [])]
    if not columns:
        return table.reset_index(drop=True)
    order = [True] * len(keys) + (ascending if ascending is not None else [True] * len(extra or []))
    table = table.sort_values(columns, ascending=order, kind="stable", na_position="last")
    return table.reset_index(drop=True)


def _groups(data: pd.DataFrame, base: pd.DataFrame, keys: list[str], article_keys: list[str]) -> pd.DataFrame:
    """The groups to report: every group of ``base`` (article-level keys, zeros included) crossed with the
    statement-level values seen in ``data``."""
    statement_keys = [k for k in keys if k not in article_keys]
    if not keys:
        return pd.DataFrame(index=[0])
    if not statement_keys:
        return base[article_keys].drop_duplicates().reset_index(drop=True)
    seen = data[keys].drop_duplicates().reset_index(drop=True)
    if not article_keys:
        return seen
    grid = base[article_keys].drop_duplicates().merge(data[statement_keys].drop_duplicates(), how="cross")
    return grid.reset_index(drop=True)


def _category_order(values: Iterable[Any], canonical: Sequence[str]) -> list[str]:
    """The distinct ``values`` in ``canonical`` order, any others after them alphabetically."""
    present = {str(v) for v in values if not pd.isna(v)}
    return [v for v in canonical if v in present] + sorted(present - set(canonical))


def _source_types(data: pd.DataFrame, func: str) -> pd.Series:
    """``source_type`` with missing values counted as ``"unknown"`` (logged)."""
    types = data["source_type"].astype("string")
    missing = types.isna()
    if missing.any():
        logger.info("%s: %d statement(s) without a source_type counted as 'unknown'", func,
                    int(missing.sum()))
        types = types.fillna("unknown")
    return types


# ---------------------------------------------------------------------------------------------
# Top sources
# ---------------------------------------------------------------------------------------------

def source_counts(attributions: pd.DataFrame, articles: pd.DataFrame | None = None, *, by: Any = None,
                  n: int | None = None, kinds: Any = SPEECH_KINDS, freq: str = "MS",
                  dedupe: Dedupe = None) -> pd.DataFrame:
    """The sources quoted most: statements and articles per ``source_entity``, overall or per group.

    Columns: the ``by`` columns (if any), ``source_entity``, ``source_type`` (the entity's most
    frequent type within the group, ties broken alphabetically), ``statements`` (rows of
    ``attributions``), ``articles`` (distinct articles quoting it) and ``share`` (``statements``
    divided by all statements of the group, those without a named source included, so it reads
    "x % of the outlet's attributed statements come from this source").

    Statements without a ``source_entity`` are not listed (they still count in the share's
    denominator). ``kinds`` picks the kinds counted (default :data:`SPEECH_KINDS`; None for all).
    ``by``: see the module docstring (``"outlet"``, ``"period"``, ``"kind"`` …). Rows are sorted
    by group, then ``statements`` (descending), then ``source_entity``; ``n`` keeps the first ``n``
    rows of each group.

    >>> import pandas as pd
    >>> attributions = pd.DataFrame({"article_id": ["a1", "a1", "a2"], "kind": ["direct"] * 3,
    ...     "source_entity": ["Karim Haddad", "Karim Haddad", pd.NA],
    ...     "source_type": ["named_person", "named_person", "unknown"]})
    >>> articles = pd.DataFrame({"article_id": ["a1", "a2"], "outlet": ["Post", "Ledger"]})
    >>> print(source_counts(attributions, articles, by="outlet").to_string(index=False))
    outlet source_entity  source_type  statements  articles  share
      Post  Karim Haddad named_person           2         1    1.0
    """
    func = "source_counts"
    _require_attributions(attributions, ["source_entity", "source_type"], func)
    if articles is not None:
        _require_articles(articles, [], func)
    _check_freq(freq, func)
    n = _positive_int(n, "n", func, allow_none=True)
    keys, _, article_keys = _split_keys(by, attributions, articles, func,
                                        reserved=("source_entity", "source_type", "statements", "share"))
    data, _ = _prepare(attributions, articles, keys, article_keys, kinds, freq, func, dedupe)
    columns = [*keys, "source_entity", "source_type", "statements", "articles", "share"]

    totals = (data.groupby(keys, dropna=False, sort=False).size().rename("_total").reset_index()
              if keys else None)
    all_statements = len(data)
    named = data[data["source_entity"].notna()].assign(source_type=lambda d: _source_types(d, func))
    if named.empty:
        empty = {c: pd.Series(dtype=attributions[c].dtype if c in attributions.columns else "object")
                 for c in keys if c in data.columns}
        return pd.DataFrame({**empty, "source_entity": pd.Series(dtype="string"),
                             "source_type": pd.Series(dtype="string"), "statements": pd.Series(dtype="int64"),
                             "articles": pd.Series(dtype="int64"), "share": pd.Series(dtype="float64")}
                            )[columns]
    entity_keys = [*keys, "source_entity"]
    grouped = named.groupby(entity_keys, dropna=False, sort=False)
    table = pd.DataFrame({"statements": grouped.size(), "articles": grouped["article_id"].nunique()})
    table = table.reset_index()
    type_counts = named.groupby([*entity_keys, "source_type"], dropna=False, sort=False).size()
    type_counts = type_counts.rename("_n").reset_index().sort_values(
        [*entity_keys, "_n", "source_type"], ascending=[True] * len(entity_keys) + [False, True],
        kind="stable", na_position="last")
    top_type = type_counts.drop_duplicates(entity_keys)[[*entity_keys, "source_type"]]
    table = table.merge(top_type, on=entity_keys, how="left", sort=False)
    if totals is not None:
        table = table.merge(totals, on=keys, how="left", sort=False)
    else:
        table["_total"] = all_statements
    table["share"] = (table["statements"] / table["_total"]).astype("float64")
    table = _sorted(table, keys, ["statements", "source_entity"], [False, True])
    if n is not None:
        table = table.groupby(keys, dropna=False, sort=False).head(n) if keys else table.head(n)
    table = table[columns].reset_index(drop=True)
    return table.astype({"statements": "int64", "articles": "int64", "source_type": "string"})


# ---------------------------------------------------------------------------------------------
# Source-type mix and rates
# ---------------------------------------------------------------------------------------------

def _check_level(level: Any, statement_keys: list[str], func: str) -> str:
    if level not in ("statement", "article"):
        raise InputError(f"{func}(): level must be 'statement' (share of statements) or 'article' (share of "
                         f"articles with at least one), got {level!r}")
    if level == "article" and statement_keys:
        raise InputError(f"{func}(): level='article' counts articles, so by= must name article columns "
                         f"('outlet', 'period' …), not the attributions column(s) {statement_keys}")
    return level


def _flag_rates(data: pd.DataFrame, base: pd.DataFrame, keys: list[str], article_keys: list[str],
                flag: pd.Series, level: str) -> pd.DataFrame:
    """``count``/``total`` per group of statements (or articles) with ``flag`` set, plus rates."""
    groups = _groups(data, base, keys, article_keys)
    if level == "statement":
        frame = data[keys].assign(_flag=flag.to_numpy(dtype=bool))
    else:
        flagged = set(data.loc[flag.to_numpy(dtype=bool), "article_id"])
        frame = base[keys].assign(_flag=base["article_id"].isin(flagged).to_numpy())
    if keys:
        counted = frame.groupby(keys, dropna=False, sort=False)["_flag"].agg(["sum", "size"])
        counted = counted.rename(columns={"sum": "count", "size": "total"}).reset_index()
        table = groups.merge(counted, on=keys, how="left", sort=False)
    else:
        table = pd.DataFrame({"count": [int(frame["_flag"].sum())], "total": [len(frame)]})
    table = table.fillna({"count": 0, "total": 0})
    return _add_rates(table)


def source_type_mix(attributions: pd.DataFrame, articles: pd.DataFrame, *, by: Any = "outlet",
                    level: str = "statement", kinds: Any = SPEECH_KINDS, freq: str = "MS",
                    dedupe: Dedupe = None) -> pd.DataFrame:
    """Share of each ``source_type`` per outlet (or other group), with 95% Wilson intervals.

    ``level="statement"``: ``count`` is the group's statements from sources of that type and
    ``total`` all its statements, so the shares of a group add up to 1. ``level="article"``:
    ``count`` is the group's articles quoting at least one source of that type and ``total`` all
    its articles (articles without any statement included), so shares need not add up to 1.

    Columns: the ``by`` columns, ``source_type``, ``count``, ``total``, ``share``, ``ci_low``,
    ``ci_high``; ``table.attrs["level"]`` records ``level`` for the charts. The grid is complete:
    every group times every type seen anywhere in the table (in :data:`SOURCE_TYPES` order),
    zeros included; a group with nothing to count (an outlet whose articles quote nobody) has
    ``total`` 0 and ``share`` NaN. A missing ``source_type`` counts as ``"unknown"``.

    >>> import pandas as pd
    >>> attributions = pd.DataFrame({"article_id": ["a1", "a1", "a2", "a3"], "kind": ["indirect"] * 4,
    ...     "source_type": ["official", "anonymous", "official", "official"]})
    >>> articles = pd.DataFrame({"article_id": ["a1", "a2", "a3"], "outlet": ["Post", "Post", "Ledger"]})
    >>> mix = source_type_mix(attributions, articles)
    >>> print(mix[["outlet", "source_type", "count", "total", "share"]].to_string(index=False))
    outlet source_type  count  total    share
    Ledger    official      1      1 1.000000
    Ledger   anonymous      0      1 0.000000
      Post    official      2      3 0.666667
      Post   anonymous      1      3 0.333333
    """
    func = "source_type_mix"
    _require_attributions(attributions, ["source_type"], func)
    _require_articles(articles, [], func)
    _check_freq(freq, func)
    keys, statement_keys, article_keys = _split_keys(by, attributions, articles, func,
                                                     reserved=("source_type", *_RATE_COLUMNS))
    level = _check_level(level, statement_keys, func)
    data, base = _prepare(attributions, articles, keys, article_keys, kinds, freq, func, dedupe)
    types = _source_types(data, func)
    order = _category_order(types, SOURCE_TYPES)
    parts = []
    for rank, source_type in enumerate(order):
        part = _flag_rates(data, base, keys, article_keys, types == source_type, level)
        parts.append(part.assign(source_type=source_type, _rank=rank))
    if not parts:
        columns = {k: base[k].dtype if k in base.columns else data[k].dtype for k in keys}
        return pd.DataFrame({**{k: pd.Series(dtype=d) for k, d in columns.items()},
                             "source_type": pd.Series(dtype="string"),
                             **{c: pd.Series(dtype="int64" if c in ("count", "total") else "float64")
                                for c in _RATE_COLUMNS}})
    table = pd.concat(parts, ignore_index=True)
    table = _sorted(table, keys, ["_rank"])
    table["source_type"] = table["source_type"].astype("string")
    table = table[[*keys, "source_type", *_RATE_COLUMNS]]
    table.attrs["level"] = level
    return table


def anonymous_rate(attributions: pd.DataFrame, articles: pd.DataFrame, *, by: Any = "outlet",
                   level: str = "statement", kinds: Any = SPEECH_KINDS, freq: str = "MS",
                   dedupe: Dedupe = None) -> pd.DataFrame:
    """Share of statements (or articles) with an anonymous source, per outlet, with 95% Wilson intervals.

    ``level="statement"``: ``count`` statements whose ``source_type`` is ``"anonymous"`` out of
    ``total`` statements of the group. ``level="article"``: articles with at least one anonymous
    source out of all the group's articles. Columns: the ``by`` columns, ``count``, ``total``,
    ``share``, ``ci_low``, ``ci_high``; every outlet of ``articles`` appears (``total`` 0 and
    ``share`` NaN when it has nothing to count); ``table.attrs["level"]`` records ``level``.

    >>> import pandas as pd
    >>> attributions = pd.DataFrame({"article_id": ["a1", "a1", "a2"], "kind": ["indirect"] * 3,
    ...                              "source_type": ["anonymous", "official", "official"]})
    >>> articles = pd.DataFrame({"article_id": ["a1", "a2"], "outlet": ["Post", "Post"]})
    >>> anonymous_rate(attributions, articles)[["outlet", "count", "total"]].values.tolist()
    [['Post', 1, 3]]
    """
    func = "anonymous_rate"
    _require_attributions(attributions, ["source_type"], func)
    _require_articles(articles, [], func)
    _check_freq(freq, func)
    keys, statement_keys, article_keys = _split_keys(by, attributions, articles, func, reserved=_RATE_COLUMNS)
    level = _check_level(level, statement_keys, func)
    data, base = _prepare(attributions, articles, keys, article_keys, kinds, freq, func, dedupe)
    flag = (_source_types(data, func) == "anonymous").fillna(False)
    table = _flag_rates(data, base, keys, article_keys, flag, level)
    table = _sorted(table, keys)[[*keys, *_RATE_COLUMNS]]
    table.attrs["level"] = level
    return table


def _shared_copy(syndication: Any, func: str) -> set[Any]:
    """Article ids in a syndication group of two or more articles."""
    table = require_table(syndication, ["article_id", "story_id"], func=func, name="syndication",
                          what="the syndication groups table (article_id, story_id, group_size …)")
    if "group_size" in table.columns:
        sizes = pd.to_numeric(table["group_size"], errors="coerce")
    else:
        sizes = table.groupby("story_id", dropna=True)["article_id"].transform("nunique")
    shared = table.loc[(sizes >= 2).fillna(False).astype(bool) & table["story_id"].notna(), "article_id"]
    return set(shared)


def wire_dependence(attributions: pd.DataFrame, articles: pd.DataFrame, *,
                    syndication: pd.DataFrame | None = None, by: Any = "outlet",
                    freq: str = "MS") -> pd.DataFrame:
    """How much of each outlet's output rests on wire agencies: by credit, by media source, by shared copy.

    Shares of articles (all articles of the group, including those without any attribution),
    one row per group and ``measure``:

    - ``wire_credit``: articles with at least one ``wire_credit`` attribution (a dateline such as
      "BAGHDAD (Reuters) -", "AFP reported", "the Associated Press contributed to this report");
    - ``media_source``: articles with at least one attribution of any kind to a ``media`` source
      (credits, "according to Reuters", "the BBC reported" …);
    - ``shared_copy`` (only with ``syndication``): articles in a near-duplicate group of two or
      more articles (``group_size >= 2``; computed from ``story_id`` when the column is absent),
      i.e. copy the corpus holds in more than one place, credited or not;
    - ``credit_or_copy`` (only with ``syndication``): either of ``wire_credit`` and ``shared_copy``.

    Columns: the ``by`` columns, ``measure``, ``count``, ``total``, ``share``, ``ci_low``,
    ``ci_high`` (95% Wilson). Articles missing from ``syndication`` count as not shared.

    >>> import pandas as pd
    >>> attributions = pd.DataFrame({"article_id": ["a1", "a2"], "kind": ["wire_credit", "indirect"],
    ...                              "source_type": ["media", "official"]})
    >>> articles = pd.DataFrame({"article_id": ["a1", "a2", "a3"], "outlet": ["Post"] * 3})
    >>> wire_dependence(attributions, articles)[["measure", "count", "total"]].values.tolist()
    [['wire_credit', 1, 3], ['media_source', 1, 3]]
    """
    func = "wire_dependence"
    _require_attributions(attributions, ["kind", "source_type"], func)
    _require_articles(articles, [], func)
    _check_freq(freq, func)
    shared = None if syndication is None else _shared_copy(syndication, func)
    keys, statement_keys, article_keys = _split_keys(by, attributions, articles, func,
                                                     reserved=("measure", *_RATE_COLUMNS))
    _check_level("article", statement_keys, func)
    data, base = _prepare(attributions, articles, keys, article_keys, None, freq, func)
    credited = set(data.loc[(data["kind"] == "wire_credit").fillna(False).astype(bool), "article_id"])
    media = set(data.loc[(data["source_type"] == "media").fillna(False).astype(bool), "article_id"])
    measures: dict[str, set[Any]] = {"wire_credit": credited, "media_source": media}
    if shared is not None:
        measures["shared_copy"] = shared
        measures["credit_or_copy"] = credited | shared
    tables = []
    for rank, (measure, flagged) in enumerate(measures.items()):
        flag = base["article_id"].isin(flagged)
        table = _flag_rates(base, base, keys, article_keys, flag, "statement")
        tables.append(table.assign(measure=measure, _rank=rank))
    table = _sorted(pd.concat(tables, ignore_index=True), keys, ["_rank"])
    table["measure"] = table["measure"].astype("string")
    return table[[*keys, "measure", *_RATE_COLUMNS]]


# ---------------------------------------------------------------------------------------------
# Quotes per article and quoted words
# ---------------------------------------------------------------------------------------------

def quotes_per_article(attributions: pd.DataFrame, articles: pd.DataFrame, *, by: Any = "outlet",
                       kinds: Any = SPEECH_KINDS, freq: str = "MS", dedupe: Dedupe = None) -> pd.DataFrame:
    """Statements per article, one row per article of ``articles`` (zeros included): a distribution.

    Columns: the ``by`` columns (article-level: ``"outlet"``, ``"period"`` or any articles
    column; None for none), ``article_id``, ``statements`` (rows of ``attributions`` of the
    ``kinds`` in that article; default :data:`SPEECH_KINDS`, ``kinds=QUOTE_KINDS`` for verbatim
    quotes only). Sorted by group, then ``article_id``. Summarise it with
    ``table.groupby("outlet")["statements"].describe()``.

    >>> import pandas as pd
    >>> attributions = pd.DataFrame({"article_id": ["a1", "a1"], "kind": ["direct", "indirect"]})
    >>> articles = pd.DataFrame({"article_id": ["a1", "a2"], "outlet": ["Post", "Post"]})
    >>> quotes_per_article(attributions, articles).values.tolist()
    [['Post', 'a1', 2], ['Post', 'a2', 0]]
    """
    func = "quotes_per_article"
    _require_attributions(attributions, [], func)
    _require_articles(articles, [], func)
    _check_freq(freq, func)
    keys, statement_keys, article_keys = _split_keys(by, attributions, articles, func,
                                                     reserved=("statements",))
    _check_level("article", statement_keys, func)
    data, base = _prepare(attributions, articles, keys, article_keys, kinds, freq, func, dedupe)
    counts = data.groupby("article_id", sort=False).size()
    table = base.assign(statements=base["article_id"].map(counts).fillna(0).astype("int64").to_numpy())
    return _sorted(table, keys, ["article_id"])[[*keys, "article_id", "statements"]]


def _quote_fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The spans inside double quotation marks within ``text[start:end]`` (a mark just outside counts)."""
    low, high = max(0, start - 1), min(len(text), end + 1)
    spans: list[tuple[int, int]] = []
    opened: int | None = None
    for i in range(low, high):
        char = text[i]
        if opened is None and char in _OPEN_QUOTES:
            opened = i + 1
        elif opened is not None and char in _CLOSE_QUOTES:
            spans.append((max(opened, start), min(i, end)))
            opened = None
    return [(s, e) for s, e in spans if e > s]


def _merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching spans merged into one, sorted."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def _count_words(text: str, spans: list[tuple[int, int]]) -> tuple[int, int]:
    """(words in ``text``, words whose first character lies inside one of the merged ``spans``)."""
    starts = np.fromiter((m.start() for m in _WORD.finditer(text)), dtype=np.int64)
    if not spans or not len(starts):
        return len(starts), 0
    lows = np.array([s for s, _ in spans], dtype=np.int64)
    highs = np.array([e for _, e in spans], dtype=np.int64)
    inside = np.searchsorted(lows, starts, side="right") - 1
    quoted = (inside >= 0) & (starts < highs[np.clip(inside, 0, None)])
    return len(starts), int(quoted.sum())


def quoted_word_share(attributions: pd.DataFrame, articles: pd.DataFrame, *, by: Any = "outlet",
                      kinds: Any = QUOTE_KINDS, per_article: bool = False, n_boot: int = 1000,
                      seed: int = 0, freq: str = "MS", dedupe: Dedupe = None) -> pd.DataFrame:
    """Share of the articles' words that are quoted words (inside direct-quote content spans).

    A word (a run of letters or digits, with inner apostrophes or hyphens) is quoted when its
    first character lies inside the content span of a ``direct`` statement, or inside the quoted
    fragments (between double quotation marks) of the content of a ``mixed`` statement. Spans of
    one article are merged first, so a word inside two overlapping spans counts once. Words are
    those of ``articles.text`` (the title line included).

    Per group (``per_article=False``): ``articles``, ``words``, ``quoted_words``, ``share``
    (quoted words / words, pooled over the group's articles) and a 95% percentile-bootstrap
    interval ``ci_low``/``ci_high`` from ``n_boot`` resamples of the group's articles (seeded by
    ``seed``, so deterministic; a group of one article gets the point value). Per article
    (``per_article=True``): the ``by`` columns, ``article_id``, ``words``, ``quoted_words``,
    ``share``.

    >>> import pandas as pd
    >>> articles = pd.DataFrame({"article_id": ["a1"], "outlet": ["Post"],
    ...                          "text": ['He said: "We will not stop." Then he left.']})
    >>> attributions = pd.DataFrame({"article_id": ["a1"], "kind": ["direct"],
    ...                              "content_start": [10], "content_end": [27]})
    >>> quoted_word_share(attributions, articles, per_article=True)[["words", "quoted_words"]].values.tolist()
    [[9, 4]]
    """
    func = "quoted_word_share"
    _require_attributions(attributions, ["content_start", "content_end"], func)
    _require_articles(articles, ["text"], func)
    _check_freq(freq, func)
    n_boot = _positive_int(n_boot, "n_boot", func)
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise InputError(f"{func}(): seed must be an integer, got {seed!r}")
    keys, statement_keys, article_keys = _split_keys(
        by, attributions, articles, func, reserved=("articles", "words", "quoted_words", "share"))
    _check_level("article", statement_keys, func)
    data, base = _prepare(attributions, articles, keys, article_keys, kinds, freq, func, dedupe)

    texts = dict(zip(articles["article_id"], articles["text"], strict=True))
    valid = data["content_start"].notna() & data["content_end"].notna()
    spans_of: dict[Any, list[tuple[int, int]]] = {}
    kind_of = data["kind"] if "kind" in data.columns else pd.Series("direct", index=data.index)
    for article_id, kind, start, end in zip(data.loc[valid, "article_id"], kind_of[valid],
                                            data.loc[valid, "content_start"], data.loc[valid, "content_end"],
                                            strict=True):
        text = texts.get(article_id)
        text = "" if text is None or pd.isna(text) else str(text)
        start, end = int(start), int(end)
        if kind == "mixed":
            spans = _quote_fragments(text, start, end)
        else:
            spans = [(max(0, start), min(len(text), end))]
        spans_of.setdefault(article_id, []).extend(s for s in spans if s[1] > s[0])

    words, quoted = [], []
    for article_id in base["article_id"]:
        text = texts.get(article_id)
        counted = _count_words("" if text is None or pd.isna(text) else str(text),
                               _merge_spans(spans_of.get(article_id, [])))
        words.append(counted[0])
        quoted.append(counted[1])
    per = base.assign(words=np.asarray(words, dtype=np.int64),
                      quoted_words=np.asarray(quoted, dtype=np.int64))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(per["words"] > 0, per["quoted_words"] / per["words"], np.nan)
    per["share"] = share.astype("float64")
    if per_article:
        return _sorted(per, keys, ["article_id"])[[*keys, "article_id", "words", "quoted_words", "share"]]

    rng = np.random.default_rng(seed)
    rows = []
    grouped = per.groupby(keys, dropna=False, sort=True) if keys else [((), per)]
    for key, group in grouped:
        w = group["words"].to_numpy(dtype="float64")
        q = group["quoted_words"].to_numpy(dtype="float64")
        total = w.sum()
        share = q.sum() / total if total > 0 else math.nan
        if len(group) > 1 and total > 0:
            picks = rng.integers(0, len(group), size=(n_boot, len(group)))
            with np.errstate(divide="ignore", invalid="ignore"):
                draws = q[picks].sum(axis=1) / w[picks].sum(axis=1)
            draws = draws[np.isfinite(draws)]
            low, high = np.percentile(draws, [2.5, 97.5]) if len(draws) else (math.nan, math.nan)
            low, high = min(low, share), max(high, share)
        else:
            low = high = share
        values = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(keys, values, strict=True)), "articles": len(group), "words": int(total),
                     "quoted_words": int(q.sum()), "share": share, "ci_low": low, "ci_high": high})
    columns = [*keys, "articles", "words", "quoted_words", "share", "ci_low", "ci_high"]
    table = pd.DataFrame(rows, columns=columns)
    for key in keys:
        table[key] = table[key].astype(base[key].dtype)
    table = table.astype({"articles": "int64", "words": "int64", "quoted_words": "int64", "share": "float64",
                          "ci_low": "float64", "ci_high": "float64"})
    return _sorted(table, keys)


# ---------------------------------------------------------------------------------------------
# Cue verbs
# ---------------------------------------------------------------------------------------------

def cue_profile(attributions: pd.DataFrame, articles: pd.DataFrame | None = None, *, by: Any = "outlet",
                n: int = 10, kinds: Any = SPEECH_KINDS, freq: str = "MS",
                dedupe: Dedupe = None) -> pd.DataFrame:
    """Which reporting verbs each outlet uses: the share of its statements per ``cue_lemma``.

    The ``n`` lemmas used most over the whole table ("say", "tell", "according to", "claim" …,
    ties broken alphabetically) get a row each for every group, zeros included; the rest are
    summed into one row ``cue_lemma="other"`` (present when any statement falls there), so each
    group's shares add up to 1. Columns: the ``by`` columns, ``cue_lemma``, ``count``, ``total``,
    ``share``, ``ci_low``, ``ci_high`` (95% Wilson), sorted by group then by overall frequency.
    ``by="outlet"`` needs ``articles`` (or an ``outlet`` column in ``attributions``); ``by=None``
    gives one profile for everything. Statements without a ``cue_lemma`` are left out (logged).

    >>> import pandas as pd
    >>> attributions = pd.DataFrame({"article_id": ["a1", "a1", "a2"], "kind": ["indirect"] * 3,
    ...                              "cue_lemma": ["say", "claim", "say"]})
    >>> articles = pd.DataFrame({"article_id": ["a1", "a2"], "outlet": ["Post", "Ledger"]})
    >>> cue_profile(attributions, articles)[["outlet", "cue_lemma", "count", "total"]].values.tolist()
    [['Ledger', 'say', 1, 1], ['Ledger', 'claim', 0, 1], ['Post', 'say', 1, 2], ['Post', 'claim', 1, 2]]
    """
    func = "cue_profile"
    _require_attributions(attributions, ["cue_lemma"], func)
    if articles is not None:
        _require_articles(articles, [], func)
    _check_freq(freq, func)
    n = _positive_int(n, "n", func)
    keys, _, article_keys = _split_keys(by, attributions, articles, func,
                                        reserved=("cue_lemma", *_RATE_COLUMNS))
    data, base = _prepare(attributions, articles, keys, article_keys, kinds, freq, func, dedupe)
    missing = data["cue_lemma"].isna()
    if missing.any():
        logger.info("%s: %d statement(s) without a cue_lemma left out", func, int(missing.sum()))
        data = data[~missing].reset_index(drop=True)
    lemmas = data["cue_lemma"].astype(str)
    overall = lemmas.value_counts().rename_axis("cue_lemma").reset_index(name="_n")
    overall = overall.sort_values(["_n", "cue_lemma"], ascending=[False, True], kind="stable")
    top = overall["cue_lemma"].head(n).tolist()
    chosen = [*top, *(["other"] if len(overall) > n else [])]
    bucket = lemmas.where(lemmas.isin(top), "other")
    parts = []
    for rank, lemma in enumerate(chosen):
        parts.append(_flag_rates(data, base, keys, article_keys, bucket == lemma, "statement")
                     .assign(cue_lemma=lemma, _rank=rank))
    if not parts:
        return pd.DataFrame({**{k: pd.Series(dtype="object") for k in keys},
                             "cue_lemma": pd.Series(dtype="string"),
                             **{c: pd.Series(dtype="int64" if c in ("count", "total") else "float64")
                                for c in _RATE_COLUMNS}})
    table = _sorted(pd.concat(parts, ignore_index=True), keys, ["_rank"])
    table["cue_lemma"] = table["cue_lemma"].astype("string")
    return table[[*keys, "cue_lemma", *_RATE_COLUMNS]]


# ---------------------------------------------------------------------------------------------
# Outlet → source network
# ---------------------------------------------------------------------------------------------

def source_edges(attributions: pd.DataFrame, articles: pd.DataFrame, *, by: str = "outlet",
                 min_statements: int = 2, kinds: Any = SPEECH_KINDS, dedupe: Dedupe = None) -> pd.DataFrame:
    """Who quotes whom: one row per (outlet, source) pair with at least ``min_statements`` statements.

    Columns: ``by`` (an articles column, ``"outlet"`` by default), ``source_entity``,
    ``source_type`` (the source's most frequent type over the whole table, so a source has one
    type in every row), ``statements`` and ``articles`` (distinct articles of that outlet quoting
    it). Statements without a ``source_entity`` are left out. Sorted by ``by``, ``statements``
    (descending) and ``source_entity``.

    >>> import pandas as pd
    >>> attributions = pd.DataFrame({"article_id": ["a1", "a1", "a2"], "kind": ["direct"] * 3,
    ...     "source_entity": ["UN", "UN", "UN"], "source_type": ["organisation"] * 3})
    >>> articles = pd.DataFrame({"article_id": ["a1", "a2"], "outlet": ["Post", "Ledger"]})
    >>> source_edges(attributions, articles, min_statements=1)[["outlet", "statements"]].values.tolist()
    [['Ledger', 1], ['Post', 2]]
    """
    func = "source_edges"
    _require_attributions(attributions, ["source_entity", "source_type"], func)
    _require_articles(articles, [] if by is None else [by], func)
    if not isinstance(by, str) or by == "article_id":
        raise InputError(f"{func}(): by must name one column of articles such as 'outlet', got {by!r}")
    min_statements = _positive_int(min_statements, "min_statements", func)
    data, _ = _prepare(attributions, articles, [by], [by], kinds, "MS", func, dedupe)
    named = data[data["source_entity"].notna() & data[by].notna()]
    named = named.assign(source_type=_source_types(named, func))
    types = named.groupby(["source_entity", "source_type"], sort=False).size().rename("_n").reset_index()
    types = types.sort_values(["source_entity", "_n", "source_type"], ascending=[True, False, True],
                              kind="stable").drop_duplicates("source_entity")
    grouped = named.groupby([by, "source_entity"], sort=False)
    table = pd.DataFrame({"statements": grouped.size(), "articles": grouped["article_id"].nunique()})
    table = table.reset_index()
    table = table[table["statements"] >= min_statements]
    table = table.merge(types[["source_entity", "source_type"]], on="source_entity", how="left", sort=False)
    table = _sorted(table, [by], ["statements", "source_entity"], [False, True])
    table = table.astype({"statements": "int64", "articles": "int64", "source_type": "string"})
    return table[[by, "source_entity", "source_type", "statements", "articles"]]


def source_network(attributions: pd.DataFrame, articles: pd.DataFrame, *, by: str = "outlet",
                   min_statements: int = 2, kinds: Any = SPEECH_KINDS,
                   dedupe: Dedupe = None) -> networkx.Graph:
    """A bipartite networkx graph: outlets on one side, the sources they quote on the other.

    Nodes are tuples ``("outlet", name)`` and ``("source", name)`` (so an outlet and a source of
    the same name stay apart) with attributes ``name``, ``kind`` (``"outlet"``/``"source"``),
    ``bipartite`` (0/1, the networkx convention), ``statements`` (an outlet's statements with a
    named source; a source's statements in all outlets) and, for sources, ``source_type``. Every
    outlet of ``articles`` is a node, even one without edges. Edges are the rows of
    :func:`source_edges` (at least ``min_statements`` statements) with ``weight`` (= statements),
    ``statements`` and ``articles``. Draw it with :func:`toolkit.source_plots.plot_source_network`.

    >>> import pandas as pd
    >>> attributions = pd.DataFrame({"article_id": ["a1", "a1"], "kind": ["direct"] * 2,
    ...     "source_entity": ["UN", "UN"], "source_type": ["organisation"] * 2})
    >>> articles = pd.DataFrame({"article_id": ["a1"], "outlet": ["Post"]})
    >>> graph = source_network(attributions, articles)
    >>> graph.edges[("outlet", "Post"), ("source", "UN")]["weight"]
    2
    """
    import networkx as nx

    func = "source_network"
    edges = source_edges(attributions, articles, by=by, min_statements=min_statements, kinds=kinds,
                         dedupe=dedupe)
    everything = source_edges(attributions, articles, by=by, min_statements=1, kinds=kinds, dedupe=dedupe)
    graph = nx.Graph(by=by, min_statements=min_statements)
    outlet_totals = everything.groupby(by, sort=True)["statements"].sum()
    for outlet in sorted(articles[by].dropna().unique().tolist(), key=str):
        graph.add_node(("outlet", outlet), name=outlet, kind="outlet", bipartite=0,
                       statements=int(outlet_totals.get(outlet, 0)))
    source_totals = everything.groupby("source_entity", sort=True)["statements"].sum()
    type_of = dict(zip(everything["source_entity"], everything["source_type"], strict=True))
    for source in sorted(edges["source_entity"].unique().tolist(), key=str):
        graph.add_node(("source", source), name=source, kind="source", bipartite=1,
                       source_type=str(type_of.get(source, "unknown")), statements=int(source_totals[source]))
    for row in edges.itertuples(index=False):
        graph.add_edge(("outlet", row[0]), ("source", row.source_entity), weight=int(row.statements),
                       statements=int(row.statements), articles=int(row.articles))
    logger.debug("%s: %d nodes, %d edges", func, graph.number_of_nodes(), graph.number_of_edges())
    return graph


# ---------------------------------------------------------------------------------------------
# Drill-down
# ---------------------------------------------------------------------------------------------

def _sentence_context(text: str, start: int, end: int, width: int) -> tuple[str, str]:
    """(left, right): the rest of the sentence(s) around ``text[start:end]``, at most ``width`` characters
    each side, cut at word boundaries, white space folded."""
    left_bound = 0
    for match in _SENTENCE_END.finditer(text, 0, start):
        left_bound = match.end()
    right = _SENTENCE_END.search(text, end)
    right_bound = right.end() if right else len(text)
    if right and text[right.start()] == "\n":
        right_bound = right.start()
    left_text = text[left_bound:start]
    right_text = text[end:right_bound]
    left = _left_context(left_text, len(left_text), width) if left_text else ""
    right = _right_context(right_text, 0, width) if right_text else ""
    return left.strip(), right.strip()


def source_statements(attributions: pd.DataFrame, articles: pd.DataFrame, source: str | Sequence[str], *,
                      width: int = 120, limit: int | None = None) -> pd.DataFrame:
    """Every statement of a source, with its article and the sentence around it: the rows behind a count.

    ``source`` is a name or a list of names matched against ``source_entity`` ignoring case and
    surrounding white space ("karim haddad" finds "Karim Haddad"); a name that is a source type
    (``"anonymous"``, ``"official"`` … see :data:`SOURCE_TYPES`) matches every statement of that
    type. All kinds are listed, ``wire_credit`` included.

    Columns: ``article_id``, ``title``, ``outlet``, ``published``, ``sentence``, ``start``,
    ``end``, ``kind``, ``source`` (as written), ``source_entity``, ``source_type``, ``cue``,
    ``content``, ``left`` (the sentence before the statement, up to ``width`` characters),
    ``statement`` (``text[start:end]``) and ``right`` (the rest of the sentence after it, up to
    ``width`` characters). Sentences are cut at ., ! or ? before white space and at line breaks
    (an abbreviation such as "Col." can cut one short). Sorted by ``published`` (undated last),
    ``article_id`` and ``start``; ``limit`` keeps the first rows. No match gives an empty table.

    >>> import pandas as pd
    >>> text = 'Fighting resumed. "We will not stop," Haddad said on Monday. Others left.'
    >>> articles = pd.DataFrame({"article_id": ["a1"], "title": ["Raqqa"], "outlet": ["Post"],
    ...                          "published": pd.to_datetime(["2017-09-04"], utc=True), "text": [text]})
    >>> attributions = pd.DataFrame({"article_id": ["a1"], "sentence": [1], "start": [19], "end": [49],
    ...     "kind": ["direct"], "cue": ["said"], "source": ["Haddad"], "source_entity": ["Karim Haddad"],
    ...     "source_type": ["named_person"], "content": ["We will not stop,"]})
    >>> rows = source_statements(attributions, articles, "karim haddad")
    >>> rows.loc[0, ["left", "statement", "right"]].tolist()
    ['"', 'We will not stop," Haddad said', 'on Monday.']
    """
    func = "source_statements"
    _require_attributions(attributions, ["start", "end", "kind", "source_entity", "source_type"], func)
    _require_articles(articles, ["text"], func)
    width = _positive_int(width, "width", func, minimum=0)
    limit = _positive_int(limit, "limit", func, allow_none=True, minimum=0)
    wanted = {name.strip().casefold() for name in _string_list(source, "source", func)}
    entity = attributions["source_entity"].astype("string").str.strip().str.casefold()
    match = entity.isin(wanted).fillna(False) | attributions["source_type"].isin(
        [t for t in SOURCE_TYPES if t in wanted]).fillna(False)
    hits = attributions[match.astype(bool)]
    if hits.empty:
        logger.info("%s: no statement by %s", func, ", ".join(map(repr, sorted(wanted))))

    meta = articles[["article_id", "text"]].copy()
    for column, dtype in (("title", "string"), ("outlet", "string"), ("published", "datetime64[ns, UTC]")):
        meta[column] = articles[column] if column in articles.columns else pd.Series(
            pd.NA if dtype == "string" else pd.NaT, index=articles.index, dtype=dtype)
    hits = hits.drop(columns=[c for c in ("title", "outlet", "published", "text") if c in hits.columns])
    hits = hits.merge(meta, on="article_id", how="inner", sort=False)
    hits = hits.sort_values(["published", "article_id", "start", "end"], kind="stable", na_position="last")
    if limit is not None:
        hits = hits.head(limit)
    lefts, statements, rights = [], [], []
    for text, start, end in zip(hits["text"], hits["start"], hits["end"], strict=True):
        text = "" if pd.isna(text) else str(text)
        if pd.isna(start) or pd.isna(end):
            lefts.append(pd.NA)
            statements.append(pd.NA)
            rights.append(pd.NA)
            continue
        start, end = int(start), int(end)
        left, right = _sentence_context(text, start, end, width)
        lefts.append(left)
        statements.append(re.sub(r"\s+", " ", text[start:end]))
        rights.append(right)
    hits = hits.assign(left=pd.array(lefts, dtype="string"), statement=pd.array(statements, dtype="string"),
                       right=pd.array(rights, dtype="string"))
    for column in STATEMENT_COLUMNS:
        if column not in hits.columns:
            hits[column] = pd.Series(pd.NA, index=hits.index, dtype="string")
    return hits[list(STATEMENT_COLUMNS)].reset_index(drop=True)
