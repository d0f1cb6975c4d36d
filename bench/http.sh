#!/usr/bin/env bash
# Benchmark two POST endpoints under HTTP load against the trivial /healthz view, as ratios.
#
# Run from anywhere:  bash bench/http.sh [-d SECONDS] [-t THREADS] [-c CONNECTIONS] [--keep]
#                     [--verbose]     (defaults: wrk -t2 -c8 -d10s --latency)
# Needs wrk (apt-get install -y wrk) and the project's .venv (or PYTHON=/path/to/python).
#
# It builds a throwaway SQLite database in a temporary directory (migrate, seed_catalog, one
# pharmacist user and the API token `manage.py api_token` prints), starts gunicorn with 2 sync
# workers and DEBUG off, signs in once with Python (urllib and a cookie jar) for a session and a
# CSRF token, checks that each endpoint answers the seed order correctly, warms each up with 20
# requests, then loads each for the same duration, one after the other:
#
#   HEALTHZ    GET /healthz: a trivial view, one SELECT 1. The baseline: it runs first and last,
#              and the ratios use the mean of the two runs;
#   CALCULATE  POST /api/v1/calculate: the seed order as JSON, Authorization: Bearer <token>;
#   PREVIEW    POST /orders/new/preview/: the order form's seed fields, form-encoded, as htmx
#              sends them (session cookie, X-CSRFToken and HX-Request headers).
#
# Goals (issue 9): CALCULATE serves at least 70% and PREVIEW at least 50% of HEALTHZ's requests/s,
# each with a p99 at most twice HEALTHZ's (the mean of its two runs' p99).
# A run in which any response is not 2xx (counted in wrk's Lua, 3xx included) or wrk saw a socket
# error is invalid: the figures are printed, marked INVALID, and the script exits with status 1.
# Compare ratios within one run, never absolute numbers across runs or machines.
#
# This is a shell script, not bench/http.py: a file named http.py in bench/ would shadow the
# standard library's http package for every script run from bench/ (Django imports it).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PY=${PYTHON:-$ROOT/.venv/bin/python}
GUNICORN=${GUNICORN:-$(dirname "$PY")/gunicorn}
DURATION=10
THREADS=2
CONNECTIONS=8
WORKERS=2
KEEP=0
VERBOSE=0
while [[ $# -gt 0 ]]; do
    case $1 in
        -d | --duration) DURATION=$2; shift 2 ;;
        -t | --threads) THREADS=$2; shift 2 ;;
        -c | --connections) CONNECTIONS=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        --verbose) VERBOSE=1; shift ;;
        -h | --help) sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
[[ -x $GUNICORN ]] || { echo "gunicorn not found at $GUNICORN" >&2; exit 2; }

TMP=$(mktemp -d -t bench-http-XXXXXX)
SERVER_PID=
cleanup() {
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID"  # the gunicorn master stops its workers
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ $KEEP == 1 ]]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

# The settings are read from the environment only (infusion/settings.py).
unset DATABASE_URL
export DJANGO_DEBUG=0
DJANGO_SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
export DJANGO_SECRET_KEY
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export DJANGO_SQLITE_PATH=$TMP/db.sqlite3
export DJANGO_STATIC_ROOT=$TMP/static  # empty: the endpoints under load use no static file
mkdir "$DJANGO_STATIC_ROOT"
export DJANGO_SECURE_SSL_REDIRECT=0  # plain HTTP on loopback: no TLS proxy in front
export BENCH_TMP=$TMP BENCH_USER=bench-pharmacist

# The Python half: `prepare` (sign in, check, warm up, write the wrk scripts) and `report`.
# Run with -c, so sys.path starts with the project root.
IFS= read -r -d '' HELPER <<'PYTHON' || true
import http.cookiejar
import json
import os
import platform
import secrets
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

