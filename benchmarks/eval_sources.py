"""Accuracy of attribution extraction (``toolkit.sources``) on PolNeAR, beside textacy's direct quotations.

Run from the repository root::

    python benchmarks/eval_sources.py                     # dev split, all 84 articles
    python benchmarks/eval_sources.py --split train --limit 100 --failures 20

PolNeAR (``../shared/corpora/polnear``, political news 2015–16, BRAT standoff; FORMAT.md there)
annotates every attribution: a Source span (optional), a Cue span and a Content span. Each
article is read with the first annotator in alphabetical order (agreement articles have several;
using one avoids counting a statement twice); ``Discuss`` and ``Discard`` events are dropped, and
so are the few attributions without a content span. The texts are parsed with the toolkit's
pipeline (``components_for({"parser", "ner"})``: tok2vec, parser, ner and the line-break
component) and :func:`toolkit.sources.extract_attributions` runs on each Doc; rows without content
(credit lines) are left out of the comparison.

Figures:

* **content P/R/F1**: a predicted statement matches a gold one when their content spans overlap by
  at least 0.3 of the longer span (character overlap; a discontinuous gold content counts its
  pieces only); one to one, greedily by overlap. The strict figure asks for 0.8.
* **source accuracy** on matched statements: the predicted source span overlaps the gold Source
  span, or both have none (PolNeAR's ``Attribution-no-source``; predicting a source where the gold
  has none counts as wrong, as does missing one).
* **cue accuracy** on matched statements: the predicted cue span overlaps the gold Cue span.
* **quoted vs reported**: a gold statement is *quoted* when its content starts (after white
  space) with a quotation mark, straight or curly; the matching is done once over all statements,
  then recall is split by the gold side and precision by the predicted side (our ``direct`` rows
  are the quoted predictions; all of textacy's are).
* **per kind**: how many rows of each predicted kind, and the share that match a gold statement.

The reference peer is ``textacy.extract.triples.direct_quotations`` (textacy 0.13), run on the same
Docs after adding the tagger and lemmatizer it needs (it matches verbs by POS and lemma); an
article where it raises (an odd number of quotation marks) gives no quotations, as in use. If
textacy is not installed the script says so and reports the toolkit alone.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from spacy.language import Language  # noqa: E402
from spacy.tokens import Doc  # noqa: E402

from toolkit.annotation import components_for, load_pipeline, resolve_model  # noqa: E402
from toolkit.sources import ATTRIBUTION_COLUMNS, extract_attributions  # noqa: E402

POLNEAR = REPO.parent / "shared" / "corpora" / "polnear"
LOOSE, STRICT = 0.3, 0.8
QUOTE_MARKS = "\"“”‘’'«»„"
_ANN_NAME = re.compile(r"(.*)_([0-9a-f]{4})\.ann$")

Span = tuple[int, int]


# --------------------------------------------------------------------------- gold


def read_ann(path: Path, text: str) -> list[dict[str, Any]]:
    """Attributions of one BRAT file: ``kind`` and ``source``/``cue``/``content`` as lists of segments."""
    spans: dict[str, list[Span]] = {}
    rows = []
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("T") and line.count("\t") >= 2:
            tid, middle, _ = line.split("\t", 2)
            _, offsets = middle.split(" ", 1)
            spans[tid] = [(int(a), int(b)) for a, b in (s.split() for s in offsets.split(";"))]
        elif line.startswith("E") and "\t" in line:
            _, body = line.split("\t", 1)
            args = dict(a.split(":", 1) for a in body.split())
            kind = next(k for k in args if k not in ("Source", "Cue", "Content"))
            rows.append(
                {
                    "kind": kind,
                    **{
                        role.lower(): spans.get(args[role]) if role in args else None
                        for role in ("Source", "Cue", "Content")
                    },
                }
            )
    del text
    return rows


def load_gold(split: str = "dev", limit: int | None = None, root: Path = POLNEAR) -> list[dict[str, Any]]:
    """One record per article: ``name``, ``text`` and its ``attributions`` (first annotator only)."""
    if not root.is_dir():
        raise FileNotFoundError(f"PolNeAR not found at {root} (expected ../shared/corpora/polnear)")
    by_article: dict[str, list[tuple[str, Path]]] = defaultdict(list)
    for path in sorted((root / split / "attributions").glob("*.ann")):
        match = _ANN_NAME.match(path.name)
        if match:
            by_article[match.group(1)].append((match.group(2), path))
    articles = []
    for name in sorted(by_article)[: limit or None]:
        _, path = sorted(by_article[name])[0]
        text = (root / split / "text" / f"{name}.txt").read_text("utf-8")
        attributions = [
            a for a in read_ann(path, text) if a["kind"].startswith("Attribution") and a["content"]
        ]
        articles.append({"name": name, "text": text, "attributions": attributions})
    return articles


def is_quoted(text: str, segments: list[Span]) -> bool:
    """True when the content starts, after white space, with a quotation mark."""
    start = min(s for s, _ in segments)
    return text[start:].lstrip()[:1] in QUOTE_MARKS


# --------------------------------------------------------------------------- parsing


def parsing_pipeline() -> Language:
    """The toolkit's parser pipeline (tok2vec, parser, ner and the line-break component)."""
    spec = resolve_model()
    components = components_for({"parser", "ner"})
    return load_pipeline(spec.name, components)


