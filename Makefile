# The targets people type. Each sets up what it needs first, so they work on a fresh clone.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.monspec-installed
SPECS  := $(sort $(wildcard spec/examples/*.yml))
OUT    ?= out

.PHONY: setup tools generate check test fuzz lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# promtool, amtool and Graphviz's dot come from Debian's packages; install them when we may, explain when we may not.
tools:
	@if ! command -v promtool >/dev/null 2>&1 || ! command -v amtool >/dev/null 2>&1 || ! command -v dot >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -q && apt-get install -y -q --no-install-recommends prometheus prometheus-alertmanager graphviz; \
	  else \
	    echo "promtool/amtool/dot missing: run 'sudo apt-get install prometheus prometheus-alertmanager graphviz'" >&2; exit 1; \
	  fi; \
	fi

generate: setup
	$(BIN)/monspec generate $(SPECS) --out $(OUT)

check: setup
	$(BIN)/monspec validate $(SPECS)
	$(BIN)/monspec generate --check $(SPECS) --out $(OUT)
	$(BIN)/monspec scan-secrets $(OUT)

test: setup tools
	$(BIN)/python -m pytest -q

# Over 20,000 hostile inputs through `monspec generate` and 50 SIGKILLs; prints the counts and time.
# Each test runs in its own process (tests/run_fuzz.py). MONSPEC_FUZZ_EXAMPLES=N changes the number of
# inputs; a failure is replayed from .hypothesis/ on the next run.
fuzz: setup tools
	$(BIN)/python tests/run_fuzz.py

lint: setup
	$(BIN)/ruff check generator tests bench
	$(BIN)/ruff format --check generator tests bench
	$(BIN)/mypy generator

bench: setup tools
	$(BIN)/python bench/generate.py
	$(BIN)/python bench/latency.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
