"""Running the analysis notebooks headless on a corpus: executed copies and HTML pages.

:func:`run_notebooks` executes the notebooks in the repository's ``notebooks/`` folder with
papermill, setting their ``CORPUS`` parameter (the cell tagged ``parameters``) to the corpus given,
and writes for each one the executed notebook (``DIR/<name>.ipynb``) and an HTML export
(``DIR/<name>.html``, via nbconvert, images embedded) that opens in any browser. The command line
``python -m toolkit notebooks INPUT --out DIR`` calls it.

papermill and nbconvert come with the optional ``notebooks`` extra
(``pip install "media-toolkit[notebooks]"``); without them this module raises a
:class:`~toolkit.errors.ToolkitError` saying so. The kernel is the ``python3`` Jupyter kernel of
the environment running the toolkit, and inherits its environment (``TOOLKIT_CACHE_DIR``,
``TOOLKIT_SPACY_MODEL``), so every notebook after the first reads the annotation from the cache.

Example:
    >>> from toolkit.notebooks import available_notebooks
    >>> [path.stem[:2] for path in available_notebooks()]
    ['00', '01', '02', '03']
    >>> run_notebooks("data/articles", "notebooks-out", names=["00"])   # doctest: +SKIP
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from .errors import InputError, ToolkitError

__all__ = ["NOTEBOOK_DIR", "available_notebooks", "run_notebooks"]

logger = logging.getLogger(__name__)

#: Where the notebooks live: ``notebooks/`` beside the ``toolkit`` package (a source checkout).
NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
_INSTALL = 'pip install "media-toolkit[notebooks]"'
#: nbconvert's own log: its notes (e.g. on images without alternative text) are not the user's concern.
_EXPORT_LOG = logging.getLogger(f"{__name__}.nbconvert")
_EXPORT_LOG.setLevel(logging.ERROR)


def _require_runtime() -> tuple[Any, Any]:
    """The papermill module and nbconvert's HTMLExporter, or a ToolkitError saying how to install them."""
    try:
        import papermill
        from nbconvert import HTMLExporter
    except ImportError as error:
        raise ToolkitError(f"running notebooks needs papermill and nbconvert, which are not installed "
                           f"({error}); install them with: {_INSTALL}") from None
    return papermill, HTMLExporter


