"""Who said it: source_entity and source_type, rule by rule on small hand-built tables, then on the
demo articles (anonymous flags and resolved names against their truth file) and the seed."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from toolkit import speakers
from toolkit.entities import canonical_name, load_aliases, normalise_mentions
from toolkit.errors import InputError
from toolkit.names import name_key
from toolkit.speakers import (
    ATTRIBUTION_TABLE_COLUMNS,
    SOURCE_TYPES,
    classify_sources,
    load_lexicons,
    source_type_rules,
)

TRUTH = json.loads((Path(__file__).parent / "fixtures" / "demo_truth.json").read_text("utf-8"))


# --------------------------------------------------------------------------- hand-built tables


def _tables(articles: dict[str, tuple[str, list[tuple[str, str]], list[dict[str, Any]]]]
            ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Articles, normalised mentions and attributions from ``{id: (text, [(surface, label)], [row])}``.

    Every occurrence of a listed surface becomes a mention; the ``entity`` column comes from the
    toolkit's own normalisation. A row names its ``source`` (first occurrence at or after ``at``,
    a substring of the text), optionally an ``antecedent`` (same way) and a ``kind``.
    """
    article_rows, mention_rows, attribution_rows = [], [], []
    for article_id, (text, names, rows) in articles.items():
        article_rows.append({"article_id": article_id, "text": text, "outlet": "Test"})
        for surface, label in names:
            for match in re.finditer(r"(?<!\w)" + re.escape(surface) + r"(?!\w)", text):
                mention_rows.append({"article_id": article_id, "sentence": 0, "start": match.start(),
                                     "end": match.end(), "surface": surface, "label": label})
        for row in rows:
            source = row.get("source")
            start = text.index(source, text.index(row.get("at", source))) if source else None
            antecedent = row.get("antecedent")
            a_start = text.index(antecedent) if antecedent else None
            attribution_rows.append({
                "article_id": article_id, "sentence": 0, "start": start or 0, "end": len(text),
                "kind": row.get("kind", "indirect"), "cue": "said", "cue_lemma": "say", "cue_start": 0,
                "cue_end": 0, "source": source, "source_start": start,
                "source_end": start + len(source) if source else None, "antecedent": antecedent,
                "antecedent_start": a_start,
                "antecedent_end": a_start + len(antecedent) if antecedent else None,
                "content": "x", "content_start": 0, "content_end": 1})
    articles_table = pd.DataFrame(article_rows)
    columns = ["article_id", "sentence", "start", "end", "surface", "label"]
    mentions = pd.DataFrame(mention_rows, columns=columns)
    mentions = mentions.sort_values(["article_id", "start"], kind="stable").reset_index(drop=True)
    return articles_table, normalise_mentions(mentions, articles_table), pd.DataFrame(attribution_rows)


def _classify(text: str, names: list[tuple[str, str]], rows: list[dict[str, Any]]) -> list[tuple[Any, str]]:
    articles, mentions, attributions = _tables({"a": (text, names, rows)})
    out = classify_sources(attributions, mentions, articles)
    pairs = zip(out["source_entity"], out["source_type"], strict=True)
    return [(None if pd.isna(e) else e, t) for e, t in pairs]


def _one(text: str, names: list[tuple[str, str]], source: str | None, **row: Any) -> tuple[Any, str]:
    return _classify(text, names, [{"source": source, **row}])[-1]


# --------------------------------------------------------------------------- the seed's cases


def test_the_observatory_stays_vague_unless_the_article_names_it() -> None:
    vague = "On Friday, four members of the same family were killed, the Observatory said."
    assert _one(vague, [("Observatory", "ORG")], "the Observatory") == ("the Observatory", "organisation")
    named = ("The Syrian Observatory for Human Rights counted 40 dead. Later, eight more died, "
             "the Observatory said.")
    names = [("Syrian Observatory for Human Rights", "ORG"), ("Observatory", "ORG")]
    assert _one(named, names, "the Observatory", at="Later") == (
        "Syrian Observatory for Human Rights", "organisation")


