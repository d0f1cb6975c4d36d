"""Tests for calculator.domain.dosing: daily and total dose and volume, and the work shown.

Pure functions only: inputs are read with calculator.domain.units, or whole requests go through
engine.calculate_request with engine.EmptyCatalog(); nothing touches the database.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculator import engine
from calculator.domain.decimals import exact_divide, readable
from calculator.domain.dosing import (
    MAX_DAILY_DOSE,
    MAX_DAILY_VOLUME_ML,
    DoseResult,
    OrderInput,
    ServicePeriod,
    Therapy,
    compute,
    concentration_per_ml,
    dose_steps,
    validate_order,
)
from calculator.domain.errors import InvalidOrder
from calculator.domain.units import format_decimal
from tests.conftest import seed_calculation_drug
from tests.helpers import drug, order, request_errors, result_of

fuzz = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def order_errors(an_order: OrderInput) -> dict[str, list[str]]:
    """Return the InvalidOrder errors compute raises for a parsed order."""
    with pytest.raises(InvalidOrder) as caught:
        compute(an_order)
    return caught.value.errors


# --- Dose rates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "daily_mg", "shown"),
    [
        ("5 mg/hr", Decimal("120"), Decimal("120")),
        ("50 mcg/h", Decimal("1.2"), Decimal("1200")),
        ("2 mg/min", Decimal("2880"), Decimal("2880")),
        ("120 mg/day", Decimal("120"), Decimal("120")),
        ("0.1 g/day", Decimal("100"), Decimal("0.1")),
    ],
)
def test_multiplies_mass_per_time_rate_by_hours(
    rate: str, daily_mg: Decimal, shown: Decimal
) -> None:
    """a mass/time rate x 24 hours is the daily dose, kept in the pharmacist's unit."""
    result = result_of(rate, "25 mg/mL")
    assert result.daily_dose == daily_mg
    assert result.in_dose_unit(result.daily_dose) == shown


@pytest.mark.parametrize(
    ("rate", "weight", "daily_mg"),
    [
        ("0.5 mg/kg/hr", "70 kg", Decimal("840")),
        ("0.5 mg/kg/hr", "70000 g", Decimal("840")),
        ("2 mcg/kg/min", "80 kg", Decimal("230.4")),
    ],
)
def test_multiplies_weight_based_rate_by_weight(rate: str, weight: str, daily_mg: Decimal) -> None:
    """a weight-based rate x the weight x hours is the daily dose."""
    result = result_of(rate, "25 mg/mL", weight=weight)
    assert result.daily_dose == daily_mg
    assert result.daily_volume_ml == daily_mg / 25


def test_rejects_weight_based_rate_without_weight() -> None:
    """a weight-based rate needs the weight; the error is on drugs.N.weight."""
    expected = {"drugs.0.weight": ['the weight-based rate "0.5 mg/kg/hr" needs the weight']}
    assert order_errors(order(drug("0.5 mg/kg/hr", "25 mg/mL"))) == expected
    assert request_errors(seed_calculation_drug(rate="0.5 mg/kg/hr")) == expected


@pytest.mark.parametrize(
    ("concentration", "daily_mg"),
    [("25 mg/mL", Decimal("2400")), ("0.25 %", Decimal("240")), ("500 mg in 20 mL", 2400)],
)
def test_multiplies_volume_rate_by_concentration(concentration: str, daily_mg: Decimal) -> None:
    """for a volume/time rate, the daily volume is rate x hours and dose = volume x conc."""
    result = result_of("4 mL/hr", concentration)
    assert result.daily_volume_ml == Decimal("96")
    assert result.daily_dose == Decimal(daily_mg)
    assert result.total_volume_ml == Decimal("2976")


@pytest.mark.parametrize(
    ("rate", "concentration", "daily_units", "daily_ml"),
    [
        ("1000 units/hr", "1000 units/mL", Decimal("24000"), Decimal("24")),
        ("1000 units/hr", "5000 IU/mL", Decimal("24000"), Decimal("4.8")),
        ("500 IU/hr", "100 units/mL", Decimal("12000"), Decimal("120")),
    ],
)
def test_reads_units_rate_with_units_concentration(
    rate: str, concentration: str, daily_units: Decimal, daily_ml: Decimal
) -> None:
    """a units/time rate goes with a units/mL concentration; the dose stays in units."""
    result = result_of(rate, concentration)
    assert result.daily_dose == daily_units
    assert result.daily_volume_ml == daily_ml
    assert result.dose_unit == "units"


