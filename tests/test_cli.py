"""The command line, end to end."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import toolkit as tk
from toolkit.cli import main


@pytest.fixture
def small_folder(tmp_path: Path, seed_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(seed_path, folder / seed_path.name)
    (folder / "second.txt").write_text("Aid reaches Mosul\n\nThe United Nations said aid reached Mosul.\n",
                                       encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "copy.txt").write_bytes(seed_path.read_bytes())
    (folder / "metadata.csv").write_text("file,outlet,published\nsecond.txt,Wire,2017-11-03\n",
                                         encoding="utf-8")
    return folder


def test_extract_end_to_end_in_a_subprocess(small_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "toolkit", "extract", str(small_folder), "--out", str(out),
                           "--cache-dir", str(tmp_path / "cache")], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Loaded 2 of 4 inputs" in done.stderr
    assert "empty.txt: skipped: empty file" in done.stderr
    articles = pd.read_parquet(out / "articles.parquet")
    mentions = pd.read_parquet(out / "mentions.parquet")
    report = pd.read_csv(out / "load_report.csv")
    assert len(articles) == 2
    assert list(articles.columns[: len(tk.corpus.ARTICLE_COLUMNS)]) == list(tk.corpus.ARTICLE_COLUMNS)
    assert str(articles["published"].dtype) == "datetime64[ns, UTC]"
    assert articles.set_index("path").loc[str(small_folder / "second.txt"), "outlet"] == "Wire"
    assert sorted(report["status"]) == ["duplicate", "loaded", "loaded", "skipped"]
    assert set(mentions["article_id"]) == set(articles["article_id"])
    texts = dict(zip(articles["article_id"], articles["text"], strict=True))
    assert all(texts[r.article_id][r.start : r.end] == r.surface for r in mentions.itertuples())
    assert {"Deir el-Zour", "Al-Qaim", "Mosul"} <= set(mentions["surface"])
    places = pd.read_parquet(out / "places.parquet")
    assert all(texts[r.article_id][r.start : r.end] == r.surface for r in places.itertuples())
    mosul = places[places["surface"] == "Mosul"]
    assert len(mosul) and set(mosul["country_code"]) == {"IQ"}


def test_extract_matches_the_python_api(small_folder: Path, tmp_path: Path) -> None:
    assert main(["extract", str(small_folder), "--out", str(tmp_path / "o"), "--quiet"]) == 0
    with pytest.warns(tk.LoadWarning, match="empty.txt: skipped: empty file"):
        articles = tk.load_articles(small_folder)
    corpus = tk.annotate(articles, progress=False)
    written = pd.read_parquet(tmp_path / "o" / "mentions.parquet")
    pd.testing.assert_frame_equal(written, corpus.mentions, check_dtype=False)


def test_no_clean_keeps_text_verbatim(seed_path: Path, tmp_path: Path) -> None:
    assert main(["extract", str(seed_path), "--out", str(tmp_path / "o"), "--no-clean", "--quiet"]) == 0
    articles = pd.read_parquet(tmp_path / "o" / "articles.parquet")
    assert articles["text"].iloc[0] == seed_path.read_text(encoding="utf-8")
    mentions = pd.read_parquet(tmp_path / "o" / "mentions.parquet")
    assert "Uluru" in set(mentions["surface"])  # the spam lines are still there


def test_missing_input_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(tmp_path / "missing"), "--out", str(tmp_path / "o")]) == 1
    assert "INPUT not found" in capsys.readouterr().err


def test_nothing_loadable_exits_1_and_still_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"\x00\x01\x02binary")
    assert main(["extract", str(folder), "--out", str(tmp_path / "o"), "--quiet"]) == 1
    assert "no articles could be loaded" in capsys.readouterr().err
    report = pd.read_csv(tmp_path / "o" / "load_report.csv")
    assert list(report["status"]) == ["skipped"]
    assert "binary" in report["reason"].iloc[0]


@pytest.mark.parametrize("args", [
    ["extract"],
    ["extract", "data"],
    ["extract", "data", "--out", "o", "--n-process", "0"],
    ["extract", "data", "--out", "o", "--n-process", "two"],
    ["frobnicate"],
])
def test_bad_arguments_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_help_explains_inputs_and_outputs(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["extract", "--help"])
    text = capsys.readouterr().out
    for word in ("INPUT", "--out", "--no-clean", "--model", "--n-process", "--cache-dir",
                 "mentions.parquet", "load_report.csv", "metadata.csv"):
        assert word in text


def test_extract_writes_normalised_entities_and_takes_aliases(seed_path: Path, tmp_path: Path) -> None:
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("alias,canonical,label\nBoukamal,Albu Kamal,GPE\n", encoding="utf-8")
    args = ["extract", str(seed_path), "--out", str(tmp_path / "o"), "--quiet", "--aliases", str(aliases)]
    assert main(args) == 0
    mentions = pd.read_parquet(tmp_path / "o" / "mentions.parquet")
    by_surface = mentions.groupby("surface")["entity"].first()
    assert by_surface["Daesh"] == by_surface["ISIS"] == "Islamic State"
    assert by_surface["Boukamal"] == "Albu Kamal"
