"""Annotation, the cache, and the mentions table."""

from __future__ import annotations

import sqlite3
import warnings
from pathlib import Path

import pandas as pd
import pytest

import toolkit as tk
from toolkit import annotation as annotate_module
from toolkit import pipeline
from toolkit.entities import MENTION_LABELS
from toolkit.errors import InputError, ModelError, ToolkitWarning

SENTENCES = [
    "Kofi Mensah flew from Accra to London on Monday.",
    "The United Nations said aid reached Mosul and Raqqa.",
    "Maria Lopez met officials of the World Bank in Geneva.",
    "Protesters gathered in Paris outside the French parliament.",
    "Ahmed Saleh, a spokesman for the Iraqi army, spoke in Baghdad.",
]


def _frame(n: int, offset: int = 0) -> pd.DataFrame:
    texts = [f"Report {i + offset}.\n\n{SENTENCES[(i + offset) % len(SENTENCES)]} Item {i + offset}."
             for i in range(n)]
    return tk.load_articles(pd.DataFrame({"text": texts, "outlet": ["Wire"] * n}))


@pytest.fixture(scope="module")
def seed_corpus(tmp_path_factory: pytest.TempPathFactory) -> tk.Corpus:
    from tests.conftest import SEED

    return tk.annotate(tk.load_articles(SEED), cache_dir=tmp_path_factory.mktemp("seed"), progress=False)


def test_seed_mentions_have_exact_offsets(seed_corpus: tk.Corpus) -> None:
    text = seed_corpus.articles["text"].iloc[0]
    mentions = seed_corpus.mentions
    assert len(mentions) > 30
    for row in mentions.itertuples():
        assert text[row.start : row.end] == row.surface
    assert set(mentions["label"]) <= MENTION_LABELS
    assert list(mentions.columns) == ["article_id", "sentence", "start", "end", "surface", "label", "entity"]


def test_seed_places_found_as_gpe_or_loc(seed_corpus: tk.Corpus) -> None:
    mentions = seed_corpus.mentions
    text = seed_corpus.articles["text"].iloc[0]
    for name in ("Deir el-Zour", "Al-Qaim"):
        rows = mentions[mentions["surface"] == name]
        assert len(rows), f"{name} not found"
        assert set(rows["label"]) <= {"GPE", "LOC"}, rows
        first = text.index(name)
        assert first in set(rows["start"])


def test_seed_spam_lines_leave_no_mentions(seed_corpus: tk.Corpus) -> None:
    surfaces = set(seed_corpus.mentions["surface"])
    assert not surfaces & {"Uluru", "SC", "Delhi-Centre", "College Football Playoff"}
    assert "More news" not in seed_corpus.articles["text"].iloc[0]


def test_seed_dates_and_numbers_are_not_entities(seed_corpus: tk.Corpus) -> None:
    surfaces = set(seed_corpus.mentions["surface"])
    assert not surfaces & {"Friday", "September", "1,500", "November 3, 2017"}


def test_sentence_index_follows_the_text(seed_corpus: tk.Corpus) -> None:
    mentions = seed_corpus.mentions
    assert mentions["sentence"].is_monotonic_increasing
    assert mentions["start"].is_monotonic_increasing
    # The headline is its own sentence: "Deir el-Zour" in the first body sentence is in sentence 1.
    assert mentions.loc[mentions["surface"] == "Al-Qaim", "sentence"].iloc[0] == 0
    assert mentions.loc[mentions["surface"] == "Deir el-Zour", "sentence"].iloc[0] == 1


def test_entity_column_strips_presentation_noise(seed_corpus: tk.Corpus) -> None:
    mentions = seed_corpus.mentions
    un = mentions[mentions["surface"] == "the United Nations"]
    assert list(un["entity"]) == ["United Nations"]


