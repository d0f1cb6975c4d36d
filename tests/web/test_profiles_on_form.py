"""The order form shows each profile's source and revision beside its name, offers a route on
each drug row, and its live preview says when a code is not valid on the dates of service."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from calculator.models import DrugProduct, HcpcsCode


@pytest.fixture
def pharmacist_client(catalog, pharmacist, client_for):
    return client_for(pharmacist)


def preview_form(
    ndc11: str, *, profile="HMSA_CURRENT", start="2026-01-01", end="2026-01-31", **row
):
    product = DrugProduct.objects.get(ndc=ndc11)
    data = {
        "patient_reference": "ACC-1",
        "profile": profile,
        "therapy": "continuous",
        "hours_per_day": "24",
        "start": start,
        "end": end,
        "nursing_visits": "",
        "drugs-TOTAL_FORMS": "1",
        "drugs-INITIAL_FORMS": "0",
        "drugs-MIN_NUM_FORMS": "1",
        "drugs-MAX_NUM_FORMS": "10",
        "drugs-0-product": str(product.pk),
        "drugs-0-concentration": product.concentration,
        "drugs-0-rate_value": "0.2",
        "drugs-0-rate_unit": "mg/hr",
        "drugs-0-bolus_unit": "mg",
    }
    data.update({f"drugs-0-{key}": value for key, value in row.items()})
    return data


def test_profile_choices_show_source_and_revision(pharmacist_client):
    response = pharmacist_client.get(reverse("calculator:order-new"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "HMSA_CURRENT - HMSA, &quot;Home Infusion Pain Management Therapy" in page
    assert "&quot;Billing drugs administered&quot;, rev. 2021-02-18" in page
    assert "section &quot;Example&quot;" in page


def test_drug_row_offers_the_route(pharmacist_client):
    response = pharmacist_client.get(reverse("calculator:order-new"))
    page = response.content.decode()
    assert 'name="drugs-0-route"' in page
    for label in ("Intravenous", "Subcutaneous", "Epidural", "Intrathecal"):
        assert f">{label}</option>" in page


def test_preview_bills_j2274_for_preservative_free_morphine_given_intrathecally(
    pharmacist_client,
):
    response = pharmacist_client.post(
        reverse("calculator:order-preview"), preview_form("00641603901", route="intrathecal")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "J2274" in page
    response = pharmacist_client.post(
        reverse("calculator:order-preview"), preview_form("00641603901", route="intravenous")
    )
    page = response.content.decode()
    assert "billed as J2270, not the catalog&#x27;s J2274" in page


def test_bad_route_is_a_field_message_not_a_500(pharmacist_client):
    response = pharmacist_client.post(
        reverse("calculator:order-new"),
        {**preview_form("00641603901", route="oral"), "action": "save"},
    )
    assert response.status_code == 400
    assert "Select a valid choice. oral is not one of the available choices." in (
        response.content.decode()
    )


def test_preview_warns_when_the_code_ended_before_the_dates_of_service(pharmacist_client):
    """Hydromorphone on J1170 in 2025: a notice (no acknowledgement) naming J1171."""
    sample = Path(__file__).resolve().parents[2] / "calculator/fixtures/samples/hcpcs_sample.txt"
    call_command("import_hcpcs", str(sample), stdout=io.StringIO())
    product = DrugProduct.objects.get(ndc="00409263450")
    product.hcpcs = HcpcsCode.objects.get(code="J1170")
    product.save()
    response = pharmacist_client.post(
        reverse("calculator:order-preview"),
        preview_form("00409263450", start="2025-01-01", end="2025-01-31"),
    )
    page = response.content.decode()
    assert "J1170 ended on 2024-09-30, before the dates of service; bill J1171" in page
    assert 'value="drugs.0.hcpcs:code-dates-J1170"' not in page  # nothing to tick
