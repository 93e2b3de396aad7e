"""The distributed engine on a local Dask cluster of two worker processes: the local engine's tables."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import toolkit as tk
from toolkit.annotation import load_pipeline
from toolkit.cli import main
from toolkit.distributed import WORKER_ENVIRON, local_cluster
from toolkit.errors import InputError

distributed = pytest.importorskip("distributed", reason="the scale extra (dask[distributed]) is missing")

DATA = Path(__file__).resolve().parents[1] / "data" / "articles"


@pytest.fixture(scope="module")
def articles() -> pd.DataFrame:
    return tk.load_articles(DATA)


@pytest.fixture(scope="module")
def local(articles: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> tk.Corpus:
    """The local engine's corpus (it also builds the gazetteer index the workers then read)."""
    return tk.annotate(articles, progress=False, cache_dir=tmp_path_factory.mktemp("local-cache"))


@pytest.fixture(scope="module")
def cluster(local: tk.Corpus) -> Iterator[distributed.LocalCluster]:
    with local_cluster(2, threads_per_worker=1, processes=True) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def client(cluster: distributed.LocalCluster) -> Iterator[distributed.Client]:
    with distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def dask_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dask-cache")


@pytest.fixture(scope="module")
def on_dask(articles: pd.DataFrame, cluster: distributed.LocalCluster, dask_cache: Path) -> tk.Corpus:
    """The corpus annotated on the cluster, in small partitions so that both workers get several."""
    return tk.distributed.annotate_distributed(articles, progress=False, cache_dir=dask_cache,
                                               scheduler=cluster.scheduler_address, partition_size=5)


def assert_same_tables(left: tk.Corpus, right: tk.Corpus) -> None:
    assert set(left.tables) == set(right.tables)
    for name in left.tables:
        assert len(left.tables[name]) > 0, name
        pd.testing.assert_frame_equal(left.tables[name], right.tables[name], obj=name)


def test_tables_identical_to_local_engine(local: tk.Corpus, on_dask: tk.Corpus,
                                          articles: pd.DataFrame) -> None:
    assert on_dask.stats.parsed == len(articles)
    assert set(on_dask.tables) == {"mentions", "places", "attributions"}
    assert_same_tables(local, on_dask)
    pd.testing.assert_frame_equal(on_dask.articles, local.articles)


def test_model_loaded_once_per_worker(on_dask: tk.Corpus, client: distributed.Client,
                                      cluster: distributed.LocalCluster) -> None:
    """Eight partitions ran on two workers; each loaded the pipeline once (the plugin did)."""
    loads = client.run(lambda: load_pipeline.cache_info().misses)
    assert len(loads) == 2
    assert all(count == 1 for count in loads.values()), loads


def test_workers_run_without_malloc_trim_threshold(client: distributed.Client) -> None:
    import os

    assert WORKER_ENVIRON["MALLOC_TRIM_THRESHOLD_"] is None
    seen = client.run(lambda: (os.environ.get("MALLOC_TRIM_THRESHOLD_"), os.environ.get("OMP_NUM_THREADS")))
    assert set(seen.values()) == {(None, "1")}


def test_cache_written_by_the_client_serves_the_local_engine(on_dask: tk.Corpus, dask_cache: Path,
                                                             articles: pd.DataFrame) -> None:
    finished = tk.annotate(articles, progress=False, cache_dir=dask_cache)  # the stored result
    assert finished.stats.parsed == 0 and finished.stats.from_cached_tables == len(articles)
    assert_same_tables(on_dask, finished)
    with sqlite3.connect(on_dask.cache_path) as db:  # rebuilt from the rows the client cached
        db.execute("DELETE FROM results")
    again = tk.annotate(articles, progress=False, cache_dir=dask_cache)
    assert again.stats.parsed == 0 and again.stats.from_cached_tables == len(articles)
    assert_same_tables(on_dask, again)
    doc = on_dask.doc(articles["article_id"].iloc[0])
    assert doc.text == articles["text"].iloc[0] and len(doc.ents) > 0


def test_new_tables_from_cached_docs(articles: pd.DataFrame, cluster: distributed.LocalCluster,
                                     tmp_path: Path) -> None:
    """Docs already in the cache are not sent to the cluster: only the missing tables are built."""
    subset = articles.head(6)
    tk.annotate(subset, outputs=["mentions"], progress=False, cache_dir=tmp_path)
    corpus = tk.annotate(subset, outputs=["mentions", "places"], progress=False, cache_dir=tmp_path,
                         engine="dask", scheduler=cluster.scheduler_address)
    assert corpus.stats.parsed == 0 and corpus.stats.from_cached_docs == len(subset)
    expected = tk.annotate(subset, outputs=["mentions", "places"], progress=False, use_cache=False)
    assert len(expected.places) > 0
    assert_same_tables(corpus, expected)


def test_extract_command_on_the_cluster(articles: pd.DataFrame, local: tk.Corpus,
                                        cluster: distributed.LocalCluster, tmp_path: Path) -> None:
    """``extract --engine dask --scheduler ADDRESS --partitioned`` writes folders of parts."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in sorted(DATA.glob("*.txt"))[:4]:
        shutil.copy(path, folder / path.name)
    status = main(["extract", str(folder), "--out", str(tmp_path / "out"), "--engine", "dask",
                   "--scheduler", cluster.scheduler_address, "--partitioned", "--no-cache", "--quiet"])
    assert status == 0
    written = pd.read_parquet(tmp_path / "out" / "mentions")
    assert sorted(p.name for p in (tmp_path / "out" / "mentions").iterdir()) == ["part-00000.parquet"]
    expected = tk.annotate(tk.load_articles(folder), outputs=["mentions", "places", "attributions"],
                           use_cache=False, progress=False).mentions
    pd.testing.assert_frame_equal(written, expected)
    assert set(written["article_id"]) <= set(pd.read_parquet(tmp_path / "out" / "articles")["article_id"])


def test_out_writes_partitioned_datasets(on_dask: tk.Corpus, tmp_path: Path) -> None:
    paths = tk.distributed.write_corpus(on_dask, tmp_path, partitioned=True, articles_per_part=10)
    assert [p.name for p in paths] == ["articles", "mentions", "places", "attributions"]
    for name, table in on_dask.tables.items():
        parts = sorted((tmp_path / name).glob("part-*.parquet"))
        assert len(parts) == 4  # 37 articles, 10 per part
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / name), table, obj=name)
    counts = tk.entity_counts(tmp_path / "mentions", tmp_path / "articles", by="outlet", backend="duckdb")
    pd.testing.assert_frame_equal(counts, tk.entity_counts(on_dask.mentions, on_dask.articles, by="outlet"))


def test_bad_engine_arguments(articles: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="engine must be 'local' or 'dask'"):
        tk.annotate(articles.head(2), engine="spark")
    with pytest.raises(InputError, match="scheduler= needs engine='dask'"):
        tk.annotate(articles.head(2), scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(InputError, match="partition_size"):
        tk.distributed.annotate_distributed(articles.head(2), partition_size=0)
    with pytest.raises(InputError, match="scheduler must be an address"):
        tk.distributed.annotate_distributed(articles.head(2), scheduler=8786, use_cache=False)
