"""A Medicare DME order on the pages (SPEC 11): entered on the form with a secondary profile,
shown with both line sets on the order and the claim summary; bad input is a field error and
nothing is saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from calculator import services
from calculator.models import Order
from tests.conftest import MEDICARE_NDC11
from tests.helpers import claim_lines, field_errors
from tests.web.test_order_pages import drug_row, order_form

WARNINGS = ["drugs.0:dose_out_of_range", "drugs.0:dose_above_maximum"]


def medicare_form(*, reservoir: str = "100", **fields: str) -> dict:
    data = order_form(
        drug_row(0, MEDICARE_NDC11, reservoir_volume_ml=reservoir),
        profile="MEDICARE_DME",
        coverage_modifier="KX",
        pump_code="E0781",
        rental_month="1",
        delivery_date="",
        secondary_profile="HMSA",
    )
    data["ack"] = WARNINGS
    data.update(fields)
    return data


@pytest.fixture
def pharmacist_client(catalog, pharmacist, client_for):
    return client_for(pharmacist)


def test_medicare_order_entered_on_the_form_shows_both_line_sets(pharmacist_client):
    preview = pharmacist_client.post(reverse("calculator:order-preview"), medicare_form())
    assert "Secondary claim lines (HMSA)" in preview.text
    response = pharmacist_client.post(reverse("calculator:order-new"), medicare_form())
    assert response.status_code == 302, response.text
    order = Order.objects.get()
    assert order.secondary_profile.name == "HMSA"
    page = pharmacist_client.get(response["Location"]).text
    rows = claim_lines(page)
    assert [row[0] for row in rows] == ["J2274", "E0781", "A4221", "A4222", "S9325", "J3490"]
    assert ("J2274", "KD KX JZ", "372") in rows
    assert ("E0781", "RR KH", "1") in rows
    assert "Secondary claim lines" in page


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"rental_month": "14"}, "rental_month", "capped rental ended"),
        ({"rental_month": "0"}, "rental_month", "starts at 1"),
        ({"coverage_modifier": "KQ"}, "coverage_modifier", "KQ"),
    ],
)
def test_bad_medicare_input_is_a_field_error_and_nothing_is_saved(
    pharmacist_client, fields, field, words
):
    response = pharmacist_client.post(reverse("calculator:order-new"), medicare_form(**fields))
    assert response.status_code == 400
    assert any(words in error for error in field_errors(response.text, field))
    assert Order.objects.count() == 0


def test_medicare_profile_without_reservoir_is_a_field_error_on_the_drug_row(pharmacist_client):
    response = pharmacist_client.post(reverse("calculator:order-new"), medicare_form(reservoir=""))
    assert response.status_code == 400
    assert any("A4222" in error for error in field_errors(response.text, "reservoir", 0))
    assert Order.objects.count() == 0


def test_claim_summary_prints_both_line_sets(catalog, pharmacist, pharmacist2, client_for, clerk):
    from tests.conftest import acknowledged, medicare_order

    request = acknowledged(medicare_order(secondary_profile="HMSA"))
    order = services.order_create(
        created_by=pharmacist, request_data=request, acknowledged=request["acknowledged"]
    )
    services.order_verify(order=order, verified_by=pharmacist2)
    page = client_for(clerk).get(
        reverse("calculator:claim-summary"), {"date_from": "2026-01-01", "date_to": "2026-01-31"}
    )
    assert "Secondary claim (HMSA)" in page.text
    codes = [row[0] for row in claim_lines(page.text)]
    assert codes == ["J2274", "E0781", "A4221", "A4222", "S9325", "J3490"]


def test_csv_and_spreadsheet_carry_the_secondary_claim(
    catalog, pharmacist, pharmacist2, client_for, clerk
):
    """The exports hold both line sets: the CSV names each line's claim and profile, and the
    workbook puts the secondary claim's lines on its own profile's sheet."""
    import csv
    import io

    from openpyxl import load_workbook

    from tests.conftest import acknowledged, medicare_order

    request = acknowledged(medicare_order(secondary_profile="HMSA"))
    order = services.order_create(
        created_by=pharmacist, request_data=request, acknowledged=request["acknowledged"]
    )
    services.order_verify(order=order, verified_by=pharmacist2)
    january = {"date_from": "2026-01-01", "date_to": "2026-01-31"}
    clerk_client = client_for(clerk)

    csv_text = clerk_client.get(reverse("calculator:claim-summary-csv"), january).text
    header, *rows = list(csv.reader(io.StringIO(csv_text)))
    column = {name: index for index, name in enumerate(header)}
    assert [
        (row[column["code"]], row[column["profile"]], row[column["claim"]]) for row in rows
    ] == [
        ("J2274", "MEDICARE_DME", "primary"),
        ("E0781", "MEDICARE_DME", "primary"),
        ("A4221", "MEDICARE_DME", "primary"),
        ("A4222", "MEDICARE_DME", "primary"),
        ("S9325", "HMSA", "secondary"),
        ("J3490", "HMSA", "secondary"),
    ]

    response = clerk_client.get(reverse("calculator:claim-summary-xlsx"), january)
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["MEDICARE_DME", "HMSA"]
    sheets = {
        name: [
            (row[7], row[-1])  # code, claim
            for row in workbook[name].iter_rows(min_row=2, values_only=True)
        ]
        for name in workbook.sheetnames
    }
    assert sheets == {
        "MEDICARE_DME": [
            ("J2274", "primary"),
            ("E0781", "primary"),
            ("A4221", "primary"),
            ("A4222", "primary"),
        ],
        "HMSA": [("S9325", "secondary"), ("J3490", "secondary")],
    }
