"""The count functions on a synthetic 5-million-row mentions table: pandas and DuckDB.

Run from the repository root::

    python benchmarks/bench_analysis.py                    # 5,000,000 mentions (~3 min on 2 cores)
    python benchmarks/bench_analysis.py --rows 1000000     # quicker look

The table has the columns and dtypes ``annotate()`` gives ``mentions`` (``article_id``, ``sentence``,
``start``, ``end``, ``surface``, ``label``, ``entity``; strings as pandas ``string``), drawn with a
fixed seed: 200,000 articles (one per 25 mentions) from 20 outlets over three years, 60,000
entities with Zipf-like frequencies, four labels (an entity mostly keeps one), 1% missing
entities. Each function runs with the pandas backend and with ``backend="duckdb"`` (on the
DataFrames, and on the same tables written as partitioned Parquet datasets), best of
``--repeats``; every DuckDB result is checked equal to pandas' with ``assert_frame_equal``.

Target: ``entity_counts(mentions)`` under 3 s with pandas, and DuckDB identical.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from bench_annotate import git_revision, verdict  # noqa: E402

import toolkit  # noqa: E402
from toolkit.export import write_dataset  # noqa: E402

TARGET_SECONDS = 3.0
LABELS = np.array(["PERSON", "ORG", "GPE", "NORP"])


def synthetic(rows: int, seed: int = 20261124) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(mentions, articles)`` as described in the module docstring."""
    rng = np.random.default_rng(seed)
    n_articles = max(1, rows // 25)
    n_entities = max(10, rows // 80)
    article_ids = np.array([f"{i:016x}" for i in rng.permutation(n_articles)], dtype=object)
    start = pd.Timestamp("2021-01-01", tz="UTC").value // 10**9
    articles = pd.DataFrame({
        "article_id": pd.array(article_ids, dtype="string"),
        "outlet": pd.array(np.array([f"Outlet {i:02d}" for i in range(20)], dtype=object)[
            rng.integers(0, 20, n_articles)], dtype="string"),
        "published": pd.to_datetime(rng.integers(start, start + 3 * 365 * 86400, n_articles), unit="s",
                                    utc=True),
    })
    names = np.array([f"Entity {i:05d}" for i in range(n_entities)], dtype=object)
    weights = 1.0 / np.arange(1, n_entities + 1) ** 1.1
    entity = rng.choice(n_entities, rows, p=weights / weights.sum())
    label = np.where(rng.random(rows) < 0.9, entity % 4, rng.integers(0, 4, rows))
    entities = names[entity]
    entities[rng.random(rows) < 0.01] = None
    which = np.sort(rng.integers(0, n_articles, rows))
    offsets = rng.integers(0, 5000, rows)
    mentions = pd.DataFrame({
        "article_id": pd.array(article_ids[which], dtype="string"),
        "sentence": rng.integers(0, 40, rows),
        "start": offsets,
        "end": offsets + rng.integers(3, 25, rows),
        "surface": pd.array(entities, dtype="string"),
        "label": pd.array(LABELS[label], dtype="string"),
        "entity": pd.array(entities, dtype="string"),
    })
    return mentions, articles


def best_of(function: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return min(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    mentions, articles = synthetic(args.rows)
    print(f"bench_analysis: {time.strftime('%Y-%m-%d %H:%M')}, commit {git_revision()}, "
          f"{os.cpu_count()} CPUs, pandas {pd.__version__}, duckdb {__import__('duckdb').__version__}; "
          f"{len(mentions):,} mentions, "
          f"{len(articles):,} articles, {mentions['entity'].nunique():,} entities "
          f"(made in {time.perf_counter() - started:.1f} s)")
    cases: list[tuple[str, Callable[..., pd.DataFrame], dict[str, Any], bool]] = [
        ("entity_counts(mentions)", toolkit.entity_counts, {}, False),
        ("entity_counts(mentions, articles)", toolkit.entity_counts, {}, True),
        ("entity_counts(by='outlet', n=20)", toolkit.entity_counts, {"by": "outlet", "n": 20}, True),
        ("entity_counts(by='period', n=20)", toolkit.entity_counts, {"by": "period", "n": 20}, True),
        ("entity_trends(freq='MS')", toolkit.entity_trends, {}, True),
    ]
    summary = []
    with tempfile.TemporaryDirectory(prefix="bench-analysis-") as scratch:
        folder = Path(scratch)
        seconds = time.perf_counter()
        mentions_path = write_dataset(mentions, folder / "mentions",
                                      article_ids=list(articles["article_id"]), articles_per_part=25_000)
        articles_path = write_dataset(articles, folder / "articles", articles_per_part=25_000)
        print(f"partitioned Parquet written in {time.perf_counter() - seconds:.1f} s "
              f"({len(list(mentions_path.iterdir()))} parts)\n")
        print(f"{'function':38} {'pandas':>8} {'duckdb':>8} {'parquet':>8}  rows  identical")
        for name, function, options, with_articles in cases:
            frame_args = (mentions, articles) if with_articles else (mentions,)
            path_args = (mentions_path, articles_path) if with_articles else (mentions_path,)
            t_pandas, expected = best_of(lambda f=function, a=frame_args, o=options: f(*a, **o), args.repeats)
            t_duck, result = best_of(lambda f=function, a=frame_args, o=options: f(*a, backend="duckdb", **o),
                                     args.repeats)
            pd.testing.assert_frame_equal(result, expected)
            t_disk, result = best_of(lambda f=function, a=path_args, o=options: f(*a, backend="duckdb", **o),
                                     args.repeats)
            pd.testing.assert_frame_equal(result, expected)
            print(f"{name:38} {t_pandas:7.2f}s {t_duck:7.2f}s {t_disk:7.2f}s  {len(expected):>6,}  yes")
            if name == "entity_counts(mentions)":
                summary.append(f"entity_counts pandas {t_pandas:.2f} s {verdict(t_pandas < TARGET_SECONDS)} "
                               f"(target < {TARGET_SECONDS:.0f} s); duckdb identical PASS")
    print("\nSUMMARY: " + "; ".join(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
