"""The bad-input matrix: one test per kind of damaged or unusual input, each with its exact outcome.

Every case checks that loading does not raise, that the LoadReport has an entry naming the file
(and the row or line inside it) with the status and reason, and that
``loaded + skipped + duplicates == inputs``.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import pandas as pd
import pytest

import toolkit as tk
from toolkit.annotation import split_long_text, stream_docs
from toolkit.corpus import LONG_TEXT, LoadReport, load_articles
from toolkit.errors import LoadWarning, ToolkitWarning

FRENCH = ("Le gouvernement a annoncé mardi une nouvelle réforme des retraites, qui sera présentée au "
          "Parlement le mois prochain. Les syndicats ont appelé à la grève dans tout le pays, et le "
          "ministre a dit que le texte ne serait pas modifié.")
ENGLISH = ("The British government announced a new pension reform in London on Tuesday, which Prime "
           "Minister Keir Starmer will present to parliament next month. Unions called for a strike.")


def _load(source: object, **kwargs: object) -> tuple[pd.DataFrame, LoadReport, list[str]]:
    """Load; return the table, its report (checked to add up) and the LoadWarning messages."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = load_articles(source, **kwargs)
    report = df.attrs["load_report"]
    assert report.loaded + report.skipped + report.duplicates == report.inputs
    assert report.loaded == len(df)
    return df, report, [str(w.message) for w in caught if issubclass(w.category, LoadWarning)]


def _records(report: LoadReport) -> list[tuple[str, str, str, str]]:
    """``(file name, item, status, reason)`` per input."""
    return [(Path(r.path).name, r.item, r.status, r.reason) for r in report.records]


def _write(path: Path, data: str | bytes, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def _write_jsonl(path: Path, records: list[dict[str, str]]) -> Path:
    return _write(path, "\n".join(json.dumps(record) for record in records) + "\n")


# --------------------------------------------------------------------------- empty and binary files


def test_empty_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "empty.txt", b"")
    df, report, warned = _load(path)
    assert _records(report) == [("empty.txt", "", "skipped", "empty file")]
    assert warned[0] == f"{path}: skipped: empty file"
    assert len(df) == 0


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("blank.txt", " \n\t\n\u00a0 \r\n", "no text (whitespace only)"),
    ("headline.txt", "Just a headline\n\n  \n", "title only: no body after the first line"),
], ids=["whitespace-only", "title-only"])
def test_file_without_a_body_is_skipped(tmp_path: Path, name: str, content: str, reason: str) -> None:
    path = _write(tmp_path / name, content)
    _df, report, warned = _load(path)
    assert _records(report) == [(name, "", "skipped", reason)]
    assert f"{path}: skipped: {reason}" in warned


def test_binary_file_with_a_text_extension(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256))
    path = _write(tmp_path / "photo.txt", png)
    df, report, warned = _load(path)
    assert _records(report) == [("photo.txt", "", "skipped", "binary file (contains NUL bytes)")]
    assert len(df) == 0
    assert any(m.startswith(f"{path}: skipped: binary") for m in warned)


def test_binary_file_without_nul_bytes(tmp_path: Path) -> None:
    noise = bytes((i * 37 + 11) % 31 + 1 for i in range(2000))  # control characters, no NUL
    path = _write(tmp_path / "noise.txt", noise)
    _, report, _ = _load(path)
    assert _records(report) == [("noise.txt", "", "skipped", "binary file (control characters)")]


# --------------------------------------------------------------------------- encodings


def test_latin1_file(tmp_path: Path) -> None:
    text = "Café title\n\nThe café in Zürich charges £5 à la carte.\n"
    path = _write(tmp_path / "latin1.txt", text, "latin-1")
    df, report, _ = _load(path)
    assert _records(report) == [("latin1.txt", "", "loaded", "not UTF-8: decoded as cp1252")]
    assert df["text"].iloc[0] == "Café title\n\nThe café in Zürich charges £5 à la carte."
    assert df["title"].iloc[0] == "Café title"


def test_cp1252_file(tmp_path: Path) -> None:
    text = "Quote title\n\n\u201cWe won\u2019t stop,\u201d she said \u2013 it costs \u20ac5\u2026\n"
    path = _write(tmp_path / "cp1252.txt", text, "cp1252")
    df, report, _ = _load(path)
    assert _records(report) == [("cp1252.txt", "", "loaded", "not UTF-8: decoded as cp1252")]
    assert df["text"].iloc[0] == text.strip()


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_file_with_bom(tmp_path: Path, codec: str) -> None:
    text = "Überschrift title\n\nThe body of a UTF-16 file, with «quotes» and 東京.\n"
    path = _write(tmp_path / "utf16.txt", "\ufeff".encode(codec) + text.encode(codec))
    df, report, _ = _load(path)
    assert _records(report) == [("utf16.txt", "", "loaded", "")]
    assert df["text"].iloc[0] == text.strip()
    assert not df["text"].iloc[0].startswith("\ufeff")


