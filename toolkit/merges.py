"""Merge suggestions: entities across the corpus that are probably the same, for a person to review.

Normalisation (:mod:`toolkit.entities`) merges only what is safe to merge automatically. This
module proposes the rest, with the evidence, so that a person can accept or reject each pair and
save the accepted ones as an alias file (:func:`save_aliases`) for the next run
(``tk.annotate(..., aliases="aliases.csv")``). Evidence, each a ``reason``:

* ``acronym``: one name is the initials of the other ("SFF" / "Syrian Frontier Forces");
* ``shared_tokens``: one name is contained in the other ("Whitaker" / "Thomas Whitaker"), the
  cross-article case that normalisation deliberately leaves alone;
* ``similar_spelling``: high rapidfuzz similarity of the spelling-insensitive keys
  ("Boukamal" / "Bukamal").

Only names of compatible kinds are paired (people with people, places with places, ...).

Example:
    >>> import pandas as pd
    >>> m = pd.DataFrame({"article_id": ["a", "b", "c"], "start": [0, 0, 0], "end": [3, 24, 8],
    ...                   "surface": ["SFF", "Syrian Frontier Forces", "Whitaker"],
    ...                   "label": ["ORG", "ORG", "PERSON"],
    ...                   "entity": ["SFF", "Syrian Frontier Forces", "Whitaker"]})
    >>> suggest_merges(m, min_count=1)[["entity_a", "entity_b", "reason"]].values.tolist()
    [['Syrian Frontier Forces', 'SFF', 'acronym']]
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz, process

from .entities import GENERIC_ORG_WORDS, _initials, _is_acronym
from .names import name_key, name_tokens

__all__ = ["MERGE_COLUMNS", "save_aliases", "suggest_merges"]

MERGE_COLUMNS = ("entity_a", "entity_b", "reason", "score", "label_a", "label_b", "mentions_a",
                 "mentions_b", "articles_a", "articles_b", "example_a", "example_b")
#: Kinds of entity that may be merged with each other.
_KIND = {"PERSON": "person", "ORG": "org", "NORP": "group", "GPE": "place", "LOC": "place", "FAC": "place",
         "EVENT": "event", "PRODUCT": "product", "WORK_OF_ART": "work", "LAW": "law", "LANGUAGE": "language"}
_MAX_CANDIDATES = 3000
_SENTENCE_END = re.compile(r"[.!?]\s|\n")


def _example(text: str | None, start: int, end: int, surface: str, width: int = 90) -> str:
    """The sentence around a mention (at most ``width`` characters each side), or the surface."""
    if text is None:
        return surface
    left = max(0, start - width)
    ends_before = [m.end() for m in _SENTENCE_END.finditer(text, left, start)]
    left = ends_before[-1] if ends_before else left
    after = _SENTENCE_END.search(text, end, min(len(text), end + width))
    right = after.start() + 1 if after else min(len(text), end + width)
    return " ".join(text[left:right].split())


def suggest_merges(mentions: pd.DataFrame, articles: pd.DataFrame | None = None, *, min_count: int = 2,
                   threshold: float = 88.0, n: int | None = None) -> pd.DataFrame:
    """Pairs of entities that are probably one, with the evidence, counts and example sentences.

    ``entity_a`` is the suggested canonical name (the more frequent one, or the expansion of an
    acronym), ``entity_b`` the name to map onto it. Entities with fewer than ``min_count``
    mentions are not considered; ``threshold`` (0-100) is the minimum spelling similarity; ``n``
    keeps the top pairs. Sorted by reason strength, then score and counts.
    """
    if not 0 <= threshold <= 100:
        raise ValueError(f"threshold must be between 0 and 100, got {threshold}")
    if not len(mentions):
        return pd.DataFrame(columns=list(MERGE_COLUMNS))
    stats = (mentions.groupby("entity", observed=True)
             .agg(mentions=("entity", "size"), articles=("article_id", "nunique"),
                  label=("label", lambda s: s.value_counts().sort_index().idxmax()))
             .reset_index())
    stats = stats[stats["mentions"] >= min_count].sort_values(["mentions", "entity"], ascending=[False, True])
    stats = stats.head(_MAX_CANDIDATES).reset_index(drop=True)
    names = list(stats["entity"])
    kinds = [_KIND.get(label, label) for label in stats["label"]]
    keys = [name_key(name) for name in names]
    pairs: dict[tuple[int, int], tuple[str, float]] = {}

    def offer(i: int, j: int, reason: str, score: float) -> None:
        a, b = (i, j) if i < j else (j, i)
        if (a, b) not in pairs:
            pairs[(a, b)] = (reason, score)

    initials = {i: _initials(name) for i, name in enumerate(names)}
    by_initials: dict[str, list[int]] = {}
    for i, value in initials.items():
        if len(name_tokens(names[i])) >= 2 and not _is_acronym(names[i].replace(" ", "")):
            by_initials.setdefault(value, []).append(i)
    for i, name in enumerate(names):
        if _is_acronym(name) and len(name.replace(".", "")) >= 2:
            for j in by_initials.get(name.replace(".", ""), []):
                compatible = kinds[j] in (kinds[i], "org", "place") and kinds[i] in ("org", "place", "group")
                if j != i and compatible:
                    offer(i, j, "acronym", 100.0)
    tokens = [name_tokens(name) for name in names]
    by_token: dict[str, list[int]] = {}
    for i, words in enumerate(tokens):
        for word in set(words):
            by_token.setdefault(word, []).append(i)
    for i, words in enumerate(tokens):
        if len(words) != 1 or kinds[i] not in ("person", "org") or words[0] in GENERIC_ORG_WORDS:
            continue
        for j in by_token.get(words[0], []):
            if j != i and kinds[j] == kinds[i] and len(tokens[j]) > 1:
                offer(i, j, "shared_tokens", 100.0 * len(words) / len(tokens[j]))
    if len(keys) > 1:
        scores = process.cdist(keys, keys, scorer=fuzz.ratio, score_cutoff=threshold, workers=1)
        for i, j in zip(*scores.nonzero(), strict=True):
            if i < j and kinds[i] == kinds[j] and keys[i] != keys[j]:
                offer(int(i), int(j), "similar_spelling", float(scores[i, j]))
    return _pair_table(pairs, stats, mentions, articles, n)


def _pair_table(pairs: dict[tuple[int, int], tuple[str, float]], stats: pd.DataFrame, mentions: pd.DataFrame,
                articles: pd.DataFrame | None, n: int | None) -> pd.DataFrame:
    if not pairs:
        return pd.DataFrame(columns=list(MERGE_COLUMNS))
    texts = dict(zip(articles["article_id"], articles["text"], strict=True)) if articles is not None else {}
    first = mentions.drop_duplicates("entity").set_index("entity")
    rows = []
    for (i, j), (reason, score) in pairs.items():
        a, b = stats.iloc[i], stats.iloc[j]
        if reason == "acronym" and _is_acronym(a["entity"]):
            a, b = b, a  # the expansion is the canonical name
        elif reason == "shared_tokens" and len(name_tokens(a["entity"])) < len(name_tokens(b["entity"])):
            a, b = b, a  # the full name is the canonical name
        examples = []
        for row in (a, b):
            hit = first.loc[row["entity"]]
            examples.append(_example(texts.get(hit["article_id"]), int(hit["start"]), int(hit["end"]),
                                     str(hit["surface"])))
        counts = (int(a["mentions"]), int(b["mentions"]), int(a["articles"]), int(b["articles"]))
        rows.append((a["entity"], b["entity"], reason, round(score, 1), a["label"], b["label"], *counts,
                     *examples))
    table = pd.DataFrame(rows, columns=list(MERGE_COLUMNS))
    strength = table["reason"].map({"acronym": 0, "shared_tokens": 1, "similar_spelling": 2})
    table = (table.assign(_strength=strength, _total=table["mentions_a"] + table["mentions_b"])
             .sort_values(["_strength", "score", "_total", "entity_a", "entity_b"],
                          ascending=[True, False, False, True, True])
             .drop(columns=["_strength", "_total"]).reset_index(drop=True))
    return table.head(n) if n is not None else table


def save_aliases(merges: pd.DataFrame, path: str | os.PathLike[str], *, append: bool = True) -> Path:
    """Write accepted merges as an alias file (``alias,canonical,label``) for ``annotate(aliases=)``.

    ``merges`` is (a filtered copy of) :func:`suggest_merges`' table: each row maps ``entity_b``
    onto ``entity_a``; an ``accept`` column, if present, keeps only the rows where it is true.
    With ``append=True`` an existing file keeps its rows (a later row for the same alias wins).
    """
    chosen = merges[merges["accept"].astype(bool)] if "accept" in merges.columns else merges
    path = Path(path)
    rows: dict[str, tuple[str, str]] = {}
    if append and path.is_file():
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                rows[row["alias"]] = (row["canonical"], row.get("label") or "")
    for row in chosen.itertuples():
        rows[str(row.entity_b)] = (str(row.entity_a), str(row.label_a))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["alias", "canonical", "label"])
        for alias, (canonical, label) in sorted(rows.items()):
            writer.writerow([alias, canonical, label])
    return path
