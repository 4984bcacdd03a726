# Each target builds .venv from pyproject.toml when it is missing or older than it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test bench lint clean

$(BIN)/woq-console: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

demo: $(BIN)/woq-console
	$(BIN)/woq-console demo

# The checks of docs/typing.md: import contracts, ruff, mypy.
lint: $(BIN)/woq-console
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/mypy

# Two processes, a test file to each (--dist loadfile: a file's session fixtures, such as
# the replica of tests/test_replica.py, are built by one process): on this 2-core
# machine the suite waits on PostgreSQL, subprocesses and timeouts much of the time.
test: lint
	$(BIN)/python -m pytest -q -n 2 --dist loadfile $(PYTEST_ARGS)

bench: $(BIN)/woq-console
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
