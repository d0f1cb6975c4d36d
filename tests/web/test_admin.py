"""The catalog, HCPCS codes and billing profiles in the Django admin, with their history."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from calculator.models import BillingProfile, DrugProduct, HcpcsCode


@pytest.mark.parametrize("model", ["drugproduct", "hcpcscode", "billingprofile"])
def test_changelist_and_add_pages_open(admin_client, catalog, model):
    """Each catalog model has a working list and add page."""
    assert admin_client.get(reverse(f"admin:calculator_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:calculator_{model}_add")).status_code == 200


def test_products_can_be_searched_by_ndc_and_name(admin_client, catalog):
    """Search finds a product by its NDC digits or its name."""
    url = reverse("admin:calculator_drugproduct_changelist")
    assert "Fentanyl citrate" in admin_client.get(url, {"q": "00409909425"}).text
    assert "00074-1133-03" in admin_client.get(url, {"q": "Morphine"}).text


def test_admin_rejects_a_concentration_it_cannot_read(admin_client, catalog):
    """A product saved with "25 MG/ML" is refused with the parser's message, nothing saved."""
    product = DrugProduct.objects.get(ndc="00074113303")
    url = reverse("admin:calculator_drugproduct_change", args=[product.pk])
    data = {
        "ndc": product.ndc,
        "name": product.name,
        "labeler": product.labeler,
        "concentration": "25 MG/ML",
        "package_volume": product.package_volume,
        "ndc_unit": "ML",
        "ncpdp_unit": "ML",
        "active": "on",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "is not a unit here; did you mean mg?" in response.text
    product.refresh_from_db()
    assert product.concentration == "25 mg/mL"


def test_catalog_changes_are_kept_in_history_with_who(admin_client, admin_user, catalog):
    """Every catalog change is recorded with who made it and when."""
    product = DrugProduct.objects.get(ndc="00074113303")
    url = reverse("admin:calculator_drugproduct_change", args=[product.pk])
    data = {
        "ndc": product.ndc,
        "name": product.name,
        "concentration": "50 mg/mL",
        "ndc_unit": "ML",
        "ncpdp_unit": "ML",
        "active": "on",
        "hcpcs": product.hcpcs_id,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.text[:2000]
    latest = product.history.latest()
    assert latest.concentration == "50 mg/mL"
    assert latest.history_user == admin_user
    assert latest.history_type == "~"


def test_seed_catalog_is_idempotent_and_never_overwrites(db):
    """Re-running the seed adds nothing and keeps an administrator's edits."""
    call_command("seed_catalog", verbosity=0)
    counts = (
        DrugProduct.objects.count(),
        HcpcsCode.objects.count(),
        BillingProfile.objects.count(),
    )
    DrugProduct.objects.filter(ndc="00074113303").update(concentration="50 mg/mL")
    call_command("seed_catalog", verbosity=0)
    assert counts == (
        DrugProduct.objects.count(),
        HcpcsCode.objects.count(),
        BillingProfile.objects.count(),
    )
    assert DrugProduct.objects.get(ndc="00074113303").concentration == "50 mg/mL"


def test_seed_catalog_gives_a_shipped_product_its_missing_dea_schedule(db):
    """A database made before products had a DEA schedule gets the shipped one on the next
    seed (with a history row saying why); a schedule an administrator set is kept."""
    call_command("seed_catalog", verbosity=0)
    DrugProduct.objects.filter(ndc="00074113303").update(dea_schedule="")
    DrugProduct.objects.filter(ndc="00409263450").update(dea_schedule="CIII")  # an edit
    out = io.StringIO()
    call_command("seed_catalog", stdout=out)
    morphine = DrugProduct.objects.get(ndc="00074113303")
    assert morphine.dea_schedule == "CII"
    assert "set the DEA schedule of 1 products that had none" in out.getvalue()
    assert morphine.history.latest().history_change_reason.startswith("seed_catalog:")
    assert DrugProduct.objects.get(ndc="00409263450").dea_schedule == "CIII"
    out = io.StringIO()
    call_command("seed_catalog", stdout=out)
    assert out.getvalue() == ""  # nothing left to add or fill


def test_shipped_catalog_reads_cleanly(catalog):
    """Every shipped product and code passes the model's own validation."""
    for record in [
        *DrugProduct.objects.all(),
        *HcpcsCode.objects.all(),
        *BillingProfile.objects.all(),
    ]:
        record.full_clean()


def test_hcpcs_codes_keep_their_effective_and_termination_dates(catalog):
    """J2271 and J2275 ended in 2014; hydromorphone J1170 ended when J1171 (0.1 mg) began."""
    codes = {code.code: code for code in HcpcsCode.objects.all()}
    assert codes["J2271"].terminated.year == 2014
    assert codes["J2275"].terminated.year == 2014
    assert codes["J1170"].terminated < codes["J1171"].effective
    assert codes["J1171"].billing_unit == "0.1 mg"


def test_profile_becomes_the_engine_policy(catalog):
    """A saved profile turns into the frozen policy the engine uses."""
    from calculator.domain.billing import HMSA

    assert BillingProfile.objects.get(name="HMSA").to_policy() == HMSA


def test_patients_are_read_only_in_the_admin_with_their_history(admin_client, saved_order):
    """An administrator finds a patient and reads the record and its history; changes go through
    the patient pages, which check what a claim needs."""
    patient = saved_order.patient
    listing = admin_client.get(
        reverse("admin:calculator_patient_changelist"), {"q": patient.number}
    )
    assert listing.status_code == 200 and patient.number in listing.text
    change = admin_client.get(reverse("admin:calculator_patient_change", args=[patient.pk]))
    assert change.status_code == 200
    assert 'name="number"' not in change.text  # shown, not editable
    history = admin_client.get(reverse("admin:calculator_patient_history", args=[patient.pk]))
    assert history.status_code == 200
    assert admin_client.get(reverse("admin:calculator_patient_add")).status_code == 403
