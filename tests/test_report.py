"""The report (``python -m toolkit report`` / ``tk.build_report``), end to end.

The demo corpus is reported once per module through the command line; the Wikinews corpus once
(skipped where ../shared is absent); a small hostile corpus checks that markup in titles, texts and
outlet names is shown as text and never becomes markup.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

import toolkit as tk
from toolkit import report_content, report_html, report_sections
from toolkit.cli import main
from toolkit.report import TABLE_ORDER, build_report
from toolkit.report_html import TABLE_DESCRIPTIONS

#: Tables every report writes, whatever the corpus.
CORE_TABLES = ("articles", "mentions", "places", "attributions", "load_report", "entity_counts",
               "place_counts", "country_counts", "source_counts", "source_type_mix", "anonymous_rate",
               "wire_dependence", "syndication", "quotes_per_article", "cue_profile")
#: Every chart of the report.
ALL_CHARTS = ("top_entities", "entity_trends", "outlet_heatmap", "cooccurrence_network",
              "distinctive_entities", "place_map", "country_choropleth", "regional_map", "top_sources",
              "source_type_mix", "anonymous_rate", "wire_dependence", "quotes_per_article", "cue_profile",
              "source_network")
SECTIONS = ("The corpus", "Entities", "Places", "Sources", "Load report", "Tables and figures")
#: Tags the page may contain: its own markup, nothing from the articles.
ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "main", "header", "footer", "nav",
                "section", "div", "p", "h1", "h2", "h3", "h4", "ol", "ul", "li", "a", "strong", "b", "span",
                "cite", "mark", "code", "figure", "img", "figcaption", "table", "caption", "thead", "tbody",
                "tr", "th", "td", "details", "summary"}

PAYLOADS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>')
HOSTILE_OUTLET = "<b>Bold</b> Gazette"


def write_hostile_corpus(folder: Path, payloads: tuple[str, ...] = PAYLOADS,
                         outlet: str = HOSTILE_OUTLET) -> Path:
    """A small corpus whose titles, texts and outlet names carry markup; an empty and a duplicate file."""
    folder.mkdir(parents=True, exist_ok=True)
    joined = " ".join(payloads)
    articles = {
        "a_hostile.txt": (f"Baghdad talks {joined}",
                          f"Officials in Baghdad said {joined} the talks with Iraq would resume. "
                          f"\"We will not stop {payloads[0]},\" Karim Haddad said on Monday. "
                          f"The United Nations said aid reached Mosul and Baghdad {payloads[-1]}."),
        "b_plain.txt": ("Aid reaches Mosul",
                        "The United Nations said aid reached Mosul in Iraq. Karim Haddad told reporters in "
                        "Baghdad that the road was open, according to officials. Iraq and the United Nations "
                        "agreed to send more aid to Mosul."),
        "c_more.txt": (f"Raqqa {payloads[1]} falls",
                       "Fighters took Raqqa in Syria on Tuesday, the coalition said. Karim Haddad said Raqqa "
                       f"and Mosul were free {payloads[2]}. Officials in Damascus said Syria and Iraq "
                       "would talk."),
        "d_syria.txt": ("Syria and Iraq talk",
                        "Syria and Iraq held talks in Baghdad, the United Nations said. "
                        "\"The talks went well,\" Karim Haddad said. Officials said Mosul and Raqqa would "
                        "be rebuilt."),
    }
    for name, (title, body) in articles.items():
        (folder / name).write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    (folder / "e_empty.txt").write_text("", encoding="utf-8")
    (folder / "f_copy.txt").write_bytes((folder / "b_plain.txt").read_bytes())
    meta = pd.DataFrame({"file": ["a_hostile.txt", "b_plain.txt", "c_more.txt", "d_syria.txt"],
                         "outlet": [outlet, "Plain Post", outlet, "Plain Post"],
                         "published": ["2017-09-04", "2017-10-06", "2017-11-08", "2017-12-10"]})
    meta.to_csv(folder / "metadata.csv", index=False)
    return folder


class _Page(HTMLParser):
    """Every tag, attribute and text of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    return parser


