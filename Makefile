# Itinera: `make run` brings the suite up (supervised: a process that dies is restarted),
# `make test` runs every test tier.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
GATEWAY_PORT ?= 8000
export GATEWAY_PORT

.PHONY: install run test test-unit migrate bench docs clean

$(VENV)/.installed: pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Itinera needs Python 3.11 or newer ($(PYTHON) is older)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $@

install: $(VENV)/.installed

run: install
	@PY=$(PY) deploy/ensure-rabbitmq.sh
	@for s in crm itinerary ticketing contracts feedback gateway; do $(PY) -m services.common.migrations $$s upgrade head >/dev/null || exit 1; done
	@mkdir -p var; [ -s var/dev-admin-password ] || $(PY) -c 'import secrets; print(secrets.token_urlsafe(12))' > var/dev-admin-password
	@echo "Itinera gateway: http://127.0.0.1:$(GATEWAY_PORT)/  (API docs: http://127.0.0.1:$(GATEWAY_PORT)/api/v1/docs, readiness: /readyz). Ctrl-C stops everything."
	@echo "Sign in (local development account): $${ADMIN_USERNAME:-admin} / $${ADMIN_PASSWORD:-$$(cat var/dev-admin-password)}"
	@# supervisord runs the Procfile and restarts a process that dies (services/common/supervision.py).
	@ADMIN_USERNAME="$${ADMIN_USERNAME:-admin}" ADMIN_PASSWORD="$${ADMIN_PASSWORD:-$$(cat var/dev-admin-password)}" \
		PATH="$(abspath $(BIN)):$$PATH" exec $(PY) -m services.common.supervision Procfile --run-dir var/supervisor

# The suite as two pytest runs side by side (tests/parallel.py); PYTEST_ARGS: one run of those.
test: install
	@PY=$(PY) deploy/ensure-rabbitmq.sh
	$(PY) -m tests.parallel $(PYTEST_ARGS)

test-unit: install
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

migrate: install
	@for s in crm itinerary ticketing contracts feedback; do $(PY) -m services.common.migrations $$s upgrade head || exit 1; done

docs: install
	$(PY) -m gateway.auth > docs/roles.md

bench: install
	@PY=$(PY) deploy/ensure-rabbitmq.sh
	$(PY) -m bench

clean:
	rm -rf $(VENV) var .pytest_cache
