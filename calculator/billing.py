"""Dose results + a payer's billing policy -> claim lines (per diem, drug, nursing).

The seed (HMSA): morphine 5 mg/hr for 31 days bills S9325 x 31 and J3490 NDC 00074113303 x 149,
148.8 mL "rounded off" to 149. Rounding happens in one function, `billing_units`, applied once,
where a quantity becomes billed units.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cache, partial
from typing import Any, NamedTuple

from calculator.dosing import (
    DoseResult,
    NursingVisit,
    OrderInput,
    ServicePeriod,
    Therapy,
    dose_amount_text,
    exact_divide,
    show,
    tidy,
)
from calculator.errors import ErrorCollector
from calculator.units import (
    ACTIVITY,
    EXACT_CONTEXT,
    MASS,
    VOLUME,
    Measure,
    factor,
    format_decimal,
)

UNLISTED_DRUG_CODE = "J3490"
NURSING_FIRST_VISIT = "99601"
NURSING_EXTRA_HOUR = "99602"
HOME = "12"

PER_DIEM_DESCRIPTIONS = {
    "S9325": "Home infusion therapy, pain management infusion, per diem",
    "S9326": "Home infusion therapy, continuous (24 hours or more) pain management infusion, "
    "per diem",
    "S9327": "Home infusion therapy, intermittent (less than 24 hours) pain management infusion, "
    "per diem",
    "S9328": "Home infusion therapy, implanted pump pain management infusion, per diem",
}
NURSING_DESCRIPTIONS = {
    NURSING_FIRST_VISIT: "Home infusion/specialty drug administration, per visit (up to 2 hours)",
    NURSING_EXTRA_HOUR: "Home infusion/specialty drug administration, each additional hour",
}
# Concurrent therapies: the second drug's per-diem line carries SH, the third and later SJ.
CONCURRENT_MODIFIERS = ("", "SH", "SJ")

# NDC unit of measure qualifiers (CMS-1500 box 24 shaded area, 837P CTP05-1).
NDC_UNITS = {
    "ML": "millilitre",
    "GR": "gram",
    "ME": "milligram",
    "UN": "unit (each container)",
    "F2": "international unit",
}

# The modifiers tuple of a per-diem line, by the drug's index (min(index, 2)).
_CONCURRENT = tuple((modifier,) if modifier else () for modifier in CONCURRENT_MODIFIERS)
# What an NDC unit of measure counts, when it counts the drug rather than mL or containers.
_NDC_UNIT_DIMENSIONS = {"GR": MASS, "ME": MASS, "F2": ACTIVITY}
_DESCRIPTOR_DIMENSIONS = frozenset({MASS, ACTIVITY})
_ONE_DAY = timedelta(days=1)
# Exact arithmetic, in 60 digits: see units.EXACT_CONTEXT.
_multiply = EXACT_CONTEXT.multiply
_divide = EXACT_CONTEXT.divide


# The per-line code compares a policy's settings with their values (rounding == "up"): a StrEnum
# member equals its value, and on Python 3.11 reading `Rounding.UP` goes through the enum
# metaclass's attribute hook, which takes about as long as the rounding itself.


class PerDiemCoding(StrEnum):
    GENERIC = "generic"
    SPECIFIC = "specific"


class DrugCoding(StrEnum):
    SPECIFIC = "specific"
    UNLISTED = "unlisted"


class UnitBasis(StrEnum):
    ML = "ML"
    NDC = "NDC"


class Rounding(StrEnum):
    UP = "up"
    HALF_UP = "half_up"


class RoundingScope(StrEnum):
    TOTAL = "total"
    DAILY = "daily"


@dataclass(frozen=True)
class BillingPolicy:
    """How one payer wants the lines coded and rounded (SPEC section 5)."""

    name: str = "custom"
    per_diem_coding: PerDiemCoding = PerDiemCoding.SPECIFIC
    drug_coding: DrugCoding = DrugCoding.SPECIFIC
    unlisted_unit_basis: UnitBasis = UnitBasis.ML
    rounding: Rounding = Rounding.UP
    rounding_scope: RoundingScope = RoundingScope.TOTAL
    month_lines: bool = False
    place_of_service: str = HOME
    ndc_quantity_decimals: int = 3


HMSA = BillingPolicy(
    name="HMSA",
    per_diem_coding=PerDiemCoding.GENERIC,
    drug_coding=DrugCoding.UNLISTED,
    unlisted_unit_basis=UnitBasis.ML,
    rounding=Rounding.HALF_UP,
    rounding_scope=RoundingScope.TOTAL,
    month_lines=False,
)
STANDARD = BillingPolicy(
    name="STANDARD",
    per_diem_coding=PerDiemCoding.SPECIFIC,
    drug_coding=DrugCoding.SPECIFIC,
    rounding=Rounding.UP,
    rounding_scope=RoundingScope.TOTAL,
    month_lines=True,
)


# ClaimLine's fields, in the order of its constructor.
CLAIM_LINE_FIELDS = (
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


class ClaimLine:
    """One service line of the claim, as it goes on a CMS-1500 or into an 837P loop 2400.

    A read-only value: it compares, hashes, prints and pickles like a frozen dataclass of
    CLAIM_LINE_FIELDS, and assigning to a field raises AttributeError. `description` and `work`
    are text for people: the lines `claim_lines` makes write them when they are first read, so
    a calculation whose lines are only counted and priced never formats them (formatting was
    most of the engine's time).
    """

    __slots__ = ("_texts", "_values")
    __match_args__ = CLAIM_LINE_FIELDS

    _values: tuple[Any, ...]
    # (description, work), or a function that returns them, called once when first needed.
    _texts: tuple[str, str] | Callable[[], tuple[str, str]]

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
        if callable(texts):
            texts = self._texts = texts()
        return texts

    def _fields(self) -> tuple[Any, ...]:
        """Return every field's value, in the order of CLAIM_LINE_FIELDS."""
        description, work = self._written()
        values = self._values
        return (*values[:7], description, *values[7:], work)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ClaimLine) and other.__class__ is self.__class__:
            return self._fields() == other._fields()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{name}={value!r}"
            for name, value in zip(CLAIM_LINE_FIELDS, self._fields(), strict=True)
        )
        return f"{type(self).__qualname__}({fields})"

    def __reduce__(self) -> tuple[type[ClaimLine], tuple[Any, ...]]:
        return type(self), self._fields()


