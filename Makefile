# panel_tui: two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
SUM    := $(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# Running needs only the package; the tests add their extras (pytest, playwright, ...).
RUN_STAMP := $(VENV)/.installed-run-$(SUM)
STAMP  := $(VENV)/.installed-test-$(SUM)
DEV_STAMP := $(VENV)/.installed-dev-$(SUM)
# Tests run on every core (pytest-xdist; `-n auto` is 1.5 workers a core, see tests/conftest.py);
# `make test XDIST=` runs them in one process.
# loadgroup: a module marked xdist_group keeps its expensive module fixture on one worker.
XDIST  ?= -n auto --dist loadgroup
# mypy checks the whole package, untyped bodies included (pyproject.toml: check_untyped_defs).
MYPY_PACKAGES ?= panel_tui
# The tests that compare SVG snapshots (`make snapshots` updates them).
SNAPSHOT_TESTS = $(shell grep -rl --include='test_*.py' snap_compare tests)

.PHONY: run test lint snapshots dev check sim bench clean compile

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

$(DEV_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[test,dev]'
	touch $(DEV_STAMP)

# The package is installed editable and PYTHONDONTWRITEBYTECODE may be set: without this every
# start would compile our modules again (~25 ms). Only changed files are compiled.
compile: $(BIN)/python
	$(BIN)/python -m compileall -q panel_tui

run: $(RUN_STAMP) compile
	$(BIN)/panel-tui $(ARGS)

test: $(STAMP) compile
	$(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

# ruff (pyflakes, bugbear, isort, pycodestyle, pyupgrade, simplify, complexity <= 12, imports at the
# top but for the files pyproject.toml lists with why), mypy, and the layer contracts of pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check panel_tui tests bench
	$(BIN)/mypy $(MYPY_PACKAGES)
	$(BIN)/lint-imports

# Re-take the SVG snapshots (one process: syrupy then also deletes the snapshots no test uses).
# `make snapshots K=home` re-takes only the tests whose id matches; look at them before committing.
snapshots: $(STAMP) compile
	$(BIN)/python -m pytest $(SNAPSHOT_TESTS) --snapshot-update $(if $(K),-k '$(K)') $(PYTEST_ARGS)

# The panel with Textual's devtools: run `.venv/bin/textual console` in another terminal first.
dev: $(DEV_STAMP) compile
	$(BIN)/textual run --dev -c $(BIN)/panel-tui $(ARGS)

check: $(RUN_STAMP) compile
	$(BIN)/panel-tui check

sim: $(RUN_STAMP) compile
	$(BIN)/panel-tui sim

bench: $(STAMP) compile
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/menu_latency.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
