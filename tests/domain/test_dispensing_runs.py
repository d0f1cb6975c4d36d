"""The dispensing plan of a titrated drug (issue 15 point 2, SPEC 10): the reservoirs are planned
over the runs, each day at its own run's daily volume, so what is dispensed covers what is
administered; the pump is programmed per run. Pure functions only."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculator.domain import billing
from calculator.domain.billing import HMSA, NdcQuantityBasis
from calculator.domain.dispensing import (
    DispensingInput,
    DispensingPlan,
    StockProduct,
    dispensing_plan,
    dispensing_steps,
)
from calculator.domain.dosing import DoseResult, RateChange, ServicePeriod, compute
from calculator.domain.errors import InvalidOrder
from calculator.domain.units import (
    MASS,
    VOLUME,
    parse_amount,
    parse_concentration,
    parse_rate,
)
from tests.helpers import drug, order

fuzz = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

JANUARY = ServicePeriod.between(date(2026, 1, 1), date(2026, 1, 31))
SEED_CHANGE = (date(2026, 1, 11), "7 mg/hr")


def ml(text: str):
    return parse_amount(text, dimensions=(VOLUME,), example="100 mL")


def titrated_order(
    changes=(SEED_CHANGE,), *, rate="5 mg/hr", period=JANUARY, bolus=None, boluses_per_day=0
):
    """Return the seed order (morphine 25 mg/mL) with its rate changed from each date given;
    a change is (date, rate) or (date, rate, bolus, boluses a day)."""
    seed = drug(rate, "25 mg/mL", bolus=bolus, boluses_per_day=boluses_per_day)
    rate_changes = tuple(
        RateChange(
            start=change[0],
            rate=parse_rate(change[1]),
            bolus=parse_amount(change[2], dimensions=(MASS,), example="1 mg")
            if len(change) > 2
            else None,
            boluses_per_day=change[3] if len(change) > 3 else None,
        )
        for change in changes
    )
    return order(replace(seed, rate_changes=rate_changes), period=period)


def result_of(the_order) -> DoseResult:
    (result,) = compute(the_order)
    return result


def plan_of(
    result: DoseResult,
    period: ServicePeriod = JANUARY,
    *,
    reservoir: str = "100 mL",
    priming: str | None = None,
    **dispensing,
) -> DispensingPlan:
    return dispensing_plan(
        result=result,
        dispensing=DispensingInput(
            reservoir_volume=ml(reservoir),
            priming_volume=ml(priming) if priming else None,
            **dispensing,
        ),
        period=period,
    )


def spans(plan: DispensingPlan) -> list[tuple[int, int, Decimal]]:
    return [(each.first_day, each.last_day, each.fill_volume_ml) for each in plan.reservoirs]


# --- The seed titrated on the 11th --------------------------------------------------------------


def test_the_seed_titrated_on_the_11th_dispenses_what_it_administers() -> None:
    """5 mg/hr / 25 mg/mL = 0.2 mL/hr = 4.8 mL/day on days 1-10; 7 mg/hr = 0.28 mL/hr =
    6.72 mL/day on days 11-31. In a 100 mL cassette, no priming, no beyond-use days:

    reservoir 1 from day 1: days 1-10 = 10 x 4.8 = 48 mL; 100 - 48 = 52 mL left, 52 / 6.72 =
    7.74 -> 7 more days (11-17) = 47.04 mL; 48 + 47.04 = 95.04 mL (day 18 would make
    101.76 mL). Reservoir 2 from day 18: days 18-31 = 14 x 6.72 = 94.08 mL, the period's end.
    Dispensed 95.04 + 94.08 = 189.12 mL = administered 48 + 21 x 6.72 = 189.12 mL. (Planned on
    the first run's 4.8 mL/day alone it was 96 + 52.8 = 148.8 mL: the patient ran out.)
    """
    result = result_of(titrated_order())
    plan = plan_of(result)
    assert spans(plan) == [(1, 17, Decimal("95.04")), (18, 31, Decimal("94.08"))]
    assert [each.first_date for each in plan.reservoirs] == [date(2026, 1, 1), date(2026, 1, 18)]
    assert plan.dispensed_volume_ml == plan.administered_volume_ml == Decimal("189.12")
    assert plan.administered_volume_ml == result.total_volume_ml
    assert plan.waste_volume_ml == 0
    # The pump at the start: the response's rate.
    assert plan.pump.rate_ml_per_hr == Decimal("0.2")
    assert [run.pump.rate_ml_per_hr for run in plan.rate_runs] == [Decimal("0.2"), Decimal("0.28")]
    assert plan.days_per_reservoir is None  # each reservoir holds its own number of days
    assert dispensing_steps(plan) == [
        "from 2026-01-01: 5 mg/hr / 25 mg/mL = 0.2 mL/hr",
        "from 2026-01-11: 7 mg/hr / 25 mg/mL = 0.28 mL/hr",
        "days 1-10 (2026-01-01 to 2026-01-10): 4.8 mL/day",
        "days 11-31 (2026-01-11 to 2026-01-31): 6.72 mL/day",
        "each reservoir: the most whole days that fit in 100 mL",
        "reservoir 1: 10 days x 4.8 mL/day + 7 days x 6.72 mL/day = 95.04 mL; "
        "one day more: 101.76 mL > 100 mL",
        "reservoir 1: days 1-17 (2026-01-01 to 2026-01-17), filled 2026-01-01",
        "reservoir 2: 14 days x 6.72 mL/day = 94.08 mL",
        "reservoir 2: days 18-31 (2026-01-18 to 2026-01-31), filled 2026-01-18",
        "95.04 mL + 94.08 mL = 189.12 mL dispensed",
        "4.8 mL/day x 10 days + 6.72 mL/day x 21 days = 189.12 mL administered",
    ]


def test_fourteen_beyond_use_days_and_priming_over_the_runs() -> None:
    """100 mL with 5 mL priming (95 mL usable) and 14 beyond-use days: reservoir 1, days 1-14:
    10 x 4.8 + 4 x 6.72 = 74.88 mL (14 days of use reached) + 5 = 79.88 mL; reservoir 2, days
    15-28: 14 x 6.72 = 94.08 <= 95, + 5 = 99.08 mL; reservoir 3, days 29-31: 3 x 6.72 = 20.16
    + 5 = 25.16 mL. Dispensed 204.12 mL = administered 189.12 + 3 x 5 mL priming."""
    plan = plan_of(result_of(titrated_order()), priming="5 mL", beyond_use_days=14)
    assert spans(plan) == [
        (1, 14, Decimal("79.88")),
        (15, 28, Decimal("99.08")),
        (29, 31, Decimal("25.16")),
    ]
    assert [each.beyond_use_date for each in plan.reservoirs] == [
        date(2026, 1, 15),
        date(2026, 1, 29),
        date(2026, 2, 12),
    ]
    assert plan.dispensed_volume_ml == Decimal("204.12")
    assert plan.waste_volume_ml == Decimal("15")
    steps = dispensing_steps(plan)
    assert (
        "reservoir 1: 10 days x 4.8 mL/day + 4 days x 6.72 mL/day + 5 mL priming = "
        in (steps[5][:76])
    )
    assert steps[5].endswith("= 79.88 mL; 14 days of use reached")


def test_a_reservoir_too_small_for_a_later_runs_day_is_a_field_error() -> None:
    """6 mL holds a day at 4.8 mL, not at 6.72 mL from the 11th."""
    with pytest.raises(InvalidOrder) as caught:
        plan_of(result_of(titrated_order()), reservoir="6 mL")
    assert caught.value.errors == {
        "drugs.0.reservoir_volume": [
            "a 6 mL reservoir holds less than one day from 2026-01-11: "
            "6.72 mL/day + 0 mL priming = 6.72 mL"
        ]
    }


def test_a_bolus_is_programmed_again_only_when_a_run_changes_it() -> None:
    the_order = titrated_order(
        ((date(2026, 1, 11), "7 mg/hr"), (date(2026, 1, 21), "7 mg/hr", "2 mg")),
        bolus="1 mg",
        boluses_per_day=4,
    )
    plan = plan_of(result_of(the_order), reservoir="200 mL")
    pump_steps = [step for step in dispensing_steps(plan) if "bolus" in step]
    assert pump_steps == [
        "from 2026-01-01: bolus 1 mg / 25 mg/mL = 0.04 mL",
        "from 2026-01-21: bolus 2 mg / 25 mg/mL = 0.08 mL",
    ]
    assert [run.pump.bolus_volume_ml for run in plan.rate_runs] == [
        Decimal("0.04"),
        Decimal("0.04"),
        Decimal("0.08"),
    ]
    # (4.8 + 0.16) x 10 + (6.72 + 0.16) x 10 + (6.72 + 0.32) x 11 = 49.6 + 68.8 + 77.44
    assert plan.dispensed_volume_ml == plan.administered_volume_ml == Decimal("195.84")


def test_a_titrated_drug_is_compounded_per_reservoir_from_its_fill() -> None:
    """From 50 mg/mL in 20 mL vials: reservoir 1 (95.04 mL at 25 mg/mL) takes 47.52 mL of stock
    (3 vials, 12.48 mL = 624 mg left), reservoir 2 (94.08 mL) 47.04 mL (3 vials, 12.96 mL =
    648 mg left)."""
    stock = StockProduct(concentration=parse_concentration("50 mg/mL"), package_volume=ml("20 mL"))
    plan = plan_of(result_of(titrated_order()), stock=stock)
    assert plan.worksheet is not None
    assert [
        (line.fill_volume_ml, line.stock_volume_ml, line.diluent_volume_ml, line.containers)
        for line in plan.worksheet.lines
    ] == [
        (Decimal("95.04"), Decimal("47.52"), Decimal("47.52"), 3),
        (Decimal("94.08"), Decimal("47.04"), Decimal("47.04"), 3),
    ]
    assert [line.waste_amount for line in plan.worksheet.lines] == [Decimal(624), Decimal(648)]


# --- Billing: the NDC quantity as dispensed ---------------------------------------------------


def test_a_titrated_drug_bills_its_dispensed_fills_when_the_profile_says_so() -> None:
    """HMSA billing the NDC quantity as dispensed: 100 mL with 5 mL priming (95 mL usable) over
    the seed titrated on the 11th: days 1-10 = 48 mL, + 6 x 6.72 = 88.32 mL <= 95 (7 days would
    be 95.04 > 95), fill 93.32 mL; days 17-30 = 94.08 mL, fill 99.08 mL; day 31
    = 6.72 mL, fill 11.72 mL. 93.32 + 99.08 + 11.72 = 204.12 mL dispensed; units still count
    the 189.12 mL administered (189 units, half up)."""
    the_order = titrated_order()
    results = compute(the_order)
    plan = plan_of(results[0], priming="5 mL")
    assert spans(plan) == [
        (1, 16, Decimal("93.32")),
        (17, 30, Decimal("99.08")),
        (31, 31, Decimal("11.72")),
    ]
    dispensed = replace(HMSA, ndc_quantity_basis=NdcQuantityBasis.DISPENSED)
    lines = billing.claim_lines(results, order=the_order, policy=dispensed, plans=(plan,))
    (line,) = [line for line in lines if line.kind == "drug"]
    assert (line.ndc_quantity, line.units) == (Decimal("204.12"), 189)
    assert line.work.endswith("; NDC quantity as dispensed: 204.12 ML")
    lines = billing.claim_lines(results, order=the_order, policy=HMSA, plans=(plan,))
    (line,) = [line for line in lines if line.kind == "drug"]
    assert line.ndc_quantity == Decimal("189.12")
    assert "dispensed" not in line.work


# --- Properties ---------------------------------------------------------------------------------


RATES = ["1 mg/hr", "2.5 mg/hr", "5 mg/hr", "7 mg/hr", "10 mg/hr", "0.3 mg/hr", "12 mg/hr"]


@st.composite
def titrated_plans(draw):
    """A period of 1-62 days with 0-4 rate changes at random rates, and a dispensing part that
    holds at least one day of every run."""
    start = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 365)))
    days = draw(st.integers(1, 62))
    period = ServicePeriod.between(start, start + timedelta(days=days - 1))
    offsets = sorted(draw(st.sets(st.integers(1, days - 1), max_size=4))) if days > 1 else []
    changes = tuple(
        (start + timedelta(days=offset), draw(st.sampled_from(RATES))) for offset in offsets
    )
    result = result_of(titrated_order(changes, rate=draw(st.sampled_from(RATES)), period=period))
    priming = draw(st.sampled_from([None, "2 mL", "5 mL", "7.5 mL"]))
    priming_ml = Fraction(0) if priming is None else Fraction(ml(priming).canonical_value)
    least = max(day_volumes(result)) + priming_ml
    # Any reservoir from the least that holds a day of every run, in quarter millilitres.
    reservoir = Decimal(int(least) + 1) + Decimal(draw(st.integers(0, 1200))) / 4
    reservoir_ml = Fraction(reservoir)
    bud = draw(st.one_of(st.none(), st.integers(1, 30)))
    lead = draw(st.integers(0, bud - 1)) if bud else 0
    plan = plan_of(
        result,
        period,
        reservoir=f"{reservoir} mL",
        priming=priming,
        beyond_use_days=bud,
        fill_lead_days=lead,
    )
    return result, plan, reservoir_ml, priming_ml, bud, lead


def day_volumes(result: DoseResult) -> list[Fraction]:
    """Each day's volume, day by day, worked out independently with Fractions."""
    if not result.runs:
        numerator, denominator = result.daily_volume_ratio
        return [Fraction(numerator) / Fraction(denominator)] * result.days
    volumes = []
    for run in result.runs:
        numerator, denominator = run.result.daily_volume_ratio
        volumes += [Fraction(numerator) / Fraction(denominator)] * run.days
    return volumes


@fuzz
@given(titrated_plans())
def test_reservoirs_cover_the_period_within_their_volume_and_beyond_use_days(case) -> None:
    result, plan, reservoir_ml, priming_ml, bud, lead = case
    volumes = day_volumes(result)
    # The reservoirs follow one another from day 1 to the period's last day.
    assert plan.reservoirs[0].first_day == 1
    assert plan.reservoirs[-1].last_day == result.days
    for before, after in zip(plan.reservoirs, plan.reservoirs[1:], strict=False):
        assert after.first_day == before.last_day + 1
    assert sum(each.days for each in plan.reservoirs) == result.days
    for each in plan.reservoirs:
        held = sum(volumes[each.first_day - 1 : each.last_day], Fraction(0))
        fill = held + priming_ml
        assert Fraction(each.fill_volume_ml) == fill
        assert fill <= reservoir_ml
        if bud is not None:
            assert each.days <= bud - lead
            assert each.beyond_use_day == each.fill_day + bud
        # The most whole days: one day more would overflow or pass the beyond-use limit.
        if each.last_day < result.days:
            overflows = fill + volumes[each.last_day] > reservoir_ml
            assert overflows or (bud is not None and each.days == bud - lead)
    dispensed = plan.dispensed_volume_ml
    assert dispensed is not None and dispensed >= plan.administered_volume_ml
    assert plan.administered_volume_ml == result.total_volume_ml
    assert Fraction(dispensed) == sum(volumes, Fraction(0)) + priming_ml * len(plan.reservoirs)


@fuzz
@given(
    st.integers(1, 62),
    st.sampled_from(RATES),
    st.integers(5, 400),
    st.sampled_from([None, "3 mL"]),
    st.one_of(st.none(), st.integers(1, 30)),
)
def test_a_change_to_the_same_rate_plans_exactly_as_no_change(
    days, rate, reservoir, priming, bud
) -> None:
    """The untitrated path and the runs path agree: a 'change' to the rate already running
    splits the days into two runs of the same volume and must change nothing."""
    start = date(2026, 3, 1)
    period = ServicePeriod.between(start, start + timedelta(days=days - 1))
    plain = result_of(titrated_order((), rate=rate, period=period))
    assert not plain.runs
    if days > 1:
        split = result_of(
            titrated_order(((start + timedelta(days=days // 2), rate),), rate=rate, period=period)
        )
        assert split.runs
    else:
        split = plain
    given_ml = f"{reservoir} mL"
    try:
        plain_plan = plan_of(
            plain, period, reservoir=given_ml, priming=priming, beyond_use_days=bud
        )
    except InvalidOrder:
        with pytest.raises(InvalidOrder):
            plan_of(split, period, reservoir=given_ml, priming=priming, beyond_use_days=bud)
        return
    split_plan = plan_of(split, period, reservoir=given_ml, priming=priming, beyond_use_days=bud)
    assert split_plan.reservoirs == plain_plan.reservoirs
    assert split_plan.dispensed_volume_ml == plain_plan.dispensed_volume_ml
    # And the untitrated plan is today's: every reservoir but the last holds the same days.
    usable = Fraction(reservoir) - (3 if priming else 0)
    daily = Fraction(plain.daily_volume_ratio[0]) / Fraction(plain.daily_volume_ratio[1])
    per_reservoir = int(usable / daily) if bud is None else min(int(usable / daily), bud)
    assert plain_plan.days_per_reservoir == per_reservoir
    assert [each.days for each in plain_plan.reservoirs[:-1]] == [per_reservoir] * (
        len(plain_plan.reservoirs) - 1
    )
    assert plain_plan.reservoirs[-1].days == days - per_reservoir * (len(plain_plan.reservoirs) - 1)
