"""The annotated corpus: ``annotate()`` and the :class:`Corpus` it returns.

``annotate`` runs each article through the cached spaCy stage and the extractors in one
streaming pass: for every article it first looks for the extractors' rows in the cache, then for
a cached Doc to extract them from, and only then runs the model, storing the Doc and the rows.
Docs are never all held in memory; the Corpus reads them back lazily from the cache.

Example:
    >>> import toolkit as tk
    >>> corpus = tk.annotate(tk.load_articles("data/articles"))   # doctest: +SKIP
    >>> corpus.mentions.head()                                     # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
from spacy.language import Language
from spacy.tokens import Doc
from tqdm.auto import tqdm

from .annotation import (
    PARAGRAPH_COMPONENT,
    ModelSpec,
    components_for,
    doc_from_bytes,
    doc_to_bytes,
    load_pipeline,
    resolve_model,
    stream_docs,
)
from .corpus import article_id_for, load_articles
from .entities import MENTION_COLUMNS, MENTIONS_VERSION, extract_mentions, normalise_mentions
from .errors import InputError, ToolkitWarning
from .matmul import one_blas_thread_in_this_process
from .places import PLACE_MENTION_COLUMNS, PLACES_VERSION, extract_place_mentions, resolve_places
from .sources import ATTRIBUTION_COLUMNS, ATTRIBUTIONS_VERSION, extract_attributions
from .speakers import classify_sources
from .store import AnnotationStore, decode_rows, default_cache_dir, encode_rows, pack_rows, result_key

__all__ = ["EXTRACTORS", "AnnotateStats", "Corpus", "Extractor", "annotate"]

logger = logging.getLogger(__name__)

#: Format of the cached Docs; bump to invalidate every cache.
CACHE_FORMAT = "1"
_WRITE_BATCH = 64  # Docs per cache transaction


@dataclass(frozen=True)
class Extractor:
    """A table built from annotated Docs: its rows' columns, what it needs, and how to make them."""

    name: str
    version: str
    needs: frozenset[str]
    columns: tuple[str, ...]
    function: Callable[[Doc], list[tuple[Any, ...]]]

    @property
    def cache_name(self) -> str:
        return f"{self.name}@{self.version}"


#: The extractors ``annotate`` knows, by output table name.
EXTRACTORS: dict[str, Extractor] = {
    "mentions": Extractor("mentions", MENTIONS_VERSION, frozenset({"ner"}), MENTION_COLUMNS,
                          extract_mentions),
    "places": Extractor("places", PLACES_VERSION, frozenset({"ner"}), PLACE_MENTION_COLUMNS,
                        extract_place_mentions),
    "attributions": Extractor("attributions", ATTRIBUTIONS_VERSION, frozenset({"parser", "ner"}),
                              ATTRIBUTION_COLUMNS, extract_attributions),
}
#: Tables another table is built from: who said something is read off the entity mentions.
REQUIRES = {"attributions": ("mentions",)}


@dataclass
class AnnotateStats:
    """What one ``annotate`` call did: how many articles were parsed, and how many came from cache."""

    articles: int = 0
    parsed: int = 0
    from_cached_docs: int = 0
    from_cached_tables: int = 0
    tokens_parsed: int = 0
    #: Articles left out because their ``language`` is not the model's (see ``annotate``).
    not_annotated: int = 0


