# Marquee: `make run` starts everything, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.9
STAMP := $(VENV)/.installed-dev
# npm writes this when `npm ci` has installed the lock: axe-core, which the browser tests
# inject into pages (nothing from node_modules is served).
NODE_STAMP := node_modules/.package-lock.json

.PHONY: run test lint format install lock migrate demo clean help bench-deps browser-deps

help:
	@echo "make run    install, migrate, seed the demo when empty, start site + worker + beat"
	@echo "make test   install what is missing and run the whole test suite"
	@echo "make lint   ruff check and format check"
	@echo "make lock   recompile requirements/*.lock from pyproject.toml"

$(UV):
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Marquee needs Python 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet "uv==$(UV_VERSION)"

# Installs exactly the locked versions; reruns only when the lock file changes.
$(STAMP): requirements/dev.lock | $(UV)
	$(UV) pip install --quiet --python $(PY) -r requirements/dev.lock
	@touch $@

install: $(STAMP)

# Where npm is missing the accessibility test skips (fails with MARQUEE_REQUIRE_BROWSER=1).
$(NODE_STAMP): package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --ignore-scripts --no-audit --no-fund --loglevel=error; \
	else \
		echo "npm not found: axe-core not installed, the accessibility test will skip (apt-get install npm)"; \
	fi

browser-deps: $(NODE_STAMP)

lock: | $(UV)
	$(UV) pip compile pyproject.toml --python-version 3.11 -o requirements/base.lock --quiet
	$(UV) pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements/dev.lock --quiet
	$(UV) pip compile pyproject.toml --extra dev --extra bench --python-version 3.11 -o requirements/bench.lock --quiet

# The load test's tools (locust), on top of the dev set; bench/load/README.md says how to run it.
bench-deps: $(STAMP)
	$(UV) pip install --quiet --python $(PY) -r requirements/bench.lock

migrate: install
	$(PY) manage.py migrate --noinput

run: install
	@bin/run

# One pytest-xdist worker per core (each with its own test database); TEST_WORKERS=0 runs
# the suite in this process. The slow tests come first (tests/conftest.py): a worker that
# runs out takes half of what another has left (worksteal).
# Compiled files are kept even where the environment says not to (PYTHONDONTWRITEBYTECODE):
# otherwise each worker, and each process a test starts, compiles and rewrites every test
# module and much of Django again (a few seconds each).
TEST_WORKERS ?= auto
test: install browser-deps
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf var/celery var/staticfiles
