# Two commands for a newcomer: `make run` and `make test`. Everything else here serves those two.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
SANDBOX_PORT ?= 8100
SANDBOX_RESIDENTS ?= 1000
PG_SERVER_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
REDIS_STACK_TEST_URL ?= redis://127.0.0.1:6379/14
# SQLite pass: three workers on 2 cores (a third of a test's time waits on sockets, sandboxes and timers). The
# PostgreSQL pass keeps two: its Celery and make-stack tests run worker processes of their own, and with a third
# test worker beside them a push missed its 60 s wait.
PYTEST_WORKERS ?= 3
PG_PYTEST_WORKERS ?= 2
REQS_HASH := $(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
STAMP := $(VENV)/.installed-$(REQS_HASH)

.PHONY: run stack stack-reset test install migrate migration lint bench load clean sandbox-reset

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP)

migrate: install
	@$(VENV)/bin/alembic upgrade head

## make run: the embedded default (SQLite, in-process worker, sandbox platform + identity provider). It writes the
## sandbox's addresses to instance/.env, which every hub process and `flask …` command reads (under .env and the
## environment), so a command in another terminal reaches this sandbox and database. ACCESS_LOG=true shows a line per
## request; off by default here, so the terminal shows what the walkthrough asks to see ("push logged").
ACCESS_LOG ?= false
run: install
	@mkdir -p instance
	@printf '%s\n' "# Written by make run: the sandbox it started. Read by every hub process and flask command, under" \
		"# .env (your own settings) and the environment, which both win over it." \
		"PORT=$(PORT)" "SANDBOX_PORT=$(SANDBOX_PORT)" "PUBLIC_URL=http://127.0.0.1:$(PORT)" \
		"SANDBOX_URL=http://127.0.0.1:$(SANDBOX_PORT)" "PLATFORM_URL=http://127.0.0.1:$(SANDBOX_PORT)/platform" \
		"OIDC_ISSUER=http://127.0.0.1:$(SANDBOX_PORT)/idp" "STAFF_OIDC_ISSUER=http://127.0.0.1:$(SANDBOX_PORT)/staff-idp" \
		> instance/.env
	@$(VENV)/bin/alembic upgrade head
	@$(PY) -m simulator --host 127.0.0.1 --port $(SANDBOX_PORT) --residents $(SANDBOX_RESIDENTS) \
		--public-url http://127.0.0.1:$(SANDBOX_PORT) \
		--hub-events-url http://127.0.0.1:$(PORT)/v1/platform/events & \
	  sandbox=$$!; trap "kill $$sandbox 2>/dev/null" EXIT INT TERM; \
	  $(PY) -m flask --app composition:create_app sandbox seed && \
	  $(PY) -m flask --app composition:create_app sandbox welcome --port $(PORT) --sandbox-port $(SANDBOX_PORT) && \
	  ACCESS_LOG=$(ACCESS_LOG) $(VENV)/bin/gunicorn -c gunicorn.conf.py --bind 127.0.0.1:$(PORT) --workers 1 \
		--threads 8 --log-level warning wsgi:app

## make stack: the production topology on this machine (PostgreSQL, Redis, gunicorn × WEB_CONCURRENCY, Celery
## workers + one beat, the sandbox, firebase-admin → the fake FCM server) with HUB_ENV=staging, under honcho
## (Procfile); same ports as make run. Knobs: STACK_DATABASE_URL, STACK_REDIS_URL, WEB_CONCURRENCY, WEB_THREADS,
## CELERY_CONCURRENCY, STACK_FORMATION (e.g. web=2,worker=2), FCM_PORT, STACK_DIR (ops/stack.py).
stack: export PORT := $(PORT)
stack: export SANDBOX_PORT := $(SANDBOX_PORT)
stack: install
	@$(PY) -m ops.stack up

## make stack-reset: drop the stack's database and .stack/ (its secrets and keys)
stack-reset: install
	@$(PY) -m ops.stack reset

## make test: lint (ruff check + format check), then the whole suite on SQLite; with CI=true also on PostgreSQL and
## the Redis/Celery path, and make stack booted and driven (tests/ops/test_stack.py, a Redis database of its own)
## Wall-clock budget tests (marker timing) run alone after the parallel SQLite pass and not again on PostgreSQL:
## what they time (budgets, breakers, waits on the sandbox) does not depend on the database.
test: lint
	@if [ "$${CI:-}" = "true" ]; then export TEST_REDIS_URL=$(REDIS_TEST_URL) TEST_STACK_REDIS_URL=$(REDIS_STACK_TEST_URL); fi; \
	  echo "== SQLite pass =="; \
	  $(PY) -m pytest -q -n $(PYTEST_WORKERS) $(if $(PYTEST_ARGS),$(PYTEST_ARGS),-m "not timing") && \
	  if [ -z "$(PYTEST_ARGS)" ]; then echo "== wall-clock budgets, alone =="; $(PY) -m pytest -q -n 0 -m timing; fi && \
	  if [ "$${CI:-}" = "true" ]; then \
	    echo "== PostgreSQL pass (with the Redis/Celery path) =="; \
	    TEST_DATABASE_URL=$(PG_SERVER_URL) $(PY) -m pytest -q -n $(PG_PYTEST_WORKERS) $(if $(PYTEST_ARGS),$(PYTEST_ARGS),-m "not timing"); \
	  fi

migration: install
	@$(VENV)/bin/alembic revision --autogenerate -m "$(m)" $(if $(id),--rev-id $(id))

lint: install
	@$(PY) -m ruff check .
	@$(PY) -m ruff format --check .

## make bench: every benchmark once (bench/run_all.py; QUICK=1 for a short run of each); never part of make test
bench: install
	@$(PY) bench/run_all.py $(if $(QUICK),--quick)

## make sandbox-reset: the hub's sandbox data dropped and reseeded, the sandbox back at day 0 (keeps .venv)
sandbox-reset: install
	@$(PY) -m flask --app composition:create_app sandbox reset

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
