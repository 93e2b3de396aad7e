"""An article with its attributed statements highlighted, as HTML for a notebook (in the manner of displaCy).

:func:`highlight_attributions` colours, in one article, the source ("the army"), the cue ("said",
"according to") and the content of every statement of the ``attributions`` table, adds a small
label after each source (its source type) and each cue (the kind of statement), and gives every
highlighted piece a tooltip (``title`` attribute) saying which statement it belongs to: kind,
source as written, the resolved ``source_entity`` and its ``source_type``.

Safety: the article text, titles and every value of the tables are untrusted (scraped pages can
hold markup or script). Every piece of them goes through :func:`html.escape` (with quotes, so a
value cannot close an attribute either); the only markup in the output is the toolkit's own
``<div>``, ``<span>`` and ``<mark>`` tags with fixed inline styles, so "<script>" in an article is
shown as text and never runs.

Overlapping spans: statements can nest (a quote holding another statement, a wire credit whose
source sits inside its cue) or overlap. Rather than nesting tags, which breaks when spans cross,
the text is cut at every span boundary into flat segments; each segment is one ``<mark>`` whose
background is that of the most specific role covering it (cue over source over content), whose
underline shows that it lies inside a content span (solid for quoted content, dashed for reported
content, doubled when two contents overlap), and whose tooltip lists every span covering it.
The output is therefore always well-formed, whatever the spans. Spans with missing or
out-of-range offsets are skipped (logged).

Colours come from the Okabe–Ito palette (orange sources, bluish-green cues, sky-blue contents),
distinguishable with every common colour-vision deficiency, and a legend on top names them.

Example:
    >>> import pandas as pd
    >>> articles = pd.DataFrame({"article_id": ["a1"], "title": ["Raqqa"],
    ...                          "text": ['"We will not stop," Haddad said.']})
    >>> attributions = pd.DataFrame({"article_id": ["a1"], "kind": ["direct"], "cue": ["said"],
    ...     "cue_start": [27], "cue_end": [31], "source": ["Haddad"], "source_start": [20],
    ...     "source_end": [26], "source_entity": ["Karim Haddad"], "source_type": ["named_person"],
    ...     "content": ["We will not stop,"], "content_start": [1], "content_end": [18]})
    >>> view = highlight_attributions("a1", articles, attributions)
    >>> "Karim Haddad" in view._repr_html_()
    True
"""

from __future__ import annotations

import html
import itertools
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from .checks import require_table
from .errors import InputError

__all__ = ["AttributionView", "highlight_attributions"]

logger = logging.getLogger(__name__)

S = TypeVar("S")

#: (background, solid colour) of each role, from the Okabe–Ito palette.
ROLE_COLORS: dict[str, tuple[str, str]] = {
    "source": ("rgba(230, 159, 0, 0.38)", "#E69F00"),
    "cue": ("rgba(0, 158, 115, 0.32)", "#009E73"),
    "content": ("rgba(86, 180, 233, 0.20)", "#0072B2"),
}
#: Kinds whose content is the source's own words (solid underline); the others are reported (dashed).
QUOTED_KINDS = frozenset({"direct", "mixed"})
_ROLE_ORDER = ("cue", "source", "content")          # the most specific role gives the background
_SOURCE_TYPE_WORDS = {"named_person": "named person", "official": "official", "organisation": "organisation",
                      "media": "media", "anonymous": "anonymous", "unknown": "unknown"}
_CONTAINER = ("font-family: Georgia, 'Times New Roman', serif; font-size: 15px; line-height: 2.3; "
              "max-width: 52em; color: #111111; background: #ffffff; padding: 0.8em 1em;")
_MARK = "color: inherit; padding: 0.12em 0.05em; border-radius: 0.2em;"
_BADGE = ("font-family: Helvetica, Arial, sans-serif; font-size: 0.62em; font-weight: bold; "
          "letter-spacing: 0.03em; text-transform: uppercase; vertical-align: middle; "
          "padding: 0.05em 0.35em; margin: 0 0.25em 0 0.15em; border-radius: 0.25em; color: #ffffff; "
          "background: {color};")


