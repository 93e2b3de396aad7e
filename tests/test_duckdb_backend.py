"""Counting through DuckDB: the same tables as pandas, from DataFrames and from Parquet on disk."""

from __future__ import annotations

import doctest
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit import duckdb_backend
from toolkit.errors import InputError
from toolkit.export import write_dataset, write_table

OUTLETS = ["Post", "Ledger", "Times", None]


@pytest.fixture(scope="module")
def synthetic() -> dict[str, pd.DataFrame]:
    """Random mentions over 400 articles: several labels per entity, ties, missing values."""
    rng = np.random.default_rng(7)
    n_articles, n_mentions = 400, 12_000
    published = pd.Series(pd.to_datetime(rng.integers(1_483_228_800, 1_546_300_800, n_articles), unit="s",
                                         utc=True))
    published[rng.random(n_articles) < 0.05] = pd.NaT
    articles = pd.DataFrame({
        "article_id": pd.array([f"a{i:04d}" for i in range(n_articles)], dtype="string"),
        "outlet": pd.array(rng.choice(np.array(OUTLETS, dtype=object), n_articles), dtype="string"),
        "section": rng.choice(["world", "home"], n_articles),
        "published": published,
    })
    entities = np.array([f"Entity {i:03d}" for i in range(250)] + [None], dtype=object)
    mentions = pd.DataFrame({
        "article_id": pd.array(rng.choice(articles["article_id"].to_numpy(), n_mentions), dtype="string"),
        "sentence": rng.integers(0, 30, n_mentions),
        "label": pd.array(rng.choice(["PERSON", "ORG", "GPE", "NORP"], n_mentions), dtype="string"),
        "entity": pd.array(rng.choice(entities, n_mentions), dtype="string"),
    })
    # mentions of an article absent from the articles table are left out when articles are given
    mentions.loc[:4, "article_id"] = "stray"
    return {"articles": articles, "mentions": mentions}


@pytest.fixture(scope="module")
def real() -> dict[str, pd.DataFrame]:
    """The bundled sample's articles (real outlets, dates and syndicated copies) with random mentions
    and places in the dtypes ``annotate`` gives them (no model: the tests stay fast)."""
    rng = np.random.default_rng(11)
    articles = tk.load_articles(Path(__file__).resolve().parents[1] / "data" / "articles")
    ids = articles["article_id"].to_numpy()
    entities = np.array(["Raqqa", "Mosul", "Islamic State", "Haider al-Abadi", "Kurds", "UN"], dtype=object)
    mentions = pd.DataFrame({
        "article_id": pd.array(rng.choice(ids, 900), dtype="string"),
        "sentence": rng.integers(0, 20, 900),
        "label": pd.array(rng.choice(["GPE", "ORG", "PERSON", "NORP"], 900), dtype="string"),
        "entity": pd.array(rng.choice(entities, 900), dtype="string"),
    })
    gazetteer = pd.DataFrame({
        "place_id": [170794, 99532, 98182, 6252001, 163843, 2635167, None],
        "place_name": ["Raqqa", "Mosul", "Baghdad", "United States", "Syria", "United Kingdom", None],
        "country_code": ["SY", "IQ", "IQ", "US", "SY", "GB", None],
        "feature": ["city", "city", "city", "country", "country", "country", None],
        "lat": [35.95, 36.34, 33.34, 39.76, 35.0, 54.75, np.nan],
        "lon": [39.01, 43.13, 44.40, -98.5, 38.0, -2.70, np.nan],
    })
    choice = rng.choice(len(gazetteer), 700, p=[0.2, 0.2, 0.15, 0.1, 0.1, 0.1, 0.15])
    places = gazetteer.iloc[choice].reset_index(drop=True)
    places.insert(0, "article_id", rng.choice(ids, len(places)))
    places.loc[places.index % 50 == 0, "country_code"] = "XKX"  # not a two-letter code: left out
    places = places.astype({"article_id": "string", "place_id": "Int64", "place_name": "string",
                            "country_code": "string", "feature": "string"})
    return {"articles": articles, "mentions": mentions, "places": places}


