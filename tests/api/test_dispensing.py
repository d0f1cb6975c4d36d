"""The dispensing plan through the JSON API: POST /calculate answers each drug's `dispensing`,
documented in the OpenAPI schema, and a dispensing input that cannot be planned is a 400 on its
field with nothing saved."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from calculator.models import Order
from tests.conftest import SEED_NDC, seed_order


def url(name: str) -> str:
    return reverse(f"api:{name}")


def post(client: Client, path: str, data: object):
    return client.post(path, data=json.dumps(data), content_type="application/json")


@pytest.fixture
def pharmacist_client(pharmacist, client_for):
    return client_for(pharmacist)


def seed_with(**dispensing) -> dict:
    return seed_order(drugs=[{"ndc": SEED_NDC, "rate": "5 mg/hr", **dispensing}])


def test_calculate_answers_the_seeds_three_cassettes(catalog, pharmacist_client):
    response = post(
        pharmacist_client,
        url("calculate"),
        seed_with(reservoir_volume="100 mL", beyond_use_days=14),
    )
    assert response.status_code == 200, response.content
    (drug,) = response.json()["drugs"]
    dispensing = drug["dispensing"]
    assert dispensing["rate"] == {"value": "0.2", "unit": "mL/hr"}
    assert [r["fill_volume"]["value"] for r in dispensing["reservoirs"]] == ["67.2", "67.2", "14.4"]
    assert [r["fill_date"] for r in dispensing["reservoirs"]] == [
        "2026-01-01",
        "2026-01-15",
        "2026-01-29",
    ]


def test_a_compounded_reservoir_comes_with_its_worksheet(catalog, pharmacist_client):
    """Seed morphine diluted to 5 mg/mL from the 25 mg/mL, 10 mL vial: 4 vials for 96 mL."""
    request = seed_with(
        concentration="5 mg/mL",
        compounded=True,
        reservoir_volume="100 mL",
        stock_ndc=SEED_NDC,
    )
    request["end"] = "2026-01-04"  # 4 days of 24 mL
    worksheet = post(pharmacist_client, url("calculate"), request).json()["drugs"][0]["dispensing"][
        "worksheet"
    ]
    assert worksheet["stock"]["ndc"] == "00074113303"
    (line,) = worksheet["lines"]
    assert line["fill_volume"]["value"] == "96"
    assert line["stock_volume"]["value"] == "19.2"
    assert line["diluent_volume"]["value"] == "76.8"
    assert line["containers"] == 2
    assert line["waste_volume"]["value"] == "0.8"
    assert line["waste_amount"] == {"value": "20", "unit": "mg"}


@pytest.mark.parametrize(
    ("dispensing", "field"),
    [
        ({"reservoir_volume": "4 mL"}, "reservoir_volume"),
        ({"reservoir_volume": "100 mL", "beyond_use_days": 0}, "beyond_use_days"),
        ({"reservoir_volume": "100 mL", "priming_volume": "100 mL"}, "priming_volume"),
        # Infumorph 200 is 10 mg/mL: it cannot be diluted to the seed's 25 mg/mL.
        ({"reservoir_volume": "100 mL", "stock_ndc": "00641-6039-01"}, "stock_ndc"),
    ],
)
def test_each_impossible_plan_is_a_400_on_its_field_and_saves_nothing(
    catalog, pharmacist_client, dispensing, field
):
    for endpoint in ("calculate", "orders"):
        response = post(pharmacist_client, url(endpoint), seed_with(**dispensing))
        assert response.status_code == 400
        assert list(response.json()["errors"]) == [f"drugs.0.{field}"], response.json()
    assert Order.objects.count() == 0


def test_the_schema_documents_the_dispensing_keys(catalog, pharmacist_client):
    schema = pharmacist_client.get(url("openapi-json")).json()["components"]["schemas"]
    assert {"reservoir_volume", "priming_volume", "beyond_use_days", "stock_ndc"} <= set(
        schema["DrugIn"]["properties"]
    )
    assert "dispensing" in schema["DrugOut"]["properties"]
    assert {"rate", "reservoirs", "worksheet", "steps"} <= set(
        schema["DispensingOut"]["properties"]
    )


def test_a_saved_order_answers_its_plan_from_the_snapshot(catalog, pharmacist_client):
    created = post(
        pharmacist_client,
        url("orders"),
        seed_with(reservoir_volume="100 mL", priming_volume="5 mL"),
    )
    assert created.status_code == 201, created.content
    (drug,) = created.json()["drugs"]
    assert [r["fill_volume"]["value"] for r in drug["dispensing"]["reservoirs"]] == [
        "96.2",
        "62.6",
    ]
    order = Order.objects.get()
    shown = pharmacist_client.get(reverse("api:order", kwargs={"pk": order.pk})).json()
    assert shown["drugs"][0]["dispensing"] == order.response["drugs"][0]["dispensing"]


def test_a_titrated_drug_answers_its_rates_and_reservoirs_over_the_runs(catalog, pharmacist_client):
    """5 mg/hr, 7 mg/hr from the 11th, 100 mL: days 1-17 (95.04 mL) and 18-31 (94.08 mL)."""
    request = seed_with(
        reservoir_volume="100 mL", rate_changes=[{"from": "2026-01-11", "rate": "7 mg/hr"}]
    )
    response = post(pharmacist_client, url("calculate"), request)
    assert response.status_code == 200, response.content
    (drug,) = response.json()["drugs"]
    dispensing = drug["dispensing"]
    assert dispensing["rate"] == {"value": "0.2", "unit": "mL/hr"}  # at the start
    assert dispensing["rates"] == [
        {"from": "2026-01-01", "rate": {"value": "0.2", "unit": "mL/hr"}, "bolus_volume": None},
        {"from": "2026-01-11", "rate": {"value": "0.28", "unit": "mL/hr"}, "bolus_volume": None},
    ]
    assert dispensing["days_per_reservoir"] is None
    assert [r["fill_volume"]["value"] for r in dispensing["reservoirs"]] == ["95.04", "94.08"]
    assert dispensing["dispensed_volume"] == dispensing["administered_volume"]
    assert dispensing["administered_volume"] == drug["total_volume"]


def test_a_drug_at_one_rate_has_no_rates(catalog, pharmacist_client):
    response = post(pharmacist_client, url("calculate"), seed_with(reservoir_volume="100 mL"))
    assert response.json()["drugs"][0]["dispensing"]["rates"] is None


def test_a_pca_lockout_is_saved_and_answered_with_the_plan(catalog, pharmacist_client):
    pca = {"bolus": "1 mg", "boluses_per_day": 12, "lockout": "10 min"}
    calculated = post(pharmacist_client, url("calculate"), seed_with(**pca))
    assert calculated.status_code == 200, calculated.content
    assert calculated.json()["drugs"][0]["dispensing"]["lockout"] == {"value": "10", "unit": "min"}
    created = post(pharmacist_client, url("orders"), seed_with(**pca))
    assert created.status_code == 201, created.content
    order = Order.objects.get()
    shown = pharmacist_client.get(reverse("api:order", kwargs={"pk": order.pk})).json()
    assert shown["drugs"][0]["lockout"] == "10 min"
    assert shown["drugs"][0]["dispensing"]["lockout"] == {"value": "10", "unit": "min"}


def test_a_lockout_too_long_for_the_boluses_is_a_400_that_saves_nothing(catalog, pharmacist_client):
    request = seed_with(bolus="1 mg", boluses_per_day=12, lockout="3 hr")
    for endpoint in ("calculate", "orders"):
        response = post(pharmacist_client, url(endpoint), request)
        assert response.status_code == 400
        assert response.json()["errors"] == {
            "drugs.0.boluses_per_day": [
                "12 boluses a day do not fit a lockout of 3 hr: at most 8 a day"
            ]
        }
    assert Order.objects.count() == 0


def test_the_schema_documents_the_lockout(catalog, pharmacist_client):
    schema = pharmacist_client.get(url("openapi-json")).json()["components"]["schemas"]
    assert "lockout" in schema["DrugIn"]["properties"]
    assert "lockout" in schema["DispensingOut"]["properties"]
    assert "lockout" in schema["OrderDrugOut"]["properties"]
