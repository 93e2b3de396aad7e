"""Offline media analysis: entities, places and sources in a corpus of news articles.

Three lines from a folder of articles to a table of entity mentions:

    >>> import toolkit as tk
    >>> corpus = tk.annotate(tk.load_articles("data/articles"))   # doctest: +SKIP
    >>> corpus.mentions                                            # doctest: +SKIP
"""

from .annotation import ModelSpec, resolve_model
from .clean import clean_text
from .corpus import LoadRecord, LoadReport, article_id_for, load_articles
from .entities import canonical_name, extract_mentions, load_aliases, normalise_mentions
from .errors import CacheError, InputError, LoadWarning, ModelError, ToolkitError, ToolkitWarning
from .merges import save_aliases, suggest_merges
from .pipeline import AnnotateStats, Corpus, annotate

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
    "article_id_for",
    "canonical_name",
    "clean_text",
    "extract_mentions",
    "load_aliases",
    "load_articles",
    "normalise_mentions",
    "resolve_model",
    "save_aliases",
    "suggest_merges",
]
