"""What a report holds, before any drawing or HTML: charts, their top rows and example sentences.

A report is a list of :class:`Section` (Entities, Places, Sources), each a list of :class:`Chart`.
A chart knows how to draw itself (``draw``, a function returning matplotlib Axes), which rows to
show under it (``rows``, a small table already formatted for reading), and a few
:class:`Example` sentences from the articles, each cut into segments so that the span behind the
count can be highlighted. Nothing here is HTML: the text is kept as it is in the articles and
escaped when the page is written (:mod:`toolkit.report_html`).

The helpers turn rows of the evidence tables into examples: :func:`kwic_examples` (entity and
place mentions, via :func:`toolkit.analysis.kwic`), :func:`statement_examples` (attributed
statements, via :func:`toolkit.sourcing.source_statements`, with the source and the cue
highlighted), :func:`pair_examples` (two entities in one sentence).

Example:
    >>> ex = Example(label="Raqqa", title="Raqqa falls", outlet="Post", published="17 Oct 2017",
    ...              segments=[("Forces took ", None), ("Raqqa", "match"), (" on Tuesday.", None)])
    >>> ex.text
    'Forces took Raqqa on Tuesday.'
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from matplotlib.axes import Axes

from .analysis import kwic
from .sourcing import source_statements

__all__ = [
    "Chart",
    "Example",
    "ReportContent",
    "Section",
    "format_count",
    "format_date",
    "format_share",
    "kwic_examples",
    "pair_examples",
    "statement_examples",
]

logger = logging.getLogger(__name__)

#: Longest unhighlighted stretch kept whole inside an example; longer ones are cut in the middle.
MAX_PLAIN_CHARS = 240
#: Characters of context around a highlighted mention.
CONTEXT_CHARS = 150

Segment = tuple[str, "str | None"]


@dataclass
class Example:
    """One sentence from an article, cut into ``(text, role)`` segments; ``role`` None is plain text.

    Roles: ``"match"`` (the entity or place counted), ``"other"`` (a second entity), ``"source"``
    and ``"cue"`` (who speaks and the reporting verb of a statement).
    """

    label: str
    title: str
    outlet: str | None
    published: str | None
    segments: list[Segment]

    @property
    def text(self) -> str:
        """The example as plain text."""
        return "".join(text for text, _ in self.segments)


@dataclass
class Chart:
    """One chart of the report with the rows and sentences behind it.

    ``draw`` returns the Axes of a new figure, or is None for a table-only item; ``note`` says
    why a chart was not drawn (no dates, one outlet, nothing found).
    """

    key: str
    title: str
    guidance: str
    draw: Callable[[], Axes] | None = None
    note: str | None = None
    rows: pd.DataFrame | None = None
    rows_caption: str = ""
    examples: list[Example] = field(default_factory=list)
    examples_caption: str = ""
    tables: tuple[str, ...] = ()


@dataclass
class Section:
    """A part of the report (Entities, Places, Sources): an introduction and its charts."""

    key: str
    title: str
    intro: str
    charts: list[Chart]


@dataclass
class ReportContent:
    """Everything the report shows, and the tables written beside it."""

    title: str
    summary: dict[str, Any]
    outlets: pd.DataFrame
    skipped: pd.DataFrame
    load_report: pd.DataFrame
    sections: list[Section]
    tables: dict[str, pd.DataFrame]
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Formatting


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, (str, list, tuple)) and bool(pd.isna(value)))


def format_count(value: Any) -> str:
    """A whole number with thousands separators; an empty string when missing.

    >>> format_count(12345)
    '12,345'
    """
    return "" if _missing(value) else f"{int(value):,}"


def format_share(value: Any, digits: int = 0) -> str:
    """A share (0..1) as a percentage, ``<1%`` for small non-zero shares.

    >>> format_share(0.4231), format_share(0.002), format_share(0), format_share(0.996)
    ('42%', '<1%', '0%', '>99%')
    """
    if _missing(value):
        return ""
    percent = float(value) * 100
    step = 10 ** -digits
    if 0 < percent < step:
        return f"<{step:g}%"
    if 100 - step < percent < 100:
        return f">{100 - step:g}%"
    return f"{percent:.{digits}f}%"


def format_date(value: Any, fmt: str = "%d %b %Y") -> str | None:
    """A timestamp as ``04 Sep 2017``; None when missing.

    >>> format_date(pd.Timestamp("2017-09-04", tz="UTC"))
    '04 Sep 2017'
    """
    return None if _missing(value) else pd.Timestamp(value).strftime(fmt)


def text_or_none(value: Any) -> str | None:
    """``value`` as a string, or None when missing or blank."""
    if _missing(value):
        return None
    text = str(value).strip()
    return text or None


# ---------------------------------------------------------------------------------------------
# Examples

_SPACE = re.compile(r"\s+")


def _fold(text: str) -> str:
    return _SPACE.sub(" ", text)


def _trim_plain(segments: list[Segment]) -> list[Segment]:
    """Fold white space and cut long unhighlighted stretches in the middle (``…``)."""
    out: list[Segment] = []
    for index, (text, role) in enumerate(segments):
        text = _fold(text)
        if role is None and len(text) > MAX_PLAIN_CHARS:
            half = MAX_PLAIN_CHARS // 2
            if index == 0:
                text = "…" + text[-MAX_PLAIN_CHARS:].split(" ", 1)[-1]
            elif index == len(segments) - 1:
                text = text[:MAX_PLAIN_CHARS].rsplit(" ", 1)[0] + "…"
            else:
                text = text[:half].rsplit(" ", 1)[0] + " … " + text[-half:].split(" ", 1)[-1]
        if text:
            out.append((text, role))
    return out


def _meta(row: Any) -> tuple[str, str | None, str | None]:
    title = text_or_none(getattr(row, "title", None)) or "(untitled)"
    return title, text_or_none(getattr(row, "outlet", None)), format_date(getattr(row, "published", None))


def _distinct_articles(rows: pd.DataFrame, limit: int) -> pd.DataFrame:
    """The first row of each article, up to ``limit`` articles (rows keep their order)."""
    return rows.drop_duplicates("article_id").head(limit)


def kwic_examples(mentions: pd.DataFrame, articles: pd.DataFrame, entity: str, *, label: str | None = None,
                  limit: int = 1, where: Callable[[pd.DataFrame], pd.Series] | None = None,
                  window: int = CONTEXT_CHARS) -> list[Example]:
    """Up to ``limit`` mentions of ``entity`` (matched on ``mentions["entity"]``), one per article.

    The mentions are those of :func:`toolkit.analysis.kwic` (oldest article first); each is shown
    in its sentence, cut to about ``window`` characters on either side and never across a line
    break. ``where`` filters the KWIC rows (e.g. one outlet, one period) before they are picked.

    >>> articles = pd.DataFrame({"article_id": ["a1"], "title": ["T"],
    ...                          "text": ["Title\\nIt rained. We saw Raqqa today. Then we left."]})
    >>> mentions = pd.DataFrame({"article_id": ["a1"], "sentence": [1], "start": [24], "end": [29],
    ...                          "entity": ["Raqqa"]})
    >>> kwic_examples(mentions, articles, "Raqqa")[0].segments
    [('We saw ', None), ('Raqqa', 'match'), (' today.', None)]
    """
    lines = kwic(mentions, articles, entity, window=0)
    if where is not None and len(lines):
        lines = lines[where(lines).fillna(False).astype(bool)]
    texts = dict(zip(articles["article_id"], articles["text"], strict=False))
    examples = []
    for row in _distinct_articles(lines, limit).itertuples(index=False):
        text = str(texts.get(row.article_id, ""))
        segments = spans_to_segments(text, [(int(row.start), int(row.end), "match")], window)
        title, outlet, published = _meta(row)
        examples.append(Example(label or entity, title, outlet, published, segments))
    return examples


def pair_examples(mentions: pd.DataFrame, articles: pd.DataFrame, entity_a: str, entity_b: str, *,
                  limit: int = 2, window: int = CONTEXT_CHARS) -> list[Example]:
    """Sentences naming both ``entity_a`` and ``entity_b``, both highlighted, one per article.

    >>> articles = pd.DataFrame({"article_id": ["a1"], "title": ["T"], "text": ["Iraq and Syria met."]})
    >>> mentions = pd.DataFrame({"article_id": ["a1", "a1"], "sentence": [0, 0], "start": [0, 9],
    ...                          "end": [4, 14], "entity": ["Iraq", "Syria"]})
    >>> pair_examples(mentions, articles, "Iraq", "Syria")[0].segments
    [('Iraq', 'match'), (' and ', None), ('Syria', 'other'), (' met.', None)]
    """
    a_rows = mentions[mentions["entity"] == entity_a]
    b_rows = mentions[mentions["entity"] == entity_b]
    shared = a_rows.merge(b_rows, on=["article_id", "sentence"], suffixes=("_a", "_b"))
    if shared.empty:
        return []
    order = kwic(mentions, articles, entity_a, window=0)["article_id"].drop_duplicates().tolist()
    rank = {article: i for i, article in enumerate(order)}
    shared = shared.assign(_rank=shared["article_id"].map(rank)).sort_values(
        ["_rank", "start_a", "start_b"], kind="stable")
    texts = dict(zip(articles["article_id"], articles["text"], strict=False))
    meta = articles.set_index("article_id")
    examples = []
    for row in _distinct_articles(shared, limit).itertuples(index=False):
        text = str(texts.get(row.article_id, ""))
        spans = sorted([(int(row.start_a), int(row.end_a), "match"),
                        (int(row.start_b), int(row.end_b), "other")])
        if spans[0][1] > spans[1][0]:          # overlapping mentions: keep the first one only
            spans = spans[:1]
        title, outlet, published = _meta(meta.loc[row.article_id])
        examples.append(Example(f"{entity_a} + {entity_b}", title, outlet, published,
                                spans_to_segments(text, spans, window)))
    return examples


_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s|$)")


def context_bounds(text: str, start: int, end: int, window: int) -> tuple[int, int, bool, bool]:
    """Where to cut the context of ``text[start:end]``: its sentence, at most ``window`` characters aside.

    Returns ``(left, right, cut_left, cut_right)``; a side is "cut" (to be shown with an ellipsis)
    when it stops at the window inside a sentence rather than at a sentence or line boundary.

    >>> context_bounds("One. Two three four. Five.", 9, 14, 40)
    (5, 20, False, False)
    """
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    left, cut_left = max(line_start, start - window), False
    ends = list(_SENTENCE_END.finditer(text, left, start))
    if ends:
        left = ends[-1].end()
    elif left > line_start:
        space = text.find(" ", left, start)
        left, cut_left = (space + 1 if space >= 0 else start), True
    right, cut_right = min(line_end, end + window), False
    found = _SENTENCE_END.search(text, end, right)
    if found:
        right = found.end()
    elif right < line_end:
        space = text.rfind(" ", end, right)
        right, cut_right = (space if space >= 0 else end), True
    while left < start and text[left].isspace():
        left += 1
    return left, right, cut_left, cut_right


def spans_to_segments(text: str, spans: Sequence[tuple[int, int, str]], window: int = CONTEXT_CHARS,
                      ) -> list[Segment]:
    """``text`` around ``spans`` (sorted, not overlapping) as segments: the sentence, spans marked.

    >>> spans_to_segments("It rained. Then Raqqa fell to them. After", [(16, 21, "match")])
    [('Then ', None), ('Raqqa', 'match'), (' fell to them.', None)]
    """
    first, last = spans[0][0], spans[-1][1]
    left, right, cut_left, cut_right = context_bounds(text, first, last, window)
    segments: list[Segment] = [(("…" if cut_left else "") + text[left:first], None)]
    position = first
    for start, end, role in spans:
        if start < position:
            continue
        segments += [(text[position:start], None), (text[start:end], role)]
        position = end
    segments.append((text[position:right] + ("…" if cut_right else ""), None))
    return _trim_plain([s for s in segments if s[0]])


def statement_examples(attributions: pd.DataFrame, articles: pd.DataFrame, source: str | Sequence[str], *,
                       label: str | None = None, limit: int = 2,
                       where: Callable[[pd.DataFrame], pd.Series] | None = None) -> list[Example]:
    """Up to ``limit`` statements of ``source`` (a ``source_entity`` or a source type), one per article.

    The source and the cue are highlighted inside the statement, with the rest of its sentence
    around it (from :func:`toolkit.sourcing.source_statements`).
    """
    rows = source_statements(attributions, articles, source, width=CONTEXT_CHARS)
    if where is not None and len(rows):
        rows = rows[where(rows).fillna(False).astype(bool)]
    if rows.empty:
        return []
    spans = attributions[["article_id", "start", "end", "kind", "source_start", "source_end",
                          "cue_start", "cue_end"]].drop_duplicates(["article_id", "start", "end", "kind"])
    rows = _distinct_articles(rows, limit).merge(spans, on=["article_id", "start", "end", "kind"], how="left")
    texts = dict(zip(articles["article_id"], articles["text"], strict=False))
    examples = []
    for row in rows.itertuples(index=False):
        text = str(texts.get(row.article_id, ""))
        start, end = int(row.start), int(row.end)
        marks = []
        for role, s, e in (("source", row.source_start, row.source_end), ("cue", row.cue_start, row.cue_end)):
            if not _missing(s) and not _missing(e) and start <= int(s) < int(e) <= end:
                marks.append((int(s), int(e), role))
        marks.sort()
        if len(marks) == 2 and marks[0][1] > marks[1][0]:
            marks = marks[:1]
        left, right = str(row.left), str(row.right)
        before = " " if start > 0 and text[start - 1].isspace() and left else ""
        after = " " if end < len(text) and text[end].isspace() and right else ""
        if len(left) >= CONTEXT_CHARS - 10:            # cut by source_statements' width: say so
            left = "…" + left
        if right and not _SENTENCE_END.search(right[-3:]):
            right += "…"
        segments: list[Segment] = [(left + before, None)]
        position = start
        for s, e, role in marks:
            segments += [(text[position:s], None), (text[s:e], role)]
            position = e
        segments += [(text[position:end], None), (after + right, None)]
        title, outlet, published = _meta(row)
        name = label or text_or_none(row.source_entity) or text_or_none(row.source) or "(unnamed)"
        examples.append(Example(name, title, outlet, published, _trim_plain([s for s in segments if s[0]])))
    return examples


def first_examples(builders: Iterable[Callable[[], list[Example]]], limit: int = 3) -> list[Example]:
    """Examples from each builder in turn until ``limit`` are gathered."""
    out: list[Example] = []
    for build in builders:
        if len(out) >= limit:
            break
        out.extend(build()[: limit - len(out)])
    return out
