"""Patient read queries: the search by number or name, and a patient's orders with what was
billed, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from calculator.domain.charges import claim_total
from calculator.models import ClaimLine, Order, Patient

PATIENTS_LISTED = 50


def patient_search(text: str) -> QuerySet[Patient]:
    """Return the patients whose number starts with `text` or whose last or first name holds
    every word of it ("kealoha lei"), numbers that match exactly first."""
    patients = Patient.objects.select_related("payer")
    words = text.split()
    if not words:
        return patients.order_by("-updated_at", "pk")
    by_name = Q()
    for word in words:
        by_name &= Q(last_name__icontains=word) | Q(first_name__icontains=word)
    return patients.filter(Q(number__istartswith=text) | by_name).order_by(
        "last_name", "first_name", "number"
    )


@dataclass(frozen=True)
class PatientOrder:
    """One of a patient's orders and what its claim lines bill ("S9325 x 31, J3490 x 189")."""

    order: Order
    billed: str
    total: Decimal | None


def patient_orders(patient: Patient) -> list[PatientOrder]:
    """Return the patient's orders, newest period first, each with its lines and total."""
    orders = (
        patient.orders.select_related("profile")
        .prefetch_related(Prefetch("lines", queryset=ClaimLine.objects.order_by("position")))
        .order_by("-start_date", "-pk")
    )
    rows = []
    for order in orders:
        lines = list(order.lines.all())
        billed = ", ".join(f"{line.code} x {line.units}" for line in lines)
        rows.append(PatientOrder(order, billed, claim_total(line.charge for line in lines)))
    return rows
