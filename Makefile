# panel_tui: two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
SUM    := $(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# Running needs only the package; the tests add their extras (pytest, playwright, ...).
RUN_STAMP := $(VENV)/.installed-run-$(SUM)
STAMP  := $(VENV)/.installed-test-$(SUM)

.PHONY: run test check sim bench clean compile

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(RUN_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	rm -f $(VENV)/.installed-run-*
	touch $(RUN_STAMP)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP) $(RUN_STAMP)

# The package is installed editable and PYTHONDONTWRITEBYTECODE may be set: without this every
# start would compile our modules again (~25 ms). Only changed files are compiled.
compile: $(BIN)/python
	$(BIN)/python -m compileall -q panel_tui

run: $(RUN_STAMP) compile
	$(BIN)/panel-tui $(ARGS)

test: $(STAMP) compile
	$(BIN)/python -m pytest $(PYTEST_ARGS)

check: $(RUN_STAMP) compile
	$(BIN)/panel-tui check

sim: $(RUN_STAMP) compile
	$(BIN)/panel-tui sim

bench: $(STAMP) compile
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/menu_latency.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
