"""The patient record (issue 15 point 1): its rules, the snapshot taken on verification, and
the migration that made one patient per patient reference."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from calculator import services
from calculator.domain.patients import next_period, parse_diagnosis_codes
from calculator.models import Order, Patient
from tests.conftest import PATIENT, seed_order

DETAILS = {
    "last_name": "Kealoha",
    "first_name": "Leilani",
    "birth_date": datetime.date(1958, 4, 12),
    "sex": "F",
    "address": "45-123 Kamehameha Hwy",
    "city": "Kaneohe",
    "state": "HI",
    "zip_code": "96744",
    "member_id": "XHM123456789",
    "diagnosis_codes": "G89.3, C50.911",
}


def saved_patient(user, number="ACC-1", **changes):
    return services.patient_save(
        patient=Patient(number=number, **{**DETAILS, **changes}), changed_by=user
    )


@pytest.mark.parametrize(
    ("number", "words"),
    [
        ("AC\x00C", "at most 20"),
        ("AC\ud800C", "at most 20"),
        ("A" * 10_000, "at most 20"),
        ("Leilani Kealoha", "not a full name"),
        ("", "enter the pharmacy's patient number"),
    ],
)
def test_a_patient_number_that_cannot_be_one_is_an_error_on_number(db, pharmacist, number, words):
    with pytest.raises(ValidationError) as raised:
        saved_patient(pharmacist, number=number)
    assert words in " ".join(raised.value.message_dict["number"])
    assert not Patient.objects.exists()


def test_a_birth_date_in_the_future_is_refused(db, pharmacist):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as raised:
        saved_patient(pharmacist, birth_date=tomorrow)
    assert "in the future" in raised.value.message_dict["birth_date"][0]
    assert not Patient.objects.exists()


def test_two_patients_with_one_number_the_second_is_not_saved(db, pharmacist):
    saved_patient(pharmacist)
    with pytest.raises(ValidationError) as raised:
        saved_patient(pharmacist, last_name="Other")
    assert "number" in raised.value.message_dict
    assert list(Patient.objects.values_list("last_name", flat=True)) == ["Kealoha"]


def test_diagnosis_codes_are_read_and_kept_without_dots(db, pharmacist):
    patient = saved_patient(pharmacist, diagnosis_codes="g89.3 C50.911,G89.3")
    assert patient.diagnosis_codes == "G893, C50911"
    assert patient.principal_diagnosis == "G893"
    with pytest.raises(ValueError, match="not an ICD-10-CM code"):
        parse_diagnosis_codes("G89.3, morphine")


def test_the_record_keeps_its_history(db, pharmacist):
    patient = saved_patient(pharmacist)
    patient.city = "Honolulu"
    services.patient_save(patient=patient, changed_by=pharmacist)
    assert [h.city for h in patient.history.order_by("history_date")] == ["Kaneohe", "Honolulu"]
    assert patient.history.first().history_user == pharmacist


def test_an_order_belongs_to_the_patient_with_its_number(saved_order):
    assert saved_order.patient.number == "ACC-1"


def test_verification_copies_the_claim_details_and_a_later_edit_leaves_them(
    catalog, payer, pharmacist, pharmacist2
):
    patient = saved_patient(pharmacist, payer=payer)
    order = services.order_create(created_by=pharmacist, request_data=seed_order())
    assert order.patient == patient and order.member_id == ""
    services.order_verify(order=order, verified_by=pharmacist2)
    order.refresh_from_db()
    assert (order.payer, order.member_id, order.patient_last_name, order.diagnosis_codes) == (
        payer,
        "XHM123456789",
        "Kealoha",
        "G893, C50911",  # every code of the patient, the principal first
    )
    patient.last_name, patient.member_id = "Kealoha-Smith", "NEW1"
    services.patient_save(patient=patient, changed_by=pharmacist)
    order.refresh_from_db()
    assert (order.patient_last_name, order.member_id) == ("Kealoha", "XHM123456789")


def test_editing_a_patient_while_a_clerk_exports_uses_the_verified_snapshot(
    make_claim_order, provider, clerk, pharmacist
):
    """The 837P reads the order's snapshot: the patient edited in between changes nothing."""
    from calculator.services import claim_export

    patient = saved_patient(pharmacist)
    order = make_claim_order()
    assert order.patient == patient
    patient.last_name, patient.member_id = "Changed", "CHANGED1"
    services.patient_save(patient=patient, changed_by=pharmacist)
    result = claim_export.claim_export_create(created_by=clerk, order_ids=[order.pk])
    assert "NM1*IL*1*Kealoha*Leilani" in result.export.content
    assert "CHANGED1" not in result.export.content
    assert PATIENT["member_id"] in result.export.content


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-01-01", "2026-01-31", ("2026-02-01", "2026-02-28")),
        ("2028-01-01", "2028-01-31", ("2028-02-01", "2028-02-29")),
        ("2026-02-01", "2026-02-28", ("2026-03-01", "2026-03-31")),
        ("2026-12-01", "2026-12-31", ("2027-01-01", "2027-01-31")),
        ("2026-01-17", "2026-02-16", ("2026-02-17", "2026-03-19")),
        ("2026-01-01", "2026-01-14", ("2026-01-15", "2026-01-28")),
    ],
)
def test_the_next_period(start, end, expected):
    following = next_period(datetime.date.fromisoformat(start), datetime.date.fromisoformat(end))
    assert following == tuple(datetime.date.fromisoformat(day) for day in expected)


@pytest.mark.django_db(transaction=True)
def test_the_migration_makes_one_patient_per_reference_with_its_latest_details(
    catalog, pharmacist, payer
):
    for reference, last_name in (("ACC-1", "Old"), ("ACC-2", "Two"), ("ACC-1", "Latest")):
        order = services.order_create(
            created_by=pharmacist, request_data=seed_order(patient_reference=reference)
        )
        Order.objects.filter(pk=order.pk).update(patient_last_name=last_name, payer=payer)
    executor = MigrationExecutor(connection)
    executor.migrate([("calculator", "0009_product_search_trigram_indexes")])
    try:
        executor = MigrationExecutor(connection)
        executor.migrate([("calculator", "0012_patient")])
        patients = {p.number: p for p in Patient.objects.all()}
        assert set(patients) == {"ACC-1", "ACC-2"}
        assert patients["ACC-1"].last_name == "Latest"
        assert patients["ACC-1"].payer == payer
        assert Order.objects.filter(patient=patients["ACC-1"]).count() == 2
        assert Order.objects.filter(patient__isnull=True).count() == 0
        history = patients["ACC-1"].history.get()
        assert (history.history_type, history.last_name) == ("+", "Latest")
    finally:  # back to the latest schema, which the tests after this one (and its flush) use
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes("calculator"))