# --- Concentrations ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("concentration", "per_ml", "daily_ml"),
    [
        ("25 mg/mL", (Decimal("25"), "mg"), Decimal("4.8")),
        ("100 mg/100 mL", (Decimal("1"), "mg"), Decimal("120")),
        ("500 mg in 20 mL", (Decimal("25"), "mg"), Decimal("4.8")),
        ("0.25 %", (Decimal("2.5"), "mg"), Decimal("48")),
        ("1 g/L", (Decimal("0.001"), "g"), Decimal("120")),
    ],
)
def test_divides_daily_dose_by_each_concentration_form(
    concentration: str, per_ml: tuple[Decimal, str], daily_ml: Decimal
) -> None:
    """25 mg/mL, 100 mg/100 mL, 500 mg in 20 mL and 0.25 % (= 2.5 mg/mL) all divide exactly."""
    result = result_of("5 mg/hr", concentration)
    assert concentration_per_ml(result.drug) == per_ml
    assert result.daily_volume_ml == daily_ml


def test_reads_microgram_concentration_with_microgram_rate() -> None:
    """50 mcg/mL with 50 mcg/hr is 1200 mcg (1.2 mg) and 24 mL a day."""
    result = result_of("50 mcg/hr", "50 mcg/mL")
    assert concentration_per_ml(result.drug) == (Decimal("50"), "mcg")
    assert result.in_dose_unit(result.daily_dose) == Decimal("1200")
    assert result.daily_volume_ml == Decimal("24")


def test_mixes_mg_rate_and_mcg_concentration_exactly() -> None:
    """1 mg/hr of a 50 mcg/mL product is 24 mg = 480 mL a day."""
    result = result_of("1 mg/hr", "50 mcg/mL")
    assert result.daily_volume_ml == Decimal("480")


def test_reads_units_per_ml_concentration() -> None:
    """a units/mL concentration gives the volume of a units rate."""
    result = result_of("1000 units/hr", "1000 units/mL")
    assert concentration_per_ml(result.drug) == (Decimal("1000"), "units")


# --- Daily and total -----------------------------------------------------------------------


def test_computes_the_seed_example() -> None:
    """5 mg/hr x 24 h = 120 mg/day; / 25 mg/mL = 4.8 mL/day; x 31 days = 148.8 mL."""
    result = result_of("5 mg/hr", "25 mg/mL", days=31)
    assert result.daily_dose == Decimal("120")
    assert result.daily_volume_ml == Decimal("4.8")
    assert result.total_dose == Decimal("3720")
    assert result.total_volume_ml == Decimal("148.8")


def test_counts_days_from_start_to_end_inclusive() -> None:
    """a start and end date give the days (Jan 1-31 is 31 days)."""
    period = ServicePeriod.between(date(2026, 1, 1), date(2026, 1, 31))
    (result,) = compute(order(drug("5 mg/hr", "25 mg/mL"), period=period))
    assert result.days == 31
    assert result.total_volume_ml == Decimal("148.8")


@pytest.mark.parametrize(
    ("rate", "bolus", "boluses", "concentration", "days", "daily_mg", "daily_ml", "total_ml"),
    [
        ("1 mg/hr", "0.5 mg", 12, "1 mg/mL", 30, "30", "30", "900"),
        ("0.2 mg/hr", "0.2 mg", 6, "0.2 mg/mL", 7, "6", "30", "210"),
        ("2 mg/hr", "0.5 mL", 6, "1 mg/mL", 3, "51", "51", "153"),
        ("10 mcg/hr", "10 mcg", 6, "50 mcg/mL", 28, "0.3", "6", "168"),
    ],
)
def test_adds_pca_boluses_to_the_daily_dose(
    rate: str,
    bolus: str,
    boluses: int,
    concentration: str,
    days: int,
    daily_mg: str,
    daily_ml: str,
    total_ml: str,
) -> None:
    """daily dose = rate x hours + bolus dose x boluses per day (a bolus in mL too)."""
    result = result_of(rate, concentration, days=days, bolus=bolus, boluses_per_day=boluses)
    assert result.daily_dose == Decimal(daily_mg)
    assert result.daily_volume_ml == Decimal(daily_ml)
    assert result.total_volume_ml == Decimal(total_ml)
    assert result.total_dose == Decimal(daily_mg) * days


