# Two commands on a fresh machine:  make run  ·  make test
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
export HOST PORT

.PHONY: run test bench mutation install install-dev translations messages lint format clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

translations: $(BIN)/python
	$(BIN)/python manage.py compile_translations -v0

# make run shows the portal as a newcomer should see it: DEBUG off (the portal's own error pages,
# WhiteNoise serving the collected static files), a local secret kept in var/secret_key, plain http
# on loopback. Each can be overridden from the environment; `DJANGO_DEBUG=True make run` for Django's
# debug pages while developing.
RUN_ENV = DJANGO_DEBUG="$${DJANGO_DEBUG:-False}" \
	DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat var/secret_key)}" \
	DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost,[::1],$(HOST)}" \
	DJANGO_SECURE_SSL_REDIRECT="$${DJANGO_SECURE_SSL_REDIRECT:-False}" \
	DJANGO_SECURE_COOKIES="$${DJANGO_SECURE_COOKIES:-False}" \
	DJANGO_SECURE_HSTS_SECONDS="$${DJANGO_SECURE_HSTS_SECONDS:-0}" \
	PORTAL_BASE_URL="$${PORTAL_BASE_URL:-http://$(HOST):$(PORT)}"

## make run: install, migrate, load the demo, start web + Celery worker + beat on http://$(HOST):$(PORT)
run: install translations
	@mkdir -p var
	@test -s var/secret_key || $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > var/secret_key
	@chmod 600 var/secret_key
	$(RUN_ENV) $(BIN)/python manage.py migrate --no-input
	$(RUN_ENV) $(BIN)/python manage.py collectstatic --no-input -v0
	$(RUN_ENV) $(BIN)/python manage.py seed_demo --force
	$(RUN_ENV) PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile -p $(PORT)

## make test: install the dev extra, lint, run the whole suite (services skip unless REQUIRE_SERVICES=1)
test: install-dev translations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

## make bench: benchmarks in tests/load (needs DATABASE_URL on PostgreSQL)
bench: install-dev translations
	$(BIN)/pytest tests/load -m load -s -p no:cacheprovider

## make mutation: mutmut over the mutants named in MUTATE (globs of mutmut's names: module.x_function),
## each against the fast SQLite tests that cover it ([tool.mutmut] in pyproject.toml); prints the kill
## rate and the survivors (docs/mutation-survivors.md explains the equivalent ones). Not part of make test.
MUTATE ?= governance.workflow.* governance.policy.* grids.policies.* governance.outbox.*

$(VENV)/.installed-mutation: pyproject.toml | $(VENV)/.installed-dev
	$(BIN)/pip install --quiet -e '.[dev,mutation]'
	@touch $@

mutation: install-dev translations $(VENV)/.installed-mutation
	rm -rf mutants
	env -u DATABASE_URL -u REDIS_URL -u REQUIRE_SERVICES $(BIN)/python tests/mutation/run.py run $(foreach m,$(MUTATE),'$(m)')
	$(BIN)/python tests/mutation/report.py $(foreach m,$(MUTATE),'$(m)')

## make messages: refresh the catalogues from the source strings (needs GNU gettext)
messages: install-dev
	$(BIN)/python manage.py makemessages -l en --no-obsolete --ignore '.venv/*' --ignore 'var/*'
	$(BIN)/python manage.py makemessages -d djangojs -l en --no-obsolete --ignore '.venv/*' --ignore 'var/*' --ignore 'static/vendor/*'

lint: install-dev
	$(BIN)/ruff check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var/staticfiles var/celery mutants
