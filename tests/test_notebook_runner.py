"""``python -m toolkit notebooks INPUT --out DIR``: executed copies and HTML pages, progress, errors."""

from __future__ import annotations

import doctest
import json
import sys
from pathlib import Path

import nbformat
import pytest

from toolkit import notebooks
from toolkit.cli import main
from toolkit.errors import InputError, ToolkitError
from toolkit.notebooks import available_notebooks, run_notebooks


def _errors(notebook: Path) -> list[dict]:
    cells = json.loads(notebook.read_text("utf-8"))["cells"]
    return [o for c in cells for o in c.get("outputs", []) if o.get("output_type") == "error"]


def test_notebooks_command_executes_and_exports(data_dir: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["notebooks", str(data_dir), "--out", str(out), "--notebooks", "00"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["00_quickstart.html", "00_quickstart.ipynb"]
    executed = out / "00_quickstart.ipynb"
    assert not _errors(executed)
    notebook = nbformat.read(executed, as_version=4)
    injected = [c for c in notebook.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and f'CORPUS = "{data_dir.resolve()}"' in injected[0].source    # absolute path
    outputs = [o for c in notebook.cells for o in c.get("outputs", [])]
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 3      # one chart of each kind
    page = (out / "00_quickstart.html").read_text("utf-8")
    assert page.count("data:image/png;base64,") >= 3 and "Quickstart" in page
    assert "tk-article" in page and "tk-examples" in page                    # the drill-down views
    err = capsys.readouterr().err
    assert "[1/1] running 00_quickstart" in err and "00_quickstart done in" in err
    assert str(out) in err.splitlines()[-1]


def test_missing_input_and_unknown_notebook(tmp_path: Path, data_dir: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notebooks", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]) == 1
    assert "INPUT not found" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    assert main(["notebooks", str(data_dir), "--out", str(tmp_path / "out"), "--notebooks", "07"]) == 1
    assert "no notebook named '07'" in capsys.readouterr().err


def test_missing_extra_says_how_to_install(monkeypatch: pytest.MonkeyPatch, data_dir: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "papermill", None)             # as if it were not installed
    assert main(["notebooks", str(data_dir), "--out", str(tmp_path / "out")]) == 1
    assert 'pip install "media-toolkit[notebooks]"' in capsys.readouterr().err


def test_notebooks_are_found_by_number_name_or_topic() -> None:
    names = [p.stem for p in available_notebooks()]
    assert names[:4] == ["00_quickstart", "01_entity_frequency", "02_place_mentions", "03_source_patterns"]
    with pytest.raises(InputError, match="no notebooks folder"):
        available_notebooks("/nonexistent/notebooks")


def test_a_failing_notebook_is_still_exported_and_reported(tmp_path: Path, data_dir: Path) -> None:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell('CORPUS = "x"', metadata={"tags": ["parameters"]}),
                      nbformat.v4.new_code_cell("print(CORPUS)\nraise ValueError('no such column')")]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, folder / "09_broken.ipynb")
    lines: list[str] = []
    failed = r"1 of 1 notebook\(s\) failed.*09_broken \(ValueError: no such column\)"
    with pytest.raises(ToolkitError, match=failed):
        run_notebooks(data_dir, tmp_path / "out", names="broken", notebook_dir=folder, progress=lines.append)
    assert _errors(tmp_path / "out" / "09_broken.ipynb")
    assert "no such column" in (tmp_path / "out" / "09_broken.html").read_text("utf-8")
    assert any("FAILED" in line for line in lines)


def test_docstring_examples() -> None:
    result = doctest.testmod(notebooks, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 2 and result.failed == 0