def test_the_us_led_coalition_is_official() -> None:
    text = "The US-led coalition has said around 1,500 IS fighters are left in the area."
    assert _one(text, [("US", "GPE"), ("IS", "ORG")], "The US-led coalition") == (
        "the US-led coalition", "official")


def test_a_short_name_takes_the_full_name_the_article_gives() -> None:
    text = ("Abu Mahdi al-Muhandis visited the front. \"The defeat of Daesh is final\", Muhandis said.")
    names = [("Abu Mahdi al-Muhandis", "PERSON"), ("Muhandis", "PERSON"), ("Daesh", "ORG")]
    assert _one(text, names, "Muhandis", at="\", Muhandis") == ("Abu Mahdi al-Muhandis", "named_person")
    alone = "\"The defeat of Daesh is final\", Muhandis said."
    assert _one(alone, [("Muhandis", "PERSON"), ("Daesh", "ORG")], "Muhandis") == ("Muhandis", "named_person")


def test_efe_news_is_media_as_wire_credit_and_as_a_source() -> None:
    text = "Haider al-Abadi congratulated the army on Friday, Efe news reported."
    names = [("Haider al-Abadi", "PERSON"), ("Efe", "ORG")]
    assert _one(text, names, "Efe news", kind="wire_credit") == ("Efe", "media")
    assert _one(text, names, "Efe news", kind="indirect") == ("Efe", "media")
    assert _one(text, [], "Efe", kind="wire_credit") == ("Efe", "media")


# --------------------------------------------------------------------------- anonymous


@pytest.mark.parametrize("sentence, source", [
    ("Officials said the road was open.", "Officials"),
    ("A source said the road was open.", "A source"),
    ("Sources close to the ministry said the road was open.", "Sources close to the ministry"),
    ("People familiar with the matter said the road was open.", "People familiar with the matter"),
    ("A senior official who spoke on condition of anonymity said the road was open.",
     "A senior official who spoke on condition of anonymity"),
    ("Western diplomats said the road was open.", "Western diplomats"),
    ("Residents said the road was open.", "Residents"),
    ("Witnesses said the road was open.", "Witnesses"),
    ("Analysts said the road was open.", "Analysts"),
    ("Forecasters in Beirut said more storms were coming.", "Forecasters in Beirut"),
    ("A spokesman said the road was open.", "A spokesman"),
    ("Aid groups working in the province said the road was open.", "Aid groups working in the province"),
    ("\"Act now,\" said one aid worker in Saraqeb, who asked not to be named.", "one aid worker in Saraqeb"),
    ("Officials in Tbilisi said the road was open.", "Officials in Tbilisi"),
    ("Iraqi security officials said the road was open.", "Iraqi security officials"),
])
def test_unnamed_people_are_anonymous(sentence: str, source: str) -> None:
    names = [("Tbilisi", "GPE"), ("Iraqi", "NORP"), ("Western", "NORP"), ("Saraqeb", "GPE"),
             ("Beirut", "GPE")]
    entity, kind = _one(sentence, names, source)
    assert kind == "anonymous", (source, entity, kind)
    assert entity is not None and name_key(entity) == name_key(source)  # a vague source keeps its text


def test_a_name_after_close_to_does_not_identify_the_source() -> None:
    text = "Hezbollah denied it. Sources close to Hezbollah said the talks had failed."
    assert _one(text, [("Hezbollah", "ORG")], "Sources close to Hezbollah")[1] == "anonymous"


def test_a_named_organisation_identifies_an_unnamed_spokesman() -> None:
    text = ("A Ministry of Defence spokesman in London said no British aircraft were involved. "
            "Officials at the Defence Ministry said the same.")
    names = [("Ministry of Defence", "ORG"), ("London", "GPE"), ("Defence Ministry", "ORG")]
    assert _classify(text, names, [{"source": "A Ministry of Defence spokesman in London"},
                                   {"source": "Officials at the Defence Ministry"}]) == [
        ("Ministry of Defence", "official"), ("Defence Ministry", "official")]


def test_the_official_refers_back_to_the_anonymous_official() -> None:
    text = ("A senior official who spoke on condition of anonymity said patrols had stopped. "
            "\"Nobody wants that,\" the official said.")
    result = _classify(text, [], [{"source": "A senior official who spoke on condition of anonymity"},
                                  {"source": "the official"}])
    assert result[1] == result[0] and result[1][1] == "anonymous"


