"""Dose changes on the order form (issue 15 point 2): a drug row's "Dose changes" box, one
change a line, works without JavaScript; bad input is refused beside the box."""

import pytest
from django.urls import reverse

from calculator.models import Order
from tests.helpers import claim_lines, field_errors
from tests.web.test_order_pages import HOSTILE, drug_row, order_form


@pytest.fixture
def pharmacist_client(catalog, pharmacist, client_for):
    return client_for(pharmacist)


def test_the_preview_bills_a_titrated_month_on_one_claim(pharmacist_client):
    form = order_form(drug_row(0, rate_changes="2026-01-11 7 mg/hr"))
    response = pharmacist_client.post(reverse("calculator:order-preview"), form)
    assert response.status_code == 200
    assert "5 mg/hr x 24 hr = 120 mg/day x 10 days = 1200 mg" in response.text
    assert "7 mg/hr x 24 hr = 168 mg/day x 21 days = 3528 mg" in response.text
    assert "4728 mg / 25 mg/mL = 189.12 mL" in response.text
    assert claim_lines(response.text) == [("S9325", "", "31"), ("J3490", "", "189")]
    assert "N400074113303 ML189.12" in response.text


def test_a_saved_titrated_order_keeps_its_changes(pharmacist_client):
    changes = "2026-01-11 7\n2026-01-21 6 mg/hr bolus 2 mg"
    form = order_form(drug_row(0, bolus_value="1", boluses_per_day="4", rate_changes=changes))
    response = pharmacist_client.post(reverse("calculator:order-new"), form)
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.request["drugs"][0]["rate_changes"] == [
        {"from": "2026-01-11", "rate": "7 mg/hr"},
        {"from": "2026-01-21", "rate": "6 mg/hr", "bolus": "2 mg"},
    ]
    page = pharmacist_client.get(response["Location"]).text
    assert "Rate 5 mg/hr, 7 mg/hr from 2026-01-11, 6 mg/hr from 2026-01-21 (bolus 2 mg);" in page
    assert "7 mg/hr x 24 hr + 1 mg x 4 boluses = 172 mg/day x 10 days = 1720 mg" in page
    assert "6 mg/hr x 24 hr + 2 mg x 4 boluses = 152 mg/day x 11 days = 1672 mg" in page


def test_a_change_outside_the_period_is_refused_beside_the_box(pharmacist_client):
    form = order_form(drug_row(0, rate_changes="2026-01-11 7 mg/hr\n2026-02-11 8 mg/hr"))
    response = pharmacist_client.post(reverse("calculator:order-new"), form)
    assert response.status_code == 400
    errors = field_errors(response.text, "rate_changes", row=0)
    assert errors and errors[0].startswith("line 2: 2026-02-11 is not inside the period")
    assert not Order.objects.exists()


def test_two_changes_on_one_date_are_refused(pharmacist_client):
    form = order_form(drug_row(0, rate_changes="2026-01-11 7 mg/hr\n2026-01-11 8 mg/hr"))
    response = pharmacist_client.post(reverse("calculator:order-new"), form)
    assert response.status_code == 400
    assert "two changes on 2026-01-11" in " ".join(field_errors(response.text, "rate_changes", 0))


def test_hostile_dose_changes_are_refused_beside_the_box_and_never_crash(pharmacist_client):
    pharmacist_client.raise_request_exception = False
    problems = []
    for value in [*HOSTILE[2:], "2026-01-11", "2026-01-11 7 mL", "2026-13-01 7"]:
        data = order_form(drug_row(0, rate_changes=value))
        preview = pharmacist_client.post(reverse("calculator:order-preview"), data)
        response = pharmacist_client.post(reverse("calculator:order-new"), data)
        shown = repr(value[:30])
        if preview.status_code != 200:
            problems.append(f"{shown}: preview answered {preview.status_code}")
        if response.status_code != 400 or Order.objects.exists():
            problems.append(f"{shown}: answered {response.status_code}")
        elif not field_errors(response.text, "rate_changes", row=0):
            problems.append(f"{shown}: no message beside the box")
    assert problems == []
