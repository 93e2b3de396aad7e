"""The analysis stage of a report: from an annotated corpus to sections of charts, rows and examples.

:func:`build_content` computes every summary table the report shows (entity, place and source
counts, trends, co-occurrence, distinctive entities, source-type mix, anonymous sourcing, wire
dependence, quotes per article, reporting verbs, source network, syndicated copy) and describes
each chart: how to draw it, its top rows formatted for reading, a few example sentences, and a
short note on how to read it. Nothing is drawn here (see :mod:`toolkit.report_figures`).

Charts that need something the corpus lacks are kept with a ``note`` saying why they were left
out (and a log line): trends need at least two dated periods, outlet comparisons at least two
outlets, networks and maps at least one pair or resolved place.

Example:
    >>> import toolkit as tk                                                   # doctest: +SKIP
    >>> content = build_content(tk.annotate("data/articles"), title="Demo")   # doctest: +SKIP
    >>> [s.title for s in content.sections]                                   # doctest: +SKIP
    ['Entities', 'Places', 'Sources']
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from .analysis import (
    cooccurrence,
    country_counts,
    distinctive_entities,
    entity_counts,
    entity_trends,
    period_of,
    place_counts,
)
from .maps import plot_country_choropleth, plot_place_map, plot_regional_map
from .pipeline import Corpus
from .plots import (
    LABEL_NAMES,
    plot_cooccurrence_network,
    plot_distinctive_entities,
    plot_entity_trends,
    plot_outlet_heatmap,
    plot_top_entities,
)
from .report_content import (
    Chart,
    ReportContent,
    Section,
    first_examples,
    format_count,
    format_date,
    format_share,
    kwic_examples,
    pair_examples,
    statement_examples,
    text_or_none,
)
from .source_plots import (
    SOURCE_TYPE_NAMES,
    plot_anonymous_rate,
    plot_cue_profile,
    plot_quotes_per_article,
    plot_source_network,
    plot_source_type_mix,
    plot_top_sources,
    plot_wire_dependence,
)
from .sourcing import (
    anonymous_rate,
    cue_profile,
    quotes_per_article,
    source_counts,
    source_edges,
    source_network,
    source_type_mix,
    wire_dependence,
)
from .speakers import SOURCE_TYPES
from .syndication import find_syndicated

__all__ = ["build_content", "choose_freq", "choose_group"]

logger = logging.getLogger(__name__)

#: Rows shown under a chart.
TOP_ROWS = 10
#: Outlets shown side by side in a table.
MAX_OUTLET_COLUMNS = 6
_PERIOD_WORDS = {"W": "week", "MS": "month", "QS": "quarter", "YS": "year"}
#: Why an outlet comparison is left out of the report.
_NO_COMPARISON = "Not drawn: the articles come from fewer than two outlets, so there is nothing to compare."


def choose_group(articles: pd.DataFrame, column: str = "outlet") -> str | None:
    """``column`` when the articles have at least two values of it to compare, else None.

    >>> choose_group(pd.DataFrame({"outlet": ["A", "B", None]}))
    'outlet'
    >>> choose_group(pd.DataFrame({"outlet": ["A", "A"]})) is None
    True
    """
    if column not in articles.columns:
        return None
    return column if articles[column].dropna().nunique() >= 2 else None


def choose_freq(published: pd.Series) -> str | None:
    """A period for trends: weeks over two months or less, months up to three years, then quarters.

    None when fewer than two periods hold dated articles (no trend to draw).

    >>> choose_freq(pd.Series(pd.to_datetime(["2017-09-04", "2017-12-28"], utc=True)))
    'W'
    >>> choose_freq(pd.Series(pd.to_datetime(["2017-09-04", "2018-06-28"], utc=True)))
    'MS'
    """
    dates = pd.to_datetime(published, utc=True, errors="coerce").dropna() if len(published) else published
    if len(dates) < 2:
        return None
    span = (dates.max() - dates.min()).days
    freq = "W" if span <= 120 else "MS" if span <= 3 * 366 else "QS"
    return freq if period_of(dates, freq).nunique() >= 2 else None


def _skip(key: str, title: str, guidance: str, note: str, **kwargs: Any) -> Chart:
    logger.info("report: %s not drawn: %s", key, note)
    return Chart(key, title, guidance, None, note, **kwargs)


Column = str | Callable[[pd.DataFrame], pd.Series]


def _present(frame: pd.DataFrame, columns: dict[str, Column]) -> pd.DataFrame:
    """A table for reading: ``columns`` maps a heading to a source column or a function of the frame."""
    out = pd.DataFrame(index=frame.index)
    for heading, source in columns.items():
        out[heading] = source(frame) if callable(source) else frame[source]
    out = out.reset_index(drop=True)
    return out.astype(object).where(out.notna(), "")


def _group_values(group: str) -> Callable[[pd.DataFrame], pd.Series]:
    """The ``group`` column for reading: missing values shown as "(no outlet)"."""
    word = _group_word(group)
    return lambda frame: frame[group].astype(object).where(frame[group].notna(), f"(no {word})")


def _label_name(label: Any) -> str:
    """``"GPE"`` → ``"Country/city"``; labels without a chart name read as words (``"Work of art"``)."""
    if not isinstance(label, str):
        return ""
    return LABEL_NAMES.get(label, label.replace("_", " ").capitalize())


def _type_name(source_type: Any) -> str:
    return SOURCE_TYPE_NAMES.get(source_type, str(source_type)) if isinstance(source_type, str) else ""


def _plural(n: int, one: str, many: str) -> str:
    """``"1 story"``, ``"3 stories"``."""
    return f"{format_count(n)} {one if n == 1 else many}"


def _group_word(group: str | None) -> str:
    return (group or "outlet").replace("_", " ")


# ---------------------------------------------------------------------------------------------
# Entities


def _entity_section(corpus: Corpus, group: str | None, freq: str | None,
                    tables: dict[str, pd.DataFrame]) -> Section:
    mentions, articles = corpus.mentions, corpus.articles
    counts = entity_counts(mentions, articles)
    tables["entity_counts"] = counts
    charts: list[Chart] = []
    top = counts.head(TOP_ROWS)

    guidance = ("Each bar is one entity: a person, organisation, group, country or event. Its length is "
                "the number of times the articles name it, under any of its spellings; the colour is the "
                "kind of entity. The table adds how many articles name it: an entity named often in few "
                "articles is one story's subject, one named in many runs through the coverage.")
    if counts.empty:
        charts.append(_skip("top_entities", "Most mentioned entities", guidance, "No entities were found."))
    else:
        charts.append(Chart(
            "top_entities", "Most mentioned entities", guidance,
            draw=lambda: plot_top_entities(counts, n=20),
            rows=_present(top, {"Entity": "entity", "Kind": lambda f: f["label"].map(_label_name),
                                "Mentions": lambda f: f["mentions"].map(format_count),
                                "Articles": lambda f: f["articles"].map(format_count),
                                "Share of articles": lambda f: f["share_articles"].map(format_share)}),
            rows_caption=f"The {len(top)} most mentioned entities of {format_count(len(counts))}.",
            examples=first_examples(lambda e=e: kwic_examples(mentions, articles, e)
                                    for e in top["entity"][:3]),
            examples_caption="The first mention of each of the three most mentioned entities.",
            tables=("entity_counts", "mentions")))

    charts.append(_trends_chart(mentions, articles, freq, tables))
    charts.append(_outlet_heatmap_chart(mentions, articles, group, tables))
    charts.append(_cooccurrence_chart(mentions, articles, tables))
    charts.append(_distinctive_chart(mentions, articles, group, tables))
    intro = ("Entities are the people, organisations, groups, countries and events the articles name. "
             "Spellings, titles and short forms of one name are counted together: \"IS\", \"ISIS\" and "
             "\"the Islamic State group\" are one actor, and a person named in full and later by surname "
             "alone in the same article is one person.")
    return Section("entities", "Entities", intro, charts)


def _trends_chart(mentions: pd.DataFrame, articles: pd.DataFrame, freq: str | None,
                  tables: dict[str, pd.DataFrame]) -> Chart:
    period = _PERIOD_WORDS.get(freq or "", "period")
    title = "Entities over time"
    guidance = (f"Each line follows one of the most mentioned entities, counting its mentions per {period}. "
                "A peak marks a time the entity was in the news; one long article can make a small peak "
                "on its own, so check the articles behind it.")
    if freq is None:
        dated = pd.to_datetime(articles["published"], utc=True, errors="coerce").notna().sum() \
            if "published" in articles.columns else 0
        return _skip("entity_trends", title, guidance, "Not drawn: the articles have no dates."
                     if not dated else "Not drawn: the dated articles all fall within a few days.")
    trends = entity_trends(mentions, articles, freq=freq, n=6)
    tables["entity_trends"] = trends
    if trends.empty or trends["mentions"].sum() == 0:
        return _skip("entity_trends", title, guidance, "Not drawn: no dated article names an entity.")
    peaks = (trends.sort_values(["entity", "mentions", "period"], ascending=[True, False, True],
                                kind="stable")
             .groupby("entity", sort=False).head(1).set_index("entity"))
    totals = trends.groupby("entity")["mentions"].sum().sort_values(ascending=False, kind="stable")
    fmt = "%d %b %Y" if freq == "W" else "%b %Y"
    rows = pd.DataFrame({"Entity": totals.index,
                         "Mentions (dated articles)": [format_count(v) for v in totals],
                         f"Busiest {period}": [format_date(peaks.loc[e, "period"], fmt)
                                               for e in totals.index],
                         f"Mentions that {period}": [format_count(peaks.loc[e, "mentions"])
                                                     for e in totals.index]})
    lead = str(totals.index[0])
    peak = pd.Timestamp(peaks.loc[lead, "period"])
    published = articles[["article_id", "published"]]
    in_peak = set(published.loc[period_of(published["published"], freq) == peak, "article_id"])
    examples = kwic_examples(mentions, articles, lead, limit=3,
                             where=lambda lines: lines["article_id"].isin(in_peak))
    return Chart("entity_trends", title, guidance, draw=lambda: plot_entity_trends(trends), rows=rows,
                 rows_caption=f"Each entity's mentions, and its busiest {period}.",
                 examples=examples,
                 examples_caption=f"{lead} in its busiest {period}, {format_date(peak, fmt)}.",
                 tables=("entity_trends",))


def _outlet_heatmap_chart(mentions: pd.DataFrame, articles: pd.DataFrame, group: str | None,
                          tables: dict[str, pd.DataFrame]) -> Chart:
    word = _group_word(group)
    title = f"Who each {word} covers"
    guidance = (f"Rows are the most mentioned entities, columns the {word}s. Each cell is the share of that "
                f"{word}'s articles naming the entity: the darker the cell, the more of its coverage does. "
                f"Read along a row to see which {word}s follow an actor most.")
    if group is None:
        return _skip("outlet_heatmap", title, guidance, _NO_COMPARISON)
    by_group = entity_counts(mentions, articles, by=group)
    tables[f"entity_counts_by_{group}"] = by_group
    if by_group.empty:
        return _skip("outlet_heatmap", title, guidance, "Not drawn: no entities were found.")
    top_entities = entity_counts(mentions, articles)["entity"].head(15).tolist()
    sizes = articles[group].value_counts()
    groups = sorted(str(g) for g in sizes.index[:MAX_OUTLET_COLUMNS])
    shares = (by_group[by_group["entity"].isin(top_entities)]
              .pivot_table(index="entity", columns=group, values="share_articles", aggfunc="sum",
                           fill_value=0.0)
              .reindex(index=top_entities, columns=sorted(str(g) for g in sizes.index), fill_value=0.0))
    rows = shares.loc[top_entities[:8], groups].map(format_share).reset_index()
    rows.columns = ["Entity", *groups]
    lift = shares.sub(shares.mean(axis=1), axis=0)      # how far each cell stands above its row
    examples, used = [], set()
    for name in [str(g) for g in sizes.index[:3]]:
        ranked = lift[name].drop(index=list(used), errors="ignore")
        ranked = ranked.sort_values(ascending=False, kind="stable")
        if ranked.empty:
            continue
        entity = str(ranked.index[0])
        used.add(entity)
        examples += kwic_examples(mentions, articles, entity, label=f"{entity} in {name}",
                                  where=lambda lines, name=name: _group_of(lines, articles, group) == name)
    caption = f"Share of each {word}'s articles naming the most mentioned entities"
    if len(sizes) > len(groups):
        caption += f" (the {len(groups)} {word}s with most articles)"
    return Chart("outlet_heatmap", title, guidance,
                 draw=lambda: plot_outlet_heatmap(by_group, by=group, n=15),
                 rows=rows, rows_caption=caption + ".", examples=examples,
                 examples_caption=f"For the largest {word}s, the entity whose cell stands out most in its "
                                  "column, in one of its articles.",
                 tables=(f"entity_counts_by_{group}",))


def _group_of(lines: pd.DataFrame, articles: pd.DataFrame, group: str) -> pd.Series:
    """The ``group`` value of the article of each row of ``lines``."""
    return lines["article_id"].map(dict(zip(articles["article_id"], articles[group], strict=False)))


def _cooccurrence_chart(mentions: pd.DataFrame, articles: pd.DataFrame,
                        tables: dict[str, pd.DataFrame]) -> Chart:
    title = "Who is named with whom"
    guidance = ("Each line joins two entities named in the same sentence at least twice; the thicker the "
                "line, the more the pair goes together rather than by chance (normalised PMI), and the "
                "larger the circle, the more the entity is mentioned. Entities drawn close together share "
                "many sentences. A pair shows association in the text, not a relation in the world.")
    pairs = cooccurrence(mentions, level="sentence", min_count=2)
    if len(pairs):                   # colour the network's entities by kind
        label_of = (mentions.groupby(["entity", "label"]).size().rename("n").reset_index()
                    .sort_values(["entity", "n", "label"], ascending=[True, False, True], kind="stable")
                    .drop_duplicates("entity").set_index("entity")["label"])
        pairs = pairs.assign(label_a=pairs["entity_a"].map(label_of), label_b=pairs["entity_b"].map(label_of))
    tables["cooccurrence"] = pairs
    if pairs.empty:
        return _skip("cooccurrence_network", title, guidance,
                     "Not drawn: no two entities are named together in two sentences or more.")
    top = pairs.head(TOP_ROWS)
    rows = _present(top, {"Entity": "entity_a", "Named with": "entity_b",
                          "Sentences together": lambda f: f["count"].map(format_count),
                          "Association (NPMI)": lambda f: f["npmi"].map(lambda v: f"{v:.2f}")})
    lead = top.iloc[0]
    return Chart("cooccurrence_network", title, guidance,
                 draw=lambda: plot_cooccurrence_network(pairs, n=30), rows=rows,
                 rows_caption="The pairs named together most often. NPMI runs from 0 (together no more "
                              "than chance) to 1 (always together).",
                 examples=pair_examples(mentions, articles, str(lead["entity_a"]), str(lead["entity_b"]),
                                        limit=3),
                 examples_caption=f"Sentences naming both {lead['entity_a']} and {lead['entity_b']}.",
                 tables=("cooccurrence",))


def _distinctive_chart(mentions: pd.DataFrame, articles: pd.DataFrame, group: str | None,
                       tables: dict[str, pd.DataFrame]) -> Chart:
    word = _group_word(group)
    title = f"What each {word} covers more, or less, than the others"
    guidance = (f"For each {word}, the entities it names more (red, right) or less (blue, left) than the "
                f"other {word}s do, as a z-score: beyond ±2 the difference is unlikely to be chance. It "
                f"compares the {word}s with each other, not with what happened.")
    if group is None:
        return _skip("distinctive_entities", title, guidance, _NO_COMPARISON)
    try:
        distinctive = distinctive_entities(mentions, articles, by=group, min_count=3)
    except ValueError as exc:            # InputError: fewer than two groups with mentions
        return _skip("distinctive_entities", title, guidance, f"Not drawn: {exc}")
    tables["distinctive_entities"] = distinctive
    over = distinctive[distinctive["z"] > 0].sort_values([group, "z"], ascending=[True, False], kind="stable")
    over = over.groupby(group, sort=True).head(2)
    if over.empty:
        return _skip("distinctive_entities", title, guidance,
                     "Not drawn: no entity is named three times or more.")
    rows = _present(over, {word.capitalize(): _group_values(group), "Names more than the others": "entity",
                           "Mentions": lambda f: f["count"].map(format_count),
                           "Mentions elsewhere": lambda f: f["count_rest"].map(format_count),
                           "z": lambda f: f["z"].map(lambda v: f"{v:+.1f}")})
    lead = over.sort_values("z", ascending=False, kind="stable").iloc[0]
    name, entity = lead[group], str(lead["entity"])
    examples = kwic_examples(mentions, articles, entity, label=f"{entity} in {name}", limit=3,
                             where=lambda lines: _group_of(lines, articles, group) == name)
    return Chart("distinctive_entities", title, guidance,
                 draw=lambda: plot_distinctive_entities(distinctive, by=group, n=5), rows=rows,
                 rows_caption=f"The two entities each {word} names most above the others' rate.",
                 examples=examples, examples_caption=f"{entity} in {name}, the widest gap of all.",
                 tables=("distinctive_entities",))


# ---------------------------------------------------------------------------------------------
# Places


def _place_section(corpus: Corpus, tables: dict[str, pd.DataFrame]) -> Section:
    places, articles = corpus.places, corpus.articles
    by_place = place_counts(places, articles)
    by_country = country_counts(places, articles)
    by_article = country_counts(places, articles, by="article_id")
    tables.update(place_counts=by_place, country_counts=by_country, country_counts_by_article=by_article)
    names = dict(zip(by_country["country_code"], by_country["country_name"], strict=False))
    resolved = places[places["place_id"].notna()]
    keyed = resolved.assign(entity=resolved["place_id"].astype("int64").astype(str))

    def place_examples(rows: pd.DataFrame, limit: int = 3) -> list:
        return first_examples((lambda r=r: kwic_examples(
            keyed, articles, str(int(r.place_id)), label=_place_label(r, names))
            for r in rows.itertuples(index=False)), limit)

    charts: list[Chart] = []
    empty_note = "Not drawn: no place could be resolved to a point on the map."
    guidance = ("Each circle is a place the articles mention, its area proportional to the number of "
                "mentions; the most mentioned are labelled. Countries are drawn at their centre.")
    top = by_place.head(TOP_ROWS)
    place_rows = _present(top, {"Place": "place_name",
                                "Country": lambda f: f["country_code"].map(lambda c: _country_name(c, names)),
                                "Kind": "feature", "Mentions": lambda f: f["mentions"].map(format_count),
                                "Articles": lambda f: f["articles"].map(format_count)})
    if by_place.empty:
        charts.append(_skip("place_map", "Places on the map", guidance, empty_note))
    else:
        charts.append(Chart("place_map", "Places on the map", guidance,
                            draw=lambda: plot_place_map(by_place, n_labels=10), rows=place_rows,
                            rows_caption=f"The {len(top)} most mentioned places of "
                                         f"{format_count(len(by_place))}.",
                            examples=place_examples(top), examples_caption="The three most mentioned places.",
                            tables=("place_counts", "places")))

    guidance = ("Countries are shaded by how often the articles mention them or any place in them (a "
                "mention of Mosul counts for Iraq): the darker, the more. Countries never mentioned stay "
                "white.")
    if by_country.empty:
        charts.append(_skip("country_choropleth", "Countries", guidance, empty_note))
    else:
        top_c = by_country.head(TOP_ROWS)
        lead = str(top_c["country_code"].iloc[0])
        in_lead = resolved[resolved["country_code"] == lead].drop_duplicates("place_id")
        in_lead = in_lead.merge(by_place[["place_id", "mentions"]], on="place_id", how="left")
        in_lead = in_lead.assign(_country=in_lead["feature"].eq("country")).sort_values(
            ["_country", "mentions", "place_id"], ascending=[True, False, True], kind="stable")
        charts.append(Chart(
            "country_choropleth", "Countries", guidance, draw=lambda: plot_country_choropleth(by_country),
            rows=_present(top_c, {"Country": "country_name",
                                  "Mentions": lambda f: f["mentions"].map(format_count),
                                  "Articles": lambda f: f["articles"].map(format_count),
                                  "Share of articles": lambda f: f["share_articles"].map(format_share)}),
            rows_caption="Mentions of each country, counting every place in it.",
            examples=place_examples(in_lead),
            examples_caption=f"Places that count for {names.get(lead, lead)}: its towns and regions count "
                             "for it too.",
            tables=("country_counts",)))

    guidance = ("The same places, zoomed to the area where most mentions are, with places and countries "
                "named. The table counts the articles whose main country is each one: the country an "
                "article mentions most, counting the places in it.")
    if by_place.empty:
        charts.append(_skip("regional_map", "Where the coverage is", guidance, empty_note))
    else:
        main = (by_article.sort_values(["article_id", "mentions", "country_name"],
                                       ascending=[True, False, True], kind="stable")
                .drop_duplicates("article_id"))
        main_rows = (main.groupby("country_name").size().rename("articles").reset_index()
                     .sort_values(["articles", "country_name"], ascending=[False, True], kind="stable")
                     .head(TOP_ROWS))
        local = by_place[by_place["feature"] != "country"].head(3)
        charts.append(Chart(
            "regional_map", "Where the coverage is", guidance,
            draw=lambda: plot_regional_map(by_place, n_labels=12),
            rows=_present(main_rows, {"Main country": "country_name",
                                      "Articles": lambda f: f["articles"].map(format_count)}),
            rows_caption="Articles by the country they are mostly about.",
            examples=place_examples(local),
            examples_caption="The most mentioned places below the level of a country.",
            tables=("country_counts_by_article",)))

    unresolved = places[places["place_id"].isna()]
    if len(unresolved):
        reasons = (unresolved.assign(reason=unresolved["reason"].fillna("").astype(str))
                   .groupby(["surface", "reason"]).size().rename("mentions").reset_index()
                   .sort_values(["mentions", "surface"], ascending=[False, True], kind="stable"))
        charts.append(Chart(
            "unresolved_places", "Names not placed on the map",
            "Names recognised as places that could not be placed with confidence, with the reason. They "
            "are left out of the maps and counts rather than guessed.",
            rows=_present(reasons.head(TOP_ROWS), {"Name": "surface", "Why": "reason",
                                                   "Mentions": lambda f: f["mentions"].map(format_count)}),
            rows_caption=f"{format_count(len(unresolved))} of {format_count(len(places))} place mentions "
                         "were not placed.", tables=("places",)))
    share = len(resolved) / len(places) if len(places) else 0.0
    intro = ("Places are found by the language model and by an offline gazetteer of about 255,000 places, "
             "then resolved to one point on the map, with the other places in the article as evidence "
             f"(\"Paris\" beside \"Texas\" is Paris, Texas). {format_share(share)} of the "
             f"{format_count(len(places))} place mentions were placed.")
    return Section("places", "Places", intro, charts)


def _country_name(code: Any, names: dict[Any, Any]) -> str:
    text = text_or_none(code)
    return "" if text is None else str(names.get(text, text))


def _place_label(row: Any, names: dict[Any, Any]) -> str:
    country = _country_name(row.country_code, names)
    name = str(row.place_name)
    return f"{name}, {country}" if isinstance(country, str) and country and country != name else name


# ---------------------------------------------------------------------------------------------
# Sources


def _source_section(corpus: Corpus, group: str | None, tables: dict[str, pd.DataFrame]) -> Section:
    attributions, articles = corpus.attributions, corpus.articles
    word = _group_word(group)
    per = f" per {word}" if group else ""
    counts = source_counts(attributions, articles)
    tables["source_counts"] = counts
    charts: list[Chart] = []
    no_statements = "Not drawn: no attributed statement was found."

    guidance = ("The people and bodies quoted most, by number of statements; the colour is the kind of "
                "source. The table adds how many articles quote each one.")
    top = counts.head(TOP_ROWS)
    if counts.empty:
        charts.append(_skip("top_sources", "Who is quoted most", guidance, no_statements))
    else:
        charts.append(Chart(
            "top_sources", "Who is quoted most", guidance, draw=lambda: plot_top_sources(counts, n=15),
            rows=_present(top, {"Source": "source_entity", "Kind": lambda f: f["source_type"].map(_type_name),
                                "Statements": lambda f: f["statements"].map(format_count),
                                "Articles": lambda f: f["articles"].map(format_count),
                                "Share of statements": lambda f: f["share"].map(format_share)}),
            rows_caption=f"The {len(top)} most quoted sources.",
            examples=first_examples(lambda s=s: statement_examples(attributions, articles, s, limit=1)
                                    for s in top["source_entity"][:3]),
            examples_caption="A statement of each of the three most quoted sources: the source is marked "
                             "in orange, the reporting verb in green.",
            tables=("source_counts", "attributions")))

    mix = source_type_mix(attributions, articles, by=group)
    overall = source_type_mix(attributions, articles, by=None)
    tables["source_type_mix"] = mix
    guidance = (f"The share of statements from each kind of source{per}: named people, officials, "
                "organisations, media, anonymous sources. The whiskers are 95% intervals: the wider they "
                "are, the fewer statements the share rests on.")
    if overall.empty or overall["count"].sum() == 0:
        charts.append(_skip("source_type_mix", "What kind of sources", guidance, no_statements))
    else:
        ordered = overall.sort_values(["count", "source_type"], ascending=[False, True], kind="stable")
        charts.append(Chart(
            "source_type_mix", "What kind of sources", guidance, draw=lambda: plot_source_type_mix(mix),
            rows=_present(ordered, {"Kind of source": lambda f: f["source_type"].map(_type_name),
                                    "Statements": lambda f: f["count"].map(format_count),
                                    "Share": lambda f: f["share"].map(format_share),
                                    "95% interval": lambda f: _interval(f)}),
            rows_caption="All statements of the corpus together.",
            examples=first_examples(lambda t=t: statement_examples(attributions, articles, t, limit=1,
                                                                   label=_type_name(t))
                                    for t in ordered["source_type"] if t != "unknown"),
            examples_caption="One statement of each of the most common kinds of source.",
            tables=("source_type_mix",)))

    rates = anonymous_rate(attributions, articles, by=group)
    tables["anonymous_rate"] = rates
    guidance = (f"The share of statements whose source is not named (\"officials said\", \"a source close to "
                f"the talks\"){per}, with its 95% interval and the counts behind it.")
    if rates.empty or rates["total"].sum() == 0:
        charts.append(_skip("anonymous_rate", "Anonymous sources", guidance, no_statements))
    else:
        columns: dict[str, Any] = {word.capitalize(): _group_values(group)} if group else {}
        columns.update({"Anonymous": lambda f: f["count"].map(format_count),
                        "Statements": lambda f: f["total"].map(format_count),
                        "Share": lambda f: f["share"].map(format_share), "95% interval": _interval})
        charts.append(Chart(
            "anonymous_rate", "Anonymous sources", guidance,
            draw=(lambda: plot_anonymous_rate(rates)) if group else None,     # one share: the table says it
            rows=_present(rates, columns), rows_caption=f"Statements with an unnamed source{per}.",
            examples=statement_examples(attributions, articles, "anonymous", label="Anonymous", limit=3),
            examples_caption="Statements with an unnamed source.", tables=("anonymous_rate",)))

    syndication = find_syndicated(articles)
    tables["syndication"] = syndication
    wire = wire_dependence(attributions, articles, syndication=syndication, by=group)
    tables["wire_dependence"] = wire
    guidance = ("How much of the output rests on news agencies, three ways: articles crediting a wire "
                "agency (\"(AFP) —\", \"Reuters reported\"), articles quoting a media source, and articles "
                "that are shared copy, near-identical to another article of the corpus."
                + (" Each dot is a share of articles with its 95% interval." if group else ""))
    if wire.empty or wire["total"].sum() == 0:
        charts.append(_skip("wire_dependence", "Reliance on news agencies", guidance,
                            "Not drawn: no articles."))
    else:
        charts.append(Chart(
            "wire_dependence", "Reliance on news agencies", guidance,
            draw=(lambda: plot_wire_dependence(wire)) if group else None,
            rows=_wire_rows(wire, group),
            rows_caption="Articles resting on agency copy, by measure.",
            examples=statement_examples(attributions, articles, "media", label="Media / agency", limit=3),
            examples_caption="Statements credited to a news agency or another outlet.",
            tables=("wire_dependence", "syndication")))

    charts.append(_quotes_chart(attributions, articles, group, tables))
    charts.append(_cue_chart(attributions, articles, group, tables))
    charts.append(_network_chart(attributions, articles, group, tables))
    if len(syndication):
        charts.append(_syndication_item(syndication, articles))
    intro = ("A statement is a passage where someone is quoted or reported: a direct quote, a reported claim "
             "(\"the army said that…\"), \"according to…\", \"X told Reuters\", or a wire credit. Each "
             "statement's source is linked to a name where the text allows and given a kind: named person, "
             f"official, organisation, media or agency, anonymous. {format_count(len(attributions))} "
             f"statements were found, from {format_count(attributions['source_entity'].nunique())} "
             "named sources.")
    return Section("sources", "Sources", intro, charts)


_MEASURE_NAMES = {"wire_credit": "Credits a wire agency", "media_source": "Quotes a media source",
                  "shared_copy": "Shared copy", "credit_or_copy": "Credit or shared copy"}


def _wire_rows(wire: pd.DataFrame, group: str | None) -> pd.DataFrame:
    """One row per outlet, one column per measure: "2 of 8 (25%)"."""
    cells = wire.assign(cell=wire["count"].map(format_count) + " of " + wire["total"].map(format_count)
                        + " (" + wire["share"].map(format_share) + ")")
    measures = [m for m in _MEASURE_NAMES if m in set(cells["measure"])]
    if group is None:
        row = cells.set_index("measure")["cell"]
        return pd.DataFrame([[row.get(m, "") for m in measures]],
                            columns=[_MEASURE_NAMES[m] for m in measures])
    cells = cells.assign(_group=_group_values(group)(cells))
    table = cells.pivot_table(index="_group", columns="measure", values="cell", aggfunc="first", sort=False)
    table = table.reindex(columns=measures).fillna("")
    table.columns = [_MEASURE_NAMES[m] for m in measures]
    return table.rename_axis(_group_word(group).capitalize()).reset_index().head(TOP_ROWS)


def _interval(frame: pd.DataFrame) -> pd.Series:
    return frame["ci_low"].map(format_share) + "–" + frame["ci_high"].map(format_share)


def _quotes_chart(attributions: pd.DataFrame, articles: pd.DataFrame, group: str | None,
                  tables: dict[str, pd.DataFrame]) -> Chart:
    word = _group_word(group)
    title = "Statements per article"
    guidance = ("How many statements each article contains. Each dot is one article; the box spans the "
                "middle half of the articles and the line across it is the median. Articles without a "
                "single statement sit at zero.")
    per_article = quotes_per_article(attributions, articles, by=group)
    tables["quotes_per_article"] = per_article
    if per_article.empty:
        return _skip("quotes_per_article", title, guidance, "Not drawn: no articles.")
    keys = [group] if group else []
    summary = (per_article.groupby(keys, dropna=False)["statements"] if keys
               else per_article.assign(_all=0).groupby("_all")["statements"])
    stats = summary.agg(articles="size", median="median", mean="mean", most="max",
                        none=lambda s: int((s == 0).sum())).reset_index()
    columns: dict[str, Any] = {word.capitalize(): _group_values(group)} if group else {}
    columns.update({"Articles": lambda f: f["articles"].map(format_count),
                    "Median": lambda f: f["median"].map(lambda v: f"{v:g}"),
                    "Mean": lambda f: f["mean"].map(lambda v: f"{v:.1f}"),
                    "Most": lambda f: f["most"].map(format_count),
                    "Without statements": lambda f: f["none"].map(format_count)})
    busiest = per_article.sort_values(["statements", "article_id"], ascending=[False, True], kind="stable")
    lead = str(busiest["article_id"].iloc[0])
    titles = dict(zip(articles["article_id"], articles["title"], strict=False))
    lead_title = text_or_none(titles.get(lead)) or lead
    examples = [e for e in _article_statements(attributions, articles, lead)]
    return Chart("quotes_per_article", title, guidance,
                 draw=lambda: plot_quotes_per_article(per_article), rows=_present(stats, columns),
                 rows_caption=f"Statements per article{' per ' + word if group else ''}.",
                 examples=examples,
                 examples_caption=f"The first statements of the article with the most ({lead_title}).",
                 tables=("quotes_per_article",))


def _article_statements(attributions: pd.DataFrame, articles: pd.DataFrame, article_id: str,
                        limit: int = 3) -> list:
    rows = attributions[attributions["article_id"] == article_id].sort_values("start", kind="stable")
    examples: list = []
    for source in rows["source_entity"].dropna().drop_duplicates():
        if len(examples) >= limit:
            break
        examples += statement_examples(attributions, articles, str(source), limit=1,
                                       where=lambda r: r["article_id"] == article_id)
    return examples


def _cue_chart(attributions: pd.DataFrame, articles: pd.DataFrame, group: str | None,
               tables: dict[str, pd.DataFrame]) -> Chart:
    word = _group_word(group)
    title = "How statements are introduced"
    whose = f"each {word}'s" if group else "all"
    guidance = (f"The reporting verbs that introduce statements (\"said\", \"told\", \"according to\", "
                f"\"claimed\"…) as shares of {whose} statements: "
                "the darker the cell, the more often the verb is used. Verbs such as \"claimed\" or "
                "\"admitted\" carry a judgement that \"said\" does not.")
    profile = cue_profile(attributions, articles, by=group, n=10)
    overall = cue_profile(attributions, articles, by=None, n=10)
    tables["cue_profile"] = profile
    if overall.empty:
        return _skip("cue_profile", title, guidance, "Not drawn: no attributed statement was found.")
    overall = overall.sort_values(["count", "cue_lemma"], ascending=[False, True], kind="stable")
    examples = []
    for cue in overall["cue_lemma"].head(4):
        if len(examples) >= 3:
            break
        picked = attributions[attributions["cue_lemma"] == cue]
        examples += statement_examples(picked, articles, list(SOURCE_TYPES), label=f"“{cue}”", limit=1)
    return Chart("cue_profile", title, guidance, draw=lambda: plot_cue_profile(profile),
                 rows=_present(overall.head(TOP_ROWS), {"Reporting verb": "cue_lemma",
                                                        "Statements": lambda f: f["count"].map(format_count),
                                                        "Share": lambda f: f["share"].map(format_share)}),
                 rows_caption="The most used reporting verbs, in all statements.", examples=examples,
                 examples_caption="A statement introduced by each of the most used verbs.",
                 tables=("cue_profile",))


def _network_chart(attributions: pd.DataFrame, articles: pd.DataFrame, group: str | None,
                   tables: dict[str, pd.DataFrame]) -> Chart:
    word = _group_word(group)
    title = f"Which {word}s quote whom"
    guidance = (f"{word.capitalize()}s (dark squares) joined to the sources they quote at least twice "
                f"(circles, coloured by kind of source). Sources between several {word}s are quoted by all "
                f"of them; those at the rim by one {word} only.")
    if group is None:
        return _skip("source_network", title, guidance, _NO_COMPARISON)
    edges = source_edges(attributions, articles, by=group)
    tables["source_edges"] = edges
    if edges.empty:
        return _skip("source_network", title, guidance, f"Not drawn: no {word} quotes a source twice.")
    graph = source_network(attributions, articles, by=group)
    shared = (edges.groupby("source_entity")
              .agg(outlets=(group, "nunique"), statements=("statements", "sum"),
                   source_type=("source_type", "first"))
              .reset_index().sort_values(["outlets", "statements", "source_entity"],
                                         ascending=[False, False, True], kind="stable"))
    lead = str(shared["source_entity"].iloc[0])
    quoting = edges[edges["source_entity"] == lead][group].tolist()
    examples = first_examples(
        lambda g=g: statement_examples(attributions, articles, lead, label=f"{lead} in {g}", limit=1,
                                       where=lambda r, g=g: _group_of(r, articles, group) == g)
        for g in quoting)
    return Chart("source_network", title, guidance, draw=lambda: plot_source_network(graph, n=40),
                 rows=_present(shared.head(TOP_ROWS), {
                     "Source": "source_entity", "Kind": lambda f: f["source_type"].map(_type_name),
                     f"{word.capitalize()}s quoting it twice or more":
                         lambda f: f["outlets"].map(format_count),
                     "Statements": lambda f: f["statements"].map(format_count)}),
                 rows_caption=f"Sources quoted by the most {word}s.", examples=examples,
                 examples_caption=f"{lead} as quoted by different {word}s.", tables=("source_edges",))


def _syndication_item(groups: pd.DataFrame, articles: pd.DataFrame) -> Chart:
    titles = dict(zip(articles["article_id"], articles["title"], strict=False))
    first = groups[groups["is_first"]].copy()
    first["title"] = first["article_id"].map(titles)
    first = first.sort_values(["group_size", "published"], ascending=[False, True], kind="stable")
    return Chart(
        "syndication", "Shared copy",
        "Stories that appear more than once in the corpus as near-identical text (syndicated or "
        "republished copy), with the outlets that ran them. Such a story counts once per copy in the charts "
        "above; in Python, the counting functions take dedupe=\"syndicated\" to count it once.",
        rows=_present(first.head(TOP_ROWS), {"Story (first copy)": "title",
                                             "Copies": lambda f: f["group_size"].map(format_count),
                                             "Outlets": "outlets",
                                             "First published": lambda f: f["published"].map(format_date)}),
        rows_caption=_plural(groups["story_id"].nunique(), "story", "stories") + " with more than one copy.",
        tables=("syndication",))


# ---------------------------------------------------------------------------------------------
# Summary


def _summary(corpus: Corpus, group: str | None) -> tuple[dict[str, Any], pd.DataFrame]:
    articles = corpus.articles
    published = articles["published"] if "published" in articles.columns else pd.Series(dtype="object")
    dated = pd.to_datetime(published, utc=True, errors="coerce").dropna()
    outlets = articles["outlet"].dropna() if "outlet" in articles.columns else pd.Series(dtype="object")
    summary = {
        "articles": len(articles),
        "outlets": int(outlets.nunique()),
        "no_outlet": int(len(articles) - len(outlets)),
        "first_date": format_date(dated.min()) if len(dated) else None,
        "last_date": format_date(dated.max()) if len(dated) else None,
        "undated": int(len(articles) - len(dated)),
        "mentions": len(corpus.mentions),
        "entities": int(corpus.mentions["entity"].nunique()),
        "place_mentions": len(corpus.places),
        "places": int(corpus.places["place_id"].nunique()),
        "statements": len(corpus.attributions),
        "sources": int(corpus.attributions["source_entity"].nunique()),
        "model": corpus.model.label,
        "parsed": corpus.stats.parsed,
        "from_cache": corpus.stats.from_cached_docs + corpus.stats.from_cached_tables,
        "group": group,
    }
    table = pd.DataFrame(columns=["Outlet", "Articles", "First", "Last"])
    if len(outlets):
        frame = articles.assign(_date=pd.to_datetime(published, utc=True, errors="coerce"))
        frame = frame.dropna(subset=["outlet"])
        per = (frame.groupby("outlet")
               .agg(n=("article_id", "size"), first=("_date", "min"), last=("_date", "max"))
               .reset_index().sort_values(["n", "outlet"], ascending=[False, True], kind="stable"))
        table = _present(per, {"Outlet": "outlet", "Articles": lambda f: f["n"].map(format_count),
                               "First": lambda f: f["first"].map(format_date),
                               "Last": lambda f: f["last"].map(format_date)})
    return summary, table


def _relative(path: Any, root: str | None) -> str:
    """``path`` relative to the folder that was loaded, when it lies inside it."""
    text = "" if path is None or (not isinstance(path, str) and pd.isna(path)) else str(path)
    if root and text:
        try:
            return str(Path(text).resolve().relative_to(Path(root).resolve()))
        except ValueError:
            pass
    return text


#: Folder names that say nothing about a corpus: the report names their parent too.
_GENERIC_FOLDERS = frozenset({"articles", "data", "corpus", "texts", "text", "input", "inputs", "files",
                              "raw", "docs", "documents", "news", "html", "txt"})


def _strip_root(text: Any, root: str | None) -> Any:
    """``text`` with the loaded folder's path taken out of the file paths it names (e.g. "same text as …")."""
    if not isinstance(text, str) or not root:
        return text
    for prefix in {str(Path(root)), str(Path(root).resolve())}:
        text = text.replace(prefix + os.sep, "")
    return text


