"""Shared fixtures: repository paths, the seed article, the shared corpora, a private cache, no network."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from network_guard import block_network

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data" / "articles"
SEED = DATA / "000_f212a97f88087e13.txt"
SHARED_CORPORA = Path(os.environ.get("TOOLKIT_SHARED_CORPORA", REPO.parent / "shared" / "corpora"))


@pytest.fixture(autouse=True, scope="session")
def _no_network() -> Iterator[None]:
    """No test reaches another machine: sockets may only talk to this one (see network_guard.py)."""
    with block_network():
        yield


@pytest.fixture(autouse=True, scope="session")
def _shared_gazetteer(tmp_path_factory: pytest.TempPathFactory) -> None:
    """One gazetteer index for the whole run (building it takes ~20 s), subprocesses included."""
    if "TOOLKIT_GAZETTEER_DIR" not in os.environ:
        os.environ["TOOLKIT_GAZETTEER_DIR"] = str(tmp_path_factory.mktemp("gazetteer"))


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets a cache folder of its own unless it passes cache_dir= explicitly."""
    monkeypatch.setenv("TOOLKIT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def agg_backend(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Draw with the non-interactive Agg backend, forbid ``plt.show()``, close every figure after."""
    import matplotlib.pyplot as plt

    monkeypatch.setenv("MPLBACKEND", "Agg")
    plt.switch_backend("Agg")

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("plot functions must not call plt.show()")

    monkeypatch.setattr(plt, "show", forbidden)
    yield
    plt.close("all")


@pytest.fixture
def seed_path() -> Path:
    return SEED


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def shared_corpora() -> Path:
    """``../shared/corpora``; tests that need it skip (with the reason) where it is absent."""
    if not SHARED_CORPORA.is_dir():
        pytest.skip(f"shared corpora not found at {SHARED_CORPORA} (they ship beside the repository "
                    "in CI, not with a clone)")
    return SHARED_CORPORA
