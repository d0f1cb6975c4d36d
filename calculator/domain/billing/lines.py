"""Dose results + a billing policy -> the claim lines (per diem, drug, nursing).

The seed (HMSA): morphine 5 mg/hr for 31 days bills S9325 x 31 and J3490 NDC 00074113303 x 149,
148.8 mL "rounded off" to 149. Each line is a `CalculatedLine`, a read-only value."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from calculator.domain.billing.checks import bills_specific_code, validate_billing
from calculator.domain.billing.policy import (
    CONCURRENT_MODIFIERS,
    HOME,
    NURSING_DESCRIPTIONS,
    NURSING_EXTRA_HOUR,
    NURSING_FIRST_VISIT,
    PER_DIEM_DESCRIPTIONS,
    UNLISTED_DRUG_CODE,
    BillingPolicy,
    Rounding,
    UnitBasis,
)
from calculator.domain.billing.rounding import (
    billing_units,
    divided,
    ndc_quantity,
    ratio_times,
    round_for_line,
    times,
)
from calculator.domain.decimals import exact_divide, readable
from calculator.domain.dispensing import DispensingPlan, Reservoir
from calculator.domain.dosing import (
    DoseResult,
    NursingVisit,
    OrderInput,
    ServicePeriod,
    Therapy,
    dose_amount_text,
    runs_within,
    sum_ratios,
)
from calculator.domain.units import (
    EXACT_CONTEXT,
    Measure,
    factor,
    format_decimal,
)

# The modifiers tuple of a per-diem line, by the drug's index (at most 2: a third drug and each
# after it bill SJ).
_CONCURRENT = tuple((modifier,) if modifier else () for modifier in CONCURRENT_MODIFIERS)
_ONE_DAY = timedelta(days=1)
# Exact arithmetic, in 60 digits: see units.EXACT_CONTEXT.
_multiply = EXACT_CONTEXT.multiply
_divide = EXACT_CONTEXT.divide
# Read once: on Python 3.11 each read of an enum member goes through the metaclass.
_UP = Rounding.UP

# CalculatedLine's fields, in the order of its constructor.
CALCULATED_LINE_FIELDS = (
    "kind",
    "code",
    "units",
    "modifiers",
    "start",
    "end",
    "place_of_service",
    "description",
    "ndc",
    "ndc_unit",
    "ndc_quantity",
    "drug_index",
    "work",
)


class CalculatedLine:
    """One service line of the claim as the engine calculates it, before it is saved (the saved
    row is `models.ClaimLine`), as it goes on a CMS-1500 or into an 837P loop 2400.

    A read-only value: it compares, hashes, prints and pickles like a frozen dataclass of
    CALCULATED_LINE_FIELDS, and assigning to a field raises AttributeError. `description` and
    `work` are text for people: the lines `claim_lines` makes write them when they are first
    read, so a calculation whose lines are only counted and priced never formats them.
    """

    __slots__ = ("_texts", "_values")
    __match_args__ = CALCULATED_LINE_FIELDS

    _values: tuple[Any, ...]
    # (description, work), or (a function that returns them, its arguments), called once when
    # first needed: a pair is cheaper to make than a functools.partial.
    _texts: tuple[str, str] | tuple[Callable[..., tuple[str, str]], tuple[Any, ...]]

    def __init__(
        self,
        kind: str,  # "per_diem", "drug" or "nursing"
        code: str,
        units: int,
        modifiers: tuple[str, ...] = (),
        start: date | None = None,
        end: date | None = None,
        place_of_service: str = HOME,
        description: str = "",
        ndc: str = "",
        ndc_unit: str = "",
        ndc_quantity: Decimal | None = None,
        drug_index: int | None = None,
        work: str = "",
    ) -> None:
        self._values = (
            kind,
            code,
            units,
            modifiers,
            start,
            end,
            place_of_service,
            ndc,
            ndc_unit,
            ndc_quantity,
            drug_index,
        )
        self._texts = (description, work)

    @property
    def kind(self) -> str:
        return self._values[0]

    @property
    def code(self) -> str:
        return self._values[1]

    @property
    def units(self) -> int:
        return self._values[2]

    @property
    def modifiers(self) -> tuple[str, ...]:
        return self._values[3]

    @property
    def start(self) -> date | None:
        return self._values[4]

    @property
    def end(self) -> date | None:
        return self._values[5]

    @property
    def place_of_service(self) -> str:
        return self._values[6]

    @property
    def ndc(self) -> str:
        return self._values[7]

    @property
    def ndc_unit(self) -> str:
        return self._values[8]

    @property
    def ndc_quantity(self) -> Decimal | None:
        return self._values[9]

    @property
    def drug_index(self) -> int | None:
        return self._values[10]

    @property
    def description(self) -> str:
        return self._written()[0]

    @property
    def work(self) -> str:
        return self._written()[1]

    @property
    def supplemental(self) -> str:
        """Return the box 24 shaded-area text: N4 + NDC + space + qualifier + quantity."""
        if not self.ndc or self.ndc_quantity is None:
            return ""
        return f"N4{self.ndc} {self.ndc_unit}{format_decimal(self.ndc_quantity)}"

    def _written(self) -> tuple[str, str]:
        texts = self._texts
        if type(texts[0]) is not str:  # (function, arguments): the texts, worked out once
            function, arguments = texts
            texts = self._texts = function(*arguments)
        return texts

    def _fields(self) -> tuple[Any, ...]:
        """Return every field's value, in the order of CALCULATED_LINE_FIELDS."""
        description, work = self._written()
        values = self._values
        return (*values[:7], description, *values[7:], work)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CalculatedLine) and other.__class__ is self.__class__:
            return self._fields() == other._fields()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{name}={value!r}"
            for name, value in zip(CALCULATED_LINE_FIELDS, self._fields(), strict=True)
        )
        return f"{type(self).__qualname__}({fields})"

    def __reduce__(self) -> tuple[type[CalculatedLine], tuple[Any, ...]]:
        return type(self), self._fields()


