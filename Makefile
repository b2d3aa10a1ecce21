# Quick start: `make run` (platform + demo on http://localhost:8000) and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export PLATFORM_DOMAIN ?= localhost:$(PORT)

.PHONY: run test lint install install-test messages browser migrate seed serve worker db-stop lock bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip

# Dependencies come from pyproject.toml, pinned by requirements.lock; reinstalled when either changes.
$(VENV)/.installed: pyproject.toml requirements.lock | $(VENV)/bin/python
	$(PY) scripts/deps.py | $(VENV)/bin/pip install -q -c requirements.lock -r /dev/stdin
	touch $@

$(VENV)/.installed-test: pyproject.toml requirements.lock $(VENV)/.installed
	$(PY) scripts/deps.py test | $(VENV)/bin/pip install -q -c requirements.lock -r /dev/stdin
	touch $@

install: $(VENV)/.installed messages
install-test: $(VENV)/.installed-test messages

# Translations are compiled in the build (Babel; no GNU gettext needed).
messages: $(VENV)/.installed
	$(PY) scripts/compilemessages.py

# Browser tests drive Debian's Chromium (a Playwright browser download is not possible here).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; }

migrate: install
	$(PY) manage.py platform_migrate -v 0

seed: migrate
	$(PY) manage.py seed_demo

serve: install
	$(VENV)/bin/gunicorn dms.wsgi:application --pythonpath platform -c platform/dms/gunicorn_conf.py \
		--bind $(HOST):$(PORT) \
		--workers $${WEB_CONCURRENCY:-2} --threads 1 --access-logfile - --timeout 60

run: seed serve

worker: install
	$(VENV)/bin/celery --workdir platform -A dms.celery:app worker -l info

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

# The suite on both cores (pytest-xdist: a module's tests stay on one worker; TEST_WORKERS=0 runs it in one process).
TEST_WORKERS ?= 2
test: install-test browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest -q -n $(TEST_WORKERS) --dist loadgroup

bench: install-test
	$(PY) bench/provision.py

db-stop: install
	cd platform && ../$(PY) -m dms.embedded_db stop

lock: install-test
	{ echo "# Exact versions tested (constraints for pip). Regenerate with: make lock"; \
	  $(VENV)/bin/pip freeze --exclude-editable; } > requirements.lock

clean: db-stop
	rm -rf $(VENV) .data
