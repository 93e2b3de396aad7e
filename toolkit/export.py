"""Writing tables to disk (Parquet and CSV) in a form other tools can read.

Example:
    >>> import pandas as pd, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "t.parquet"
    >>> write_table(pd.DataFrame({"a": [1], "extra": [[1, "x"]]}), out).name
    't.parquet'
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pyarrow as pa

__all__ = ["write_table"]


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