def dated_codes(lines: Sequence[CalculatedLine]) -> frozenset[str]:
    """Return the codes of the lines that have a date of service (the codes whose dates a
    catalog is asked for), read from each line's values: every calculation asks."""
    # A loop rather than comprehensions: each comprehension is a function call on Python 3.11.
    codes = []
    for line in lines:
        values = line._values
        if values[4] is not None:
            codes.append(values[1])
    return frozenset(codes)


# claim_lines makes its lines without CalculatedLine.__init__, their texts a function to call
# when first read (object.__new__ and two slot stores; docs/performance.md says why).
_new_line = object.__new__


def per_diem_code(*, policy: BillingPolicy, therapy: Therapy, hours_per_day: Decimal) -> str:
    """Return the per-diem S-code: S9325 on `generic`; on `specific` S9328 for an implanted pump,
    S9326 at 24 hours a day, S9327 below (never S9325 beside S9326-S9328)."""
    if policy.per_diem_coding == "generic":
        return "S9325"
    if therapy == "implanted-pump":
        return "S9328"
    return "S9326" if hours_per_day >= 24 else "S9327"


class Segment(NamedTuple):
    """A stretch of the service period billed on one set of lines."""

    days: int
    start: date | None = None
    end: date | None = None

    @property
    def label(self) -> str:
        if self.start is None or self.end is None:
            return ""
        return f"{self.start:%b %-d}-{self.end:%b %-d}"


def month_segments(period: ServicePeriod) -> list[Segment]:
    """Return the period cut at calendar months (Jan 17-Feb 16 -> 15 days + 16 days)."""
    if period.start is None or period.end is None:
        return [Segment(period.days)]
    return list(_month_segments(period.start, period.end))


@lru_cache(maxsize=4096)
def _month_segments(start: date, last: date) -> tuple[Segment, ...]:
    """month_segments of a dated period, remembered: the same months recur in every order."""
    segments = []
    while start <= last:
        year, month = start.year, start.month
        next_month = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        end = min(last, next_month - _ONE_DAY)
        segments.append(Segment((end - start).days + 1, start, end))
        start = next_month
    return tuple(segments)


