"""Every notebook executes top to bottom on the bundled corpus, and is committed without outputs."""

from __future__ import annotations

import json
from pathlib import Path

import papermill
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks() -> None:
    assert [p.name for p in NOTEBOOKS if p.name.startswith("01_")]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_committed_clean(path: Path) -> None:
    notebook = json.loads(path.read_text("utf-8"))
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert code, "no code cells"
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    tags = code[0].get("metadata", {}).get("tags", [])
    assert "parameters" in tags, "the first code cell is not tagged as the parameters cell"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path: Path, tmp_path: Path, data_dir: Path) -> None:
    out = tmp_path / path.name
    papermill.execute_notebook(str(path), str(out), parameters={"CORPUS": str(data_dir)},
                               cwd=str(path.parent), kernel_name="python3", progress_bar=False,
                               log_output=False)
    executed = json.loads(out.read_text("utf-8"))
    errors = [o for c in executed["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    images = [o for c in executed["cells"] for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) >= 1
