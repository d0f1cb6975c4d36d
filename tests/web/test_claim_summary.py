"""The billing clerk's claim summary: the page, its print layout, its PDF and CSV downloads."""

from __future__ import annotations

import csv
import datetime
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from calculator import roles, services
from calculator.models import ClaimLine, Order
from calculator.web import claim_summary_files, claim_summary_pdf
from tests.conftest import seed_order
from tests.helpers import clone_orders

SEED_REQUEST = seed_order()
JANUARY = {"date_from": "2026-01-01", "date_to": "2026-01-31"}
SUMMARY = reverse("calculator:claim-summary")
SUMMARY_PDF = reverse("calculator:claim-summary-pdf")
SUMMARY_CSV = reverse("calculator:claim-summary-csv")


def _user(django_user_model, username: str, role: str):
    user = django_user_model.objects.create_user(username=username, password="not-used-here")
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def pharmacist(django_user_model):
    return _user(django_user_model, "pharm", roles.PHARMACIST)


@pytest.fixture
def second_pharmacist(django_user_model):
    return _user(django_user_model, "pharm2", roles.PHARMACIST)


@pytest.fixture
def clerk(django_user_model):
    return _user(django_user_model, "clerk", roles.BILLING_CLERK)


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    return client


def _order(pharmacist, checker=None, **changes) -> Order:
    """Save an order (the seed example unless changed) and verify it when a checker is given."""
    order = services.order_create(created_by=pharmacist, request_data={**SEED_REQUEST, **changes})
    if checker is not None:
        order = services.order_verify(order=order, verified_by=checker)
    return order


