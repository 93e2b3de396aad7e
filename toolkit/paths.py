"""Finding a corpus from wherever a notebook or script runs.

Example:
    >>> find_path("toolkit").name
    'toolkit'
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import InputError

__all__ = ["find_path"]


def find_path(path: str | os.PathLike[str], *, levels: int = 3) -> Path:
    """``path`` if it exists, else the same relative path under the nearest parent that has it.

    A notebook in ``notebooks/`` runs with that folder as working directory; ``find_path(
    "data/articles")`` then finds the repository's ``data/articles``. Raises
    :class:`~toolkit.errors.InputError` naming the places tried.
    """
    given = Path(path).expanduser()
    if given.exists() or given.is_absolute():
        if not given.exists():
            raise InputError(f"no such file or folder: {given}")
        return given
    tried = []
    for base in [Path.cwd(), *list(Path.cwd().parents)[:levels]]:
        candidate = base / given
        tried.append(str(candidate))
        if candidate.exists():
            return candidate
    raise InputError(f"no such file or folder: {given} (tried {', '.join(tried)})")