def parse(texts: list[str], nlp: Language | None = None) -> list[Doc]:
    nlp = nlp or parsing_pipeline()
    return list(nlp.pipe(texts, batch_size=16))


# --------------------------------------------------------------------------- predictions


def toolkit_predictions(doc: Doc) -> list[dict[str, Any]]:
    """The toolkit's rows with content, as dicts with ``kind``, ``source``, ``cue``, ``content`` segments."""
    out = []
    for row in extract_attributions(doc):
        r = dict(zip(ATTRIBUTION_COLUMNS, row, strict=True))
        if r["content_start"] is None:
            continue
        out.append(
            {
                "kind": r["kind"],
                "content": [(r["content_start"], r["content_end"])],
                "cue": [(r["cue_start"], r["cue_end"])],
                "source": [(r["source_start"], r["source_end"])] if r["source_start"] is not None else None,
                "row": r,
            }
        )
    return out


def textacy_available() -> bool:
    try:
        import textacy.extract.triples  # noqa: F401
    except Exception:
        return False
    return True


def textacy_predictions(docs: list[Doc]) -> tuple[list[list[dict[str, Any]]], int]:
    """textacy's direct quotations on the same Docs (tagger + lemmatizer added); articles it gave up on."""
    import spacy
    from textacy.extract.triples import direct_quotations

    full = spacy.load(resolve_model().name)
    steps = [
        full.get_pipe(name)
        for name in ("tok2vec", "tagger", "attribute_ruler", "lemmatizer")
        if name in full.pipe_names
    ]
    results, failed = [], 0
    for doc in docs:
        tagged = Doc(full.vocab).from_bytes(doc.to_bytes(exclude=["user_data"]))
        for step in steps:
            tagged = step(tagged)
        rows = []
        try:
            triples = list(direct_quotations(tagged))
        except ValueError:
            failed += 1
            triples = []
        for speaker, cue, content in triples:
            rows.append(
                {
                    "kind": "direct",
                    "content": [(content[0].idx, content[-1].idx + len(content[-1].text))],
                    "cue": [(min(t.idx for t in cue), max(t.idx + len(t.text) for t in cue))],
                    "source": [(min(t.idx for t in speaker), max(t.idx + len(t.text) for t in speaker))],
                }
            )
        results.append(rows)
    return results, failed


# --------------------------------------------------------------------------- matching


def _chars(segments: list[Span]) -> set[int]:
    return {i for s, e in segments for i in range(s, e)}


def _overlaps(a: list[Span] | None, b: list[Span] | None) -> bool:
    return bool(a and b and any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b))


def match(gold: list[dict[str, Any]], pred: list[dict[str, Any]], threshold: float) -> list[tuple[int, int]]:
    """One-to-one greedy matching by content overlap (share of the longer span) at least ``threshold``."""
    gold_chars = [_chars(g["content"]) for g in gold]
    pairs = []
    for j, p in enumerate(pred):
        p_chars = _chars(p["content"])
        for i, g_chars in enumerate(gold_chars):
            if not p_chars or not g_chars:
                continue
            shared = len(p_chars & g_chars)
            if shared:
                score = shared / max(len(p_chars), len(g_chars))
                if score >= threshold:
                    pairs.append((score, i, j))
    pairs.sort(key=lambda x: (-x[0], x[1], x[2]))
    used_g, used_p, matched = set(), set(), []
    for _, i, j in pairs:
        if i not in used_g and j not in used_p:
            used_g.add(i)
            used_p.add(j)
            matched.append((i, j))
    return matched


