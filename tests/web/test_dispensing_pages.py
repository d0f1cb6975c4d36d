"""The dispensing plan on the pages: the drug row's optional "Dispensing" part, shown live in the
preview beside the claim lines, saved with the order and shown on its page; its impossible
inputs as field errors with nothing saved; the compounding worksheet and the labels as print
pages and PDFs."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.urls import reverse

from calculator.models import DrugProduct, Order, OrderDispensing, PumpReservoir
from tests.helpers import field_errors, texts
from tests.web.test_order_pages import drug_row, order_form


@pytest.fixture
def pharmacist_client(catalog, pharmacist, client_for):
    return client_for(pharmacist)


def cassette(name: str = "CADD cassette 100 mL") -> str:
    return str(PumpReservoir.objects.get(name=name).pk)


def dispensing_form(**fields: str) -> dict[str, str]:
    return order_form(drug_row(0, **fields))


def pdf_text(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode("utf-8").split())


def test_the_drug_row_offers_the_reservoirs_of_the_catalog(pharmacist_client):
    page = pharmacist_client.get(reverse("calculator:order-new")).text
    assert "Dispensing (optional)" in page
    assert "CADD cassette 100 mL (100 mL)" in page
    assert 'name="drugs-0-beyond_use_days"' in page


def test_the_preview_shows_three_cassettes_with_fourteen_beyond_use_days(pharmacist_client):
    form = dispensing_form(reservoir=cassette(), beyond_use_days="14")
    preview = pharmacist_client.post(reverse("calculator:order-preview"), form).text
    assert texts(preview, "pump-rate") == ["0.2 mL/hr"]
    assert texts(preview, "fill-volume") == ["67.2 mL", "67.2 mL", "14.4 mL"]
    assert texts(preview, "dispensed-volume") == ["148.8 mL"]
    assert texts(preview, "code", ("claim-line", None)) == ["S9325", "J3490"]


def test_a_typed_volume_and_priming_preview_the_primed_fills(pharmacist_client):
    form = dispensing_form(reservoir_volume_ml="100", priming_volume_ml="5")
    preview = pharmacist_client.post(reverse("calculator:order-preview"), form).text
    assert texts(preview, "fill-volume") == ["96.2 mL", "62.6 mL"]
    assert texts(preview, "dispensed-volume") == ["158.8 mL"]


def test_without_a_reservoir_the_preview_has_the_pump_rate_only(pharmacist_client):
    preview = pharmacist_client.post(reverse("calculator:order-preview"), order_form()).text
    assert texts(preview, "pump-rate") == ["0.2 mL/hr"]
    assert texts(preview, "fill-volume") == []


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"reservoir_volume_ml": "4"}, "reservoir", "holds less than one day"),
        ({"reservoir": "cassette", "beyond_use_days": "0"}, "beyond_use_days", "from 1 to"),
        (
            {"reservoir": "cassette", "priming_volume_ml": "100"},
            "priming_volume_ml",
            "must be smaller than the reservoir",
        ),
        ({"reservoir": "cassette", "stock_ndc": "00641-6039-01"}, "stock_ndc", "is weaker than"),
    ],
)
def test_an_impossible_plan_is_a_field_error_and_nothing_is_saved(
    pharmacist_client, fields, field, message
):
    fields = {key: cassette() if value == "cassette" else value for key, value in fields.items()}
    response = pharmacist_client.post(reverse("calculator:order-new"), dispensing_form(**fields))
    assert response.status_code == 400
    errors = field_errors(response.text, field, row=0)
    assert any(message in error for error in errors), errors
    assert Order.objects.count() == 0


@pytest.fixture
def saved(pharmacist_client) -> Order:
    DrugProduct.objects.filter(ndc="00074113303").update(storage="refrigerated")
    form = dispensing_form(reservoir=cassette(), beyond_use_days="14", route="epidural")
    response = pharmacist_client.post(reverse("calculator:order-new"), form)
    assert response.status_code == 302, response.text
    return Order.objects.get()


def test_the_saved_order_keeps_and_shows_its_plan(pharmacist_client, saved):
    dispensing = OrderDispensing.objects.get(drug__order=saved)
    assert dispensing.reservoir_name == "CADD cassette 100 mL"
    assert dispensing.storage == "refrigerated" and dispensing.dea_schedule == "CII"
    page = pharmacist_client.get(reverse("calculator:order-detail", args=[saved.pk])).text
    assert texts(page, "fill-volume") == ["67.2 mL", "67.2 mL", "14.4 mL"]
    assert "CADD cassette 100 mL" in page
    assert reverse("calculator:order-labels", args=[saved.pk]) in page


def test_the_labels_print_one_per_reservoir_with_the_label_facts(pharmacist_client, saved):
    page = pharmacist_client.get(reverse("calculator:order-labels", args=[saved.pk])).text
    labels = texts(page, "label")
    assert len(labels) == 3
    first = labels[0]
    for fact in (
        f"Order {saved.pk}",
        "C-II",
        "Patient ACC-1",
        "Morphine sulfate 25 mg/mL",
        "Fill 67.2 mL",
        "reservoir 1 of 3",
        "Rate 0.2 mL/hr",
        "Epidural",
        "Filled 2026-01-01",
        "Beyond use 2026-01-15",
        "Refrigerate",
    ):
        assert fact in first, (fact, first)


@pytest.mark.parametrize(("sheet", "pages", "size"), [("roll", 3, "288 x 144"), ("a4", 1, "A4")])
def test_the_labels_pdf_is_sized_for_the_roll_or_the_sheet(
    pharmacist_client, saved, sheet, pages, size
):
    url = reverse("calculator:order-labels-pdf", args=[saved.pk])
    response = pharmacist_client.get(url, {"sheet": sheet})
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="order-{saved.pk}-labels-{sheet}.pdf"' in response["Content-Disposition"]
    if shutil.which("pdfinfo") is None:
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    info = subprocess.run(
        ["pdfinfo", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert f"Pages:           {pages}" in info
    assert size in info
    text = pdf_text(response.content)
    assert text.count("Beyond use") == 3 and "Beyond use 2026-02-12" in text


def test_the_worksheet_pdf_has_the_volumes_and_the_checks(pharmacist_client, saved):
    url = reverse("calculator:order-worksheet-pdf", args=[saved.pk])
    text = pdf_text(pharmacist_client.get(url).content)
    assert "Compounding worksheet" in text
    assert "C-II Morphine sulfate 25 mg/mL" in text
    assert "Pump rate 0.2 mL/hr" in text
    assert "67.2 mL 2026-01-01 2026-01-15" in text
    assert "Preparing" in text and "Checking" in text and "initials" in text


def test_a_compounded_worksheet_lists_stock_diluent_containers_and_waste(pharmacist_client):
    form = order_form(
        drug_row(
            0,
            concentration="5 mg/mL",
            compounded="on",
            reservoir=cassette(),
            stock_ndc="00074-1133-03",
        ),
        end="2026-01-04",
    )
    assert pharmacist_client.post(reverse("calculator:order-new"), form).status_code == 302
    order = Order.objects.get()
    page = pharmacist_client.get(reverse("calculator:order-worksheet", args=[order.pk])).text
    row = texts(page, "worksheet-reservoir")[0]
    assert row.startswith("1 2026-01-01 to 2026-01-04 (4) 96 mL 19.2 mL 76.8 mL 2 0.8 mL")
    assert "0.8 mL (20 mg)" in " ".join(texts(page, "ingredients"))


def test_a_clerk_may_print_but_someone_without_the_right_may_not(
    saved, clerk, client_for, django_user_model
):
    url = reverse("calculator:order-labels", args=[saved.pk])
    assert client_for(clerk).get(url).status_code == 200
    nobody = django_user_model.objects.create_user("nobody")
    assert client_for(nobody).get(url).status_code == 403


def test_a_titrated_drugs_labels_and_worksheet_show_each_reservoirs_own_rates(
    pharmacist_client,
):
    """5 mg/hr, then 7 mg/hr from the 11th, in the 100 mL cassette with 14 beyond-use days:
    days 1-14 (10 x 4.8 + 4 x 6.72 = 74.88 mL, both rates), 15-28 (14 x 6.72 = 94.08 mL) and
    29-31 (3 x 6.72 = 20.16 mL), at 0.28 mL/hr only."""
    form = dispensing_form(
        reservoir=cassette(), beyond_use_days="14", rate_changes="2026-01-11 7 mg/hr"
    )
    response = pharmacist_client.post(reverse("calculator:order-new"), form)
    assert response.status_code == 302, response.text
    order = Order.objects.get()
    page = pharmacist_client.get(reverse("calculator:order-detail", args=[order.pk])).text
    assert texts(page, "fill-volume") == ["74.88 mL", "94.08 mL", "20.16 mL"]
    assert texts(page, "pump-rate") == ["0.2 mL/hr", "0.28 mL/hr"]
    assert "Dispensed 189.12 mL" in " ".join(texts(page, "dispensing"))
    labels = texts(
        pharmacist_client.get(reverse("calculator:order-labels", args=[order.pk])).text, "label"
    )
    assert "Rate 0.2 mL/hr from 2026-01-01 · Rate 0.28 mL/hr from 2026-01-11" in labels[0]
    for label in labels[1:]:
        assert "Rate 0.28 mL/hr from 2026-01-11" in label
        assert "0.2 mL/hr" not in label
    worksheet = pharmacist_client.get(reverse("calculator:order-worksheet", args=[order.pk])).text
    assert texts(worksheet, "reservoir-rates") == [
        "0.2 mL/hr from 2026-01-01; 0.28 mL/hr from 2026-01-11",
        "0.28 mL/hr from 2026-01-11",
        "0.28 mL/hr from 2026-01-11",
    ]
    assert "Dispensed 189.12 mL; administered 189.12 mL." in worksheet


# --- The PCA lockout: typed in minutes on the drug row, shown with the bolus -------------------

PCA = {"bolus_value": "1", "bolus_unit": "mg", "boluses_per_day": "12", "lockout_minutes": "10"}


def test_the_preview_shows_the_bolus_with_its_lockout(pharmacist_client):
    preview = pharmacist_client.post(
        reverse("calculator:order-preview"), dispensing_form(**PCA)
    ).text
    assert texts(preview, "bolus-volume") == ["0.04 mL"]
    assert texts(preview, "lockout") == ["10 min"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({**PCA, "lockout_minutes": "ten"}, "lockout_minutes", "enter the lockout, e.g. 10"),
        ({**PCA, "lockout_minutes": "180"}, "boluses_per_day", "at most 8 a day"),
        ({"lockout_minutes": "10"}, "lockout_minutes", "not the bolus dose"),
        ({**PCA, "lockout_minutes": "1441"}, "lockout_minutes", "at most 24 hr"),
    ],
)
def test_an_impossible_lockout_is_a_field_error_and_nothing_is_saved(
    pharmacist_client, fields, field, message
):
    response = pharmacist_client.post(reverse("calculator:order-new"), dispensing_form(**fields))
    assert response.status_code == 400
    errors = field_errors(response.text, field, row=0)
    assert any(message in error for error in errors), errors
    assert Order.objects.count() == 0


def test_the_labels_and_the_order_page_show_the_lockout(pharmacist_client):
    form = dispensing_form(reservoir=cassette(), **PCA)
    response = pharmacist_client.post(reverse("calculator:order-new"), form)
    assert response.status_code == 302, response.text
    order = Order.objects.get()
    assert order.drugs.get().lockout == "10 min"
    labels = texts(
        pharmacist_client.get(reverse("calculator:order-labels", args=[order.pk])).text, "label"
    )
    assert all("bolus 0.04 mL, lockout 10 min, up to 12 a day" in label for label in labels)
    page = pharmacist_client.get(reverse("calculator:order-detail", args=[order.pk])).text
    assert "PCA bolus 1 mg x 12/day, lockout 10 min" in page
    assert texts(page, "lockout") == ["10 min"]
