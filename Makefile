# Two commands for a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
WORKERS ?= 2

.PHONY: serve test bench lint clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,bench]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

serve: $(STAMP)
	$(VENV)/bin/cloudlet serve --port 4566 --data-dir ./.cloudlet

test: $(STAMP)
	@# JS SDK tests (tests/test_js_sdk.py) need tests/js/node_modules; skipped where node is absent.
	@if command -v node >/dev/null && command -v npm >/dev/null && [ ! -d tests/js/node_modules ]; then \
		(cd tests/js && npm ci --silent --no-audit --no-fund) || echo "npm ci failed in tests/js"; fi
	$(PY) -m pytest -n $(WORKERS) -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) benchmarks/run.py $(BENCH_ARGS)

lint: $(STAMP)
	$(PY) -m pyflakes src tests benchmarks 2>/dev/null || $(PY) -m compileall -q src tests benchmarks

clean:
	rm -rf $(VENV) .cloudlet
