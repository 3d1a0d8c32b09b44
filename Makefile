# The two commands:  make demo   (the seed story on the simulator)
#                    make test   (the whole test suite, lint and types)
# Both run an idempotent set-up first; a second run spends seconds on it.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
APT_PACKAGES := golang-go golang-github-vmware-govmomi-dev

.PHONY: setup demo test lint typecheck unit sim-build cassettes benchmarks mutate clean help fleet-demo

help:
	@echo "make demo   - set up if needed, then run the seed story against the simulator"
	@echo "make test   - set up if needed, then ruff, mypy and the whole pytest suite"
	@echo "make benchmarks | make cassettes | make mutate | make clean"
	@echo "make fleet-demo - the Ansible fleet playbook on 4 simulators, parallel vs sequential"

setup: $(STAMP) system-packages sim-build

# Python: a venv in the repo with vmcctl installed editable, redone when pyproject.toml changes.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

# Go toolchain + govmomi source (for the simulator) and Java (for H2O), only when missing.
.PHONY: system-packages
system-packages:
	@missing=""; \
	command -v go >/dev/null 2>&1 || missing="$$missing golang-go"; \
	dpkg -s golang-github-vmware-govmomi-dev >/dev/null 2>&1 || missing="$$missing golang-github-vmware-govmomi-dev"; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# The simulator binary: rebuilt only when a Go source is newer than it.
sim-build: $(STAMP) system-packages
	@$(VENV)/bin/vmcctl sim build

lint: $(STAMP)
	$(VENV)/bin/ruff check vmcctl tests benchmarks demo ansible_collections playbooks/ansible

typecheck: $(STAMP)
	$(VENV)/bin/mypy

test: setup lint typecheck
	$(VENV)/bin/pytest

demo: setup
	$(PY) demo/seed_story.py

benchmarks: setup
	$(PY) -m benchmarks.snapshot
	$(PY) -m benchmarks.placement
	$(PY) -m benchmarks.evacuation
	$(PY) -m benchmarks.watcher
	$(PY) -m benchmarks.startup

# The vmcctl.vsphere Ansible collection across 4 simulators (docs/scale.md).
fleet-demo: setup
	$(PY) playbooks/ansible/fleet_demo.py

cassettes: setup
	$(VENV)/bin/pytest -m cassette --record-cassettes

# Mutation testing (docs/testing.md): not part of `make test`. Mutates vmcctl/executor,
# vmcctl/placement and vmcctl/vsphere/relocate.py ([tool.mutmut] in pyproject.toml), runs
# the tests that reach each mutant, then prints the kill rate and every missed mutant.
# Simulator tests are left out unless MUTATE_SIM=1 (hours instead of minutes on 2 cores).
MUTATE_JOBS ?= 2
MUTATE_SIM ?=
mutate: setup
	@$(PY) -c "import mutmut" 2>/dev/null || \
		$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,mutate]'
	rm -rf mutants
	VMCCTL_TESTS_NO_SIM=$(if $(MUTATE_SIM),,1) \
		$(VENV)/bin/mutmut run --max-children $(MUTATE_JOBS) > mutants.log 2>&1 || \
		{ tail -40 mutants.log; exit 1; }
	@mv mutants.log mutants/run.log
	@$(PY) -m vmcctl.testing.mutation --mutmut $(VENV)/bin/mutmut

clean:
	rm -rf $(VENV) vmcctl/sim/bin .mypy_cache .ruff_cache .pytest_cache mutants mutants.log
