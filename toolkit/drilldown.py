"""Drill-down in a notebook: from any count to the sentences behind it, and from there to the article.

:func:`examples` takes a row of a count table (:func:`~toolkit.analysis.entity_counts`,
:func:`~toolkit.analysis.place_counts`, :func:`~toolkit.analysis.country_counts`,
:func:`~toolkit.sourcing.source_counts`) or a filter such as ``{"entity": "Haddad", "outlet":
"Meridian Post"}`` and returns the sentences that were counted, with the counted span's offsets
inside each sentence. :func:`show` renders one article with its entities, places and attributed
statements highlighted, in the manner of displaCy, with a tooltip on every highlight saying what
it was resolved to.

Sentences are spaCy's (the same sentences the ``sentence`` column of the tables numbers), read
back from the annotation cache for the few articles shown. The article view reuses the flat,
escaped segments of :mod:`toolkit.highlight`: overlapping spans (an entity inside a quotation,
a place inside a source) always give well-formed markup, and nothing from the articles or the
tables is ever markup.

Example:
    >>> import toolkit as tk
    >>> corpus = tk.annotate(tk.load_articles("data/articles"))       # doctest: +SKIP
    >>> counts = tk.entity_counts(corpus.mentions, corpus.articles)    # doctest: +SKIP
    >>> tk.examples(counts.iloc[0], corpus)                            # doctest: +SKIP
    >>> tk.show("1e1af64730b10335", corpus)                            # doctest: +SKIP
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .analysis import _country_names, _positive_int, kwic, period_of
from .errors import InputError
from .highlight import (
    _CONTAINER,
    _MARK,
    _ROLE_ORDER,
    ROLE_COLORS,
    AttributionView,
    _escape,
    _value,
    article_header,
    article_statements,
    cut_segments,
    legend_line,
    mark,
    statement_spans,
    swatch,
)
from .pipeline import Corpus
from .sourcing import SPEECH_KINDS, source_statements

__all__ = ["EXAMPLE_COLUMNS", "LAYERS", "ArticleView", "examples", "show", "show_examples"]

logger = logging.getLogger(__name__)

#: Columns of :func:`examples`' table, in order.
EXAMPLE_COLUMNS: tuple[str, ...] = ("article_id", "title", "outlet", "published", "sentence", "start", "end",
                                    "surface")
#: The layers :func:`show` can draw.
LAYERS: tuple[str, ...] = ("entities", "places", "attributions")
#: (background, solid colour) of the entity and place layers, from the Okabe–Ito palette (the
#: attribution roles use its orange, bluish green and sky blue; see toolkit.highlight).
LAYER_COLORS: dict[str, tuple[str, str]] = {
    "entity": ("rgba(204, 121, 167, 0.32)", "#CC79A7"),
    "place": ("rgba(240, 228, 66, 0.62)", "#B8A800"),
}
#: Background priority of a segment, most specific first: a statement's cue and source, then a
#: place, an entity, and last the content of a statement (drawn as an underline as well).
_PRIORITY = ("cue", "source", "place", "entity", "content")

# What a row or filter can ask for, by table. A row is selected by the first of _ROW_KEYS it has;
# its "label" and "source_type" describe it (the most frequent label / type) rather than select it.
# In a dict every key filters ("label" and "kind" too), and the keys must all belong to one table.
_FAMILIES: dict[str, tuple[str, ...]] = {
    "attributions": ("source_entity", "source_type"),
    "places": ("place_id", "place_name", "country_code"),
    "mentions": ("entity", "surface"),
}
_ROW_KEYS = ("source_entity", "place_id", "country_code", "entity")
_SELECTORS = ("source_entity", "source_type", "place_id", "place_name", "country_code", "entity", "surface")


@dataclass(frozen=True)
class ArticleView(AttributionView):
    """An article with its evidence highlighted: a notebook displays it, ``save(path)`` writes a page.

    >>> ArticleView("<div>text</div>")._repr_html_()
    '<div>text</div>'
    """

    page_title: str = "Article"


# ---------------------------------------------------------------------------------------------
# show
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Layer:
    start: int
    end: int
    role: str          # "entity" or "place"
    tooltip: str


def _article_id(article: Any, func: str) -> Any:
    """An article id from an id, a row holding ``article_id`` or a one-row table."""
    if isinstance(article, pd.DataFrame):
        if len(article) != 1 or "article_id" not in article.columns:
            raise InputError(f"{func}(): expected an article_id, a row or a one-row table with an "
                             f"'article_id' column; got a table of {len(article)} rows with columns "
                             f"{list(map(str, article.columns))}")
        article = article.iloc[0]
    if isinstance(article, pd.Series):
        if "article_id" not in article.index:
            raise InputError(f"{func}(): the row has no 'article_id' (it has "
                             f"{list(map(str, article.index))}); pass an article_id or a row holding one")
        return article["article_id"]
    if not isinstance(article, str):
        raise InputError(f"{func}(): expected an article_id (a string such as those in corpus.articles."
                         f"article_id) or a row holding one, got {type(article).__name__} {article!r}")
    return article


def _require_corpus(corpus: Any, func: str) -> Corpus:
    if not isinstance(corpus, Corpus):
        raise InputError(f"{func}(): corpus must be the Corpus returned by tk.annotate(), got "
                         f"{type(corpus).__name__}")
    return corpus


def _spans_of(table: pd.DataFrame, text: str, article_id: Any) -> list[tuple[int, int, pd.Series]]:
    """(start, end, row) of every row whose offsets lie inside ``text``, in text order."""
    spans = []
    for _, row in table.sort_values(["start", "end"], kind="stable").iterrows():
        start, end = _value(row, "start"), _value(row, "end")
        if start is None or end is None or not 0 <= int(start) < int(end) <= len(text):
            logger.info("show: span %s-%s of article %r is outside its text; not highlighted", start, end,
                        article_id)
            continue
        spans.append((int(start), int(end), row))
    return spans


def _entity_tooltip(row: pd.Series) -> str:
    entity, surface, label = _value(row, "entity"), _value(row, "surface"), _value(row, "label")
    described = f"entity: {entity or surface}" + (f" · {label}" if label else "")
    return described + (f" · written “{surface}”" if surface and entity and surface != entity else "")


def _place_tooltip(row: pd.Series) -> str:
    surface = _value(row, "surface")
    if _value(row, "place_id") is None:
        reason = _value(row, "reason")
        return f"place: “{surface}” unresolved" + (f" ({reason})" if reason else "")
    code = _value(row, "country_code")
    country = _country_names().get(str(code), str(code)) if code else None
    where = [str(v) for v in (_value(row, "admin1"), country) if v and str(v) != _value(row, "place_name")]
    described = f"place: {_value(row, 'place_name')}"
    if _value(row, "feature"):
        described += f" ({_value(row, 'feature')})"
    if where:
        described += " · " + ", ".join(where)
    if surface and surface != _value(row, "place_name"):
        described += f" · written “{surface}”" + (" (demonym)" if _value(row, "demonym") else "")
    score = _value(row, "score")
    return described + (f" · score {float(score):.2f}" if score is not None else "")


def _legend(layers: Sequence[str]) -> str:
    items = []
    if "entities" in layers:
        items.append(swatch("entity", LAYER_COLORS["entity"][0]))
    if "places" in layers:
        items.append(swatch("place", LAYER_COLORS["place"][0]))
    if "attributions" in layers:
        for role, label, line in (("source", "source", ""), ("cue", "cue", ""),
                                  ("content", "quoted content", "solid"),
                                  ("content", "reported content", "dashed")):
            background, color = ROLE_COLORS[role]
            items.append(swatch(label, background, underline=(line, color) if line else None))
    return legend_line(items, "hover over a highlight for what it was resolved to")


def _check_layers(layers: Any, func: str) -> tuple[str, ...]:
    chosen = (layers,) if isinstance(layers, str) else tuple(layers)
    unknown = [layer for layer in chosen if layer not in LAYERS]
    if unknown or not chosen:
        raise InputError(f"{func}(): layers must name some of {', '.join(map(repr, LAYERS))}, got {layers!r}")
    return chosen


def show(article: Any, corpus: Corpus, *, layers: str | Sequence[str] = LAYERS, labels: bool = True,
         legend: bool = True) -> ArticleView:
    """One article with its entities, places and attributed statements highlighted.

    ``article`` is an ``article_id`` or a row holding one (a row of :func:`examples`,
    ``kwic``, ``source_statements``, ``corpus.mentions`` …); ``corpus`` is what
    :func:`toolkit.annotate` returned. ``layers`` picks what to draw among ``"entities"``,
    ``"places"`` and ``"attributions"`` (default all three; a layer whose table the corpus was not
    annotated with is left out); ``labels=False`` leaves out the small labels after sources (their
    type) and cues (the kind of statement); ``legend=False`` the legend.

    Colours (Okabe–Ito, readable with every common colour-vision deficiency): entities reddish
    purple, places yellow, sources orange, cues bluish green, contents sky blue with a solid
    (quoted) or dashed (reported) underline. Where spans overlap, the most specific one colours
    the text (cue, source, place, entity, content) and the tooltip lists them all: the entity's
    canonical name and label; the place it resolved to, its feature, region and country (or why
    it is unresolved); each statement's kind, source, resolved source and source type.

    Returns an :class:`ArticleView` (displayed by a notebook; ``.html`` is the markup, every value
    escaped; ``.save(path)`` writes a page).

    >>> corpus = tk.annotate(tk.load_articles("data/articles"))       # doctest: +SKIP
    >>> tk.show(corpus.articles.article_id[0], corpus, layers=["places"])   # doctest: +SKIP
    """
    func = "show"
    corpus = _require_corpus(corpus, func)
    tables = {"entities": "mentions", "places": "places", "attributions": "attributions"}
    chosen = tuple(layer for layer in _check_layers(layers, func) if tables[layer] in corpus.tables)
    article_id = _article_id(article, func)
    articles = corpus.articles
    match = articles[articles["article_id"] == article_id]
    if match.empty:
        raise InputError(f"{func}(): article_id {article_id!r} is not in the corpus ({len(articles)} "
                         f"articles, e.g. {articles['article_id'].head(3).tolist()})")
    row = match.iloc[0]
    text = "" if pd.isna(row["text"]) else str(row["text"])

    layer_spans: list[_Layer] = []
    counts = []
    if "entities" in chosen:
        mentions = corpus.mentions[corpus.mentions["article_id"] == article_id]
        found = _spans_of(mentions, text, article_id)
        layer_spans += [_Layer(start, end, "entity", _entity_tooltip(r)) for start, end, r in found]
        counts.append(f"{len(mentions)} entity mention{'s' if len(mentions) != 1 else ''}")
    if "places" in chosen:
        places = corpus.places[corpus.places["article_id"] == article_id]
        found = _spans_of(places, text, article_id)
        layer_spans += [_Layer(start, end, "place", _place_tooltip(r)) for start, end, r in found]
        counts.append(f"{len(places)} place mention{'s' if len(places) != 1 else ''}")
    rows = pd.DataFrame()
    if "attributions" in chosen:
        rows = article_statements(corpus.attributions, article_id, func=func)
        counts.append(f"{len(rows)} attributed statement{'s' if len(rows) != 1 else ''}")
    statements = statement_spans(rows, text, article_id, labels=labels)

    pieces: list[str] = []
    for low, high, covering in cut_segments(text, [*layer_spans, *statements.spans]):
        if not covering:
            pieces.append(_escape(text[low:high]))
        else:
            own = [s for s in covering if isinstance(s, _Layer)]
            said = [s for s in covering if not isinstance(s, _Layer)]
            roles, underline, lines = statements.describe(said) if said else ([], "", [])
            present = {*roles, *(s.role for s in own)}
            top = next(role for role in _PRIORITY if role in present)
            colors = ROLE_COLORS if top in _ROLE_ORDER else LAYER_COLORS
            style = f"{_MARK} background: {colors[top][0]};" + (f" {underline}" if underline else "")
            places_first = sorted(own, key=lambda s: s.role != "place")
            tooltip = [*(s.tooltip for s in places_first), *lines]
            classes = " ".join(f"tk-{role}" for role in _PRIORITY if role in present)
            pieces.append(mark(text[low:high], style=style, classes=classes, tooltip="\n".join(tooltip)))
        pieces.extend(statements.badges.get(high, []))

    header = article_header(row, text, " · ".join(counts))
    body = (f'<div class="tk-article" style="{_CONTAINER}">' + header + (_legend(chosen) if legend else "")
            + '<div style="white-space: pre-wrap;">' + "".join(pieces) + "</div></div>")
    return ArticleView(body, page_title=str(_value(row, "title") or article_id))


# ---------------------------------------------------------------------------------------------
# examples
# ---------------------------------------------------------------------------------------------

def _selection(row_or_filter: Any, func: str) -> tuple[dict[str, Any], bool]:
    """(keys and values, is_row) from a dict, a Series or a one-row DataFrame."""
    if isinstance(row_or_filter, Mapping):
        return dict(row_or_filter), False
    if isinstance(row_or_filter, pd.DataFrame):
        if len(row_or_filter) != 1:
            raise InputError(f"{func}(): a table of counts must be passed one row at a time (e.g. "
                             f"counts.iloc[0] or counts.head(1)); got {len(row_or_filter)} rows")
        return row_or_filter.iloc[0].to_dict(), True
    if isinstance(row_or_filter, pd.Series):
        return row_or_filter.to_dict(), True
    raise InputError(f"{func}(): expected a row of entity_counts, place_counts, country_counts or "
                     "source_counts (a pandas Series or one-row DataFrame), a row of an evidence table, "
                     "or a dict filter such as {'entity': 'Haddad', 'outlet': 'Meridian Post'}; got "
                     f"{type(row_or_filter).__name__}")


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, (str, list, tuple)) and bool(pd.isna(value)))


def _article_subset(groups: dict[str, Any], articles: pd.DataFrame, freq: str) -> pd.DataFrame:
    """The articles having the group values (outlet, period, any article column)."""
    keep = pd.Series(True, index=articles.index)
    for column, value in groups.items():
        values = period_of(articles["published"], freq) if column == "period" else articles[column]
        if _missing(value):
            keep &= values.isna().to_numpy()
        else:
            if column == "period":
                value = pd.Timestamp(value)
                value = value.tz_convert(None) if value.tzinfo else value
            keep &= (values == value).fillna(False).astype(bool).to_numpy()
    return articles[keep]


def _evidence_hits(rows: pd.DataFrame, corpus: Corpus) -> pd.DataFrame:
    """Rows of an evidence table (article_id, start, end) with their article's title, outlet, date."""
    meta = corpus.articles[["article_id"]].copy()
    for column, dtype in (("title", "string"), ("outlet", "string"), ("published", "datetime64[ns, UTC]")):
        meta[column] = corpus.articles[column] if column in corpus.articles.columns else pd.Series(
            pd.NA if dtype == "string" else pd.NaT, index=corpus.articles.index, dtype=dtype)
    hits = rows[["article_id", "start", "end"]].dropna().merge(meta, on="article_id", how="inner", sort=False)
    return hits.astype({"start": "int64", "end": "int64"})


