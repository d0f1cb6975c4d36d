"""The pages as pharmacists and billing clerks use them: the order form with its live preview, the
order list and its filters, the order detail and the verify / bill / void actions."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculator import services
from calculator.models import ClaimLine, DrugProduct, Order, OrderDrug
from tests.conftest import (
    SEED_END,
    SEED_NDC11,
    SEED_PATIENT_REFERENCE,
    SEED_PROFILE,
    SEED_RATE,
    SEED_START,
)
from tests.helpers import claim_lines, field_errors, listed_orders, texts

MORPHINE = SEED_NDC11  # morphine sulfate 25 mg/mL, the seed example's product
KETAMINE = "42023011310"  # ketamine 10 mg/mL, no J-code
HYDROMORPHONE = "00409263450"  # hydromorphone HPF 10 mg/mL
FENTANYL = "00409909425"  # fentanyl citrate 50 mcg/mL

# --- Helpers ----------------------------------------------------------------------------------


def product(ndc11: str) -> DrugProduct:
    return DrugProduct.objects.get(ndc=ndc11)


def drug_row(index: int, ndc11: str = MORPHINE, **fields: str) -> dict[str, str]:
    """Return one drug row as the browser posts it (concentration filled from the label)."""
    chosen = product(ndc11)
    row = {
        "product": str(chosen.pk),
        "concentration": chosen.concentration,
        "rate_value": "5",
        "rate_unit": "mg/hr",
        "bolus_value": "",
        "bolus_unit": "mg",
        "boluses_per_day": "",
        "lockout_minutes": "",
        "weight_kg": "",
        **fields,
    }
    return {f"drugs-{index}-{key}": value for key, value in row.items()}


def order_form(*rows: dict[str, str], **fields: str) -> dict[str, str]:
    """Return the order form as posted: the seed order unless told otherwise."""
    rows = rows or (drug_row(0),)
    data = {
        "patient_reference": SEED_PATIENT_REFERENCE,
        "profile": SEED_PROFILE,
        "therapy": "continuous",
        "hours_per_day": "24",
        "start": SEED_START,
        "end": SEED_END,
        "nursing_visits": "",
        "drugs-TOTAL_FORMS": str(len(rows)),
        "drugs-INITIAL_FORMS": "0",
        "drugs-MIN_NUM_FORMS": "1",
        "drugs-MAX_NUM_FORMS": "10",
        "action": "save",
    }
    for row in rows:
        data.update(row)
    data.update(fields)
    return data


def seed_drug(ndc11: str = MORPHINE, rate: str = SEED_RATE) -> dict[str, Any]:
    return {"ndc": ndc11, "rate": rate}


def make_order(user, *, profile=SEED_PROFILE, start=SEED_START, end=SEED_END, drugs=None) -> Order:
    """Save an order through the service, as the form would."""
    return services.order_create(
        created_by=user,
        request_data={
            "patient_reference": SEED_PATIENT_REFERENCE,
            "profile": profile,
            "start": start,
            "end": end,
            "drugs": drugs or [seed_drug()],
        },
    )


@pytest.fixture
def pharmacist_client(catalog, pharmacist, client_for):
    return client_for(pharmacist)


# --- Entering an order ------------------------------------------------------------------------


def test_the_new_order_page_opens_with_one_drug_row(pharmacist_client):
    """A pharmacist gets the order form with a single, empty drug row and no errors."""
    response = pharmacist_client.get(reverse("calculator:order-new"))
    assert response.status_code == 200
    assert response.text.count('class="drug-row') == 1
    assert "invalid-feedback" not in response.text


def test_the_preview_of_the_seed_order_shows_4_8_ml_a_day_and_j3490_x_149(pharmacist_client):
    """The live preview works out 4.8 mL/day and bills S9325 x 31 and J3490 x 149 (HMSA)."""
    response = pharmacist_client.post(reverse("calculator:order-preview"), order_form())
    assert response.status_code == 200
    assert texts(response.text, "daily-volume") == ["4.8 mL/day"]
    assert "5 mg/hr x 24 hr = 120 mg/day" in response.text
    assert "120 mg/day / 25 mg/mL = 4.8 mL/day" in response.text
    assert claim_lines(response.text) == [("S9325", "", "31"), ("J3490", "", "149")]
    assert texts(response.text, "ndc-line") == ["N400074113303 ML148.8"]  # above the drug line
    assert Order.objects.count() == 0


def test_the_preview_reads_a_per_day_rate_as_the_daily_dose_at_12_hours(pharmacist_client):
    """120 mg/day over 12 hours a day previews 120 mg a day (10 mg/hr while infusing), 4.8 mL."""
    form = order_form(
        drug_row(0, rate_value="120", rate_unit="mg/day"),
        therapy="intermittent",
        hours_per_day="12",
    )
    response = pharmacist_client.post(reverse("calculator:order-preview"), form)
    assert response.status_code == 200
    assert texts(response.text, "daily-volume") == ["4.8 mL/day"]
    assert "120 mg/day over 12 hr/day = 10 mg/hr while infusing" in response.text
    assert "4.8 mL/day x 31 days = 148.8 mL" in response.text


def test_saving_the_seed_order_shows_the_same_numbers_on_its_detail_page(pharmacist_client):
    """The saved order's page shows the steps, 4.8 mL/day, the lines, the N4 line and history."""
    response = pharmacist_client.post(reverse("calculator:order-new"), order_form())
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("calculator:order-detail", args=[order.pk])

    page = pharmacist_client.get(response["Location"]).text
    assert texts(page, "daily-volume") == ["4.8 mL"]
    assert "5 mg/hr x 24 hr = 120 mg/day" in page
    assert "4.8 mL/day x 31 days = 148.8 mL" in page
    assert claim_lines(page) == [("S9325", "", "31"), ("J3490", "", "149")]
    assert texts(page, "ndc-line") == ["N400074113303 ML148.8"]
    history = texts(page, "history")[0]
    assert "pharmacist" in history
    assert "Created" in history
    assert "draft" in history


