"""Order inputs -> daily dose, daily volume and totals, with the work shown step by step.

The seed example: 5 mg/hr x 24 hr = 120 mg/day; 120 mg/day / 25 mg/mL = 4.8 mL/day;
4.8 mL/day x 31 days = 148.8 mL. Every value is an exact `Decimal`: each result is kept as a
numerator and a denominator and divided once, at the end, so 5 mg/hr x 24 hr is 120, not
119.99999..., and 100 mg in 3 mL over 3 days is 9 mL, not 9.0000000001.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from calculator.domain.decimals import exact_divide, readable
from calculator.domain.errors import ErrorCollector
from calculator.domain.records import maker
from calculator.domain.units import (
    ACTIVITY,
    EQUIVALENT,
    EXACT_CONTEXT,
    MASS,
    PERCENT,
    TIME,
    VOLUME,
    Measure,
    factor,
    format_decimal,
    weight_kg,
)

MINUTES_PER_HOUR = Decimal(60)
MINUTES_PER_DAY = Decimal(1440)
MAX_DAYS = 366
# The limits of one order, defined here once; the form, the API schema and the CLI read them.
MAX_DRUGS_PER_ORDER = 10
MAX_BOLUSES_PER_DAY = 96
MAX_NURSING_VISITS = 62
MAX_WEIGHT_KG = Decimal(500)
# Bounds past any infusion: a result beyond them comes from a slip in a unit (mcg for mg, L for
# mL), and totals that large would not fit a claim's quantity fields.
MAX_DAILY_VOLUME_ML = Decimal(100_000)
MAX_DAILY_DOSE = Decimal(1_000_000_000)
_multiply = EXACT_CONTEXT.multiply
_divide = EXACT_CONTEXT.divide
_ONE = Decimal(1)
_ZERO = Decimal(0)
_DAY_HOURS = Decimal(24)
_new_tuple = tuple.__new__

AMOUNT_WORDS = {MASS: "mg", ACTIVITY: "units", EQUIVALENT: "mEq"}
_HUNDRED = Decimal(100)


class Therapy(StrEnum):
    CONTINUOUS = "continuous"
    INTERMITTENT = "intermittent"
    IMPLANTED_PUMP = "implanted-pump"


class Route(StrEnum):
    """How the drug reaches the patient; optional on a drug row. Epidural and intrathecal
    (neuraxial) use of a preservative-free product has its own HCPCS code (J2274 for morphine)."""

    INTRAVENOUS = "intravenous"
    SUBCUTANEOUS = "subcutaneous"
    EPIDURAL = "epidural"
    INTRATHECAL = "intrathecal"


# How each route is offered on the order form, the API and the CLI.
ROUTE_LABELS = {
    Route.INTRAVENOUS: "Intravenous",
    Route.SUBCUTANEOUS: "Subcutaneous",
    Route.EPIDURAL: "Epidural",
    Route.INTRATHECAL: "Intrathecal",
}
NEURAXIAL_ROUTES = frozenset({Route.EPIDURAL, Route.INTRATHECAL})


# How each therapy is offered to a pharmacist (the order form's choices).
THERAPY_LABELS = {
    Therapy.CONTINUOUS: "Continuous (24 h/day)",
    Therapy.INTERMITTENT: "Intermittent (< 24 h/day)",
    Therapy.IMPLANTED_PUMP: "Implanted pump",
}


@dataclass(frozen=True)
class ServicePeriod:
    """The days of service: a count, or inclusive start and end dates (Jan 1-31 is 31 days)."""

    days: int
    start: date | None = None
    end: date | None = None

    @classmethod
    def between(cls, start: date, end: date) -> ServicePeriod:
        return cls(days=(end - start).days + 1, start=start, end=end)


@dataclass(frozen=True)
class NursingVisit:
    """A nursing visit of `minutes` (3.5 h -> 210), on `visit_date` when known."""

    minutes: Decimal
    visit_date: date | None = None


@dataclass(frozen=True)
class DrugInput:
    """One drug of an order: what the pharmacist entered plus the catalog values used."""

    rate: Measure
    concentration: Measure
    name: str = ""
    ndc: str = ""
    bolus: Measure | None = None
    boluses_per_day: int = 0
    weight: Measure | None = None
    hcpcs: str = ""
    hcpcs_unit: Measure | None = None
    ndc_unit: str = "ML"
    package_volume: Measure | None = None
    route: Route | None = None
    # Dose changes inside the period, in date order (the block at the end of this module).
    rate_changes: tuple[RateChange, ...] = ()
    # The PCA lockout: the shortest time between two boluses the pump allows (SPEC 10.6).
    lockout: Measure | None = None


@dataclass(frozen=True)
class OrderInput:
    drugs: tuple[DrugInput, ...]
    period: ServicePeriod
    hours_per_day: Decimal = Decimal(24)
    therapy: Therapy = Therapy.CONTINUOUS
    nursing_visits: tuple[NursingVisit, ...] = ()


# The request reader makes these for every order: without the dataclass __init__
# (records.maker: every field's value, in the fields' order).
make_drug_input = maker(DrugInput)
make_order_input = maker(OrderInput)


class DoseResult(NamedTuple):
    """The exact daily and total dose and volume of one drug.

    Doses are in the canonical unit of their dimension (mg, units or mEq); `dose_unit` is the
    unit the pharmacist used (mcg stays mcg on screen). Each daily value is kept as a ratio so
    that a total for any number of days is divided only once. A NamedTuple, not a frozen
    dataclass, for speed (docs/performance.md).
    """

    drug: DrugInput
    index: int
    days: int
    hours_per_day: Decimal
    dimension: str
    dose_unit: str
    daily_dose_ratio: tuple[Decimal, Decimal]
    daily_volume_ratio: tuple[Decimal, Decimal]
    # A titrated drug: each run of days at its rate; the ratios above are the first run's.
    runs: tuple[DoseRun, ...] = ()
    # The daily volume of the continuous rate alone, boluses left out (the pump program's rate
    # is it over the hours infused); None for a result made without it, whose pump program is
    # worked out from the drug as ordered.
    rate_volume_ratio: tuple[Decimal, Decimal] | None = None

    @property
    def daily_dose(self) -> Decimal:
        return exact_divide(*self.daily_dose_ratio)

    @property
    def daily_volume_ml(self) -> Decimal:
        return exact_divide(*self.daily_volume_ratio)

    @property
    def total_dose(self) -> Decimal:
        if self.runs:
            return runs_total(self.runs, dose=True)
        return self.dose_for_days(self.days)

    @property
    def total_volume_ml(self) -> Decimal:
        if self.runs:
            return runs_total(self.runs, dose=False)
        return self.volume_for_days(self.days)

    def dose_for_days(self, days: int) -> Decimal:
        """Return the dose over `days` in the canonical unit (120 mg/day x 31 = 3720 mg)."""
        numerator, denominator = self.daily_dose_ratio
        return exact_divide(_multiply(numerator, days), denominator)

    def volume_for_days(self, days: int) -> Decimal:
        """Return the volume over `days` in mL (4.8 mL/day x 31 = 148.8 mL)."""
        numerator, denominator = self.daily_volume_ratio
        return exact_divide(_multiply(numerator, days), denominator)

    def in_dose_unit(self, canonical: Decimal) -> Decimal:
        """Return a canonical dose in the unit the pharmacist used (1.2 mg -> 1200 mcg)."""
        return exact_divide(canonical, factor(self.dose_unit))


def amount_dimension(measure: Measure) -> str:
    """Return the dimension of what a rate, bolus or concentration delivers (5 mg/hr -> mass)."""
    if measure.dimension == PERCENT:
        return MASS
    return measure.dimension


def concentration_ratio(concentration: Measure) -> tuple[Decimal, Decimal]:
    """Return a concentration as (canonical amount, mL): 0.25 % -> (250, 100), 500 mg in 20 mL ->
    (500, 20)."""
    if concentration.dimension == PERCENT:
        # % w/v is grams per 100 mL: 0.25 % = 0.25 g/100 mL = 2.5 mg/mL.
        return _multiply(concentration.value, factor("g")), _HUNDRED
    return concentration.canonical_value, concentration.per_canonical[0]


def validate_order(order: OrderInput) -> None:
    """Raise InvalidOrder naming every field that makes `order` impossible to calculate."""
    errors = ErrorCollector()
    _check_order(order, errors)
    errors.raise_if_any()


def _check_order(order: OrderInput, errors: ErrorCollector) -> None:
    # Every request's order is checked once: compared with Decimals and the therapies' values
    # (on Python 3.11 reading Therapy.CONTINUOUS goes through the enum metaclass).
    hours = order.hours_per_day
    if not (_ZERO < hours <= _DAY_HOURS):
        errors.add(
            "hours_per_day", f"hours per day must be more than 0 and at most 24, not {hours}"
        )
    elif hours < _DAY_HOURS:
        if order.therapy == "continuous":
            errors.add(
                "therapy",
                f"continuous therapy runs 24 hours a day; with {readable(hours)} hours a day "
                "choose intermittent (or 24 hours)",
            )
    elif order.therapy == "intermittent":  # at 24 hours a day
        errors.add(
            "therapy", "intermittent therapy runs less than 24 hours a day; choose continuous"
        )
    period = order.period
    if period.start and period.end and period.end < period.start:
        errors.add("end", f"the end date {period.end} is before the start date {period.start}")
    elif not (1 <= period.days <= MAX_DAYS):
        errors.add("days", f"days of service must be from 1 to {MAX_DAYS}, not {period.days}")
    if not order.drugs:
        errors.add("drugs", "add at least one drug")
    for index, drug in enumerate(order.drugs):
        prefix = _DRUG_PATHS[index] if index < MAX_DRUGS_PER_ORDER else f"drugs.{index}"
        _validate_drug(drug, prefix, errors)
        if drug.rate_changes:
            _validate_rate_changes(drug, prefix, period, errors)


# Each drug's field path prefix ("drugs.0"), made once.
_DRUG_PATHS = tuple(f"drugs.{index}" for index in range(MAX_DRUGS_PER_ORDER))


def _validate_drug(drug: DrugInput, prefix: str, errors: ErrorCollector) -> None:
    rate, concentration = drug.rate, drug.concentration
    delivered = concentration.dimension  # amount_dimension(concentration), written out
    if delivered == PERCENT:
        delivered = MASS
    if rate.dimension != VOLUME and rate.dimension != delivered:
        errors.add(
            f"{prefix}.concentration",
            f'"{concentration}" is in {_word(delivered)} but the dose rate "{rate}" is in '
            f"{_word(rate.dimension)}; they must match",
        )
    weight = drug.weight
    if weight is None:
        if len(rate.per) == 2:
            errors.add(f"{prefix}.weight", f'the weight-based rate "{rate}" needs the weight')
    elif weight_kg(weight) > MAX_WEIGHT_KG:
        errors.add(f"{prefix}.weight", f'"{weight}" is not a plausible patient weight')
    bolus, boluses = drug.bolus, drug.boluses_per_day
    if bolus is not None:
        if bolus.dimension != delivered and bolus.dimension != VOLUME:
            errors.add(
                f"{prefix}.bolus",
                f'the bolus "{bolus}" is in {_word(bolus.dimension)}; give it in '
                f"{_word(delivered)} or mL",
            )
        if boluses < 1:
            errors.add(f"{prefix}.boluses_per_day", "how many boluses a day? (1 or more)")
    elif boluses:
        errors.add(f"{prefix}.bolus", "boluses per day are given but not the bolus dose")
    if boluses < 0 or boluses > MAX_BOLUSES_PER_DAY:
        errors.add(
            f"{prefix}.boluses_per_day",
            f"boluses per day must be from 0 to {MAX_BOLUSES_PER_DAY}",
        )
    elif drug.lockout is not None:
        _validate_lockout(drug.lockout, bolus, boluses, prefix, errors)


def _validate_lockout(
    lockout: Measure, bolus: Measure | None, boluses: int, prefix: str, errors: ErrorCollector
) -> None:
    """A lockout belongs to a bolus, is at most a day, and leaves room in a day for the
    boluses ordered (a 15 min lockout: at most 96 a day)."""
    if lockout.dimension != TIME or lockout.per:
        errors.add(f"{prefix}.lockout", f'the lockout "{lockout}" must be a time, e.g. 10 min')
        return
    minutes = lockout.canonical_value
    if bolus is None:
        errors.add(f"{prefix}.lockout", "a lockout is given but not the bolus dose")
    elif not (_ZERO < minutes <= MINUTES_PER_DAY):
        errors.add(f"{prefix}.lockout", "the lockout must be more than 0 and at most 24 hr")
    elif boluses > (most := boluses_a_lockout_allows(lockout)):
        errors.add(
            f"{prefix}.boluses_per_day",
            f"{boluses} boluses a day do not fit a lockout of {lockout}: at most {most} a day",
        )


def boluses_a_lockout_allows(lockout: Measure) -> int:
    """Return the most boluses a day a lockout lets the pump give (15 min: 96; 3 hr: 8)."""
    return int(MINUTES_PER_DAY // lockout.canonical_value)


def _word(dimension: str) -> str:
    return {
        MASS: "mass (mg)",
        ACTIVITY: "units",
        EQUIVALENT: "mEq",
        VOLUME: "volume (mL)",
    }.get(dimension, dimension)


def is_per_day(rate: Measure) -> bool:
    """Return True for a rate ordered per day (120 mg/day, 0.5 mg/kg/day, 100 mL/day).

    Such a rate is the daily amount as the prescriber wrote it, whatever the hours of
    infusion: over 12 hours a day 120 mg/day runs at 10 mg/hr while infusing and the daily dose
    stays 120 mg. Per-hour and per-minute rates are multiplied by the hours per day.
    """
    return factor(rate.per[-1][1]) == MINUTES_PER_DAY


def compute(order: OrderInput) -> tuple[DoseResult, ...]:
    """Return each drug's exact daily and total dose and volume (seed: 120 mg, 4.8 mL, 148.8 mL)."""
    # Checked on every call: a request's order is calculated once, so remembering the verdict
    # on the order (as it once was) only cost time.
    validate_order(order)
    hours = order.hours_per_day
    minutes_per_day = _multiply(hours, MINUTES_PER_HOUR)
    period = order.period
    days = period.days
    results = []
    titrated = False
    for index, drug in enumerate(order.drugs):
        if drug.rate_changes:
            titrated = True
            results.append(_compute_titrated(drug, index, period, hours, minutes_per_day))
        else:
            results.append(_compute_drug(drug, index, days, hours, minutes_per_day))
    results = tuple(results)
    # A titrated drug is checked run by run; an order without dose changes as it always was.
    for result in each_run(results) if titrated else results:
        # a/b > bound as a > bound x b (b > 0): exact, and cheaper than dividing.
        volume, volume_per = result.daily_volume_ratio
        dose, dose_per = result.daily_dose_ratio
        too_much = volume > _multiply(MAX_DAILY_VOLUME_ML, volume_per)
        if too_much or dose > _multiply(MAX_DAILY_DOSE, dose_per):
            _check_plausible(each_run(results))  # raises, naming every drug out of bounds
    return results