# claim_lines makes its lines without ClaimLine.__init__, their texts a function to call when
# first read: object.__new__ and two slot stores cost a seventh of the constructor's keywords.
_new_line = object.__new__


def billing_units(quantity: Decimal, *, rounding: Rounding) -> int:
    """Return billed units for an exact quantity: `up` is the ceiling (CMS: 223.2 -> 224),
    `half_up` is "rounded off" (HMSA: 148.8 -> 149, 148.4 -> 148); never fewer than 1 (a
    service that was given is billed at least one unit)."""
    mode = ROUND_CEILING if rounding == "up" else ROUND_HALF_UP
    # to_integral_value rounds at any precision (quantize would refuse beyond 28 digits).
    return max(1, int(quantity.to_integral_value(mode)))


def ndc_quantity(value: Decimal, *, decimals: int = 3) -> Decimal:
    """Return an NDC quantity: half-up to `decimals` places, no trailing zeros (148.80 -> 148.8)."""
    rounded = value.quantize(_places(decimals), ROUND_HALF_UP, EXACT_CONTEXT)
    return tidy(rounded, context=EXACT_CONTEXT)


@cache
def _places(decimals: int) -> Decimal:
    """Return the quantum of `decimals` places (3 -> 0.001)."""
    return Decimal(1).scaleb(-decimals)


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
    segments, start, last = [], period.start, period.end
    while start <= last:
        year, month = start.year, start.month
        next_month = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        end = min(last, next_month - _ONE_DAY)
        segments.append(Segment((end - start).days + 1, start, end))
        start = next_month
    return segments


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
) -> list[ClaimLine]:
    """Return a 99601 line for each visit and a 99602 line for its additional hours."""
    lines = []
    for visit in visits:
        first, extra = nursing_units(visit.minutes)
        day = visit.visit_date or period.start
        duration = f"visit of {show(visit.minutes)} min"
        lines.append(
            ClaimLine(
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
                ClaimLine(
                    kind="nursing",
                    code=NURSING_EXTRA_HOUR,
                    units=extra,
                    start=day,
                    end=day,
                    place_of_service=policy.place_of_service,
                    description=NURSING_DESCRIPTIONS[NURSING_EXTRA_HOUR],
                    work=f"{duration}: {show(visit.minutes - 120)} min past 2 hours "
                    f"-> 99602 x {extra}",
                )
            )
    return lines


def validate_billing(results: tuple[DoseResult, ...], policy: BillingPolicy) -> None:
    """Raise InvalidOrder for drug fields the policy needs but the order lacks or contradicts."""
    errors: ErrorCollector | None = None
    for result in results:
        drug = result.drug
        specific = _bills_specific_code(drug.hcpcs, policy)
        if drug.ndc_unit == "ML" and not specific:
            continue  # an NDC counted in mL, billed on J3490: nothing more to check
        if errors is None:
            errors = ErrorCollector()
        _check_drug_billing(result, specific, errors)
    if errors is not None:
        errors.raise_if_any()


def _check_drug_billing(result: DoseResult, specific: bool, errors: ErrorCollector) -> None:
    """Add to `errors` what the drug's NDC unit, or its specific code, lacks."""
    drug, prefix = result.drug, f"drugs.{result.index}"
    ndc_unit = drug.ndc_unit
    if ndc_unit not in NDC_UNITS:
        errors.add(
            f"{prefix}.ndc_unit",
            f'"{ndc_unit}" is not an NDC unit; use one of {", ".join(NDC_UNITS)}',
        )
        return
    wanted = _NDC_UNIT_DIMENSIONS.get(ndc_unit)
    if wanted and result.dimension != wanted:
        errors.add(
            f"{prefix}.ndc_unit",
            f"NDC unit {ndc_unit} counts {NDC_UNITS[ndc_unit]}s, but this drug "
            f"is dosed in {result.dose_unit}",
        )
    if ndc_unit == "UN":
        if drug.package_volume is None:
            errors.add(
                f"{prefix}.package_volume",
                "NDC unit UN counts containers: give the package volume, e.g. 10 mL",
            )
        elif drug.package_volume.dimension != VOLUME:
            errors.add(f"{prefix}.package_volume", "the package volume must be in mL or L")
    if specific:
        unit = drug.hcpcs_unit
        if unit is None:
            errors.add(
                f"{prefix}.hcpcs_unit",
                f"{drug.hcpcs} needs its descriptor unit (e.g. 10 mg for J2270)",
            )
        elif unit.per or unit.dimension not in _DESCRIPTOR_DIMENSIONS:
            errors.add(f"{prefix}.hcpcs_unit", f'"{unit}" is not an amount such as 10 mg')
        elif unit.dimension != result.dimension:
            errors.add(
                f"{prefix}.hcpcs_unit",
                f'{drug.hcpcs} bills per "{unit}", but this drug is dosed in {result.dose_unit}',
            )


def _bills_specific_code(hcpcs: str, policy: BillingPolicy) -> bool:
    return bool(hcpcs) and hcpcs != UNLISTED_DRUG_CODE and policy.drug_coding == "specific"


def claim_lines(
    results: tuple[DoseResult, ...], *, order: OrderInput, policy: BillingPolicy
) -> list[ClaimLine]:
    """Return the claim: per-diem lines (SH/SJ for concurrent drugs), a drug line per drug
    (J-code or J3490 + NDC), split by calendar month when the policy says so, then nursing."""
    validate_billing(results, policy)
    period = order.period
    if policy.month_lines:
        segments = month_segments(period)
    else:
        segments = [Segment(period.days, period.start, period.end)]
    code = per_diem_code(policy=policy, therapy=order.therapy, hours_per_day=order.hours_per_day)
    place = policy.place_of_service
    lines: list[ClaimLine] = []
    for segment in segments:
        days, start, end = segment
        texts = partial(_per_diem_texts, code, days)
        for result in results:
            index = result.index
            line = _new_line(ClaimLine)
            line._values = (
                "per_diem",
                code,
                days,
                _CONCURRENT[min(index, 2)],
                start,
                end,
                place,
                "",
                "",
                None,
                index,
            )
            line._texts = texts
            lines.append(line)
        for result in results:
            lines.append(drug_line(result, segment=segment, policy=policy))
    if order.nursing_visits:
        lines.extend(nursing_lines(order.nursing_visits, policy=policy, period=period))
    return lines


def _per_diem_texts(code: str, days: int) -> tuple[str, str]:
    """Return (description, work) of a per-diem line."""
    work = f"{days} {'day' if days == 1 else 'days'} of service -> {code} x {days}"
    return PER_DIEM_DESCRIPTIONS[code], work


def drug_line(result: DoseResult, *, segment: Segment, policy: BillingPolicy) -> ClaimLine:
    """Return the drug line for one drug over one segment of the period."""
    drug = result.drug
    days = segment.days
    ndc_unit = drug.ndc_unit
    if ndc_unit == "UN":
        ndc_amount = _containers(result, days)
    else:
        ndc_amount = _times(_ndc_daily_ratio(result), days)
    quantity = ndc_quantity(ndc_amount, decimals=policy.ndc_quantity_decimals)
    if _bills_specific_code(drug.hcpcs, policy):
        code = drug.hcpcs
        # CMS: a partial descriptor unit bills as a whole one.
        units = _line_units(_per_descriptor_unit(result), days, Rounding.UP, policy)
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
        else:
            units = _line_units(_unlisted_daily(result, policy)[0], days, policy.rounding, policy)
    line = _new_line(ClaimLine)
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
    line._texts = partial(_drug_line_texts, result, days, policy, units, quantity)
    return line


def _line_units(
    daily: tuple[Decimal, Decimal], days: int, rounding: Rounding, policy: BillingPolicy
) -> int:
    """Return the units of a line: the line total rounded, or each day rounded, then x days."""
    if policy.rounding_scope == "daily":
        return billing_units(_divide(*daily), rounding=rounding) * days
    return billing_units(_times(daily, days), rounding=rounding)


def _drug_line_texts(
    result: DoseResult, days: int, policy: BillingPolicy, units: int, quantity: Decimal
) -> tuple[str, str]:
    """Return (description, work) of a drug line, as drug_line billed it."""
    drug = result.drug
    if _bills_specific_code(drug.hcpcs, policy):
        unit = drug.hcpcs_unit
        work = _round_for_line(
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
        work = f"{show(quantity)} containers -> {units} units"
    else:
        daily_amount, unit_word = _unlisted_daily(result, policy)
        work = _round_for_line(
            daily=daily_amount,
            days=days,
            rounding=policy.rounding,
            scope=policy.rounding_scope,
            total_text=f"{show(_ratio_times(daily_amount, days))} {unit_word}",
            daily_text=f"{show(_ratio_times(daily_amount, 1))} {unit_word}/day",
            unit_text="",
        )
    return unlisted_description(result), work


def unlisted_description(result: DoseResult) -> str:
    """Return the J3490 description a payer needs: drug name, strength and dose."""
    drug = result.drug
    daily = dose_amount_text(result, result.daily_dose)
    return f"{drug.name or 'Unlisted drug'} {drug.concentration}, {drug.rate} ({daily}/day)"


def _round_for_line(
    *,
    daily: tuple[Decimal, Decimal],
    days: int,
    rounding: Rounding,
    scope: RoundingScope,
    total_text: str,
    daily_text: str,
    unit_text: str,
) -> str:
    """Return the work of a line's units: rounding either the line total or each day."""
    if scope == RoundingScope.DAILY:
        per_day = _ratio_times(daily, 1)
        units_per_day = billing_units(per_day, rounding=rounding)
        units = units_per_day * days
        shown = f"{daily_text}{unit_text} = {show(per_day)}" if unit_text else daily_text
        return f"{shown} -> {units_per_day} units/day x {days} days = {units} units"
    total = _ratio_times(daily, days)
    units = billing_units(total, rounding=rounding)
    if unit_text:
        return f"{total_text}{unit_text} = {show(total)} -> {units} units"
    return f"{total_text} -> {units} units"


def _divided(ratio: tuple[Decimal, Decimal], by: Decimal) -> tuple[Decimal, Decimal]:
    return ratio[0], _multiply(ratio[1], by)


def _times(ratio: tuple[Decimal, Decimal], days: int) -> Decimal:
    """Return ratio x days, one exact division, untidied (it is rounded next)."""
    return _divide(_multiply(ratio[0], days), ratio[1])


def _ratio_times(ratio: tuple[Decimal, Decimal], days: int) -> Decimal:
    """Return ratio x days, one exact division, tidied for display (4.80 -> 4.8)."""
    return exact_divide(_multiply(ratio[0], days), ratio[1])


def _per_descriptor_unit(result: DoseResult) -> tuple[Decimal, Decimal]:
    """Return the daily dose in HCPCS descriptor units as a ratio (J2270, 10 mg: mg / 10)."""
    unit = result.drug.hcpcs_unit
    assert unit is not None
    return _divided(result.daily_dose_ratio, unit.canonical_value)


def _unlisted_daily(
    result: DoseResult, policy: BillingPolicy
) -> tuple[tuple[Decimal, Decimal], str]:
    """Return (daily amount as a ratio, its unit) that J3490 units count: mL, or on an NDC
    basis the NDC's unit of measure."""
    unit = result.drug.ndc_unit
    if policy.unlisted_unit_basis == UnitBasis.NDC and unit != "ML":
        return _ndc_daily_ratio(result), unit
    return result.daily_volume_ratio, "mL"


def _ndc_daily_ratio(result: DoseResult) -> tuple[Decimal, Decimal]:
    """Return the daily amount in the NDC's unit of measure as a ratio (GR: grams of drug)."""
    unit = result.drug.ndc_unit
    if unit == "GR":
        return _divided(result.daily_dose_ratio, factor("g"))
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
