"""Readers: one function per input format, each yielding raw records or skips.

A *record* is a dict of article fields as found in the input (``text``, ``title``, ``published``,
``outlet``, ``url``, ``author`` plus any extra columns), tagged with the input it came from
(``path`` and ``item``: the row or line inside a file). A :class:`Skip` says which input could not
be used and why. Readers never raise for bad content: they yield a :class:`Skip`; they raise
:class:`~toolkit.errors.InputError` only for bad arguments (an override naming a missing column).

Tabular inputs (CSV/TSV, JSON Lines, JSON, Parquet, DataFrames) share :func:`map_columns`, which
finds the text, title, date, outlet, URL and author columns by name (news-please keys included).

Example:
    >>> recs = list(records_from_frame(pd.DataFrame({"body": ["Text."], "headline": ["T"]}), "df"))
    >>> recs[0].fields["text"], recs[0].fields["title"]
    ('Text.', 'T')
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .encoding import NotTextError, decode_bytes
from .errors import InputError

__all__ = [
    "CANONICAL_FIELDS",
    "TABULAR_SUFFIXES",
    "TEXT_SUFFIXES",
    "ColumnOverrides",
    "Record",
    "Skip",
    "decode_file",
    "fields_from_row",
    "is_missing",
    "map_columns",
    "read_file",
    "records_from_frame",
]

TEXT_SUFFIXES = frozenset({".txt", ".md", ".text"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
TABULAR_SUFFIXES = frozenset({".csv", ".tsv", ".jsonl", ".ndjson", ".json", ".parquet", ".pq"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | TABULAR_SUFFIXES

#: Article fields every loader fills, in table order (``article_id`` and ``path`` come later).
CANONICAL_FIELDS = ("title", "text", "outlet", "published", "url", "author")

#: Column names recognised for each field, most specific first (compared in lower_snake form).
COLUMN_ALIASES: Mapping[str, tuple[str, ...]] = {
    "text": ("text", "body", "maintext", "content", "article_text", "article", "full_text",
             "fulltext", "story", "story_text", "article_body", "body_text", "text_body"),
    "title": ("title", "headline", "heading", "head", "article_title", "name"),
    "published": ("published", "date_publish", "publish_date", "published_at", "publication_date",
                  "pub_date", "pubdate", "date_published", "datetime", "date", "timestamp", "time",
                  "created_at"),
    "outlet": ("outlet", "source_domain", "source", "publisher", "media", "media_name", "outlet_name",
               "site_name", "sitename", "site", "publication", "newspaper", "domain", "source_name"),
    "url": ("url", "link", "article_url", "source_url", "href", "permalink", "canonical_url"),
    "author": ("author", "authors", "byline", "creator", "writer", "by"),
}

#: A first line longer than this (characters) is not a title line but text.
MAX_TITLE_CHARS = 300
_MAX_CSV_FIELD = 64 * 1024 * 1024
csv.field_size_limit(_MAX_CSV_FIELD)


@dataclass
class Record:
    """One article as found in the input, before cleaning."""

    path: str
    item: str
    fields: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    #: True when the title is the first line of ``text`` (text files): cleaning re-derives it.
    title_in_text: bool = False


@dataclass(frozen=True)
class Skip:
    """An input that could not be used, and why."""

    path: str
    item: str
    reason: str


@dataclass(frozen=True)
class ColumnOverrides:
    """Explicit column names for tabular inputs; ``None`` means auto-detect."""

    text: str | None = None
    title: str | None = None
    published: str | None = None
    outlet: str | None = None
    url: str | None = None
    author: str | None = None


def _snake(name: object) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


def map_columns(columns: list[str], overrides: ColumnOverrides, where: str) -> dict[str, str]:
    """Map canonical fields to column names of a table.

    Overrides must name existing columns; other fields are found through :data:`COLUMN_ALIASES`.
    Raises :class:`InputError` when an override names a missing column. The ``text`` field is
    absent from the result when no column could be recognised (the caller skips the input).

    >>> map_columns(["Headline", "maintext", "date_publish"], ColumnOverrides(), "x.jsonl")
    {'text': 'maintext', 'title': 'Headline', 'published': 'date_publish'}
    """
    by_snake: dict[str, str] = {}
    for col in columns:
        by_snake.setdefault(_snake(col), col)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for name in ("text", "title", "published", "outlet", "url", "author"):
        override = getattr(overrides, name)
        if override is not None:
            if override not in columns:
                argument = "date_column" if name == "published" else f"{name}_column"
                raise InputError(
                    f"{where}: {argument}={override!r} is not a column; "
                    f"the columns are {', '.join(map(repr, columns))}"
                )
            mapping[name] = override
            used.add(override)
    for name, aliases in COLUMN_ALIASES.items():
        if name in mapping:
            continue
        for alias in aliases:
            col = by_snake.get(alias)
            if col is not None and col not in used:
                mapping[name] = col
                used.add(col)
                break
    return {name: mapping[name] for name in ("text", "title", "published", "outlet", "url", "author")
            if name in mapping}


def is_missing(value: Any) -> bool:
    """True for None, NaN, NaT, pandas NA and blank strings.

    >>> is_missing(pd.NaT), is_missing(" "), is_missing(0)
    (True, True, False)
    """
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, float) and value != value:
        return True
    return bool(isinstance(value, str) and not value.strip())


def fields_from_row(row: Mapping[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
    """Canonical fields from ``mapping`` plus every other column as an extra (lower_snake name)."""
    mapped_cols = set(mapping.values())
    fields: dict[str, Any] = {}
    for name, col in mapping.items():
        value = row.get(col)
        if name == "author" and isinstance(value, (list, tuple)):
            value = "; ".join(str(v) for v in value)
        fields[name] = None if is_missing(value) else value
    for col, value in row.items():
        if col in mapped_cols:
            continue
        key = _snake(col) or "column"
        if key in CANONICAL_FIELDS or key in ("article_id", "path") or key in fields:
            key = f"{key}_input"
        fields[key] = value
    return fields


def _records_from_rows(rows: Iterator[tuple[str, Mapping[str, Any]]], columns: list[str],
                       path: str, overrides: ColumnOverrides,
                       mapping: dict[str, str] | None = None,
                       notes: list[str] | None = None) -> Iterator[Record | Skip]:
    mapping = mapping if mapping is not None else map_columns(columns, overrides, path)
    if "text" not in mapping:
        yield Skip(path, "", "no text column found among "
                   f"{', '.join(map(repr, columns)) or 'no columns'}; pass text_column=")
        return
    for item, row in rows:
        text = row.get(mapping["text"])
        if is_missing(text):
            yield Skip(path, item, f"empty text in column {mapping['text']!r}")
            continue
        if not isinstance(text, str):
            yield Skip(path, item, f"text column {mapping['text']!r} holds {type(text).__name__}, not text")
            continue
        yield Record(path, item, fields_from_row(row, mapping), list(notes or ()))


def records_from_frame(frame: pd.DataFrame, path: str,
                       overrides: ColumnOverrides = ColumnOverrides()) -> Iterator[Record | Skip]:
    """Records from a DataFrame, one per row; ``item`` is ``row <index label>``."""
    columns = [str(c) for c in frame.columns]
    frame = frame.set_axis(columns, axis=1)
    records = frame.to_dict("records")
    rows = ((f"row {label}", row) for label, row in zip(frame.index, records, strict=True))
    yield from _records_from_rows(rows, columns, path, overrides)


def decode_file(path: Path) -> tuple[str, list[str]]:
    """Read and decode a file; raises NotTextError or OSError."""
    data = path.read_bytes()
    if not data:
        raise NotTextError("empty file")
    decoded = decode_bytes(data)
    return decoded.text, [decoded.note] if decoded.note else []


def _read_text(path: Path, shown: str) -> Iterator[Record | Skip]:
    text, notes = decode_file(path)
    if not text.strip():
        yield Skip(shown, "", "no text (whitespace only)")
        return
    lines = text.strip().splitlines()
    first = lines[0].strip()
    if len(first) > MAX_TITLE_CHARS:  # no title line: a paragraph, or a page without line breaks
        yield Record(shown, "", {"title": None, "text": text},
                     [*notes, f"first line has {len(first):,} characters, too long for a title: loaded "
                      "without a title"])
        return
    if len(lines) < 2 or not "".join(lines[1:]).strip():
        yield Skip(shown, "", "title only: no body after the first line")
        return
    title = lines[0].strip()
    if path.suffix.lower() == ".md":
        title = title.lstrip("#").strip()
    yield Record(shown, "", {"title": title, "text": text}, notes, title_in_text=True)


def _read_html(path: Path, shown: str) -> Iterator[Record | Skip]:
    import trafilatura

    html, notes = decode_file(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        doc = trafilatura.bare_extraction(html, with_metadata=True,
                                          date_extraction_params={"outputformat": "%Y-%m-%dT%H:%M:%S%z"})
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or not text.strip():
        yield Skip(shown, "", "no article text found in the HTML (navigation or empty page)")
        return
    if not _has_prose(text, _link_texts(html)):
        yield Skip(shown, "", "no article text found in the HTML: only navigation, links or short lines")
        return
    fields = {
        "title": doc.title,
        # trafilatura separates paragraphs by one newline; the toolkit uses a blank line.
        "text": "\n\n".join(p for p in text.split("\n") if p.strip()),
        "outlet": doc.sitename or doc.hostname,
        "published": doc.date,
        "url": doc.url,
        "author": doc.author,
    }
    yield Record(shown, "", fields, notes)


#: A paragraph of prose: this many words or more, ending like a sentence.
PROSE_WORDS = 6
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)\]]*$")


def _link_texts(html: str) -> set[str]:
    """The texts of the page's links, white space folded (empty when the page does not parse)."""
    import lxml.html

    try:
        tree = lxml.html.fromstring(html.encode("utf-8"))
    except (ValueError, lxml.etree.LxmlError):
        return set()
    return {" ".join(a.text_content().split()) for a in tree.iter("a")}


