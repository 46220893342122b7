# The two commands of README.md: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
HOST   ?= 127.0.0.1

.PHONY: run test install install-test system-deps lint typecheck pytest benchmark clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

## make run: set up, apply migrations, serve on http://$(HOST):$(PORT)
run: install
	$(BIN)/advisor db upgrade
	$(BIN)/advisor run --host $(HOST) --port $(PORT)

## make test: install what the tests need (Debian packages too), then lint, type-check and run the whole suite
test: system-deps install-test lint typecheck pytest

install-test: $(VENV)/.installed-test

# PostgreSQL for the database tests, Chromium for the browser tests (installed only when missing)
system-deps:
	bash scripts/install-system-deps.sh

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-test
	$(BIN)/mypy

pytest: install-test
	$(BIN)/pytest

benchmark: install
	$(BIN)/python benchmarks/engine.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist
