# The two commands a new user needs: `make demo` and `make test`. Both go through `make setup`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup lint demo test test-fast dev clean

setup: $(STAMP) .env

# Re-installs only when the dependency list changes; the editable install picks up code edits.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

# The embedded stack's variables for a bare `dagster dev` in the checkout, which loads ./.env;
# written once, never over a .env of the user's.
.env: | $(STAMP)
	$(BIN)/adology stack env --dotenv > .env

demo: setup
	$(BIN)/adology demo

# Lint and format check over the whole tree, types of the core (rules and reasons in pyproject.toml).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

# The suite without the slow end-to-end tests (tests/e2e), for the edit-test loop.
test-fast: lint
	$(BIN)/python -m pytest -m 'not slow'

dev: setup
	$(BIN)/adology dev

clean:
	-$(BIN)/adology stack down
	rm -rf .adology