@pytest.fixture(scope="module")
def on_disk(synthetic: dict[str, pd.DataFrame], real: dict[str, pd.DataFrame],
            tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The tables as partitioned datasets (several parts each) and as single files."""
    folder = tmp_path_factory.mktemp("datasets")
    ids = [*synthetic["articles"]["article_id"], "stray"]
    paths = {
        "mentions": write_dataset(synthetic["mentions"], folder / "mentions", article_ids=ids,
                                  articles_per_part=90),
        "articles": write_dataset(synthetic["articles"], folder / "articles", articles_per_part=90),
        "places": write_dataset(real["places"], folder / "places", articles_per_part=8),
        "real_articles": write_table(real["articles"], folder / "real_articles.parquet"),
    }
    return paths


COUNT_OPTIONS = [
    {},
    {"by": "label"},
    {"by": "outlet"},
    {"by": "period"},
    {"by": "period", "freq": "W", "labels": ["ORG", "GPE"]},
    {"by": ["outlet", "period"], "freq": "QS", "n": 3},
    {"by": ["section", "label"], "n": 5},
    {"labels": "PERSON", "n": 10},
]


@pytest.mark.parametrize("options", COUNT_OPTIONS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
def test_entity_counts_same_as_pandas(synthetic: dict[str, pd.DataFrame], options: dict) -> None:
    expected = tk.entity_counts(synthetic["mentions"], synthetic["articles"], **options)
    assert len(expected) > 0
    result = tk.entity_counts(synthetic["mentions"], synthetic["articles"], backend="duckdb", **options)
    pd.testing.assert_frame_equal(result, expected)


@pytest.mark.parametrize("options", [{}, {"by": "label", "n": 4}, {"labels": ["ORG"]}], ids=str)
def test_entity_counts_without_articles(synthetic: dict[str, pd.DataFrame], options: dict) -> None:
    expected = tk.entity_counts(synthetic["mentions"], **options)
    result = tk.entity_counts(synthetic["mentions"], backend="duckdb", **options)
    pd.testing.assert_frame_equal(result, expected)


@pytest.mark.parametrize("options", [{"by": "outlet"}, {"by": "period", "freq": "MS", "n": 2}], ids=str)
def test_entity_counts_from_parquet(synthetic: dict[str, pd.DataFrame], on_disk: dict[str, Path],
                                    options: dict) -> None:
    """Read from disk, DuckDB gives what pandas gives on the same files read with pd.read_parquet."""
    mentions = pd.read_parquet(on_disk["mentions"])
    articles = pd.read_parquet(on_disk["articles"])
    # the same rows, grouped by article part
    order = ["article_id", "sentence", "label", "entity"]
    pd.testing.assert_frame_equal(mentions.sort_values(order, ignore_index=True),
                                  synthetic["mentions"].sort_values(order, ignore_index=True))
    expected = tk.entity_counts(mentions, articles, **options)
    for source in (on_disk["mentions"], str(on_disk["mentions"] / "part-*.parquet"),
                   sorted(on_disk["mentions"].glob("*.parquet"))):
        result = tk.entity_counts(source, on_disk["articles"], backend="duckdb", **options)
        pd.testing.assert_frame_equal(result, expected)


def test_entity_counts_on_sample_articles(real: dict[str, pd.DataFrame]) -> None:
    for options in ({"by": "outlet"}, {"by": ["outlet", "period"], "n": 5}):
        expected = tk.entity_counts(real["mentions"], real["articles"], **options)
        result = tk.entity_counts(real["mentions"], real["articles"], backend="duckdb", **options)
        pd.testing.assert_frame_equal(result, expected)


def test_dedupe_syndicated(real: dict[str, pd.DataFrame]) -> None:
    expected = tk.entity_counts(real["mentions"], real["articles"], by="outlet", dedupe="syndicated")
    assert not expected.equals(tk.entity_counts(real["mentions"], real["articles"], by="outlet"))
    result = tk.entity_counts(real["mentions"], real["articles"], by="outlet", dedupe="syndicated",
                              backend="duckdb")
    pd.testing.assert_frame_equal(result, expected)


@pytest.mark.parametrize("options", [{}, {"by": "outlet"}, {"by": "period", "n": 3}], ids=str)
def test_place_and_country_counts(real: dict[str, pd.DataFrame], on_disk: dict[str, Path],
                                  options: dict) -> None:
    places, articles = real["places"], real["articles"]
    assert places["place_id"].notna().sum() > 50 and places["place_id"].isna().any()
    for function in (tk.place_counts, tk.country_counts):
        expected = function(places, articles, **options)
        assert len(expected) > 0
        pd.testing.assert_frame_equal(function(places, articles, backend="duckdb", **options), expected)
        from_disk = function(on_disk["places"], on_disk["real_articles"], backend="duckdb", **options)
        read = function(pd.read_parquet(on_disk["places"]), pd.read_parquet(on_disk["real_articles"]),
                        **options)
        pd.testing.assert_frame_equal(from_disk, read)


@pytest.mark.parametrize("options", [{}, {"freq": "W", "n": 4}, {"entities": ["Entity 001", "Nobody"]}],
                         ids=str)
def test_entity_trends(synthetic: dict[str, pd.DataFrame], on_disk: dict[str, Path], options: dict) -> None:
    expected = tk.entity_trends(synthetic["mentions"], synthetic["articles"], **options)
    assert expected["mentions"].sum() > 0
    result = tk.entity_trends(synthetic["mentions"], synthetic["articles"], backend="duckdb", **options)
    pd.testing.assert_frame_equal(result, expected)
    from_disk = tk.entity_trends(on_disk["mentions"], on_disk["articles"], backend="duckdb", **options)
    read = tk.entity_trends(pd.read_parquet(on_disk["mentions"]), pd.read_parquet(on_disk["articles"]),
                            **options)
    pd.testing.assert_frame_equal(from_disk, read)


def test_bad_arguments(synthetic: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    with pytest.raises(InputError, match="backend must be one of"):
        tk.entity_counts(synthetic["mentions"], backend="spark")
    with pytest.raises(InputError, match="neither a DataFrame nor an existing Parquet"):
        tk.entity_counts(tmp_path / "nowhere.parquet", backend="duckdb")
    with pytest.raises(InputError, match=r"holds no \.parquet file"):
        tk.entity_counts(str(tmp_path / "*.parquet"), backend="duckdb")
    bare = write_table(pd.DataFrame({"article_id": ["a"], "entity": ["X"]}), tmp_path / "bare.parquet")
    with pytest.raises(InputError, match=r"missing column.*'label'"):
        tk.entity_counts(bare, backend="duckdb")
    with pytest.raises(InputError, match="by='nothing' is not a column"):
        tk.entity_counts(synthetic["mentions"], synthetic["articles"], by="nothing", backend="duckdb")
    with pytest.raises(InputError, match="n must be"):
        tk.entity_counts(synthetic["mentions"], n=0, backend="duckdb")


def test_write_dataset_parts_line_up(synthetic: dict[str, pd.DataFrame], on_disk: dict[str, Path]) -> None:
    mention_parts = sorted(on_disk["mentions"].glob("part-*.parquet"))
    article_parts = sorted(on_disk["articles"].glob("part-*.parquet"))
    assert [p.name for p in mention_parts] == [f"part-{i:05d}.parquet" for i in range(5)]
    assert [p.name for p in article_parts] == [p.name for p in mention_parts[:5]]
    for mentions_part, articles_part in zip(mention_parts[:4], article_parts[:4], strict=True):
        ids = set(pd.read_parquet(articles_part)["article_id"])
        assert len(ids) == 90 or articles_part == article_parts[-1]
        assert set(pd.read_parquet(mentions_part)["article_id"]) <= ids


def test_docstrings() -> None:
    result = doctest.testmod(duckdb_backend, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