def _check_plausible(results: tuple[DoseResult, ...] | list[DoseResult]) -> None:
    """Raise InvalidOrder when a daily volume or dose is beyond any infusion (a unit slip)."""
    errors = ErrorCollector()
    for result in results:
        prefix = f"drugs.{result.index}"
        # Name the field that turns the rate into the value out of bounds.
        by_volume = result.drug.rate.dimension == VOLUME
        volume_field, dose_field = (
            ("rate", "concentration") if by_volume else ("concentration", "rate")
        )
        if result.daily_volume_ml > MAX_DAILY_VOLUME_ML:
            errors.add(
                f"{prefix}.{volume_field}",
                f"this gives {readable(result.daily_volume_ml)} mL a day, more than "
                f"{format_decimal(MAX_DAILY_VOLUME_ML)} mL; check the dose rate and the "
                "concentration",
            )
        if result.daily_dose > MAX_DAILY_DOSE:
            word = AMOUNT_WORDS.get(result.dimension, "mg")
            errors.add(
                f"{prefix}.{dose_field}",
                f"this gives {readable(result.daily_dose)} {word} a day, more than "
                f"{format_decimal(MAX_DAILY_DOSE)} {word}; check the dose rate and the "
                "concentration",
            )
    errors.raise_if_any()


def _compute_drug(
    drug: DrugInput, index: int, days: int, hours_per_day: Decimal, minutes_per_day: Decimal
) -> DoseResult:
    rate = drug.rate
    concentration = drug.concentration
    # concentration_ratio and amount_dimension, written out: every drug of every order.
    if concentration.dimension == PERCENT:
        amount, volume_ml = _multiply(concentration.value, factor("g")), _HUNDRED
        delivered = MASS
    else:
        amount, volume_ml = concentration.canonical_value, concentration.per_canonical[0]
        delivered = concentration.dimension
    # rate = value x amount factor per (time minutes [x weight]); the dose per day is
    # value x factor x minutes infused a day [x kg] / time minutes, a numerator over one
    # denominator. A per-day rate (is_per_day) is the daily amount: a whole day's minutes,
    # whatever the hours.
    per = rate.per
    if factor(per[-1][1]) == MINUTES_PER_DAY:
        numerator = _multiply(rate.canonical_value, MINUTES_PER_DAY)
    else:
        numerator = _multiply(rate.canonical_value, minutes_per_day)
    if len(per) == 2:
        assert drug.weight is not None
        numerator = _multiply(numerator, weight_in(drug.weight, per[0][1]))
    denominator = rate.per_canonical[-1]
    by_volume = rate.dimension == VOLUME
    if by_volume:
        volume_ratio = (numerator, denominator)
        dose_ratio = (_multiply(numerator, amount), _multiply(denominator, volume_ml))
        dose_unit = concentration.numerator
    else:
        dose_ratio = (numerator, denominator)
        volume_ratio = (_multiply(numerator, volume_ml), _multiply(denominator, amount))
        dose_unit = rate.numerator
    rate_volume_ratio = volume_ratio
    bolus_measure = drug.bolus
    if bolus_measure is not None and drug.boluses_per_day:
        bolus = _multiply(bolus_measure.canonical_value, drug.boluses_per_day)
        if bolus_measure.dimension == VOLUME:
            bolus_dose = (_multiply(bolus, amount), volume_ml)
            bolus_volume = (bolus, _ONE)
        else:
            bolus_dose = (bolus, _ONE)
            bolus_volume = (_multiply(bolus, volume_ml), amount)
        dose_ratio = _add(dose_ratio, bolus_dose)
        volume_ratio = _add(volume_ratio, bolus_volume)
    # DoseResult(drug, index, ...) made as the tuple it is, every field given: the NamedTuple's
    # generated __new__ takes twice as long (and from keywords three times).
    return _new_tuple(
        DoseResult,
        (
            drug,
            index,
            days,
            hours_per_day,
            delivered,
            _DOSE_UNITS.get(dose_unit, dose_unit),
            dose_ratio,
            volume_ratio,
            (),
            rate_volume_ratio,
        ),
    )