@pytest.fixture
def seed_order(catalog, pharmacist, second_pharmacist) -> Order:
    """The seed example (HMSA, morphine 25 mg/mL at 5 mg/hr, January 2026), verified."""
    return _order(pharmacist, second_pharmacist)


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def _pdf_text(pdf: bytes, mode: str = "-layout") -> str:
    """The PDF's text: as laid out on the sheet, or with "-raw" in the order it was drawn."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    result = subprocess.run(
        ["pdftotext", mode, "-", "-"], input=pdf, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


# --- The page ---------------------------------------------------------------------------------


def test_summary_shows_the_seed_orders_lines_as_box_24(clerk_client, seed_order):
    """The seed order appears with S9325 x 31, J3490 x 149 and the shaded NDC line above it."""
    response = clerk_client.get(SUMMARY, JANUARY)
    assert response.status_code == 200
    assertContains(response, f'<section class="claim" id="order-{seed_order.pk}"')
    assertContains(response, '<dd class="patient-reference">ACC-1</dd>', html=True)
    assertContains(response, '<dd class="profile">HMSA</dd>', html=True)
    assertContains(response, '<dd class="service-dates">01/01/2026 to 01/31/2026 (31 days)</dd>')
    assertContains(
        response,
        '<tr class="ndc-line"><td></td><td colspan="8">N400074113303 ML148.8</td></tr>',
        html=True,
    )
    assertContains(response, '<td class="code">S9325</td>', html=True)
    assertContains(response, '<td class="code">J3490</td>', html=True)
    assertContains(response, '<td class="num units">31</td>', html=True)
    assertContains(response, '<td class="num units">149</td>', html=True)
    assertContains(response, '<td class="from">01/01/2026</td>', html=True, count=2)
    assertContains(response, '<td class="pos">12</td>', html=True, count=2)
    assertContains(response, '<span id="summary-line-count">2</span>', html=True)
    text = response.text
    # The shaded line sits directly above its drug line, as on the paper form.
    assert text.index("N400074113303 ML148.8") < text.index('data-code="J3490"')


def test_summary_lines_come_from_the_snapshot_not_a_recalculation(clerk_client, seed_order):
    """A saved line is shown as saved, even if the catalog would now give something else."""
    ClaimLine.objects.filter(order=seed_order, code="J3490").update(units=150)
    response = clerk_client.get(SUMMARY, JANUARY)
    assertContains(response, '<td class="num units">150</td>', html=True)
    assertNotContains(response, '<td class="num units">149</td>', html=True)


def test_summary_excludes_drafts_and_void_orders(clerk_client, seed_order, pharmacist, clerk):
    """Only verified orders are summarised: a draft and a voided order stay out."""
    draft = _order(pharmacist, patient_reference="DRAFT-1")
    void = _order(pharmacist, patient_reference="VOID-1")
    services.order_void(order=void, voided_by=pharmacist, reason="entered twice")
    response = clerk_client.get(SUMMARY, JANUARY)
    assertContains(response, "ACC-1")
    assertNotContains(response, "DRAFT-1")
    assertNotContains(response, "VOID-1")
    assertNotContains(response, f'id="order-{draft.pk}"')
    assertNotContains(response, f'id="order-{void.pk}"')


def test_billed_orders_appear_only_when_asked_for(clerk_client, seed_order, clerk):
    """A billed order is left out unless include_billed is ticked, and then has no button."""
    services.order_mark_billed(order=seed_order, billed_by=clerk)
    assertNotContains(clerk_client.get(SUMMARY, JANUARY), 'class="claim"')
    response = clerk_client.get(SUMMARY, {**JANUARY, "include_billed": "on"})
    assertContains(response, f'id="order-{seed_order.pk}"')
    assertContains(response, "Billed")
    assertNotContains(response, reverse("calculator:order-bill", args=[seed_order.pk]))


def test_orders_overlapping_the_range_are_included(clerk_client, seed_order):
    """An order counts when its service period overlaps the range at all."""
    assertContains(clerk_client.get(SUMMARY, {"date_from": "2026-01-31"}), "ACC-1")
    assertContains(clerk_client.get(SUMMARY, {"date_to": "2026-01-01"}), "ACC-1")
    response = clerk_client.get(SUMMARY, {"date_from": "2026-02-01", "date_to": "2026-02-28"})
    assertNotContains(response, "ACC-1")
    assertContains(response, "No verified orders match these filters.")


def test_profile_filter_keeps_only_that_payers_orders(
    clerk_client, seed_order, pharmacist, second_pharmacist
):
    """Filtering by profile name shows only the orders billed under that profile."""
    _order(pharmacist, second_pharmacist, patient_reference="STD-1", profile="STANDARD")
    response = clerk_client.get(SUMMARY, {**JANUARY, "profile": "HMSA"})
    assertContains(response, "ACC-1")
    assertNotContains(response, "STD-1")
    response = clerk_client.get(SUMMARY, {**JANUARY, "profile": "STANDARD"})
    assertNotContains(response, "ACC-1")
    assertContains(response, "STD-1")


def test_orders_are_listed_by_start_date(clerk_client, seed_order, pharmacist, second_pharmacist):
    """Orders come in service-start order, whatever order they were entered in."""
    _order(pharmacist, second_pharmacist, patient_reference="EARLY-1", start="2025-12-20")
    text = clerk_client.get(SUMMARY, JANUARY).text
    assert text.index("EARLY-1") < text.index("ACC-1")


def test_summary_has_print_and_download_links_with_the_same_filters(clerk_client, seed_order):
    """One-click print (no inline script) and PDF/CSV links carrying the filters."""
    response = clerk_client.get(SUMMARY, {**JANUARY, "profile": "HMSA", "include_billed": "on"})
    query = "date_from=2026-01-01&amp;date_to=2026-01-31&amp;profile=HMSA&amp;include_billed=on"
    assertContains(response, f'href="{SUMMARY_PDF}?{query}"')
    assertContains(response, f'href="{SUMMARY_CSV}?{query}"')
    assertContains(response, '<button type="button" class="btn btn-primary btn-sm" data-print>')
    assertContains(response, '<script src="/static/js/app.js"></script>', html=True)
    assert "onclick" not in response.text
    assert "<script>" not in response.text


def test_print_stylesheet_breaks_pages_between_orders_and_hides_navigation():
    """Each order starts a new sheet (except after the last) and the page furniture is hidden."""
    print_css = Path(finders.find("css/print.css")).read_text()
    assert ".claim:not(:last-of-type) { page-break-after: always; break-after: page; }" in (
        print_css
    )
    assert ".no-print, nav, header.no-print" in print_css
    app_js = Path(finders.find("js/app.js")).read_text()
    assert "[data-print]" in app_js
    assert "window.print()" in app_js


# --- Marking billed ---------------------------------------------------------------------------


def test_clerk_marks_an_order_billed_from_the_summary_and_comes_back(clerk_client, seed_order):
    """The per-order button posts to order-bill with `next`, which brings the clerk back."""
    response = clerk_client.get(SUMMARY, {**JANUARY, "profile": "HMSA"})
    back = f"{SUMMARY}?date_from=2026-01-01&date_to=2026-01-31&profile=HMSA"
    bill_url = reverse("calculator:order-bill", args=[seed_order.pk])
    assertContains(response, f'action="{bill_url}"')
    assertContains(
        response, f'<input type="hidden" name="next" value="{back.replace("&", "&amp;")}">'
    )

    response = clerk_client.post(bill_url, {"next": back})
    assert response.status_code == 302
    assert response.url == back
    seed_order.refresh_from_db()
    assert seed_order.status == Order.Status.BILLED
    response = clerk_client.get(response.url)
    assertContains(response, f"Order {seed_order.pk} marked billed.")
    assertNotContains(response, f'id="order-{seed_order.pk}"')


def test_mark_billed_button_needs_the_bill_permission(client, seed_order, django_user_model):
    """A user who may read the summary but not bill sees no button."""
    reader = django_user_model.objects.create_user(username="reader")
    reader.user_permissions.add(
        *Group.objects.get(name=roles.BILLING_CLERK)
        .permissions.exclude(codename="bill_order")
        .all()
    )
    client.force_login(reader)
    response = client.get(SUMMARY, JANUARY)
    assertContains(response, "ACC-1")
    assertNotContains(response, "Mark billed")


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [SUMMARY, SUMMARY_PDF, SUMMARY_CSV])
def test_pharmacist_is_refused_the_summary(client, pharmacist, url):
    """The summary and its downloads are the billing clerk's: a pharmacist gets 403."""
    client.force_login(pharmacist)
    assert client.get(url, JANUARY).status_code == 403