def nursing_units(minutes: Decimal) -> tuple[int, int]:
    """Return (99601 units, 99602 units) for a visit: the first 2 hours are one 99601; each
    further hour is a 99602, a partial hour counting once more than half of it has passed
    (3 h 40 min -> 1 + 2; 2 h 20 min -> 1 + 0)."""
    extra = minutes - 120
    if extra <= 0:
        return 1, 0
    whole_hours, remainder = divmod(extra, Decimal(60))
    return 1, int(whole_hours) + (1 if remainder > 30 else 0)


def nursing_lines(
    visits: tuple[NursingVisit, ...], *, policy: BillingPolicy, period: ServicePeriod
) -> list[CalculatedLine]:
    """Return a 99601 line for each visit and a 99602 line for its additional hours."""
    lines = []
    for visit in visits:
        first, extra = nursing_units(visit.minutes)
        day = visit.visit_date or period.start
        duration = f"visit of {readable(visit.minutes)} min"
        lines.append(
            CalculatedLine(
                kind="nursing",
                code=NURSING_FIRST_VISIT,
                units=first,
                start=day,
                end=day,
                place_of_service=policy.place_of_service,
                description=NURSING_DESCRIPTIONS[NURSING_FIRST_VISIT],
                work=f"{duration} -> 99601 x {first}",
            )
        )
        if extra:
            lines.append(
                CalculatedLine(
                    kind="nursing",
                    code=NURSING_EXTRA_HOUR,
                    units=extra,
                    start=day,
                    end=day,
                    place_of_service=policy.place_of_service,
                    description=NURSING_DESCRIPTIONS[NURSING_EXTRA_HOUR],
                    work=f"{duration}: {readable(visit.minutes - 120)} min past 2 hours "
                    f"-> 99602 x {extra}",
                )
            )
    return lines


def claim_lines(
    results: tuple[DoseResult, ...],
    *,
    order: OrderInput,
    policy: BillingPolicy,
    plans: tuple[DispensingPlan, ...] = (),
) -> list[CalculatedLine]:
    """Return the claim: per-diem lines (SH/SJ for concurrent drugs), a drug line per drug
    (J-code or J3490 + NDC), split by calendar month when the policy says so, then nursing.

    `plans` are the drugs' dispensing plans, by index: a policy that bills the NDC quantity as
    dispensed counts their reservoirs' fills, and `dispensed_reservoirs` gives the reservoirs of
    a segment to the rules that bill per cassette or bag."""
    validate_billing(results, policy)
    period = order.period
    first, last = period.start, period.end
    segments: Sequence[Segment]
    if not policy.month_lines:
        segments = (Segment(period.days, first, last),)
    elif first is None or last is None:
        segments = (Segment(period.days),)
    else:
        segments = _month_segments(first, last)  # month_segments(period), without the copy
    code = per_diem_code(policy=policy, therapy=order.therapy, hours_per_day=order.hours_per_day)
    place = policy.place_of_service
    # The plans matter only to a policy that bills the NDC quantity as dispensed.
    by_dispensed = policy.ndc_quantity_basis == "dispensed" and plans
    lines: list[CalculatedLine] = []
    append = lines.append
    for segment in segments:
        days, start, end = segment
        texts = (_per_diem_texts, (code, days))
        for result in results:
            index = result.index
            line = _new_line(CalculatedLine)
            line._values = (
                "per_diem",
                code,
                days,
                _CONCURRENT[index if index < 2 else 2],
                start,
                end,
                place,
                "",
                "",
                None,
                index,
            )
            line._texts = texts
            append(line)
        for result in results:
            index = result.index
            plan = plans[index] if by_dispensed and index < len(plans) else None
            append(_drug_line(result, segment, policy, plan))
    if order.nursing_visits:
        lines.extend(nursing_lines(order.nursing_visits, policy=policy, period=period))
    return lines


