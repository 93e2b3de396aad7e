"""Summary tables for notebooks and reports: groups as columns, focus per group, review list, kinds."""

from __future__ import annotations

import doctest

import pandas as pd
import pytest

import toolkit as tk
from toolkit import summaries
from toolkit.errors import InputError

ARTICLES = pd.DataFrame({"article_id": ["a1", "a2", "a3", "a4", "a5"],
                         "outlet": ["Post", "Post", "Post", "Ledger", "Ledger"]})
MENTIONS = pd.DataFrame({
    "article_id": ["a1", "a1", "a2", "a3", "a4", "a4", "a5"],
    "label": ["GPE", "GPE", "GPE", "ORG", "GPE", "ORG", "ORG"],
    "entity": ["Iraq", "Syria", "Iraq", "Islamic State", "Syria", "Islamic State", "Islamic State"]})


def test_pivot_counts_puts_groups_in_columns() -> None:
    counts = tk.entity_counts(MENTIONS, ARTICLES, by="outlet")
    grid = tk.pivot_counts(counts, by="outlet")
    assert list(grid.columns) == ["Ledger", "Post"] and grid.columns.name == "outlet"
    # Every cell is the share_articles of that (entity, outlet) row, 0 where the outlet never names it.
    for row in counts.itertuples():
        assert grid.loc[row.entity, row.outlet] == pytest.approx(row.share_articles)
    assert grid.loc["Iraq", "Ledger"] == 0
    means = grid.mean(axis=1).tolist()
    assert means == sorted(means, reverse=True)                     # most present across outlets first
    assert list(grid.index) == ["Islamic State", "Syria", "Iraq"]
    assert len(tk.pivot_counts(counts, by="outlet", n=2)) == 2
    mentions = tk.pivot_counts(counts, by="outlet", value="mentions")
    assert mentions.loc["Islamic State"].sum() == (MENTIONS["entity"] == "Islamic State").sum()


def test_pivot_counts_of_other_count_tables() -> None:
    places = pd.DataFrame({"article_id": ["a1", "a2", "a4"], "country_code": ["IQ", "IQ", "SY"]})
    grid = tk.pivot_counts(tk.country_counts(places, ARTICLES, by="outlet"), by="outlet")
    assert "Iraq" in grid.index and "IQ" not in grid.index            # names read better than codes
    attributions = pd.DataFrame({"article_id": ["a1", "a4"], "kind": ["direct", "direct"],
                                 "source_entity": ["Karim Haddad", "officials"],
                                 "source_type": ["named_person", "anonymous"]})
    grid = tk.pivot_counts(tk.source_counts(attributions, ARTICLES, by="outlet"), by="outlet")
    assert grid.loc["Karim Haddad", "Post"] == 1.0 and grid.loc["Karim Haddad", "Ledger"] == 0


def test_pivot_counts_errors() -> None:
    counts = tk.entity_counts(MENTIONS, ARTICLES, by="outlet")
    with pytest.raises(InputError, match=r"pivot_counts\(\): counts is missing column\(s\) 'period'"):
        tk.pivot_counts(counts, by="period")
    with pytest.raises(InputError, match=r"value='z' is not a column"):
        tk.pivot_counts(counts, by="outlet", value="z")
    with pytest.raises(InputError, match=r"none of the columns"):
        tk.pivot_counts(counts.drop(columns="entity"), by="outlet")


def test_focus_counts_counts_articles_by_their_main_focus() -> None:
    focus = pd.DataFrame({
        "article_id": ["a1", "a1", "a2", "a3", "a4", "a1"],
        "level": ["country", "country", "country", "country", "country", "place"],
        "rank": [1, 2, 1, 1, 1, 1],
        "place_name": ["Iraq", "Syria", "Iraq", "Syria", "Syria", "Mosul"],
        "country_code": ["IQ", "SY", "IQ", "SY", "SY", "IQ"]})
    table = tk.focus_counts(focus, ARTICLES)
    assert table.columns.tolist() == ["outlet", "place_name", "country_code", "articles", "share"]
    assert table.to_dict("records") == [
        {"outlet": "Ledger", "place_name": "Syria", "country_code": "SY", "articles": 1, "share": 0.5},
        {"outlet": "Post", "place_name": "Iraq", "country_code": "IQ", "articles": 2, "share": 2 / 3},
        {"outlet": "Post", "place_name": "Syria", "country_code": "SY", "articles": 1, "share": 1 / 3}]
    places = tk.focus_counts(focus, ARTICLES, level="place")
    assert places["place_name"].tolist() == ["Mosul"]
    with pytest.raises(InputError, match="level must be"):
        tk.focus_counts(focus, ARTICLES, level="city")
    with pytest.raises(InputError, match="output of article_focus"):
        tk.focus_counts(focus.drop(columns="rank"), ARTICLES)


def test_places_to_review() -> None:
    places = pd.DataFrame({"surface": ["Raqqa", "Deir", "Tripoli", "Mosul"],
                           "place_id": pd.array([170794, None, 2210247, 99072], dtype="Int64"),
                           "score": [1.0, 0.0, 0.4, 0.5]})
    assert tk.places_to_review(places)["surface"].tolist() == ["Deir", "Tripoli"]
    assert tk.places_to_review(places, min_score=0.9)["surface"].tolist() == ["Deir", "Tripoli", "Mosul"]
    assert tk.places_to_review(places).columns.tolist() == places.columns.tolist()
    with pytest.raises(InputError, match="min_score must be a number between 0 and 1"):
        tk.places_to_review(places, min_score=5)


def test_kind_counts() -> None:
    attributions = pd.DataFrame({"article_id": ["a1", "a1", "a2", "a4"],
                                 "kind": ["direct", "indirect", "direct", "direct"]})
    overall = tk.kind_counts(attributions, ARTICLES)
    rows = overall[["kind", "statements", "articles"]].to_numpy().tolist()
    assert rows == [["direct", 3, 3], ["indirect", 1, 1]]
    assert overall["share_articles"].tolist() == [3 / 5, 1 / 5]
    by_outlet = tk.kind_counts(attributions, ARTICLES, by="outlet")
    assert by_outlet.groupby("outlet")["statements"].sum().to_dict() == {"Ledger": 1, "Post": 3}
    with pytest.raises(InputError, match="kind_counts"):
        tk.kind_counts(attributions.drop(columns="kind"))


def test_docstring_examples() -> None:
    result = doctest.testmod(summaries, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 5 and result.failed == 0
