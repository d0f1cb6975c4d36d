"""Every page a person uses (the admin excepted) passes axe-core with no serious or critical
violation, and the order form works from the keyboard alone."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import MORPHINE
from tests.browser.test_order_entry import enter_seed_order, expect_seed_numbers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = ("serious", "critical")
AXE = Axe()


def assert_accessible(page: Page, name: str) -> None:
    """Run axe-core on the page as it is now; list each serious or critical finding."""
    response = AXE.run(page).response
    assert response["passes"], f"{name}: axe-core checked nothing"
    violations = response["violations"]
    blocking = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in violations
        if violation["impact"] in BLOCKING
    ]
    assert blocking == [], f"{name}: axe-core found {len(blocking)} serious or critical problems"


def test_the_login_page_is_accessible(page: Page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_label("Password")).to_be_visible()
    assert_accessible(page, "login")


# A refused save answers 400 with the form and its errors; Chromium logs the status.
@pytest.mark.console_errors(r"status of 400 \(Bad Request\) at .*/orders/new/$")
def test_the_order_form_with_its_preview_is_accessible(page: Page, live_server, staff, log_in):
    log_in(staff.pharmacist, "/orders/new/")
    assert_accessible(page, "empty order form")
    enter_seed_order(page)
    expect_seed_numbers(page, "#preview", "4.8 mL/day")
    assert_accessible(page, "order form with preview")
    # The field errors shown after a refused save, too.
    page.get_by_label("Hours per day").fill("")
    page.get_by_role("button", name="Save order").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    assert_accessible(page, "order form with errors")


def test_the_clerks_pages_are_accessible(page: Page, live_server, staff, verified_order, log_in):
    log_in(staff.clerk, "/orders/")
    expect(page.locator("#orders tbody tr")).to_have_count(1)
    assert_accessible(page, "order list")
    page.goto(f"{live_server.url}/orders/{verified_order.pk}/")
    expect(page.get_by_role("heading", name=f"Order {verified_order.pk}")).to_be_visible()
    assert_accessible(page, "order detail")
    page.goto(f"{live_server.url}/orders/{verified_order.pk}/claim/")
    assert_accessible(page, "claim details")
    page.goto(f"{live_server.url}/claims/summary/?date_from=2026-01-01&date_to=2026-01-31")
    expect(page.locator("section.claim")).to_have_count(1)
    assert_accessible(page, "claim summary")
    page.goto(f"{live_server.url}/claims/837p/")
    expect(page.locator("#held-orders")).to_be_visible()
    assert_accessible(page, "review queue")


def test_the_order_form_works_from_the_keyboard_alone(page: Page, live_server, staff, log_in):
    """Tab from field to field, type, choose from lists with the arrow keys, save with Enter:
    no mouse. Every field's label is announced, the required ones marked."""
    log_in(staff.pharmacist, "/orders/new/")
    page.get_by_label("Patient reference").focus()

    def tab_to(label: str, target: Locator | None = None) -> None:
        # By its label, with or without the required mark.
        target = target or page.get_by_label(label).first
        for _ in range(20):
            if target.evaluate("element => element === document.activeElement"):
                return
            page.keyboard.press("Tab")
        raise AssertionError(f"Tab never reached {label}")

    page.keyboard.type("ACC-1")
    tab_to("Billing profile")
    page.keyboard.type("HMSA")  # a select picks the option typed
    tab_to("Therapy")
    page.keyboard.type("Continuous")
    tab_to("Hours per day")
    page.keyboard.type("24")
    tab_to("First day")
    page.keyboard.type("01012026")
    tab_to("Last day (inclusive)")
    page.keyboard.type("01312026")
    tab_to("Product")
    product = page.get_by_role("combobox", name="Product")
    expect(page.locator("label[for=id_drugs-0-product_search]")).to_have_text("Product*")
    expect(product).to_have_attribute("aria-required", "true")
    page.keyboard.type("morph 25")
    expect(page.get_by_role("listbox").get_by_role("option").first).to_have_text(MORPHINE)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(product).to_have_value(MORPHINE)
    tab_to("Dose rate")
    page.keyboard.type("5")
    expect_seed_numbers(page, "#preview", "4.8 mL/day")
    tab_to("Save order", page.get_by_role("button", name="Save order"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/orders/\d+/$"))
    expect(page.locator("#order-status")).to_have_text("Draft")
