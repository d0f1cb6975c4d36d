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
from calculator.api_auth import token_issue

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
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=CONFIG)
schema.app = get_wsgi_application()

# Order ids that exist during the run, so that half the /orders/{pk} calls reach a real order.
EXISTING_ORDERS: list[int] = []


CALLS: list[str] = []


@schema.hook
def after_call(context, case, response):
    CALLS.append(f"{case.method} {case.path} {response.status_code}")


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    if not path_parameters or "pk" not in path_parameters or not EXISTING_ORDERS:
        return st.just(path_parameters)
    real = st.sampled_from(EXISTING_ORDERS).map(lambda pk: {**path_parameters, "pk": pk})
    return st.one_of(real, st.just(path_parameters))


@pytest.fixture
def superuser_token(catalog, django_user_model, seed_request):
    """A superuser's API token, with a few saved orders in each state to act on."""
    user = django_user_model.objects.create_superuser("root", password="not-used-by-tests")
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
    import collections

    print(collections.Counter(CALLS))
    CALLS.clear()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_input_breaks_the_api_or_its_schema(case, superuser_token):
    """Every generated request gets a documented answer, never a 500."""
    case.call_and_validate(headers={"Authorization": f"Bearer {superuser_token}"}, checks=CHECKS)