def _per_diem_texts(code: str, days: int) -> tuple[str, str]:
    """Return (description, work) of a per-diem line."""
    work = f"{days} {'day' if days == 1 else 'days'} of service -> {code} x {days}"
    return PER_DIEM_DESCRIPTIONS[code], work


def drug_line(
    result: DoseResult,
    *,
    segment: Segment,
    policy: BillingPolicy,
    plan: DispensingPlan | None = None,
) -> CalculatedLine:
    """Return the drug line for one drug over one segment of the period (its NDC quantity the
    amount dispensed in the segment's reservoirs when the policy says so and `plan` has them)."""
    return _drug_line(result, segment, policy, plan)


def _drug_line(
    result: DoseResult, segment: Segment, policy: BillingPolicy, plan: DispensingPlan | None
) -> CalculatedLine:
    """drug_line, called positionally (claim_lines calls it for every drug of every segment)."""
    if result.runs:
        return titrated_drug_line(result, segment=segment, policy=policy, plan=plan)
    drug = result.drug
    days = segment.days
    ndc_unit = drug.ndc_unit
    if ndc_unit == "ML":
        volume, volume_per = result.daily_volume_ratio
        ndc_amount = _divide(_multiply(volume, days), volume_per)  # times(), written out
    elif ndc_unit == "UN":
        ndc_amount = _containers(result, days)
    else:
        ndc_amount = times(_ndc_daily_ratio(result), days)
    # The units count what is administered; the NDC quantity may be what is dispensed.
    dispensed = None
    if plan is not None and policy.ndc_quantity_basis == "dispensed" and plan.reservoirs:
        dispensed = _dispensed_volume_ratio(plan, dispensed_reservoirs(plan, segment))
    quantity = ndc_quantity(
        ndc_amount if dispensed is None else _dispensed_in_ndc_unit(result, dispensed),
        decimals=policy.ndc_quantity_decimals,
    )
    hcpcs = drug.hcpcs
    if hcpcs and hcpcs != UNLISTED_DRUG_CODE and policy.drug_coding == "specific":
        # bills_specific_code. CMS: a partial descriptor unit bills as a whole one.
        code = hcpcs
        dose, dose_per = result.daily_dose_ratio  # _per_descriptor_unit, written out
        descriptor = (dose, _multiply(dose_per, drug.hcpcs_unit.canonical_value))
        units = _line_units(descriptor, days, _UP, policy)
    else:
        code = UNLISTED_DRUG_CODE
        on_ndc_basis = policy.unlisted_unit_basis == "NDC"
        if ndc_unit == "UN":
            if on_ndc_basis:
                units = max(1, int(quantity))
            else:
                units = _line_units(result.daily_volume_ratio, days, policy.rounding, policy)
        elif policy.rounding_scope == "total" and (ndc_unit == "ML" or on_ndc_basis):
            # These units count what the NDC quantity counts, rounded their own way.
            units = billing_units(ndc_amount, rounding=policy.rounding)
        elif ndc_unit == "ML":
            units = _line_units(result.daily_volume_ratio, days, policy.rounding, policy)
        else:
            units = _line_units(_unlisted_daily(result, policy)[0], days, policy.rounding, policy)
    line = _new_line(CalculatedLine)
    line._values = (
        "drug",
        code,
        units,
        (),
        segment.start,
        segment.end,
        policy.place_of_service,
        drug.ndc,
        ndc_unit,
        quantity,
        result.index,
    )
    line._texts = (
        _drug_line_texts,
        (result, days, policy, units, quantity, dispensed is not None),
    )
    return line


# --- Dispensing (SPEC 10.5): reservoirs and the amount dispensed --------------------------------


def dispensed_reservoirs(plan: DispensingPlan | None, segment: Segment) -> tuple[Reservoir, ...]:
    """Return the reservoirs of a drug's plan dispensed for a segment of the period: those whose
    first day falls in it (all of them on an undated or unsplit period). Their number is what
    a rule billed per cassette or bag counts."""
    if plan is None:
        return ()
    first, last = segment.start, segment.end
    if first is None or last is None:
        return plan.reservoirs
    return tuple(
        reservoir
        for reservoir in plan.reservoirs
        if reservoir.first_date is not None and first <= reservoir.first_date <= last
    )


