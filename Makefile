# golive — everything a newcomer needs is one of these targets.
#   make demo   set up, start the sample app with its PostgreSQL and Redis, and show golive on it
#   make demo-rollout  ParkWise v1 and v2 behind nginx: a canary rolled back by itself under load
#   make demo-scale    PostgreSQL, Redis, workers in two regions, two serve replicas: quorum holds
#               a one-region failure back, the leader is killed, the other pages once
#   make test   set up, install the real servers the tests need, run the whole suite on
#               TEST_WORKERS pytest-xdist workers (0 = serial) in a random order that
#               pytest-randomly prints as a seed; PYTEST_ARGS is passed on, e.g.
#               PYTEST_ARGS="--randomly-seed=N" repeats an order, "-p no:randomly" keeps file order
#   make lint   ruff format --check, ruff check, mypy --strict
#   make bench  benchmarks (prints their tables, writes bench/results/*.json); arguments per
#               bench: STARTUP_ARGS (startup.py), BENCH_ARGS (probes.py), SCALE_ARGS
#               (serve_scale.py), DETECTION_ARGS, WEB_ARGS, PINGS_ARGS, LOADTEST_ARGS,
#               BACKUP_ARGS (backup.py),
#               METRICS_ARGS (metrics.py), FLAGS_ARGS (flags.py), LEASE_ARGS (leases.py:
#               leader hand-over after SIGKILL), STORE_COPY_ARGS (store_copy.py),
#               WORKERS_ARGS (workers.py),
#               FAILOVER_ARGS (failover.py: serve replicas' hand-over, the page after it,
#               doubled notifications)

SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
STAMP := $(VENV)/.synced
# The suite waits on servers and subprocesses more than it computes: twice the cores, at most 4.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); n=$$((n * 2)); echo $$((n > 4 ? 4 : n)))

.PHONY: demo demo-rollout demo-scale test lint bench system clean

$(UV):
	@echo "installing uv into .tools/ (once)"
	@$(PYTHON) -m venv .tools && .tools/bin/pip install --quiet --disable-pip-version-check uv

$(STAMP): pyproject.toml uv.lock | $(UV)
	@$(UV) sync --frozen --quiet --compile-bytecode
	@touch $(STAMP)

system:
	@bash devkit/system.sh

demo: $(STAMP) system
	@$(VENV)/bin/python -m devkit.demo

demo-rollout: $(STAMP) system
	@$(VENV)/bin/python -m devkit.demo_rollout

demo-scale: $(STAMP) system
	@$(VENV)/bin/python -m devkit.demo_scale

# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set: the suite starts hundreds of
# `python -m golive` processes and four workers that rewrite the test modules' asserts, and
# compiling them all again each time cost ~15% of the CPU of the CLI tests.
test: $(STAMP) system
	@PYTHONDONTWRITEBYTECODE= $(VENV)/bin/pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: $(STAMP)
	@$(VENV)/bin/ruff format --check src tests devkit bench examples docs
	@$(VENV)/bin/ruff check src tests devkit bench examples docs
	@$(VENV)/bin/mypy

bench: $(STAMP)
	@bash devkit/system.sh prometheus-blackbox-exporter prometheus prometheus-alertmanager wrk
	@$(VENV)/bin/python bench/startup.py $(STARTUP_ARGS)
	@$(VENV)/bin/python bench/probes.py $(BENCH_ARGS)
	@$(VENV)/bin/python bench/serve_scale.py $(SCALE_ARGS)
	@$(VENV)/bin/python bench/detection.py $(DETECTION_ARGS)
	@$(VENV)/bin/python bench/web.py $(WEB_ARGS)
	@$(VENV)/bin/python bench/pings.py $(PINGS_ARGS)
	@$(VENV)/bin/python bench/loadtest.py $(LOADTEST_ARGS)
	@$(VENV)/bin/python bench/backup.py $(BACKUP_ARGS)
	@$(VENV)/bin/python bench/metrics.py $(METRICS_ARGS)
	@$(VENV)/bin/python bench/rollout.py $(ROLLOUT_ARGS)
	@$(VENV)/bin/python bench/flags.py $(FLAGS_ARGS)
	@$(VENV)/bin/python bench/leases.py $(LEASE_ARGS)
	@$(VENV)/bin/python bench/store_copy.py $(STORE_COPY_ARGS)
	@$(VENV)/bin/python bench/workers.py $(WORKERS_ARGS)
	@$(VENV)/bin/python bench/failover.py $(FAILOVER_ARGS)

clean:
	rm -rf $(VENV) .tools .golive bench/results