TMP = Path(os.environ["BENCH_TMP"])
GOAL_SHARE = {"calculate": 0.70, "preview": 0.50}  # of HEALTHZ's requests/s
GOAL_P99_FACTOR = 2.0  # p99 at most this times HEALTHZ's
# The seed order: morphine 5 mg/hr, 25 mg/mL, 31 days on HMSA -> S9325 x 31, J3490 x 149.
SEED_REQUEST = {
    "profile": "HMSA",
    "start": "2026-01-01",
    "end": "2026-01-31",
    "drugs": [{"ndc": "00074-1133-03", "rate": "5 mg/hr"}],
}
SEED_EXPECTED = ("J3490", "149", "148.8")  # in the calculate answer and in the preview's HTML
# Each Lua state (one per wrk thread) counts the responses that are not 2xx; done() sums them
# and prints machine-readable lines after wrk's own report.
LUA_COMMON = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non2xx = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("non2xx") end
  local e = summary.errors
  io.write(string.format("BENCH requests %d\n", summary.requests))
  io.write(string.format("BENCH duration_us %d\n", summary.duration))
  io.write(string.format("BENCH non2xx %d\n", bad))
  io.write(string.format("BENCH wrk_status_errors %d\n", e.status))
  io.write(string.format("BENCH socket_errors %d\n", e.connect + e.read + e.write + e.timeout))
  io.write(string.format("BENCH p50_us %d\n", latency:percentile(50)))
  io.write(string.format("BENCH p99_us %d\n", latency:percentile(99)))
end
"""


def lua_string(text):
    """Return text as a double-quoted Lua string literal (ASCII only)."""
    if not text.isascii():
        raise ValueError("the wrk scripts take ASCII only")
    for char, escape in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r")):
        text = text.replace(char, escape)
    return f'"{text}"'


def lua_script(method, body, headers):
    lines = [f"wrk.method = {lua_string(method)}"]
    if body is not None:
        lines.append(f"wrk.body = {lua_string(body)}")
    lines += [f"wrk.headers[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items()]
    return "\n".join(lines) + "\n" + LUA_COMMON


def preview_fields(product, concentration):
    """Return the order form's seed fields as the browser posts them (tests/web/test_order_pages.py)."""
    return {
        "patient_reference": "ACC-1",
        "profile": "HMSA",
        "therapy": "continuous",
        "hours_per_day": "24",
        "start": "2026-01-01",
        "end": "2026-01-31",
        "nursing_visits": "",
        "drugs-TOTAL_FORMS": "1",
        "drugs-INITIAL_FORMS": "0",
        "drugs-MIN_NUM_FORMS": "1",
        "drugs-MAX_NUM_FORMS": "10",
        "drugs-0-product": str(product),
        "drugs-0-concentration": concentration,
        "drugs-0-rate_value": "5",
        "drugs-0-rate_unit": "mg/hr",
        "drugs-0-bolus_value": "",
        "drugs-0-bolus_unit": "mg",
        "drugs-0-boluses_per_day": "",
        "drugs-0-lockout_minutes": "",
        "drugs-0-weight_kg": "",
    }


