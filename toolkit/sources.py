"""Attributions: who said what, found in the dependency parse (step 1 of the ``attributions`` table).

:func:`extract_attributions` is a pure function of a parsed ``Doc`` (tok2vec + parser + ner and the
toolkit's line-break component; no tagger or lemmatizer is needed). It yields one row per attributed
statement, in text order, with character spans for the source, the cue and the content
(:data:`ATTRIBUTION_COLUMNS`). The kinds (:data:`ATTRIBUTION_KINDS`):

* ``direct``: a quotation with its speaker: ``"…," X said`` / ``X said: "…"`` / ``"…" said X``, straight
  or curly quotes; a quotation carried over several paragraphs (a paragraph that opens a quote and
  does not close it continues in the next paragraph that opens with a quote mark); a quote whose
  speaker is in the next sentence (``"…" The minister added.``) or in a sentence ending with a colon
  just before it; quotes that follow a cued quote without a cue of their own (``"…," he said. "…"``)
  extend that statement's content;
* ``mixed``: reported speech containing a quoted fragment (``X said the plan was "dead on arrival"``);
* ``indirect``: a reporting verb with a source and a content clause (``X said (that) …``, ``X told
  reporters …``, ``X warned / denied / estimated / urged …``), a content object for the verbs whose
  object is a statement (``denied the report``), or a content preposition (``warned of …``);
* ``according_to``: ``according to X, …`` (the rest of the sentence is the content), and a sentence
  opening with a document (``In a statement / a poll released Sunday, …``);
* ``told_outlet``: ``X told Reuters / the BBC …`` without quotation marks (the recipient is a name
  of :func:`load_media_names`);
* ``wire_credit``: datelines (``BAGHDAD (Reuters) -``), an agency reporting (``AFP reported``, ``Efe news
  reported``) and credit lines (``The Associated Press contributed to this report``).

Method: reporting verbs come from the lexicon ``resources/reporting_verbs.csv`` (lemma, class, and every
inflected form: the forms are matched on the token text, so the parse needs no lemmatizer, and the lemma
gives ``cue_lemma``). Quotations are found on the characters (paired “”, «», straight and doubled ''
marks, then single ‘’ ones, with the paragraph rule above) before anything else; a quotation takes the
nearest reporting verb outside quotation marks in the sentences holding its marks; when that verb's
content clause holds unquoted words too, the statement is ``mixed``. Every other reporting verb with a
subject or an agent and a content (a ``ccomp`` clause, a ``to``-clause, a content object or preposition,
or, for a parenthetical ``…, X said``, the clause it hangs from) is reported speech. Sources are the
subject's noun phrase up to the first comma (appositions and non-restrictive clauses are left out). A
pronoun source (he, she, they, it) or a definite description (``the minister``, ``the group``) is
resolved to the nearest compatible earlier named mention (he/she: a person; it: an organisation or
country; they: an organisation, group or country), preferring the previous statements' sources and
subjects; a named source is its own antecedent. A statement whose cue lies inside another statement's
content is part of that content and is dropped (as PolNeAR annotates: every word has one role). The
first line of the text is a headline when a line break follows it and it has no final punctuation: it
carries no attribution. Verbs without reported content (``declared victory``, ``congratulated``, ``asked
X for help``) are not attributions.

It misses: statements whose cue is a noun (``in a statement``, ``his claim that``) or a verb
outside the lexicon; sources the parser does not attach (long inverted subjects); nested
attributions inside quotations (deliberately: the quoted words belong to the outer statement);
speakers introduced without a reporting verb (``That was the view of Dr Okafor``). Pronouns are
resolved without gender (``she`` can take a man's name when a woman was not named nearby).

Example:
    >>> from toolkit.annotation import components_for, load_pipeline, resolve_model  # doctest: +SKIP
    >>> nlp = load_pipeline(resolve_model().name, components_for({"parser", "ner"}))  # doctest: +SKIP
    >>> rows = extract_attributions(nlp('"We will win," Haddad said.'))  # doctest: +SKIP
    >>> [(r[3], r[8], r[4], r[14]) for r in rows]  # doctest: +SKIP
    [('direct', 'Haddad', 'said', 'We will win')]
"""

from __future__ import annotations

import bisect
import csv
import io
import itertools
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np
from spacy.attrs import DEP, IDX
from spacy.tokens import Doc, Span, Token

from .entities import doc_text, extract_mentions, sentence_index

__all__ = [
    "ATTRIBUTIONS_VERSION",
    "ATTRIBUTION_COLUMNS",
    "ATTRIBUTION_KINDS",
    "Quote",
    "ReportingVerb",
    "extract_attributions",
    "find_quotes",
    "load_media_names",
    "load_reporting_verbs",
]

logger = logging.getLogger(__name__)

#: Columns of the rows :func:`extract_attributions` returns (``article_id`` is added by the pipeline).
ATTRIBUTION_COLUMNS = (
    "sentence",
    "start",
    "end",
    "kind",
    "cue",
    "cue_lemma",
    "cue_start",
    "cue_end",
    "source",
    "source_start",
    "source_end",
    "antecedent",
    "antecedent_start",
    "antecedent_end",
    "content",
    "content_start",
    "content_end",
)
#: Bumped whenever :func:`extract_attributions` changes what it returns (it keys the table cache).
ATTRIBUTIONS_VERSION = "3"
#: The kinds of attributed statement, as in the ``kind`` column.
ATTRIBUTION_KINDS = ("direct", "mixed", "indirect", "according_to", "told_outlet", "wire_credit")

# --------------------------------------------------------------------------- constants

#: Dependency labels of a clause's subject (the source of an active reporting verb).
SUBJECT_DEPS = frozenset({"nsubj", "csubj"})
#: Dependency labels of a passive subject (never the source).
PASSIVE_SUBJECT_DEPS = frozenset({"nsubjpass", "csubjpass"})
#: Dependency labels of a content clause under a reporting verb.
CLAUSE_DEPS = frozenset({"ccomp"})
#: Dependency labels of a to-clause under a reporting verb (``urged both sides to avoid …``).
OPEN_CLAUSE_DEPS = frozenset({"xcomp"})
#: Dependency labels of an object.
OBJECT_DEPS = frozenset({"dobj"})
#: Dependency labels of the recipient of ``tell`` (``told reporters``, ``told Reuters``).
RECIPIENT_DEPS = frozenset({"dobj", "dative", "iobj"})
#: Dependency labels a reporting verb hangs by when it is parenthetical (``…, X said``).
PARENTHETICAL_DEPS = frozenset({"parataxis", "ccomp", "advcl", "conj"})
#: Dependency labels of tokens that are nouns or modifiers, not verbs: a lexicon form in these
#: positions is a noun ("the report", "a call"), not a cue.
NOMINAL_DEPS = frozenset(
    {
        "nsubj",
        "nsubjpass",
        "dobj",
        "pobj",
        "compound",
        "amod",
        "poss",
        "attr",
        "appos",
        "npadvmod",
        "det",
        "nmod",
        "dative",
        "oprd",
        "nummod",
        "quantmod",
        "case",
        "meta",
        "predet",
        "prt",
        "intj",
    }
)
#: Classes of the reporting-verb lexicon that can introduce a verbatim quotation.
QUOTE_CUE_CLASSES = frozenset({"speech", "writing", "manner"})
#: Classes whose to-clause is reported content (``urged X to``, ``wants to``, ``expects to``).
OPEN_CLAUSE_CLASSES = frozenset({"speech", "thought", "intention"})
#: Verbs of a clause that is not a statement: ``asked``/``told`` with only a to-clause is an order.
CONTENTLESS_OPEN_CLAUSE = frozenset(
    {
        "tell",
        "decide",
        "agree",
        "offer",
        "order",
        "seek",
        "aim",
        "plan",
        "prefer",
        "wish",
        "call",
        "find",
        "show",
        "mean",
        "forget",
        "remember",
    }
)
#: Dependency labels of an object's complement ("called the vote a disgrace", "urged X to").
COMPLEMENT_DEPS = frozenset({"oprd", "xcomp", "ccomp"})
#: Prepositions that complete an object ("accused X of", "praised X for", "described X as").
COMPLEMENT_PREPS = frozenset({"of", "for", "as"})
#: Verbs whose passive with a to-clause reports something ("X is expected to win").
PASSIVE_REPORT_LEMMAS = frozenset(
    {
        "expect",
        "believe",
        "say",
        "report",
        "think",
        "know",
        "allege",
        "estimate",
        "project",
        "predict",
        "forecast",
        "consider",
        "see",
        "understand",
    }
)
#: Head nouns of subjects that are documents or findings ("the poll shows", "the report found").
DOCUMENT_NOUNS = frozenset(
    {
        "poll",
        "polls",
        "survey",
        "surveys",
        "study",
        "studies",
        "report",
        "reports",
        "data",
        "analysis",
        "research",
        "figures",
        "numbers",
        "results",
        "records",
        "documents",
        "emails",
        "memo",
        "letter",
        "audit",
        "review",
        "investigation",
        "probe",
        "tally",
        "count",
        "estimates",
        "projections",
        "model",
        "forecast",
        "statement",
        "filings",
        "filing",
        "evidence",
        "findings",
        "census",
        "index",
        "ratings",
        "exit",
    }
)
#: Objects that make a verb an act rather than a statement ("claimed responsibility").
ACT_OBJECTS = frozenset({"responsibility", "victory", "credit", "defeat", "office", "power"})
#: Relative pronouns: a relative clause's subject is the noun the clause modifies.
RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whom"})
#: Subject pronouns and the entity labels of the names they can stand for.
PRONOUN_LABELS: dict[str, frozenset[str]] = {
    "he": frozenset({"PERSON"}),
    "she": frozenset({"PERSON"}),
    "it": frozenset({"ORG", "GPE"}),
    "they": frozenset({"ORG", "NORP", "GPE"}),
}
#: Head nouns of definite descriptions resolved to an earlier person ("the minister said").
PERSON_DESCRIPTORS = frozenset(
    {
        "minister",
        "official",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "commander",
        "general",
        "colonel",
        "president",
        "senator",
        "governor",
        "mayor",
        "candidate",
        "nominee",
        "lawmaker",
        "congressman",
        "congresswoman",
        "leader",
        "chief",
        "director",
        "secretary",
        "ambassador",
        "envoy",
        "diplomat",
        "councillor",
        "councilor",
        "chairman",
        "chairwoman",
        "businessman",
        "businesswoman",
        "billionaire",
        "former",
        "doctor",
        "researcher",
        "analyst",
        "economist",
        "professor",
        "author",
        "executive",
        "founder",
        "activist",
        "lawyer",
        "attorney",
        "prosecutor",
        "judge",
        "sheriff",
        "officer",
        "source",
        "premier",
        "chancellor",
        "king",
        "prince",
        "cleric",
        "monarch",
        "mogul",
        "host",
        "manager",
    }
)
#: Head nouns of definite descriptions resolved to an earlier organisation ("the group said").
ORG_DESCRIPTORS = frozenset(
    {
        "group",
        "alliance",
        "organisation",
        "organization",
        "agency",
        "company",
        "firm",
        "ministry",
        "monitor",
        "campaign",
        "committee",
        "militia",
        "network",
        "observatory",
        "institute",
        "foundation",
        "charity",
        "movement",
        "bank",
        "department",
        "union",
        "association",
        "council",
        "newspaper",
        "paper",
        "outlet",
        "channel",
        "broadcaster",
        "station",
        "website",
        "party",
        "faction",
        "body",
        "board",
    }
)
#: Words that end a statement's first line as a sentence (not a headline).
TERMINAL_PUNCT = '.!?:;"”’)…'
#: Characters stripped from the edges of content and source spans.
EDGE_CHARS = " \t\n,;:-—–"
_WORD_RE = re.compile(r"\w")
_CREDIT_RE = re.compile(
    r"(?P<source>\b(?:[Tt]he[ \t]+)?[A-Z][\w.&'’-]*(?:[ \t]+[A-Z][\w.&'’-]*){0,3})[ \t]+"
    r"(?P<cue>contributed(?:\s+reporting)?\s+to\s+(?:this|the)\s+(?:report|story|article))"
)


