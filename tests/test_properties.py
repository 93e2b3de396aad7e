"""Property tests (hypothesis) on arbitrary unicode: loaders, cleaning, decoding, every extractor,
and the highlighted view.

Loaders never raise on any file content and their report always adds up; cleaning is idempotent;
every row of every table built by ``annotate`` from generated text (words, names, places, reporting
verbs, quotation marks, newlines, other scripts, arbitrary characters) has valid offsets:
``text[start:end] == surface``, spans inside the article and parts of a statement inside it.

The runs are deterministic (``derandomize=True``, no example database) and small enough for CI:
see ``MODEL_EXAMPLES`` and ``EXAMPLES``.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import toolkit as tk
from toolkit.clean import clean_text, normalise_newlines
from toolkit.corpus import article_id_for, load_articles
from toolkit.encoding import NotTextError, decode_bytes
from toolkit.language import detect_language

#: Examples per property: cheap ones, and those that run the spaCy model.
EXAMPLES = 80
MODEL_EXAMPLES = 50

CHEAP = settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])
MODEL = settings(max_examples=MODEL_EXAMPLES, derandomize=True, database=None, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

WORDS = ["Kofi Mensah", "Maria Lopez", "the minister", "officials", "a spokesman", "he", "she", "they", "it",
         "said", "told", "says", "added", "according to", "claimed", "Reuters", "AP", "AFP", "the BBC",
         "the United Nations", "the UN", "London", "Paris", "Mosul", "Deir el-Zour", "Syria", "Iraqi",
         "New York", "Washington", "the army", "was", "were", "the", "a", "of", "in", "and", "that", "on",
         "not", "We", "will", "stop", "Mr.", "Dr", "U.S.", "2017", "5", "%", "Москва", "сказал", "القاهرة",
         "قال", "東京", "言った", "서울", "🙂", "naïve", "Zürich", "São Paulo"]
PUNCTUATION = ['"', "“", "”", "'", "‘", "’", "«", "»", ",", ".", ":", ";", "—", "-", "(", ")", "[", "]", "?",
               "!", "…", "\n", "\n\n", "\t", "\u00a0", "\u200b", "\r\n", "<script>", "&amp;", "/"]
SEPARATORS = [" ", " ", " ", "", "\n", "  "]
token = st.one_of(st.sampled_from(WORDS), st.sampled_from(PUNCTUATION), st.text(max_size=6))
article_text = st.lists(st.tuples(token, st.sampled_from(SEPARATORS)), max_size=40).map(
    lambda parts: "".join(word + sep for word, sep in parts))
#: Any unicode, and text that looks like news: both for the loaders and cleaning.
any_text = st.one_of(st.text(max_size=300), article_text)

# --------------------------------------------------------------------------- loaders


def _load_quietly(source: Path) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_articles(source)


def _check_report(df: pd.DataFrame, inputs: int | None = None) -> None:
    report = df.attrs["load_report"]
    assert report.loaded + report.skipped + report.duplicates == report.inputs
    assert report.loaded == len(df)
    if inputs is not None:
        assert report.inputs == inputs
    for row in df.itertuples():
        assert row.text.strip(), "a loaded article has no text"
        assert row.article_id == article_id_for(row.text)
    assert df["article_id"].is_unique


@CHEAP
@given(data=st.one_of(st.binary(max_size=400), any_text.map(lambda t: t.encode("utf-8")),
                      any_text.map(lambda t: t.encode("utf-16"))),
       suffix=st.sampled_from([".txt", ".md", ".html", ".json"]))
def test_any_file_content_loads_without_raising(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"article{suffix}"
        path.write_bytes(data)
        df = _load_quietly(path)
    _check_report(df)
    assert df.attrs["load_report"].inputs >= 1


@CHEAP
@given(rows=st.lists(st.tuples(any_text, any_text), max_size=8))
def test_any_csv_rows_load_and_every_row_is_accounted_for(rows: list[tuple[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["title", "text"])
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
        df = _load_quietly(path)
    report = df.attrs["load_report"]
    _check_report(df)
    if any(r.reason.startswith("binary file") for r in report.records):
        return  # mostly control characters: the whole file is refused, and said so
    # csv.writer quotes every field that needs it, so no row is malformed and no row is lost
    assert not any("malformed" in r.reason for r in report.records)
    cleaned = [clean_text(normalise_newlines(text)).text for _, text in rows]
    assert sorted(df["text"]) == sorted({t for t in cleaned if t.strip()})


@CHEAP
@given(lines=st.lists(st.one_of(
    st.fixed_dictionaries({"text": any_text, "title": any_text}).map(json.dumps),
    st.fixed_dictionaries({"text": any_text, "published": st.text(max_size=20)}).map(json.dumps),
    st.text(max_size=40)), max_size=8))
def test_any_json_lines_load_without_raising(lines: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "feed.jsonl"
        path.write_text("\n".join(line.replace("\n", " ") for line in lines), encoding="utf-8")
        df = _load_quietly(path)
    _check_report(df)


@CHEAP
@given(text=st.text(max_size=200), raw=st.binary(max_size=200))
def test_a_csv_of_garbage_loads_without_raising(text: str, raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "a.csv").write_text("title,text\n" + text, encoding="utf-8")
        (Path(folder) / "b.csv").write_bytes(b"text\n" + raw)
        df = _load_quietly(Path(folder))
    _check_report(df)


# --------------------------------------------------------------------------- decoding and cleaning


@CHEAP
@given(data=st.binary(max_size=500))
def test_decoding_any_bytes_gives_text_or_says_why(data: bytes) -> None:
    try:
        decoded = decode_bytes(data)
    except NotTextError as exc:
        assert str(exc)
    else:
        assert isinstance(decoded.text, str) and decoded.encoding


@CHEAP
@given(text=st.text(max_size=300).filter(lambda t: not t.startswith("\ufeff")))
def test_utf8_text_decodes_to_itself(text: str) -> None:
    try:
        decoded = decode_bytes(text.encode("utf-8"))
    except NotTextError:
        return  # control characters: refused as binary, which is allowed
    assert decoded.text == text


@CHEAP
@given(text=any_text)
def test_cleaning_is_idempotent_and_normalised(text: str) -> None:
    once = clean_text(text).text
    assert clean_text(once).text == once
    assert "\r" not in once and "\n\n\n" not in once and once == once.strip()
    assert not any(ch in once for ch in "\u200b\u200c\u200d\u2060\ufeff\u00ad")
    assert all(line == line.strip() for line in once.split("\n"))


@CHEAP
@given(text=any_text)
def test_language_detection_never_raises(text: str) -> None:
    code = detect_language(text)
    assert isinstance(code, str) and 2 <= len(code) <= 3 and code.islower()


# --------------------------------------------------------------------------- every extractor


def _check_span(text: str, start: object, end: object, surface: object, where: str) -> tuple[int, int]:
    assert start is not None and not pd.isna(start) and end is not None and not pd.isna(end), where
    start, end = int(start), int(end)  # type: ignore[call-overload]
    assert 0 <= start < end <= len(text), (where, start, end, len(text))
    assert text[start:end] == surface, (where, text[start:end], surface)
    return start, end


@MODEL
@given(text=article_text)
def test_every_extractor_gives_valid_offsets_on_any_text(text: str) -> None:
    corpus = tk.annotate(pd.DataFrame({"text": [text]}), use_cache=False, progress=False)
    assert set(corpus.tables) == {"mentions", "places", "attributions"}
    for name in ("mentions", "places"):
        table = corpus.tables[name]
        for row in table.itertuples():
            _check_span(text, row.start, row.end, row.surface, f"{name} {row.label}")
            assert row.sentence >= 0 and row.label
    places = corpus.places
    assert places["lat"].dropna().between(-90, 90).all() and places["lon"].dropna().between(-180, 180).all()
    attributions = corpus.attributions
    for row in attributions.to_dict("records"):
        start, end = _check_span(text, row["start"], row["end"], text[int(row["start"]):int(row["end"])],
                                 "statement")
        assert row["kind"] and row["source_type"], row
        assert row["cue"] is not None and not pd.isna(row["cue"]), row
        for part in ("cue", "source", "content"):
            value = row[part]
            if value is None or pd.isna(value):
                assert pd.isna(row[f"{part}_start"]) and pd.isna(row[f"{part}_end"]), (part, row)
                continue
            low, high = _check_span(text, row[f"{part}_start"], row[f"{part}_end"], value, part)
            assert start <= low and high <= end, (part, row)
        antecedent = row["antecedent"]
        if antecedent is not None and not pd.isna(antecedent):
            _check_span(text, row["antecedent_start"], row["antecedent_end"], antecedent, "antecedent")


# --------------------------------------------------------------------------- the highlighted view


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.text = ""
        self.depth = 0
        self.body: int | None = None
        self.badge = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes |= {name for name, _ in attrs}
        self.depth += 1
        style = dict(attrs).get("style") or ""
        if tag == "div" and "pre-wrap" in style:
            self.body = self.depth
        if tag == "span" and self.body:
            self.badge += 1

    def handle_endtag(self, tag: str) -> None:
        if self.body == self.depth:
            self.body = None
        if tag == "span" and self.badge:
            self.badge -= 1
        self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.body and not self.badge:
            self.text += data


HOSTILE = st.one_of(st.sampled_from(['<script>alert(1)</script>', '"><img src=x onerror=alert(2)>',
                                     "' onmouseover='alert(3)", "</mark></div><b>", "&lt;", "&amp;amp;"]),
                    st.text(alphabet=st.sampled_from('<>&"\'=/ abc'), max_size=12), st.text(max_size=8))


@CHEAP
@given(text=st.lists(st.one_of(HOSTILE, st.sampled_from(WORDS)), min_size=1, max_size=12).map(" ".join),
       title=HOSTILE, outlet=HOSTILE, values=st.lists(HOSTILE, min_size=5, max_size=5),
       cuts=st.lists(st.integers(min_value=0, max_value=10_000), min_size=6, max_size=6))
def test_highlighted_view_escapes_everything(text: str, title: str, outlet: str, values: list[str],
                                             cuts: list[int]) -> None:
    n = len(text)
    (s0, s1), (c0, c1), (t0, t1) = (sorted(c % (n + 1) for c in cuts[i:i + 2]) for i in (0, 2, 4))
    kind, source_entity, source_type, cue_word, extra = values
    row = {"article_id": "x", "kind": kind, "cue": cue_word, "cue_start": c0, "cue_end": c1,
           "source": text[s0:s1], "source_start": s0, "source_end": s1, "source_entity": source_entity,
           "source_type": source_type, "content": text[t0:t1], "content_start": t0, "content_end": t1,
           "start": min(s0, c0, t0), "end": max(s1, c1, t1), "antecedent": extra}
    articles = pd.DataFrame({"article_id": ["x"], "title": [title], "outlet": [outlet], "text": [text],
                             "published": pd.to_datetime(["2020-01-02"], utc=True)})
    view = tk.highlight_attributions("x", articles, pd.DataFrame([row]))
    parsed = _Markup()
    parsed.feed(view.html)
    parsed.close()
    assert parsed.tags <= {"div", "span", "mark"}
    assert parsed.attributes <= {"style", "title", "class"}
    assert parsed.depth == 0  # every tag closed
    bare = tk.highlight_attributions("x", articles, pd.DataFrame([row]), labels=False, legend=False)
    body = _Markup()
    body.feed(bare.html)
    body.close()
    assert body.text == text  # the article, every character once, as text
