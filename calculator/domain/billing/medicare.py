"""Medicare DME lines for drugs given through an external infusion pump (SPEC 11).

Under the DME MAC's External Infusion Pumps policy (LCD L33794, article A52507) the drug, the
pump rental and the supplies are separate lines and there is no per diem. The seed order on
MEDICARE_DME (preservative-free morphine 5 mg/hr, 31 days from 2026-01-01, a 100 mL cassette,
E0781 rental month 1, KX) bills J2274 KD KX x 372 (N4... ML148.8), E0781 RR KH x 1, A4221 x 5
and A4222 x 2, all dated 2026-01-01 to 2026-01-31.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from calculator.domain.billing.checks import bills_specific_code, validate_billing
from calculator.domain.billing.lines import CalculatedLine, Segment, drug_line
from calculator.domain.billing.policy import (
    CAPPED_RENTAL_MONTHS,
    CATHETER_SUPPLIES_CODE,
    JW,
    JZ,
    KD,
    MAX_RENTAL_MONTH,
    PUMP_CODES,
    PUMP_SUPPLIES_CODE,
    RENTAL,
    SUPPLY_DESCRIPTIONS,
    UNLISTED_DME_DRUG_CODE,
    BillingPolicy,
    CoverageModifier,
    DrugCoding,
    WeekCounting,
)
from calculator.domain.billing.rounding import ndc_quantity
from calculator.domain.dispensing import DispensingPlan
from calculator.domain.dosing import DoseResult, OrderInput
from calculator.domain.errors import ErrorCollector
from calculator.domain.units import EXACT_CONTEXT, Measure, factor

_ONE_DAY = timedelta(days=1)
_multiply = EXACT_CONTEXT.multiply
_divide = EXACT_CONTEXT.divide


@dataclass(frozen=True)
class PumpRental:
    """The pump on the order: its code (E0779, E0780, E0781) and the rental month number of
    the first month this order bills (1 = the first month of the rental)."""

    code: str
    rental_month: int


@dataclass(frozen=True)
class Reservoirs:
    """The reservoirs (cassettes or bags) of one drug over the period: the first day of each
    (1 = the first day of service) and its fill volume in mL, from the dispensing plan."""

    first_days: tuple[int, ...]
    fill_volumes_ml: tuple[Decimal, ...]

    def in_days(self, first: int, last: int) -> tuple[int, Decimal]:
        """Return (count, total fill mL) of the reservoirs that start from day `first` to
        `last`."""
        volumes = [
            volume
            for day, volume in zip(self.first_days, self.fill_volumes_ml, strict=True)
            if first <= day <= last
        ]
        return len(volumes), sum(volumes, Decimal(0))


@dataclass(frozen=True)
class MedicareDrug:
    """What the DME lines need of one drug beyond its dose: the labeler (for J7799), whether
    it comes in single-dose containers and the amount discarded from them (JZ/JW), and its
    reservoirs (A4222, and the dispensed NDC quantity)."""

    labeler: str = ""
    single_dose: bool = False
    discarded: Measure | None = None
    reservoirs: Reservoirs | None = None
    plan: DispensingPlan | None = None  # for the NDC quantity dispensed (SPEC 10.5)


@dataclass(frozen=True)
class MedicareOrder:
    """The order's Medicare DME inputs (SPEC 11)."""

    coverage_modifier: CoverageModifier | None = None
    pump: PumpRental | None = None
    delivery_date: date | None = None
    drugs: tuple[MedicareDrug, ...] = ()


def capped_rental_modifier(month: int) -> str:
    """Return the capped-rental modifier of a rental month: KH month 1, KI months 2-3, KJ
    months 4-13.

    capped_rental_modifier(1) -> "KH"; (2) -> "KI"; (5) -> "KJ"
    """
    if not 1 <= month <= CAPPED_RENTAL_MONTHS:
        raise ValueError(f"capped rental ended: month {month} is past the 13 rental months")
    if month == 1:
        return "KH"
    return "KI" if month <= 3 else "KJ"


def a4221_weeks(days: int, counting: WeekCounting) -> int:
    """Return the A4221 units (per week) of `days`: weeks started (31 -> 5) or whole weeks
    (31 -> 4)."""
    whole, rest = divmod(days, 7)
    return whole + (1 if rest and counting == "started" else 0)


def span_segments(delivery: date | None, days: int, *, months_per_line: int) -> list[Segment]:
    """Return the span dates of the lines: from = the delivery date, to = from + days supplied
    - 1, cut so that no line covers more than `months_per_line` months' supply (NGS "Span Date
    Billing Guide"): 2026-01-15 + 45 days, one month a line -> Jan 15-Feb 14, Feb 15-Mar 1."""
    if delivery is None:
        return [Segment(days)]
    last = delivery + timedelta(days=days - 1)
    segments, start = [], delivery
    while start <= last:
        end = min(last, _add_months(start, months_per_line) - _ONE_DAY)
        segments.append(Segment((end - start).days + 1, start, end))
        start = end + _ONE_DAY
    return segments


