"""Crash safety of the annotation cache: SIGKILL mid-run, damaged files, two writers, a full disk.

Each scenario ends with the same check: the tables equal those of an uninterrupted run without a
cache, exactly (``assert_frame_equal``).
"""

from __future__ import annotations

import errno
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

import toolkit as tk
from toolkit import pipeline, store
from toolkit.errors import CacheError, ToolkitWarning

REPO = Path(__file__).resolve().parent.parent
PEOPLE = ["Kofi Mensah", "Maria Lopez", "Ahmed Saleh", "Anna Novak", "Li Wei", "John Carter"]
PLACES = ["Accra", "London", "Mosul", "Geneva", "Paris", "Nairobi", "Lima", "Oslo"]
ORGS = ["the United Nations", "the World Bank", "Reuters", "the Red Cross"]
N_ARTICLES = 48


def _article(i: int) -> str:
    person, place, org = PEOPLE[i % len(PEOPLE)], PLACES[i % len(PLACES)], ORGS[i % len(ORGS)]
    other = PLACES[(i + 3) % len(PLACES)]
    return (f"Report number {i} from {place}\n\n"
            f"{person} arrived in {place} on Monday, {org} said in a statement. "
            f"\"We expect talks to continue for {i + 2} days,\" {person} told reporters. "
            f"According to officials in {other}, the delegation will travel on to {other} next week.")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("crash_corpus")
    for i in range(N_ARTICLES):
        (root / f"{i:03d}.txt").write_text(_article(i), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def articles(folder: Path) -> pd.DataFrame:
    return tk.load_articles(folder)


@pytest.fixture(scope="module")
def baseline(articles: pd.DataFrame) -> tk.Corpus:
    """The uninterrupted run, without a cache."""
    return tk.annotate(articles, use_cache=False, progress=False)


def _assert_same_tables(corpus: tk.Corpus, baseline: tk.Corpus) -> None:
    assert set(corpus.tables) == set(baseline.tables)
    for name, table in baseline.tables.items():
        pd.testing.assert_frame_equal(corpus.tables[name], table, check_exact=True, obj=name)


def _cache_file(cache_dir: Path) -> Path | None:
    found = sorted((cache_dir / "annotations").glob("*.sqlite"))
    return found[0] if found else None


def _count(path: Path, table: str) -> int:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    except sqlite3.Error:
        return 0  # not created yet, or busy


def _integrity(path: Path) -> str:
    with sqlite3.connect(path) as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0]


# A child process that annotates a folder into a cache in small batches, slowly enough to be caught
# in the middle; it writes its mentions table to OUT when it finishes.
WORKER = textwrap.dedent("""
    import sys, time
    import toolkit as tk
    from toolkit import pipeline

    folder, cache_dir, out, first, last = sys.argv[1:6]
    pipeline._WRITE_BATCH = 4
    real = pipeline.EXTRACTORS["mentions"]

    def slow(doc):
        time.sleep(float(sys.argv[6]))
        return real.function(doc)

    pipeline.EXTRACTORS["mentions"] = pipeline.Extractor(real.name, real.version, real.needs, real.columns,
                                                         slow)
    articles = tk.load_articles(folder).iloc[int(first):int(last)]
    corpus = tk.annotate(articles, cache_dir=cache_dir, progress=False)
    corpus.mentions.to_csv(out, index=False)
""")


def _start_worker(tmp_path: Path, folder: Path, cache_dir: Path, name: str, first: int, last: int,
                  delay: float) -> tuple[subprocess.Popen[str], Path]:
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    out = tmp_path / f"{name}.csv"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, str(script), str(folder), str(cache_dir), str(out), str(first),
                             str(last), str(delay)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=tmp_path)
    return proc, out


# --------------------------------------------------------------------------- kill -9


