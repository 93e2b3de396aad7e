"""The bundled demo corpus: what it must exercise, and cleaning against its truth file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import toolkit as tk
from toolkit.clean import clean_text

TRUTH = json.loads((Path(__file__).parent / "fixtures" / "demo_truth.json").read_text("utf-8"))


def _files(data_dir: Path) -> dict[str, Path]:
    return {p.name: p for p in sorted(data_dir.glob("*.txt"))}


def test_cleaning_removes_exactly_the_spam_lines(data_dir: Path) -> None:
    files = _files(data_dir)
    truth = {**TRUTH["articles"], "000_f212a97f88087e13.txt": TRUTH["seed"]}
    assert set(truth) == set(files)
    with_spam = 0
    for name, path in files.items():
        raw = path.read_text("utf-8")
        result = clean_text(raw)
        expected = truth[name].get("spam_lines", [])
        assert list(result.removed) == expected, name
        with_spam += bool(expected)
        kept = [line for line in raw.splitlines() if line.strip() and line not in expected]
        assert [line for line in result.text.splitlines() if line.strip()] == kept, name
    assert with_spam >= 8


def test_demo_corpus_covers_what_the_notebooks_show(data_dir: Path) -> None:
    articles = tk.load_articles(data_dir)
    report = articles.attrs["load_report"]
    assert report.skipped == report.duplicates == 0
    assert len(articles) >= 31
    outlets = articles["outlet"].value_counts()
    assert len(outlets) >= 4 and outlets.min() >= 5
    span = articles["published"].max() - articles["published"].min()
    assert span.days >= 90
    assert "section" in articles.columns  # an extra sidecar column is kept
    assert TRUTH["syndicated_groups"] and all(len(g) >= 3 for g in TRUTH["syndicated_groups"])
    kinds = {a["kind"] for art in TRUTH["articles"].values() for a in art.get("attributions", [])}
    assert {"direct", "mixed", "indirect", "according_to", "told_outlet", "wire_credit"} <= kinds


@pytest.mark.parametrize("variant_group", ["Islamic State", "Raqqa", "Deir ez-Zor", "Albu Kamal"])
def test_demo_has_spelling_variants(data_dir: Path, variant_group: str) -> None:
    text = "\n".join(p.read_text("utf-8") for p in _files(data_dir).values())
    for variant in TRUTH["variants"][variant_group]:
        assert variant in text, variant