@dataclass(frozen=True)
class AttributionView:
    """HTML of a highlighted article; a notebook displays it (``_repr_html_``), ``save()`` writes it.

    >>> view = AttributionView("<div>text</div>")
    >>> view._repr_html_()
    '<div>text</div>'
    """

    html: str
    page_title: str = "Attributions"

    def _repr_html_(self) -> str:
        return self.html

    @property
    def data(self) -> str:
        """The HTML (the attribute name of :class:`IPython.display.HTML`)."""
        return self.html

    def __str__(self) -> str:
        return self.html

    def save(self, path: str | Path) -> Path:
        """Write a standalone HTML page holding the view; returns the path."""
        target = Path(path)
        target.write_text("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                          f"<title>{_escape(self.page_title)}</title></head><body>\n{self.html}\n</body></html>\n",
                          encoding="utf-8")
        return target


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    role: str
    statement: int          # index into the statement descriptions


def _escape(value: Any) -> str:
    return html.escape("" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value),
                       quote=True)


def _value(row: pd.Series, column: str) -> Any:
    value = row.get(column)
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def _offsets(row: pd.Series, role: str, length: int, article_id: Any) -> tuple[int, int] | None:
    start, end = _value(row, f"{role}_start"), _value(row, f"{role}_end")
    if start is None or end is None:
        return None
    start, end = int(start), int(end)
    if not 0 <= start < end <= length:
        logger.info("highlight_attributions: %s span %d-%d of article %r is outside its text "
                    "(%d characters); not highlighted", role, start, end, article_id, length)
        return None
    return start, end


def _describe(number: int, row: pd.Series) -> str:
    """Plain-text description of a statement for tooltips (escaped later)."""
    kind = _value(row, "kind") or "statement"
    source = _value(row, "source")
    entity = _value(row, "source_entity")
    source_type = _value(row, "source_type")
    who = f"source “{source}”" if source else "no source"
    if entity and entity != source:
        who += f" = {entity}"
    if source_type:
        who += f" ({_SOURCE_TYPE_WORDS.get(str(source_type), str(source_type))})"
    cue = _value(row, "cue")
    described = f"statement {number} · {str(kind).replace('_', ' ')} · {who}"
    return described + (f" · cue “{cue}”" if cue else "")


def cut_segments(text: str, spans: Sequence[S]) -> Iterator[tuple[int, int, list[S]]]:
    """Cut ``text`` at every span boundary: ``(low, high, spans covering text[low:high])``, in text order.

    ``spans`` are objects with ``start`` and ``end`` (valid offsets into ``text``). The segments are
    flat and cover the whole text, so one tag per segment gives well-formed markup whatever the
    spans: nested, crossing or identical.

    >>> from collections import namedtuple
    >>> Span = namedtuple("Span", "start end")
    >>> [(low, high, len(c)) for low, high, c in cut_segments("abcdef", [Span(1, 4), Span(2, 6)])]
    [(0, 1, 0), (1, 2, 1), (2, 4, 2), (4, 6, 1)]
    """
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    for low, high in itertools.pairwise(cuts):
        yield low, high, [s for s in spans if s.start <= low and high <= s.end]


def mark(segment: str, *, style: str, classes: str, tooltip: str) -> str:
    """One highlighted segment: ``segment`` and ``tooltip`` escaped; ``style`` and ``classes`` are the
    caller's own (never data)."""
    return f'<mark class="{classes}" style="{style}" title="{_escape(tooltip)}">{_escape(segment)}</mark>'


def _content_underline(contents: int, quoted: bool) -> str:
    """Underline of a segment inside ``contents`` content spans: doubled, solid (quoted) or dashed."""
    line = "double" if contents > 1 else "solid" if quoted else "dashed"
    width = 3 if line == "double" else 2
    return f"border-bottom: {width}px {line} {ROLE_COLORS['content'][1]};"


def article_header(article: pd.Series, text: str, summary: str) -> str:
    """The title (unless the text opens with it) and a meta line: outlet · date · ``summary``."""
    header = []
    title = _value(article, "title") if "title" in article.index else None
    if title and not text.lstrip().startswith(str(title).strip()):     # the text may open with its title
        header.append(f'<div style="font-size: 1.25em; font-weight: bold; line-height: 1.4;">'
                      f'{_escape(title)}</div>')
    meta = [str(_value(article, c)) for c in ("outlet",) if c in article.index and _value(article, c)]
    if "published" in article.index and _value(article, "published") is not None:
        meta.append(f"{pd.Timestamp(article['published']):%d %b %Y}")
    meta.append(summary)
    header.append(f'<div style="font-family: Helvetica, Arial, sans-serif; font-size: 13px; color: #555555; '
                  f'line-height: 1.6; margin-bottom: 0.4em;">{_escape(" · ".join(meta))}</div>')
    return "".join(header)


