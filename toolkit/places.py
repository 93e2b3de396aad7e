"""Places: finding place names in annotated text, resolving them to GeoNames, and article focus.

Detection (:func:`extract_place_mentions`, a pure function of a ``Doc``, in order of appearance)
combines three sources, and says which one found each row (``found_by``):

* ``model``: spaCy's GPE/LOC/FAC entities (after the alias and person-name rules of
  :func:`toolkit.entities.extract_mentions`), and its NORP entities that are demonyms ("Syrian",
  "Iraqi"; ``demonym`` is True, label NORP);
* ``relabelled``: entities the model labelled PERSON, ORG or NORP that are gazetteer names in a
  place context: after "in/near/from/town of/north of ...", before ", <country or region>", or
  spelled like a place the model tagged elsewhere in the article ("al-Qaim" PERSON next to
  "Al-Qaim" LOC; "Rawa" ORG after "town of"). A person's full name is never split ("Paris
  Hilton");
* ``gazetteer``: capitalised word sequences (up to four tokens) the model left unlabelled that
  are gazetteer names: countries, admin regions, continents, well-known regions, rivers and seas
  always; cities only with 100,000+ people, or with 1,000+ after a place word ("in", "near",
  "town of"). Guards: words inside any other entity, stop words, words the text also uses in
  lower case ("mobile", "reading"), sentence-initial words unless a place word or a large place,
  and a word run on by another capitalised name ("Paris Hilton", "Jordan Peterson") are left
  alone. Demonyms the model missed become ``demonym`` rows (label NORP); US state abbreviations
  ("Calif.", "Ga.") only count after "Town, ".

It misses places whose names the gazetteer lacks when the model misses them too, lower-case
place words ("the gulf"), and most facilities (streets, buildings) unless the model finds them.

Resolution (:func:`resolve_places`) is a table-in, table-out step: every mention gets a
GeoNames candidate chosen by evidence (see the function), or an explicit "unresolved" row with a
``reason``. :func:`article_focus` summarises each article's geographic focus.

Example:
    >>> import toolkit as tk                                              # doctest: +SKIP
    >>> corpus = tk.annotate("data/articles")                              # doctest: +SKIP
    >>> rows = [(doc.user_data["article_id"], *r) for doc in corpus.docs()
    ...         for r in extract_place_mentions(doc)]                      # doctest: +SKIP
    >>> table = pd.DataFrame(rows, columns=["article_id", *PLACE_MENTION_COLUMNS])  # doctest: +SKIP
    >>> places = resolve_places(table)                                       # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import functools
import gc
import itertools
import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from spacy.attrs import IS_LOWER, LOWER
from spacy.tokens import Doc, Span

from .entities import PLACE_LABELS, doc_text, extract_mentions, sentence_index
from .gazetteer import (
    ABBREVIATION,
    ALIAS,
    ALTERNATE,
    DEMONYM,
    FEATURE_CODE,
    FEATURES,
    NAME,
    Candidates,
    Gazetteer,
    load_gazetteer,
)
from .names import name_key, transliteration_key

__all__ = [
    "PLACES_VERSION",
    "PLACE_COLUMNS",
    "PLACE_MENTION_COLUMNS",
    "article_focus",
    "extract_place_mentions",
    "places_from_docs",
    "resolve_places",
]

logger = logging.getLogger(__name__)

#: Columns of the rows :func:`extract_place_mentions` yields.
PLACE_MENTION_COLUMNS = ("sentence", "start", "end", "surface", "label", "found_by", "demonym")
#: Columns :func:`resolve_places` adds.
PLACE_COLUMNS = (
    "place_id",
    "place_name",
    "country_code",
    "admin1",
    "feature",
    "lat",
    "lon",
    "score",
    "method",
    "reason",
)
#: Bumped whenever :func:`extract_place_mentions` changes what it returns (it keys the table cache).
PLACES_VERSION = "1"

_COUNTRY, _ADMIN1, _ADMIN2, _CITY, _CONTINENT = (
    FEATURE_CODE[f] for f in ("country", "admin1", "admin2", "city", "continent")
)
#: Feature classes a gazetteer-only match may always be (no population floor).
_MAJOR_FEATURES = frozenset(FEATURE_CODE[f] for f in FEATURES if f not in ("city", "admin2"))

# --------------------------------------------------------------------------- detection

#: Words right before a name that make it a place ("in Rawa", "near Qaim").
PLACE_PREPOSITIONS = frozenset(
    {
        "in",
        "near",
        "at",
        "from",
        "to",
        "into",
        "outside",
        "around",
        "toward",
        "towards",
        "across",
        "through",
        "via",
        "inside",
        "within",
        "throughout",
        "nearby",
        "reached",
        "entered",
        "captured",
        "retook",
        "recaptured",
        "liberated",
        "seized",
        "besieged",
        "enter",
        "reach",
        "recapture",
        "abandon",
        "abandoned",
        "stormed",
        "shelled",
        "bombed",
        "evacuated",
        "visited",
        "visit",
        "fled",
        "beyond",
        "between",
        "along",
        "downtown",
        "neighbouring",
        "neighboring",
    }
)
#: Compass points, and the direction words built on them, that stand next to place names.
COMPASS_POINTS = frozenset({"north", "south", "east", "west", "northeast", "northwest", "southeast",
                            "southwest"})
DIRECTION_WORDS = COMPASS_POINTS | {"northern", "southern", "eastern", "western", "central", "greater",
                                    "downtown", "rural"}

#: Nouns and directions before "of" that make the next name a place ("town of Qaim", "south of X").
PLACE_NOUNS = frozenset(
    {
        "town",
        "city",
        "village",
        "province",
        "region",
        "district",
        "governorate",
        "county",
        "state",
        "towns",
        "cities",
        "villages",
        "provinces",
        "regions",
        "districts",
        "states",
        "countries",
        "areas",
        "capital",
        "outskirts",
        "suburb",
        "suburbs",
        "centre",
        "center",
        "streets",
        "residents",
        "people",
        "mayor",
        "port",
        "area",
        "border",
        "heart",
        "edge",
        "parts",
        "part",
        "municipality",
        "island",
        "islands",
        "republic",
        "kingdom",
        "coast",
        "shores",
        "banks",
        "outside",
    }
) | COMPASS_POINTS
#: Words a place name is often preceded by without "of" ("the border town Rawa", "northern Iraq").
PLACE_MODIFIERS = frozenset(
    {
        "town",
        "city",
        "village",
        "capital",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
        "northeastern",
        "northwestern",
        "southeastern",
        "southwestern",
        "neighbouring",
        "neighboring",
        "rural",
        "downtown",
        "suburban",
        "coastal",
        "besieged",
        "nearby",
    }
)
#: Nouns after a name that make it a place ("Mosul offensive" stays a place name, these confirm it).
_ABBREVIATION_AFTER_COMMA = re.compile(r"^[A-Z][a-z]{0,4}\.(?:[A-Z][a-z]?\.)?$")
#: Capitalised words that are never a place on their own (months, days, titles, directions).
COMMON_WORDS = frozenset(
    {
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "spring",
        "summer",
        "autumn",
        "winter",
        "christmas",
        "easter",
        "ramadan",
        "eid",
        "god",
        "lord",
        "north",
        "south",
        "east",
        "west",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
        "mr",
        "mrs",
        "president",
        "minister",
        "government",
        "army",
        "police",
        "state",
        "city",
        "county",
        "university",
        "union",
        "national",
        "federal",
        "democratic",
        "republican",
        "independence",
        "liberty",
        "victory",
        "college",
        "church",
        "street",
        "road",
        "river",
        "lake",
        "mount",
        "island",
        "general",
        "major",
        "captain",
        "colonel",
        "governor",
        "senator",
        "king",
        "queen",
        "prince",
        "princess",
        "sir",
        "page",
        "photo",
        "video",
        "reuters",
        "news",
        "media",
        "press",
        "times",
        "post",
        "herald",
        "journal",
        "mobile",
        "reading",
        "nice",
        "split",
        "bath",
        "hope",
        "surprise",
        "orange",
        "deal",
        "sale",
        "wells",
        "best",
        "early",
        "late",
        "good",
        "new",
        "old",
        "young",
        "long",
        "grand",
        "little",
        "great",
        "the",
    }
)
_MAX_NGRAM = 4
_CONNECTORS = frozenset(
    {
        "of",
        "de",
        "del",
        "la",
        "le",
        "du",
        "al",
        "el",
        "an",
        "ad",
        "as",
        "ar",
        "at",
        "az",
        "ez",
        "ed",
        "es",
        "upon",
        "on",
        "the",
        "-",
        "da",
        "do",
        "dos",
        "das",
        "y",
        "und",
    }
)
_GAZETTEER_CITY_FLOOR = 100_000
_CONTEXT_CITY_FLOOR = 1_000


def extract_place_mentions(doc: Doc) -> list[tuple[int, int, int, str, str, str, bool]]:
    """Rows ``(sentence, start, end, surface, label, found_by, demonym)`` for the place mentions in ``doc``.

    See the module docstring for what each source catches and misses. Offsets are character
    offsets into the text (``doc.text[start:end] == surface``); ``sentence`` is the 0-based index of
    the sentence holding the first token.
    """
    gaz = load_gazetteer()
    mentions = extract_mentions(doc)
    sentence_of = sentence_index(doc)
    spans: list[tuple[Span, str, str, bool]] = []  # (span, label, found_by, demonym)
    taken = [False] * len(doc)
    model_place_keys: set[str] = set()
    place_entries: set[int] = set()
    entity_spans: list[tuple[Span, str]] = []
    for _sentence, start, end, _surface, label in mentions:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or not len(span):
            continue
        entity_spans.append((span, label))
        for i in range(span.start, span.end):
            taken[i] = True
        if label in PLACE_LABELS:
            model_place_keys.add(name_key(_trim(span).text))
            place_entries.update(_entries_of(gaz, _trim(span).text))
    person_words = {
        t.text for span, label in entity_spans if label == "PERSON" and len(span) > 1 for t in span
    }
    others: list[tuple[Span, str]] = []
    for span, label in entity_spans:
        span = _trim(span)
        if not len(span):
            continue
        if label in PLACE_LABELS:
            if len(span) > 1 and not _entries_of(gaz, span.text):
                span = _narrow(span, gaz)
            spans.append((span, label, "model", False))
            continue
        if label == "NORP":
            cands = gaz.lookup(span.text)
            if len(cands) and (cands.kind == DEMONYM).any():
                spans.append((span, "NORP", "model", True))
                continue
        if label in ("PERSON", "ORG", "NORP"):
            others.append((span, label))
        if label in ("ORG", "FAC", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART"):
            spans.extend(_places_inside(span, gaz))
    # PERSON/ORG/NORP names that are places: in a place context, spelled like a model place, or
    # listed with places ("Amman, Irbid and Mafraq"); repeated until nothing changes
    relabelled_keys: set[str] = set()
    pending = others
    for _round in range(3):
        place_tokens = {i for sp in spans if not sp[3] for i in (sp[0].start, sp[0].end - 1)}
        still = []
        for span, label in pending:
            found = _relabel(
                doc,
                span,
                label,
                gaz,
                model_place_keys | relabelled_keys,
                place_entries,
                person_words,
                place_tokens,
            )
            if found is not None:
                spans.append((span, found, "relabelled", False))
                relabelled_keys.add(name_key(span.text))
                place_entries.update(_entries_of(gaz, span.text))
            else:
                still.append((span, label))
        if len(still) == len(pending):
            break
        pending = still
    spans.extend(_gazetteer_spans(doc, gaz, taken, person_words))
    spans.sort(key=lambda s: (s[0].start, -len(s[0])))
    rows, last_end = [], -1
    for span, label, found_by, demonym in spans:
        if span.start < last_end:
            continue  # overlaps a row already kept
        last_end = span.end
        rows.append(
            (sentence_of[span.start], span.start_char, span.end_char, span.text, label, found_by, demonym)
        )
    return rows


#: Lower-case words the model sometimes includes at the front of a place ("east Amman").
_LEADING_WORDS = frozenset(
    {
        "the",
        "occupied",
        "northeastern",
        "northwestern",
        "southeastern",
        "southwestern",
    }
) | DIRECTION_WORDS


def _trim(span: Span) -> Span:
    """The span without white space, a leading "the" or lower-case direction, or a final possessive."""
    doc = span.doc
    start, end = span.start, span.end
    while start < end and (doc[start].is_space or (end - start > 1 and doc[start].text in _LEADING_WORDS)):
        start += 1
    while end > start and (doc[end - 1].is_space or doc[end - 1].text in ("'s", "’s", "'", "’", "\n")):
        end -= 1
    return doc[start:end]


#: Words that end the names of organisations and facilities ("Santa Ana City Council").
ORGANISATION_WORDS = frozenset(
    {
        "council",
        "district",
        "department",
        "school",
        "schools",
        "university",
        "college",
        "hospital",
        "airport",
        "police",
        "board",
        "commission",
        "committee",
        "company",
        "center",
        "centre",
        "office",
        "authority",
        "agency",
        "church",
        "station",
        "association",
        "club",
        "society",
        "institute",
        "museum",
        "library",
        "zoo",
        "market",
        "mall",
        "hall",
        "court",
        "prison",
        "jail",
        "corporation",
        "bank",
        "chamber",
        "fair",
        "festival",
        "league",
        "team",
        "party",
        "government",
        "administration",
        "ministry",
        "service",
        "services",
        "union",
        "foundation",
        "group",
        "times",
        "post",
        "news",
        "journal",
        "herald",
        "tribune",
        "fire",
        "sheriff",
        "parks",
        "house",
        "senate",
        "assembly",
        "legislature",
        "delegation",
        "campus",
    }
)
#: Direction words that may front a place name without being part of it ("Northeast Georgia").
_DIRECTIONS = frozenset(
    {
        "upper",
        "lower",
        "metro",
        "metropolitan",
        "coastal",
        "suburban",
        "s.e.",
        "n.e.",
    }
) | DIRECTION_WORDS


def _narrow(span: Span, gaz: Gazetteer) -> Span:
    """A model place span the gazetteer does not know, narrowed to the place it contains:
    "Santa Ana City Council" -> "Santa Ana", "Northeast Georgia" -> "Georgia"."""
    doc = span.doc
    if span[0].lower_ in _DIRECTIONS and len(span) > 1:
        rest = doc[span.start + 1 : span.end]
        if _entries_of(gaz, rest.text):
            return rest
    if span[-1].lower_ in ORGANISATION_WORDS:
        inner = _leading_place(span, gaz, min_population=_CONTEXT_CITY_FLOOR)
        if inner is not None:
            return inner
    return span


def _leading_place(span: Span, gaz: Gazetteer, *, min_population: int) -> Span | None:
    """The longest run of tokens at the front of ``span`` that names a place ("Texas" in "Texas
    Instruments", "Santa Ana" in "Santa Ana City Council"), if any: a country or admin1 region, or a
    city of ``min_population`` people or more, by its main name."""
    doc = span.doc
    start = span.start + (1 if span[0].lower_ == "the" else 0)
    for end in range(min(span.end, start + _MAX_NGRAM), start, -1):
        if end == span.end and start == span.start:
            continue
        sub = doc[start:end]
        if not _is_candidate_start(sub[0]) or not _is_candidate_start(sub[-1]):
            continue
        cands = gaz.lookup_key(name_key(sub.text))
        if not len(cands):
            continue
        named = (cands.kind == NAME) | (cands.kind == ALIAS)
        feature, population = gaz.feature[cands.entry], gaz.population[cands.entry]
        if sub.text.isupper() and len(sub.text) <= 3:
            named &= cands.kind == ALIAS
        ok = named & (
            ((feature == _COUNTRY) | (feature == _ADMIN1))
            | ((feature == _CITY) & (population >= min_population))
        )
        if ok.any():
            return sub
    return None


def _places_inside(span: Span, gaz: Gazetteer) -> list[tuple[Span, str, str, bool]]:
    """Places named at the front of an organisation's or facility's name ("the US State Department",
    "Minnesota House", "Mosul University"): countries, admin1 regions and cities of 100,000+."""
    out = []
    inner = _leading_place(span, gaz, min_population=_GAZETTEER_CITY_FLOOR)
    if inner is not None and (len(inner) > 1 or len(inner.text) >= 4 or inner.text.isupper()):
        cands = gaz.lookup_key(name_key(inner.text))
        region = np.isin(gaz.feature[cands.entry], [_COUNTRY, _ADMIN1]).any()
        # a city only in front of an organisation word ("Birmingham City Council", not "Paris Hilton")
        if region or span[-1].lower_ in ORGANISATION_WORDS:
            out.append((inner, "GPE", "gazetteer", False))
    start = inner.end if inner is not None else span.start
    for token in span.doc[start : span.end]:
        if not _is_candidate_start(token) or not (len(token) >= 4 or token.text.isupper()):
            continue
        cands = gaz.lookup_key(name_key(token.text))
        named = (cands.kind == ALIAS) | ((cands.kind == NAME) & ~np.asarray(token.text.isupper()))
        if (named & (gaz.feature[cands.entry] == _COUNTRY)).any():
            out.append((span.doc[token.i : token.i + 1], "GPE", "gazetteer", False))
    return out


def _place_context(doc: Doc, start: int, end: int) -> bool:
    """True when the tokens before or after ``doc[start:end]`` say it is a place."""
    i = start - 1
    if i >= 0 and doc[i].text in ("-", "–"):  # "north-east of"
        i -= 1
    prev = doc[i].lower_ if i >= 0 else ""
    prev2 = doc[i - 1].lower_ if i >= 1 else ""
    if prev in PLACE_PREPOSITIONS or prev in PLACE_MODIFIERS:
        return True
    if prev == "of" and (prev2 in PLACE_NOUNS or prev2.endswith(("north", "south", "east", "west"))):
        return True
    if prev == "the" and prev2 in PLACE_PREPOSITIONS:
        return True
    if prev == "on" and prev2 in _ON_NOUNS:
        return True
    # "Al-Qaim, Iraq" / "Rawa, in Anbar"
    if end + 1 < len(doc) and doc[end].text == ",":
        nxt = doc[end + 1]
        if nxt.is_title or nxt.is_upper:
            return True
    return False


#: Words after "on" that make the next name a place ("offensive on al-Qaim").
_ON_NOUNS = frozenset(
    {
        "offensive",
        "assault",
        "attack",
        "attacks",
        "advance",
        "march",
        "push",
        "raid",
        "raids",
        "strike",
        "strikes",
        "airstrike",
        "airstrikes",
        "bombardment",
        "closing",
        "converged",
    }
)


def _entries_of(gaz: Gazetteer, text: str) -> set[int]:
    """Gazetteer entries (not via demonyms) a surface may name, for "same place" checks."""
    cands = gaz.lookup_key(name_key(text))
    if not len(cands):
        cands = gaz.lookup_key(transliteration_key(text), transliteration=True)
    return {int(e) for e, k in zip(cands.entry, cands.kind, strict=True) if k != DEMONYM}


def _relabel(
    doc: Doc,
    span: Span,
    label: str,
    gaz: Gazetteer,
    place_keys: set[str],
    place_entries: set[int],
    person_words: set[str],
    place_tokens: set[int],
) -> str | None:
    """The place label for a PERSON/ORG/NORP entity that is a gazetteer place in a place context."""
    text = span.text
    if len(text) < 3 or not (
        text[:1].isupper() or re.match(r"^(?:al|el|an|ar|as|ad|ash|at|az|ez)[- ][A-Z]", text)
    ):
        return None
    if text.isupper() and len(text) <= 5:
        return None  # acronyms ("ISIL", "PMF") are organisations
    key = name_key(text)
    cands = gaz.lookup_key(key)
    if not len(cands):
        cands = gaz.lookup_key(transliteration_key(text), transliteration=True)
    if not len(cands):
        return None
    entries, kinds = cands.entry, cands.kind
    features = gaz.feature[entries]
    usable = (kinds != DEMONYM) & (kinds != ABBREVIATION)
    named = (kinds == NAME) | (kinds == ALIAS)
    population = gaz.population[entries]
    strong = usable & (
        (np.isin(features, list(_MAJOR_FEATURES)) & named)
        | (named & (population >= 5_000))
        | ((features == _CITY) & (population >= _GAZETTEER_CITY_FLOOR))
    )
    shared = usable & np.isin(entries, list(place_entries)) if place_entries else np.zeros(len(entries), bool)
    same_as_place = key in place_keys or shared.any()
    strong |= shared
    context = _place_context(doc, span.start, span.end)
    listed = _listed_with_place(doc, span, place_tokens)
    if context or listed:
        strong |= usable & (features == _CITY) & (population >= 20_000)
    if not strong.any():
        # a small place named exactly, in a place context ("at Hammam al-Alil and Qayyarah")
        strong = usable & (kinds == NAME) & (features == _CITY)
        if not (strong.any() and (context or listed or same_as_place)):
            return None
    if label == "PERSON" and text in person_words and not same_as_place:
        return None  # a surname of a full name in the article
    if label == "PERSON" and len(span) > 1 and not same_as_place and not (kinds[strong] == NAME).any():
        return None  # a person's full name ("Paris Hilton") unless it is exactly a place's name
    if same_as_place or listed or context:
        return _label_for(gaz, entries[strong])
    return None


def _listed_with_place(doc: Doc, span: Span, place_tokens: set[int]) -> bool:
    """True in a list of places: "Amman, Irbid and Mafraq", "with Niger and Chad"."""
    i = span.start - 1
    if i >= 1 and doc[i].lower_ in ("and", "or", ",") and doc[i - 1].i in place_tokens:
        return True
    j = span.end
    return j + 1 < len(doc) and doc[j].lower_ in ("and", "or", ",") and doc[j + 1].i in place_tokens


def _label_for(gaz: Gazetteer, entries: np.ndarray) -> str:
    features = gaz.feature[entries]
    if ((features == _COUNTRY) | (features == _ADMIN1) | (features == _ADMIN2) | (features == _CITY)).any():
        return "GPE"
    return "LOC"


def _is_candidate_start(token) -> bool:
    text = token.text
    return bool(text[:1].isupper()) and (token.is_alpha or "-" in text or "'" in text or "." in text)


def _lower_words(doc: Doc) -> set[str]:
    """The distinct all-lowercase words of ``doc`` (read as arrays, not Token objects)."""
    words = doc.to_array([LOWER, IS_LOWER])
    strings = doc.vocab.strings
    return {strings[int(w)] for w in np.unique(words[words[:, 1] == 1, 0])}


def _gazetteer_spans(
    doc: Doc, gaz: Gazetteer, taken: list[bool], person_words: set[str]
) -> list[tuple[Span, str, str, bool]]:
    """Capitalised names the model left unlabelled that the gazetteer knows (see module docstring)."""
    lower_words = _lower_words(doc)
    out = []
    i, n = 0, len(doc)
    while i < n:
        token = doc[i]
        if taken[i] or not _is_candidate_start(token) or token.text in person_words:
            i += 1
            continue
        found = None
        for size in range(min(_MAX_NGRAM, n - i), 0, -1):
            end = i + size
            if any(taken[i:end]) or not _is_candidate_start(doc[end - 1]):
                continue
            if size > 1 and not all(_is_candidate_start(t) or t.lower_ in _CONNECTORS for t in doc[i:end]):
                continue
            span = doc[i:end]
            result = _accept_gazetteer_span(doc, span, gaz, lower_words)
            if result is not None:
                found = (span, *result)
                break
        if found is None:
            i += 1
            continue
        out.append(found)
        i = found[0].end
    return out


def _names_spelled_out(doc: Doc, gaz: Gazetteer, entries: np.ndarray) -> bool:
    """Whether the text also writes out one of the entries' names ("Democratic Republic of Congo")."""
    text = doc_text(doc)
    return any(gaz.name[e] in text for e in entries)


def _accept_gazetteer_span(
    doc: Doc, span: Span, gaz: Gazetteer, lower_words: set[str]
) -> tuple[str, str, bool] | None:
    text = span.text
    key = name_key(text)
    if not key or len(key) < 2:
        return None
    cands = gaz.lookup_key(key)
    if not len(cands):
        return None
    first = span[0]
    if len(span) == 1 and (first.is_stop or first.lower_ in lower_words or first.lower_ in COMMON_WORDS):
        return None
    entries, kinds = cands.entry, cands.kind
    if (kinds == ABBREVIATION).all():
        # "Calif." after "Town, "; "NSW" in a text that also spells out "New South Wales"
        after_town = (
            span.start >= 2
            and doc[span.start - 1].text == ","
            and doc[span.start - 2].text[:1].isupper()
            and (text.endswith(".") or text.isupper())
            and len(text) >= 2
        )
        spelled_out = text.isupper() and len(text) >= 3 and _names_spelled_out(doc, gaz, entries)
        return ("GPE", "gazetteer", False) if after_town or spelled_out else None
    usable = kinds != ABBREVIATION
    if text.isupper() and len(text) <= 3:
        usable &= kinds == ALIAS  # "US", "UK" yes; other short capitals (IT, IN, OR) no
    if not usable.any():
        return None
    entries, kinds = entries[usable], kinds[usable]
    if (kinds == DEMONYM).all():
        return ("NORP", "gazetteer", True)
    entries = entries[kinds != DEMONYM]
    kinds = kinds[kinds != DEMONYM]
    features, population = gaz.feature[entries], gaz.population[entries]
    major = np.isin(features, list(_MAJOR_FEATURES)) & (kinds != ALTERNATE)
    major |= features == _COUNTRY
    context = _place_context(doc, span.start, span.end)
    big_city = ((features == _CITY) & (population >= _GAZETTEER_CITY_FLOOR) & (kinds != ALTERNATE)).any()
    small_ok = context and ((features == _CITY) & (population >= _CONTEXT_CITY_FLOOR)).any()
    if not (major.any() or big_city or small_ok or (context and major.any())):
        return None
    # a name run on by another capitalised word is part of a longer name ("Paris Hilton")
    nxt = doc[span.end] if span.end < len(doc) else None
    named_region = (((features == _COUNTRY) | (features == _ADMIN1)) & (kinds != ALTERNATE)).any()
    if (
        nxt is not None
        and nxt.text[:1].isupper()
        and nxt.is_alpha
        and not nxt.is_sent_start
        and not gaz.has_key(name_key(nxt.text))
        and not context
        and not named_region
    ):
        return None
    if span.start > 0:
        prev = doc[span.start - 1]
        if (
            prev.text[:1].isupper()
            and prev.is_alpha
            and not first.is_sent_start
            and not prev.is_sent_start
            and not gaz.has_key(name_key(prev.text))
            and prev.lower_ not in PLACE_MODIFIERS
        ):
            return None
    if first.is_sent_start and not (major.any() or context) and len(span) == 1:
        return None  # a capitalised word at the start of a sentence
    return (_label_for(gaz, entries), "gazetteer", False)


# --------------------------------------------------------------------------- resolution

_FEATURE_PRIOR = {
    FEATURE_CODE["country"]: 6.5,
    FEATURE_CODE["continent"]: 6.0,
    FEATURE_CODE["admin1"]: 4.6,
    FEATURE_CODE["region"]: 5.0,
    FEATURE_CODE["river"]: 5.0,
    FEATURE_CODE["sea"]: 5.0,
    FEATURE_CODE["lake"]: 4.6,
    FEATURE_CODE["mountain"]: 4.6,
    FEATURE_CODE["island"]: 5.0,
}
_KIND_PRIOR = {NAME: 0.5, ALIAS: 0.6, ALTERNATE: -0.5, DEMONYM: 0.0, ABBREVIATION: 0.0}
#: The same two as arrays by code (NaN: the feature's prior depends on population).
_FIXED_FEATURE_PRIOR = np.full(max(FEATURE_CODE.values()) + 1, np.nan)
for _code, _value in _FEATURE_PRIOR.items():
    if _code != FEATURE_CODE["admin1"]:
        _FIXED_FEATURE_PRIOR[_code] = _value
_KIND_PRIOR_OF = np.asarray([_KIND_PRIOR[k] for k in range(max(_KIND_PRIOR) + 1)])
_METHOD_OF_KIND = {
    NAME: "exact",
    ALIAS: "exact",
    ALTERNATE: "alternate",
    DEMONYM: "demonym",
    ABBREVIATION: "abbreviation",
}
_SUFFIX_FEATURE = {
    "province": _ADMIN1,
    "governorate": _ADMIN1,
    "state": _ADMIN1,
    "region": _ADMIN1,
    "oblast": _ADMIN1,
    "prefecture": _ADMIN1,
    "county": _ADMIN2,
    "parish": _ADMIN2,
    "district": _ADMIN2,
    "borough": _ADMIN2,
    "city": _CITY,
    "town": _CITY,
    "village": _CITY,
}
_SUFFIX_RE = re.compile(r"^(.+?)\s+(" + "|".join(_SUFFIX_FEATURE) + r")$")
_PREFIX_RE = re.compile(r"^(?:city|town|village|province|state|county|district|region) of (.+)$")
_LEADING_THE = re.compile(r"^the\s+")
_POP_WEIGHT = 0.8
_REGION = FEATURE_CODE["region"]
#: Towns below this population give way to a continent or well-known region of the same name.
_WIDE_NAME_TOWN = 100_000
_NATURAL_FEATURES = frozenset(
    FEATURE_CODE[f] for f in ("river", "sea", "lake", "mountain", "island", "region")
)
_PHYSICAL_WORDS = frozenset(
    {
        "sea",
        "ocean",
        "river",
        "lake",
        "gulf",
        "bay",
        "mountains",
        "mountain",
        "strait",
        "canal",
        "island",
        "islands",
        "valley",
        "desert",
        "peninsula",
        "heights",
        "plains",
    }
)
_PROMINENCE_WEIGHT = 1.2
_FUZZY_CUTOFF = 86.0
_FUZZY_MIN_POPULATION = 1_000
_SMALL_PLACE = 10_000


@dataclass
class _Cands:
    """Context-free candidates of one surface key, with their prior scores."""

    entry: np.ndarray
    kind: np.ndarray
    method: str  # how the key matched: exact/alternate/demonym/transliteration/...
    prior: np.ndarray
    cc: np.ndarray
    admin1: np.ndarray  # object: "CC.CODE"
    feature: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    population: np.ndarray
    reason: str = ""
    cc_idx: np.ndarray | None = None  # int: the country as an index into the resolver's countries
    admin_idx: np.ndarray | None = None  # int: the admin1 as an index into the resolver's admin1 keys
    prior_choice: _Choice | None = None
    final: bool = False
    unambiguous: tuple[int, int] | None = None  # see _CollectionPrior._unambiguous; None: not computed


class _Resolver:
    def __init__(self, gaz: Gazetteer):
        self.gaz = gaz
        self.cache: dict[tuple[str, bool], _Cands] = {}
        self.fuzzy_cache: dict[tuple[str, tuple[str, ...]], _Cands | None] = {}
        self.admin1_key = np.char.add(np.char.add(gaz.cc, "."), np.asarray(gaz.admin1_code, dtype=str))
        self.countries, self.entry_cc_idx = np.unique(gaz.cc, return_inverse=True)
        self.admin_keys, self.entry_admin_idx = np.unique(self.admin1_key, return_inverse=True)
        self.no_country = int(np.searchsorted(self.countries, ""))
        self.no_admin = np.asarray([k.endswith(".") for k in self.admin_keys])

    def candidates(self, surface: str, demonym: bool) -> _Cands:
        cache_key = (surface, demonym)
        found = self.cache.get(cache_key)
        if found is None:
            found = self._candidates(surface, demonym)
            self.cache[cache_key] = found
        return found

    def _candidates(self, surface: str, demonym: bool) -> _Cands:
        gaz = self.gaz
        text = surface.strip()
        text = re.sub(r"(?:'s|’s|'|’)$", "", text)
        if not any(ch.isupper() for ch in text):
            return self._empty("not a proper name")
        key = _LEADING_THE.sub("", name_key(text))
        want_feature = None
        cands = gaz.lookup_key(key)
        method = ""
        if not len(cands):
            cands = gaz.lookup_key(transliteration_key(key), transliteration=True)
            method = "transliteration"
        if len(cands):
            cands, want_feature = self._with_generic_word_dropped(key, cands)
        else:
            match = _SUFFIX_RE.match(key) or _PREFIX_RE.match(key)
            if match:
                base = match.group(1)
                want_feature = _SUFFIX_FEATURE.get(match.group(2)) if match.re is _SUFFIX_RE else None
                cands = gaz.lookup_key(base)
                method = ""
                if not len(cands):
                    cands = gaz.lookup_key(transliteration_key(base), transliteration=True)
                    method = "transliteration"
        entries, kinds = cands.entry, cands.kind
        if demonym:
            keep = kinds == DEMONYM
        else:
            keep = kinds != DEMONYM
            if surface.isupper() and len(surface.replace(".", "")) <= 3:
                keep &= (kinds == ALIAS) | (kinds == ABBREVIATION)
        entries, kinds = entries[keep], kinds[keep]
        if not len(entries):
            return self._empty("no gazetteer entry")
        physical = key.rsplit(" ", 1)[-1] in _PHYSICAL_WORDS and " " in key
        return self._make(entries, kinds, method, want_feature, physical=physical)

    def _with_generic_word_dropped(self, key: str, cands: Candidates) -> tuple[Candidates, int | None]:
        """"Western Province": also the admin regions named just "Western" (Sri Lanka's, Zambia's),
        which many gazetteer entries are; the article's context then tells them apart."""
        match = _SUFFIX_RE.match(key)
        want = _SUFFIX_FEATURE.get(match.group(2)) if match else None
        if match is None or want not in (_ADMIN1, _ADMIN2):
            return cands, None
        base = self.gaz.lookup_key(match.group(1))
        extra = (self.gaz.feature[base.entry] == want) & ~np.isin(base.entry, cands.entry)
        if not extra.any():
            return cands, None
        return Candidates(np.r_[cands.entry, base.entry[extra]], np.r_[cands.kind, base.kind[extra]]), want

    def _empty(self, reason: str) -> _Cands:
        z = np.zeros(0)
        return _Cands(
            np.zeros(0, dtype=np.int32),
            np.zeros(0, dtype=np.int8),
            "unresolved",
            z,
            np.zeros(0, dtype="<U2"),
            np.zeros(0, dtype=object),
            np.zeros(0, dtype=np.int8),
            z,
            z,
            np.zeros(0, dtype=np.int64),
            reason,
            np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.int64),
        )

    def _make(
        self,
        entries: np.ndarray,
        kinds: np.ndarray,
        method: str,
        want_feature: int | None,
        penalty: float = 0.0,
        physical: bool = False,
    ) -> _Cands:
        gaz = self.gaz
        feature = gaz.feature[entries]
        population = gaz.population[entries]
        logpop = np.log10(population + 1.0)
        prominence = np.log10(1.0 + gaz.n_names[entries])
        prior = np.where(
            feature == _CITY,
            _POP_WEIGHT * logpop + _PROMINENCE_WEIGHT * prominence,
            np.where(feature == _ADMIN2, 0.6 + 0.3 * logpop, 0.0),
        )
        prior = np.where(feature == _ADMIN1, 4.0 + 0.35 * logpop, prior)
        fixed = _FIXED_FEATURE_PRIOR[feature]
        prior = np.where(np.isnan(fixed), prior, fixed)
        prior = prior + _KIND_PRIOR_OF[kinds] + gaz.capital[entries] * 2.0
        prior = prior - penalty
        if method == "transliteration":
            prior = prior - 0.3
        if want_feature is not None:
            prior = prior + np.where(feature == want_feature, 2.0, 0.0)
        if physical:
            # "Red Sea", "Jordan River": the sea or river, not a province or town named after it
            natural = np.isin(feature, list(_NATURAL_FEATURES))
            prior = prior + np.where(natural, 4.0, -1.0)
        cc = gaz.cc[entries]
        admin1 = self.admin1_key[entries]
        # a key that is some places' main name names those, not places it is an alternate name of;
        # and never a place it is only an alternate name of, when it is a country's or region's name
        named = (kinds == NAME) | (kinds == ALIAS)
        if (named & ((feature == _COUNTRY) | (feature == _ADMIN1))).any() and (~named).any():
            return self._make(entries[named], kinds[named], method, want_feature, penalty, physical)
        if named.any():
            prior = prior - np.where(kinds == ALTERNATE, 1.5, 0.0)
        # the main name of a country is the country ("China", not a town with that alternate name)
        named_country = (feature == _COUNTRY) & ((kinds == NAME) | (kinds == ALIAS))
        if named_country.any():
            prior = prior - np.where(named_country, 0.0, 3.0)
        # a city and an admin region of the same name: the city unless the region is much larger
        is_admin = (feature == _ADMIN1) | (feature == _ADMIN2)
        if is_admin.any() and (feature == _CITY).any() and want_feature not in (_ADMIN1, _ADMIN2):
            for i in np.flatnonzero(is_admin):
                city = (feature == _CITY) & (admin1 == admin1[i])
                big = city & (population >= 0.2 * max(population[i], 1))
                if big.any():
                    prior[i] -= 1.2
                elif feature[i] == _ADMIN1:
                    prior[city] -= 2.0  # "Quebec" is the province, unless the city is named
        # "California" is the state, not a small town of that name elsewhere in the country or abroad
        admin_named = (feature == _ADMIN1) & (kinds == NAME)
        if admin_named.any():
            biggest = population[admin_named].max()
            small = (feature == _CITY) & (population < 0.2 * biggest) & ~gaz.capital[entries]
            home = np.isin(cc, cc[admin_named])
            prior = prior - np.where(small & home, 2.5, np.where(small, 1.5, 0.0))
        # "Middle East", "Central Asia": the region, not a small town named after it
        if (((feature == _CONTINENT) | (feature == _REGION)) & named).any():
            prior = prior - np.where((feature == _CITY) & (population < _WIDE_NAME_TOWN), 2.5, 0.0)
        return _Cands(
            entries,
            kinds,
            method,
            prior,
            cc,
            admin1,
            feature,
            gaz.lat[entries],
            gaz.lon[entries],
            population,
            "",
            self.entry_cc_idx[entries],
            self.entry_admin_idx[entries],
        )

    def fuzzy(self, surface: str, countries: tuple[str, ...]) -> _Cands | None:
        """Close spellings of ``surface`` among the places of ``countries`` (None if none is close)."""
        cache_key = (surface, countries)
        if cache_key in self.fuzzy_cache:
            return self.fuzzy_cache[cache_key]
        from rapidfuzz import fuzz, process

        key = _LEADING_THE.sub("", name_key(surface))
        result = None
        if len(key) >= 4 and countries:
            tkey = transliteration_key(key)
            best: list[tuple[float, int]] = []
            for cc in countries:
                keys, entries = self.gaz.fuzzy_pool(cc, key[0], min_population=_FUZZY_MIN_POPULATION)
                for _choice, score, index in process.extract(
                    key, keys, scorer=fuzz.ratio, limit=5, score_cutoff=_FUZZY_CUTOFF - 6
                ):
                    choice_t = transliteration_key(keys[index])
                    score = max(score, fuzz.ratio(tkey, choice_t))
                    if score >= _FUZZY_CUTOFF:
                        best.append((score, int(entries[index])))
            if best:
                top = max(s for s, _ in best)
                chosen = sorted({e for s, e in best if s >= top - 0.01})
                entries_arr = np.asarray(chosen, dtype=np.int32)
                result = self._make(
                    entries_arr,
                    np.full(len(chosen), ALTERNATE, dtype=np.int8),
                    "fuzzy",
                    None,
                    penalty=(100 - top) / 10,
                )
        self.fuzzy_cache[cache_key] = result
        return result