@dataclass
class Corpus:
    """Articles with their annotation: tables of evidence and lazy access to the spaCy Docs."""

    articles: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    model: ModelSpec
    components: tuple[str, ...]
    cache_path: Path | None
    stats: AnnotateStats = field(default_factory=AnnotateStats)
    _keys: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def mentions(self) -> pd.DataFrame:
        """The ``mentions`` table (schema in DESIGN.md)."""
        return self.tables["mentions"]

    @property
    def places(self) -> pd.DataFrame:
        """The ``places`` table: place mentions resolved to GeoNames places (or unresolved, with why)."""
        return self.tables["places"]

    @property
    def attributions(self) -> pd.DataFrame:
        """The ``attributions`` table: one row per attributed statement, with its source's type."""
        return self.tables["attributions"]

    def normalise(self, *, aliases: str | os.PathLike[str] | None = None) -> Corpus:
        """Recompute the ``entity`` column with a user alias file (e.g. saved merge decisions).

        Returns the corpus itself, so that ``corpus.normalise(aliases="aliases.csv").mentions`` reads.
        """
        self.tables["mentions"] = normalise_mentions(self.tables["mentions"], self.articles, aliases=aliases)
        if "attributions" in self.tables:
            self.tables["attributions"] = classify_sources(
                self.tables["attributions"], self.tables["mentions"], self.articles
            )
        return self

    def docs(self, article_ids: Iterable[str] | None = None) -> Iterator[Doc]:
        """The annotated Docs, one at a time, from the cache (re-annotated when missing).

        Each Doc carries its ``article_id`` in ``doc.user_data["article_id"]``.
        """
        ids = list(self.articles["article_id"]) if article_ids is None else list(article_ids)
        unknown = [i for i in ids if i not in self._keys]
        if unknown:
            raise KeyError(f"not in this corpus: article_id {unknown[0]!r}")
        key_to_id = {self._keys[i]: i for i in ids}
        keys = [self._keys[i] for i in ids]
        texts = dict(zip(self.articles["article_id"], self.articles["text"], strict=True))
        cached: dict[str, bytes] = {}
        if self.cache_path is not None:
            with AnnotationStore(self.cache_path) as store:
                cached = dict(store.get_docs(keys))
        nlp = None
        for key in keys:
            if key in cached:
                doc = doc_from_bytes(cached.pop(key))
            else:
                nlp = nlp or load_pipeline(self.model.name, self.components)
                ((_, doc),) = stream_docs([(key, texts[key_to_id[key]])], nlp)
            doc.user_data["article_id"] = key_to_id[key]
            yield doc

    def doc(self, article_id: str) -> Doc:
        """The annotated Doc of one article."""
        return next(self.docs([article_id]))

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name}={len(t)}" for name, t in self.tables.items())
        return f"<Corpus: {len(self.articles)} articles, {sizes}; model {self.model.label}>"


def _text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _cache_file(cache_dir: Path, spec: ModelSpec, settings: dict[str, Any]) -> Path:
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(spec.name).name)
    return cache_dir / "annotations" / f"{safe}-{spec.version}-{digest}.sqlite"


def _prepare_articles(articles: pd.DataFrame | str | os.PathLike[str]) -> pd.DataFrame:
    if not isinstance(articles, pd.DataFrame):
        return load_articles(articles)
    if "text" not in articles.columns:
        raise InputError(f"annotate() needs a 'text' column; the columns are {list(articles.columns)}. "
                         "Load the corpus with tk.load_articles().")
    bad = articles["text"].map(lambda t: not isinstance(t, str))
    if bad.any():
        raise InputError(f"annotate(): {int(bad.sum())} rows have no text (first at index "
                         f"{articles.index[bad.to_numpy()][0]!r}); drop them or use tk.load_articles()")
    if "article_id" not in articles.columns:
        articles = articles.assign(article_id=articles["text"].map(article_id_for))
    duplicated = articles["article_id"].duplicated()
    if duplicated.any():
        first = articles.loc[duplicated, "article_id"].iloc[0]
        raise InputError(f"annotate(): article_id {first!r} appears more than once; "
                         "article ids must be unique (tk.load_articles() drops duplicate texts)")
    return articles


def _in_model_language(articles: pd.DataFrame, spec: ModelSpec) -> pd.Series:
    """Which articles the model can read: all, unless a ``language`` column (filled by
    :func:`toolkit.load_articles`) names another language; the others are named in a warning."""
    if "language" not in articles.columns:
        return pd.Series(True, index=articles.index)
    language = articles["language"].astype("string")
    primary = language.str.strip().str.lower().str.split(r"[-_]", regex=True).str[0]  # en-GB -> en
    ok = (language.isna() | primary.isin([spec.lang, "und", ""])).astype(bool)
    if not ok.all():
        left = articles.loc[~ok]
        where = left["path"] if "path" in left.columns else pd.Series("", index=left.index)
        shown = ", ".join(f"{a} ({w}, {lang})" if w else f"{a} ({lang})" for a, w, lang in
                          zip(left["article_id"][:5], where[:5], language[~ok][:5], strict=True))
        warnings.warn(f"annotate(): {len(left)} articles are not in the model's language ({spec.lang!r}) "
                      f"and are not annotated: {shown}{' …' if len(left) > 5 else ''}; set their "
                      f"'language' to {spec.lang!r} to annotate them anyway", ToolkitWarning, stacklevel=3)
    return ok


