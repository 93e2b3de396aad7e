"""Which language an article is written in: enough to keep non-English text out of English models.

The method is the classic stop-word profile: the function words of a language ("the", "of",
"and"; "der", "und", "nicht"; "le", "et", "des") make up a third to a half of any running text
in it and are rare in other languages. Letters are first sorted by script: text mostly in a
non-Latin script (Cyrillic, Greek, Arabic, Hebrew, CJK, Devanagari, ...) is assigned a language of
that script; Latin-script text is scored against the stop-word lists of the Latin-script languages
that spaCy ships (``spacy.lang.<code>.stop_words``, already a dependency: no model, no download).

What it catches: any article of a few sentences in one of :data:`LATIN_LANGUAGES` or a non-Latin
script. What it misses: close pairs (Danish and Norwegian, Spanish and Galician) can be confused
with each other, which does not matter for telling English apart; texts shorter than
:data:`MIN_WORDS` words (a headline), and lists of names or numbers, are ``"und"``
(undetermined) rather than guessed; a longer text with almost no English function words in a
language without a list (Swahili, Vietnamese) is ``"mis"`` (ISO 639-2: a language not named here);
an article that mixes two languages gets the one with more running text.

Example:
    >>> detect_language("The minister said that the plan would go ahead in the spring of next year.")
    'en'
    >>> detect_language("Le ministre a dit que le plan serait mis en œuvre au printemps prochain.")
    'fr'
    >>> detect_language("Short.")
    'und'
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from collections import Counter
from functools import cache

__all__ = ["LATIN_LANGUAGES", "MIN_WORDS", "OTHER", "UNDETERMINED", "detect_language"]

#: Code for text too short, or too unlike any known language, to tell.
UNDETERMINED = "und"
#: Fewest words (or, for scripts written without spaces, letters / 2) needed for a verdict.
MIN_WORDS = 8
#: Latin-script languages scored by stop words (ISO 639-1 codes with a spaCy stop-word list).
LATIN_LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl", "sv", "da", "nb", "fi", "pl", "cs", "sk",
                   "sl", "hr", "ro", "hu", "tr", "id", "ca", "lt", "lv", "et", "ga", "eu", "is", "sq",
                   "tl", "af", "lb")
#: Languages of the other scripts, told apart by stop words where a script has several.
SCRIPT_LANGUAGES = {
    "CYRILLIC": ("ru", "uk", "bg", "sr", "mk"),
    "GREEK": ("el",),
    "ARABIC": ("ar", "fa", "ur"),
    "HEBREW": ("he",),
    "DEVANAGARI": ("hi", "mr", "ne"),
    "BENGALI": ("bn",),
    "TAMIL": ("ta",),
    "TELUGU": ("te",),
    "GUJARATI": ("gu",),
    "KANNADA": ("kn",),
    "MALAYALAM": ("ml",),
    "SINHALA": ("si",),
    "THAI": ("th",),
    "HANGUL": ("ko",),
    "HIRAGANA": ("ja",),
    "KATAKANA": ("ja",),
    "CJK": ("zh",),
    "ARMENIAN": ("hy",),
    "GEORGIAN": ("ka",),
    "ETHIOPIC": ("am",),
    "TIBETAN": ("bo",),
}
#: Share of the words that must be stop words of the winning language (English text: ~0.45).
MIN_STOP_SHARE = 0.12
#: Characters read from the start of a text: plenty for a verdict, and flat cost for huge texts.
SAMPLE_CHARS = 6_000

#: A language the detector cannot name, in text that is clearly not English (ISO 639-2 ``mis``).
OTHER = "mis"
#: Below this share of English stop words, a text of :data:`MIN_OTHER_WORDS` words is not English.
MAX_ENGLISH_SHARE_OTHER = 0.04
MIN_OTHER_WORDS = 20

_MARKS = ("\u0300-\u036f\u0483-\u0487\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
          "\u0900-\u0dff\u0e31-\u0e3a\u0e47-\u0e4e\u3099\u309a")
_WORD = re.compile(rf"[\w{_MARKS}]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))


@cache
def _stop_words(code: str) -> frozenset[str]:
    try:
        module = importlib.import_module(f"spacy.lang.{code}.stop_words")
    except ImportError:
        return frozenset()
    return frozenset(w.lower() for w in module.STOP_WORDS if " " not in w)


def _words(text: str) -> list[str]:
    """Lower-cased runs of letters; combining marks (Devanagari vowel signs) stay inside words."""
    return [w.lower() for w in _WORD.findall(text) if not w.isdigit()]


def _scripts(text: str) -> Counter[str]:
    """Letters per script (``LATIN``, ``CYRILLIC``, ``CJK``, ...); ASCII letters counted in one go."""
    scripts = Counter(_script(ch) for ch in _NON_ASCII.findall(text) if ch.isalpha())
    ascii_text = text.encode("ascii", "ignore")
    ascii_letters = len(ascii_text) - len(ascii_text.translate(None, _ASCII_LETTERS))
    if ascii_letters:
        scripts["LATIN"] += ascii_letters
    return scripts


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    first = name.split(" ", 1)[0]
    return "CJK" if first == "CJK" else first


@cache
def _votes(codes: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Each stop word of ``codes`` and the languages that list it."""
    owners: dict[str, list[str]] = {}
    for code in codes:
        for word in _stop_words(code):
            owners.setdefault(word, []).append(code)
    return {word: tuple(langs) for word, langs in owners.items()}