@pytest.mark.parametrize(
    ("hours", "daily_mg", "daily_ml"),
    [("12", Decimal("60"), Decimal("2.4")), ("0.5", Decimal("2.5"), Decimal("0.1"))],
)
def test_multiplies_by_the_hours_of_an_intermittent_infusion(
    hours: str, daily_mg: Decimal, daily_ml: Decimal
) -> None:
    """daily dose = rate x hours per day, for fewer than 24 hours too."""
    result = result_of("5 mg/hr", "25 mg/mL", hours=hours)
    assert result.daily_dose == daily_mg
    assert result.daily_volume_ml == daily_ml


def test_computes_each_drug_of_an_order_separately() -> None:
    """each drug of an order gets its own daily and total values."""
    results = compute(order(drug("5 mg/hr", "25 mg/mL"), drug("4 mL/hr", "0.25 %"), days=10))
    assert [r.index for r in results] == [0, 1]
    assert [r.total_volume_ml for r in results] == [Decimal("48"), Decimal("960")]
    assert [r.total_dose for r in results] == [Decimal("1200"), Decimal("2400")]


# --- Exact decimals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "concentration", "days", "daily_ml", "total_ml"),
    [
        ("5 mg/hr", "25 mg/mL", 31, "4.8", "148.8"),
        ("0.1 mg/hr", "1 mg/mL", 3, "2.4", "7.2"),
        ("0.7 mg/hr", "1 mg/mL", 3, "16.8", "50.4"),
        ("3 mg/hr", "10 mg/mL", 31, "7.2", "223.2"),
    ],
)
def test_has_no_float_artefacts(
    rate: str, concentration: str, days: int, daily_ml: str, total_ml: str
) -> None:
    """4.8 mL, not 4.800000000000001 mL; 148.8 mL, not 148.79999999999998 mL."""
    result = result_of(rate, concentration, days=days)
    assert str(result.daily_volume_ml) == daily_ml
    assert str(result.total_volume_ml) == total_ml
    assert str(result.total_volume_ml) != repr(float(daily_ml) * days)


@pytest.mark.parametrize(
    ("rate", "concentration", "hours", "days", "field", "total"),
    [
        ("10 mg/day", "3 mg/mL", "24", 3, "total_volume_ml", Decimal("10")),
        ("1 mg/hr", "7 mg/mL", "24", 7, "total_volume_ml", Decimal("24")),
        ("1 mL/hr", "100 mg in 3 mL", "10", 3, "total_dose", Decimal("1000")),
        ("7 mg/day", "3 mg/mL", "24", 3, "total_volume_ml", Decimal("7")),
    ],
)
def test_totals_of_non_terminating_dailies_come_out_whole(
    rate: str, concentration: str, hours: str, days: int, field: str, total: Decimal
) -> None:
    """a daily value such as 10/3 mL is divided once, at the end: 3 days is 10 mL, not 9.99."""
    result = result_of(rate, concentration, hours=hours, days=days)
    value = getattr(result, field)
    assert value == total
    assert str(value) == str(total)


def test_shows_a_non_terminating_daily_value_rounded_and_marked() -> None:
    """a value that never ends is shown to 6 places with "~", never as a long float."""
    result = result_of("10 mg/day", "3 mg/mL", days=3)
    assert readable(result.daily_volume_ml) == "~3.333333"
    assert readable(result.total_volume_ml) == "10"