# --------------------------------------------------------------------------- lexicons


@dataclass(frozen=True)
class ReportingVerb:
    """One verb of the lexicon: its lemma, class, and what counts as its content besides a clause.

    ``obj`` is ``content`` (the object alone is what was said: "denied the report"), ``complement``
    (the object with its complement: "called the vote a disgrace") or ``none``.
    """

    lemma: str
    cls: str
    obj: str
    preps: frozenset[str]

    @property
    def object_is_content(self) -> bool:
        return self.obj == "content"


def _read_csv_rows(name: str) -> list[dict[str, str]]:
    text = resources.files("toolkit").joinpath(f"resources/{name}").read_text("utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


@lru_cache(maxsize=1)
def _verb_forms() -> dict[str, ReportingVerb]:
    forms: dict[str, ReportingVerb] = {}
    for row in _read_csv_rows("reporting_verbs.csv"):
        verb = ReportingVerb(row["lemma"], row["class"], row["object"], frozenset(row["preps"].split()))
        for form in row["forms"].split():
            forms.setdefault(form, verb)
    return forms


def load_reporting_verbs() -> dict[str, ReportingVerb]:
    """The reporting-verb lexicon: every inflected form (lower case) mapped to its :class:`ReportingVerb`.

    >>> verbs = load_reporting_verbs()
    >>> verbs["told"].lemma, verbs["says"].cls, verbs["denied"].object_is_content
    ('tell', 'speech', True)
    """
    return dict(_verb_forms())


@lru_cache(maxsize=1)
def _media_names() -> tuple[tuple[str, str], ...]:
    return tuple((row["name"], row["kind"]) for row in _read_csv_rows("sources_media.csv"))


def load_media_names() -> dict[str, str]:
    """News agencies and outlets (``resources/sources_media.csv``): name -> ``agency`` or ``outlet``.

    >>> names = load_media_names()
    >>> names["Reuters"], names["BBC"]
    ('agency', 'outlet')
    """
    return dict(_media_names())


@lru_cache(maxsize=1)
def _media_lookup() -> dict[str, str]:
    """Lower-cased names, with and without a leading "the", -> kind."""
    lookup: dict[str, str] = {}
    for name, kind in _media_names():
        key = name.lower()
        lookup.setdefault(key, kind)
        lookup.setdefault(key[4:] if key.startswith("the ") else "the " + key, kind)
    return lookup


@lru_cache(maxsize=1)
def _dateline_re() -> re.Pattern[str]:
    agencies = sorted((n for n, k in _media_names() if k == "agency"), key=len, reverse=True)
    names = "|".join(re.escape(a) for a in agencies)
    return re.compile(
        r"^[ \t]*(?:[A-Z][A-Za-z.'’ -]{1,40}(?:,[ \t]*[A-Za-z.'’ ]{2,30})?[ \t]+)?"
        r"(?P<cue>\((?P<source>" + names + r")\)[ \t]*[-—–]+)[ \t]*",
        re.MULTILINE,
    )


def media_kind(text: str) -> str | None:
    """``agency`` or ``outlet`` when ``text`` is (or starts with) a name of the media lexicon, else None.

    A possessive or a trailing "news"/"TV" is allowed ("CNN's", "Efe news", "the BBC").

    >>> media_kind("the BBC"), media_kind("Efe news"), media_kind("reporters")
    ('outlet', 'agency', None)
    """
    key = re.sub(r"(?:'s|’s)$", "", text.strip()).lower()
    lookup = _media_lookup()
    if key in lookup:
        return lookup[key]
    for suffix in (" news", " tv", " television", " news agency", " agency", " newspaper"):
        if key.endswith(suffix) and key[: -len(suffix)] in lookup:
            return lookup[key[: -len(suffix)]]
    return None


# --------------------------------------------------------------------------- quotations


@dataclass(frozen=True)
class Quote:
    """A quotation: the marks at ``start`` and ``end - 1``, the words in ``content_start:content_end``.

    ``paragraphs`` counts the paragraphs it runs over; ``closed`` is False when the text never closes it
    (it then ends with its paragraph).
    """

    start: int
    end: int
    content_start: int
    content_end: int
    paragraphs: int = 1
    closed: bool = True


#: A quotation mark: two apostrophes or backticks (as some wires and archives write them), or one
#: double quote mark, straight or curly.
_MARK_RE = re.compile(r"''|``|[\"“”«»„‟]")
#: Single curly quotes, used for quotations inside headlines and in British copy.
_SINGLE_RE = re.compile(r"‘|’")


def _is_opening(text: str, i: int, width: int = 1) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + width] if i + width < len(text) else " "
    return (before.isspace() or before in "([{—–-/‘“") and not after.isspace()


def _mark_role(text: str, i: int, mark: str) -> str:
    """``open``, ``close`` or ``either`` (straight marks, decided by the state of the scan)."""
    if mark in ("“", "«", "„", "‟", "``", "”", "»"):
        return "open" if _is_opening(text, i) else "close"  # “…“ and ”…” happen
    return "either"


def find_quotes(text: str) -> list[Quote]:
    """The quotations of ``text``, in order: curly (“”, «»), straight ("), doubled ('') and, outside
    those, single curly (‘’) quotation marks.

    A paragraph that opens a quotation without closing it continues in the next paragraph when that
    paragraph opens with a quote mark (the news convention for long quotations); otherwise the
    quotation ends with its paragraph.

    >>> [text[q.content_start:q.content_end] for text in ['He said: "Go home." “Now”, he said.']
    ...  for q in find_quotes(text)]
    ['Go home.', 'Now']
    """
    quotes = _scan(text, _MARK_RE)
    singles = [
        q for q in _scan(text, _SINGLE_RE, single=True) if not any(d.start <= q.start < d.end for d in quotes)
    ]
    return sorted([*quotes, *singles], key=lambda q: q.start)