def _hits(selection: dict[str, Any], is_row: bool, corpus: Corpus, kinds: Any, freq: str,
          func: str) -> pd.DataFrame:
    """Counted spans (article_id, title, outlet, published, start, end) in kwic order."""
    articles = corpus.articles
    if is_row:
        what = next((key for key in _ROW_KEYS if key in selection and not _missing(selection[key])), None)
        if what is None:
            raise InputError(f"{func}(): the row has none of the columns {', '.join(_ROW_KEYS)} (it has "
                             f"{', '.join(map(str, selection))}); pass a row of entity_counts, place_counts, "
                             "country_counts or source_counts")
        selectors = {what: selection[what]}
        if what == "source_entity" and not _missing(selection.get("kind")):     # source_counts(by="kind")
            selectors["kind"] = selection["kind"]
        groups = {k: v for k, v in selection.items()
                  if k == "period" or (k in articles.columns and k != "text")}
    else:
        unknown = [k for k in selection if k not in (*_SELECTORS, "label", "kind", "period")
                   and k not in articles.columns]
        if unknown:
            raise InputError(f"{func}(): unknown filter key(s) {', '.join(map(repr, unknown))}; expected "
                             f"one of {', '.join(_SELECTORS)}, 'label', 'kind', plus article columns such "
                             "as 'outlet' or 'period'")
        selectors = {k: v for k, v in selection.items() if k in (*_SELECTORS, "label", "kind")}
        groups = {k: v for k, v in selection.items() if k not in selectors}
        families = {name for name, keys in _FAMILIES.items() if set(keys) & set(selectors)}
        if (len(families) != 1 or (families == {"attributions"} and "label" in selectors)
                or (families != {"attributions"} and "kind" in selectors)):
            raise InputError(f"{func}(): the filter must name what to find with keys of one table: "
                             "'entity' (or 'surface'), 'place_id' / 'place_name' / 'country_code', or "
                             f"'source_entity' / 'source_type' (with 'kind'); got {sorted(selectors)}")
    if "period" in groups and "published" not in articles.columns:
        raise InputError(f"{func}(): a 'period' needs the articles' 'published' dates, which this corpus "
                         "lacks")
    subset = _article_subset(groups, articles, freq)

    family = next(name for name, keys in _FAMILIES.items() if set(keys) & set(selectors))
    if family == "attributions":
        if "attributions" not in corpus.tables:
            raise InputError(f"{func}(): this corpus has no attributions table (annotate it with the "
                             "attributions extractor)")
        table = corpus.attributions
        if "kind" in selectors:                 # one kind asked for: it replaces kinds=
            table = table[(table["kind"] == selectors["kind"]).fillna(False).astype(bool)]
        elif kinds is not None:
            table = table[table["kind"].isin([kinds] if isinstance(kinds, str) else list(kinds))]
        if "source_entity" in selectors and "source_type" in selectors:
            table = table[(table["source_type"] == selectors["source_type"]).fillna(False).astype(bool)]
        name = selectors.get("source_entity", selectors.get("source_type"))
        if not isinstance(name, str):
            raise InputError(f"{func}(): a source must be a string, got {name!r}")
        found = source_statements(table, subset, name, width=0)
        return found[["article_id", "title", "outlet", "published", "start", "end"]]

    name = "places" if family == "places" else "mentions"
    if name not in corpus.tables:
        raise InputError(f"{func}(): this corpus has no {name} table (annotate it with the {name} extractor)")
    table = corpus.tables[name]
    keep = pd.Series(True, index=table.index)
    for column, value in selectors.items():
        if column == "place_id":
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise InputError(f"{func}(): place_id must be a GeoNames id (a whole number), "
                                 f"got {value!r}") from None
        keep &= (table[column] == value).fillna(False).astype(bool)
    matched = table[keep].assign(entity="\0")       # the selection is made: match every row kept
    lines = kwic(matched, subset, "\0", window=0)
    return lines[["article_id", "title", "outlet", "published", "start", "end"]]


