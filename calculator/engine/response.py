"""Writing a calculation as the response dict the API returns and the CLI prints with --json."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from calculator.domain import dosing
from calculator.domain.billing import (
    CalculatedLine,
)
from calculator.domain.decimals import readable
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
    drug_lines = [line for line in calculation.lines if line.kind == "drug"]
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