@pytest.mark.parametrize(
    ("rate", "hours", "daily_mg"),
    [
        ("2 mg/min", "24", Decimal("2880")),
        ("0.1 mg/min", "24", Decimal("144")),
        ("1 mcg/min", "24", Decimal("1.44")),
        ("7 mg/day", "12", Decimal("7")),
        ("1 mg/day", "8", Decimal("1")),
        ("0.3 mg/min", "0.1", Decimal("1.8")),
    ],
)
def test_converts_minutes_and_days_to_hours_exactly(
    rate: str, hours: str, daily_mg: Decimal
) -> None:
    """per-minute and per-day rates convert exactly (time is carried in minutes)."""
    assert result_of(rate, "1 mg/mL", hours=hours).daily_dose == daily_mg


# --- A rate ordered per day is the daily amount, whatever the hours of infusion ----------


@pytest.mark.parametrize("hours", ["24", "12", "6"])
@pytest.mark.parametrize(
    ("rate", "extra", "daily_dose", "daily_ml"),
    [
        ("120 mg/day", {}, Decimal("120"), Decimal("4.8")),
        ("2 mg/kg/day", {"weight": "60 kg"}, Decimal("120"), Decimal("4.8")),
        ("4.8 mL/day", {}, Decimal("120"), Decimal("4.8")),
    ],
)
def test_a_per_day_rate_is_the_daily_dose_at_any_hours(
    rate: str, extra: dict, daily_dose: Decimal, daily_ml: Decimal, hours: str
) -> None:
    """120 mg/day over 12 hours is 120 mg a day (at 10 mg/hr while infusing), not 60 mg."""
    result = result_of(rate, "25 mg/mL", hours=hours, days=10, **extra)
    assert (result.daily_dose, result.daily_volume_ml) == (daily_dose, daily_ml)
    assert (result.total_dose, result.total_volume_ml) == (daily_dose * 10, daily_ml * 10)


@pytest.mark.parametrize(
    ("rate", "extra", "hours", "steps"),
    [
        (
            "120 mg/day",
            {},
            "12",
            [
                "120 mg/day over 12 hr/day = 10 mg/hr while infusing",
                "120 mg/day / 25 mg/mL = 4.8 mL/day",
                "4.8 mL/day x 10 days = 48 mL",
            ],
        ),
        (
            "2 mg/kg/day",
            {"weight": "60 kg"},
            "6",
            [
                "2 mg/kg/day x 60 kg = 120 mg/day",
                "120 mg/day over 6 hr/day = 20 mg/hr while infusing",
                "120 mg/day / 25 mg/mL = 4.8 mL/day",
                "4.8 mL/day x 10 days = 48 mL",
            ],
        ),
        (
            "4.8 mL/day",
            {},
            "12",
            [
                "4.8 mL/day over 12 hr/day = 0.4 mL/hr while infusing",
                "4.8 mL/day x 25 mg/mL = 120 mg/day",
                "4.8 mL/day x 10 days = 48 mL",
            ],
        ),
        (
            "120 mg/day",
            {"bolus": "1 mg", "boluses_per_day": 6},
            "12",
            [
                "120 mg/day over 12 hr/day = 10 mg/hr while infusing",
                "1 mg x 6 boluses = 6 mg/day",
                "120 mg/day + 6 mg/day = 126 mg/day",
                "126 mg/day / 25 mg/mL = 5.04 mL/day",
                "5.04 mL/day x 10 days = 50.4 mL",
            ],
        ),
    ],
)
def test_shows_a_per_day_rate_as_the_rate_while_infusing(
    rate: str, extra: dict, hours: str, steps: list[str]
) -> None:
    assert dose_steps(result_of(rate, "25 mg/mL", hours=hours, days=10, **extra)) == steps


def test_still_multiplies_per_hour_and_per_minute_rates_by_the_hours() -> None:
    assert result_of("5 mg/hr", "25 mg/mL", hours="12").daily_dose == Decimal("60")
    assert result_of("0.1 mg/min", "25 mg/mL", hours="6").daily_dose == Decimal("36")


