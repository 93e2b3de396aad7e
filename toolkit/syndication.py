"""Syndicated copy: near-duplicate articles across outlets, grouped into stories.

A wire story (Reuters, AFP, AP, …) is often printed by many outlets with light edits: a new
headline, a paragraph cut from the end, a local sentence added, "50 km (30 miles)" shortened to
"30 miles". :func:`find_syndicated` groups such copies; :func:`shared_copy_by_outlet` says how much
of each outlet's output is shared copy (wire dependence measured by copy, not only by credits);
:func:`dedupe_articles` keeps one article per story, which is what the counting functions of
:mod:`toolkit.analysis` do with ``dedupe="syndicated"``.

**Method.**

1. *Text.* The headline line (the first line when it equals ``title``) and boilerplate lines
   (the patterns of :mod:`toolkit.clean`) are left out, so a changed headline or a "Read more:"
   line does not count. The rest is NFKC-normalised, case-folded, stripped of in-word apostrophes
   of any style ("it’s" = "it's" = "its") and split into words (``\\w+``): punctuation, quote
   style and white space do not matter.
2. *Shingles.* Every run of ``shingle_size`` (5) consecutive words is a shingle, hashed to 32
   bits; an article is the set of its shingle hashes. Five-word shingles are long enough that
   two independent reports of the same event share few of them even when they name the same
   people, places and dates, and short enough that an edit only removes the few shingles that
   overlap it.
3. *Candidates* (no all-pairs comparison). Each article's shingle set gets a MinHash signature
   of ``num_perm`` (128) values, computed with numpy (affine permutations of the 32-bit hashes,
   as :mod:`datasketch` does), cut into 64 LSH bands of 2 rows; articles agreeing on all rows
   of a band are candidates. A pair with Jaccard similarity 0.2 becomes a candidate with
   probability 0.93, one with 0.3 with probability 0.998, one with 0.05 with 0.15 (false
   candidates are removed in step 4). A second signature of the article's first
   ``lede_words`` (80) words goes into the same bands, so a copy cut down to its first
   paragraphs (the usual way wire copy is shortened) is found even when its Jaccard similarity
   with the full story is low. The texts are read once, one at a time; what is kept per article
   is its shingle hashes (4 bytes each) and its signatures (512 bytes each), and the bands are
   matched by sorting, so time and memory grow with the number of articles (and of candidate
   pairs), not with the number of pairs of articles.
4. *Verification* on the exact shingle sets of each candidate pair: ``containment`` = shared
   shingles / shingles of the *smaller* article and ``jaccard`` = shared / all. A pair is the
   same copy when ``containment >= threshold`` (0.6: at least 60 % of the shorter text appears
   word for word, in runs of five words, in the other) **and** ``jaccard >= min_jaccard``
   (0.1). Containment lets a shortened copy match its full version (a 150-word cut of a
   400-word story has containment near 1, Jaccard near 0.35); the Jaccard floor stops a short
   text that is merely quoted inside a much longer one (a 30-word statement in a 600-word
   article) from tying that article to every other article quoting it. Wire copy printed with
   light edits scores 0.85 or more, and an outlet's updated version of its own story (new
   lede, same body) 0.6–0.9; a follow-up story that reuses some background paragraphs of an
   earlier one scores 0.3–0.6 and is kept apart (in the BBC News 2004–05 corpus, a story on
   Liberal Democrat debt policy that reuses half of an earlier election-tour story scores
   0.50), and independent reports of one event score under 0.1 even when they name the same
   people, places and dates.
5. *Groups* are the connected components of the verified pairs (union-find). The group's first
   copy is its earliest published article (undated ones after dated ones, ties broken by
   ``article_id``); its ``article_id`` is the ``story_id``.

**What it catches**: copies with changed headlines, cut or added paragraphs, edited figures or
spellings, changed quote marks or spacing, boilerplate lines; shortened copies (containment);
exact duplicates. **What it misses**: rewrites that keep the facts but change the wording
(an outlet that paraphrases a wire story is not counted as sharing copy; its credit line still
shows in the attributions table); copies shorter than ``min_shingles`` shingles (about 25 words:
too short to tell shared copy from a shared stock phrase); translated copy; and, with small
probability, pairs whose Jaccard similarity is under 0.2 that LSH does not propose. Groups are
transitive: if A copies B and B copies C, A and C are in one story even when they share little;
so templated reports (daily market closes, weather) can chain into one long "story" unless
``window=`` limits how far apart in time copies may be.

Example:
    >>> import pandas as pd
    >>> wire = " ".join(f"word{i}" for i in range(60))
    >>> articles = pd.DataFrame({"article_id": ["a", "b", "c"], "outlet": ["Post", "Ledger", "Post"],
    ...     "published": pd.to_datetime(["2017-11-17 10:00", "2017-11-17 12:00", None], utc=True),
    ...     "text": [wire, wire + " plus a local sentence.", "something else entirely, " * 10]})
    >>> find_syndicated(articles)[["article_id", "story_id", "group_size", "is_first"]]
      article_id story_id  group_size  is_first
    0          a        a           2      True
    1          b        a           2     False
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from .checks import require_table
from .clean import MAX_BOILERPLATE_LINE, boilerplate_patterns
from .errors import InputError
from .stats import wilson_interval

__all__ = [
    "SYNDICATION_COLUMNS",
    "dedupe_articles",
    "find_syndicated",
    "normalise_words",
    "shared_copy_by_outlet",
    "syndicated_groups",
]

logger = logging.getLogger(__name__)

#: Columns of :func:`find_syndicated`'s table, in order.
SYNDICATION_COLUMNS = ("article_id", "story_id", "group_size", "n_outlets", "outlets", "outlet", "published",
                       "is_first", "similarity", "jaccard")

# an apostrophe of any style between two letters ("militants’s", "don't") is dropped; the other
# quotation marks and all punctuation fall away when the text is split into words
_IN_WORD_APOSTROPHE = re.compile("(?<=\\w)['\u2018\u2019\u201b\u2032`\u00b4](?=\\w)")
_WORD = re.compile(r"\w+")
_MIX = np.uint64(0x9E3779B97F4A7C15)
_LSH_ROWS = 2                            # rows per LSH band: num_perm // 2 bands
_SEED = 1                                # of the MinHash permutations (fixed: same input, same output)


@lru_cache(maxsize=1)
def _boilerplate_line() -> re.Pattern[str]:
    """One regular expression matching a whole boilerplate line (the built-in patterns)."""
    return re.compile("|".join(f"(?:{p})" for p in boilerplate_patterns()), re.IGNORECASE)


def _body(text: Any, title: Any) -> str:
    """The text without its headline line and boilerplate lines."""
    if not isinstance(text, str):
        return ""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if isinstance(title, str) and title.strip():
        for index, line in enumerate(lines):
            if line.strip():
                if " ".join(line.split()) == " ".join(title.split()):
                    lines = lines[index + 1:]
                break
    boilerplate = _boilerplate_line()
    kept = []
    for line in lines:
        stripped = " ".join(line.split())
        if stripped and len(stripped) <= MAX_BOILERPLATE_LINE and boilerplate.fullmatch(stripped):
            continue
        kept.append(line)
    return "\n".join(kept)


def normalise_words(text: str) -> list[str]:
    """The words of ``text`` as compared for copy: NFKC, case-folded, quotes and apostrophes unified.

    >>> normalise_words("The militants’ “last” town — it’s RAWA.")
    ['the', 'militants', 'last', 'town', 'its', 'rawa']
    """
    text = _IN_WORD_APOSTROPHE.sub("", unicodedata.normalize("NFKC", text).casefold())
    return _WORD.findall(text)


def _fmix64(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, element-wise (a bijection that spreads the bits)."""
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xFF51AFD7ED558CCD)
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xC4CEB9FE1A85EC53)
    return values ^ (values >> np.uint64(33))


