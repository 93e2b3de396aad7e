"""Who said it: the ``source_entity`` and ``source_type`` of every attributed statement.

:func:`classify_sources` takes the attributions table (one row per statement, from
:func:`toolkit.sources.extract_attributions`), the normalised ``mentions`` table and the
``articles`` table, and adds two columns. It needs no model: it reads the source span, the
mentions that overlap it, and the article text around the people it names.

``source_entity`` (who, by canonical name)
    1. A pronoun ("he", "they", also "who", "anyone") takes the entity of its ``antecedent``;
       an unresolved pronoun names nobody and gets NA (as do rows without a source).
    2. A source whose head word is a name ("Maj. Gen. Nizar Khalil", "the Iraqi Defence
       Ministry", "Gen. Saleh"), or that names a person in apposition ("Clinton's campaign
       chairman, John Podesta"), takes the ``entity`` of that mention, so the normalisation of
       the mentions table applies: "Saleh" -> "Faisal Saleh", "UN" -> "United Nations". Two to
       four capitalised non-lexicon words with no mention are a name the model missed and are
       taken as a person ("Zaid Tawfiq, an engineer ...").
    3. An unnamed spokesperson, statement or report of a named body takes that body ("A Ministry
       of Defence spokesman" -> "Ministry of Defence", "a UN report" -> "United Nations"); unnamed
       people *close to* or *familiar with* a body do not.
    4. A definite description ("the minister", "the official", "the report", "the agency") refers
       back to the nearest earlier source of the article with the same head word ("Health
       Minister Nadia Sabri" ... "the minister" -> "Nadia Sabri"; "a senior official who spoke on
       condition of anonymity" ... "the official" -> the same anonymous official), else to a
       person whose title or apposition holds the word ("The commander of a US-backed alliance"
       -> "Karim Haddad, a senior commander of ..."), else to the nearest earlier organisation
       named with the word ("the monitor" -> "Syrian Rights Monitor"), else to the
       ``antecedent`` of the attributions table when it fits (a person for a person noun, a body
       of the same type and not a place for a body noun). Self-contained descriptions ("the
       state's ports agency", with a possessive) and indefinite ones ("officials") never refer
       back.
    5. Anything else is a description and keeps its text as written, white space collapsed and a
       leading determiner or common word in lower case, so that "The army" and "the army" count
       as one source: "the army", "officials in Tbilisi", "the US-led coalition". A generic name
       that the normalisation did not expand stays a description too: "the Observatory" (it
       becomes "Syrian Observatory for Human Rights" only when the article names the
       Observatory in full and the mentions table resolves it).

``source_type`` (what kind of source). A source that names someone is typed by what it names;
an unnamed one by the rules below, tried in this order:
    * ``media``: a ``wire_credit`` row; a source that is, or is headed by, a news agency or
      outlet (``resources/sources_media.csv``: "Reuters", "Efe news", "The Associated Press");
      a description with a media word ("state television", "state media": state media count
      as media, not as official).
    * ``anonymous``: the source is not identified by name or by a specific organisation: a
      people noun with no name ("officials", "a source close to the ministry", "people familiar
      with the matter", "Western diplomats", "forecasters", "a spokesman", "City staff"), plural
      unnamed bodies ("aid groups"), or an anonymity marker in or right after the source
      ("who spoke on condition of anonymity", "who asked not to be named"). Place names and
      nationalities do not identify ("officials in Tbilisi", "Iraqi security officials"); a
      named organisation does ("officials at the Defence Ministry" is ``official``), except
      after "close to" / "familiar with". ``resources/speakers_anonymous.csv``.
    * ``official``: a person or body speaking for a government, military, police, ministry or
      armed group. Bodies: organisation names and descriptions headed by an official body word
      ("ministry", "army", "coalition", "council", "forces", "agency"; ``speakers_bodies.csv``),
      named bodies listed in ``speakers_organisations.csv`` (NATO, Islamic State, the Pentagon),
      and countries or cities speaking as such ("Turkey", "the UK"). People: a named person is
      ``official`` (not ``named_person``) when, anywhere in the article, the name comes right
      after an official title or rank ("Health Minister", "Coalition spokesman Col.",
      "Mayor", "Councillor") or has an apposition with an official role ("Nizar Khalil, a
      senior army commander"; "Yahya Jaber, the Defence Ministry's spokesman"). Posts that any
      body has ("spokesman", "director", "president", "official") count only when the body is
      governmental or not named; a "former" title or a past role ("who was ...") does not
      count, and a relative clause counts only with a role verb ("who commands the operation";
      ``speakers_roles.csv``). So a named minister is ``official``: an official title wins over
      ``named_person``. A person found official in one article is official in every article
      (full names only). An unresolved definite office ("the minister") is official.
    * ``organisation``: other named organisations (NGOs, monitors, charities, companies,
      research bodies, parties, campaigns, the United Nations and its agencies) and descriptions
      headed by an organisation word ("a monitoring group"). The UN is not a government: its
      agencies are organisations and a person whose role is with the UN ("a senior UN
      humanitarian official") is a ``named_person``.
    * ``named_person``: a named person not identified as an official.
    * ``unknown``: an unresolved pronoun, no source, or a description no lexicon types
      ("the report" with nothing to refer back to).

What the rules miss: sources named only later in the article ("a monitoring group said ... The
Syrian Rights Monitor"), officials whose role the article gives only in a clause without a role
verb ("who leads the alliance's units"), organisations the model tags as people and vice versa
(an ORG followed by an apposition "a/the ... who ..." is taken as a person), one surname shared
by two people of an article (the mentions table gives them one entity), and roles that depend
on world knowledge ("Muhandis" is a militia commander, but the seed article does not say so).
The corpus-wide official rule can carry a title across time (a former minister quoted in a
later article). Anonymity follows the project's convention (identified by name or by a specific
organisation), so "a Ministry of Defence spokesman" is official, not anonymous, while "Donald
Trump's campaign manager" (a role, no name, no organisation) is anonymous.

Method: a light phrase analysis of the source span (determiner, head word, post-modifiers cut at
prepositions and relative pronouns), the mentions that overlap it, and lexicons shipped as
package data (``resources/speakers_*.csv``, each with a comment header saying what it holds).

Example:
    >>> import pandas as pd
    >>> text = "Prices rose, the Observatory said."
    >>> arts = pd.DataFrame({"article_id": ["a"], "text": [text]})
    >>> ments = pd.DataFrame({"article_id": ["a"], "sentence": [0], "start": [17], "end": [28],
    ...                       "surface": ["Observatory"], "label": ["ORG"], "entity": ["Observatory"]})
    >>> atts = pd.DataFrame({"article_id": ["a"], "kind": ["indirect"], "source": ["the Observatory"],
    ...                      "source_start": [13], "source_end": [28], "antecedent": [None],
    ...                      "antecedent_start": [None], "antecedent_end": [None]})
    >>> classify_sources(atts, ments, arts)[["source_entity", "source_type"]].values.tolist()
    [['the Observatory', 'organisation']]
"""

