"""Loading a corpus: ``load_articles`` and its ``LoadReport``.

Accepts a folder (recursive) of article files, a single file, a list of paths, or a pandas
DataFrame; see :mod:`toolkit.readers` for the formats. Every input (a file, or a row/line of a
tabular file) ends up in the :class:`LoadReport` as loaded, skipped (with the reason) or duplicate,
so that ``loaded + skipped + duplicates == inputs`` always holds.

Example:
    >>> import toolkit as tk
    >>> articles = tk.load_articles("data/articles")          # doctest: +SKIP
    >>> print(articles.attrs["load_report"])                  # doctest: +SKIP
    Loaded 37 of 37 inputs from data/articles: 0 skipped, 0 duplicates.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
import posixpath
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from .clean import boilerplate_patterns, clean_text, normalise_newlines
from .encoding import NotTextError
from .errors import InputError, LoadWarning
from .language import OTHER, UNDETERMINED, detect_language
from .readers import (
    CANONICAL_FIELDS,
    ColumnOverrides,
    Record,
    Skip,
    decode_file,
    fields_from_row,
    is_missing,
    map_columns,
    read_file,
    records_from_frame,
)

__all__ = ["ARTICLE_COLUMNS", "LoadRecord", "LoadReport", "article_id_for", "load_articles"]

logger = logging.getLogger(__name__)

#: Leading columns of the ``articles`` table; extra input columns follow them.
ARTICLE_COLUMNS = ("article_id", "title", "text", "outlet", "published", "url", "author", "path", "language")
#: File name of the per-folder metadata sidecar.
SIDECAR_NAME = "metadata.csv"
_SIDECAR_KEYS = ("file", "filename", "file_name", "path", "name")
_MAX_WARNINGS = 20
#: Texts longer than this (characters; spaCy's default ``max_length``) get a note in the report.
LONG_TEXT = 1_000_000
#: Input columns (lower_snake) that carry the input's own article id.
_INPUT_ID_FIELDS = ("id", "article_id_input", "doc_id", "document_id", "uuid", "guid", "story_id",
                    "item_id")
#: Languages the toolkit's English models analyse; others are flagged at load time.
ANALYSED_LANGUAGES = frozenset({"en", UNDETERMINED})

Status = Literal["loaded", "skipped", "duplicate"]


def article_id_for(text: str) -> str:
    """The stable id of an article: the first 16 hex digits of the SHA-256 of its text.

    >>> article_id_for("Hello.")
    '2d8bd7d9bb5f85ba'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class LoadRecord:
    """What happened to one input."""

    path: str
    item: str
    status: Status
    reason: str
    article_id: str | None


class LoadReport:
    """Every input of a load, with its outcome; ``str()`` is a one-line summary.

    >>> r = LoadReport("x", [LoadRecord("a.txt", "", "loaded", "", "1"),
    ...                      LoadRecord("b.txt", "", "skipped", "empty file", None)])
    >>> print(r)
    Loaded 1 of 2 inputs from x: 1 skipped, 0 duplicates.
    """

    def __init__(self, source: str, records: Iterable[LoadRecord]):
        self.source = source
        self.records: tuple[LoadRecord, ...] = tuple(records)

    def _count(self, status: Status) -> int:
        return sum(1 for r in self.records if r.status == status)

    @property
    def inputs(self) -> int:
        """Number of inputs seen (files, or rows/lines of tabular files)."""
        return len(self.records)

    @property
    def loaded(self) -> int:
        return self._count("loaded")

    @property
    def skipped(self) -> int:
        return self._count("skipped")

    @property
    def duplicates(self) -> int:
        return self._count("duplicate")

    def to_frame(self) -> pd.DataFrame:
        """One row per input: ``path``, ``item``, ``status``, ``reason``, ``article_id``."""
        columns = ["path", "item", "status", "reason", "article_id"]
        return pd.DataFrame([[getattr(r, c) for c in columns] for r in self.records], columns=columns)

    def summary(self) -> str:
        return (f"Loaded {self.loaded} of {self.inputs} inputs from {self.source}: "
                f"{self.skipped} skipped, {self.duplicates} duplicates.")

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return f"<LoadReport: {self.summary()}>"

    def _repr_html_(self) -> str:
        import html

        problems = self.to_frame().query("status != 'loaded'")
        table = problems.to_html(index=False) if len(problems) else ""
        return f"<p>{html.escape(self.summary())}</p>{table}"

    def __deepcopy__(self, memo: dict[int, Any]) -> LoadReport:
        # pandas deep-copies ``DataFrame.attrs`` on most operations; the report is immutable.
        return self