def _spread(hits: pd.DataFrame, n: int | None) -> pd.DataFrame:
    """The first ``n`` hits taking one per article in turn (then a second per article …), in hit order."""
    if n is None or len(hits) <= n:
        return hits
    turn = hits.groupby("article_id", sort=False).cumcount()
    order = pd.DataFrame({"turn": turn.to_numpy(), "position": range(len(hits))})
    chosen = order.sort_values(["turn", "position"], kind="stable").head(n)["position"].sort_values()
    return hits.iloc[chosen.to_numpy()]


def _sentence_bounds(corpus: Corpus, article_ids: list[str]) -> dict[str, tuple[list[int], list[int]]]:
    """Sentence start and end offsets of each article, from its spaCy Doc."""
    bounds: dict[str, tuple[list[int], list[int]]] = {}
    for doc in corpus.docs(article_ids):
        try:
            sentences = list(doc.sents)
        except ValueError:              # a Doc without sentence boundaries: one sentence per line
            sentences = []
        if sentences:
            bounds[doc.user_data["article_id"]] = ([s.start_char for s in sentences],
                                                   [s.end_char for s in sentences])
        else:
            starts = [0] + [i + 1 for i, c in enumerate(doc.text) if c == "\n"]
            ends = [i for i, c in enumerate(doc.text) if c == "\n"] + [len(doc.text)]
            bounds[doc.user_data["article_id"]] = (starts, ends)
    return bounds


