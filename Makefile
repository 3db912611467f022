# Parley: `make run` serves the app on embedded defaults, `make test` runs the suite,
# `make serve` runs the production recipe (docs/deploy.md).
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PIP_INSTALL := $(PIP) install --quiet --disable-pip-version-check
# Two stamps: `make run` installs the runtime set only; `make test` adds the development and test
# tools (pytest, Playwright, schemathesis, ruff), also after a `make run` on the same venv.
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-dev run serve test lint migrate seed

$(PY):
	python3 -m venv $(VENV)

$(RUNTIME): requirements.txt | $(PY)
	$(PIP_INSTALL) -r requirements.txt
	touch $@

# requirements-dev.txt includes requirements.txt, so this stamp stands for both sets.
$(DEV): requirements-dev.txt requirements.txt | $(PY)
	$(PIP_INSTALL) -r requirements-dev.txt
	touch $@ $(RUNTIME)

install: $(RUNTIME)

install-dev: $(DEV)

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	@if $(PY) manage.py help seed_templates >/dev/null 2>&1; then $(PY) manage.py seed_templates; fi

run: seed
	$(PY) manage.py runserver $(HOST):$(PORT)

# Production on one machine: SERVE_WORKERS daphne processes behind nginx on 127.0.0.1:8080,
# PostgreSQL and Redis from DATABASE_URL / REDIS_URL (local defaults). Ctrl-C stops everything.
serve: install
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx; }
	PY=$(abspath $(PY)) exec deploy/serve.sh start

test: install-dev
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
