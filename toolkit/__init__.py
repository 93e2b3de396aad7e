"""Offline media analysis: entities, places and sources in a corpus of news articles.

Three lines from a folder of articles to a table of entity mentions:

    >>> import toolkit as tk
    >>> corpus = tk.annotate(tk.load_articles("data/articles"))   # doctest: +SKIP
    >>> corpus.mentions                                            # doctest: +SKIP
"""

from .analysis import (
    cooccurrence,
    cooccurrence_graph,
    country_counts,
    distinctive_entities,
    entity_counts,
    entity_trends,
    kwic,
    period_of,
    place_counts,
)
from .annotation import ModelSpec, resolve_model
from .clean import clean_text
from .corpus import LoadRecord, LoadReport, article_id_for, load_articles
from .drilldown import ArticleView, examples, show, show_examples
from .entities import canonical_name, extract_mentions, load_aliases, normalise_mentions
from .errors import CacheError, InputError, LoadWarning, ModelError, ToolkitError, ToolkitWarning
from .export import write_dataset, write_table
from .gazetteer import load_gazetteer
from .highlight import AttributionView, highlight_attributions
from .maps import plot_country_choropleth, plot_place_map, plot_regional_map, regional_extent
from .merges import save_aliases, suggest_merges
from .paths import find_path
from .pipeline import AnnotateStats, Corpus, annotate
from .places import article_focus, extract_place_mentions, resolve_places
from .plots import (
    plot_cooccurrence_network,
    plot_distinctive_entities,
    plot_entity_trends,
    plot_outlet_heatmap,
    plot_top_entities,
)
from .report import build_report
from .source_plots import (
    plot_anonymous_rate,
    plot_cue_profile,
    plot_quotes_per_article,
    plot_source_network,
    plot_source_type_mix,
    plot_top_sources,
    plot_wire_dependence,
)
from .sources import (
    ATTRIBUTION_KINDS,
    extract_attributions,
    find_quotes,
    load_media_names,
    load_reporting_verbs,
)
from .sourcing import (
    SPEECH_KINDS,
    anonymous_rate,
    cue_profile,
    quoted_word_share,
    quotes_per_article,
    source_counts,
    source_edges,
    source_network,
    source_statements,
    source_type_mix,
    wire_dependence,
)
from .speakers import SOURCE_TYPES, classify_sources, source_type_rules
from .stats import wilson_interval
from .summaries import focus_counts, kind_counts, pivot_counts, places_to_review
from .syndication import dedupe_articles, find_syndicated, shared_copy_by_outlet, syndicated_groups

__version__ = "0.1.0"

__all__ = [
    "ATTRIBUTION_KINDS",
    "SOURCE_TYPES",
    "SPEECH_KINDS",
    "AnnotateStats",
    "ArticleView",
    "AttributionView",
    "CacheError",
    "Corpus",
    "InputError",
    "LoadRecord",
    "LoadReport",
    "LoadWarning",
    "ModelError",
    "ModelSpec",
    "ToolkitError",
    "ToolkitWarning",
    "annotate",
    "anonymous_rate",
    "article_focus",
    "article_id_for",
    "build_report",
    "canonical_name",
    "classify_sources",
    "clean_text",
    "cooccurrence",
    "cooccurrence_graph",
    "country_counts",
    "cue_profile",
    "dedupe_articles",
    "distinctive_entities",
    "entity_counts",
    "entity_trends",
    "examples",
    "extract_attributions",
    "extract_mentions",
    "extract_place_mentions",
    "find_path",
    "find_quotes",
    "find_syndicated",
    "focus_counts",
    "highlight_attributions",
    "kind_counts",
    "kwic",
    "load_aliases",
    "load_articles",
    "load_gazetteer",
    "load_media_names",
    "load_reporting_verbs",
    "normalise_mentions",
    "period_of",
    "pivot_counts",
    "place_counts",
    "places_to_review",
    "plot_anonymous_rate",
    "plot_cooccurrence_network",
    "plot_country_choropleth",
    "plot_cue_profile",
    "plot_distinctive_entities",
    "plot_entity_trends",
    "plot_outlet_heatmap",
    "plot_place_map",
    "plot_quotes_per_article",
    "plot_regional_map",
    "plot_source_network",
    "plot_source_type_mix",
    "plot_top_entities",
    "plot_top_sources",
    "plot_wire_dependence",
    "quoted_word_share",
    "quotes_per_article",
    "regional_extent",
    "resolve_model",
    "resolve_places",
    "save_aliases",
    "shared_copy_by_outlet",
    "show",
    "show_examples",
    "source_counts",
    "source_edges",
    "source_network",
    "source_statements",
    "source_type_mix",
    "source_type_rules",
    "suggest_merges",
    "syndicated_groups",
    "wilson_interval",
    "wire_dependence",
    "write_dataset",
    "write_table",
]
