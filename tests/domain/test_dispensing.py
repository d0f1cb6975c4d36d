"""Tests for calculator.domain.dispensing: pump rate, reservoirs, fills, beyond-use dates, the
compounding worksheet, dispensed vs administered volume (SPEC 10).

Pure functions only: orders are read from text with tests.helpers and calculated with
domain.dosing.compute; nothing touches the database.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from calculator.domain.decimals import exact_divide
from calculator.domain.dispensing import (
    NO_DISPENSING,
    DispensingInput,
    DispensingPlan,
    PumpProgram,
    StockProduct,
    dispensing_plan,
    dispensing_steps,
    pump_program,
    pump_program_as_ordered,
    validate_dispensing,
)
from calculator.domain.dosing import DoseResult, ServicePeriod, compute
from calculator.domain.errors import InvalidOrder
from calculator.domain.units import (
    VOLUME,
    Measure,
    parse_amount,
    parse_concentration,
)
from tests.domain.test_dosing import dosing_cases
from tests.helpers import drug, order, result_of

fuzz = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SEED_RATE, SEED_CONCENTRATION = "5 mg/hr", "25 mg/mL"
JANUARY = ServicePeriod.between(date(2026, 1, 1), date(2026, 1, 31))


def volume(text: str) -> Measure:
    return parse_amount(text, dimensions=(VOLUME,), example="100 mL")


def stock(concentration: str = "50 mg/mL", package: str = "20 mL") -> StockProduct:
    return StockProduct(
        concentration=parse_concentration(concentration), package_volume=volume(package)
    )


def seed_result(period: ServicePeriod | None = None, **extra) -> DoseResult:
    (result,) = compute(order(drug(SEED_RATE, SEED_CONCENTRATION, **extra), period=period))
    return result


def plan_of(
    result: DoseResult | None = None,
    *,
    reservoir: str | None = "100 mL",
    priming: str | None = None,
    period: ServicePeriod | None = None,
    **dispensing,
) -> DispensingPlan:
    """Return the plan of the seed order (or `result`), the dispensing part read from text."""
    period = period or ServicePeriod(days=31)
    result = result or seed_result(period)
    return dispensing_plan(
        result=result,
        dispensing=DispensingInput(
            reservoir_volume=volume(reservoir) if reservoir else None,
            priming_volume=volume(priming) if priming else None,
            **dispensing,
        ),
        period=period,
    )


def plan_errors(result: DoseResult | None = None, **dispensing) -> dict[str, list[str]]:
    """Return the InvalidOrder errors of a seed-order plan with `dispensing` (Measures given)."""
    result = result or seed_result()
    with pytest.raises(InvalidOrder) as caught:
        dispensing_plan(
            result=result,
            dispensing=DispensingInput(**dispensing),
            period=ServicePeriod(days=result.days),
        )
    return caught.value.errors


def fills(plan: DispensingPlan) -> list[Decimal]:
    return [reservoir.fill_volume_ml for reservoir in plan.reservoirs]


def days_of(plan: DispensingPlan) -> list[int]:
    return [reservoir.days for reservoir in plan.reservoirs]


# --- 10.1 Pump programming ---------------------------------------------------------------------


def test_seed_order_runs_at_a_fifth_of_a_millilitre_an_hour() -> None:
    """10.1: 5 mg/hr / 25 mg/mL = 0.2 mL/hr, shown as such."""
    plan = plan_of(reservoir=None)
    assert plan.pump.rate_ml_per_hr == Decimal("0.2")
    assert not plan.pump.while_infusing
    assert dispensing_steps(plan) == ["5 mg/hr / 25 mg/mL = 0.2 mL/hr"]


@pytest.mark.parametrize(
    ("rate", "concentration", "extra", "ml_per_hr", "steps"),
    [
        (
            "2 mg/min",
            "25 mg/mL",
            {},
            "4.8",
            ["2 mg/min = 120 mg/hr", "120 mg/hr / 25 mg/mL = 4.8 mL/hr"],
        ),
        (
            "0.5 mg/kg/hr",
            "25 mg/mL",
            {"weight": "70 kg"},
            "1.4",
            ["0.5 mg/kg/hr x 70 kg = 35 mg/hr", "35 mg/hr / 25 mg/mL = 1.4 mL/hr"],
        ),
        ("4 mL/hr", "25 mg/mL", {}, "4", ["4 mL/hr, ordered in mL"]),
        (
            "50 mcg/hr",
            "0.05 mg/mL",
            {},
            "1",
            ["50 mcg/hr = 0.05 mg/hr", "0.05 mg/hr / 0.05 mg/mL = 1 mL/hr"],
        ),
        ("5 mg/hr", "0.25 %", {}, "2", ["5 mg/hr / 2.5 mg/mL (0.25 %) = 2 mL/hr"]),
        ("1000 units/hr", "100 units/mL", {}, "10", ["1000 units/hr / 100 units/mL = 10 mL/hr"]),
        (
            "5 mg/hr",
            "500 mg in 20 mL",
            {},
            "0.2",
            ["5 mg/hr / 25 mg/mL (500 mg in 20 mL) = 0.2 mL/hr"],
        ),
    ],
)
def test_converts_each_kind_of_rate_to_millilitres_an_hour(
    rate: str, concentration: str, extra: dict, ml_per_hr: str, steps: list[str]
) -> None:
    """10.1: the continuous rate in mL/hr = the hourly dose rate / the concentration."""
    plan = plan_of(result_of(rate, concentration, **extra), reservoir=None)
    assert plan.pump.rate_ml_per_hr == Decimal(ml_per_hr)
    assert dispensing_steps(plan) == steps


def test_per_day_rate_over_twelve_hours_runs_at_the_rate_while_infusing() -> None:
    """SPEC 3.3 with 10.1: 120 mg/day over 12 hr runs at 10 mg/hr = 0.4 mL/hr while infusing
    (not 120/24 = 0.2 mL/hr), and the day's volume stays 4.8 mL."""
    result = result_of("120 mg/day", "25 mg/mL", hours="12")
    plan = plan_of(result)
    assert plan.pump.rate_ml_per_hr == Decimal("0.4")
    assert plan.pump.while_infusing
    assert result.daily_volume_ml == Decimal("4.8")
    assert plan.days_per_reservoir == 20
    assert dispensing_steps(plan)[:2] == [
        "120 mg/day over 12 hr/day = 10 mg/hr while infusing",
        "10 mg/hr / 25 mg/mL = 0.4 mL/hr while infusing",
    ]


