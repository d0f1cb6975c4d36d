"""Renewing an order for the next period (issue 15 point 3): the same patient, drugs and latest
rates, for the following calendar month (or the same number of days), re-read through today's
catalog and profile; what changed since the previous order (a concentration, a code, a price) is
said before the draft is saved."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import User

from calculator.domain.billing.policy import PUMP_CODES
from calculator.domain.charges import unit_price_for
from calculator.domain.patients import next_period
from calculator.models import BillingProfile, Order
from calculator.services.orders import (
    OrderStateError,
    order_calculation,
    order_create,
    price_list,
)

# Filled from today's catalog when the drug is a catalog product (left out of the renewal).
CATALOG_FILLED = ("name", "hcpcs", "hcpcs_unit", "ndc_unit", "package_volume")
RENEWABLE = {Order.Status.VERIFIED, Order.Status.BILLED}


@dataclass(frozen=True)
class Renewal:
    """The request of the next period's draft, and what changed since the previous order."""

    previous: Order
    request_data: dict[str, Any]
    start: date
    end: date
    changes: tuple[str, ...]
    calculation: Any = None


@dataclass(frozen=True)
class RenewedOrder(Renewal):
    """A renewal saved: the next period's draft."""

    draft: Order | None = None


def renewal_of(order: Order) -> Renewal:
    """Return the renewal of a verified or billed order (nothing saved), or raise
    OrderStateError; a request the engine now refuses raises InvalidOrder."""
    if order.status not in RENEWABLE:
        raise OrderStateError(
            f"only a verified or billed order can be renewed; this order is {order.status}"
        )
    start, end = next_period(order.start_date, order.end_date)
    previous_drugs = {drug.position: drug for drug in order.drugs.all()}
    request = copy.deepcopy(order.request)
    request.pop("days", None)
    request.update(start=start.isoformat(), end=end.isoformat())
    if order.patient_id is not None:
        request["patient_reference"] = order.patient.number
    visits = [visit for visit in request.get("nursing_visits") or [] if _undated(visit)]
    if visits:
        request["nursing_visits"] = visits
    else:
        request.pop("nursing_visits", None)
    for position, drug in enumerate(request.get("drugs") or []):
        _carry_on(drug, previous_drugs.get(position))
        drug.pop("discarded", None)  # the previous period's waste, not this one's
    _next_rental(request, order)
    calculation = order_calculation(
        request_data={k: v for k, v in request.items() if k != "patient_reference"}
    )
    changes = tuple(_changes(order, calculation))
    return Renewal(order, request, start, end, changes, calculation)


def _next_rental(request: dict[str, Any], order: Order) -> None:
    """A Medicare DME pump's rental goes on: the next period starts at the month after the last
    one the previous order billed (its pump lines' units), delivered on the new start date."""
    request.pop("delivery_date", None)  # default: the start of the new period
    pump = request.get("pump")
    if not isinstance(pump, dict) or not isinstance(pump.get("rental_month"), int):
        return
    billed = sum(line.units for line in order.lines.all() if line.code in PUMP_CODES)
    pump["rental_month"] += billed or 1


def _undated(visit: Any) -> bool:
    """A dated nursing visit belongs to the previous period; an undated one carries on."""
    if isinstance(visit, dict):
        return not visit.get("date")
    return isinstance(visit, str) and not visit.strip()[:4].isdigit()


def _carry_on(drug: dict[str, Any], previous: Any) -> None:
    """Set the drug's latest rate (a titrated drug's last run) and leave out what today's
    catalog fills in for a catalog product."""
    changes = drug.pop("rate_changes", None) or []
    if changes and isinstance(changes[-1], dict):
        last = changes[-1]
        drug["rate"] = last.get("rate", drug.get("rate"))
        for key in ("bolus", "boluses_per_day"):
            if last.get(key) not in (None, ""):
                drug[key] = last[key]
    if previous is not None and previous.product_id is not None:
        for key in CATALOG_FILLED:
            drug.pop(key, None)
        if not previous.compounded:
            drug.pop("concentration", None)


def _changes(order: Order, calculation: Any) -> list[str]:
    """Return what today's catalog and profile change since the previous order."""
    changes = []
    previous_drugs = {drug.position: drug for drug in order.drugs.all()}
    for result in calculation.results:
        drug, before = result.drug, previous_drugs.get(result.index)
        if before is None:
            continue
        label = drug.name or before.name or f"drug {result.index + 1}"
        if str(drug.concentration) != before.concentration:
            changes.append(
                f"{label}: the concentration is now {drug.concentration} "
                f"(was {before.concentration})"
            )
        if drug.hcpcs != before.hcpcs:
            changes.append(
                f"{label}: the code is now {drug.hcpcs or 'none'} (was {before.hcpcs or 'none'})"
            )
    before_prices = {(line.code, line.ndc): line.unit_price for line in order.lines.all()}
    profile = BillingProfile.objects.filter(name__iexact=calculation.policy.name).first()
    prices = price_list(profile) if profile else {}
    said = set()
    for line in calculation.lines:
        key = (line.code, line.ndc)
        if key not in before_prices or key in said:
            continue
        said.add(key)
        now, was = unit_price_for(prices, code=line.code, ndc=line.ndc), before_prices[key]
        if now != was:
            changes.append(
                f"{line.code}{' ' + line.ndc if line.ndc else ''}: the price is now "
                f"{now if now is not None else 'not listed'} "
                f"(was {was if was is not None else 'not listed'})"
            )
    if order.profile.name != calculation.policy.name:
        changes.append(f"the profile is now {calculation.policy.name} (was {order.profile.name})")
    return changes


def order_renew(
    *, order: Order, created_by: User, acknowledged: Iterable[str] = ()
) -> RenewedOrder:
    """Save the next period's draft of a verified or billed order (one transaction, in
    order_create); raise OrderStateError or InvalidOrder, saving nothing."""
    renewal = renewal_of(order)
    draft = order_create(
        created_by=created_by, request_data=renewal.request_data, acknowledged=acknowledged
    )
    return RenewedOrder(
        renewal.previous,
        renewal.request_data,
        renewal.start,
        renewal.end,
        renewal.changes,
        renewal.calculation,
        draft,
    )