def _scan(text: str, pattern: re.Pattern[str], *, single: bool = False) -> list[Quote]:
    quotes: list[Quote] = []
    paragraphs = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    open_at: int | None = None
    open_mark = ""
    count = 0
    for number, (p_start, p_end) in enumerate(paragraphs):
        marks = [(m.start(), m.group()) for m in pattern.finditer(text, p_start, p_end)]
        lead = p_start + len(text[p_start:p_end]) - len(text[p_start:p_end].lstrip())
        if open_at is not None:
            if marks and marks[0][0] == lead and (not single or marks[0][1] == "‘"):
                count += 1  # the quotation carries over into this paragraph
                marks = marks[1:]
            else:  # never closed: it ends with the previous paragraph
                quotes.append(_make_quote(text, open_at, paragraphs[number - 1][1], count, open_mark, ""))
                open_at = None
        for i, mark in marks:
            if single:
                role = (
                    "open"
                    if mark == "‘" and _is_opening(text, i)
                    else ("close" if mark == "’" and not text[i + 1 : i + 2].isalpha() else "none")
                )
            else:
                role = _mark_role(text, i, mark)
            if role == "none":
                continue
            if open_at is None:
                if role == "open" or (role == "either" and _is_opening(text, i, len(mark))):
                    open_at, open_mark, count = i, mark, 1
            elif role == "close" or (
                role == "either" and (not _is_opening(text, i, len(mark)) or open_mark in ('"', "''"))
            ):
                quotes.append(_make_quote(text, open_at, i + len(mark), count, open_mark, mark))
                open_at = None
            elif role == "open" and not single:
                # an opening mark while one is open: the first was never closed
                quotes.append(_make_quote(text, open_at, i, count, open_mark, ""))
                open_at, open_mark, count = i, mark, 1
        if open_at is not None and number == len(paragraphs) - 1:
            quotes.append(_make_quote(text, open_at, p_end, count, open_mark, ""))
            open_at = None
    return [q for q in quotes if q.content_end > q.content_start]


def _make_quote(text: str, start: int, end: int, paragraphs: int, open_mark: str, close_mark: str) -> Quote:
    inner_start, inner_end = start + len(open_mark), end - len(close_mark)
    while inner_start < inner_end and text[inner_start].isspace():
        inner_start += 1
    while inner_end > inner_start and (text[inner_end - 1].isspace() or text[inner_end - 1] == ","):
        inner_end -= 1
    return Quote(start, end, inner_start, inner_end, paragraphs, bool(close_mark))


# --------------------------------------------------------------------------- the frame of one Doc


@dataclass
class _Row:
    kind: str
    cue: tuple[int, int]
    cue_lemma: str
    source: tuple[int, int] | None
    content: tuple[int, int] | None
    source_token: Token | None = None
    verb: Token | None = None
    antecedent: tuple[int, int] | None = None
    quotes: list[int] = field(default_factory=list)


