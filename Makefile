# The front door. `make run` and `make test` each do the whole set-up first, so a fresh clone
# needs nothing else; re-running is quick because each step only does what changed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: setup run serve test lint format bench clean

$(INSTALLED): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(INSTALLED)

setup: $(INSTALLED)
	$(PY) manage.py migrate --noinput --verbosity 0
	$(PY) manage.py seed_catalog
	$(PY) manage.py seed_demo

run: setup
	$(PY) manage.py runserver 127.0.0.1:8000

# Production: gunicorn + WhiteNoise, settings from the environment (see .env.example).
serve: $(INSTALLED)
	@test -n "$$DJANGO_SECRET_KEY" || (echo "set DJANGO_SECRET_KEY (see .env.example)" && exit 2)
	DJANGO_DEBUG=$${DJANGO_DEBUG:-0} $(PY) manage.py migrate --noinput --verbosity 0
	DJANGO_DEBUG=$${DJANGO_DEBUG:-0} $(PY) manage.py seed_catalog
	DJANGO_DEBUG=$${DJANGO_DEBUG:-0} $(PY) manage.py collectstatic --noinput --verbosity 0
	DJANGO_DEBUG=$${DJANGO_DEBUG:-0} $(VENV)/bin/gunicorn infusion.wsgi \
		--workers $${GUNICORN_WORKERS:-2} --bind $${GUNICORN_BIND:-127.0.0.1:8000} \
		--access-logfile - --error-logfile - --timeout 60

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run --verbosity 0

test: setup lint
	$(VENV)/bin/pytest

format: $(INSTALLED)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: setup
	$(PY) bench/engine.py

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles
