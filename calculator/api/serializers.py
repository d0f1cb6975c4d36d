"""Saved orders as the API's JSON, and the access-log row each read leaves."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.http import HttpRequest

from calculator.models import AccessLog, Order, OrderDispensing, OrderDrug
from calculator.models.orders import SavedLine


def log_reads(request: HttpRequest, orders: Iterable[Order]) -> None:
    """Record one AccessLog row ("api") for the orders this request showed."""
    orders = list(orders)
    if not orders:
        return
    AccessLog.log(
        user=request.auth,  # type: ignore[attr-defined]
        action=AccessLog.Action.API,
        orders=orders,
        path=request.get_full_path(),
    )


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def drug_json(drug: OrderDrug) -> dict[str, Any]:
    return {
        "position": drug.position,
        "product": drug.product_id,
        "name": drug.name,
        "ndc": drug.ndc,
        "rate": drug.rate,
        "concentration": drug.concentration,
        "labelled_concentration": drug.labelled_concentration,
        "compounded": drug.compounded,
        "bolus": drug.bolus,
        "boluses_per_day": drug.boluses_per_day,
        "lockout": drug.lockout,
        "weight": drug.weight,
        "hcpcs": drug.hcpcs,
        "hcpcs_unit": drug.hcpcs_unit,
        "ndc_unit": drug.ndc_unit,
        "package_volume": drug.package_volume,
        "daily_dose": {"value": drug.daily_dose, "unit": drug.dose_unit},
        "daily_volume": {"value": drug.daily_volume_ml, "unit": "mL"},
        "total_dose": {"value": drug.total_dose, "unit": drug.dose_unit},
        "total_volume": {"value": drug.total_volume_ml, "unit": "mL"},
        "steps": list(drug.steps),
        "dispensing": saved_dispensing(drug),
    }


def saved_dispensing(drug: OrderDrug) -> dict[str, Any] | None:
    """Return the dispensing plan saved with a drug (None on an order saved before plans)."""
    try:
        return drug.dispensing.plan
    except OrderDispensing.DoesNotExist:
        return None


def saved_line_json(line: SavedLine) -> dict[str, Any]:
    """Return a saved claim line as the engine's line JSON, plus its price and charge."""
    is_drug = line.kind == "drug"
    return {
        "kind": line.kind,
        "code": line.code,
        "modifiers": line.modifier_list,
        "units": line.units,
        "ndc": line.ndc if is_drug else None,
        "ndc_unit": line.ndc_unit if is_drug else None,
        "ndc_quantity": (line.ndc_quantity or None) if is_drug else None,
        "supplemental": line.supplemental if is_drug else None,
        "from": line.start_date,
        "to": line.end_date,
        "place_of_service": line.place_of_service,
        "description": line.description,
        "work": line.work,
        "unit_price": _money(line.unit_price),
        "charge": _money(line.charge),
    }


def order_json(order: Order) -> dict[str, Any]:
    """Return a saved order from its snapshot (it is never recomputed)."""
    return {
        "id": order.pk,
        "status": order.status,
        "patient_reference": order.patient_reference,
        "profile": order.profile.name,
        "policy": order.policy,
        "therapy": order.therapy,
        "hours_per_day": order.hours_per_day,
        "start": order.start_date,
        "end": order.end_date,
        "days": order.days,
        "request": order.request,
        "drugs": [drug_json(drug) for drug in order.drugs.all()],
        "lines": [saved_line_json(line) for line in order.lines.all()],
        "secondary_profile": order.secondary_profile.name if order.secondary_profile else None,
        "secondary_lines": [saved_line_json(line) for line in order.secondary_lines.all()]
        if order.secondary_profile
        else None,
        "warnings": order.warnings,
        "acknowledgements": order.acknowledgements,
        "created_by": _username(order.created_by),
        "created_at": order.created_at,
        "verified_by": _username(order.verified_by),
        "verified_at": order.verified_at,
        "billed_by": _username(order.billed_by),
        "billed_at": order.billed_at,
        "voided_by": _username(order.voided_by),
        "voided_at": order.voided_at,
        "void_reason": order.void_reason,
    }