def test_mixed_encodings_in_one_file(tmp_path: Path) -> None:
    data = ("Mixed title\n\nThis line is UTF-8: café.\n".encode()
            + "This one is cp1252: naïve \u2013 ok.\n".encode("cp1252"))
    path = _write(tmp_path / "mixed.txt", data)
    df, report, _ = _load(path)
    assert _records(report) == [("mixed.txt", "", "loaded",
                                 "mixed encodings: lines that are not UTF-8 decoded as cp1252")]
    assert df["text"].iloc[0] == ("Mixed title\n\nThis line is UTF-8: café.\n"
                                  "This one is cp1252: naïve \u2013 ok.")


def test_mixed_encodings_in_a_csv_are_noted_per_row(tmp_path: Path) -> None:
    data = "title,text\nA,Caf\u00e9 one.\n".encode() + "B,Caf\u00e9 two.\n".encode("cp1252")
    path = _write(tmp_path / "mixed.csv", data)
    df, report, _ = _load(path)
    note = "mixed encodings: lines that are not UTF-8 decoded as cp1252"
    assert _records(report) == [("mixed.csv", "line 2", "loaded", note),
                                ("mixed.csv", "line 3", "loaded", note)]
    assert df["text"].tolist() == ["Café one.", "Café two."]


# --------------------------------------------------------------------------- line endings and shape


@pytest.mark.parametrize(("name", "newline"), [("crlf", "\r\n"), ("cr", "\r")])
def test_line_endings(tmp_path: Path, name: str, newline: str) -> None:
    raw = newline.join(["Storm title", "", "First paragraph.", "Second line.", ""])
    path = _write(tmp_path / f"{name}.txt", raw)
    df, report, _ = _load(path)
    assert _records(report) == [(f"{name}.txt", "", "loaded", "")]
    assert df["text"].iloc[0] == "Storm title\n\nFirst paragraph.\nSecond line."
    assert df["title"].iloc[0] == "Storm title"
    verbatim, _, _ = _load(path, clean=False)
    assert verbatim["text"].iloc[0] == raw  # clean=False keeps the bytes' text exactly
    assert verbatim["title"].iloc[0] == "Storm title"


def test_one_long_line_is_text_without_a_title(tmp_path: Path) -> None:
    """Decision: a file whose first line is longer than a title can be is loaded as text, untitled."""
    line = "The minister said on Tuesday that the budget would rise by four percent next year. " * 8
    path = _write(tmp_path / "oneline.txt", line)
    df, report, _ = _load(path)
    note = f"first line has {len(line.strip()):,} characters, too long for a title: loaded without a title"
    assert _records(report) == [("oneline.txt", "", "loaded", note)]
    assert df["text"].iloc[0] == line.strip() and pd.isna(df["title"].iloc[0])


