"""Syndicated copy: grouping near-duplicate articles, shared copy per outlet, deduplicated counts."""

from __future__ import annotations

import doctest
import json
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit import stats, syndication
from toolkit.analysis import cooccurrence, country_counts, distinctive_entities, entity_counts, entity_trends
from toolkit.errors import InputError
from toolkit.stats import wilson_interval
from toolkit.syndication import (
    SYNDICATION_COLUMNS,
    dedupe_articles,
    find_syndicated,
    shared_copy_by_outlet,
    syndicated_groups,
)

REPO = Path(__file__).resolve().parent.parent
TRUTH = json.loads((REPO / "tests" / "fixtures" / "demo_truth.json").read_text("utf-8"))

# A wire story of about 330 words, as an agency would send it.
WIRE_PARAGRAPHS = [
    "ROTTERDAM (Reuters) - Dock workers at the port of Rotterdam walked off the job on Tuesday in a dispute "
    "over automation, halting container traffic at Europe's busiest port for the first time in more than a "
    "decade, the FNV union said.",
    "The strike began at 6 a.m. local time and is set to last 24 hours. Union officials said about 3,000 "
    "workers had joined the stoppage at the Maasvlakte terminals, where most of the port's container ships "
    "are unloaded.",
    "\u201cWe are not against new machines, but we will not accept that they cost hundreds of jobs "
    "without any plan for the people who lose them,\u201d FNV negotiator Niek Stam told reporters outside "
    "the main gate.",
    "The Port of Rotterdam Authority said at least 40 vessels were waiting off the coast and that shipping "
    "lines had begun diverting cargo to Antwerp and Hamburg. It estimated the cost of the stoppage at "
    "several million euros a day.",
    "Terminal operators APM Terminals and Rotterdam World Gateway said in a joint statement that they had "
    "offered job guarantees until 2020 and regretted the union's decision to strike while talks were still "
    "under way.",
    "Rotterdam handled 12.2 million containers last year, more than any other port in Europe. Its new "
    "automated terminals, opened in 2015, use driverless vehicles and remote-controlled cranes to move boxes "
    "between ships and the quay.",
    "Analysts at ING said a short strike would have little lasting effect on trade, but warned that longer "
    "action could push up freight rates at a time when carriers were already struggling with overcapacity.",
    "Talks between the union and the employers are due to resume on Thursday, the Dutch social affairs "
    "ministry said.",
]
WIRE_BODY = "\n\n".join(WIRE_PARAGRAPHS)

# An independent report of the same strike: same people, places, date and figures, other words.
INDEPENDENT_BODY = "\n\n".join([
    "Container ships queued in the North Sea on Tuesday as Rotterdam's dockers stopped work for a day, "
    "protesting against the robots that increasingly run the port's newest quays.",
    "Niek Stam, who leads the FNV union's port negotiators, said the Maasvlakte terminals had fallen silent "
    "within minutes of the 6 a.m. start. Roughly 3,000 people took part, according to the union.",
    "Employers APM Terminals and Rotterdam World Gateway described the walkout as unnecessary. They say they "
    "have already promised that nobody will be laid off before 2020.",
    "By midday some 40 ships were anchored offshore, and the Port of Rotterdam Authority said a number of "
    "carriers were sending their cargo to Antwerp and Hamburg instead. Economists at ING expect little "
    "damage unless the dispute drags on.",
    "Europe's largest port moved 12.2 million containers last year. Negotiations are scheduled to restart "
    "on Thursday.",
])


def _copy_cut_paragraph() -> str:
    """Headline changed, the background paragraph (Rotterdam's volumes) cut."""
    kept = [p for i, p in enumerate(WIRE_PARAGRAPHS) if i != 5]
    return "Europe's busiest port shut by strike\n\n" + "\n\n".join(kept)


def _copy_local_sentence() -> str:
    """Headline changed, a local sentence added, curly quotes made straight, one figure edited."""
    paragraphs = list(WIRE_PARAGRAPHS)
    paragraphs[2] = paragraphs[2].replace("\u201c", '"').replace("\u201d", '"')
    paragraphs[3] = paragraphs[3].replace("at least 40 vessels", "at least 41 vessels")
    paragraphs.insert(4, "Freight forwarders in Felixstowe said on Tuesday they expected some of the "
                         "diverted cargo to reach British ports by the weekend.")
    return "Rotterdam dockers strike over robots\n\n" + "\n\n".join(paragraphs)


