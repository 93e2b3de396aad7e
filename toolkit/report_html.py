"""The writing stage of a report: one self-contained HTML page.

:func:`render_page` turns a :class:`~toolkit.report_content.ReportContent` and its rendered
figures into a single page: CSS inline (``resources/report.css``), figures embedded as base64
PNG, no script and no external resource, so the file opens offline and can be mailed as it is.
Links point only to the report's own ``tables/`` and ``figures/`` folders, by relative path.

Safety: titles, outlet names, entity names, quotes, file names and every other value that comes
from the articles are untrusted. Each one goes through :func:`esc` (``html.escape`` with quotes);
the only markup on the page is this module's own. A Content-Security-Policy meta tag forbids
scripts and any resource but inline styles and ``data:`` images, as a second line of defence.

Example:
    >>> esc('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterable, Mapping
from importlib import resources
from string import Template
from typing import Any

import pandas as pd

from .report_content import Chart, Example, ReportContent, Section, format_count
from .report_figures import DPI, RenderedFigure

__all__ = ["TABLE_DESCRIPTIONS", "esc", "render_page", "render_table"]

#: What each table written beside the report holds (shown in the list of files).
TABLE_DESCRIPTIONS: dict[str, str] = {
    "articles": "one row per article: title, text, outlet, date, URL, author, file",
    "mentions": "one row per entity mention, with its character offsets and normalised name",
    "places": "one row per place mention, resolved to a GeoNames place (or why not)",
    "attributions": "one row per attributed statement: source, kind of source, cue, content, offsets",
    "load_report": "one row per input: loaded, skipped or duplicate, and why",
    "entity_counts": "mentions and articles per entity",
    "entity_counts_by_outlet": "mentions and articles per entity and outlet",
    "entity_trends": "mentions per period of the most mentioned entities",
    "cooccurrence": "pairs of entities named in the same sentence, with PMI",
    "distinctive_entities": "entities each outlet names more or less than the others (z-scores)",
    "place_counts": "mentions and articles per place",
    "country_counts": "mentions and articles per country, counting the places in it",
    "country_counts_by_article": "mentions of each country in each article",
    "source_counts": "statements and articles per source",
    "source_type_mix": "share of statements by kind of source, with 95% intervals",
    "anonymous_rate": "share of statements with an unnamed source, with 95% intervals",
    "wire_dependence": "articles crediting agencies, quoting media, or shared copy",
    "syndication": "groups of near-identical articles (shared copy)",
    "quotes_per_article": "statements per article",
    "cue_profile": "share of statements per reporting verb",
    "source_edges": "outlet–source pairs with their statements",
}
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
_NUMBER = re.compile(r"^[<>+\-−]?[\d,.]+%?(?:–[\d,.]+%)?$|^[\d,]+ of [\d,]+$")

_PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="$csp">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="media-toolkit $version">
<title>$title</title>
<style>
$css</style>
</head>
<body>
<main>
<header>
<p class="kicker">media-toolkit report</p>
<h1>$title</h1>
<p class="lede">$lede</p>
</header>
$toc
$body
<footer><p>Made offline with media-toolkit $version and the spaCy model $model. Every count on this page
can be traced to rows of the tables in <a href="tables/">tables/</a>, and from there to the
characters of the article it came from.</p></footer>
</main>
</body>
</html>
""")


def esc(value: Any) -> str:
    """``value`` as HTML text: escaped, quotes included; missing values are empty."""
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    return html.escape(str(value), quote=True)


def _css() -> str:
    return resources.files("toolkit").joinpath("resources/report.css").read_text(encoding="utf-8")


