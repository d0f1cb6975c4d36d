"""Medicare DME lines (SPEC 11): the drug line with KD + coverage modifier + JZ or a JW line,
the pump rental with RR + KH/KI/KJ, A4221 weeks, A4222 reservoirs and the span dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calculator.domain import billing
from calculator.domain.billing import (
    MEDICARE_DME,
    CoverageModifier,
    MedicareDrug,
    MedicareOrder,
    PumpRental,
    Reservoirs,
    WeekCounting,
    a4221_weeks,
    capped_rental_modifier,
    medicare_lines,
    span_segments,
)
from calculator.domain.dosing import DrugInput, OrderInput, ServicePeriod, Therapy, compute
from calculator.domain.errors import InvalidOrder
from calculator.domain.units import parse_amount, parse_concentration, parse_rate

JANUARY = ServicePeriod.between(date(2026, 1, 1), date(2026, 1, 31))
SEED_RESERVOIRS = Reservoirs(first_days=(1, 21), fill_volumes_ml=(Decimal(96), Decimal("52.8")))


def _order(period: ServicePeriod = JANUARY, *, hcpcs: str = "J2274") -> OrderInput:
    drug = DrugInput(
        rate=parse_rate("5 mg/hr"),
        concentration=parse_concentration("25 mg/mL"),
        name="Infumorph 500",
        ndc="00641604001",
        hcpcs=hcpcs,
        hcpcs_unit=parse_amount("10 mg", dimensions=("mass",), example="10 mg") if hcpcs else None,
    )
    return OrderInput(
        drugs=(drug,), period=period, hours_per_day=Decimal(24), therapy=Therapy.CONTINUOUS
    )


def _lines(
    *,
    order: OrderInput | None = None,
    policy=MEDICARE_DME,
    month: int = 1,
    coverage: CoverageModifier | None = CoverageModifier.KX,
    **drug,
):
    order = order or _order()
    drug.setdefault("reservoirs", SEED_RESERVOIRS)
    medicare = MedicareOrder(
        coverage_modifier=coverage,
        pump=PumpRental("E0781", month),
        drugs=(MedicareDrug(**drug),),
    )
    return medicare_lines(compute(order), order=order, policy=policy, medicare=medicare)


def _summary(lines) -> list[tuple[str, tuple[str, ...], int]]:
    return [(line.code, line.modifiers, line.units) for line in lines]


def test_seed_order_on_medicare_dme_bills_drug_pump_and_supplies():
    lines = _lines(single_dose=True)
    assert _summary(lines) == [
        ("J2274", ("KD", "KX", "JZ"), 372),
        ("E0781", ("RR", "KH"), 1),
        ("A4221", (), 5),
        ("A4222", (), 2),
    ]
    assert lines[0].supplemental == "N400641604001 ML148.8"
    assert {(line.start, line.end) for line in lines} == {(date(2026, 1, 1), date(2026, 1, 31))}
    assert not any(line.code.startswith("S") for line in lines)


def test_drug_line_modifiers_kd_then_coverage_modifier():
    for coverage in CoverageModifier:
        (drug, *_) = _lines(coverage=coverage)
        assert drug.modifiers == ("KD", coverage.value)


def test_drug_line_without_coverage_modifier_carries_kd_only():
    (drug, *_) = _lines(coverage=None)
    assert drug.modifiers == ("KD",)


def test_jz_only_for_single_dose_containers_with_nothing_discarded():
    assert "JZ" not in _lines(single_dose=False)[0].modifiers
    assert _lines(single_dose=True)[0].modifiers[-1] == "JZ"


def test_jz_only_from_its_effective_date():
    assert (
        "JZ"
        not in _lines(single_dose=True, policy=replace(MEDICARE_DME, jz_from=None))[0].modifiers
    )
    later = replace(MEDICARE_DME, jz_from=date(2026, 2, 1))
    assert "JZ" not in _lines(single_dose=True, policy=later)[0].modifiers


def test_jw_line_for_the_discarded_amount():
    discarded = parse_amount("280 mg", dimensions=("mass",), example="1 mg")
    lines = _lines(single_dose=True, discarded=discarded)
    assert _summary(lines)[:2] == [
        ("J2274", ("KD", "KX"), 372),
        ("J2274", ("KD", "KX", "JW"), 28),
    ]
    assert lines[1].supplemental == "N400641604001 ML11.2"


def test_jw_line_only_from_its_effective_date():
    discarded = parse_amount("281 mg", dimensions=("mass",), example="1 mg")
    policy = replace(MEDICARE_DME, jw_from=date(2027, 1, 1))
    lines = _lines(single_dose=True, discarded=discarded, policy=policy)
    assert _summary(lines)[0] == ("J2274", ("KD", "KX"), 372)
    assert [line for line in lines if "JW" in line.modifiers] == []


def test_j7799_with_name_manufacturer_and_strength_when_no_code():
    (drug, *_) = _lines(order=_order(hcpcs=""), labeler="Hikma Pharmaceuticals USA Inc.")
    assert drug.code == "J7799"
    assert drug.modifiers == ("KD", "KX")
    assert drug.description == "Infumorph 500, Hikma Pharmaceuticals USA Inc., 25 mg/mL"
    assert drug.supplemental == "N400641604001 ML148.8"


@pytest.mark.parametrize(
    ("month", "modifier"), [(1, "KH"), (2, "KI"), (3, "KI"), (4, "KJ"), (5, "KJ"), (13, "KJ")]
)
def test_pump_line_capped_rental_modifier_from_the_rental_month(month, modifier):
    pump = _lines(month=month)[1]
    assert (pump.code, pump.modifiers, pump.units) == ("E0781", ("RR", modifier), 1)
    assert capped_rental_modifier(month) == modifier


def test_pump_line_rr_only_when_not_a_capped_rental():
    pump = _lines(month=14, policy=replace(MEDICARE_DME, capped_rental=False))[1]
    assert pump.modifiers == ("RR",)


def test_capped_rental_ended_after_month_13():
    with pytest.raises(InvalidOrder) as caught:
        _lines(month=14)
    assert "capped rental ended" in caught.value.errors["pump.rental_month"][0]
    with pytest.raises(ValueError, match="capped rental ended"):
        capped_rental_modifier(14)


def test_rental_month_zero_is_refused():
    with pytest.raises(InvalidOrder) as caught:
        _lines(month=0)
    assert "pump.rental_month" in caught.value.errors


def test_pump_code_that_is_not_a_pump_is_refused():
    order = _order()
    medicare = MedicareOrder(
        pump=PumpRental("A4222", 1), drugs=(MedicareDrug(reservoirs=SEED_RESERVOIRS),)
    )
    with pytest.raises(InvalidOrder) as caught:
        medicare_lines(compute(order), order=order, policy=MEDICARE_DME, medicare=medicare)
    assert "not an external infusion pump code" in caught.value.errors["pump.code"][0]


def test_a4222_due_without_a_reservoir_is_refused():
    with pytest.raises(InvalidOrder) as caught:
        _lines(reservoirs=None)
    assert "A4222" in caught.value.errors["drugs.0.reservoir_volume"][0]


def test_a4221_weeks_started_or_whole_weeks():
    assert a4221_weeks(31, WeekCounting.STARTED) == 5
    assert a4221_weeks(31, WeekCounting.WHOLE) == 4
    assert a4221_weeks(28, WeekCounting.STARTED) == 4
    whole = replace(MEDICARE_DME, a4221_weeks=WeekCounting.WHOLE)
    assert ("A4221", (), 4) in _summary(_lines(policy=whole))


@given(st.integers(min_value=1, max_value=400))
def test_a4221_weeks_started_covers_every_day(days):
    started = a4221_weeks(days, WeekCounting.STARTED)
    whole = a4221_weeks(days, WeekCounting.WHOLE)
    assert (started - 1) * 7 < days <= started * 7
    assert whole * 7 <= days < (whole + 1) * 7


def test_a4222_counts_the_reservoirs_of_the_dispensing_plan():
    three = Reservoirs((1, 15, 29), (Decimal("67.2"), Decimal("67.2"), Decimal("14.4")))
    assert ("A4222", (), 3) in _summary(_lines(reservoirs=three))


def test_span_dates_from_delivery_for_the_days_supplied():
    (segment,) = span_segments(date(2026, 1, 1), 31, months_per_line=1)
    assert (segment.start, segment.end, segment.days) == (date(2026, 1, 1), date(2026, 1, 31), 31)


def test_span_dates_at_most_one_month_supply_per_line():
    spans = span_segments(date(2026, 1, 15), 45, months_per_line=1)
    assert [(s.start, s.end) for s in spans] == [
        (date(2026, 1, 15), date(2026, 2, 14)),
        (date(2026, 2, 15), date(2026, 2, 28)),
    ]
    assert len(span_segments(date(2026, 1, 15), 45, months_per_line=3)) == 1


@given(
    st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(min_value=1, max_value=365),
    st.sampled_from(billing.MONTHS_PER_LINE_CHOICES),
)
def test_span_dates_cover_the_days_supplied_without_gaps(delivery, days, months):
    spans = span_segments(delivery, days, months_per_line=months)
    assert spans[0].start == delivery
    assert spans[-1].end == delivery + timedelta(days=days - 1)
    assert sum(span.days for span in spans) == days
    for before, after in pairwise(spans):
        assert after.start == before.end + timedelta(days=1)


def test_each_month_line_carries_its_own_pump_month_and_supplies():
    period = ServicePeriod.between(date(2026, 1, 15), date(2026, 2, 28))
    reservoirs = Reservoirs((1, 21, 41), (Decimal(96), Decimal(96), Decimal(24)))
    lines = _lines(order=_order(period), month=3, reservoirs=reservoirs)
    assert _summary(lines) == [
        ("J2274", ("KD", "KX"), 372),
        ("E0781", ("RR", "KI"), 1),
        ("A4221", (), 5),
        ("A4222", (), 2),
        ("J2274", ("KD", "KX"), 168),
        ("E0781", ("RR", "KJ"), 1),
        ("A4221", (), 2),
        ("A4222", (), 1),
    ]


def test_no_nursing_lines_on_a_medicare_dme_claim():
    order = replace(_order(), nursing_visits=(billing.lines.NursingVisit(minutes=Decimal(60)),))
    with pytest.raises(InvalidOrder) as caught:
        _lines(order=order)
    assert "nursing_visits" in caught.value.errors