@pytest.mark.parametrize("url", [SUMMARY, SUMMARY_PDF, SUMMARY_CSV])
def test_anonymous_user_is_sent_to_log_in(client, db, url):
    """No one sees claim lines without signing in."""
    response = client.get(url, JANUARY)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_summary_only_answers_get(clerk_client):
    """The summary changes nothing, so it takes no POST."""
    assert clerk_client.post(SUMMARY, JANUARY).status_code == 405


# --- Filters ----------------------------------------------------------------------------------


def test_hostile_filters_give_field_errors_not_a_server_error(clerk_client, seed_order):
    """A bad date or an unknown profile is an error beside its field, escaped, with status 200."""
    response = clerk_client.get(SUMMARY, {"date_from": "notadate", "profile": "<script>"})
    assert response.status_code == 200
    assertContains(response, 'id="id_date_from-errors"')
    assertContains(response, "Enter a valid date.")
    assertContains(response, 'id="id_profile-errors"')
    assertContains(response, "Select a valid choice.")
    assert "<script>" not in response.text
    assertNotContains(response, "ACC-1")


@pytest.mark.parametrize("url", [SUMMARY_PDF, SUMMARY_CSV])
def test_downloads_with_bad_filters_show_the_errors(clerk_client, seed_order, url):
    """A download with bad filters answers with the form and its errors, never a 500."""
    response = clerk_client.get(url, {"date_from": "2026-13-45"})
    assert response.status_code == 400
    assertContains(response, "Enter a valid date.", status_code=400)


def test_end_before_start_is_an_error_beside_the_end_date(clerk_client, seed_order):
    """A range that ends before it starts is refused on the `to` field."""
    response = clerk_client.get(SUMMARY, {"date_from": "2026-01-31", "date_to": "2026-01-01"})
    assert response.status_code == 200
    assertContains(response, 'id="id_date_to-errors"')
    assertContains(response, "the end of the range is before its start")
    assertNotContains(response, "ACC-1")