def _source_name(source: Any) -> str | None:
    """A short name for what was loaded: the folder or file name (``data/articles`` for generic names)."""
    if not isinstance(source, str) or not source:
        return None
    path = Path(source).resolve()
    name, parent = path.name or str(path), path.parent.name
    if name.lower() in _GENERIC_FOLDERS and parent:
        name = f"{parent}/{name}"
    return name


def build_content(corpus: Corpus, *, title: str | None = None, load_report: Any = None,
                  on_stage: Callable[[str], None] | None = None) -> ReportContent:
    """Every table, chart description, top rows and example of the report of ``corpus``.

    ``load_report`` is the :class:`toolkit.corpus.LoadReport` of the load (default: the one in
    ``corpus.articles.attrs``); its rows end the report, and the skipped inputs are listed in the
    summary. ``on_stage`` is called with "Entities…", "Places…" and "Sources…" as each part starts.
    """
    stage = on_stage or (lambda _message: None)
    articles = corpus.articles
    group = choose_group(articles)
    freq = choose_freq(articles["published"]) if "published" in articles.columns else None
    tables: dict[str, pd.DataFrame] = {}
    stage("Entities…")
    sections = [_entity_section(corpus, group, freq, tables)]
    stage("Places…")
    sections.append(_place_section(corpus, tables))
    stage("Sources…")
    sections.append(_source_section(corpus, group, tables))
    report = load_report if load_report is not None else articles.attrs.get("load_report")
    frame = report.to_frame() if report is not None else pd.DataFrame(
        columns=["path", "item", "status", "reason", "article_id"])
    root = getattr(report, "source", None)          # paths are shown relative to the folder loaded
    if isinstance(root, str) and root:
        root = root if Path(root).is_dir() else str(Path(root).parent)
    else:
        root = None
    shown = frame.assign(path=frame["path"].map(lambda p: _relative(p, root)),
                         reason=frame["reason"].map(lambda r: _strip_root(r, root)))
    load_rows = _present(shown, {"Input": "path", "Item": "item", "Status": "status", "Note": "reason"})
    if not load_rows["Item"].astype(str).str.strip().any():     # folders of files: no row or line numbers
        load_rows = load_rows.drop(columns="Item")
    skipped = load_rows[shown["status"].ne("loaded").to_numpy()].reset_index(drop=True)
    summary, outlets = _summary(corpus, group)
    summary["inputs"] = len(frame)
    summary["source"] = _source_name(getattr(report, "source", None))
    summary["load_summary"] = (f"Loaded {report.loaded} of {report.inputs} inputs from {summary['source']}: "
                               f"{report.skipped} skipped, {report.duplicates} duplicates."
                               if report is not None else None)    # str(report) has the full path
    summary["freq"] = freq
    for name in ("mentions", "places", "attributions"):
        tables[name] = corpus.tables[name]
    tables["articles"] = articles
    tables["load_report"] = frame
    notes = [f"{c.title}: {c.note}" for s in sections for c in s.charts if c.note]
    default_title = f"Coverage report: {summary['source']}" if summary["source"] else "Coverage report"
    return ReportContent(title or default_title, summary, outlets, skipped, load_rows, sections, tables,
                         notes)
