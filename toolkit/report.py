"""One call from a folder of articles to a report: tables, figures and a self-contained HTML page.

:func:`build_report` runs the whole pipeline: load (and clean) the articles, annotate them (spaCy,
cached), compute the entity, place and source tables, draw every chart, and write

- ``DIR/tables/``: every table as CSV and Parquet (the evidence tables ``articles``, ``mentions``,
  ``places``, ``attributions``, the ``load_report``, and every summary table the page shows);
- ``DIR/figures/``: every chart as PNG and SVG;
- ``DIR/index.html``: one page that opens offline, with the figures embedded, each followed by its
  top rows, a few example sentences with the counted span highlighted, and a note on how to read
  it; the corpus summary opens it and the load report ends it.

The stages live in their own modules: :mod:`toolkit.report_sections` (analysis),
:mod:`toolkit.report_figures` (drawing) and :mod:`toolkit.report_html` (the page). The command
line is ``python -m toolkit report INPUT --out DIR``.

Example:
    >>> import toolkit as tk
    >>> path = tk.build_report("data/articles", "report", progress=False)   # doctest: +SKIP
    >>> path.name                                                          # doctest: +SKIP
    'index.html'
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from importlib import metadata
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from .corpus import load_articles
from .errors import InputError
from .export import write_table
from .pipeline import annotate
from .report_content import ReportContent
from .report_figures import RenderedFigure, render_figures
from .report_html import render_page
from .report_sections import build_content

__all__ = ["TABLE_ORDER", "build_report"]

logger = logging.getLogger(__name__)

#: The order tables are written and listed in; any other table follows, by name.
TABLE_ORDER = ("articles", "mentions", "places", "attributions", "load_report", "entity_counts",
               "entity_counts_by_outlet", "entity_trends", "cooccurrence", "distinctive_entities",
               "place_counts", "country_counts", "country_counts_by_article", "source_counts",
               "source_type_mix",
               "anonymous_rate", "wire_dependence", "syndication", "quotes_per_article", "cue_profile",
               "source_edges")


class _Stages:
    """Progress on the terminal: one line per stage on stderr (next to the progress bars)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled

    def __call__(self, message: str) -> None:
        logger.info("report: %s", message)
        if self.enabled:
            tqdm.write(message, file=sys.stderr)


def _version() -> str:
    try:
        return metadata.version("media-toolkit")
    except metadata.PackageNotFoundError:
        return ""


def _load(articles_or_path: pd.DataFrame | str | os.PathLike[str]) -> pd.DataFrame:
    if isinstance(articles_or_path, pd.DataFrame):
        articles = articles_or_path.copy()
        for column in ("title", "outlet"):          # a table of texts is enough: the rest may be missing
            if column not in articles.columns:
                articles[column] = pd.Series(pd.NA, index=articles.index, dtype="string")
        if "published" not in articles.columns:
            articles["published"] = pd.Series(pd.NaT, index=articles.index, dtype="datetime64[ns, UTC]")
        return articles
    source = Path(articles_or_path)
    if not source.exists():
        raise InputError(f"build_report(): input not found: {source} (give a folder or file of articles)")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        articles = load_articles(source)
    for warning in caught:
        logger.info("report: %s", warning.message)
    return articles


def _ordered_tables(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    known = [name for name in TABLE_ORDER if name in tables]
    return {name: tables[name] for name in [*known, *sorted(set(tables) - set(known))]}


def _remove_stale(folder: Path, keep: set[str], suffixes: tuple[str, ...], names: set[str]) -> None:
    """Delete files a previous report wrote into ``folder`` (known names only) that this one did not."""
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if path.suffix in suffixes and path.stem in names and path.stem not in keep:
            path.unlink()


def _write_tables(content: ReportContent, folder: Path) -> list[Path]:
    written = []
    for name, table in content.tables.items():
        for suffix in (".csv", ".parquet"):
            written.append(write_table(table, folder / f"{name}{suffix}"))
    return written


def build_report(
    articles_or_path: pd.DataFrame | str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    title: str | None = None,
    model: str | None = None,
    n_process: int = 1,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
    progress: bool = True,
) -> Path:
    """Write a report on a corpus into ``out_dir``; returns the path of ``out_dir/index.html``.

    ``articles_or_path`` is a folder or file of articles (as for :func:`toolkit.load_articles`) or
    the table it returns. ``title`` heads the page (default: "Coverage report: <folder name>").
    ``model``, ``n_process``, ``cache_dir`` and ``use_cache`` go to :func:`toolkit.annotate`.
    ``progress`` prints one line per stage and the annotation progress bar on stderr.

    Charts whose data the corpus lacks (no dates: no trends; one outlet: no outlet comparison)
    are left out with a note on the page rather than failing.

    >>> path = build_report("data/articles", "report", progress=False)   # doctest: +SKIP
    >>> sorted(p.name for p in path.parent.iterdir())                   # doctest: +SKIP
    ['figures', 'index.html', 'tables']
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"build_report(): {out} exists and is not a folder; give a folder for the report")
    stage = _Stages(progress)
    stage("Loading…")
    articles = _load(articles_or_path)
    report = articles.attrs.get("load_report")
    if not len(articles):
        if report is not None:
            write_table(report.to_frame(), out / "tables" / "load_report.csv")
        raise InputError(f"build_report(): no article could be loaded from {articles_or_path}; "
                         f"see {out / 'tables' / 'load_report.csv'} for the reason of each input")
    if report is not None:
        stage(f"  {report}")
    stage("Annotating…")
    corpus = annotate(articles, model=model, n_process=n_process, cache_dir=cache_dir, use_cache=use_cache,
                      progress=progress)
    content = build_content(corpus, title=title, load_report=report, on_stage=stage)
    content.tables = _ordered_tables(content.tables)

    stage("Figures…")
    n_charts = sum(chart.draw is not None for section in content.sections for chart in section.charts)
    with tqdm(total=n_charts, desc="Figures", unit="chart", disable=not progress, leave=False) as bar:
        figures: dict[str, RenderedFigure] = render_figures(content.sections, out / "figures",
                                                            on_chart=lambda _key: bar.update(1))
    for section in content.sections:
        for chart in section.charts:
            if chart.note:
                stage(f"  left out: {chart.title} ({chart.note.removeprefix('Not drawn: ').rstrip('.')})")
    stage("Writing report…")
    _write_tables(content, out / "tables")
    chart_keys = {chart.key for section in content.sections for chart in section.charts}
    _remove_stale(out / "figures", set(figures), (".png", ".svg"), chart_keys)
    _remove_stale(out / "tables", set(content.tables), (".csv", ".parquet"), set(TABLE_ORDER))
    page = render_page(content, figures, version=_version())
    index = out / "index.html"
    temporary = index.with_name(f".{index.name}.tmp")
    temporary.write_text(page, encoding="utf-8")
    os.replace(temporary, index)
    return index