@fuzz
@given(
    amount=st.decimals(min_value="0.001", max_value="5000", places=3),
    unit=st.sampled_from(["mg/day", "mcg/day", "mL/day", "mg/kg/day"]),
    hours=st.decimals(min_value="0.1", max_value="24", places=1),
)
def test_a_per_day_rate_gives_the_same_daily_dose_at_any_hours(
    amount: Decimal, unit: str, hours: Decimal
) -> None:
    """For a per-day rate, the daily dose and volume do not depend on the hours per day."""
    extra = {"weight": "70 kg"} if "/kg/" in unit else {}
    full_day = result_of(f"{amount} {unit}", "10 mg/mL", hours="24", **extra)
    part_day = result_of(f"{amount} {unit}", "10 mg/mL", hours=str(hours), **extra)
    assert part_day.daily_dose == full_day.daily_dose
    assert part_day.daily_volume_ml == full_day.daily_volume_ml


def test_divides_exactly_beyond_28_digits() -> None:
    """exact_divide keeps 60 digits, so a long whole number is never rounded or refused."""
    assert exact_divide(Decimal("1" + "0" * 40), Decimal(4)) == Decimal("25" + "0" * 38)
    assert exact_divide(Decimal(1), Decimal(3)) == Decimal("0." + "3" * 60)
    assert str(exact_divide(Decimal("120.0"), Decimal("25"))) == "4.8"


# --- The work, as written ------------------------------------------------------------------


def test_shows_the_seed_steps_as_the_pharmacist_writes_them() -> None:
    """the three dosing steps of the seed, exactly."""
    assert dose_steps(result_of("5 mg/hr", "25 mg/mL", days=31)) == [
        "5 mg/hr x 24 hr = 120 mg/day",
        "120 mg/day / 25 mg/mL = 4.8 mL/day",
        "4.8 mL/day x 31 days = 148.8 mL",
    ]


@pytest.mark.parametrize(
    ("rate", "concentration", "extra", "steps"),
    [
        (
            "0.5 mg/kg/hr",
            "25 mg/mL",
            {"weight": "70 kg"},
            [
                "0.5 mg/kg/hr x 70 kg = 35 mg/hr",
                "35 mg/hr x 24 hr = 840 mg/day",
                "840 mg/day / 25 mg/mL = 33.6 mL/day",
                "33.6 mL/day x 3 days = 100.8 mL",
            ],
        ),
        (
            "2 mg/min",
            "25 mg/mL",
            {},
            [
                "2 mg/min = 120 mg/hr",
                "120 mg/hr x 24 hr = 2880 mg/day",
                "2880 mg/day / 25 mg/mL = 115.2 mL/day",
                "115.2 mL/day x 3 days = 345.6 mL",
            ],
        ),
        (
            "7 mg/day",
            "3 mg/mL",
            {},
            [
                "7 mg/day over 24 hr/day = ~0.291667 mg/hr while infusing",
                "7 mg/day / 3 mg/mL = ~2.333333 mL/day",
                "~2.333333 mL/day x 3 days = 7 mL",
            ],
        ),
        (
            "4 mL/hr",
            "0.25 %",
            {},
            [
                "4 mL/hr x 24 hr = 96 mL/day",
                "96 mL/day x 2.5 mg/mL (0.25 %) = 240 mg/day",
                "96 mL/day x 3 days = 288 mL",
            ],
        ),
        (
            "50 mcg/h",
            "500 mcg in 10 mL",
            {},
            [
                "50 mcg/hr x 24 hr = 1200 mcg/day (1.2 mg/day)",
                "1200 mcg/day / 50 mcg/mL (500 mcg in 10 mL) = 24 mL/day",
                "24 mL/day x 3 days = 72 mL",
            ],
        ),
        (
            "1 mg/hr",
            "1 mg/mL",
            {"bolus": "0.5 mg", "boluses_per_day": 12},
            [
                "1 mg/hr x 24 hr = 24 mg/day",
                "0.5 mg x 12 boluses = 6 mg/day",
                "24 mg/day + 6 mg/day = 30 mg/day",
                "30 mg/day / 1 mg/mL = 30 mL/day",
                "30 mL/day x 3 days = 90 mL",
            ],
        ),
    ],
)
def test_shows_the_steps_of_each_rate_form(
    rate: str, concentration: str, extra: dict[str, Any], steps: list[str]
) -> None:
    """weight, minute/day conversions, volume rates, mcg and boluses are shown step by step."""
    assert dose_steps(result_of(rate, concentration, days=3, **extra)) == steps