def _dispensed_volume_ratio(
    plan: DispensingPlan, reservoirs: tuple[Reservoir, ...]
) -> tuple[Decimal, Decimal]:
    """Return the fill volumes of `reservoirs`, priming included, as one ratio (the sum of
    their days' volumes, each day at its run's volume, + priming x reservoirs)."""
    return sum_ratios([(plan.fill_ratios[reservoir.number - 1], 1) for reservoir in reservoirs])


def _dispensed_in_ndc_unit(result: DoseResult, dispensed: tuple[Decimal, Decimal]) -> Decimal:
    """Return a dispensed volume in the NDC's unit of measure: mL as they are, an amount of drug
    through the concentration, containers (UN) rounded up."""
    volume, denominator = dispensed
    if result.drug.ndc_unit == "UN":
        package: Measure | None = result.drug.package_volume
        assert package is not None
        containers = _divide(volume, _multiply(denominator, package.canonical_value))
        return containers.quantize(Decimal(1), ROUND_CEILING, EXACT_CONTEXT)
    # volume x (NDC amount a day / volume a day), one division.
    amount, amount_per = _ndc_daily_ratio(result)
    daily_volume, _ = result.daily_volume_ratio
    return _divide(_multiply(volume, amount), _multiply(amount_per, daily_volume))


def _line_units(
    daily: tuple[Decimal, Decimal], days: int, rounding: Rounding, policy: BillingPolicy
) -> int:
    """Return the units of a line: the line total rounded, or each day rounded, then x days."""
    # billing_units, written out: every drug line but HMSA's passes here.
    mode = ROUND_CEILING if rounding == "up" else ROUND_HALF_UP
    if policy.rounding_scope == "daily":
        units = int(_divide(daily[0], daily[1]).to_integral_value(mode))
        return (units if units > 1 else 1) * days
    units = int(_divide(_multiply(daily[0], days), daily[1]).to_integral_value(mode))
    return units if units > 1 else 1


def _drug_line_texts(
    result: DoseResult,
    days: int,
    policy: BillingPolicy,
    units: int,
    quantity: Decimal,
    dispensed: bool = False,
) -> tuple[str, str]:
    """Return (description, work) of a drug line, as drug_line billed it."""
    description, work = _drug_line_work(result, days, policy, units, quantity)
    if dispensed:
        work += f"; NDC quantity as dispensed: {readable(quantity)} {result.drug.ndc_unit}"
    return description, work


def _drug_line_work(
    result: DoseResult, days: int, policy: BillingPolicy, units: int, quantity: Decimal
) -> tuple[str, str]:
    drug = result.drug
    if bills_specific_code(drug.hcpcs, policy):
        unit = drug.hcpcs_unit
        work = round_for_line(
            daily=_per_descriptor_unit(result),
            days=days,
            rounding=Rounding.UP,
            scope=policy.rounding_scope,
            total_text=dose_amount_text(result, result.dose_for_days(days)),
            daily_text=f"{dose_amount_text(result, result.daily_dose)}/day",
            unit_text=f" / {unit}",
        )
        return f"{drug.name or 'Drug'} ({drug.hcpcs}, per {unit})", work
    if drug.ndc_unit == "UN" and policy.unlisted_unit_basis == UnitBasis.NDC:
        work = f"{readable(quantity)} containers -> {units} units"
    else:
        daily_amount, unit_word = _unlisted_daily(result, policy)
        work = round_for_line(
            daily=daily_amount,
            days=days,
            rounding=policy.rounding,
            scope=policy.rounding_scope,
            total_text=f"{readable(ratio_times(daily_amount, days))} {unit_word}",
            daily_text=f"{readable(ratio_times(daily_amount, 1))} {unit_word}/day",
            unit_text="",
        )
    return unlisted_description(result), work


