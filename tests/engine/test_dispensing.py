"""The dispensing plan through the engine (calculator/engine): the request's dispensing keys read
strictly, each drug's plan in the calculation, and the response's `dispensing` key."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculator.engine import (
    EmptyCatalog,
    InvalidOrder,
    calculate,
    calculate_request,
    parse_request,
    response_json,
)
from tests.conftest import SEED_END, SEED_START, seed_calculation, seed_calculation_drug


def dispensing_of(request: dict) -> dict:
    (drug,) = response_json(calculate_request(request, EmptyCatalog()))["drugs"]
    return drug["dispensing"]


def dated(**drug_changes) -> dict:
    request = seed_calculation_drug(**drug_changes)
    request.update(days=None, start=SEED_START, end=SEED_END)
    return request


def errors_of(request: dict) -> dict[str, list[str]]:
    with pytest.raises(InvalidOrder) as raised:
        calculate_request(request, EmptyCatalog())
    return raised.value.errors


def fills(dispensing: dict) -> list[str]:
    return [reservoir["fill_volume"]["value"] for reservoir in dispensing["reservoirs"]]


def test_without_a_reservoir_the_seed_still_has_its_pump_rate() -> None:
    dispensing = dispensing_of(seed_calculation())
    assert dispensing["rate"] == {"value": "0.2", "unit": "mL/hr"}
    assert dispensing["bolus_volume"] is None
    assert dispensing["reservoirs"] == []
    assert dispensing["days_per_reservoir"] is None
    assert dispensing["dispensed_volume"] is None
    assert dispensing["administered_volume"] == {"value": "148.8", "unit": "mL"}
    assert dispensing["worksheet"] is None
    assert dispensing["steps"] == ["5 mg/hr / 25 mg/mL = 0.2 mL/hr"]


def test_a_pca_bolus_is_given_in_millilitres() -> None:
    dispensing = dispensing_of(seed_calculation_drug(bolus="1 mg", boluses_per_day=4))
    assert dispensing["bolus_volume"] == {"value": "0.04", "unit": "mL"}


def test_seed_in_a_100_ml_cassette_is_two_dated_reservoirs() -> None:
    dispensing = dispensing_of(dated(reservoir_volume="100 mL"))
    assert dispensing["days_per_reservoir"] == 20
    assert dispensing["reservoirs"] == [
        {
            "number": 1,
            "from": "2026-01-01",
            "to": "2026-01-20",
            "days": 20,
            "fill_volume": {"value": "96", "unit": "mL"},
            "fill_date": "2026-01-01",
            "beyond_use_date": None,
        },
        {
            "number": 2,
            "from": "2026-01-21",
            "to": "2026-01-31",
            "days": 11,
            "fill_volume": {"value": "52.8", "unit": "mL"},
            "fill_date": "2026-01-21",
            "beyond_use_date": None,
        },
    ]
    assert dispensing["dispensed_volume"] == {"value": "148.8", "unit": "mL"}
    assert dispensing["waste_volume"] == {"value": "0", "unit": "mL"}


def test_fourteen_beyond_use_days_make_three_reservoirs_with_beyond_use_dates() -> None:
    dispensing = dispensing_of(dated(reservoir_volume="100 mL", beyond_use_days=14))
    assert fills(dispensing) == ["67.2", "67.2", "14.4"]
    assert [r["beyond_use_date"] for r in dispensing["reservoirs"]] == [
        "2026-01-15",
        "2026-01-29",
        "2026-02-12",
    ]


def test_five_ml_priming_dispenses_ten_ml_more_than_administered() -> None:
    dispensing = dispensing_of(dated(reservoir_volume="100 mL", priming_volume="5 mL"))
    assert dispensing["days_per_reservoir"] == 19
    assert fills(dispensing) == ["96.2", "62.6"]
    assert dispensing["dispensed_volume"]["value"] == "158.8"
    assert dispensing["administered_volume"]["value"] == "148.8"
    assert dispensing["waste_volume"]["value"] == "10"


def test_an_undated_order_numbers_the_days_of_its_reservoirs() -> None:
    dispensing = dispensing_of(
        seed_calculation_drug(reservoir_volume="100 mL", beyond_use_days="14")
    )
    first, _, last = dispensing["reservoirs"]
    assert (first["from"], first["to"], first["fill_date"], first["beyond_use_date"]) == (
        1,
        14,
        1,
        15,
    )
    assert (last["from"], last["to"], last["days"]) == (29, 31, 3)


def test_a_reservoir_in_litres_and_priming_of_zero_are_read() -> None:
    dispensing = dispensing_of(
        seed_calculation_drug(reservoir_volume="0.1 L", priming_volume="0 mL")
    )
    assert fills(dispensing) == ["96", "52.8"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reservoir_volume": "4 mL"}, "reservoir_volume", "holds less than one day"),
        ({"reservoir_volume": "7 mL", "priming_volume": "3 mL"}, "reservoir_volume", "= 7.8 mL"),
        ({"reservoir_volume": "100 mL", "beyond_use_days": 0}, "beyond_use_days", "from 1"),
        ({"reservoir_volume": "100 mL", "beyond_use_days": "2.5"}, "beyond_use_days", "whole"),
        ({"reservoir_volume": "100 mL", "priming_volume": "100 mL"}, "priming_volume", "smaller"),
        ({"reservoir_volume": "100 mg"}, "reservoir_volume", "a volume is needed here"),
        ({"priming_volume": "5 mL"}, "reservoir_volume", "needs the reservoir volume"),
        ({"reservoir_volume": "100 mL", "stock_ndc": "12"}, "stock_ndc", "not an NDC"),
        ({"reservoir_volume": "100 mL", "stock_ndc": "00641-6040-01"}, "stock_ndc", "no catalog"),
    ],
)
def test_each_bad_dispensing_input_is_an_error_on_its_field(changes, field, message) -> None:
    errors = errors_of(seed_calculation_drug(**changes))
    assert list(errors) == [f"drugs.0.{field}"]
    assert any(message in text for text in errors[f"drugs.0.{field}"]), errors


def test_errors_of_every_drug_come_back_at_once() -> None:
    drug = seed_calculation()["drugs"][0]
    request = seed_calculation(
        drugs=[
            {**drug, "reservoir_volume": "2 mL"},
            {**drug, "reservoir_volume": "100 mL", "priming_volume": "200 mL"},
        ]
    )
    assert set(errors_of(request)) == {"drugs.0.reservoir_volume", "drugs.1.priming_volume"}


@settings(max_examples=40, deadline=None)
@given(
    reservoir=st.integers(min_value=5, max_value=500),
    priming=st.integers(min_value=0, max_value=4),
    bud=st.none() | st.integers(min_value=1, max_value=60),
    days=st.integers(min_value=1, max_value=120),
)
def test_the_response_agrees_with_itself(reservoir, priming, bud, days) -> None:
    """Through the JSON: the reservoirs' days add up to the period, each fill is within the
    reservoir, the dispensed volume is the sum of the fills and never less than administered."""
    drug = {"reservoir_volume": f"{reservoir} mL", "priming_volume": f"{priming} mL"}
    if bud is not None:
        drug["beyond_use_days"] = bud
    request = seed_calculation_drug(**drug)
    request["days"] = days
    try:
        dispensing = dispensing_of(request)
    except InvalidOrder as error:
        # Only a reservoir too small for a day plus priming (4.8 mL/day) is refused.
        assert list(error.errors) == ["drugs.0.reservoir_volume"]
        assert Decimal(reservoir) < Decimal("4.8") + priming
        return
    reservoirs = dispensing["reservoirs"]
    assert sum(r["days"] for r in reservoirs) == days
    assert all(Decimal(r["fill_volume"]["value"]) <= reservoir for r in reservoirs)
    assert bud is None or all(r["days"] <= bud for r in reservoirs)
    dispensed = Decimal(dispensing["dispensed_volume"]["value"])
    assert dispensed == sum(Decimal(r["fill_volume"]["value"]) for r in reservoirs)
    assert dispensed >= Decimal(dispensing["administered_volume"]["value"])


def test_only_a_request_pays_for_the_plans_the_hot_path_does_not() -> None:
    """`calculate` on parsed inputs (the bench's hot path) makes no plan unless given the drugs'
    dispensing parts; a request always has one per drug."""
    parsed = parse_request(seed_calculation(), EmptyCatalog())
    assert calculate(parsed.order, parsed.policy).plans == ()
    planned = calculate(parsed.order, parsed.policy, dispensing=parsed.dispensing)
    assert [plan.pump.rate_ml_per_hr for plan in planned.plans] == [Decimal("0.2")]


# --- The PCA lockout (SPEC 10.6: the label shows bolus/lockout when PCA) ------------------------


def test_a_pca_lockout_is_programmed_with_the_bolus() -> None:
    dispensing = dispensing_of(
        seed_calculation_drug(bolus="1 mg", boluses_per_day=12, lockout="10 min")
    )
    assert dispensing["lockout"] == {"value": "10", "unit": "min"}
    assert dispensing["steps"] == [
        "5 mg/hr / 25 mg/mL = 0.2 mL/hr",
        "bolus 1 mg / 25 mg/mL = 0.04 mL",
        "lockout 10 min between boluses: at most 144 a day",
    ]


def test_a_lockout_in_hours_is_given_in_minutes() -> None:
    dispensing = dispensing_of(
        seed_calculation_drug(bolus="1 mg", boluses_per_day=8, lockout="1.5 hr")
    )
    assert dispensing["lockout"] == {"value": "90", "unit": "min"}
    assert dispensing["steps"][-1] == "lockout 1.5 hr between boluses: at most 16 a day"


def test_without_a_lockout_the_plan_says_none() -> None:
    dispensing = dispensing_of(seed_calculation_drug(bolus="1 mg", boluses_per_day=4))
    assert dispensing["lockout"] is None


def test_the_lockout_does_not_change_the_billed_dose() -> None:
    with_lockout = calculate_request(
        seed_calculation_drug(bolus="1 mg", boluses_per_day=12, lockout="10 min"), EmptyCatalog()
    )
    without = calculate_request(
        seed_calculation_drug(bolus="1 mg", boluses_per_day=12), EmptyCatalog()
    )
    assert with_lockout.lines == without.lines
    assert with_lockout.results[0].daily_dose == Decimal(132)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"lockout": "10 min"},
            "drugs.0.lockout",
            "a lockout is given but not the bolus dose",
        ),
        (
            {"bolus": "1 mg", "boluses_per_day": 12, "lockout": "3 hr"},
            "drugs.0.boluses_per_day",
            "12 boluses a day do not fit a lockout of 3 hr: at most 8 a day",
        ),
        (
            {"bolus": "1 mg", "boluses_per_day": 1, "lockout": "25 hr"},
            "drugs.0.lockout",
            "the lockout must be more than 0 and at most 24 hr",
        ),
        (
            {"bolus": "1 mg", "boluses_per_day": 1, "lockout": "10 mg"},
            "drugs.0.lockout",
            '"10 mg" is a mass (mg); a time is needed here, e.g. 10 min',
        ),
        (
            {"bolus": "1 mg", "boluses_per_day": 1, "lockout": "0 min"},
            "drugs.0.lockout",
            '"0 min" must be more than zero',
        ),
        (
            {"bolus": "1 mg", "boluses_per_day": 1, "lockout": "10 min/hr"},
            "drugs.0.lockout",
            "a time is needed here",
        ),
        (
            {"bolus": "1 mg", "boluses_per_day": 1, "lockout": 10},
            "drugs.0.lockout",
            '"10" needs a unit',
        ),
    ],
)
def test_each_impossible_lockout_is_an_error_on_its_field(changes, field, message) -> None:
    errors = errors_of(seed_calculation_drug(**changes))
    assert list(errors) == [field]
    assert any(message in error for error in errors[field]), errors


def test_a_lockout_leaves_room_for_exactly_the_boluses_it_allows() -> None:
    """96 boluses of a 15 min lockout fill the day to the minute: allowed."""
    dispensing = dispensing_of(
        seed_calculation_drug(bolus="0.1 mg", boluses_per_day=96, lockout="15 min")
    )
    assert dispensing["steps"][-1] == "lockout 15 min between boluses: at most 96 a day"


def test_a_dose_change_with_more_boluses_than_the_lockout_allows_names_the_change() -> None:
    request = dated(bolus="1 mg", boluses_per_day=4, lockout="2 hr")
    request["drugs"][0]["rate_changes"] = [
        {"from": "2026-01-11", "rate": "7 mg/hr", "boluses_per_day": 16}
    ]
    errors = errors_of(request)
    assert errors == {
        "drugs.0.rate_changes.0.boluses_per_day": [
            "16 boluses a day do not fit a lockout of 2 hr: at most 12 a day"
        ]
    }
