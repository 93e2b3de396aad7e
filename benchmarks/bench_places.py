"""Speed of the place resolver: gazetteer loading and mentions resolved per second.

Run from the repository root (needs ``../shared/corpora``; the annotation is cached)::

    python benchmarks/bench_places.py [--cache-dir DIR] [--repeat 3] [--no-bbc]

The place mentions of real news are resolved: LGL and WikiNews/GeoVirus (~7,900 mentions in ~800
articles) and BBC News (~19,000 mentions in 2,092 articles; annotated once into the cache, which
takes a few minutes the first time). Each corpus is resolved in three states, each the best of
``--repeat`` runs:

* ``first``: the first call of a process after the gazetteer is loaded: the resolver and the
  gazetteer's fuzzy-match index are built, every name is looked up for the first time;
* ``cold``: a new set of names (the resolver's candidate and fuzzy caches emptied, its indexes kept);
* ``warm``: names looked up before (as for most names of a large corpus, or a notebook re-run):
  every article's choices are still computed from its context.

It also times loading the gazetteer from its on-disk cache in a fresh process.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO))

import eval_places  # noqa: E402

from toolkit import gazetteer  # noqa: E402
from toolkit.gazetteer import load_gazetteer  # noqa: E402
from toolkit.places import _RESOLVERS, PLACE_MENTION_COLUMNS, _resolver, resolve_places  # noqa: E402


def load_time() -> float:
    """Seconds to load the (already built) gazetteer in a fresh Python process."""
    code = "import time; from toolkit.gazetteer import load_gazetteer; t=time.perf_counter(); " \
           "load_gazetteer(); print(time.perf_counter()-t)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def mentions_and_articles(cache_dir: Path | None, *,
                          bbc: bool) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """``{corpus: (place mentions, articles)}``."""
    loaded = {"LGL + WikiNews": (eval_places.load_lgl(eval_places.CORPORA / "lgl" / "lgl.xml")[0],
                                 eval_places.load_wikinews(eval_places.CORPORA / "wikinews-geovirus")[0])}
    if bbc:
        import bench_annotate

        loaded["BBC News"] = (bench_annotate.load_corpus(bench_annotate.DEFAULT_CORPUS),)
    out = {}
    for name, parts in loaded.items():
        tables = [eval_places.predict(articles, cache_dir)[["article_id", *PLACE_MENTION_COLUMNS]]
                  for articles in parts]
        out[name] = (pd.concat(tables, ignore_index=True), pd.concat(parts, ignore_index=True))
    return out


def rate(mentions: pd.DataFrame, articles: pd.DataFrame, prepare: Callable[[], None]) -> float:
    prepare()
    started = time.perf_counter()
    resolve_places(mentions, articles)
    return len(mentions) / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-bbc", action="store_true", help="leave out BBC News (slow to annotate once)")
    args = parser.parse_args(argv)
    if not eval_places.CORPORA.is_dir():
        print(f"corpora not found at {eval_places.CORPORA}", file=sys.stderr)
        return 2
    gaz = load_gazetteer()
    corpora = mentions_and_articles(args.cache_dir, bbc=not args.no_bbc)
    print(f"gazetteer load (fresh process, cached index): {load_time():.2f} s")

    def first() -> None:
        _RESOLVERS.clear()
        gazetteer._fuzzy_pools_cached.cache_clear()

    def cold() -> None:
        resolver = _resolver(gaz)
        resolver.cache.clear()
        resolver.fuzzy_cache.clear()

    for name, (mentions, articles) in corpora.items():
        print(f"{name}: {len(mentions):,} place mentions in {mentions['article_id'].nunique():,} articles, "
              f"{mentions['surface'].nunique():,} distinct spellings")
        for state, prepare in (("first", first), ("cold", cold), ("warm", lambda: None)):
            best = max(rate(mentions, articles, prepare) for _ in range(args.repeat))
            verdict = "PASS" if best >= 50_000 else "MISS"
            print(f"    {state:6} {best:10,.0f} mentions/s   target >= 50,000   {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