def test_says_day_for_a_one_day_order() -> None:
    """The work says "x 1 day", not "x 1 days"."""
    steps = dose_steps(result_of("5 mg/hr", "25 mg/mL", days=1))
    assert steps[-1] == "4.8 mL/day x 1 day = 4.8 mL"


# --- A parsed order's errors (the engine's reading of a request: tests/engine/) ----------


@pytest.mark.parametrize(
    ("an_order", "errors"),
    [
        (
            order(drug("5 mg/hr", "25 mg/mL"), hours="0", therapy=Therapy.INTERMITTENT),
            {"hours_per_day": ["hours per day must be more than 0 and at most 24, not 0"]},
        ),
        (
            order(drug("5 mg/hr", "25 mg/mL"), hours="24.5", therapy=Therapy.CONTINUOUS),
            {"hours_per_day": ["hours per day must be more than 0 and at most 24, not 24.5"]},
        ),
        (
            order(drug("5 mg/hr", "25 mg/mL"), hours="23.5", therapy=Therapy.CONTINUOUS),
            {
                "therapy": [
                    "continuous therapy runs 24 hours a day; with 23.5 hours a day choose "
                    "intermittent (or 24 hours)"
                ]
            },
        ),
        (
            order(drug("5 mg/hr", "25 mg/mL"), hours="24", therapy=Therapy.INTERMITTENT),
            {"therapy": ["intermittent therapy runs less than 24 hours a day; choose continuous"]},
        ),
        (
            order(
                drug("5 mg/hr", "25 mg/mL"),
                period=ServicePeriod(days=-30, start=date(2026, 1, 31), end=date(2026, 1, 1)),
            ),
            {"end": ["the end date 2026-01-01 is before the start date 2026-01-31"]},
        ),
        (
            order(drug("5 mg/hr", "25 mg/mL"), days=0),
            {"days": ["days of service must be from 1 to 366, not 0"]},
        ),
        (order(days=31), {"drugs": ["add at least one drug"]}),
        (
            order(drug("0.5 mg/kg/hr", "25 mg/mL", weight="900 kg")),
            {"drugs.0.weight": ['"900 kg" is not a plausible patient weight']},
        ),
        (
            order(drug("1000 units/hr", "25 mg/mL")),
            {
                "drugs.0.concentration": [
                    '"25 mg/mL" is in mass (mg) but the dose rate "1000 units/hr" is in units; '
                    "they must match"
                ]
            },
        ),
        (
            order(drug("5 mg/hr", "25 mg/mL", bolus="1 mg")),
            {"drugs.0.boluses_per_day": ["how many boluses a day? (1 or more)"]},
        ),
        (
            order(drug("5 mg/hr", "25 mg/mL", lockout="10 min")),
            {"drugs.0.lockout": ["a lockout is given but not the bolus dose"]},
        ),
        (
            order(drug("5 mg/hr", "25 mg/mL", bolus="1 mg", boluses_per_day=25, lockout="1 hr")),
            {
                "drugs.0.boluses_per_day": [
                    "25 boluses a day do not fit a lockout of 1 hr: at most 24 a day"
                ]
            },
        ),
        (
            order(drug("5 mg/hr", "25 mg/mL", bolus="1 mg", boluses_per_day=1, lockout="2 day")),
            {"drugs.0.lockout": ["the lockout must be more than 0 and at most 24 hr"]},
        ),
        (
            order(drug("5 mg/hr", "25 mg/mL", bolus="1 mg", boluses_per_day=1, lockout="1 mL")),
            {"drugs.0.lockout": ['the lockout "1 mL" must be a time, e.g. 10 min']},
        ),
    ],
)
def test_validates_a_parsed_order(an_order: OrderInput, errors: dict[str, list[str]]) -> None:
    """hours outside (0, 24], a therapy against its hours, an end before a start, no drug,
    an implausible weight, a units/mg mismatch and a lockout without a bolus, past a day, not a
    time or too long for the boluses ordered are refused before any arithmetic."""
    assert order_errors(an_order) == errors