def annotate(
    articles: pd.DataFrame | str | os.PathLike[str],
    *,
    outputs: Sequence[str] | None = None,
    model: str | None = None,
    n_process: int = 1,
    batch_size: int | None = None,
    max_length: int | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
    progress: bool = True,
    aliases: str | os.PathLike[str] | None = None,
    engine: str = "local",
    scheduler: Any = None,
) -> Corpus:
    """Annotate a corpus with spaCy (cached on disk) and extract its tables.

    ``articles`` is the table from :func:`toolkit.load_articles` (or a path to load it from).
    ``outputs`` names the tables to build (default: all of :data:`EXTRACTORS`: ``mentions``,
    ``places`` and ``attributions``); only the pipeline components they need are run (the
    dependency parser only for ``attributions``, which also builds ``mentions`` to name sources).
    ``n_process`` and ``batch_size`` go to ``nlp.pipe``;
    ``max_length`` (default: the model's) is the length above which a text is annotated in pieces.
    The cache lives in ``cache_dir`` (default ``~/.cache/toolkit``, or ``$TOOLKIT_CACHE_DIR``);
    ``use_cache=False`` neither reads nor writes it. ``progress=False`` hides the progress bar.
    ``aliases`` names a CSV (``alias,canonical,label``) that extends the built-in alias table used
    to fill the ``entity`` column (see :func:`toolkit.entities.normalise_mentions`).
    Articles whose ``language`` column (set by :func:`toolkit.load_articles`) names a language other
    than the model's stay in ``corpus.articles`` but are not annotated (a warning names them;
    ``corpus.stats.not_annotated`` counts them).
    ``engine="dask"`` runs the model and the extractors on a Dask cluster: ``scheduler`` is the
    address of its scheduler (e.g. ``"tcp://10.0.0.5:8786"``) or None for a local cluster of
    ``n_process`` workers (one per core when 1); the tables are the same (see
    :mod:`toolkit.distributed`).

    >>> corpus = annotate(load_articles("data/articles"), progress=False)    # doctest: +SKIP
    >>> corpus.stats.parsed                                                   # doctest: +SKIP
    37
    """
    if engine != "local" or scheduler is not None:
        if engine != "dask":
            raise InputError(f"engine must be 'local' or 'dask', got {engine!r}"
                             + (" (scheduler= needs engine='dask')" if engine == "local" else ""))
        from .distributed import annotate_distributed

        return annotate_distributed(articles, outputs=outputs, model=model, n_process=n_process,
                                    batch_size=batch_size, max_length=max_length, cache_dir=cache_dir,
                                    use_cache=use_cache, progress=progress, aliases=aliases,
                                    scheduler=scheduler)
    articles = _prepare_articles(articles)
    extractors, spec, components, settings = plan_annotation(outputs, model, n_process, max_length)

    analysed = _in_model_language(articles, spec)
    ids = list(articles.loc[analysed, "article_id"])
    texts = articles.loc[analysed, "text"].array  # read one at a time: not held twice as Python strings
    keys = [_text_key(t) for t in texts]
    stats = AnnotateStats(articles=len(ids), not_annotated=int((~analysed).sum()))
    rows: dict[str, dict[str, list[Any]]] = {e.name: {} for e in extractors}
    cache_path = _cache_file(Path(cache_dir or default_cache_dir()), spec, settings) if use_cache else None
    finished = result_key(articles, keys, [e.cache_name for e in extractors], settings, aliases) \
        if cache_path else None
    tables = _finished_tables(cache_path, finished, keys, extractors)
    if tables is not None:  # an unchanged corpus, settings and code: the tables of the last run
        stats.from_cached_tables = len(keys)
        return Corpus(articles, tables, spec, components, cache_path, stats,
                      dict(zip(ids, keys, strict=True)))
    store = AnnotationStore(cache_path, info={k: json.dumps(v) for k, v in settings.items()}) \
        if cache_path else None
    try:
        if store is not None:
            for e in extractors:
                rows[e.name] = store.get_derived(keys, e.cache_name, raw=True)
        todo = [i for i, k in enumerate(keys) if any(k not in rows[e.name] for e in extractors)]
        stats.from_cached_tables = len(keys) - len(todo)
        todo_keys = list(dict.fromkeys(keys[i] for i in todo))
        writer = _CacheWriter(store)
        for key, doc, parsed in _docs_for(todo_keys, _TextsByKey(keys, texts), store, spec,
                                          components, stats, n_process=n_process, batch_size=batch_size,
                                          max_length=max_length, progress=progress,
                                          in_workers=tuple(e.name for e in extractors)):
            done = _from_worker(doc) if parsed else None  # rows and DocBin made in spaCy's worker
            for e in extractors:
                if key not in rows[e.name]:  # held encoded and packed until the table is built
                    encoded = done.rows[e.name] if done is not None else encode_rows(e.function(doc))
                    rows[e.name][key] = pack_rows(encoded)
                    writer.add_rows(key, e.cache_name, encoded)
            if parsed:
                writer.add_doc(key, doc, done.doc_bytes if done is not None else None)
        writer.flush()
    finally:
        if store is not None:
            store.close()

    return finish_annotation(extractors, ids, keys, rows, articles, spec, components, stats,
                             cache_path=cache_path, finished=finished, aliases=aliases)


