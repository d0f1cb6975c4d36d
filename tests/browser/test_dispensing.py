"""A pharmacist enters the seed order in a 100 mL cassette with 14 beyond-use days, sees the 3
reservoirs in the live preview, saves, and prints the labels and the compounding worksheet."""

from __future__ import annotations

import re
import subprocess

import pytest
from playwright.sync_api import Page, expect

from calculator.management.commands.seed_demo import DEMO_PROVIDER
from calculator.models import BillingProvider, Order
from tests.browser.conftest import DOCS
from tests.browser.test_order_entry import enter_seed_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pdf_text(pdftotext: str, path) -> str:
    done = subprocess.run(
        [pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    return " ".join(done.stdout.split())


def download(page: Page, link_name: str, tmp_path) -> str:
    with page.expect_download() as download_info:
        page.get_by_role("link", name=link_name).click()
    got = download_info.value
    assert got.failure() is None
    path = tmp_path / got.suggested_filename
    got.save_as(path)
    assert path.read_bytes().startswith(b"%PDF-")
    return str(path)


def test_pharmacist_plans_three_cassettes_saves_and_prints_labels_and_worksheet(
    page: Page, live_server, staff, log_in, pdftotext, tmp_path
):
    BillingProvider.objects.create(**DEMO_PROVIDER)
    log_in(staff.pharmacist)
    enter_seed_order(page)
    page.locator("#id_drugs-0-reservoir").select_option(label="CADD cassette 100 mL (100 mL)")
    page.locator("#id_drugs-0-beyond_use_days").fill("14")
    page.locator("#id_drugs-0-storage").select_option("refrigerated")

    preview = page.locator("#preview")
    expect(preview.locator(".pump-rate")).to_have_text("0.2 mL/hr")
    expect(preview.locator("tr.reservoir")).to_have_count(3)
    expect(preview.locator(".fill-volume")).to_have_text(["67.2 mL", "67.2 mL", "14.4 mL"])
    expect(preview.locator("tr.claim-line[data-code=J3490] td.units")).to_have_text("149")
    assert Order.objects.count() == 0, "the preview must not save anything"

    page.get_by_role("button", name="Save order").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/orders/\d+/$"))
    order = Order.objects.get()
    expect(page.locator("main .fill-volume")).to_have_text(["67.2 mL", "67.2 mL", "14.4 mL"])

    # The labels: a print page, one label per reservoir.
    page.get_by_role("link", name="Labels", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/orders/{order.pk}/labels/")
    labels = page.locator("section.label")
    expect(labels).to_have_count(3)
    expect(labels.first).to_contain_text("C-II")
    expect(labels.first).to_contain_text("Fill 67.2 mL")
    expect(labels.nth(2)).to_contain_text("Beyond use 2026-02-12")
    page.evaluate("() => { window.__printed = 0; window.print = () => window.__printed++; }")
    page.locator("[data-print]").click()
    assert page.evaluate("window.__printed") == 1

    # The README's picture: the labels on a Letter sheet, as printed.
    page.get_by_role("link", name="Letter sheet").click()
    expect(page).to_have_url(f"{live_server.url}/orders/{order.pk}/labels/?sheet=letter")
    page.emulate_media(media="print")
    expect(page.locator(".toolbar")).to_be_hidden()
    DOCS.mkdir(exist_ok=True)
    page.locator("div.labels").screenshot(path=str(DOCS / "labels.png"))
    page.emulate_media(media="screen")

    text = pdf_text(pdftotext, download(page, "Download PDF", tmp_path))
    assert text.count("Patient ACC-1") == 3
    for expected in (
        f"Order {order.pk}",
        "Demo Home Infusion Pharmacy",
        "Morphine sulfate 25 mg/mL",
        "Fill 67.2 mL",
        "Fill 14.4 mL",
        "Rate 0.2 mL/hr",
        "Filled 2026-01-15",
        "Beyond use 2026-01-29",
        "Refrigerate",
    ):
        assert expected in text, f"{expected!r} not in the labels PDF:\n{text}"

    # The compounding worksheet: a print page and its PDF.
    page.goto(f"{live_server.url}/orders/{order.pk}/")
    page.get_by_role("link", name="Compounding worksheet").click()
    expect(page.locator("tr.worksheet-reservoir")).to_have_count(3)
    text = pdf_text(pdftotext, download(page, "Download PDF", tmp_path))
    for expected in (
        "Compounding worksheet",
        "C-II Morphine sulfate 25 mg/mL",
        "Pump rate 0.2 mL/hr",
        "CADD cassette 100 mL",
        "14 beyond-use days",
        "67.2 mL 2026-01-01 2026-01-15",
        "14.4 mL 2026-01-29 2026-02-12",
        "Preparing",
        "Checking",
    ):
        assert expected in text, f"{expected!r} not in the worksheet PDF:\n{text}"
