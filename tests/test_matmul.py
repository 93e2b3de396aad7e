"""The pipeline multiplies matrices with numpy's BLAS, one thread per process, with the same results."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import numpy  # noqa: F401  (loads the BLAS that threadpoolctl reports on)
import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc
from threadpoolctl import threadpool_info, threadpool_limits

import toolkit as tk
from toolkit import matmul
from toolkit.annotation import components_for, load_pipeline, resolve_model, stream_docs


def _blas_threads() -> list[int]:
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def _fresh_pipeline() -> Language:
    """A pipeline loaded now (``load_pipeline`` keeps one per process), so the environment counts."""
    return load_pipeline.__wrapped__(resolve_model().name, components_for({"parser", "ner"}))


@pytest.fixture(scope="module")
def texts() -> list[str]:
    folder = Path(__file__).resolve().parents[1] / "data" / "articles"
    return list(tk.load_articles(folder).head(6)["text"])


def test_loaded_pipelines_use_numpy_matmul_unless_told_not_to(monkeypatch: pytest.MonkeyPatch) -> None:
    assert matmul.uses_numpy_matmul(load_pipeline(resolve_model().name, components_for({"ner"})))
    monkeypatch.setenv(matmul.ENV_MATMUL, "blis")
    assert not matmul.uses_numpy_matmul(_fresh_pipeline())
    monkeypatch.setenv(matmul.ENV_MATMUL, "openblas")
    with pytest.raises(ValueError, match=r"TOOLKIT_MATMUL='openblas'.*numpy, blis"):
        _fresh_pipeline()
    assert not matmul.uses_numpy_matmul(spacy.blank("en"))  # no model layers at all


def test_numpy_matmul_gives_the_same_entities_and_parse(texts: list[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _fresh_pipeline()
    monkeypatch.setenv(matmul.ENV_MATMUL, "blis")
    default = _fresh_pipeline()
    assert matmul.uses_numpy_matmul(fast) and not matmul.uses_numpy_matmul(default)

    def annotations(doc: Doc) -> tuple[list[tuple[int, int, str]], list[tuple[int, str]]]:
        return [(e.start, e.end, e.label_) for e in doc.ents], [(t.head.i, t.dep_) for t in doc]

    with matmul.one_blas_thread():
        for text, ours, theirs in zip(texts, fast.pipe(texts), default.pipe(texts), strict=True):
            assert annotations(ours) == annotations(theirs), text[:60]
            assert len(ours.ents) > 0


def test_one_blas_thread_limits_and_restores() -> None:
    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        assert before and all(n == 2 for n in before)
        with matmul.one_blas_thread():
            assert all(n == 1 for n in _blas_threads())
        assert _blas_threads() == before


def test_stream_docs_runs_the_model_on_one_blas_thread() -> None:
    seen: list[list[int]] = []
    nlp = spacy.blank("en")

    @Language.component("test_record_blas_threads")
    def record(doc: Doc) -> Doc:
        seen.append(_blas_threads())
        return doc

    nlp.add_pipe("test_record_blas_threads")
    with threadpool_limits(limits=2, user_api="blas"):
        keys = [key for key, _ in stream_docs([("a", "One text."), ("b", "Another text.")], nlp)]
        after = _blas_threads()
    assert keys == ["a", "b"]
    assert seen and all(threads and all(n == 1 for n in threads) for threads in seen)
    assert all(n == 2 for n in after)  # given back when the stream ends


def _threads_after_limiting(queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    matmul.one_blas_thread_in_this_process()
    matmul.one_blas_thread_in_this_process()  # a second call is a no-op
    queue.put(_blas_threads())


def test_a_spawned_worker_limits_itself() -> None:
    context = multiprocessing.get_context("spawn")  # inherits nothing from this process
    queue = context.Queue()
    process = context.Process(target=_threads_after_limiting, args=(queue,))
    process.start()
    threads = queue.get(timeout=120)
    process.join(timeout=60)
    assert process.exitcode == 0
    assert threads and all(n == 1 for n in threads)