def available_notebooks(notebook_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """The notebooks (``*.ipynb``) of ``notebook_dir`` (default :data:`NOTEBOOK_DIR`), by name."""
    folder = Path(notebook_dir) if notebook_dir is not None else NOTEBOOK_DIR
    if not folder.is_dir():
        raise InputError(f"no notebooks folder at {folder}: the notebooks ship with a source checkout of "
                         "the toolkit (its notebooks/ folder); pass notebook_dir= to use another folder")
    return sorted(folder.glob("[!.]*.ipynb"))


def _select(notebooks: list[Path], names: Sequence[str] | str | None) -> list[Path]:
    """The notebooks named: by file stem (``01_entity_frequency``), number (``01``) or topic
    (``entity_frequency``), in the order given."""
    if names is None:
        return notebooks
    wanted = [part.strip() for part in names.split(",")] if isinstance(names, str) else list(names)
    chosen: list[Path] = []
    for name in wanted:
        stem = Path(str(name)).stem
        found = [p for p in notebooks if stem in (p.stem, p.stem.split("_", 1)[0], p.stem.partition("_")[2])]
        if len(found) != 1:
            raise InputError(f"no notebook named {name!r}; expected one of "
                             f"{', '.join(p.stem for p in notebooks)} (or their numbers)")
        if found[0] not in chosen:
            chosen.append(found[0])
    return chosen


def _error_of(executed: Path) -> str:
    """The first error output of an executed notebook, as 'Name: value' ("" if none)."""
    import nbformat

    for cell in nbformat.read(executed, as_version=4).cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return f"{output.get('ename')}: {output.get('evalue')}"
    return ""


def run_notebooks(input: str | os.PathLike[str], out_dir: str | os.PathLike[str], *,
                  names: Sequence[str] | str | None = None,
                  progress: bool | Callable[[str], None] = True,
                  notebook_dir: str | os.PathLike[str] | None = None,
                  kernel_name: str = "python3", timeout: int | None = None) -> list[Path]:
    """Execute the notebooks on the corpus at ``input``; write executed copies and HTML exports.

    ``input`` is a folder or file of articles (anything :func:`toolkit.load_articles` reads); each
    notebook gets its absolute path as ``CORPUS``. ``names`` picks notebooks by number (``"00"``),
    stem (``"01_entity_frequency"``) or topic (``"place_mentions"``), as a list or a comma-separated
    string (default: all, in order). For each, ``out_dir/<stem>.ipynb`` (executed, with outputs) and
    ``out_dir/<stem>.html`` are written; the working directory of the kernel is ``out_dir``.
    ``progress=True`` shows a progress bar on stderr; a callable gets one line per notebook instead.
    ``timeout`` limits each cell (seconds; None: no limit).

    Returns the files written (executed notebook, then HTML, per notebook). A notebook that fails
    is still written (its HTML shows the error) and the others still run; then a
    :class:`~toolkit.errors.ToolkitError` names the failures.

    >>> run_notebooks("data/articles", "out", names="00,02")   # doctest: +SKIP
    [PosixPath('out/00_quickstart.ipynb'), PosixPath('out/00_quickstart.html'), ...]
    """
    papermill, html_exporter = _require_runtime()
    from papermill.exceptions import PapermillExecutionError

    corpus = Path(input).expanduser()
    if not corpus.exists():
        raise InputError(f"INPUT not found: {corpus} (give a folder or file of articles)")
    corpus = corpus.resolve()
    out = Path(out_dir).expanduser()
    if out.exists() and not out.is_dir():
        raise InputError(f"output folder {out} exists and is not a folder")
    chosen = _select(available_notebooks(notebook_dir), names)
    out.mkdir(parents=True, exist_ok=True)
    out = out.resolve()

    say: Callable[[str], None] = progress if callable(progress) else logger.info
    bar = tqdm(total=len(chosen), unit="notebook", disable=progress is not True, leave=False)
    written: list[Path] = []
    failures: list[str] = []
    exporter = html_exporter(embed_images=True, log=_EXPORT_LOG)
    try:
        for number, source in enumerate(chosen, start=1):
            bar.set_description(source.stem)
            say(f"[{number}/{len(chosen)}] running {source.stem} on {corpus}")
            executed = out / source.name
            started = time.perf_counter()
            error = ""
            try:
                papermill.execute_notebook(str(source), str(executed), parameters={"CORPUS": str(corpus)},
                                           kernel_name=kernel_name, cwd=str(out), progress_bar=False,
                                           log_output=False, execution_timeout=timeout,
                                           extra_arguments=["--log-level=ERROR"])     # no start-up chatter
            except PapermillExecutionError as failure:
                error = f"{failure.ename}: {failure.evalue}"
            except Exception as failure:                # kernel died, timeout, bad notebook file
                if not executed.exists():
                    raise ToolkitError(f"{source.name}: could not be executed ({type(failure).__name__}: "
                                       f"{failure})") from failure
                error = _error_of(executed) or f"{type(failure).__name__}: {failure}"
            seconds = time.perf_counter() - started
            page = out / f"{source.stem}.html"
            body, _ = exporter.from_filename(str(executed))
            page.write_text(body, encoding="utf-8")
            written += [executed, page]
            if error:
                failures.append(f"{source.stem} ({error})")
                say(f"[{number}/{len(chosen)}] {source.stem} FAILED after {seconds:.1f} s: {error}; "
                    f"see {page}")
            else:
                say(f"[{number}/{len(chosen)}] {source.stem} done in {seconds:.1f} s: {page}")
            bar.update()
    finally:
        bar.close()
    if failures:
        raise ToolkitError(f"{len(failures)} of {len(chosen)} notebook(s) failed on {corpus}: "
                           f"{'; '.join(failures)}. The executed copies in {out} show where.")
    return written