def fetch(url, method="GET", body=None, headers=None):
    data = body.encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(base, username, password):
    """Sign in through the login view; return (sessionid, csrftoken) as the login set them.

    With DEBUG off and no collectstatic the login page cannot render (base.html's {% static %}
    needs the manifest), so the form is posted without GETting it first, with a CSRF token of
    our own in both the cookie and the form: Django checks only that the two match. Both
    cookies are Secure with DEBUG off: the jar keeps them but would not send them over plain
    HTTP, so they are read from the jar and sent by hand."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    login = f"{base}/accounts/login/"
    csrf = secrets.token_hex(16)  # 32 characters: the form of an unmasked CSRF secret
    form = {"username": username, "password": password, "csrfmiddlewaretoken": csrf, "next": "/"}
    request = urllib.request.Request(
        login,
        data=urllib.parse.urlencode(form).encode(),
        headers={"Cookie": f"csrftoken={csrf}"},
    )
    try:
        opener.open(request, timeout=30)
        sys.exit("signing in did not redirect: wrong password, or the CSRF check refused it")
    except urllib.error.HTTPError as answer:  # the 302 of a successful sign-in
        if answer.code != 302:
            sys.exit(f"POST {login}: {answer.code}")
    cookies = {cookie.name: cookie.value for cookie in jar}
    return cookies["sessionid"], cookies["csrftoken"]  # Django rotates the CSRF token on login


def prepare(base, warmup):
    """Wait for the server, sign in, check and warm up each endpoint, write its wrk script."""
    deadline = time.monotonic() + 60
    while True:
        try:
            if fetch(f"{base}/healthz")[0] == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit("gunicorn did not answer /healthz within 60 s")
        time.sleep(0.2)
    made = json.loads((TMP / "user.json").read_text())
    sessionid, csrftoken = sign_in(base, os.environ["BENCH_USER"], os.environ["BENCH_PASSWORD"])
    endpoints = {
        "healthz": ("GET", None, {}),
        "calculate": (
            "POST",
            json.dumps(SEED_REQUEST),
            {
                "Content-Type": "application/json",
                "Authorization": f"Bearer {os.environ['BENCH_TOKEN']}",
            },
        ),
        "preview": (
            "POST",
            urllib.parse.urlencode(preview_fields(made["product"], made["concentration"])),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"sessionid={sessionid}; csrftoken={csrftoken}",
                "X-CSRFToken": csrftoken,
                "HX-Request": "true",
            },
        ),
    }
    for name, (method, body, headers) in endpoints.items():
        url = os.environ[f"URL_{name.upper()}"]
        status, text = fetch(url, method, body, headers)
        if status != 200:
            sys.exit(f"{name}: {method} {url} answered {status}\n{text[:3000]}")
        if name != "healthz" and not all(part in text for part in SEED_EXPECTED):
            sys.exit(f"{name}: the answer lacks {SEED_EXPECTED}\n{text[:3000]}")
        for _ in range(warmup):
            fetch(url, method, body, headers)
        (TMP / f"{name}.lua").write_text(lua_script(method, body, headers))


def report(runs):
    """Print each run, the ratios and the goals; return 1 if the run is invalid."""
    results = []
    for label in runs:
        values = {}
        for line in (TMP / f"{label}.out").read_text().splitlines():
            if line.startswith("BENCH "):
                _, key, value = line.split()
                values[key] = int(value)
        values["rps"] = values["requests"] / (values["duration_us"] / 1e6)
        results.append((label, values))
    healthz = [values["rps"] for label, values in results if label.startswith("healthz")]
    baseline = sum(healthz) / len(healthz)
    env = os.environ
    print(
        f"wrk -t{env['THREADS']} -c{env['CONNECTIONS']} -d{env['DURATION']}s --latency; "
        f"gunicorn, {env['WORKERS']} sync workers, DEBUG off, SQLite in a temp dir"
    )
    valid = True
    for label, values in results:
        bad = values["non2xx"] + values["wrk_status_errors"] + values["socket_errors"]
        valid = valid and bad == 0 and values["requests"] > 0
        print(
            f"  {label.upper():<10} {values['rps']:>8,.0f} req/s"
            f"  p50 {values['p50_us'] / 1000:>6.1f} ms  p99 {values['p99_us'] / 1000:>6.1f} ms"
            f"  {values['requests']:>7,} requests  non-2xx {values['non2xx']}"
            f" (wrk's own count {values['wrk_status_errors']})"
            f"  socket errors {values['socket_errors']}"
        )
    print(f"  HEALTHZ baseline {baseline:,.0f} req/s (mean of the first and last runs)")
    others = [(label, values) for label, values in results if not label.startswith("healthz")]
    print(
        "   ".join(f"{label.upper()} / HEALTHZ = {v['rps'] / baseline:.2f}" for label, v in others)
    )
    healthz_p99 = [v["p99_us"] / 1000 for label, v in results if label.startswith("healthz")]
    p99_limit = GOAL_P99_FACTOR * sum(healthz_p99) / len(healthz_p99)
    for label, values in others:
        share, p99, goal = values["rps"] / baseline, values["p99_us"] / 1000, GOAL_SHARE[label]
        print(
            f"goal: {label} >= {goal:.0%} of healthz req/s -> "
            f"{'MET' if share >= goal else 'NOT MET'} ({share:.0%}); "
            f"p99 <= {GOAL_P99_FACTOR:g}x healthz's ({p99_limit:.1f} ms) -> "
            f"{'MET' if p99 <= p99_limit else 'NOT MET'} ({p99:.1f} ms)"
        )
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.platform()}, {platform.machine()}, cpu_count={os.cpu_count()}; "
        f"load average {(TMP / 'load.before').read_text().strip()} before the load, "
        f"{(TMP / 'load.after').read_text().strip()} after"
    )
    if not valid:
        print("INVALID RUN: some responses were not 2xx, or wrk saw socket errors")
        return 1
    return 0


if sys.argv[1] == "prepare":
    prepare(sys.argv[2], int(sys.argv[3]))
else:
    sys.exit(report(sys.argv[2:]))
PYTHON

started=$SECONDS
manage() { "$PY" manage.py "$@"; }
manage migrate --noinput -v0
manage seed_catalog -v0 >/dev/null  # it reports what it added even at -v0
BENCH_PASSWORD=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(16))')
export BENCH_PASSWORD
manage shell -v0 -c '
import json, os
from django.contrib.auth.models import Group, User
from calculator.models import DrugProduct
from calculator.roles import PHARMACIST
user = User.objects.create_user(os.environ["BENCH_USER"], password=os.environ["BENCH_PASSWORD"])
user.groups.add(Group.objects.get(name=PHARMACIST))
morphine = DrugProduct.objects.get(ndc="00074113303")  # the seed order product, 25 mg/mL
print(json.dumps({"product": morphine.pk, "concentration": morphine.concentration}))
' >"$TMP/user.json"
BENCH_TOKEN=$(manage api_token "$BENCH_USER" 2>/dev/null)
export BENCH_TOKEN

# BENCH_PORT: a port of your own on a shared machine; otherwise any free one.
PORT=${BENCH_PORT:-$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
BASE=http://127.0.0.1:$PORT
export URL_HEALTHZ=$BASE/healthz URL_CALCULATE=$BASE/api/v1/calculate
export URL_PREVIEW=$BASE/orders/new/preview/
"$GUNICORN" infusion.wsgi:application --workers "$WORKERS" --worker-class sync \
    --bind "127.0.0.1:$PORT" --log-level warning >"$TMP/gunicorn.log" 2>&1 &
SERVER_PID=$!
"$PY" -c "$HELPER" prepare "$BASE" 20
echo "set-up $((SECONDS - started)) s; load: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency"

RUNS=(healthz calculate preview healthz2)
cut -d' ' -f1-3 /proc/loadavg >"$TMP/load.before"
for run in "${RUNS[@]}"; do
    url_var=URL_${run%2}
    url_var=${url_var^^}
    wrk "-t$THREADS" "-c$CONNECTIONS" "-d${DURATION}s" --latency -s "$TMP/${run%2}.lua" \
        "${!url_var}" >"$TMP/$run.out"
    if [[ $VERBOSE == 1 ]]; then echo "--- wrk $run ---"; cat "$TMP/$run.out"; fi
done

cut -d' ' -f1-3 /proc/loadavg >"$TMP/load.after"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=
status=0
THREADS=$THREADS CONNECTIONS=$CONNECTIONS DURATION=$DURATION WORKERS=$WORKERS \
    "$PY" -c "$HELPER" report "${RUNS[@]}" || status=$?
if [[ -s $TMP/gunicorn.log ]]; then  # warnings and errors only, Django's django.request log too
    echo "gunicorn log:"
    cat "$TMP/gunicorn.log"
fi
exit "$status"
