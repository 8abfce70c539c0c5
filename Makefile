# betternets: two commands.
#   make demo   create .venv, install, release the course, grade the sample class
#   make test   run the whole test suite
VENV ?= .venv
BIN := $(abspath $(VENV))/bin
PYTHON ?= python3
# nbgrader runs `alembic` as a subprocess: the environment's bin must be on PATH.
export PATH := $(BIN):$(PATH)
export MPLBACKEND := Agg

.PHONY: demo test test-fast lint setup system-packages release grade feedback site clean

# The system packages the tests use (scripts/system_packages.py holds the one list):
# installed with apt-get as root or with passwordless sudo; elsewhere the tests that
# need them are skipped, and the run ends by naming them.
system-packages:
	@$(PYTHON) scripts/system_packages.py install

setup: system-packages $(VENV)/.installed

$(VENV)/.installed: pyproject.toml autograder/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[instructor]" -e "./autograder[postgresql]"
	touch $@

release: setup
	$(BIN)/betternets release

grade: setup
	$(BIN)/betternets grade autograder/samples --out results.csv

feedback: setup
	$(BIN)/betternets feedback --out feedback

site: setup
	$(BIN)/betternets site --out site

demo: release grade

# A throwaway local PostgreSQL server runs beside the suite where its binaries exist.
# pytest-xdist: one worker per core, each test file on one worker, longest files first
# (tests/conftest.py).
PYTEST_PARALLEL ?= -n auto --dist loadfile --no-loadscope-reorder
test: setup
	$(BIN)/python scripts/with_postgres.py $(BIN)/python -m pytest -q $(PYTEST_PARALLEL)

# The in-process tests only (tests/unit, tests/reference, tests/checks): no kernel, notebook,
# nbgrader run or browser.
test-fast: setup
	$(BIN)/python -m pytest -q $(PYTEST_PARALLEL) -m "not slow"

lint: setup
	$(BIN)/ruff check src autograder tests benchmarks scripts

clean:
	rm -rf course results.csv feedback site