# --------------------------------------------------------------------------- walking inputs


def _walk(root: Path) -> Iterator[tuple[Path, str | None]]:
    """Files below ``root`` in sorted order, following links; yields ``(path, problem)``."""
    seen_dirs: set[str] = set()

    def visit(directory: Path) -> Iterator[tuple[Path, str | None]]:
        real = os.path.realpath(directory)
        if real in seen_dirs:
            yield directory, "symlink loop: directory already visited"
            return
        seen_dirs.add(real)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except PermissionError:
            yield directory, "permission denied (directory)"
            return
        except OSError as exc:
            yield directory, f"cannot list the directory: {exc.strerror or exc}"
            return
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith("."):
                continue  # hidden files and folders (.git, .ipynb_checkpoints) are not articles
            try:
                is_dir = entry.is_dir()
            except OSError as exc:
                yield path, f"cannot read: {exc.strerror or exc}"
                continue
            if is_dir:
                yield from visit(path)
            elif entry.is_file():
                yield path, None
            else:
                yield path, "not a regular file (broken link or special file)"

    yield from visit(root)


def _read_sidecar(path: Path) -> dict[str, dict[str, Any]]:
    """Rows of a metadata.csv keyed by the file they describe (path relative to the sidecar)."""
    try:
        text, _ = decode_file(path)
    except (NotTextError, OSError) as exc:
        raise InputError(f"{path}: cannot read the metadata sidecar: {exc}") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [c.strip() for c in (reader.fieldnames or [])]
    key = next((c for c in columns if c.lower() in _SIDECAR_KEYS), None)
    if key is None:
        raise InputError(f"{path}: a metadata sidecar needs a 'file' column naming each article "
                         f"file; its columns are {columns}")
    mapping = map_columns([c for c in columns if c != key], ColumnOverrides(), str(path))
    rows: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(reader, start=2):
        row = {k.strip(): v for k, v in row.items() if k is not None}
        name = (row.pop(key, None) or "").strip().replace("\\", "/")
        name = posixpath.normpath(name) if name else name
        if not name:
            warnings.warn(f"{path}, line {number}: no file name; row ignored", LoadWarning,
                          stacklevel=4)
            continue
        rows[name] = fields_from_row(row, mapping)
    return rows


class _Sidecars:
    """The metadata.csv files of a folder tree, and which of their rows were used."""

    def __init__(self, root: Path, explicit: Path | None):
        self.tables: dict[Path, dict[str, dict[str, Any]]] = {}
        self.used: set[tuple[Path, str]] = set()
        if explicit is not None:
            self.tables[explicit.parent] = _read_sidecar(explicit)
        elif root.is_dir():
            for path, problem in _walk(root):
                if problem is None and path.name == SIDECAR_NAME:
                    self.tables[path.parent] = _read_sidecar(path)

    def lookup(self, file: Path) -> dict[str, Any]:
        for folder in (file.parent, *file.parent.parents):
            table = self.tables.get(folder)
            if table is None:
                continue
            for key in (file.relative_to(folder).as_posix(), file.name):
                if key in table:
                    self.used.add((folder, key))
                    return table[key]
        return {}

    def warn_unused(self) -> None:
        for folder, table in self.tables.items():
            unused = sorted(k for k in table if (folder, k) not in self.used)
            if unused:
                shown = ", ".join(unused[:5]) + (" …" if len(unused) > 5 else "")
                warnings.warn(f"{folder / SIDECAR_NAME}: {len(unused)} rows name files that were "
                              f"not loaded: {shown}", LoadWarning, stacklevel=3)