# --- CSV --------------------------------------------------------------------------------------


def test_csv_has_one_row_per_saved_line(clerk_client, seed_order):
    """The CSV holds exactly the seed order's two claim lines with their exact values."""
    response = clerk_client.get(SUMMARY_CSV, JANUARY)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="claim-summary-2026-01-01-to-2026-01-31.csv"'
    )
    header, *rows = _csv_rows(response)
    assert header == list(claim_summary_files.CSV_HEADER)
    trimmed = [row[:15] for row in rows]  # the description is checked on its own below
    pk = str(seed_order.pk)
    assert trimmed == [
        [pk, "ACC-1", "HMSA", "verified", "1", "2026-01-01", "2026-01-31", "12", "S9325", "",
         "31", "", "", "", ""],
        [pk, "ACC-1", "HMSA", "verified", "2", "2026-01-01", "2026-01-31", "12", "J3490", "",
         "149", "00074113303", "ML", "148.8", "N400074113303 ML148.8"],
    ]  # fmt: skip
    descriptions = list(seed_order.lines.order_by("position").values_list("description", flat=True))
    assert [row[15] for row in rows] == descriptions


def test_csv_neutralises_spreadsheet_formulas(clerk_client, seed_order):
    """A cell that starts like a formula is prefixed with a quote so it is shown, not run."""
    ClaimLine.objects.filter(order=seed_order, code="J3490").update(
        description='=HYPERLINK("http://example.test","x")'
    )
    rows = _csv_rows(clerk_client.get(SUMMARY_CSV, JANUARY))
    assert rows[2][15] == '\'=HYPERLINK("http://example.test","x")'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("S9325", "S9325"),
        ("148.8", "148.8"),
        (149, "149"),
        (None, ""),
    ],
)
def test_spreadsheet_safe(value, expected):
    """Only text a spreadsheet would evaluate gets the quote."""
    assert claim_summary_files.spreadsheet_safe(value) == expected


def test_download_names_carry_the_filters():
    """The file name says what range (and profile) it covers."""
    jan1, jan31 = datetime.date(2026, 1, 1), datetime.date(2026, 1, 31)
    name = claim_summary_files.summary_filename(
        date_from=jan1, date_to=jan31, profile=None, extension="pdf"
    )
    assert name == "claim-summary-2026-01-01-to-2026-01-31.pdf"
    name = claim_summary_files.summary_filename(
        date_from=None, date_to=None, profile=None, extension="csv"
    )
    assert name == "claim-summary.csv"


# --- PDF --------------------------------------------------------------------------------------


def test_pdf_holds_the_same_lines_as_the_page(clerk_client, seed_order):
    """The PDF download is a PDF whose text has the seed order's lines and its NDC line."""
    response = clerk_client.get(SUMMARY_PDF, JANUARY)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="claim-summary-2026-01-01-to-2026-01-31.pdf"'
    )
    assert response.content.startswith(b"%PDF-")
    text = _pdf_text(response.content)
    for expected in ("S9325", "J3490", "149", "N400074113303 ML148.8", "ACC-1"):
        assert expected in text
    assert "Mark billed" not in text
    assert "Download" not in text


def test_pdf_puts_each_order_on_its_own_page(
    clerk_client, seed_order, pharmacist, second_pharmacist
):
    """Two orders print on two pages, the print stylesheet being applied from disk."""
    _order(pharmacist, second_pharmacist, patient_reference="ACC-2")
    text = _pdf_text(clerk_client.get(SUMMARY_PDF, JANUARY).content)
    pages = text.split("\f")
    assert "ACC-1" in pages[0] and "ACC-2" not in pages[0]
    assert "ACC-2" in pages[1]


