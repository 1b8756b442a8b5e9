# envmon — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ENVMON := $(BIN)/envmon

.PHONY: install run test test-fast lint lock es-up es-down bench demo clean

# requirements.lock pins every dependency to the versions the tests ran with (`make lock` renews it).
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

## install: create .venv, install envmon with its dev tools, build the models from nlp/data
install: $(STAMP)
	@$(ENVMON) train --out nlp/models

## run: set up, ingest the default real sources once (embedded SQLite), write this week's report
run: install
	$(ENVMON) run
	$(ENVMON) report weekly
	@echo "Analyst app: $(ENVMON) user add admin --role admin --password-stdin (once), then $(ENVMON) serve → http://127.0.0.1:8000/"

## demo: offline, under a minute: a loopback site and a planted escalation through everything
demo: install
	$(ENVMON) demo

CHROMIUM := /usr/bin/chromium
# Debian's Chromium drives the browser tests (Playwright's own browser download is not reachable).
$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

## test: everything, on a fresh clone (installs what it needs first)
test: install $(CHROMIUM)
	$(BIN)/pytest -q

## test-fast: skip slow, Elasticsearch and browser tests
test-fast: install
	$(BIN)/pytest -q -m "not slow and not es and not browser"

## lock: re-resolve the dependencies within pyproject's ranges and pin them in requirements.lock
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install -q --upgrade pip && .lock-venv/bin/python -m pip install -q -e '.[dev]'
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^envmon' > requirements.lock
	rm -rf .lock-venv

## lint: ruff and mypy on the packages
lint: install
	$(BIN)/ruff check crawlers nlp flows index analyst envmon_cli tests bench
	$(BIN)/mypy crawlers nlp flows index analyst envmon_cli

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache build *.egg-info

## bench: every benchmark, one JSON line per figure (run `make es-up` first for the Elasticsearch ones)
bench: install
	$(BIN)/python -m bench.run_all

## es-up: start the local Elasticsearch 8.14 node (index/es-local) on 127.0.0.1:9200
es-up:
	scripts/es-up

## es-down: stop it
es-down:
	scripts/es-down
