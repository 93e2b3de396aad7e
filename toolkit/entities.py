"""Entity mentions: the ``mentions`` table, one row per named-entity mention.

:func:`extract_mentions` is a pure function from an annotated ``Doc`` to rows, in order of
appearance: the spaCy entities whose label names a kind of entity (people, organisations,
groups, places, events, works, laws, languages, products). Dates, times, numbers, money and
percentages are not entities and are left out. Offsets are character offsets into the article
text, so ``text[start:end] == surface`` for every row.

:func:`canonical_name` gives the ``entity`` column its surface-level normal form (white space,
a leading "the", a trailing possessive, surrounding quotes and punctuation).

Example:
    >>> canonical_name("the Islamic State group's", "ORG")
    'Islamic State group'
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

__all__ = ["MENTIONS_VERSION", "MENTION_COLUMNS", "MENTION_LABELS", "canonical_name", "extract_mentions"]

#: spaCy labels that name entities (the rest are dates, quantities and numbers).
MENTION_LABELS = frozenset({"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT",
                            "WORK_OF_ART", "LAW", "LANGUAGE"})
#: Columns of the rows :func:`extract_mentions` yields (``article_id`` and ``entity`` are added later).
MENTION_COLUMNS = ("sentence", "start", "end", "surface", "label")
#: Bumped whenever :func:`extract_mentions` changes what it returns (it keys the table cache).
MENTIONS_VERSION = "1"

_LEADING_THE = re.compile(r"^(?:the|The|THE)\s+")
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
_EDGE_PUNCT = "\"'“”‘’«»()[]{}.,;:!?-–—*·•|/\\ "
_SPACES = re.compile(r"\s+")


def extract_mentions(doc: Doc) -> list[tuple[int, int, int, str, str]]:
    """Rows ``(sentence, start, end, surface, label)`` for the entity mentions in ``doc``.

    ``sentence`` is the 0-based index of the sentence holding the mention's first token.
    Catches every spaCy entity with a label in :data:`MENTION_LABELS`; misses what the model
    misses (the places module adds gazetteer matches for place names).
    """
    ents = [ent for ent in doc.ents if ent.label_ in MENTION_LABELS]
    if not ents:
        return []
    sentence_of = _sentence_index(doc)
    return [(sentence_of[ent.start], ent.start_char, ent.end_char, ent.text, ent.label_) for ent in ents]


def _sentence_index(doc: Doc) -> list[int]:
    """The sentence number of every token (all 0 when the Doc has no sentence boundaries)."""
    if not (doc.has_annotation("SENT_START") or doc.has_annotation("DEP")):
        return [0] * len(doc)
    index: list[int] = [0] * len(doc)
    for number, sent in enumerate(doc.sents):
        for i in range(sent.start, sent.end):
            index[i] = number
    return index


def canonical_name(surface: str, label: str) -> str:
    """The surface form of an entity with presentation noise removed.

    Collapses white space, drops a leading "the", a trailing possessive and surrounding quotes or
    punctuation; keeps the rest as written (aliases and short names are resolved in later steps).

    >>> canonical_name("  “Deir  el-Zour”,", "GPE")
    'Deir el-Zour'
    """
    name = _SPACES.sub(" ", surface).strip(_EDGE_PUNCT)
    name = _LEADING_THE.sub("", name)
    name = _POSSESSIVE.sub("", name).strip(_EDGE_PUNCT)
    return name or _SPACES.sub(" ", surface).strip()