def test_a_second_drug_row_adds_an_s9325_line_with_the_sh_modifier(pharmacist_client):
    """Two concurrent drugs: a second per-diem line with SH, and one J3490 line per drug."""
    data = order_form(drug_row(0), drug_row(1, KETAMINE))
    preview = pharmacist_client.post(reverse("calculator:order-preview"), data)
    expected = [("S9325", "", "31"), ("S9325", "SH", "31")]
    assert sorted(line for line in claim_lines(preview.text) if line[0] == "S9325") == expected

    assert pharmacist_client.post(reverse("calculator:order-new"), data).status_code == 302
    order = Order.objects.get()
    saved = sorted((line.code, line.modifiers) for line in order.lines.all())
    assert saved == [("J3490", ""), ("J3490", ""), ("S9325", ""), ("S9325", "SH")]
    assert sorted(order.drugs.values_list("ndc", flat=True)) == sorted([MORPHINE, KETAMINE])


def test_adding_a_drug_row_re_renders_with_one_more_row_and_saves_nothing(pharmacist_client):
    """The "add another drug" button gives the same form with a new row, quietly."""
    data = order_form(action="add-drug")
    response = pharmacist_client.post(reverse("calculator:order-new"), data)
    assert response.status_code == 200
    assert response.text.count('class="drug-row') == 2
    assert 'name="drugs-TOTAL_FORMS" value="2"' in response.text
    assert "invalid-feedback" not in response.text
    assert 'value="ACC-1"' in response.text
    assert Order.objects.count() == 0


def test_a_concentration_off_the_label_without_the_compounded_mark_is_refused(pharmacist_client):
    """50 mg/mL on a 25 mg/mL product needs the compounded mark: error beside it, nothing saved."""
    data = order_form(drug_row(0, concentration="50 mg/mL"))
    response = pharmacist_client.post(reverse("calculator:order-new"), data)
    assert response.status_code == 400
    [error] = field_errors(response.text, "concentration", row=0)
    assert "differs from the labelled 25 mg/mL" in error
    assert "compounded" in error
    assert Order.objects.count() == 0


