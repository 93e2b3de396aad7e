"""Out-of-core counting: the count functions of :mod:`toolkit.analysis` run by DuckDB.

``entity_counts``, ``place_counts``, ``country_counts`` and ``entity_trends`` accept
``backend="duckdb"``; they then delegate here. The large tables (``mentions``, ``places``) may
be DataFrames or Parquet data on disk: a file, a folder of ``*.parquet`` parts (what
:func:`toolkit.export.write_dataset` and ``python -m toolkit extract --partitioned`` write), a
glob such as ``"out/mentions/part-*.parquet"``, or a list of those. DuckDB streams them through
its own engine, so the mention rows never have to fit in memory; only the grouped result, and
the few article columns the grouping needs (``article_id``, the ``by`` columns, ``published``),
come into pandas.

The results are the pandas backend's, row for row and dtype for dtype (the tests compare them
with ``pandas.testing.assert_frame_equal``): the same filters, the same label choice (the most
frequent, ties alphabetical), the same ``share_articles`` denominators, the same sort order
(strings in code-point order, missing values last). Periods (``by="period"``) are computed on the
articles table with :func:`toolkit.analysis.period_of`, so every pandas offset alias works the
same. ``dedupe=`` finds the syndicated groups in pandas (it needs the article texts) and then
counts the kept articles only.

Written against DuckDB 2.x: every query result is fetched whole (``.df()``) before the next
statement runs, and each call uses a private in-memory connection that it closes.

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

import glob
import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from .errors import InputError

if TYPE_CHECKING:
    import duckdb

__all__ = ["BACKENDS", "TableSource", "check_backend", "country_counts", "entity_counts", "entity_trends",
           "parquet_files", "place_counts"]

logger = logging.getLogger(__name__)

#: The values the count functions accept as ``backend``.
BACKENDS = ("pandas", "duckdb")
#: A table: a DataFrame, or Parquet on disk (a file, a folder of parts, a glob, or a list of those).
TableSource = Union[pd.DataFrame, str, os.PathLike, Sequence[Union[str, os.PathLike]]]  # noqa: UP007
_GLOB_CHARACTERS = set("*?[")
_FILE_STRIDE = 2**40  # _row = file number * stride + row number in the file
_PLACE_ATTRIBUTES = ("place_id", "place_name", "country_code", "feature", "lat", "lon")


def check_backend(backend: Any, func: str) -> bool:
    """True for ``"duckdb"``, False for ``"pandas"``; anything else is an :class:`InputError`."""
    if isinstance(backend, str) and backend in BACKENDS:
        return backend == "duckdb"
    raise InputError(f"{func}(): backend must be one of {', '.join(map(repr, BACKENDS))}, got {backend!r}")


def _duckdb() -> Any:
    try:
        import duckdb
    except ImportError as error:  # pragma: no cover - duckdb ships with the scale and test extras
        raise InputError("backend='duckdb' needs the duckdb package: pip install 'media-toolkit[scale]'") \
            from error
    return duckdb


# ---------------------------------------------------------------------------------------------
# Sources: DataFrames or Parquet files
# ---------------------------------------------------------------------------------------------

def parquet_files(source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], *,
                  func: str = "parquet_files", name: str = "table") -> list[str]:
    """The Parquet files ``source`` names, in sorted order within each folder or glob.

    ``source`` is a ``.parquet`` file, a folder (searched recursively; names starting with ``.``
    or ``_`` are skipped, as pyarrow does), a glob, or a list of any of those.

    >>> parquet_files([])  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    toolkit.errors.InputError: parquet_files(): table names no Parquet file
    """
    items = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    files: list[str] = []
    for item in items:
        text = os.fspath(item)
        path = Path(text)
        if path.is_dir():
            found = sorted(str(p) for p in path.rglob("*.parquet")
                           if not any(part.startswith((".", "_")) for part in p.relative_to(path).parts))
        elif _GLOB_CHARACTERS & set(text):
            found = sorted(glob.glob(text, recursive=True))
        elif path.is_file():
            found = [text]
        else:
            raise InputError(f"{func}(): {name} {text!r} is neither a DataFrame nor an existing Parquet "
                             "file, folder or glob")
        if not found:
            raise InputError(f"{func}(): {name} {text!r} holds no .parquet file")
        files.extend(found)
    if not files:
        raise InputError(f"{func}(): {name} names no Parquet file")
    return files


class _Sources:
    """The tables of one call, registered in a private DuckDB connection under fixed names."""

    def __init__(self, con: duckdb.DuckDBPyConnection, func: str):
        self.con = con
        self.func = func

    def add(self, name: str, source: Any, what: str, columns: Sequence[str]) -> pd.DataFrame:
        """Register ``source`` as view ``name``; returns an empty frame with its columns and dtypes.

        Rows get ``_row``, their position (file by file, in file order for Parquet), so that "the
        first row" means what it means to pandas after ``pd.read_parquet``.
        """
        if isinstance(source, pd.DataFrame):
            empty = source.iloc[:0]
            self.con.register(f"_{name}_frame", source.reset_index(drop=True).assign(
                _row=np.arange(len(source), dtype="int64")))
            self.con.execute(f"CREATE VIEW {name} AS SELECT * FROM _{name}_frame")
        else:
            import pyarrow.dataset as ds

            files = parquet_files(source, func=self.func, name=name)
            empty = ds.dataset(files, format="parquet").schema.empty_table().to_pandas()
            listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
            self.con.execute(
                f"CREATE VIEW {name} AS SELECT * EXCLUDE (filename, file_row_number), "
                f"CAST(list_position([{listing}], filename) AS BIGINT) * {_FILE_STRIDE} + file_row_number "
                f"AS _row FROM read_parquet([{listing}], filename = true, file_row_number = true, "
                "union_by_name = true)")
        missing = [c for c in columns if c not in empty.columns]
        if missing:
            raise InputError(f"{self.func}(): {name} is missing column(s) {', '.join(map(repr, missing))}; "
                             f"expected {what} with columns {', '.join(map(repr, columns))} "
                             f"(it has {', '.join(map(repr, map(str, empty.columns)))})")
        return empty

    def frame(self, name: str, frame: pd.DataFrame) -> None:
        """Register an in-memory frame (built here, e.g. the articles' periods) as ``name``."""
        self.con.register(name, frame)

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Run ``sql`` and fetch its whole result (DuckDB 2.x: never leave a result pending)."""
        return self.con.execute(sql, list(params or [])).df()


@contextmanager
def _connection(func: str) -> Iterator[_Sources]:
    con = _duckdb().connect(":memory:")
    try:
        con.execute("SET preserve_insertion_order = true")
        yield _Sources(con, func)
    finally:
        con.close()


def _load_articles(source: Any, columns: Sequence[str], func: str) -> pd.DataFrame:
    """The articles table (only ``columns`` of it when it is on disk) as a DataFrame."""
    if source is None or isinstance(source, pd.DataFrame):
        return source
    import pyarrow.dataset as ds

    files = parquet_files(source, func=func, name="articles")
    dataset = ds.dataset(files, format="parquet")
    wanted = [c for c in dict.fromkeys(columns) if c in dataset.schema.names] if columns else None
    if "article_id" not in (wanted or dataset.schema.names):
        raise InputError(f"{func}(): the articles data {source!r} has no 'article_id' column")
    return dataset.to_table(columns=wanted).to_pandas()


def _quote(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _columns(names: Sequence[str], prefix: str = "") -> str:
    return ", ".join(prefix + _quote(n) for n in names)


def _same(keys: Sequence[str], left: str, right: str) -> str:
    """Join condition on ``keys`` where missing values match each other (as pandas groups them)."""
    conditions = [f"{left}.{_quote(k)} IS NOT DISTINCT FROM {right}.{_quote(k)}" for k in keys]
    return " AND ".join(conditions) or "TRUE"


def _order(keys: Sequence[str], prefix: str = "") -> str:
    return "".join(f"{prefix}{_quote(k)} ASC NULLS LAST, " for k in keys)


def _cast_like(table: pd.DataFrame, dtypes: dict[str, Any]) -> pd.DataFrame:
    for column, dtype in dtypes.items():
        if column in table.columns and table[column].dtype != dtype:
            table[column] = table[column].astype(dtype)
    return table


# ---------------------------------------------------------------------------------------------
# entity_counts
# ---------------------------------------------------------------------------------------------

def entity_counts(mentions: TableSource, articles: TableSource | None = None, *, by: Any = None,
                  labels: Any = None, freq: str = "MS", n: int | None = None,
                  dedupe: Any = None) -> pd.DataFrame:
    """:func:`toolkit.analysis.entity_counts` through DuckDB; ``mentions`` may be Parquet on disk.

    >>> import pandas as pd
    >>> mentions = pd.DataFrame({"article_id": ["a", "b"], "label": ["ORG", "ORG"], "entity": ["UN", "UN"]})
    >>> entity_counts(mentions)["mentions"].tolist()
    [2]
    """
    return _entity_counts(mentions, articles, by=by, labels=labels, freq=freq, n=n, dedupe=dedupe,
                          func="entity_counts")


def _entity_counts(mentions: TableSource, articles: TableSource | None, *, by: Any, labels: Any, freq: str,
                   n: int | None, dedupe: Any, func: str, transform: str | None = None,
                   required: Sequence[str] = ("article_id", "label", "entity"),
                   extra: Sequence[str] = ()) -> pd.DataFrame:
    """The shared body; ``transform`` is SQL over view ``source`` giving the mention rows to count.

    Returns the counts table, plus, when ``extra`` names columns, a second table of the first
    row's ``extra`` values per ``entity`` (the place attributes of :func:`place_counts`).
    """
    from . import analysis as pandas_side

    with _connection(func) as db:
        empty = db.add("source", mentions, "the mentions table", required)
        if transform is None:
            db.con.execute("CREATE VIEW m AS SELECT * FROM source")
        else:  # entity and label made by astype(str) on the pandas side
            db.con.execute(f"CREATE VIEW m AS {transform}")
            empty = empty.assign(entity=pd.Series([], dtype=str), label=pd.Series([], dtype=str))
        articles_frame = _load_articles(articles, _article_columns(by, empty, dedupe, freq), func)
        if articles_frame is not None:
            pandas_side._unique_articles(pandas_side._require_frame(
                articles_frame, "articles", ["article_id"], func), func)
        pandas_side._check_freq(freq, func)
        if dedupe is not None:
            _, articles_frame = pandas_side._dedupe(empty[["article_id"]], articles_frame, dedupe, func)
        n = pandas_side._positive_int(n, "n", func, allow_none=True)
        keys, mention_keys, article_keys = pandas_side._group_keys(by, empty, articles_frame, func)

        wanted = None if labels is None else pandas_side._string_list(labels, "labels", func)
        label_filter = ""
        params: list[Any] = []
        if wanted is not None:
            label_filter = " AND m.label IN (SELECT unnest($1))"
            params = [wanted]
        if articles_frame is not None:
            base = pandas_side._article_frame(articles_frame, article_keys, freq, func)
            db.frame("base", base.reset_index(drop=True))
            db.frame("known", articles_frame[["article_id"]].reset_index(drop=True))
            known = "m.article_id IN (SELECT article_id FROM known)"
            total = "(SELECT count(*) FROM base)"
            dtypes = {k: base[k].dtype for k in article_keys}
        else:
            known = "TRUE"
            total = "(SELECT count(DISTINCT article_id) FROM m)"
            dtypes = {}
        dtypes.update({k: empty[k].dtype for k in [*mention_keys, "entity", "label"]})
        mention_extra = [k for k in mention_keys if k != "label"]
        join = "JOIN base b ON b.article_id = m.article_id" if article_keys else ""
        article_cols = "".join(f", b.{_quote(k)}" for k in article_keys if k != "article_id")
        if "article_id" in article_keys:
            article_cols += ', m.article_id AS "article_id"'
        mention_cols = "".join(", m." + _quote(k) for k in mention_extra)
        entity_keys = [*keys, "entity"]
        sql = f"""
        WITH data AS (
            SELECT m.article_id AS _article, m.label, m.entity{mention_cols}{article_cols}, m._row
            FROM m {join}
            WHERE m.entity IS NOT NULL AND {known}{label_filter}
        ),
        counts AS (
            SELECT {_columns(entity_keys)}, count(*) AS mentions, count(DISTINCT _article) AS articles
            FROM data GROUP BY {_columns(entity_keys)}
        )"""
        if "label" not in keys:
            sql += f""",
        labelled AS (
            SELECT {_columns(entity_keys)}, label, count(*) AS _n FROM data
            GROUP BY {_columns(entity_keys)}, label
        ),
        top AS (
            SELECT {_columns(entity_keys)}, label FROM labelled
            QUALIFY row_number() OVER (PARTITION BY {_columns(entity_keys)}
                                       ORDER BY _n DESC, label ASC NULLS LAST) = 1
        )"""
        if article_keys:
            sql += f""",
        totals AS (SELECT {_columns(article_keys)}, count(*) AS _total FROM base GROUP BY ALL)"""
        label_select = "" if "label" in keys else ", top.label"
        label_join = "" if "label" in keys else f"JOIN top ON {_same(entity_keys, 'top', 'c')}"
        total_select = "t._total" if article_keys else total
        total_join = f"LEFT JOIN totals t ON {_same(article_keys, 't', 'c')}" if article_keys else ""
        limit = ""
        if n is not None:
            partition = f"PARTITION BY {_columns(keys, 'c.')}" if keys else ""
            limit = (f"QUALIFY row_number() OVER ({partition} ORDER BY c.mentions DESC, c.entity ASC) "
                     f"<= {int(n)}")
        sql += f"""
        SELECT {_columns(entity_keys, 'c.')}{label_select}, c.mentions, c.articles,
               CAST(c.articles AS DOUBLE) / {total_select} AS share_articles
        FROM counts c {label_join} {total_join}
        {limit}
        ORDER BY {_order(keys, 'c.')}c.mentions DESC, c.entity ASC"""
        table = db.query(sql, params)
        attributes = None
        if extra:
            firsts = ", ".join(f"arg_min({_quote(c)}, _row) AS {_quote(c)}" for c in extra)
            attributes = db.query(f"SELECT entity, {firsts} FROM m WHERE entity IS NOT NULL GROUP BY entity")
            attributes = _cast_like(attributes, {c: empty[c].dtype for c in ["entity", *extra]})

    columns = [*keys, "entity", *([] if "label" in keys else ["label"]),
               "mentions", "articles", "share_articles"]
    table = _cast_like(table[columns], {**dtypes, "mentions": "int64", "articles": "int64",
                                         "share_articles": "float64"})
    table = table.reset_index(drop=True)
    if extra:
        table.attrs["_attributes"] = attributes
    return table


def _article_columns(by: Any, mentions: pd.DataFrame, dedupe: Any, freq: str) -> list[str]:
    """The articles columns a call needs (all of them when syndicated copies must be found)."""
    keys = [by] if isinstance(by, str) else list(by or [])
    columns = ["article_id", *[k for k in keys if k not in mentions.columns and k != "period"]]
    if "period" in keys:
        columns.append("published")
    if dedupe is not None:
        return []  # every column: finding syndicated copies needs the texts and dates
    return columns


# ---------------------------------------------------------------------------------------------
# place_counts and country_counts
# ---------------------------------------------------------------------------------------------

def place_counts(places: TableSource, articles: TableSource | None = None, *, by: Any = None,
                 freq: str = "MS", n: int | None = None, dedupe: Any = None) -> pd.DataFrame:
    """:func:`toolkit.analysis.place_counts` through DuckDB; ``places`` may be Parquet on disk.

    >>> import pandas as pd
    >>> places = pd.DataFrame({"article_id": ["a", "b"], "place_id": [99532, 99532],
    ...     "place_name": ["Mosul"] * 2, "country_code": ["IQ"] * 2, "feature": ["city"] * 2,
    ...     "lat": [36.3] * 2, "lon": [43.1] * 2})
    >>> place_counts(places)[["place_name", "mentions"]].values.tolist()
    [['Mosul', 2]]
    """
    func = "place_counts"
    transform = ("SELECT *, CAST(CAST(place_id AS BIGINT) AS VARCHAR) AS entity, "
                 "coalesce(CAST(feature AS VARCHAR), 'nan') AS label FROM source WHERE place_id IS NOT NULL "
                 "AND NOT isnan(CAST(place_id AS DOUBLE))")
    table = _entity_counts(places, articles, by=by, labels=None, freq=freq, n=n, dedupe=dedupe, func=func,
                           transform=transform, required=["article_id", *_PLACE_ATTRIBUTES],
                           extra=_PLACE_ATTRIBUTES)
    attributes = table.attrs.pop("_attributes")
    outputs = ("entity", "label", "mentions", "articles", "share_articles")
    keys = [c for c in table.columns if c not in outputs]
    table = table.merge(attributes, on="entity", how="left", sort=False)
    table = table.sort_values([*keys, "mentions", "place_name", "place_id"],
                              ascending=[True] * len(keys) + [False, True, True], kind="stable",
                              na_position="last")
    return table[[*keys, *_PLACE_ATTRIBUTES, "mentions", "articles", "share_articles"]].reset_index(drop=True)


def country_counts(places: TableSource, articles: TableSource | None = None, *, by: Any = None,
                   freq: str = "MS", n: int | None = None, dedupe: Any = None) -> pd.DataFrame:
    """:func:`toolkit.analysis.country_counts` through DuckDB; ``places`` may be Parquet on disk.

    >>> import pandas as pd
    >>> places = pd.DataFrame({"article_id": ["a", "a", "b"], "country_code": ["SY", "IQ", "IQ"]})
    >>> country_counts(places)["country_code"].tolist()
    ['IQ', 'SY']
    """
    from .analysis import _country_names

    func = "country_counts"
    transform = ("SELECT *, CAST(country_code AS VARCHAR) AS entity, 'country' AS label FROM source "
                 "WHERE country_code IS NOT NULL AND length(CAST(country_code AS VARCHAR)) = 2")
    table = _entity_counts(places, articles, by=by, labels=None, freq=freq, n=n, dedupe=dedupe, func=func,
                           transform=transform, required=["article_id", "country_code"])
    table = table.rename(columns={"entity": "country_code"}).drop(columns="label")
    names = _country_names()
    position = list(table.columns).index("country_code") + 1
    country_name = table["country_code"].map(lambda c: names.get(c, c)).astype("string")
    table.insert(position, "country_name", country_name)
    return table


# ---------------------------------------------------------------------------------------------
# entity_trends
# ---------------------------------------------------------------------------------------------

def entity_trends(mentions: TableSource, articles: TableSource, *, freq: str = "MS", entities: Any = None,
                  n: int = 10, dedupe: Any = None) -> pd.DataFrame:
    """:func:`toolkit.analysis.entity_trends` through DuckDB; ``mentions`` may be Parquet on disk.

    >>> import pandas as pd
    >>> mentions = pd.DataFrame({"article_id": ["a1", "a2"], "entity": ["Raqqa", "Raqqa"]})
    >>> articles = pd.DataFrame({"article_id": ["a1", "a2"],
    ...     "published": pd.to_datetime(["2017-09-04", "2017-10-03"], utc=True)})
    >>> entity_trends(mentions, articles)["mentions"].tolist()
    [1, 1]
    """
    from . import analysis as pandas_side

    func = "entity_trends"
    with _connection(func) as db:
        empty = db.add("m", mentions, "the mentions table", ["article_id", "entity"])
        articles_frame = _load_articles(articles, [] if dedupe is not None else ["article_id", "published"],
                                        func)
        pandas_side._unique_articles(pandas_side._require_frame(
            articles_frame, "articles", ["article_id", "published"], func), func)
        pandas_side._check_freq(freq, func)
        n = pandas_side._positive_int(n, "n", func)
        if dedupe is not None:
            _, articles_frame = pandas_side._dedupe(empty[["article_id"]], articles_frame, dedupe, func)
        selected = None if entities is None else pandas_side._string_list(entities, "entities", func)
        dated = pd.DataFrame({"article_id": articles_frame["article_id"].to_numpy(),
                              "period": pandas_side.period_of(articles_frame["published"], freq).to_numpy()})
        dated = dated[dated["period"].notna()].reset_index(drop=True)
        db.frame("dated", dated)
        data = ("SELECT m.article_id, m.entity, d.period FROM m JOIN dated d ON d.article_id = m.article_id "
                "WHERE m.entity IS NOT NULL")
        if selected is None:
            top = db.query(f"SELECT entity, count(*) AS _n FROM ({data}) GROUP BY entity "
                           f"ORDER BY _n DESC, entity ASC LIMIT {int(n)}")
            selected = [str(e) for e in top["entity"]]
        entity_dtype = empty["entity"].dtype
        columns = {"period": "datetime64[ns]", "entity": entity_dtype,
                   "mentions": "int64", "articles": "int64"}
        if dated.empty or not selected:
            return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})
        counts = db.query(f"SELECT period, entity, count(*) AS mentions, "
                          f"count(DISTINCT article_id) AS articles FROM ({data}) "
                          f"WHERE entity IN (SELECT unnest($1)) GROUP BY period, entity",
                          [selected])
    counts["period"] = counts["period"].astype("datetime64[ns]")
    counts["entity"] = counts["entity"].astype(object)
    periods = pd.date_range(dated["period"].min(), dated["period"].max(), freq=to_offset(freq))
    grid = pd.MultiIndex.from_product([periods, sorted(selected)], names=["period", "entity"])
    table = counts.set_index(["period", "entity"])[["mentions", "articles"]].reindex(grid, fill_value=0)
    table = table.reset_index()
    table["entity"] = table["entity"].astype(entity_dtype)
    return table.astype(columns)