def _haversine(
    lat1: np.ndarray | float, lon1: np.ndarray | float, lat2: np.ndarray | float, lon2: np.ndarray | float
) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 6371.0 * 2 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


@dataclass
class _Choice:
    index: int  # position in the candidate arrays, -1 when unresolved
    score: float
    confident: bool
    reason: str = ""


#: Collection prior (see :class:`_CollectionPrior`): the weight of a candidate country's log share,
#: relative to the most common country, among the unambiguous places of the outlet's other articles
#: (``_CORPUS_WEIGHT`` when only the whole table's are known), the floor of that log ratio, the
#: pseudo-count pulling an outlet's shares towards the table's, and the prior lead over every
#: other country's candidates that makes a name unambiguous. Tuned on the dev halves.
_COLLECTION_WEIGHT = 1.2
_CORPUS_WEIGHT = 0.3
_COLLECTION_FLOOR = -4.0
_COLLECTION_PSEUDO = 10.0
_UNAMBIGUOUS_LEAD = 5.0
#: Bonus of a town in one of the outlet's home regions (the admin1 regions of the unambiguous
#: places of its other articles), scaled by the region's share relative to the most covered one:
#: a local paper's "Paris" is the Paris of its own state. Needs that many unambiguous names.
_HOME_REGION_WEIGHT = 3.0
_HOME_REGION_MIN = 5.0
#: Bonus of a candidate inside the admin region or country named right after it ("Paris, Tenn.").
_WITHIN_BONUS = 3.0
#: The most a candidate's context can add to its score; a prior lead larger than this is final.
_MAX_CONTEXT = (
    0.5 + 3.0 + 0.5 + 2.0 + 1.5 + _WITHIN_BONUS - max(_COLLECTION_WEIGHT, _CORPUS_WEIGHT) * _COLLECTION_FLOOR
    + _HOME_REGION_WEIGHT
)