def test_per_day_volume_rate_keeps_its_unending_rate_exact() -> None:
    """A 100 mL/day rate over 12 hours is 100/12 mL/hr: not rounded here, shown with "~"."""
    plan = plan_of(result_of("100 mL/day", "25 mg/mL", hours="12"), reservoir=None)
    assert abs(plan.pump.rate_ml_per_hr * 12 - 100) < Decimal("1E-20")
    assert str(plan.pump.rate_ml_per_hr).startswith("8.33333333333")
    assert dispensing_steps(plan) == ["100 mL/day over 12 hr/day = ~8.333333 mL/hr while infusing"]


@pytest.mark.parametrize(
    ("bolus", "bolus_ml", "steps"),
    [
        ("1 mg", "0.04", ["bolus 1 mg / 25 mg/mL = 0.04 mL"]),
        ("500 mcg", "0.02", ["bolus 500 mcg = 0.5 mg", "bolus 0.5 mg / 25 mg/mL = 0.02 mL"]),
        ("0.5 mL", "0.5", ["bolus 0.5 mL, given in mL"]),
    ],
)
def test_pca_bolus_is_programmed_in_millilitres(
    bolus: str, bolus_ml: str, steps: list[str]
) -> None:
    """10.1: 1 mg / 25 mg/mL = 0.04 mL; a bolus given in mL stays in mL."""
    result = seed_result(bolus=bolus, boluses_per_day=4)
    program = pump_program(result)
    assert program.bolus_volume_ml == Decimal(bolus_ml)
    assert program.rate_ml_per_hr == Decimal("0.2")  # the boluses are not in the basal rate
    assert dispensing_steps(plan_of(result, reservoir=None))[1:] == steps


def test_no_bolus_means_no_bolus_volume() -> None:
    assert pump_program(seed_result()).bolus_volume_ml is None


# --- 10.2 and 10.3 Days per reservoir and the reservoirs of the period -------------------------


def test_seed_order_in_a_100_ml_cassette_is_two_reservoirs() -> None:
    """10.2/10.3: 20 whole days fit; 20 days 96 mL + 11 days 52.8 mL."""
    plan = plan_of()
    assert plan.days_per_reservoir == 20
    assert days_of(plan) == [20, 11]
    assert fills(plan) == [Decimal("96"), Decimal("52.8")]
    assert plan.dispensed_volume_ml == plan.administered_volume_ml == Decimal("148.8")
    assert plan.waste_volume_ml == 0


def test_fourteen_beyond_use_days_cap_the_seed_at_three_reservoirs() -> None:
    """10.2/10.3: with 14 beyond-use days, 14 days per reservoir: 67.2, 67.2 and 14.4 mL."""
    plan = plan_of(beyond_use_days=14)
    assert plan.days_by_volume == 20
    assert plan.days_per_reservoir == 14
    assert days_of(plan) == [14, 14, 3]
    assert fills(plan) == [Decimal("67.2"), Decimal("67.2"), Decimal("14.4")]