def _by_stop_words(words: list[str], codes: tuple[str, ...]) -> tuple[str, float]:
    """The language among ``codes`` whose stop words cover most of ``words``, and its share.

    A word listed by several languages ("a", "in", "to") splits its vote among them.
    """
    votes = _votes(codes)
    scores = dict.fromkeys(codes, 0.0)
    for word, n in Counter(words).items():
        owners = votes.get(word, ())
        for code in owners:
            scores[code] += n / len(owners)
    best = max(codes, key=lambda c: (scores[c], -codes.index(c)))  # ties: the earlier code
    return best, scores[best] / len(words)


def detect_language(text: str) -> str:
    """ISO 639-1 code of the language of ``text``, or ``"und"`` when it cannot tell.

    >>> detect_language("Der Minister sagte am Dienstag, dass der Plan im nächsten Jahr umgesetzt wird.")
    'de'
    >>> detect_language("Министр заявил во вторник, что план будет выполнен в следующем году.")
    'ru'
    """
    sample = text[:SAMPLE_CHARS]
    scripts = _scripts(sample)
    letters = sum(scripts.values())
    if not letters:
        return UNDETERMINED
    script, count = max(scripts.items(), key=lambda item: (item[1], item[0]))
    kana = scripts["HIRAGANA"] + scripts["KATAKANA"]
    if script in ("HIRAGANA", "KATAKANA", "CJK") and kana > 0.05 * letters:
        script = "HIRAGANA"  # Japanese mixes kanji with kana; Chinese has no kana
    words = _words(sample)
    if script != "LATIN" and count + kana >= 0.5 * letters:
        codes = SCRIPT_LANGUAGES.get(script)
        if codes is None or max(len(words), letters // 2) < MIN_WORDS:
            return UNDETERMINED
        if len(codes) == 1:
            return codes[0]
        best, share = _by_stop_words(words, codes)
        return best if share > 0 else codes[0]
    if len(words) < MIN_WORDS:
        return UNDETERMINED
    best, share = _by_stop_words(words, LATIN_LANGUAGES)
    if share >= MIN_STOP_SHARE:
        return best
    if len(words) >= MIN_OTHER_WORDS and _by_stop_words(words, ("en",))[1] < MAX_ENGLISH_SHARE_OTHER:
        return best if best != "en" and share >= MAX_ENGLISH_SHARE_OTHER else OTHER
    return UNDETERMINED