def _prior_choice(c: _Cands) -> _Choice:
    """The choice from the prior alone (see :func:`_prior_choices`)."""
    _prior_choices([c])
    assert c.prior_choice is not None
    return c.prior_choice


@dataclass
class _Slot:
    """One name of one article to choose a place for, with what the rest of the article says."""

    cands: _Cands
    article: int  # position of the article's context in the batch
    own_country: int = -1  # the name's own current choice, left out of its context
    own_country_w: float = 0.0
    own_admin: int = -1
    own_admin_w: float = 0.0
    own_point: int = -1  # index into the batch's points
    total: float = 0.0  # the article's country weight minus the name's own
    dominant: int = -1  # country index, -1 for none
    within: tuple[int, int] = (-1, -1)  # (admin1, country) index named right after it ("Athens, Ga.")


@dataclass
class _BatchContext:
    """The context of every article of a batch, as sparse arrays (see :func:`_choose_batch`)."""

    n_countries: int
    n_admins: int
    country_keys: np.ndarray  # sorted article * n_countries + country
    country_weights: np.ndarray
    admin_keys: np.ndarray  # sorted article * n_admins + admin1
    admin_weights: np.ndarray
    points: np.ndarray  # (n, 2) lat/lon, grouped by article
    point_start: np.ndarray  # per article
    point_count: np.ndarray
    collection: Callable[[int], _CollectionTerm | None]  # the collection's terms for an article