from __future__ import annotations

import bisect
import csv
import io
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import pandas as pd

from .entities import GENERIC_ORG_WORDS, canonical_name, load_aliases
from .errors import InputError
from .names import TITLES, name_key

__all__ = [
    "ATTRIBUTION_TABLE_COLUMNS",
    "SOURCE_TYPES",
    "Lexicons",
    "classify_sources",
    "load_lexicons",
    "source_type_rules",
]

logger = logging.getLogger(__name__)

#: The values of ``source_type``.
SOURCE_TYPES = ("named_person", "official", "organisation", "media", "anonymous", "unknown")
#: Column order of the classified attributions table.
ATTRIBUTION_TABLE_COLUMNS = (
    "article_id", "sentence", "start", "end", "kind", "cue", "cue_lemma", "cue_start", "cue_end",
    "source", "source_start", "source_end", "source_entity", "source_type", "antecedent",
    "antecedent_start", "antecedent_end", "content", "content_start", "content_end",
)
_OFFSET_COLUMNS = ("sentence", "start", "end", "cue_start", "cue_end", "source_start", "source_end",
                   "antecedent_start", "antecedent_end", "content_start", "content_end")
_STRING_COLUMNS = ("article_id", "kind", "cue", "cue_lemma", "source", "source_entity", "source_type",
                   "antecedent", "content")

#: News agencies and outlets used when ``toolkit.sources.load_media_names`` is unavailable.
FALLBACK_MEDIA_NAMES = (
    "Reuters", "Thomson Reuters", "Agence France-Presse", "AFP", "Associated Press", "AP", "Efe",
    "EFE", "dpa", "Deutsche Presse-Agentur", "ANSA", "Xinhua", "Kyodo", "Yonhap", "TASS", "RIA Novosti",
    "Interfax", "Anadolu", "Anadolu Agency", "Bloomberg", "SANA", "IRNA", "Tasnim", "Fars",
    "Press TV", "BBC", "CNN", "Al Jazeera", "Al Arabiya", "Sky News", "The New York Times",
    "The Washington Post", "The Wall Street Journal", "The Guardian", "The Times", "Financial Times",
    "The Telegraph", "The Independent", "Le Monde", "Der Spiegel", "NPR", "CBS", "NBC", "ABC News",
    "Fox News", "Rudaw", "Kurdistan 24", "Al-Sumaria", "Asharq Al-Awsat",
)

_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i", "you", "him", "her", "them", "us", "his",
                       "its", "their", "hers", "theirs", "who", "whom", "which", "anyone", "everyone",
                       "someone", "somebody", "anybody", "everybody", "nobody"})
#: Verbs of a relative clause that gives a person's role ("Saleh, who commands the operation").
_ROLE_VERBS = frozenset({"is", "serves", "heads", "leads", "commands", "runs", "chairs", "directs",
                         "oversees", "represents"})
_DEFINITE = frozenset({"the", "this", "that", "these", "those"})
_DETERMINERS = _DEFINITE | frozenset({"a", "an", "no", "one", "some", "several", "two", "three", "four",
                                      "many", "most", "other", "another", "its", "their", "his", "her", "our",
                                      "both", "all", "few", "numerous", "various"})
#: Lower-case words that end the core of a noun phrase (its post-modifiers follow).
_BOUNDARY_WORDS = frozenset({
    "in", "at", "of", "from", "for", "with", "within", "close", "near", "familiar", "who", "which", "that",
    "whose", "whom", "on", "to", "by", "based", "speaking", "according", "across", "among", "inside",
    "outside", "involved", "after", "during", "under", "over", "since", "as", "knowledgeable", "briefed",
    "around", "responsible", "working", "published", "released", "issued", "quoted", "cited",
})
#: Prepositions that attach a source to the body it belongs to ("officials at the ministry").
_AFFILIATION_PREPOSITIONS = frozenset({"of", "at", "for", "from", "by", "with", "within", "in", "inside"})
_BOUNDARY_PUNCT = frozenset(",;:()[]–—\"“”«»")
_FORMER = frozenset({"former", "ex", "ex-", "then", "retired", "late", "onetime", "one-time", "was",
                     "formerly", "previously", "until"})
_MODIFIER_WORDS = frozenset({"deputy", "vice", "acting", "interim", "assistant", "senior", "chief",
                             "top", "junior", "associate", "regional", "national", "foreign",
                             "interior", "defence", "defense", "health", "finance", "justice",
                             "military", "security", "police", "army", "state", "prime"})
_HONORIFICS = frozenset(t for t in TITLES if " " not in t) | {"dr", "mr", "mrs", "ms", "prof"}
_IRREGULAR_SINGULAR = {"people": "person", "men": "man", "women": "woman", "children": "child",
                       "staff": "staff", "police": "police", "media": "media", "data": "data",
                       "news": "news", "series": "series", "species": "species"}
_TOKEN = re.compile(r"\w+(?:[-'’.]\w+)*|[^\w\s]")
_WORD = re.compile(r"\w+(?:[-'’.]\w+)*")
#: People whose words are their outlet's ("a Reuters reporter" is a media source).
_MEDIA_PEOPLE = frozenset({"reporter", "correspondent", "journalist", "editor", "columnist", "anchor",
                           "presenter", "photographer", "cameraman", "crew"})
_TITLE_TOKEN = re.compile(r"\w+(?:[-'’.]\w+)*\.?|[^\w\s]")
_SPACES = re.compile(r"\s+")
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
_EDGE = "\"'“”‘’«»()[]{}.,;:!?-–—*·•|/\\ \n\t"
_APPOSITION = re.compile(r"\s*,\s*([^,;:!?\"“”()\n]{1,110}?)(?=,|;|:|\.\s|\.$|\n|\"|“|”|\(|\)|$)")
_NAME_LABELS = frozenset({"PERSON", "ORG", "NORP", "FAC", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART",
                          "LAW", "LANGUAGE"})


# --------------------------------------------------------------------------- lexicons