def _iter_inputs(source: Any, overrides: ColumnOverrides,
                 metadata: Path | None) -> Iterator[Record | Skip]:
    if isinstance(source, pd.DataFrame):
        yield from records_from_frame(source, "<DataFrame>", overrides)
        return
    paths = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    for given in paths:
        root = Path(given)
        if not root.exists():
            raise InputError(f"no such file or folder: {root}")
        if root.is_file():
            sidecars = _Sidecars(root, metadata) if metadata else None
            for result in read_file(root, str(root), overrides):
                if isinstance(result, Record) and sidecars is not None:
                    _merge_metadata(result, sidecars.lookup(root))
                yield result
            continue
        sidecars = _Sidecars(root, metadata)
        for path, problem in _walk(root):
            shown = str(path)
            if problem is not None:
                yield Skip(shown, "", problem)
                continue
            if path.name == SIDECAR_NAME:
                continue
            folder = path.parent.relative_to(root).as_posix()
            extra = sidecars.lookup(path)
            for result in read_file(path, shown, overrides):
                if isinstance(result, Record):
                    _merge_metadata(result, extra)
                    result.fields.setdefault("folder", "" if folder == "." else folder)
                yield result
        sidecars.warn_unused()


def _merge_metadata(record: Record, extra: dict[str, Any]) -> None:
    """Fill a record's missing fields from its sidecar row (the file's own values win)."""
    for key, value in extra.items():
        if record.fields.get(key) is None:
            record.fields[key] = value


# --------------------------------------------------------------------------- dates


def _from_epoch(value: float) -> pd.Timestamp:
    """Unix time in seconds or milliseconds (told apart by size), as UTC."""
    if 1e8 <= abs(value) < 1e11:
        return pd.Timestamp(value, unit="s", tz="UTC")
    if 1e11 <= abs(value) < 1e14:
        return pd.Timestamp(value, unit="ms", tz="UTC")
    raise ValueError(f"not a date: {value!r} (a number that is not Unix time in seconds or ms)")


