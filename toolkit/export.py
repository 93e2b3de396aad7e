"""Writing tables to disk (Parquet and CSV) in a form other tools can read.

:func:`write_table` writes one file; :func:`write_dataset` writes a *partitioned* Parquet
dataset: a folder of ``part-00000.parquet``, ``part-00001.parquet``, ... files with one schema,
each holding the rows of a run of consecutive articles (by default 10,000), so that part *k* of
the ``articles``, ``mentions``, ``places`` and ``attributions`` datasets covers the same articles.
pandas (``pd.read_parquet(folder)``), pyarrow, DuckDB, Spark and Dask read such a folder as one
table, and the count functions read it out of core with ``backend="duckdb"``.

Example:
    >>> import pandas as pd, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "t.parquet"
    >>> write_table(pd.DataFrame({"a": [1], "extra": [[1, "x"]]}), out).name
    't.parquet'
    >>> table = pd.DataFrame({"article_id": ["a", "a", "b", "c"], "n": [1, 2, 3, 4]})
    >>> folder = write_dataset(table, out.parent / "t", articles_per_part=2)
    >>> sorted(p.name for p in folder.iterdir()), len(pd.read_parquet(folder))
    (['part-00000.parquet', 'part-00001.parquet'], 4)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["ARTICLES_PER_PART", "write_dataset", "write_table"]

#: Articles whose rows go into one part file of a partitioned dataset.
ARTICLES_PER_PART = 10_000


def _arrow_safe(table: pd.DataFrame) -> pd.DataFrame:
    """A copy without ``attrs`` whose mixed-type object columns are turned into strings."""
    out = table.copy()
    out.attrs = {}
    for column in out.columns:
        if out[column].dtype != object:
            continue
        try:
            pa.array(out[column], from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            out[column] = out[column].map(lambda v: None if v is None else str(v)).astype("string")
    return out


def write_table(table: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``table`` as Parquet or CSV (by suffix) atomically; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    safe = _arrow_safe(table)
    if path.suffix == ".csv":
        safe.to_csv(temporary, index=False)
    elif path.suffix == ".parquet":
        safe.to_parquet(temporary, index=False)
    else:
        raise ValueError(f"cannot write {path}: use a .parquet or .csv file name")
    os.replace(temporary, path)
    return path


def write_dataset(table: pd.DataFrame, path: str | os.PathLike[str], *,
                  article_ids: Sequence[str] | None = None,
                  articles_per_part: int = ARTICLES_PER_PART) -> Path:
    """Write ``table`` as a partitioned Parquet dataset: folder ``path`` of ``part-NNNNN.parquet``.

    Part *k* holds the rows of articles ``k * articles_per_part`` to ``(k + 1) * articles_per_part
    - 1`` in the order of ``article_ids`` (default: the order in which ``table``'s ``article_id``
    values first appear; a table without ``article_id`` is cut every ``articles_per_part`` rows),
    rows in table order. Every part is written, empty ones too, with the whole table's schema, so
    the parts of several tables written with the same ``article_ids`` line up. The folder is
    replaced as a whole: the parts are written beside it and moved into place at the end.

    >>> import pandas as pd, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "mentions"
    >>> write_dataset(pd.DataFrame({"article_id": ["a", "b"]}), folder, article_ids=["b", "a", "c"],
    ...               articles_per_part=1).name
    'mentions'
    >>> pd.read_parquet(folder / "part-00000.parquet")["article_id"].tolist()
    ['b']
    """
    if articles_per_part < 1:
        raise ValueError(f"write_dataset(): articles_per_part must be at least 1, got {articles_per_part}")
    path = Path(path)
    arrow = pa.Table.from_pandas(_arrow_safe(table), preserve_index=False)
    if "article_id" in table.columns:
        ids = pd.unique(table["article_id"].to_numpy()) if article_ids is None else list(article_ids)
        rank = pd.Series(np.arange(len(ids)), index=pd.Index(ids, dtype=object), dtype="int64")
        if rank.index.has_duplicates:
            raise ValueError("write_dataset(): article_ids holds duplicates")
        positions = table["article_id"].astype(object).map(rank)
        if positions.isna().any():
            missing = table.loc[positions.isna(), "article_id"].iloc[0]
            raise ValueError(f"write_dataset(): article_id {missing!r} of the table is not in article_ids")
        part_of = positions.to_numpy(dtype="int64") // articles_per_part
        parts = max(1, -(-len(ids) // articles_per_part))
    else:
        part_of = np.arange(len(table)) // articles_per_part
        parts = max(1, -(-len(table) // articles_per_part))
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        order = np.argsort(part_of, kind="stable")
        bounds = np.searchsorted(part_of[order], np.arange(parts + 1))
        for part in range(parts):
            rows = arrow.take(pa.array(order[bounds[part]:bounds[part + 1]], type=pa.int64()))
            pq.write_table(rows, staging / f"part-{part:05d}.parquet")
        if path.exists():
            old = path.with_name(f".{path.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(path, old)
            os.replace(staging, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return path