def examples(row_or_filter: Any, corpus: Corpus, *, n: int | None = 5, kinds: Any = SPEECH_KINDS,
             freq: str = "MS") -> pd.DataFrame:
    """The sentences behind a count: what was counted, in context.

    ``row_or_filter`` is one of:

    - a row of a count table (a Series, e.g. ``counts.iloc[0]``, or a one-row DataFrame):
      :func:`~toolkit.analysis.entity_counts` (``entity``), :func:`~toolkit.analysis.place_counts`
      (``place_id``), :func:`~toolkit.analysis.country_counts` (``country_code``: every place in
      the country) or :func:`~toolkit.sourcing.source_counts` (``source_entity``: the source's
      statements). Grouping columns of the row, ``outlet``, ``period`` (of ``freq``, as counted)
      or any other column of ``corpus.articles``, restrict the sentences to those articles;
      measures (``mentions``, ``share`` …) and descriptions (``label``, ``source_type``) are
      ignored;
    - a dict filter: ``{"entity": "Haddad", "outlet": "Meridian Post"}``. Keys name what to find,
      from one table: ``entity``, ``surface``, ``label`` (mentions); ``place_id``, ``place_name``,
      ``country_code`` (places); ``source_entity``, ``source_type`` (statements; ``"anonymous"``
      finds all anonymous ones; ``kind`` narrows them to one kind); plus article columns and
      ``period`` as above;
    - rows of an evidence table with ``article_id``, ``start`` and ``end`` (``corpus.mentions``,
      ``corpus.places``, ``corpus.attributions``, a ``kwic`` table, a filtered copy …): their
      own sentences.

    Statements count as :func:`~toolkit.sourcing.source_counts` counts them: ``kinds`` (default
    :data:`~toolkit.sourcing.SPEECH_KINDS`, no wire credits; None for all), unless the row (from
    ``source_counts(by="kind")``) or the filter names one ``kind``.

    Returns a DataFrame with columns ``article_id``, ``title``, ``outlet``, ``published``,
    ``sentence`` (the sentence text, or the sentences a statement spans, as in the article),
    ``start`` and ``end`` (the counted span within ``sentence``: ``sentence[start:end]`` is it)
    and ``surface`` (that span: the mention, or the whole statement). At most ``n`` rows (None:
    all), taking the first match of each article in date order before a second from any, then
    sorted by date; ``attrs["matches"]`` holds the number of matches. Nothing found gives an empty
    table with these columns.

    >>> tk.examples({"entity": "Karim Haddad", "outlet": "Meridian Post"}, corpus)   # doctest: +SKIP
    >>> tk.examples(tk.source_counts(corpus.attributions).iloc[0], corpus, n=3)       # doctest: +SKIP
    """
    func = "examples"
    corpus = _require_corpus(corpus, func)
    n = _positive_int(n, "n", func, allow_none=True)
    evidence = (isinstance(row_or_filter, (pd.Series, pd.DataFrame))
                and {"article_id", "start", "end"} <= set(getattr(row_or_filter, "columns",
                                                                  getattr(row_or_filter, "index", []))))
    if evidence:
        rows = row_or_filter.to_frame().T if isinstance(row_or_filter, pd.Series) else row_or_filter
        hits = _evidence_hits(rows, corpus)
    else:
        selection, is_row = _selection(row_or_filter, func)
        hits = _hits(selection, is_row, corpus, kinds, freq, func)
    total = len(hits)
    hits = _spread(hits.reset_index(drop=True), n)

    texts = dict(zip(corpus.articles["article_id"], corpus.articles["text"], strict=True))
    ids = list(dict.fromkeys(hits["article_id"]))
    bounds = _sentence_bounds(corpus, ids) if ids else {}
    sentences, starts, ends, surfaces = [], [], [], []
    for article_id, start, end in zip(hits["article_id"], hits["start"], hits["end"], strict=True):
        text = str(texts[article_id])
        first, last = bounds[article_id]
        opening = min(bisect.bisect_right(last, int(start)), len(first) - 1)   # first one ending after start
        closing = max(bisect.bisect_left(first, int(end)) - 1, 0)             # last one starting before end
        low, high = first[opening], last[closing]
        low, high = min(low, int(start)), max(high, int(end))
        while low < start and text[low].isspace():
            low += 1
        while high > end and text[high - 1].isspace():
            high -= 1
        sentences.append(text[low:high])
        starts.append(int(start) - low)
        ends.append(int(end) - low)
        surfaces.append(text[int(start):int(end)])
    table = hits[["article_id", "title", "outlet", "published"]].reset_index(drop=True).assign(
        sentence=pd.array(sentences, dtype="string"), start=pd.array(starts, dtype="int64"),
        end=pd.array(ends, dtype="int64"), surface=pd.array(surfaces, dtype="string"))
    table = table[list(EXAMPLE_COLUMNS)]
    table.attrs["matches"] = total
    return table


