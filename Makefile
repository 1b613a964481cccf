# credfile — everyday commands. `make help` lists them.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
# Rebuilt whenever pyproject.toml changes, so `make install` is a no-op otherwise.
STAMP := $(VENV)/.credfile-installed

HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_CUSTOMERS ?= 2000
DEMO_SEED ?= 1
DEMO_PASSWORD := credfile-demo
PYTEST_ARGS ?=
# The suite runs in one process per core (pytest-xdist); TEST_WORKERS=0 runs it in one.
TEST_WORKERS ?= auto
# test-postgres uses DATABASE_URL from the environment if it is set.
POSTGRES_URL := $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/credfile)
BENCH_CUSTOMERS ?= 100000
BENCH_HOME ?= var/bench
# Prints the number of customers in the database, or fails.
COUNT_CUSTOMERS = $(BIN)/credfile shell --no-imports -c \
  'from credfile.customers.models import Customer; print(Customer.objects.count())'

.PHONY: help install run test test-postgres lint fmt messages bench chromium

help:
	@echo "make run            install, migrate, load demo data once, serve on http://$(HOST):$(PORT)"
	@echo "make test           the whole test suite on SQLite (browser tests need Chromium)"
	@echo "make test-postgres  the whole test suite on PostgreSQL (DATABASE_URL)"
	@echo "make lint           ruff, mypy, migration check, OpenAPI schema check"
	@echo "make fmt            fix imports and format the code"
	@echo "make messages       update and compile the zh_Hans and en translations"
	@echo "make bench          time the customer pages, searches and API over $(BENCH_CUSTOMERS) customers"
	@echo "make install        create $(VENV) and install credfile with its development tools"

install: $(STAMP)

$(STAMP): pyproject.toml
	@python=""; \
	for candidate in python3.11 python3; do \
	  if command -v "$$candidate" >/dev/null 2>&1 && \
	     "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then \
	    python="$$candidate"; break; \
	  fi; \
	done; \
	if [ -z "$$python" ]; then \
	  echo "credfile needs Python 3.11 or newer as python3.11 or python3." >&2; \
	  echo "On Debian or Ubuntu: sudo apt-get install python3 python3-venv" >&2; \
	  exit 1; \
	fi; \
	if [ ! -x $(BIN)/python ]; then \
	  echo "Creating $(VENV) with $$python"; \
	  "$$python" -m venv $(VENV) || { \
	    echo "Could not create $(VENV). On Debian or Ubuntu: sudo apt-get install python3-venv" >&2; \
	    rm -rf $(VENV); exit 1; }; \
	fi
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

run: install
	$(BIN)/credfile keys init --if-missing
	$(BIN)/credfile migrate --no-input
	@customers="$$($(COUNT_CUSTOMERS))"; \
	if [ "$$customers" = 0 ]; then \
	  echo "The database has no customers: loading $(DEMO_CUSTOMERS) demo customers."; \
	  $(BIN)/credfile demo --customers $(DEMO_CUSTOMERS) --seed $(DEMO_SEED); \
	  echo "Rating every demo file on its scorecard (the grades wait for a credit manager's approval)."; \
	  $(BIN)/credfile rate --all --as credit; \
	else \
	  echo "The database holds $$customers customers; no demo data loaded."; \
	fi
	@echo
	@echo "credfile: http://$(HOST):$(PORT)/"
	@echo "Demo accounts, all with the password $(DEMO_PASSWORD):"
	@echo "  manager     account manager 客户经理 (SALES1)"
	@echo "  head        department head 部门负责人 (SALES1)"
	@echo "  credit      credit manager 信用管理员"
	@echo "  executive   executive 公司负责人"
	@echo "  auditor     auditor 审计员"
	@echo "  admin       administrator 系统管理员"
	@echo
	@# The scheduled jobs (review dates, reminders, escalations) run beside the server.
	@$(BIN)/credfile jobs worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null || true' EXIT; \
	$(BIN)/credfile runserver $(HOST):$(PORT)

