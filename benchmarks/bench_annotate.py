"""Benchmark of ``toolkit.annotate()`` on the BBC News corpus (named entities: the ``mentions`` table).

Run from the repository root (the toolkit and its spaCy model must be importable)::

    python benchmarks/bench_annotate.py                  # full run, several minutes on 2 cores
    python benchmarks/bench_annotate.py --skip-rss       # throughput and cache figures only
    python benchmarks/bench_annotate.py --n 200 --repeats 1 --rss-sizes 100,400   # quick look

The machine this runs on is shared and noisy, so every figure is a RATIO of two timings (or two
memory peaks) taken in the same run, checked against a target:

1. Throughput: words/s of ``annotate()`` (cold, fresh temporary cache, progress bar off) divided
   by words/s of a bare ``nlp.pipe`` over the same texts, with the same pipeline object (loaded
   through ``toolkit.annotation.load_pipeline`` with the components ``annotate`` uses) and the same
   ``batch_size`` and ``n_process``. Words are whitespace-separated tokens. The two are
   alternated ``--repeats`` times after a warm-up and the best of each is kept. Target >= 0.90:
   caching Docs, extracting mentions and building the table may cost at most 10%.
2. Cached re-run: a second ``annotate()`` of the same articles into the same cache (it must
   parse nothing) divided by the cold time. Target <= 0.02 (at least 50x faster).
3. Peak RSS: ``annotate()`` of the first 500 and of the first 2,000 articles, each in a fresh
   child process (this script with the hidden ``--rss-child N``), peak at 2,000 / peak at 500.
   Target <= 1.3: the articles and mentions tables grow with N, the Docs must not be kept.
   The child also reports its peak after ``load_articles`` alone and the in-memory size of the two
   tables, to separate table growth from annotation growth.

Articles: the five topic folders of the corpus, loaded with ``toolkit.load_articles`` in sorted
path order; after it drops exact duplicate texts, files whose body (the text after the headline)
repeats an earlier one are dropped too (FORMAT.md: 133 files repeat another's body). The first
``--n`` of those are benchmarked.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # lets a plain checkout run the script without `pip install -e .`

import pandas as pd  # noqa: E402
import spacy  # noqa: E402

import toolkit  # noqa: E402
from toolkit.annotation import PARAGRAPH_COMPONENT, components_for, load_pipeline, resolve_model  # noqa: E402

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "bbc-news"
THROUGHPUT_TARGET = 0.90  # annotate words/s over raw nlp.pipe words/s, at least
CACHED_TARGET = 1 / 50  # cached re-run time over cold time, at most
RSS_TARGET = 1.3  # peak RSS at the larger size over the smaller, at most
CHILD_MARK = "RSS-CHILD "  # prefix of the line a --rss-child process reports on
WARM_UP_ARTICLES = 8


# --------------------------------------------------------------------------- command line


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help=f"BBC News corpus folder (default: {DEFAULT_CORPUS})")
    parser.add_argument("--n", type=int, default=500, help="articles for throughput and cache (default 500)")
    parser.add_argument("--n-process", type=int, default=1, help="processes for nlp.pipe (default 1)")
    parser.add_argument("--batch-size", type=int, default=None,
                        help="nlp.pipe batch size for both annotate and raw (default: the model's)")
    parser.add_argument("--repeats", type=int, default=2,
                        help="alternating raw/annotate timing pairs; the best of each is kept (default 2)")
    parser.add_argument("--rss-sizes", default="500,2000",
                        help="two article counts for the peak-RSS comparison (default 500,2000)")
    parser.add_argument("--skip-rss", action="store_true", help="skip the peak-RSS child processes")
    parser.add_argument("--rss-child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.n < 1 or args.repeats < 1 or args.n_process < 1:
        parser.error("--n, --repeats and --n-process must be at least 1")
    try:
        args.rss_sizes = [int(s) for s in args.rss_sizes.split(",")]
    except ValueError:
        parser.error(f"--rss-sizes takes two integers, e.g. 500,2000; got {args.rss_sizes!r}")
    if len(args.rss_sizes) != 2:
        parser.error(f"--rss-sizes takes exactly two sizes, got {args.rss_sizes}")
    return args


# --------------------------------------------------------------------------- corpus and helpers


def load_corpus(corpus: Path) -> pd.DataFrame:
    """The deduplicated articles of the topic folders of ``corpus``, in sorted path order."""
    if not corpus.is_dir():
        sys.exit(f"bench_annotate: corpus not found at {corpus}\n"
                 "  The BBC News corpus ships beside the repository (../shared/corpora/bbc-news); "
                 "pass --corpus PATH to use another copy.")
    folders = sorted(p for p in corpus.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        sys.exit(f"bench_annotate: no topic folders in {corpus} (expected business/, politics/, ...)")
    articles = toolkit.load_articles(folders)
    bodies = articles["text"].map(lambda text: text.partition("\n")[2].strip())
    articles = articles[~bodies.duplicated().to_numpy()].reset_index(drop=True)
    articles.attrs["files"] = articles.attrs["load_report"].inputs
    return articles


def first(articles: pd.DataFrame, n: int) -> pd.DataFrame:
    """The first ``n`` articles (all of them when there are fewer)."""
    return articles.head(n).reset_index(drop=True)


def count_words(texts: Sequence[str]) -> int:
    return sum(len(text.split()) for text in texts)


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds ``function()`` took (perf_counter), and what it returned."""
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def peak_rss_mib() -> float:
    """This process's peak resident set size so far, in MiB.

    Linux: ``VmHWM`` of /proc/self/status. ``ru_maxrss`` is not used there because ``exec``
    carries the parent's high-water mark over into the child's ``ru_maxrss`` (the kernel records
    the peak of the replaced address space), so a child started by a 500 MiB parent reports at
    least 500 MiB. Elsewhere ``ru_maxrss`` (KiB on Linux, bytes on macOS).
    """
    status = _proc_status()
    if "VmHWM" in status:
        return status["VmHWM"]
    return ru_maxrss_mib()


