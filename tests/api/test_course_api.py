"""The patient's course through the JSON API (issue 15): `rate_changes` on a drug, and renewing."""

import pytest

from tests.api.test_endpoints import post, url
from tests.conftest import seed_order


@pytest.fixture
def pharmacist_client(pharmacist, client_for):
    return client_for(pharmacist)


CHANGE = [{"from": "2026-01-11", "rate": "7 mg/hr"}]


def titrated(changes=CHANGE):
    request = seed_order()
    request["drugs"][0]["rate_changes"] = changes
    return request


def test_calculate_bills_the_titrated_month(catalog, pharmacist_client):
    response = post(pharmacist_client, url("calculate"), titrated())
    assert response.status_code == 200, response.content
    lines = [
        (line["code"], line["units"], line.get("supplemental")) for line in response.json()["lines"]
    ]
    assert lines[1] == ("J3490", 189, "N400074113303 ML189.12")


def test_a_saved_order_keeps_its_rate_changes(catalog, pharmacist_client):
    response = post(pharmacist_client, url("orders"), titrated())
    assert response.status_code == 201, response.content
    order = response.json()
    assert order["request"]["drugs"][0]["rate_changes"] == CHANGE
    assert order["drugs"][0]["steps"][1] == "7 mg/hr x 24 hr = 168 mg/day x 21 days = 3528 mg"


def test_a_change_outside_the_period_is_a_400_on_its_date_and_nothing_is_saved(
    catalog, pharmacist_client
):
    from calculator.models import Order

    response = post(
        pharmacist_client, url("orders"), titrated([{"from": "2026-03-01", "rate": "7 mg/hr"}])
    )
    assert response.status_code == 400
    assert "drugs.0.rate_changes.0.from" in response.json()["errors"]
    assert not Order.objects.exists()


def test_an_unknown_key_in_a_change_is_named(catalog, pharmacist_client):
    response = post(
        pharmacist_client,
        url("calculate"),
        titrated([{"from": "2026-01-11", "rate": "7 mg/hr", "x": 1}]),
    )
    assert response.status_code == 400
    assert "drugs.0.rate_changes.0.x" in response.json()["errors"]


# --- POST /api/v1/orders/{id}/renew (issue 15 point 3) ---------------------------------------


def test_renew_saves_the_next_months_draft(catalog, pharmacist, pharmacist2, pharmacist_client):
    from calculator import services

    january = services.order_create(created_by=pharmacist, request_data=seed_order())
    services.order_verify(order=january, verified_by=pharmacist2)
    response = post(pharmacist_client, url("order-renew", pk=january.pk))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["renewed_from"], body["changes"]) == (january.pk, [])
    draft = body["order"]
    assert (draft["status"], draft["start"], draft["end"], draft["days"]) == (
        "draft",
        "2026-02-01",
        "2026-02-28",
        28,
    )
    assert [(line["code"], line["units"]) for line in draft["lines"]] == [
        ("S9325", 28),
        ("J3490", 134),
    ]


def test_renewing_a_draft_is_a_409_and_saves_nothing(saved_order, pharmacist_client):
    from calculator.models import Order

    response = post(pharmacist_client, url("order-renew", pk=saved_order.pk))
    assert response.status_code == 409
    assert Order.objects.count() == 1


def test_renewing_an_order_that_does_not_exist_is_a_404(catalog, pharmacist_client):
    assert post(pharmacist_client, url("order-renew", pk=999)).status_code == 404