def _sparse_lookup(keys: np.ndarray, values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    if not len(keys):
        return np.zeros(len(wanted))
    pos = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    return np.where(keys[pos] == wanted, values[pos], 0.0)


def _first_per_segment(mask: np.ndarray, segment: np.ndarray, n_segments: int) -> np.ndarray:
    """The first position where ``mask`` holds in each segment (-1 for none); segments ascending."""
    idx = np.flatnonzero(mask)
    seg = segment[idx]
    first = np.r_[True, seg[1:] != seg[:-1]] if len(idx) else np.zeros(0, dtype=bool)
    out = np.full(n_segments, -1, dtype=np.int64)
    out[seg[first]] = idx[first]
    return out


@dataclass
class _Flat:
    """The candidates of a batch's slots end to end; ``starts``/``lengths`` delimit each slot's."""

    lengths: np.ndarray
    starts: np.ndarray
    slot_of: np.ndarray
    cc: np.ndarray
    admin: np.ndarray
    feature: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    score: np.ndarray
    support: np.ndarray  # the article itself backs the candidate
    evidence: np.ndarray  # per slot: the article says something about some candidate

    @classmethod
    def of(cls, cands: list[_Cands]) -> _Flat:
        lengths = np.fromiter((len(c.entry) for c in cands), dtype=np.int64, count=len(cands))
        score = np.concatenate([c.prior for c in cands])
        return cls(lengths, np.cumsum(lengths) - lengths, np.repeat(np.arange(len(cands)), lengths),
                   np.concatenate([c.cc_idx for c in cands]), np.concatenate([c.admin_idx for c in cands]),
                   np.concatenate([c.feature for c in cands]), np.concatenate([c.lat for c in cands]),
                   np.concatenate([c.lon for c in cands]), score, np.zeros(len(score), dtype=bool),
                   np.zeros(len(cands), dtype=bool))

    def per_slot(self, values: Iterable[Any], dtype: type) -> np.ndarray:
        """A value per slot, repeated for each of the slot's candidates."""
        return np.fromiter(values, dtype=dtype, count=len(self.lengths))[self.slot_of]

    def add(self, bonus: np.ndarray, supported: np.ndarray) -> None:
        """Add ``bonus`` to the scores; where ``supported``, the article backs the candidate."""
        self.score += bonus
        self.support |= supported
        self.evidence |= np.logical_or.reduceat(supported, self.starts)


def _choose_batch(slots: list[_Slot], ctx: _BatchContext | None) -> list[_Choice]:
    """The best candidate of every slot given its article's other places (the prior alone without
    ``ctx``), computed for all slots at once with segment operations."""
    if not slots:
        return []
    flat = _Flat.of([s.cands for s in slots])
    if ctx is not None:
        _add_context(flat, slots, ctx)
    return _decide([s.cands for s in slots], flat)


def _add_context(flat: _Flat, slots: list[_Slot], ctx: _BatchContext) -> None:
    """The evidence of the article: its countries, admin regions, nearby places, a named container."""
    article = np.fromiter((s.article for s in slots), dtype=np.int64, count=len(slots))
    cc, admin = flat.cc, flat.admin
    article_j = article[flat.slot_of]
    weight = _sparse_lookup(ctx.country_keys, ctx.country_weights, article_j * ctx.n_countries + cc)
    own_cc = flat.per_slot((s.own_country for s in slots), np.int64)
    weight = weight - np.where(cc == own_cc, flat.per_slot((s.own_country_w for s in slots), float), 0.0)
    present = weight > 1e-9
    any_present = np.logical_or.reduceat(present, flat.starts)[flat.slot_of]
    share = weight / np.maximum(flat.per_slot((s.total for s in slots), float), 1e-9)
    flat.add(np.where(present, 0.5 + 3.0 * share, 0.0), present & (share >= 0.3))
    flat.evidence |= np.logical_or.reduceat(present, flat.starts)
    dominant = flat.per_slot((s.dominant for s in slots), np.int64)
    flat.score += np.where(any_present & (dominant >= 0) & (cc == dominant), 0.5, 0.0)
    aw = _sparse_lookup(ctx.admin_keys, ctx.admin_weights, article_j * ctx.n_admins + admin)
    own_ad = flat.per_slot((s.own_admin for s in slots), np.int64)
    aw = aw - np.where(admin == own_ad, flat.per_slot((s.own_admin_w for s in slots), float), 0.0)
    has = aw > 1e-9
    flat.add(np.where(has, 2.0, 0.0), has)
    _add_proximity(flat, slots, ctx, article)
    within = np.asarray([s.within for s in slots], dtype=np.int64).reshape(-1, 2)[flat.slot_of]
    inside = np.where(within[:, 0] >= 0, admin == within[:, 0], cc == within[:, 1])  # (-1, -1): none
    inside &= (flat.feature == _CITY) | (flat.feature == _ADMIN2)
    flat.add(np.where(inside, _WITHIN_BONUS, 0.0), inside)
    _add_collection(flat, slots, ctx)


def _add_proximity(flat: _Flat, slots: list[_Slot], ctx: _BatchContext, article: np.ndarray) -> None:
    """Closeness to the article's other places: +1.5 within 50 km, +1.0 within 200, +0.4 within 500."""
    own_point = np.fromiter((s.own_point for s in slots), dtype=np.int64, count=len(slots))
    others = ctx.point_count[article] - (own_point >= 0)
    eligible = (flat.lengths > 1) & (others > 0)
    if not eligible.any():
        return
    j = np.flatnonzero(eligible[flat.slot_of])  # the candidates to measure, with every other point
    a = article[flat.slot_of[j]]
    n_points = ctx.point_count[a]
    pair_j = np.repeat(j, n_points)
    offset = np.arange(int(n_points.sum())) - np.repeat(np.cumsum(n_points) - n_points, n_points)
    q = np.repeat(ctx.point_start[a], n_points) + offset
    own = own_point[flat.slot_of[j]]
    keep = q != np.repeat(own, n_points)
    pair_j, q = pair_j[keep], q[keep]
    d = _haversine(flat.lat[pair_j], flat.lon[pair_j], ctx.points[q, 0], ctx.points[q, 1])
    per_j = n_points - (own >= 0)
    d = np.minimum.reduceat(d, np.cumsum(per_j) - per_j)
    near = np.zeros(len(flat.score))
    near[j] = np.where(d < 50, 1.5, np.where(d < 200, 1.0, np.where(d < 500, 0.4, 0.0)))
    near[flat.feature == _COUNTRY] = 0.0
    flat.add(near, near > 0)


def _add_collection(flat: _Flat, slots: list[_Slot], ctx: _BatchContext) -> None:
    """The outlet's (or table's) usual countries and home regions, for names the article says
    nothing about; a country named outright stays."""
    for s in np.flatnonzero(~flat.evidence):
        term = ctx.collection(slots[s].article)
        if term is None:
            continue
        seg = slice(int(flat.starts[s]), int(flat.starts[s] + flat.lengths[s]))
        feature = flat.feature[seg]
        add = term.country[flat.cc[seg]]
        if term.admin is not None:
            add = add + np.where(feature == _ADMIN1, 0.5, 1.0) * term.admin[flat.admin[seg]]
        add[(feature == _CONTINENT) | (feature == _COUNTRY)] = 0.0
        flat.score[seg] += add


def _decide(cands: list[_Cands], flat: _Flat) -> list[_Choice]:
    """Best and runner-up per slot, then the rules that leave a weak or ambiguous best unresolved."""
    n_slots = len(cands)
    score, starts, lengths, slot_of = flat.score, flat.starts, flat.lengths, flat.slot_of
    top = np.maximum.reduceat(score, starts)
    best = _first_per_segment(score == top[slot_of], slot_of, n_slots)
    rest = score.copy()
    rest[best] = -np.inf
    runner_up = np.maximum.reduceat(rest, starts)
    second = _first_per_segment((rest == runner_up[slot_of]) & (lengths[slot_of] > 1), slot_of, n_slots)
    other = np.maximum(second, 0)
    margin = np.where(second >= 0, score[best] - score[other], 5.0)
    spread = _haversine(flat.lat[best], flat.lon[best], flat.lat[other], flat.lon[other])
    total = np.add.reduceat(np.exp(np.maximum(score - score[best][slot_of], -30.0)), starts)
    feature, support = flat.feature, flat.support
    population = np.concatenate([c.population for c in cands])
    kind = np.concatenate([c.kind for c in cands])
    choices = []
    for s, c in enumerate(cands):
        b = int(best[s])
        index = b - int(starts[s])
        if (
            int(feature[b]) in (_CITY, _ADMIN2)
            and not support[b]
            and (
                c.method in ("fuzzy", "transliteration")
                or (population[b] < _SMALL_PLACE and (kind[b] == ALTERNATE or population[b] < 1_000))
            )
        ):
            choices.append(_Choice(-1, 0.0, False, "no candidate near the article's places"))
            continue
        if second[s] >= 0 and margin[s] < 0.05 and not support[b] and spread[s] > 500:
            choices.append(_Choice(-1, 0.0, False, "ambiguous"))
            continue
        factor = 0.7 if c.method == "fuzzy" else 0.9 if c.method == "transliteration" else 1.0
        confident = (margin[s] >= 1.0 or lengths[s] == 1) and c.method != "fuzzy"
        choices.append(_Choice(index, round(float(1.0 / total[s]) * factor, 4), bool(confident)))
    return choices


def resolve_places(
    place_mentions: pd.DataFrame, articles: pd.DataFrame | None = None, *, gazetteer: Gazetteer | None = None
) -> pd.DataFrame:
    """The place mentions with their resolution: the ``places`` table (columns in DESIGN.md).

    ``place_mentions`` has ``article_id`` and the :data:`PLACE_MENTION_COLUMNS` (``found_by`` and
    ``demonym`` are optional: a plain ``mentions`` table of GPE/LOC/FAC rows works too).
    ``articles`` (optional, with ``article_id`` and ``outlet``) groups the articles by outlet for
    the collection prior (step 5); without it the whole table is one collection.

    Method, per article and per distinct spelling (one sense per discourse):

    1. candidates: the gazetteer entries whose key equals the surface's (:func:`name_key`), else
       its transliteration key, else the name without a generic word ("Anbar province"), each with
       a prior from its feature (country > region > admin1 > city), population (log), capital
       status and whether the spelling is the entry's main name;
    2. evidence from the article's other places, in two rounds (first from the confidently
       resolved ones, then from all): the countries mentioned or implied (demonyms count), the
       admin1 regions (a city in the mentioned state or province), and proximity to the other
       places (within 50/200/500 km); the article's dominant country breaks ties; a name followed
       by ", <admin region or country>" ("Athens, Ga.", "Paris, Tennessee") favours its places
       inside that region or country;
    3. spellings with no candidate are fuzzy-matched (rapidfuzz, similarity 86+, same first
       letter, 1,000+ people) only among the places of the countries the article mentions;
    4. a small place (under 10,000 people) reached only through an alternate spelling, a fuzzy or
       transliteration match, or with no supporting evidence is left unresolved rather than guessed;
    5. collection prior: when the article says nothing about any of a name's candidates (none is
       in a country or admin region it mentions, or near one of its places), each
       non-country candidate gains a weighted log share of its country among the unambiguous place
       names (cities and admin regions whose country no same-named place elsewhere rivals) of the
       other articles of the same outlet, else of the whole table ("Paris" in a Texas paper is the
       Texan one; "London" in an Ontario paper the Canadian one); and a town in one of the outlet's
       home regions (the admin1 regions of those names, given five or more) gains up to 3 points
       in proportion to the region's share ("Dublin" in a Columbus, Ohio paper is Dublin, Ohio).

    ``score`` is the candidate's softmax probability among the candidates (times 0.9 for a
    transliteration and 0.7 for a fuzzy match); ``method`` says how the name matched (exact,
    alternate, demonym, abbreviation, transliteration, fuzzy) and ``reason`` why a row is unresolved.

    >>> m = pd.DataFrame({"article_id": ["a", "a"], "sentence": [0, 0], "start": [0, 10],
    ...                   "end": [5, 15], "surface": ["Paris", "Texas"], "label": ["GPE", "GPE"]})
    >>> resolve_places(m)[["surface", "country_code", "admin1"]].to_numpy().tolist()  # doctest: +SKIP
    [['Paris', 'US', 'Texas'], ['Texas', 'US', 'Texas']]
    """
    with _garbage_collector_paused():  # the steps make many small objects and no cycles
        return _resolve_table(place_mentions, articles, gazetteer or load_gazetteer())


@contextlib.contextmanager
def _garbage_collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the duration (it would walk every long-lived
    object of the process again and again: a third of the resolution time), back on afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _resolve_table(place_mentions: pd.DataFrame, articles: pd.DataFrame | None,
                   gaz: Gazetteer) -> pd.DataFrame:
    resolver = _resolver(gaz)
    table = place_mentions.reset_index(drop=True)
    n = len(table)
    demonym_col = (
        table["demonym"].fillna(False).astype(bool).to_numpy()
        if "demonym" in table.columns
        else np.zeros(n, dtype=bool)
    )
    surfaces = table["surface"].astype(str).to_numpy()
    keys = np.asarray([_surface_key(s) for s in surfaces], dtype=object)
    entry_out = np.full(n, -1, dtype=np.int64)
    score_out = np.zeros(n)
    method_out = np.full(n, "unresolved", dtype=object)
    reason_out = np.full(n, "", dtype=object)
    if n:
        article_ids = table["article_id"].astype(str).to_numpy()
        order = np.argsort(article_ids, kind="stable")
        bounds = np.flatnonzero(np.r_[True, article_ids[order][1:] != article_ids[order][:-1], True])
        collection = _CollectionPrior(resolver, articles)
        starts = ends = None
        if {"start", "end"} <= set(table.columns):
            starts, ends = table["start"].to_numpy(dtype=np.int64), table["end"].to_numpy(dtype=np.int64)
        spans = list(itertools.pairwise(bounds))
        distinct = dict.fromkeys(zip(keys.tolist(), demonym_col.tolist(), strict=True))
        _prior_choices([resolver.candidates(k, d) for k, d in distinct])  # all at once
        for a, b in spans:
            collection.add(article_ids[order[a]], order[a:b], keys, demonym_col)
        for first in range(0, len(spans), _BATCH_ARTICLES):
            batch = []
            for a, b in spans[first : first + _BATCH_ARTICLES]:
                article_id = article_ids[order[a]]
                batch.append(_article_names(resolver, article_id, order[a:b], keys, demonym_col, starts, ends,
                                            collection.available(article_id)))
            _resolve_batch(resolver, batch, collection)
            for names in batch:
                _write_choices(names, entry_out, score_out, method_out, reason_out)
    return _places_table(table, gaz, entry_out, score_out, method_out, reason_out, demonym_col)


_RESOLVERS: dict[int, _Resolver] = {}


def _resolver(gaz: Gazetteer) -> _Resolver:
    found = _RESOLVERS.get(id(gaz))
    if found is None or found.gaz is not gaz:
        found = _RESOLVERS[id(gaz)] = _Resolver(gaz)
    return found


@functools.lru_cache(maxsize=200_000)
def _surface_key(surface: str) -> str:
    return _POSSESSIVE_END.sub("", surface.strip())


_POSSESSIVE_END = re.compile(r"(?:'s|’s|'|’)$")


def _named_within(
    resolver: _Resolver,
    rows: np.ndarray,
    keys: np.ndarray,
    demonym: np.ndarray,
    starts: np.ndarray | None,
    ends: np.ndarray | None,
    gkey_of: dict[tuple[str, bool], str],
) -> dict[str, tuple[int, int]]:
    """Names followed by ", <admin region or country>" ("Athens, Ga.", "Paris, Tennessee"): key -> container.

    Only a pair that is not part of a longer comma list ("Alaska, Alabama, Arizona"), and only a
    container that is confidently an admin1 region or a country on its own; a key named in two
    different containers gets none.
    """
    if starts is None or ends is None or len(rows) < 2:
        return {}
    ordered = sorted(rows, key=lambda r: (starts[r], ends[r]))

    def adjacent(a: int, b: int) -> bool:
        return 1 <= starts[b] - ends[a] <= 2

    found: dict[str, tuple[int, int]] = {}
    clash: set[str] = set()
    for j in range(len(ordered) - 1):
        r, q = ordered[j], ordered[j + 1]
        if demonym[r] or demonym[q] or not adjacent(r, q):
            continue
        if (j > 0 and adjacent(ordered[j - 1], r)) or (j + 2 < len(ordered) and adjacent(q, ordered[j + 2])):
            continue  # a list of places
        cq = resolver.candidates(keys[q], False)
        if not len(cq.entry):
            continue
        choice = _prior_choice(cq)
        if choice.index < 0 or not choice.confident:
            continue
        feature = int(cq.feature[choice.index])
        if feature == _ADMIN1:
            container = (int(cq.admin_idx[choice.index]), -1)
        elif feature == _COUNTRY:
            container = (-1, int(cq.cc_idx[choice.index]))
        else:
            continue
        k = gkey_of.get((keys[r], False))
        if k is None:
            continue
        if found.get(k, container) != container:
            clash.add(k)
        found[k] = container
    return {k: v for k, v in found.items() if k not in clash}


@dataclass
class _CollectionTerm:
    """Score terms from an article's collection (see :meth:`_CollectionPrior.term`)."""

    country: np.ndarray
    admin: np.ndarray | None = None


@dataclass
class _Sparse:
    """The non-zero entries of a count vector."""

    index: np.ndarray
    value: np.ndarray

    @classmethod
    def of(cls, dense: np.ndarray) -> _Sparse:
        index = np.flatnonzero(dense)
        return cls(index, dense[index])

    @classmethod
    def of_counts(cls, counts: Counter[int]) -> _Sparse:
        return cls(np.fromiter(counts.keys(), dtype=np.int64, count=len(counts)),
                   np.fromiter(counts.values(), dtype=float, count=len(counts)))

    def dense(self, size: int) -> np.ndarray:
        out = np.zeros(size)
        out[self.index] = self.value
        return out


class _CollectionPrior:
    """The countries the other articles of an article's outlet (else of the whole table) are about.

    Counts, per article, the countries of its unambiguous place names (each distinct name once): a
    city or admin region whose context-free choice leads every candidate in another country by
    :data:`_UNAMBIGUOUS_LEAD`. An article's prior leaves its own names out (they are in-article
    evidence already); an outlet's shares are smoothed towards the table's with
    :data:`_COLLECTION_PSEUDO` pseudo-counts.
    """

    def __init__(self, resolver: _Resolver, articles: pd.DataFrame | None):
        self.resolver = resolver
        self.outlet_of: dict[str, str] = {}
        if articles is not None and {"article_id", "outlet"} <= set(articles.columns):
            for article_id, outlet in zip(articles["article_id"], articles["outlet"], strict=True):
                if isinstance(outlet, str) and outlet.strip():
                    self.outlet_of[str(article_id)] = outlet.strip()
        n_countries, n_admins = len(resolver.countries), len(resolver.admin_keys)
        # an article's own counts are kept sparse: a dense admin1 vector is ~30 kB per article
        self.own: dict[str, _Sparse] = {}
        self.outlets: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(n_countries))
        self.total = np.zeros(n_countries)
        self.own_admin: dict[str, _Sparse] = {}
        self.outlet_admins: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(n_admins))

    def add(self, article_id: str, rows: np.ndarray, keys: np.ndarray, demonym: np.ndarray) -> None:
        countries: Counter[int] = Counter()
        admins: Counter[int] = Counter()
        for key in {keys[r] for r in rows if not demonym[r]}:
            where = self._unambiguous(self.resolver.candidates(key, False))
            if where is not None:
                countries[where[0]] += 1
                if where[1] >= 0:
                    admins[where[1]] += 1
        if countries:
            own = _Sparse.of_counts(countries)
            own_admin = _Sparse.of_counts(admins)
            self.own[article_id], self.own_admin[article_id] = own, own_admin
            self.total[own.index] += own.value
            outlet = self.outlet_of.get(article_id)
            if outlet is not None:
                self.outlets[outlet][own.index] += own.value
                self.outlet_admins[outlet][own_admin.index] += own_admin.value

    def _unambiguous(self, c: _Cands) -> tuple[int, int] | None:
        """(country, admin1 or -1) of a name's context-free choice, if it is an unambiguous place
        name (see the class docstring); cached on the candidates."""
        if c.unambiguous is None:
            c.unambiguous = (-1, -1)
            choice = _prior_choice(c) if len(c.entry) and not c.method else None
            i = choice.index if choice is not None else -1
            if i >= 0 and int(c.feature[i]) in (_CITY, _ADMIN1, _ADMIN2):
                cc_i = int(c.cc_idx[i])
                other = c.cc_idx != cc_i
                if cc_i != self.resolver.no_country and not (
                        other.any() and c.prior[i] - c.prior[other].max() < _UNAMBIGUOUS_LEAD):
                    ad_i = int(c.admin_idx[i])
                    c.unambiguous = (cc_i, -1 if self.resolver.no_admin[ad_i] else ad_i)
        return None if c.unambiguous[0] < 0 else c.unambiguous

    def available(self, article_id: str) -> bool:
        """Whether :meth:`term` has anything to say for the article (cheaply)."""
        own = self.own.get(article_id)
        return float(self.total.sum()) - (float(own.value.sum()) if own is not None else 0.0) >= 1.0

    def term(self, article_id: str) -> _CollectionTerm | None:
        """The score terms for an article's names, or None when the collection says nothing.

        ``country``: per country index, 0 for the most common country down to the floor;
        ``admin``: per admin1 index, a bonus up to :data:`_HOME_REGION_WEIGHT` for the outlet's
        home regions (None without an outlet that has enough unambiguous names elsewhere).
        """
        own_sparse = self.own.get(article_id)
        own = own_sparse.dense(len(self.total)) if own_sparse is not None else None
        total = self.total - own if own is not None else self.total
        if total.sum() < 1.0:
            return None
        share = total / total.sum()
        weight = _CORPUS_WEIGHT
        admin_term = None
        outlet = self.outlet_of.get(article_id)
        if outlet is not None and outlet in self.outlets:
            counts = self.outlets[outlet] - (own if own is not None else 0.0)
            if counts.sum() >= 1.0:
                share = (counts + _COLLECTION_PSEUDO * share) / (counts.sum() + _COLLECTION_PSEUDO)
                weight = _COLLECTION_WEIGHT
            admins = self.outlet_admins[outlet].copy()
            own_admin = self.own_admin.get(article_id)
            if own_admin is not None:
                admins[own_admin.index] -= own_admin.value
            if admins.sum() >= _HOME_REGION_MIN:
                admin_term = _HOME_REGION_WEIGHT * admins / admins.max()
        with np.errstate(divide="ignore"):
            term = np.log(share / share.max())
        term = weight * np.clip(term, _COLLECTION_FLOOR, 0.0)
        term[self.resolver.no_country] = 0.0
        return _CollectionTerm(term, admin_term)


