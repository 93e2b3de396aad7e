"""Drill-down: tk.show (one article, every layer highlighted, escaped, well-formed) and tk.examples
(the sentences behind a count), on a dozen sample articles plus one hostile article, annotated once."""

from __future__ import annotations

import dataclasses
import doctest
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

import toolkit as tk
from toolkit import drilldown, highlight
from toolkit.drilldown import EXAMPLE_COLUMNS
from toolkit.errors import InputError

HOSTILE_TITLE = '<script>alert("title")</script> "><svg onload=alert(1)> Raqqa'
HOSTILE_TEXT = ('Karim Haddad said on Monday that <img src=x onerror=alert(2)> the army had reached '
                'Raqqa.\n\n'
                '"><svg onload=alert(3)> "We will not stop," Haddad told reporters in Baghdad.\n\n'
                '<script>alert(4)</script> Officials in Damascus said the road to Aleppo was open.')
HOSTILE_ENTITY = '"><svg onload=alert(5)><script>alert(6)</script>'


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> tk.Corpus:
    articles = tk.load_articles(data_dir)
    articles = articles[articles["outlet"].notna()].sort_values("path").head(12)
    hostile = pd.DataFrame({"article_id": ["hostile"], "title": [HOSTILE_TITLE], "text": [HOSTILE_TEXT],
                            "outlet": ["<i>Post</i>"], "published": pd.to_datetime(["2017-09-30"], utc=True)})
    both = pd.concat([articles, hostile], ignore_index=True)
    return tk.annotate(both, cache_dir=tmp_path_factory.mktemp("drilldown"), progress=False)


@pytest.fixture(scope="module")
def data_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "articles"