# --------------------------------------------------------------------------- pronouns


def test_pronouns_resolve_through_their_antecedent() -> None:
    text = "Karim Haddad led the assault. \"We will not stop,\" he said."
    assert _one(text, [("Karim Haddad", "PERSON")], "he", antecedent="Karim Haddad") == (
        "Karim Haddad", "named_person")
    text = "Halvorsen Steel will add 300 jobs. It said demand was strong."
    assert _one(text, [("Halvorsen Steel", "ORG")], "It", antecedent="Halvorsen Steel") == (
        "Halvorsen Steel", "organisation")


def test_an_unresolved_pronoun_is_unknown_and_names_nobody() -> None:
    assert _one("\"We will not stop,\" he said.", [], "he") == (None, "unknown")


# --------------------------------------------------------------------------- officials and people


@pytest.mark.parametrize("text, names, source, expected", [
    ("Health Minister Nadia Sabri said the outbreak was under control.", [("Nadia Sabri", "PERSON")],
     "Health Minister Nadia Sabri", ("Nadia Sabri", "official")),
    ("Coalition spokesman Col. Thomas Whitaker told reporters the city would fall.",
     [("Thomas Whitaker", "PERSON")], "Coalition spokesman Col. Thomas Whitaker",
     ("Thomas Whitaker", "official")),
    ("Nizar Khalil, the army commander, said the siege was over.", [("Nizar Khalil", "PERSON")],
     "Nizar Khalil", ("Nizar Khalil", "official")),
    ("Levent Aksoy, a spokesman for the Turkish Foreign Ministry, said the zone was needed.",
     [("Levent Aksoy", "PERSON"), ("Turkish Foreign Ministry", "ORG")], "Levent Aksoy",
     ("Levent Aksoy", "official")),
    ("Mayor Mark Johnson said rates would rise.", [("Mark Johnson", "PERSON")], "Mayor Mark Johnson",
     ("Mark Johnson", "official")),
    ("Omar Rahal, the group's director, said 433 civilians had died.", [("Omar Rahal", "PERSON")],
     "Omar Rahal", ("Omar Rahal", "named_person")),
    ("Dr Amara Okafor, medical director of Bridgehaven Relief, said cases were rising.",
     [("Amara Okafor", "PERSON"), ("Bridgehaven Relief", "ORG")], "Dr Amara Okafor",
     ("Amara Okafor", "named_person")),
    ("Tom Aldridge, a former minister, said the plan would fail.", [("Tom Aldridge", "PERSON")],
     "Tom Aldridge", ("Tom Aldridge", "named_person")),
    ("Nino Kapanadze, a security analyst in Tbilisi, warned of radicalisation.",
     [("Nino Kapanadze", "PERSON"), ("Tbilisi", "GPE")], "Nino Kapanadze",
     ("Nino Kapanadze", "named_person")),
])
def test_named_people_are_official_by_their_title_or_apposition(
        text: str, names: list[tuple[str, str]], source: str, expected: tuple[str, str]) -> None:
    assert _one(text, names, source) == expected


def test_a_title_elsewhere_in_the_article_makes_a_later_surname_official() -> None:
    text = ("Tanks reached the enclave, according to Maj. Gen. Nizar Khalil. "
            "\"The siege is over,\" Khalil said.")
    names = [("Nizar Khalil", "PERSON"), ("Khalil", "PERSON")]
    assert _one(text, names, "Khalil", at="Khalil said") == ("Nizar Khalil", "official")


def test_an_official_in_one_article_is_official_in_all() -> None:
    articles, mentions, attributions = _tables({
        "a": ("Col. Thomas Whitaker said strikes continued.", [("Thomas Whitaker", "PERSON")],
              [{"source": "Col. Thomas Whitaker"}]),
        "b": ("Thomas Whitaker said the town had fallen.", [("Thomas Whitaker", "PERSON")],
              [{"source": "Thomas Whitaker"}]),
    })
    out = classify_sources(attributions, mentions, articles)
    assert list(out["source_type"]) == ["official", "official"]


