"""The response JSON (calculator/engine/response.py) of a calculated request: the work shown
with the billed units, and each claim line's fields."""

from __future__ import annotations

from calculator.engine import EmptyCatalog, calculate_request, response_json
from tests.conftest import SEED_END, SEED_START, seed_calculation


def test_shows_the_seed_steps_with_the_billed_units_through_the_engine() -> None:
    """the API adds the fourth step, from billing: 148.8 mL -> 149 units (HMSA)."""
    calculation = calculate_request(seed_calculation(), EmptyCatalog())
    (drug_json,) = response_json(calculation)["drugs"]
    assert drug_json["steps"] == [
        "5 mg/hr x 24 hr = 120 mg/day",
        "120 mg/day / 25 mg/mL = 4.8 mL/day",
        "4.8 mL/day x 31 days = 148.8 mL",
        "148.8 mL -> 149 units",
    ]
    assert drug_json["total_volume"] == {"value": "148.8", "unit": "mL"}


def test_claim_line_json_carries_the_fields_of_the_issue():
    """The response's drug line has code, units, ndc, ndc_unit, ndc_quantity and supplemental."""
    request = seed_calculation(days=None, start=SEED_START, end=SEED_END)
    line = response_json(calculate_request(request, EmptyCatalog()))["lines"][1]
    assert {key: line[key] for key in ("kind", "code", "modifiers", "units", "from", "to")} == {
        "kind": "drug",
        "code": "J3490",
        "modifiers": [],
        "units": 149,
        "from": "2026-01-01",
        "to": "2026-01-31",
    }
    assert (line["ndc"], line["ndc_unit"], line["ndc_quantity"], line["supplemental"]) == (
        "00074113303",
        "ML",
        "148.8",
        "N400074113303 ML148.8",
    )
    assert line["place_of_service"] == "12"