def test_second_run_parses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    articles = _frame(6)
    first = tk.annotate(articles, cache_dir=tmp_path, progress=False)
    assert first.stats.parsed == 6

    def no_model(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was loaded on a cached run")

    monkeypatch.setattr(pipeline, "load_pipeline", no_model)
    second = tk.annotate(articles, cache_dir=tmp_path, progress=False)
    assert second.stats.parsed == 0
    assert second.stats.from_cached_tables == 6
    pd.testing.assert_frame_equal(first.mentions, second.mentions)


def test_grown_corpus_parses_only_new_articles(tmp_path: Path) -> None:
    tk.annotate(_frame(4), cache_dir=tmp_path, progress=False)
    grown = pd.concat([_frame(4), _frame(3, offset=4)], ignore_index=True)
    corpus = tk.annotate(grown, cache_dir=tmp_path, progress=False)
    assert corpus.stats.parsed == 3
    assert corpus.stats.from_cached_tables == 4
    assert list(corpus.mentions["article_id"].unique()) == [
        a for a in grown["article_id"] if a in set(corpus.mentions["article_id"])
    ]


def test_cached_docs_serve_a_missing_table(tmp_path: Path) -> None:
    articles = _frame(3)
    first = tk.annotate(articles, cache_dir=tmp_path, progress=False)
    with sqlite3.connect(first.cache_path) as db:
        db.execute("DELETE FROM derived")
    again = tk.annotate(articles, cache_dir=tmp_path, progress=False)
    assert again.stats.parsed == 0
    assert again.stats.from_cached_docs == 3
    pd.testing.assert_frame_equal(first.mentions, again.mentions)


def test_interrupted_run_keeps_finished_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    articles = _frame(80)
    real = pipeline.EXTRACTORS["mentions"]
    seen = {"n": 0}

    def failing(doc):  # type: ignore[no-untyped-def]
        seen["n"] += 1
        if seen["n"] > 70:
            raise KeyboardInterrupt
        return real.function(doc)

    broken = pipeline.Extractor(real.name, real.version, real.needs, real.columns, failing)
    monkeypatch.setitem(pipeline.EXTRACTORS, "mentions", broken)
    with pytest.raises(KeyboardInterrupt):
        tk.annotate(articles, cache_dir=tmp_path, progress=False)
    monkeypatch.setitem(pipeline.EXTRACTORS, "mentions", real)
    resumed = tk.annotate(articles, cache_dir=tmp_path, progress=False)
    # Work is committed in batches: the one finished batch survives, the rest is parsed again.
    assert resumed.stats.from_cached_tables == pipeline._WRITE_BATCH
    assert resumed.stats.parsed == 80 - pipeline._WRITE_BATCH
    uninterrupted = tk.annotate(articles, use_cache=False, progress=False)
    pd.testing.assert_frame_equal(resumed.mentions, uninterrupted.mentions)


def test_settings_and_models_use_separate_caches(tmp_path: Path) -> None:
    articles = _frame(2)
    first = tk.annotate(articles, cache_dir=tmp_path, progress=False)
    other = tk.annotate(articles, cache_dir=tmp_path, max_length=10_000, progress=False)
    assert other.stats.parsed == 2
    assert other.cache_path != first.cache_path
    spec = first.model
    settings = {"a": 1}
    renamed = annotate_module.ModelSpec("other_model", spec.lang, spec.pipeline_name, spec.version,
                                        spec.components)
    newer = annotate_module.ModelSpec(spec.name, spec.lang, spec.pipeline_name, "9.9.9", spec.components)
    paths = {pipeline._cache_file(tmp_path, s, settings) for s in (spec, renamed, newer)}
    assert len(paths) == 3


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    corpus = tk.annotate(_frame(2), cache_dir=tmp_path, use_cache=False, progress=False)
    assert corpus.stats.parsed == 2
    assert corpus.cache_path is None
    assert not any(tmp_path.iterdir())


def test_long_text_is_annotated_in_pieces(seed_path: Path, tmp_path: Path) -> None:
    articles = tk.load_articles(seed_path)
    whole = tk.annotate(articles, cache_dir=tmp_path / "a", progress=False)
    pieces = tk.annotate(articles, cache_dir=tmp_path / "b", max_length=300, progress=False)
    text = articles["text"].iloc[0]
    doc = pieces.doc(articles["article_id"].iloc[0])
    assert doc.text == text
    for row in pieces.mentions.itertuples():
        assert text[row.start : row.end] == row.surface
    # Paragraphs are short here, so the pieces are whole paragraphs and the entities agree.
    assert set(pieces.mentions["surface"]) >= {"Deir el-Zour", "Mosul", "Ramadi"}
    overlap = set(zip(whole.mentions["start"], whole.mentions["end"], strict=True)) & set(
        zip(pieces.mentions["start"], pieces.mentions["end"], strict=True))
    assert len(overlap) >= 0.9 * len(whole.mentions)


def test_split_long_text_joins_back() -> None:
    text = ("Para one is here. It has two sentences.\n\n" * 30) + ("x" * 700)
    parts = annotate_module.split_long_text(text, 200)
    assert "".join(parts) == text
    assert all(len(p) <= 200 for p in parts)
    assert parts[0].endswith("\n\n")


def test_docs_are_lazy_and_carry_article_ids(tmp_path: Path) -> None:
    articles = _frame(3)
    corpus = tk.annotate(articles, cache_dir=tmp_path, progress=False)
    docs = corpus.docs()
    first = next(docs)
    assert first.user_data["article_id"] == articles["article_id"].iloc[0]
    assert first.text == articles["text"].iloc[0]
    assert [d.user_data["article_id"] for d in docs] == list(articles["article_id"].iloc[1:])
    with pytest.raises(KeyError, match="not in this corpus"):
        corpus.doc("nope")


def test_damaged_cache_entry_is_rebuilt(tmp_path: Path) -> None:
    articles = _frame(2)
    first = tk.annotate(articles, cache_dir=tmp_path, progress=False)
    with sqlite3.connect(first.cache_path) as db:
        db.execute("UPDATE derived SET crc = crc + 1")
    with pytest.warns(ToolkitWarning, match="checksum"):
        again = tk.annotate(articles, cache_dir=tmp_path, progress=False)
    assert again.stats.from_cached_docs == 2
    pd.testing.assert_frame_equal(first.mentions, again.mentions)


def test_damaged_cache_file_is_moved_aside(tmp_path: Path) -> None:
    articles = _frame(2)
    first = tk.annotate(articles, cache_dir=tmp_path, progress=False)
    first.cache_path.write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(str(first.cache_path) + suffix).unlink(missing_ok=True)
    with pytest.warns(ToolkitWarning, match="damaged"):
        again = tk.annotate(articles, cache_dir=tmp_path, progress=False)
    assert again.stats.parsed == 2
    assert first.cache_path.with_name(first.cache_path.name + ".corrupt").exists()


def test_two_processes_give_the_same_mentions(tmp_path: Path) -> None:
    articles = _frame(12)
    one = tk.annotate(articles, use_cache=False, progress=False)
    two = tk.annotate(articles, use_cache=False, n_process=2, batch_size=2, progress=False)
    pd.testing.assert_frame_equal(one.mentions, two.mentions)


def test_model_choice_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(annotate_module.ENV_MODEL, raising=False)
    default = tk.resolve_model()
    assert default.name in annotate_module.FALLBACK_MODELS
    monkeypatch.setenv(annotate_module.ENV_MODEL, "no_such_model_pkg")
    with pytest.raises(ModelError, match="no_such_model_pkg"):
        tk.resolve_model()
    assert tk.resolve_model(default.name).name == default.name  # the argument wins
    monkeypatch.delenv(annotate_module.ENV_MODEL)
    monkeypatch.setattr(annotate_module, "FALLBACK_MODELS", ("no_such_model_pkg", default.name))
    assert tk.resolve_model().name == default.name


def test_bad_arguments_are_clear() -> None:
    with pytest.raises(InputError, match="unknown output"):
        tk.annotate(_frame(1), outputs=["nope"], progress=False)
    with pytest.raises(InputError, match="n_process"):
        tk.annotate(_frame(1), n_process=0, progress=False)
    with pytest.raises(InputError, match="'text' column"):
        tk.annotate(pd.DataFrame({"body": ["x"]}), progress=False)
    with pytest.raises(InputError, match="more than once"):
        tk.annotate(pd.DataFrame({"text": ["a", "b"], "article_id": ["1", "1"]}), progress=False)


def test_annotate_accepts_a_path(seed_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        corpus = tk.annotate(seed_path, progress=False)
    assert len(corpus.articles) == 1
    assert len(corpus.mentions) > 30