class _WordHasher:
    """Stable 64-bit hashes of words (blake2b), remembered for the words seen."""

    def __init__(self) -> None:
        self._known: dict[str, int] = {}

    def __call__(self, words: list[str]) -> np.ndarray:
        known = self._known
        try:
            return np.array([known[word] for word in words], dtype=np.uint64)
        except KeyError:
            for word in set(words).difference(known):
                digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
                known[word] = int.from_bytes(digest, "little")
            return np.array([known[word] for word in words], dtype=np.uint64)


def _shingles(word_hashes: np.ndarray, size: int) -> np.ndarray:
    """Sorted distinct 32-bit hashes of the ``size``-word shingles of a text."""
    count = len(word_hashes) - size + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint32)
    with np.errstate(over="ignore"):
        combined = word_hashes[:count].copy()
        for offset in range(1, size):
            combined = _fmix64(combined * _MIX + word_hashes[offset:offset + count])
    folded = (combined ^ (combined >> np.uint64(32))) & np.uint64(0xFFFFFFFF)
    return np.unique(folded.astype(np.uint32))


class _Sketches:
    """Shingle sets and MinHash signatures of the articles, added one by one (one pass over the texts)."""

    def __init__(self, *, shingle_size: int, num_perm: int, lede_words: int, min_shingles: int) -> None:
        self.shingle_size = shingle_size
        self.lede_words = lede_words
        self.min_shingles = min_shingles
        rng = np.random.default_rng(_SEED)
        # affine permutations h -> a*h + b (mod 2^32) with odd a: bijections of the 32-bit hashes
        self._a = (rng.integers(0, 1 << 31, num_perm, dtype=np.uint64) * 2 + 1).astype(np.uint32)
        self._b = rng.integers(0, 1 << 32, num_perm, dtype=np.uint64).astype(np.uint32)
        self._hasher = _WordHasher()
        self.shingles: list[np.ndarray] = []
        self.signatures: list[np.ndarray] = []
        self.owners: list[int] = []
        self.skipped = 0

    def _signature(self, shingles: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return (shingles[:, None] * self._a + self._b).min(axis=0)

    def add(self, text: str) -> None:
        """Sketch the next article (its position is the number of articles added before)."""
        position = len(self.shingles)
        words = normalise_words(text)
        hashed = self._hasher(words)
        shingles = _shingles(hashed, self.shingle_size)
        if len(shingles) < self.min_shingles:
            self.shingles.append(np.empty(0, dtype=np.uint32))
            self.skipped += 1
            return
        self.shingles.append(shingles)
        self.signatures.append(self._signature(shingles))
        self.owners.append(position)
        if len(words) > self.lede_words + self.shingle_size:
            lede = _shingles(hashed[:self.lede_words], self.shingle_size)
            if len(lede) >= self.min_shingles:
                self.signatures.append(self._signature(lede))
                self.owners.append(position)

    def candidates(self, bands: int, rows: int) -> np.ndarray:
        """Pairs ``(i, j)``, i < j, of articles whose signatures agree on all rows of some band."""
        if not self.signatures:
            return np.empty((0, 2), dtype=np.int64)
        matrix = np.vstack(self.signatures)
        owners = np.asarray(self.owners, dtype=np.int64)
        count = len(self.shingles)
        found = []
        for band in range(bands):
            key = np.zeros(len(matrix), dtype=np.uint64)
            with np.errstate(over="ignore"):
                for column in range(band * rows, (band + 1) * rows):
                    key = _fmix64(key * _MIX + matrix[:, column].astype(np.uint64))
            order = np.argsort(key, kind="stable")
            sorted_key = key[order]
            same = sorted_key[1:] == sorted_key[:-1]
            if not same.any():
                continue
            edges = np.diff(np.concatenate(([False], same, [False])).astype(np.int8))
            starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)   # runs [start, end]
            two = (ends - starts) == 1                         # buckets of exactly two signatures
            first, second = owners[order[starts[two]]], owners[order[starts[two] + 1]]
            found.append(np.minimum(first, second) * count + np.maximum(first, second))
            for start, end in zip(starts[~two].tolist(), ends[~two].tolist(), strict=True):
                members = np.unique(owners[order[start:end + 1]])
                first, second = np.triu_indices(len(members), k=1)
                found.append(members[first] * count + members[second])
        codes = np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)
        pairs = np.column_stack((codes // count, codes % count))
        return pairs[pairs[:, 0] != pairs[:, 1]]


def _overlap(first: np.ndarray, second: np.ndarray) -> tuple[float, float]:
    """(containment, jaccard) of two sorted sets of distinct shingle hashes."""
    if not len(first) or not len(second):
        return 0.0, 0.0
    shared = len(np.intersect1d(first, second, assume_unique=True))
    return shared / min(len(first), len(second)), shared / (len(first) + len(second) - shared)


def _components(count: int, pairs: Iterable[tuple[int, int]]) -> list[int]:
    """Union-find: the smallest member position of each position's component."""
    parent = list(range(count))

    def root(item: int) -> int:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for first, second in pairs:
        a, b = root(first), root(second)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return [root(item) for item in range(count)]


def _check_fraction(value: Any, name: str, func: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not 0 < value <= 1:
        raise InputError(f"{func}(): {name} must be a number in (0, 1], got {value!r}")
    return float(value)


def _check_int(value: Any, name: str, func: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise InputError(f"{func}(): {name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _column(articles: pd.DataFrame, name: str, dtype: str) -> pd.Series:
    if name in articles.columns:
        return articles[name]
    return pd.Series(pd.NA if dtype == "string" else pd.NaT, index=articles.index, dtype=dtype)


def _published_utc(articles: pd.DataFrame, func: str) -> pd.Series:
    published = _column(articles, "published", "datetime64[ns, UTC]")
    if not pd.api.types.is_datetime64_any_dtype(published):
        try:
            published = pd.to_datetime(published, utc=True)
        except (ValueError, TypeError) as error:
            raise InputError(f"{func}(): published must hold datetimes, got dtype {published.dtype}") \
                from error
    if not isinstance(published.dtype, pd.DatetimeTZDtype):
        published = published.dt.tz_localize("UTC")
    return published.dt.tz_convert("UTC")


def _empty_groups(articles: pd.DataFrame, published: pd.Series) -> pd.DataFrame:
    frame = pd.DataFrame({
        "article_id": articles["article_id"].iloc[:0].reset_index(drop=True),
        "story_id": articles["article_id"].iloc[:0].reset_index(drop=True),
        "group_size": pd.Series(dtype="int64"), "n_outlets": pd.Series(dtype="int64"),
        "outlets": pd.Series(dtype="string"),
        "outlet": _column(articles, "outlet", "string").iloc[:0].reset_index(drop=True),
        "published": published.iloc[:0].reset_index(drop=True),
        "is_first": pd.Series(dtype="bool"), "similarity": pd.Series(dtype="float64"),
        "jaccard": pd.Series(dtype="float64")})
    return frame[list(SYNDICATION_COLUMNS)]


def _iter_bodies(articles: pd.DataFrame) -> Iterator[str]:
    titles = _column(articles, "title", "string")
    for text, title in zip(articles["text"].tolist(), titles.tolist(), strict=True):
        yield _body(text, title if isinstance(title, str) else None)


def find_syndicated(articles: pd.DataFrame, *, threshold: float = 0.6, min_jaccard: float = 0.1,
                    shingle_size: int = 5, num_perm: int = 128, lede_words: int = 80,
                    min_shingles: int = 20, window: str | pd.Timedelta | None = None) -> pd.DataFrame:
    """Groups of near-duplicate articles (syndicated or republished copy): one row per copy.

    ``articles`` needs ``article_id`` (one row each) and ``text``; ``title`` (its line is left
    out of the comparison), ``outlet`` and ``published`` are used when present. Two articles are
    copies when at least ``threshold`` of the shorter one's five-word shingles appear in the
    other (containment) and their Jaccard similarity is at least ``min_jaccard``; groups are the
    connected components of such pairs. The method and its limits are in the module docstring.

    Columns (only articles in a group of two or more appear):

    - ``article_id``; ``story_id``: the ``article_id`` of the group's first copy, the earliest
      published one (undated articles after dated ones; ties broken by ``article_id``);
    - ``group_size`` (copies in the group), ``n_outlets`` (distinct outlets among them) and
      ``outlets`` (their names, sorted, joined by ``"; "``; missing outlets are not listed);
    - ``outlet`` and ``published`` of the article; ``is_first``: it is the first copy;
    - ``similarity``: containment between the article and the first copy (share of the smaller
      one's shingles found in the other; 1.0 for the first copy itself) and ``jaccard``, their
      Jaccard similarity. Copies joined through a third article may have a low ``similarity``.

    Rows are sorted by the first copy's publication date, ``story_id``, then by publication date
    and ``article_id`` within a story, so the same input gives the same table. Texts with fewer
    than ``min_shingles`` distinct shingles (empty ones too) are never grouped.

    ``window`` (a Timedelta or a string such as ``"3D"``) pairs only articles published at most
    that far apart (undated ones pair with any): use it for corpora holding templated reports
    (market closes, weather, results tables) whose daily editions share most of their words and
    would otherwise chain into one long "story". The default ``None`` sets no limit.

    >>> import pandas as pd
    >>> story = ("Iraqi troops and allied tribal fighters recaptured the town of Rawa from Islamic "
    ...          "State on Friday, taking the last town in Iraq that had remained under the militants' "
    ...          "control, the Defence Ministry said. The town lies in the western province of Anbar.")
    >>> articles = pd.DataFrame({"article_id": ["x1", "x2"], "outlet": ["Post", "Ledger"],
    ...     "text": [story, "Rawa retaken\\n\\n" + story], "title": ["Rawa", "Rawa retaken"]})
    >>> find_syndicated(articles)[["article_id", "story_id", "outlets", "similarity"]]
      article_id story_id       outlets  similarity
    0         x1       x1  Ledger; Post         1.0
    1         x2       x1  Ledger; Post         1.0
    """
    func = "find_syndicated"
    require_table(articles, ["article_id", "text"], func=func, what="the articles table", name="articles")
    duplicated = articles["article_id"].duplicated()
    if duplicated.any():
        raise InputError(f"{func}(): articles has {int(duplicated.sum())} duplicate article_id value(s) "
                         f"(e.g. {articles.loc[duplicated, 'article_id'].iloc[0]!r}); expected one row per "
                         "article")
    threshold = _check_fraction(threshold, "threshold", func)
    if (isinstance(min_jaccard, bool) or not isinstance(min_jaccard, (int, float))
            or not 0 <= min_jaccard <= 1):
        raise InputError(f"{func}(): min_jaccard must be a number in [0, 1], got {min_jaccard!r}")
    sketches = _Sketches(shingle_size=_check_int(shingle_size, "shingle_size", func, 1),
                         num_perm=_check_int(num_perm, "num_perm", func, 2),
                         lede_words=_check_int(lede_words, "lede_words", func, 1),
                         min_shingles=_check_int(min_shingles, "min_shingles", func, 1))
    published = _published_utc(articles, func)
    if window is not None:
        try:
            window = pd.Timedelta(window)
        except (ValueError, TypeError) as error:
            raise InputError(f"{func}(): window must be a duration such as '3D' or None, got {window!r}") \
                from error
        if window < pd.Timedelta(0):
            raise InputError(f"{func}(): window must not be negative, got {window!r}")
    for body in _iter_bodies(articles):
        sketches.add(body)
    candidates = sketches.candidates(num_perm // _LSH_ROWS, _LSH_ROWS)
    pairs = []
    sizes = [len(shingles) for shingles in sketches.shingles]
    times = published.tolist()
    for first, second in candidates.tolist():
        if min(sizes[first], sizes[second]) < min_jaccard * max(sizes[first], sizes[second]):
            continue                                   # Jaccard <= smaller / larger: cannot reach the floor
        if (window is not None and not pd.isna(times[first]) and not pd.isna(times[second])
                and abs(times[first] - times[second]) > window):
            continue
        containment, jaccard = _overlap(sketches.shingles[first], sketches.shingles[second])
        if containment >= threshold and jaccard >= min_jaccard:
            pairs.append((first, second))
    logger.info("%s: %d articles, %d too short to compare, %d LSH candidate pairs, %d copy pairs",
                func, len(articles), sketches.skipped, len(candidates), len(pairs))
    if not pairs:
        return _empty_groups(articles, published)

    roots = _components(len(articles), pairs)
    members: dict[int, list[int]] = {}
    for position, root in enumerate(roots):
        members.setdefault(root, []).append(position)
    groups = [positions for positions in members.values() if len(positions) > 1]

    ids = articles["article_id"].tolist()
    outlets = _column(articles, "outlet", "string").tolist()
    rows = []
    for positions in groups:
        order = sorted(positions, key=lambda p: (pd.isna(times[p]), times[p] if not pd.isna(times[p]) else 0,
                                                  str(ids[p])))
        first = order[0]
        names = sorted({str(outlets[p]) for p in positions if isinstance(outlets[p], str) and outlets[p]})
        for position in order:
            containment, jaccard = (1.0, 1.0) if position == first else \
                _overlap(sketches.shingles[first], sketches.shingles[position])
            rows.append((position, first, len(positions), len(names), "; ".join(names), position == first,
                         containment, jaccard))
    table = pd.DataFrame(rows, columns=["_position", "_first", "group_size", "n_outlets", "outlets",
                                        "is_first", "similarity", "jaccard"])
    positions = table["_position"].to_numpy()
    firsts = table["_first"].to_numpy()
    table.insert(0, "article_id", articles["article_id"].iloc[positions].reset_index(drop=True))
    table.insert(1, "story_id", articles["article_id"].iloc[firsts].reset_index(drop=True))
    table["outlet"] = _column(articles, "outlet", "string").iloc[positions].reset_index(drop=True)
    table["published"] = published.iloc[positions].reset_index(drop=True)
    table["_first_published"] = published.iloc[firsts].reset_index(drop=True)
    table["_rank"] = table.groupby("_first", sort=False).cumcount()
    table = table.sort_values(["_first_published", "story_id", "_rank"], kind="stable", na_position="last")
    table = table.astype({"group_size": "int64", "n_outlets": "int64", "outlets": "string",
                          "is_first": "bool", "similarity": "float64", "jaccard": "float64"})
    return table[list(SYNDICATION_COLUMNS)].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Using the groups
# ---------------------------------------------------------------------------------------------

def _require_groups(groups: Any, func: str) -> pd.DataFrame:
    return require_table(groups, ["article_id", "story_id", "is_first"], func=func,
                         what="the output of find_syndicated()", name="groups")


def dedupe_articles(articles: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """``articles`` with one article per syndicated story: the first copy; later copies are dropped.

    ``groups`` is the table of :func:`find_syndicated` (``article_id``, ``story_id``,
    ``is_first``; its row order within a story is the order of publication). Articles in no
    group are kept. Of each story, the first copy is kept; when ``articles`` does not hold the
    first copy (a filtered table), its earliest copy that it does hold is kept instead, so a
    story never vanishes. The kept rows keep their order and index.

    >>> import pandas as pd
    >>> articles = pd.DataFrame({"article_id": ["a", "b", "c"], "outlet": ["Post", "Ledger", "Post"]})
    >>> groups = pd.DataFrame({"article_id": ["a", "b"], "story_id": ["a", "a"], "is_first": [True, False]})
    >>> dedupe_articles(articles, groups)["article_id"].tolist()
    ['a', 'c']
    >>> dedupe_articles(articles[articles["outlet"] == "Ledger"], groups)["article_id"].tolist()
    ['b']
    """
    func = "dedupe_articles"
    require_table(articles, ["article_id"], func=func, what="the articles table", name="articles")
    groups = _require_groups(groups, func)
    present = groups[groups["article_id"].isin(articles["article_id"])]
    first = present["is_first"].astype(bool).to_numpy()
    ordered = pd.concat([present[first], present[~first]])      # first copies, then the others in order
    keep_ids = ordered.drop_duplicates("story_id")["article_id"]
    copies = present.loc[~present["article_id"].isin(keep_ids), "article_id"]
    keep = ~articles["article_id"].isin(copies)
    if not keep.all():
        logger.info("%s: %d later copies of syndicated stories left out", func, int((~keep).sum()))
    return articles[keep]


def shared_copy_by_outlet(articles: pd.DataFrame, groups: pd.DataFrame, *, z: float = 1.96) -> pd.DataFrame:
    """Per outlet, how much of its output is shared copy, with Wilson intervals.

    Columns: ``outlet``; ``articles`` (its articles in ``articles``); ``syndicated`` (those in a
    group of :func:`find_syndicated`) with ``share`` = syndicated / articles and its Wilson
    interval ``share_low`` / ``share_high`` (95 % with ``z=1.96``); ``copied`` (those in a group
    whose first copy was published by *another* outlet: the outlet ran copy someone else ran
    first) with ``copied_share``, ``copied_low``, ``copied_high``. Articles without an outlet form
    a group of their own (outlet missing), sorted last; rows are sorted by outlet.

    >>> import pandas as pd
    >>> articles = pd.DataFrame({"article_id": ["a", "b", "c", "d"],
    ...                          "outlet": ["Post", "Ledger", "Ledger", "Post"]})
    >>> groups = pd.DataFrame({"article_id": ["a", "b"], "story_id": ["a", "a"], "is_first": [True, False],
    ...                        "outlet": ["Post", "Ledger"]})
    >>> table = shared_copy_by_outlet(articles, groups)
    >>> columns = ["outlet", "articles", "syndicated", "share", "copied", "copied_share"]
    >>> print(table[columns].to_string(index=False))
    outlet  articles  syndicated  share  copied  copied_share
    Ledger         2           1    0.5       1           0.5
      Post         2           1    0.5       0           0.0
    """
    func = "shared_copy_by_outlet"
    require_table(articles, ["article_id", "outlet"], func=func, what="the articles table", name="articles")
    groups = _require_groups(groups, func)
    outlet_of = articles.drop_duplicates("article_id").set_index("article_id")["outlet"]
    first_outlet = groups.loc[groups["is_first"].astype(bool)].drop_duplicates("story_id")
    first_outlet = first_outlet.set_index("story_id")["article_id"].map(outlet_of)
    member_outlet = groups["article_id"].map(outlet_of)
    story_outlet = groups["story_id"].map(first_outlet)
    copied_ids = groups.loc[~groups["is_first"].astype(bool)
                            & (member_outlet.astype("string") != story_outlet.astype("string")).fillna(True)
                            & story_outlet.notna(), "article_id"]

    frame = pd.DataFrame({"outlet": articles["outlet"].to_numpy(),
                          "syndicated": articles["article_id"].isin(groups["article_id"]).to_numpy(),
                          "copied": articles["article_id"].isin(copied_ids).to_numpy()})
    grouped = frame.groupby("outlet", dropna=False, sort=True)
    table = pd.DataFrame({"articles": grouped.size(), "syndicated": grouped["syndicated"].sum(),
                          "copied": grouped["copied"].sum()}).reset_index()
    table = table.sort_values("outlet", kind="stable", na_position="last").reset_index(drop=True)
    table = table.astype({"articles": "int64", "syndicated": "int64", "copied": "int64"})
    for count, prefix in (("syndicated", "share"), ("copied", "copied")):
        low, high = wilson_interval(table[count].to_numpy(), table["articles"].to_numpy(), z=z)
        share_name = "share" if prefix == "share" else "copied_share"
        table[share_name] = (table[count] / table["articles"]).astype("float64")
        table[f"{prefix}_low"] = low
        table[f"{prefix}_high"] = high
    return table[["outlet", "articles", "syndicated", "share", "share_low", "share_high",
                  "copied", "copied_share", "copied_low", "copied_high"]]


# ---------------------------------------------------------------------------------------------
# Remembered groups for the counting functions
# ---------------------------------------------------------------------------------------------

_REMEMBERED: OrderedDict[str, pd.DataFrame] = OrderedDict()
_REMEMBER = 4


def _fingerprint(articles: pd.DataFrame) -> str:
    """A hash of what find_syndicated reads from ``articles`` (ids, texts, titles, outlets, dates)."""
    columns = [c for c in ("article_id", "text", "title", "outlet", "published") if c in articles.columns]
    digest = hashlib.blake2b(digest_size=16)
    digest.update("\x1f".join(columns).encode("utf-8"))
    for column in columns:
        values = articles[column]
        if column == "published":
            values = _published_utc(articles, "syndicated_groups").astype("string")
        hashed = pd.util.hash_pandas_object(values.astype("string").fillna("\x00<NA>"), index=False)
        digest.update(hashed.to_numpy().tobytes())
    return digest.hexdigest()


def syndicated_groups(articles: pd.DataFrame) -> pd.DataFrame:
    """:func:`find_syndicated` with its default settings, remembered for the last few tables.

    The counting functions of :mod:`toolkit.analysis` call this for ``dedupe="syndicated"``, so
    several counts over the same articles find the groups once. The key is a hash of the
    columns the groups depend on (``article_id``, ``text``, ``title``, ``outlet``,
    ``published``), so an edited or filtered table gets its own groups; the last four tables'
    groups are kept (in this process only). To use other settings, pass the output of
    :func:`find_syndicated` as ``dedupe=`` instead. A copy is returned.

    >>> import pandas as pd
    >>> articles = pd.DataFrame({"article_id": ["a", "b"], "text": ["one two three", "four five six"]})
    >>> syndicated_groups(articles).empty
    True
    """
    require_table(articles, ["article_id", "text"], func="syndicated_groups", what="the articles table",
                  name="articles")
    key = _fingerprint(articles)
    if key in _REMEMBERED:
        _REMEMBERED.move_to_end(key)
        return _REMEMBERED[key].copy()
    groups = find_syndicated(articles)
    _REMEMBERED[key] = groups
    while len(_REMEMBERED) > _REMEMBER:
        _REMEMBERED.popitem(last=False)
    return groups.copy()
