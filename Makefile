# Subsidia — the two commands: `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/subsidia
# The production-like settings under which `check --deploy` must print nothing.
DEPLOY_ENV := DEBUG=0 SECRET_KEY=$$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=') \
	ALLOWED_HOSTS=subsidia.example.lu DATABASE_URL=$(PG_URL) \
	EMAIL_URL=smtp+tls://deploy-check@smtp.example.lu:587 SITE_URL=https://subsidia.example.lu

.PHONY: run install test lint typecheck security-lint test-sqlite test-postgres test-clock test-browser test-api-fuzz \
	check-deploy load bench services worker messages clean

$(BIN)/subsidia: pyproject.toml
	bash scripts/ensure-system-packages
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(BIN)/subsidia

install: $(BIN)/subsidia ## create .venv and install Subsidia with its development tools

run: install ## migrate, load the demo, start the worker and serve http://127.0.0.1:$(PORT) on SQLite
	mkdir -p var
	DEBUG=1 $(BIN)/subsidia migrate --noinput
	DEBUG=1 $(BIN)/subsidia load-demo
	@echo "Serving Subsidia on http://127.0.0.1:$(PORT)/ (Ctrl-C stops the site and the worker)"
	DEBUG=1 $(BIN)/subsidia run_huey --quiet & worker=$$!; \
	trap 'kill $$worker 2>/dev/null || true' EXIT INT TERM; \
	DEBUG=1 $(BIN)/subsidia runserver 127.0.0.1:$(PORT)

worker: install ## run only the background worker (SQLite queue, or Redis when REDIS_URL is set)
	$(BIN)/subsidia run_huey

# The suite runs on both cores (pytest-xdist); the browser checks and the API fuzzing have targets of their own.
PYTEST := $(BIN)/pytest -q -p no:cacheprovider
SUITE := -n 2 -m "not browser and not fuzz"
# Moments at which `test-clock` runs the suite again (local time): the eve of the spring clock change, of a
# year end, and a leap day itself, late in the evening (local and UTC dates differ; tests that move the clock
# forward cross into the next day).
CLOCK_MOMENTS ?= 2027-03-27T23:40 2026-12-31T23:40 2028-02-29T23:40

test: install lint typecheck security-lint test-sqlite test-postgres test-clock test-browser test-api-fuzz \
	check-deploy ## the whole suite, as CI runs it
	@echo "make test: all checks passed"

lint: install
	$(BIN)/ruff check src
	$(BIN)/lint-imports

security-lint: install ## bandit: any high-severity finding fails (the reviewed medium ones: docs/security.md)
	$(BIN)/bandit -q -r src -x '*/tests/*,*/migrations/*' --severity-level high

typecheck: install
	DEBUG=1 $(BIN)/mypy

test-sqlite: install
	$(PYTEST) $(SUITE)

services: ## start PostgreSQL (and Redis) if they are down, create the database if missing
	bash scripts/ensure-services

test-postgres: install services
	DATABASE_URL=$(PG_URL) $(PYTEST) $(SUITE)

test-clock: install ## the suite on SQLite with the clock moved to each of CLOCK_MOMENTS (green on any day)
	for moment in $(CLOCK_MOMENTS); do echo "clock at $$moment"; SUBSIDIA_TEST_NOW=$$moment $(PYTEST) $(SUITE); done

test-browser: install ## WCAG 2.1 AA (axe-core) and htmx checks in Debian's Chromium, on SQLite
	bash scripts/ensure-browser
	$(PYTEST) -p no:playwright -m browser

test-api-fuzz: install services ## schemathesis over /api/v1/openapi.json as officer, partner and anonymous
	$(PYTEST) -m fuzz src/subsidia/api/tests/test_fuzz.py
	DATABASE_URL=$(PG_URL) $(PYTEST) -m fuzz src/subsidia/api/tests/test_fuzz.py

load: install services ## bounded load run: gunicorn (4 workers) on PostgreSQL, public/partner/officer traffic
	bash scripts/load-run

# Not part of `make test`: builds (or reuses) the demo and the large database, measures on SQLite, then on
# PostgreSQL, and writes docs/benchmarks.md and docs/benchmarks.json. BENCH_ARGS="--duration 10" for longer runs.
bench: install services ## measure the key pages on the demo and with 100,000 applications (docs/benchmarks.md)
	bash scripts/ensure-system-packages
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)
	$(BIN)/python scripts/bench.py --postgres $(BENCH_ARGS)

check-deploy: install services
	$(DEPLOY_ENV) $(BIN)/subsidia check --deploy --fail-level WARNING

messages: install ## refresh the .po files and compile them (needs gettext)
	cd src/subsidia && DEBUG=1 ../../$(BIN)/subsidia makemessages -l de -l en -l lb -l fr --no-obsolete
	cd src/subsidia && DEBUG=1 ../../$(BIN)/subsidia compilemessages

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .mypy_cache .ruff_cache
