# pocflow: `make run` serves the demo, `make test` runs the whole suite.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SYSTEM_PACKAGES := libharfbuzz-subset0 gettext libpango-1.0-0 libpangoft2-1.0-0 postgresql-client chromium

.PHONY: run test test-browser lint bench bench-large install system-deps messages migrate seed serve timers check clean build prod loadtest

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: system-deps $(BIN)/python node_modules/.package-lock.json
	$(BIN)/pip install --quiet -e ".[test]"
	$(MAKE) --no-print-directory messages

# axe-core for the browser tests (tests/browser), exactly as package-lock.json pins it.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

# WeasyPrint needs Pango; HarfBuzz-subset makes Chinese letters ~20x faster; gettext compiles catalogs;
# the browser tests drive Debian's Chromium (never a downloaded build) and npm installs axe-core.
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

messages: $(BIN)/python
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=var -v 0

migrate: install
	$(BIN)/python manage.py migrate --noinput -v 0

seed: migrate
	$(BIN)/python manage.py seed_demo

# Serves on http://127.0.0.1:8000 with a loop that runs the timer sweep (deadlines, reminders, notices) every minute.
run: seed
	@( while true; do $(BIN)/python manage.py run_timers >/dev/null 2>&1; sleep 60; done ) & \
	trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py runserver 127.0.0.1:8000

# Production build: static files collected with content-hashed, compressed copies (served by WhiteNoise)
# and the translation catalogs compiled.
build: install
	STATIC_MANIFEST=1 $(BIN)/python manage.py collectstatic --noinput -v 0
	$(MAKE) --no-print-directory messages

# Production: migrate, then web server (gunicorn, gunicorn.conf.py), Celery worker and Celery beat in one
# command (honcho runs the Procfile). Needs DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY and ALLOWED_HOSTS.
prod: build
	@test -n "$$DATABASE_URL" || { echo "Set DATABASE_URL (see .env.example)"; exit 1; }
	@test -n "$$CELERY_BROKER_URL" || { echo "Set CELERY_BROKER_URL (see .env.example)"; exit 1; }
	$(BIN)/python manage.py migrate --noinput -v 0
	mkdir -p var
	$(BIN)/honcho start -f Procfile

# The import layers (docs/architecture.md) and the linter fail the build before any test runs.
lint: install
	$(BIN)/ruff check .
	PYTHONPATH=. $(BIN)/lint-imports --no-cache

# pytest-xdist: one worker per core; each worker gets its own test database.
test: install lint
	$(BIN)/python manage.py makemigrations --check --dry-run -v 1
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/pytest -q -n auto

# The browser walks alone (Chromium through Playwright, each role's main path in Chinese).
test-browser: install
	$(BIN)/pytest -q -m browser

# Benchmarks: assignment of 2,000 proposals x 5 experts; aggregation of 10,000 reviews; the statistics funnel over 10,000 proposals.
bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

# The city-size cases: assignment of 10,000 proposals x 3 from 3,000 experts (time and peak memory).
bench-large: install
	$(BIN)/python -m bench --large

# A bounded load test of the production server (a benchmark, not a test): 50 users for 60 s over every
# role's main pages, logins included; prints requests/s, p50/p95/p99 per page and the error count.
loadtest: install
	$(BIN)/pip install --quiet -e ".[load]"
	$(BIN)/python -m bench.loadtest

check: install
	$(BIN)/python manage.py check --deploy --fail-level ERROR

clean:
	rm -rf $(VENV) db.sqlite3 var node_modules
