# accord: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test test-sqlite test-postgres setup assets messages lint makemessages clean bench

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

assets: node_modules/.installed $(VENV)/.installed
	@$(PY) tools/vendor_assets.py

messages: $(VENV)/.installed
	@$(PY) tools/compile_messages.py

setup: $(VENV)/.installed assets messages

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py load_demo
	@echo "accord is at http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	@# The task worker (background jobs such as the annual report) runs beside gunicorn and stops with it.
	@$(PY) manage.py db_worker --interval 1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  $(VENV)/bin/gunicorn accord.wsgi --bind $(HOST):$(PORT) --workers 2 --access-logfile - --error-logfile -

test: setup
	@$(PY) tools/run_tests.py

test-sqlite: setup
	@$(PY) tools/run_tests.py --sqlite-only

test-postgres: setup
	@$(PY) tools/run_tests.py --postgres-only

# Generates the bench data on SQLite and PostgreSQL (BENCH_SCALE=tiny|province|ministry, default ministry),
# runs the scenarios and writes docs/performance.json and docs/performance.md.
bench: setup
	@$(PY) tools/bench.py

lint: setup
	$(VENV)/bin/ruff check accord tools conftest.py
	$(VENV)/bin/ruff format --check accord tools conftest.py

makemessages: setup
	cd accord && ../$(PY) ../manage.py makemessages -l vi -l en -l fr -l th --no-obsolete --ignore "static/*"

clean:
	rm -rf $(VENV) node_modules accord/static/vendor
