"""Property-based run over the published OpenAPI schema (schemathesis): no input gives a 500,
and every answer is one the schema documents (status, content type and body).

The requests go in-process to the project's WSGI application, as a superuser with an API token,
so that every operation reaches its real code path rather than stopping at 401/403.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from calculator import services
from calculator.api import api
from calculator.services.api_tokens import token_issue

# Small enough that the whole file runs in well under a minute on the CI machine.
MAX_EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# The examples phase sends the documented examples; fuzzing sends MAX_EXAMPLES generated cases
# per operation. The coverage phase (every boundary of every field) is left out: it alone takes
# minutes here, and fuzzing already reaches each field's wrong types.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
# The schema that /api/v1/openapi.json serves (test_api checks they are the same), taken from the
# API object because the endpoint needs a signed-in user and collection runs before any exists.
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=CONFIG)
schema.app = get_wsgi_application()

# Order ids that exist during the run, so that half the /orders/{pk} calls reach a real order.
EXISTING_ORDERS: list[int] = []


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    if not path_parameters or "pk" not in path_parameters or not EXISTING_ORDERS:
        return st.just(path_parameters)
    real = st.sampled_from(EXISTING_ORDERS).map(lambda pk: {**path_parameters, "pk": pk})
    return st.one_of(real, st.just(path_parameters))


# Generated text almost never reads as a dose, so most bodies for /calculate and /orders are
# realistic orders instead: catalog NDCs with rates that suit them, odd concentrations (with and
# without the compounded mark), periods that cross a month or run backwards, weights, boluses,
# profiles, policy overrides and nursing visits in random combinations. That drives the engine
# through its real paths, and its refusals, rather than only through its first parse error.
# (NDC, labelled concentration, rates that suit it) for catalog products.
PRODUCTS = [
    ("00074-1133-03", "25 mg/mL", ["5 mg/hr", "0.05 mg/kg/hr", "0.2 mL/hr", "120 mg/day"]),
    ("00409-2634-50", "10 mg/mL", ["0.5 mg/hr", "0.01 mg/min", "12 mg/day"]),
    ("00409-9094-25", "50 mcg/mL", ["50 mcg/h", "1 mL/hr", "1 mcg/kg/hr"]),
    ("42023-0113-10", "10 mg/mL", ["10 mg/hr", "0.15 mg/kg/hr"]),
    ("70720-0723-10", "25 mcg/mL", ["0.1 mcg/hr", "2.4 mcg/day"]),
]
ODD_VALUES = {
    "rate": ["1000 units/hr", "25 mg/mL", "5 mg", "0 mg/hr", "5 mg/kg", "5 MG/HR"],
    "hcpcs": ["J2270", "J3490", "J9999", "S9325"],
    "ndc_unit": ["UN", "GR", "ME", "ml"],
    "package_volume": ["30 mL", "0 mL"],
}
ODD_CONCENTRATIONS = ["100 mg/100 mL", "500 mg in 20 mL", "0.25 %", "1000 units/mL", "5 ML"]
PERIODS = [
    {"days": 31},
    {"days": "7"},
    {"start": "2026-01-17", "end": "2026-02-16"},
    {"start": "2026-02-01", "end": "2026-02-07"},
    {"start": "2026-01-01", "end": "2026-01-31", "days": 31},
    {"start": "2026-03-01", "end": "2026-02-01"},
]


@st.composite
def realistic_drug(draw: st.DrawFn) -> dict:
    ndc, labelled, rates = draw(st.sampled_from(PRODUCTS))
    drug = {"ndc": ndc, "rate": draw(st.sampled_from(rates)), "weight": "70 kg"}
    if draw(st.integers(0, 3)) == 0:
        drug["concentration"] = draw(st.sampled_from([labelled, *ODD_CONCENTRATIONS]))
        drug["compounded"] = draw(st.booleans())
    if draw(st.booleans()):
        drug["bolus"] = draw(st.sampled_from(["1 mg", "0.2 mL", "25 mcg"]))
        drug["boluses_per_day"] = draw(st.integers(0, 12))
    if draw(st.integers(0, 7)) == 0:
        field = draw(st.sampled_from(sorted(ODD_VALUES)))
        drug[field] = draw(st.sampled_from(ODD_VALUES[field]))
    return drug


REALISTIC_ORDER = st.builds(
    lambda period, rest: {**period, **rest},
    st.sampled_from(PERIODS),
    st.fixed_dictionaries(
        {
            "drugs": st.lists(realistic_drug(), min_size=1, max_size=2),
            "patient_reference": st.sampled_from(["ACC-9", "JD", "John Doe"]),
        },
        optional={
            "profile": st.sampled_from(["HMSA", "STANDARD"]),
            "policy": st.fixed_dictionaries(
                {},
                optional={
                    "month_lines": st.booleans(),
                    "rounding": st.sampled_from(["up", "half_up"]),
                    "rounding_scope": st.sampled_from(["total", "daily"]),
                    "drug_coding": st.sampled_from(["specific", "unlisted"]),
                },
            ),
            "hours_per_day": st.sampled_from(["24", "12", 24, 8.5]),
            "therapy": st.sampled_from(["continuous", "intermittent", "implanted-pump"]),
            "nursing_visits": st.lists(
                st.sampled_from(["3.5 h", "2 h 20 min", "90 min"]), max_size=2
            ),
        },
    ),
)


@schema.hook
def flatmap_body(context, body):
    if context.operation.path not in {"/api/v1/calculate", "/api/v1/orders"}:
        return st.just(body)
    return st.one_of(REALISTIC_ORDER, st.just(body))


@pytest.fixture(autouse=True)
def _keep_the_test_transaction_open():
    """Call the WSGI app as Django's test Client does: without close_old_connections on each
    request, which would close the test's own transaction on PostgreSQL."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def superuser_token(catalog, django_user_model, seed_request):
    """A superuser's API token, with a few saved orders in each state to act on."""
    user = django_user_model.objects.create_superuser("root", password=None)
    orders = [
        services.order_create(
            created_by=user, request_data={**seed_request, "patient_reference": f"ACC-{n}"}
        )
        for n in range(4)
    ]
    services.order_verify(order=orders[1], verified_by=user, confirm_own=True)
    services.order_verify(order=orders[2], verified_by=user, confirm_own=True)
    services.order_mark_billed(order=orders[2], billed_by=user)
    services.order_void(order=orders[3], voided_by=user, reason="entered twice")
    EXISTING_ORDERS[:] = [order.pk for order in orders]
    yield token_issue(user=user)
    EXISTING_ORDERS.clear()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_breaks_the_api_or_its_schema(case, superuser_token):
    """Every generated request gets a documented answer, never a 500."""
    case.call_and_validate(headers={"Authorization": f"Bearer {superuser_token}"}, checks=CHECKS)