# The unit a dose is shown in, when the rate's (or a mL rate's concentration's) is not it.
_DOSE_UNITS = {"%": "mg", "unit": "units", "IU": "units"}


def _add(a: tuple[Decimal, Decimal], b: tuple[Decimal, Decimal]) -> tuple[Decimal, Decimal]:
    if a[1] == b[1]:
        return EXACT_CONTEXT.add(a[0], b[0]), a[1]
    return (
        EXACT_CONTEXT.add(_multiply(a[0], b[1]), _multiply(b[0], a[1])),
        _multiply(a[1], b[1]),
    )


# --- The work, as the pharmacist writes it ------------------------------------------------


def dose_steps(result: DoseResult) -> list[str]:
    """Return the calculation as written on paper, one line per step (the seed's first three)."""
    if result.runs:
        return titrated_steps(result)
    drug, steps = result.drug, []
    rate = drug.rate
    hours = readable(result.hours_per_day)
    per_hour_unit = f"{_unit_word(rate.numerator)}/hr"
    if len(rate.per) == 2:
        assert drug.weight is not None
        per_time = rate.value * weight_in(drug.weight, rate.per[0][1])
        time_unit = rate.per[1][1]
        steps.append(
            f"{readable(rate.value)} {rate.numerator}/{rate.per[0][1]}/{time_unit} x "
            f"{drug.weight} = {readable(per_time)} {_unit_word(rate.numerator)}/{time_unit}"
        )
    else:
        per_time, time_unit = rate.value, rate.per[0][1]
    rate_word = _unit_word(rate.numerator)
    dose_word = _unit_word(result.dose_unit)
    has_bolus = drug.bolus is not None and drug.boluses_per_day > 0
    per_day = is_per_day(rate)
    if per_day:
        # The daily amount as ordered; the pump runs faster when it runs fewer hours.
        daily_from_rate = per_time
        while_infusing = exact_divide(per_time, result.hours_per_day)
        steps.append(
            f"{readable(per_time)} {rate_word}/day over {hours} hr/day = "
            f"{readable(while_infusing)} {per_hour_unit} while infusing"
        )
    else:
        per_hour = exact_divide(per_time * factor("hr"), factor(time_unit))
        if factor(time_unit) != factor("hr"):
            steps.append(
                f"{readable(per_time)} {rate_word}/{time_unit} = "
                f"{readable(per_hour)} {per_hour_unit}"
            )
        # From the unrounded ratio, so 0.1 mg/min x 24 hr is exact.
        daily_from_rate = exact_divide(
            per_time * factor("hr") * result.hours_per_day, factor(time_unit)
        )
    if rate.dimension == VOLUME:
        if not per_day:
            steps.append(
                f"{readable(per_hour)} {per_hour_unit} x {hours} hr = "
                f"{readable(daily_from_rate)} mL/day"
            )
        if has_bolus:
            steps.extend(_bolus_steps(drug, daily_from_rate, "mL", result))
        steps.append(
            f"{readable(result.daily_volume_ml)} mL/day x {_concentration_text(drug)} = "
            f"{_dose_text(result, result.daily_dose)}/day"
        )
    else:
        if not per_day:
            steps.append(
                f"{readable(per_hour)} {per_hour_unit} x {hours} hr = {readable(daily_from_rate)} "
                f"{rate_word}/day{_mg_aside(rate.numerator, daily_from_rate)}"
            )
        if has_bolus:
            steps.extend(_bolus_steps(drug, daily_from_rate, dose_word, result))
        daily_in_conc_unit = result.daily_dose
        conc_unit = _concentration_amount_unit(drug.concentration)
        daily_in_conc_unit = exact_divide(result.daily_dose, factor(conc_unit))
        steps.append(
            f"{readable(daily_in_conc_unit)} {_unit_word(conc_unit)}/day / "
            f"{_concentration_text(drug)} = {readable(result.daily_volume_ml)} mL/day"
        )
    steps.append(
        f"{readable(result.daily_volume_ml)} mL/day x {result.days} "
        f"{'day' if result.days == 1 else 'days'} = {readable(result.total_volume_ml)} mL"
    )
    return steps


