"""Nothing at run time needs the network, and nothing evaluates or unpickles data.

* The whole test session runs with sockets to other machines blocked (``network_guard``, installed
  by the conftest), the report tests included; here a run of load → annotate (entities, places,
  sources) checks that nothing even tried.
* The command line builds a report inside a network namespace that has no network at all (only a
  loopback interface, down), so that C libraries and subprocesses are covered too.
* The package source is scanned (``ast``) for pickle, marshal, shelve, eval, exec and friends.
"""

from __future__ import annotations

import ast
import os
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from network_guard import ATTEMPTS, NetworkBlocked, is_local

import toolkit as tk

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "toolkit"


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    """Six articles of the bundled sample, with their metadata."""
    folder = tmp_path_factory.mktemp("offline")
    names = sorted(p.name for p in data_dir.glob("*.txt"))[:6]
    for name in names:
        shutil.copy(data_dir / name, folder / name)
    meta = pd.read_csv(data_dir / "metadata.csv", dtype=str)
    meta[meta["file"].isin(names)].to_csv(folder / "metadata.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def data_dir() -> Path:
    return REPO / "data" / "articles"


# --------------------------------------------------------------------------- the guard itself


def test_the_session_runs_with_the_network_blocked() -> None:
    assert "block_network" in socket.socket.connect.__qualname__
    assert "block_network" in socket.socket.connect_ex.__qualname__
    assert "block_network" in socket.getaddrinfo.__qualname__
    assert is_local(("127.0.0.1", 8786)) and is_local(("::1", 80, 0, 0)) and is_local("/tmp/x.sock")
    assert is_local(("localhost", 80))
    assert not is_local(("192.0.2.1", 80)) and not is_local(("example.org", 443))

    class FakeSocket:  # the real connect is never reached, so no packet can leave even if this failed
        family = socket.AF_INET

    before = len(ATTEMPTS)
    with pytest.raises(NetworkBlocked, match=r"192\.0\.2\.1"):
        socket.socket.connect(FakeSocket(), ("192.0.2.1", 80))  # type: ignore[arg-type]
    with pytest.raises(NetworkBlocked, match="name lookup"):
        socket.getaddrinfo("example.invalid", 443)
    assert ATTEMPTS[before:] == ["connect to ('192.0.2.1', 80)", "name lookup of 'example.invalid'"]
    del ATTEMPTS[before:]


def test_load_annotate_places_and_sources_never_touch_the_network(small_corpus: Path) -> None:
    before = list(ATTEMPTS)
    articles = tk.load_articles(small_corpus)
    corpus = tk.annotate(articles, progress=False)  # mentions, places and attributions
    assert len(corpus.mentions) > 50
    resolved = corpus.places.dropna(subset=["place_id"])
    assert len(resolved) > 5 and resolved["lat"].notna().all()
    assert len(corpus.attributions) > 5 and corpus.attributions["source_type"].notna().all()
    assert before == ATTEMPTS, ATTEMPTS[len(before):]


# --------------------------------------------------------------------------- no network at all


def _can_unshare() -> bool:
    if shutil.which("unshare") is None:
        return False
    done = subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False)
    return done.returncode == 0


OFFLINE_RUN = textwrap.dedent("""
    import runpy, socket, sys
    names = [name for _, name in socket.if_nameindex()]
    if sys.argv[1] == "namespace":
        assert names == ["lo"], f"network interfaces visible: {names}"
    else:  # no namespaces here: the socket guard of the test session instead
        sys.path.insert(0, sys.argv[2])
        from network_guard import block_network
        block_network().__enter__()
    sys.argv = ["toolkit", *sys.argv[3:]]
    runpy.run_module("toolkit", run_name="__main__")
""")