def ru_maxrss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def current_rss_mib() -> float | None:
    """The resident set size now, in MiB (Linux only; None elsewhere)."""
    return _proc_status().get("VmRSS")


def _proc_status() -> dict[str, float]:
    """The ``kB`` fields of /proc/self/status in MiB (empty where there is no /proc)."""
    try:
        lines = Path("/proc/self/status").read_text().splitlines()
    except OSError:
        return {}
    fields: dict[str, float] = {}
    for line in lines:
        name, _, value = line.partition(":")
        parts = value.split()
        if len(parts) == 2 and parts[1] == "kB":
            fields[name] = int(parts[0]) / 2**10
    return fields


def frame_mib(frame: pd.DataFrame) -> float:
    return float(frame.memory_usage(deep=True).sum()) / 2**20


def git_revision() -> str:
    """The repository's commit (``+dirty`` with uncommitted changes under toolkit/), or ``unknown``."""
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "toolkit"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


# --------------------------------------------------------------------------- the timed runs


@dataclass
class Setup:
    """What both sides of the throughput comparison share."""

    articles: pd.DataFrame
    texts: list[str]
    words: int
    components: tuple[str, ...]
    n_process: int
    batch_size: int | None


def make_setup(articles: pd.DataFrame, args: argparse.Namespace) -> Setup:
    spec = resolve_model()
    components = components_for({"ner"}, spec)
    texts = list(articles["text"])
    return Setup(articles, texts, count_words(texts), components, args.n_process, args.batch_size)


def warm_up(setup: Setup) -> None:
    """Load the pipeline once (cached per process) and run a few texts through both paths."""
    sample = first(setup.articles, WARM_UP_ARTICLES)
    toolkit.annotate(sample, use_cache=False, progress=False, batch_size=setup.batch_size)
    nlp = load_pipeline(resolve_model().name, setup.components)
    for _ in nlp.pipe(list(sample["text"]), batch_size=setup.batch_size):
        pass


def run_raw(setup: Setup) -> None:
    """Bare ``nlp.pipe`` over the texts with the pipeline ``annotate`` uses; the Docs are discarded."""
    nlp = load_pipeline(resolve_model().name, setup.components)
    for _ in nlp.pipe(setup.texts, batch_size=setup.batch_size, n_process=setup.n_process):
        pass


def run_annotate(setup: Setup, cache_dir: Path) -> toolkit.Corpus:
    return toolkit.annotate(setup.articles, outputs=["mentions"], n_process=setup.n_process,
                            batch_size=setup.batch_size, cache_dir=cache_dir, progress=False)


