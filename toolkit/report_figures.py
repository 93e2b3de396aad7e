"""The drawing stage of a report: every chart saved as PNG and SVG, each figure closed after saving.

:func:`render_figures` calls the ``draw`` function of each :class:`~toolkit.report_content.Chart`
and writes ``figures/<key>.png`` and ``figures/<key>.svg``. Output is deterministic: no creation
date in the files and a fixed salt for SVG element ids, so the same tables give byte-identical
figures. A chart whose drawing fails is left out with a note (and a logged warning) instead of
stopping the report.

Example:
    >>> import toolkit as tk                                                  # doctest: +SKIP
    >>> figures = render_figures(content.sections, "report/figures")         # doctest: +SKIP
    >>> figures["top_entities"].png_path.name                                # doctest: +SKIP
    'top_entities.png'
"""

from __future__ import annotations

import logging
import os
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt

from .errors import ToolkitError
from .report_content import Section

__all__ = ["DPI", "RenderedFigure", "render_figures"]

logger = logging.getLogger(__name__)

#: Resolution of the PNG files (and of the images embedded in the page).
DPI = 130
_RC = {"svg.hashsalt": "toolkit-report", "figure.max_open_warning": 0}


@dataclass(frozen=True)
class RenderedFigure:
    """A chart saved to disk; ``png`` holds the PNG bytes for embedding."""

    key: str
    png: bytes
    png_path: Path
    svg_path: Path
    width: int
    height: int


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels from a PNG's header."""
    return struct.unpack(">II", data[16:24]) if data[:8] == b"\x89PNG\r\n\x1a\n" else (0, 0)


def _atomic_write(path: Path, save: Callable[[Path], None]) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    save(temporary)
    os.replace(temporary, path)


def render_figures(sections: Iterable[Section], folder: str | os.PathLike[str], *, dpi: int = DPI,
                   on_chart: Callable[[str], None] | None = None) -> dict[str, RenderedFigure]:
    """Draw every chart of ``sections`` that has a ``draw`` function into ``folder`` (PNG and SVG).

    Returns the figures by chart key. A chart that cannot be drawn gets a ``note`` saying so and
    is left out. ``on_chart`` is called with each chart's key once it is saved (progress).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    figures: dict[str, RenderedFigure] = {}
    for section in sections:
        for chart in section.charts:
            if chart.draw is None:
                continue
            png_path, svg_path = folder / f"{chart.key}.png", folder / f"{chart.key}.svg"
            before = set(plt.get_fignums())
            try:
                with plt.rc_context(_RC):
                    figure = chart.draw().figure
                    _atomic_write(png_path, lambda p, f=figure: f.savefig(p, format="png", dpi=dpi,
                                                                          metadata={"Software": None}))
                    figure.set_layout_engine("none")   # keep the layout just computed: half the cost
                    _atomic_write(svg_path, lambda p, f=figure: f.savefig(p, format="svg",
                                                                          metadata={"Date": None}))
            except ToolkitError as exc:
                chart.note = f"Not drawn: {exc}"
                logger.info("report: %s not drawn: %s", chart.key, exc)
                continue
            except Exception as exc:       # one broken chart must not cost the user the whole report
                chart.note = f"Not drawn: an error occurred ({type(exc).__name__}: {exc})."
                logger.warning("report: chart %s failed", chart.key, exc_info=True)
                continue
            finally:
                for number in set(plt.get_fignums()) - before:
                    plt.close(number)
            if on_chart is not None:
                on_chart(chart.key)
            data = png_path.read_bytes()
            figures[chart.key] = RenderedFigure(chart.key, data, png_path, svg_path, *_png_size(data))
    return figures