def _has_prose(text: str, links: set[str]) -> bool:
    """True when some paragraph reads as a sentence and is not just the text of a link.

    A page of menus, link lists and footers has none ("Home", "World news today", "Contact us |
    Privacy"), and trafilatura's fallback extractors return exactly such lines when a page has
    no article.

    >>> _has_prose("Home\\nNews\\nSport", set())
    False
    >>> _has_prose("Officials in London confirmed the plan on Tuesday.", set())
    True
    """
    for paragraph in text.split("\n"):
        line = " ".join(paragraph.split())
        if len(line.split()) >= PROSE_WORDS and _SENTENCE_END.search(line) and line not in links:
            return True
    return False


def _sniff_delimiter(sample: str, default: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return default


def _read_csv(path: Path, shown: str, overrides: ColumnOverrides) -> Iterator[Record | Skip]:
    text, notes = decode_file(path)
    default = "\t" if path.suffix.lower() == ".tsv" else ","
    delimiter = default if default == "\t" else _sniff_delimiter(text[:65536], default)
    lines = io.StringIO(text, newline="").readlines()  # the physical lines, as csv counts them
    reader = csv.reader(iter(lines), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        yield Skip(shown, "", "empty CSV (no header row)")
        return
    except csv.Error as exc:
        yield Skip(shown, "", f"unreadable CSV header: {exc}")
        return
    columns = [h.strip() for h in header]
    bad: list[Skip] = []
    yield from _csv_records(_csv_rows(lines, reader.line_num, delimiter, columns, shown, bad), columns,
                            shown, overrides, notes, bad)


def _csv_records(rows: Iterator[tuple[str, dict[str, Any]]], columns: list[str], shown: str,
                 overrides: ColumnOverrides, notes: list[str], bad: list[Skip]) -> Iterator[Record | Skip]:
    """Records of the good rows with the bad rows' skips in line order between them."""
    for result in _records_from_rows(rows, columns, shown, overrides, notes=notes):
        while bad:
            yield bad.pop(0)
        yield result
    yield from bad


def _csv_rows(lines: list[str], done: int, delimiter: str, columns: list[str], shown: str,
              bad: list[Skip]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(item, row)`` for the data rows after line ``done``; malformed rows go to ``bad``.

    A quotation mark that is never closed makes the csv module swallow every following line into
    one field. A row that spans several lines and holds an odd number of quotation marks is such a
    runaway: its first line is reported as malformed and reading starts again on the next line, so
    that one stray quote costs one row, not the rest of the file.
    """
    while done < len(lines):
        reader = csv.reader(iter(lines[done:]), delimiter=delimiter)
        offset, line = done, done
        restart = None
        while True:
            try:
                values = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                bad.append(Skip(shown, f"line {line + 1}", f"malformed CSV row: {exc}; reading goes on "
                                f"from line {line + 2}"))
                restart = line + 1
                break
            first, line = line + 1, offset + reader.line_num
            item = f"line {first}"
            raw = "".join(lines[first - 1 : line])
            if line > first and raw.count('"') % 2:
                bad.append(Skip(shown, item, f"malformed CSV row: a quotation mark on line {first} is never "
                                f"closed; the line is skipped and reading goes on from line {first + 1}"))
                restart = first
                break
            if not values or not any(v.strip() for v in values):
                continue
            if len(values) != len(columns):
                bad.append(Skip(shown, item, f"malformed CSV row: {len(values)} fields, "
                                f"the header has {len(columns)}"))
                continue
            yield item, dict(zip(columns, values, strict=True))
        if restart is None:
            return
        done = restart


def _json_lines(text: str) -> Iterator[tuple[int, str]]:
    """Numbered non-blank lines, split at LF only: JSON strings may hold U+2028 and friends."""
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            yield number, line.rstrip("\r")


def _read_jsonl(path: Path, shown: str, overrides: ColumnOverrides) -> Iterator[Record | Skip]:
    text, notes = decode_file(path)
    entries: list[tuple[str, dict[str, Any] | Skip]] = []
    for number, line in _json_lines(text):
        item = f"line {number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            entries.append((item, Skip(shown, item, f"invalid JSON: {exc.msg}")))
            continue
        if not isinstance(obj, dict):
            entries.append((item, Skip(shown, item, f"expected a JSON object, got {type(obj).__name__}")))
            continue
        entries.append((item, obj))
    yield from _records_from_objects(entries, shown, overrides, notes)


def _records_from_objects(entries: list[tuple[str, dict[str, Any] | Skip]], shown: str,
                          overrides: ColumnOverrides,
                          notes: list[str] | None = None) -> Iterator[Record | Skip]:
    """Records from JSON objects (columns: the union of their keys); skips pass through in order."""
    columns: list[str] = []
    seen: set[str] = set()
    for _, obj in entries:
        if isinstance(obj, dict):
            for key in obj:
                if key not in seen:
                    seen.add(key)
                    columns.append(key)
    if not columns:
        yield from (obj for _, obj in entries if isinstance(obj, Skip))
        return
    mapping = map_columns(columns, overrides, shown)
    if "text" not in mapping:
        yield from (obj for _, obj in entries if isinstance(obj, Skip))
        yield Skip(shown, "", f"no text field found among {', '.join(map(repr, columns))}; pass text_column=")
        return
    for item, obj in entries:
        if isinstance(obj, Skip):
            yield obj
        else:
            yield from _records_from_rows(iter([(item, obj)]), columns, shown, overrides, mapping, notes)


_JSON_LIST_KEYS = ("articles", "data", "items", "records", "results", "documents", "docs")


def _read_json(path: Path, shown: str, overrides: ColumnOverrides) -> Iterator[Record | Skip]:
    text, notes = decode_file(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if sum(1 for _ in _json_lines(text)) > 1:  # JSON Lines saved with a .json suffix
            yield from _read_jsonl(path, shown, overrides)
            return
        yield Skip(shown, "", f"invalid JSON: {exc.msg} at line {exc.lineno}")
        return
    if isinstance(data, dict):
        for key in _JSON_LIST_KEYS:
            if isinstance(data.get(key), list):
                data = data[key]
                break
        else:
            data = [data]  # one article per file, as news-please writes them
    if not isinstance(data, list):
        yield Skip(shown, "", f"expected a JSON object or a list of objects, got {type(data).__name__}")
        return
    entries: list[tuple[str, dict[str, Any] | Skip]] = []
    for number, obj in enumerate(data):
        item = f"item {number}"
        entries.append((item, obj if isinstance(obj, dict) else
                        Skip(shown, item, f"expected a JSON object, got {type(obj).__name__}")))
    yield from _records_from_objects(entries, shown, overrides, notes)


def _read_parquet(path: Path, shown: str, overrides: ColumnOverrides) -> Iterator[Record | Skip]:
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many types for a damaged file
        yield Skip(shown, "", f"unreadable Parquet file: {exc}")
        return
    yield from records_from_frame(frame, shown, overrides)


def read_file(path: Path, shown: str, overrides: ColumnOverrides) -> Iterator[Record | Skip]:
    """Records from one file of any supported format; ``shown`` is the path used in reports."""
    suffix = path.suffix.lower()
    try:
        if suffix in TEXT_SUFFIXES:
            yield from _read_text(path, shown)
        elif suffix in HTML_SUFFIXES:
            yield from _read_html(path, shown)
        elif suffix in (".csv", ".tsv"):
            yield from _read_csv(path, shown, overrides)
        elif suffix in (".jsonl", ".ndjson"):
            yield from _read_jsonl(path, shown, overrides)
        elif suffix == ".json":
            yield from _read_json(path, shown, overrides)
        elif suffix in (".parquet", ".pq"):
            yield from _read_parquet(path, shown, overrides)
        else:
            yield Skip(shown, "", f"unsupported file type {suffix or '(no suffix)'!r}; "
                       f"supported: {', '.join(sorted(SUPPORTED_SUFFIXES))}")
    except NotTextError as exc:
        yield Skip(shown, "", str(exc))
    except PermissionError:
        yield Skip(shown, "", "permission denied")
    except OSError as exc:
        yield Skip(shown, "", f"cannot read the file: {exc.strerror or exc}")