def unlisted_description(result: DoseResult) -> str:
    """Return the J3490 description a payer needs: drug name, strength and dose."""
    drug = result.drug
    daily = dose_amount_text(result, result.daily_dose)
    return f"{drug.name or 'Unlisted drug'} {drug.concentration}, {drug.rate} ({daily}/day)"


def _per_descriptor_unit(result: DoseResult) -> tuple[Decimal, Decimal]:
    """Return the daily dose in HCPCS descriptor units as a ratio (J2270, 10 mg: mg / 10)."""
    unit = result.drug.hcpcs_unit
    assert unit is not None
    return divided(result.daily_dose_ratio, unit.canonical_value)


def _unlisted_daily(
    result: DoseResult, policy: BillingPolicy
) -> tuple[tuple[Decimal, Decimal], str]:
    """Return (daily amount as a ratio, its unit) that J3490 units count: mL, or on an NDC
    basis the NDC's unit of measure."""
    unit = result.drug.ndc_unit
    if unit != "ML" and policy.unlisted_unit_basis == "NDC":
        return _ndc_daily_ratio(result), unit
    return result.daily_volume_ratio, "mL"


def _ndc_daily_ratio(result: DoseResult) -> tuple[Decimal, Decimal]:
    """Return the daily amount in the NDC's unit of measure as a ratio (GR: grams of drug)."""
    unit = result.drug.ndc_unit
    if unit == "GR":
        return divided(result.daily_dose_ratio, factor("g"))
    if unit in {"ME", "F2"}:
        return result.daily_dose_ratio
    return result.daily_volume_ratio


def _containers(result: DoseResult, days: int) -> Decimal:
    """Return the whole containers (NDC unit UN) the volume over `days` takes, rounded up."""
    package: Measure | None = result.drug.package_volume
    assert package is not None
    # One exact division: the volume over the days / the package volume in mL.
    numerator, denominator = result.daily_volume_ratio
    containers = _divide(
        _multiply(numerator, days), _multiply(denominator, package.canonical_value)
    )
    return containers.quantize(Decimal(1), ROUND_CEILING, EXACT_CONTEXT)


# --- A titrated drug (dose changes inside the period) ---------------------------------------
# The same units and NDC quantity as drug_line, from the exact sum over each run of days the
# line covers: on `total` scope the summed amount is rounded once, on `daily` scope each run's
# day is rounded and multiplied by its days.

_Pieces = list[tuple[DoseResult, int]]