@dataclass(frozen=True)
class Lexicons:
    """The word lists the rules use (``resources/speakers_*.csv``) and the media names."""

    roles: dict[str, str]
    bodies: dict[str, str]
    anonymous_heads: frozenset[str]
    anonymous_plurals: frozenset[str]
    markers: tuple[str, ...]
    links: tuple[tuple[str, ...], ...]
    organisations: dict[str, str]
    media: dict[tuple[str, ...], str] = field(default_factory=dict)

    def body_at(self, words: Sequence[str], i: int) -> str | None:
        """The body type of ``words[i]``, or of the two words ending there if listed ("central bank")."""
        if i > 0 and f"{words[i - 1]} {words[i]}" in self.bodies:
            return self.bodies[f"{words[i - 1]} {words[i]}"]
        return self.bodies.get(words[i]) if 0 <= i < len(words) else None

    def media_name(self, name: str) -> str | None:
        """The media name ``name`` is, as written but for a leading "The" ("The Associated Press" ->
        "Associated Press"); case-sensitive, so "Dawn" the newspaper is not "dawn"."""
        return self.media.get(tuple(_media_tokens(name)))


def _read_csv(name: str, required: Sequence[str]) -> list[dict[str, str]]:
    text = resources.files("toolkit").joinpath(f"resources/{name}").read_text("utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    missing = set(required) - set(reader.fieldnames or [])
    if missing:
        raise InputError(f"resources/{name}: missing column(s) {sorted(missing)}; expected {list(required)}")
    rows = []
    for number, row in enumerate(reader, start=2):
        if any(not (row.get(c) or "").strip() for c in required):
            raise InputError(f"resources/{name}, data row {number - 1}: empty value in {list(required)}")
        rows.append({k: (v or "").strip() for k, v in row.items()})
    return rows


def _media_tokens(name: str) -> list[str]:
    """The words of a media name as written, without a leading "The" ("The Times" -> ["Times"])."""
    words = _WORD.findall(name)
    return words[1:] if len(words) > 1 and words[0] in ("The", "the") else words


def _media_from_sources() -> list[str]:
    """Media names from ``toolkit.sources.load_media_names`` (any table-like shape), or the fallback."""
    try:
        from . import sources  # imported lazily: sources may import this module
    except ImportError:
        logger.debug("toolkit.sources unavailable; using the built-in media names")
        return list(FALLBACK_MEDIA_NAMES)
    loader = getattr(sources, "load_media_names", None)
    if loader is None:
        return list(FALLBACK_MEDIA_NAMES)
    table: Any = loader()
    if isinstance(table, pd.DataFrame):
        names = list(table["name"] if "name" in table.columns else table.iloc[:, 0])
    elif isinstance(table, dict):
        names = list(table)
    else:
        names = [item[0] if isinstance(item, tuple) else item for item in table]
    return [str(n) for n in names if isinstance(n, str) and n.strip()] + list(FALLBACK_MEDIA_NAMES)


@lru_cache(maxsize=1)
def load_lexicons() -> Lexicons:
    """The built-in lexicons, with the media names of ``toolkit.sources`` (or a small fallback list).

    >>> lex = load_lexicons()
    >>> lex.roles["minister"], lex.bodies["ministry"], "official" in lex.anonymous_heads
    ('office', 'official', True)
    """
    roles = {r["word"].lower(): r["kind"] for r in _read_csv("speakers_roles.csv", ("word", "kind"))}
    bodies = {r["word"].lower(): r["type"] for r in _read_csv("speakers_bodies.csv", ("word", "type"))}
    anonymous = _read_csv("speakers_anonymous.csv", ("pattern", "kind"))
    heads = frozenset(r["pattern"].lower() for r in anonymous if r["kind"] == "head")
    plurals = frozenset(r["pattern"].lower() for r in anonymous if r["kind"] == "plural")
    markers = tuple(r["pattern"].lower() for r in anonymous if r["kind"] == "marker")
    links = tuple(tuple(r["pattern"].lower().split()) for r in anonymous if r["kind"] == "link")
    organisations: dict[str, str] = {}
    for row in _read_csv("speakers_organisations.csv", ("name", "type")):
        organisations[name_key(row["name"])] = row["type"]
    media: dict[tuple[str, ...], str] = {}
    for name in _media_from_sources():
        tokens = tuple(_media_tokens(name))
        if tokens:
            media.setdefault(tokens, canonical_name(name, "ORG"))
    for kinds, valid in ((roles.values(), {"office", "rank", "post_official", "post"}),
                         (bodies.values(), {"official", "media", "organisation", "document"}),
                         (organisations.values(), {"official", "organisation", "media"})):
        bad = set(kinds) - valid
        if bad:
            raise InputError(f"speakers lexicon: unknown kind(s) {sorted(bad)}; expected {sorted(valid)}")
    return Lexicons(roles, bodies, heads, plurals, markers, links, organisations, media)


# --------------------------------------------------------------------------- phrases


def _singular(word: str) -> tuple[str, bool]:
    """Lower-case singular of a noun and whether it looked plural ("witnesses" -> "witness", True)."""
    w = _POSSESSIVE.sub("", word.lower())
    if w in _IRREGULAR_SINGULAR:
        return _IRREGULAR_SINGULAR[w], w != _IRREGULAR_SINGULAR[w] or w == "people"
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y", True
    if len(w) > 4 and w.endswith(("sses", "xes", "ches", "shes")):
        return w[:-2], True
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1], True
    return w, False


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    label: str
    entity: str
    surface: str


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        return self.text[:1].isalnum() or self.text[:1] == "_"