_EXAMPLE_MARK = f"{_MARK} background: rgba(240, 228, 66, 0.62); font-weight: bold;"
_EXAMPLE_META = ("font-family: Helvetica, Arial, sans-serif; font-size: 12px; color: #555555; "
                 "line-height: 1.5;")


def show_examples(table: pd.DataFrame, *, title: str | None = None) -> ArticleView:
    """The sentences of :func:`examples` as a readable list: each with its counted span marked and
    its outlet, date and headline above it (all escaped; rows whose offsets do not fit their
    sentence are shown without a mark). ``title`` heads the list; by default it says how many
    matches there were when the table knows (``attrs["matches"]``).

    >>> table = pd.DataFrame({"article_id": ["a1"], "title": ["Raqqa"], "outlet": ["Post"],
    ...     "published": [pd.NaT], "sentence": ["Haddad said it."], "start": [0], "end": [6],
    ...     "surface": ["Haddad"]})
    >>> "<mark" in show_examples(table).html
    True
    """
    func = "show_examples"
    if not isinstance(table, pd.DataFrame) or not {"sentence", "start", "end"} <= set(table.columns):
        raise InputError(f"{func}(): expected the table returned by examples() (with columns sentence, "
                         f"start and end), got {type(table).__name__}")
    matches = table.attrs.get("matches")
    if title is None:
        title = (f"{len(table)} of {matches} match{'es' if matches != 1 else ''}" if matches is not None
                 else f"{len(table)} sentence{'s' if len(table) != 1 else ''}")
    items = []
    for _, row in table.iterrows():
        sentence = "" if _missing(row["sentence"]) else str(row["sentence"])
        start, end = _value(row, "start"), _value(row, "end")
        if start is not None and end is not None and 0 <= int(start) < int(end) <= len(sentence):
            start, end = int(start), int(end)
            body = (_escape(sentence[:start]) + mark(sentence[start:end], style=_EXAMPLE_MARK,
                                                     classes="tk-example", tooltip=sentence[start:end])
                    + _escape(sentence[end:]))
        else:
            body = _escape(sentence)
        meta = [str(_value(row, c)) for c in ("outlet",) if c in row.index and _value(row, c) is not None]
        if "published" in row.index and _value(row, "published") is not None:
            meta.append(f"{pd.Timestamp(row['published']):%d %b %Y}")
        if "title" in row.index and _value(row, "title") is not None:
            meta.append(str(_value(row, "title")))
        items.append(f'<li style="margin-bottom: 0.7em;"><div style="{_EXAMPLE_META}">'
                     f'{_escape(" · ".join(meta))}</div><div>{body}</div></li>')
    html = (f'<div class="tk-examples" style="{_CONTAINER} line-height: 1.6;">'
            f'<div style="{_EXAMPLE_META} font-size: 13px; margin-bottom: 0.5em;">{_escape(title)}</div>'
            f'<ol style="padding-left: 1.4em; margin: 0;">{"".join(items)}</ol></div>')
    return ArticleView(html, page_title=title)
