"""Source-pattern analysis (toolkit.sourcing) on hand-built attributions tables.

The corpus below is built statement by statement: every article's text is assembled from pieces,
and the offsets of each source, cue and content span are recorded as the text grows, so the
attributions table follows the shared contract exactly (column order, Int64 offsets, ``string``
dtypes) without needing spaCy. Expected values are recomputed from the rows by plain loops, never
hard-coded.
"""

from __future__ import annotations

import doctest
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import toolkit.sourcing as sourcing
from toolkit.errors import InputError
from toolkit.highlight import highlight_attributions
from toolkit.sourcing import (
    SOURCE_TYPES,
    SPEECH_KINDS,
    anonymous_rate,
    cue_profile,
    quoted_word_share,
    quotes_per_article,
    source_counts,
    source_edges,
    source_network,
    source_statements,
    source_type_mix,
    wire_dependence,
)

#: Final column order of the attributions table (the contract).
ATTRIBUTION_TABLE_COLUMNS = (
    "article_id", "sentence", "start", "end", "kind", "cue", "cue_lemma", "cue_start", "cue_end", "source",
    "source_start", "source_end", "source_entity", "source_type", "antecedent", "antecedent_start",
    "antecedent_end", "content", "content_start", "content_end")
_OFFSETS = ("sentence", "start", "end", "cue_start", "cue_end", "source_start", "source_end",
            "antecedent_start", "antecedent_end", "content_start", "content_end")


# ---------------------------------------------------------------------------------------------
# Building articles and their attributions with exact offsets
# ---------------------------------------------------------------------------------------------

@dataclass
class Statement:
    """One statement as pieces of text: plain strings and (role, text) pairs, role source/cue/content.

    A ("cue", text, inner) triple marks a cue holding its source ("(Reuters) -" holding "Reuters").
    """

    kind: str
    parts: list[Any]
    cue_lemma: str
    source_entity: str | None
    source_type: str


@dataclass
class ArticleSpec:
    article_id: str
    title: str
    outlet: str
    published: str | None
    paragraphs: list[Any] = field(default_factory=list)     # str or Statement


def _assemble(spec: ArticleSpec) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The article row and its attribution rows (offsets into the text, sentence = paragraph index)."""
    text = spec.title + "\n\n"
    rows = []
    for number, paragraph in enumerate(spec.paragraphs):
        if number:
            text += "\n\n"
        if isinstance(paragraph, str):
            text += paragraph
            continue
        spans: dict[str, tuple[int, int, str]] = {}
        for part in paragraph.parts:
            if isinstance(part, str):
                text += part
                continue
            role, piece = part[0], part[1]
            spans[role] = (len(text), len(text) + len(piece), piece)
            if len(part) == 3:          # a source inside the cue
                inner = part[2]
                at = len(text) + piece.index(inner)
                spans["source"] = (at, at + len(inner), inner)
            text += piece
        row: dict[str, Any] = {"article_id": spec.article_id, "sentence": number + 1, "kind": paragraph.kind,
                               "cue_lemma": paragraph.cue_lemma, "source_entity": paragraph.source_entity,
                               "source_type": paragraph.source_type}
        for role in ("cue", "source", "content"):
            start, end, piece = spans.get(role, (None, None, None))
            row[role], row[f"{role}_start"], row[f"{role}_end"] = piece, start, end
        source = row["source"]
        named = source is not None and source[0].isupper() and source not in ("It", "They")
        row["antecedent"] = row["source"] if named else None
        row["antecedent_start"] = row["source_start"] if named else None
        row["antecedent_end"] = row["source_end"] if named else None
        edges = [(s[0], s[1]) for s in spans.values()]
        row["start"], row["end"] = min(s for s, _ in edges), max(e for _, e in edges)
        rows.append(row)
    article = {"article_id": spec.article_id, "title": spec.title, "text": text, "outlet": spec.outlet,
               "published": spec.published}
    return article, rows


def build_tables(specs: list[ArticleSpec]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(articles, attributions) tables with the toolkit's dtypes, from article specs."""
    articles, attributions = [], []
    for spec in specs:
        article, rows = _assemble(spec)
        articles.append(article)
        attributions.extend(rows)
    arts = pd.DataFrame(articles)
    arts = arts.astype({"article_id": "string", "title": "string", "text": "string", "outlet": "string"})
    arts["published"] = pd.to_datetime(arts["published"], utc=True)
    table = pd.DataFrame(attributions, columns=list(ATTRIBUTION_TABLE_COLUMNS))
    for column in ATTRIBUTION_TABLE_COLUMNS:
        table[column] = table[column].astype("Int64" if column in _OFFSETS else "string")
    return arts, table


# Sources: (as written, canonical entity, type).
PEOPLE = [("Karim Haddad", "Karim Haddad", "named_person"), ("Haddad", "Karim Haddad", "named_person"),
          ("Leila Nasser", "Leila Nasser", "named_person"), ("Omar Farouk", "Omar Farouk", "named_person")]
OFFICIALS = [("The army", "Syrian army", "official"), ("Col. Thomas Whitaker", "Thomas Whitaker", "official"),
             ("The US-led coalition", "US-led coalition", "official"),
             ("The Interior Ministry", "Interior Ministry", "official")]
ORGANISATIONS = [("The Syrian Observatory for Human Rights", "Syrian Observatory for Human Rights",
                  "organisation"), ("The United Nations", "United Nations", "organisation"),
                 ("Amnesty International", "Amnesty International", "organisation")]