def test_accepts_implanted_pump_for_any_hours() -> None:
    """only continuous and intermittent contradict the hours; an implanted pump does not."""
    for hours in ("24", "12"):
        validate_order(
            order(drug("5 mg/hr", "25 mg/mL"), hours=hours, therapy=Therapy.IMPLANTED_PUMP)
        )


@pytest.mark.parametrize(
    ("rate", "concentration", "field", "message"),
    [
        (
            "5 mg/hr",
            "0.001 mcg/mL",
            "drugs.0.concentration",
            "this gives 120000000 mL a day, more than 100000 mL; check the dose rate and the "
            "concentration",
        ),
        (
            "100 mL/min",
            "25 mg/mL",
            "drugs.0.rate",
            "this gives 144000 mL a day, more than 100000 mL; check the dose rate and the "
            "concentration",
        ),
        (
            "1 kg/min",
            "1 kg/mL",
            "drugs.0.rate",
            "this gives 1440000000 mg a day, more than 1000000000 mg; check the dose rate and the "
            "concentration",
        ),
    ],
)
def test_refuses_a_daily_amount_beyond_any_infusion(
    rate: str, concentration: str, field: str, message: str
) -> None:
    """a unit slip giving over 100 L or 10^9 mg a day is a field error, not a crash."""
    assert order_errors(order(drug(rate, concentration))) == {field: [message]}


# --- Properties --------------------------------------------------------------------------------

MG = {"mg": Fraction(1), "mcg": Fraction(1, 1000), "g": Fraction(1000)}
ML = {"mL": Fraction(1), "L": Fraction(1000)}
MINUTES = {"hr": 60, "h": 60, "min": 1, "day": 1440}

amounts = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("5000"), places=3)


def terminates(value: Fraction) -> bool:
    """Return True when `value` has a finite decimal expansion (denominator 2^a 5^b)."""
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