def test_kill_9_during_annotation_then_rerun_gives_identical_tables(
        tmp_path: Path, folder: Path, articles: pd.DataFrame, baseline: tk.Corpus,
        monkeypatch: pytest.MonkeyPatch) -> None:
    cache_dir = tmp_path / "cache"
    proc, _ = _start_worker(tmp_path, folder, cache_dir, "killed", 0, N_ARTICLES, delay=0.15)
    committed = 0
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline:
            path = _cache_file(cache_dir)
            committed = _count(path, "docs") if path else 0
            if committed >= 12 or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert proc.poll() is None, f"the worker ended before it could be killed:\n{proc.stderr.read()}"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    path = _cache_file(cache_dir)
    assert path is not None
    assert _integrity(path) == "ok"
    survived = _count(path, "docs")
    assert 12 <= survived < N_ARTICLES, survived

    with warnings.catch_warnings():
        warnings.simplefilter("error", ToolkitWarning)  # nothing damaged, nothing to report
        resumed = tk.annotate(articles, cache_dir=cache_dir, progress=False)
    assert resumed.stats.parsed == N_ARTICLES - survived  # the committed work is not done again
    assert resumed.stats.from_cached_tables + resumed.stats.from_cached_docs == survived
    _assert_same_tables(resumed, baseline)

    def no_model(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was loaded although everything is cached")

    monkeypatch.setattr(pipeline, "load_pipeline", no_model)
    again = tk.annotate(articles, cache_dir=cache_dir, progress=False)
    _assert_same_tables(again, baseline)


# --------------------------------------------------------------------------- damaged files


def _annotated_cache(articles: pd.DataFrame, cache_dir: Path) -> Path:
    corpus = tk.annotate(articles, cache_dir=cache_dir, progress=False)
    assert corpus.cache_path is not None
    with sqlite3.connect(corpus.cache_path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return corpus.cache_path


def _rerun_after_damage(articles: pd.DataFrame, cache_dir: Path, baseline: tk.Corpus,
                        match: str) -> tk.Corpus:
    with pytest.warns(ToolkitWarning, match=match) as caught:
        corpus = tk.annotate(articles, cache_dir=cache_dir, progress=False)
    path = _cache_file(cache_dir)
    assert any(str(path) in str(w.message) for w in caught), [str(w.message) for w in caught]
    _assert_same_tables(corpus, baseline)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ToolkitWarning)  # rebuilt: the next run is clean
        clean = tk.annotate(articles, cache_dir=cache_dir, progress=False)
    _assert_same_tables(clean, baseline)
    assert _integrity(path) == "ok"
    return corpus


def test_truncated_cache_file_is_reported_moved_aside_and_rebuilt(
        tmp_path: Path, articles: pd.DataFrame, baseline: tk.Corpus) -> None:
    path = _annotated_cache(articles, tmp_path)
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.truncate(size // 2)
    corpus = _rerun_after_damage(articles, tmp_path, baseline, "is damaged")
    assert corpus.stats.parsed == N_ARTICLES
    assert path.with_name(path.name + ".corrupt").stat().st_size == size // 2


def test_cache_damaged_in_the_middle_is_found_on_read(
        tmp_path: Path, articles: pd.DataFrame, baseline: tk.Corpus) -> None:
    """The file opens fine; the page holding the extracted rows is garbage."""
    path = _annotated_cache(articles, tmp_path)
    with sqlite3.connect(path) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'derived'").fetchone()[0]
    with open(path, "r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xa5" * page_size)
    corpus = _rerun_after_damage(articles, tmp_path, baseline, "is damaged")
    assert corpus.stats.parsed == N_ARTICLES
    assert path.with_name(path.name + ".corrupt").exists()


def test_damaged_blob_fails_its_checksum_and_only_it_is_rebuilt(
        tmp_path: Path, articles: pd.DataFrame, baseline: tk.Corpus) -> None:
    path = _annotated_cache(articles, tmp_path)
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM results")  # the finished tables would be served without reading rows
        key, data = db.execute("SELECT key, data FROM docs ORDER BY key LIMIT 1").fetchone()
        damaged = bytearray(data)
        damaged[len(damaged) // 2] ^= 0xFF
        db.execute("UPDATE docs SET data = ? WHERE key = ?", (bytes(damaged), key))  # crc left as it was
        db.execute("DELETE FROM derived WHERE key = ?", (key,))  # so that the Doc must be read
    corpus = _rerun_after_damage(articles, tmp_path, baseline, f"damaged docs entry for text {key[:16]}")
    assert corpus.stats.parsed == 1
    assert corpus.stats.from_cached_tables == N_ARTICLES - 1


def test_file_that_is_not_a_database(tmp_path: Path, articles: pd.DataFrame, baseline: tk.Corpus) -> None:
    path = _annotated_cache(articles, tmp_path)
    with open(path, "r+b") as handle:
        handle.write(b"<html>not a database</html>")
    corpus = _rerun_after_damage(articles, tmp_path, baseline, "is damaged")
    assert corpus.stats.parsed == N_ARTICLES


# --------------------------------------------------------------------------- two writers


def test_two_processes_annotating_into_the_same_cache(
        tmp_path: Path, folder: Path, articles: pd.DataFrame, baseline: tk.Corpus,
        monkeypatch: pytest.MonkeyPatch) -> None:
    cache_dir = tmp_path / "shared_cache"
    one, out_one = _start_worker(tmp_path, folder, cache_dir, "one", 0, 32, delay=0.01)
    two, out_two = _start_worker(tmp_path, folder, cache_dir, "two", 16, N_ARTICLES, delay=0.01)
    for proc in (one, two):
        _, err = proc.communicate(timeout=400)
        assert proc.returncode == 0, err
        assert "damaged" not in err and "locked" not in err and "cannot write" not in err, err
    path = _cache_file(cache_dir)
    assert path is not None and _integrity(path) == "ok"
    assert _count(path, "docs") == N_ARTICLES

    mentions = baseline.mentions
    ids = list(articles["article_id"])
    for out, (first, last) in ((out_one, (0, 32)), (out_two, (16, N_ARTICLES))):
        got = pd.read_csv(out, keep_default_na=False)
        want = mentions[mentions["article_id"].isin(ids[first:last])].reset_index(drop=True)
        assert got[["article_id", "start", "end", "surface", "label"]].astype(str).values.tolist() == \
            want[["article_id", "start", "end", "surface", "label"]].astype(str).values.tolist()

    def no_model(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was loaded although both processes cached everything")

    monkeypatch.setattr(pipeline, "load_pipeline", no_model)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ToolkitWarning)
        merged = tk.annotate(articles, cache_dir=cache_dir, progress=False)
    assert merged.stats.parsed == 0
    _assert_same_tables(merged, baseline)


# --------------------------------------------------------------------------- full disk


def test_full_disk_warns_and_annotation_goes_on_without_caching(
        tmp_path: Path, articles: pd.DataFrame, baseline: tk.Corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    """Decision: a write that fails does not lose the run; the tables are complete and a warning says
    that the cache is not being written. The disk is "full" for real: SQLite's page limit."""
    real_connect = store.AnnotationStore._connect

    def tiny(self: store.AnnotationStore) -> sqlite3.Connection:
        conn = real_connect(self)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages + 2}")
        return conn

    monkeypatch.setattr(store.AnnotationStore, "_connect", tiny)
    monkeypatch.setattr(pipeline, "_WRITE_BATCH", 4)
    with pytest.warns(ToolkitWarning, match="database or disk is full; annotation goes on without caching"):
        corpus = tk.annotate(articles, cache_dir=tmp_path, progress=False)
    _assert_same_tables(corpus, baseline)
    path = _cache_file(tmp_path)
    assert path is not None and _integrity(path) == "ok"
    assert _count(path, "docs") < N_ARTICLES


def test_no_space_for_the_cache_folder_is_a_clear_cache_error(
        tmp_path: Path, articles: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    """Decision: when the cache cannot even be created, annotate() stops before any work with a
    CacheError that says where and what to do."""
    real_mkdir = Path.mkdir

    def no_space(self: Path, *args: object, **kwargs: object) -> None:
        if self.name == "annotations":
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", no_space)
    with pytest.raises(CacheError, match=r"cannot create the cache folder .*annotations.*No space left"):
        tk.annotate(articles, cache_dir=tmp_path, progress=False)


def test_cache_in_a_read_only_place_is_a_clear_cache_error(
        tmp_path: Path, articles: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: store.AnnotationStore) -> sqlite3.Connection:
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(store.AnnotationStore, "_connect", refuse)
    with pytest.raises(CacheError, match=r"cannot open the annotation cache .*use_cache=False"):
        tk.annotate(articles, cache_dir=tmp_path, progress=False)
    assert not list(tmp_path.rglob("*.corrupt"))  # not mistaken for a damaged file
