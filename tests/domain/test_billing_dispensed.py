"""Billing hooks of the dispensing plan (calculator/domain/billing/lines.py): a profile may bill
the NDC quantity as dispensed (the reservoirs' fills, priming included) instead of administered,
and the rules billed per cassette or bag count a segment's reservoirs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from calculator.domain import billing
from calculator.domain.billing import HMSA, NdcQuantityBasis, Segment, dispensed_reservoirs
from calculator.domain.dispensing import DispensingInput, dispensing_plan
from calculator.domain.dosing import ServicePeriod, compute
from calculator.domain.units import VOLUME, parse_amount
from tests.helpers import drug, order

DISPENSED = replace(HMSA, ndc_quantity_basis=NdcQuantityBasis.DISPENSED)
JANUARY = ServicePeriod.between(date(2026, 1, 1), date(2026, 1, 31))


def ml(text: str):
    return parse_amount(text, dimensions=(VOLUME,), example="100 mL")


def seed_lines(policy, *, priming: str = "5 mL", period=JANUARY, seed_drug=None):
    seed = order(seed_drug or drug("5 mg/hr", "25 mg/mL"), period=period)
    results = compute(seed)
    plan = dispensing_plan(
        result=results[0],
        dispensing=DispensingInput(reservoir_volume=ml("100 mL"), priming_volume=ml(priming)),
        period=period,
    )
    lines = billing.claim_lines(results, order=seed, policy=policy, plans=(plan,))
    return plan, [line for line in lines if line.kind == "drug"]


def test_administered_is_the_default_even_with_reservoirs() -> None:
    _, (line,) = seed_lines(HMSA)
    assert (line.ndc_quantity, line.units) == (Decimal("148.8"), 149)
    assert "dispensed" not in line.work


def test_dispensed_bills_the_fills_with_priming_and_units_stay_administered() -> None:
    _, (line,) = seed_lines(DISPENSED)
    assert line.ndc_quantity == Decimal("158.8")
    assert line.units == 149
    assert line.work == "148.8 mL -> 149 units; NDC quantity as dispensed: 158.8 ML"


def test_without_reservoirs_dispensed_falls_back_to_administered() -> None:
    seed = order(drug("5 mg/hr", "25 mg/mL"), period=JANUARY)
    results = compute(seed)
    plan = dispensing_plan(result=results[0], dispensing=DispensingInput(), period=JANUARY)
    (_, line) = billing.claim_lines(results, order=seed, policy=DISPENSED, plans=(plan,))
    assert line.ndc_quantity == Decimal("148.8")


def test_month_lines_bill_each_months_reservoirs_as_filled() -> None:
    """Jan 1-Feb 15 in 100 mL with 5 mL priming: 19, 19 and 8 days; fills 96.2 on Jan 1 and
    Jan 20, 43.4 on Feb 8: January 192.4 mL, February 43.4 mL."""
    period = ServicePeriod.between(date(2026, 1, 1), date(2026, 2, 15))
    policy = replace(DISPENSED, month_lines=True)
    plan, (january, february) = seed_lines(policy, period=period)
    assert (january.ndc_quantity, february.ndc_quantity) == (Decimal("192.4"), Decimal("43.4"))
    assert sum(r.fill_volume_ml for r in plan.reservoirs) == Decimal("235.8")
    segments = billing.month_segments(period)
    assert [len(dispensed_reservoirs(plan, segment)) for segment in segments] == [2, 1]


def test_a_milligram_ndc_unit_bills_the_drug_in_the_dispensed_volume() -> None:
    """ME: 158.8 mL x 25 mg/mL = 3970 mg dispensed."""
    seed = drug("5 mg/hr", "25 mg/mL")
    _, (line,) = seed_lines(DISPENSED, seed_drug=replace(seed, ndc_unit="ME"))
    assert line.ndc_quantity == Decimal("3970")


def test_a_container_ndc_unit_counts_the_vials_of_the_dispensed_volume() -> None:
    """UN with 10 mL vials: 158.8 mL takes 16 vials (administered 148.8 mL: 15)."""
    seed = replace(drug("5 mg/hr", "25 mg/mL"), ndc_unit="UN", package_volume=ml("10 mL"))
    _, (line,) = seed_lines(DISPENSED, seed_drug=seed)
    assert line.ndc_quantity == Decimal("16")
    _, (administered,) = seed_lines(HMSA, seed_drug=seed)
    assert administered.ndc_quantity == Decimal("15")


def test_reservoirs_of_an_undated_period_are_all_of_them() -> None:
    period = ServicePeriod(days=31)
    plan, _ = seed_lines(HMSA, period=period)
    assert len(dispensed_reservoirs(plan, Segment(31))) == 2
    assert dispensed_reservoirs(None, Segment(31)) == ()