@dataclass
class _Phrase:
    """A source (or antecedent) span cut into determiner, core (up to the head word) and the rest."""

    text: str
    start: int
    end: int
    tokens: list[_Token]
    core_end: int  # index of the first token after the core
    head: int | None  # index of the head token
    mentions: list[_Mention]
    link_at: int | None  # offset where a "close to"/"familiar with" post-modifier starts

    @property
    def first_word(self) -> str:
        words = [t for t in self.tokens if t.is_word]
        return words[0].text.lower() if words else ""

    @property
    def definite(self) -> bool:
        return self.first_word in _DEFINITE

    @property
    def possessive(self) -> bool:
        """A possessive in the core ("the state's ports agency", "Iraq's oil ministry")."""
        return any(_POSSESSIVE.search(t.text) and len(t.text) > 2 for t in self.tokens[: self.core_end]
                   if t.is_word) or any(t.text in ("'s", "’s") for t in self.tokens[: self.core_end])

    @property
    def head_token(self) -> _Token | None:
        return self.tokens[self.head] if self.head is not None else None

    def head_word(self) -> tuple[str, bool]:
        token = self.head_token
        return _singular(token.text) if token is not None else ("", False)

    def core_words(self) -> list[str]:
        return [_singular(t.text)[0] for t in self.tokens[: self.core_end] if t.is_word]

    def all_words(self) -> list[str]:
        return [_singular(t.text)[0] for t in self.tokens if t.is_word]

    def head_mention(self) -> _Mention | None:
        """The mention covering the head word, or a person named in apposition to the head
        ("Clinton's campaign chairman, John Podesta")."""
        token = self.head_token
        if token is None:
            return None
        for m in self.mentions:
            if m.start <= token.start and token.end <= m.end:
                return m
        for m in self.mentions:
            if m.label != "PERSON" or m.start < token.end:
                continue
            before = [t for t in self.tokens if t.end <= m.start]
            after = [t for t in self.tokens if t.start >= m.end]
            if before and before[-1].text == "," and (not after or after[0].text in (",", "(")):
                return m
        return None

    def owners(self) -> list[_Mention]:
        """Named bodies the phrase belongs to: names in its core ("A Ministry of Defence spokesman")
        and names governed by an affiliation preposition after it ("a report by the Halden
        Institute", "officials at the Defence Ministry"); not after a link word ("close to"), and
        not objects of a verb ("a commander fighting Islamic State")."""
        head = self.head_mention()
        core_end = self.tokens[self.core_end].start if self.core_end < len(self.tokens) else self.end
        found = []
        for m in self.mentions:
            if m is head or m.label not in ("ORG", "PERSON", "FAC"):
                continue
            if self.link_at is not None and m.start >= self.link_at:
                continue
            if m.start >= core_end and self._governing_word(m) not in _AFFILIATION_PREPOSITIONS:
                continue
            found.append(m)
        return found

    def _governing_word(self, m: _Mention) -> str:
        """The word before a mention, skipping determiners and possessive adjectives."""
        before = [t for t in self.tokens if t.end <= m.start and t.is_word]
        while before and before[-1].text.lower() in _DETERMINERS:
            before.pop()
        return before[-1].text.lower() if before else ""


def _tokens(text: str, offset: int) -> list[_Token]:
    return [_Token(m.group(), offset + m.start(), offset + m.end()) for m in _TOKEN.finditer(text)]


def _inside(token: _Token, mentions: Iterable[_Mention]) -> bool:
    return any(m.start <= token.start and token.end <= m.end for m in mentions)


def _phrase(text: str, start: int, mentions: Sequence[_Mention], lex: Lexicons) -> _Phrase:
    end = start + len(text)
    inside = [m for m in mentions if m.start < end and start < m.end]
    tokens = _tokens(text, start)
    core_end = len(tokens)
    for i in range(1, len(tokens)):
        token = tokens[i]
        if _inside(token, inside):
            continue
        lower = token.text.lower()
        previous = _singular(tokens[i - 1].text)[0]
        if token.text in _BOUNDARY_PUNCT or (token.text.islower() and lower in _BOUNDARY_WORDS) or (
                token.text.islower() and lower.endswith(("ing", "ed")) and
                (previous in lex.anonymous_heads or previous in lex.bodies or previous in lex.roles
                 or previous in lex.anonymous_plurals)):
            core_end = i
            break
    head = None
    for i in range(core_end - 1, -1, -1):
        if tokens[i].is_word and tokens[i].text.lower() not in ("'s", "’s"):
            head = i
            break
    link_at = None
    lowered = [t.text.lower() for t in tokens]
    for i in range(len(tokens)):
        linked = any(tuple(lowered[i : i + len(link)]) == link for link in lex.links)
        if linked and not _inside(tokens[i], inside):
            link_at = tokens[i].start
            break
    return _Phrase(text, start, end, tokens, core_end, head, inside, link_at)


def _describe(text: str, start: int, mentions: Sequence[_Mention], lex: Lexicons) -> str:
    """A description as written: white space collapsed, edges trimmed, a common first word lower-cased
    ("The army" -> "the army", "Officials in Washington" -> "officials in Washington")."""
    stripped = text.strip(_EDGE)
    if not stripped:
        return _SPACES.sub(" ", text).strip()
    offset = start + text.index(stripped)
    name = _SPACES.sub(" ", stripped)
    first = _TOKEN.match(stripped)
    if first:
        token = _Token(first.group(), offset, offset + first.end())
        word = token.text
        lower = _singular(word)[0]
        common = (word.lower() in _DETERMINERS or lower in lex.roles or lower in lex.bodies or lower in
                  lex.anonymous_heads or lower in lex.anonymous_plurals or lower in _MODIFIER_WORDS)
        if common and word[:1].isupper() and not any(c.isupper() for c in word[1:]) and not _inside(
                token, mentions):
            name = name[0].lower() + name[1:]
    return name


# --------------------------------------------------------------------------- articles


@dataclass
class _Result:
    entity: str | None
    type: str
    person: bool = False  # the entity is a person (for the corpus-wide official rule)


@dataclass
class _Done:
    """An attribution already classified in the article (for back-references)."""

    start: int
    phrase: _Phrase
    result: _Result