def test_a_compounded_concentration_is_saved_with_the_label_beside_it(pharmacist_client):
    """With the compounded mark, 50 mg/mL is used (2.4 mL/day) and the label is kept too."""
    data = order_form(drug_row(0, concentration="50 mg/mL", compounded="on"))
    assert pharmacist_client.post(reverse("calculator:order-new"), data).status_code == 302
    drug = OrderDrug.objects.get()
    assert (drug.concentration, drug.labelled_concentration) == ("50 mg/mL", "25 mg/mL")
    assert drug.compounded is True
    assert drug.daily_volume_ml == "2.4"


def fentanyl_slip() -> dict[str, str]:
    """Fentanyl 50 mcg/mL entered at 50 mg/hr instead of 50 mcg/hr: a factor-of-1000 slip."""
    return order_form(drug_row(0, FENTANYL, rate_value="50", rate_unit="mg/hr"))


SLIP = "drugs.0:mg_mcg_slip"
ABOVE_MAXIMUM = "drugs.0:dose_above_maximum"


def test_a_mg_mcg_slip_is_named_and_must_be_acknowledged_before_saving(pharmacist_client):
    """The warning names the mg/mcg mix-up; without its acknowledgement nothing is saved."""
    preview = pharmacist_client.post(reverse("calculator:order-preview"), fentanyl_slip())
    assert "1000 times higher than usual: check for a mg/mcg mix-up" in preview.text
    assert f'name="ack" value="{SLIP}"' in preview.text

    response = pharmacist_client.post(reverse("calculator:order-new"), fentanyl_slip())
    assert response.status_code == 400
    assert any("mg/mcg mix-up" in error for error in texts(response.text, "ack-error"))
    assert Order.objects.count() == 0

    partly = {**fentanyl_slip(), "ack": [SLIP]}
    assert pharmacist_client.post(reverse("calculator:order-new"), partly).status_code == 400
    assert Order.objects.count() == 0


def test_an_acknowledged_warning_is_saved_with_the_order(pharmacist_client, pharmacist):
    """Acknowledging every warning saves the order, and each acknowledgement is kept with it."""
    data = {**fentanyl_slip(), "ack": [SLIP, ABOVE_MAXIMUM]}
    response = pharmacist_client.post(reverse("calculator:order-new"), data)
    assert response.status_code == 302
    order = Order.objects.get()
    assert sorted(ack["id"] for ack in order.acknowledgements) == sorted([SLIP, ABOVE_MAXIMUM])
    assert {ack["by"] for ack in order.acknowledgements} == {pharmacist.username}
    page = pharmacist_client.get(response["Location"]).text
    acknowledged = texts(page, "acknowledgements")[0]
    assert "mg/mcg mix-up" in acknowledged
    assert "acknowledged by pharmacist" in acknowledged


def test_a_full_name_as_patient_reference_is_refused_beside_the_field(pharmacist_client):
    """ "John Smith" is a name, not an account number or initials: refused, nothing saved."""
    data = order_form(patient_reference="John Smith")
    response = pharmacist_client.post(reverse("calculator:order-new"), data)
    assert response.status_code == 400
    [error] = field_errors(response.text, "patient_reference")
    assert "not a full name" in error
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "row_fields", "field", "message"),
    [
        ({"end": "2025-12-01"}, {}, "end", "is before the start date"),
        ({"hours_per_day": "12"}, {}, "therapy", "continuous therapy runs 24 hours a day"),
        ({"hours_per_day": "25"}, {}, "hours_per_day", "at most 24"),
        ({}, {"rate_unit": "mg/kg/hr"}, "weight_kg", "needs the weight"),
        ({}, {"rate_value": "5,5"}, "rate_value", "use a decimal point, not a comma"),
        ({}, {"concentration": "25 MG/ML", "compounded": "on"}, "concentration", "did you mean"),
    ],
)
def test_an_invalid_order_shows_the_message_beside_the_field_it_is_about(
    pharmacist_client, fields, row_fields, field, message
):
    """Cross-field and engine errors land beside the field they concern."""
    data = order_form(drug_row(0, **row_fields), **fields)
    response = pharmacist_client.post(reverse("calculator:order-new"), data)
    assert response.status_code == 400
    row = 0 if row_fields else None
    errors = field_errors(response.text, field, row=row)
    assert any(message in error for error in errors), errors
    assert Order.objects.count() == 0


