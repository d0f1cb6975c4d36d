"""The patient pages and Renew for the next period, as pharmacists and clerks use them
(issue 15 points 1 and 3)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from calculator import services
from calculator.models import Order, Patient
from tests.conftest import seed_order
from tests.helpers import field_errors

FORM = {
    "number": "ACC-7",
    "last_name": "Kealoha",
    "first_name": "Leilani",
    "birth_date": "1958-04-12",
    "sex": "F",
    "address": "45-123 Kamehameha Hwy",
    "city": "Kaneohe",
    "state": "hi",
    "zip_code": "96744-1234",
    "member_id": "XHM123456789",
    "diagnosis_codes": "G89.3",
}


@pytest.fixture
def pharmacist_client(client_for, pharmacist):
    return client_for(pharmacist)


def test_a_pharmacist_adds_a_patient_and_sees_the_record(db, pharmacist_client):
    response = pharmacist_client.post(reverse("calculator:patient-new"), FORM)
    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("calculator:patient-detail", args=[patient.pk])
    assert (patient.state, patient.zip_code, patient.diagnosis_codes) == ("HI", "967441234", "G893")
    page = pharmacist_client.get(response["Location"]).content.decode()
    assert "Kealoha, Leilani" in page and "No orders yet." in page
    assert "G89.3" in page  # saved as the claim carries it (G893), shown with its dot
    edit = pharmacist_client.get(reverse("calculator:patient-edit", args=[patient.pk])).text
    assert 'value="G89.3"' in edit


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"number": "AC\x00C"}, "number", "Null characters are not allowed"),
        ({"number": "A" * 10_000}, "number", "at most 20 characters"),
        ({"number": "Leilani K"}, "number", "not a full name"),
        ({"birth_date": "2999-01-01"}, "birth_date", "in the future"),
        ({"diagnosis_codes": "G89.3, pain"}, "diagnosis_codes", "not an ICD-10-CM code"),
        ({"last_name": "Kea\x07loha"}, "last_name", "control characters"),
    ],
)
def test_bad_patient_input_is_a_field_error_and_nothing_is_saved(
    db, pharmacist_client, changes, field, words
):
    response = pharmacist_client.post(reverse("calculator:patient-new"), {**FORM, **changes})
    assert response.status_code == 400
    assert words in " ".join(field_errors(response.content.decode(), field))
    assert not Patient.objects.exists()


def test_a_second_patient_with_the_same_number_is_refused(db, pharmacist_client):
    pharmacist_client.post(reverse("calculator:patient-new"), FORM)
    response = pharmacist_client.post(
        reverse("calculator:patient-new"), {**FORM, "last_name": "Other"}
    )
    assert response.status_code == 400
    assert "already exists" in " ".join(field_errors(response.content.decode(), "number"))
    assert Patient.objects.count() == 1


def test_a_birth_date_today_is_accepted(db, pharmacist_client):
    today = timezone.localdate().isoformat()
    response = pharmacist_client.post(
        reverse("calculator:patient-new"), {**FORM, "birth_date": today}
    )
    assert response.status_code == 302


def test_search_by_number_or_name(db, pharmacist_client, clerk_client):
    pharmacist_client.post(reverse("calculator:patient-new"), FORM)
    pharmacist_client.post(
        reverse("calculator:patient-new"), {**FORM, "number": "B-2", "last_name": "Akana"}
    )
    url = reverse("calculator:patient-list")
    for text, shown, hidden in (
        ("acc-", "ACC-7", "B-2"),
        ("akana", "B-2", "ACC-7"),
        ("leilani kea", "ACC-7", "B-2"),
    ):
        page = clerk_client.get(url, {"q": text}).content.decode()
        assert f">{shown}</a>" in page and f">{hidden}</a>" not in page, text
    assert clerk_client.get(url, {"q": "x\x00"}).status_code == 400
    assert 'No patient matches "nobody"' in clerk_client.get(url, {"q": "nobody"}).content.decode()


def test_a_clerk_reads_a_patient_but_cannot_edit(saved_order, clerk_client):
    patient = saved_order.patient
    assert (
        clerk_client.get(reverse("calculator:patient-detail", args=[patient.pk])).status_code == 200
    )
    edit = reverse("calculator:patient-edit", args=[patient.pk])
    assert clerk_client.post(edit, {**FORM, "number": patient.number}).status_code == 403


def test_the_patient_page_lists_orders_and_what_was_billed_newest_first(
    catalog, pharmacist, pharmacist_client
):
    january = services.order_create(created_by=pharmacist, request_data=seed_order())
    february = services.order_create(
        created_by=pharmacist, request_data=seed_order(start="2026-02-01", end="2026-02-28")
    )
    page = pharmacist_client.get(
        reverse("calculator:patient-detail", args=[january.patient_id])
    ).content.decode()
    assert page.index(f">{february.pk}</a>") < page.index(f">{january.pk}</a>")
    assert "S9325 x 28, J3490 x 134" in page and "S9325 x 31, J3490 x 149" in page


def test_editing_a_patient_keeps_its_history(saved_order, pharmacist_client):
    patient = saved_order.patient
    url = reverse("calculator:patient-edit", args=[patient.pk])
    assert pharmacist_client.get(url).status_code == 200
    response = pharmacist_client.post(url, {**FORM, "number": patient.number})
    assert response.status_code == 302
    assert patient.history.count() == 2  # added with the order, then edited
    assert patient.history.latest().history_user.get_username() == "pharmacist"
    page = pharmacist_client.get(response["Location"]).content.decode()
    assert "Changed" in page and "Kealoha, Leilani" in page


def test_renew_for_the_next_period_from_the_order_page(
    catalog, pharmacist, pharmacist2, pharmacist_client
):
    order = services.order_verify(
        order=services.order_create(created_by=pharmacist, request_data=seed_order()),
        verified_by=pharmacist2,
    )
    detail = pharmacist_client.get(reverse("calculator:order-detail", args=[order.pk]))
    renew = reverse("calculator:order-renew", args=[order.pk])
    assert f'href="{renew}"' in detail.content.decode()
    page = pharmacist_client.get(renew).content.decode()
    assert "2026-02-01 to 2026-02-28" in page
    assert "No concentration, code or price has changed" in page
    assert Order.objects.count() == 1
    response = pharmacist_client.post(renew)
    draft = Order.objects.exclude(pk=order.pk).get()
    assert response["Location"] == reverse("calculator:order-detail", args=[draft.pk])
    assert (draft.days, draft.status) == (28, "draft")


def test_the_renew_page_says_what_changed_before_saving(
    catalog, pharmacist, pharmacist2, pharmacist_client
):
    from calculator.models import DrugProduct

    order = services.order_verify(
        order=services.order_create(created_by=pharmacist, request_data=seed_order()),
        verified_by=pharmacist2,
    )
    DrugProduct.objects.filter(ndc="00074113303").update(concentration="50 mg/mL")
    page = pharmacist_client.get(reverse("calculator:order-renew", args=[order.pk]))
    assert "the concentration is now 50 mg/mL (was 25 mg/mL)" in page.content.decode()
    assert Order.objects.count() == 1


def test_a_birth_date_is_a_date(db, pharmacist_client):
    response = pharmacist_client.post(
        reverse("calculator:patient-new"), {**FORM, "birth_date": "12/04/58x"}
    )
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "birth_date")
