"""The toolkit's exceptions and warnings.

Every message says what was wrong, where (file, line, article id) and what to do, in the
manner of pandas' errors.

Example:
    >>> from toolkit.errors import InputError
    >>> raise InputError("data/x.csv: no text column; pass text_column=")  # doctest: +SKIP
"""

from __future__ import annotations


class ToolkitError(Exception):
    """Base class of every error the toolkit raises on purpose."""


class InputError(ToolkitError, ValueError):
    """The input given to a loader cannot be used (missing path, bad argument, unknown column)."""


class ModelError(ToolkitError, RuntimeError):
    """No usable spaCy model could be found or loaded."""


class CacheError(ToolkitError, OSError):
    """The annotation cache cannot be read or written."""


class ToolkitWarning(UserWarning):
    """Base class of the toolkit's warnings."""


class LoadWarning(ToolkitWarning):
    """An input was skipped, decoded with a fallback, or had unusable metadata."""