# --- Hostile input ----------------------------------------------------------------------------

HOSTILE = [
    "",
    "   ",
    "-5",
    "0",
    "1e400",
    "99999999999999999999",
    "5 ML",
    "ML",
    "5,5",
    "1 000",
    "<script>alert(1)</script>",
    "'; DROP TABLE calculator_order; --",
    "NaN",
    "Infinity",
    "٥",
    "ünïcødé ☃ 𝟓 中文",
    "x" * 10_000,
    "\x00",
    "5\x00",
]
ORDER_FIELDS = [
    "patient_reference",
    "profile",
    "therapy",
    "hours_per_day",
    "start",
    "end",
    "nursing_visits",
]
DRUG_FIELDS = [
    "product",
    "concentration",
    "compounded",
    "rate_value",
    "rate_unit",
    "bolus_value",
    "bolus_unit",
    "boluses_per_day",
    "lockout_minutes",
    "weight_kg",
]
BLANK = {"", "   "}
# Hostile values that are nevertheless a valid entry for the field, so the order is saved.
ACCEPTED: dict[str, set[str]] = {
    # Shaped like an account number: letters and digits, at most 20 characters.
    "patient_reference": {"0", "1e400", "99999999999999999999", "ML", "NaN", "Infinity"},
    "nursing_visits": BLANK,  # optional
    "concentration": BLANK,  # taken from the product's label
    "compounded": set(HOSTILE),  # a checkbox: any submitted value means ticked
    "bolus_value": BLANK,
    "bolus_unit": {""},
    "boluses_per_day": BLANK | {"0"},
    "lockout_minutes": BLANK,
    "weight_kg": BLANK,
}
# Refused, but the message is elsewhere. Django's ModelChoiceField reads "٥" as pk 5 (a select,
# not typed), and that product's 1 mg/mL label conflicts with 25 mg/mL: fine.
MESSAGE_ELSEWHERE = {("product", "٥")}
NON_ASCII_DIGITS = (
    "forms.DrugForm.boluses_per_day is a Django IntegerField, which reads the Arabic-Indic "
    '"1٠" as 10 (int() takes any Unicode digit); units.py reads ASCII digits only'
)


@pytest.mark.parametrize("name", ORDER_FIELDS + DRUG_FIELDS)
def test_hostile_input_in_any_field_is_refused_beside_it_and_never_crashes(pharmacist_client, name):
    """Each hostile value, alone among valid seed values: no 500, and saved only if valid."""
    pharmacist_client.raise_request_exception = False
    key = name if name in ORDER_FIELDS else f"drugs-0-{name}"
    row = None if name in ORDER_FIELDS else 0
    problems = []
    for value in HOSTILE:
        shown = repr(value[:30])
        before = Order.objects.count()
        data = order_form(**{key: value})
        preview = pharmacist_client.post(reverse("calculator:order-preview"), data)
        response = pharmacist_client.post(reverse("calculator:order-new"), data)
        saved = Order.objects.count() - before
        if preview.status_code != 200:
            problems.append(f"{shown}: preview answered {preview.status_code}")
        if value in ACCEPTED.get(name, set()):
            if (response.status_code, saved) != (302, 1):
                problems.append(f"{shown}: valid, but answered {response.status_code}")
            continue
        if response.status_code != 400 or saved:
            problems.append(f"{shown}: answered {response.status_code}, saved {saved}")
        elif (name, value) not in MESSAGE_ELSEWHERE and not field_errors(
            response.text, name, row=row
        ):
            problems.append(f"{shown}: refused, but no message beside {name}")
    assert problems == []


