"""Reading the Medicare DME keys of a request (SPEC 11) and the secondary profile, and making
the DME lines: `coverage_modifier`, `pump` ({"code", "rental_month"}), `delivery_date`,
`secondary_profile`; per drug `single_dose`, `discarded`. A4222 counts the reservoirs of each
drug's dispensing plan (its `reservoir_volume`, SPEC 10)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from calculator.domain import billing
from calculator.domain.billing import (
    BillingPolicy,
    CalculatedLine,
    CoverageModifier,
    MedicareDrug,
    MedicareOrder,
    PumpRental,
    Reservoirs,
)
from calculator.domain.dispensing import DispensingPlan
from calculator.domain.dosing import DoseResult, OrderInput
from calculator.domain.errors import ErrorCollector
from calculator.domain.text import storable
from calculator.domain.units import (
    ACTIVITY,
    CANONICAL,
    EQUIVALENT,
    MASS,
    UNITS,
    Measure,
    QuantityError,
    parse_amount,
)

MEDICARE_REQUEST_FIELDS = {"coverage_modifier", "pump", "delivery_date", "secondary_profile"}
MEDICARE_DRUG_FIELDS = {"single_dose", "discarded"}
PUMP_FIELDS = {"code", "rental_month"}
# The keys a per-diem order may not give, in the order their errors are reported.
_DME_ONLY_REQUEST_FIELDS = tuple(sorted(MEDICARE_REQUEST_FIELDS - {"secondary_profile"}))
_DME_ONLY_DRUG_FIELDS = tuple(sorted(MEDICARE_DRUG_FIELDS))
# The symbol of each dimension's canonical unit (mass: mg), for amounts kept canonical.
CANONICAL_SYMBOLS = {
    dimension: next(
        symbol for symbol, (of, name) in UNITS.items() if of == dimension and name == unit
    )
    for dimension, unit in CANONICAL.items()
    if any(of == dimension and name == unit for of, name in UNITS.values())
}


@dataclass(frozen=True)
class MedicareRequest:
    """The DME inputs as read; the reservoirs come from the dispensing plans."""

    order: MedicareOrder


def _blank(value: object) -> bool:
    return value is None or value == "" or value == {}


def read_secondary_policy(
    data: Mapping, primary: BillingPolicy | None, catalog: Any, errors: ErrorCollector
) -> BillingPolicy | None:
    """Return the secondary profile an order names, or None. Only an order on a Medicare DME
    profile has one, and it is a per-diem (commercial) profile."""
    name = data.get("secondary_profile")
    if _blank(name):
        return None
    if not isinstance(name, str) or not storable(name) or len(name) > 40:
        errors.add("secondary_profile", "the secondary profile must be a name, e.g. HMSA")
        return None
    policy = catalog.policy(name.strip())
    if policy is None:
        errors.add("secondary_profile", f'no billing profile is named "{name}"')
        return None
    if policy.is_medicare_dme:
        errors.add(
            "secondary_profile",
            f"{policy.name} is a Medicare DME profile; the secondary claim uses a per-diem "
            "(commercial) profile, e.g. HMSA",
        )
        return None
    if primary is not None and not primary.is_medicare_dme:
        errors.add(
            "secondary_profile",
            f"a secondary profile goes with a Medicare DME primary profile, not {primary.name}",
        )
        return None
    return policy


def read_medicare(
    data: Mapping, policy: BillingPolicy | None, products: Sequence[Any], errors: ErrorCollector
) -> MedicareRequest | None:
    """Return the order's DME inputs on a Medicare DME profile (None on a per-diem one, where
    giving them is a field error)."""
    raw_drugs = data.get("drugs") if isinstance(data.get("drugs"), list) else []
    if policy is None or not policy.is_medicare_dme:
        if not data.keys().isdisjoint(_DME_ONLY_REQUEST_FIELDS):
            for key in _DME_ONLY_REQUEST_FIELDS:
                if not _blank(data.get(key)):
                    errors.add(key, "applies to a Medicare DME profile only")
        for index, raw in enumerate(raw_drugs):
            # Most rows have none of these keys: one set test instead of a look-up per key.
            if (type(raw) is dict or isinstance(raw, Mapping)) and not raw.keys().isdisjoint(
                MEDICARE_DRUG_FIELDS
            ):
                for key in _DME_ONLY_DRUG_FIELDS:
                    if not _blank(raw.get(key)) and raw.get(key) is not False:
                        errors.add(f"drugs.{index}.{key}", "applies to a Medicare DME profile only")
        return None
    coverage = _coverage(data.get("coverage_modifier"), errors)
    pump = _pump(data.get("pump"), errors)
    delivery = None
    if not _blank(data.get("delivery_date")):
        delivery = _date(data["delivery_date"], "delivery_date", errors)
    drugs = []
    for index, raw in enumerate(raw_drugs):
        raw = raw if isinstance(raw, Mapping) else {}
        product = products[index] if index < len(products) else None
        prefix = f"drugs.{index}"
        single_dose = raw.get("single_dose")
        if _blank(single_dose):
            single_dose = bool(product and product.single_dose)
        elif not isinstance(single_dose, bool):
            errors.add(f"{prefix}.single_dose", "single_dose must be true or false")
            single_dose = False
        discarded = _amount(
            raw.get("discarded"), f"{prefix}.discarded", errors, (MASS, ACTIVITY, EQUIVALENT)
        )
        drugs.append(
            MedicareDrug(
                labeler=product.labeler if product else "",
                single_dose=single_dose,
                discarded=discarded,
            )
        )
    order = MedicareOrder(
        coverage_modifier=coverage, pump=pump, delivery_date=delivery, drugs=tuple(drugs)
    )
    return MedicareRequest(order)


def _coverage(value: object, errors: ErrorCollector) -> CoverageModifier | None:
    if _blank(value):
        return None
    choices = ", ".join(member.value for member in CoverageModifier)
    try:
        return CoverageModifier(value.strip().upper() if isinstance(value, str) else value)
    except ValueError:
        errors.add(
            "coverage_modifier", f'"{value}" is not a coverage modifier; choose one of {choices}'
        )
        return None


def _pump(value: object, errors: ErrorCollector) -> PumpRental | None:
    if _blank(value):
        return None
    if not isinstance(value, Mapping):
        errors.add("pump", 'the pump is an object, e.g. {"code": "E0781", "rental_month": 1}')
        return None
    for key in sorted(set(value) - PUMP_FIELDS, key=str):
        errors.add(f"pump.{key}", "unknown field")
    code = value.get("code")
    if not isinstance(code, str) or not re.fullmatch(r"\s*[A-Za-z]\d{4}\s*", code):
        errors.add(
            "pump.code", f"enter the pump's HCPCS code: one of {', '.join(billing.PUMP_CODES)}"
        )
        code = None
    month = value.get("rental_month")
    if isinstance(month, str) and re.fullmatch(r"\s*-?[0-9]{1,4}\s*", month, flags=re.ASCII):
        month = int(month)
    if isinstance(month, bool) or not isinstance(month, int):
        errors.add("pump.rental_month", "the rental month is a whole number, e.g. 1")
        month = None
    if code is None or month is None:
        return None
    return PumpRental(code=code.strip().upper(), rental_month=month)


def _date(value: object, path: str, errors: ErrorCollector) -> date | None:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors.add(path, f'"{value}" is not a date; use YYYY-MM-DD, e.g. 2026-01-01')
    return None


def _amount(
    value: object, path: str, errors: ErrorCollector, dimensions: tuple[str, ...]
) -> Measure | None:
    if _blank(value):
        return None
    example = "20 mg"
    try:
        measure = parse_amount(value, dimensions=dimensions, example=example)
    except (QuantityError, ValueError) as error:
        errors.add(path, str(error))
        return None
    if measure.value < 0:
        errors.add(path, f"must be more than 0, e.g. {example}")
        return None
    return measure


def reservoirs_of(plan: DispensingPlan) -> Reservoirs | None:
    """Return the reservoirs of one drug's dispensing plan (SPEC 10.3: seed, 100 mL -> 2, on
    days 1 and 21), or None when the plan has no reservoir."""
    if not plan.reservoirs:
        return None
    return Reservoirs(
        first_days=tuple(reservoir.first_day for reservoir in plan.reservoirs),
        fill_volumes_ml=tuple(reservoir.fill_volume_ml for reservoir in plan.reservoirs),
    )


def worksheet_waste(plan: DispensingPlan, result: DoseResult) -> Measure | None:
    """Return the drug left in the last opened single-dose container of each compounded
    reservoir (SPEC 10.4), as an amount, or None when the plan compounds nothing."""
    if plan.worksheet is None:
        return None
    return Measure(plan.worksheet.waste_amount, CANONICAL_SYMBOLS[result.dimension])


def dme_lines(
    results: tuple[DoseResult, ...],
    *,
    order: OrderInput,
    policy: BillingPolicy,
    request: MedicareRequest,
    plans: tuple[DispensingPlan, ...],
) -> list[CalculatedLine]:
    """Return the Medicare DME lines: A4222 counts each drug's reservoirs in its dispensing
    plan, and a compounded reservoir's waste is the discarded amount unless one was entered
    (a compounded reservoir's stock comes in single-dose containers)."""
    drugs = list(request.order.drugs)
    for result, plan in zip(results, plans, strict=True):
        index = result.index
        if index < len(drugs):
            drug = replace(drugs[index], reservoirs=reservoirs_of(plan), plan=plan)
            waste = worksheet_waste(plan, result)
            if drug.discarded is None and waste is not None:
                drug = replace(drug, single_dose=True, discarded=waste)
            drugs[index] = drug
    medicare = replace(request.order, drugs=tuple(drugs))
    return billing.medicare_lines(results, order=order, policy=policy, medicare=medicare)
