# govhall — two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PY := .venv/bin/python
UV_VERSION := 0.13.8
PORT ?= 8000
TEST_WORKERS ?= 2
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv

.PHONY: venv migrate demo run test fuzz lint format bench clean

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

clean:
	rm -rf .venv .tools staticfiles