def test_report_command_in_a_network_namespace_without_network(small_corpus: Path, tmp_path: Path) -> None:
    """``unshare -n``: a fresh network namespace whose only interface is a loopback that is down."""
    how = "namespace" if _can_unshare() else "guard"
    out = tmp_path / "report"
    command = [sys.executable, "-c", OFFLINE_RUN, how, str(Path(__file__).parent), "report",
               str(small_corpus), "--out", str(out), "--quiet"]
    if how == "namespace":
        command = ["unshare", "-n", *command]
    env = {**os.environ, "PYTHONPATH": str(REPO), "TOOLKIT_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "<html" in page.lower() and len(page) > 1000
    tables = {p.name for p in (out / "tables").iterdir()}
    assert any(name.startswith("mentions") for name in tables), tables
    assert any(name.startswith("attributions") for name in tables), tables


# --------------------------------------------------------------------------- no pickle, no eval


#: Modules whose import alone means deserialising or running code from data.
FORBIDDEN_MODULES = {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "cloudpickle", "joblib",
                     "jsonpickle"}
#: Built-ins that run code given as data.
FORBIDDEN_BUILTINS = {"eval", "exec", "compile", "__import__", "execfile"}
#: Attribute calls that unpickle or run a shell: ``pd.read_pickle``, ``df.to_pickle``, ``os.system`` …
FORBIDDEN_ATTRIBUTES = {"read_pickle", "to_pickle", "loads_pickle", "unsafe_load", "system", "popen",
                        "run_path", "run_module", "import_module"}
#: Reviewed uses: (file, name) -> why it is safe.
ALLOWED = {
    ("language.py", "import_module"): "imports spaCy's own stop-word modules by a fixed language code",
}


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, int, str]] = []

    def flag(node: ast.AST, name: str) -> None:
        if (path.name, name) not in ALLOWED:
            found.append((node.lineno, node.col_offset, f"{path.name}:{node.lineno}: {name}"))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in FORBIDDEN_MODULES:
                    flag(node, f"import {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            if (node.module or "").split(".")[0] in FORBIDDEN_MODULES:
                flag(node, f"from {node.module} import")
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in FORBIDDEN_BUILTINS:
                flag(node, func.id)
            elif isinstance(func, ast.Attribute) and func.attr in FORBIDDEN_ATTRIBUTES:
                flag(node, func.attr)
            elif (isinstance(func, ast.Attribute) and func.attr == "load" and isinstance(func.value, ast.Name)
                  and func.value.id in {"yaml", "np", "numpy", "torch"}):
                # numpy refuses pickles unless allow_pickle= says otherwise
                pickled = any(k.arg == "allow_pickle"
                              and not (isinstance(k.value, ast.Constant) and k.value.value is False)
                              for k in node.keywords)
                if func.value.id in {"yaml", "torch"} or pickled:
                    flag(node, f"{func.value.id}.load")
            for keyword in node.keywords:
                if keyword.arg == "shell" and not (isinstance(keyword.value, ast.Constant)
                                                   and keyword.value.value is False):
                    flag(node, "shell=True")
    return [text for _, _, text in sorted(found)]


def test_no_pickle_eval_or_exec_in_the_package() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 20
    found = [v for path in files for v in _violations(path)]
    assert found == [], "code that runs or unpickles data:\n" + "\n".join(found)


def test_the_scan_catches_what_it_looks_for(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(textwrap.dedent("""
        import pickle
        from marshal import loads
        import pandas as pd, numpy as np, os, subprocess, yaml
        x = eval("1")
        exec("y = 2")
        pd.read_pickle("f")
        np.load("f.npy", allow_pickle=True)
        np.load("f.npy", allow_pickle=False)
        yaml.load("a: 1")
        os.system("ls")
        subprocess.run("ls", shell=True)
    """), encoding="utf-8")
    names = [v.split(": ", 1)[1] for v in _violations(bad)]
    assert names == ["import pickle", "from marshal import", "eval", "exec", "read_pickle", "np.load",
                     "yaml.load", "system", "shell=True"]