def _bolus_steps(drug: DrugInput, daily_from_rate: Decimal, word: str, result: DoseResult):
    assert drug.bolus is not None
    bolus = drug.bolus
    per_day = bolus.value * drug.boluses_per_day
    bolus_word = _unit_word(bolus.numerator)
    count = drug.boluses_per_day
    lines = [
        f"{bolus} x {count} {'bolus' if count == 1 else 'boluses'} = "
        f"{readable(per_day)} {bolus_word}/day"
    ]
    if word == "mL":
        lines.append(
            f"{readable(daily_from_rate)} mL/day + boluses = "
            f"{readable(result.daily_volume_ml)} mL/day"
        )
    else:
        total = result.in_dose_unit(result.daily_dose)
        if bolus_word == word:
            lines.append(
                f"{readable(daily_from_rate)} {word}/day + {readable(per_day)} {word}/day = "
                f"{readable(total)} {word}/day"
            )
        else:
            lines.append(
                f"{readable(daily_from_rate)} {word}/day + boluses = {readable(total)} {word}/day"
            )
    return lines


def weight_in(weight: Measure, symbol: str) -> Decimal:
    """Return a weight in the unit a weight-based rate is per (70 kg in "g" -> 70000)."""
    return _divide(_multiply(weight_kg(weight), factor("kg")), factor(symbol))


