# Two commands do everything on a fresh machine: `make demo` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SYSTEM_STAMP := $(VENV)/.system-packages

.PHONY: install system-packages demo test test-quick bench clean

install: $(STAMP) $(SYSTEM_STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Chromium (evidence capture, PDF reports, the JavaScript platform) and CJK fonts
# come from Debian: playwright's own browser download cannot work offline.
$(SYSTEM_STAMP):
	sh .ci/system-packages.sh
	test -d $(VENV) || python3 -m venv $(VENV)
	touch $(SYSTEM_STAMP)

demo: install
	$(VENV)/bin/haopin demo

test: install
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider

test-quick: install
	$(VENV)/bin/python -m pytest -q -x -m "not browser and not slow"

bench: install
	for script in benchmarks/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) data/demo
