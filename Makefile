# つなぐハブ — the two commands: `make run` (hub with demo data) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test lint typecheck format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall when pyproject.toml changes.
$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.run-installed

# The scheduler runs beside the development server as a child of this shell: stopping the
# server (Ctrl-C) stops it too.
run: $(VENV)/.run-installed
	$(BIN)/tsunagu demo
	@$(BIN)/tsunagu scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(BIN)/tsunagu run --host $(HOST) --port $(PORT)

# The suite on every core (pytest-xdist; each worker has its own databases, files and ports).
# PYTEST_ARGS="-p no:xdist -k …" runs a part in one process.
PYTEST_ARGS ?= -n auto
test: $(VENV)/.test-installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks run separately from the tests; each prints its figures (see README, Performance).
bench: $(VENV)/.test-installed
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@$(MAKE) --no-print-directory typecheck

# mypy over hub/ with documents/, mailbox/ and scheduler/ where they are installed (inside hub,
# pyproject's package-dir): a tree of links that lays the folders out as the import names.
TYPECHECK := build/typecheck
typecheck: $(VENV)/.test-installed
	@rm -rf $(TYPECHECK) && mkdir -p $(TYPECHECK)/hub
	@for f in hub/*; do ln -s "$(CURDIR)/$$f" $(TYPECHECK)/hub/; done
	@for p in documents mailbox scheduler meetings reports; do ln -s "$(CURDIR)/$$p" $(TYPECHECK)/hub/$$p; done
	cd $(TYPECHECK) && $(CURDIR)/$(BIN)/mypy --config-file $(CURDIR)/pyproject.toml -p hub

format: $(VENV)/.test-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