@st.composite
def dosing_cases(draw: st.DrawFn) -> tuple[OrderInput, Fraction, Fraction]:
    """Return (order, exact daily mg, exact daily mL), the exact values from a separate model."""
    value, amount, time = (
        draw(amounts),
        draw(st.sampled_from(list(MG))),
        draw(st.sampled_from(list(MINUTES))),
    )
    kind = draw(st.sampled_from(["mass", "weight", "volume"]))
    hours = draw(st.decimals(min_value=Decimal("0.5"), max_value=Decimal("24"), places=1))
    days = draw(st.integers(min_value=1, max_value=366))
    # The concentration: amount per N volume, "amount in volume", or % w/v.
    c_value, c_amount = draw(amounts), draw(st.sampled_from(list(MG)))
    c_count, c_volume = draw(amounts), draw(st.sampled_from(list(ML)))
    c_form = draw(st.sampled_from(["per", "in", "percent"]))
    if c_form == "percent":
        c_value = draw(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50"), places=2))
        concentration = f"{format_decimal(c_value)} %"
        mg_per_ml = Fraction(c_value) * 1000 / 100
    else:
        joiner = "/" if c_form == "per" else " in "
        concentration = (
            f"{format_decimal(c_value)} {c_amount}{joiner}{format_decimal(c_count)} {c_volume}"
        )
        mg_per_ml = Fraction(c_value) * MG[c_amount] / (Fraction(c_count) * ML[c_volume])

    per_minute = Fraction(value) / MINUTES[time]
    # A per-day rate is the daily amount whatever the hours; others run for the hours a day.
    minutes_infused = 24 * 60 if MINUTES[time] == 24 * 60 else Fraction(hours) * 60
    weight = None
    if kind == "volume":
        rate = f"{format_decimal(value)} mL/{time}"
        daily_ml = per_minute * minutes_infused
        daily_mg = daily_ml * mg_per_ml
    else:
        daily_mg = per_minute * MG[amount] * minutes_infused
        if kind == "weight":
            weight_value = draw(
                st.decimals(min_value=Decimal("1"), max_value=Decimal("200"), places=1)
            )
            weight = f"{format_decimal(weight_value)} kg"
            rate = f"{format_decimal(value)} {amount}/kg/{time}"
            daily_mg *= Fraction(weight_value)
        else:
            rate = f"{format_decimal(value)} {amount}/{time}"
        daily_ml = daily_mg / mg_per_ml
    bolus = None
    boluses = draw(st.integers(min_value=0, max_value=12))
    if boluses:
        bolus_value = draw(amounts)
        bolus = f"{format_decimal(bolus_value)} mg"
        daily_mg += Fraction(bolus_value) * boluses
        daily_ml += Fraction(bolus_value) * boluses / mg_per_ml
    an_order = order(
        drug(rate, concentration, weight=weight, bolus=bolus, boluses_per_day=boluses),
        days=days,
        hours=str(hours),
    )
    return an_order, daily_mg, daily_ml


@fuzz
@given(dosing_cases())
def test_total_is_daily_times_days(case: tuple[OrderInput, Fraction, Fraction]) -> None:
    """total = daily x days, exactly when the daily value terminates, and always equal
    to the exact rational result (to 50 places when it does not terminate)."""
    an_order, daily_mg, daily_ml = case
    days = an_order.period.days
    if daily_ml > MAX_DAILY_VOLUME_ML or daily_mg > MAX_DAILY_DOSE:
        with pytest.raises(InvalidOrder):
            compute(an_order)
        return
    (result,) = compute(an_order)
    for daily, total, exact in (
        (result.daily_dose, result.total_dose, daily_mg),
        (result.daily_volume_ml, result.total_volume_ml, daily_ml),
    ):
        if terminates(exact):
            assert Fraction(daily) == exact
            assert Fraction(total) == exact * days
            with localcontext() as context:
                context.prec = 100
                assert total == daily * days
        else:
            assert abs(Fraction(daily) - exact) < Fraction(1, 10**50) * max(exact, 1)
            assert abs(Fraction(total) - exact * days) < Fraction(days, 10**50) * max(exact, 1)
            if terminates(exact * days):
                assert Fraction(total) == exact * days


def test_rejects_an_invalid_order_every_time_it_is_computed() -> None:
    """an order's validity is worked out once and remembered; it is still refused each time."""
    invalid = order(drug("0.5 mg/kg/hr", "25 mg/mL"))
    expected = {"drugs.0.weight": ['the weight-based rate "0.5 mg/kg/hr" needs the weight']}
    assert order_errors(invalid) == expected
    assert order_errors(invalid) == expected
    with pytest.raises(InvalidOrder):
        engine.calculate(invalid, engine.EmptyCatalog().policy("HMSA"))  # type: ignore[arg-type]


def test_results_are_whole_dose_results() -> None:
    """compute makes each DoseResult as a plain tuple of every field (for speed): it is the
    same value the NamedTuple's constructor makes, with no field left out."""
    an_order = order(
        drug("5 mg/hr", "25 mg/mL"), drug("2 mL/hr", "0.25 %", bolus="1 mL", boluses_per_day=2)
    )
    for result in compute(an_order):
        assert len(result) == len(DoseResult._fields)
        assert DoseResult(**result._asdict()) == result
        assert result.runs == ()


@given(
    minutes=st.decimals(min_value=Decimal("0.1"), max_value=1440, places=1),
    boluses=st.integers(min_value=1, max_value=96),
)
def test_a_lockout_refuses_exactly_the_boluses_that_do_not_fit_in_a_day(
    minutes: Decimal, boluses: int
) -> None:
    """boluses x lockout minutes past 24 hours is refused, on the count; anything that fits is
    taken."""
    an_order = order(
        drug("5 mg/hr", "25 mg/mL", bolus="1 mg", boluses_per_day=boluses, lockout=f"{minutes} min")
    )
    if boluses * minutes > 1440:
        errors = order_errors(an_order)
        assert list(errors) == ["drugs.0.boluses_per_day"]
        assert f"at most {int(1440 // minutes)} a day" in errors["drugs.0.boluses_per_day"][0]
    else:
        (result,) = compute(an_order)  # no error: the boluses fit
        assert result.daily_dose == 120 + boluses
