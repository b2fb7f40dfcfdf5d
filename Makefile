# Every command in the README is a target here. `make help` lists them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install run test lint format check screenshots bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/activate:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "SPL needs Python 3.11 or newer" or 0)'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund
	touch $@

static/dist/.built: node_modules/.installed static/build.mjs $(wildcard static/src/*)
	npm run --silent build
	touch $@

install: $(VENV)/.installed static/dist/.built ## Create .venv, install the locked packages and build the front end

run: install ## Set up, load demo data and serve on http://127.0.0.1:8000 (PORT overrides) with the worker and scheduler
	DEBUG=true $(BIN)/python manage.py migrate --no-input
	DEBUG=true $(BIN)/python manage.py seed_demo
	@echo "Serving on http://127.0.0.1:$(PORT) (Ctrl+C stops the web server and the worker)"
	DEBUG=true PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho --procfile Procfile.dev start --port $(PORT)

test: install ## Run the whole test suite (DATABASE_URL and REDIS_URL pick PostgreSQL and Redis)
	$(BIN)/pytest

lint: $(VENV)/.installed ## ruff and djLint: lint and check formatting
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates --lint
	$(BIN)/djlint templates --check

format: $(VENV)/.installed ## ruff and djLint: fix what can be fixed and format
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djlint templates --reformat --quiet

check: install ## Django system checks and a check that migrations match the models
	DEBUG=true $(BIN)/python manage.py check
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run

screenshots: install ## Take the screenshots in docs/screenshots with headless Chromium
	$(BIN)/pytest -m screenshots -p no:randomly tests/screenshots.py

bench: install ## Time the pages, the directory and referrals at 1M (DATABASE_URL: a scratch PostgreSQL database)
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/directory.py
	$(BIN)/python bench/directory_import.py
	$(BIN)/python bench/referral_pages.py

clean: ## Remove the virtual environment, node_modules, built assets and the SQLite database
	rm -rf $(VENV) node_modules static/dist staticfiles var db.sqlite3
