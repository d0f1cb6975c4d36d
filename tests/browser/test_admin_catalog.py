"""An administrator edits the catalog; saved orders keep the numbers they were saved with."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from calculator.models import DrugProduct

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_catalog_change_leaves_a_saved_order_unchanged(
    page: Page, live_server, staff, verified_order, log_in
):
    product = DrugProduct.objects.get(ndc="00074113303")
    change_path = f"/admin/calculator/drugproduct/{product.pk}/change/"
    log_in(staff.admin, change_path)
    expect(page).to_have_url(f"{live_server.url}{change_path}")
    concentration = page.locator("#id_concentration")
    expect(concentration).to_have_value("25 mg/mL")
    concentration.fill("50 mg/mL")
    page.locator("input[name=_save]").click()
    expect(page).to_have_url(f"{live_server.url}/admin/calculator/drugproduct/")
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    product.refresh_from_db()
    assert product.concentration == "50 mg/mL"
    latest = product.history.latest()
    assert (latest.history_user, latest.history_type) == (staff.admin, "~")

    # The order saved before the change still shows what was billed: 25 mg/mL, 4.8 mL, 149.
    page.goto(f"{live_server.url}/orders/{verified_order.pk}/")
    expect(page.get_by_role("heading", name=f"Order {verified_order.pk}")).to_be_visible()
    drug = page.locator(".drug")
    expect(drug).to_have_count(1)
    expect(drug).to_contain_text("concentration 25 mg/mL")
    expect(drug.locator(".daily-volume")).to_have_text("4.8 mL")
    expect(page.locator("tr.claim-line[data-code=J3490] td.units")).to_have_text("149")
    expect(page.locator("tr.ndc-line")).to_have_text("N400074113303 ML148.8")