class _Article:
    """One article's text and mentions, with the person and organisation evidence built on demand."""

    def __init__(self, article_id: str, text: str, mentions: list[_Mention], lex: Lexicons):
        self.article_id = article_id
        self.text = text
        self.mentions = mentions
        self.lex = lex
        self._roles: dict[str, list[tuple[int, list[str], list[_Mention], str]]] | None = None
        # mention indices by start, their starts, and the longest mention: overlaps found by bisection
        order = sorted(range(len(mentions)), key=lambda i: mentions[i].start)
        self._order = order
        self._starts = [mentions[i].start for i in order]
        self._longest = max((m.end - m.start for m in mentions), default=0)

    def overlapping(self, start: int, end: int) -> list[_Mention]:
        """The mentions overlapping ``[start, end)``, in table order."""
        low = bisect.bisect_left(self._starts, start - self._longest)  # none that ends after start is earlier
        high = bisect.bisect_left(self._starts, end)
        found = sorted(i for i in self._order[low:high] if self.mentions[i].end > start)
        return [self.mentions[i] for i in found]

    def phrase(self, text: str, start: int | None) -> _Phrase:
        if start is None or self.text[start : start + len(text)] != text:
            found = self.text.find(text) if start is None else -1
            start = found if found >= 0 else (start or 0)
        mentions = self.overlapping(start, start + len(text))
        return _phrase(text, start, mentions, self.lex)

    # ----------------------------------------------------------------- people

    def person_roles(self) -> dict[str, list[tuple[int, list[str], list[_Mention], str]]]:
        """Per PERSON entity: (position, role words, mentions in the role phrase, where) for each
        title in front of a mention of the name and each apposition next to one."""
        if self._roles is not None:
            return self._roles
        roles: dict[str, list[tuple[int, list[str], list[_Mention], str]]] = defaultdict(list)
        for m in self.mentions:
            if m.label == "PERSON":
                roles[m.entity].extend(self.role_entries(m))
        self._roles = dict(roles)
        return self._roles

    def role_entries(self, m: _Mention) -> list[tuple[int, list[str], list[_Mention], str]]:
        """(position, role words, mentions in the role phrase, where) for the title in front of one
        mention of a name and the appositions next to it."""
        entries = []
        title_start, title_words = self._title_before(m)
        if title_words:
            entries.append((m.start, title_words, self.overlapping(title_start, m.start), "title"))
        for start, end in self._appositions(m, title_start):
            words = [t.text for t in _tokens(self.text[start:end], start) if t.is_word]
            entries.append((m.start, words, self.overlapping(start, end), "apposition"))
        return entries

    def _title_before(self, m: _Mention) -> tuple[int, list[str]]:
        """The title words right in front of a name, plus those inside its surface ("Col. Thomas")."""
        words: list[str] = []
        surface_tokens = [t for t in _TITLE_TOKEN.findall(m.surface) if t[:1].isalnum()]
        for token in surface_tokens:
            bare = token.rstrip(".").lower()
            if bare in self.lex.roles or bare in _HONORIFICS:
                words.append(token)
            else:
                break
        line_start = self.text.rfind("\n", 0, m.start) + 1
        window_start = max(line_start, m.start - 80)
        before = list(_TITLE_TOKEN.finditer(self.text, window_start, m.start))
        start = m.start
        chain: list[str] = []
        for match in reversed(before):
            token = match.group()
            bare = token.rstrip(".").lower()
            is_title = bare in self.lex.roles or bare in _HONORIFICS
            if is_title and (not token.endswith(".") or len(bare) <= 5):  # "Gen." but not "president."
                chain.append(token)
            elif token.endswith(".") or not token[:1].isalpha():
                break
            elif chain and (token[:1].isupper() or bare in _MODIFIER_WORDS or bare in self.lex.bodies):
                chain.append(token)
            else:
                if bare in _FORMER:
                    chain.append(token)
                break
            start = match.start()
        return start, [*reversed(chain), *words]

    def _appositions(self, m: _Mention, title_start: int) -> list[tuple[int, int]]:
        """Spans of the appositions after the name ("X, a senior army commander,") and before it
        ("Its medical director, Dr Amara Okafor")."""
        spans = []
        match = _APPOSITION.match(self.text, m.end)
        if match:
            phrase = match.group(1)
            first = phrase.split()[0] if phrase.split() else ""
            words = phrase.lower().split()
            role_first = first.lower().rstrip(".") in self.lex.roles
            relative = words[:1] == ["who"] and len(words) > 1 and words[1] in _ROLE_VERBS
            clause = words[:1] == ["who"] or first.lower() in _BOUNDARY_WORDS
            if relative or (not clause and (_starts_like_apposition(phrase) or first[:1].islower() or
                                            role_first)):
                spans.append((match.start(1), match.end(1)))
        before = self.text[max(0, title_start - 100) : title_start]
        pre = re.search(r"(?:^|[.;:!?\"“”\n])\s*([^.;:!?\"“”\n,]{2,90}),\s*$", before)
        if pre and _starts_like_apposition(pre.group(1)):
            offset = max(0, title_start - 100)
            spans.append((offset + pre.start(1), offset + pre.end(1)))
        return spans

    def person_is_official(self, entity: str) -> bool:
        """True when a title or apposition of the person in this article names an official role."""
        return any(self.role_verdict(words, mentions, where) == "official"
                   for _, words, mentions, where in self.person_roles().get(entity, []))

    def role_verdict(self, words: list[str], mentions: list[_Mention], where: str) -> str | None:
        """``official``, ``other`` (a post in a non-governmental body) or None (no role) for a role
        phrase: the words in front of a name or in an apposition."""
        lowered = [w.rstrip(".").lower() for w in words]
        if any(w in _FORMER for w in lowered):
            return None
        kinds = [self.lex.roles.get(_singular(w)[0], self.lex.roles.get(w)) for w in lowered]
        if "office" in kinds or (where == "title" and "rank" in kinds):
            return "official"
        if not any(k in ("post", "post_official") for k in kinds):
            return None
        affiliation = self._affiliation(lowered, mentions)
        if affiliation is not None:
            return "official" if affiliation == "official" else "other"
        return "official" if "post_official" in kinds else None

    def _affiliation(self, lowered: list[str], mentions: list[_Mention]) -> str | None:
        """The type of the body a role phrase names: named organisations first, then body words."""
        for m in mentions:
            if m.label in ("ORG", "FAC", "PERSON"):
                kind = self.body_type(m.entity, m.label)
                if kind in ("official", "organisation", "media"):
                    return kind
        for word in reversed(lowered):
            kind = self.lex.bodies.get(_singular(word)[0])
            if kind in ("official", "organisation", "media"):
                return kind
        return None

    # ----------------------------------------------------------------- bodies

    def body_type(self, entity: str, label: str) -> str | None:
        """The type of a named non-person entity: media, listed body, body words, then its label."""
        if self.lex.media_name(entity) is not None or self._media_with_word(entity):
            return "media"
        listed = self.lex.organisations.get(name_key(entity))
        if listed is None:
            alias = load_aliases().lookup(entity)
            listed = self.lex.organisations.get(name_key(alias)) if alias else None
        if listed is not None:
            return listed
        words = [_singular(w)[0] for w in re.findall(r"[\w-]+", entity)]
        kinds = [self.lex.body_at(words, i) for i in range(len(words))]
        if "media" in kinds:
            return "media"
        for kind in reversed(kinds):
            if kind in ("official", "organisation"):
                return kind
        if label == "ORG":
            return "organisation"
        if label == "GPE":
            return "official"
        return None

    def _media_with_word(self, name: str) -> bool:
        """"Efe news", "Reuters news agency": a media name followed by media words only."""
        tokens = _media_tokens(name)
        for n in range(len(tokens) - 1, 0, -1):
            if tuple(tokens[:n]) in self.lex.media and self._media_tail(tokens[n:]):
                return True
        return False

    def _media_tail(self, words: Sequence[str]) -> bool:
        return all(self.lex.bodies.get(_singular(w)[0]) in ("media", "official") or _singular(w)[0] in
                   _MEDIA_PEOPLE for w in words)

    def media_in(self, phrase: _Phrase) -> str | None:
        """A media name heading the phrase, alone or before media words ("Efe news", "a Reuters
        reporter"), as the media lexicon has it."""
        core = [t for t in phrase.tokens[: phrase.core_end] if t.is_word]
        texts = [t.text for t in core]
        for i in range(len(core)):
            for n in range(min(6, len(core) - i), 0, -1):
                key = tuple(texts[i : i + n])
                if key in self.lex.media and self._media_tail(texts[i + n :]):
                    return self.lex.media[key]
        return None


