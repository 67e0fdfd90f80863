# Two commands a newcomer needs: `make demo` and `make test`. Each creates .venv with the
# machine's Python 3.11 and installs what it needs.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
AXE := $(VENV)/axe/node_modules/axe-core/axe.min.js

.PHONY: demo test lint pytest bench venv clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

# axe-core (accessibility audit in the browser tests) comes from the npm registry; without
# npm the audit is skipped on a developer's machine and fails under CI.
$(AXE):
	@if command -v npm >/dev/null 2>&1; then \
		npm install --no-save --no-audit --no-fund --prefix $(VENV)/axe axe-core@4.14.1 terser@5.51.2; \
	else echo "npm not found: the accessibility audit will be skipped"; fi

demo: $(STAMP)
	$(BIN)/python -m uvicorn --app-dir examples/fastapi_app app:app --host 127.0.0.1 --port 8000 --no-access-log

lint: $(STAMP)
	$(BIN)/ruff check src tests examples benchmarks
	$(BIN)/mypy

pytest: $(STAMP) $(AXE)
	$(BIN)/python -m pytest

test: lint pytest

bench: $(STAMP)
	@for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