def test_past_the_order_limit_the_page_says_so_and_offers_the_csv_of_all(
    clerk_client, seed_order, pharmacist, second_pharmacist, settings
):
    """Over the limit the page shows the first orders, says how many match, disables the PDF
    and links the CSV of the same filters, which holds them all."""
    settings.CLAIM_SUMMARY_MAX_ORDERS = 1
    _order(pharmacist, second_pharmacist, patient_reference="ACC-2", start="2026-01-02")
    page = clerk_client.get(SUMMARY, JANUARY)
    assertContains(page, 'id="over-limit"')
    assertContains(
        page,
        "These filters match 2 orders and the page and the PDF hold at most 1: narrow the dates "
        "or pick a profile, or download the CSV, which holds them all.",
    )
    csv_link = f"{SUMMARY_CSV}?date_from=2026-01-01&amp;date_to=2026-01-31"
    assertContains(page, f'<a href="{csv_link}">Download the CSV of all 2 orders</a>', html=True)
    assertNotContains(page, f'href="{SUMMARY_PDF}')
    assertContains(page, "ACC-1")  # the first by service start
    assertNotContains(page, "ACC-2")
    assert {row[1] for row in _csv_rows(clerk_client.get(SUMMARY_CSV, JANUARY))[1:]} == {
        "ACC-1",
        "ACC-2",
    }


def test_pdf_past_the_order_limit_sends_the_clerk_back_with_the_reason(
    clerk_client, seed_order, pharmacist, second_pharmacist, settings
):
    """A PDF over the limit is refused with the reason and the way out, not attempted."""
    settings.CLAIM_SUMMARY_MAX_ORDERS = 1
    _order(pharmacist, second_pharmacist, patient_reference="ACC-2")
    response = clerk_client.get(SUMMARY_PDF, JANUARY)
    assert response.status_code == 302
    assert response.url == f"{SUMMARY}?date_from=2026-01-01&date_to=2026-01-31"
    page = clerk_client.get(response.url)
    assertContains(page, "No PDF was made. These filters match 2 orders")
    assertContains(page, "Download the CSV of all 2 orders")


def test_summary_shows_charges_and_each_claims_total(
    clerk_client, prices, pharmacist, second_pharmacist
):
    """Box 24F per line and the claim total, as on the order page; an unpriced line is said."""
    order = _order(pharmacist, second_pharmacist)  # HMSA: S9325 31 x 150.00, J3490 149 x 2.00
    response = clerk_client.get(SUMMARY, JANUARY)
    assertContains(response, '<td class="num charge">4650.00</td>', html=True)
    assertContains(response, '<td class="num charge">298.00</td>', html=True)
    assertContains(response, '<th class="num claim-total">4948.00</th>', html=True)
    assertContains(response, "Total: 2 claim lines on 1 order; charges 4948.00.")
    detail = clerk_client.get(reverse("calculator:order-detail", args=[order.pk]))
    assertContains(detail, '<th class="num claim-total">4948.00</th>', html=True)

    ClaimLine.objects.filter(order=order, code="J3490").update(charge=None)
    response = clerk_client.get(SUMMARY, JANUARY)
    assertContains(response, "no price")
    assertContains(response, "incomplete")
    assertContains(response, "charges incomplete (a line has no price).")


def test_line_cells_are_escaped(clerk_client, seed_order):
    """Box 24's rows are written in Python (claim_summary_files.line_rows_html) for speed: every
    cell is still escaped, and an unpriced line still says so."""
    ClaimLine.objects.filter(order=seed_order, code="J3490").update(
        description='<script>alert("x")</script> & co', supplemental="N4<b>1</b>", charge=None
    )
    response = clerk_client.get(SUMMARY, JANUARY)
    assertNotContains(response, "<script>alert")
    assertContains(
        response,
        '<td class="description">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</td>',
    )
    assertContains(response, '<td colspan="8">N4&lt;b&gt;1&lt;/b&gt;</td>')
    assertContains(response, '<td class="num charge"><span class="text-danger">no price</span>')


def _page_cells(html: str, order_pk: int) -> list[str]:
    """Return the texts of one order's header, facts and box-24 cells on the page, in order."""
    section = html[html.index(f'id="order-{order_pk}"') :]
    section = section[: section.index("</section>")]
    section = re.sub(r"<form.*?</form>", "", section, flags=re.S)
    cells = re.findall(r"<(?:h2|dd|td|th)[^>]*>(.*?)</(?:h2|dd|td|th)>", section, flags=re.S)
    texts = [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]
    return [text for text in texts if text]


