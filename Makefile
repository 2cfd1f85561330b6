# Two commands do everything: `make demo` and `make test`. Both install into .venv when needed.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# Tests and notebooks never reach beyond 127.0.0.1: no EC2 instance-metadata lookups for credentials.
export AWS_EC2_METADATA_DISABLED := true

.PHONY: install demo test lint typecheck unit notebooks fuzz bench browser-deps clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -U pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: install
	$(VENV)/bin/workbench demo

lint: install
	$(VENV)/bin/ruff check workbench missions tests bench

typecheck: install
	$(VENV)/bin/mypy workbench

unit: install
	$(PY) -m pytest --missions missions --missions missions/catalog

# Every notebook runs top to bottom (no AWS credentials needed) and ends by asserting what it showed.
notebooks: install
	$(PY) -m pytest --nbval-lax -p no:cacheprovider notebooks

# Browser checks need Debian's chromium; install it when we can (root with apt), else the tests say why they skip.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi

test: install browser-deps lint typecheck unit notebooks

# `make test` runs the Hypothesis property tests derandomised (the same examples every run; tests/conftest.py).
# This runs only them, with a new random seed each time and 2,000 examples per test; a failure prints the
# example and a @reproduce_failure blob, and is kept in .hypothesis/ so the next run tries it first.
fuzz: install
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest -p no:cacheprovider -m hypothesis --hypothesis-show-statistics tests

bench: install
	$(PY) -m pip install -q stepfunctions-asl
	for b in compile lint graph engine embedded_timewarp distributed_map history store report composer; do $(PY) bench/$$b.py || exit 1; done

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache test-artifacts reports
