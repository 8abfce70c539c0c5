# betternets: two commands.
#   make demo   create .venv, install, release the course, grade the sample class
#   make test   run the whole test suite
VENV ?= .venv
BIN := $(abspath $(VENV))/bin
PYTHON ?= python3
# nbgrader runs `alembic` as a subprocess: the environment's bin must be on PATH.
export PATH := $(BIN):$(PATH)
export MPLBACKEND := Agg

.PHONY: demo test setup release grade feedback site clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml autograder/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[instructor]" -e ./autograder
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

test: setup
	$(BIN)/python -m pytest -q

clean:
	rm -rf course results.csv feedback site
