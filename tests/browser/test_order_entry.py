"""A pharmacist enters the seed order in the browser and watches the live preview."""

from __future__ import annotations

import contextlib
import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Route, expect

from calculator.models import Order
from tests.browser.conftest import DOCS, FENTANYL, MORPHINE, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def choose_product(page: Page, row: int, label: str) -> None:
    """Pick a product in the row's combobox: type part of its NDC, click its option; its label
    concentration fills the row's box (checked by the slow-network test below), and with the box
    still empty the engine uses the same catalog value."""
    box = page.locator(f"#id_drugs-{row}-product_search")
    box.fill(label.rsplit("NDC ", 1)[1])
    page.locator(f"#drugs-{row}-product-listbox").get_by_role("option", name=label).click()
    expect(box).to_have_value(label)
    expect(page.locator(f"#id_drugs-{row}-product")).not_to_have_value("")


def enter_seed_order(page: Page) -> None:
    page.get_by_label("Patient reference").fill("ACC-1")
    page.get_by_label("Billing profile").select_option(
        "HMSA"
    )  # by value: the label names its source
    page.get_by_label("Therapy").select_option("continuous")
    page.get_by_label("Hours per day").fill("24")
    page.get_by_label("First day").fill("2026-01-01")
    page.get_by_label("Last day (inclusive)").fill("2026-01-31")
    choose_product(page, 0, MORPHINE)
    page.locator("#id_drugs-0-rate_value").fill("5")
    page.locator("#id_drugs-0-rate_unit").select_option("mg/hr")


def expect_seed_numbers(page: Page, scope: str, daily_volume: str) -> None:
    box = page.locator(scope)
    expect(box.locator(".daily-volume").first).to_have_text(daily_volume)
    drug_line = box.locator("tr.claim-line[data-code=J3490]")
    expect(drug_line).to_have_count(1)
    expect(drug_line.locator("td.units")).to_have_text("149")
    expect(box.locator("tr.ndc-line").first).to_have_text("N400074113303 ML148.8")
    expect(box.locator("tr.claim-line[data-code=S9325] td.units")).to_have_text("31")


def test_pharmacist_sees_the_preview_then_saves_the_same_numbers(page, live_server, staff, log_in):
    """4.8 mL/day and J3490 x 149 appear while typing, and the saved order shows the same."""
    log_in(staff.pharmacist)
    # A pharmacist's work starts at the new-order form.
    expect(page).to_have_url(f"{live_server.url}/orders/new/")
    expect(page.get_by_role("heading", name="New pain-infusion order")).to_be_visible()

    enter_seed_order(page)
    expect_seed_numbers(page, "#preview", "4.8 mL/day")
    assert Order.objects.count() == 0, "the preview must not save anything"

    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "order-form.png"), full_page=True)

    page.get_by_role("button", name="Save order").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/orders/\d+/$"))
    order = Order.objects.get()
    expect(page.get_by_role("heading", name=f"Order {order.pk}")).to_be_visible()
    expect(page.locator("#messages")).to_contain_text(f"Order {order.pk} saved as a draft")
    expect(page.locator("#order-status")).to_have_text("Draft")
    expect_seed_numbers(page, "main", "4.8 mL")
    assert order.patient_reference == "ACC-1"
    assert order.created_by == staff.pharmacist


