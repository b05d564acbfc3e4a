# Two entry points: `make demo` and `make test`. Each creates or updates .venv first.
PYTHON ?= python3
VENV ?= .venv
# Override for another torch build, e.g. TORCH_SPEC="torch==2.13.0+cu128 --index-url ...".
TORCH_VERSION ?= 2.13.0
TORCH_SPEC ?= torch==$(TORCH_VERSION)
PY := $(VENV)/bin/python
STAMP := $(VENV)/.hocsau-installed
PYTEST_ARGS ?=

.PHONY: demo test venv benchmark lint clean

venv: $(STAMP)

# torch goes in first and is then held by a constraints file, so that no later resolver step
# can swap it for a newer build that drags in CUDA packages.
$(STAMP): pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(TORCH_SPEC)
	$(PY) -c "import torch; print('torch==' + torch.__version__)" > $(VENV)/constraints.txt
	$(PY) -m pip install -q -c $(VENV)/constraints.txt -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(PY) examples/demo.py

test: $(STAMP)
	OMP_NUM_THREADS=$${OMP_NUM_THREADS:-1} $(PY) -m pytest -q -n 2 $(PYTEST_ARGS)

benchmark: $(STAMP)
	$(PY) benchmarks/run_all.py

lint: $(STAMP)
	$(PY) -m ruff check src tests examples benchmarks

clean:
	rm -rf $(VENV) build src/*.egg-info