def _prf(matched: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = matched / n_pred if n_pred else 0.0
    r = matched / n_gold if n_gold else 0.0
    return {
        "p": p,
        "r": r,
        "f1": 2 * p * r / (p + r) if p + r else 0.0,
        "n_pred": n_pred,
        "n_gold": n_gold,
        "matched": matched,
    }


def score(
    articles: list[dict[str, Any]], predictions: list[list[dict[str, Any]]], quoted_pred: Any = None
) -> dict[str, Any]:
    """Content P/R/F1 (loose and strict), source and cue accuracy, split quoted/reported and by kind."""
    quoted_pred = quoted_pred or (lambda p: p["kind"] == "direct")
    out: dict[str, Any] = {}
    for name, threshold in (("loose", LOOSE), ("strict", STRICT)):
        counts: Counter[str] = Counter()
        kinds: Counter[str] = Counter()
        kinds_matched: Counter[str] = Counter()
        for article, pred in zip(articles, predictions, strict=True):
            gold = article["attributions"]
            pairs = match(gold, pred, threshold)
            g_quoted = [is_quoted(article["text"], g["content"]) for g in gold]
            p_quoted = [bool(quoted_pred(p)) for p in pred]
            counts["gold"] += len(gold)
            counts["pred"] += len(pred)
            counts["gold_q"] += sum(g_quoted)
            counts["pred_q"] += sum(p_quoted)
            for p in pred:
                kinds[p["kind"]] += 1
            for i, j in pairs:
                g, p = gold[i], pred[j]
                source_ok = _overlaps(g["source"], p["source"]) or (
                    g["source"] is None and p["source"] is None
                )
                cue_ok = _overlaps(g["cue"], p["cue"])
                split = "q" if g_quoted[i] else "r"
                counts["matched"] += 1
                counts[f"matched_gold_{split}"] += 1
                counts["matched_pred_q" if p_quoted[j] else "matched_pred_r"] += 1
                counts["source_ok"] += source_ok
                counts[f"source_ok_{split}"] += source_ok
                counts["cue_ok"] += cue_ok
                counts[f"cue_ok_{split}"] += cue_ok
                kinds_matched[p["kind"]] += 1
        res: dict[str, Any] = {
            "all": _prf(counts["matched"], counts["pred"], counts["gold"]),
            "quoted": _prf_split(
                counts["matched_pred_q"], counts["matched_gold_q"], counts["pred_q"], counts["gold_q"]
            ),
            "reported": _prf_split(
                counts["matched_pred_r"],
                counts["matched_gold_r"],
                counts["pred"] - counts["pred_q"],
                counts["gold"] - counts["gold_q"],
            ),
        }
        res["all"]["source_acc"] = counts["source_ok"] / counts["matched"] if counts["matched"] else 0.0
        res["all"]["cue_acc"] = counts["cue_ok"] / counts["matched"] if counts["matched"] else 0.0
        for split, key in (("q", "quoted"), ("r", "reported")):
            m = counts[f"matched_gold_{split}"]
            res[key]["source_acc"] = counts[f"source_ok_{split}"] / m if m else 0.0
            res[key]["cue_acc"] = counts[f"cue_ok_{split}"] / m if m else 0.0
        res["kinds"] = {k: {"n": kinds[k], "precision": kinds_matched[k] / kinds[k]} for k in sorted(kinds)}
        out[name] = res
    return out


def _prf_split(matched_pred: int, matched_gold: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = matched_pred / n_pred if n_pred else 0.0
    r = matched_gold / n_gold if n_gold else 0.0
    return {"p": p, "r": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "n_pred": n_pred, "n_gold": n_gold}


# --------------------------------------------------------------------------- failures


def failures(
    articles: list[dict[str, Any]], predictions: list[list[dict[str, Any]]], n: int
) -> Iterator[str]:
    """Lines describing missed gold statements and unmatched predictions (by gold cue / predicted kind)."""
    missed: Counter[str] = Counter()
    spurious: Counter[str] = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    for article, pred in zip(articles, predictions, strict=True):
        text = article["text"]
        gold = article["attributions"]
        pairs = match(gold, pred, LOOSE)
        got_g = {i for i, _ in pairs}
        got_p = {j for _, j in pairs}
        for i, g in enumerate(gold):
            if i in got_g:
                continue
            cue = " ".join(text[s:e] for s, e in g["cue"] or []).lower() or "(no cue)"
            key = f"missed {'quoted' if is_quoted(text, g['content']) else 'reported'} cue={cue}"
            missed[key] += 1
            c0 = min(s for s, _ in g["content"])
            c1 = max(e for _, e in g["content"])
            examples[key].append(f"{article['name'][:40]}: {text[c0:c1][:120]!r}")
        for j, p in enumerate(pred):
            if j in got_p:
                continue
            row = p["row"]
            key = f"spurious {p['kind']} cue={row['cue'].lower()}"
            spurious[key] += 1
            examples[key].append(
                f"{article['name'][:40]}: src={row['source']!r} {(row['content'] or '')[:100]!r}"
            )
    for counter in (missed, spurious):
        for key, count in counter.most_common(n):
            yield f"{count:5d}  {key}"
            for example in examples[key][:2]:
                yield f"         {example}"


# --------------------------------------------------------------------------- entry points


def evaluate(
    split: str = "dev", limit: int | None = None, *, peer: bool = True, docs: list[Doc] | None = None
) -> dict[str, Any]:
    """Parse PolNeAR ``split`` (first ``limit`` articles) and score the toolkit, and textacy if installed.

    Returns ``{"toolkit": scores, "textacy": scores or None, "articles": n, "parse_s": s,
    "extract_s": s, "textacy_failed": n}``; ``scores`` as :func:`score` returns them.
    """
    articles = load_gold(split, limit)
    t0 = time.perf_counter()
    docs = docs if docs is not None else parse([a["text"] for a in articles])
    t1 = time.perf_counter()
    ours = [toolkit_predictions(doc) for doc in docs]
    t2 = time.perf_counter()
    result: dict[str, Any] = {
        "articles": len(articles),
        "parse_s": t1 - t0,
        "extract_s": t2 - t1,
        "toolkit": score(articles, ours),
        "textacy": None,
        "textacy_failed": None,
        "_articles": articles,
        "_predictions": ours,
    }
    result["peer_status"] = "not run" if not peer else ("run" if textacy_available() else "not installed")
    if peer and textacy_available():
        theirs, failed = textacy_predictions(docs)
        result["textacy"] = score(articles, theirs, quoted_pred=lambda p: True)
        result["textacy_failed"] = failed
    return result


def _table(result: dict[str, Any]) -> Iterable[str]:
    peer = result["textacy"]
    yield (
        f"PolNeAR: {result['articles']} articles; parse {result['parse_s']:.1f} s, "
        f"extract {result['extract_s']:.2f} s"
    )
    head = f"{'':28}{'toolkit':>24}    {'textacy':>24}"
    yield head
    yield f"{'':28}{'P':>8}{'R':>8}{'F1':>8}    {'P':>8}{'R':>8}{'F1':>8}"
    for level in ("loose", "strict"):
        for split in ("all", "quoted", "reported"):
            ours = result["toolkit"][level][split]
            line = f"content {split:8} {level:7}   {ours['p']:8.3f}{ours['r']:8.3f}{ours['f1']:8.3f}"
            if peer:
                theirs = peer[level][split]
                line += f"    {theirs['p']:8.3f}{theirs['r']:8.3f}{theirs['f1']:8.3f}"
            yield line
    for split in ("all", "quoted", "reported"):
        ours = result["toolkit"]["loose"][split]
        line = f"source acc {split:8}          {ours['source_acc']:24.3f}"
        if peer:
            line += f"    {peer['loose'][split]['source_acc']:24.3f}"
        yield line
        line = f"cue acc    {split:8}          {ours['cue_acc']:24.3f}"
        if peer:
            line += f"    {peer['loose'][split]['cue_acc']:24.3f}"
        yield line
    gold = result["toolkit"]["loose"]
    yield (
        f"gold statements: {gold['all']['n_gold']} ({gold['quoted']['n_gold']} quoted, "
        f"{gold['reported']['n_gold']} reported)"
    )
    yield "per predicted kind (loose): " + ", ".join(
        f"{k} {v['n']} @ {v['precision']:.2f}" for k, v in result["toolkit"]["loose"]["kinds"].items()
    )
    if peer:
        yield f"textacy gave up on {result['textacy_failed']} articles (odd number of quotation marks)"
    else:
        yield ("textacy is not installed: the reference peer was not run (pip install textacy)"
               if result.get("peer_status") == "not installed" else "textacy was not run (--no-peer)")
    quoted_gap = (
        (result["toolkit"]["loose"]["quoted"]["f1"] - peer["loose"]["quoted"]["f1"]) if peer else None
    )
    if quoted_gap is not None:
        yield f"quoted F1 ahead of textacy by {100 * quoted_gap:.1f} points"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="dev", choices=["dev", "train"])
    parser.add_argument("--limit", type=int, default=None, help="first N articles only")
    parser.add_argument("--failures", type=int, default=0, help="show the N largest failure classes")
    parser.add_argument("--no-peer", action="store_true", help="skip textacy")
    parser.add_argument("--csv", type=Path, default=None, help="write the toolkit's rows to this CSV")
    args = parser.parse_args(argv)
    result = evaluate(args.split, args.limit, peer=not args.no_peer)
    for line in _table(result):
        print(line)
    if args.failures:
        print()
        for line in failures(result["_articles"], result["_predictions"], args.failures):
            print(line)
    if args.csv:
        with args.csv.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["article", *ATTRIBUTION_COLUMNS])
            for article, pred in zip(result["_articles"], result["_predictions"], strict=True):
                for p in pred:
                    writer.writerow([article["name"], *p["row"].values()])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
