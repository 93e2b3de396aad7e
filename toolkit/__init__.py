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
from .entities import canonical_name, extract_mentions, load_aliases, normalise_mentions
from .errors import CacheError, InputError, LoadWarning, ModelError, ToolkitError, ToolkitWarning
from .gazetteer import load_gazetteer
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

__version__ = "0.1.0"

__all__ = [
    "AnnotateStats",
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
    "article_focus",
    "article_id_for",
    "canonical_name",
    "clean_text",
    "cooccurrence",
    "cooccurrence_graph",
    "country_counts",
    "distinctive_entities",
    "entity_counts",
    "entity_trends",
    "extract_mentions",
    "extract_place_mentions",
    "find_path",
    "kwic",
    "load_aliases",
    "load_articles",
    "load_gazetteer",
    "normalise_mentions",
    "period_of",
    "place_counts",
    "plot_cooccurrence_network",
    "plot_country_choropleth",
    "plot_distinctive_entities",
    "plot_entity_trends",
    "plot_outlet_heatmap",
    "plot_place_map",
    "plot_regional_map",
    "plot_top_entities",
    "regional_extent",
    "resolve_model",
    "resolve_places",
    "save_aliases",
    "suggest_merges",
]
