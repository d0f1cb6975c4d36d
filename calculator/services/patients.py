"""The write paths of the patient record: save a patient (one transaction, with its history),
find or add the patient an order is entered for, and copy the patient's claim details into an
order when it is verified (the snapshot the 837P reads)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from calculator.models import Order, Patient

DUPLICATE_NUMBER = "another patient already has this number"


@transaction.atomic
def patient_save(*, patient: Patient, changed_by: User) -> Patient:
    """Check and save a patient (new or edited), or raise ValidationError keyed by field; a
    number another patient has is an error on `number` and nothing is saved."""
    patient.full_clean()
    patient._history_user = changed_by
    try:
        with transaction.atomic():
            patient.save()
    except IntegrityError:
        # Two pharmacists adding one number at once: the database's unique index decides.
        raise ValidationError({"number": DUPLICATE_NUMBER}) from None
    return patient


def patient_for_order(number: str, *, created_by: User) -> Patient:
    """Return the patient with this number, adding a record with the number alone when the
    pharmacy has none yet (its claim details are filled in on the patient's page)."""
    patient = Patient.objects.filter(number=number).first()
    if patient is not None:
        return patient
    patient = Patient(number=number)
    patient._history_user = created_by
    try:
        with transaction.atomic():
            patient.save()
    except IntegrityError:
        return Patient.objects.get(number=number)
    return patient


def snapshot_claim_details(order: Order) -> list[str]:
    """Copy the order's patient's claim details into the order (not saved here); return the
    fields set. Blank details of the patient leave the order's own value."""
    if order.patient_id is None:
        return []
    patient = Patient.objects.select_related("payer").get(pk=order.patient_id)
    snapshot = patient.claim_snapshot()
    for field, value in snapshot.items():
        setattr(order, field, value)
    return list(snapshot)
