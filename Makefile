# Two entry points, each creating the local virtual environment .venv on first use:
#   make demo   install the toolkit and report on the bundled sample (data/articles → output/index.html)
#   make test   install the toolkit with its test extras and run the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= output

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-base: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,notebooks,scale]"
	touch $@ $(VENV)/.installed-base

demo: $(VENV)/.installed-base
	$(BIN)/python -m toolkit report data/articles --out $(OUT)

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check toolkit tests benchmarks notebooks

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/bench_annotate.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