# --------------------------------------------------------------------------- classification


def _starts_like_apposition(phrase: str) -> bool:
    """A noun phrase that can describe a name: it starts with a determiner or a possessive."""
    words = phrase.split()
    return bool(words) and (words[0].lower() in _DETERMINERS or bool(_POSSESSIVE.search(words[0])))


def _present(value: Any) -> bool:
    if value is None or value is pd.NA:
        return False
    if isinstance(value, float):
        return value == value  # NaN is missing
    if isinstance(value, (str, int)):  # the common cases, without pd.isna's dispatch
        return True
    try:
        return not bool(pd.isna(value))
    except (TypeError, ValueError):
        return True


def _int(value: Any) -> int | None:
    return int(value) if _present(value) else None


def _is_vague(m: _Mention, lex: Lexicons) -> bool:
    """A name the normalisation left as written and that names no one in particular ("Observatory")."""
    if m.entity != canonical_name(m.surface, m.label):
        return False
    if not any(ch.isupper() for ch in m.entity):
        return True
    tokens = name_key(m.entity).split()
    generic = GENERIC_ORG_WORDS | set(lex.bodies)
    return len(tokens) == 1 and _singular(tokens[0])[0] in generic and m.label not in ("PERSON", "GPE")


class _Classifier:
    def __init__(self, article: _Article):
        self.art = article
        self.lex = article.lex

    def entity_result(self, m: _Mention) -> _Result:
        """Type of a named entity (a mention heading the source or its antecedent)."""
        art = self.art
        media = art.lex.media_name(m.entity)
        if m.label != "PERSON" and (media is not None or art._media_with_word(m.entity)):
            return _Result(m.entity, "media")
        if m.label == "PERSON" and art.lex.organisations.get(name_key(m.entity)) is None:
            official = art.person_is_official(m.entity)
            return _Result(m.entity, "official" if official else "named_person", person=True)
        if m.label == "ORG" and self._looks_like_person(m):
            official = art.person_is_official(m.entity)
            return _Result(m.entity, "official" if official else "named_person", person=True)
        kind = art.body_type(m.entity, m.label)
        return _Result(m.entity, kind or "unknown")

    def _looks_like_person(self, m: _Mention) -> bool:
        """An ORG mention followed by an apposition with "who" ("Sophie Laurent, a wine importer ...
        who works with ...") is a person the model mislabelled."""
        match = _APPOSITION.match(self.art.text, m.end)
        if not match or self.art.body_type(m.entity, "NORP") is not None:
            return False
        phrase = match.group(1)
        return _starts_like_apposition(phrase) and bool(re.search(r"\bwho\b", phrase))

    def classify(self, row: dict[str, Any], done: list[_Done]) -> tuple[_Result, _Phrase | None]:
        source = row.get("source")
        if not _present(source) or not str(source).strip():
            return _Result(None, "unknown"), None
        source = str(source)
        phrase = self.art.phrase(source, _int(row.get("source_start")))
        if row.get("kind") == "wire_credit":
            return self._wire(phrase), phrase
        antecedent = self._antecedent(row, phrase)
        if phrase.first_word in _PRONOUNS and len([t for t in phrase.tokens if t.is_word]) == 1:
            if antecedent is None:
                return _Result(None, "unknown"), phrase
            return self.resolve(antecedent, None, done, allow_back=False), phrase
        return self.resolve(phrase, antecedent, done), phrase

    def _antecedent(self, row: dict[str, Any], phrase: _Phrase) -> _Phrase | None:
        text = row.get("antecedent")
        if not _present(text) or not str(text).strip():
            return None
        start = _int(row.get("antecedent_start"))
        if start == phrase.start and str(text) == phrase.text:
            return None
        return self.art.phrase(str(text), start)

    def _wire(self, phrase: _Phrase) -> _Result:
        head = phrase.head_mention()
        for m in ([head] if head else []) + phrase.mentions:
            name = self.lex.media_name(m.entity)
            if name is not None:
                return _Result(m.entity, "media")
        name = self.art.media_in(phrase)
        if name is not None:
            return _Result(name, "media")
        if head is not None:
            return _Result(head.entity, "media")
        return _Result(canonical_name(phrase.text, "ORG"), "media")

    def resolve(self, phrase: _Phrase, antecedent: _Phrase | None, done: list[_Done], *,
                allow_back: bool = True) -> _Result:
        art, lex = self.art, self.lex
        description = _describe(phrase.text, phrase.start, phrase.mentions, lex)
        head_mention = phrase.head_mention()
        if head_mention is not None and not _is_vague(head_mention, lex):
            return self.entity_result(head_mention)
        if head_mention is None and self._bare_name(phrase):
            return self._unlisted_person(phrase)
        media = art.media_in(phrase)
        if media is not None:
            owner = next((m for m in phrase.owners() if lex.media_name(m.entity)), None)
            return _Result(owner.entity if owner else media, "media")
        if self._anonymity_marker(phrase):
            return _Result(description, "anonymous")
        head, plural = phrase.head_word()
        core = phrase.core_words()
        if any(lex.bodies.get(w) == "media" for w in core):
            return _Result(description, "media")
        is_anonymous_head = head in lex.anonymous_heads or (plural and head in lex.anonymous_plurals)
        role = lex.roles.get(head)
        body = lex.body_at(core, len(core) - 1) if core else None
        owners = [m for m in phrase.owners() if m.label != "PERSON" or body == "document"]
        if owners and (is_anonymous_head or role or body == "document" or body is None):
            return self.entity_result(owners[0])
        refers = phrase.definite and not phrase.possessive  # "the agency", not "the state's ports agency"
        if refers and allow_back and (is_anonymous_head or role or body):
            hit = self._refer_back(phrase, head, done)
            if hit is not None:
                return hit
        if refers and antecedent is not None and (is_anonymous_head or role or body or head_mention):
            ante_mention = antecedent.head_mention()
            ante = self.resolve(antecedent, None, done, allow_back=False)
            place = ante_mention is not None and ante_mention.label in ("GPE", "LOC")
            if ante.entity is not None and ante.type != "unknown" and not (place and body) and \
                    self._compatible(ante, body, role, is_anonymous_head):
                return ante
        if is_anonymous_head and not (phrase.definite and role == "office"):
            return _Result(description, "anonymous")
        if role is not None:
            if phrase.definite and role in ("office", "post_official"):
                return _Result(description, "official")
            return _Result(description, "anonymous")
        kind = self._words_type(phrase, owners)
        if head_mention is not None and kind is None:
            kind = art.body_type(head_mention.entity, head_mention.label)
        return _Result(description, kind or "unknown")

    @staticmethod
    def _compatible(result: _Result, body: str | None, role: str | None, anonymous_head: bool) -> bool:
        """A person description needs a person antecedent; a body description a body of its type
        ("the alliance" may be the Syrian Frontier Forces, not the Syrian Rights Monitor)."""
        if body in ("official", "organisation", "media") and not role and not anonymous_head:
            return not result.person and result.type == body
        if role or anonymous_head:
            return result.person or result.type == "anonymous"
        return True

    def _bare_name(self, phrase: _Phrase) -> bool:
        """A core of two to four capitalised words, none a lexicon word, no mention: a name the
        model missed ("Zaid Tawfiq, an engineer ...")."""
        core = phrase.tokens[: phrase.core_end]
        if any(_inside(t, phrase.mentions) for t in core):
            return False
        words = [t.text for t in core if t.is_word]
        names = [w for w in words if w.rstrip(".").lower() not in _HONORIFICS]
        if not 2 <= len(names) <= 4 or len(words) != len([t for t in core if t.text != "."]):
            return False
        lex = self.lex
        return all(w[:1].isupper() and not w.isupper() and _singular(w)[0] not in lex.bodies and
                   _singular(w)[0] not in lex.roles and _singular(w)[0] not in lex.anonymous_heads and
                   w.lower() not in _DETERMINERS for w in names)

    def _unlisted_person(self, phrase: _Phrase) -> _Result:
        """A person whose name has no mention: typed by the titles and appositions next to it."""
        core = [t for t in phrase.tokens[: phrase.core_end] if t.is_word]
        surface = self.art.text[core[0].start : core[-1].end]
        name = canonical_name(surface, "PERSON")
        m = _Mention(core[0].start, core[-1].end, "PERSON", name, surface)
        official = self.art.person_is_official(name) or any(
            self.art.role_verdict(words, mentions, where) == "official"
            for _, words, mentions, where in self.art.role_entries(m))
        return _Result(name, "official" if official else "named_person", person=True)

    def _anonymity_marker(self, phrase: _Phrase) -> bool:
        """An anonymity phrase inside the source or in the clause right after it."""
        after = self.art.text[phrase.end : phrase.end + 120]
        clause = re.split(r"[.;:!?\"“”\n]|,\s*(?:said|told|says|added)\b", after, maxsplit=1)[0]
        if not clause.lstrip().startswith((",", "who", "speaking", "on condition")):
            clause = ""
        haystack = f" {phrase.text.lower()} {clause.lower()} "
        return any(re.search(r"\b" + re.escape(marker) + r"\b", haystack) for marker in self.lex.markers)

    def _words_type(self, phrase: _Phrase, owners: list[_Mention]) -> str | None:
        """Type of a description from its words: the head, then the core right to left, then the rest."""
        lex = self.lex
        core = phrase.core_words()
        kind = lex.body_at(core, len(core) - 1) if core else None
        if kind in ("official", "organisation", "media"):
            if owners and kind != "media":
                owner_kind = self.art.body_type(owners[0].entity, owners[0].label)
                if owner_kind in ("organisation", "media") and owners[0].label != "PERSON":
                    return owner_kind
            return kind
        for m in owners:
            owner_kind = self.art.body_type(m.entity, m.label)
            if owner_kind is not None:
                return owner_kind
        words = phrase.all_words()
        for i in [*range(len(core) - 1, -1, -1), *range(len(core), len(words))]:
            kind = lex.body_at(words, i)
            if kind in ("official", "organisation", "media"):
                return kind
        return None

    def _refer_back(self, phrase: _Phrase, head: str, done: list[_Done]) -> _Result | None:
        """Resolve "the minister" / "the official" / "the report" to what the article said before."""
        for earlier in reversed(done):
            if earlier.start >= phrase.start or earlier.result.entity is None:
                continue
            if head in earlier.phrase.core_words():
                return earlier.result
        if head in self.lex.roles or head in self.lex.anonymous_heads:
            person = self._person_with_role(phrase, head)
            if person is not None:
                return person
        if head in self.lex.bodies:
            for m in reversed(self.art.mentions):
                if m.end > phrase.start or m.label not in ("ORG", "FAC"):
                    continue
                words = {_singular(w)[0] for w in re.findall(r"[\w-]+", f"{m.entity} {m.surface}")}
                if head in words and not _is_vague(m, self.lex):
                    return self.entity_result(m)
        return None

    def _person_with_role(self, phrase: _Phrase, head: str) -> _Result | None:
        before: list[tuple[int, str]] = []
        after: set[str] = set()
        for entity, entries in self.art.person_roles().items():
            for position, words, _, _ in entries:
                if head in {_singular(w.rstrip("."))[0] for w in words}:
                    if position < phrase.start:
                        before.append((position, entity))
                    else:
                        after.add(entity)
        if before:
            entity = max(before)[1]
        elif len(after) == 1 and self.lex.roles.get(head) == "office":
            entity = next(iter(after))
        else:
            return None
        official = self.art.person_is_official(entity)
        return _Result(entity, "official" if official else "named_person", person=True)