def test_beyond_use_days_longer_than_the_volume_lasts_change_nothing() -> None:
    plan = plan_of(beyond_use_days=30)
    assert plan.days_per_reservoir == 20
    assert fills(plan) == [Decimal("96"), Decimal("52.8")]


def test_five_ml_priming_costs_a_day_per_cassette_and_is_dispensed() -> None:
    """Issue 10: 5 mL priming in 100 mL -> 19 days; fills 96.2 and 62.6 mL; 158.8 mL dispensed
    against 148.8 mL administered."""
    plan = plan_of(priming="5 mL")
    assert plan.days_per_reservoir == 19
    assert days_of(plan) == [19, 12]
    assert fills(plan) == [Decimal("96.2"), Decimal("62.6")]
    assert plan.dispensed_volume_ml == Decimal("158.8")
    assert plan.administered_volume_ml == Decimal("148.8")
    assert plan.waste_volume_ml == Decimal("10")


def test_reservoir_in_litres_is_read_in_millilitres() -> None:
    assert fills(plan_of(reservoir="0.1 L")) == [Decimal("96"), Decimal("52.8")]


def test_reservoir_that_holds_exactly_one_day_gives_daily_reservoirs() -> None:
    """The boundary: 4.8 mL + 0 priming fits a 4.8 mL reservoir, one day each."""
    plan = plan_of(reservoir="4.8 mL", period=ServicePeriod(days=3))
    assert days_of(plan) == [1, 1, 1]
    assert fills(plan) == [Decimal("4.8")] * 3


def test_short_order_is_one_partly_filled_reservoir() -> None:
    plan = plan_of(period=ServicePeriod(days=5))
    assert plan.days_per_reservoir == 20
    assert days_of(plan) == [5]
    assert fills(plan) == [Decimal("24")]


def test_without_a_reservoir_the_plan_is_the_pump_program_only() -> None:
    """Issue 10 point 5: without a reservoir, the rate and bolus volume and no reservoirs."""
    plan = plan_of(reservoir=None)
    assert plan.reservoirs == ()
    assert plan.days_per_reservoir is None
    assert plan.dispensed_volume_ml is None
    assert plan.waste_volume_ml is None
    assert plan.worksheet is None
    assert plan.administered_volume_ml == Decimal("148.8")


def test_a_plan_with_nothing_to_dispense_is_the_value_the_constructors_make() -> None:
    """The pump-only plan and its pump program are made without their __init__ (for speed):
    equal, with the same repr and hash, to the values the constructors make."""
    result = result_of("5 mg/hr", "25 mg/mL", bolus="1 mg", boluses_per_day=4)
    plan = dispensing_plan(result=result, dispensing=NO_DISPENSING, period=ServicePeriod(31))
    pump = PumpProgram(Decimal("0.2"), Decimal("0.04"), Decimal(24))
    made = DispensingPlan(result, NO_DISPENSING, pump, None, None, Decimal(0), (), None)
    assert (plan, plan.pump) == (made, pump)
    assert (repr(plan), hash(plan.pump)) == (repr(made), hash(pump))


def test_unending_fill_volumes_are_summed_as_ratios() -> None:
    """1 mg/hr of 72 mg/mL is 1/3 mL a day: fills of 13/3 + 0.5 and 7/3 + 0.5 mL do not end;
    the dispensed volume is 23/3 mL divided once, not a sum of rounded fills."""
    result = result_of("1 mg/hr", "72 mg/mL", days=20)
    plan = plan_of(result, reservoir="5 mL", priming="0.5 mL", period=ServicePeriod(days=20))
    assert plan.days_per_reservoir == 13  # 4.5 mL / (1/3 mL/day) = 13.5
    assert days_of(plan) == [13, 7]
    assert fills(plan) == [
        exact_divide(Decimal(29), Decimal(6)),
        exact_divide(Decimal(17), Decimal(6)),
    ]
    assert plan.dispensed_volume_ml == exact_divide(Decimal(23), Decimal(3))
    assert plan.waste_volume_ml == 1


def test_a_third_of_a_millilitre_a_day_is_not_rounded_into_an_extra_day() -> None:
    """1 mg/hr of 72 mg/mL is 1/3 mL a day: 3 mL holds 9 whole days, not 8 (a rounded 0.333...
    would give 9.000...01 days) and not 10."""
    result = result_of("1 mg/hr", "72 mg/mL", days=20)
    plan = plan_of(result, reservoir="3 mL", period=ServicePeriod(days=20))
    assert plan.days_per_reservoir == 9
    assert days_of(plan) == [9, 9, 2]
    assert plan.reservoirs[0].fill_volume_ml == Decimal(3)