def titrated_drug_line(
    result: DoseResult,
    *,
    segment: Segment,
    policy: BillingPolicy,
    plan: DispensingPlan | None = None,
) -> CalculatedLine:
    """Return the drug line of a titrated drug over one segment of the period (its NDC quantity
    the amount dispensed in the segment's reservoirs when the policy says so and `plan` has
    them, as drug_line)."""
    drug = result.drug
    pieces = runs_within(result, segment.start, segment.end, segment.days)

    def over(ratio_of: Callable[[DoseResult], tuple[Decimal, Decimal]]) -> tuple[Decimal, Decimal]:
        return sum_ratios([(ratio_of(piece), days) for piece, days in pieces])

    ndc_unit = drug.ndc_unit
    if ndc_unit == "UN":
        package: Measure | None = drug.package_volume
        assert package is not None
        volume = over(lambda piece: piece.daily_volume_ratio)
        containers = _divide(volume[0], _multiply(volume[1], package.canonical_value))
        ndc_amount = containers.quantize(Decimal(1), ROUND_CEILING, EXACT_CONTEXT)
    else:
        ndc_amount = _divide(*over(_ndc_daily_ratio))
    # The units count what is administered; the NDC quantity may be what is dispensed.
    dispensed = None
    if policy.ndc_quantity_basis == "dispensed" and plan is not None and plan.reservoirs:
        dispensed = _dispensed_volume_ratio(plan, dispensed_reservoirs(plan, segment))
    quantity = ndc_quantity(
        ndc_amount if dispensed is None else _dispensed_in_ndc_unit(result, dispensed),
        decimals=policy.ndc_quantity_decimals,
    )
    on_ndc_basis = policy.unlisted_unit_basis == UnitBasis.NDC
    if bills_specific_code(drug.hcpcs, policy):
        code = drug.hcpcs
        unit = drug.hcpcs_unit
        segment_dose = dose_amount_text(result, exact_divide(*over(lambda p: p.daily_dose_ratio)))

        def shown(piece: DoseResult | None, amount: Decimal) -> str:
            dose = f"{dose_amount_text(piece, piece.daily_dose)}/day" if piece else segment_dose
            return f"{dose} / {unit} = {readable(amount)}"

        units, work = _titrated_units(pieces, _per_descriptor_unit, Rounding.UP, policy, shown)
        description = f"{drug.name or 'Drug'} ({drug.hcpcs}, per {unit})"
    else:
        code = UNLISTED_DRUG_CODE
        description = titrated_description(result)
        if ndc_unit == "UN" and on_ndc_basis:
            units = max(1, int(quantity))
            work = f"{readable(quantity)} containers -> {units} units"
        elif ndc_unit == "UN":
            units, work = _titrated_units(
                pieces, lambda p: p.daily_volume_ratio, policy.rounding, policy, _shown_in("mL")
            )
        elif policy.rounding_scope == "total" and (ndc_unit == "ML" or on_ndc_basis):
            units = billing_units(ndc_amount, rounding=policy.rounding)
            word = _unlisted_daily(result, policy)[1]
            work = f"{readable(ndc_amount)} {word} -> {units} units"
        else:
            word = _unlisted_daily(result, policy)[1]
            units, work = _titrated_units(
                pieces,
                lambda p: _unlisted_daily(p, policy)[0],
                policy.rounding,
                policy,
                _shown_in(word),
            )
    if dispensed is not None:
        work += f"; NDC quantity as dispensed: {readable(quantity)} {ndc_unit}"
    return CalculatedLine(
        kind="drug",
        code=code,
        units=units,
        start=segment.start,
        end=segment.end,
        place_of_service=policy.place_of_service,
        description=description,
        ndc=drug.ndc,
        ndc_unit=ndc_unit,
        ndc_quantity=quantity,
        drug_index=result.index,
        work=work,
    )


def _shown_in(word: str) -> Callable[[DoseResult | None, Decimal], str]:
    def shown(piece: DoseResult | None, amount: Decimal) -> str:
        return f"{readable(amount)} {word}{'/day' if piece else ''}"

    return shown


def _titrated_units(
    pieces: _Pieces,
    ratio_of: Callable[[DoseResult], tuple[Decimal, Decimal]],
    rounding: Rounding,
    policy: BillingPolicy,
    shown: Callable[[DoseResult | None, Decimal], str],
) -> tuple[int, str]:
    """Return (units, work) over the runs: each run's day rounded on `daily` scope, else the
    exact sum rounded once."""
    if policy.rounding_scope == "daily":
        parts, units = [], 0
        for piece, days in pieces:
            per_day = ratio_times(ratio_of(piece), 1)
            each = billing_units(per_day, rounding=rounding)
            units += each * days
            day_word = "day" if days == 1 else "days"
            parts.append(f"{shown(piece, per_day)} -> {each} units/day x {days} {day_word}")
        return units, f"{' + '.join(parts)} = {units} units"
    total = ratio_times(sum_ratios([(ratio_of(piece), days) for piece, days in pieces]), 1)
    units = billing_units(total, rounding=rounding)
    return units, f"{shown(None, total)} -> {units} units"


def titrated_description(result: DoseResult) -> str:
    """Return the J3490 description of a titrated drug: the first rate, then each change."""
    first = unlisted_description(result)
    changes = ", ".join(
        f"{run.result.drug.rate} from {run.start:%b %-d}" for run in result.runs[1:]
    )
    return f"{first}, then {changes}"
