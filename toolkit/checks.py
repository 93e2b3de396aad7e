"""Argument checks shared by the analysis and chart functions.

Example:
    >>> import pandas as pd
    >>> require_table(pd.DataFrame({"a": [1]}), ["a"], func="f", what="the mentions table").shape
    (1, 1)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from .errors import InputError

__all__ = ["require_table"]


def require_table(table: Any, columns: Iterable[str], *, func: str, what: str, name: str = "the table",
                  allow_empty: bool = True) -> pd.DataFrame:
    """``table`` itself, after checking it is a DataFrame holding ``columns`` (and rows, if asked).

    ``func`` is the public function doing the check, ``name`` the argument ("mentions"), ``what``
    the table expected there ("the mentions table", "the output of entity_counts()").
    """
    columns = list(columns)
    if not isinstance(table, pd.DataFrame):
        raise InputError(f"{func}(): {name} must be a pandas DataFrame ({what}), got {type(table).__name__}")
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise InputError(f"{func}(): {name} is missing column(s) {', '.join(map(repr, missing))}; expected "
                         f"{what} with columns {', '.join(map(repr, columns))} "
                         f"(it has {', '.join(map(repr, map(str, table.columns)))})")
    if not allow_empty and table.empty:
        raise InputError(f"{func}(): the table is empty; there is nothing to draw")
    return table