def assert_self_contained(index: Path) -> None:
    """No script, no event handler, no external resource; every link is relative and inside the report."""
    page = parse(index.read_text(encoding="utf-8"))
    root = index.parent.resolve()
    for tag, attrs in page.tags:
        assert tag in ALLOWED_TAGS, f"unexpected <{tag}>"
        assert not any(name.startswith("on") for name in attrs), f"event handler on <{tag}>: {attrs}"
        for name in ("src", "href"):
            value = attrs.get(name)
            if value is None:
                continue
            if name == "src":
                assert value.startswith("data:image/png;base64,"), value[:60]
                continue
            assert not re.match(r"^[a-z][a-z0-9+.-]*:|^//", value, re.IGNORECASE), f"external link {value}"
            if value.startswith("#"):
                continue
            target = (root / value).resolve()
            assert root in target.parents, f"link leaves the report: {value}"
            assert target.exists(), f"broken link {value}"


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> tuple[Path, str]:
    """The demo corpus reported through the command line; (report folder, what it printed on stderr)."""
    root = tmp_path_factory.mktemp("demo-report")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status = main(["report", str(data_dir), "--out", str(root / "out"),
                       "--cache-dir", str(root / "cache"), "--title", "Demo <corpus>"])
    assert status == 0, err.getvalue()
    return root / "out", err.getvalue()


@pytest.fixture(scope="module")
def data_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "articles"


def test_command_prints_each_stage_and_where_the_report_is(demo_report: tuple[Path, str]) -> None:
    out, err = demo_report
    lines = [line.strip() for line in re.split(r"[\r\n]+", err) if line.strip()]
    stages = ("Loading…", "Annotating…", "Entities…", "Places…", "Sources…", "Figures…", "Writing report…")
    for stage in stages:
        assert stage in lines, f"no {stage!r} in {lines}"
    positions = [lines.index(s) for s in stages]
    assert positions == sorted(positions)
    assert lines[-1] == f"Report: {out / 'index.html'}"