# --- Dates: fill date and beyond-use date ------------------------------------------------------


def test_dated_reservoirs_are_filled_on_their_first_day_and_expire_bud_days_later() -> None:
    """10.3: each reservoir's fill date is its first day; the beyond-use date is the fill date +
    the beyond-use days (USP <797>: counted from when compounding begins)."""
    plan = plan_of(beyond_use_days=14, period=JANUARY, result=seed_result(JANUARY))
    rows = [(r.first_date, r.last_date, r.fill_date, r.beyond_use_date) for r in plan.reservoirs]
    assert rows == [
        (date(2026, 1, 1), date(2026, 1, 14), date(2026, 1, 1), date(2026, 1, 15)),
        (date(2026, 1, 15), date(2026, 1, 28), date(2026, 1, 15), date(2026, 1, 29)),
        (date(2026, 1, 29), date(2026, 1, 31), date(2026, 1, 29), date(2026, 2, 12)),
    ]


def test_undated_reservoirs_are_numbered_by_day() -> None:
    """Without a start date, days are numbered and no date is invented."""
    plan = plan_of(beyond_use_days=14)
    rows = [(r.first_day, r.last_day, r.fill_day, r.beyond_use_day) for r in plan.reservoirs]
    assert rows == [(1, 14, 1, 15), (15, 28, 15, 29), (29, 31, 29, 43)]
    assert all(r.first_date is r.fill_date is r.beyond_use_date is None for r in plan.reservoirs)


def test_without_beyond_use_days_there_is_no_beyond_use_date() -> None:
    """The app never invents a BUD."""
    plan = plan_of(period=JANUARY, result=seed_result(JANUARY))
    assert [r.beyond_use_date for r in plan.reservoirs] == [None, None]
    assert [r.beyond_use_day for r in plan.reservoirs] == [None, None]
    assert [r.fill_date for r in plan.reservoirs] == [date(2026, 1, 1), date(2026, 1, 21)]


def test_reservoir_filled_a_day_ahead_holds_a_day_less_of_its_bud() -> None:
    """Filled the day before its first day, a 14-day BUD leaves 13 days of use."""
    plan = plan_of(
        beyond_use_days=14, fill_lead_days=1, period=JANUARY, result=seed_result(JANUARY)
    )
    assert plan.days_per_reservoir == 13
    assert days_of(plan) == [13, 13, 5]
    first = plan.reservoirs[0]
    assert (first.fill_date, first.beyond_use_date) == (date(2025, 12, 31), date(2026, 1, 14))
    assert first.fill_day == 0


def test_filling_ahead_without_a_bud_changes_only_the_fill_dates() -> None:
    plan = plan_of(fill_lead_days=2, period=JANUARY, result=seed_result(JANUARY))
    assert days_of(plan) == [20, 11]
    assert [r.fill_date for r in plan.reservoirs] == [date(2025, 12, 30), date(2026, 1, 19)]


# --- 10.4 Compounding worksheet ----------------------------------------------------------------


def test_compounded_seed_from_50_mg_per_ml_vials_with_waste() -> None:
    """10.4: 25 mg/mL x 96 mL / 50 mg/mL = 48 mL stock, 48 mL diluent, 48 / 20 -> 3 vials,
    12 mL (600 mg) left in the last; then 26.4 mL, 2 vials, 13.6 mL (680 mg)."""
    plan = plan_of(stock=stock("50 mg/mL", "20 mL"))
    assert plan.worksheet is not None
    lines = [
        (
            line.fill_volume_ml,
            line.stock_volume_ml,
            line.diluent_volume_ml,
            line.containers,
            line.waste_volume_ml,
            line.waste_amount,
        )
        for line in plan.worksheet.lines
    ]
    assert lines == [
        (Decimal("96"), Decimal("48"), Decimal("48"), 3, Decimal("12"), Decimal("600")),
        (Decimal("52.8"), Decimal("26.4"), Decimal("26.4"), 2, Decimal("13.6"), Decimal("680")),
    ]
    worksheet = plan.worksheet
    assert worksheet.containers == 5
    assert worksheet.stock_volume_ml == Decimal("74.4")
    assert worksheet.diluent_volume_ml == Decimal("74.4")
    assert worksheet.waste_volume_ml == Decimal("25.6")
    assert worksheet.waste_amount == Decimal("1280")
    assert dispensing_steps(plan)[-8:-4] == [
        "reservoir 1: 25 mg/mL x 96 mL / 50 mg/mL = 48 mL of stock",
        "reservoir 1: 96 mL - 48 mL = 48 mL of diluent",
        "reservoir 1: 48 mL / 20 mL per container = 2.4 -> 3 containers",
        "reservoir 1: 3 x 20 mL - 48 mL = 12 mL (600 mg) left in the last container: waste",
    ]


