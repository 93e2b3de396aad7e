"""Entity normalisation on the seed, the demo corpus (exact, from its truth file) and small cases."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

import toolkit as tk
from toolkit.entities import canonical_name, load_aliases, normalise_mentions
from toolkit.merges import save_aliases, suggest_merges
from toolkit.names import name_key, strip_titles, transliteration_key

TRUTH = json.loads((Path(__file__).parent / "fixtures" / "demo_truth.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tk.Corpus:
    from tests.conftest import DATA

    return tk.annotate(tk.load_articles(DATA), cache_dir=tmp_path_factory.mktemp("demo"), progress=False)


@pytest.fixture(scope="module")
def ids(demo: tk.Corpus) -> dict[str, str]:
    return {Path(p).name: a for p, a in zip(demo.articles["path"], demo.articles["article_id"], strict=True)}


def _mentions_of(demo: tk.Corpus, article_id: str) -> pd.DataFrame:
    return demo.mentions[demo.mentions["article_id"] == article_id]


# --------------------------------------------------------------------------- the seed


def test_seed_islamic_state_variants_are_one_entity(demo: tk.Corpus, ids: dict[str, str]) -> None:
    seed = _mentions_of(demo, ids["000_f212a97f88087e13.txt"])
    variants = seed[seed["surface"].isin(["IS", "ISIS", "Daesh", "Islamic State"])]
    assert set(variants["surface"]) == {"IS", "ISIS", "Daesh", "Islamic State"}
    assert set(variants["entity"]) == {"Islamic State"}
    text = demo.articles.set_index("article_id").loc[ids["000_f212a97f88087e13.txt"], "text"]
    # "the Islamic State group" (first sentence): the group is counted under the same entity
    start = text.index("Islamic State group")
    assert seed.loc[seed["start"] == start, "entity"].tolist() == ["Islamic State"]
    # Every "IS" in the seed's text is a mention (the model alone finds none of them)
    assert (seed["surface"] == "IS").sum() == len(re.findall(r"\bIS\b", text)) == 5


def test_seed_deir_el_zour_joins_deir_ez_zor(demo: tk.Corpus, ids: dict[str, str]) -> None:
    seed = _mentions_of(demo, ids["000_f212a97f88087e13.txt"])
    entities = set(seed.loc[seed["surface"] == "Deir el-Zour", "entity"])
    elsewhere = set(demo.mentions.loc[demo.mentions["surface"] == "Deir ez-Zor", "entity"])
    assert entities == elsewhere and len(entities) == 1


def test_seed_spam_lines_contribute_nothing(demo: tk.Corpus, ids: dict[str, str]) -> None:
    seed = _mentions_of(demo, ids["000_f212a97f88087e13.txt"])
    assert not set(seed["entity"]) & {"Uluru", "SC", "Delhi-Centre", "College Football Playoff"}


def test_seed_al_qaim_spellings_merge(demo: tk.Corpus, ids: dict[str, str]) -> None:
    seed = _mentions_of(demo, ids["000_f212a97f88087e13.txt"])
    qaim = seed[seed["surface"].isin(["Al-Qaim", "al-Qaim", "al Qaim", "Qaim"])]
    assert len(qaim) >= 4
    assert qaim["entity"].nunique() == 1


# --------------------------------------------------------------------------- the demo corpus


@pytest.mark.parametrize("canonical", ["Islamic State", "Raqqa", "Deir ez-Zor", "United States",
                                       "United Kingdom", "United Nations", "al-Qaim"])
def test_demo_variant_spellings_merge(demo: tk.Corpus, canonical: str) -> None:
    variants = set(TRUTH["variants"][canonical])
    names = demo.mentions["surface"].map(lambda s: canonical_name(s, ""))
    found = demo.mentions[names.isin(variants)]
    assert set(names[names.isin(variants)]) == variants
    assert found["entity"].nunique() == 1, found.groupby("surface")["entity"].unique()


@pytest.mark.parametrize("person", sorted(TRUTH["recurring_people"]))
def test_demo_recurring_people_counted_exactly(demo: tk.Corpus, ids: dict[str, str], person: str) -> None:
    files = TRUTH["recurring_people"][person]
    rows = demo.mentions[demo.mentions["entity"] == person]
    assert set(rows["article_id"]) == {ids[f] for f in files}
    assert len(rows) == sum(TRUTH["articles"][f]["person_mentions"][person] for f in files)


def test_demo_person_mentions_per_article(demo: tk.Corpus, ids: dict[str, str]) -> None:
    expected = {(f, p): n for f, a in TRUTH["articles"].items()
                for p, n in a.get("person_mentions", {}).items()}
    got = {(f, p): int(((demo.mentions["article_id"] == ids[f]) & (demo.mentions["entity"] == p)).sum())
           for f, p in expected}
    wrong = {k: (got[k], v) for k, v in expected.items() if got[k] != v}
    # The small model misses one name outright ("Zaid Tawfiq, an engineer ..."); every other count is exact.
    assert len(wrong) <= 1, wrong
    assert len(expected) >= 70


def test_demo_same_surname_stays_apart(demo: tk.Corpus, ids: dict[str, str]) -> None:
    (first, first_file), (second, second_file) = TRUTH["same_surname_different_people"]
    assert first.split()[-1] == second.split()[-1]
    for person, file in ((first, first_file), (second, second_file)):
        rows = _mentions_of(demo, ids[file])
        johnsons = rows[rows["surface"].str.contains(person.split()[-1], regex=False)]
        assert len(johnsons) >= 2
        assert set(johnsons["entity"]) == {person}
    everywhere = demo.mentions[demo.mentions["surface"] == first.split()[-1]]
    assert set(everywhere["entity"]) == {first, second}


def test_demo_dominant_person_is_top(demo: tk.Corpus) -> None:
    people = demo.mentions[demo.mentions["label"] == "PERSON"]
    top = people["entity"].value_counts()
    assert top.index[0] == TRUTH["dominant_person"]


def test_demo_never_resolves_a_surname_across_articles() -> None:
    mentions = pd.DataFrame({"article_id": ["a", "a", "b"], "sentence": [0, 1, 0], "start": [0, 20, 0],
                             "end": [12, 27, 7], "surface": ["Mark Johnson", "Johnson", "Johnson"],
                             "label": ["PERSON"] * 3})
    assert list(normalise_mentions(mentions)["entity"]) == ["Mark Johnson", "Mark Johnson", "Johnson"]


def test_ambiguous_surname_in_one_article_is_left_alone() -> None:
    mentions = pd.DataFrame({"article_id": ["a"] * 3, "sentence": [0, 1, 2], "start": [0, 20, 40],
                             "end": [12, 33, 47], "surface": ["Mark Johnson", "Linda Johnson", "Johnson"],
                             "label": ["PERSON"] * 3})
    assert list(normalise_mentions(mentions)["entity"]) == ["Mark Johnson", "Linda Johnson", "Johnson"]


def test_acronym_defined_in_text_resolves_everywhere() -> None:
    text_a = "The Syrian Frontier Forces (SFF) advanced. The SFF said so."
    text_b = "Later the SFF withdrew."
    articles = pd.DataFrame({"article_id": ["a", "b"], "text": [text_a, text_b]})
    rows = [("a", 0, text_a.index("Syrian"), text_a.index(" (SFF)"), "ORG"),
            ("a", 1, text_a.index("SFF said"), text_a.index(" said"), "ORG"),
            ("b", 0, text_b.index("SFF"), text_b.index(" withdrew"), "ORG")]
    texts = {"a": text_a, "b": text_b}
    mentions = pd.DataFrame([(a, s, b, e, texts[a][b:e], lab) for a, s, b, e, lab in rows],
                            columns=["article_id", "sentence", "start", "end", "surface", "label"])
    assert set(normalise_mentions(mentions, articles)["entity"]) == {"Syrian Frontier Forces"}


def test_user_alias_file_extends_the_builtin_table(tmp_path: Path) -> None:
    path = tmp_path / "aliases.csv"
    path.write_text("alias,canonical,label\nBoukamal,Albu Kamal,GPE\n", encoding="utf-8")
    table = load_aliases(path)
    assert table.lookup("Boukamal") == "Albu Kamal"
    assert table.lookup("Daesh") == "Islamic State"  # built-ins still there
    assert table.lookup("us") is None  # acronyms match their exact spelling only
    bad = tmp_path / "bad.csv"
    bad.write_text("name,target\nx,y\n", encoding="utf-8")
    with pytest.raises(tk.InputError, match="alias,canonical"):
        load_aliases(bad)


# --------------------------------------------------------------------------- name keys


@pytest.mark.parametrize(("surface", "label", "expected"), [
    ("the United Nations", "ORG", "United Nations"),
    ("Britain's", "GPE", "Britain"),
    ("“Deir el-Zour”", "GPE", "Deir el-Zour"),
    ("Col. Thomas Whitaker", "PERSON", "Thomas Whitaker"),
    ("Prime Minister Tony Blair", "PERSON", "Tony Blair"),
    ("Mr Blair", "PERSON", "Blair"),
    ("the U.S.", "GPE", "U.S."),
    ("President", "PERSON", "President"),
])
def test_canonical_name(surface: str, label: str, expected: str) -> None:
    assert canonical_name(surface, label) == expected


def test_name_keys() -> None:
    assert name_key("Al-Qaim") == name_key("al Qaim") == name_key("Qaim") == name_key("Al Qā’im")
    assert name_key("BAGHDAD") == name_key("Baghdad")
    assert name_key("Raqqa") == name_key("Raqa")
    assert name_key("Iran") != name_key("Iraq")
    assert transliteration_key("Deir el-Zour") == transliteration_key("Deir ez-Zor")
    assert transliteration_key("Niger") != transliteration_key("Nigeria")
    assert strip_titles("Gen. Faisal Saleh") == "Faisal Saleh"


def test_capitals_fold_to_the_usual_spelling() -> None:
    mentions = pd.DataFrame({"article_id": ["a", "b", "c"], "sentence": [0, 0, 0], "start": [0, 0, 0],
                             "end": [7, 7, 7], "surface": ["BAGHDAD", "Baghdad", "Baghdad"],
                             "label": ["GPE"] * 3})
    assert set(normalise_mentions(mentions)["entity"]) == {"Baghdad"}


# --------------------------------------------------------------------------- merge suggestions


def test_suggest_merges_finds_acronyms_short_names_and_spellings(tmp_path: Path) -> None:
    rows = [("a", "Syrian Frontier Forces", "ORG"), ("b", "SFF", "ORG"), ("c", "Thomas Whitaker", "PERSON"),
            ("d", "Whitaker", "PERSON"), ("e", "Boukamal", "GPE"), ("f", "Bukamal", "GPE"),
            ("g", "Paris", "GPE"), ("h", "Paris Hilton", "PERSON")]
    mentions = pd.DataFrame([(a, 0, 0, len(s), s, lab, s) for a, s, lab in rows],
                            columns=["article_id", "sentence", "start", "end", "surface", "label", "entity"])
    merges = suggest_merges(mentions, min_count=1)
    pairs = {(r.entity_a, r.entity_b, r.reason) for r in merges.itertuples()}
    assert ("Syrian Frontier Forces", "SFF", "acronym") in pairs
    assert ("Thomas Whitaker", "Whitaker", "shared_tokens") in pairs
    assert any({a, b} == {"Boukamal", "Bukamal"} and r == "similar_spelling" for a, b, r in pairs)
    assert not any("Paris" in a and "Paris" in b for a, b, _ in pairs)  # a place and a person
    assert list(merges.columns[:4]) == ["entity_a", "entity_b", "reason", "score"]
    merges["accept"] = merges["reason"] != "similar_spelling"
    path = save_aliases(merges, tmp_path / "aliases.csv")
    table = load_aliases(path)
    assert table.lookup("SFF") == "Syrian Frontier Forces"
    assert table.lookup("Bukamal") is None


def test_suggest_merges_examples_are_sentences(demo: tk.Corpus) -> None:
    merges = suggest_merges(demo.mentions, demo.articles, min_count=1)
    assert len(merges)
    for row in merges.itertuples():
        assert row.entity_b in row.example_b or row.example_b
        assert "\n" not in row.example_a
    with pytest.raises(ValueError, match="threshold"):
        suggest_merges(demo.mentions, threshold=150)
