"""Entity mentions: the ``mentions`` table, one row per named-entity mention, and its ``entity`` column.

Extraction (:func:`extract_mentions`, a pure function from an annotated ``Doc`` to rows, in order
of appearance) keeps the spaCy entities whose label names a kind of entity (people,
organisations, groups, places, events, works, laws, languages, products; dates and numbers are
left out) and adds the names of the alias table (``resources/aliases.csv``) the model missed or
broke up: "IS" is rarely tagged, and "the Islamic State group" often comes out as "Islamic"
(NORP) + "State" (ORG). An alias match replaces the model entities it covers when it is at least
as long. Offsets are character offsets into the article text: ``text[start:end] == surface``.

Normalisation (:func:`normalise_mentions`) fills the ``entity`` column, in four steps:

1. surface clean-up (:func:`canonical_name`): white space, a leading "the", a possessive,
   surrounding quotes and punctuation, and, for people, honorifics and titles ("Mr", "Gen.",
   "President");
2. aliases: the built-in table plus any user file (CSV ``alias,canonical,label``);
3. within one article: a surname or partial name resolves to the one full name of the same kind
   that contains it ("Abadi" -> "Haider al-Abadi", "Mr Blair" -> "Tony Blair", "Halvorsen" ->
   "Halvorsen Steel"), and an acronym defined in the text ("Syrian Frontier Forces (SFF)")
   resolves to its expansion. Never across articles by surname alone; when two full names in the
   article fit, the short name is left as it is;
4. across the corpus: names with the same spelling-insensitive key (case, diacritics, hyphens,
   the Arabic article: "BAGHDAD" = "Baghdad", "Al-Qaim" = "al Qaim") take their most frequent
   form, and place names also merge by transliteration ("Deir el-Zour" = "Deir ez-Zor"); an
   acronym defined in the corpus with a single expansion takes that expansion everywhere.

Example:
    >>> canonical_name("the Islamic State group's", "ORG")
    'Islamic State group'
"""

from __future__ import annotations

import bisect
import csv
import io
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from .errors import InputError
from .names import name_key, name_tokens, strip_titles, transliteration_key

__all__ = [
    "MENTIONS_VERSION",
    "MENTION_COLUMNS",
    "MENTION_LABELS",
    "AliasTable",
    "canonical_name",
    "extract_mentions",
    "load_aliases",
    "normalise_mentions",
]

#: spaCy labels that name entities (the rest are dates, quantities and numbers).
MENTION_LABELS = frozenset({"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT",
                            "WORK_OF_ART", "LAW", "LANGUAGE"})
#: Columns of the rows :func:`extract_mentions` yields (``article_id`` and ``entity`` are added later).
MENTION_COLUMNS = ("sentence", "start", "end", "surface", "label")
#: Bumped whenever :func:`extract_mentions` changes what it returns (it keys the table cache).
MENTIONS_VERSION = "4"
#: Labels whose names are places (merged by transliteration across the corpus).
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
#: Labels whose short names may resolve to a longer name in the same article.
_PARTIAL_LABELS = {"PERSON": frozenset({"PERSON", "ORG", "NORP"}), "ORG": frozenset({"ORG"})}
#: Words too generic to identify an organisation on their own.
GENERIC_ORG_WORDS = frozenset({"ministry", "government", "army", "police", "council", "court", "party",
                                "group", "forces", "force", "agency", "committee", "department", "office",
                                "state", "union", "bank", "company", "university", "commission", "house"})

_LEADING_THE = re.compile(r"^(?:the|The|THE)\s+")
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
_EDGE_PUNCT = "\"'“”‘’«»()[]{}.,;:!?-–—*·•|/\\ "
_SPACES = re.compile(r"\s+")
_ENDS_WITH_INITIAL = re.compile(r"(?:^|[.\s])[A-Z][a-z]?\.$")


def extract_mentions(doc: Doc) -> list[tuple[int, int, int, str, str]]:
    """Rows ``(sentence, start, end, surface, label)`` for the entity mentions in ``doc``.

    ``sentence`` is the 0-based index of the sentence holding the mention's first token.
    Catches every spaCy entity with a label in :data:`MENTION_LABELS`, plus alias-table names
    (see the module docstring); misses what both miss (the places module adds gazetteer matches).
    The rows are remembered in ``doc.user_data`` (the place and attribution extractors ask again
    for the same Doc) for as long as the Doc's tokens and entities stay the same.
    """
    # not doc.text: spaCy joins every token's text on each call, and a Doc's text cannot change
    state = (len(doc), tuple((e.start, e.end, e.label) for e in doc.ents))
    remembered = doc.user_data.get(_MENTIONS_MEMO)
    if remembered is not None and remembered[0] == state:
        return list(remembered[1])
    spans = [ent for ent in doc.ents if ent.label_ in MENTION_LABELS]
    spans = _merge_alias_matches(doc, spans)
    spans = _propagate_person_names(doc, spans)
    sentence_of = sentence_index(doc) if spans else []
    rows = [(sentence_of[s.start], s.start_char, s.end_char, s.text, s.label_) for s in spans]
    doc.user_data[_MENTIONS_MEMO] = (state, tuple(rows))
    return rows