def _copy_both() -> str:
    """Headline changed, the last paragraph cut, a local sentence added, and a 'Read more' line."""
    paragraphs = [*WIRE_PARAGRAPHS[:-1],
                  "Belgian port officials in Antwerp said they could absorb the extra ships for a few days."]
    paragraphs.insert(3, "Read more: Port strikes explained")
    return "Port of Rotterdam at standstill\n\n" + "\n\n".join(paragraphs)


def _articles(rows: list[tuple[str, str, str, str | None]]) -> pd.DataFrame:
    """An articles table from (article_id, outlet, published, text) rows; the title is the first line."""
    return pd.DataFrame({
        "article_id": [r[0] for r in rows],
        "title": [r[3].split("\n", 1)[0] for r in rows],
        "text": [r[3] for r in rows],
        "outlet": [r[1] for r in rows],
        "published": pd.to_datetime([r[2] for r in rows], utc=True),
    })


@pytest.fixture(scope="module")
def wire_articles() -> pd.DataFrame:
    return _articles([
        ("w0", "Agency Wire", "2017-06-13 09:05",
         "Rotterdam dock workers strike over automation\n\n" + WIRE_BODY),
        ("c1", "Meridian Post", "2017-06-13 11:00", _copy_cut_paragraph()),
        ("c2", "Harbor Times", "2017-06-13 12:30", _copy_local_sentence()),
        ("c3", "Northern Courier", "2017-06-13 10:15", _copy_both()),
        ("i1", "The Daily Ledger", "2017-06-13 10:00", "Robots at the heart of Rotterdam walkout\n\n"
         + INDEPENDENT_BODY),
        ("u1", "Harbor Times", "2017-06-13 08:00", "Council approves budget\n\n" + " ".join(
            f"The council approved item {i} of the budget after a long debate." for i in range(12))),
    ])


def test_wire_story_and_three_edited_copies_form_one_group(wire_articles: pd.DataFrame) -> None:
    assert len(WIRE_BODY.split()) >= 200
    groups = find_syndicated(wire_articles)
    assert list(groups.columns) == list(SYNDICATION_COLUMNS)
    assert set(groups["article_id"]) == {"w0", "c1", "c2", "c3"}
    assert groups["story_id"].nunique() == 1
    assert (groups["story_id"] == "w0").all()           # the earliest copy
    assert groups.loc[groups["is_first"], "article_id"].tolist() == ["w0"]
    assert (groups["group_size"] == 4).all() and (groups["n_outlets"] == 4).all()
    assert groups["outlets"].iloc[0] == "Agency Wire; Harbor Times; Meridian Post; Northern Courier"
    assert groups["article_id"].tolist() == ["w0", "c3", "c1", "c2"]   # publication order
    copies = groups[~groups["is_first"]]
    assert copies["similarity"].between(0.8, 1.0).all()
    assert (copies["jaccard"] < 1.0).all() and (copies["jaccard"] <= copies["similarity"]).all()


def test_independent_report_of_the_same_event_is_not_grouped(wire_articles: pd.DataFrame) -> None:
    groups = find_syndicated(wire_articles)
    assert "i1" not in set(groups["article_id"])
    assert "u1" not in set(groups["article_id"])
    # it is not grouped at any sensible threshold: its overlap with the wire story is tiny
    loose = find_syndicated(wire_articles[wire_articles["article_id"].isin(["w0", "i1"])], threshold=0.2,
                            min_jaccard=0.01)
    assert loose.empty


def test_the_title_line_and_boilerplate_do_not_count() -> None:
    body = "\n\n".join(WIRE_PARAGRAPHS[:3])
    articles = _articles([
        ("a", "A", "2017-06-13 09:00", "Dockers strike\n\n" + body),
        ("b", "B", "2017-06-13 10:00", "A completely different headline for the same copy\n\n"
         "Advertisement\n\n" + body + "\n\nRead more: Port strikes explained"),
    ])
    groups = find_syndicated(articles)
    assert groups["similarity"].tolist() == [1.0, 1.0]
    assert groups["jaccard"].tolist() == [1.0, 1.0]


