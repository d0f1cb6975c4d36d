"""Writing a calculation as the response dict the API returns and the CLI prints with --json."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from calculator.domain import billing, dosing
from calculator.domain.billing import (
    CalculatedLine,
)
from calculator.domain.decimals import readable
from calculator.domain.dispensing import (
    DispensingPlan,
    Reservoir,
    Worksheet,
    dispensing_steps,
)
from calculator.domain.units import (
    format_decimal,
)
from calculator.engine.calculation import Calculation


def quantity_json(value: Decimal, unit: str) -> dict[str, str]:
    """Return a quantity as {"value": "4.8", "unit": "mL"}; non-terminating values to 6 places."""
    text = readable(value).lstrip("~")
    return {"value": text, "unit": unit}


def response_json(calculation: Calculation) -> dict[str, Any]:
    """Return the response of the API and of `calculate --json` for a calculation."""
    drugs = []
    plans = calculation.plans
    for result in calculation.results:
        unit = dosing.AMOUNT_WORDS.get(result.dimension, "mg")
        unit = result.dose_unit if result.dose_unit else unit
        work = [
            (f"{line.start:%b %-d}-{line.end:%b %-d}: " if _split(calculation) else "") + line.work
            for line in calculation.lines
            if line.kind == "drug" and line.drug_index == result.index
        ]
        drugs.append(
            {
                "name": result.drug.name,
                "ndc": result.drug.ndc,
                "daily_dose": quantity_json(result.in_dose_unit(result.daily_dose), unit),
                "daily_volume": quantity_json(result.daily_volume_ml, "mL"),
                "total_dose": quantity_json(result.in_dose_unit(result.total_dose), unit),
                "total_volume": quantity_json(result.total_volume_ml, "mL"),
                "steps": dosing.dose_steps(result) + work,
            }
        )
        if plans:
            drugs[-1]["dispensing"] = dispensing_json(plans[result.index])
    response = {
        "profile": calculation.policy.name,
        "drugs": drugs,
        "lines": [calculated_line_json(line) for line in calculation.lines],
        "warnings": [warning.as_json() for warning in calculation.warnings],
    }
    if calculation.secondary_policy is not None:
        response["secondary_profile"] = calculation.secondary_policy.name
        response["secondary_lines"] = [
            calculated_line_json(line) for line in calculation.secondary_lines
        ]
    return response


def _split(calculation: Calculation) -> bool:
    drug_lines = [
        line
        for line in calculation.lines
        if line.kind == "drug" and billing.JW not in line.modifiers
    ]
    return len(drug_lines) > len(calculation.results) and drug_lines[0].start is not None


def calculated_line_json(line: CalculatedLine) -> dict[str, Any]:
    """Return one claim line as JSON (drug lines add the NDC, its unit and quantity)."""
    data: dict[str, Any] = {
        "kind": line.kind,
        "code": line.code,
        "modifiers": list(line.modifiers),
        "units": line.units,
    }
    if line.kind == "drug":
        data.update(
            {
                "ndc": line.ndc,
                "ndc_unit": line.ndc_unit,
                "ndc_quantity": format_decimal(line.ndc_quantity)
                if line.ndc_quantity is not None
                else None,
                "supplemental": line.supplemental,
            }
        )
    data.update(
        {
            "from": line.start.isoformat() if line.start else None,
            "to": line.end.isoformat() if line.end else None,
            "place_of_service": line.place_of_service,
            "description": line.description,
            "work": line.work,
        }
    )
    return data


# --- Dispensing (SPEC 10) ---------------------------------------------------------------------


def dispensing_json(plan: DispensingPlan) -> dict[str, Any]:
    """Return a drug's dispensing plan: the pump rate in mL/hr, the bolus in mL (at the
    start; a titrated drug's `rates` from each change) and the PCA lockout in minutes, and
    with a reservoir its reservoirs (dated when the order is), volumes and compounding
    worksheet."""

    def ml(value: Decimal | None) -> dict[str, str] | None:
        return None if value is None else quantity_json(value, "mL")

    # A titrated drug: what the pump runs at from each run's first day (null at one rate).
    rates = [
        {
            "from": run.start.isoformat(),
            "rate": quantity_json(run.pump.rate_ml_per_hr, "mL/hr"),
            "bolus_volume": ml(run.pump.bolus_volume_ml),
        }
        for run in plan.rate_runs
    ]
    lockout = plan.result.drug.lockout
    return {
        "rate": quantity_json(plan.pump.rate_ml_per_hr, "mL/hr"),
        "bolus_volume": ml(plan.pump.bolus_volume_ml),
        "lockout": None if lockout is None else quantity_json(lockout.canonical_value, "min"),
        "rates": rates or None,
        "days_per_reservoir": plan.days_per_reservoir,
        "reservoirs": [reservoir_json(reservoir) for reservoir in plan.reservoirs],
        "dispensed_volume": ml(plan.dispensed_volume_ml),
        "administered_volume": ml(plan.administered_volume_ml),
        "waste_volume": ml(plan.waste_volume_ml),
        "worksheet": None if plan.worksheet is None else worksheet_json(plan.worksheet, plan),
        "steps": dispensing_steps(plan),
    }


def reservoir_json(reservoir: Reservoir) -> dict[str, Any]:
    """Return one reservoir; `from`, `to` and its fill and beyond-use dates are ISO dates when
    the order has dates, else day numbers of the period (day 1 is its first)."""
    if reservoir.first_date is not None:
        first, last = reservoir.first_date.isoformat(), _iso(reservoir.last_date)
        filled, beyond = _iso(reservoir.fill_date), _iso(reservoir.beyond_use_date) or None
    else:
        first, last = reservoir.first_day, reservoir.last_day
        filled, beyond = reservoir.fill_day, reservoir.beyond_use_day
    return {
        "number": reservoir.number,
        "from": first,
        "to": last,
        "days": reservoir.days,
        "fill_volume": quantity_json(reservoir.fill_volume_ml, "mL"),
        "fill_date": filled,
        "beyond_use_date": beyond,
    }


def worksheet_json(worksheet: Worksheet, plan: DispensingPlan) -> dict[str, Any]:
    """Return the compounding worksheet: the stock product, and per reservoir the stock drawn
    up, the diluent, the containers opened and the waste left in the last one."""
    stock = worksheet.stock
    unit = dosing.AMOUNT_WORDS.get(plan.result.dimension, "mg")
    return {
        "stock": {
            "ndc": stock.ndc,
            "name": stock.name,
            "concentration": str(stock.concentration),
            "package_volume": str(stock.package_volume),
        },
        "concentration": str(worksheet.target_concentration),
        "lines": [
            {
                "reservoir": line.reservoir,
                "fill_volume": quantity_json(line.fill_volume_ml, "mL"),
                "stock_volume": quantity_json(line.stock_volume_ml, "mL"),
                "diluent_volume": quantity_json(line.diluent_volume_ml, "mL"),
                "containers": line.containers,
                "waste_volume": quantity_json(line.waste_volume_ml, "mL"),
                "waste_amount": quantity_json(line.waste_amount, unit),
            }
            for line in worksheet.lines
        ],
        "stock_volume": quantity_json(worksheet.stock_volume_ml, "mL"),
        "diluent_volume": quantity_json(worksheet.diluent_volume_ml, "mL"),
        "containers": worksheet.containers,
        "waste_volume": quantity_json(worksheet.waste_volume_ml, "mL"),
        "waste_amount": quantity_json(worksheet.waste_amount, unit),
    }


def _iso(day: date | None) -> str:
    return "" if day is None else day.isoformat()