def swatch(label: str, background: str, *, underline: tuple[str, str] | None = None) -> str:
    """A legend entry: ``label`` (escaped) on ``background``, optionally underlined (line style, colour)."""
    style = f"{_MARK} background: {background};"
    if underline:
        style += f" border-bottom: 2px {underline[0]} {underline[1]};"
    return f'<mark style="{style}">{_escape(label)}</mark>'


def legend_line(items: Sequence[str], note: str) -> str:
    """A legend line: the ``swatch`` entries, then a short ``note`` (escaped)."""
    return ('<div style="font-family: Helvetica, Arial, sans-serif; font-size: 13px; line-height: 2; '
            'margin-bottom: 0.6em; color: #333333;">' + " ".join(items) +
            f' <span style="color: #666666;">· {_escape(note)}</span></div>')


def _legend() -> str:
    def role(name: str, label: str, line: str = "") -> str:
        background, color = ROLE_COLORS[name]
        return swatch(label, background, underline=(line, color) if line else None)

    items = [role("source", "source"), role("cue", "cue"),
             role("content", "quoted content", "solid"), role("content", "reported content", "dashed")]
    return legend_line(items, "labels: source type after a source, kind after a cue · hover for details")


def _badge(text: str, color: str, tooltip: str) -> str:
    return f'<span style="{_BADGE.format(color=color)}" title="{_escape(tooltip)}">{_escape(text)}</span>'


def article_statements(attributions: pd.DataFrame, article_id: Any, *,
                       kinds: str | Sequence[str] | None = None,
                       func: str = "highlight_attributions") -> pd.DataFrame:
    """The rows of one article's statements (of ``kinds``, if given) in text order, renumbered from 0."""
    rows = attributions[attributions["article_id"] == article_id]
    if kinds is not None:
        if "kind" not in rows.columns:
            raise InputError(f"{func}(): attributions is missing column 'kind' (needed by kinds=)")
        wanted = [kinds] if isinstance(kinds, str) else list(kinds)
        rows = rows[rows["kind"].isin(wanted).fillna(False).astype(bool)]
    order = [c for c in ("start", "cue_start") if c in rows.columns]
    if order:
        rows = rows.sort_values(order, kind="stable", na_position="last")
    return rows.reset_index(drop=True)


@dataclass(frozen=True)
class Statements:
    """The highlightable spans of one article's statements (see :func:`statement_spans`)."""

    spans: list[_Span]
    descriptions: list[str]
    kinds: list[str]
    badges: dict[int, list[str]]

    def describe(self, covering: Sequence[_Span]) -> tuple[list[str], str, list[str]]:
        """For a segment covered by ``covering`` (non-empty): its roles, most specific first (the first
        gives the background), the CSS of its content underline ("" outside contents) and its tooltip
        lines (one per span, in statement order)."""
        present = {s.role for s in covering}
        roles = [role for role in _ROLE_ORDER if role in present]
        contents = [s for s in covering if s.role == "content"]
        underline = _content_underline(len(contents), any(self.kinds[s.statement] in QUOTED_KINDS
                                                          for s in contents)) if contents else ""
        ranked = sorted(covering, key=lambda s: (s.statement, _ROLE_ORDER.index(s.role)))
        return roles, underline, [f"{s.role} of {self.descriptions[s.statement]}" for s in ranked]


