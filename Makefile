# The front door. Each target sets up .venv on first use.
PYTHON ?= python3
PY := .venv/bin/python
APP_STAMP := .venv/.installed-app
DEV_STAMP := .venv/.installed-dev
PYTEST_ARGS ?=

.PHONY: run worker setup test test-browser lint fmt check messages messages-check bench clean

$(APP_STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv .venv
	$(PY) -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(DEV_STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv .venv
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(APP_STAMP) $@

## run: set up (database, demo on first use) and serve http://127.0.0.1:8000 with the worker
run: $(APP_STAMP)
	$(PY) -m hromada setup
	$(PY) -m hromada run

worker: $(APP_STAMP)
	$(PY) -m hromada worker

setup: $(APP_STAMP)
	$(PY) -m hromada setup

## test: the whole suite except the browser tests (SQLite, or DATABASE_URL)
test: $(DEV_STAMP)
	$(PY) -m hromada build_catalogs
	$(PY) -m pytest -m "not browser" -p no:cacheprovider $(PYTEST_ARGS)

## test-browser: drive Debian's Chromium against a real server (apt-get install chromium)
test-browser: $(DEV_STAMP)
	$(PY) -m hromada build_catalogs
	$(PY) -m pytest -m browser -p no:cacheprovider $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy hromada
	.venv/bin/djlint --lint --quiet hromada
	@# bandit at medium severity and above; B608 (SQL built from strings) is ruff's S608, where
	@# each such line carries a reviewed noqa (table names and placeholders only).
	.venv/bin/bandit -q -r hromada -x '*/tests/*,*/migrations/*' -ll -s B608

fmt: $(DEV_STAMP)
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

## check: lint, missing migrations, deployment checks, translation catalogs up to date
check: lint messages-check
	$(PY) -m hromada makemigrations --check --dry-run
	HTTPS=1 $(PY) -m hromada check --deploy --fail-level WARNING

## messages: regenerate the uk and en catalogs from the code (needs GNU gettext), then compile
messages: $(DEV_STAMP)
	cd hromada && ../$(PY) -m hromada makemessages -l uk -l en -l fr -l de -l pl --no-location --no-obsolete --no-wrap \
	  --ignore 'static/*' --ignore 'migrations/*'
	$(PY) -m hromada english_catalog
	$(PY) -m hromada build_catalogs

## messages-check: fail when the committed catalogs differ from what the code asks for
messages-check: $(DEV_STAMP)
	@tmp=$$(mktemp -d); cp -r hromada/locale $$tmp/; \
	$(MAKE) --no-print-directory messages >/dev/null; \
	diff -r -u -I 'POT-Creation-Date' -x '*.mo' $$tmp/locale hromada/locale; rc=$$?; \
	rm -rf hromada/locale; cp -r $$tmp/locale hromada/locale; rm -rf $$tmp; \
	if [ $$rc -ne 0 ]; then echo "Catalogs are out of date: run 'make messages' and translate."; fi; exit $$rc

bench: $(DEV_STAMP)
	$(PY) bench/page_weight.py
	$(PY) bench/slow_network.py
	$(PY) bench/allocation.py
	$(PY) bench/volunteers_search.py
	$(PY) bench/sitrep.py
	$(PY) bench/alerts_signage.py
	$(PY) bench/aid_import.py
	$(PY) bench/tracing.py --records 100000
	$(PY) bench/need_parser.py

clean:
	rm -rf .venv var