@dataclass
class Throughput:
    raw: list[float]
    cold: list[float]
    cache_dir: Path  # the cache the last cold run filled
    mentions: int

    @property
    def ratio(self) -> float:
        return min(self.raw) / min(self.cold)  # (words/best annotate) / (words/best raw)


def bench_throughput(setup: Setup, repeats: int, scratch: Path) -> Throughput:
    """Alternate raw and cold annotate runs ``repeats`` times; each annotate gets a fresh cache."""
    raw: list[float] = []
    cold: list[float] = []
    cache_dir = scratch
    mentions = 0
    for number in range(repeats):
        raw.append(timed(lambda: run_raw(setup))[0])
        cache_dir = scratch / f"cold-{number}"
        seconds, corpus = timed(lambda d=cache_dir: run_annotate(setup, d))
        assert corpus.stats.parsed == len(setup.texts), corpus.stats
        cold.append(seconds)
        mentions = len(corpus.mentions)
        del corpus
        gc.collect()
    return Throughput(raw, cold, cache_dir, mentions)


def bench_cached(setup: Setup, cache_dir: Path, repeats: int = 3) -> list[float]:
    """Times of ``annotate()`` re-runs into a filled cache; each must parse nothing."""
    times: list[float] = []
    for _ in range(repeats):
        seconds, corpus = timed(lambda: run_annotate(setup, cache_dir))
        assert corpus.stats.parsed == 0, f"cached re-run parsed articles: {corpus.stats}"
        assert corpus.stats.from_cached_tables == len(setup.texts), corpus.stats
        times.append(seconds)
    return times


# --------------------------------------------------------------------------- peak RSS


def rss_child(n: int, args: argparse.Namespace) -> None:
    """Hidden ``--rss-child N`` mode: load, annotate N articles cold, print the memory figures as JSON."""
    imported = current_rss_mib()
    articles = first(load_corpus(args.corpus), n)
    gc.collect()
    report: dict[str, Any] = {
        "n": len(articles),
        "rss_after_import": imported,
        "peak_after_load": peak_rss_mib(),
        "rss_before_annotate": current_rss_mib(),
        "articles_mib": frame_mib(articles),
    }
    with tempfile.TemporaryDirectory(prefix="bench-rss-") as cache_dir:
        seconds, corpus = timed(lambda: toolkit.annotate(
            articles, outputs=["mentions"], n_process=args.n_process, batch_size=args.batch_size,
            cache_dir=cache_dir, progress=False))
        report.update(peak=peak_rss_mib(), ru_maxrss=ru_maxrss_mib(), seconds=seconds,
                      parsed=corpus.stats.parsed, words=count_words(list(articles["text"])),
                      mentions=len(corpus.mentions), mentions_mib=frame_mib(corpus.mentions))
    print(CHILD_MARK + json.dumps(report), flush=True)


def run_rss_child(n: int, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--rss-child", str(n),
               "--corpus", str(args.corpus), "--n-process", str(args.n_process)]
    if args.batch_size:
        command += ["--batch-size", str(args.batch_size)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith(CHILD_MARK)]
    if done.returncode != 0 or not lines:
        sys.exit(f"bench_annotate: the --rss-child {n} process failed (exit {done.returncode}):\n"
                 f"{done.stderr[-3000:]}")
    return json.loads(lines[-1][len(CHILD_MARK):])


# --------------------------------------------------------------------------- report


def _runs(times: list[float]) -> str:
    return ", ".join(f"{t:.1f}" for t in times)


def show_throughput(setup: Setup, result: Throughput) -> None:
    n, words = len(setup.texts), setup.words
    print(f"\n[1] Throughput: {n:,} articles, {words:,} words; best of {len(result.raw)} alternating runs")
    print(f"    raw nlp.pipe      {min(result.raw):7.2f} s  {words / min(result.raw):9,.0f} words/s"
          f"   (runs: {_runs(result.raw)} s)")
    print(f"    annotate (cold)   {min(result.cold):7.2f} s  {words / min(result.cold):9,.0f} words/s"
          f"   (runs: {_runs(result.cold)} s; {result.mentions:,} mentions)")
    ok = result.ratio >= THROUGHPUT_TARGET
    print(f"    ratio annotate/raw  {result.ratio:.3f}   target >= {THROUGHPUT_TARGET:.2f}   {verdict(ok)}")