def test_articles_classified_in_chunks_give_the_same_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """A large table is classified a few articles at a time; the official rule still spans them all."""
    articles, mentions, attributions = _tables({
        "a": ("Col. Thomas Whitaker said strikes continued. The colonel said more.",
              [("Thomas Whitaker", "PERSON")],
              [{"source": "Col. Thomas Whitaker"}, {"source": "The colonel"}]),
        "b": ("A resident said it was quiet.", [], [{"source": "A resident"}]),
        "c": ("Thomas Whitaker said the town had fallen.", [("Thomas Whitaker", "PERSON")],
              [{"source": "Thomas Whitaker"}]),
    })
    whole = classify_sources(attributions, mentions, articles)
    monkeypatch.setattr(speakers, "_CHUNK_ROWS", 1)
    chunked = classify_sources(attributions, mentions, articles)
    pd.testing.assert_frame_equal(chunked, whole)
    assert list(chunked["source_type"]) == ["official", "official", "anonymous", "official"]


def test_the_minister_refers_back_to_the_named_minister() -> None:
    text = ("Health Minister Nadia Sabri told a news conference that teams were at work. "
            "The minister said water tankers were tested daily.")
    result = _classify(text, [("Nadia Sabri", "PERSON")], [{"source": "Health Minister Nadia Sabri"},
                                                           {"source": "The minister"}])
    assert result == [("Nadia Sabri", "official"), ("Nadia Sabri", "official")]
    assert _one("The minister said water tankers were tested daily.", [], "The minister") == (
        "the minister", "official")


def test_a_role_description_finds_the_person_who_holds_the_role() -> None:
    text = ("The commander of a US-backed alliance has rejected the plan. "
            "Karim Haddad, a senior commander of the Syrian Frontier Forces, spoke on Monday.")
    names = [("US", "GPE"), ("Karim Haddad", "PERSON"), ("Syrian Frontier Forces", "ORG")]
    assert _one(text, names, "The commander of a US-backed alliance") == ("Karim Haddad", "official")


def test_a_person_named_in_apposition_to_the_source_is_the_source() -> None:
    text = "Clinton's campaign chairman, John Podesta, said the emails were stolen."
    names = [("Clinton", "PERSON"), ("John Podesta", "PERSON")]
    assert _one(text, names, "Clinton's campaign chairman, John Podesta,") == ("John Podesta", "named_person")


def test_titles_do_not_cross_sentences_and_past_roles_do_not_count() -> None:
    text = "He wants to be president. Mr. Khan said the speech was a mistake."
    assert _one(text, [("Khan", "PERSON")], "Mr. Khan") == ("Khan", "named_person")
    text = ("Anita Dunn, who was White House communications director, said the ads worked. "
            "Dunn said more.")
    names = [("Anita Dunn", "PERSON"), ("Dunn", "PERSON"), ("White House", "ORG")]
    assert _one(text, names, "Dunn", at="Dunn said") == ("Anita Dunn", "named_person")
    text = "Gen. Faisal Saleh, who commands the operation, said the town fell."
    assert _one(text, [("Faisal Saleh", "PERSON")], "Gen. Faisal Saleh") == ("Faisal Saleh", "official")


def test_a_name_the_model_missed_is_still_a_person() -> None:
    text = "Zaid Tawfiq, an engineer who restores the water network, said crews had found explosives."
    assert _one(text, [], "Zaid Tawfiq") == ("Zaid Tawfiq", "named_person")


# --------------------------------------------------------------------------- bodies


