"""The toolkit against the peer a user would pick: textacy, on the same BBC News texts.

Run from the repository root (textacy is a benchmark-only dependency, not a test one)::

    pip install textacy
    python benchmarks/bench_textacy.py              # 500 articles, best of 2 each (~8 min on 2 cores)
    python benchmarks/bench_textacy.py --n 100 --repeats 1
    python benchmarks/bench_textacy.py --n-process 2    # both sides in two processes

Both sides start from the same texts and produce entities and attributed quotations:

* textacy: ``textacy.Corpus(nlp, data=texts)`` with the same spaCy model loaded whole
  (``textacy.load_spacy_lang``, as textacy's documentation does: ``direct_quotations`` needs the
  tagger, lemmatizer and parser, the entities need ``ner``), then, for every Doc,
  ``textacy.extract.entities`` and ``textacy.extract.triples.direct_quotations`` (a Doc with an
  odd number of quotation marks makes it raise; it then counts as no quotation, as a user would
  have to catch it);
* the toolkit with the same outputs: ``toolkit.annotate(articles, outputs=["mentions",
  "attributions"])`` cold (fresh cache, progress bar off): entity mentions, and attributions of
  every kind (direct quotations among them) with classified sources, and the cache written;
* for reference, the toolkit with its default outputs, which add places resolved to GeoNames, and
  textacy given ``batch_size=32`` instead of its default 1,000 texts (which a user rarely changes;
  it makes textacy faster here).

The sides alternate after a warm-up that loads the pipelines; the best time of each is kept. The
figure is textacy's time over the toolkit's with the same outputs (its speed-up); target >= 1.5.
The speed-up over the default outputs is printed too.
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

from bench_annotate import DEFAULT_CORPUS, count_words, first, git_revision, load_corpus, verdict  # noqa: E402

import toolkit  # noqa: E402
from toolkit.annotation import resolve_model  # noqa: E402

TARGET = 1.5


#: textacy's default ``Corpus.add`` batch (texts), and the one a user tuning it would try.
TEXTACY_DEFAULT_BATCH = 1000
TEXTACY_TUNED_BATCH = 32


def run_textacy(texts: list[str], nlp, n_process: int = 1,  # type: ignore[no-untyped-def]
                batch_size: int = TEXTACY_DEFAULT_BATCH) -> dict[str, int]:
    import textacy
    from textacy.extract import entities
    from textacy.extract.triples import direct_quotations

    corpus = textacy.Corpus(nlp)
    corpus.add(texts, batch_size=batch_size, n_process=n_process)
    found = {"entities": 0, "quotations": 0, "failed_docs": 0}
    for doc in corpus:
        found["entities"] += sum(1 for _ in entities(doc))
        try:
            found["quotations"] += sum(1 for _ in direct_quotations(doc))
        except ValueError:
            found["failed_docs"] += 1
    return found


#: The toolkit's outputs that match textacy's entities and direct quotations.
SAME_OUTPUTS = ("mentions", "attributions")


def run_toolkit(articles, outputs: tuple[str, ...] | None = None,  # type: ignore[no-untyped-def]
                n_process: int = 1) -> dict[str, int]:
    with tempfile.TemporaryDirectory(prefix="bench-textacy-") as cache:
        corpus = toolkit.annotate(articles, cache_dir=cache, progress=False, n_process=n_process,
                                  **({"outputs": list(outputs)} if outputs else {}))
    attributions = corpus.attributions
    return {**{name: len(table) for name, table in corpus.tables.items()},
            "direct_quotations": int((attributions["kind"] == "direct").sum())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--n-process", type=int, default=1,
                        help="processes for both sides (textacy: Corpus.add(..., n_process=N))")
    args = parser.parse_args(argv)
    try:
        import textacy
    except ImportError:
        sys.exit("bench_textacy: textacy is not installed (pip install textacy); it is a benchmark-only peer")
    articles = first(load_corpus(args.corpus), args.n)
    texts = list(articles["text"])
    words = count_words(texts)
    spec = resolve_model()
    nlp = textacy.load_spacy_lang(spec.name)
    print(f"bench_textacy: {time.strftime('%Y-%m-%d %H:%M')}, commit {git_revision()}, "
          f"textacy {textacy.__version__}, model {spec.label}; {len(texts)} articles, {words:,} words, "
          f"n_process={args.n_process}")
    print(f"  textacy pipeline: {', '.join(nlp.pipe_names)}")
    run_textacy(texts[:5], nlp)
    run_toolkit(first(articles, 5))
    run_toolkit(first(articles, 5), SAME_OUTPUTS)
    tuned = f"textacy b={TEXTACY_TUNED_BATCH}"
    times: dict[str, list[float]] = {"textacy": [], tuned: [], "toolkit": [], "toolkit (all)": []}
    outputs: dict[str, dict[str, int]] = {}
    n = args.n_process
    for _ in range(args.repeats):
        sides = (("textacy", lambda: run_textacy(texts, nlp, n)),
                 (tuned, lambda: run_textacy(texts, nlp, n, TEXTACY_TUNED_BATCH)),
                 ("toolkit", lambda: run_toolkit(articles, SAME_OUTPUTS, n)),
                 ("toolkit (all)", lambda: run_toolkit(articles, None, n)))
        for name, function in sides:
            started = time.perf_counter()
            outputs[name] = function()
            times[name].append(time.perf_counter() - started)
    best = {name: min(values) for name, values in times.items()}
    for name, values in times.items():
        print(f"  {name:13} best {best[name]:6.1f} s  {words / best[name]:8,.0f} words/s  "
              f"(runs {', '.join(f'{t:.1f}' for t in values)})  {outputs[name]}")
    ratio = best["textacy"] / best["toolkit"]
    print(f"  (with the default outputs, places included: {best['textacy'] / best['toolkit (all)']:.2f}; "
          f"against textacy given batch_size={TEXTACY_TUNED_BATCH} instead of its default "
          f"{TEXTACY_DEFAULT_BATCH}: {best[tuned] / best['toolkit']:.2f})")
    print(f"SUMMARY: toolkit speed-up over textacy, same outputs, {ratio:.2f}  (target >= {TARGET})  "
          f"{verdict(ratio >= TARGET)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