class _Markup(HTMLParser):
    """Tags, attributes, and the article body with the position and title of every mark in it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: set[str] = set()
        self.stack: list[str] = []
        self.marks: list[dict[str, object]] = []
        self.body_depth: int | None = None
        self.body = ""
        self.in_badge = 0
        self.legend = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes |= {name for name, _ in attrs}
        self.stack.append(tag)
        values = dict(attrs)
        if tag == "div" and "pre-wrap" in (values.get("style") or ""):
            self.body_depth = len(self.stack)
        if tag == "mark" and self.body_depth:
            self.marks.append({"class": values.get("class") or "", "title": values.get("title") or "",
                               "start": len(self.body), "text": ""})
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
        elif not self.body_depth and "mark" in self.stack:
            self.legend += data + "|"


def _parse(markup: str) -> _Markup:
    parser = _Markup()
    parser.feed(markup)
    parser.close()
    assert not parser.stack, f"unclosed tags {parser.stack}"
    return parser


def _covering(parsed: _Markup, start: int, end: int) -> list[dict[str, object]]:
    """The marks drawn over text[start:end]."""
    return [m for m in parsed.marks if m["start"] < end and m["start"] + len(m["text"]) > start]


def _busiest(corpus: tk.Corpus) -> str:
    """The sample article with the most attributed statements."""
    sample = corpus.attributions[corpus.attributions["article_id"] != "hostile"]
    counts = sample["article_id"].value_counts().sort_index()
    return counts.sort_values(ascending=False, kind="stable").index[0]


# ---------------------------------------------------------------------------------------------
# show
# ---------------------------------------------------------------------------------------------

def test_show_draws_every_layer_with_a_legend(corpus: tk.Corpus) -> None:
    article_id = _busiest(corpus)
    view = tk.show(article_id, corpus)
    assert view._repr_html_() == view.html
    parsed = _parse(view.html)
    classes = {c for m in parsed.marks for c in str(m["class"]).split()}
    assert classes == {"tk-entity", "tk-place", "tk-source", "tk-cue", "tk-content"}
    for name in ("entity", "place", "source", "cue", "quoted content", "reported content"):
        assert f"{name}|" in parsed.legend
    # Different colours per layer: the background of each layer's marks differs.
    backgrounds = {}
    for layer in ("entity", "place", "source", "cue"):
        at = view.html.index(f'class="tk-{layer}')
        style = view.html[at:view.html.index(">", at)]
        backgrounds[layer] = style[style.index("background:"):].split(";")[0]
    assert len(set(backgrounds.values())) == 4

    only = _parse(tk.show(article_id, corpus, layers=["places"], legend=True).html)
    assert {c for m in only.marks for c in str(m["class"]).split()} == {"tk-place"}
    assert "place|" in only.legend and "entity|" not in only.legend and "cue|" not in only.legend
    assert "hover over a highlight" in tk.show(article_id, corpus).html
    assert "hover over a highlight" not in tk.show(article_id, corpus, legend=False).html


def test_show_keeps_the_text_and_hovers_say_what_each_span_resolved_to(corpus: tk.Corpus) -> None:
    article_id = _busiest(corpus)
    text = corpus.articles.set_index("article_id").loc[article_id, "text"]
    parsed = _parse(tk.show(article_id, corpus, labels=False).html)
    assert parsed.body == text                                   # every character, once, in order
    mentions = corpus.mentions[corpus.mentions["article_id"] == article_id]
    assert len(mentions) > 3
    for row in mentions.itertuples():
        marks = _covering(parsed, row.start, row.end)
        assert marks and all(f"entity: {row.entity} · {row.label}" in str(m["title"]) for m in marks)
    places = corpus.places[(corpus.places["article_id"] == article_id) & corpus.places["place_id"].notna()]
    assert len(places) > 1
    for row in places.itertuples():
        marks = _covering(parsed, row.start, row.end)
        assert marks and all(f"place: {row.place_name} ({row.feature})" in str(m["title"]) for m in marks)
    statements = corpus.attributions[corpus.attributions["article_id"] == article_id]
    for row in statements.dropna(subset=["source_entity", "source_start"]).itertuples():
        marks = _covering(parsed, int(row.source_start), int(row.source_end))
        assert marks and all(row.source_entity in str(m["title"]) and "source of statement" in str(m["title"])
                             for m in marks)
    # Where an entity sits inside a statement's content, its mark carries both.
    assert any("tk-entity" in str(m["class"]) and "tk-content" in str(m["class"])
               and "content of statement" in str(m["title"]) and "entity: " in str(m["title"])
               for m in parsed.marks)


def test_show_accepts_a_row_and_saves_a_page(corpus: tk.Corpus, tmp_path: Path) -> None:
    row = corpus.mentions.iloc[5]
    assert tk.show(row, corpus).html == tk.show(row["article_id"], corpus).html
    assert tk.show(corpus.mentions.iloc[[5]], corpus).html == tk.show(row["article_id"], corpus).html
    page = tk.show(row["article_id"], corpus).save(tmp_path / "article.html")
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_show_renders_hostile_text_titles_and_names_inert(corpus: tk.Corpus, tmp_path: Path) -> None:
    mentions = corpus.mentions.copy()
    hostile = mentions.index[mentions["article_id"] == "hostile"]
    assert len(hostile) >= 3                                  # Karim Haddad, Raqqa, Baghdad …
    mentions.loc[hostile[0], "entity"] = HOSTILE_ENTITY
    tampered = dataclasses.replace(corpus, tables={**corpus.tables, "mentions": mentions})
    view = tk.show("hostile", tampered)
    markup = view.html.lower()
    for tag in ("<script", "<img", "<svg", "<i>", "<b"):
        assert tag not in markup
    parsed = _parse(view.html)
    assert set(parsed.tags) <= {"div", "span", "mark"}
    assert parsed.attributes <= {"style", "title", "class"}
    assert _parse(tk.show("hostile", tampered, labels=False).html).body == HOSTILE_TEXT
    assert any(HOSTILE_ENTITY in str(m["title"]) for m in parsed.marks)       # shown as text, in a tooltip
    assert "&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;" in view.html   # the title, escaped
    assert "&lt;svg onload=alert(1)&gt;" in view.html and "&lt;i&gt;Post&lt;/i&gt;" in view.html
    saved = view.save(tmp_path / "hostile.html").read_text(encoding="utf-8")
    assert "<script" not in saved.lower() and "<svg" not in saved.lower()


def test_show_leaves_out_layers_the_corpus_lacks(corpus: tk.Corpus) -> None:
    only_mentions = dataclasses.replace(corpus, tables={"mentions": corpus.mentions})
    parsed = _parse(tk.show(_busiest(corpus), only_mentions).html)
    assert {c for m in parsed.marks for c in str(m["class"]).split()} == {"tk-entity"}
    assert "entity|" in parsed.legend and "place|" not in parsed.legend and "source|" not in parsed.legend
    with pytest.raises(InputError, match=r"no places table"):
        tk.examples({"place_name": "Raqqa"}, only_mentions)
    with pytest.raises(InputError, match=r"no attributions table"):
        tk.examples({"source_type": "anonymous"}, only_mentions)


def test_show_errors(corpus: tk.Corpus) -> None:
    with pytest.raises(InputError, match=r"show\(\): article_id 'nope' is not in the corpus"):
        tk.show("nope", corpus)
    with pytest.raises(InputError, match=r"layers must name some of"):
        tk.show("hostile", corpus, layers=["entities", "people"])
    with pytest.raises(InputError, match=r"corpus must be the Corpus"):
        tk.show("hostile", corpus.articles)
    with pytest.raises(InputError, match=r"expected an article_id"):
        tk.show(3, corpus)
    with pytest.raises(InputError, match=r"one-row table"):
        tk.show(corpus.mentions.head(2), corpus)


# ---------------------------------------------------------------------------------------------
# examples
# ---------------------------------------------------------------------------------------------

def _check_sentences(table: pd.DataFrame, corpus: tk.Corpus) -> None:
    assert tuple(table.columns) == EXAMPLE_COLUMNS
    texts = corpus.articles.set_index("article_id")["text"]
    for row in table.itertuples():
        assert row.sentence[row.start:row.end] == row.surface
        assert row.sentence in texts[row.article_id]
        assert row.sentence == row.sentence.strip() and row.start >= 0


def test_examples_of_each_kind_of_count_row(corpus: tk.Corpus) -> None:
    articles = corpus.articles
    entity = tk.entity_counts(corpus.mentions, articles).iloc[0]
    lines = tk.examples(entity, corpus, n=4)
    _check_sentences(lines, corpus)
    assert len(lines) == 4 and lines.attrs["matches"] == entity["mentions"]
    assert lines["article_id"].nunique() == min(4, entity["articles"])      # one per article first
    surfaces = set(corpus.mentions.loc[corpus.mentions["entity"] == entity["entity"], "surface"])
    assert set(lines["surface"]) <= surfaces

    place = tk.place_counts(corpus.places, articles).iloc[0]
    lines = tk.examples(place, corpus, n=None)
    _check_sentences(lines, corpus)
    assert len(lines) == lines.attrs["matches"] == place["mentions"]

    country = tk.country_counts(corpus.places, articles).iloc[0]
    lines = tk.examples(country.to_frame().T, corpus, n=None)          # a one-row DataFrame works too
    _check_sentences(lines, corpus)
    assert len(lines) == country["mentions"]
    in_country = corpus.places[corpus.places["country_code"] == country["country_code"]]
    assert set(lines["surface"]) == set(in_country["surface"])

    source = tk.source_counts(corpus.attributions, articles).iloc[0]
    lines = tk.examples(source, corpus, n=3)
    _check_sentences(lines, corpus)
    assert lines.attrs["matches"] == source["statements"]
    statements = corpus.attributions[corpus.attributions["source_entity"] == source["source_entity"]]
    texts = articles.set_index("article_id")["text"]
    wanted = {texts[a][s:e] for a, s, e in zip(statements["article_id"], statements["start"],
                                                statements["end"], strict=True)}
    assert set(lines["surface"]) <= wanted


def test_examples_keep_to_the_group_of_the_row(corpus: tk.Corpus) -> None:
    by_outlet = tk.entity_counts(corpus.mentions, corpus.articles, by="outlet")
    row = by_outlet[by_outlet["mentions"] > 1].iloc[-1]
    lines = tk.examples(row, corpus, n=None)
    assert len(lines) == row["mentions"] and set(lines["outlet"]) == {row["outlet"]}
    _check_sentences(lines, corpus)

    by_period = tk.place_counts(corpus.places, corpus.articles, by="period")
    row = by_period.iloc[0]
    lines = tk.examples(row, corpus, n=None)
    assert len(lines) == row["mentions"]
    assert (lines["published"].dt.tz_convert(None).dt.to_period("M").dt.start_time == row["period"]).all()

    sources = tk.source_counts(corpus.attributions, corpus.articles, by="outlet")
    row = sources.iloc[0]
    assert len(tk.examples(row, corpus, n=None)) == row["statements"]
    by_kind = tk.source_counts(corpus.attributions, corpus.articles, by="kind")
    for row in (by_kind.iloc[0], by_kind.iloc[-1]):
        assert len(tk.examples(row, corpus, n=None)) == row["statements"]


def test_examples_from_a_filter(corpus: tk.Corpus) -> None:
    top = tk.entity_counts(corpus.mentions, corpus.articles).iloc[0]
    outlets = corpus.articles["outlet"].dropna().unique()
    counts = {outlet: tk.examples({"entity": top["entity"], "outlet": outlet}, corpus, n=None)
              for outlet in outlets}
    assert sum(len(t) for t in counts.values()) == top["mentions"]        # every article has an outlet
    for outlet, table in counts.items():
        assert set(table["outlet"]) <= {outlet}
    anonymous = tk.examples({"source_type": "anonymous"}, corpus, n=None)
    wanted = corpus.attributions["source_type"].eq("anonymous") & corpus.attributions["kind"].isin(
        tk.SPEECH_KINDS)
    assert len(anonymous) == int(wanted.sum()) > 0
    indirect = tk.examples({"source_type": "anonymous", "kind": "indirect"}, corpus, n=None)
    assert len(indirect) == int((wanted & corpus.attributions["kind"].eq("indirect")).sum())
    country = corpus.places["country_code"].dropna().iloc[0]
    named = tk.examples({"country_code": country, "label": "GPE"}, corpus, n=None)
    wanted = (corpus.places["country_code"] == country) & (corpus.places["label"] == "GPE")
    assert len(named) == int(wanted.sum()) > 0


def test_examples_from_evidence_rows(corpus: tk.Corpus) -> None:
    rows = corpus.places[corpus.places["article_id"] != "hostile"].head(3)
    lines = tk.examples(rows, corpus)
    _check_sentences(lines, corpus)
    assert lines["surface"].tolist() == rows["surface"].tolist()
    single = tk.examples(corpus.attributions.iloc[0], corpus)
    assert len(single) == 1 and single["surface"].iloc[0] in single["sentence"].iloc[0]


def test_examples_of_nothing_is_an_empty_table(corpus: tk.Corpus) -> None:
    empty = tk.examples({"entity": "Nobody In Particular"}, corpus)
    assert empty.empty and tuple(empty.columns) == EXAMPLE_COLUMNS and empty.attrs["matches"] == 0
    assert tk.examples({"source_entity": "Nobody"}, corpus).empty
    assert tk.examples({"entity": "Islamic State", "outlet": "No Such Outlet"}, corpus).empty


def test_examples_bad_input(corpus: tk.Corpus) -> None:
    counts = tk.entity_counts(corpus.mentions, corpus.articles)
    with pytest.raises(InputError, match=r"one row at a time"):
        tk.examples(counts.head(3), corpus)
    with pytest.raises(InputError, match=r"expected a row of entity_counts"):
        tk.examples(["Haddad"], corpus)
    with pytest.raises(InputError, match=r"unknown filter key\(s\) 'person'"):
        tk.examples({"person": "Haddad"}, corpus)
    with pytest.raises(InputError, match=r"keys of one table"):
        tk.examples({"entity": "Haddad", "source_entity": "Karim Haddad"}, corpus)
    with pytest.raises(InputError, match=r"keys of one table"):
        tk.examples({"entity": "Haddad", "kind": "direct"}, corpus)
    with pytest.raises(InputError, match=r"keys of one table"):
        tk.examples({"label": "PERSON"}, corpus)
    with pytest.raises(InputError, match=r"the row has none of the columns"):
        tk.examples(pd.Series({"outlet": "Meridian Post", "mentions": 3}), corpus)
    with pytest.raises(InputError, match=r"n must be"):
        tk.examples(counts.iloc[0], corpus, n=0)
    with pytest.raises(InputError, match=r"place_id must be a GeoNames id"):
        tk.examples({"place_id": "Raqqa"}, corpus)
    with pytest.raises(InputError, match=r"corpus must be the Corpus"):
        tk.examples(counts.iloc[0], corpus.mentions)


def test_show_examples_marks_the_spans(corpus: tk.Corpus) -> None:
    lines = tk.examples(tk.entity_counts(corpus.mentions, corpus.articles).iloc[0], corpus, n=3)
    view = tk.show_examples(lines)
    parsed = _parse(view.html)
    assert _MarkText.of(view.html) == lines["surface"].tolist()
    assert f"3 of {lines.attrs['matches']} matches" in view.html
    assert set(parsed.tags) <= {"div", "ol", "li", "mark"}
    with pytest.raises(InputError, match=r"show_examples"):
        tk.show_examples(corpus.mentions[["article_id"]])


def test_docstring_examples() -> None:
    for module in (drilldown, highlight):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.attempted >= 3 and result.failed == 0, module.__name__


class _MarkText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.inside = False

    @classmethod
    def of(cls, markup: str) -> list[str]:
        parser = cls()
        parser.feed(markup)
        return parser.texts

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "mark":
            self.inside = True
            self.texts.append("")

    def handle_endtag(self, tag: str) -> None:
        self.inside = self.inside and tag != "mark"

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.texts[-1] += data
