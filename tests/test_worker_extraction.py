"""With several processes, spaCy's workers extract the rows and serialise the Docs: same tables."""

from __future__ import annotations

import pandas as pd
import pytest

import toolkit as tk
from toolkit import pipeline


@pytest.fixture(scope="module")
def articles() -> pd.DataFrame:
    from pathlib import Path

    return tk.load_articles(Path(__file__).resolve().parents[1] / "data" / "articles").head(8)


@pytest.mark.parametrize("max_length", [None, 700], ids=["whole", "split"])
def test_two_processes_give_the_same_tables(articles: pd.DataFrame, tmp_path, max_length) -> None:
    one = tk.annotate(articles, use_cache=False, progress=False, max_length=max_length)
    two = tk.annotate(articles, cache_dir=tmp_path, progress=False, n_process=2, max_length=max_length)
    assert two.stats.parsed == len(articles)
    assert two.stats.tokens_parsed == one.stats.tokens_parsed > 0
    for name, table in one.tables.items():
        assert len(table) > 0
        pd.testing.assert_frame_equal(two.tables[name], table, obj=name)
    nlp = pipeline.load_pipeline(two.model.name, two.components)
    assert pipeline.WORKER_COMPONENT not in nlp.pipe_names  # removed after the run
    doc = two.doc(articles["article_id"].iloc[0])  # the Doc the worker serialised
    assert doc.text == articles["text"].iloc[0] and "toolkit_worker_output" not in doc.user_data
