"""A billing clerk opens the reports page, follows a held reason to the review queue, and prints
the page: one landscape page; axe-core finds nothing serious."""

from __future__ import annotations

import re
import subprocess

import pytest
from playwright.sync_api import Page, expect

from calculator import services
from calculator.models import BillingProfile, Payer, PriceListEntry
from tests.browser.conftest import DOCS, SEED_ORDER
from tests.browser.test_accessibility import assert_accessible
from tests.conftest import PATIENT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def claims(staff):
    hmsa = BillingProfile.objects.get(name="HMSA")
    PriceListEntry.objects.create(profile=hmsa, code="S9325", ndc="", unit_price="150.00")
    PriceListEntry.objects.create(profile=hmsa, code="J3490", ndc="00074113303", unit_price="2")
    payer = Payer.objects.create(name="HMSA", payer_id="990040115", profile=hmsa)
    for member_id in ("XHM1", "", "XHM3"):
        order = services.order_create(created_by=staff.pharmacist, request_data=SEED_ORDER)
        services.order_update_claim_details(
            order=order,
            changed_by=staff.clerk,
            payer=payer,
            **{**PATIENT, "member_id": member_id},
        )
        services.order_verify(order=order, verified_by=staff.pharmacist2)


def test_clerk_reads_the_reports_follows_a_reason_and_prints_one_landscape_page(
    page: Page, live_server, staff, claims, log_in, tmp_path
):
    log_in(staff.clerk, "/reports/?date_from=2026-01-01&date_to=2026-03-31")
    expect(page.get_by_role("heading", name="Billing reports")).to_be_visible()
    expect(page.get_by_role("row", name="Orders 3")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("^Charges by month"))).to_be_visible()
    assert_accessible(page, "reports")
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "reports.png"), full_page=True)

    # Sorting is a link: the column header's aria-sort follows it.
    page.locator("#by-drug").get_by_role("link", name="Units").click()
    expect(page.locator("#by-drug th[aria-sort=descending]")).to_have_text(re.compile("^Units"))

    page.emulate_media(media="print")
    pdf = tmp_path / "reports.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"^Pages:\s+1$", info.stdout, re.M), info.stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info.stdout).groups())
    assert width > height, "landscape"
    page.emulate_media(media="screen")

    page.locator("#held-reasons").get_by_role("link", name="Claim details missing").click()
    expect(page).to_have_url(f"{live_server.url}/claims/837p/?reason=claim-details")
    expect(page.locator("#held-orders tbody tr")).to_have_count(1)
    expect(page.locator("#held-orders")).to_contain_text("member ID")
