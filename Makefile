# Two commands do all set-up: `make demo` (service with the demo catalog on SQLite)
# and `make test` (lint, type check and the test suite). Both create .venv as needed.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000
# The browser tests (tests/e2e/, marker `browser`) drive Debian's chromium through
# Playwright, which cannot download a browser of its own on a closed network.
CHROMIUM ?= /usr/bin/chromium
export SIMEL_TEST_CHROMIUM := $(CHROMIUM)
# The first interpreter that is Python 3.11 or newer.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)

.PHONY: demo test setup lint typecheck pytest chromium serve bench clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is required" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/simel demo --host $(HOST) --port $(PORT)

serve: $(STAMP)
	$(BIN)/simel serve --host $(HOST) --port $(PORT)

test: lint typecheck pytest

# What the test command needs before it runs: CI sets up once, then runs two suites.
setup: $(STAMP) chromium

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) chromium
	$(BIN)/pytest $(PYTEST_ARGS)

# Installs Debian's chromium when it is missing and we may (root, with apt-get);
# otherwise stops and says what to do: the browser tests are never skipped.
chromium:
	@test -x $(CHROMIUM) || [ "$(CHROMIUM)" != /usr/bin/chromium ] || { \
	  if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then \
	    echo "The browser tests need Debian's chromium (/usr/bin/chromium), which is missing;" >&2; \
	    echo "make installs it only as root with apt-get. Run: sudo apt-get install chromium" >&2; \
	    exit 1; \
	  fi; \
	  echo "Installing Debian's chromium for the browser tests: apt-get install chromium"; \
	  apt="apt-get -q -o DPkg::Lock::Timeout=300"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  $$apt install -y --no-install-recommends chromium >/dev/null \
	    || { $$apt update >/dev/null && $$apt install -y --no-install-recommends chromium >/dev/null; } \
	    || { echo "apt-get could not install chromium (see above); the browser tests need it" >&2; \
	         exit 1; }; \
	}
	@test -x $(CHROMIUM) || { echo "No chromium at $(CHROMIUM): the browser tests need it" >&2; exit 1; }

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