def finish_annotation(extractors: Sequence[Extractor], ids: list[str], keys: list[str], rows: dict[str, Any],
                      articles: pd.DataFrame, spec: ModelSpec, components: tuple[str, ...],
                      stats: AnnotateStats, *, cache_path: Path | None, finished: str | None,
                      aliases: str | os.PathLike[str] | None, where: str = "") -> Corpus:
    """The last steps of every engine: the tables built (:func:`build_tables`), the run logged, the
    finished tables stored in the cache for an identical later call, and the :class:`Corpus`."""
    tables = build_tables(extractors, ids, keys, rows, articles, aliases=aliases)
    logger.info("annotated %d articles%s: %d parsed, %d from cached docs, %d from cached tables",
                stats.articles, where, stats.parsed, stats.from_cached_docs, stats.from_cached_tables)
    if cache_path is not None and finished is not None:
        with AnnotationStore(cache_path) as store:
            store.put_result(finished, tables)
    return Corpus(articles, tables, spec, components, cache_path, stats, dict(zip(ids, keys, strict=True)))


def _finished_tables(cache_path: Path | None, finished: str | None, keys: list[str],
                     extractors: list[Extractor]) -> dict[str, pd.DataFrame] | None:
    """The cached tables of an identical earlier run, if every derived row they came from is cached."""
    if cache_path is None or finished is None or not cache_path.exists():
        return None
    with AnnotationStore(cache_path) as store:
        tables = store.get_result(finished)
        if tables is None or set(tables) != {e.name for e in extractors}:
            return None
        distinct = len(set(keys))
        if any(store.count_derived(keys, e.cache_name) < distinct for e in extractors):
            return None
    return tables


class _TextsByKey:
    """``text_of[key]``: the text of the first article with that text key, read when asked for."""

    def __init__(self, keys: list[str], texts: Sequence[str]):
        self.position: dict[str, int] = {}
        for i, key in enumerate(keys):
            self.position.setdefault(key, i)
        self.texts = texts

    def __getitem__(self, key: str) -> str:
        return str(self.texts[self.position[key]])


