"""Matrix products for the spaCy pipeline: numpy's BLAS, one thread per process.

spaCy's small English model spends about half of its time in the matrix products of its
convolutional token encoders (thinc's ``Maxout`` layers, in ``tok2vec`` and inside ``ner``).
thinc computes them with the BLIS library it bundles; the BLAS that numpy ships with (OpenBLAS in
the PyPI wheels, Accelerate on macOS, MKL with conda) is about three times faster on one core for
the same products, and the model gives the same entities and the same parse (checked on 500 BBC
News articles, 194,431 tokens: no difference).

* :func:`use_numpy_matmul` switches every layer of a loaded pipeline to thinc's own
  ``NumpyOps(use_blis=False)``, whose ``gemm`` is ``numpy.dot``. Set ``TOOLKIT_MATMUL=blis`` to
  keep thinc's default.
* :func:`one_blas_thread` keeps numpy's BLAS to one thread while a pipeline runs, and
  :func:`one_blas_thread_in_this_process` does so for good in a worker process: the toolkit's
  parallelism is ``n_process`` (one core per process), and two processes each starting a BLAS
  thread per core would fight over the cores.

Example:
    >>> from toolkit.annotation import components_for, load_pipeline, resolve_model  # doctest: +SKIP
    >>> nlp = load_pipeline(resolve_model().name, components_for({"ner"}))  # doctest: +SKIP
    >>> uses_numpy_matmul(nlp)  # load_pipeline switched it  # doctest: +SKIP
    True
    >>> with one_blas_thread():  # doctest: +SKIP
    ...     docs = list(nlp.pipe(["Kofi went to Ghana."]))
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from spacy.language import Language
from thinc.api import Model, NumpyOps
from threadpoolctl import threadpool_limits

__all__ = ["ENV_MATMUL", "one_blas_thread", "one_blas_thread_in_this_process", "use_numpy_matmul",
           "uses_numpy_matmul"]

#: Environment variable choosing the matrix products: ``numpy`` (the default) or ``blis``.
ENV_MATMUL = "TOOLKIT_MATMUL"
_CHOICES = ("numpy", "blis")

_NUMPY_OPS = NumpyOps(use_blis=False)
_limited_in: set[int] = set()


def _matmul_choice() -> str:
    choice = os.environ.get(ENV_MATMUL, "numpy").strip().lower() or "numpy"
    if choice not in _CHOICES:
        raise ValueError(f"${ENV_MATMUL}={choice!r}: expected one of {', '.join(_CHOICES)}")
    return choice


def _model_layers(nlp: Language) -> Iterator[Model]:
    """Every layer of every thinc model in ``nlp`` (rule-based components have none)."""
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if isinstance(model, Model):
            yield from model.walk()


def use_numpy_matmul(nlp: Language) -> Language:
    """Make every model layer of ``nlp`` multiply matrices with numpy's BLAS (unless
    ``$TOOLKIT_MATMUL`` is ``blis``); returns ``nlp``."""
    if _matmul_choice() == "numpy":
        for layer in _model_layers(nlp):
            layer.ops = _NUMPY_OPS
    return nlp


def uses_numpy_matmul(nlp: Language) -> bool:
    """Whether every model layer of ``nlp`` multiplies with numpy's BLAS (False if it has none)."""
    layers = list(_model_layers(nlp))
    return bool(layers) and all(isinstance(layer.ops, NumpyOps) and not layer.ops.use_blis
                                for layer in layers)


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Limit numpy's BLAS to one thread inside the block; the previous limits come back after."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def one_blas_thread_in_this_process() -> None:
    """Limit numpy's BLAS to one thread for the rest of this process (a worker's); once per process."""
    pid = os.getpid()
    if pid not in _limited_in:
        threadpool_limits(limits=1, user_api="blas")
        _limited_in.add(pid)