def test_short_copy_of_the_opening_paragraphs_matches_the_long_story() -> None:
    brief = "\n\n".join(WIRE_PARAGRAPHS[:2])                  # about 75 words of a 330-word story
    articles = _articles([
        ("long", "Agency Wire", "2017-06-13 09:05", "Strike\n\n" + WIRE_BODY),
        ("brief", "Meridian Post", "2017-06-13 09:30", "In brief: Rotterdam\n\n" + brief),
    ])
    groups = find_syndicated(articles).set_index("article_id")
    assert groups.loc["brief", "story_id"] == "long"
    assert groups.loc["brief", "similarity"] == 1.0          # all of the brief is in the story
    assert groups.loc["brief", "jaccard"] < 0.35             # though it is a small part of it


def test_a_short_article_quoting_one_sentence_of_a_long_one_is_not_a_copy() -> None:
    quote = WIRE_PARAGRAPHS[2]                                # one quoted paragraph, 35 words
    short = (quote + " The union's members in Amsterdam have not yet decided whether to join the action, "
             "a spokeswoman said, adding that a vote would take place next week.")
    articles = _articles([
        ("long", "Agency Wire", "2017-06-13 09:05", "Strike\n\n" + WIRE_BODY),
        ("short", "Meridian Post", "2017-06-13 09:30", "Amsterdam undecided\n\n" + short),
    ])
    assert find_syndicated(articles).empty


def test_identical_duplicates_and_exact_copies_under_other_ids() -> None:
    text = "Strike\n\n" + WIRE_BODY
    articles = _articles([("b", "Y", "2017-06-13 10:00", text), ("a", "X", "2017-06-13 10:00", text),
                          ("c", "Z", "2017-06-14 10:00", text)])
    groups = find_syndicated(articles)
    assert len(groups) == 3 and groups["story_id"].nunique() == 1
    assert groups["story_id"].iloc[0] == "a"                  # same time: smallest article_id first
    assert groups["similarity"].tolist() == [1.0, 1.0, 1.0]


def test_empty_short_and_missing_texts_are_never_grouped() -> None:
    articles = pd.DataFrame({"article_id": ["a", "b", "c", "d", "e", "f"],
                             "text": ["", "", "   \n\n ", None, "Too short.", "Too short."]})
    groups = find_syndicated(articles)
    assert groups.empty and list(groups.columns) == list(SYNDICATION_COLUMNS)
    assert shared_copy_by_outlet(articles.assign(outlet="X"), groups)["syndicated"].tolist() == [0]
    assert find_syndicated(articles.iloc[:0]).empty


def test_output_is_deterministic_and_independent_of_row_order(wire_articles: pd.DataFrame) -> None:
    first = find_syndicated(wire_articles)
    again = find_syndicated(wire_articles)
    pd.testing.assert_frame_equal(first, again)
    shuffled = find_syndicated(wire_articles.sample(frac=1.0, random_state=3))
    pd.testing.assert_frame_equal(first, shuffled)


def test_undated_articles_come_after_dated_ones() -> None:
    text = "Strike\n\n" + WIRE_BODY
    articles = _articles([("a", "X", None, text), ("b", "Y", "2017-06-14 10:00", text)])
    groups = find_syndicated(articles)
    assert groups["article_id"].tolist() == ["b", "a"]
    assert groups["story_id"].tolist() == ["b", "b"]


def test_window_keeps_copies_far_apart_in_time_apart() -> None:
    text = "Strike\n\n" + WIRE_BODY
    articles = _articles([("a", "X", "2017-06-13 09:00", text), ("b", "Y", "2017-06-15 09:00", text),
                          ("c", "Z", "2017-09-01 09:00", text), ("d", "Z", None, text)])
    assert len(find_syndicated(articles)) == 4
    near = find_syndicated(articles.iloc[:3], window="3D")
    assert set(near["article_id"]) == {"a", "b"}
    assert find_syndicated(articles.iloc[:3], window="1D").empty
    # an undated copy pairs with every dated one, so it ties them into one story again
    assert find_syndicated(articles, window="1D")["story_id"].nunique() == 1