_MENTIONS_MEMO = ("toolkit", "extract_mentions", MENTIONS_VERSION)
_TEXT_MEMO = ("toolkit", "doc_text")


def doc_text(doc: Doc) -> str:
    """``doc.text``, built once per Doc: spaCy joins every token's text on each ``doc.text``, and
    several extractors need the text of the same Doc. Remembered in ``doc.user_data``.

    >>> import spacy
    >>> doc_text(spacy.blank("en")("Kofi went to Ghana."))
    'Kofi went to Ghana.'
    """
    remembered = doc.user_data.get(_TEXT_MEMO)
    if remembered is None or remembered[0] != len(doc):
        remembered = doc.user_data[_TEXT_MEMO] = (len(doc), doc.text)
    return remembered[1]


#: Words in front of a name that make it a person's name ("Dr Okafor", "Col. Whitaker").
PERSON_TITLE_WORDS = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lord", "lady", "col",
    "colonel", "gen", "general", "lt", "lieutenant", "maj", "major", "capt", "captain", "sgt", "sergeant",
    "cpl", "adm", "admiral", "brig", "brigadier", "cmdr", "commander", "gov", "governor", "sen", "senator",
    "rep", "president", "minister", "mayor", "judge", "justice", "king", "queen", "prince", "princess",
    "sheikh", "pope", "rev", "reverend", "ayatollah", "imam", "rabbi", "chancellor", "ambassador",
    "spokesman", "spokeswoman", "spokesperson", "councillor", "councilor",
})


def _after_title(doc: Doc, span: Span) -> bool:
    """True when the span starts with, or follows, a personal title ("Dr", "Col.", "Mr")."""
    first = span[0]
    if first.lower_.rstrip(".") in PERSON_TITLE_WORDS and len(span) > 1:
        return True
    i = span.start - 1
    if i >= 0 and doc[i].text == ".":
        i -= 1
    return i >= 0 and doc[i].lower_.rstrip(".") in PERSON_TITLE_WORDS and doc[i].text[:1].isupper()


def _propagate_person_names(doc: Doc, spans: list[Span]) -> list[Span]:
    """One name, one person per article: titles make a PERSON, and known names are found again.

    A span after a personal title is relabelled PERSON. Then every full name (two or more words)
    known as a PERSON in the article lends its label to other spans with that exact name or its
    surname, and uncovered occurrences of the name or surname become PERSON mentions (the small
    model often misses "Rahal said" after it found "Omar Rahal"). Surnames also tagged as places
    in the article ("Jordan") and lower-case or short words are left alone.
    """
    spans = [Span(doc, s.start, s.end, label="PERSON") if s.label_ != "PERSON" and _after_title(doc, s)
             else s for s in spans]
    people = [s for s in spans if s.label_ == "PERSON"]
    names: set[str] = set()
    for person in people:
        words = [t for t in person if not t.is_punct and t.lower_.rstrip(".") not in PERSON_TITLE_WORDS]
        if len(words) >= 2 and words[-1].is_title and len(words[-1]) >= 3:
            names.add(doc[words[0].i : words[-1].i + 1].text)
            names.add(words[-1].text)
        elif len(words) == 1 and words[0].is_title and len(words[0]) >= 3 and _after_title(doc, person):
            names.add(words[0].text)
    places = {s.text for s in spans if s.label_ in PLACE_LABELS}
    names -= places
    if not names:
        return spans
    out = [Span(doc, s.start, s.end, label="PERSON") if s.label_ in ("ORG", "NORP", "GPE") and
           (s.text in names or (len(s) > 1 and s[-1].text in names and s.text not in places)) else s
           for s in spans]
    taken = [False] * len(doc)
    for s in out:
        for i in range(s.start, s.end):
            taken[i] = True
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    pattern = re.compile(r"(?<![\w-])(?:" + alternatives + r")(?![\w-])")
    for match in pattern.finditer(doc_text(doc)):
        span = doc.char_span(match.start(), match.end())
        if span is None or any(taken[span.start : span.end]):
            continue
        out.append(Span(doc, span.start, span.end, label="PERSON"))
        for k in range(span.start, span.end):
            taken[k] = True
    return sorted(out, key=lambda s: s.start)


