# The two quickstart commands: `make run` serves the bot, `make test` proves it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint typecheck unit bench clean migration-reset

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/coachbot db upgrade
	$(BIN)/coachbot serve

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy bot storage scheduler

unit: $(VENV)/.dev-installed
	$(BIN)/pytest

test: lint typecheck unit

bench: $(VENV)/.dev-installed
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# Until the first release there is one migration: regenerate it after changing storage/tables.py.
migration-reset: $(VENV)/.dev-installed
	rm -f storage/migrations/versions/*_initial_tables.py
	$(BIN)/python -m storage.migrations.make_revision "initial tables"
	$(BIN)/ruff format -q storage/migrations
	$(BIN)/ruff check --fix -q storage/migrations
