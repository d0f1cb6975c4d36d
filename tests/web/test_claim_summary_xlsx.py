"""The claim summary as an .xlsx workbook: one sheet per profile, the header row frozen, NDCs and
codes as text (their leading zeros kept), dates as dates, charges as numbers with two decimals."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from calculator.models import AccessLog
from calculator.web.claim_summary_files import XLSX_CONTENT_TYPE, sheet_name
from tests.conftest import SEED_NDC11, seed_order

SUMMARY_XLSX = reverse("calculator:claim-summary-xlsx")
JANUARY = {"date_from": "2026-01-01", "date_to": "2026-01-31"}
STANDARD_ORDER = seed_order(
    profile="STANDARD", drugs=[{"ndc": "00409263450", "rate": "0.5 mg/hr"}]
)  # hydromorphone: J1170 not priced in STANDARD, a line without a charge


def _workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    return load_workbook(io.BytesIO(response.content))


def test_the_workbook_has_one_sheet_per_profile_with_typed_cells(
    make_claim_order, clerk_client, clerk
):
    hmsa = make_claim_order()
    standard = make_claim_order(STANDARD_ORDER)
    response = clerk_client.get(SUMMARY_XLSX, JANUARY)
    assert response["Content-Disposition"] == (
        'attachment; filename="claim-summary-2026-01-01-to-2026-01-31.xlsx"'
    )
    workbook = _workbook(response)
    assert workbook.sheetnames == ["HMSA", "STANDARD"]

    sheet = workbook["HMSA"]
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["order", "patient_reference", "status", "line"]
    rows = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert {row["order"].value for row in rows} == {hmsa.pk}
    drug = next(row for row in rows if row["code"].value == "J3490")
    assert drug["ndc"].value == SEED_NDC11  # "00074113303": the zeros kept
    assert drug["ndc"].data_type == "s" and drug["ndc"].number_format == "@"
    assert drug["code"].data_type == "s"
    assert drug["units"].value == 149
    assert drug["from"].value == datetime.datetime(2026, 1, 1)  # a date cell
    assert drug["from"].is_date and drug["from"].number_format == "yyyy-mm-dd"
    assert drug["charge"].data_type == "n" and drug["charge"].number_format == "0.00"
    assert Decimal(str(drug["charge"].value)) == Decimal("298.00")
    per_diem = next(row for row in rows if row["code"].value == "S9325")
    assert Decimal(str(per_diem["charge"].value)) == Decimal("4650.00")

    standard_rows = list(workbook["STANDARD"].iter_rows(min_row=2, values_only=True))
    assert {row[0] for row in standard_rows} == {standard.pk}
    logged = AccessLog.objects.get(user=clerk, action=AccessLog.Action.XLSX)
    assert sorted(logged.order_ids) == sorted([hmsa.pk, standard.pk])


def test_no_orders_give_one_sheet_with_the_header_alone(catalog, clerk_client):
    workbook = _workbook(clerk_client.get(SUMMARY_XLSX, JANUARY))
    assert workbook.sheetnames == ["Claim summary"]
    assert workbook.active.max_row == 1


def test_bad_filters_are_field_errors_not_a_file(catalog, clerk_client):
    response = clerk_client.get(SUMMARY_XLSX, {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert response.status_code == 400
    assert "the end of the range is before its start" in response.text


def test_a_pharmacist_cannot_download_it(catalog, client_for, pharmacist):
    assert client_for(pharmacist).get(SUMMARY_XLSX, JANUARY).status_code == 403


@pytest.mark.parametrize(
    ("name", "taken", "expected"),
    [
        ("HMSA", set(), "HMSA"),
        ("Blue Cross [PPO]: *east*", set(), "Blue Cross PPO east"),
        ("A" * 40, set(), "A" * 31),
        ("hmsa", {"HMSA"}, "hmsa (2)"),
        ("///", set(), "Profile"),
    ],
)
def test_sheet_names_follow_excels_rules(name, taken, expected):
    assert sheet_name(name, taken) == expected