def _unit_word(symbol: str) -> str:
    return "units" if symbol in {"unit", "units", "IU"} else symbol


def _mg_aside(symbol: str, value: Decimal) -> str:
    """Return " (1.2 mg/day)" after a mcg value, the mg/mcg cross-check pharmacists write."""
    if symbol != "mcg":
        return ""
    return f" ({readable(value * factor('mcg'))} mg/day)"


def _concentration_amount_unit(concentration: Measure) -> str:
    return "mg" if concentration.dimension == PERCENT else concentration.numerator


def _concentration_text(drug: DrugInput) -> str:
    """Return the concentration per mL, with its label form when that differs (0.25 %)."""
    concentration = drug.concentration
    unit = _concentration_amount_unit(concentration)
    amount, volume_ml = concentration_ratio(concentration)
    per_ml = exact_divide(amount, volume_ml * factor(unit))
    per_ml_text = f"{readable(per_ml)} {_unit_word(unit)}/mL"
    if str(concentration) == per_ml_text:
        return per_ml_text
    return f"{per_ml_text} ({concentration})"


def _dose_text(result: DoseResult, canonical: Decimal) -> str:
    value = result.in_dose_unit(canonical)
    return f"{readable(value)} {_unit_word(result.dose_unit)}"


def dose_amount_text(result: DoseResult, canonical: Decimal) -> str:
    """Return a canonical dose in the pharmacist's unit as text (3720 mg, 1200 mcg)."""
    return _dose_text(result, canonical)