@pytest.mark.parametrize("text, names, source, expected", [
    ("Amnesty International said the trials were unfair.", [("Amnesty International", "ORG")],
     "Amnesty International", ("Amnesty International", "organisation")),
    ("UNICEF said 40 children had died.", [("UNICEF", "ORG")], "UNICEF", ("UNICEF", "organisation")),
    ("Halvorsen Steel said it would invest $140 million.", [("Halvorsen Steel", "ORG")], "Halvorsen Steel",
     ("Halvorsen Steel", "organisation")),
    ("A monitoring group said 40 people died.", [], "A monitoring group",
     ("a monitoring group", "organisation")),
    ("The army said it was clearing the airport.", [], "The army", ("the army", "official")),
    ("Turkey has said it will not open its border.", [("Turkey", "GPE")], "Turkey", ("Turkey", "official")),
    ("IS fighters fled, according to the Joint Operations Command.", [("Joint Operations Command", "ORG")],
     "the Joint Operations Command", ("Joint Operations Command", "official")),
    ("Islamic State said it carried out the attack.", [("Islamic State", "ORG")], "Islamic State",
     ("Islamic State", "official")),
    ("Iraq's oil ministry said exports would resume.", [("Iraq", "GPE")], "Iraq's oil ministry",
     ("Iraq's oil ministry", "official")),
    ("State television said the siege was broken.", [], "State television", ("state television", "media")),
    ("Omar Rahal told Reuters the toll was rising.", [("Reuters", "ORG")], "Reuters", ("Reuters", "media")),
    ("About 400 people have returned, according to a report by the Halden Institute.",
     [("Halden Institute", "ORG")], "a report by the Halden Institute", ("Halden Institute", "organisation")),
    ("Most homes were destroyed, according to a ministry statement.", [], "a ministry statement",
     ("a ministry statement", "official")),
    ("The Orlando Sentinel reported the vote.", [("Orlando Sentinel", "ORG")], "The Orlando Sentinel",
     ("Orlando Sentinel", "media")),
    ("Japan's central bank said rates would stay low.", [("Japan", "GPE")], "Japan's central bank",
     ("Japan's central bank", "official")),
])
def test_bodies_are_typed_by_name_lexicon_and_head_word(
        text: str, names: list[tuple[str, str]], source: str, expected: tuple[str, str]) -> None:
    assert _one(text, names, source) == expected


def test_the_report_refers_back_to_the_report_and_its_author() -> None:
    text = ("Homes remain destroyed, according to a UN report released on Monday. "
            "The report said repairs would cost $1 billion.")
    result = _classify(text, [("UN", "ORG")], [{"source": "a UN report released on Monday"},
                                                {"source": "The report"}])
    assert result == [("United Nations", "organisation"), ("United Nations", "organisation")]
    alone = "The report said repairs would cost $1 billion."
    assert _one(alone, [], "The report") == ("the report", "unknown")


def test_no_source_is_unknown_with_no_entity() -> None:
    assert _one("Prices rose on Monday.", [], None) == (None, "unknown")


# --------------------------------------------------------------------------- the table


def test_output_columns_dtypes_and_values() -> None:
    articles, mentions, attributions = _tables({
        "a": ("Officials said prices rose. Karim Haddad said the city fell. \"Yes,\" he said.",
              [("Karim Haddad", "PERSON")],
              [{"source": "Officials"}, {"source": "Karim Haddad"},
               {"source": "he", "antecedent": "Karim Haddad"}, {"source": None}]),
    })
    before = attributions.copy()
    out = classify_sources(attributions, mentions, articles)
    pd.testing.assert_frame_equal(attributions, before)  # the input is not modified
    assert tuple(out.columns) == ATTRIBUTION_TABLE_COLUMNS
    for column in ("sentence", "start", "end", "source_start", "antecedent_start", "content_end"):
        assert out[column].dtype == "Int64", column
    for column in ("article_id", "kind", "source", "source_entity", "source_type", "antecedent"):
        assert out[column].dtype == "string", column
    assert set(out["source_type"]) <= set(SOURCE_TYPES)
    assert out["source_entity"].isna().tolist() == [False, False, False, True]
    assert out["source_start"].isna().tolist() == [False, False, False, True]


def test_results_do_not_depend_on_row_order_and_are_repeatable() -> None:
    text = ("Health Minister Nadia Sabri spoke first. The minister said all was well. "
            "A source close to the ministry said it was not. \"It is bad,\" the source said.")
    articles, mentions, attributions = _tables({"a": (text, [("Nadia Sabri", "PERSON")], [
        {"source": "Health Minister Nadia Sabri"}, {"source": "The minister"},
        {"source": "A source close to the ministry"}, {"source": "the source"}])})
    first = classify_sources(attributions, mentions, articles)
    again = classify_sources(attributions, mentions, articles)
    pd.testing.assert_frame_equal(first, again)
    shuffled = classify_sources(attributions.iloc[[3, 1, 2, 0]], mentions, articles).sort_index()
    pd.testing.assert_frame_equal(first, shuffled)
    assert list(first["source_type"]) == ["official", "official", "anonymous", "anonymous"]


