"""The billing reports page as a clerk or administrator uses it: totals, charges by month (chart
and table), by payer and by drug (sortable), held claims by reason linking to the review queue,
the age of unbilled verified orders; bad filters as field errors; constant queries."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from calculator import services
from calculator.domain.reports import MAX_REPORT_DAYS, bar_chart, range_problem
from calculator.models import Order
from calculator.selectors.scrubber import reason_kind
from tests.conftest import SEED_ORDER, seed_order
from tests.helpers import field_errors

URL = reverse("calculator:reports")
JANUARY = {"date_from": "2026-01-01", "date_to": "2026-02-28"}
SEED_TOTAL = Decimal("4948.00")  # S9325 31 x 150.00 + J3490 149 x 2.00 (the `prices` fixture)
FEBRUARY_ORDER = seed_order(start="2026-02-01", end="2026-02-28")  # 28 days: 4200 + 134 x 2


def cell(html: str, table_id: str, row_header: str) -> list[str]:
    """Return the cells of the row of table `table_id` headed (th or first td) `row_header`."""
    table = html[html.index(f'id="{table_id}"') :]
    table = table[: table.index("</table>")]
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        cells = [
            " ".join(re.sub(r"<[^>]+>", " ", c).split())
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        if cells and cells[0] == row_header:
            return cells[1:]
    raise AssertionError(f"no row {row_header!r} in #{table_id}")


def column_order(html: str, table_id: str) -> list[str]:
    table = html[html.index(f'id="{table_id}"') :]
    table = table[: table.index("</table>")]
    body = table[table.index("<tbody>") :]
    return [
        " ".join(re.sub(r"<[^>]+>", " ", c).split())
        for c in re.findall(r"<tr[^>]*>\s*<td[^>]*>(.*?)</td>", body, re.S)
    ]


@pytest.fixture
def month_of_claims(make_claim_order, pharmacist, clerk):
    """January: one billed, one ready, one held (no member ID); February: one ready; a draft;
    a void order (left out)."""
    billed = services.order_mark_billed(order=make_claim_order(), billed_by=clerk)
    ready = make_claim_order()
    held = make_claim_order(member_id="")
    february = make_claim_order(FEBRUARY_ORDER)
    draft = services.order_create(created_by=pharmacist, request_data=SEED_ORDER)
    void = services.order_create(created_by=pharmacist, request_data=SEED_ORDER)
    services.order_void(order=void, voided_by=pharmacist, reason="entered twice")
    return {"billed": billed, "ready": ready, "held": held, "february": february, "draft": draft}


def test_the_clerk_reads_totals_months_payers_drugs_held_and_ages(month_of_claims, clerk_client):
    response = clerk_client.get(URL, JANUARY)
    assert response.status_code == 200
    html = response.text
    february = month_of_claims["february"]
    february_total = sum(line.charge for line in february.lines.all())
    february_units = sum(line.units for line in february.lines.all())
    seed_units = 31 + 149
    # Totals: five orders (the void one left out), two lines each (S9325, J3490 with its NDC).
    assert cell(html, "totals", "Orders") == ["5"]
    assert cell(html, "totals", "Claim lines") == ["10"]
    assert cell(html, "totals", "Units") == [str(4 * seed_units + february_units)]
    charges = 4 * SEED_TOTAL + february_total
    assert cell(html, "totals", "Charges") == [str(charges)]
    # By month: billed vs verified (not billed) vs held; the draft counts in no series.
    assert cell(html, "months", "Jan 2026") == [str(SEED_TOTAL), str(SEED_TOTAL), str(SEED_TOTAL)]
    assert cell(html, "months", "Feb 2026") == ["0.00", str(february_total), "0.00"]
    assert '<svg viewBox="0 0 720 240"' in html and html.count('class="chart-bar ') == 6
    # By payer: four on HMSA, the draft without a payer yet; by drug: morphine.
    hmsa_units = 3 * seed_units + february_units
    assert cell(html, "by-payer", "HMSA") == ["4", "8", str(hmsa_units), str(charges - SEED_TOTAL)]
    assert cell(html, "by-payer", "(none yet)") == ["1", "2", str(seed_units), str(SEED_TOTAL)]
    assert cell(html, "by-drug", "Morphine sulfate")[:2] == ["00074113303", "J3490"]
    # Held by reason, linking to the review queue filtered on it.
    assert cell(html, "held-reasons", "Claim details missing") == ["1"]
    assert 'href="/claims/837p/?reason=claim-details"' in html
    # Unbilled verified orders by age: the three verified today.
    assert cell(html, "ages", "0-7 days") == ["3", str(2 * SEED_TOTAL + february_total)]
    assert cell(html, "ages", "over 60 days") == ["0", "0.00"]


def test_the_review_queue_lists_only_the_claims_held_for_the_reason(
    month_of_claims, clerk_client, pharmacist
):
    held = month_of_claims["held"]
    other = Order.objects.get(pk=month_of_claims["ready"].pk)
    services.order_update_claim_details(  # held for another reason
        order=other, changed_by=pharmacist, diagnosis_codes=""
    )
    page = clerk_client.get(reverse("calculator:claim-exports"), {"reason": "claim-details"}).text
    table = page[page.index('id="held-orders"') :]
    assert f'href="/orders/{held.pk}/"' in table
    assert "Only the claims held for this reason are listed" in page
    both = clerk_client.get(reverse("calculator:claim-exports")).text
    assert "Held for review (2)" in both
    # An unknown reason lists every held claim rather than failing.
    assert (
        "Held for review (2)"
        in clerk_client.get(reverse("calculator:claim-exports"), {"reason": "<script>"}).text
    )


def test_age_buckets_count_days_since_verification(make_claim_order, clerk_client):
    now = timezone.now()
    for days in (3, 10, 45, 90):
        order = make_claim_order()
        Order.objects.filter(pk=order.pk).update(verified_at=now - datetime.timedelta(days=days))
    html = clerk_client.get(URL, JANUARY).text
    for label in ("0-7 days", "8-30 days", "31-60 days", "over 60 days"):
        assert cell(html, "ages", label) == ["1", str(SEED_TOTAL)]


def test_age_buckets_split_at_local_midnight(make_claim_order, clerk_client):
    """Day 7 ends at local midnight: its first second counts 0-7 days, the one before 8-30."""
    today = timezone.localdate()
    seventh = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=7), datetime.time.min)
    )
    for when in (seventh, seventh + datetime.timedelta(hours=23, minutes=59)):
        order = make_claim_order()
        Order.objects.filter(pk=order.pk).update(verified_at=when)
    order = make_claim_order()
    Order.objects.filter(pk=order.pk).update(verified_at=seventh - datetime.timedelta(seconds=1))
    html = clerk_client.get(URL, JANUARY).text
    assert cell(html, "ages", "0-7 days") == ["2", str(2 * SEED_TOTAL)]
    assert cell(html, "ages", "8-30 days") == ["1", str(SEED_TOTAL)]


def test_tables_sort_by_the_column_asked_for(make_claim_order, clerk_client):
    make_claim_order()
    make_claim_order(seed_order(drugs=[{"ndc": "42023011310", "rate": "5 mg/hr"}]))  # ketamine
    html = clerk_client.get(URL, {**JANUARY, "drug_sort": "drug"}).text
    names = column_order(html, "by-drug")
    assert names == sorted(names, key=str.lower) and len(names) == 2
    assert 'aria-sort="ascending"' in html
    html = clerk_client.get(URL, {**JANUARY, "drug_sort": "-drug"}).text
    assert column_order(html, "by-drug") == names[::-1]
    # An unknown column sorts by charges, never a 500.
    assert clerk_client.get(URL, {**JANUARY, "drug_sort": "__class__"}).status_code == 200


def test_the_profile_and_payer_filters_narrow_the_report(month_of_claims, clerk_client):
    html = clerk_client.get(URL, {**JANUARY, "profile": "STANDARD"}).text
    assert cell(html, "totals", "Orders") == ["0"]
    html = clerk_client.get(URL, {**JANUARY, "payer": "HMSA"}).text
    assert cell(html, "totals", "Orders") == ["4"]  # the draft has no payer


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            {"date_from": "2026-03-01", "date_to": "2026-01-01"},
            "date_to",
            "the end of the range is before its start",
        ),
        (
            {"date_from": "2006-01-01", "date_to": "2026-01-01"},
            "date_to",
            f"a report covers at most {MAX_REPORT_DAYS} days (three years): narrow it",
        ),
        ({"payer": "Nobody"}, "payer", None),
        ({"profile": "Nobody"}, "profile", None),
        ({"date_from": "2026-13-01"}, "date_from", "Enter a valid date."),
    ],
)
def test_bad_filters_are_field_errors(catalog, clerk_client, query, field, message):
    response = clerk_client.get(URL, query)
    assert response.status_code == 200
    errors = field_errors(response.text, field)
    assert errors and (message is None or errors == [message])
    assert 'id="totals"' not in response.text


def test_without_dates_the_report_covers_the_last_twelve_months(catalog, clerk_client):
    today = timezone.localdate()
    html = clerk_client.get(URL).text
    start = today.replace(day=1) - datetime.timedelta(days=1)  # back eleven more months
    for _ in range(10):
        start = start.replace(day=1) - datetime.timedelta(days=1)
    assert f"Service from {start.replace(day=1).isoformat()} to {today.isoformat()}" in html


def test_pharmacists_see_it_only_when_given_the_permission(catalog, pharmacist, client_for):
    client = client_for(pharmacist)
    assert client.get(URL).status_code == 403
    assert 'href="/reports/"' not in client.get(reverse("calculator:order-list")).text
    pharmacist.user_permissions.add(Permission.objects.get(codename="view_reports"))
    client = client_for(pharmacist)
    assert client.get(URL).status_code == 200
    assert 'href="/reports/"' in client.get(reverse("calculator:order-list")).text


def test_the_administrator_sees_it(catalog, administrator, client_for):
    assert client_for(administrator).get(URL).status_code == 200


def test_the_report_runs_as_many_queries_for_12_orders_as_for_3(make_claim_order, clerk_client):
    def queries() -> int:
        clerk_client.get(URL, JANUARY)
        with CaptureQueriesContext(connection) as captured:
            assert clerk_client.get(URL, JANUARY).status_code == 200
        return len(captured.captured_queries)

    for _ in range(3):
        make_claim_order()
        make_claim_order(member_id="")
    few = queries()
    for _ in range(9):
        make_claim_order()
        make_claim_order(member_id="")
    assert queries() == few


def test_range_problem_and_chart_geometry():
    day = datetime.date(2026, 1, 1)
    assert range_problem(day, day) is None
    assert range_problem(day, day + datetime.timedelta(days=MAX_REPORT_DAYS - 1)) is None
    assert range_problem(day, day + datetime.timedelta(days=MAX_REPORT_DAYS)) is not None
    chart = bar_chart([("Jan", {"billed": Decimal("150"), "verified": Decimal("75")})])
    billed, verified, held = chart.groups[0].bars
    assert chart.maximum == Decimal("200")
    assert billed.height == Decimal("142.5")  # 190 px of plot x 150 / 200
    assert verified.height == Decimal("71.2")  # 71.25, to a tenth of a pixel
    assert held.height == 0 and billed.y + billed.height == chart.plot_bottom


@pytest.mark.parametrize(
    ("problem", "kind"),
    [
        ("claim details missing: member ID", "claim-details"),
        ('"X99" is not an ICD-10-CM code such as G89.3', "diagnosis"),
        ("line 2 (J3490): no price in the HMSA price list", "price"),
        ("line 2 (J3490): NDC 00074-1133-03 is inactive in the catalog", "ndc"),
        ("line 1 (S9325): S9325 ended on 2025-12-31, after the dates of service", "line"),
        ("40 units of S9325 exceed the 31 authorized (authorization A1)", "authorization"),
        ("something the 837P refuses", "other"),
    ],
)
def test_each_reason_has_its_kind(problem, kind):
    assert reason_kind(problem) == kind