def concentration_per_ml(drug: DrugInput) -> tuple[Decimal, str]:
    """Return the concentration as (value per mL, unit): 0.25 % -> (2.5, "mg")."""
    unit = _concentration_amount_unit(drug.concentration)
    amount, volume_ml = concentration_ratio(drug.concentration)
    return exact_divide(amount, volume_ml * factor(unit)), _unit_word(unit)


# --- Dose changes inside a period (a titrated drug) -----------------------------------------
# "Increase to 7 mg/hr from the 11th": each run of days at its rate is computed on its own and
# the totals are their exact sum (5 mg/hr x 24 hr x 10 days + 7 mg/hr x 24 hr x 21 days).

MAX_RATE_CHANGES = 31


@dataclass(frozen=True)
class RateChange:
    """From `start` on, the drug runs at `rate`, and with a new bolus when one is given (a
    bolus or a count left out carries on from the run before)."""

    start: date
    rate: Measure
    bolus: Measure | None = None
    boluses_per_day: int | None = None


class DoseRun(NamedTuple):
    """A run of days (inclusive dates) at one rate, and the drug's result over those days."""

    start: date
    end: date
    days: int
    result: DoseResult


def each_run(results: tuple[DoseResult, ...] | list[DoseResult]) -> list[DoseResult]:
    """Return the results to check day by day: each run of a titrated drug, else the drug."""
    checked: list[DoseResult] = []
    for result in results:
        if result.runs:
            checked.extend(run.result for run in result.runs)
        else:
            checked.append(result)
    return checked