def test_pdf_shows_what_the_page_shows_cell_for_cell(
    clerk_client, seed_order, pharmacist, second_pharmacist
):
    """Every header, fact and box-24 cell of each order on the page is on its PDF sheet, in the
    same order (the PDF is drawn, not rendered from the page's HTML: this keeps them alike)."""
    second = _order(pharmacist, second_pharmacist, patient_reference="ACC-2", start="2026-01-05")
    ClaimLine.objects.filter(order=second, code="J3490").update(charge=None)
    html = clerk_client.get(SUMMARY, JANUARY).text
    pdf = clerk_client.get(SUMMARY_PDF, JANUARY).content
    sheets = _pdf_text(pdf, "-raw").split("\f")
    for sheet, order in zip(sheets, (seed_order, second), strict=False):
        drawn = " ".join(sheet.split()).casefold()  # print.css upper-cases the headings too
        position = 0
        for cell in _page_cells(html, order.pk):
            found = drawn.find(cell.casefold(), position)
            assert found >= 0, f"{cell!r} of order {order.pk} is not on its sheet after {position}"
            position = found + len(cell)
    assert "Total: 4 claim lines on 2 orders; charges incomplete" in " ".join(sheets[1].split())


def test_pdf_of_many_orders_has_a_sheet_for_each(clerk_client, seed_order):
    """A month of orders: one sheet an order, numbered "Page N of M"."""
    clone_orders(seed_order, 59)
    pdf = clerk_client.get(SUMMARY_PDF, JANUARY).content
    sheets = _pdf_text(pdf).split("\f")
    assert len([sheet for sheet in sheets if sheet.strip()]) == 60
    assert "Page 60 of 60" in sheets[59]
    assert "CLONE-58" in sheets[59]


def test_pdf_without_dejavu_uses_the_built_in_fonts(clerk_client, seed_order, monkeypatch):
    """On a machine without DejaVu Sans the PDF still comes, in Helvetica; a character
    Helvetica lacks shows as '?', never as a server error."""
    monkeypatch.setattr(claim_summary_pdf, "FONT_DIRS", ())
    ClaimLine.objects.filter(order=seed_order, code="J3490").update(description="Morphine Ω")
    response = clerk_client.get(SUMMARY_PDF, JANUARY)
    assert response.status_code == 200
    text = _pdf_text(response.content)
    assert "N400074113303 ML148.8" in text
    assert "Morphine ?" in text


def test_pdf_keeps_text_outside_latin_1(clerk_client, seed_order):
    """A description in any script is drawn with the embedded font, not dropped."""
    ClaimLine.objects.filter(order=seed_order, code="J3490").update(
        description="Morphine 25 mg/mL ≥ 148.8 mL, Ω check"
    )
    text = _pdf_text(clerk_client.get(SUMMARY_PDF, JANUARY).content)
    assert "≥ 148.8 mL, Ω check" in text


# --- Queries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [SUMMARY, SUMMARY_CSV])
def test_number_of_queries_does_not_grow_with_the_orders(
    clerk_client, seed_order, django_assert_num_queries, url
):
    """50 orders and 500 orders take the same number of queries."""
    clone_orders(seed_order, 49)
    clerk_client.get(url, JANUARY)  # the first request fills the worker's permission cache
    with CaptureQueriesContext(connection) as fifty:
        response = clerk_client.get(url, JANUARY)
    assert response.status_code == 200
    assert Order.objects.filter(status=Order.Status.VERIFIED).count() == 50
    assert len(fifty) <= 15

    clone_orders(seed_order, 450)
    with django_assert_num_queries(len(fifty)):
        response = clerk_client.get(url, JANUARY)
    assert response.status_code == 200
    if url == SUMMARY:  # plain substring checks: parsing a 1 MB page as HTML takes long
        assert '<span id="summary-order-count">500</span>' in response.text
        assert '<span id="summary-line-count">1000</span>' in response.text
    else:
        assert len(_csv_rows(response)) == 1 + 1000
