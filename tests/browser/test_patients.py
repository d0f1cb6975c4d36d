"""A pharmacist keeps a patient's record and renews an order for the next period, in the
browser: the patient list, form, detail and renewal pages work and pass axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from calculator.models import BillingProfile, Order, Payer
from tests.browser.test_accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# The refused edit answers 400 with the form and its errors; Chromium logs the status.
@pytest.mark.console_errors(r"status of 400 \(Bad Request\) at .*/patients/\d+/edit/$")
def test_pharmacist_adds_a_patient_finds_them_and_renews_their_order(
    page: Page, live_server, staff, verified_order, log_in
):
    Payer.objects.create(
        name="HMSA", payer_id="990040115", profile=BillingProfile.objects.get(name="HMSA")
    )
    log_in(staff.pharmacist, "/patients/new/")
    assert_accessible(page, "new patient form")
    page.get_by_label("Patient number").fill("P-100")
    page.get_by_label("Last name").fill("Doe")
    page.get_by_label("First name").fill("Jane")
    page.get_by_label("Birth date").fill("1950-03-04")
    page.get_by_label("Payer").select_option(label="HMSA (990040115)")
    page.get_by_label("Member ID").fill("XHM100")
    page.get_by_label("Diagnoses (ICD-10-CM)").fill("G89.4")
    page.get_by_role("button", name="Save patient").click()
    expect(page.get_by_role("heading", name="Patient P-100")).to_be_visible()
    expect(page.locator(".patient-record")).to_contain_text("Doe, Jane")
    expect(page.locator(".patient-record")).to_contain_text("G89.4")  # shown with its dot
    assert_accessible(page, "patient detail")

    # A future birth date is refused beside the field, and nothing is saved.
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Birth date").fill("2099-01-01")
    page.get_by_role("button", name="Save patient").click()
    expect(page.locator("#id_birth_date + .invalid-feedback, .invalid-feedback")).to_be_visible()
    assert_accessible(page, "patient form with an error")

    page.goto(f"{live_server.url}/patients/?q=doe")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("P-100")
    assert_accessible(page, "patient list")

    # Renew the seed order (January) for February: the page says what the draft will be first.
    page.goto(f"{live_server.url}/orders/{verified_order.pk}/")
    page.get_by_role("link", name="Renew for the next period").click()
    expect(page.locator("#renewal-period")).to_have_text("Feb. 1, 2026 to Feb. 28, 2026")
    expect(page.locator(".renewal-changes")).to_be_visible()
    expect(page.get_by_role("cell", name="S9325", exact=True)).to_be_visible()
    assert_accessible(page, "renewal")
    page.get_by_role("button", name="Save the draft").click()
    expect(page).to_have_url(re.compile(r"/orders/\d+/$"))
    renewed = Order.objects.latest("pk")
    assert renewed.pk != verified_order.pk
    assert (renewed.start_date.isoformat(), renewed.end_date.isoformat()) == (
        "2026-02-01",
        "2026-02-28",
    )
    assert renewed.patient_id == verified_order.patient_id

    # The patient's page lists both orders, newest first.
    page.goto(f"{live_server.url}/patients/{verified_order.patient_id}/")
    rows = page.locator("#patient-orders tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(str(renewed.pk))