def test_empty_table_and_bad_input() -> None:
    articles, mentions, attributions = _tables({"a": ("Officials said so.", [], [{"source": "Officials"}])})
    empty = classify_sources(attributions.iloc[:0], mentions, articles)
    assert len(empty) == 0 and "source_type" in empty.columns
    with pytest.raises(InputError, match="lacks"):
        classify_sources(attributions, mentions.drop(columns=["entity"]), articles)
    with pytest.raises(InputError, match="not in the articles table"):
        classify_sources(attributions.assign(article_id="zzz"), mentions, articles)


def test_rules_table_and_lexicons() -> None:
    rules = source_type_rules()
    assert sorted(rules["source_type"]) == sorted(SOURCE_TYPES)
    assert rules["order"].is_monotonic_increasing and rules["rule"].str.len().min() > 20
    lex = load_lexicons()
    assert lex.roles["minister"] == "office" and lex.bodies["television"] == "media"
    assert "official" in lex.anonymous_heads and "on condition of anonymity" in lex.markers
    root = Path(__file__).resolve().parent.parent / "toolkit" / "resources"
    for path in sorted(root.glob("speakers_*.csv")):
        assert path.read_text("utf-8").startswith("#"), f"{path.name} needs a comment header"


def test_media_names_come_from_the_sources_lexicon() -> None:
    sources = pytest.importorskip("toolkit.sources", reason="toolkit.sources is not available")
    if not hasattr(sources, "load_media_names"):
        pytest.skip("toolkit.sources has no load_media_names")
    lex = load_lexicons()
    missing = [n for n in sources.load_media_names() if lex.media_name(n) is None]
    assert not missing, missing[:10]


# --------------------------------------------------------------------------- the demo articles


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The demo articles through the annotation pipeline, step 1 and step 2: (articles, attributions)."""
    sources = pytest.importorskip("toolkit.sources", reason="toolkit.sources (attribution extraction) "
                                  "is not available")
    import toolkit as tk
    from tests.conftest import DATA
    from toolkit.annotation import components_for, load_pipeline, resolve_model, stream_docs

    corpus = tk.annotate(tk.load_articles(DATA), outputs=["mentions"],
                         cache_dir=tmp_path_factory.mktemp("speakers"), progress=False)
    spec = resolve_model()
    nlp = load_pipeline(spec.name, components_for({"parser", "ner"}, spec))
    rows = []
    for article_id, doc in stream_docs(zip(corpus.articles["article_id"], corpus.articles["text"],
                                           strict=True), nlp):
        rows += [(article_id, *row) for row in sources.extract_attributions(doc)]
    attributions = pd.DataFrame(rows, columns=["article_id", *sources.ATTRIBUTION_COLUMNS])
    return corpus.articles, classify_sources(attributions, corpus.mentions, corpus.articles)


def _same_name(a: Any, b: Any) -> bool:
    def key(name: Any) -> str:
        return name_key(canonical_name(str(name), "ORG"))

    return not pd.isna(a) and key(a) == key(b)


def _names_source(entity: Any, source: str) -> bool:
    """The entity is the source's name: as written, through the alias table ("AFP" -> "Agence
    France-Presse") or as its head ("Iraq's Defence Ministry" -> "Defence Ministry")."""
    if pd.isna(entity):
        return False
    alias = load_aliases().lookup(canonical_name(source, "ORG"))
    words, tail = name_key(source).split(), name_key(str(entity)).split()
    return _same_name(entity, source) or (alias is not None and _same_name(entity, alias)) or (
        len(tail) >= 2 and words[-len(tail):] == tail)