def parse_published(value: Any) -> pd.Timestamp:
    """A publication date as a tz-aware UTC timestamp (naive times are taken as UTC).

    Numbers (and digit strings) are Unix time in seconds or milliseconds. Raises ``ValueError``
    when the value is not a date.

    >>> parse_published("2017-10-05 14:02:00+03:00")
    Timestamp('2017-10-05 11:02:00+0000', tz='UTC')
    """
    if isinstance(value, str):
        value = value.strip()
        if re.fullmatch(r"\d{9,13}(\.\d+)?", value):
            value = float(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _from_epoch(float(value))
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValueError(f"not a date: {value!r}") from exc
    if stamp is pd.NaT:
        raise ValueError(f"not a date: {value!r}")
    try:
        stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
        return stamp.as_unit("ns")
    except (ValueError, OverflowError) as exc:  # pandas' OutOfBoundsDatetime is a ValueError
        raise ValueError(f"not a date: {value!r} (outside the years 1677-2262 that pandas can hold)") from exc


def _published(value: Any, now: pd.Timestamp) -> tuple[Any, str]:
    """A record's publication date (``NaT`` when missing or unusable) and a note when it is odd."""
    if is_missing(value):
        return pd.NaT, ""
    try:
        stamp = parse_published(value)
    except ValueError as exc:
        detail = str(exc).partition(" (")[2]
        return pd.NaT, f"unparseable date {value!r}{' (' + detail if detail else ''}; published set to NaT"
    if stamp > now + pd.Timedelta(days=1):
        return stamp, f"publication date {stamp.date()} is in the future; kept as given"
    return stamp, ""


def _language(text: str, declared: Any) -> tuple[str, str]:
    """The language of a text (detected; the input's own value where detection cannot tell), and a
    note when the input declared another one."""
    detected = detect_language(text)
    given = re.split(r"[-_]", str(declared).strip().lower())[0] if not is_missing(declared) else ""
    if detected in (UNDETERMINED, OTHER) and given:
        return given, ""
    if given and given != detected:
        return detected, f"declared language {given!r}, but the text reads as {detected!r}; using that"
    return detected, ""


class _Warner:
    """Issues LoadWarnings, at most ``_MAX_WARNINGS`` one by one, then a count."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, message: str) -> None:
        self.count += 1
        logger.debug(message)
        if self.count <= _MAX_WARNINGS:
            warnings.warn(message, LoadWarning, stacklevel=4)

    def close(self) -> None:
        if self.count > _MAX_WARNINGS:
            warnings.warn(f"{self.count - _MAX_WARNINGS} more load warnings; see the LoadReport",
                          LoadWarning, stacklevel=3)


# --------------------------------------------------------------------------- load_articles


def load_articles(
    source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | pd.DataFrame,
    *,
    clean: bool = True,
    boilerplate: str | os.PathLike[str] | Iterable[str] | None = None,
    text_column: str | None = None,
    title_column: str | None = None,
    date_column: str | None = None,
    outlet_column: str | None = None,
    url_column: str | None = None,
    author_column: str | None = None,
    metadata: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Load a corpus into the ``articles`` table (schema in DESIGN.md).

    ``source`` is a folder (walked recursively; hidden files and folders are ignored), a file
    (``.txt``/``.md`` with the title on line 1, ``.html``, ``.csv``/``.tsv``, ``.jsonl``,
    ``.json``, ``.parquet``), a list of those, or a DataFrame. A ``metadata.csv`` sidecar in a
    folder (column ``file`` plus outlet, published, url, author, ...) supplies metadata per file;
    ``metadata=`` names one explicitly. Tabular columns are auto-detected by name; the
    ``*_column`` arguments override that.

    With ``clean=True`` (default) boilerplate lines are removed and white space normalised
    (:func:`toolkit.clean.clean_text`; ``boilerplate=`` adds patterns); with ``clean=False`` the
    text is kept verbatim, so offsets index the input exactly. For text files, ``text`` is the
    whole file (title line included) and ``title`` its first line; for other formats ``text``
    is the body. Exact duplicate texts are kept once. The :class:`LoadReport` is in
    ``result.attrs["load_report"]``; skipped inputs also raise a :class:`LoadWarning` each.

    >>> import pandas as pd
    >>> df = load_articles(pd.DataFrame({"text": ["One.", "One.", ""], "outlet": ["A", "B", "C"]}))
    >>> list(df["outlet"]), str(df.attrs["load_report"])
    (['A'], 'Loaded 1 of 3 inputs from <DataFrame>: 1 skipped, 1 duplicates.')
    """
    overrides = ColumnOverrides(text_column, title_column, date_column, outlet_column, url_column,
                                author_column)
    if not isinstance(source, (pd.DataFrame, str, os.PathLike)):
        source = list(source)  # a generator of paths is read once
    patterns = boilerplate_patterns(boilerplate) if clean else ()
    warn = _Warner()
    report: list[LoadRecord] = []
    rows: list[dict[str, Any]] = []
    first_seen: dict[str, str] = {}
    input_ids: dict[tuple[str, str], str] = {}
    now = pd.Timestamp.now(tz="UTC")
    sidecar = Path(metadata) if metadata is not None else None
    if sidecar is not None and not sidecar.is_file():
        raise InputError(f"metadata sidecar not found: {sidecar}")

    for result in _iter_inputs(source, overrides, sidecar):
        if isinstance(result, Skip):
            report.append(LoadRecord(result.path, result.item, "skipped", result.reason, None))
            warn(f"{result.path}{', ' + result.item if result.item else ''}: skipped: {result.reason}")
            continue
        fields = result.fields
        notes = list(result.notes)
        text = fields["text"]
        if clean:
            cleaned = clean_text(text, patterns=patterns)
            text = cleaned.text
            if cleaned.removed:
                notes.append(f"removed {len(cleaned.removed)} boilerplate lines")
        if result.title_in_text and "\n" not in normalise_newlines(text).strip():
            reason = "title only: no body left after cleaning" if clean else "title only: no body"
            report.append(LoadRecord(result.path, result.item, "skipped", reason, None))
            warn(f"{result.path}: skipped: {reason}")
            continue
        if not text.strip():
            reason = "no text left after cleaning" if clean else "no text (whitespace only)"
            report.append(LoadRecord(result.path, result.item, "skipped", reason, None))
            warn(f"{result.path}{', ' + result.item if result.item else ''}: skipped: {reason}")
            continue
        title = fields.get("title")
        if result.title_in_text:
            title = normalise_newlines(text).lstrip().split("\n", 1)[0].strip()
            if result.path.lower().endswith(".md"):
                title = title.lstrip("#").strip()
        elif isinstance(title, str) and clean:
            title = " ".join(title.split())
        article_id = article_id_for(text)
        where = f"{result.path}{' ' + result.item if result.item else ''}"
        if article_id in first_seen:
            report.append(LoadRecord(result.path, result.item, "duplicate",
                                     f"same text as {first_seen[article_id]}", article_id))
            continue
        first_seen[article_id] = where
        shown = f"{result.path}{', ' + result.item if result.item else ''}"
        published, note = _published(fields.get("published"), now)
        notes += [note] if note else []
        language, note = _language(text, fields.get("language"))
        notes += [note] if note else []
        if language not in ANALYSED_LANGUAGES:
            name = "a language other than English" if language == OTHER else f"language {language!r}"
            notes.append(f"written in {name}: kept, flagged, and not annotated by English models")
        if len(text) > LONG_TEXT:
            notes.append(f"very long text ({len(text):,} characters): annotated in pieces")
        for key in _INPUT_ID_FIELDS:
            value = fields.get(key)
            if is_missing(value):
                continue
            other = input_ids.setdefault((key, str(value)), where)
            if other != where:
                notes.append(f"input {key} {str(value)!r} also used by {other} (different text); both kept")
        for message in notes[len(result.notes):]:
            if not message.startswith("removed "):
                warn(f"{shown}: {message}")
        row = {**fields, "title": title, "text": text, "article_id": article_id,
               "path": result.path, "published": published, "language": language}
        rows.append(row)
        report.append(LoadRecord(result.path, result.item, "loaded", "; ".join(notes), article_id))

    shown_source = "<DataFrame>" if isinstance(source, pd.DataFrame) else (
        str(source) if isinstance(source, (str, os.PathLike)) else f"{len(source)} paths")
    load_report = LoadReport(shown_source, report)
    articles = _build_table(rows)
    if not len(articles):
        warn(f"{shown_source}: no articles loaded ({load_report.skipped} inputs skipped)")
    warn.close()
    articles.attrs["load_report"] = load_report
    logger.info("%s", load_report)
    return articles


def _build_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    extras: list[str] = []
    seen = set(ARTICLE_COLUMNS)
    for row in rows:
        for key in row:
            if key not in seen:
                seen.add(key)
                extras.append(key)
    columns = [*ARTICLE_COLUMNS, *extras]
    table = pd.DataFrame([[row.get(c) for c in columns] for row in rows], columns=columns)
    table["published"] = pd.Series(pd.to_datetime([row["published"] for row in rows], utc=True),
                                   dtype="datetime64[ns, UTC]")
    for column in ("article_id", "title", "text", "outlet", "url", "author", "path", "language"):
        table[column] = table[column].astype("string")
    return table


assert set(CANONICAL_FIELDS) <= set(ARTICLE_COLUMNS)