def test_a_second_drug_adds_a_concurrent_per_diem_with_modifier_sh(
    page, live_server, staff, log_in
):
    """Add another drug, choose fentanyl 25 mcg/hr: the preview gains S9325-SH."""
    log_in(staff.pharmacist, "/orders/new/")
    enter_seed_order(page)
    expect(page.locator("#preview .daily-volume")).to_have_text("4.8 mL/day")

    page.get_by_role("button", name="Add another drug").click()
    expect(page.locator("fieldset.drug-row")).to_have_count(2)
    # The first row keeps what was typed.
    expect(page.locator("#id_drugs-0-rate_value")).to_have_value("5")
    expect(page.get_by_label("Patient reference")).to_have_value("ACC-1")

    choose_product(page, 1, FENTANYL)
    page.locator("#id_drugs-1-rate_value").fill("25")
    page.locator("#id_drugs-1-rate_unit").select_option("mcg/hr")

    preview = page.locator("#preview")
    expect(preview.locator(".daily-volume")).to_have_text(["4.8 mL/day", "12 mL/day"])
    per_diems = preview.locator("tr.claim-line[data-code=S9325]")
    expect(per_diems).to_have_count(2)
    expect(per_diems.locator("td.modifiers")).to_have_text(["", "SH"])
    expect(per_diems.locator("td.units")).to_have_text(["31", "31"])
    expect(preview.locator("tr.claim-line[data-code=J3490] td.units")).to_have_text(["149", "372"])
    expect(preview.locator("tr.ndc-line")).to_have_text(
        ["N400074113303 ML148.8", "N400409909425 ML372"]
    )
    assert Order.objects.count() == 0


def test_choosing_a_product_fills_its_label_concentration_on_a_slow_network(
    page: Page, live_server, staff, log_in
):
    """On a network where the concentration answer takes 300 ms, the box is still filled."""
    log_in(staff.pharmacist, "/orders/new/")

    def slow(route: Route) -> None:
        page.wait_for_timeout(300)  # network latency, not a wait in the test
        with contextlib.suppress(PlaywrightError):  # aborted by the page meanwhile
            route.continue_()

    page.route("**/orders/new/concentration/**", slow)
    choose_product(page, 0, MORPHINE)
    expect(page.locator("#id_drugs-0-concentration")).to_have_value("25 mg/mL", timeout=3000)


def test_the_product_combobox_works_from_the_keyboard(page: Page, live_server, staff, log_in):
    """Type "morph 25", ArrowDown, Enter: the seed product is chosen and its concentration
    filled; Escape closes the list (no console error: the page fixture checks every test)."""
    log_in(staff.pharmacist, "/orders/new/")
    box = page.get_by_role("combobox", name="Product")
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press_sequentially("morph 25")
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option").first).to_have_text(MORPHINE)
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", re.compile(r"^drugs-0-product-option-"))
    box.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(listbox).to_be_hidden()
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("Enter")
    expect(box).to_have_value(MORPHINE)
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#id_drugs-0-concentration")).to_have_value("25 mg/mL")


def test_without_javascript_find_lists_products_and_a_button_chooses_one(
    browser, live_server, staff
):
    """With JavaScript off: type the NDC, press Enter (Find), choose the listed product."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/?next=/orders/new/")
        page.get_by_label("Username").fill(staff.pharmacist.get_username())
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name=re.compile(r"^(Sign|Log) in$")).click()
        box = page.get_by_role("combobox", name="Product")
        box.fill("0074113303")
        box.press("Enter")
        page.get_by_role("button", name=MORPHINE).click()
        expect(page.get_by_role("combobox", name="Product")).to_have_value(MORPHINE)
        expect(page.locator("#id_drugs-0-concentration")).to_have_value("25 mg/mL")
    finally:
        context.close()


def test_typing_faster_than_the_preview_answers_logs_no_console_error(
    page: Page, live_server, staff, log_in
):
    """Each preview answer takes 700 ms; the rate is changed again while one is on its way. The
    newest numbers show, and the console stays free of errors (the page fixture checks it)."""
    log_in(staff.pharmacist, "/orders/new/")
    enter_seed_order(page)
    expect(page.locator("#preview .daily-volume")).to_have_text("4.8 mL/day")

    def slow(route: Route) -> None:
        page.wait_for_timeout(700)  # network latency, not a wait in the test
        with contextlib.suppress(PlaywrightError):
            route.continue_()

    page.route("**/orders/new/preview/", slow)
    rate = page.locator("#id_drugs-0-rate_value")
    rate.fill("6")
    page.wait_for_timeout(500)  # the 400 ms pause has sent a preview; it is still on its way
    rate.fill("10")
    expect(page.locator("#preview .daily-volume")).to_have_text("9.6 mL/day", timeout=5000)