def test_five_megabyte_article(tmp_path: Path) -> None:
    paragraph = ("The minister said on Tuesday that the budget would rise by four percent next year, "
                 "officials in London confirmed. ") * 5
    body = "\n\n".join([paragraph.strip()] * (5_000_000 // len(paragraph) + 1))
    path = _write(tmp_path / "huge.txt", "A very long page\n\n" + body + "\n")
    assert path.stat().st_size > 5_000_000
    df, report, warned = _load(path)
    text = df["text"].iloc[0]
    assert _records(report) == [("huge.txt", "", "loaded",
                                 f"very long text ({len(text):,} characters): annotated in pieces")]
    assert len(text) > LONG_TEXT
    assert df["language"].iloc[0] == "en"
    assert any("very long text" in m and str(path) in m for m in warned)
    # The annotation splits it into pieces the model accepts and joins them back exactly.
    import spacy

    nlp = spacy.blank("en")
    pieces = split_long_text(text, nlp.max_length)
    assert len(pieces) >= 5 and "".join(pieces) == text
    assert all(len(p) <= nlp.max_length for p in pieces)
    ((key, doc),) = list(stream_docs([("k", text)], nlp))
    assert key == "k" and doc.text == text


# --------------------------------------------------------------------------- HTML


def test_html_page_that_is_all_navigation(tmp_path: Path) -> None:
    page = ("<html><head><title>Daily Site</title></head><body><header><a href='/'>Logo</a></header>"
            "<nav><ul><li><a href='/world'>World news today</a></li><li><a href='/biz'>Business and "
            "markets</a></li><li><a href='/culture'>Culture and arts</a></li></ul></nav>"
            "<ul><li><a href='/x'>Read our latest coverage of the elections.</a></li>"
            "<li><a href='/y'>Subscribe to the newsletter for all the updates.</a></li></ul>"
            "<footer>Contact us | Privacy | Terms</footer></body></html>")
    path = _write(tmp_path / "nav.html", page)
    _df, report, warned = _load(path)
    assert _records(report) == [("nav.html", "", "skipped",
                                 "no article text found in the HTML: only navigation, links or short lines")]
    assert any(m.startswith(f"{path}: skipped: no article text") for m in warned)


def test_html_article_with_navigation_still_loads(tmp_path: Path) -> None:
    page = ("<html><head><title>Budget</title></head><body><nav><a href='/'>Home</a> <a href='/n'>News</a>"
            "</nav><article><h1>Budget rises</h1><p>The minister said on Tuesday that the budget would "
            "rise by four percent next year.</p><p>Officials in London confirmed the plan.</p></article>"
            "</body></html>")
    path = _write(tmp_path / "story.html", page)
    df, report, _ = _load(path)
    assert [r[2] for r in _records(report)] == ["loaded"]
    assert "budget would rise by four percent" in df["text"].iloc[0]
    assert "Home" not in df["text"].iloc[0]


def test_html_empty_page(tmp_path: Path) -> None:
    path = _write(tmp_path / "blank.html", "<html><body></body></html>")
    _, report, _ = _load(path)
    assert _records(report) == [("blank.html", "", "skipped",
                                 "no article text found in the HTML (navigation or empty page)")]


# --------------------------------------------------------------------------- CSV


def test_csv_without_a_text_column(tmp_path: Path) -> None:
    path = _write(tmp_path / "meta.csv", "title,outlet\nA,Herald\nB,Times\n")
    df, report, warned = _load(path)
    assert _records(report) == [("meta.csv", "", "skipped",
                                 "no text column found among 'title', 'outlet'; pass text_column=")]
    assert len(df) == 0
    assert any(m.startswith(f"{path}: skipped: no text column") for m in warned)


def test_csv_with_embedded_newlines(tmp_path: Path) -> None:
    path = _write(tmp_path / "multi.csv",
                  'title,text\nA,"First paragraph.\n\nSecond paragraph."\nB,"He said ""no"".\nThen left."\n')
    df, report, _ = _load(path)
    assert _records(report) == [("multi.csv", "line 2", "loaded", ""), ("multi.csv", "line 5", "loaded", "")]
    assert df["text"].tolist() == ["First paragraph.\n\nSecond paragraph.", 'He said "no".\nThen left.']


def test_csv_row_with_too_many_fields(tmp_path: Path) -> None:
    path = _write(tmp_path / "extra.csv", "title,text\nA,Body one.\nB,Body two.,stray\nC,Body three.\n")
    _df, report, warned = _load(path)
    assert _records(report) == [
        ("extra.csv", "line 2", "loaded", ""),
        ("extra.csv", "line 3", "skipped", "malformed CSV row: 3 fields, the header has 2"),
        ("extra.csv", "line 4", "loaded", ""),
    ]
    assert f"{path}, line 3: skipped: malformed CSV row: 3 fields, the header has 2" in warned


def test_csv_quote_never_closed_costs_one_row(tmp_path: Path) -> None:
    path = _write(tmp_path / "quote.csv",
                  'title,text\nA,Body one.\nB,"Body two never closes\nC,Body three.\nD,"Body ""four""."\n')
    df, report, _ = _load(path)
    assert _records(report) == [
        ("quote.csv", "line 2", "loaded", ""),
        ("quote.csv", "line 3", "skipped", "malformed CSV row: a quotation mark on line 3 is never closed; "
                                           "the line is skipped and reading goes on from line 4"),
        ("quote.csv", "line 4", "loaded", ""),
        ("quote.csv", "line 5", "loaded", ""),
    ]
    assert df["text"].tolist() == ["Body one.", "Body three.", 'Body "four".']


# --------------------------------------------------------------------------- JSON Lines


def test_jsonl_with_invalid_lines(tmp_path: Path) -> None:
    lines = [json.dumps({"title": "A", "text": "Body one."}), "{not json", "",
             json.dumps(["a", "list"]), json.dumps({"title": "B", "text": "Body two."}),
             '{"title": "C", "text": "cut off']
    path = _write(tmp_path / "feed.jsonl", "\n".join(lines) + "\n")
    df, report, warned = _load(path)
    got = _records(report)
    assert [(name, item, status) for name, item, status, _ in got] == [
        ("feed.jsonl", "line 1", "loaded"),
        ("feed.jsonl", "line 2", "skipped"),
        ("feed.jsonl", "line 4", "skipped"),
        ("feed.jsonl", "line 5", "loaded"),
        ("feed.jsonl", "line 6", "skipped"),
    ]
    assert got[1][3].startswith("invalid JSON: ")
    assert got[2][3] == "expected a JSON object, got list"
    assert got[4][3] == "invalid JSON: Unterminated string starting at"
    assert df["text"].tolist() == ["Body one.", "Body two."]
    assert f"{path}, line 2: skipped: {got[1][3]}" in warned


# --------------------------------------------------------------------------- duplicates


def test_duplicate_ids_with_different_text(tmp_path: Path) -> None:
    lines = [{"id": "n-1", "text": "First version of the story."},
             {"id": "n-1", "text": "Second, corrected version of the story."},
             {"id": "n-2", "text": "First version of the story."}]
    path = _write_jsonl(tmp_path / "ids.jsonl", lines)
    df, report, warned = _load(path)
    note = f"input id 'n-1' also used by {path} line 1 (different text); both kept"
    assert _records(report) == [
        ("ids.jsonl", "line 1", "loaded", ""),
        ("ids.jsonl", "line 2", "loaded", note),
        ("ids.jsonl", "line 3", "duplicate", f"same text as {path} line 1"),
    ]
    assert df["id"].tolist() == ["n-1", "n-1"]
    assert df["article_id"].is_unique
    assert f"{path}, line 2: {note}" in warned


def test_same_file_twice_in_a_list_is_a_duplicate(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.txt", "Title\n\nBody.\n")
    df, report, _ = _load([path, path])
    assert _records(report) == [("a.txt", "", "loaded", ""),
                                ("a.txt", "", "duplicate", f"same text as {path}")]
    assert len(df) == 1


# --------------------------------------------------------------------------- dates


def test_unparseable_dates(tmp_path: Path) -> None:
    lines = [{"text": "Body one.", "published": "the day after tomorrow"},
             {"text": "Body two.", "published": "2999-01-01"},
             {"text": "Body three.", "published": "2021-03-04T05:06:07+02:00"}]
    path = _write_jsonl(tmp_path / "dates.jsonl", lines)
    df, report, warned = _load(path)
    assert _records(report) == [
        ("dates.jsonl", "line 1", "loaded",
         "unparseable date 'the day after tomorrow'; published set to NaT"),
        ("dates.jsonl", "line 2", "loaded", "unparseable date '2999-01-01' (outside the years 1677-2262 that "
                                            "pandas can hold); published set to NaT"),
        ("dates.jsonl", "line 3", "loaded", ""),
    ]
    assert df["published"].isna().tolist() == [True, True, False]
    assert df["published"].iloc[2] == pd.Timestamp("2021-03-04 03:06:07", tz="UTC")
    assert str(df["published"].dtype) == "datetime64[ns, UTC]"
    assert any(m.startswith(f"{path}, line 1: unparseable date") for m in warned)


def test_future_date_is_kept_and_flagged(tmp_path: Path) -> None:
    """Decision: a date in the future is kept as given (embargoed or mis-set clocks happen) and noted."""
    future = (pd.Timestamp.now(tz="UTC") + pd.Timedelta(days=400)).normalize()
    path = _write(tmp_path / "future.csv", f"text,published\nBody.,{future.isoformat()}\n")
    df, report, warned = _load(path)
    note = f"publication date {future.date()} is in the future; kept as given"
    assert _records(report) == [("future.csv", "line 2", "loaded", note)]
    assert df["published"].iloc[0] == future
    assert f"{path}, line 2: {note}" in warned


# --------------------------------------------------------------------------- language


def test_non_english_article_is_flagged_and_not_annotated(tmp_path: Path) -> None:
    """Decision: kept in ``articles`` with ``language`` set, noted in the report, skipped by annotate()."""
    french = _write(tmp_path / "fr.txt", "Réforme des retraites\n\n" + FRENCH + "\n")
    english = _write(tmp_path / "en.txt", "Pension reform\n\n" + ENGLISH + "\n")
    df, report, warned = _load(tmp_path)
    note = "written in language 'fr': kept, flagged, and not annotated by English models"
    assert _records(report) == [("en.txt", "", "loaded", ""), ("fr.txt", "", "loaded", note)]
    assert dict(zip(df["path"], df["language"], strict=True)) == {str(english): "en", str(french): "fr"}
    assert f"{french}: {note}" in warned

    with pytest.warns(ToolkitWarning, match=r"1 articles are not in the model's language") as caught:
        corpus = tk.annotate(df, outputs=["mentions"], progress=False)
    message = next(str(w.message) for w in caught if "model's language" in str(w.message))
    french_id = df.loc[df["language"] == "fr", "article_id"].iloc[0]
    assert f"{french_id} ({french}, fr)" in message
    assert corpus.stats.not_annotated == 1 and corpus.stats.articles == 1
    assert len(corpus.articles) == 2
    assert french_id not in set(corpus.mentions["article_id"])
    assert len(corpus.mentions) > 0  # the English one is annotated


def test_declared_language_is_checked_against_the_text(tmp_path: Path) -> None:
    lines = [{"text": FRENCH, "language": "en"}, {"text": "Bref.", "language": "fr-FR"},
             {"text": ENGLISH, "language": "en-GB"}]
    path = _write_jsonl(tmp_path / "langs.jsonl", lines)
    df, report, _ = _load(path)
    assert df["language"].tolist() == ["fr", "fr", "en"]  # short text: the declared language is used
    reasons = [r[3] for r in _records(report)]
    assert reasons[0].startswith("declared language 'en', but the text reads as 'fr'; using that; written in")
    assert reasons[1] == "written in language 'fr': kept, flagged, and not annotated by English models"
    assert reasons[2] == ""


# --------------------------------------------------------------------------- file system


def _refuse(monkeypatch: pytest.MonkeyPatch, owner: object, name: str, forbidden: Path) -> None:
    """Make ``owner.name(path, ...)`` raise PermissionError for ``forbidden`` (chmod does not stop root)."""
    real = getattr(owner, name)

    def refuse(path: object, *args: object, **kwargs: object) -> object:
        if Path(str(path)) == forbidden:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(owner, name, refuse)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """chmod 000; where that does not stop reading (running as root), reading is made to fail."""
    good = _write(tmp_path / "a.txt", "Title\n\nBody.\n")
    locked = _write(tmp_path / "locked.txt", "Secret\n\nBody that cannot be read.\n")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):  # root reads anything: simulate the refusal
            _refuse(monkeypatch, Path, "read_bytes", locked)
        df, report, warned = _load(tmp_path)
    finally:
        locked.chmod(0o644)
    assert _records(report) == [("a.txt", "", "loaded", ""),
                                ("locked.txt", "", "skipped", "permission denied")]
    assert df["path"].tolist() == [str(good)]
    assert f"{locked}: skipped: permission denied" in warned


def test_unreadable_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path / "a.txt", "Title\n\nBody.\n")
    closed = tmp_path / "closed"
    _write(closed / "b.txt", "Other\n\nHidden body.\n")
    closed.chmod(0)
    try:
        if os.access(closed, os.R_OK):
            _refuse(monkeypatch, os, "scandir", closed)
        _, report, _ = _load(tmp_path)
    finally:
        closed.chmod(0o755)
    assert _records(report) == [("a.txt", "", "loaded", ""),
                                ("closed", "", "skipped", "permission denied (directory)")]


def test_symlink_loop(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    _write(root / "a.txt", "Title\n\nBody.\n")
    (root / "sub").mkdir()
    os.symlink(root, root / "sub" / "back_to_root")  # a directory loop
    os.symlink(root / "self.txt", root / "self.txt")  # a link to itself
    os.symlink(root / "y.txt", root / "x.txt")  # two links pointing at each other
    os.symlink(root / "x.txt", root / "y.txt")
    df, report, warned = _load(root)
    loop = "cannot read: Too many levels of symbolic links"
    assert _records(report) == [
        ("a.txt", "", "loaded", ""),
        ("self.txt", "", "skipped", loop),
        ("back_to_root", "", "skipped", "symlink loop: directory already visited"),
        ("x.txt", "", "skipped", loop),
        ("y.txt", "", "skipped", loop),
    ]
    assert len(df) == 1
    assert f"{root / 'sub' / 'back_to_root'}: skipped: symlink loop: directory already visited" in warned
