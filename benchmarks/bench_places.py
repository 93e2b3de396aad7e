"""Speed of the place resolver: gazetteer loading and mentions resolved per second.

Run from the repository root (needs ``../shared/corpora``; the annotation is cached)::

    python benchmarks/bench_places.py [--cache-dir DIR] [--repeat 3]

The place mentions of the LGL and WikiNews/GeoVirus corpora (real news, ~10,000 mentions in
~800 articles) are resolved three ways, each the best of ``--repeat`` runs:

* ``cold``: a fresh resolver (the first call in a new Python process, after the gazetteer is
  loaded): candidate lookups, fuzzy-match pools and choices all computed from nothing;
* ``steady``: candidates already looked up (as for the later articles of a large corpus, whose
  names repeat), but every article's choices computed again;
* ``repeat``: the same table again (everything cached: a notebook re-run).

It also times loading the gazetteer from its on-disk cache in a fresh process.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
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


def mentions_and_articles(cache_dir: Path | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    tables, articles = [], []
    for articles_, _gold in (eval_places.load_lgl(eval_places.CORPORA / "lgl" / "lgl.xml"),
                             eval_places.load_wikinews(eval_places.CORPORA / "wikinews-geovirus")):
        places = eval_places.predict(articles_, cache_dir)
        tables.append(places[["article_id", *PLACE_MENTION_COLUMNS]])
        articles.append(articles_)
    return pd.concat(tables, ignore_index=True), pd.concat(articles, ignore_index=True)


def rate(mentions: pd.DataFrame, articles: pd.DataFrame, prepare) -> float:
    prepare()
    started = time.perf_counter()
    resolve_places(mentions, articles)
    return len(mentions) / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if not eval_places.CORPORA.is_dir():
        print(f"corpora not found at {eval_places.CORPORA}", file=sys.stderr)
        return 2
    gaz = load_gazetteer()
    mentions, articles = mentions_and_articles(args.cache_dir)
    print(f"{len(mentions):,} place mentions in {mentions['article_id'].nunique():,} articles")
    print(f"gazetteer load (fresh process, cached index): {load_time():.2f} s")

    def fresh() -> None:
        _RESOLVERS.clear()
        gazetteer._fuzzy_pools_cached.cache_clear()

    def forget_choices() -> None:
        _resolver(gaz).choice_cache.clear()

    cold = max(rate(mentions, articles, fresh) for _ in range(args.repeat))
    resolve_places(mentions, articles)
    steady = max(rate(mentions, articles, forget_choices) for _ in range(args.repeat))
    repeat = max(rate(mentions, articles, lambda: None) for _ in range(args.repeat))
    print(f"{'cold':8} {cold:10,.0f} mentions/s")
    print(f"{'steady':8} {steady:10,.0f} mentions/s")
    print(f"{'repeat':8} {repeat:10,.0f} mentions/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