def plan_annotation(
    outputs: Sequence[str] | None, model: str | None, n_process: int, max_length: int | None
) -> tuple[list[Extractor], ModelSpec, tuple[str, ...], dict[str, Any]]:
    """What an ``annotate`` call will run: its extractors (with the tables they need), the model, the
    pipeline components, and the settings that name its cache. Checks ``outputs`` and ``n_process``."""
    names = list(EXTRACTORS) if outputs is None else list(dict.fromkeys(outputs))
    unknown = [n for n in names if n not in EXTRACTORS]
    if unknown:
        raise InputError(f"unknown output(s) {unknown}; available: {sorted(EXTRACTORS)}")
    names = list(dict.fromkeys(r for n in names for r in (*REQUIRES.get(n, ()), n)))
    if n_process < 1:
        raise InputError(f"n_process must be at least 1, got {n_process}")
    extractors = [EXTRACTORS[n] for n in names]
    spec = resolve_model(model)
    components = components_for(set().union(*(e.needs for e in extractors)), spec)
    settings = {"model": spec.name, "pipeline": spec.pipeline_name, "version": spec.version,
                "components": [*components, PARAGRAPH_COMPONENT], "max_length": max_length,
                "format": CACHE_FORMAT}
    return extractors, spec, components, settings


def build_tables(extractors: Sequence[Extractor], ids: list[str], keys: list[str],
                 rows: dict[str, Any], articles: pd.DataFrame, *,
                 aliases: str | os.PathLike[str] | None = None) -> dict[str, pd.DataFrame]:
    """The corpus tables from the extractors' rows, then the corpus-wide steps: names normalised,
    places resolved, sources classified. ``rows`` (by extractor name) is emptied as tables are built,
    one at a time, so each extractor's rows are freed once its table exists."""
    tables = {}
    for e in extractors:
        tables[e.name] = _build_table(e, ids, keys, rows.pop(e.name))
    if "mentions" in tables:
        tables["mentions"] = normalise_mentions(tables["mentions"], articles, aliases=aliases)
    if "places" in tables:
        tables["places"] = resolve_places(tables["places"], articles)
    if "attributions" in tables:
        tables["attributions"] = classify_sources(tables["attributions"], tables["mentions"], articles)
    return tables


class _CacheWriter:
    """Collects new Docs and rows and commits them together every ``_WRITE_BATCH`` articles."""

    def __init__(self, store: AnnotationStore | None):
        self.store = store
        self.docs: dict[str, bytes] = {}
        self.rows: list[tuple[str, str, list[Any]]] = []

    def add_doc(self, key: str, doc: Doc | None, data: bytes | None = None) -> None:
        """Queue a Doc for the cache: ``data`` if it was serialised already, else ``doc``."""
        if self.store is None:
            return
        if data is None:
            assert doc is not None
            data = doc_to_bytes(doc)
        self.docs[key] = data
        if len(self.docs) >= _WRITE_BATCH:
            self.flush()

    def add_rows(self, key: str, extractor: str, rows: list[Any]) -> None:
        if self.store is None:
            return
        self.rows.append((key, extractor, rows))
        if len(self.rows) >= 4 * _WRITE_BATCH:
            self.flush()

    def flush(self) -> None:
        if self.store is not None:
            self.store.put_batch(self.docs, self.rows)
        self.docs, self.rows = {}, []