def test_bad_arguments_raise_input_errors(wire_articles: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="threshold"):
        find_syndicated(wire_articles, threshold=1.5)
    with pytest.raises(InputError, match="window"):
        find_syndicated(wire_articles, window="soon")
    with pytest.raises(InputError, match="shingle_size"):
        find_syndicated(wire_articles, shingle_size=0)
    with pytest.raises(InputError, match="text"):
        find_syndicated(wire_articles.drop(columns="text"))
    with pytest.raises(InputError, match="duplicate article_id"):
        find_syndicated(pd.concat([wire_articles, wire_articles]))


# ---------------------------------------------------------------------------------------------
# Shared copy per outlet, deduplication
# ---------------------------------------------------------------------------------------------

def test_shared_copy_by_outlet(wire_articles: pd.DataFrame) -> None:
    groups = find_syndicated(wire_articles)
    table = shared_copy_by_outlet(wire_articles, groups).set_index("outlet")
    assert table["articles"].sum() == len(wire_articles)
    assert table.loc["Harbor Times", ["articles", "syndicated", "copied"]].tolist() == [2, 1, 1]
    assert table.loc["Agency Wire", ["syndicated", "copied"]].tolist() == [1, 0]
    assert table.loc["The Daily Ledger", ["syndicated", "copied"]].tolist() == [0, 0]
    low, high = wilson_interval(1, 2)
    assert table.loc["Harbor Times", "share"] == 0.5
    assert table.loc["Harbor Times", ["share_low", "share_high"]].tolist() == pytest.approx([low, high])
    assert (table["share_low"] <= table["share"]).all() and (table["share"] <= table["share_high"]).all()
    assert (table["copied"] <= table["syndicated"]).all()


def test_copies_from_the_same_outlet_are_shared_copy_but_not_copied() -> None:
    text = "Strike\n\n" + WIRE_BODY
    articles = _articles([("a", "X", "2017-06-13 09:00", text),
                          ("b", "X", "2017-06-13 12:00", text + " Update.")])
    table = shared_copy_by_outlet(articles, find_syndicated(articles))
    assert table[["syndicated", "copied"]].iloc[0].tolist() == [2, 0]


@pytest.mark.parametrize("module", [syndication, stats])
def test_docstring_examples_run(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_wilson_interval_matches_the_formula() -> None:
    for k, n in [(0, 5), (3, 7), (7, 7), (40, 100)]:
        p, z = k / n, 1.96
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        low, high = wilson_interval(k, n)
        assert low == pytest.approx(max(0.0, centre - half), abs=1e-12)
        assert high == pytest.approx(min(1.0, centre + half), abs=1e-12)
    assert np.isnan(wilson_interval(0, 0)[0])
    with pytest.raises(InputError):
        wilson_interval(3, 2)


def test_dedupe_articles_keeps_first_copies(wire_articles: pd.DataFrame) -> None:
    groups = find_syndicated(wire_articles)
    kept = dedupe_articles(wire_articles, groups)
    assert kept["article_id"].tolist() == ["w0", "i1", "u1"]
    # a filtered table without the first copy keeps its own earliest copy of the story
    subset = wire_articles[wire_articles["article_id"].isin(["c1", "c2", "i1"])]
    assert dedupe_articles(subset, groups)["article_id"].tolist() == ["c1", "i1"]


def test_counting_functions_count_a_syndicated_story_once(wire_articles: pd.DataFrame) -> None:
    mentions = pd.DataFrame({
        "article_id": ["w0", "c1", "c2", "c3", "i1", "i1", "u1"],
        "sentence": [0] * 7, "label": ["PERSON"] * 6 + ["ORG"],
        "entity": ["Niek Stam"] * 6 + ["Council"]})
    plain = entity_counts(mentions, wire_articles).set_index("entity")
    once = entity_counts(mentions, wire_articles, dedupe="syndicated").set_index("entity")
    assert plain.loc["Niek Stam", ["mentions", "articles"]].tolist() == [6, 5]
    assert once.loc["Niek Stam", ["mentions", "articles"]].tolist() == [3, 2]
    assert once.loc["Niek Stam", "share_articles"] == pytest.approx(2 / 3)   # of 3 distinct articles
    by_outlet = entity_counts(mentions, wire_articles, by="outlet", dedupe="syndicated")
    assert set(by_outlet["outlet"]) == {"Agency Wire", "The Daily Ledger", "Harbor Times"}
    # the groups can be passed in (other settings); the same groups give the same table
    given = entity_counts(mentions, wire_articles, dedupe=find_syndicated(wire_articles))
    pd.testing.assert_frame_equal(once.reset_index(), given)
    trends = entity_trends(mentions, wire_articles, freq="D", dedupe="syndicated")
    assert trends.loc[trends["entity"] == "Niek Stam", "articles"].sum() == 2
    pairs = cooccurrence(mentions.assign(entity=["Niek Stam", "Rotterdam"] * 3 + ["Council"]),
                         level="article", min_count=1, articles=wire_articles, dedupe="syndicated")
    assert pairs["count"].tolist() == [1]
    distinct = distinctive_entities(mentions, wire_articles, min_count=1, dedupe="syndicated")
    assert distinct.loc[distinct["entity"] == "Niek Stam", "count"].sum() == 3
    places = pd.DataFrame({"article_id": ["w0", "c1", "c2", "i1"], "country_code": ["NL"] * 4})
    assert country_counts(places, wire_articles, dedupe="syndicated")["articles"].tolist() == [2]
    with pytest.raises(InputError, match="articles"):
        entity_counts(mentions, dedupe="syndicated")
    with pytest.raises(InputError, match="dedupe"):
        entity_counts(mentions, wire_articles, dedupe="stories")


def test_syndicated_groups_are_remembered_per_table(wire_articles: pd.DataFrame) -> None:
    first = syndicated_groups(wire_articles)
    pd.testing.assert_frame_equal(first, find_syndicated(wire_articles))
    first.loc[:, "similarity"] = 0.0                          # a copy: the remembered table is untouched
    assert (syndicated_groups(wire_articles)["similarity"] > 0).all()
    edited = wire_articles.copy()
    edited.loc[edited["article_id"] == "c2", "text"] = "Other\n\nThe strike is over."
    assert set(syndicated_groups(edited)["article_id"]) == {"w0", "c1", "c3"}


# ---------------------------------------------------------------------------------------------
# The demo articles and a real corpus
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tk.LoadWarning)
        return tk.load_articles(REPO / "data" / "articles")


