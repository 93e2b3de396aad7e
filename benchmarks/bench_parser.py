"""What the dependency parser costs: ``annotate()`` with attributions vs named entities only.

Run from the repository root::

    python benchmarks/bench_parser.py              # 300 BBC articles, best of 2 each
    python benchmarks/bench_parser.py --n 100 --repeats 1

Both runs are cold (a fresh temporary cache each time) and alternate after a warm-up:

* ``ner``: ``annotate(outputs=["mentions", "places"])``: pipeline senter + ner;
* ``parser``: ``annotate()`` (all tables, ``attributions`` included): tok2vec + parser + ner, plus
  the attribution extraction and source classification.

The figure is the ratio of the best times, parser / ner; the target is <= 2.0.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO))

from bench_annotate import DEFAULT_CORPUS, count_words, first, load_corpus  # noqa: E402

import toolkit  # noqa: E402

TARGET = 2.0
OUTPUTS = {"ner": ["mentions", "places"], "parser": None}


def run(articles, outputs) -> float:
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        toolkit.annotate(articles, outputs=outputs, cache_dir=cache, progress=False)
        return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    articles = first(load_corpus(args.corpus), args.n)
    words = count_words(list(articles["text"]))
    for outputs in OUTPUTS.values():  # warm-up: load both pipelines and the gazetteer
        run(first(articles, 5), outputs)
    times: dict[str, list[float]] = {name: [] for name in OUTPUTS}
    for _ in range(args.repeats):
        for name, outputs in OUTPUTS.items():
            times[name].append(run(articles, outputs))
    best = {name: min(values) for name, values in times.items()}
    print(f"{len(articles)} articles, {words:,} words")
    for name, value in best.items():
        runs = ", ".join(f"{t:.1f}" for t in times[name])
        print(f"  {name:7} best {value:6.1f} s  ({words / value:,.0f} words/s; runs {runs})")
    ratio = best["parser"] / best["ner"]
    print(f"parser / ner = {ratio:.2f}  (target <= {TARGET}): {'PASS' if ratio <= TARGET else 'FAIL'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