def test_stock_that_fills_whole_containers_leaves_no_waste() -> None:
    """48 mL of stock is exactly two 24 mL vials: 2 opened (not 3), nothing wasted; 26.4 mL
    still opens 2 and leaves 21.6 mL."""
    plan = plan_of(stock=stock("50 mg/mL", "24 mL"))
    assert [(x.stock_volume_ml, x.containers, x.waste_volume_ml) for x in plan.worksheet.lines] == [
        (Decimal("48"), 2, Decimal(0)),
        (Decimal("26.4"), 2, Decimal("21.6")),
    ]
    assert dispensing_steps(plan)[-6:-4] == [
        "reservoir 1: 48 mL / 24 mL per container = 2 containers",
        "reservoir 1: the opened containers are used up: no waste",
    ]


def test_stock_as_strong_as_the_target_needs_no_diluent() -> None:
    plan = plan_of(stock=stock("25 mg/mL", "50 mL"))
    assert [line.diluent_volume_ml for line in plan.worksheet.lines] == [0, 0]
    assert [line.containers for line in plan.worksheet.lines] == [2, 2]


def test_priming_volume_is_compounded_too() -> None:
    """The fill volume, priming included, is what is compounded: 96.2 mL -> 48.1 mL stock."""
    plan = plan_of(priming="5 mL", stock=stock("50 mg/mL", "20 mL"))
    assert [line.stock_volume_ml for line in plan.worksheet.lines] == [
        Decimal("48.1"),
        Decimal("31.3"),
    ]


def test_percent_stock_dilutes_to_a_percent_target() -> None:
    """Bupivacaine 0.5 % stock to 0.25 %: half the fill volume is stock; waste in mg."""
    result = result_of("5 mg/hr", "0.25 %", days=5)  # 48 mL a day
    plan = plan_of(
        result, reservoir="250 mL", stock=stock("0.5 %", "30 mL"), period=ServicePeriod(days=5)
    )
    assert plan.days_per_reservoir == 5
    (line,) = plan.worksheet.lines
    assert (line.fill_volume_ml, line.stock_volume_ml, line.containers) == (
        Decimal("240"),
        Decimal("120"),
        4,
    )
    assert (line.waste_volume_ml, line.waste_amount) == (Decimal(0), Decimal(0))


# --- Steps ---------------------------------------------------------------------------------------


def test_shows_the_whole_plan_of_the_seed_with_a_fourteen_day_bud() -> None:
    """10: every number of the plan shown as the pharmacist writes it."""
    plan = plan_of(beyond_use_days=14, period=JANUARY, result=seed_result(JANUARY))
    assert dispensing_steps(plan) == [
        "5 mg/hr / 25 mg/mL = 0.2 mL/hr",
        "100 mL - 0 mL priming = 100 mL; 100 mL / 4.8 mL/day = ~20.833333 -> 20 whole days",
        "20 days > 14 beyond-use days -> 14 days per reservoir",
        "31 days / 14 days per reservoir -> 3 reservoirs: 2 x 14 days + 3 days",
        "reservoir 1: 14 days x 4.8 mL/day = 67.2 mL",
        "reservoir 1: days 1-14 (2026-01-01 to 2026-01-14), filled 2026-01-01; "
        "2026-01-01 + 14 days = beyond-use date 2026-01-15",
        "reservoir 2: 14 days x 4.8 mL/day = 67.2 mL",
        "reservoir 2: days 15-28 (2026-01-15 to 2026-01-28), filled 2026-01-15; "
        "2026-01-15 + 14 days = beyond-use date 2026-01-29",
        "reservoir 3: 3 days x 4.8 mL/day = 14.4 mL",
        "reservoir 3: days 29-31 (2026-01-29 to 2026-01-31), filled 2026-01-29; "
        "2026-01-29 + 14 days = beyond-use date 2026-02-12",
        "67.2 mL + 67.2 mL + 14.4 mL = 148.8 mL dispensed",
        "4.8 mL/day x 31 days = 148.8 mL administered",
    ]


def test_shows_priming_in_each_fill_and_as_volume_not_administered() -> None:
    steps = dispensing_steps(plan_of(priming="5 mL"))
    assert "100 mL - 5 mL priming = 95 mL; 95 mL / 4.8 mL/day = ~19.791667 -> 19 whole days" in (
        steps
    )
    assert "reservoir 1: 19 days x 4.8 mL/day + 5 mL priming = 96.2 mL" in steps
    assert "reservoir 2: days 20-31, filled day 20" in steps
    assert (
        steps[-1]
        == "158.8 mL dispensed - 148.8 mL administered = 10 mL of priming, not administered"
    )


