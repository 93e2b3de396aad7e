"""Entity analysis on a real corpus: BBC News 2004-05, five topic folders (../shared/corpora/bbc-news)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import toolkit as tk
from toolkit.analysis import distinctive_entities, entity_counts


@pytest.fixture(scope="module")
def bbc(shared_corpora_module: Path, tmp_path_factory: pytest.TempPathFactory) -> tk.Corpus:
    articles = tk.load_articles(shared_corpora_module / "bbc-news")
    articles = articles[articles["folder"] != ""]  # FORMAT.md and README.TXT sit at the top
    return tk.annotate(articles, cache_dir=tmp_path_factory.mktemp("bbc"), n_process=2, progress=False)


@pytest.fixture(scope="module")
def shared_corpora_module() -> Path:
    from tests.conftest import SHARED_CORPORA

    if not SHARED_CORPORA.is_dir():
        pytest.skip(f"shared corpora not found at {SHARED_CORPORA} (they ship beside the repository in CI)")
    return SHARED_CORPORA


def test_load_report_accounts_for_every_file(bbc: tk.Corpus, shared_corpora_module: Path) -> None:
    report = tk.load_articles(shared_corpora_module / "bbc-news").attrs["load_report"]
    files = [p for p in (shared_corpora_module / "bbc-news").rglob("*") if p.is_file()]
    assert report.inputs == len(files)
    assert report.loaded + report.skipped + report.duplicates == report.inputs
    assert report.duplicates >= 90  # the corpus repeats ~100 articles word for word
    assert set(bbc.articles["folder"]) == {"business", "entertainment", "politics", "sport", "tech"}


def test_counts_and_distinctive_by_folder_are_fast_and_sensible(bbc: tk.Corpus) -> None:
    started = time.perf_counter()
    counts = entity_counts(bbc.mentions, bbc.articles, by="folder", n=10)
    distinctive = distinctive_entities(bbc.mentions, bbc.articles, by="folder")
    elapsed = time.perf_counter() - started
    assert elapsed < 5.0, f"entity_counts + distinctive_entities took {elapsed:.2f} s"
    top = {folder: list(group["entity"]) for folder, group in counts.groupby("folder")}
    assert "Tony Blair" in top["politics"][:3]
    assert "England" in top["sport"][:3]
    assert "Microsoft" in top["tech"]
    assert counts.groupby("folder")["mentions"].is_monotonic_decreasing.all()
    over = distinctive[distinctive["z"] > 1.96]
    assert {"Tony Blair", "Gordon Brown"} <= set(over.loc[over["folder"] == "politics", "entity"])
    blair = distinctive[distinctive["entity"] == "Tony Blair"].set_index("folder")["z"]
    assert blair["politics"] > 0 > blair["sport"]


def test_aliases_apply_on_real_text(bbc: tk.Corpus) -> None:
    mentions = bbc.mentions
    us = mentions[mentions["surface"].isin(["US", "U.S.", "the US", "the United States"])]
    assert len(us) > 100
    assert set(us["entity"]) == {"United States"}
    assert bool((mentions["entity"].str.len() > 0).all())
