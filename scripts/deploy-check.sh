#!/usr/bin/env bash
# The README's "Deploying" steps, run as written against PostgreSQL, then a smoke test of the
# running gunicorn. .ci/run calls it after the PostgreSQL test pass.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to a PostgreSQL database}"
PY="${PY:-.venv/bin/python}"
PORT="${DEPLOY_CHECK_PORT:-8765}"
work="$(mktemp -d)"
trap 'kill "${gunicorn_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

# --- As in the README ------------------------------------------------------------------------
export DJANGO_DEBUG=0
export DJANGO_SECRET_KEY="$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')"
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export DJANGO_STATIC_ROOT="$work/static"
$PY -m pip install --quiet --disable-pip-version-check -r requirements.txt
$PY manage.py check --deploy --fail-level WARNING
$PY manage.py migrate --noinput
$PY manage.py seed_catalog
$PY manage.py collectstatic --noinput --verbosity 0
DJANGO_SUPERUSER_PASSWORD="$($PY -c 'import secrets; print(secrets.token_urlsafe(16))')" \
  $PY manage.py createsuperuser --noinput --username deploy-check --email ops@example.org \
  2>/dev/null || true  # already there from an earlier run
"$(dirname "$PY")/gunicorn" infusion.wsgi --workers 2 --bind "127.0.0.1:$PORT" \
  --access-logfile "$work/access.log" --error-logfile "$work/error.log" &
gunicorn_pid=$!

# --- Smoke test (the proxy would set X-Forwarded-Proto: https) --------------------------------
get() { curl -fsS -H "X-Forwarded-Proto: https" "http://127.0.0.1:$PORT$1"; }
for _ in $(seq 1 60); do get /healthz >/dev/null 2>&1 && break; sleep 0.5; done
get /healthz | grep -q '"status": "ok"'
login_page="$(get /accounts/login/)"
echo "$login_page" | grep -q "Sign in"
css="$(echo "$login_page" | grep -o '/static/css/app\.[0-9a-f]*\.css' | head -1)"
test -n "$css" && get "$css" >/dev/null  # WhiteNoise serves the hashed static files
status="$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Forwarded-Proto: https' \
  "http://127.0.0.1:$PORT/orders/")"
test "$status" = 302  # anonymous visitors go to the login page
headers="$(curl -sSI -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$PORT/accounts/login/")"
echo "$headers" | grep -qi '^strict-transport-security:'
echo "$headers" | grep -qi "^content-security-policy: default-src 'self'"
echo "$headers" | grep -qi '^x-frame-options: DENY'
echo "deploy check: gunicorn on PostgreSQL serves the app as the README describes"
