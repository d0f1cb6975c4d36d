"""Dispensing on the database side: the pump-reservoir catalog seeded once, a product's default
beyond-use days (an order may lower it, not raise it), its DEA schedule and storage, and the plan
saved with the order (OrderDispensing) as the API shows it."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from calculator import services
from calculator.domain.errors import InvalidOrder
from calculator.models import BillingProfile, DrugProduct, OrderDispensing, PumpReservoir
from tests.conftest import SEED_NDC, seed_order


def seed_with(**dispensing) -> dict:
    return seed_order(drugs=[{"ndc": SEED_NDC, "rate": "5 mg/hr", **dispensing}])


def test_seed_catalog_adds_the_reservoirs_once(catalog):
    call_command("seed_catalog", verbosity=0)
    assert list(PumpReservoir.objects.values_list("name", "volume")) == [
        ("Bag 250 mL", "250 mL"),
        ("CADD cassette 100 mL", "100 mL"),
        ("CADD cassette 50 mL", "50 mL"),
        ("Elastomeric pump 100 mL", "100 mL"),
        ("Elastomeric pump 250 mL", "250 mL"),
        ("Elastomeric pump 400 mL", "400 mL"),
    ]
    assert DrugProduct.objects.get(ndc="00074113303").dea_schedule == "CII"


def test_an_order_saves_its_plan_with_the_products_schedule_and_storage(catalog, pharmacist):
    DrugProduct.objects.filter(ndc="00074113303").update(storage="refrigerated")
    order = services.order_create(
        created_by=pharmacist,
        request_data=seed_with(reservoir_volume="100 mL", beyond_use_days=14),
        dispensing_details=[{"reservoir_name": "CADD cassette 100 mL"}],
    )
    saved = OrderDispensing.objects.get(drug__order=order)
    assert saved.reservoir_name == "CADD cassette 100 mL"
    assert (saved.reservoir_volume, saved.priming_volume, saved.beyond_use_days) == (
        "100 mL",
        "",
        14,
    )
    assert saved.schedule_ii and saved.storage_instruction == "Refrigerate"
    assert [r["fill_volume"]["value"] for r in saved.reservoirs] == ["67.2", "67.2", "14.4"]
    assert saved.plan == order.response["drugs"][0]["dispensing"]


def test_the_products_default_beyond_use_days_apply_and_may_be_lowered(catalog, pharmacist):
    DrugProduct.objects.filter(ndc="00074113303").update(beyond_use_days=14)
    calculation = services.order_calculation(request_data=seed_with(reservoir_volume="100 mL"))
    assert [r.days for r in calculation.plans[0].reservoirs] == [14, 14, 3]
    lowered = services.order_calculation(
        request_data=seed_with(reservoir_volume="100 mL", beyond_use_days=10)
    )
    assert len(lowered.plans[0].reservoirs) == 4
    with pytest.raises(InvalidOrder) as raised:
        services.order_create(
            created_by=pharmacist,
            request_data=seed_with(reservoir_volume="100 mL", beyond_use_days=20),
        )
    assert "may lower that, not raise it to 20" in raised.value.errors["drugs.0.beyond_use_days"][0]


def test_a_profile_billing_the_dispensed_quantity_bills_the_priming(catalog, pharmacist):
    BillingProfile.objects.filter(name="HMSA").update(ndc_quantity_basis="dispensed")
    order = services.order_create(
        created_by=pharmacist,
        request_data=seed_with(reservoir_volume="100 mL", priming_volume="5 mL"),
    )
    line = order.lines.get(kind="drug")
    assert (line.units, line.supplemental) == (149, "N400074113303 ML158.8")
    assert order.policy["ndc_quantity_basis"] == "dispensed"


def test_the_profile_field_says_where_the_setting_comes_from():
    help_text = BillingProfile._meta.get_field("ndc_quantity_basis").help_text
    assert "dispensed" in help_text and "check the payer" in help_text
    assert BillingProfile._meta.get_field("ndc_quantity_basis").default == "administered"
    bud_help = DrugProduct._meta.get_field("beyond_use_days").help_text
    assert "USP <797>" in bud_help and "never invents" in bud_help
