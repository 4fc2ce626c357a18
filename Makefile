# Set-up contract: `make run` and `make test` work on a fresh clone with only Python 3.11 installed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit bench clean

# The product (sro-jobcenter) and, for development only, the benchmarks (benchmarks/, sro-benchmarks),
# which add `sro bench`; both editable.
$(STAMP): pyproject.toml benchmarks/pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 wird benötigt ($(PYTHON) nicht gefunden)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]' -e ./benchmarks
	@touch $(STAMP)

# Front-end packages of the web app (bpmn-js), from the npm registry; served from web/node_modules.
WEB_STAMP := web/node_modules/.installed

$(WEB_STAMP): web/package.json web/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "Node.js 20 mit npm wird benötigt (npm nicht gefunden)."; exit 1; }
	cd web && npm ci --no-audit --no-fund
	@touch $(WEB_STAMP)

run: $(STAMP) $(WEB_STAMP) letter-fonts
	$(BIN)/sro deploy processes
	$(BIN)/sro demo
	$(BIN)/sro serve --host 127.0.0.1 --port 5000 --with-worker

lint: $(STAMP)
	$(BIN)/ruff check engine web tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/sro lint processes

typecheck: $(STAMP)
	$(BIN)/mypy engine web benchmarks/sro_benchmarks

test: lint typecheck
	$(BIN)/pytest -q

# The fast loop: unit, model and integration tests on SQLite, without the slow ones (see SLOW in tests/conftest.py).
unit: $(STAMP)
	$(BIN)/pytest -q -m "not slow and not postgres" tests/unit tests/model tests/integration

# Diagram checks (tests/browser): bpmnlint, bpmn-js and dmn-js from npm, run in Debian's Chromium.
MODELER_CHECK := tools/modeler-check
NPM_STAMP := $(MODELER_CHECK)/node_modules/.installed

.PHONY: chromium modeler-tools letter-fonts

$(NPM_STAMP): $(MODELER_CHECK)/package.json $(MODELER_CHECK)/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "Node.js 20 mit npm wird benötigt (npm nicht gefunden)."; exit 1; }
	cd $(MODELER_CHECK) && npm ci --no-audit --no-fund
	@touch $(NPM_STAMP)

modeler-tools: $(NPM_STAMP)

chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

# Letters (WeasyPrint): Pango and the DejaVu fonts the templates name, from Debian.
letter-fonts:
	@(ldconfig -p | grep -q libpango-1.0 && fc-list | grep -qi dejavu) || (apt-get update && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)

test: modeler-tools chromium letter-fonts $(WEB_STAMP)

bench: $(STAMP)
	$(BIN)/sro bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