ANONYMOUS = [("Officials", "officials", "anonymous"), ("A source close to the ministry",
                                                       "a source close to the ministry", "anonymous"),
             ("Diplomats", "diplomats", "anonymous")]
MEDIA = [("Reuters", "Reuters", "media"), ("AFP", "AFP", "media")]
CONTENTS = ["the town had been retaken", "about 2,000 fighters remained in the city",
            "the aid convoys would resume next week", "at least 27 civilians were killed",
            "talks would continue in Geneva", "the border crossing was closed"]
QUOTES = ["We will not stop until the city is free", "The fighters are tired but determined",
          "Nobody can live like this", "This is the harshest defeat since 2014"]
CUES = [("said", "say"), ("said", "say"), ("said", "say"), ("told reporters", "tell"), ("claimed", "claim"),
        ("warned", "warn"), ("denied", "deny"), ("announced", "announce")]


def _statement(kind: str, rng: random.Random, pool: list[tuple[str, str, str]]) -> Statement:
    written, entity, source_type = rng.choice(pool)
    cue, lemma = rng.choice(CUES)
    content = rng.choice(CONTENTS)
    if kind == "direct":
        quote = rng.choice(QUOTES)
        if rng.random() < 0.5:
            parts = ['"', ("content", quote), '," ', ("source", written), " ", ("cue", "said"), "."]
        else:
            parts = [("source", written), " ", ("cue", "said"), ': "', ("content", quote), '."']
        return Statement(kind, parts, "say", entity, source_type)
    if kind == "mixed":
        fragment = f'the plan was "{rng.choice(["dead on arrival", "a dangerous gamble"])}" for now'
        return Statement(kind, [("source", written), " ", ("cue", "said"), " ", ("content", fragment), "."],
                         "say", entity, source_type)
    if kind == "indirect":
        return Statement(kind, [("source", written), " ", ("cue", cue), " ", ("content", content), "."],
                         lemma, entity, source_type)
    if kind == "according_to":
        return Statement(kind, [("cue", "According to"), " ", ("source", written[0].lower() + written[1:]
                                                                  if written.startswith("The ") else written),
                                ", ", ("content", content), "."], "according to", entity, source_type)
    if kind == "told_outlet":
        return Statement(kind, [("source", written), " ", ("cue", "told"), " Reuters ", ("content", content),
                                "."], "tell", entity, source_type)
    raise ValueError(kind)


def _wire_credit(agency: str) -> Statement:
    return Statement("wire_credit", ["BAGHDAD ", ("cue", f"({agency}) -", agency), " Fighting continued."],
                     "credit", agency, "media")


#: Outlet -> (number of articles, weights of the source pools, share of wire-credited articles).
OUTLET_PROFILES = {
    "Coastline Chronicle": (6, {"people": 4, "officials": 2, "orgs": 2, "anon": 1}, 0.0),
    "Harbor Times": (5, {"people": 1, "officials": 3, "orgs": 1, "anon": 4}, 0.2),
    "Meridian Post": (7, {"people": 2, "officials": 4, "orgs": 1, "anon": 1}, 0.5),
    "Northern Courier": (5, {"people": 3, "officials": 1, "orgs": 3, "anon": 0}, 0.0),
    "The Daily Ledger": (6, {"people": 2, "officials": 2, "orgs": 2, "anon": 2}, 0.34),
}
POOLS = {"people": PEOPLE, "officials": OFFICIALS, "orgs": ORGANISATIONS, "anon": ANONYMOUS}
KIND_WEIGHTS = {"direct": 4, "mixed": 1, "indirect": 6, "according_to": 2, "told_outlet": 1}
DATES = ["2017-09-04T08:15:00Z", "2017-09-20T12:00:00Z", "2017-10-03T09:30:00Z", "2017-10-18T17:45:00Z",
         "2017-11-02T07:00:00Z", "2017-11-21T21:10:00Z", None]


def corpus_specs(seed: int = 5) -> list[ArticleSpec]:
    """About 30 articles in five outlets over three months (one undated, two quoting nobody)."""
    rng = random.Random(seed)
    specs: list[ArticleSpec] = []
    for o, (outlet, (count, weights, wire)) in enumerate(OUTLET_PROFILES.items()):
        pools = [name for name, w in weights.items() for _ in range(w)]
        for i in range(count):
            spec = ArticleSpec(f"{o}{i:02d}_{outlet.split()[-1].lower()}", f"{outlet} report {i}", outlet,
                               DATES[(o + 2 * i) % len(DATES)])
            if i < round(wire * count):
                spec.paragraphs.append(_wire_credit(MEDIA[i % 2][0]))
            spec.paragraphs.append("Fighting around the city went on through the night, residents said.")
            quiet = (outlet, i) in {("Northern Courier", 4), ("Harbor Times", 4)}
            for _ in range(0 if quiet else rng.randint(1, 6)):
                kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
                spec.paragraphs.append(_statement(kind, rng, POOLS[rng.choice(pools)]))
                if rng.random() < 0.3:
                    spec.paragraphs.append("The situation on the ground could not be verified independently.")
            if outlet == "Northern Courier" and i == 0:     # a media source that is not a credit
                parts = [("cue", "According to"), " ", ("source", "AFP"), ", ",
                         ("content", "the dam was damaged"), "."]
                spec.paragraphs.append(Statement("according_to", parts, "according to", "AFP", "media"))
            if outlet == "Meridian Post" and i == 1:     # a source with no name at all, and an unresolved one
                spec.paragraphs.append(Statement("indirect", [("cue", "It was reported"), " that ",
                                                              ("content", "the road was open"), "."],
                                                 "report", None, "unknown"))
                spec.paragraphs.append(Statement("indirect", [("source", "They"), " ", ("cue", "said"), " ",
                                                              ("content", "the road was mined"), "."],
                                                 "say", "they", "unknown"))
            specs.append(spec)
    return specs


