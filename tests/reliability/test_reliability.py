"""Reliability: concurrent order entry under gunicorn, a lost database, a failure inside a save,
and hostile input, on the database the suite runs on (SQLite, or PostgreSQL via DATABASE_URL).

The HTTP tests start a real gunicorn (2 sync workers, DEBUG off) on a throwaway database of
their own (tests/reliability/appserver.py): a temporary SQLite file, or a fresh PostgreSQL
database on the suite's cluster, dropped afterwards. The rest use the Django test client.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter
from datetime import date
from typing import Any

import pytest
from django.db import OperationalError
from django.http import QueryDict
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculator import engine, services
from calculator.domain.errors import InvalidOrder
from calculator.models import ClaimLine, DrugProduct, Order, OrderDrug
from calculator.web.forms import BOLUS_UNITS, RATE_UNITS, OrderEntry
from tests.conftest import SEED_NDC, SEED_NDC11, seed_order
from tests.reliability.appserver import PASSWORD, USERNAME, AppServer, suite_backend

pytestmark = pytest.mark.reliability

BACKEND = suite_backend()


def seed_body(reference: str) -> dict[str, Any]:
    """The seed order as the API takes it: 31 days on HMSA, one per-diem and one drug line."""
    return seed_order(patient_reference=reference)


def seed_form(product_pk: int, reference: str) -> dict[str, str]:
    """The seed order as the order form posts it (concentration filled from the label)."""
    return {
        "patient_reference": reference,
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
        "drugs-0-product": str(product_pk),
        "drugs-0-concentration": "25 mg/mL",
        "drugs-0-rate_value": "5",
        "drugs-0-rate_unit": "mg/hr",
        "drugs-0-bolus_value": "",
        "drugs-0-bolus_unit": "mg",
        "drugs-0-boluses_per_day": "",
        "drugs-0-weight_kg": "",
        "action": "save",
    }


# --- 1. Concurrency: 8 clients, 400 orders, 2 gunicorn workers -------------------------------


SKIP_REASONS = {
    "sqlite": "the SQLite variant runs when the suite runs on SQLite (no DATABASE_URL)",
    "postgresql": "the PostgreSQL variant runs when the suite runs on PostgreSQL "
    "(DATABASE_URL=postgres://...)",
}


def _on(backend: str) -> Any:
    """The variant for `backend`, skipped unless the suite itself runs on that database."""
    return pytest.param(
        backend,
        id=backend,
        marks=pytest.mark.skipif(backend != BACKEND, reason=SKIP_REASONS[backend]),
    )


@pytest.fixture(scope="module", params=[_on("sqlite"), _on("postgresql")])
def app_server(request, tmp_path_factory):
    """gunicorn with 2 sync workers on a throwaway database, stopped and dropped afterwards."""
    server = AppServer(request.param, tmp_path_factory.mktemp(f"app-{request.param}"))
    try:
        started = time.monotonic()
        server.setup()
        server.start()
        took = time.monotonic() - started
        print(f"\n[reliability] {request.param} app server ready in {took:.1f} s")
        yield server
    finally:
        server.close()


CLIENTS = 8
ORDERS_EACH = 50


def test_8_clients_save_400_orders_at_once_each_exactly_once(app_server: AppServer):
    """8 threads POST 50 orders each to /api/v1/orders at once: every answer is 201, and the
    database holds each of the 400 orders once, with its drug and its 2 claim lines."""
    log_start = len(app_server.log(tail=10**9))
    barrier = threading.Barrier(CLIENTS)
    answers: list[tuple[str, int, str]] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        http = app_server.client()
        barrier.wait(timeout=30)
        for n in range(ORDERS_EACH):
            reference = f"R-{number}-{n}"
            try:
                answer = http.post_json(
                    "/api/v1/orders", seed_body(reference), token=app_server.token
                )
                status, text = answer.status, answer.text
            except OSError as error:  # a refused or dropped connection is an error a user sees
                status, text = 0, repr(error)
            with lock:
                answers.append((reference, status, text))

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.monotonic() - started
    print(f"\n[reliability] {app_server.backend}: 400 orders over HTTP in {elapsed:.1f} s")

    assert not any(thread.is_alive() for thread in threads), "clients still waiting after 120 s"
    failed = [(ref, status, text[:200]) for ref, status, text in answers if status != 201]
    assert failed == [], f"{len(failed)} of {len(answers)} not saved; log:\n{app_server.log()}"
    assert len(answers) == CLIENTS * ORDERS_EACH
    answered_ids = {}
    for reference, _, text in answers:
        body = json.loads(text)
        assert body["patient_reference"] == reference
        answered_ids[reference] = body["id"]

    rows = app_server.orders("R-")
    per_reference = Counter(ref for _, ref, _, _ in rows)
    expected = {f"R-{i}-{n}" for i in range(CLIENTS) for n in range(ORDERS_EACH)}
    assert set(per_reference) == expected, "orders lost or unexpected"
    assert [ref for ref, count in per_reference.items() if count != 1] == [], "saved twice"
    assert {ref: pk for pk, ref, _, _ in rows} == answered_ids
    assert [(ref, drugs, lines) for _, ref, drugs, lines in rows if (drugs, lines) != (1, 2)] == []
    new_log = app_server.log(tail=10**9)[log_start:]
    trouble = ("Traceback", "Internal Server Error", "Service Unavailable", "CRITICAL", "TIMEOUT")
    assert [word for word in trouble if word in new_log] == [], new_log[-4000:]
    assert elapsed < 90


# --- 2a. The database goes away, and comes back ------------------------------------------------

LEAKS = ("Traceback", "OperationalError", "unable to open", 'File "', "psycopg", "sqlite")


def assert_clean_page(answer) -> None:
    """503 with the "try again" page: no traceback and no database details."""
    assert answer.status == 503, str(answer)
    assert answer.headers["content-type"].startswith("text/html"), str(answer)
    assert "try again" in answer.text.lower()
    assert [leak for leak in LEAKS if leak in answer.text] == []
    assert answer.headers.get("retry-after") == "5"


def assert_clean_json(answer, key: str = "errors") -> None:
    assert answer.status == 503, str(answer)
    assert answer.headers["content-type"].startswith("application/json"), str(answer)
    body = answer.json()
    assert key in body, body
    assert [leak for leak in LEAKS if leak in answer.text] == []


def test_a_lost_database_gives_503_and_the_same_workers_recover(app_server: AppServer):
    """With the database unreachable, pages, the form, the API and /healthz answer a clean 503,
    and a failed save leaves nothing; once it is back, the same gunicorn workers (no restart)
    answer 200 / 201 / 302 again."""
    workers = app_server.workers()
    assert len(workers) == 2
    (product_pk,) = app_server.query(
        "SELECT id FROM calculator_drugproduct WHERE ndc = ?", SEED_NDC11
    )[0]
    browser = app_server.client()
    browser.login(USERNAME, PASSWORD)
    assert browser.get("/orders/new/").status == 200
    api = app_server.client()
    token = app_server.token

    with app_server.database_down():
        for round_ in range(3):  # several rounds, so both workers meet the outage
            assert_clean_page(browser.get("/orders/new/"))
            form = seed_form(product_pk, f"F-DN-{round_}")
            assert_clean_page(browser.post_form("/orders/new/", form))
            body = seed_body(f"F-DA-{round_}")
            assert_clean_json(api.post_json("/api/v1/orders", body, token=token))
            health = app_server.client().get("/healthz")
            assert_clean_json(health, key="status")
            assert health.json()["status"] == "unavailable"

    # Back: every request succeeds at the first try, from the same processes.
    for _ in range(4):
        health = app_server.client().get("/healthz")
        assert health.status == 200, str(health)
        assert health.json()["status"] == "ok"
        assert browser.get("/orders/new/").status == 200
    saved_api = api.post_json("/api/v1/orders", seed_body("F-UA"), token=token)
    assert saved_api.status == 201, str(saved_api)
    saved_form = browser.post_form("/orders/new/", seed_form(product_pk, "F-UN"))
    assert saved_form.status == 302, str(saved_form)
    assert saved_form.headers["location"].startswith("/orders/")

    assert app_server.process is not None and app_server.process.poll() is None
    assert app_server.workers() == workers, "a worker was restarted"
    saved = sorted((ref, drugs, lines) for _, ref, drugs, lines in app_server.orders("F-"))
    assert saved == [("F-UA", 1, 2), ("F-UN", 1, 2)], "a request that failed saved something"


# --- 2b. A failure inside order_create saves nothing --------------------------------------------


@pytest.fixture
def pharmacist_client(catalog, pharmacist, client_for):
    client = client_for(pharmacist)
    client.raise_request_exception = False
    return client


def nothing_saved() -> dict[str, int]:
    return {
        "orders": Order.objects.count(),
        "drugs": OrderDrug.objects.count(),
        "lines": ClaimLine.objects.count(),
        "history": Order.history.model.objects.count(),
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("error", "status"),
    [(RuntimeError("boom"), 500), (OperationalError("server closed the connection"), 503)],
    ids=["bug", "database-lost"],
)
@pytest.mark.parametrize("via", ["api", "form"])
def test_a_failure_inside_order_create_leaves_no_half_saved_order(
    pharmacist_client, monkeypatch, error, status, via
):
    """The failure comes after the order and its drugs are written, before the claim lines:
    the whole order is rolled back, and the user gets a clean error (500, or 503 for a lost
    database), in JSON from the API."""
    written_before_failure = {}

    def failing_price_list(profile):
        written_before_failure.update(nothing_saved())
        raise error

    monkeypatch.setattr(services.orders, "price_list", failing_price_list)
    if via == "api":
        answer = pharmacist_client.post(
            "/api/v1/orders", json.dumps(seed_body("H-1")), content_type="application/json"
        )
        assert answer["Content-Type"].startswith("application/json")
        assert "errors" in answer.json()
    else:
        product = DrugProduct.objects.get(ndc=SEED_NDC11)
        answer = pharmacist_client.post(
            reverse("calculator:order-new"), seed_form(product.pk, "H-1")
        )
        assert answer["Content-Type"].startswith("text/html")
    assert answer.status_code == status
    assert "Traceback" not in answer.content.decode()
    assert written_before_failure["orders"] == 1 and written_before_failure["drugs"] == 1
    assert nothing_saved() == {"orders": 0, "drugs": 0, "lines": 0, "history": 0}


# --- 3. Hostile input: the order form and the API ---------------------------------------------

# A form post renders the whole page (~60 ms here, ~85 ms on PostgreSQL), an API call much less:
# 800 + 1600 requests, each with up to 4 values changed, keep this file near 3 minutes.
FORM_EXAMPLES = int(os.environ.get("RELIABILITY_FORM_EXAMPLES", "800"))
API_EXAMPLES = int(os.environ.get("RELIABILITY_API_EXAMPLES", "1600"))
# In CI the same examples every run (a red build means a change broke something, not that the
# search got lucky); elsewhere a new random search each run.
IN_CI = os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=IN_CI,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


NASTY = [
    "",
    " ",
    "\t\n",
    "\x00",
    "5\x00",
    "NaN",
    "nan",
    "Infinity",
    "-inf",
    "1e999999999",
    "1e-999999999",
    "9" * 400,
    "0." + "0" * 300 + "1",
    "0x10",
    "1_000",
    "1 000",
    "5,5",
    "\u0665",  # Arabic-Indic five
    "\uff15",  # full-width five
    "\u00bd",
    "\u00b2",
    "5 ML",
    "5 MG",
    "5 mg/",
    "5 mg/hr/hr",
    "-5",
    "+5",
    "0",
    "-0",
    "0.0",
    ".5",
    "5.",
    "1e3",
    "1E3",
    "'; DROP TABLE calculator_order; --",
    "<script>alert(1)</script>",
    "{{ 7*7 }}{% debug %}",
    "%s%s%n",
    "../../etc/passwd",
    "\u202eetad",
    "\ufeff5",
    "5\u200b",
    "A" * 5000,
    "\U0001f642",
    "null",
    "true",
    "[]",
    "{}",
    "2026-02-30",
    "0000-00-00",
    "2026-1-1",
    "9999-12-31",
    "0001-01-01",
    "2026-01-01T00:00",
    "01/31/2026",
]
HOSTILE_TEXT = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=40),
    st.text(st.sampled_from("0123456789.-+eE /,mgcLhrkunitsdy%"), max_size=16),
)

# Values that are, or are close to, what a pharmacist types: so many requests are valid, and
# the saved orders are checked too.
FORM_VALUES: dict[str, list[str]] = {
    "patient_reference": ["ACC-1", "ab", "A.B/C#1", "X" * 20, "X" * 21, "J Smith", "-A"],
    "profile": ["HMSA", "STANDARD", "hmsa", "NOPE"],
    "therapy": ["continuous", "intermittent", "implanted-pump", "pca"],
    "hours_per_day": ["24", "12", "8", "0.5", "0", "25", "-1", "24.0"],
    "start": ["2026-01-01", "2026-01-15", "2025-12-01", "2026-02-29", "2025-01-01", "1/5/2026"],
    "end": ["2026-01-31", "2026-01-01", "2026-02-28", "2026-12-31", "2027-01-31", "2025-12-31"],
    "nursing_visits": ["3.5 h", "2026-01-08 2 h 20 min", "1 h\n2 h", "2026-03-01 1 h", "0 h"],
    "drugs-0-concentration": ["", "25 mg/mL", "10 mg/mL", "50 mcg/mL", "1 mg/mL", "0.25 %"],
    "drugs-0-compounded": ["on"],
    "drugs-0-rate_value": ["5", "0.5", "100", "0", "0.0001", "10000", "2.5"],
    "drugs-0-rate_unit": [*RATE_UNITS, "mg/s"],
    "drugs-0-bolus_value": ["", "1", "0.5", "100"],
    "drugs-0-bolus_unit": [*BOLUS_UNITS, ""],
    "drugs-0-boluses_per_day": ["", "0", "4", "96", "97"],
    "drugs-0-weight_kg": ["", "70", "0.5", "500"],
    "drugs-1-concentration": ["", "10 mg/mL"],
    "drugs-1-rate_value": ["1", "5"],
    "drugs-1-rate_unit": ["mg/hr", "mcg/hr"],
    "drugs-TOTAL_FORMS": ["1", "2", "0", "10", "11"],
    "drugs-INITIAL_FORMS": ["0", "1", "5"],
    "drugs-MIN_NUM_FORMS": ["0", "1"],
    "drugs-MAX_NUM_FORMS": ["10", "1000"],
    "action": ["save", "add-drug", ""],
}
PRODUCT_KEYS = ["drugs-0-product", "drugs-1-product"]
FORM_STRATEGIES = {
    key: st.one_of(st.sampled_from(values), HOSTILE_TEXT) for key, values in FORM_VALUES.items()
}
FORM_KEYS = st.lists(st.sampled_from([*FORM_VALUES, *PRODUCT_KEYS]), max_size=4, unique=True)


@st.composite
def form_posts(draw, product_pks: list[int]) -> dict[str, Any]:
    """The seed order form with up to 4 fields changed, to a typed-like or a hostile value."""
    data: dict[str, Any] = seed_form(product_pks[0], "ACC-1")
    for key in draw(FORM_KEYS):
        if key in FORM_STRATEGIES:
            data[key] = draw(FORM_STRATEGIES[key])
        else:
            likely = [str(pk) for pk in product_pks] + ["0", "99999", "-1"]
            data[key] = draw(st.one_of(st.sampled_from(likely), HOSTILE_TEXT))
    if data.get("drugs-TOTAL_FORMS") == "2":
        data.setdefault("drugs-1-product", str(draw(st.sampled_from(product_pks))))
        data.setdefault("drugs-1-rate_value", "1")
        data.setdefault("drugs-1-rate_unit", "mg/hr")
    if draw(st.booleans()):
        data.pop(draw(st.sampled_from(sorted(data))), None)  # a field left out altogether
    ack = draw(st.sampled_from(["none", "all", "hostile"]))
    if ack == "all":
        data["ack"] = _form_warning_ids(data)
    elif ack == "hostile":
        ids = st.one_of(HOSTILE_TEXT, st.just("drugs.0.rate:dose"))
        data["ack"] = draw(st.lists(ids, max_size=3))
    return data


def _form_warning_ids(data: dict[str, Any]) -> list[str]:
    """The ids of the warnings the entry would show, to tick them all as a pharmacist may."""
    entry = OrderEntry(_query_dict(data))
    if not entry.is_valid():
        return []
    request = entry.request_data()
    request.pop("patient_reference", None)
    try:
        calculation = services.order_calculation(request_data=request)
    except InvalidOrder:
        return []
    return [warning.id for warning in calculation.warnings_to_acknowledge]


def _query_dict(data: dict[str, Any]) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            query.setlist(key, value)
        else:
            query[key] = value
    return query


def assert_saved_order_is_right(order: Order, acknowledged: list[str]) -> None:
    """A saved order's snapshot is what a fresh calculation of its own request gives: the
    results, the drugs, the claim lines, and every warning that needed acknowledging was."""
    request = dict(order.request)
    reference = request.pop("patient_reference")
    assert order.patient_reference == reference.strip()
    calculation = services.order_calculation(request_data=request)
    fresh = engine.response_json(calculation)
    assert order.response == json.loads(json.dumps(fresh, default=str))
    assert order.drugs.count() == len(calculation.results) == len(request["drugs"])
    lines = list(order.lines.order_by("position"))
    assert [(line.code, line.units) for line in lines] == [
        (line.code, line.units) for line in calculation.lines
    ]
    assert order.start_date == date.fromisoformat(request["start"])
    assert order.end_date == date.fromisoformat(request["end"])
    needed = {warning.id for warning in calculation.warnings_to_acknowledge}
    assert needed <= set(acknowledged), "saved without acknowledging a warning"
    assert {ack["id"] for ack in order.acknowledgements} == needed


@fuzz(FORM_EXAMPLES)
@given(data=st.data())
def test_hostile_order_form_posts_never_500_and_save_only_right_orders(pharmacist_client, data):
    """Whatever the form posts: no 500; a 400 (or the add-drug re-render) saves nothing; a 302
    saves exactly one order, and that order is right."""
    pharmacist_client.raise_request_exception = True
    product_pks = list(
        DrugProduct.objects.filter(active=True).order_by("ndc").values_list("pk", flat=True)
    )
    posted = data.draw(form_posts(product_pks))
    before = Order.objects.count()
    answer = pharmacist_client.post(reverse("calculator:order-new"), posted)
    after = Order.objects.count()
    if posted.get("action") == "add-drug":
        assert (answer.status_code, after) == (200, before)
    elif answer.status_code == 302:
        assert after == before + 1
        order = Order.objects.order_by("-pk").first()
        assert answer["Location"] == reverse("calculator:order-detail", args=[order.pk])
        assert_saved_order_is_right(order, posted.get("ack", []))
    else:
        assert answer.status_code == 400, answer.status_code
        assert after == before


# JSON strings can carry what a form cannot: lone surrogates ("\ud800" is valid JSON syntax).
API_TEXT = st.one_of(
    HOSTILE_TEXT,
    st.sampled_from(["\ud800", "a\udfffb", "\x00", "5 mg/hr\x00", "\ud83d\ude42"]),
    st.text(max_size=12),  # any code point, surrogates included
)
# Any JSON value, the scalars mostly hostile; NaN and Infinity too (Python's parser takes them).
JSON_VALUES = st.recursive(
    st.one_of(
        API_TEXT,
        st.none(),
        st.booleans(),
        st.integers(),
        st.sampled_from([0, -1, 10**30, -(10**30), 2**63, 366, 367, 96, 97]),
        st.floats(),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(API_TEXT, inner, max_size=4)
    ),
    max_leaves=8,
)


API_VALUES: dict[str, list[Any]] = {
    "patient_reference": ["ACC-1", " ab ", "X" * 20, "X" * 21, "J Smith"],
    "profile": ["HMSA", "STANDARD", "hmsa", "NOPE", None],
    "therapy": ["continuous", "intermittent", "implanted_pump", None],
    "hours_per_day": ["24", 24, 12.5, "0.5", 0, 25, "8"],
    "start": ["2026-01-01", "2026-01-15", "2025-01-01", "2026-02-29", None],
    "end": ["2026-01-31", "2026-02-28", "2026-12-31", "2027-01-31", "2025-12-31", None],
    "days": [31, "31", 1, 366, 367, None],
    "policy": [
        {},
        {"month_lines": True},
        {"rounding": "half_up", "rounding_scope": "daily"},
        {"drug_coding": "unlisted", "unlisted_unit_basis": "ndc"},
        {"place_of_service": "12"},
        {"per_diem_coding": "specific"},
    ],
    "nursing_visits": [["3.5 h"], [{"date": "2026-01-08", "duration": "2 h"}], ["2026-01-02 1 h"]],
    "acknowledged": [[], ["drugs.0.rate:dose"], None],
    "drugs": [
        [],
        [{"ndc": "00409-2634-50", "rate": "1 mg/hr"}],
        [{"ndc": SEED_NDC, "rate": "5 mg/hr"}, {"ndc": "42023-0113-10", "rate": "10 mg/hr"}],
        [{"ndc": SEED_NDC, "rate": "5 mg/hr"}] * 11,
    ],
}
DRUG_VALUES: dict[str, list[Any]] = {
    "name": ["Morphine", None, ""],
    "ndc": [SEED_NDC, SEED_NDC11, "0074-1133-03", "00409-9094-25", "00000-0000-00", "1234"],
    "rate": ["5 mg/hr", "0.5 mg/hr", "100 mg/hr", "50 mcg/hr", "1 mL/hr", "0.1 mg/kg/hr"],
    "concentration": ["25 mg/mL", "10 mg/mL", "50 mcg/mL", None],
    "compounded": [True, False],
    "hcpcs": ["J2270", "J3490", "j2270", "X"],
    "hcpcs_unit": ["10 mg", "1 mg", "mg"],
    "ndc_unit": ["ML", "UN", "GR", "ml", "F2"],
    "package_volume": ["30 mL", "10 mL", "0 mL"],
    "bolus": ["1 mg", "0.5 mg", "1 mL", "10 units"],
    "boluses_per_day": [0, 4, "4", 96, 97],
    "weight": ["70 kg", "0.5 kg", "154 lb"],
}


API_STRATEGIES = {
    key: st.one_of(st.sampled_from(values), JSON_VALUES)
    for key, values in {**API_VALUES, "unknown": [1]}.items()
}
DRUG_STRATEGIES = {
    key: st.one_of(st.sampled_from(values), JSON_VALUES)
    for key, values in {**DRUG_VALUES, "dose": [1]}.items()
}
API_KEYS = st.lists(st.sampled_from(sorted(API_STRATEGIES)), max_size=3, unique=True)
DRUG_KEYS = st.lists(st.sampled_from(sorted(DRUG_STRATEGIES)), max_size=3, unique=True)


@st.composite
def api_bodies(draw) -> tuple[bytes, dict[str, Any] | None]:
    """A request body: mostly the seed order with keys changed, some raw hostile bytes."""
    kind = draw(st.sampled_from(["order"] * 8 + ["raw", "json"]))
    if kind == "raw":
        raw = draw(
            st.one_of(
                st.binary(max_size=64),
                st.sampled_from(
                    [b"", b"{", b"[" * 100000, b'{"a":' * 50000, b"\xff\xfe{}", b"null", b"[]"]
                ),
            )
        )
        return raw, None
    if kind == "json":
        return json.dumps(draw(JSON_VALUES)).encode(), None
    body: dict[str, Any] = seed_body("ACC-1")
    drug: dict[str, Any] = dict(body["drugs"][0])
    for key in draw(API_KEYS):
        body[key] = draw(API_STRATEGIES[key])
    for key in draw(DRUG_KEYS):
        drug[key] = draw(DRUG_STRATEGIES[key])
    drugs = body.get("drugs")
    if isinstance(drugs, list) and drugs and drugs[0] == seed_body("")["drugs"][0]:
        body["drugs"] = [drug, *drugs[1:]]  # the seed drug, as changed
    for key in draw(st.lists(st.sampled_from(sorted(body)), max_size=1)):
        del body[key]
    if draw(st.booleans()):
        body["acknowledged"] = _api_warning_ids(body)
    return json.dumps(body).encode(), body


def _api_warning_ids(body: dict[str, Any]) -> list[str]:
    """The ids of the warnings the order would show, to acknowledge them all."""
    request = {k: v for k, v in body.items() if k not in {"patient_reference", "acknowledged"}}
    try:
        calculation = services.order_calculation(request_data=request)
    except Exception:  # whatever the engine makes of it, the request itself will show
        return []
    return [warning.id for warning in calculation.warnings_to_acknowledge]


@fuzz(API_EXAMPLES)
@given(data=st.data())
def test_hostile_api_bodies_never_500_and_save_only_right_orders(pharmacist_client, data):
    """Whatever POST /api/v1/orders is sent: no 500; a 400 (JSON errors) saves nothing; a 201
    saves exactly the order it answers, and that order is right and is the request as sent."""
    pharmacist_client.raise_request_exception = True
    raw, body = data.draw(api_bodies())
    before = Order.objects.count()
    answer = pharmacist_client.post("/api/v1/orders", raw, content_type="application/json")
    after = Order.objects.count()
    assert answer["Content-Type"].startswith("application/json")
    if answer.status_code == 201:
        assert body is not None and after == before + 1
        order = Order.objects.order_by("-pk").first()
        assert answer.json()["id"] == order.pk
        sent = {key: value for key, value in body.items() if key != "acknowledged"}
        assert order.request == sent
        assert_saved_order_is_right(order, body.get("acknowledged") or [])
    else:
        assert answer.status_code == 400, (answer.status_code, answer.content[:300])
        assert after == before
        assert answer.json()["errors"]


# --- Free text the database cannot store: NUL and lone surrogates are refused on the field ---
# The property tests above leave these values out of "profile" and drugs[].name; these tests
# pin them. Expected: a 400 naming the field (as for any other unreadable text), nothing saved.


def _api_post(client, body_text: str, path: str):
    return client.post(path, body_text, content_type="application/json")


BODY = (
    '{"patient_reference": "ACC-1", "profile": %s, "start": "2026-01-01", "end": "2026-01-31",'
    ' "drugs": [{"ndc": "00074-1133-03", "rate": "5 mg/hr", "name": %s}]}'
)
ON_POSTGRESQL = BACKEND == "postgresql"


@pytest.mark.parametrize(
    ("path", "profile", "name"),
    [
        pytest.param("/api/v1/orders", '"HMSA"', '"Mor\\u0000phine"', id="orders-name"),
        pytest.param("/api/v1/orders", '"HMSA\\u0000"', "null", id="orders-profile"),
        pytest.param("/api/v1/calculate", '"HMSA\\u0000"', "null", id="calculate-profile"),
    ],
)
def test_nul_in_the_profile_or_a_drug_name_is_a_400(pharmacist_client, path, profile, name):
    """A NUL character is refused on the field (PostgreSQL cannot store it; SQLite's LIKE
    would stop at it and read "HMSA\\0" as HMSA)."""
    pharmacist_client.raise_request_exception = False
    answer = _api_post(pharmacist_client, BODY % (profile, name), path)
    assert answer.status_code == 400, answer.content[:200]
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    ("path", "profile", "name"),
    [
        pytest.param("/api/v1/orders", '"HMSA"', '"\\ud800"', id="orders-name"),
        pytest.param("/api/v1/orders", '"\\ud800"', "null", id="orders-profile"),
        pytest.param("/api/v1/calculate", '"\\ud800"', "null", id="calculate-profile"),
    ],
)
def test_a_lone_surrogate_in_the_profile_or_a_drug_name_is_a_400(
    pharmacist_client, path, profile, name
):
    pharmacist_client.raise_request_exception = False
    answer = _api_post(pharmacist_client, BODY % (profile, name), path)
    assert answer.status_code == 400, answer.content[:200]
    assert Order.objects.count() == 0