#: Articles resolved together: their names' candidates are scored in one set of array operations.
_BATCH_ARTICLES = 2_000


@dataclass
class _ArticleNames:
    """One article's place names while they are resolved (see :func:`_resolve_batch`)."""

    groups: dict[tuple[str, bool], list[int]]  # (surface, demonym) -> rows
    gkey_of: dict[tuple[str, bool], str]  # (surface, demonym) -> name key shared by its spellings
    by_key: dict[str, _Cands]
    counts: dict[str, int]
    choices: dict[str, _Choice]
    within: dict[str, tuple[int, int]]
    article_id: str
    has_collection: bool  # the outlet's (or table's) other articles can weigh in
    active: bool  # whether context can still change a choice


def _article_names(resolver: _Resolver, article_id: str, rows: np.ndarray, keys: np.ndarray,
                   demonym: np.ndarray, starts: np.ndarray | None, ends: np.ndarray | None,
                   has_collection: bool) -> _ArticleNames:
    """An article's rows grouped by spelling, their candidates and context-free choices, and the
    names followed by their container ("Athens, Ga."); inactive when context cannot change them."""
    groups: dict[tuple[str, bool], list[int]] = defaultdict(list)
    for r in rows:
        groups[(keys[r], bool(demonym[r]))].append(int(r))
    # one sense per discourse: spellings with the same name key share candidates and choice
    by_key: dict[str, _Cands] = {}
    counts: dict[str, int] = {}
    gkey_of: dict[tuple[str, bool], str] = {}
    for (surface, is_demonym), members in groups.items():
        c = resolver.candidates(surface, is_demonym)
        gkey = ("\x00" if is_demonym else "") + (name_key(surface) if len(c.entry) else surface)
        gkey_of[(surface, is_demonym)] = gkey
        by_key.setdefault(gkey, c)
        counts[gkey] = counts.get(gkey, 0) + len(members)
    _prior_choices(list(by_key.values()))
    choices = {k: c.prior_choice for k, c in by_key.items()}
    # context can change nothing when every name is settled by its prior and none needs fuzzy matching
    settled = all(
        c.final or (not len(c.entry) and (k.startswith("\x00") or c.reason != "no gazetteer entry"))
        for k, c in by_key.items()
    )
    within = {} if settled else _named_within(resolver, rows, keys, demonym, starts, ends, gkey_of)
    return _ArticleNames(groups, gkey_of, by_key, counts, choices, within, article_id, has_collection,
                         not settled)