def statement_spans(rows: pd.DataFrame, text: str, article_id: Any, *, labels: bool = True) -> Statements:
    """The source, cue and content spans of ``rows`` (one article's attributions, in display order)
    within ``text``, numbered from 1, with tooltips and (``labels=True``) the labels drawn after
    sources (source type) and cues (kind), keyed by the offset they follow. Spans with missing or
    out-of-range offsets are skipped (logged)."""
    spans: list[_Span] = []
    descriptions: list[str] = []
    kinds: list[str] = []
    for number, (_, row) in enumerate(rows.iterrows(), start=1):
        descriptions.append(_describe(number, row))
        kinds.append(str(_value(row, "kind") or ""))
        for role in ("source", "cue", "content"):
            edges = _offsets(row, role, len(text), article_id)
            if edges is not None:
                spans.append(_Span(edges[0], edges[1], role, number - 1))

    badges: dict[int, list[str]] = {}
    if labels:
        for span in sorted(spans, key=lambda s: (s.end, s.role != "source", s.statement)):
            row = rows.iloc[span.statement]
            if span.role == "source":
                source_type = _value(row, "source_type")
                if source_type:
                    words = _SOURCE_TYPE_WORDS.get(str(source_type), str(source_type))
                    badges.setdefault(span.end, []).append(
                        _badge(words, "#8A5D00", descriptions[span.statement]))
            elif span.role == "cue" and _value(row, "kind"):
                badges.setdefault(span.end, []).append(
                    _badge(str(_value(row, "kind")).replace("_", " "), "#007A59",
                           descriptions[span.statement]))
    return Statements(spans, descriptions, kinds, badges)


def highlight_attributions(article_id: Any, articles: pd.DataFrame, attributions: pd.DataFrame, *,
                           kinds: str | Sequence[str] | None = None, labels: bool = True,
                           legend: bool = True) -> AttributionView:
    """One article as HTML with the source, cue and content of each of its statements highlighted.

    ``articles`` needs ``article_id`` and ``text`` (``title``, ``outlet`` and ``published``
    are shown when present); ``attributions`` needs ``article_id`` and the offset columns
    ``source_start``/``source_end``, ``cue_start``/``cue_end``, ``content_start``/``content_end``
    (``kind``, ``source``, ``source_entity``, ``source_type`` and ``cue`` feed labels and
    tooltips when present). ``kinds`` keeps only statements of those kinds; ``labels=False``
    leaves out the small labels after sources and cues, ``legend=False`` the legend.

    Returns an :class:`AttributionView`: the last expression of a notebook cell displays it; its
    ``html`` attribute is the markup (safe to embed: every value is escaped), ``save(path)``
    writes a page. See the module docstring for how overlapping spans are drawn.

    >>> import pandas as pd
    >>> articles = pd.DataFrame({"article_id": ["a1"], "text": ["<b>Officials said</b> it was over."]})
    >>> attributions = pd.DataFrame({"article_id": ["a1"], "kind": ["indirect"], "source_start": [3],
    ...     "source_end": [12], "cue_start": [13], "cue_end": [17], "content_start": [22],
    ...     "content_end": [33]})
    >>> "<b>" in highlight_attributions("a1", articles, attributions).html
    False
    """
    func = "highlight_attributions"
    require_table(articles, ["article_id", "text"], func=func, what="the articles table", name="articles")
    offsets = [f"{role}_{edge}" for role in ("source", "cue", "content") for edge in ("start", "end")]
    require_table(attributions, ["article_id", *offsets], func=func, what="the attributions table",
                  name="attributions")
    match = articles[articles["article_id"] == article_id]
    if match.empty:
        raise InputError(f"{func}(): article_id {article_id!r} is not in the articles table "
                         f"(it has {len(articles)} articles, e.g. {articles['article_id'].head(3).tolist()})")
    article = match.iloc[0]
    text = "" if pd.isna(article["text"]) else str(article["text"])
    rows = article_statements(attributions, article_id, kinds=kinds, func=func)

    statements = statement_spans(rows, text, article_id, labels=labels)
    pieces: list[str] = []
    for low, high, covering in cut_segments(text, statements.spans):
        if not covering:
            pieces.append(_escape(text[low:high]))
        else:
            roles, underline, lines = statements.describe(covering)
            style = f"{_MARK} background: {ROLE_COLORS[roles[0]][0]};"
            style += f" {underline}" if underline else ""
            pieces.append(mark(text[low:high], style=style, classes=" ".join(f"tk-{r}" for r in roles),
                               tooltip="\n".join(lines)))
        pieces.extend(statements.badges.get(high, []))

    header = article_header(article, text, f"{len(rows)} attributed statement{'s' if len(rows) != 1 else ''}")
    body = (f'<div class="tk-attributions" style="{_CONTAINER}">' + header +
            (_legend() if legend else "") + '<div style="white-space: pre-wrap;">' + "".join(pieces) +
            "</div></div>")
    return AttributionView(body)