def _add_months(day: date, months: int) -> date:
    """Return the same day `months` later, or that month's last day (Jan 31 + 1 -> Feb 28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    following = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(day.day, (following - _ONE_DAY).day))


def validate_medicare(
    results: tuple[DoseResult, ...],
    *,
    order: OrderInput,
    policy: BillingPolicy,
    medicare: MedicareOrder,
) -> None:
    """Raise InvalidOrder, keyed by field path, for DME input that cannot be billed: a pump
    code that is not a pump, a rental month outside the capped rental, no reservoir when A4222
    is due, nursing visits (billed apart from the DME claim)."""
    errors = ErrorCollector()
    pump = medicare.pump
    if pump is not None:
        if pump.code not in PUMP_CODES:
            errors.add(
                "pump.code",
                f'"{pump.code}" is not an external infusion pump code; use one of '
                f"{', '.join(PUMP_CODES)}",
            )
        months = len(_segments(order, policy, medicare))
        last_month = pump.rental_month + months - 1
        if policy.capped_rental:
            if pump.rental_month < 1:
                errors.add("pump.rental_month", "the rental month starts at 1 (KH)")
            elif last_month > CAPPED_RENTAL_MONTHS:
                errors.add(
                    "pump.rental_month",
                    f"capped rental ended: month {last_month} is past the "
                    f"{CAPPED_RENTAL_MONTHS} rental months of a capped-rental pump (KH, KI, KJ)",
                )
        elif not 1 <= pump.rental_month <= MAX_RENTAL_MONTH:
            errors.add(
                "pump.rental_month", f"the rental month must be from 1 to {MAX_RENTAL_MONTH}"
            )
    for result in results:
        extra = _drug_extra(medicare, result.index)
        if extra.reservoirs is None:
            errors.add(
                f"drugs.{result.index}.reservoir_volume",
                f"{PUMP_SUPPLIES_CODE} (per cassette or bag) is due on a Medicare DME claim: "
                "enter the reservoir volume, e.g. 100 mL",
            )
        discarded = extra.discarded
        if discarded is not None and discarded.dimension != result.dimension:
            errors.add(
                f"drugs.{result.index}.discarded",
                f'"{discarded}" is not an amount of this drug (dosed in {result.dose_unit})',
            )
    if order.nursing_visits:
        errors.add(
            "nursing_visits",
            "a Medicare DME claim carries no nursing lines (professional services are a "
            "separate benefit): bill them on their own claim",
        )
    errors.raise_if_any()


def medicare_lines(
    results: tuple[DoseResult, ...],
    *,
    order: OrderInput,
    policy: BillingPolicy,
    medicare: MedicareOrder,
) -> list[CalculatedLine]:
    """Return the DME claim: for each span (one month's supply by default), the drug lines
    (J-code + KD + coverage modifier + JZ, or a JW line for the discarded amount), the pump
    rental (RR + KH/KI/KJ), A4221 (weeks) and A4222 (reservoirs)."""
    validate_billing(results, policy)
    validate_medicare(results, order=order, policy=policy, medicare=medicare)
    lines: list[CalculatedLine] = []
    first_day = 1
    for number, segment in enumerate(_segments(order, policy, medicare)):
        last_day = first_day + segment.days - 1
        for result in results:
            lines.extend(
                _drug_lines(
                    result,
                    segment,
                    policy,
                    medicare,
                    days=(first_day, last_day),
                    with_discarded=number == 0,
                )
            )
        if medicare.pump is not None:
            lines.append(_pump_line(medicare.pump, number, segment, policy))
        weeks = a4221_weeks(segment.days, policy.a4221_weeks)
        if weeks:
            counting = "weeks started" if policy.a4221_weeks == "started" else "whole weeks"
            lines.append(
                _supply_line(
                    CATHETER_SUPPLIES_CODE,
                    weeks,
                    segment,
                    policy,
                    f"{segment.days} days, {counting} -> {CATHETER_SUPPLIES_CODE} x {weeks}",
                )
            )
        reservoirs = sum(
            _drug_extra(medicare, result.index).reservoirs.in_days(first_day, last_day)[0]
            for result in results
        )
        if reservoirs:
            lines.append(
                _supply_line(
                    PUMP_SUPPLIES_CODE,
                    reservoirs,
                    segment,
                    policy,
                    f"{reservoirs} {'reservoir' if reservoirs == 1 else 'reservoirs'} "
                    f"(cassettes or bags) of the dispensing plan -> {PUMP_SUPPLIES_CODE} x "
                    f"{reservoirs}",
                )
            )
        first_day = last_day + 1
    return lines


def _segments(order: OrderInput, policy: BillingPolicy, medicare: MedicareOrder) -> list[Segment]:
    delivery = medicare.delivery_date or order.period.start
    return span_segments(delivery, order.period.days, months_per_line=policy.max_months_per_line)


def _drug_extra(medicare: MedicareOrder, index: int) -> MedicareDrug:
    return medicare.drugs[index] if index < len(medicare.drugs) else MedicareDrug()


def _in_effect(since: date | None, segment: Segment) -> bool:
    """Return whether a modifier in effect from `since` applies to the segment's dates."""
    return since is not None and segment.start is not None and segment.start >= since


def _drug_lines(
    result: DoseResult,
    segment: Segment,
    policy: BillingPolicy,
    medicare: MedicareOrder,
    *,
    days: tuple[int, int],
    with_discarded: bool,
) -> list[CalculatedLine]:
    """Return the drug line of one drug over one span, and its JW line when drug was
    discarded from single-dose containers."""
    drug = result.drug
    extra = _drug_extra(medicare, result.index)
    specific = bills_specific_code(drug.hcpcs, policy)
    base = drug_line(
        result,
        segment=segment,
        policy=policy if specific else replace(policy, drug_coding=DrugCoding.UNLISTED),
        plan=extra.plan,
    )
    code = base.code if specific else UNLISTED_DME_DRUG_CODE
    description = base.description
    if not specific:
        maker = extra.labeler or "manufacturer not recorded"
        description = f"{drug.name or 'Unlisted drug'}, {maker}, {drug.concentration}"
    quantity, work = base.ndc_quantity, base.work
    modifiers = [KD]
    if medicare.coverage_modifier is not None:
        modifiers.append(medicare.coverage_modifier.value)
    wasted = extra.discarded is not None and extra.discarded.value > 0
    discarded_units = 0
    if extra.single_dose and wasted and with_discarded and specific:
        assert extra.discarded is not None
        discarded_units = _descriptor_units(extra.discarded, result)
    if extra.single_dose and not wasted and _in_effect(policy.jz_from, segment):
        modifiers.append(JZ)
    lines = [
        CalculatedLine(
            kind="drug",
            code=code,
            units=base.units,
            modifiers=tuple(modifiers),
            start=segment.start,
            end=segment.end,
            place_of_service=policy.place_of_service,
            description=description,
            ndc=base.ndc,
            ndc_unit=base.ndc_unit,
            ndc_quantity=quantity,
            drug_index=result.index,
            work=work,
        )
    ]
    if discarded_units and _in_effect(policy.jw_from, segment):
        assert extra.discarded is not None
        lines.append(
            CalculatedLine(
                kind="drug",
                code=code,
                units=discarded_units,
                modifiers=(*modifiers, JW),
                start=segment.start,
                end=segment.end,
                place_of_service=policy.place_of_service,
                description=f"{description}: amount discarded from single-dose containers",
                ndc=base.ndc,
                ndc_unit=base.ndc_unit,
                ndc_quantity=_discarded_ndc_quantity(extra.discarded, result, policy),
                drug_index=result.index,
                work=f"{extra.discarded} discarded / {drug.hcpcs_unit} -> {code} JW: "
                f"{discarded_units} units",
            )
        )
    return lines


def _descriptor_units(amount: Measure, result: DoseResult) -> int:
    """Return an amount of drug in HCPCS descriptor units, rounded up (280 mg / 10 mg -> 28)."""
    unit = result.drug.hcpcs_unit
    assert unit is not None
    units = EXACT_CONTEXT.divide(amount.canonical_value, unit.canonical_value)
    return int(units.quantize(Decimal(1), ROUND_CEILING, EXACT_CONTEXT))


def _discarded_ndc_quantity(
    amount: Measure, result: DoseResult, policy: BillingPolicy
) -> Decimal | None:
    """Return the discarded amount in the NDC's unit of measure (ML: 280 mg of 25 mg/mL ->
    11.2), or None for containers (UN), which the discarded amount does not count."""
    unit = result.drug.ndc_unit
    if unit == "ML":
        dose_numerator, dose_denominator = result.daily_dose_ratio
        volume_numerator, volume_denominator = result.daily_volume_ratio
        value = _divide(
            _multiply(_multiply(amount.canonical_value, volume_numerator), dose_denominator),
            _multiply(volume_denominator, dose_numerator),
        )
    elif unit == "GR":
        value = _divide(amount.canonical_value, factor("g"))
    elif unit in {"ME", "F2"}:
        value = amount.canonical_value
    else:
        return None
    return ndc_quantity(value, decimals=policy.ndc_quantity_decimals)


def _pump_line(
    pump: PumpRental, number: int, segment: Segment, policy: BillingPolicy
) -> CalculatedLine:
    month = pump.rental_month + number
    modifiers = [RENTAL]
    work = f"rental month {month} -> {pump.code} {RENTAL}"
    if policy.capped_rental:
        capped = capped_rental_modifier(month)
        modifiers.append(capped)
        work += f" {capped} (capped rental)"
    return CalculatedLine(
        kind="pump",
        code=pump.code,
        units=1,
        modifiers=tuple(modifiers),
        start=segment.start,
        end=segment.end,
        place_of_service=policy.place_of_service,
        description=PUMP_CODES[pump.code],
        work=f"{work} x 1",
    )


def _supply_line(
    code: str, units: int, segment: Segment, policy: BillingPolicy, work: str
) -> CalculatedLine:
    return CalculatedLine(
        kind="supply",
        code=code,
        units=units,
        start=segment.start,
        end=segment.end,
        place_of_service=policy.place_of_service,
        description=SUPPLY_DESCRIPTIONS[code],
        work=work,
    )