def test_shows_a_whole_number_of_days_without_an_arrow() -> None:
    steps = dispensing_steps(plan_of(reservoir="96 mL"))
    assert "96 mL - 0 mL priming = 96 mL; 96 mL / 4.8 mL/day = 20 whole days" in steps


def test_shows_an_undated_fill_the_day_before_day_one() -> None:
    steps = dispensing_steps(plan_of(beyond_use_days=14, fill_lead_days=1))
    assert "14 beyond-use days - 1 day filled ahead = 13 days of use" in steps
    assert "20 days > 13 days of use -> 13 days per reservoir" in steps
    assert (
        "reservoir 1: days 1-13, filled day 0 (the day before day 1); "
        "day 0 + 14 days = beyond-use date day 14"
    ) in steps


# --- Errors, each on its field ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reservoir", "priming", "message"),
    [
        (
            "4 mL",
            None,
            "a 4 mL reservoir holds less than one day: 4.8 mL/day + 0 mL priming = 4.8 mL",
        ),
        (
            "5 mL",
            "1 mL",
            "a 5 mL reservoir holds less than one day: 4.8 mL/day + 1 mL priming = 5.8 mL",
        ),
    ],
)
def test_rejects_a_reservoir_too_small_for_one_day(
    reservoir: str, priming: str | None, message: str
) -> None:
    """10: a reservoir smaller than one day's volume plus priming is a field error."""
    errors = plan_errors(
        reservoir_volume=volume(reservoir), priming_volume=volume(priming) if priming else None
    )
    assert errors == {"drugs.0.reservoir_volume": [message]}


@pytest.mark.parametrize("value", ["0", "-100"])
def test_rejects_a_reservoir_of_zero_or_less(value: str) -> None:
    errors = plan_errors(reservoir_volume=Measure(Decimal(value), "mL"))
    assert errors == {"drugs.0.reservoir_volume": ["the reservoir volume must be more than zero"]}


def test_rejects_a_reservoir_that_is_not_a_volume() -> None:
    errors = plan_errors(reservoir_volume=Measure(Decimal(100), "mg"))
    assert errors == {
        "drugs.0.reservoir_volume": [
            '"100 mg" is not a volume; give the reservoir volume in mL, e.g. 100 mL'
        ]
    }


def test_rejects_a_negative_priming_volume_and_accepts_zero() -> None:
    errors = plan_errors(
        reservoir_volume=volume("100 mL"), priming_volume=Measure(Decimal(-1), "mL")
    )
    assert errors == {"drugs.0.priming_volume": ["the priming volume must be zero or more"]}
    zero = dispensing_plan(
        result=seed_result(),
        dispensing=DispensingInput(
            reservoir_volume=volume("100 mL"), priming_volume=Measure(Decimal(0), "mL")
        ),
        period=ServicePeriod(days=31),
    )
    assert fills(zero) == [Decimal("96"), Decimal("52.8")]


@pytest.mark.parametrize("priming", ["100 mL", "0.2 L"])
def test_rejects_a_priming_volume_not_smaller_than_the_reservoir(priming: str) -> None:
    errors = plan_errors(reservoir_volume=volume("100 mL"), priming_volume=volume(priming))
    assert list(errors) == ["drugs.0.priming_volume"]
    assert "must be smaller than the reservoir (100 mL)" in errors["drugs.0.priming_volume"][0]


@pytest.mark.parametrize("days", [0, -3, True, 1.5, "14"])
def test_rejects_beyond_use_days_below_one_or_not_whole(days: object) -> None:
    errors = plan_errors(reservoir_volume=volume("100 mL"), beyond_use_days=days)
    assert errors == {
        "drugs.0.beyond_use_days": [
            f"beyond-use days must be a whole number of 1 or more, not {days}"
        ]
    }


def test_rejects_filling_so_far_ahead_that_no_day_of_use_is_left() -> None:
    errors = plan_errors(reservoir_volume=volume("100 mL"), beyond_use_days=2, fill_lead_days=2)
    assert errors == {
        "drugs.0.fill_lead_days": [
            "filled 2 days ahead, a reservoir with 2 days of beyond-use time has no day of use left"
        ]
    }
    assert "drugs.0.fill_lead_days" in plan_errors(
        reservoir_volume=volume("100 mL"), fill_lead_days=-1
    )


def test_rejects_a_stock_weaker_than_the_target() -> None:
    """10: a stock product weaker than the target concentration cannot be diluted to it."""
    errors = plan_errors(reservoir_volume=volume("100 mL"), stock=stock("10 mg/mL"))
    assert errors == {
        "drugs.0.stock_ndc": [
            'the stock product "10 mg/mL" is weaker than the reservoir\'s "25 mg/mL": it '
            "cannot be diluted to it"
        ]
    }


