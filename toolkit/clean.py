"""Cleaning: boilerplate and spam-line removal, whitespace and unicode normalisation.

The cleaning is line-based and conservative: a line is removed only when the whole line matches
one of the boilerplate patterns (package file ``resources/boilerplate.txt``, extendable) and it
is short enough to be page furniture rather than a paragraph. Quotation marks are kept as they are
(curly stays curly, straight stays straight), because the source extractors read them.

Example:
    >>> from toolkit.clean import clean_text
    >>> clean_text("Title\\r\\n\\r\\nBody  text.\\r\\nMore news: Unrelated headline\\r\\n").text
    'Title\\n\\nBody text.'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

__all__ = [
    "MAX_BOILERPLATE_LINE",
    "CleanResult",
    "boilerplate_patterns",
    "clean_text",
    "normalise_newlines",
]

#: Lines longer than this (in characters) are never treated as boilerplate.
MAX_BOILERPLATE_LINE = 300

# Invisible characters that scraped pages carry and that break tokenisation.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# Horizontal white space of every kind (tabs, no-break and typographic spaces) folds to one space.
_HSPACE = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_RUNS = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class CleanResult:
    """The cleaned text and the lines that were removed from it."""

    text: str
    removed: tuple[str, ...]


def normalise_newlines(text: str) -> str:
    """Turn CRLF and lone CR line endings into LF.

    >>> normalise_newlines("a\\r\\nb\\rc")
    'a\\nb\\nc'
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_pattern_lines(lines: Iterable[str]) -> list[str]:
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


@lru_cache(maxsize=32)
def _compile(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """Each pattern compiled on its own, so inline flags such as ``(?i)`` work in user patterns."""
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern, re.IGNORECASE))
        except re.error as exc:
            raise ValueError(f"invalid boilerplate pattern {pattern!r}: {exc}") from exc
    return tuple(compiled)


def boilerplate_patterns(extra: str | Path | Iterable[str] | None = None) -> tuple[str, ...]:
    """The built-in boilerplate patterns plus ``extra`` ones.

    ``extra`` is a path to a file in the format of ``resources/boilerplate.txt`` or an iterable of
    regular expressions.

    >>> any("news" in p for p in boilerplate_patterns())
    True
    """
    builtin = resources.files("toolkit").joinpath("resources/boilerplate.txt").read_text("utf-8")
    patterns = _read_pattern_lines(builtin.splitlines())
    if extra is None:
        return tuple(patterns)
    if isinstance(extra, (str, Path)):
        path = Path(extra)
        if not path.is_file():
            raise FileNotFoundError(f"boilerplate pattern file not found: {path}")
        patterns += _read_pattern_lines(path.read_text("utf-8").splitlines())
    else:
        patterns += _read_pattern_lines(extra)
    return tuple(patterns)


def clean_text(text: str, *, patterns: tuple[str, ...] | None = None) -> CleanResult:
    """Clean one article text.

    Steps: unicode NFC; CRLF/CR to LF; invisible characters (zero-width, soft hyphen, BOM)
    dropped; horizontal white space folded to one space and trimmed per line; boilerplate lines
    removed; runs of blank lines folded to one blank line (paragraph break); the text stripped.

    >>> clean_text("Headline\\n\\n\\n\\nOne.\\nAdvertisement\\nTwo.").text
    'Headline\\n\\nOne.\\nTwo.'
    """
    matchers = _compile(patterns if patterns is not None else boilerplate_patterns())
    text = unicodedata.normalize("NFC", normalise_newlines(text)).translate(_INVISIBLE)
    kept: list[str] = []
    removed: list[str] = []
    for raw_line in text.split("\n"):
        line = _HSPACE.sub(" ", raw_line).strip()
        if line and len(line) <= MAX_BOILERPLATE_LINE and any(m.fullmatch(line) for m in matchers):
            removed.append(line)
            continue
        kept.append(line)
    cleaned = _BLANK_RUNS.sub("\n\n", "\n".join(kept)).strip()
    return CleanResult(cleaned, tuple(removed))
