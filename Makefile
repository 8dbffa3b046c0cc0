# The two commands a new user needs: `make demo` and `make test`. Both go through `make setup`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup browser lint demo test test-fast dev clean

setup: $(STAMP) .env browser

# The installed distributions that unpack the `cv2` package, by name.
CV2_DISTRIBUTIONS := import importlib.metadata as m; \
	print(*sorted({d.metadata["Name"] for d in m.distributions() if any(f.parts[0] == "cv2" for f in d.files or ())}))

# Re-installs only when the dependency list changes; the editable install picks up code edits.
# Every OpenCV wheel (opencv-python, -headless, -contrib) unpacks the same cv2 folder, so a second one
# shadows the first, and uninstalling either deletes files of the other. A venv made before rapidocr
# 3.10 holds opencv-python 5 (rapidocr-onnxruntime's) over the pinned headless 4.x. Unless the one
# OpenCV installed is the headless wheel pyproject.toml pins, every OpenCV goes (with the package
# that brought the other), and the install puts the pinned one back.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@opencv="$$($(BIN)/python -c '$(CV2_DISTRIBUTIONS)')"; \
	if [ -n "$$opencv" ] && [ "$$opencv" != opencv-python-headless ]; then \
		echo "replacing the installed OpenCV wheels ($$opencv) with the pinned opencv-python-headless"; \
		$(BIN)/python -m pip uninstall --quiet --yes $$opencv rapidocr-onnxruntime; \
	fi
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

# The embedded stack's variables for a bare `dagster dev` in the checkout, which loads ./.env;
# written once, never over a .env of the user's.
.env: | $(STAMP)
	$(BIN)/adology stack env --dotenv > .env

# The browser the browser tests (tests/e2e) drive through Playwright: Debian's headless Chromium,
# whose path tests/e2e/conftest.py gives Playwright, so nothing ever downloads one (`playwright install`
# is never run). Root installs the package; anyone else gets the one command to run, the same line the
# browser tests skip with, and setup goes on: every other test runs without it. Without its recommends
# (a printer dialog, avahi, udev, a notification daemon: a hundred packages a headless browser never
# uses) but with the fonts among them, so screenshots show text.
CHROMIUM := /usr/bin/chromium-headless-shell
CHROMIUM_MISSING := browser tests skip: $(CHROMIUM) is missing; install it with: sudo apt-get install chromium-headless-shell

browser:
	@test -x $(CHROMIUM) || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing chromium-headless-shell for the browser tests"; \
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				--no-install-recommends chromium-headless-shell fonts-liberation; } || echo '$(CHROMIUM_MISSING)'; \
		else \
			echo '$(CHROMIUM_MISSING)'; \
		fi; \
	}

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