def test_compares_stock_and_target_across_units() -> None:
    """0.025 g/mL is as strong as 25 mg/mL (accepted); 20000 mcg/mL is weaker (rejected)."""
    plan = plan_of(stock=stock("0.025 g/mL"))
    assert [line.diluent_volume_ml for line in plan.worksheet.lines] == [0, 0]
    errors = plan_errors(reservoir_volume=volume("100 mL"), stock=stock("20000 mcg/mL"))
    assert list(errors) == ["drugs.0.stock_ndc"]


def test_rejects_a_stock_in_another_kind_of_amount_or_package() -> None:
    errors = plan_errors(reservoir_volume=volume("100 mL"), stock=stock("1000 units/mL"))
    assert list(errors) == ["drugs.0.stock_ndc"]
    assert "same kind of amount" in errors["drugs.0.stock_ndc"][0]
    bad_package = StockProduct(parse_concentration("50 mg/mL"), Measure(Decimal(20), "mg"))
    errors = plan_errors(reservoir_volume=volume("100 mL"), stock=bad_package)
    assert errors == {
        "drugs.0.stock_ndc": ['the stock product\'s package "20 mg" is not a volume (e.g. 20 mL)']
    }


def test_rejects_dispensing_details_without_a_reservoir() -> None:
    errors = plan_errors(priming_volume=volume("5 mL"), beyond_use_days=14, stock=stock())
    assert errors == {
        "drugs.0.reservoir_volume": [
            "a priming volume, beyond-use days and a stock product need the reservoir volume "
            "(e.g. 100 mL)"
        ]
    }


def test_names_every_error_at_once_on_the_drug_row() -> None:
    """The second drug's errors are keyed drugs.1; all of them are reported together."""
    an_order = order(drug("5 mg/hr", "25 mg/mL"), drug("2 mg/hr", "10 mg/mL"))
    second = compute(an_order)[1]
    errors = plan_errors(
        second,
        reservoir_volume=volume("100 mL"),
        priming_volume=volume("100 mL"),
        beyond_use_days=0,
        stock=stock("5 mg/mL"),
    )
    assert sorted(errors) == [
        "drugs.1.beyond_use_days",
        "drugs.1.priming_volume",
        "drugs.1.stock_ndc",
    ]
    with pytest.raises(InvalidOrder):
        validate_dispensing(result=second, dispensing=DispensingInput(beyond_use_days=0))


def test_a_period_other_than_the_results_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="31 days"):
        dispensing_plan(
            result=seed_result(), dispensing=DispensingInput(), period=ServicePeriod(days=30)
        )


# --- Properties ----------------------------------------------------------------------------------

# Concentrations whose per-mL value is 2^a x 5^b, so that every volume ends and the identities
# below hold to the last digit.
CONCENTRATIONS = ["1 mg/mL", "2 mg/mL", "2.5 mg/mL", "5 mg/mL", "10 mg/mL", "25 mg/mL", "50 mg/mL"]


@st.composite
def plans(draw) -> tuple[DispensingPlan, dict]:
    rate = draw(st.decimals(min_value="0.1", max_value="20", places=1))
    concentration = draw(st.sampled_from(CONCENTRATIONS))
    hours = draw(st.sampled_from(["24", "12", "8"]))
    days = draw(st.integers(min_value=1, max_value=120))
    reservoir = draw(st.integers(min_value=1, max_value=500))
    priming = draw(st.sampled_from([None, "0.5 mL", "1 mL", "5 mL"]))
    bud = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=45)))
    lead = draw(st.integers(min_value=0, max_value=(bud - 1) if bud else 3))
    with_stock = draw(st.booleans())
    result = result_of(f"{rate} mg/hr", concentration, days=days, hours=hours)
    dispensing = DispensingInput(
        reservoir_volume=volume(f"{reservoir} mL"),
        priming_volume=volume(priming) if priming else None,
        beyond_use_days=bud,
        fill_lead_days=lead,
        stock=stock("50 mg/mL", draw(st.sampled_from(["1 mL", "2 mL", "20 mL", "30 mL"])))
        if with_stock
        else None,
    )
    daily = Fraction(str(rate)) * Fraction(hours) / Fraction(concentration.split()[0])
    priming_ml = Fraction(priming.split()[0]) if priming else Fraction(0)
    facts = {
        "daily": daily,
        "priming": priming_ml,
        "reservoir": reservoir,
        "bud": bud,
        "lead": lead,
        "concentration": Fraction(concentration.split()[0]),
    }
    try:
        plan = dispensing_plan(
            result=result, dispensing=dispensing, period=ServicePeriod(days=days)
        )
    except InvalidOrder as error:
        # The only ways these inputs fail: the priming fills the reservoir, or not one day's
        # volume fits beside it.
        assert daily + priming_ml > reservoir, error.errors
        field = "priming_volume" if priming_ml >= reservoir else "reservoir_volume"
        assert list(error.errors) == [f"drugs.0.{field}"]
        assume(False)
    assert daily + priming_ml <= reservoir
    return plan, facts


