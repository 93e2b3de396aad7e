"""The finished-result cache: an unchanged re-run returns the stored tables, any change rebuilds them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

import toolkit as tk
from toolkit import pipeline, store

TEXTS = [
    "Angela Merkel met Emmanuel Macron in Paris on Monday.\n\nThe talks covered trade with China.",
    "The United Nations said aid had reached Aleppo.\n\nOfficials in Damascus declined to comment.",
    "Apple opened a store in Berlin.\n\nTim Cook told reporters the company would hire 200 people.",
]


def frame() -> pd.DataFrame:
    return pd.DataFrame({"article_id": ["a1", "a2", "a3"], "text": TEXTS, "outlet": ["X", "Y", "X"]})


def results(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM results").fetchone()[0]


@pytest.fixture
def first(tmp_path: Path) -> tk.Corpus:
    return tk.annotate(frame(), outputs=["mentions", "places"], cache_dir=tmp_path, progress=False)


def test_unchanged_rerun_returns_the_stored_tables(first: tk.Corpus, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    assert results(first.cache_path) == 1
    monkeypatch.setattr(pipeline, "normalise_mentions", None)  # would fail if called
    again = tk.annotate(frame(), outputs=["mentions", "places"], cache_dir=tmp_path, progress=False)
    assert again.stats.parsed == 0 and again.stats.from_cached_tables == 3
    for name in ("mentions", "places"):
        pd.testing.assert_frame_equal(again.tables[name], first.tables[name])
    assert again.mentions is not first.mentions


@pytest.mark.parametrize("change", ["metadata", "outputs", "aliases", "code"])
def test_any_change_rebuilds(first: tk.Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             change: str) -> None:
    articles, options = frame(), {"outputs": ["mentions", "places"]}
    if change == "metadata":
        articles.loc[1, "outlet"] = "Z"
    elif change == "outputs":
        options["outputs"] = ["mentions"]
    elif change == "aliases":
        aliases = tmp_path / "aliases.csv"
        aliases.write_text("alias,canonical,label\nMerkel,Angela Merkel,PERSON\n")
        options["aliases"] = aliases
    else:
        monkeypatch.setattr(store, "_code_fingerprint", lambda: "another version of the code")
    calls = []
    real = pipeline.normalise_mentions
    monkeypatch.setattr(pipeline, "normalise_mentions", lambda *a, **k: calls.append(1) or real(*a, **k))
    again = tk.annotate(articles, cache_dir=tmp_path, progress=False, **options)
    assert calls == [1]  # built again, from the cached rows
    assert again.stats.parsed == 0
    pd.testing.assert_frame_equal(again.mentions, first.mentions)


def test_result_needs_its_rows(first: tk.Corpus, tmp_path: Path) -> None:
    with sqlite3.connect(first.cache_path) as db:
        db.execute("DELETE FROM derived WHERE key = (SELECT min(key) FROM derived)")
    again = tk.annotate(frame(), outputs=["mentions", "places"], cache_dir=tmp_path, progress=False)
    assert again.stats.from_cached_docs == 1
    pd.testing.assert_frame_equal(again.places, first.places)


def test_only_the_newest_results_are_kept(tmp_path: Path) -> None:
    articles = frame()
    for n in range(store.RESULTS_KEPT + 2):
        articles.loc[0, "outlet"] = f"outlet {n}"
        corpus = tk.annotate(articles, outputs=["mentions"], cache_dir=tmp_path, progress=False)
    assert results(corpus.cache_path) == store.RESULTS_KEPT
