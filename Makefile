# govhall — two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PY := .venv/bin/python
UV_VERSION := 0.13.8
PORT ?= 8000
TEST_WORKERS ?= 2
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv

.PHONY: venv migrate demo run test fuzz lint format bench mutate clean

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install -q --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: pyproject.toml uv.lock | .tools/bin/uv
	.tools/bin/uv sync --frozen --python python3
	touch $@

venv: .venv/.synced

migrate: venv
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: demo
	PORT=$(PORT) bash scripts/run.sh

test: venv
	GOVHALL_TESTING=1 $(PY) -m pytest -n $(TEST_WORKERS) -p no:cacheprovider $(PYTEST_ARGS)

# Schemathesis over the whole API against a real server (about 4 minutes; CI runs it).
fuzz: venv
	bash scripts/fuzz_api.sh

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: venv
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: venv
	for b in $(filter-out bench/bench_%.py,$(wildcard bench/*.py)); do echo "== $$b"; $(PY) $$b; done

# Mutation testing of the rule modules (scope, masking, working days, booking capacity, line
# ordering, case deadlines) against their tests, configured in pyproject.toml [tool.mutmut].
# Slow; not in CI.
# Scope is the Scope class and how it is built (the org selectors' plain reads are not rules).
SCOPE_MUTANTS := $(foreach f,xǁScopeǁ* x__build_scope* x__descendant* x__flags_match* \
	x_scope_for* x_invalidate_scope*,govhall.org.selectors.$(f))
MUTANTS ?= $(SCOPE_MUTANTS) govhall.core.masking.* govhall.core.workdays.* \
	govhall.appointments.services.booking.* govhall.queueing.selectors.x_window_order_key* \
	govhall.cases.services.deadlines.*

mutate: venv
	rm -rf mutants
	GOVHALL_TESTING=1 .venv/bin/mutmut run $(foreach m,$(MUTANTS),"$(m)") >/dev/null 2>&1 \
		|| { echo "mutmut run failed"; exit 1; }
	.venv/bin/mutmut results --all true 2>/dev/null | $(PY) scripts/mutation_report.py

clean:
	rm -rf .venv .tools staticfiles mutants