@pytest.mark.parametrize(
    "key",
    ["drugs-TOTAL_FORMS", "drugs-INITIAL_FORMS", "drugs-MIN_NUM_FORMS", "drugs-MAX_NUM_FORMS"],
)
@pytest.mark.parametrize("action", ["save", "add-drug"])
def test_a_tampered_management_form_never_crashes(pharmacist_client, key, action):
    """Hostile row counts in the formset's hidden fields give a page, never a 500."""
    pharmacist_client.raise_request_exception = False
    for value in HOSTILE:
        if key == "drugs-TOTAL_FORMS" and value == "99999999999999999999":
            continue  # see test_a_posted_row_count_above_the_maximum_renders_at_most_10_rows
        data = order_form(action=action, **{key: value})
        response = pharmacist_client.post(reverse("calculator:order-new"), data)
        assert response.status_code in {200, 302, 400}, (key, value[:30])
        assert pharmacist_client.post(reverse("calculator:order-preview"), data).status_code == 200


def test_a_posted_row_count_above_the_maximum_renders_at_most_10_rows(pharmacist_client):
    """A hostile drugs-TOTAL_FORMS cannot make the server build more rows than an order holds."""
    data = order_form(**{"drugs-TOTAL_FORMS": "50"})
    response = pharmacist_client.post(reverse("calculator:order-new"), data)
    assert response.status_code == 400
    assert response.text.count('class="drug-row') <= 10
    assert Order.objects.count() == 0


def test_boluses_per_day_in_non_ascii_digits_are_refused(pharmacist_client):
    """ "1٠" (1 and an Arabic-Indic zero, which looks like "1.") is not read as 10 boluses."""
    data = order_form(drug_row(0, bolus_value="1", boluses_per_day="1٠"))
    response = pharmacist_client.post(reverse("calculator:order-new"), data)
    assert response.status_code == 400
    assert field_errors(response.text, "boluses_per_day", row=0)
    assert Order.objects.count() == 0


KEY_FIELDS = [
    "patient_reference",
    "hours_per_day",
    "nursing_visits",
    "drugs-0-concentration",
    "drugs-0-rate_value",
    "drugs-0-bolus_value",
    "drugs-0-weight_kg",
]


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(key=st.sampled_from(KEY_FIELDS), value=st.text())
def test_any_text_in_a_key_field_gives_a_page_and_saves_only_valid_orders(
    pharmacist_client, key, value
):
    """Whatever is typed: no 500; an order is saved only with the redirect to it."""
    pharmacist_client.raise_request_exception = False
    before = Order.objects.count()
    response = pharmacist_client.post(reverse("calculator:order-new"), order_form(**{key: value}))
    assert response.status_code in {302, 400}
    if response.status_code == 302:
        order = Order.objects.order_by("-pk").first()
        assert Order.objects.count() == before + 1
        assert response["Location"] == reverse("calculator:order-detail", args=[order.pk])
    else:
        assert Order.objects.count() == before


# --- The order list ---------------------------------------------------------------------------


@pytest.fixture
def four_orders(catalog, pharmacist, pharmacist2, clerk) -> dict[str, Order]:
    """Orders differing in dates, profile, status and drug."""
    january = make_order(pharmacist)
    march = make_order(
        pharmacist,
        profile="STANDARD",
        start="2026-03-01",
        end="2026-03-10",
        drugs=[seed_drug(HYDROMORPHONE, "1 mg/hr")],
    )
    services.order_verify(order=march, verified_by=pharmacist2)
    june = make_order(
        pharmacist, start="2026-06-01", end="2026-06-30", drugs=[seed_drug(FENTANYL, "50 mcg/hr")]
    )
    services.order_verify(order=june, verified_by=pharmacist2)
    services.order_mark_billed(order=june, billed_by=clerk)
    ketamine = make_order(pharmacist, profile="STANDARD", drugs=[seed_drug(KETAMINE)])
    services.order_void(order=ketamine, voided_by=pharmacist, reason="entered twice")
    return {"january": january, "march": march, "june": june, "ketamine": ketamine}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"january", "march", "june", "ketamine"}),
        ({"date_from": "2026-02-01", "date_to": "2026-04-30"}, {"march"}),
        ({"date_from": "2026-05-01"}, {"june"}),
        ({"date_to": "2026-01-15"}, {"january", "ketamine"}),
        ({"profile": "STANDARD"}, {"march", "ketamine"}),
        ({"status": "draft"}, {"january"}),
        ({"status": "verified"}, {"march"}),
        ({"status": "billed"}, {"june"}),
        ({"status": "void"}, {"ketamine"}),
        ({"drug": "hydromorphone"}, {"march"}),
        ({"drug": "00409-9094-25"}, {"june"}),
        ({"drug": "Morphine"}, {"january"}),
        ({"profile": "HMSA", "status": "billed"}, {"june"}),
    ],
)
def test_each_order_list_filter_narrows_the_list(four_orders, clerk, client_for, query, expected):
    """Date range, profile, status and drug (name or NDC) each keep only the matching orders."""
    response = client_for(clerk).get(reverse("calculator:order-list"), query)
    assert response.status_code == 200
    assert listed_orders(response.text) == {four_orders[name].pk for name in expected}