def _prior_choices(cands: list[_Cands]) -> None:
    """The choice from the prior alone, cached on the candidates: the first round of every article."""
    todo = [c for c in cands if c.prior_choice is None]
    if not todo:
        return
    with_entries = [c for c in todo if len(c.entry)]
    chosen = _choose_batch([_Slot(c, -1) for c in with_entries], None)
    for c, choice in zip(with_entries, chosen, strict=True):
        c.prior_choice = choice
        order = np.sort(c.prior)[::-1]
        c.final = choice.index >= 0 and (len(order) <= 1 or order[0] - order[1] > _MAX_CONTEXT)
    for c in todo:
        if not len(c.entry):
            c.prior_choice = _Choice(-1, 0.0, False, c.reason or "no gazetteer entry")


@dataclass
class _ArticleContext:
    """What an article's current choices say: weight per country and admin1 index, and points."""

    countries: dict[int, float] = field(default_factory=dict)
    admins: dict[int, float] = field(default_factory=dict)
    points: list[tuple[float, float]] = field(default_factory=list)
    own: dict[str, tuple[int, float, int, float, int]] = field(default_factory=dict)
    top: list[int] = field(default_factory=list)  # up to three countries, most weight first


def _article_context(resolver: _Resolver, names: _ArticleNames, round_: int) -> _ArticleContext:
    """Round 0 counts the confident choices only, round 1 all (the unconfident at half weight)."""
    ctx = _ArticleContext()
    for k, choice in names.choices.items():
        if choice.index < 0 or (round_ == 0 and not choice.confident):
            continue
        c, i = names.by_key[k], choice.index
        w = names.counts[k] * (1.0 if choice.confident else 0.5)
        cc_i, ad_i = int(c.cc_idx[i]), int(c.admin_idx[i])
        feature = int(c.feature[i])
        cw = w if cc_i != resolver.no_country else 0.0
        aw = 0.0
        if feature in (_ADMIN1, _ADMIN2, _CITY) and not resolver.no_admin[ad_i]:
            aw = w if feature == _ADMIN1 else 0.5 * w
        if cw:
            ctx.countries[cc_i] = ctx.countries.get(cc_i, 0.0) + cw
        if aw:
            ctx.admins[ad_i] = ctx.admins.get(ad_i, 0.0) + aw
        p = -1
        if feature in (_CITY, _ADMIN2) or (feature == _ADMIN1 and c.population[i] < 5_000_000):
            p = len(ctx.points)
            ctx.points.append((float(c.lat[i]), float(c.lon[i])))
        ctx.own[k] = (cc_i, cw, ad_i, aw, p)
    ranked = sorted(ctx.countries.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    ctx.top = [x for x, w in ranked if w > 1e-9]
    return ctx


def _terms_of(collection: _CollectionPrior,
              article_ids: list[str]) -> Callable[[int], _CollectionTerm | None]:
    """The collection terms of the batch's articles by position, each computed once, when needed."""
    return functools.cache(lambda a: collection.term(article_ids[a]))


def _settled_state(names: _ArticleNames) -> list[tuple[int, bool]]:
    """What the article's context is built from: each name's choice and whether it is confident."""
    return [(choice.index, choice.confident) for choice in names.choices.values()]


def _second_round_can_change(names: _ArticleNames, before: list[tuple[int, bool]]) -> bool:
    """Whether the second round can differ from the first: it counts every choice, not only the
    confident ones, and fuzzy-matches unknown spellings. When the first round changed nothing and
    every resolved name was confident, its context would be the first round's again."""
    if _settled_state(names) != before or any(index >= 0 and not confident for index, confident in before):
        return True
    return any(not len(c.entry) and not k.startswith("\x00") and c.reason == "no gazetteer entry"
               for k, c in names.by_key.items())


def _resolve_batch(resolver: _Resolver, batch: list[_ArticleNames], collection: _CollectionPrior) -> None:
    """Two rounds of context for the articles of a batch: choices in ``names.choices`` change."""
    n_countries, n_admins = len(resolver.countries), len(resolver.admin_keys)
    before: dict[int, list[tuple[int, bool]]] = {}
    for round_ in (0, 1):
        live = [names for names in batch if names.active]
        if round_ == 1:
            live = [names for names in live if _second_round_can_change(names, before[id(names)])]
        before = {id(names): _settled_state(names) for names in live}
        contexts = [_article_context(resolver, names, round_) for names in live]
        slots: list[_Slot] = []
        owners: list[tuple[_ArticleNames, str]] = []
        country_keys: list[int] = []
        country_weights: list[float] = []
        admin_keys: list[int] = []
        admin_weights: list[float] = []
        points: list[tuple[float, float]] = []
        point_start: list[int] = []
        article_ids: list[str] = []
        for names, ctx in zip(live, contexts, strict=True):
            if not ctx.own and not names.has_collection and not names.within:
                names.active = False  # nothing in or around the article bears on its names
                continue
            if round_ == 1 and ctx.top:  # unknown spellings: fuzzy among the article's countries
                countries = tuple(sorted(str(resolver.countries[x]) for x in ctx.top))
                for k, c in list(names.by_key.items()):
                    if not len(c.entry) and not k.startswith("\x00") and c.reason == "no gazetteer entry":
                        fuzzy = resolver.fuzzy(k, countries)
                        if fuzzy is not None:
                            names.by_key[k] = fuzzy
                _prior_choices(list(names.by_key.values()))
            a = len(article_ids)
            article_ids.append(names.article_id)
            total = sum(ctx.countries.values())
            for x, w in ctx.countries.items():
                country_keys.append(a * n_countries + x)
                country_weights.append(w)
            for x, w in ctx.admins.items():
                admin_keys.append(a * n_admins + x)
                admin_weights.append(w)
            base = len(points)
            point_start.append(base)
            points.extend(ctx.points)
            for k, c in names.by_key.items():
                if c.final:
                    names.choices[k] = c.prior_choice
                if c.final or not len(c.entry):
                    continue
                cc_i, cw, ad_i, aw, p = ctx.own.get(k, (-1, 0.0, -1, 0.0, -1))
                dominant = next((x for x in ctx.top if ctx.countries[x] - (cw if x == cc_i else 0.0) > 1e-9),
                                -1)
                slots.append(_Slot(c, a, cc_i, cw, ad_i, aw, base + p if p >= 0 else -1, total - cw,
                                   dominant, names.within.get(k, (-1, -1))))
                owners.append((names, k))
        if not slots:
            continue
        point_start_arr = np.asarray(point_start, dtype=np.int64)
        point_count = np.diff(np.r_[point_start_arr, len(points)])
        ck = np.asarray(country_keys, dtype=np.int64)
        ak = np.asarray(admin_keys, dtype=np.int64)
        c_order, a_order = np.argsort(ck), np.argsort(ak)
        context = _BatchContext(
            n_countries, n_admins, ck[c_order], np.asarray(country_weights)[c_order], ak[a_order],
            np.asarray(admin_weights)[a_order], np.asarray(points, dtype=float).reshape(-1, 2),
            point_start_arr, point_count, _terms_of(collection, article_ids),
        )
        for (names, k), choice in zip(owners, _choose_batch(slots, context), strict=True):
            names.choices[k] = choice


def _write_choices(names: _ArticleNames, entry_out: np.ndarray, score_out: np.ndarray,
                   method_out: np.ndarray, reason_out: np.ndarray) -> None:
    """Every row of the article gets its spelling's final choice (or the reason it has none)."""
    for (surface, is_demonym), members in names.groups.items():
        k = names.gkey_of[(surface, is_demonym)]
        choice, c = names.choices[k], names.by_key[k]
        for r in members:
            if choice.index < 0:
                reason_out[r] = choice.reason
                continue
            entry_out[r] = int(c.entry[choice.index])
            score_out[r] = choice.score
            method_out[r] = c.method or _METHOD_OF_KIND[int(c.kind[choice.index])]


def _places_table(
    table: pd.DataFrame,
    gaz: Gazetteer,
    entry: np.ndarray,
    score: np.ndarray,
    method: np.ndarray,
    reason: np.ndarray,
    demonym: np.ndarray,
) -> pd.DataFrame:
    out = table.copy()
    if "found_by" not in out.columns:
        out["found_by"] = pd.Series(["model"] * len(out), index=out.index, dtype="string")
    if "demonym" not in out.columns:
        out["demonym"] = demonym
    ok = entry >= 0
    safe = np.where(ok, entry, 0)
    gid = gaz.gid[safe] if len(gaz) else np.zeros(len(entry), dtype=np.int64)
    out["place_id"] = pd.array(np.where(ok, gid, 0), dtype="Int64")
    out.loc[~ok, "place_id"] = pd.NA
    names = np.asarray(gaz.name, dtype=object)[safe] if len(entry) else np.zeros(0, dtype=object)
    admin1 = np.asarray(gaz.admin1, dtype=object)[safe] if len(entry) else np.zeros(0, dtype=object)
    feature = (
        np.asarray(FEATURES, dtype=object)[gaz.feature[safe]] if len(entry) else np.zeros(0, dtype=object)
    )
    cc = gaz.cc[safe].astype(object) if len(entry) else np.zeros(0, dtype=object)
    for column, values in (
        ("place_name", names),
        ("country_code", cc),
        ("admin1", admin1),
        ("feature", feature),
    ):
        series = pd.Series(values, index=out.index, dtype="string")
        series[~ok] = pd.NA
        series[series == ""] = pd.NA
        out[column] = series
    for column, values in (
        ("lat", gaz.lat[safe] if len(entry) else np.zeros(0)),
        ("lon", gaz.lon[safe] if len(entry) else np.zeros(0)),
    ):
        out[column] = np.where(ok, values, np.nan)
    out["score"] = np.where(ok, score, 0.0)
    out["method"] = pd.Series(method, index=out.index, dtype="string")
    reasons = pd.Series(reason, index=out.index, dtype="string")
    reasons[ok] = pd.NA
    out["reason"] = reasons
    for column in ("sentence", "start", "end"):
        if column in out.columns:
            out[column] = out[column].astype("int64")
    for column in ("article_id", "surface", "label", "found_by"):
        if column in out.columns:
            out[column] = out[column].astype("string")
    out["demonym"] = out["demonym"].astype(bool)
    return out


# --------------------------------------------------------------------------- focus


def article_focus(
    places: pd.DataFrame, articles: pd.DataFrame | None = None, *, top: int = 3, min_share: float = 0.15
) -> pd.DataFrame:
    """Each article's geographic focus: the countries and the places it is about.

    Every resolved mention weighs its ``score`` times a position factor (2 in the headline or
    first sentence, 1.5 in the next two, 1 after), demonyms half as much. A country's weight is
    the sum over mentions of the country and of places inside it; a place's (city, admin region,
    region) its own mentions. Rows per article: ``level`` ("country" or "place"), ``rank``,
    ``place_id``, ``place_name``, ``country_code``, ``feature``, ``lat``, ``lon``, ``mentions``,
    ``weight`` and ``share`` (of the article's total at that level), keeping at most ``top`` per
    level with a share of at least ``min_share`` (the first is always kept). ``articles`` (with
    ``article_id``), when given, only sets the order of the output (the articles' order).
    """
    columns = [
        "article_id",
        "level",
        "rank",
        "place_id",
        "place_name",
        "country_code",
        "feature",
        "lat",
        "lon",
        "mentions",
        "weight",
        "share",
    ]
    resolved = places[places["place_id"].notna()].copy()
    if resolved.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    sentence = resolved["sentence"].to_numpy()
    position = np.where(sentence <= 0, 2.0, np.where(sentence <= 2, 1.5, 1.0))
    demonym = (
        resolved["demonym"].to_numpy(dtype=bool) if "demonym" in resolved else np.zeros(len(resolved), bool)
    )
    resolved["_w"] = (
        resolved["score"].to_numpy(dtype=float).clip(0.2, 1.0) * position * np.where(demonym, 0.5, 1.0)
    )
    gaz = load_gazetteer()
    rows = []
    for article_id, group in resolved.groupby("article_id", sort=True):
        country_w: dict[str, float] = defaultdict(float)
        country_n: Counter = Counter()
        for cc, w in zip(group["country_code"].fillna(""), group["_w"], strict=True):
            if cc:
                country_w[cc] += w
                country_n[cc] += 1
        total = sum(country_w.values())
        ranked = sorted(country_w.items(), key=lambda x: (-x[1], x[0]))
        for rank, (cc, w) in enumerate(ranked[:top], start=1):
            if rank > 1 and w / total < min_share:
                break
            entry = gaz.country_entry(cc)
            rows.append(
                (
                    article_id,
                    "country",
                    rank,
                    int(gaz.gid[entry]) if entry is not None else pd.NA,
                    gaz.name[entry] if entry is not None else cc,
                    cc,
                    "country",
                    float(gaz.lat[entry]) if entry is not None else math.nan,
                    float(gaz.lon[entry]) if entry is not None else math.nan,
                    int(country_n[cc]),
                    round(w, 4),
                    round(w / total, 4),
                )
            )
        local = group[~group["feature"].isin(["country", "continent"])]
        if local.empty:
            continue
        agg = local.groupby("place_id").agg(
            place_name=("place_name", "first"),
            country_code=("country_code", "first"),
            feature=("feature", "first"),
            lat=("lat", "first"),
            lon=("lon", "first"),
            mentions=("_w", "size"),
            weight=("_w", "sum"),
        )
        agg = agg.reset_index().sort_values(["weight", "place_name"], ascending=[False, True], kind="stable")
        ptotal = float(agg["weight"].sum())
        for rank, rec in enumerate(agg.head(top).itertuples(index=False), start=1):
            if rank > 1 and rec.weight / ptotal < min_share:
                break
            rows.append(
                (
                    article_id,
                    "place",
                    rank,
                    int(rec.place_id),
                    rec.place_name,
                    rec.country_code,
                    rec.feature,
                    float(rec.lat),
                    float(rec.lon),
                    int(rec.mentions),
                    round(float(rec.weight), 4),
                    round(float(rec.weight) / ptotal, 4),
                )
            )
    out = pd.DataFrame(rows, columns=columns)
    if articles is not None and "article_id" in articles:
        position_of = {a: i for i, a in enumerate(articles["article_id"])}
        out = out.sort_values(
            ["article_id", "level", "rank"],
            key=lambda s: s.map(position_of) if s.name == "article_id" else s,
            kind="stable",
        ).reset_index(drop=True)
    out["place_id"] = out["place_id"].astype("Int64")
    for column in ("article_id", "level", "place_name", "country_code", "feature"):
        out[column] = out[column].astype("string")
    return out


def places_from_docs(docs: Iterable[Doc]) -> pd.DataFrame:
    """Place mentions of annotated Docs (each with ``user_data["article_id"]``), for quick use."""
    rows = [(doc.user_data.get("article_id", ""), *r) for doc in docs for r in extract_place_mentions(doc)]
    return pd.DataFrame(rows, columns=["article_id", *PLACE_MENTION_COLUMNS])