def _merge_alias_matches(doc: Doc, ents: list[Span]) -> list[Span]:
    """Model entities plus alias matches; a match wins over the entities it covers if not shorter."""
    matches = _alias_spans(doc)
    if not matches:
        return ents
    taken = [False] * len(doc)
    chosen: list[Span] = []
    by_start = {e.start: e for e in ents}
    order = sorted(range(len(ents)), key=lambda i: ents[i].start)  # entities overlapping a match by bisection
    starts = [ents[i].start for i in order]
    longest = max((e.end - e.start for e in ents), default=0)
    for match in sorted(matches, key=lambda m: (-(m.end - m.start), m.start)):
        low, high = bisect.bisect_left(starts, match.start - longest), bisect.bisect_left(starts, match.end)
        near = order[low:high]
        covered = [ents[i] for i in sorted(near) if ents[i].end > match.start]
        if any(e.end - e.start > match.end - match.start for e in covered):
            continue  # the model saw a longer name ("Islamic State group of Iraq"): keep it
        if any(taken[i] for i in range(match.start, match.end)):
            continue
        for e in covered:
            by_start.pop(e.start, None)
        for i in range(match.start, match.end):
            taken[i] = True
        chosen.append(match)
    kept = [e for e in by_start.values() if not any(taken[i] for i in range(e.start, e.end))]
    return sorted([*kept, *chosen], key=lambda s: s.start)


def _alias_spans(doc: Doc) -> list[Span]:
    matcher, labels = _alias_matcher(doc.vocab)
    spans = []
    for match_id, start, end in matcher(doc):
        span = doc[start:end]
        text = span.text
        if text.isupper() and len(text) <= 4 and _in_capitals_run(doc, start, end):
            continue  # "IS" inside an all-capitals headline is the verb
        spans.append(Span(doc, start, end, label=labels[doc.vocab.strings[match_id]]))
    return spans


def _in_capitals_run(doc: Doc, start: int, end: int) -> bool:
    neighbours = [t for t in (doc[start - 1] if start > 0 else None, doc[end] if end < len(doc) else None)
                  if t is not None and t.is_alpha]
    return any(t.is_upper and len(t) > 1 for t in neighbours)


@lru_cache(maxsize=8)
def _alias_matcher(vocab: Vocab) -> tuple[PhraseMatcher, dict[str, str]]:
    """Phrase matchers for the built-in alias names: exact case for acronyms, any case for names."""
    table = builtin_aliases()
    exact = PhraseMatcher(vocab, attr="ORTH")
    labels: dict[str, str] = {}
    make = spacy_tokenizer(vocab)
    for alias, (_, label) in sorted(table.by_alias.items()):
        key = f"ALIAS::{alias}"
        labels[key] = label
        exact.add(key, [make(alias)])
        if not _is_acronym(alias):
            variants = {alias.lower(), alias.upper(), alias.title()} - {alias}
            exact.add(key, [make(v) for v in sorted(variants)])
    return exact, labels


def spacy_tokenizer(vocab: Vocab):  # type: ignore[no-untyped-def]
    """A tokenizer for ``vocab`` (English rules) to build phrase patterns."""
    import spacy

    return spacy.blank("en", vocab=vocab).tokenizer


def _is_acronym(name: str) -> bool:
    letters = name.replace(".", "")
    return letters.isupper() and len(letters) <= 6