def test_a_date_range_that_ends_before_it_starts_is_an_error_beside_the_field(
    four_orders, clerk, client_for
):
    """date_to before date_from is said beside "To", not silently ignored."""
    query = {"date_from": "2026-03-01", "date_to": "2026-01-01"}
    response = client_for(clerk).get(reverse("calculator:order-list"), query)
    assert response.status_code == 200
    assert field_errors(response.text, "date_to") == ["the end of the range is before its start"]


def test_the_order_list_runs_as_many_queries_for_30_orders_as_for_5(
    catalog, pharmacist, clerk, client_for
):
    """No query per order: the list's query count does not grow with the orders shown."""
    client = client_for(clerk)
    url = reverse("calculator:order-list")

    def queries_for_list() -> int:
        client.get(url)  # warm the session and caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured.captured_queries)

    two_drugs = [seed_drug(), seed_drug(KETAMINE)]
    for _ in range(5):
        make_order(pharmacist, drugs=two_drugs)
    with_5 = queries_for_list()
    for _ in range(25):
        make_order(pharmacist, drugs=two_drugs)
    with_30 = queries_for_list()
    assert with_30 == with_5


# --- Order detail and its actions -------------------------------------------------------------


def test_the_order_detail_shows_inputs_steps_lines_n4_line_and_history(
    saved_order, clerk, client_for
):
    """What the clerk reads: the inputs, the work, the CMS-1500 lines and who did what."""
    page = client_for(clerk).get(reverse("calculator:order-detail", args=[saved_order.pk])).text
    assert "ACC-1" in page
    assert "Rate 5 mg/hr; concentration 25 mg/mL" in page
    steps = texts(page, "steps")[0]
    assert "5 mg/hr x 24 hr = 120 mg/day" in steps
    assert "148.8 mL -> 149 units" in steps
    assert claim_lines(page) == [("S9325", "", "31"), ("J3490", "", "149")]
    assert texts(page, "ndc-line") == ["N400074113303 ML148.8"]
    assert "pharmacist" in texts(page, "history")[0]


def detail(client, order: Order):
    return client.get(reverse("calculator:order-detail", args=[order.pk]), follow=True)


def post_action(client, action: str, order: Order, data: dict | None = None):
    """POST an action and follow the redirect back to the order's page."""
    url = reverse(f"calculator:order-{action}", args=[order.pk])
    return client.post(url, data or {}, follow=True)


