"""The distributed engine: annotation and extraction on a Dask cluster.

``annotate(articles, engine="dask")`` (or ``python -m toolkit extract ... --engine dask``) runs
the expensive stage, spaCy and the extractors, on the workers of a `Dask distributed
<https://distributed.dask.org>`_ cluster, and everything else where the local engine runs it.
The tables are the local engine's, row for row.

How the work is split
---------------------
* The client (the process calling ``annotate``) loads the articles, looks every article up in
  the annotation cache, and sends only the articles to annotate to the workers, as *partitions*
  of consecutive articles (``partition_size``, by default about eight per worker, between 8 and
  256 articles). At most two partitions per worker are in flight at once, so neither the client
  nor the scheduler ever holds the whole corpus's texts or results twice.
* Each worker loads the model once (a worker plugin loads it when the worker joins, and
  :func:`toolkit.annotation.load_pipeline` keeps it per process) and checks that it is the very
  model the client keys the cache with (same version), runs ``nlp.pipe`` over its partition and
  the extractors over each Doc, and returns the rows and the serialised Doc.
* The cache is one SQLite file, which many machines cannot share safely, so workers never touch
  it: the client writes the Docs and rows it receives, in batches, as the partitions come back
  (an interrupted run keeps every finished partition). A second run, local or distributed, reads
  them back and needs no cluster at all.
* Building the tables and the corpus-wide steps (entity normalisation, place resolution, source
  classification) run on the client, as with the local engine: they need every article at once.
  With ``out=``, the tables are then written as partitioned Parquet datasets
  (:func:`toolkit.export.write_dataset`), which :func:`toolkit.entity_counts` and the other count
  functions read out of core with ``backend="duckdb"``.

Pointing it at a cluster
------------------------
``scheduler=None`` starts a local cluster for the call (``n_process`` worker processes, or one per
core, one thread each) and closes it afterwards. Give the address of a running scheduler to use a
real cluster, e.g. one started by hand::

    dask scheduler                                   # on one machine: tcp://10.0.0.5:8786
    dask worker tcp://10.0.0.5:8786 --nworkers 8 --nthreads 1 --memory-limit 4GiB   # on each worker

or by dask-jobqueue (SLURM, PBS), dask-kubernetes or Coiled, then::

    corpus = tk.annotate(articles, engine="dask", scheduler="tcp://10.0.0.5:8786")

A ``distributed.Client`` may be passed as ``scheduler`` too. Every worker needs the toolkit and the
same spaCy model (same version) installed; give each worker one thread (spaCy is single-threaded
per process; use more worker processes instead) and about 1.5 GiB of memory per process for the
parser.

Worker environment (``MALLOC_TRIM_THRESHOLD_``)
-----------------------------------------------
distributed's nanny sets ``MALLOC_TRIM_THRESHOLD_=65536`` in every worker by default (config key
``distributed.nanny.pre-spawn-environ``). Setting that variable switches off glibc's dynamic
mmap threshold, so every large temporary array spaCy allocates is mapped and unmapped afresh,
page-faulting on each use. The local clusters this module starts use :data:`WORKER_ENVIRON`
instead: the default's thread limits without the malloc setting (benchmarks/README.md has the
measurement). On a real cluster set the same on the worker machines before starting the
workers, in a Dask config file (``~/.config/dask/distributed.yaml``)::

    distributed:
      nanny:
        pre-spawn-environ:
          MALLOC_TRIM_THRESHOLD_: null

or as ``export DASK_DISTRIBUTED__NANNY__PRE_SPAWN_ENVIRON='{"MALLOC_TRIM_THRESHOLD_": null}'``
(and make sure the variable is not in the workers' own environment).

Example:
    >>> import toolkit as tk
    >>> corpus = tk.annotate(tk.load_articles("data/articles"), engine="dask")   # doctest: +SKIP
    >>> corpus = tk.annotate(articles, engine="dask", scheduler="tcp://10.0.0.5:8786")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from tqdm.auto import tqdm

from .annotation import (
    doc_to_bytes,
    load_pipeline,
    resolve_model,
    stream_docs,
)
from .errors import InputError, ModelError, ToolkitError
from .pipeline import (
    EXTRACTORS,
    AnnotateStats,
    Corpus,
    _cache_file,
    _CacheWriter,
    _docs_for,
    _finished_tables,
    _in_model_language,
    _prepare_articles,
    _text_key,
    _TextsByKey,
    finish_annotation,
    plan_annotation,
)
from .store import AnnotationStore, default_cache_dir, encode_rows, result_key

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["WORKER_ENVIRON", "annotate_distributed", "local_cluster", "write_corpus"]

logger = logging.getLogger(__name__)

#: ``distributed.nanny.pre-spawn-environ`` of the local clusters started here: one thread for the
#: numerical libraries (as distributed's default) and no ``MALLOC_TRIM_THRESHOLD_`` (``None``
#: removes it), which would switch off glibc's dynamic mmap threshold and slow spaCy down.
WORKER_ENVIRON: dict[str, str | None] = {
    "MALLOC_TRIM_THRESHOLD_": None,
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
}
#: Partitions in flight per worker: one running, one queued so that no worker waits for the client.
IN_FLIGHT_PER_WORKER = 2
_PARTITION_RANGE = (8, 256)  # articles per partition, by default


def _distributed() -> Any:
    try:
        import distributed
    except ImportError as error:  # pragma: no cover - dask ships with the scale and test extras
        raise ToolkitError("engine='dask' needs dask.distributed: pip install 'media-toolkit[scale]'") \
            from error
    return distributed


def local_cluster(n_workers: int | None = None, *, environ: dict[str, str | None] | None = None,
                  **kwargs: Any) -> Any:
    """A ``distributed.LocalCluster`` of single-threaded worker processes with a chosen environment.

    ``environ`` (default :data:`WORKER_ENVIRON`) replaces distributed's
    ``pre-spawn-environ`` for these workers; ``n_workers`` defaults to the number of cores.
    Other keyword arguments go to ``LocalCluster``.

    >>> with local_cluster(2) as cluster:                        # doctest: +SKIP
    ...     corpus = annotate(articles, engine="dask", scheduler=cluster.scheduler_address)
    """
    import dask

    distributed = _distributed()
    environ = WORKER_ENVIRON if environ is None else environ
    options: dict[str, Any] = {"n_workers": n_workers or os.cpu_count() or 1, "threads_per_worker": 1,
                               "processes": True, "dashboard_address": None}
    options.update(kwargs)
    with dask.config.set({"distributed.nanny.pre-spawn-environ": dict(environ)}):
        return distributed.LocalCluster(**options)


_PLUGIN_NAME = "toolkit-model"


_WARM_UP_TEXT = ("Warm-up\n\nThe mayor of Leeds, Jane Smith, told Reuters on Monday that the talks in Paris "
                 "had \"gone well\", according to officials.")


def _model_plugin(model: str, components: tuple[str, ...], version: str, extractors: tuple[str, ...]) -> Any:
    """A worker plugin that loads the model when a worker starts (checking it is the client's) and
    runs the extractors once, so that their resources (gazetteer, lexicons) are loaded before the
    first partition arrives."""
    distributed = _distributed()

    class ModelPlugin(distributed.WorkerPlugin):
        def setup(self, worker: Any) -> None:
            _annotate_partition([("warm-up", _WARM_UP_TEXT)], model, components, version, extractors,
                                None, None, False)

    return ModelPlugin()


def _load_checked(model: str, components: tuple[str, ...], version: str) -> Any:
    spec = resolve_model(model)
    if spec.version != version:
        raise ModelError(f"worker {os.uname().nodename} has spaCy model {model!r} version {spec.version}, "
                         f"the client {version}: install the same version on every worker")
    return load_pipeline(model, components)


def _annotate_partition(items: list[tuple[str, str]], model: str, components: tuple[str, ...], version: str,
                        extractors: tuple[str, ...], max_length: int | None, batch_size: int | None,
                        keep_docs: bool) -> list[tuple[str, dict[str, bytes], bytes | None, int]]:
    """On a worker: ``(key, {extractor: encoded rows}, Doc bytes or None, tokens)`` per ``(key, text)``."""
    nlp = _load_checked(model, components, version)
    results = []
    for key, doc in stream_docs(items, nlp, batch_size=batch_size, max_length=max_length):
        rows = {name: encode_rows(EXTRACTORS[name].function(doc)) for name in extractors}
        results.append((key, rows, doc_to_bytes(doc) if keep_docs else None, len(doc)))
    return results


def _partition_size(todo: int, workers: int) -> int:
    low, high = _PARTITION_RANGE
    return max(low, min(high, math.ceil(todo / max(1, 8 * workers))))


def annotate_distributed(
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
    scheduler: str | Client | None = None,
    partition_size: int | None = None,
    out: str | os.PathLike[str] | None = None,
) -> Corpus:
    """:func:`toolkit.annotate` with the model and extractors run on a Dask cluster.

    The arguments are :func:`toolkit.annotate`'s, plus ``scheduler`` (the address of a running
    Dask scheduler such as ``"tcp://10.0.0.5:8786"``, a ``distributed.Client``, or None for a
    local cluster of ``n_process`` workers, or one per core when ``n_process`` is 1),
    ``partition_size`` (articles per task; default about eight tasks per worker) and ``out`` (a
    folder to write the articles and every table to as partitioned Parquet datasets,
    ``out/<table>/part-NNNNN.parquet``). See the module docstring for what runs where.

    >>> corpus = annotate_distributed(load_articles("data/articles"), n_process=2)   # doctest: +SKIP
    >>> corpus.stats.parsed                                                          # doctest: +SKIP
    37
    """
    articles = _prepare_articles(articles)
    if partition_size is not None and partition_size < 1:
        raise InputError(f"partition_size must be at least 1, got {partition_size}")
    extractors, spec, components, settings = plan_annotation(outputs, model, n_process, max_length)

    analysed = _in_model_language(articles, spec)
    ids = list(articles.loc[analysed, "article_id"])
    texts = articles.loc[analysed, "text"].array
    keys = [_text_key(t) for t in texts]
    text_of = _TextsByKey(keys, texts)
    stats = AnnotateStats(articles=len(ids), not_annotated=int((~analysed).sum()))
    rows: dict[str, dict[str, Any]] = {e.name: {} for e in extractors}  # rows encoded by encode_rows
    cache_path = _cache_file(Path(cache_dir or default_cache_dir()), spec, settings) if use_cache else None
    finished = result_key(articles, keys, [e.cache_name for e in extractors], settings, aliases) \
        if cache_path else None
    tables = _finished_tables(cache_path, finished, keys, extractors)
    if tables is not None:  # the same corpus, settings and code as a finished run: nothing to do
        stats.from_cached_tables = len(keys)
        corpus = Corpus(articles, tables, spec, components, cache_path, stats,
                        dict(zip(ids, keys, strict=True)))
        if out is not None:
            write_corpus(corpus, out, partitioned=True)
        return corpus
    with ExitStack() as stack:
        store = None
        if cache_path is not None:
            store = stack.enter_context(AnnotationStore(
                cache_path, info={k: json.dumps(v) for k, v in settings.items()}))
            for e in extractors:
                rows[e.name] = store.get_derived(keys, e.cache_name, raw=True)
        todo = list(dict.fromkeys(k for k in keys if any(k not in rows[e.name] for e in extractors)))
        waiting = set(todo)
        stats.from_cached_tables = sum(k not in waiting for k in keys)
        writer = _CacheWriter(store)

        def take(key: str, found: dict[str, bytes]) -> None:
            for e in extractors:
                if key not in rows[e.name]:
                    rows[e.name][key] = found[e.name]
                    writer.add_rows(key, e.cache_name, found[e.name])

        cached_docs = store.doc_keys(todo) if store is not None else set()
        if cached_docs:  # new extractors over Docs already annotated: cheap, done here
            for key, doc, _ in _docs_for([k for k in todo if k in cached_docs], text_of, store, spec,
                                         components, stats, n_process=1, batch_size=batch_size,
                                         max_length=max_length, progress=False):
                take(key, {e.name: encode_rows(e.function(doc)) for e in extractors
                           if key not in rows[e.name]})
        missing = [k for k in todo if k not in cached_docs]
        if missing:
            client = _client(stack, scheduler, n_process)
            for key, found, data, tokens in _run_on_cluster(
                    client, missing, text_of, spec.name, components, spec.version,
                    tuple(e.name for e in extractors), max_length=max_length, batch_size=batch_size,
                    keep_docs=store is not None, partition_size=partition_size, progress=progress):
                stats.parsed += 1
                stats.tokens_parsed += tokens
                take(key, found)
                if data is not None:
                    writer.add_doc(key, None, data)
        writer.flush()

    corpus = finish_annotation(extractors, ids, keys, rows, articles, spec, components, stats,
                               cache_path=cache_path, finished=finished, aliases=aliases,
                               where=" on the cluster")
    if out is not None:
        write_corpus(corpus, out, partitioned=True)
    return corpus


def _client(stack: ExitStack, scheduler: Any, n_process: int) -> Client:
    """A client of ``scheduler`` (an address, a Client, or None: a local cluster closed with ``stack``)."""
    distributed = _distributed()
    if isinstance(scheduler, distributed.Client):
        return scheduler
    if scheduler is None:
        cluster = stack.enter_context(local_cluster(n_process if n_process > 1 else None))
        return stack.enter_context(distributed.Client(cluster))
    if not isinstance(scheduler, str):
        raise InputError(f"scheduler must be an address such as 'tcp://10.0.0.5:8786', a distributed.Client "
                         f"or None, got {type(scheduler).__name__}")
    try:
        return stack.enter_context(distributed.Client(scheduler, timeout="30s"))
    except OSError as error:
        raise ToolkitError(f"cannot reach the Dask scheduler at {scheduler}: {error} (is `dask scheduler` "
                           "running there, and the port open?)") from error


def _run_on_cluster(client: Client, keys: list[str], text_of: _TextsByKey, model: str,
                    components: tuple[str, ...], version: str, extractors: tuple[str, ...], *,
                    max_length: int | None, batch_size: int | None, keep_docs: bool,
                    partition_size: int | None, progress: bool) -> Any:
    """Yield ``(key, rows, Doc bytes, tokens)`` for ``keys`` as the workers finish their partitions."""
    distributed = _distributed()
    client.register_plugin(_model_plugin(model, components, version, extractors), name=_PLUGIN_NAME)
    workers = max(1, len(client.scheduler_info(n_workers=-1).get("workers", {})))
    size = partition_size or _partition_size(len(keys), workers)
    partitions = [keys[i : i + size] for i in range(0, len(keys), size)]
    logger.info("annotating %d articles in %d partitions of up to %d on %d workers", len(keys),
                len(partitions), size, workers)

    def submit(number: int) -> Any:
        items = [(k, text_of[k]) for k in partitions[number]]
        name = f"toolkit-annotate-{number}-{partitions[number][0][:12]}"
        return client.submit(_annotate_partition, items, model, components, version, extractors, max_length,
                             batch_size, keep_docs, key=name, pure=False)

    pending = iter(range(len(partitions)))
    first = [submit(i) for _, i in zip(range(IN_FLIGHT_PER_WORKER * workers), pending, strict=False)]
    running = distributed.as_completed(first)
    with tqdm(total=len(keys), desc="Annotating", unit="article", disable=not progress) as bar:
        for future in running:
            results = future.result()
            future.release()
            following = next(pending, None)
            if following is not None:
                running.add(submit(following))
            yield from results
            bar.update(len(results))


def write_corpus(corpus: Corpus, out: str | os.PathLike[str], *, partitioned: bool = False,
                 articles_per_part: int | None = None) -> list[Path]:
    """Write the articles and every table of ``corpus`` in ``out``; returns the paths written.

    ``partitioned=False`` writes ``out/<table>.parquet``; ``partitioned=True`` writes partitioned
    datasets ``out/<table>/part-NNNNN.parquet`` whose parts cover the same articles in every table
    (see :func:`toolkit.export.write_dataset`).

    >>> write_corpus(corpus, "output", partitioned=True)           # doctest: +SKIP
    [PosixPath('output/articles'), PosixPath('output/mentions'), ...]
    """
    from .export import ARTICLES_PER_PART, write_dataset, write_table

    out = Path(out)
    tables = {"articles": corpus.articles, **corpus.tables}
    if not partitioned:
        return [write_table(table, out / f"{name}.parquet") for name, table in tables.items()]
    ids = list(corpus.articles["article_id"])
    per_part = articles_per_part or ARTICLES_PER_PART
    return [write_dataset(table, out / name, article_ids=ids, articles_per_part=per_part)
            for name, table in tables.items()]
