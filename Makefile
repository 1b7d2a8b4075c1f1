# The two commands a newcomer needs: `make run` and `make test`. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON := $(shell scripts/find-python)
ifeq ($(PYTHON),)
$(error No Python 3.12 or newer found: Django 6.1 needs it. Install python3.13 and run make again)
endif

VENV := .venv
TOOLS := .tools
UV := $(TOOLS)/bin/uv
UV_VERSION := 0.13.8
MANAGE := $(VENV)/bin/python manage.py
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Byte-compiled once at install: every process (manage.py, the test suite's subprocesses)
# then starts without compiling Django and Wagtail again, even where the machine sets
# PYTHONDONTWRITEBYTECODE.
export UV_COMPILE_BYTECODE := 1
# And the project's own modules, and the tests as pytest rewrites their asserts, are compiled
# once and kept in __pycache__ (Python's default), where a machine that sets
# PYTHONDONTWRITEBYTECODE would have every process and every test worker compile them again.
unexport PYTHONDONTWRITEBYTECODE
HOST ?= 127.0.0.1
PORT ?= 8000
# Every absolute link (emails, feeds, calendar files) starts with this: `PORT=8123 make run`
# sends links to port 8123.
BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: help run install install-dev setup test lint format check worker scheduler demo logo password docs-screenshots bench-pages bench-send clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(UV):
	@$(PYTHON) -m venv $(TOOLS)
	@$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

install: $(UV) ## Install the locked runtime dependencies into .venv
	@$(UV) sync --frozen --no-dev --inexact --python $(PYTHON) --quiet

install-dev: $(UV) ## Install the runtime and development dependencies
	@$(UV) sync --frozen --python $(PYTHON) --quiet

setup: install ## Migrate, load the demo content and create the admin account
	@mkdir -p var/mail var/media
	@$(MANAGE) set_up_dev_site

run: setup ## Set everything up and serve the site, its task worker and scheduler at HOST:PORT (127.0.0.1:8000)
	@HOST=$(HOST) PORT=$(PORT) BASE_URL=$(BASE_URL) $(VENV)/bin/python scripts/run.py

worker: ## Run only the background task worker
	$(MANAGE) db_worker --no-reload

scheduler: ## Run only the scheduler (scheduled publishing and data purges)
	$(MANAGE) scheduler

demo: install ## Load (or refresh) the demo content
	$(MANAGE) load_demo

logo: install-dev ## Render the logo's PNG copies (email, phone icon) from static/img/logo.svg with Chromium
	$(VENV)/bin/python scripts/render_logo.py

password: install ## Set a new password for the admin account
	$(MANAGE) changepassword admin

lint: install-dev ## ruff check and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev ## Format the code with ruff
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: install-dev ## Django system checks and the migrations check
	@mkdir -p var
	DJANGO_SETTINGS_MODULE=lscp_site.settings.test $(MANAGE) check --fail-level WARNING
	@# Models against migrations needs no database: an empty one in memory, so a DATABASE_URL
	@# whose database the tests have yet to make (CI's) is not asked for its history.
	DATABASE_URL=sqlite:///:memory: DJANGO_SETTINGS_MODULE=lscp_site.settings.test $(MANAGE) makemigrations --check --dry-run

# One worker per core (pytest-xdist), each with a test database of its own; TEST_WORKERS=0
# runs the suite in one process.
TEST_WORKERS ?= auto

test: lint check ## Run ruff, the checks and the whole test suite (DATABASE_URL picks the database)
	$(VENV)/bin/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# SHOTS=name,name takes only those pictures (scripts/docs_screenshots.py lists them).
docs-screenshots: install-dev ## Take the pictures of docs/editors.md again from a fresh demo site (Chromium)
	$(VENV)/bin/python scripts/docs_screenshots.py $(SHOTS)

bench-pages: install-dev ## Page benchmark (see bench/README.md)
	$(VENV)/bin/python bench/pages.py

bench-send: install-dev ## Newsletter sending benchmark (see bench/README.md)
	$(VENV)/bin/python bench/send.py

clean: ## Remove the virtual environments (keeps var/ with the database)
	rm -rf $(VENV) $(TOOLS)