def messages_on(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_a_second_pharmacist_verifies_a_draft(saved_order, pharmacist2, client_for):
    """Verification by a second pharmacist needs no confirmation."""
    response = post_action(client_for(pharmacist2), "verify", saved_order)
    assert response.status_code == 200
    assert f"Order {saved_order.pk} verified." in messages_on(response)
    saved_order.refresh_from_db()
    assert saved_order.status == "verified"
    assert saved_order.verified_by == pharmacist2
    assert saved_order.verified_at is not None


def test_the_pharmacist_who_entered_an_order_must_confirm_to_verify_it(
    saved_order, pharmacist, client_for
):
    """Self-verification without the re-check box is refused with a message; with it, done."""
    client = client_for(pharmacist)
    page = detail(client, saved_order).text
    assert 'name="confirm"' in page

    response = post_action(client, "verify", saved_order)
    assert any("confirm that you have re-checked it" in m for m in messages_on(response))
    saved_order.refresh_from_db()
    assert saved_order.status == "draft"

    post_action(client, "verify", saved_order, {"confirm": "on"})
    saved_order.refresh_from_db()
    assert (saved_order.status, saved_order.verified_by) == ("verified", pharmacist)


def test_a_clerk_marks_a_verified_order_billed(saved_order, pharmacist2, clerk, client_for):
    """The clerk's "Mark billed" button moves a verified order to billed, with who and when."""
    services.order_verify(order=saved_order, verified_by=pharmacist2)
    client = client_for(clerk)
    assert "Mark billed" in detail(client, saved_order).text
    response = post_action(client, "bill", saved_order)
    assert f"Order {saved_order.pk} marked billed." in messages_on(response)
    saved_order.refresh_from_db()
    assert (saved_order.status, saved_order.billed_by) == ("billed", clerk)
    assert saved_order.billed_at is not None


def test_voiding_needs_a_reason_and_keeps_the_order(saved_order, pharmacist, client_for):
    """No reason, no void; with a reason the order is void, still listed, with the reason."""
    client = client_for(pharmacist)
    response = post_action(client, "void", saved_order, {"reason": "   "})
    assert "give the reason for voiding the order" in messages_on(response)
    saved_order.refresh_from_db()
    assert saved_order.status == "draft"

    response = post_action(client, "void", saved_order, {"reason": "entered twice"})
    saved_order.refresh_from_db()
    assert (saved_order.status, saved_order.void_reason) == ("void", "entered twice")
    assert saved_order.voided_by == pharmacist
    assert "entered twice" in response.text
    assert Order.objects.filter(pk=saved_order.pk).exists()
    assert ClaimLine.objects.filter(order=saved_order).count() == 2


@pytest.mark.parametrize(
    ("setup", "user", "action", "data", "message"),
    [
        (
            "billed",
            "pharmacist2",
            "verify",
            {},
            "only a draft can be verified; this order is billed",
        ),
        ("verified", "pharmacist2", "verify", {}, "only a draft can be verified"),
        ("draft", "clerk", "bill", {}, "only a verified order can be billed; this order is draft"),
        ("billed", "clerk", "bill", {}, "only a verified order can be billed"),
        ("void", "pharmacist", "void", {"reason": "again"}, "this order is already void"),
        ("void", "pharmacist2", "verify", {}, "only a draft can be verified; this order is void"),
    ],
)
def test_an_action_the_status_does_not_allow_shows_a_message_not_a_500(
    saved_order, pharmacist, pharmacist2, clerk, client_for, setup, user, action, data, message
):
    """Verifying a billed order (and the like) is refused with a message; nothing changes."""
    users = {"pharmacist": pharmacist, "pharmacist2": pharmacist2, "clerk": clerk}
    if setup in {"verified", "billed"}:
        services.order_verify(order=saved_order, verified_by=pharmacist2)
    if setup == "billed":
        services.order_mark_billed(order=saved_order, billed_by=clerk)
    if setup == "void":
        services.order_void(order=saved_order, voided_by=pharmacist, reason="duplicate")
    history = saved_order.history.count()

    response = post_action(client_for(users[user]), action, saved_order, data)
    assert response.status_code == 200
    assert message in " ".join(messages_on(response))
    saved_order.refresh_from_db()
    assert saved_order.status == setup
    assert saved_order.history.count() == history


def test_an_action_goes_back_only_to_a_page_of_this_site(saved_order, pharmacist2, client_for):
    """The `next` of an action may not send the user to another site (open redirect)."""
    client = client_for(pharmacist2)
    url = reverse("calculator:order-verify", args=[saved_order.pk])
    response = client.post(url, {"next": "https://evil.example/phish"})
    assert response["Location"] == reverse("calculator:order-detail", args=[saved_order.pk])
    other = make_order(saved_order.created_by)
    url = reverse("calculator:order-verify", args=[other.pk])
    response = client.post(url, {"next": reverse("calculator:order-list")})
    assert response["Location"] == reverse("calculator:order-list")


def test_an_unknown_order_is_a_404(saved_order, clerk, client_for):
    """A pk that is not an order gives a plain 404."""
    url = reverse("calculator:order-detail", args=[saved_order.pk + 1000])
    assert client_for(clerk).get(url).status_code == 404