# The browser tests drive Debian's Chromium through Playwright (or CREDFILE_CHROMIUM).
chromium:
	@if [ -n "$${CREDFILE_CHROMIUM:-}" ]; then \
	  [ -x "$$CREDFILE_CHROMIUM" ] || { \
	    echo "CREDFILE_CHROMIUM=$$CREDFILE_CHROMIUM is not an executable file." >&2; exit 1; }; \
	elif [ ! -x /usr/bin/chromium ]; then \
	  if ! command -v apt-get >/dev/null 2>&1; then \
	    echo "The browser tests need Chromium at /usr/bin/chromium; install it with your" \
	         "package manager (Debian: apt-get install chromium fonts-noto-cjk)." >&2; \
	    exit 1; \
	  fi; \
	  sudo=""; \
	  if [ "$$(id -u)" != 0 ]; then \
	    if ! command -v sudo >/dev/null 2>&1; then \
	      echo "Chromium is missing. As root, run: apt-get install chromium fonts-noto-cjk" >&2; \
	      exit 1; \
	    fi; \
	    sudo=sudo; \
	  fi; \
	  echo "Installing Chromium for the browser tests (apt-get)"; \
	  $$sudo apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    chromium fonts-noto-cjk || { \
	    echo "Could not install Chromium. Run: sudo apt-get install chromium fonts-noto-cjk" >&2; \
	    exit 1; }; \
	fi

test: install chromium
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# A fresh test database per run, so runs never meet each other's leftovers.
test-postgres: install chromium
	@case '$(POSTGRES_URL)' in postgres://*|postgresql://*) ;; \
	  *) echo "DATABASE_URL must be a postgres:// URL for test-postgres" >&2; exit 1;; esac
	DATABASE_URL='$(POSTGRES_URL)' \
	CREDFILE_TEST_DATABASE_NAME="$${CREDFILE_TEST_DATABASE_NAME:-test_credfile_$$(date +%Y%m%d%H%M%S)_$$$$}" \
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The Django checks run in a throwaway instance (with its own encryption key), so that lint
# neither needs nor touches the data in var/.
lint: install
	$(BIN)/ruff check
	$(BIN)/ruff format --check
	$(BIN)/mypy
	@home="$$(mktemp -d)"; trap 'rm -rf "$$home"' EXIT; export CREDFILE_HOME="$$home"; \
	$(BIN)/credfile keys init --if-missing >/dev/null; \
	echo "credfile makemigrations --check --dry-run"; \
	$(BIN)/credfile makemigrations --check --dry-run; \
	echo "credfile spectacular --validate --fail-on-warn"; \
	$(BIN)/credfile spectacular --validate --fail-on-warn --file /dev/null

fmt: install
	$(BIN)/ruff check --fix
	$(BIN)/ruff format

# Run inside the package, so that neither .venv nor tests are scanned for messages.
messages: install
	cd src/credfile && ../../$(BIN)/credfile makemessages -l zh_Hans -l en --domain django \
	  --no-obsolete --ignore 'static/*'
	cd src/credfile && ../../$(BIN)/credfile compilemessages -l zh_Hans -l en

# A separate instance under $(BENCH_HOME): the first run loads the demo data (and times the
# load), later runs reuse it.
bench: install
	@export CREDFILE_HOME='$(BENCH_HOME)'; \
	$(BIN)/credfile keys init --if-missing; \
	$(BIN)/credfile migrate --no-input --verbosity 0; \
	customers="$$($(COUNT_CUSTOMERS))"; \
	if [ "$$customers" = 0 ]; then \
	  $(BIN)/python scripts/benchmark.py --demo --customers $(BENCH_CUSTOMERS) --seed $(DEMO_SEED); \
	else \
	  echo "Reusing $$customers customers in $(BENCH_HOME) (remove it to start afresh)"; \
	  $(BIN)/python scripts/benchmark.py; \
	fi