def test_every_table_is_written_as_csv_and_parquet_and_reads_back(demo_report: tuple[Path, str],
                                                                   data_dir: Path) -> None:
    out, _ = demo_report
    tables = out / "tables"
    names = {p.stem for p in tables.iterdir()}
    for name in (*CORE_TABLES, "entity_counts_by_outlet", "entity_trends", "cooccurrence",
                 "distinctive_entities", "source_edges"):
        assert name in names, f"no table {name}"
    for name in names:
        assert (tables / f"{name}.csv").is_file() and (tables / f"{name}.parquet").is_file(), name
        frame = pd.read_parquet(tables / f"{name}.parquet")
        from_csv = pd.read_csv(tables / f"{name}.csv")
        assert list(frame.columns) == list(from_csv.columns), name
        assert len(frame) == len(from_csv), name
        assert name in TABLE_DESCRIPTIONS, f"{name} is not described in the list of files"
    articles = tk.load_articles(data_dir)
    assert len(pd.read_parquet(tables / "articles.parquet")) == len(articles)
    report = pd.read_csv(tables / "load_report.csv")
    assert len(report) == articles.attrs["load_report"].inputs
    for name in ("mentions", "places", "attributions", "entity_counts", "place_counts", "source_counts"):
        assert len(pd.read_parquet(tables / f"{name}.parquet")), f"{name} is empty on the demo corpus"
    mentions = pd.read_parquet(tables / "mentions.parquet")
    text = dict(zip(articles["article_id"], articles["text"], strict=True))
    row = mentions.iloc[len(mentions) // 2]
    assert text[row["article_id"]][row["start"]:row["end"]] == row["surface"]


def test_every_chart_is_drawn_as_png_and_svg_and_embedded(demo_report: tuple[Path, str]) -> None:
    out, _ = demo_report
    figures = out / "figures"
    for key in ALL_CHARTS:
        png, svg = figures / f"{key}.png", figures / f"{key}.svg"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", key
        assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml"), key
    page = (out / "index.html").read_text(encoding="utf-8")
    embedded = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(embedded) == len(ALL_CHARTS)
    assert "Not drawn" not in page and "error occurred" not in page


def test_page_reads_as_a_report(demo_report: tuple[Path, str], data_dir: Path) -> None:
    out, _ = demo_report
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "<title>Demo &lt;corpus&gt;</title>" in page
    for section in SECTIONS:
        assert f"<h2>{section}</h2>" in page, section
    # the summary: articles, outlets and dates
    assert "37 articles from 5 outlets, published between 04 Sep 2017 and 28 Dec 2017" in page
    # each chart has guidance, top rows and highlighted examples
    charts = page.count('<section class="chart"')
    assert charts >= len(ALL_CHARTS)
    assert page.count('class="guide"') >= len(ALL_CHARTS)
    assert page.count("<h4>In the articles</h4>") >= len(ALL_CHARTS)
    assert page.count('<mark class="match">') >= 10
    assert page.count('<mark class="source">') >= 5 and page.count('<mark class="cue">') >= 5
    # the load report: one row per input
    for path in sorted(data_dir.glob("*.txt")):
        assert f"<td>{path.name}</td>" in page, path.name
    assert_self_contained(out / "index.html")


def test_examples_show_the_counted_span_in_its_sentence(demo_report: tuple[Path, str]) -> None:
    out, _ = demo_report
    page = (out / "index.html").read_text(encoding="utf-8")
    top = pd.read_csv(out / "tables" / "entity_counts.csv")["entity"].iloc[0]
    section = page.split('id="top-entities"', 1)[1].split("</section>", 1)[0]
    quotes = re.findall(r'<p class="quote">(.*?)</p>', section)
    assert quotes
    first = re.sub(r"<[^>]+>", "", quotes[0])
    assert "\n" not in first and len(first) < 700
    assert f'<span class="label">{top}</span>' in section


def test_rerun_reads_the_cache_and_gives_identical_files(demo_report: tuple[Path, str], data_dir: Path,
                                                          tmp_path: Path) -> None:
    out, _ = demo_report
    again = build_report(data_dir, tmp_path / "again", title="Demo <corpus>",
                         cache_dir=out.parent / "cache", progress=False)
    assert "0 parsed now, 37 read from the cache" in again.read_text(encoding="utf-8")
    for folder in ("tables", "figures"):
        for path in sorted((out / folder).iterdir()):
            assert (again.parent / folder / path.name).read_bytes() == path.read_bytes(), path.name
    strip = re.compile(r'<p class="method">.*?</p>', re.DOTALL)
    assert strip.sub("", again.read_text(encoding="utf-8")) == strip.sub(
        "", (out / "index.html").read_text(encoding="utf-8"))


def test_hostile_markup_is_shown_as_text(tmp_path: Path) -> None:
    folder = write_hostile_corpus(tmp_path / "in")
    index = build_report(folder, tmp_path / "out", cache_dir=tmp_path / "cache", progress=False)
    page = index.read_text(encoding="utf-8")
    for payload in PAYLOADS:
        assert payload not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&quot;&gt;&lt;svg onload=alert(1)&gt;" in page
    assert "&lt;b&gt;Bold&lt;/b&gt; Gazette" in page
    assert "<script" not in page.lower()
    assert "<svg" not in page.lower()
    assert "<b>Bold" not in page
    assert_self_contained(index)
    text = "".join(parse(page).text)
    assert PAYLOADS[0] in text and HOSTILE_OUTLET in text            # shown, as text
    # the skipped and duplicate inputs are listed with their reasons
    assert "e_empty.txt" in page and "f_copy.txt" in page
    assert "Inputs not loaded" in page
    assert str(tmp_path) not in page


def test_markup_in_the_title_argument_is_escaped(tmp_path: Path) -> None:
    folder = write_hostile_corpus(tmp_path / "in")
    title = '"><script>alert(2)</script>'
    page = build_report(folder, tmp_path / "out", title=title, cache_dir=tmp_path / "cache",
                        progress=False).read_text(encoding="utf-8")
    assert title not in page and "&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in page


def test_a_corpus_without_outlets_or_dates_leaves_those_charts_out(tmp_path: Path) -> None:
    folder = write_hostile_corpus(tmp_path / "in")
    (folder / "metadata.csv").unlink()
    index = build_report(folder, tmp_path / "out", cache_dir=tmp_path / "cache", progress=False)
    page = index.read_text(encoding="utf-8")
    assert "Left out for this corpus" in page
    assert "the articles have no dates" in page
    for key in ("entity_trends", "outlet_heatmap", "distinctive_entities", "source_network"):
        assert not (index.parent / "figures" / f"{key}.png").exists(), key
    assert (index.parent / "figures" / "top_entities.png").is_file()
    assert "undated" in page


def test_a_table_of_texts_is_enough(tmp_path: Path) -> None:
    texts = ["Officials in Baghdad said the talks with Iraq would resume, Karim Haddad said.",
             "The United Nations said aid reached Mosul in Iraq, officials said.",
             "Syria and Iraq held talks in Baghdad, the United Nations said."]
    index = tk.build_report(pd.DataFrame({"text": texts}), tmp_path / "out", cache_dir=tmp_path / "cache",
                            progress=False)
    page = index.read_text(encoding="utf-8")
    assert "3 articles, undated" in page
    assert "given as a table" in page
    assert (index.parent / "figures" / "top_entities.png").is_file()
    assert len(pd.read_parquet(index.parent / "tables" / "articles.parquet")) == 3
    assert_self_contained(index)


def test_a_folder_with_no_article_fails_with_the_load_report(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_text("", encoding="utf-8")
    with pytest.raises(tk.InputError, match="no article could be loaded"):
        build_report(folder, tmp_path / "out", cache_dir=tmp_path / "cache", progress=False)
    assert "empty.txt" in (tmp_path / "out" / "tables" / "load_report.csv").read_text(encoding="utf-8")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["report", str(tmp_path / "missing"), "--out", str(tmp_path / "o2"), "--quiet"]) == 1
    assert "error:" in err.getvalue() and "not found" in err.getvalue()


def test_report_on_wikinews(shared_corpora: Path, tmp_path: Path) -> None:
    """229 articles without outlets or dates: every other chart is drawn, nothing fails."""
    source = shared_corpora / "wikinews-geovirus" / "articles"
    index = build_report(source, tmp_path / "out", cache_dir=tmp_path / "cache", progress=False)
    page = index.read_text(encoding="utf-8")
    assert "229 articles, undated" in page
    assert str(source.parent) not in page                # paths in the page are relative
    figures = {p.stem for p in (index.parent / "figures").glob("*.png")}
    assert {"top_entities", "cooccurrence_network", "place_map", "country_choropleth", "regional_map",
            "top_sources", "source_type_mix", "quotes_per_article", "cue_profile"} <= figures
    assert not figures & {"entity_trends", "outlet_heatmap", "distinctive_entities", "source_network"}
    assert "error occurred" not in page
    assert len(pd.read_parquet(index.parent / "tables" / "articles.parquet")) == 229
    assert_self_contained(index)


def test_table_order_lists_every_described_table() -> None:
    assert set(TABLE_ORDER) == set(TABLE_DESCRIPTIONS)


@pytest.mark.parametrize("module", [report_content, report_sections, report_html])
def test_docstring_examples(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