def _docs_for(keys: list[str], text_of: dict[str, str] | _TextsByKey, store: AnnotationStore | None,
              spec: ModelSpec,
              components: tuple[str, ...], stats: AnnotateStats, *, n_process: int, batch_size: int | None,
              max_length: int | None, progress: bool,
              in_workers: tuple[str, ...] | None = None) -> Iterator[tuple[str, Doc, bool]]:
    """``(key, Doc, parsed)`` for ``keys``: cached Docs first, then the rest from the model.

    With several processes and ``in_workers`` (extractor names), spaCy's worker
    processes also run those extractors and serialise the Doc (see :func:`_from_worker`).
    """
    cached: set[str] = store.doc_keys(keys) if store is not None else set()
    served: set[str] = set()
    if cached:
        assert store is not None
        for key, data in store.get_docs([k for k in keys if k in cached]):
            stats.from_cached_docs += 1
            served.add(key)
            yield key, doc_from_bytes(data), False
    missing = [k for k in keys if k not in served]  # a cached Doc that failed its checksum is parsed again
    if not missing:
        return
    nlp = load_pipeline(spec.name, components)
    if n_process > 1 and len(missing) < 2 * n_process:
        n_process = 1  # starting worker processes costs more than a handful of texts
    if WORKER_COMPONENT in nlp.pipe_names:
        nlp.remove_pipe(WORKER_COMPONENT)
    if n_process > 1 and in_workers is not None:
        nlp.add_pipe(WORKER_COMPONENT, last=True,
                     config={"extractors": list(in_workers)})
    try:
        with tqdm(total=len(missing), desc="Annotating", unit="article", disable=not progress) as bar:
            for key, doc in stream_docs(((k, text_of[k]) for k in missing), nlp, n_process=n_process,
                                        batch_size=batch_size, max_length=max_length, piece_doc=_full_doc):
                stats.parsed += 1
                made = _from_worker(doc)
                stats.tokens_parsed += made.tokens if made is not None else len(doc)
                bar.update(1)
                yield key, doc, True
    finally:
        if WORKER_COMPONENT in nlp.pipe_names:
            nlp.remove_pipe(WORKER_COMPONENT)


#: A last pipeline component, added while ``nlp.pipe`` runs in several processes: each worker
#: process extracts the rows and serialises the Doc, so that the parent does not do it for all.
WORKER_COMPONENT = "toolkit_extract_in_worker"
_WORKER_KEY = "toolkit_worker_output"


@Language.factory(WORKER_COMPONENT, default_config={"extractors": []})
def _make_worker_extraction(nlp: Language, name: str, extractors: list[str]) -> Callable[[Doc], Doc]:
    def extract(doc: Doc) -> Doc:
        """An empty stand-in Doc whose context carries the rows and the DocBin: spaCy then sends
        the parent process a few bytes instead of the whole Doc (tensor included) to deserialise,
        and the payload travels pickled beside it, not through msgpack."""
        one_blas_thread_in_this_process()  # inherited after a fork, not after a spawn
        rows = {n: encode_rows(EXTRACTORS[n].function(doc)) for n in extractors}
        stand_in = Doc(doc.vocab)
        stand_in._context = (_WORKER_KEY, len(doc), rows, doc_to_bytes(doc))
        return stand_in

    return extract


class _WorkerOutput(NamedTuple):
    """What :data:`WORKER_COMPONENT` made for one text in a worker process."""

    tokens: int
    rows: dict[str, bytes]
    doc_bytes: bytes


def _from_worker(doc: Doc) -> _WorkerOutput | None:
    """The rows and DocBin a worker made for ``doc``, or None for a Doc made in this process."""
    made = doc._context
    if isinstance(made, tuple) and len(made) == 4 and made[0] == _WORKER_KEY:
        return _WorkerOutput(*made[1:])
    return None


def _full_doc(doc: Doc) -> Doc:
    """The Doc itself, for a worker's stand-in (a piece of a long text, to be joined)."""
    made = _from_worker(doc)
    return doc if made is None else doc_from_bytes(made.doc_bytes, doc.vocab)


def _build_table(extractor: Extractor, ids: list[str], keys: list[str],
                 rows: dict[str, list[Any]]) -> pd.DataFrame:
    names = ["article_id", *extractor.columns]
    columns: list[list[Any]] = [[] for _ in names]  # column lists: no tuple per row held at once
    for article_id, key in zip(ids, keys, strict=True):
        decoded = decode_rows(rows[key])
        if decoded:
            columns[0].extend([article_id] * len(decoded))
            for column, values in zip(columns[1:], zip(*decoded, strict=True), strict=True):
                column.extend(values)
    table = pd.DataFrame(dict(zip(names, columns, strict=True)) if columns[0] else [], columns=names)
    if extractor.name in ("mentions", "places"):
        table = _type_span_columns(table)
    return table


def _type_span_columns(table: pd.DataFrame) -> pd.DataFrame:
    """Stable dtypes for the span columns shared by the mentions and places tables."""
    for column in ("sentence", "start", "end"):
        table[column] = table[column].astype("int64")
    for column in ("article_id", "surface", "label"):
        table[column] = table[column].astype("string")
    return table