def sentence_index(doc: Doc) -> list[int]:
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
    punctuation, and for people the titles in front of the name; keeps the rest as written
    (aliases and short names are resolved in later steps).

    >>> canonical_name("  “Deir  el-Zour”,", "GPE"), canonical_name("Mr. Blair's", "PERSON")
    ('Deir el-Zour', 'Blair')
    >>> canonical_name("the U.S.", "GPE"), canonical_name("Iraq.", "GPE")
    ('U.S.', 'Iraq')
    """
    name = _SPACES.sub(" ", surface).strip(_EDGE_PUNCT)
    name = _LEADING_THE.sub("", name)
    name = _POSSESSIVE.sub("", name).strip(_EDGE_PUNCT)
    if label == "PERSON":
        name = strip_titles(name).strip(_EDGE_PUNCT)
    if name and _ENDS_WITH_INITIAL.search(surface.rstrip()) and surface.rstrip().endswith(name + "."):
        name += "."  # "U.S.", "Sr.": the final full stop belongs to the abbreviation
    return name or _SPACES.sub(" ", surface).strip()


# --------------------------------------------------------------------------- aliases


@dataclass(frozen=True)
class AliasTable:
    """Alias -> (canonical name, label), looked up by exact spelling, then by name key.

    Acronyms (all capitals, up to six letters) match only with their exact spelling, so that
    "US" is the country and "us" is not.
    """

    by_alias: dict[str, tuple[str, str]]
    by_key: dict[str, tuple[str, str]]

    def lookup(self, name: str) -> str | None:
        hit = self.by_alias.get(name)
        if hit is None and not _is_acronym(name.replace(" ", "")):
            hit = self.by_key.get(name_key(name))
        return hit[0] if hit else None

    def label_of(self, canonical: str) -> str | None:
        for value, label in self.by_alias.values():
            if value == canonical:
                return label
        return None


def _read_alias_rows(text: str, where: str) -> list[tuple[str, str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = {"alias", "canonical"} - set(reader.fieldnames or [])
    if missing:
        raise InputError(f"{where}: an alias file needs the columns alias,canonical[,label]; "
                         f"missing {sorted(missing)}")
    rows = []
    for number, row in enumerate(reader, start=2):
        alias, canonical = (row.get("alias") or "").strip(), (row.get("canonical") or "").strip()
        if not alias or not canonical:
            raise InputError(f"{where}, line {number}: empty alias or canonical name")
        rows.append((alias, canonical, (row.get("label") or "").strip()))
    return rows


def _table_from_rows(rows: Iterable[tuple[str, str, str]]) -> AliasTable:
    by_alias: dict[str, tuple[str, str]] = {}
    by_key: dict[str, tuple[str, str]] = {}
    for alias, canonical, label in rows:
        by_alias[alias] = (canonical, label)
        by_alias.setdefault(canonical, (canonical, label))
        for name in (alias, canonical):
            if not _is_acronym(name.replace(" ", "")):
                by_key[name_key(name)] = (canonical, label)
    return AliasTable(by_alias, by_key)


@lru_cache(maxsize=1)
def builtin_aliases() -> AliasTable:
    """The alias table shipped in ``toolkit/resources/aliases.csv``."""
    text = resources.files("toolkit").joinpath("resources/aliases.csv").read_text("utf-8")
    return _table_from_rows(_read_alias_rows(text, "resources/aliases.csv"))


def load_aliases(path: str | os.PathLike[str] | None = None) -> AliasTable:
    """The built-in alias table extended (and overridden) by a user CSV ``alias,canonical,label``.

    >>> load_aliases().lookup("Daesh"), load_aliases().lookup("U.S.")
    ('Islamic State', 'United States')
    """
    builtin = builtin_aliases()
    if path is None:
        return builtin
    file = Path(path)
    if not file.is_file():
        raise InputError(f"alias file not found: {file}")
    text = resources.files("toolkit").joinpath("resources/aliases.csv").read_text("utf-8")
    rows = _read_alias_rows(text, "resources/aliases.csv")
    rows += _read_alias_rows(file.read_text("utf-8"), str(file))
    return _table_from_rows(rows)


# --------------------------------------------------------------------------- normalisation

_ACRONYM_DEFINITION = re.compile(r"\s*\(\s*([A-Z][A-Za-z&.]{1,9})\s*\)")
_INITIAL_SKIP = frozenset({"of", "the", "for", "and", "in", "on", "de", "du", "des", "la", "le", "al"})


def _initials(name: str) -> str:
    words = re.findall(r"[\w']+", name)
    return "".join(w[0] for w in words if w.lower() not in _INITIAL_SKIP).upper()


def normalise_mentions(mentions: pd.DataFrame, articles: pd.DataFrame | None = None, *,
                       aliases: str | os.PathLike[str] | AliasTable | None = None) -> pd.DataFrame:
    """The mentions table with its ``entity`` column (re)computed; see the module docstring.

    ``articles`` (with ``article_id`` and ``text``) lets acronyms defined in the text ("Syrian
    Frontier Forces (SFF)") resolve; ``aliases`` is a user alias CSV or an :class:`AliasTable`.

    >>> m = pd.DataFrame({"article_id": ["a", "a", "b"], "sentence": [0, 1, 0], "start": [0, 30, 0],
    ...                   "end": [15, 35, 5], "surface": ["Haider al-Abadi", "Abadi", "Abadi"],
    ...                   "label": ["PERSON", "PERSON", "PERSON"]})
    >>> list(normalise_mentions(m)["entity"])
    ['Haider al-Abadi', 'Haider al-Abadi', 'Abadi']
    """
    table = aliases if isinstance(aliases, AliasTable) else load_aliases(aliases)
    out = mentions.copy()
    if not len(out):
        out["entity"] = pd.Series(dtype="string")
        return out
    labels = out["label"].tolist()
    names = [canonical_name(s, lab) for s, lab in zip(out["surface"], labels, strict=True)]
    names = [table.lookup(n) or n for n in names]
    texts = dict(zip(articles["article_id"], articles["text"], strict=True)) if articles is not None else {}
    names, defined = _resolve_within_articles(out, names, labels, texts)
    expansions = _corpus_acronyms(defined)
    names = [expansions.get(n, n) for n in names]
    names = [table.lookup(n) or n for n in names]
    names = _merge_spellings(names, labels)
    out["entity"] = pd.Series(names, index=out.index, dtype="string")
    return out


def _resolve_within_articles(mentions: pd.DataFrame, names: list[str], labels: list[str],
                             texts: dict[str, str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Short names to the one longer name of the same article that contains them; acronyms."""
    resolved = list(names)
    definitions: list[tuple[str, str]] = []
    positions = defaultdict(list)
    for i, article_id in enumerate(mentions["article_id"]):  # iterated: a list would copy every row's id
        positions[article_id].append(i)
    ends = mentions["end"].tolist()
    for article_id, rows in positions.items():
        text = texts.get(article_id)
        local: dict[str, str] = {}
        if text is not None:
            for i in rows:
                match = _ACRONYM_DEFINITION.match(text, ends[i])
                if match and labels[i] in ("ORG", "GPE", "NORP", "FAC", "EVENT", "LAW"):
                    acronym = match.group(1).replace(".", "")
                    if acronym == _initials(names[i]) and len(acronym) >= 2:
                        local[acronym] = names[i]
                        definitions.append((acronym, names[i]))
        full: dict[str, list[str]] = {"PERSON": [], "ORG": []}
        for i in rows:
            if labels[i] in full and len(name_tokens(names[i])) >= 2:
                full[labels[i]].append(names[i])
        full = {kind: list(dict.fromkeys(found)) for kind, found in full.items()}  # each name once
        longer: dict[tuple[str, str], str | None] = {}  # a name recurs: look it up once per article
        for i in rows:
            name = names[i].replace(".", "")
            if name in local:
                resolved[i] = local[name]
                continue
            key = (names[i], labels[i])
            if key not in longer:
                longer[key] = _longer_name(names[i], labels[i], full)
            resolved[i] = longer[key] or names[i]
    return resolved, definitions


def _longer_name(name: str, label: str, full: dict[str, list[str]]) -> str | None:
    tokens = name_tokens(name)
    if not tokens:
        return None
    for kind, allowed in _PARTIAL_LABELS.items():
        if label not in allowed:
            continue
        if kind == "ORG" and all(t in GENERIC_ORG_WORDS for t in tokens):
            continue
        fits = {candidate for candidate in full[kind]
                if len(name_tokens(candidate)) > len(tokens) and _contains(name_tokens(candidate), tokens)}
        if len(fits) == 1:
            return fits.pop()
        if len(fits) > 1:
            return None  # two people called Johnson: do not guess
    return None


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


def _corpus_acronyms(definitions: list[tuple[str, str]]) -> dict[str, str]:
    """Acronyms defined in the corpus with exactly one expansion."""
    seen: dict[str, set[str]] = defaultdict(set)
    for acronym, expansion in definitions:
        seen[acronym].add(expansion)
    return {acronym: next(iter(e)) for acronym, e in seen.items() if len(e) == 1}


def _merge_spellings(names: list[str], labels: list[str]) -> list[str]:
    """Names with the same key take their most frequent spelling (ties: the alphabetically first).

    Place names are also grouped by transliteration key.
    """
    frequency = Counter(names)
    rename: dict[str, str] = {}
    groups: dict[str, set[str]] = defaultdict(set)
    for name in frequency:
        groups[name_key(name)].add(name)
    place_names = {n for n, lab in zip(names, labels, strict=True) if lab in PLACE_LABELS}
    for name in place_names:
        groups["\x00" + transliteration_key(name)].add(name)
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for members in groups.values():
        ordered = sorted(members)
        for other in ordered[1:]:
            parent[find(other)] = find(ordered[0])
    clusters: dict[str, list[str]] = defaultdict(list)
    for name in frequency:
        clusters[find(name)].append(name)
    for members in clusters.values():
        if len(members) < 2:
            continue
        best = sorted(members, key=lambda n: (-frequency[n], n.isupper(), n))[0]
        for member in members:
            rename[member] = best
    return [rename.get(n, n) for n in names]
