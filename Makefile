# The two commands of README.md: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
HOST   ?= 127.0.0.1
# checkov (the infrastructure-as-code scanner tests/test_checkov.py runs over deploy/ and the Dockerfile) pins
# dependencies that clash with the app's, so it lives in a virtualenv of its own
CHECKOV_VENV    ?= .venv-checkov
CHECKOV_VERSION := 3.3.30

.PHONY: run test install install-test install-checkov system-deps lint typecheck pytest benchmark clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

$(CHECKOV_VENV)/.installed-$(CHECKOV_VERSION):
	rm -rf $(CHECKOV_VENV)
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet 'checkov==$(CHECKOV_VERSION)'
	touch $@

install: $(VENV)/.installed

## make run: set up, apply migrations, serve on http://$(HOST):$(PORT)
run: install
	$(BIN)/advisor db upgrade
	$(BIN)/advisor run --host $(HOST) --port $(PORT)

## make test: install what the tests need (Debian packages too), then lint, type-check and run the whole suite
test: system-deps install-test lint typecheck pytest

install-test: $(VENV)/.installed-test

install-checkov: $(CHECKOV_VENV)/.installed-$(CHECKOV_VERSION)

# PostgreSQL for the database tests, Redis for the shared throttle store test, Chromium for the browser tests
# (installed only when missing)
system-deps:
	bash scripts/install-system-deps.sh

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-test
	$(BIN)/mypy

# with branch coverage of advisor/ (in-process and in the app's subprocesses), its report printed at the end;
# below [tool.coverage.report] fail_under in pyproject.toml the run fails. The data stays in test-artifacts/coverage/
# (`.venv/bin/coverage html` writes the browsable report there)
pytest: install-test install-checkov
	mkdir -p test-artifacts/coverage
	CHECKOV=$(CHECKOV_VENV)/bin/checkov $(BIN)/pytest --cov --cov-report=term

benchmark: install
	$(BIN)/python benchmarks/engine.py

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist
