"""Until a visitor signs in, every page sends them to the login page, and back after it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from calculator.models import DrugProduct
from tests.browser.conftest import login_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_anonymous_visitor_is_sent_to_the_login_page_everywhere(
    page: Page, live_server, verified_order
):
    product = DrugProduct.objects.get(ndc="00074113303")
    paths = [
        "/",
        reverse("calculator:order-list"),
        reverse("calculator:order-new"),
        reverse("calculator:order-detail", args=[verified_order.pk]),
        reverse("calculator:claim-summary"),
        reverse("calculator:claim-summary") + "?date_from=2026-01-01&date_to=2026-01-31",
        reverse("calculator:claim-summary-pdf"),
        reverse("calculator:claim-summary-csv"),
        reverse("calculator:claim-summary-xlsx"),
        reverse("calculator:reports"),
        "/admin/",
        "/admin/calculator/drugproduct/",
        f"/admin/calculator/drugproduct/{product.pk}/change/",
    ]
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        expect(page).to_have_url(login_url(live_server, path))
        expect(page.get_by_label("Password")).to_be_visible()
        if not path.startswith("/admin/"):
            expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        # Nothing of the app shows: no navigation, no patient data.
        expect(page.get_by_role("link", name="Orders")).to_have_count(0)
        expect(page.locator("body")).not_to_contain_text("ACC-1")


def test_after_signing_in_the_visitor_lands_on_the_page_asked_for(
    page: Page, live_server, staff, verified_order, log_in
):
    path = reverse("calculator:order-detail", args=[verified_order.pk])
    log_in(staff.clerk, path)
    expect(page).to_have_url(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", name=f"Order {verified_order.pk}")).to_be_visible()