def test_demo_articles_hold_exactly_the_listed_syndicated_groups(demo: pd.DataFrame) -> None:
    groups = find_syndicated(demo)
    files = demo.set_index("article_id")["path"].map(lambda p: Path(p).name)
    found = sorted(sorted(files[ids].tolist()) for _, ids in groups.groupby("story_id")["article_id"])
    assert found == sorted(sorted(group) for group in TRUTH["syndicated_groups"])
    same_event = set(TRUTH["same_event_not_syndicated"]["files"])
    assert not same_event & set(files[groups["article_id"]])
    first = groups.loc[groups["is_first"], "article_id"].map(files).tolist()
    assert first == [min(TRUTH["syndicated_groups"][0])]      # 024, the full wire copy, ran first
    table = shared_copy_by_outlet(demo, groups)
    assert table["syndicated"].sum() == sum(len(g) for g in TRUTH["syndicated_groups"])


def test_bbc_news_runs_quickly_and_finds_its_repeated_articles(shared_corpora: Path) -> None:
    articles = tk.load_articles(shared_corpora / "bbc-news")
    articles = articles[articles["folder"] != ""]
    started = time.perf_counter()
    groups = find_syndicated(articles)
    elapsed = time.perf_counter() - started
    assert elapsed < 15.0, f"find_syndicated on {len(articles)} BBC articles took {elapsed:.1f} s"
    # every body the corpus repeats under another headline (the loader keeps those: their text
    # differs) is found, in one group with its twin
    body = articles["text"].str.split("\n", n=1).str[1].str.strip()
    repeated = articles.assign(body=body)[body.duplicated(keep=False)]
    assert len(repeated) >= 40
    story = groups.set_index("article_id")["story_id"]
    assert repeated["article_id"].isin(story.index).all()
    stories_per_body = repeated.assign(story=repeated["article_id"].map(story)).groupby("body")["story"]
    assert (stories_per_body.nunique() == 1).all()
    assert (groups.loc[~groups["is_first"], "similarity"] >= 0.6).all()
    assert groups["story_id"].nunique() < 0.05 * len(articles)
