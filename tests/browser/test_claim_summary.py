"""A billing clerk finds the verified order, prints the claim summary and downloads its PDF."""

from __future__ import annotations

import subprocess

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DOCS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pdf_text(pdftotext: str, path) -> str:
    done = subprocess.run(
        [pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_clerk_prints_and_downloads_the_claim_summary(
    page: Page, live_server, staff, verified_order, log_in, pdftotext, tmp_path
):
    log_in(staff.clerk)
    # A clerk's work starts at the order list.
    expect(page).to_have_url(f"{live_server.url}/orders/")
    page.get_by_label("Status").select_option(label="Verified")
    page.get_by_role("button", name="Filter").click()
    row = page.locator("#orders tbody tr", has_text="ACC-1")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Verified")
    expect(row).to_contain_text("Morphine sulfate")
    row.get_by_role("link", name=str(verified_order.pk)).click()
    expect(page.get_by_role("heading", name=f"Order {verified_order.pk}")).to_be_visible()
    expect(page.locator("#order-status")).to_have_text("Verified")
    expect(page.locator("tr.claim-line[data-code=J3490] td.units")).to_have_text("149")

    page.get_by_role("link", name="Claim summary").click()
    page.get_by_label("Service from").fill("2026-01-01")
    page.get_by_label("Service to").fill("2026-01-31")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(
        f"{live_server.url}/claims/summary/?date_from=2026-01-01&date_to=2026-01-31&profile="
    )
    claim = page.locator(f"section.claim[data-order='{verified_order.pk}']")
    expect(claim).to_be_visible()
    expect(claim.locator(".patient-reference")).to_have_text("ACC-1")
    expect(claim.locator("tr.claim-line[data-code=S9325] td.units")).to_have_text("31")
    expect(claim.locator("tr.claim-line[data-code=J3490] td.units")).to_have_text("149")
    expect(claim.locator("tr.ndc-line")).to_have_text("N400074113303 ML148.8")

    # Print: the button opens the browser's print dialog (stubbed here, headless).
    # (A function, so that evaluate() defines the stub rather than calling it.)
    page.evaluate("() => { window.__printed = 0; window.print = () => window.__printed++; }")
    page.locator("[data-print]").click()
    assert page.evaluate("window.__printed") == 1

    # What the printer gets: no navigation, filters or buttons.
    page.emulate_media(media="print")
    expect(page.locator("nav")).to_be_hidden()
    expect(page.locator("#summary-filters")).to_be_hidden()
    expect(page.locator("[data-print]")).to_be_hidden()
    expect(claim.locator("tr.ndc-line")).to_be_visible()
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "claim-summary.png"), full_page=True)
    page.emulate_media(media="screen")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename == "claim-summary-2026-01-01-to-2026-01-31.pdf"
    pdf = tmp_path / download.suggested_filename
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = pdf_text(pdftotext, pdf)
    for expected in ("S9325", "J3490", "149", "N400074113303 ML148.8", "ACC-1"):
        assert expected in text, f"{expected!r} not in the PDF text:\n{text}"

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    csv_file = tmp_path / "summary.csv"
    download_info.value.save_as(csv_file)
    csv_text = csv_file.read_text()
    assert "J3490" in csv_text and "N400074113303 ML148.8" in csv_text
