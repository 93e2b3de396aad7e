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

import itertools
import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from spacy.tokens import Doc, Span

from .entities import PLACE_LABELS, extract_mentions, sentence_index
from .gazetteer import (
    ABBREVIATION,
    ALIAS,
    ALTERNATE,
    DEMONYM,
    FEATURE_CODE,
    FEATURES,
    NAME,
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


def _gazetteer_spans(
    doc: Doc, gaz: Gazetteer, taken: list[bool], person_words: set[str]
) -> list[tuple[Span, str, str, bool]]:
    """Capitalised names the model left unlabelled that the gazetteer knows (see module docstring)."""
    lower_words = {t.lower_ for t in doc if t.is_lower}
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
        spelled_out = text.isupper() and len(text) >= 3 and any(gaz.name[e] in doc.text for e in entries)
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


class _Resolver:
    def __init__(self, gaz: Gazetteer):
        self.gaz = gaz
        self.cache: dict[tuple[str, bool], _Cands] = {}
        self.fuzzy_cache: dict[tuple[str, tuple[str, ...]], _Cands | None] = {}
        self.choice_cache: dict[tuple, _Choice] = {}
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
        if not len(cands):
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
        for code, value in _FEATURE_PRIOR.items():
            if code != _ADMIN1:
                prior = np.where(feature == code, value, prior)
        prior = prior + np.vectorize(_KIND_PRIOR.get, otypes=[float])(kinds) + gaz.capital[entries] * 2.0
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


@dataclass
class _Context:
    """What an article's resolved places say, minus one key's own share (``own_*``)."""

    countries: np.ndarray  # weight per country index
    admins: np.ndarray  # weight per admin1 index
    total: float
    dominant: int  # country index, -1 for none
    points: np.ndarray | None  # (n, 2) lat/lon of the other places
    own_country: int = -1
    own_country_w: float = 0.0
    own_admin: int = -1
    own_admin_w: float = 0.0
    collection: _CollectionTerm | None = None  # score terms from the outlet's other articles
    within: tuple[int, int] = (-1, -1)  # (admin1, country) index named right after it ("Athens, Ga.")


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
    """The choice from the prior alone (cached on the candidates): the first round of every article."""
    if c.prior_choice is None:
        c.prior_choice = _choose(c, None)
        order = np.sort(c.prior)[::-1]
        c.final = c.prior_choice.index >= 0 and (len(order) <= 1 or order[0] - order[1] > _MAX_CONTEXT)
    return c.prior_choice


def _choose(c: _Cands, ctx: _Context | None) -> _Choice:
    """The best candidate given the article's other places."""
    n = len(c.entry)
    if not n:
        return _Choice(-1, 0.0, False, c.reason or "no gazetteer entry")
    score = c.prior.copy()
    support = np.zeros(n, dtype=bool)
    evidence = False  # whether the article says anything about any candidate
    if ctx is not None:
        weight = ctx.countries[c.cc_idx]
        if ctx.own_country >= 0:
            weight = weight - np.where(c.cc_idx == ctx.own_country, ctx.own_country_w, 0.0)
        present = weight > 1e-9
        if present.any():
            share = weight / max(ctx.total, 1e-9)
            score += np.where(present, 0.5 + 3.0 * share, 0.0)
            support |= present & (share >= 0.3)
            evidence = True
            if ctx.dominant >= 0:
                score += np.where(c.cc_idx == ctx.dominant, 0.5, 0.0)
        aw = ctx.admins[c.admin_idx]
        if ctx.own_admin >= 0:
            aw = aw - np.where(c.admin_idx == ctx.own_admin, ctx.own_admin_w, 0.0)
        has = aw > 1e-9
        score += np.where(has, 2.0, 0.0)
        support |= has
        evidence = evidence or bool(has.any())
        if ctx.points is not None and n > 1:
            d = _haversine(
                c.lat[:, None], c.lon[:, None], ctx.points[None, :, 0], ctx.points[None, :, 1]
            ).min(axis=1)
            near = np.where(d < 50, 1.5, np.where(d < 200, 1.0, np.where(d < 500, 0.4, 0.0)))
            near[c.feature == _COUNTRY] = 0.0
            score += near
            support |= near > 0
            evidence = evidence or bool((near > 0).any())
        if ctx.within != (-1, -1):
            admin, country = ctx.within
            inside = (c.admin_idx == admin) if admin >= 0 else (c.cc_idx == country)
            inside &= (c.feature == _CITY) | (c.feature == _ADMIN2)
            score += np.where(inside, _WITHIN_BONUS, 0.0)
            support |= inside
            evidence = evidence or bool(inside.any())
        if ctx.collection is not None and not evidence:
            # the article's own places say nothing about this name: the outlet's (or the table's)
            # usual countries decide between same-named places; a country named outright stays
            term = ctx.collection.country[c.cc_idx]
            if ctx.collection.admin is not None:
                term = term + np.where(c.feature == _ADMIN1, 0.5, 1.0) * ctx.collection.admin[c.admin_idx]
            term[(c.feature == _CONTINENT) | (c.feature == _COUNTRY)] = 0.0
            score += term
    best = int(np.argmax(score))  # the first of equal scores
    if n > 1:
        rest = score.copy()
        rest[best] = -np.inf
        second = int(np.argmax(rest))
        margin = float(score[best] - score[second])
    else:
        second, margin = -1, 5.0
    feature = int(c.feature[best])
    if (
        feature in (_CITY, _ADMIN2)
        and not support[best]
        and (
            c.method in ("fuzzy", "transliteration")
            or (
                c.population[best] < _SMALL_PLACE
                and (c.kind[best] == ALTERNATE or c.population[best] < 1_000)
            )
        )
    ):
        return _Choice(-1, 0.0, False, "no candidate near the article's places")
    if (
        second >= 0
        and margin < 0.05
        and not support[best]
        and _haversine(c.lat[best], c.lon[best], c.lat[second], c.lon[second]) > 500
    ):
        return _Choice(-1, 0.0, False, "ambiguous")
    probability = 1.0 / float(np.exp(np.maximum(score - score[best], -30.0)).sum())
    factor = 0.7 if c.method == "fuzzy" else 0.9 if c.method == "transliteration" else 1.0
    confident = (margin >= 1.0 or n == 1) and c.method != "fuzzy"
    return _Choice(best, round(probability * factor, 4), confident)


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
    gaz = gazetteer or load_gazetteer()
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
        for a, b in itertools.pairwise(bounds):
            collection.add(article_ids[order[a]], order[a:b], keys, demonym_col)
        for a, b in itertools.pairwise(bounds):
            rows = order[a:b]
            _resolve_article(
                resolver,
                rows,
                keys,
                surfaces,
                demonym_col,
                entry_out,
                score_out,
                method_out,
                reason_out,
                collection.term(article_ids[order[a]]),
                starts,
                ends,
            )
    return _places_table(table, gaz, entry_out, score_out, method_out, reason_out, demonym_col)


_RESOLVERS: dict[int, _Resolver] = {}


def _resolver(gaz: Gazetteer) -> _Resolver:
    found = _RESOLVERS.get(id(gaz))
    if found is None or found.gaz is not gaz:
        found = _RESOLVERS[id(gaz)] = _Resolver(gaz)
    return found


def _surface_key(surface: str) -> str:
    return re.sub(r"(?:'s|’s|'|’)$", "", surface.strip())


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

    signature: bytes = b""  # identifies the terms in the resolver's choice cache

    def __post_init__(self) -> None:
        admin = b"" if self.admin is None else np.round(self.admin, 2).tobytes()
        self.signature = np.round(self.country, 2).tobytes() + b"|" + admin


@dataclass
class _Sparse:
    """The non-zero entries of a count vector."""

    index: np.ndarray
    value: np.ndarray

    @classmethod
    def of(cls, dense: np.ndarray) -> _Sparse:
        index = np.flatnonzero(dense)
        return cls(index, dense[index])

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
        resolver = self.resolver
        seen: set[str] = set()
        counts = np.zeros(len(resolver.countries))
        admin_counts = np.zeros(len(resolver.admin_keys))
        for r in rows:
            if demonym[r] or keys[r] in seen:
                continue
            seen.add(keys[r])
            c = resolver.candidates(keys[r], False)
            if not len(c.entry) or c.method:
                continue
            choice = _prior_choice(c)
            i = choice.index
            if i < 0 or int(c.feature[i]) not in (_CITY, _ADMIN1, _ADMIN2):
                continue
            cc_i = int(c.cc_idx[i])
            if cc_i == resolver.no_country:
                continue
            other = c.cc_idx != cc_i
            if other.any() and c.prior[i] - c.prior[other].max() < _UNAMBIGUOUS_LEAD:
                continue
            counts[cc_i] += 1.0
            ad_i = int(c.admin_idx[i])
            if not resolver.no_admin[ad_i]:
                admin_counts[ad_i] += 1.0
        if counts.any():
            self.own[article_id] = _Sparse.of(counts)
            self.own_admin[article_id] = _Sparse.of(admin_counts)
            self.total += counts
            outlet = self.outlet_of.get(article_id)
            if outlet is not None:
                self.outlets[outlet] += counts
                self.outlet_admins[outlet] += admin_counts

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


def _resolve_article(
    resolver: _Resolver,
    rows: np.ndarray,
    keys: np.ndarray,
    surfaces: np.ndarray,
    demonym: np.ndarray,
    entry_out: np.ndarray,
    score_out: np.ndarray,
    method_out: np.ndarray,
    reason_out: np.ndarray,
    collection: _CollectionTerm | None = None,
    starts: np.ndarray | None = None,
    ends: np.ndarray | None = None,
) -> None:
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
    choices = {k: _prior_choice(c) for k, c in by_key.items()}
    # context can change nothing when every name is settled by its prior and none needs fuzzy matching
    settled = all(
        c.final or (not len(c.entry) and (k.startswith("\x00") or c.reason != "no gazetteer entry"))
        for k, c in by_key.items()
    )
    within = {} if settled else _named_within(resolver, rows, keys, demonym, starts, ends, gkey_of)
    n_countries, n_admins = len(resolver.countries), len(resolver.admin_keys)
    for round_ in range(0 if settled else 2):
        countries = np.zeros(n_countries)
        admins = np.zeros(n_admins)
        own: dict[str, tuple[int, float, int, float, int]] = {}
        point_list: list[tuple[float, float]] = []
        for k, choice in choices.items():
            if choice.index < 0 or (round_ == 0 and not choice.confident):
                continue
            c, i = by_key[k], choice.index
            w = counts[k] * (1.0 if choice.confident else 0.5)
            cc_i, ad_i = int(c.cc_idx[i]), int(c.admin_idx[i])
            feature = int(c.feature[i])
            cw = w if cc_i != resolver.no_country else 0.0
            aw = 0.0
            if feature in (_ADMIN1, _ADMIN2, _CITY) and not resolver.no_admin[ad_i]:
                aw = w if feature == _ADMIN1 else 0.5 * w
            countries[cc_i] += cw
            admins[ad_i] += aw
            p = -1
            if feature in (_CITY, _ADMIN2) or (feature == _ADMIN1 and c.population[i] < 5_000_000):
                p = len(point_list)
                point_list.append((float(c.lat[i]), float(c.lon[i])))
            own[k] = (cc_i, cw, ad_i, aw, p)
        if not own and collection is None and not within:
            break
        countries[resolver.no_country] = 0.0
        total_all = float(countries.sum())
        points_all = np.asarray(point_list) if point_list else None
        # the context of this round, for the (surface, context) cache
        nz_c, nz_a = np.flatnonzero(countries), np.flatnonzero(admins)
        signature = (
            tuple(nz_c.tolist()),
            tuple(np.round(countries[nz_c], 3).tolist()),
            tuple(nz_a.tolist()),
            tuple(np.round(admins[nz_a], 3).tolist()),
            tuple(point_list),
            None if collection is None else collection.signature,
        )
        order = np.argsort(-countries, kind="stable")[:3]
        top = [int(x) for x in order if countries[x] > 1e-9]
        # unknown spellings: fuzzy among the places of the article's countries
        if round_ == 1 and top:
            context = tuple(sorted(str(resolver.countries[x]) for x in top))
            for k, c in list(by_key.items()):
                if not len(c.entry) and not k.startswith("\x00") and c.reason == "no gazetteer entry":
                    fuzzy = resolver.fuzzy(k, context)
                    if fuzzy is not None:
                        by_key[k] = fuzzy
        new = {}
        for k, c in by_key.items():
            if not len(c.entry):
                new[k] = choices.get(k) or _prior_choice(c)
                continue
            _prior_choice(c)
            if c.final:
                new[k] = c.prior_choice
                continue
            cc_i, cw, ad_i, aw, p = own.get(k, (-1, 0.0, -1, 0.0, -1))
            memo_key = (id(c), signature, cc_i, cw, ad_i, aw, p, within.get(k))
            memo = resolver.choice_cache.get(memo_key)
            if memo is not None:
                new[k] = memo
                continue
            dominant = -1
            for x in top:
                if countries[x] - (cw if x == cc_i else 0.0) > 1e-9:
                    dominant = x
                    break
            pts = points_all
            if p >= 0 and points_all is not None:
                pts = np.delete(points_all, p, axis=0) if len(points_all) > 1 else None
            inside = within.get(k, (-1, -1))
            ctx = _Context(
                countries, admins, total_all - cw, dominant, pts, cc_i, cw, ad_i, aw, collection, inside
            )
            new[k] = _choose(c, ctx)
            if len(resolver.choice_cache) > 500_000:
                resolver.choice_cache.clear()
            resolver.choice_cache[memo_key] = new[k]
        choices = new
    for (surface, is_demonym), members in groups.items():
        k = gkey_of[(surface, is_demonym)]
        choice, c = choices[k], by_key[k]
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
