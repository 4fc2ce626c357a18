# Set-up contract: `make run` and `make test` work on a fresh clone with only Python 3.11 installed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 wird benötigt ($(PYTHON) nicht gefunden)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/sro deploy processes
	$(BIN)/sro demo
	$(BIN)/sro serve --host 127.0.0.1 --port 5000 --with-worker

lint: $(STAMP)
	$(BIN)/ruff check engine web tests
	$(BIN)/sro lint processes

typecheck: $(STAMP)
	$(BIN)/mypy engine web

test: lint typecheck
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/sro bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