def run_drugs(drug: DrugInput, period: ServicePeriod) -> list[tuple[date, date, DrugInput]]:
    """Return (first day, last day, the drug as it runs) for each run of a titrated drug."""
    assert period.start is not None and period.end is not None
    runs, start, current = [], period.start, replace(drug, rate_changes=())
    for change in drug.rate_changes:
        runs.append((start, change.start - timedelta(days=1), current))
        bolus = change.bolus if change.bolus is not None else current.bolus
        count = current.boluses_per_day
        if change.boluses_per_day is not None:
            count = change.boluses_per_day
        current = replace(current, rate=change.rate, bolus=bolus, boluses_per_day=count)
        start = change.start
    runs.append((start, period.end, current))
    return runs


def _compute_titrated(
    drug: DrugInput,
    index: int,
    period: ServicePeriod,
    hours_per_day: Decimal,
    minutes_per_day: Decimal,
) -> DoseResult:
    runs = []
    for start, end, run_drug in run_drugs(drug, period):
        days = (end - start).days + 1
        result = _compute_drug(run_drug, index, days, hours_per_day, minutes_per_day)
        runs.append(DoseRun(start, end, days, result))
    first = runs[0].result
    return first._replace(drug=drug, days=period.days, runs=tuple(runs))


def sum_ratios(pieces: list[tuple[tuple[Decimal, Decimal], int]]) -> tuple[Decimal, Decimal]:
    """Return the sum of ratio x days over the pieces, as one ratio (divided once, later)."""
    total = (Decimal(0), _ONE)
    for (numerator, denominator), days in pieces:
        total = _add(total, (_multiply(numerator, days), denominator))
    return total


def runs_total(runs: tuple[DoseRun, ...], *, dose: bool) -> Decimal:
    """Return the exact dose (canonical unit) or volume (mL) over all the runs."""
    pieces = [
        (run.result.daily_dose_ratio if dose else run.result.daily_volume_ratio, run.days)
        for run in runs
    ]
    return exact_divide(*sum_ratios(pieces))