@pytest.fixture(scope="module")
def corpus() -> tuple[pd.DataFrame, pd.DataFrame]:
    return build_tables(corpus_specs())


# ---------------------------------------------------------------------------------------------
# The fixture itself follows the contract
# ---------------------------------------------------------------------------------------------

def test_fixture_follows_the_contract(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = corpus
    assert tuple(attributions.columns) == ATTRIBUTION_TABLE_COLUMNS
    assert set(attributions["kind"]) == {"direct", "mixed", "indirect", "according_to", "told_outlet",
                                         "wire_credit"}
    assert {"named_person", "official", "organisation", "media", "anonymous", "unknown"} <= set(
        attributions["source_type"])
    texts = dict(zip(articles["article_id"], articles["text"], strict=True))
    for row in attributions.itertuples(index=False):
        text = texts[row.article_id]
        for role in ("cue", "source", "content"):
            start = getattr(row, f"{role}_start")
            if not pd.isna(start):
                assert text[start:getattr(row, f"{role}_end")] == getattr(row, role)
        assert row.start <= row.cue_start and row.cue_end <= row.end
    assert articles["outlet"].nunique() == 5
    assert articles["published"].isna().sum() >= 1


# ---------------------------------------------------------------------------------------------
# source_counts
# ---------------------------------------------------------------------------------------------

def _speech(attributions: pd.DataFrame) -> pd.DataFrame:
    return attributions[attributions["kind"].isin(SPEECH_KINDS)]


def test_source_counts_match_the_rows(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = corpus
    table = source_counts(attributions, articles)
    assert list(table.columns) == ["source_entity", "source_type", "statements", "articles", "share"]
    speech = _speech(attributions)
    expected = Counter(e for e in speech["source_entity"] if not pd.isna(e))
    assert dict(zip(table["source_entity"], table["statements"], strict=True)) == dict(expected)
    for row in table.itertuples(index=False):
        rows = speech[speech["source_entity"] == row.source_entity]
        assert row.articles == rows["article_id"].nunique()
        assert row.share == pytest.approx(row.statements / len(speech))
    # Sorted by statements (descending), then name.
    keys = list(zip(-table["statements"], table["source_entity"], strict=True))
    assert keys == sorted(keys)
    # Wire credits are left out by default, counted with kinds=None.
    assert "Reuters" not in set(table["source_entity"])
    everything = source_counts(attributions, articles, kinds=None)
    assert everything["statements"].sum() == attributions["source_entity"].notna().sum()


def test_source_counts_by_outlet_and_n(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = corpus
    table = source_counts(attributions, articles, by="outlet")
    outlet_of = dict(zip(articles["article_id"], articles["outlet"], strict=True))
    speech = _speech(attributions)
    expected: Counter[tuple[str, str]] = Counter()
    totals: Counter[str] = Counter()
    for article_id, entity in zip(speech["article_id"], speech["source_entity"], strict=True):
        totals[outlet_of[article_id]] += 1
        if not pd.isna(entity):
            expected[(outlet_of[article_id], entity)] += 1
    got = {(o, e): s
           for o, e, s in zip(table["outlet"], table["source_entity"], table["statements"], strict=True)}
    assert got == dict(expected)
    shares = table.groupby("outlet")["share"].sum()
    for outlet, share in shares.items():
        named = sum(v for (o, _), v in expected.items() if o == outlet)
        assert share == pytest.approx(named / totals[outlet])
    top2 = source_counts(attributions, articles, by="outlet", n=2)
    assert top2.groupby("outlet").size().max() == 2
    pd.testing.assert_frame_equal(top2, table.groupby("outlet", sort=False).head(2).reset_index(drop=True))


def test_source_counts_by_kind_and_period(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = corpus
    by_kind = source_counts(attributions, by="kind")
    assert set(by_kind["kind"]) == set(SPEECH_KINDS)
    assert by_kind["statements"].sum() == _speech(attributions)["source_entity"].notna().sum()
    by_period = source_counts(attributions, articles, by="period")
    dated = set(articles.loc[articles["published"].notna(), "article_id"])
    speech = _speech(attributions)
    in_dated = speech[speech["article_id"].isin(dated)]
    assert by_period["statements"].sum() == in_dated["source_entity"].notna().sum()
    assert sorted(by_period["period"].unique()) == list(pd.to_datetime(["2017-09-01", "2017-10-01",
                                                                        "2017-11-01"]))


def test_source_type_is_the_most_frequent_one() -> None:
    attributions = pd.DataFrame({"article_id": ["a"] * 3, "kind": ["indirect"] * 3,
                                 "source_entity": ["Thomas Whitaker"] * 3,
                                 "source_type": ["official", "named_person", "official"]})
    table = source_counts(attributions)
    assert table.loc[0, "source_type"] == "official"
    assert table.loc[0, "statements"] == 3


def test_errors_name_the_missing_column(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = corpus
    with pytest.raises(InputError, match=r"source_counts.*'source_type'"):
        source_counts(attributions.drop(columns="source_type"))
    with pytest.raises(InputError, match=r"source_type_mix.*'source_type'"):
        source_type_mix(attributions.drop(columns="source_type"), articles)
    with pytest.raises(InputError, match=r"quoted_word_share.*articles is missing column.*'text'"):
        quoted_word_share(attributions, articles.drop(columns="text"))
    with pytest.raises(InputError, match=r"cue_profile.*'cue_lemma'"):
        cue_profile(attributions.drop(columns="cue_lemma"), articles)
    with pytest.raises(InputError, match=r"wire_dependence.*syndication.*'story_id'"):
        wire_dependence(attributions, articles, syndication=pd.DataFrame({"article_id": ["x"]}))
    with pytest.raises(InputError, match=r"by='nope' is not a column"):
        source_counts(attributions, articles, by="nope")
    with pytest.raises(InputError, match=r"needs the articles table|pass articles="):
        source_counts(attributions, by="outlet")
    with pytest.raises(InputError, match=r"kinds.*'quote'"):
        source_counts(attributions, kinds=["quote"])
    with pytest.raises(InputError, match=r"level"):
        source_type_mix(attributions, articles, level="sentence")
    with pytest.raises(InputError, match=r"level='article'.*kind"):
        anonymous_rate(attributions, articles, by="kind", level="article")
    with pytest.raises(InputError, match=r"duplicate article_id"):
        anonymous_rate(attributions, pd.concat([articles, articles.head(1)]))
    with pytest.raises(InputError, match=r"must be a pandas DataFrame"):
        source_network([], articles)


# ---------------------------------------------------------------------------------------------
# Shares with intervals
# ---------------------------------------------------------------------------------------------

def _check_intervals(table: pd.DataFrame) -> None:
    counted = table[table["total"] > 0]
    assert (counted["ci_low"] <= counted["share"] + 1e-12).all()
    assert (counted["share"] <= counted["ci_high"] + 1e-12).all()
    assert ((counted["ci_low"] >= 0) & (counted["ci_high"] <= 1)).all()
    assert (counted["ci_high"] > counted["ci_low"]).all()      # n > 0 always leaves some uncertainty
    assert np.allclose(counted["share"], counted["count"] / counted["total"])
    empty = table[table["total"] == 0]
    assert empty[["share", "ci_low", "ci_high"]].isna().all().all()


def test_source_type_mix_statement_level(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = corpus
    mix = source_type_mix(attributions, articles)
    assert list(mix.columns) == ["outlet", "source_type", "count", "total", "share", "ci_low", "ci_high"]
    _check_intervals(mix)
    speech = _speech(attributions).merge(articles[["article_id", "outlet"]], on="article_id")
    expected = Counter(zip(speech["outlet"], speech["source_type"], strict=True))
    types = [t for t in SOURCE_TYPES if t in set(speech["source_type"])]
    assert len(mix) == articles["outlet"].nunique() * len(types)          # a complete grid
    for row in mix.itertuples(index=False):
        assert row.count == expected[(row.outlet, row.source_type)]
        assert row.total == (speech["outlet"] == row.outlet).sum()
    assert np.allclose(mix.groupby("outlet")["share"].sum(), 1.0)
    # Type order follows SOURCE_TYPES within each outlet.
    first = mix[mix["outlet"] == mix["outlet"].iloc[0]]["source_type"].tolist()
    assert first == types


def test_source_type_mix_article_level(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = corpus
    mix = source_type_mix(attributions, articles, level="article")
    _check_intervals(mix)
    speech = _speech(attributions)
    for row in mix.itertuples(index=False):
        ids = set(articles.loc[articles["outlet"] == row.outlet, "article_id"])
        assert row.total == len(ids)                       # quiet articles count in the total
        quoting = set(speech.loc[speech["source_type"] == row.source_type, "article_id"]) & ids
        assert row.count == len(quoting)


def test_zero_statements_give_nan_not_zero() -> None:
    articles = pd.DataFrame({"article_id": ["a1", "a2", "a3"], "outlet": ["Loud", "Loud", "Quiet"]})
    attributions = pd.DataFrame({"article_id": ["a1", "a2"], "kind": ["indirect", "direct"],
                                 "source_type": ["anonymous", "official"]})
    rates = anonymous_rate(attributions, articles)
    quiet = rates[rates["outlet"] == "Quiet"].iloc[0]
    assert quiet["total"] == 0 and quiet["count"] == 0
    assert pd.isna(quiet["share"]) and pd.isna(quiet["ci_low"])
    loud = rates[rates["outlet"] == "Loud"].iloc[0]
    assert (loud["count"], loud["total"]) == (1, 2)
    by_article = anonymous_rate(attributions, articles, level="article")
    quiet = by_article[by_article["outlet"] == "Quiet"].iloc[0]
    assert (quiet["count"], quiet["total"], quiet["share"]) == (0, 1, 0.0)
    assert quiet["ci_low"] == 0.0 and 0 < quiet["ci_high"] < 1
    mix = source_type_mix(attributions, articles)
    assert mix[mix["outlet"] == "Quiet"]["share"].isna().all()
    empty = source_type_mix(attributions.iloc[0:0], articles)
    assert empty.empty and "ci_low" in empty.columns


def test_intervals_are_wilson_intervals(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = corpus
    mix = source_type_mix(attributions, articles)
    counted = mix[mix["total"] > 0]
    z = 1.96
    for row in counted.itertuples(index=False):
        p, n = row.count / row.total, row.total
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        assert row.ci_low == pytest.approx(max(0.0, centre - half))
        assert row.ci_high == pytest.approx(min(1.0, centre + half))
    assert (counted.loc[counted["count"] == 0, "ci_low"] == 0).all()


def test_dedupe_counts_a_syndicated_story_once(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = corpus
    ids = articles["article_id"].tolist()
    first, copies = ids[2], [ids[9], ids[25]]
    groups = pd.DataFrame({"article_id": [first, *copies], "story_id": [first] * 3, "group_size": [3] * 3,
                           "is_first": [True, False, False]})
    dropped = attributions["article_id"].isin(copies) & attributions["kind"].isin(SPEECH_KINDS)
    assert dropped.any()
    everything = source_counts(attributions, articles)
    once = source_counts(attributions, articles, dedupe=groups)
    assert once["statements"].sum() == everything["statements"].sum() - (
        dropped & attributions["source_entity"].notna()).sum()
    per_article = quotes_per_article(attributions, articles, dedupe=groups)
    assert set(per_article["article_id"]) == set(ids) - set(copies)
    rates = anonymous_rate(attributions, articles, dedupe=groups)
    assert rates["total"].sum() == anonymous_rate(attributions, articles)["total"].sum() - dropped.sum()
    with pytest.raises(InputError, match="dedupe"):
        source_counts(attributions, dedupe="syndicated")


def test_anonymous_rate_by_outlet_and_period(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = corpus
    rates = anonymous_rate(attributions, articles)
    assert list(rates.columns) == ["outlet", "count", "total", "share", "ci_low", "ci_high"]
    _check_intervals(rates)
    speech = _speech(attributions).merge(articles[["article_id", "outlet"]], on="article_id")
    for row in rates.itertuples(index=False):
        mine = speech[speech["outlet"] == row.outlet]
        assert row.count == (mine["source_type"] == "anonymous").sum()
        assert row.total == len(mine)
    # The outlet built with no anonymous pool has none; the one weighted towards them has the most.
    by_outlet = rates.set_index("outlet")["share"]
    assert by_outlet["Northern Courier"] == 0.0
    assert by_outlet.idxmax() == "Harbor Times"
    periods = anonymous_rate(attributions, articles, by="period")
    assert len(periods) == 3 and periods["total"].sum() == speech[
        speech["article_id"].isin(articles.loc[articles["published"].notna(), "article_id"])].shape[0]
    overall = anonymous_rate(attributions, articles, by=None)
    assert len(overall) == 1 and overall.loc[0, "total"] == len(speech)


def test_wire_dependence(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = corpus
    wire = wire_dependence(attributions, articles)
    assert list(wire.columns) == ["outlet", "measure", "count", "total", "share", "ci_low", "ci_high"]
    assert set(wire["measure"]) == {"wire_credit", "media_source"}
    _check_intervals(wire)
    credited = set(attributions.loc[attributions["kind"] == "wire_credit", "article_id"])
    media = set(attributions.loc[attributions["source_type"] == "media", "article_id"])
    assert media > credited
    for row in wire.itertuples(index=False):
        ids = set(articles.loc[articles["outlet"] == row.outlet, "article_id"])
        flagged = credited if row.measure == "wire_credit" else media
        assert (row.count, row.total) == (len(ids & flagged), len(ids))

    # Syndication: one story in three outlets, one pair inside one outlet, the rest single.
    ids = articles["article_id"].tolist()
    story = ids[0:1] + ids[10:11] + ids[20:21]
    syndication = pd.DataFrame({"article_id": [*story, ids[12], ids[13], ids[5]],
                                "story_id": ["s1", "s1", "s1", "s2", "s2", "s3"],
                                "group_size": [3, 3, 3, 2, 2, 1],
                                "is_first": [True, False, False, True, False, True]})
    wire = wire_dependence(attributions, articles, syndication=syndication)
    assert wire["measure"].unique().tolist() == list(sourcing.WIRE_MEASURES)
    shared = {*story, ids[12], ids[13]}
    for row in wire[wire["measure"].isin(["shared_copy", "credit_or_copy"])].itertuples(index=False):
        mine = set(articles.loc[articles["outlet"] == row.outlet, "article_id"])
        flagged = shared if row.measure == "shared_copy" else shared | credited
        assert row.count == len(mine & flagged)
    # group_size may be absent: computed from story_id.
    again = wire_dependence(attributions, articles, syndication=syndication.drop(columns="group_size"))
    pd.testing.assert_frame_equal(again, wire)


# ---------------------------------------------------------------------------------------------
# Quotes per article, quoted words
# ---------------------------------------------------------------------------------------------

def test_quotes_per_article_includes_zeros(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = corpus
    table = quotes_per_article(attributions, articles)
    assert list(table.columns) == ["outlet", "article_id", "statements"]
    assert len(table) == len(articles)
    assert (table["statements"] == 0).sum() >= 2
    counts = Counter(_speech(attributions)["article_id"])
    assert dict(zip(table["article_id"], table["statements"], strict=True)) == {
        a: counts.get(a, 0) for a in articles["article_id"]}
    direct = quotes_per_article(attributions, articles, kinds=["direct", "mixed"], by=None)
    assert list(direct.columns) == ["article_id", "statements"]
    assert direct["statements"].sum() == attributions["kind"].isin(["direct", "mixed"]).sum()


def test_quoted_word_share_counts_words_in_quotes() -> None:
    text = ('Title here\n\n"We will not stop," Haddad said. He said the plan was "dead on arrival" today. '
            '"Inner words repeat here," she added.')
    start = text.index("We will")
    mixed_start = text.index("the plan")
    inner = text.index("Inner")
    articles = pd.DataFrame({"article_id": ["a"], "outlet": ["Post"], "text": [text]})
    attributions = pd.DataFrame({
        "article_id": ["a"] * 4, "kind": ["direct", "mixed", "direct", "direct"],
        "content_start": [start, mixed_start, inner, inner + 6],      # the last overlaps the third
        "content_end": [start + len("We will not stop,"), text.index(" today"), text.index(',"', inner),
                        text.index(',"', inner)]})
    per = quoted_word_share(attributions, articles, per_article=True)
    words = len(re.findall(r"\w+(?:['’\-]\w+)*", text))
    # "We will not stop" (4) + "dead on arrival" (3) + "Inner words repeat here" (4, counted once).
    assert per.loc[0, "words"] == words
    assert per.loc[0, "quoted_words"] == 4 + 3 + 4
    assert per.loc[0, "share"] == pytest.approx(11 / words)
    group = quoted_word_share(attributions, articles)
    assert group.loc[0, "share"] == pytest.approx(11 / words)
    assert group.loc[0, "ci_low"] == group.loc[0, "ci_high"] == group.loc[0, "share"]   # one article


def test_quoted_word_share_by_outlet(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = corpus
    table = quoted_word_share(attributions, articles)
    assert list(table.columns) == ["outlet", "articles", "words", "quoted_words", "share", "ci_low",
                                   "ci_high"]
    per = quoted_word_share(attributions, articles, per_article=True)
    assert table["words"].sum() == per["words"].sum()
    sums = per.groupby("outlet")[["words", "quoted_words"]].sum()
    assert np.allclose(table.set_index("outlet")["share"], sums["quoted_words"] / sums["words"])
    assert (table["ci_low"] <= table["share"]).all() and (table["share"] <= table["ci_high"]).all()
    assert ((table["ci_low"] >= 0) & (table["ci_high"] <= 1)).all()
    # Direct-quote words by hand: every word of a direct content span, mixed fragments inside quotes only.
    direct = attributions[attributions["kind"] == "direct"]
    texts = dict(zip(articles["article_id"], articles["text"], strict=True))
    expected = defaultdict(int)
    for row in direct.itertuples(index=False):
        quote = texts[row.article_id][row.content_start:row.content_end]
        expected[row.article_id] += len(re.findall(r"\w+", quote))
    for row in attributions[attributions["kind"] == "mixed"].itertuples(index=False):
        fragment = re.search(r'"([^"]*)"', row.content).group(1)
        expected[row.article_id] += len(fragment.split())
    got = dict(zip(per["article_id"], per["quoted_words"], strict=True))
    assert got == {a: expected.get(a, 0) for a in articles["article_id"]}
    # Deterministic, and the seed drives the bootstrap only.
    pd.testing.assert_frame_equal(table, quoted_word_share(attributions, articles))
    other = quoted_word_share(attributions, articles, seed=1)
    assert np.allclose(other["share"], table["share"])


# ---------------------------------------------------------------------------------------------
# Cue verbs
# ---------------------------------------------------------------------------------------------

def test_cue_profile(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = corpus
    profile = cue_profile(attributions, articles, n=3)
    assert list(profile.columns) == ["outlet", "cue_lemma", "count", "total", "share", "ci_low", "ci_high"]
    speech = _speech(attributions).merge(articles[["article_id", "outlet"]], on="article_id")
    overall = Counter(speech["cue_lemma"])
    top = sorted(overall, key=lambda lemma: (-overall[lemma], lemma))[:3]
    assert profile["cue_lemma"].unique().tolist() == [*top, "other"]
    assert np.allclose(profile.groupby("outlet")["share"].sum(), 1.0)
    for row in profile.itertuples(index=False):
        mine = speech[speech["outlet"] == row.outlet]["cue_lemma"]
        expected = (mine == row.cue_lemma).sum() if row.cue_lemma != "other" else (~mine.isin(top)).sum()
        assert row.count == expected and row.total == len(mine)
    _check_intervals(profile)
    everything = cue_profile(attributions, by=None, n=50, kinds=None)
    assert "other" not in set(everything["cue_lemma"])
    assert dict(zip(everything["cue_lemma"], everything["count"], strict=True)) == dict(
        Counter(attributions["cue_lemma"]))
    assert cue_profile(attributions, by="kind")["kind"].nunique() == len(SPEECH_KINDS)
    with pytest.raises(InputError, match=r"pass articles="):
        cue_profile(attributions, by="outlet")


# ---------------------------------------------------------------------------------------------
# Network
# ---------------------------------------------------------------------------------------------

def test_source_edges_and_network(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = corpus
    edges = source_edges(attributions, articles, min_statements=2)
    assert list(edges.columns) == ["outlet", "source_entity", "source_type", "statements", "articles"]
    assert (edges["statements"] >= 2).all()
    all_edges = source_edges(attributions, articles, min_statements=1)
    counts = source_counts(attributions, articles, by="outlet")
    assert all_edges["statements"].sum() == counts["statements"].sum()
    graph = source_network(attributions, articles, min_statements=2)
    assert graph.number_of_edges() == len(edges)
    outlets = [n for n, d in graph.nodes(data=True) if d["kind"] == "outlet"]
    assert len(outlets) == articles["outlet"].nunique()
    for row in edges.itertuples(index=False):
        data = graph.edges[("outlet", row.outlet), ("source", row.source_entity)]
        assert data["weight"] == row.statements and data["articles"] == row.articles
        node = graph.nodes[("source", row.source_entity)]
        assert node["source_type"] == row.source_type and node["bipartite"] == 1
    for outlet in outlets:
        expected = counts.loc[counts["outlet"] == outlet[1], "statements"].sum()
        assert graph.nodes[outlet]["statements"] == expected


# ---------------------------------------------------------------------------------------------
# Drill-down
# ---------------------------------------------------------------------------------------------

def test_source_statements(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = corpus
    name = source_counts(attributions).loc[0, "source_entity"]
    rows = source_statements(attributions, articles, name.upper())
    assert len(rows) == (attributions["source_entity"] == name).sum()
    assert list(rows.columns) == list(sourcing.STATEMENT_COLUMNS)
    texts = dict(zip(articles["article_id"], articles["text"], strict=True))
    for row in rows.itertuples(index=False):
        sentence = texts[row.article_id][row.start:row.end]
        assert row.statement == re.sub(r"\s+", " ", sentence)
        assert row.cue in row.statement
        assert "\n" not in row.left and "\n" not in row.right
    order = list(zip(rows["published"].isna(), rows["published"].fillna(pd.Timestamp(0, tz="UTC")),
                     rows["article_id"], rows["start"], strict=True))
    assert order == sorted(order)
    anonymous = source_statements(attributions, articles, "anonymous")
    assert len(anonymous) == (attributions["source_type"] == "anonymous").sum()
    assert source_statements(attributions, articles, "Nobody at all").empty
    assert len(source_statements(attributions, articles, name, limit=1)) == 1


def test_sentence_context_stops_at_the_sentence() -> None:
    text = 'Earlier news. Fighting resumed, "We will not stop," Haddad said on Monday. Others left.'
    start, end = text.index("We will"), text.index(" on Monday")
    left, right = sourcing._sentence_context(text, start, end, 200)
    assert left == 'Fighting resumed, "'
    assert right == "on Monday."
    left, _ = sourcing._sentence_context(text, start, end, 8)
    assert len(left) <= 8


# ---------------------------------------------------------------------------------------------
# Determinism and docstrings
# ---------------------------------------------------------------------------------------------

def test_same_input_same_output(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = corpus
    shuffled = attributions.sample(frac=1, random_state=3).reset_index(drop=True)
    for func in (source_type_mix, anonymous_rate, wire_dependence, quotes_per_article, cue_profile):
        pd.testing.assert_frame_equal(func(attributions, articles), func(shuffled, articles))
    pd.testing.assert_frame_equal(source_counts(attributions, articles, by="outlet"),
                                  source_counts(shuffled, articles, by="outlet"))
    pd.testing.assert_frame_equal(source_edges(attributions, articles), source_edges(shuffled, articles))


def test_docstring_examples() -> None:
    result = doctest.testmod(sourcing, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 8 and result.failed == 0


# ---------------------------------------------------------------------------------------------
# Highlighted article (toolkit.highlight)
# ---------------------------------------------------------------------------------------------

class _Markup(HTMLParser):
    """Collects tags, attributes, the marks (class, title, text) and the article text of a view."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: set[str] = set()
        self.stack: list[str] = []
        self.marks: list[dict[str, str]] = []
        self.body_depth: int | None = None
        self.body = ""
        self.in_badge = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes |= {name for name, _ in attrs}
        self.stack.append(tag)
        values = dict(attrs)
        if tag == "div" and "pre-wrap" in (values.get("style") or ""):
            self.body_depth = len(self.stack)
        if tag == "mark" and self.body_depth:
            self.marks.append({"class": values.get("class") or "", "title": values.get("title") or "",
                               "text": ""})
        if tag == "span" and self.body_depth:
            self.in_badge += 1

    def handle_endtag(self, tag: str) -> None:
        opened = self.stack[-1] if self.stack else ""
        assert opened == tag, f"</{tag}> closes <{opened}>"
        if self.body_depth == len(self.stack):
            self.body_depth = None
        if tag == "span" and self.in_badge:
            self.in_badge -= 1
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.body_depth and not self.in_badge:
            self.body += data
            if self.stack[-1] == "mark":
                self.marks[-1]["text"] += data


def _parse(markup: str) -> _Markup:
    parser = _Markup()
    parser.feed(markup)
    parser.close()
    assert not parser.stack, f"unclosed tags {parser.stack}"
    return parser


HOSTILE = ('<script>alert("pwned")</script> Breaking\n\n'
           '<img src=x onerror=alert(1)> "We will <b>not</b> stop," Haddad said & left.\n\n'
           'According to officials, the army said the town was taken.')


def _hostile_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    text = HOSTILE
    quote = text.index("We will")
    haddad = text.index("Haddad")
    said = text.index("said &")
    according = text.index("According")
    officials = text.index("officials")
    army = text.index("the army")
    army_said = text.index("said the town")
    town = text.index("the town")
    rows = [
        ("direct", "said", said, haddad, "Haddad", '"><script>alert(2)</script>', "named_person",
         quote, text.index(',"')),
        # according to officials, <content: the army said the town was taken> — holds the next statement
        ("according_to", "According to", according, officials, "officials", "officials", "anonymous",
         army, text.index(".", town)),
        ("indirect", "said", army_said, army, "the army", "Syrian army", "official", town,
         text.index(".", town)),
    ]
    table = pd.DataFrame([{
        "article_id": "x", "start": min(cue, src, cs), "end": max(cue + len(c), src + len(s), ce), "kind": k,
        "cue": c, "cue_start": cue, "cue_end": cue + len(c), "source": s, "source_start": src,
        "source_end": src + len(s), "source_entity": e, "source_type": t, "content": text[cs:ce],
        "content_start": cs, "content_end": ce} for k, c, cue, src, s, e, t, cs, ce in rows])
    articles = pd.DataFrame({"article_id": ["x"], "title": ['<b onmouseover="alert(3)">Title</b>'],
                             "outlet": ["<i>Post</i>"], "published": pd.to_datetime(["2017-09-04"], utc=True),
                             "text": [text]})
    return articles, table


def test_highlight_renders_hostile_text_inert() -> None:
    articles, attributions = _hostile_tables()
    view = highlight_attributions("x", articles, attributions)
    markup = view._repr_html_()
    assert isinstance(markup, str) and markup == view.html == str(view)
    assert "<script" not in markup.lower() and "<img" not in markup.lower() and "<b" not in markup.lower()
    assert "&lt;script&gt;" in markup and "&lt;img src=x onerror=alert(1)&gt;" in markup
    parsed = _parse(markup)
    assert set(parsed.tags) <= {"div", "span", "mark"}            # only the toolkit's own tags
    assert parsed.attributes <= {"style", "title", "class"}       # no event handlers, no links
    # The hostile source name stays inside its tooltip, as text.
    assert any('"><script>alert(2)</script>' in mark["title"] for mark in parsed.marks)
    # Every character of the article is shown, once, in order.
    assert _parse(highlight_attributions("x", articles, attributions, labels=False, legend=False).html
                  ).body == HOSTILE


def test_highlight_nested_and_overlapping_spans() -> None:
    articles, attributions = _hostile_tables()
    parsed = _parse(highlight_attributions("x", articles, attributions, labels=False).html)
    by_text: dict[str, list[dict[str, str]]] = defaultdict(list)
    for mark in parsed.marks:
        by_text[mark["text"]].append(mark)
    # "the army" is the source of statement 3 and inside the content of statement 2.
    army = by_text["the army"][0]
    assert army["class"] == "tk-source tk-content"
    assert "source of statement 3" in army["title"] and "content of statement 2" in army["title"]
    # "the town was taken" is content of both 2 and 3: one segment, both in the tooltip, doubled underline.
    town = by_text["the town was taken"][0]
    assert "content of statement 2" in town["title"] and "content of statement 3" in town["title"]
    # The marks of each span (statements are numbered in text order), put together, give exactly its text.
    for number, row in enumerate(attributions.itertuples(index=False), start=1):
        for role in ("source", "cue", "content"):
            start, end = getattr(row, f"{role}_start"), getattr(row, f"{role}_end")
            label = f"{role} of statement {number} ·"
            covered = "".join(m["text"] for m in parsed.marks if label in m["title"])
            assert covered == HOSTILE[start:end]


def test_highlight_styles_show_nesting() -> None:
    articles, attributions = _hostile_tables()
    markup = highlight_attributions("x", articles, attributions, labels=False, legend=False).html
    town = markup[markup.index("the town was taken") - 400: markup.index("the town was taken")]
    style = town[town.rindex("<mark"):]
    assert "double" in style                                        # inside two contents
    quote = markup[: markup.index("We will")]
    assert "solid" in quote[quote.rindex("<mark"):]                 # direct quote: solid underline
    reported = markup[: markup.index("the army")]
    assert "dashed" in reported[reported.rindex("<mark"):]          # according_to content: dashed


def test_highlight_labels_kinds_and_errors(corpus: tuple[pd.DataFrame, pd.DataFrame], tmp_path: Path) -> None:
    articles, attributions = corpus
    article_id = attributions.loc[attributions["kind"] == "direct", "article_id"].value_counts().index[0]
    rows = attributions[attributions["article_id"] == article_id]
    assert len(rows) > (rows["kind"] == "direct").sum() > 0
    view = highlight_attributions(article_id, articles, attributions)
    parsed = _parse(view.html)
    cues = [m for m in parsed.marks if "tk-cue" in m["class"]]
    assert len(cues) == len(rows)
    assert parsed.body == articles.set_index("article_id").loc[article_id, "text"]     # labels aside
    for kind in set(rows["kind"]):
        assert f">{kind.replace('_', ' ')}</span>" in view.html           # the kind label after its cue
    only = highlight_attributions(article_id, articles, attributions, kinds=["direct"])
    direct_cues = [m for m in _parse(only.html).marks if "tk-cue" in m["class"]]
    assert len(direct_cues) == (rows["kind"] == "direct").sum()
    path = view.save(tmp_path / "view.html")
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    with pytest.raises(InputError, match=r"article_id 'nope' is not in the articles table"):
        highlight_attributions("nope", articles, attributions)
    with pytest.raises(InputError, match=r"highlight_attributions.*'cue_end'"):
        highlight_attributions(article_id, articles, attributions.drop(columns="cue_end"))
    broken = rows.assign(cue_end=rows["cue_end"] + 10_000)          # out of range: skipped, not drawn
    assert not [m for m in _parse(highlight_attributions(article_id, articles, broken).html).marks
                if "tk-cue" in m["class"]]


def test_tables_do_not_inherit_the_load_report(corpus: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = corpus
    articles = articles.copy()
    articles.attrs["load_report"] = object()         # as load_articles() leaves it
    for func in (source_counts, quotes_per_article, quoted_word_share, source_type_mix, wire_dependence):
        assert "load_report" not in func(attributions, articles).attrs