def _matched(articles: pd.DataFrame, attributions: pd.DataFrame) -> list[tuple[str, dict[str, Any], Any]]:
    """Truth rows paired with the extracted row of the same article, source text and content start."""
    ids = {Path(p).name: a for p, a in zip(articles["path"], articles["article_id"], strict=True)}
    pairs, used = [], set()
    for file, article in TRUTH["articles"].items():
        rows = attributions[attributions["article_id"] == ids[file]]
        for truth in article.get("attributions", []):
            start = (truth.get("content_starts") or "")[:25]
            for index, row in rows.iterrows():
                if index in used or str(row["source"]) != truth["source"]:
                    continue
                if start and (pd.isna(row["content"]) or start not in str(row["content"])):
                    continue
                used.add(index)
                pairs.append((file, truth, row))
                break
    return pairs


def test_demo_anonymous_sources_and_resolved_names(demo: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = demo
    pairs = _matched(articles, attributions)
    assert len(pairs) >= 200, f"only {len(pairs)} of 250 truth attributions were extracted with their source"
    anonymous = [(f[:3], t["source"], r["source_type"]) for f, t, r in pairs
                 if (r["source_type"] == "anonymous") != bool(t.get("anonymous"))]
    rate = 1 - len(anonymous) / len(pairs)
    assert rate >= 0.97, f"anonymous flag agreement {rate:.3f} on {len(pairs)} rows; wrong: {anonymous}"
    resolved = [(f, t, r) for f, t, r in pairs if t.get("resolves_to")]
    wrong = [(f[:3], t["source"], r["antecedent"], r["source_entity"], t["resolves_to"])
             for f, t, r in resolved if not _same_name(r["source_entity"], t["resolves_to"])]
    rate = 1 - len(wrong) / len(resolved)
    assert rate >= 0.90, f"resolves_to agreement {rate:.3f} on {len(resolved)} rows; wrong: {wrong}"
    # sources that name someone themselves keep that name
    named = [(f, t, r) for f, t, r in pairs if not t.get("resolves_to") and not t.get("anonymous")
             and t["source"][:1].isupper() and t["source"].split()[0] not in ("The", "A", "An", "One")]
    wrong = [(f[:3], t["source"], r["source_entity"]) for f, t, r in named
             if not _names_source(r["source_entity"], t["source"])]
    assert len(wrong) <= 0.05 * len(named), f"named sources not kept: {wrong}"


def test_demo_source_types_of_known_sources(demo: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    _, attributions = demo
    types = attributions.groupby("source_entity")["source_type"].agg(lambda s: s.mode().iloc[0])
    expected = {"Thomas Whitaker": "official", "Nizar Khalil": "official", "Faisal Saleh": "official",
                "Omar Rahal": "named_person", "Margit Lindqvist": "named_person",
                "Syrian Rights Monitor": "organisation", "United Nations": "organisation",
                "Iraqi Defence Ministry": "official", "Reuters": "media", "Associated Press": "media"}
    present = {k: v for k, v in expected.items() if k in types.index}
    assert len(present) >= 7, f"too few known sources extracted: {sorted(present)}"
    wrong = {k: types[k] for k, v in present.items() if types[k] != v}
    assert not wrong, wrong
    assert (attributions.loc[attributions["kind"] == "wire_credit", "source_type"] == "media").all()


def test_seed_acceptance(demo: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    articles, attributions = demo
    seed_id = articles.loc[articles["path"].map(lambda p: Path(p).name) == TRUTH["seed"]["file"],
                           "article_id"].iloc[0]
    seed = attributions[attributions["article_id"] == seed_id]
    found = {str(s): (e, t) for s, e, t in zip(seed["source"], seed["source_entity"], seed["source_type"],
                                               strict=True)}
    checks = {"Muhandis": ("Muhandis", "named_person"),  # the seed never gives his full name
              "the Observatory": ("the Observatory", "organisation"),
              "The US-led coalition": ("the US-led coalition", "official"),
              "the Joint Operations Command": ("Joint Operations Command", "official")}
    for source, expected in checks.items():
        assert found.get(source) == expected, (source, found.get(source), sorted(found))
    efe = [(e, t) for s, (e, t) in found.items() if s.startswith("Efe")]
    assert efe and all(t == "media" for _, t in efe), found