def show_cached(cold: float, cached: list[float]) -> float:
    ratio = min(cached) / cold
    print(f"\n[2] Cached re-run (same cache, parsed == 0): best of {len(cached)}")
    print(f"    cold  {cold:7.2f} s   cached {min(cached):7.3f} s   "
          f"(runs: {', '.join(f'{t:.3f}' for t in cached)} s)")
    print(f"    ratio cached/cold  {ratio:.4f} (1/{1 / ratio:,.0f})   target <= {CACHED_TARGET:.2f}   "
          f"{verdict(ratio <= CACHED_TARGET)}")
    return ratio


def show_rss(small: dict[str, Any], large: dict[str, Any]) -> float:
    ratio = large["peak"] / small["peak"]
    print("\n[3] Peak RSS of a cold annotate() in a fresh process (MiB)")
    print(f"    {'articles':>8} {'words':>9} {'import':>7} {'loaded':>7} {'before':>7} {'peak':>7} "
          f"{'growth':>7} {'articles':>9} {'mentions':>9} {'seconds':>8}")
    for child in (small, large):
        growth = child["peak"] - (child["rss_before_annotate"] or child["peak_after_load"])
        print(f"    {child['n']:>8,} {child['words']:>9,} {child['rss_after_import'] or 0:>7.0f} "
              f"{child['peak_after_load']:>7.0f} {child['rss_before_annotate'] or 0:>7.0f} "
              f"{child['peak']:>7.0f} {growth:>7.0f} {child['articles_mib']:>9.1f} "
              f"{child['mentions_mib']:>9.1f} {child['seconds']:>8.1f}")
    print("    (import: RSS after imports; loaded: peak after load_articles of the whole corpus; before: RSS")
    print("     when annotate() starts; growth: peak - before; articles/mentions: the tables' deep size)")
    table_growth = sum(large[k] - small[k] for k in ("articles_mib", "mentions_mib"))
    print(f"    peak {large['n']:,}/{small['n']:,} = {ratio:.3f}   target <= {RSS_TARGET}   "
          f"{verdict(ratio <= RSS_TARGET)}   (peak difference {large['peak'] - small['peak']:.0f} MiB, "
          f"of which the two tables {table_growth:.0f} MiB)")
    return ratio


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.rss_child is not None:
        rss_child(args.rss_child, args)
        return
    corpus = load_corpus(args.corpus)
    setup = make_setup(first(corpus, args.n), args)
    spec = resolve_model()
    print(f"bench_annotate: {time.strftime('%Y-%m-%d %H:%M')}, commit {git_revision()}, "
          f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, spaCy {spacy.__version__}, "
          f"pandas {pd.__version__}")
    print(f"corpus {args.corpus}: {corpus.attrs['files']:,} files, {len(corpus):,} distinct articles")
    print(f"model {spec.label}; components {', '.join(setup.components)} + {PARAGRAPH_COMPONENT}; "
          f"n_process={setup.n_process}, batch_size={setup.batch_size or 'model default'}")

    warm_up(setup)
    with tempfile.TemporaryDirectory(prefix="bench-annotate-") as scratch:
        throughput = bench_throughput(setup, args.repeats, Path(scratch))
        show_throughput(setup, throughput)
        cached_ratio = show_cached(min(throughput.cold), bench_cached(setup, throughput.cache_dir))

    rss_ratio: float | None = None
    if args.skip_rss:
        print("\n[3] Peak RSS: skipped (--skip-rss)")
    else:
        small, large = [run_rss_child(n, args) for n in args.rss_sizes]
        rss_ratio = show_rss(small, large)

    small_n, large_n = args.rss_sizes
    speed = throughput.ratio
    parts = [f"throughput annotate/raw {speed:.3f} {verdict(speed >= THROUGHPUT_TARGET)}",
             f"cached/cold {cached_ratio:.4f} {verdict(cached_ratio <= CACHED_TARGET)}",
             "peak RSS skipped" if rss_ratio is None else
             f"peak RSS {large_n}/{small_n} {rss_ratio:.3f} {verdict(rss_ratio <= RSS_TARGET)}"]
    print("\nSUMMARY: " + "; ".join(parts))


if __name__ == "__main__":
    main()
