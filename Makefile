# Parley: `make run` serves the app on embedded defaults, `make test` runs the suite,
# `make serve` runs the production recipe (docs/deploy.md).
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: install run serve test lint migrate seed check

$(STAMP): requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	@if $(PY) manage.py help seed_templates >/dev/null 2>&1; then $(PY) manage.py seed_templates; fi

run: seed
	$(PY) manage.py runserver 127.0.0.1:8000

# Production on one machine: SERVE_WORKERS daphne processes behind nginx on 127.0.0.1:8080,
# PostgreSQL and Redis from DATABASE_URL / REDIS_URL (local defaults). Ctrl-C stops everything.
serve: install
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx; }
	PY=$(abspath $(PY)) exec deploy/serve.sh start

test: install
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
