"""Tests of toolkit.analysis: exact values on small constructed tables, computed by hand below."""

from __future__ import annotations

import doctest
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
import toolkit.analysis as analysis
from toolkit.analysis import (
    cooccurrence,
    cooccurrence_graph,
    distinctive_entities,
    entity_counts,
    entity_trends,
    kwic,
    period_of,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "articles"

# Six articles: a4 is undated, a5 has no outlet, a6 (October) has no mentions.
ARTICLES = pd.DataFrame({
    "article_id": pd.array(["a1", "a2", "a3", "a4", "a5", "a6"], dtype="string"),
    "title": pd.array(["T1", "T2", "T3", "T4", "T5", "T6"], dtype="string"),
    "text": pd.array(["x"] * 6, dtype="string"),
    "outlet": pd.array(["Post", "Post", "Ledger", "Ledger", None, "Post"], dtype="string"),
    "published": pd.to_datetime(["2017-09-04 08:15", "2017-09-20 12:00", "2017-11-02 09:00", None,
                                 "2017-11-30 23:00", "2017-10-10 10:00"], utc=True).as_unit("ns"),
    "folder": ["world", "local", "world", "world", "local", "local"],
})

# (article, sentence, label, entity); row numbers in the comments of the tests refer to this list.
_ROWS = [
    ("a1", 0, "ORG", "Islamic State"),     # 1
    ("a1", 0, "GPE", "Raqqa"),             # 2
    ("a1", 1, "GPE", "Raqqa"),             # 3
    ("a1", 1, "GPE", "Islamic State"),     # 4
    ("a2", 0, "ORG", "Islamic State"),     # 5
    ("a2", 0, "GPE", "Syria"),             # 6
    ("a3", 0, "GPE", "Raqqa"),             # 7
    ("a3", 0, "GPE", "Syria"),             # 8
    ("a3", 1, "PERSON", "Haider al-Abadi"),  # 9
    ("a4", 0, "GPE", "Raqqa"),             # 10
    ("a4", 0, "ORG", "Islamic State"),     # 11
    ("a5", 0, "GPE", "Syria"),             # 12
]


def _mentions(rows: list[tuple[str, int, str, str]] = _ROWS) -> pd.DataFrame:
    return pd.DataFrame({
        "article_id": pd.array([r[0] for r in rows], dtype="string"),
        "sentence": np.array([r[1] for r in rows], dtype="int64"),
        "start": np.zeros(len(rows), dtype="int64"),
        "end": np.ones(len(rows), dtype="int64"),
        "surface": pd.array([r[3] for r in rows], dtype="string"),
        "label": pd.array([r[2] for r in rows], dtype="string"),
        "entity": pd.array([r[3] for r in rows], dtype="string"),
    })


MENTIONS = _mentions()


def _records(frame: pd.DataFrame, *columns: str) -> list[tuple]:
    """Rows as plain tuples (NA as None, floats rounded) for exact comparison."""
    out = []
    for row in frame[list(columns)].itertuples(index=False):
        values = []
        for value in row:
            if value is pd.NA or value is None or (isinstance(value, float) and math.isnan(value)):
                values.append(None)
            elif isinstance(value, (float, np.floating)):
                values.append(round(float(value), 6))
            elif isinstance(value, (np.integer,)):
                values.append(int(value))
            elif isinstance(value, pd.Timestamp):
                values.append(value.strftime("%Y-%m-%d"))
            else:
                values.append(value)
        out.append(tuple(values))
    return out


# ---------------------------------------------------------------------------------------------
# Docstring examples
# ---------------------------------------------------------------------------------------------

def test_docstring_examples_run() -> None:
    result = doctest.testmod(analysis, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 20
    assert result.failed == 0


# ---------------------------------------------------------------------------------------------
# entity_counts
# ---------------------------------------------------------------------------------------------

def test_counts_overall() -> None:
    table = entity_counts(MENTIONS)
    assert list(table.columns) == ["entity", "label", "mentions", "articles", "share_articles"]
    # 5 distinct articles in mentions. Islamic State: rows 1,4,5,11 in a1,a2,a4; ORG 3× vs GPE 1×.
    assert _records(table, *table.columns) == [
        ("Islamic State", "ORG", 4, 3, 0.6),
        ("Raqqa", "GPE", 4, 3, 0.6),
        ("Syria", "GPE", 3, 3, 0.6),
        ("Haider al-Abadi", "PERSON", 1, 1, 0.2),
    ]
    assert table["mentions"].sum() == len(MENTIONS)
    assert table.dtypes.to_dict() == {"entity": MENTIONS["entity"].dtype, "label": MENTIONS["label"].dtype,
                                      "mentions": np.dtype("int64"), "articles": np.dtype("int64"),
                                      "share_articles": np.dtype("float64")}


def test_counts_share_uses_all_articles_when_given() -> None:
    table = entity_counts(MENTIONS, ARTICLES)
    assert _records(table, "entity", "share_articles") == [
        ("Islamic State", 0.5), ("Raqqa", 0.5), ("Syria", 0.5), ("Haider al-Abadi", round(1 / 6, 6))]


def test_counts_label_tie_broken_alphabetically() -> None:
    mentions = _mentions([("a1", 0, "LOC", "Kurdistan"), ("a1", 1, "GPE", "Kurdistan"),
                          ("a2", 0, "ORG", "Kurdistan"), ("a2", 0, "GPE", "Kurdistan"),
                          ("a2", 1, "LOC", "Kurdistan")])
    # GPE 2, LOC 2, ORG 1: the tie between GPE and LOC goes to GPE.
    assert _records(entity_counts(mentions), "entity", "label", "mentions", "articles") == [
        ("Kurdistan", "GPE", 5, 2)]


def test_counts_by_outlet() -> None:
    table = entity_counts(MENTIONS, ARTICLES, by="outlet")
    assert list(table.columns) == ["outlet", "entity", "label", "mentions", "articles", "share_articles"]
    # Post: a1, a2, a6 (3 articles); Ledger: a3, a4 (2); no outlet: a5 (1), sorted last.
    assert _records(table, *table.columns) == [
        ("Ledger", "Raqqa", "GPE", 2, 2, 1.0),
        ("Ledger", "Haider al-Abadi", "PERSON", 1, 1, 0.5),
        ("Ledger", "Islamic State", "ORG", 1, 1, 0.5),
        ("Ledger", "Syria", "GPE", 1, 1, 0.5),
        ("Post", "Islamic State", "ORG", 3, 2, round(2 / 3, 6)),
        ("Post", "Raqqa", "GPE", 2, 1, round(1 / 3, 6)),
        ("Post", "Syria", "GPE", 1, 1, round(1 / 3, 6)),
        (None, "Syria", "GPE", 1, 1, 1.0),
    ]
    assert table["mentions"].sum() == len(MENTIONS)


def test_counts_by_label_has_one_label_column() -> None:
    table = entity_counts(MENTIONS, by="label")
    assert list(table.columns) == ["label", "entity", "mentions", "articles", "share_articles"]
    assert _records(table, *table.columns) == [
        ("GPE", "Raqqa", 4, 3, 0.6),
        ("GPE", "Syria", 3, 3, 0.6),
        ("GPE", "Islamic State", 1, 1, 0.2),
        ("ORG", "Islamic State", 3, 3, 0.6),
        ("PERSON", "Haider al-Abadi", 1, 1, 0.2),
    ]


def test_counts_by_period_drops_undated() -> None:
    table = entity_counts(MENTIONS, ARTICLES, by="period")
    assert table["period"].dtype == np.dtype("datetime64[ns]")
    # September: a1, a2 (2 articles); November: a3, a5 (2); a4 (undated) and its mentions are left out.
    assert _records(table, *table.columns) == [
        ("2017-09-01", "Islamic State", "ORG", 3, 2, 1.0),
        ("2017-09-01", "Raqqa", "GPE", 2, 1, 0.5),
        ("2017-09-01", "Syria", "GPE", 1, 1, 0.5),
        ("2017-11-01", "Syria", "GPE", 2, 2, 1.0),
        ("2017-11-01", "Haider al-Abadi", "PERSON", 1, 1, 0.5),
        ("2017-11-01", "Raqqa", "GPE", 1, 1, 0.5),
    ]


def test_counts_by_two_columns_and_folder() -> None:
    table = entity_counts(MENTIONS, ARTICLES, by=["folder", "label"])
    assert list(table.columns[:3]) == ["folder", "label", "entity"]
    # local: a2, a5, a6 (3 articles; a label does not narrow the denominator).
    local_gpe = table[(table["folder"] == "local") & (table["label"] == "GPE")]
    assert _records(local_gpe, "entity", "mentions", "articles", "share_articles") == [
        ("Syria", 2, 2, round(2 / 3, 6))]
    assert table["mentions"].sum() == len(MENTIONS)


def test_counts_top_n_per_group_and_labels_filter() -> None:
    top = entity_counts(MENTIONS, ARTICLES, by="outlet", n=1)
    assert _records(top, "outlet", "entity") == [
        ("Ledger", "Raqqa"), ("Post", "Islamic State"), (None, "Syria")]
    assert _records(entity_counts(MENTIONS, n=2), "entity") == [("Islamic State",), ("Raqqa",)]
    gpe = entity_counts(MENTIONS, labels="GPE")
    # The share still counts all 5 articles of the mentions table.
    assert _records(gpe, "entity", "label", "mentions", "share_articles") == [
        ("Raqqa", "GPE", 4, 0.6), ("Syria", "GPE", 3, 0.6), ("Islamic State", "GPE", 1, 0.2)]
    assert entity_counts(MENTIONS, labels=["PERSON", "NORP"])["entity"].tolist() == ["Haider al-Abadi"]


def test_counts_deterministic_and_order_independent() -> None:
    first = entity_counts(MENTIONS, ARTICLES, by=["outlet", "label"])
    again = entity_counts(MENTIONS, ARTICLES, by=["outlet", "label"])
    shuffled = entity_counts(MENTIONS.sample(frac=1, random_state=3), ARTICLES.sample(frac=1, random_state=4),
                             by=["outlet", "label"])
    assert first.to_csv() == again.to_csv() == shuffled.to_csv()


def test_period_of_months_weeks_and_time_zones() -> None:
    dates = pd.Series(pd.to_datetime(["2017-12-01 02:00+05:00", "2017-09-04 08:15+00:00", None], utc=True))
    assert period_of(dates, "MS").tolist() == [pd.Timestamp("2017-11-01"), pd.Timestamp("2017-09-01"), pd.NaT]
    # 2017-09-04 is a Monday; "W" periods are labelled by their Sunday, as pd.date_range does.
    assert period_of(dates, "W").tolist()[1] == pd.Timestamp("2017-09-03")
    assert period_of(dates, "D").tolist()[0] == pd.Timestamp("2017-11-30")
    assert period_of(pd.Series(pd.to_datetime(["2017-09-04 08:15"])), "h").tolist() == [
        pd.Timestamp("2017-09-04 08:00")]


# ---------------------------------------------------------------------------------------------
# entity_trends
# ---------------------------------------------------------------------------------------------

def test_trends_grid_and_values() -> None:
    table = entity_trends(MENTIONS, ARTICLES, n=2)
    assert list(table.columns) == ["period", "entity", "mentions", "articles"]
    assert table["period"].dtype == np.dtype("datetime64[ns]")
    # Dated totals: Islamic State 3, Raqqa 3, Syria 3 (a4 is undated): the top 2 by name are IS and Raqqa.
    # October (a6) has no mentions but lies between the first and last dated article.
    assert _records(table, *table.columns) == [
        ("2017-09-01", "Islamic State", 3, 2),
        ("2017-09-01", "Raqqa", 2, 1),
        ("2017-10-01", "Islamic State", 0, 0),
        ("2017-10-01", "Raqqa", 0, 0),
        ("2017-11-01", "Islamic State", 0, 0),
        ("2017-11-01", "Raqqa", 1, 1),
    ]


def test_trends_selected_entities_include_unknown() -> None:
    table = entity_trends(MENTIONS, ARTICLES, entities=["Syria", "Nobody"])
    assert _records(table, *table.columns) == [
        ("2017-09-01", "Nobody", 0, 0), ("2017-09-01", "Syria", 1, 1),
        ("2017-10-01", "Nobody", 0, 0), ("2017-10-01", "Syria", 0, 0),
        ("2017-11-01", "Nobody", 0, 0), ("2017-11-01", "Syria", 2, 2),
    ]


@pytest.mark.parametrize("freq", ["MS", "W", "D", "QS"])
def test_trends_sum_over_periods_equals_dated_count(freq: str) -> None:
    names = sorted(set(MENTIONS["entity"]))
    table = entity_trends(MENTIONS, ARTICLES, freq=freq, entities=names)
    periods = table["period"].drop_duplicates()
    expected_periods = pd.date_range(period_of(ARTICLES["published"], freq).min(),
                                     period_of(ARTICLES["published"], freq).max(), freq=freq)
    assert periods.tolist() == list(expected_periods)
    assert len(table) == len(expected_periods) * len(names)
    dated_ids = ARTICLES.loc[ARTICLES["published"].notna(), "article_id"]
    dated = MENTIONS[MENTIONS["article_id"].isin(dated_ids)]["entity"].value_counts()
    sums = table.groupby("entity")["mentions"].sum()
    for name in names:
        assert sums[name] == dated.get(name, 0)


# ---------------------------------------------------------------------------------------------
# cooccurrence
# ---------------------------------------------------------------------------------------------

def test_cooccurrence_sentence_level() -> None:
    table = cooccurrence(MENTIONS)
    assert list(table.columns) == ["entity_a", "entity_b", "count", "count_a", "count_b", "pmi", "npmi"]
    # 7 sentences hold a mention. Islamic State and Raqqa share (a1,0), (a1,1), (a4,0) and are each in 4.
    pmi = math.log2(3 * 7 / (4 * 4))
    assert _records(table, *table.columns) == [
        ("Islamic State", "Raqqa", 3, 4, 4, round(pmi, 6), round(pmi / -math.log2(3 / 7), 6))]
    assert round(pmi, 4) == 0.3923


def test_cooccurrence_min_count_and_tie_order() -> None:
    table = cooccurrence(MENTIONS, min_count=1)
    # Pairs seen once: Islamic State–Syria (a2,0) and Raqqa–Syria (a3,0), same pmi: ordered by name.
    pmi = math.log2(1 * 7 / (4 * 3))
    assert _records(table, "entity_a", "entity_b", "count", "count_a", "count_b", "pmi", "npmi") == [
        ("Islamic State", "Raqqa", 3, 4, 4, round(math.log2(21 / 16), 6),
         round(math.log2(21 / 16) / -math.log2(3 / 7), 6)),
        ("Islamic State", "Syria", 1, 4, 3, round(pmi, 6), round(pmi / math.log2(7), 6)),
        ("Raqqa", "Syria", 1, 4, 3, round(pmi, 6), round(pmi / math.log2(7), 6)),
    ]
    assert (table["entity_a"] < table["entity_b"]).all()
    assert len(cooccurrence(MENTIONS, min_count=1, n=2)) == 2
    assert cooccurrence(MENTIONS, min_count=4).empty


def test_cooccurrence_article_level() -> None:
    table = cooccurrence(MENTIONS, level="article")
    # 5 articles; Islamic State, Raqqa, Syria each in 3; IS and Raqqa together in a1 and a4.
    pmi = math.log2(2 * 5 / (3 * 3))
    assert _records(table, *table.columns) == [
        ("Islamic State", "Raqqa", 2, 3, 3, round(pmi, 6), round(pmi / -math.log2(2 / 5), 6))]
    pairs = cooccurrence(MENTIONS, level="article", min_count=1)
    assert len(pairs) == 5   # IS–Raqqa, IS–Syria, Raqqa–Syria, Haider–Raqqa, Haider–Syria


def test_cooccurrence_counts_units_once_and_labels() -> None:
    mentions = _mentions([("a1", 0, "GPE", "A"), ("a1", 0, "GPE", "A"), ("a1", 0, "GPE", "B"),
                          ("a2", 0, "GPE", "B"), ("a2", 0, "GPE", "A")])
    table = cooccurrence(mentions)
    # A and B are in both units: count == N, so npmi is 1.0 by definition (and pmi 0).
    assert _records(table, *table.columns) == [("A", "B", 2, 2, 2, 0.0, 1.0)]
    gpe = cooccurrence(MENTIONS, labels=["GPE"], min_count=1)
    # GPE only: 6 sentences; Islamic State (as GPE) in (a1,1), Raqqa in 4 of them, together once.
    assert _records(gpe, "entity_a", "entity_b", "count", "count_a", "count_b", "pmi") == [
        ("Islamic State", "Raqqa", 1, 1, 4, round(math.log2(6 / 4), 6)),
        ("Raqqa", "Syria", 1, 4, 3, round(math.log2(6 / 12), 6)),
    ]


def test_cooccurrence_graph_attributes() -> None:
    table = cooccurrence(MENTIONS, min_count=1)
    graph = cooccurrence_graph(table)
    assert sorted(graph.nodes(data="count")) == [("Islamic State", 4), ("Raqqa", 4), ("Syria", 3)]
    assert graph.number_of_edges() == 3
    edge = graph.edges["Raqqa", "Islamic State"]
    assert edge["count"] == 3
    assert edge["pmi"] == pytest.approx(math.log2(21 / 16))
    assert edge["npmi"] == pytest.approx(math.log2(21 / 16) / -math.log2(3 / 7))
    with_isolated = cooccurrence_graph(table, counts=pd.Series({"Haider al-Abadi": 1}))
    assert with_isolated.nodes["Haider al-Abadi"]["count"] == 1
    assert with_isolated.degree["Haider al-Abadi"] == 0
    frame_counts = pd.DataFrame({"entity": ["Syria"], "count": [9]})
    assert cooccurrence_graph(table, frame_counts).nodes["Syria"]["count"] == 9


def test_cooccurrence_deterministic() -> None:
    first = cooccurrence(MENTIONS, min_count=1)
    shuffled = cooccurrence(MENTIONS.sample(frac=1, random_state=7), min_count=1)
    assert first.to_csv() == cooccurrence(MENTIONS, min_count=1).to_csv() == shuffled.to_csv()


# ---------------------------------------------------------------------------------------------
# distinctive_entities
# ---------------------------------------------------------------------------------------------

def _grouped(counts: dict[str, dict[str, int]], column: str = "outlet") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mentions and articles with one article per group holding ``counts[group][entity]`` mentions."""
    rows, ids, groups = [], [], []
    for number, (group, entities) in enumerate(counts.items()):
        article = f"g{number}"
        ids.append(article)
        groups.append(group)
        for name, count in entities.items():
            rows += [(article, 0, "ORG", name)] * count
    articles = pd.DataFrame({"article_id": pd.array(ids, dtype="string"),
                             column: pd.array(groups, dtype="string")})
    return _mentions(rows), articles


def _fightin_words(y_i: float, n_i: float, y_j: float, n_j: float, prior: float) -> tuple[float, float]:
    """Monroe et al. eq. 22 by hand, with a_w = prior × y_w and a_0 = prior × n."""
    a_w, a_0 = prior * (y_i + y_j), prior * (n_i + n_j)
    delta = math.log((y_i + a_w) / (n_i + a_0 - y_i - a_w)) - math.log((y_j + a_w) / (n_j + a_0 - y_j - a_w))
    return delta, delta / math.sqrt(1 / (y_i + a_w) + 1 / (y_j + a_w))


def test_distinctive_signs_and_values() -> None:
    mentions, articles = _grouped({"A": {"X": 5, "Y": 5}, "B": {"Y": 5, "W": 5}})
    table = distinctive_entities(mentions, articles)
    assert list(table.columns) == ["outlet", "entity", "count", "count_rest", "log_odds", "z"]
    z = {(row.outlet, row.entity): row.z for row in table.itertuples()}
    assert z["A", "X"] > 0 > z["B", "X"]
    assert z["B", "W"] > 0 > z["A", "W"]
    assert z["A", "Y"] == pytest.approx(0, abs=1e-12)
    assert z["B", "Y"] == pytest.approx(0, abs=1e-12)
    delta, expected_z = _fightin_words(5, 10, 0, 10, 0.01)
    row = table[(table["outlet"] == "A") & (table["entity"] == "X")].iloc[0]
    assert (row["count"], row["count_rest"]) == (5, 0)
    assert row["log_odds"] == pytest.approx(delta)
    assert row["z"] == pytest.approx(expected_z)
    assert row["z"] == pytest.approx(1.17787, abs=1e-5)
    # Sorted by group, then z descending, then name.
    assert _records(table, "outlet", "entity") == [("A", "X"), ("A", "Y"), ("A", "W"),
                                                   ("B", "W"), ("B", "Y"), ("B", "X")]


def test_distinctive_symmetric_groups_give_zero() -> None:
    mentions, articles = _grouped({"A": {"X": 4, "Y": 7}, "B": {"X": 4, "Y": 7}})
    table = distinctive_entities(mentions, articles)
    assert np.allclose(table["z"], 0, atol=1e-12)
    assert np.allclose(table["log_odds"], 0, atol=1e-12)


def test_distinctive_three_groups_each_against_the_rest() -> None:
    mentions, articles = _grouped({"A": {"X": 9, "Y": 1, "Z": 1}, "B": {"X": 1, "Y": 9, "Z": 1},
                                   "C": {"X": 1, "Y": 1, "Z": 9}, })
    table = distinctive_entities(mentions, articles)
    assert len(table) == 9
    top = table.groupby("outlet").head(1)
    assert _records(top, "outlet", "entity") == [("A", "X"), ("B", "Y"), ("C", "Z")]
    assert (table["count"] + table["count_rest"] == 11).all()
    row = table[(table["outlet"] == "B") & (table["entity"] == "X")].iloc[0]
    assert row["z"] == pytest.approx(_fightin_words(1, 11, 10, 22, 0.01)[1])
    assert row["z"] < 0


def test_distinctive_min_count_prior_and_column() -> None:
    mentions, articles = _grouped({"local": {"X": 5, "rare": 2}, "world": {"X": 1, "Y": 4}}, column="folder")
    table = distinctive_entities(mentions, articles, by="folder")
    assert "rare" not in set(table["entity"])          # 2 mentions < min_count=3
    assert list(table.columns[:2]) == ["folder", "entity"]
    # n_i still counts the dropped entity: local has 7 mentions.
    row = table[(table["folder"] == "local") & (table["entity"] == "X")].iloc[0]
    assert row["z"] == pytest.approx(_fightin_words(5, 7, 1, 5, 0.01)[1])
    stronger = distinctive_entities(mentions, articles, by="folder", prior=1.0)
    row_strong = stronger[(stronger["folder"] == "local") & (stronger["entity"] == "X")].iloc[0]
    assert row_strong["z"] == pytest.approx(_fightin_words(5, 7, 1, 5, 1.0)[1])
    assert abs(row_strong["log_odds"]) < abs(row["log_odds"])   # more prior, more shrinkage
    assert "rare" in set(distinctive_entities(mentions, articles, by="folder", min_count=1)["entity"])


def test_distinctive_leaves_out_missing_group_and_is_deterministic() -> None:
    table = distinctive_entities(MENTIONS, ARTICLES, min_count=1)
    assert set(table["outlet"]) == {"Ledger", "Post"}
    assert table.to_csv() == distinctive_entities(MENTIONS.sample(frac=1, random_state=1), ARTICLES,
                                                  min_count=1).to_csv()


# ---------------------------------------------------------------------------------------------
# kwic
# ---------------------------------------------------------------------------------------------

K_TEXTS = {
    "k1": "Fighters pushed into Raqqa on Sunday.\nThe battle for Raqqa continued for weeks afterwards.",
    "k2": "Raqa fell.",
    "k3": "In Raqqa today.",
}
K_ARTICLES = pd.DataFrame({
    "article_id": pd.array(["k1", "k2", "k3"], dtype="string"),
    "title": pd.array(["One", "Two", "Three"], dtype="string"),
    "text": pd.array(list(K_TEXTS.values()), dtype="string"),
    "outlet": pd.array(["Post", None, "Ledger"], dtype="string"),
    "published": pd.to_datetime(["2017-10-01", None, "2017-09-01"], utc=True).as_unit("ns"),
})


def _k_mentions() -> pd.DataFrame:
    rows = [("k2", 0, 0, 4, "Raqa"), ("k1", 1, 53, 58, "Raqqa"), ("k1", 0, 21, 26, "Raqqa"),
            ("k3", 0, 3, 8, "Raqqa"), ("k3", 0, 0, 2, "In")]
    return pd.DataFrame({
        "article_id": pd.array([r[0] for r in rows], dtype="string"),
        "sentence": [r[1] for r in rows], "start": [r[2] for r in rows], "end": [r[3] for r in rows],
        "surface": pd.array([r[4] for r in rows], dtype="string"), "label": "GPE",
        "entity": pd.array(["Raqqa", "Raqqa", "Raqqa", "Raqqa", "In"], dtype="string"),
    })


def test_kwic_contexts() -> None:
    mentions = _k_mentions()
    for row in mentions.itertuples():
        assert K_TEXTS[row.article_id][row.start:row.end] == row.surface
    table = kwic(mentions, K_ARTICLES, "Raqqa", window=20)
    assert list(table.columns) == ["article_id", "title", "outlet", "published", "sentence", "start", "end",
                                   "left", "match", "right"]
    # k3 (September) first, then k1 (October) by start, then the undated k2.
    assert _records(table, "article_id", "start", "left", "match", "right") == [
        ("k3", 3, "In ", "Raqqa", " today."),
        ("k1", 21, "pushed into ", "Raqqa", " on Sunday. The"),      # "ighters" cut; newline folded
        ("k1", 53, "The battle for ", "Raqqa", " continued for weeks"),  # "day.\n" cut
        ("k2", 0, "", "Raqa", " fell."),
    ]
    assert table["published"].isna().tolist() == [False, False, False, True]
    assert table.loc[0, "title"] == "Three"


def test_kwic_surface_limit_and_list() -> None:
    mentions = _k_mentions()
    assert kwic(mentions, K_ARTICLES, "Raqa", by="surface")["article_id"].tolist() == ["k2"]
    assert kwic(mentions, K_ARTICLES, ["Raqqa"], by="surface")["article_id"].tolist() == ["k3", "k1", "k1"]
    assert len(kwic(mentions, K_ARTICLES, ["Raqqa", "In"], limit=2)) == 2
    narrow = kwic(mentions, K_ARTICLES, "Raqqa", window=0)
    assert (narrow["left"] == "").all() and (narrow["right"] == "").all()


def test_kwic_unknown_entity_gives_empty_table() -> None:
    table = kwic(_k_mentions(), K_ARTICLES, "Atlantis")
    assert table.empty
    assert list(table.columns) == list(analysis.KWIC_COLUMNS)
    assert kwic(_k_mentions(), K_ARTICLES, []).empty


# ---------------------------------------------------------------------------------------------
# Bad arguments
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("call", "pattern"), [
    (lambda: entity_counts(MENTIONS, ARTICLES, by="nope"), "by='nope'"),
    (lambda: entity_counts(MENTIONS, by="period"), "by='period' needs the articles"),
    (lambda: entity_counts(MENTIONS, by="outlet"), "by='outlet'"),
    (lambda: entity_counts(MENTIONS, by=3), "by must be"),
    (lambda: entity_counts(MENTIONS, ARTICLES, by="period", freq="fortnight"), "freq must be"),
    (lambda: entity_counts(MENTIONS, n=0), "n must be"),
    (lambda: entity_counts(MENTIONS, labels=5), "labels must be"),
    (lambda: entity_counts(MENTIONS.drop(columns="entity")), "mentions is missing column.*'entity'"),
    (lambda: entity_counts("mentions"), "mentions must be a pandas DataFrame"),
    (lambda: entity_counts(MENTIONS, pd.concat([ARTICLES, ARTICLES])), "duplicate article_id"),
    (lambda: entity_trends(MENTIONS, ARTICLES, n=-1), "n must be"),
    (lambda: entity_trends(MENTIONS, ARTICLES, freq="nope"), "freq must be"),
    (lambda: entity_trends(MENTIONS, ARTICLES.drop(columns="published")), "articles is missing.*'published'"),
    (lambda: entity_trends(MENTIONS, ARTICLES, entities=[1, 2]), "entities must be"),
    (lambda: cooccurrence(MENTIONS, level="paragraph"), "level must be"),
    (lambda: cooccurrence(MENTIONS, min_count=0), "min_count must be"),
    (lambda: cooccurrence(MENTIONS, n=1.5), "n must be"),
    (lambda: cooccurrence_graph(MENTIONS), "table is missing"),
    (lambda: cooccurrence_graph(cooccurrence(MENTIONS), counts=[1]), "counts must be"),
    (lambda: distinctive_entities(MENTIONS, ARTICLES, by="nope"), "by must name one column"),
    (lambda: distinctive_entities(MENTIONS, ARTICLES, prior=0), "prior must be a positive"),
    (lambda: distinctive_entities(MENTIONS, ARTICLES, prior=-1.0), "prior must be a positive"),
    (lambda: distinctive_entities(MENTIONS, ARTICLES, min_count=0), "min_count must be"),
    (lambda: distinctive_entities(MENTIONS, ARTICLES.assign(outlet="Post")), "at least two groups"),
    (lambda: kwic(MENTIONS, ARTICLES, "Raqqa", by="title"), "by must be 'entity' or 'surface'"),
    (lambda: kwic(MENTIONS, ARTICLES, "Raqqa", window=-1), "window must be"),
    (lambda: kwic(MENTIONS, ARTICLES, 42), "entity must be"),
    (lambda: period_of(ARTICLES["published"], "nope"), "freq must be"),
])
def test_bad_arguments_raise_value_error(call, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        call()


# ---------------------------------------------------------------------------------------------
# Speed on a synthetic table of 200,000 mentions
# ---------------------------------------------------------------------------------------------

def test_speed_on_200k_mentions() -> None:
    rng = np.random.default_rng(0)
    size, n_articles, n_entities = 200_000, 5_000, 20_000
    weights = 1 / np.arange(1, n_entities + 1)
    names = np.array([f"Entity {i}" for i in range(n_entities)], dtype=object)
    ids = np.char.add("a", rng.integers(0, n_articles, size).astype(str))
    mentions = pd.DataFrame({
        "article_id": pd.array(ids, dtype="string"),
        "sentence": rng.integers(0, 30, size),
        "start": np.zeros(size, dtype="int64"), "end": np.ones(size, dtype="int64"),
        "surface": "x",
        "label": pd.array(rng.choice(["PERSON", "ORG", "GPE", "NORP"], size), dtype="string"),
        "entity": pd.array(rng.choice(names, size, p=weights / weights.sum()), dtype="string"),
    })
    articles = pd.DataFrame({
        "article_id": pd.array([f"a{i}" for i in range(n_articles)], dtype="string"),
        "outlet": pd.array(rng.choice(["A", "B", "C", "D", "E"], n_articles), dtype="string"),
        "published": pd.Timestamp("2017-01-01", tz="UTC")
        + pd.to_timedelta(rng.integers(0, 365, n_articles), unit="D"),
    })
    began = time.perf_counter()
    counts = entity_counts(mentions, articles, by="outlet")
    distinctive = distinctive_entities(mentions, articles, by="outlet")
    elapsed = time.perf_counter() - began
    assert counts["mentions"].sum() == size
    assert set(distinctive["outlet"]) == {"A", "B", "C", "D", "E"}
    assert elapsed < 5.0, f"entity_counts + distinctive_entities took {elapsed:.2f} s on 200k mentions"
    began = time.perf_counter()
    entity_counts(mentions, articles, by=["period", "label"])
    cooccurrence(mentions)
    assert time.perf_counter() - began < 10.0


# ---------------------------------------------------------------------------------------------
# The demo corpus
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tk.Corpus:
    return tk.annotate(str(DATA), cache_dir=tmp_path_factory.mktemp("analysis-demo"), progress=False)


def test_demo_corpus_structure(demo: tk.Corpus) -> None:
    mentions, articles = demo.mentions, demo.articles
    assert len(mentions) > 0

    assert entity_counts(mentions)["mentions"].sum() == len(mentions)
    assert entity_counts(mentions, articles, by="outlet")["mentions"].sum() == len(mentions)
    by_label = entity_counts(mentions, by="label")
    assert by_label["mentions"].sum() == len(mentions)
    assert set(by_label["label"]) == set(mentions["label"])
    assert entity_counts(mentions, articles, by="period")["share_articles"].between(0, 1).all()

    dated_ids = articles.loc[articles["published"].notna(), "article_id"]
    dated = mentions[mentions["article_id"].isin(dated_ids)]
    top = dated["entity"].value_counts()
    trends = entity_trends(mentions, articles, n=5)
    assert trends["entity"].nunique() == 5
    assert trends.groupby("entity")["mentions"].sum().to_dict() == {name: top[name] for name in
                                                                    trends["entity"].unique()}
    everything = entity_trends(mentions, articles, entities=sorted(set(mentions["entity"])))
    assert everything["mentions"].sum() == len(dated)

    pairs = cooccurrence(mentions)
    assert (pairs["entity_a"] < pairs["entity_b"]).all() and (pairs["count"] >= 2).all()
    assert (pairs["count"] <= pairs[["count_a", "count_b"]].min(axis=1)).all()
    assert pairs["npmi"].between(-1 - 1e-9, 1 + 1e-9).all()
    graph = cooccurrence_graph(pairs)
    assert graph.number_of_edges() == len(pairs)

    distinctive = distinctive_entities(mentions, articles)
    assert set(distinctive["outlet"]) == set(articles["outlet"].dropna())
    assert np.isfinite(distinctive["z"]).all()

    name = top.index[0]
    lines = kwic(mentions, articles, name)
    assert len(lines) == (mentions["entity"] == name).sum()
    texts = dict(zip(articles["article_id"], articles["text"], strict=True))
    for row in lines.itertuples():
        assert texts[row.article_id][row.start:row.end] == row.match
        assert "\n" not in row.left and "\n" not in row.right


# --------------------------------------------------------------------------- places

PLACES = pd.DataFrame({
    "article_id": ["a1", "a1", "a1", "a2", "a2", "a3"],
    "place_id": [170794, 170794, 99532, 99532, None, 163843],
    "place_name": ["Raqqa", "Raqqa", "Mosul", "Mosul", None, "Syria"],
    "country_code": ["SY", "SY", "IQ", "IQ", None, "SY"],
    "feature": ["city", "city", "city", "city", None, "country"],
    "lat": [35.95, 35.95, 36.34, 36.34, None, 35.0],
    "lon": [39.01, 39.01, 43.13, 43.13, None, 38.0],
})
PLACE_ARTICLES = pd.DataFrame({"article_id": ["a1", "a2", "a3", "a4"],
                               "outlet": ["Post", "Post", "Ledger", "Ledger"]})


def test_place_counts_leave_out_unresolved_and_keep_attributes() -> None:
    from toolkit.analysis import place_counts

    table = place_counts(PLACES, PLACE_ARTICLES)
    assert list(table["place_name"]) == ["Mosul", "Raqqa", "Syria"]
    assert list(table["mentions"]) == [2, 2, 1]
    assert list(table["articles"]) == [2, 1, 1]
    assert list(table["share_articles"]) == [0.5, 0.25, 0.25]
    assert table.loc[table["place_name"] == "Raqqa", "country_code"].item() == "SY"
    by_outlet = place_counts(PLACES, PLACE_ARTICLES, by="outlet")
    assert by_outlet[["outlet", "place_name", "mentions"]].values.tolist() == [
        ["Ledger", "Syria", 1], ["Post", "Mosul", 2], ["Post", "Raqqa", 2]]


def test_country_counts_count_every_place_in_the_country() -> None:
    from toolkit.analysis import country_counts

    table = country_counts(PLACES, PLACE_ARTICLES)
    assert table[["country_code", "country_name", "mentions", "articles"]].values.tolist() == [
        ["SY", "Syria", 3, 2], ["IQ", "Iraq", 2, 2]]
    assert table["mentions"].sum() == PLACES["country_code"].notna().sum()