class _Frame:
    """What every pattern needs about one Doc: quotations, the token -> quote map, verbs, mentions."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.text = doc_text(doc)
        self.quotes = find_quotes(self.text)
        # quotations by start, with the furthest end so far: "is this character quoted" by bisection
        by_start = sorted((q.start, q.end) for q in self.quotes)
        self.quote_starts = [start for start, _ in by_start]
        self.quote_reach = list(itertools.accumulate((end for _, end in by_start), max))
        self.quote_of = [-1] * len(doc)  # index of the quotation holding each token (marks included)
        self.starts = starts = doc.to_array(IDX).tolist()  # arrays: no Token object per token
        for number, quote in enumerate(self.quotes):
            for i in _tokens_between(starts, quote.start, quote.end):
                self.quote_of[i] = number
        self.forms = _verb_forms()
        self.headline_end = _headline_end(self.text)
        self.sent_of = sentence_index(doc)
        self.sents = (
            list(doc.sents) if doc.has_annotation("SENT_START") or doc.has_annotation("DEP") else [doc[:]]
        )
        self.used_cues: set[int] = set()
        first = _dateline_re().search(self.text[: max(self.headline_end, 0) + 400])
        self.dateline_end = first.end() if first else 0

    def verb(self, token: Token) -> ReportingVerb | None:
        """The lexicon entry of ``token`` when it is a reporting verb in a verbal position."""
        entry = self.forms.get(token.lower_)
        if entry is None or token.dep_ in NOMINAL_DEPS:
            return None
        if token.i > 0 and token.doc[token.i - 1].lower_ in ("the", "a", "an", "his", "her", "their", "its"):
            return None
        return entry

    def inside_quote(self, token: Token) -> bool:
        return self.quote_of[token.i] >= 0

    def token_range(self, start: int, end: int) -> range:
        """Indices of the tokens starting in ``[start, end)``."""
        return _tokens_between(self.starts, start, end)

    def char_span(self, start: int, end: int) -> Span | None:
        return self.doc.char_span(start, end, alignment_mode="expand")


def _tokens_between(starts: Sequence[int], start: int, end: int) -> range:
    import bisect

    return range(bisect.bisect_left(starts, start), bisect.bisect_left(starts, end))


def _headline_end(text: str) -> int:
    """End offset of the first line when it is a headline (no final punctuation, a line break after)."""
    stripped = text.lstrip()
    offset = len(text) - len(stripped)
    newline = stripped.find("\n")
    if newline <= 0:
        return 0
    line = stripped[:newline].rstrip()
    if not line or line[-1] in TERMINAL_PUNCT:
        return 0
    return offset + newline


# --------------------------------------------------------------------------- shared helpers


def _subject(verb: Token, depth: int = 0, quote_of: Sequence[int] | None = None) -> Token | None:
    """The source token of a reporting verb: its subject, else the subject it shares or stands for.

    Catches the verb's own active subject ("X said", "said X"), a relative clause's antecedent ("X,
    who said"), the subject of the verb a conjunct, participle or to-verb hangs from ("X said … and
    added", "…, saying", "went on to say"), and the agent of a passive ("was reported by X").
    """
    subjects = [
        c
        for c in verb.children
        if c.dep_ in SUBJECT_DEPS
        and not (quote_of is not None and quote_of[c.i] >= 0 and quote_of[verb.i] < 0)
    ]  # not in the quoted words
    if subjects:
        child = min(subjects, key=lambda c: abs(c.i - verb.i))  # the parser sometimes gives two
        if child.lower_ in RELATIVE_PRONOUNS and verb.dep_ == "relcl":
            return verb.head
        return child
    for child in verb.children:
        if child.dep_ == "agent":
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects:
                return objects[0]
    if any(c.dep_ in PASSIVE_SUBJECT_DEPS or c.dep_ == "auxpass" for c in verb.children):
        return None
    if (
        depth < 3
        and verb.dep_ == "conj"
        and verb.head.dep_ in CLAUSE_DEPS
        and verb.head.head.lower_ in _verb_forms()
    ):  # "X said A and denied B": B is X's
        return _subject(verb.head.head, depth + 1, quote_of)
    if depth < 3 and verb.dep_ in ("conj", "advcl", "xcomp") and verb.head.i != verb.i:
        return _subject(verb.head, depth + 1, quote_of)
    if verb.dep_ == "acl" and verb.head.i != verb.i and verb.lower_.endswith("ing"):
        return verb.head  # "a statement saying …"

    return None


def expand_noun(token: Token) -> tuple[int, int]:
    """Token range ``[start, end)`` of the noun phrase headed by ``token``, up to its first comma.

    Keeps determiners, compounds, modifiers, conjuncts ("officials and analysts") and restrictive
    post-modifiers ("a source close to the ministry", "a senior official who spoke on condition of
    anonymity"); drops appositions and anything after a comma, dash or parenthesis ("Karim Haddad,
    who leads …"). A descriptive role in front of a person's name is dropped when it ends in a
    lower-case word ("Coalition spokesman Col. Thomas Whitaker" -> "Col. Thomas Whitaker"); a
    capitalised title stays ("Health Minister Nadia Sabri").
    """
    doc = token.doc
    start, end = token.left_edge.i, token.right_edge.i + 1
    for child in token.rights:
        if child.dep_ == "appos" or (
            child.left_edge.i > 0
            and doc[child.left_edge.i - 1].text in ",(—–-;:"
            and child.left_edge.i - 1 > token.i
        ):
            end = min(end, child.left_edge.i)
            break
        if child.text in ",(—–;:":
            end = min(end, child.i)
            break
    for i in range(token.i + 1, end):
        if doc[i].text in ",(—–;:" or doc[i].is_quote:
            end = i
            break
    if token.ent_type_ == "PERSON":
        ent_start = token.i
        while ent_start > start and doc[ent_start - 1].ent_type_ == "PERSON":
            ent_start -= 1
        j = ent_start
        while j > start and (doc[j - 1].text[:1].isupper() or doc[j - 1].text == "."):
            j -= 1
        if (
            j > start
            and doc[j - 1].is_lower
            and doc[j - 1].is_alpha
            and doc[j - 1].lower_ not in ("the", "a")
        ):
            start = j
    while start < end and (doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (
        (doc[end - 1].is_punct and doc[end - 1].text not in ".)") or doc[end - 1].is_space
    ):
        end -= 1
    while (
        start > 0
        and start == token.i - (token.i - start)
        and doc[start].is_sent_start
        and doc[start - 1].is_title
        and doc[start - 1].is_sent_start
        and doc[start - 1].head.i == start - 1
        and doc[start - 1].n_lefts + doc[start - 1].n_rights == 0
    ):
        start -= 1  # "Karim | Haddad said": a first name the parser cut off as a sentence of its own
    return start, end


def _chars(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """Character span of tokens ``[start, end)`` with edge punctuation and space trimmed."""
    if end <= start:
        return None
    base = doc[start].idx
    text = doc[start:end].text  # not doc.text: building the whole text per call is quadratic
    s, e = 0, len(text)
    while s < e and text[s] in EDGE_CHARS:
        s += 1
    while e > s and text[e - 1] in EDGE_CHARS:
        e -= 1
    return (base + s, base + e) if e > s else None


def _subtree_range(token: Token, exclude: Token | None = None) -> tuple[int, int]:
    """Token range of ``token``'s subtree; with ``exclude``, the part before or after that subtree."""
    start, end = token.left_edge.i, token.right_edge.i + 1
    if exclude is not None:
        ex_start, ex_end = exclude.left_edge.i, exclude.right_edge.i + 1
        if ex_start <= start:
            start = max(start, ex_end)
        elif ex_end >= end:
            end = min(end, ex_start)
    return start, end


def _strip_mark(doc: Doc, start: int, end: int) -> int:
    """Skip a leading complementiser ("that") and punctuation of a content clause."""
    while start < end and (
        doc[start].lower_ in ("that", ":") or (doc[start].is_punct and not doc[start].is_quote)
    ):
        start += 1
    return start


def verb_content(frame: _Frame, verb: Token, entry: ReportingVerb) -> tuple[int, int] | None:
    """Token range of what a reporting verb reports, or None when it reports nothing.

    In order: a content clause (``ccomp``: "said (that) …", "told reporters …", "asked whether …"); a
    to-clause for verbs of saying, thinking and wanting, with the object in front of it ("urged both
    sides to avoid …"); the object, for verbs whose object is a statement ("denied the report"); the
    object of a content preposition ("warned of …", "called for …"); and for a parenthetical verb
    ("…, the army said"; "the plan, he said, is …") the clause it hangs from, minus the verb's own
    words. Misses content the parser attaches elsewhere (a quotation parsed as a separate sentence).
    """
    doc = verb.doc
    if entry.cls == "manner":
        return None
    children = list(verb.children)
    clauses = [c for c in children if c.dep_ in CLAUSE_DEPS]
    if not clauses and verb.dep_ == "ROOT":
        # "The city remains empty, the United Nations said on Friday": the clause parsed as advcl
        clauses = [
            c
            for c in children
            if c.dep_ in ("advcl", "parataxis")
            and c.i < verb.i
            and c.left_edge.i == verb.sent.start
            and doc[c.right_edge.i + 1].text == ","
        ]
    if clauses:
        right = [c for c in clauses if c.i > verb.i]
        clause = right[0] if right else clauses[-1]
        start, end = clause.left_edge.i, clause.right_edge.i + 1
        if clause.i > verb.i:
            end = _mended_clause_end(clause, start, end)
            end = _cut_conjoined_reports(clause, end)
            start = _skip_adverbial(verb, clause, start)
            objects = [c for c in children if c.dep_ in OBJECT_DEPS and verb.i < c.i < clause.i]
            if (
                objects
                and entry.lemma != "tell"
                and not any(
                    c.dep_ in SUBJECT_DEPS or c.dep_ in PASSIVE_SUBJECT_DEPS or c.dep_ == "expl"
                    for c in clause.lefts
                )
            ):
                start = objects[0].left_edge.i  # "warned the true toll could be higher": a split subject
        return _strip_mark(doc, start, end), end
    if entry.cls in OPEN_CLAUSE_CLASSES and entry.lemma not in CONTENTLESS_OPEN_CLAUSE:
        opens = [c for c in children if c.dep_ in OPEN_CLAUSE_DEPS and c.i > verb.i]
        if opens and entry.lemma == "ask" and not any(c.dep_ in OBJECT_DEPS for c in children):
            opens = []  # "asked not to be named" is about the speaker, not a statement
        if opens:
            clause = opens[0]
            start = clause.left_edge.i
            objects = [c for c in children if c.dep_ in OBJECT_DEPS and c.i < clause.i]
            if objects:
                start = min(start, objects[0].left_edge.i)
            return start, clause.right_edge.i + 1
    objects = [c for c in children if c.dep_ in OBJECT_DEPS and c.i > verb.i]
    if entry.obj == "complement" and not objects:
        objects = [c for c in children if c.dep_ == "oprd" and c.i > verb.i]
        if objects and not any(c.dep_ == "prep" and c.i < objects[0].i and c.i > verb.i for c in children):
            return _subtree_range(objects[0])  # "called Valeant's chief executive ''incredibly driven''"
        objects = []
    if objects and objects[0].lower_ in ACT_OBJECTS:
        return None  # "claimed responsibility", "declared victory": acts, not statements
    if objects and not (
        objects[0].lower_ in ("it", "this", "that", "so")
        and objects[0].n_lefts + objects[0].n_rights == 0
        and entry.obj != "complement"
    ):
        obj = objects[0]
        complement = [
            c
            for c in children
            if c.i > obj.i
            and (
                c.dep_ in COMPLEMENT_DEPS
                or c.dep_ in OBJECT_DEPS
                or (c.dep_ in ("prep", "advcl") and c.left_edge.lower_ in COMPLEMENT_PREPS)
            )
        ]
        if complement and entry.obj in ("content", "complement"):
            return obj.left_edge.i, complement[-1].right_edge.i + 1
        if (
            entry.object_is_content
            or (entry.cls == "evidence" and _impersonal_subject(verb))
            or (entry.obj == "complement" and _quotes_in(frame, obj.left_edge.i, obj.right_edge.i + 1))
        ):
            return _subtree_range(obj)
    if entry.object_is_content:
        objects = [c for c in children if c.dep_ == "xcomp" and c.i > verb.i]  # "denied targeting civilians"
        if objects and entry.cls == "speech":
            return _subtree_range(objects[0])
    if entry.preps:
        for child in children:
            if child.dep_ == "prep" and child.lower_ in entry.preps and child.i > verb.i:
                objects = [c for c in child.children if c.dep_ in ("pobj", "pcomp")]
                if objects:
                    start, end = _subtree_range(objects[0])
                    following = [c for c in children if c.dep_ in OPEN_CLAUSE_DEPS and c.i > child.i]
                    if following:  # "called on Congress to act"
                        end = following[0].right_edge.i + 1
                    return start, end
            if (
                child.dep_ == "advcl"
                and child.i > verb.i
                and child.left_edge.lower_ in entry.preps
                and child.left_edge.dep_ == "mark"
            ):  # "called for Trump to drop out"
                return child.left_edge.i + 1, child.right_edge.i + 1
    if (
        verb.dep_ in PARENTHETICAL_DEPS
        and verb.head.i != verb.i
        and entry.cls in ("speech", "writing", "thought")
        and (_set_off(verb) or verb.head.lower_ not in _verb_forms())
    ):
        head = verb.head
        if verb.i > head.i and _ends_clause(verb) and not frame.inside_quote(head):
            start, end = _subtree_range(head, exclude=verb)
            if start < verb.left_edge.i < end:  # "…, Hennessey said, and …": the part before
                end = verb.left_edge.i
            start = _strip_mark(doc, start, end)
            return (start, end) if end - start >= 3 else None
        if verb.i > head.i and frame.inside_quote(head):
            return None
        if verb.i < head.i and verb.dep_ == "parataxis":  # "the plan, he said, is …"
            start, end = head.left_edge.i, head.right_edge.i + 1
            return (start, end) if end - start >= 3 else None
    return None


def _impersonal_subject(verb: Token) -> bool:
    """True when the verb's subject is not a person ("the numbers show", "a Quinnipiac survey found")."""
    subject = _subject(verb)
    if subject is None or subject.lower_ in ("he", "she", "i", "we", "you", "they", "who"):
        return False
    return subject.ent_type_ != "PERSON" and subject.lower_ not in PERSON_DESCRIPTORS


def _document_subject(verb: Token) -> bool:
    """True when the verb's subject is a document or a finding ("the poll shows", "the report found")."""
    subject = _subject(verb)
    return subject is not None and subject.lower_ in DOCUMENT_NOUNS


def passive_content(verb: Token, entry: ReportingVerb) -> tuple[int, int] | None:
    """Token range of a passive report: "X is expected / believed / said to …" (the whole clause).

    Only for verbs of saying, thinking and evidence with a passive subject and a to-clause; "it is
    said that …" is handled as a content clause.
    """
    if entry.cls not in ("speech", "thought", "evidence") or entry.lemma not in PASSIVE_REPORT_LEMMAS:
        return None
    subjects = [c for c in verb.children if c.dep_ in PASSIVE_SUBJECT_DEPS and c.i < verb.i]
    opens = [c for c in verb.children if c.dep_ == "xcomp" and c.i > verb.i]
    if not subjects or subjects[0].lower_ in RELATIVE_PRONOUNS or subjects[0].lower_ == "it":
        return None
    if opens:
        return subjects[0].left_edge.i, opens[0].right_edge.i + 1
    if entry.lemma == "expect":  # "Neither step is expected soon"
        return _subtree_range(subjects[0])
    return None


def _mended_clause_end(clause: Token, start: int, end: int) -> int:
    """End of a one-word content clause that the parser cut off from the rest of its sentence.

    "The monitor said IS fighters had launched …": a capitalised acronym read as a verb leaves the
    clause as the single word "IS" with the rest of the sentence attached elsewhere. A one-word clause
    followed by more words in the same sentence is taken to run to the sentence's end.
    """
    doc = clause.doc
    sent_end = clause.sent.end
    if end - start != 1 or end >= sent_end or not (doc[end].is_alpha or doc[end].like_num):
        return end
    last = sent_end
    while last > end and (doc[last - 1].is_punct or doc[last - 1].is_space):
        last -= 1
    return last


def _cut_conjoined_reports(clause: Token, end: int) -> int:
    """End of a content clause before a conjoined reporting verb without its own subject: in "X said
    A and denied B", "denied B" is the next statement of X, not part of A."""
    forms = _verb_forms()
    for child in clause.rights:
        if (
            child.dep_ == "conj"
            and child.lower_ in forms
            and not any(c.dep_ in SUBJECT_DEPS or c.dep_ in PASSIVE_SUBJECT_DEPS for c in child.children)
        ):
            cut = child.left_edge.i
            while cut > clause.i and (clause.doc[cut - 1].dep_ == "cc" or clause.doc[cut - 1].is_punct):
                cut -= 1
            return min(end, cut)
    return end


def _skip_adverbial(verb: Token, clause: Token, start: int) -> int:
    """Start of a content clause after a time or place phrase that belongs to the cue ("said on Friday
    it had …", parsed as part of the clause)."""
    doc = verb.doc
    if start != verb.i + 1:
        return start
    for child in clause.lefts:
        if (
            child.left_edge.i == start
            and child.dep_ in ("prep", "npadvmod")
            and any(
                c.dep_ in SUBJECT_DEPS or c.dep_ in PASSIVE_SUBJECT_DEPS
                for c in clause.lefts
                if c.i > child.i
            )
        ):
            following = child.right_edge.i + 1
            return following + 1 if following < len(doc) and doc[following].text == "," else following
    return start


def _set_off(verb: Token) -> bool:
    """True when the verb's clause is set off by a comma, dash or quote mark ("…, the army said")."""
    doc = verb.doc
    i = verb.left_edge.i - 1
    return i >= 0 and (doc[i].text in (",", "—", "–", "-", ";") or doc[i].is_quote)


def _ends_clause(verb: Token) -> bool:
    """True when nothing but modifiers of the verb follow it up to the end of its head's clause."""
    return all(c.dep_ not in ("dobj", "ccomp", "xcomp") for c in verb.rights)


def _unquoted_words(frame: _Frame, start: int, end: int, verb: Token | None = None) -> int:
    """Word tokens in ``[start, end)`` outside quotation marks and outside ``verb``'s own subtree (a
    parenthetical cue sits inside the clause it reports)."""
    doc = frame.doc
    inside = verb is not None and start <= verb.i < end
    skip = range(verb.left_edge.i, verb.right_edge.i + 1) if inside and verb is not None else range(0)
    return sum(
        1
        for i in range(start, end)
        if frame.quote_of[i] < 0
        and doc[i].is_alpha
        and i not in skip
        and not (i == start and doc[i].lower_ == "that")
    )


def _quotes_in(frame: _Frame, start: int, end: int) -> list[int]:
    return sorted({frame.quote_of[i] for i in range(start, end) if frame.quote_of[i] >= 0})


def _quoted_by_inner_verb(frame: _Frame, verb: Token, number: int) -> bool:
    """True when a quotation inside ``verb``'s content hangs from another reporting verb in that
    content ("said … the area, which it expects to be the scene of the "last big fight""): when that
    verb is one of thinking, wanting or evidence, the quoted words are a label, and do not make the outer
    statement mixed (under a verb of saying, "which he described as "…"", they are still the source's)."""
    inner = [
        i for i in frame.token_range(frame.quotes[number].content_start, frame.quotes[number].content_end)
    ]
    if not inner:
        return False
    token = frame.doc[inner[0]]
    for ancestor in token.ancestors:
        if ancestor.i == verb.i:
            return False
        entry = frame.verb(ancestor)
        if frame.quote_of[ancestor.i] != number and entry is not None:
            return entry.cls in ("thought", "intention", "evidence")
    return False


def _cue_range(verb: Token) -> tuple[int, int]:
    """Tokens of the cue: the verb with its auxiliaries and negation ("has denied", "did not say")."""
    start, end = verb.i, verb.i + 1
    for child in verb.lefts:
        if child.dep_ in ("aux", "neg") and child.i >= start - 3:
            start = min(start, child.i)
    for child in verb.rights:
        if child.dep_ == "prt" and child.i == end:
            end += 1
    return start, end


def _cue_chars(
    doc: Doc, start: int, end: int, *, recipient: Token | None = None, colon: bool = False
) -> tuple[int, int]:
    if recipient is not None:
        end = max(end, recipient.i + 1)
    s, e = doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)
    if colon and end < len(doc) and doc[end].text == ":":
        e = doc[end].idx + 1
    return s, e


def _recipient(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ in RECIPIENT_DEPS and child.i > verb.i:
            return child
    return None


def _source_chars(doc: Doc, token: Token | None) -> tuple[int, int] | None:
    if token is None:
        return None
    start, end = expand_noun(token)
    return _chars(doc, start, end) if end > start else None


# --------------------------------------------------------------------------- patterns


def _direct_quotations(frame: _Frame) -> Iterator[_Row]:
    """Quotations with the reporting verb next to them: ``"…," X said`` / ``X said: "…"`` / ``"…" said X``.

    Each quotation takes the nearest reporting verb (speech or writing) outside quotation marks in
    the sentences that hold its opening and closing marks, when that verb has a source. If the
    verb's content clause also holds unquoted words, the quotation is a fragment of a mixed statement
    (left to :func:`_reported_speech`). A quotation opening in the middle of a clause (``was "a total
    lightweight."``) is a quoted fragment, and a short one without final punctuation a name or a scare
    quote: neither is a statement of its own. Misses quotations whose verb is outside the lexicon or
    that the parser attaches to nothing (an inverted speaker with a long apposition).
    """
    for number, quote in enumerate(frame.quotes):
        span = frame.char_span(quote.start, quote.end)
        if span is None or quote.start < frame.headline_end:
            continue
        first, last = span.start, span.end - 1
        if not _utterance(frame, quote) or _embedded(frame, first):
            continue
        verb = _nearest_cue(frame, first, last)
        if verb is None:
            continue
        entry = frame.verb(verb)
        assert entry is not None
        content = verb_content(frame, verb, entry)
        if (
            content is not None
            and first >= content[0]
            and last < content[1] + 1
            and _unquoted_words(frame, *content, verb) >= 1
        ):
            continue  # the quotation is a fragment of reported speech: a mixed statement
        frame.used_cues.add(verb.i)
        yield _direct_row(frame, verb, entry, _speaker(frame, verb), [number])


def _word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _embedded(frame: _Frame, first: int) -> bool:
    """True when a quotation opens in the middle of a clause: a word other than a reporting verb or
    "that" right before its opening mark ("was “a total lightweight.”", "pay "slightly more"").
    Such a quotation is a quoted fragment (of a mixed statement), not a statement of its own."""
    doc = frame.doc
    i = first - 1
    if i < 0 or "\n" in doc[i].whitespace_ or doc[i].is_space:
        return False
    token = doc[i]
    if not any(c.isalnum() for c in token.text) or token.lower_ in ("that", "saying"):
        return False
    return frame.verb(token) is None


def _utterance(frame: _Frame, quote: Quote) -> bool:
    """True for a quotation that can be a statement: three words or more, or ending with punctuation
    inside the marks ("Okay," / "Really?"); a short unpunctuated one is a name or a scare quote."""
    inner = frame.text[quote.start : quote.end].strip(" \"'“”‘’«»„`\n")
    return _word_count(inner) >= 3 or (bool(inner) and inner[-1] in ",.?!…")


def _direct_row(
    frame: _Frame,
    verb: Token,
    entry: ReportingVerb,
    source: Token | None,
    quotes: list[int],
) -> _Row:
    doc = frame.doc
    cue_start, cue_end = _cue_range(verb)
    recipient = _recipient(verb) if entry.lemma == "tell" else None
    if recipient is not None and media_kind(doc[slice(*expand_noun(recipient))].text) is not None:
        recipient = None  # a quotation given to an outlet: the cue is "told" (the outlet is in the text)
    colon = cue_end < len(doc) and doc[cue_end].text == ":"
    quote_a, quote_b = frame.quotes[quotes[0]], frame.quotes[quotes[-1]]
    return _Row(
        "direct",
        _cue_chars(doc, cue_start, cue_end, recipient=recipient, colon=colon),
        entry.lemma,
        _source_chars(doc, source),
        (quote_a.content_start, quote_b.content_end),
        source,
        verb,
        quotes=list(quotes),
    )


def _nearest_cue(frame: _Frame, first: int, last: int) -> Token | None:
    """The reporting verb nearest a quotation, outside quotes, in the sentences holding its marks."""
    doc = frame.doc
    candidates: list[tuple[int, int, Token]] = []
    sentences = {frame.sent_of[first], frame.sent_of[last]}
    for number in sorted(sentences):
        sent = frame.sents[number] if number < len(frame.sents) else None
        if sent is None:
            continue
        for token in sent:
            if (
                frame.inside_quote(token)
                or token.i in frame.used_cues
                or _crosses_line(doc, token.i, first, last)
            ):
                continue
            entry = frame.verb(token)
            if entry is None or entry.cls not in QUOTE_CUE_CLASSES:
                continue
            if _subject(token) is None and _inverted_subject(token) is None:
                continue
            distance = token.i - last if token.i > last else first - token.i
            candidates.append((distance, 0 if token.i > last else 1, token))
    if not candidates:
        return None
    candidates.sort(key=lambda c: (c[0], c[1]))
    return candidates[0][2]


def _inverted_subject(verb: Token) -> Token | None:
    """The speaker right after a verb the parser left without a subject ("…," said Robert Reich, who …).

    Only for a verb that directly follows a quotation's closing mark and comma.
    """
    doc = verb.doc
    i = verb.i - 1
    if i < 0 or not (doc[i].is_quote or doc[i].text in (",", "''")):
        return None
    if verb.i + 1 >= len(doc) or not doc[verb.i + 1].text[:1].isalpha():
        return None
    for child in verb.rights:
        if child.left_edge.i != verb.i + 1:
            continue
        subjects = [c for c in child.children if c.dep_ in SUBJECT_DEPS and c.left_edge.i == verb.i + 1]
        return subjects[0] if subjects else child
    return None


def _speaker(frame: _Frame, verb: Token) -> Token | None:
    """The source token of a quotation's cue: the subject, else the inverted speaker after the verb."""
    return _subject(verb, quote_of=frame.quote_of) or _inverted_subject(verb)


def _crosses_line(doc: Doc, i: int, first: int, last: int) -> bool:
    """True when a line break separates token ``i`` from the quotation ``first..last``."""
    lo, hi = (i, first) if i < first else (last, i)
    return any("\n" in doc[k].whitespace_ or "\n" in doc[k].text for k in range(lo, hi))


def _reported_speech(frame: _Frame) -> Iterator[_Row]:
    """Reporting verbs with a source and a content: indirect, mixed, told_outlet and agency reports.

    Every lexicon verb outside quotation marks that is not already a quotation's cue and has
    content (see :func:`verb_content`). ``X told Reuters …`` is ``told_outlet`` when the recipient is
    a media name; an agency that ``reported`` is a ``wire_credit``; content holding a quotation is
    ``mixed``. A verb without a subject is kept only with a content clause (a passive "it was
    reported that …" keeps no source). Misses nominal cues ("in a statement", "his claim that").
    """
    doc = frame.doc
    for token in doc:
        if token.i in frame.used_cues or frame.inside_quote(token) or token.idx < frame.headline_end:
            continue
        entry = frame.verb(token)
        if entry is None:
            continue
        content = passive_content(token, entry) or verb_content(frame, token, entry)
        if content is None:
            continue
        start, end = content
        if end <= start:
            continue
        source = _subject(token, quote_of=frame.quote_of)
        if (
            source is not None
            and start <= source.i < end
            and not token.left_edge.i <= source.i <= token.right_edge.i
        ):
            continue
        if (
            source is None
            and not any(c.dep_ in CLAUSE_DEPS for c in token.children)
            and not (start <= token.i < end)
        ):
            continue
        if source is not None and source.lower_ in ("i", "we", "you") and frame.inside_quote(source):
            continue
        content_chars = _chars(doc, start, end)
        if content_chars is None:
            continue
        quotes = [q for q in _quotes_in(frame, start, end) if not _quoted_by_inner_verb(frame, token, q)]
        kind = "mixed" if quotes else "indirect"
        cue_start, cue_end = _cue_range(token)
        recipient = _recipient(token) if entry.lemma == "tell" else None
        if quotes and _unquoted_words(frame, start, end, token) == 0:
            kind = "direct"
            content_chars = (frame.quotes[quotes[0]].content_start, frame.quotes[quotes[-1]].content_end)
        elif recipient is not None and media_kind(doc[slice(*expand_noun(recipient))].text) is not None:
            kind = "told_outlet" if kind == "indirect" else kind
        source_chars = _source_chars(doc, source)
        if (
            entry.lemma == "report"
            and source_chars is not None
            and media_kind(frame.text[source_chars[0] : source_chars[1]]) == "agency"
        ):
            kind = "wire_credit"
            name = re.sub(
                r"(?i)\s+(?:news|news agency|agency)$", "", frame.text[source_chars[0] : source_chars[1]]
            )
            source_chars = (source_chars[0], source_chars[0] + len(name))
        if (
            frame.dateline_end
            and start < len(doc)
            and content_chars[0] < frame.dateline_end < content_chars[1]
        ):
            content_chars = (frame.dateline_end, content_chars[1])
        frame.used_cues.add(token.i)
        colon = cue_end < len(doc) and doc[cue_end].text == ":"
        yield _Row(
            kind,
            _cue_chars(doc, cue_start, cue_end, recipient=recipient, colon=colon),
            entry.lemma,
            source_chars,
            content_chars,
            source,
            token,
            quotes=quotes,
        )


def _according_to(frame: _Frame) -> Iterator[_Row]:
    """``according to X``: X is the source, the rest of the sentence the content.

    The content is the sentence without the "according to" phrase (trimmed of the commas around it),
    so "According to X, Y." and "Y, according to X." both give Y. Misses nothing the tokenizer keeps
    as "according" + "to"; a sentence with two statements gives the whole sentence as content.
    """
    doc = frame.doc
    for token in doc:
        if token.lower_ != "according" or token.i + 1 >= len(doc) or doc[token.i + 1].lower_ != "to":
            continue
        if token.idx < frame.headline_end or frame.inside_quote(token):
            continue
        to = doc[token.i + 1]
        objects = [c for c in to.children if c.dep_ == "pobj"] or [
            c for c in token.children if c.dep_ == "pobj"
        ]
        if not objects:
            continue
        source = objects[0]
        s_start, s_end = expand_noun(source)
        s_start = max(s_start, to.i + 1)
        content = _sentence_around(frame, token.i, max(s_end, source.right_edge.i + 1))
        if content is None:
            continue
        yield _Row(
            "according_to",
            (token.idx, to.idx + len(to.text)),
            "according to",
            _chars(doc, s_start, s_end),
            content,
            source,
        )


def _sentence_around(frame: _Frame, phrase_start: int, phrase_end: int) -> tuple[int, int] | None:
    """Content of a sentence-level attribution phrase (``according to X`` / ``in a poll``): the rest of
    the sentence. A phrase that opens the sentence ends at its first comma; one in the middle gives
    the whole sentence when both sides have words."""
    doc = frame.doc
    sent = frame.sents[frame.sent_of[phrase_start]]
    opening = all(
        not t.is_alpha or t.lower_ in ("but", "and", "yet", "so") for t in doc[sent.start : phrase_start]
    )
    if opening:
        commas = [t.i for t in doc[phrase_start : sent.end] if t.text == ","]
        if commas and commas[0] + 1 < sent.end:
            phrase_end = max(phrase_end, commas[0] + 1)
    before = (sent.start, phrase_start)
    after = (phrase_end, sent.end)
    size_before = _word_count(doc[before[0] : before[1]].text) if before[1] > before[0] else 0
    size_after = _word_count(doc[after[0] : after[1]].text) if after[1] > after[0] else 0
    if size_before >= 3 and size_after >= 3:
        return _chars(doc, sent.start, sent.end)
    if size_before >= size_after:
        return _chars(doc, *before)
    return _chars(doc, *after)


def _in_documents(frame: _Frame) -> Iterator[_Row]:
    """``In a statement / a poll released Sunday / an interview with X, …``: the document is the source.

    Only a sentence-opening "In" whose object is headed by a document noun (:data:`DOCUMENT_NOUNS`),
    and only when the rest of the sentence has no reporting verb of its own ("In a statement, the
    ministry said …" is the ministry's statement). Kind ``according_to``, cue "In".
    """
    doc = frame.doc
    for sent in frame.sents:
        first = sent[0] if len(sent) else None
        if (
            first is None
            or first.lower_ != "in"
            or first.idx < frame.headline_end
            or frame.inside_quote(first)
        ):
            continue
        objects = [c for c in first.children if c.dep_ == "pobj"]
        if not objects or objects[0].lower_ not in DOCUMENT_NOUNS:
            continue
        source = objects[0]
        s_start, s_end = expand_noun(source)
        if any(
            frame.verb(t) is not None and t.dep_ in ("ROOT", "ccomp") and t.i >= s_end
            for t in doc[s_end : sent.end]
        ):
            continue
        content = _sentence_around(frame, first.i, max(s_end, source.right_edge.i + 1))
        if content is None:
            continue
        yield _Row(
            "according_to",
            (first.idx, first.idx + len(first.text)),
            "in",
            _chars(doc, s_start, s_end),
            content,
            source,
        )


def _wire_credits(frame: _Frame) -> Iterator[_Row]:
    """Datelines ("BAGHDAD (Reuters) -", "(AP) —") and credit lines ("The Associated Press contributed
    to this report").

    A dateline's content is the rest of its sentence; a credit line has no content. Only agencies of
    the media lexicon count in a dateline. ("AFP reported" is found by :func:`_reported_speech`.)
    """
    doc = frame.doc
    text = frame.text
    for match in _dateline_re().finditer(text):
        cue_start, cue_end = match.span("cue")
        tail = frame.char_span(match.end(), match.end() + 1)
        if tail is None:
            continue
        sent = frame.sents[frame.sent_of[tail.start]]
        content = _chars(doc, tail.start, sent.end)
        yield _Row("wire_credit", (cue_start, cue_end), "credit", match.span("source"), content)
    for match in _CREDIT_RE.finditer(text):
        source = match.group("source")
        name = re.sub(r"^[Tt]he\s+", "", source)
        if media_kind(name) is None and media_kind(source) is None:
            continue
        yield _Row("wire_credit", match.span("cue"), "credit", match.span("source"), None)


def _uncued_quotations(frame: _Frame, rows: list[_Row]) -> Iterator[_Row]:
    """Quotations left without a cue: a speaker in the next sentence, a colon before, or a continuation.

    * ``"…" The minister added.``: the sentence right after the closing mark (same paragraph or the
      next one) has a reporting verb with a source and no content of its own;
    * ``The minister said:`` + quotation: the text before the opening mark ends with a colon after a
      reporting verb with a source and no other content;
    * a quotation following a direct statement with nothing but its source and cue in between (``"…,"
      he said. "…"``, or the next paragraph opening with it) extends that statement's content.
    """
    attributed = {q for row in rows for q in row.quotes}
    by_last_quote = {row.quotes[-1]: row for row in rows if row.kind == "direct" and row.quotes}
    for number, quote in enumerate(frame.quotes):
        if number in attributed or quote.start < frame.headline_end:
            continue
        if not _utterance(frame, quote):
            continue
        span = frame.char_span(quote.start, quote.end)
        if span is None or _embedded(frame, span.start):
            continue
        previous = by_last_quote.get(number - 1)
        if previous is not None and _continues(frame, previous, quote):
            previous.quotes.append(number)
            assert previous.content is not None
            previous.content = (previous.content[0], quote.content_end)
            by_last_quote[number] = previous
            attributed.add(number)
            continue
        verb = _speaker_after(frame, span.end) or _speaker_before(frame, span.start)
        if verb is None:
            continue
        entry = frame.verb(verb)
        assert entry is not None
        frame.used_cues.add(verb.i)
        row = _direct_row(frame, verb, entry, _speaker(frame, verb), [number])
        attributed.add(number)
        by_last_quote[number] = row
        yield row


def _continues(frame: _Frame, previous: _Row, quote: Quote) -> bool:
    """True when only the previous statement's own sentence lies between it and ``quote``.

    ``"…," X said in an interview. "…"`` and ``"…," X said.`` + a paragraph opening with the
    quotation continue; a sentence with other words in between, or a paragraph with words before
    the quotation, does not.
    """
    if previous.verb is None:
        return False
    doc = frame.doc
    own = frame.sent_of[previous.verb.i]
    last = frame.quotes[previous.quotes[-1]]
    newline = False
    for i in frame.token_range(last.end, quote.start):
        token = doc[i]
        if "\n" in token.text:
            newline = True
            continue
        if frame.sent_of[token.i] != own and (token.is_alpha or token.is_digit):
            return False
        if newline and not token.is_space:
            return False  # words before the quotation in its paragraph
    del doc
    return True


def _speaker_after(frame: _Frame, end: int) -> Token | None:
    """A reporting verb with a source and no content in the sentence right after token ``end``."""
    doc = frame.doc
    if end >= len(doc):
        return None
    sent = frame.sents[frame.sent_of[end]]
    if sent.start < end - 1 and frame.sent_of[end - 1] == frame.sent_of[end]:
        pass  # same sentence: the nearest-cue search already looked here
    tokens = [t for t in doc[end : sent.end] if not t.is_space]
    if not tokens or "\n\n" in doc[end - 1].whitespace_ + doc[end - 1].text:
        return None
    for token in tokens:
        entry = frame.verb(token)
        if entry is None or entry.cls not in QUOTE_CUE_CLASSES:
            continue
        subject = _subject(token)
        if subject is None:
            continue
        if token.i not in frame.used_cues and verb_content(frame, token, entry) is None:
            return token
        if subject.left_edge.i == tokens[0].i and token.i <= subject.i + 2:
            return token  # "…" The minister added that …: the quotation and a reported statement
    return None


def _speaker_before(frame: _Frame, start: int) -> Token | None:
    """A reporting verb with a source whose clause ends with a colon just before token ``start``."""
    doc = frame.doc
    i = start - 1
    while i >= 0 and doc[i].is_space:
        i -= 1
    if i < 0 or doc[i].text != ":":
        return None
    sent = frame.sents[frame.sent_of[i]]
    for token in reversed(doc[sent.start : i]):
        entry = frame.verb(token)
        if entry is None or entry.cls not in QUOTE_CUE_CLASSES or token.i in frame.used_cues:
            continue
        if _subject(token) is not None:
            content = verb_content(frame, token, entry)
            if content is None or content[0] >= i:
                return token
        break
    return None


# --------------------------------------------------------------------------- antecedents


def _subject_starts(doc: Doc) -> set[int]:
    """Character offsets of the tokens whose dependency is one of :data:`SUBJECT_DEPS`."""
    if not len(doc):
        return set()
    columns = doc.to_array([IDX, DEP])
    wanted = [doc.vocab.strings[dep] for dep in SUBJECT_DEPS]
    return set(columns[np.isin(columns[:, 1], wanted), 0].tolist())


def _resolve_antecedents(frame: _Frame, rows: list[_Row]) -> None:
    """Fill each row's antecedent: the source itself when it names someone, else an earlier name.

    Pronouns (he/she -> PERSON; it -> ORG/GPE; they -> ORG/NORP/GPE) and definite descriptions ("the
    minister", "the group") take the nearest compatible earlier named mention outside quotations,
    preferring the sources and subjects of the last three sentences; a description first looks for an
    earlier source with the same head noun ("a senior official …" … "the official"). I/we/you and
    unresolved sources get None.
    """
    doc = frame.doc
    mentions = [(start, end, label) for _, start, end, _, label in extract_mentions(doc)]
    mentions = _Mentions([m for m in mentions if not _char_in_quote(frame, m[0])])
    subjects = _subject_starts(doc)
    known: set[tuple[int, int]] = set()  # the antecedents of the rows in ``earlier``
    ordered = sorted(rows, key=lambda r: (r.source or r.cue)[0])
    earlier: list[_Row] = []
    last_with_head: dict[str, _Row] = {}  # the latest earlier row whose source ends in that word
    named_spans = _Overlaps([(m[0], m[1]) for m in mentions if m[2] in ("PERSON", "ORG")])
    for row in ordered:
        row.antecedent = None
        if row.source is None:
            earlier.append(row)
            continue
        text = frame.text[row.source[0] : row.source[1]]
        words = text.split()
        first = words[0].lower() if words else ""
        if len(words) == 1 and first in PRONOUN_LABELS:
            labels = PRONOUN_LABELS[first]
            row.antecedent = _recent_source(
                frame, mentions, earlier, row.source[0], labels
            ) or _nearest_mention(frame, mentions, subjects, known, row.source[0], labels)
        elif len(words) == 1 and first in ("i", "we", "you", "me", "us"):
            row.antecedent = None
        elif _is_description(text, row.source, named_spans):
            head = words[-1].lower()
            same = last_with_head.get(head)
            if same is not None:
                row.antecedent = same.antecedent or same.source
            else:
                labels = frozenset({"PERSON"}) if head in PERSON_DESCRIPTORS else frozenset({"ORG"})
                named = [
                    m
                    for m in mentions
                    if m[1] <= row.source[0] and m[2] in labels and head in frame.text[m[0] : m[1]].lower()
                ]  # "the ministry" -> "Health Ministry"
                row.antecedent = (
                    (named[-1][0], named[-1][1])
                    if named
                    else _nearest_mention(frame, mentions, subjects, known, row.source[0], labels, window=5)
                )
        else:
            row.antecedent = row.source
        earlier.append(row)
        if row.antecedent is not None:
            known.add(row.antecedent)
        if words:
            last_with_head[words[-1].lower()] = row


class _Mentions(list[tuple[int, int, str]]):
    """``(start, end, label)`` mentions, indexed by start for the antecedent searches of long articles."""

    def __init__(self, mentions: list[tuple[int, int, str]]) -> None:
        super().__init__(mentions)
        self.order = sorted(range(len(mentions)), key=lambda i: mentions[i][0])
        self.starts = [mentions[i][0] for i in self.order]
        self.longest = max((end - start for start, end, _ in mentions), default=0)
        self.in_order = self.order == list(range(len(mentions)))

    def overlapping(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """The mentions overlapping ``[start, end)``, in list order."""
        low = bisect.bisect_left(self.starts, start - self.longest)
        high = bisect.bisect_left(self.starts, end)
        return [self[i] for i in sorted(self.order[low:high]) if self[i][1] > start]

    def nearest(self, before: int, limit: int, window_start: int, labels: frozenset[str],
                preferred: Callable[[tuple[int, int, str]], bool]) -> tuple[int, int] | None:
        """The last mention (list in text order) with one of ``labels`` inside ``[limit, before)``,
        or the last such one from ``window_start`` on that is ``preferred``: found backwards."""
        nearest = None
        for i in range(bisect.bisect_left(self.starts, before) - 1, -1, -1):
            m = self[i]
            if m[0] < limit or (nearest is not None and m[0] < window_start):
                break
            if m[1] > before or m[2] not in labels:
                continue
            if m[0] >= window_start and preferred(m):
                return m[0], m[1]
            nearest = nearest or (m[0], m[1])
        return nearest


def _span_label(frame: _Frame, span: tuple[int, int], mentions: list[tuple[int, int, str]]) -> str | None:
    """The entity label a source expression stands for: an overlapping mention's, else by its head noun."""
    found = mentions.overlapping(span[0], span[1]) if isinstance(mentions, _Mentions) else [
        m for m in mentions if m[0] < span[1] and span[0] < m[1]]
    labels = [m[2] for m in found]
    if labels:
        return labels[-1]
    words = frame.text[span[0] : span[1]].split()
    head = words[-1].lower() if words else ""
    if head in PERSON_DESCRIPTORS:
        return "PERSON"
    if head in ORG_DESCRIPTORS or head in (
        "government",
        "army",
        "military",
        "police",
        "coalition",
        "ministry",
    ):
        return "ORG"
    if words and words[-1][:1].isupper() and len(words) > 1:
        return "ORG"  # a capitalised name the model did not label ("Halvorsen Steel")
    return None


def _recent_source(
    frame: _Frame,
    mentions: list[tuple[int, int, str]],
    earlier: list[_Row],
    before: int,
    labels: frozenset[str],
) -> tuple[int, int] | None:
    """The antecedent of the latest statement in the last two sentences whose source fits ``labels``
    ("The company said … It expects …")."""
    here = frame.char_span(before, before + 1)
    sentence = frame.sent_of[here.start] if here is not None and len(here) else 0
    window_start = frame.sents[max(0, sentence - 2)].start_char
    for row in reversed(earlier):
        if row.source is None or row.source[1] > before:
            continue
        if row.source[0] < window_start:
            break  # ``earlier`` is in text order: every source before this one starts earlier still
        words = frame.text[row.source[0] : row.source[1]].split()
        if len(words) == 1 and words[0].lower() in PRONOUN_LABELS:
            if row.antecedent is not None and _span_label(frame, row.antecedent, mentions) in labels:
                return row.antecedent
            continue
        if _span_label(frame, row.source, mentions) in labels:
            return row.antecedent or row.source
    return None


def _char_in_quote(frame: _Frame, char: int) -> bool:
    i = bisect.bisect_right(frame.quote_starts, char) - 1  # the quotations starting at or before char
    return i >= 0 and frame.quote_reach[i] > char


class _Overlaps:
    """Spans ``(start, end)`` indexed to tell in log time whether any overlaps a given span."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans = sorted(spans)
        self.starts = [start for start, _ in spans]
        self.reach: list[int] = []  # the furthest end among the spans up to each one
        furthest = -1
        for _, end in spans:
            furthest = max(furthest, end)
            self.reach.append(furthest)

    def overlap(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.starts, end) - 1  # the spans that start before ``end``
        return i >= 0 and self.reach[i] > start


def _is_description(text: str, span: tuple[int, int], names: _Overlaps) -> bool:
    """True for "the minister", "the group", "the Syrian group" (a definite description, no name)."""
    words = text.split()
    if len(words) < 2 or words[0].lower() != "the" or len(words) > 4:
        return False
    head = words[-1].lower()
    if head not in PERSON_DESCRIPTORS and head not in ORG_DESCRIPTORS:
        return False
    if not words[-1].islower():
        return False
    return not names.overlap(span[0], span[1])  # no PERSON or ORG mention inside


def _nearest_mention(
    frame: _Frame,
    mentions: list[tuple[int, int, str]],
    subjects: set[int],
    sources: set[tuple[int, int]],
    before: int,
    labels: frozenset[str],
    window: int | None = None,
) -> tuple[int, int] | None:
    """The nearest earlier named mention with one of ``labels``, preferring recent sources and subjects
    (within ``window`` sentences when given)."""
    here = frame.doc.char_span(before, before + 1, alignment_mode="expand")
    sentence = frame.sent_of[here.start] if here is not None and len(here) else 0
    window_start = frame.sents[max(0, sentence - 3)].start_char
    limit = frame.sents[max(0, sentence - window)].start_char if window is not None else 0
    if isinstance(mentions, _Mentions) and mentions.in_order:
        return mentions.nearest(before, limit, window_start, labels,
                                lambda m: (m[0], m[1]) in sources or _mention_is_subject(frame, m, subjects))
    candidates = [m for m in mentions if limit <= m[0] and m[1] <= before and m[2] in labels]
    if not candidates:
        return None
    preferred = [
        m
        for m in candidates
        if m[0] >= window_start and ((m[0], m[1]) in sources or _mention_is_subject(frame, m, subjects))
    ]
    chosen = preferred[-1] if preferred else candidates[-1]
    return chosen[0], chosen[1]


def _mention_is_subject(frame: _Frame, mention: tuple[int, int, str], subjects: set[int]) -> bool:
    """True when the mention is (inside) the subject of a clause ("Fighters from the SFF pushed")."""
    span = frame.doc.char_span(mention[0], mention[1], alignment_mode="expand")
    if span is None or not len(span):
        return False
    token = span.root
    for _ in range(6):
        if token.idx in subjects:
            return True
        if (
            token.dep_ not in ("compound", "pobj", "prep", "poss", "appos", "conj", "cc", "amod")
            or token.head.i == token.i
        ):
            return False
        token = token.head
    return False


# --------------------------------------------------------------------------- the extractor


def extract_attributions(doc: Doc) -> list[tuple[object, ...]]:
    """Rows (:data:`ATTRIBUTION_COLUMNS`) of the attributed statements in ``doc``, in text order.

    ``doc`` must be parsed (dependency labels; entities help resolve pronouns). Character offsets
    index ``doc.text``. See the module docstring for what each kind catches and misses.
    """
    if not doc.has_annotation("DEP"):
        raise ValueError("extract_attributions needs a parsed Doc (the 'parser' pipeline component)")
    frame = _Frame(doc)
    rows: list[_Row] = []
    rows.extend(_wire_credits(frame))
    rows.extend(_direct_quotations(frame))
    rows.extend(_reported_speech(frame))
    rows.extend(_according_to(frame))
    rows.extend(_in_documents(frame))
    rows.extend(_uncued_quotations(frame, rows))
    rows = [r for r in rows if r.cue[0] >= frame.headline_end]
    rows = _drop_overlapping(rows)
    _resolve_antecedents(frame, rows)
    return [_as_tuple(frame, row) for row in sorted(rows, key=lambda r: (_extent(r)[0], r.cue[0], r.kind))]


def _drop_overlapping(rows: list[_Row]) -> list[_Row]:
    """One row per cue, and no statement nested in another one's content.

    A later pattern never repeats a cue an earlier one took. A cue inside the content of another
    statement ("officials said the government has asked donors to …") is part of what that source
    said, not a statement of its own, and is dropped; "according to" and credit contents do not
    nest others (they cover a whole sentence).
    """
    seen: set[tuple[int, int]] = set()
    kept = []
    for row in rows:
        if row.cue in seen and not (
            row.kind == "direct"
            and row.content is not None
            and all(
                (r.content is not None and r.content[1] <= row.content[0]) or r.content[0] >= row.content[1]
                for r in kept
                if r.cue == row.cue
            )
        ):
            continue
        seen.add(row.cue)
        kept.append(row)

    credits = ("according_to", "wire_credit")
    every = _Covers([(r.content[0], r.content[1], i) for i, r in enumerate(kept) if r.content is not None])
    plain = _Covers([(r.content[0], r.content[1], i) for i, r in enumerate(kept)
                     if r.content is not None and r.kind not in credits])

    def nested(i: int, row: _Row) -> bool:
        if row.kind in credits:
            return False
        covers = every if row.source is None else plain  # a credit's content nests only sourceless cues
        return covers.covered(row.cue[0], row.cue[1], i)

    return [r for i, r in enumerate(kept) if not nested(i, r)]


class _Covers:
    """Spans ``(start, end, owner)`` indexed to tell in log time whether one of them, of another owner,
    covers a given span (the quadratic scan was too slow for very long articles)."""

    def __init__(self, spans: list[tuple[int, int, int]]) -> None:
        spans = sorted(spans)
        self.starts = [start for start, _, _ in spans]
        # per prefix of the spans by start: the furthest end, its owner, and the furthest end of another owner
        self.reach: list[tuple[int, int, int]] = []
        best, owner, second = -1, -1, -1
        for _, end, who in spans:
            if end > best:
                if who != owner:
                    second = max(second, best)
                best, owner = end, who
            elif who != owner:
                second = max(second, end)
            self.reach.append((best, owner, second))

    def covered(self, start: int, end: int, exclude: int) -> bool:
        i = bisect.bisect_right(self.starts, start) - 1
        if i < 0:
            return False
        best, owner, second = self.reach[i]
        return (second if owner == exclude else best) >= end


def _extent(row: _Row) -> tuple[int, int]:
    spans = [s for s in (row.source, row.cue, row.content) if s is not None]
    return min(s[0] for s in spans), max(s[1] for s in spans)


def _as_tuple(frame: _Frame, row: _Row) -> tuple[object, ...]:
    text = frame.text
    start, end = _extent(row)
    cue_token = frame.char_span(row.cue[0], row.cue[1])
    sentence = frame.sent_of[cue_token.start] if cue_token is not None and len(cue_token) else 0

    def part(span: tuple[int, int] | None) -> tuple[str | None, int | None, int | None]:
        if span is None:
            return None, None, None
        return text[span[0] : span[1]], span[0], span[1]

    return (
        sentence,
        start,
        end,
        row.kind,
        text[row.cue[0] : row.cue[1]],
        row.cue_lemma,
        row.cue[0],
        row.cue[1],
        *part(row.source),
        *part(row.antecedent),
        *part(row.content),
    )