def runs_within(result: DoseResult, start: date | None, end: date | None, days: int):
    """Return (the run's result, days) for each run overlapping start..end (a month line)."""
    if not result.runs:
        return [(result, days)]
    if start is None or end is None:
        return [(run.result, run.days) for run in result.runs]
    pieces = []
    for run in result.runs:
        overlap = (min(run.end, end) - max(run.start, start)).days + 1
        if overlap > 0:
            pieces.append((run.result, overlap))
    return pieces


def _validate_rate_changes(
    drug: DrugInput, prefix: str, period: ServicePeriod, errors: ErrorCollector
) -> None:
    path = f"{prefix}.rate_changes"
    start, end = period.start, period.end
    if start is None or end is None:
        errors.add(path, "dose changes need the period's start and end dates, not a count of days")
        return
    if len(drug.rate_changes) > MAX_RATE_CHANGES:
        errors.add(path, f"at most {MAX_RATE_CHANGES} dose changes on one drug")
        return
    previous: date | None = None
    base = ErrorCollector()
    _validate_drug(drug, prefix, base)
    for number, change in enumerate(drug.rate_changes):
        here = f"{path}.{number}"
        if not (start < change.start <= end):
            errors.add(
                f"{here}.from",
                f"{change.start} is not inside the period after its first day ({start} to {end})",
            )
        elif previous is not None and change.start <= previous:
            word = "two changes on" if change.start == previous else "the changes go back to"
            errors.add(f"{here}.from", f"{word} {change.start}; give one change a day, in order")
        previous = change.start
        bolus = change.bolus if change.bolus is not None else drug.bolus
        count = change.boluses_per_day
        as_run = replace(
            drug,
            rate=change.rate,
            bolus=bolus,
            boluses_per_day=drug.boluses_per_day if count is None else count,
            rate_changes=(),
        )
        found = ErrorCollector()
        _validate_drug(as_run, prefix, found)
        for field, messages in found.errors.items():
            if field in base:
                continue
            name = field.rsplit(".", 1)[1]
            target = name if name in {"bolus", "boluses_per_day"} else "rate"
            for message in messages:
                errors.add(f"{here}.{target}", message)


def titrated_steps(result: DoseResult) -> list[str]:
    """Return the work of a titrated drug: each run, then the summed total as a volume (or as
    a dose, for a rate in mL): 5 mg/hr x 24 hr = 120 mg/day x 10 days = 1200 mg, ...,
    4728 mg / 25 mg/mL = 189.12 mL."""
    drug = result.drug
    by_volume = drug.rate.dimension == VOLUME
    hours = readable(result.hours_per_day)
    steps = []
    for run in result.runs:
        run_drug, run_result = run.result.drug, run.result
        parts = [str(run_drug.rate)]
        if len(run_drug.rate.per) == 2:
            parts.append(str(run_drug.weight))
        if not is_per_day(run_drug.rate):
            parts.append(f"{hours} hr")
        rate_text = " x ".join(parts)
        if run_drug.bolus is not None and run_drug.boluses_per_day:
            count = run_drug.boluses_per_day
            rate_text += f" + {run_drug.bolus} x {count} {'bolus' if count == 1 else 'boluses'}"
        day_word = "day" if run.days == 1 else "days"
        if by_volume:
            daily = f"{readable(run_result.daily_volume_ml)} mL"
            total = f"{readable(run_result.total_volume_ml)} mL"
        else:
            daily = _dose_text(run_result, run_result.daily_dose)
            total = _dose_text(run_result, run_result.total_dose)
        steps.append(f"{rate_text} = {daily}/day x {run.days} {day_word} = {total}")
    total_volume = readable(result.total_volume_ml)
    if by_volume:
        steps.append(
            f"{total_volume} mL x {_concentration_text(drug)} = "
            f"{_dose_text(result, result.total_dose)}"
        )
    else:
        unit = _concentration_amount_unit(drug.concentration)
        in_unit = exact_divide(result.total_dose, factor(unit))
        steps.append(
            f"{readable(in_unit)} {_unit_word(unit)} / {_concentration_text(drug)} = "
            f"{total_volume} mL"
        )
    return steps


__all__ = [
    "AMOUNT_WORDS",
    "DoseResult",
    "DoseRun",
    "DrugInput",
    "NursingVisit",
    "OrderInput",
    "RateChange",
    "ServicePeriod",
    "Therapy",
    "compute",
    "dose_steps",
    "validate_order",
]