def _check_mentions(mentions: pd.DataFrame) -> None:
    missing = {"article_id", "start", "end", "label", "entity", "surface"} - set(mentions.columns)
    if missing:
        raise InputError(f"classify_sources(): the mentions table lacks {sorted(missing)}; pass the "
                         "normalised mentions table (corpus.mentions)")


def _mentions_by_article(mentions: pd.DataFrame) -> dict[str, list[_Mention]]:
    by_article: dict[str, list[_Mention]] = defaultdict(list)
    # the columns are iterated, not copied into lists: a list holds every row's string at once
    columns = (mentions[c] for c in ("article_id", "start", "end", "label", "entity", "surface"))
    for article_id, start, end, label, entity, surface in zip(*columns, strict=True):
        if not _present(entity) or str(label) not in _NAME_LABELS:
            continue
        mention = _Mention(int(start), int(end), str(label), str(entity), str(surface))
        by_article[str(article_id)].append(mention)
    for rows in by_article.values():
        rows.sort(key=lambda m: (m.start, -m.end))
    return by_article


#: Attribution rows classified together (as dicts, with their articles' mentions as objects):
#: bounds the memory of a large table's classification.
_CHUNK_ROWS = 20_000


def _article_chunks(order: dict[str, list[int]], max_rows: int) -> Iterator[list[str]]:
    """Article ids in groups whose rows add up to about ``max_rows``."""
    chunk: list[str] = []
    size = 0
    for article_id, positions in order.items():
        if chunk and size + len(positions) > max_rows:
            yield chunk
            chunk, size = [], 0
        chunk.append(article_id)
        size += len(positions)
    if chunk:
        yield chunk


def _classify_article(article: _Article, positions: list[int], records: dict[int, dict[str, Any]],
                      results: list[_Result | None]) -> None:
    """Classify one article's attributions in text order (back-references need the earlier ones)."""
    classifier = _Classifier(article)
    done: list[_Done] = []

    def position(i: int) -> tuple[int, int]:
        start = _int(records[i].get("source_start"))
        fallback = _int(records[i].get("start")) or 0
        return (start if start is not None else fallback, i)

    for i in sorted(positions, key=position):
        result, phrase = classifier.classify(records[i], done)
        results[i] = result
        if phrase is not None and result.entity is not None:
            done.append(_Done(phrase.start, phrase, result))


def classify_sources(attributions: pd.DataFrame, mentions: pd.DataFrame, articles: pd.DataFrame,
                     ) -> pd.DataFrame:
    """The attributions table with ``source_entity`` and ``source_type`` (rules in the module docstring).

    ``attributions`` has the columns of :data:`toolkit.sources.ATTRIBUTION_COLUMNS` plus
    ``article_id``; ``mentions`` is the normalised mentions table (with ``entity``); ``articles``
    has ``article_id`` and ``text``. Returns a copy in the column order of
    :data:`ATTRIBUTION_TABLE_COLUMNS` (extra columns kept at the end), offsets as ``Int64`` and
    text as ``string``. See the module docstring for an example.
    """
    for name, table, needed in (("attributions", attributions, ("article_id", "source", "source_start")),
                                ("articles", articles, ("article_id", "text"))):
        missing = set(needed) - set(table.columns)
        if missing:
            raise InputError(f"classify_sources(): the {name} table lacks {sorted(missing)}")
    lex = load_lexicons()
    out = attributions.copy()
    texts = dict(zip(articles["article_id"].astype(str), articles["text"], strict=True))
    order: dict[str, list[int]] = defaultdict(list)
    for i, article_id in enumerate(out["article_id"].astype(str)):
        order[article_id].append(i)
    unknown_articles = sorted(a for a in order if a not in texts)
    if unknown_articles:
        raise InputError(f"classify_sources(): article_id {unknown_articles[0]!r} is in the attributions "
                         "but not in the articles table")
    _check_mentions(mentions)
    results: list[_Result | None] = [None] * len(out)
    for chunk in _article_chunks(order, _CHUNK_ROWS):
        # a chunk of articles at a time: rows as dicts and mentions as objects for these only
        positions = [i for article_id in chunk for i in order[article_id]]
        records = dict(zip(positions, out.iloc[positions].to_dict("records"), strict=True))
        chunk_mentions = mentions[mentions["article_id"].astype(str).isin(chunk)]
        by_article = _mentions_by_article(chunk_mentions)
        for article_id in chunk:
            article = _Article(article_id, str(texts[article_id]), by_article.get(article_id, []), lex)
            _classify_article(article, order[article_id], records, results)
        del records, by_article
    officials = {r.entity for r in results if r is not None and r.person and r.type == "official"
                 and r.entity and len(r.entity.split()) >= 2}
    entities: list[Any] = []
    types: list[str] = []
    for r in results:
        assert r is not None
        kind = "official" if r.person and r.type == "named_person" and r.entity in officials else r.type
        entities.append(r.entity if r.entity is not None else pd.NA)
        types.append(kind)
    out["source_entity"] = pd.Series(entities, index=out.index, dtype="string")
    out["source_type"] = pd.Series(types, index=out.index, dtype="string")
    return _order_columns(out)


def _order_columns(table: pd.DataFrame) -> pd.DataFrame:
    for column in _OFFSET_COLUMNS:
        if column in table.columns:
            table[column] = pd.array([_int(v) for v in table[column]], dtype="Int64")
    for column in _STRING_COLUMNS:
        if column in table.columns:
            table[column] = pd.array([str(v) if _present(v) else pd.NA for v in table[column]],
                                     dtype="string")
    known = [c for c in ATTRIBUTION_TABLE_COLUMNS if c in table.columns]
    return table[known + [c for c in table.columns if c not in known]]


def source_type_rules() -> pd.DataFrame:
    """The source-type rules as a table (for notebooks): order, type, rule, examples, lexicon.

    >>> sorted(source_type_rules()["source_type"]) == sorted(SOURCE_TYPES)
    True
    """
    rows = [
        (1, "media", "wire credits; news agencies and outlets by name; descriptions with a media word "
         "(state media count as media)", "Efe news reported; (Reuters) -; state television said",
         "sources_media.csv, speakers_bodies.csv"),
        (2, "anonymous", "people nouns with no name and no named organisation; plural unnamed bodies; "
         "anonymity markers in or right after the source; names after 'close to'/'familiar with' do "
         "not identify", "officials said; a source close to the ministry; people familiar with the "
         "matter; a senior official who spoke on condition of anonymity", "speakers_anonymous.csv"),
        (3, "official", "bodies of a government, military, police, ministry, alliance or armed group; "
         "countries speaking as such; named people with an official title or apposition anywhere in "
         "the article (an official title wins over named_person); unresolved 'the minister'",
         "The US-led coalition said; Health Minister Nadia Sabri; Nizar Khalil, a senior army commander",
         "speakers_roles.csv, speakers_bodies.csv, speakers_organisations.csv"),
        (4, "organisation", "other named organisations (NGOs, monitors, companies, the UN and its "
         "agencies) and descriptions headed by an organisation word",
         "the Observatory said; Syrian Rights Monitor; Halvorsen Steel", "speakers_bodies.csv, "
         "speakers_organisations.csv"),
        (5, "named_person", "a named person without an official title or role", "Omar Rahal, the group's "
         "director; Dr Amara Okafor", "speakers_roles.csv"),
        (6, "unknown", "unresolved pronouns, missing sources, descriptions no lexicon types",
         "he (no antecedent); the report (nothing before it)", ""),
    ]
    return pd.DataFrame(rows, columns=["order", "source_type", "rule", "examples", "lexicon"])