@fuzz
@given(plans())
def test_reservoirs_cover_the_period_in_order(case) -> None:
    """The reservoirs' days add up to the period, one after another, from day 1."""
    plan, _ = case
    assert sum(days_of(plan)) == plan.result.days
    assert plan.reservoirs[0].first_day == 1
    assert plan.reservoirs[-1].last_day == plan.result.days
    for before, after in zip(plan.reservoirs, plan.reservoirs[1:], strict=False):
        assert after.first_day == before.last_day + 1
        assert before.days == plan.days_per_reservoir  # only the last may be shorter
    assert [r.number for r in plan.reservoirs] == list(range(1, len(plan.reservoirs) + 1))


@fuzz
@given(plans())
def test_no_fill_exceeds_the_reservoir_and_each_is_days_times_daily_plus_priming(case) -> None:
    plan, facts = case
    for reservoir in plan.reservoirs:
        expected = reservoir.days * facts["daily"] + facts["priming"]
        assert Fraction(reservoir.fill_volume_ml) == expected
        assert expected <= facts["reservoir"]


@fuzz
@given(plans())
def test_days_per_reservoir_is_the_most_that_fit_and_within_the_bud(case) -> None:
    """As many whole days as fit, never more than the beyond-use days (less the days ahead)."""
    plan, facts = case
    per = plan.days_per_reservoir
    one_more_fits = (per + 1) * facts["daily"] + facts["priming"] <= facts["reservoir"]
    if facts["bud"] is None:
        assert not one_more_fits
    else:
        assert per + facts["lead"] <= facts["bud"]
        assert not one_more_fits or per + facts["lead"] == facts["bud"]
        for reservoir in plan.reservoirs:
            assert reservoir.beyond_use_day - reservoir.fill_day == facts["bud"]
            # Used until the next is hung on the day after its last: by its beyond-use date.
            assert reservoir.last_day + 1 <= reservoir.beyond_use_day


@fuzz
@given(plans())
def test_dispensed_is_administered_plus_priming_per_reservoir(case) -> None:
    plan, facts = case
    count = len(plan.reservoirs)
    assert Fraction(plan.administered_volume_ml) == facts["daily"] * plan.result.days
    assert plan.dispensed_volume_ml == plan.administered_volume_ml + count * plan.priming_volume_ml
    assert Fraction(plan.waste_volume_ml) == count * facts["priming"]
    assert plan.dispensed_volume_ml >= plan.administered_volume_ml


@fuzz
@given(plans())
def test_worksheet_opens_just_enough_containers(case) -> None:
    """Stock + diluent = fill; the containers hold the stock and one fewer would not; the waste
    is what the last one has left, less than one container."""
    plan, facts = case
    if plan.worksheet is None:
        return
    package = plan.worksheet.stock.package_volume.value
    for line, reservoir in zip(plan.worksheet.lines, plan.reservoirs, strict=True):
        assert line.fill_volume_ml == reservoir.fill_volume_ml
        assert line.stock_volume_ml + line.diluent_volume_ml == line.fill_volume_ml
        stock_ml = Fraction(line.fill_volume_ml) * facts["concentration"] / 50
        assert Fraction(line.stock_volume_ml) == stock_ml
        assert (line.containers - 1) * package < line.stock_volume_ml <= line.containers * package
        assert line.waste_volume_ml == line.containers * package - line.stock_volume_ml
        assert 0 <= line.waste_volume_ml < package
        assert line.waste_amount == line.waste_volume_ml * 50


@fuzz
@given(dosing_cases())
def test_pump_program_from_the_daily_volume_is_the_one_worked_out_as_ordered(case) -> None:
    """pump_program divides the daily volume of the rate alone, which dosing worked out, by the
    hours; it is the same program, to the last digit and exponent, as the one worked out from
    the rate, the weight and the concentration (mg, mcg, g, mL; per minute, hour or day; per
    kg; X per Y mL, X in Y mL, %; any hours a day; with boluses or without)."""
    an_order, _, _ = case
    try:
        (result,) = compute(an_order)
    except InvalidOrder:
        assume(False)
    fast, as_ordered = pump_program(result), pump_program_as_ordered(result)
    assert fast == as_ordered
    assert fast.rate_ml_per_hr.as_tuple() == as_ordered.rate_ml_per_hr.as_tuple()