def render_table(rows: pd.DataFrame, caption: str = "", *, css_class: str = "") -> str:
    """``rows`` (values already formatted as text) as an escaped HTML table; numbers right-aligned."""
    numeric = [bool(len(rows)) and all(_NUMBER.match(str(v)) or str(v) == "" for v in rows[c])
               for c in rows.columns]
    head = "".join(f'<th scope="col"{_num(n)}>{esc(c)}</th>'
                   for c, n in zip(rows.columns, numeric, strict=True))
    body = "\n".join("<tr>" + "".join(f"<td{_num(n)}>{esc(v)}</td>"
                                      for v, n in zip(row, numeric, strict=True)) + "</tr>"
                     for row in rows.itertuples(index=False))
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    cls = f' class="{esc(css_class)}"' if css_class else ""
    return (f'<div class="table-wrap"><table{cls}>{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>\n{body}\n</tbody></table></div>")


def _num(numeric: bool) -> str:
    return ' class="num"' if numeric else ""


def _example(example: Example) -> str:
    quote = "".join(esc(text) if role is None else f'<mark class="{esc(role)}">{esc(text)}</mark>'
                    for text, role in example.segments)
    where = ", ".join(esc(v) for v in (example.outlet, example.published) if v)
    cite = f'<span class="label">{esc(example.label)}</span> · <cite>{esc(example.title)}</cite>'
    if where:
        cite += f" — {where}"
    return f'<li><p class="quote">{quote}</p><p class="source-line">{cite}</p></li>'


def _chart(chart: Chart, figure: RenderedFigure | None, number: int | None) -> str:
    parts = [f'<section class="chart" id="{esc(chart.key.replace("_", "-"))}">',
             f"<h3>{esc(chart.title)}</h3>"]
    if chart.guidance:
        parts.append(f'<p class="guide"><strong>How to read it.</strong> {esc(chart.guidance)}</p>')
    if figure is not None:
        data = base64.b64encode(figure.png).decode("ascii")
        files = (f'<a href="figures/{esc(figure.png_path.name)}">PNG</a> · '
                 f'<a href="figures/{esc(figure.svg_path.name)}">SVG</a>')
        # shown at the figure's own size (capped by the page width), so small charts stay small
        width = (f' width="{round(figure.width * 96 / DPI)}" height="{round(figure.height * 96 / DPI)}"'
                 if figure.width else "")
        parts.append(f'<figure><img src="data:image/png;base64,{data}" alt="{esc(chart.title)}"{width}>'
                     f"<figcaption>Figure {number}. {esc(chart.title)}. {files}</figcaption></figure>")
    elif chart.note:
        parts.append(f'<p class="note">{esc(chart.note)}</p>')
    if chart.rows is not None and len(chart.rows):
        parts.append(render_table(chart.rows, chart.rows_caption))
    if chart.examples:
        caption = (f'<p class="examples-caption">{esc(chart.examples_caption)}</p>'
                   if chart.examples_caption else "")
        parts.append(f'<div class="examples"><h4>In the articles</h4>{caption}<ul>'
                     + "".join(_example(e) for e in chart.examples) + "</ul></div>")
    if chart.tables:
        links = ", ".join(f'<a href="tables/{esc(t)}.csv">{esc(t)}</a>' for t in chart.tables)
        parts.append(f'<p class="data-line">Data: {links} (CSV; Parquet beside it).</p>')
    parts.append("</section>")
    return "\n".join(parts)


def _lower_first(note: str) -> str:
    """``"Not drawn: no dates."`` → ``"no dates."`` (the list says they were not drawn)."""
    text = note.removeprefix("Not drawn: ")
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _section(section: Section, figures: Mapping[str, RenderedFigure], counter: list[int]) -> str:
    parts = [f'<section class="part" id="{esc(section.key)}">', f"<h2>{esc(section.title)}</h2>",
             f'<p class="intro">{esc(section.intro)}</p>']
    left_out = []
    for chart in section.charts:
        figure = figures.get(chart.key)
        has_rows = chart.rows is not None and len(chart.rows) > 0
        if figure is None and chart.note and not has_rows and not chart.examples:
            left_out.append(chart)
            continue
        if figure is not None:
            counter[0] += 1
        parts.append(_chart(chart, figure, counter[0] if figure is not None else None))
    if left_out:
        items = "".join(f"<li><strong>{esc(c.title)}</strong>: {esc(_lower_first(c.note or ''))}</li>"
                        for c in left_out)
        parts.append(f'<div class="left-out"><h4>Left out for this corpus</h4><ul>{items}</ul></div>')
    parts.append("</section>")
    return "\n".join(parts)


def _lede(summary: Mapping[str, Any]) -> str:
    articles = summary["articles"]
    text = f"{format_count(articles)} article{'s' if articles != 1 else ''}"
    outlets = summary["outlets"]
    if outlets:
        text += f" from {format_count(outlets)} outlet{'s' if outlets != 1 else ''}"
    if summary["first_date"]:
        first, last = summary["first_date"], summary["last_date"]
        text += f", published between {first} and {last}" if first != last else f", published on {first}"
    else:
        text += ", undated"
    return text + ": who they name, where they are, and who gets to speak."


def _facts(summary: Mapping[str, Any]) -> str:
    facts = [("Articles", format_count(summary["articles"])),
             ("Outlets", format_count(summary["outlets"]) if summary["outlets"] else "none named"),
             ("First article", summary["first_date"] or "undated"),
             ("Last article", summary["last_date"] or "undated"),
             ("Entity mentions", format_count(summary["mentions"])),
             ("Distinct entities", format_count(summary["entities"])),
             ("Place mentions", format_count(summary["place_mentions"])),
             ("Statements", format_count(summary["statements"]))]
    cells = "".join(f'<div class="fact"><b>{esc(value)}</b><span>{esc(name)}</span></div>'
                    for name, value in facts)
    return f'<div class="facts">{cells}</div>'


def _articles(n: int) -> str:
    """``"1 article has"`` / ``"3 articles have"``."""
    return f"{format_count(n)} article has" if n == 1 else f"{format_count(n)} articles have"


def _summary_section(content: ReportContent) -> str:
    s = content.summary
    parts = ['<section class="part" id="corpus">', "<h2>The corpus</h2>", _facts(s)]
    notes = []
    if s["no_outlet"] and s["outlets"]:
        notes.append(f"{_articles(s['no_outlet'])} no outlet named.")
    if s["undated"] and s["first_date"]:
        notes.append(f"{_articles(s['undated'])} no date, and {'is' if s['undated'] == 1 else 'are'} "
                     "left out of the trends.")
    if s["outlets"] < 2:
        notes.append("With fewer than two outlets, the charts comparing outlets are left out.")
    inputs = (f"{format_count(s['inputs'])} inputs were read"
              f"{' from ' + s['source'] if s.get('source') else ''}")
    if len(content.skipped):
        parts.append(f"<p>{esc(inputs)}; {format_count(len(content.skipped))} were not loaded (the table "
                     "gives the reason for each; the full list of inputs ends the report). "
                     f"{esc(' '.join(notes))}</p>")
        parts.append(render_table(content.skipped, "Inputs not loaded", css_class="skipped"))
    elif not s["inputs"]:
        parts.append(f"<p>The articles were given as a table. {esc(' '.join(notes))}</p>")
    else:
        parts.append(f"<p>{esc(inputs)}, and every one was loaded. {esc(' '.join(notes))}</p>")
    if len(content.outlets):
        shown = content.outlets.head(20)
        caption = "Articles per outlet" + (f" (the 20 largest of {len(content.outlets)})"
                                           if len(content.outlets) > 20 else "")
        parts.append(render_table(shown, caption))
    parts.append(f'<p class="method">The articles were annotated with the spaCy model {esc(s["model"])} '
                 f"({format_count(s['parsed'])} parsed now, {format_count(s['from_cache'])} read from the "
                 "cache). "
                 "Entities, places and statements are found by rules and models that make mistakes: the "
                 "example sentences under each chart show what was counted, so that a surprising number "
                 "can be checked against the text.</p>")
    parts.append("</section>")
    return "\n".join(parts)


def _load_section(content: ReportContent) -> str:
    rows = content.load_report
    if not len(rows):
        return "\n".join(['<section class="part" id="load-report">', "<h2>Load report</h2>",
                          "<p>The articles were given as a table rather than loaded from files, so there "
                          "is no load report.</p>", "</section>"])
    summary = content.summary.get("load_summary") or f"{len(rows)} inputs."
    table = render_table(rows, "Every input and what became of it", css_class="load-report")
    if len(rows) > 40:
        table = f"<details><summary>All {format_count(len(rows))} inputs</summary>{table}</details>"
    return "\n".join(['<section class="part" id="load-report">', "<h2>Load report</h2>",
                      f"<p>{esc(summary)} Notes say what was cleaned (boilerplate lines removed) or why an "
                      "input was skipped.</p>", table, "</section>"])


def _files_section(tables: Iterable[str], figures: Mapping[str, RenderedFigure]) -> str:
    rows = "\n".join(
        f'<tr><td><a href="tables/{esc(name)}.csv">{esc(name)}.csv</a></td>'
        f'<td><a href="tables/{esc(name)}.parquet">{esc(name)}.parquet</a></td>'
        f"<td>{esc(TABLE_DESCRIPTIONS.get(name, ''))}</td></tr>" for name in tables)
    figure_links = " · ".join(
        f'{esc(key.replace("_", " "))} (<a href="figures/{esc(f.png_path.name)}">PNG</a>, '
        f'<a href="figures/{esc(f.svg_path.name)}">SVG</a>)' for key, f in figures.items())
    return "\n".join([
        '<section class="part" id="files">', "<h2>Tables and figures</h2>",
        "<p>Every table behind this page is in the folder <code>tables/</code> beside it, as CSV (for a "
        "spreadsheet) and Parquet (for pandas, R or DuckDB), and every chart is in <code>figures/</code> "
        "as PNG and SVG.</p>",
        '<div class="table-wrap"><table class="files"><thead><tr><th scope="col">CSV</th>'
        '<th scope="col">Parquet</th><th scope="col">Holds</th></tr></thead>'
        f"<tbody>\n{rows}\n</tbody></table></div>",
        f'<p class="figure-links">{figure_links}</p>' if figure_links else "", "</section>"])


def _toc(sections: Iterable[Section]) -> str:
    items = [("corpus", "The corpus"), *((s.key, s.title) for s in sections), ("load-report", "Load report"),
             ("files", "Tables and figures")]
    return '<nav class="toc"><ol>' + "".join(f'<li><a href="#{esc(k)}">{esc(t)}</a></li>' for k, t in items) \
        + "</ol></nav>"


def render_page(content: ReportContent, figures: Mapping[str, RenderedFigure], *, version: str = "") -> str:
    """The report page as a string of HTML."""
    counter = [0]
    body = "\n".join([_summary_section(content), *(_section(s, figures, counter) for s in content.sections),
                      _load_section(content), _files_section(content.tables, figures)])
    return _PAGE.substitute(csp=_CSP, version=esc(version), title=esc(content.title), css=_css(),
                            lede=esc(_lede(content.summary)), toc=_toc(content.sections), body=body,
                            model=esc(content.summary.get("model", "")))
