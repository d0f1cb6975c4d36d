"""The dispensing plan of one drug: what the pump is programmed to, how many reservoirs are
filled and how full, when each is filled and when it is past its beyond-use date, what goes into a
compounded reservoir, and the volume dispensed against the volume administered.

The seed order (5 mg/hr, 25 mg/mL, 24 h, 31 days; 4.8 mL a day) runs at 5 mg/hr / 25 mg/mL =
0.2 mL/hr. In a 100 mL cassette a reservoir holds 20 whole days, so the period is 2 reservoirs of
20 and 11 days, filled 96 and 52.8 mL; with 14 beyond-use days it is 3 reservoirs of 14, 14 and 3
days, filled 67.2, 67.2 and 14.4 mL.

Like dosing, every value is an exact `Decimal`, worked out from ratios and divided once; nothing
here is rounded for a pump or a syringe (that is the pharmacist's call, and the steps show the
exact value or mark it "~").

**Beyond-use date.** USP <797> defines the BUD as the date, or hour and date, after which a
compounded sterile preparation must not be used, stored or transported, determined from the date
and time its preparation is initiated; its BUD limits are lengths of time from then (12 hours,
4 days, 10 days, 45 days). Read that way, a reservoir filled on 1 January with 14 beyond-use days
may be used until 15 January at the hour it was filled: its beyond-use date is the fill date +
14 days, not + 13. This is also the only reading under which the days-per-reservoir cap holds
together: a 14-day reservoir hung on day 1 runs until it is replaced on day 15, its beyond-use
date. (Source: USP <797> "Pharmaceutical Compounding - Sterile Preparations" (2023), definitions
and section 14; the definition as quoted in PCCA's glossary,
https://www.pccarx.com/AboutUs/glossary/BUDbeyondusedate .) A reservoir filled ahead of its first
day (`fill_lead_days`) spends those days of its BUD before it is hung, so it holds fewer days.
The app never invents a beyond-use period: without `beyond_use_days` there is no beyond-use date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from calculator.domain.decimals import exact_divide, readable
from calculator.domain.dosing import (
    DoseResult,
    ServicePeriod,
    amount_dimension,
    boluses_a_lockout_allows,
    concentration_ratio,
    is_per_day,
    sum_ratios,
    weight_in,
)
from calculator.domain.errors import ErrorCollector
from calculator.domain.units import (
    EXACT_CONTEXT,
    PERCENT,
    VOLUME,
    Measure,
    factor,
)

_multiply = EXACT_CONTEXT.multiply
_ZERO = Decimal(0)
_ONE = Decimal(1)
_MINUTES_PER_HOUR = Decimal(60)

Ratio = tuple[Decimal, Decimal]

# The most beyond-use days an order may give: a year, past the longest dating USP <797> allows
# a compounded sterile preparation.
MAX_BEYOND_USE_DAYS = 365


class Storage(StrEnum):
    """How a reservoir is stored until used (on its label; from the product or the order)."""

    ROOM_TEMPERATURE = "room_temperature"
    REFRIGERATED = "refrigerated"


STORAGE_LABELS = {
    Storage.ROOM_TEMPERATURE: "Room temperature",
    Storage.REFRIGERATED: "Refrigerated",
}
# What the label says.
STORAGE_INSTRUCTIONS = {
    Storage.ROOM_TEMPERATURE: "Store at room temperature",
    Storage.REFRIGERATED: "Refrigerate",
}

# The DEA controlled-substance schedules (21 CFR 1308), as the FDA NDC directory's DEASCHEDULE
# column writes them; a CII drug is marked on its worksheet and labels.
DEA_SCHEDULES = {
    "CII": "Schedule II",
    "CIII": "Schedule III",
    "CIV": "Schedule IV",
    "CV": "Schedule V",
}
SCHEDULE_II = "CII"


# --- Inputs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StockProduct:
    """The product a compounded reservoir is made from: its labelled concentration and the
    volume of one single-dose container (morphine 50 mg/mL in a 20 mL vial)."""

    concentration: Measure
    package_volume: Measure
    name: str = ""
    ndc: str = ""


@dataclass(frozen=True)
class DispensingInput:
    """The dispensing part of one drug row; every field is optional.

    `reservoir_volume`: the cassette or bag (100 mL, 0.25 L). `priming_volume`: used per
    reservoir to prime the tubing (None is 0 mL). `beyond_use_days`: assigned by the pharmacist,
    never invented here. `stock`: the product a compounded reservoir is made from, diluted to the
    drug's concentration. `fill_lead_days`: each reservoir is filled this many days before its
    first day (0: on its first day).
    """

    reservoir_volume: Measure | None = None
    priming_volume: Measure | None = None
    beyond_use_days: int | None = None
    stock: StockProduct | None = None
    fill_lead_days: int = 0


# A drug row without a dispensing part: frozen, so shared.
NO_DISPENSING = DispensingInput()


# --- Results ----------------------------------------------------------------------------------


class PumpProgram(NamedTuple):
    """What the pump is programmed to: the continuous rate in mL/hr while infusing (for fewer
    than 24 hours a day, a per-day rate runs faster while it runs) and the bolus in mL.

    A NamedTuple, not a frozen dataclass: every request makes one per drug, and the engine
    makes it as the tuple it is (`tuple.__new__`, a quarter of a frozen dataclass's cost)."""

    rate_ml_per_hr: Decimal
    bolus_volume_ml: Decimal | None
    hours_per_day: Decimal

    @property
    def while_infusing(self) -> bool:
        """True when the pump runs only part of the day (the rate holds while it runs)."""
        return self.hours_per_day < 24


@dataclass(frozen=True)
class RateRun:
    """A titrated drug's run of days (`first_day`..`last_day`, dated from `start`) and what the
    pump is programmed to over it (5 mg/hr from day 1, 7 mg/hr from day 11)."""

    start: date
    end: date
    first_day: int
    last_day: int
    result: DoseResult
    pump: PumpProgram


@dataclass(frozen=True)
class Reservoir:
    """One cassette or bag of the period: days `first_day`..`last_day` of service (day 1 is the
    first), its fill volume (priming included), its fill day and beyond-use day, and the same as
    dates when the period's start is known."""

    number: int
    first_day: int
    last_day: int
    fill_volume_ml: Decimal
    fill_day: int
    beyond_use_day: int | None
    first_date: date | None = None
    last_date: date | None = None
    fill_date: date | None = None
    beyond_use_date: date | None = None

    @property
    def days(self) -> int:
        return self.last_day - self.first_day + 1


@dataclass(frozen=True)
class WorksheetLine:
    """The compounding of one reservoir: stock drawn up, diluent added, single-dose containers
    opened, and what is left in the last one (waste, in mL of stock and in drug)."""

    reservoir: int
    fill_volume_ml: Decimal
    stock_volume_ml: Decimal
    diluent_volume_ml: Decimal
    containers: int
    waste_volume_ml: Decimal
    waste_amount: Decimal  # in the canonical unit of the drug's dimension (mg, units, mEq)


@dataclass(frozen=True)
class Worksheet:
    """The compounding worksheet of a compounded drug: one line per reservoir and the totals.
    Each reservoir is compounded on its own: a single-dose container opened for one is not kept
    for the next."""

    stock: StockProduct
    target_concentration: Measure
    lines: tuple[WorksheetLine, ...]

    @property
    def stock_volume_ml(self) -> Decimal:
        return _sum(line.stock_volume_ml for line in self.lines)

    @property
    def diluent_volume_ml(self) -> Decimal:
        return _sum(line.diluent_volume_ml for line in self.lines)

    @property
    def containers(self) -> int:
        return sum(line.containers for line in self.lines)

    @property
    def waste_volume_ml(self) -> Decimal:
        return _sum(line.waste_volume_ml for line in self.lines)

    @property
    def waste_amount(self) -> Decimal:
        return _sum(line.waste_amount for line in self.lines)


class DispensingPlan(NamedTuple):
    """The dispensing plan of one drug (`result.index` is its row).

    Without a reservoir it has the pump program only: no reservoirs, no dispensed volume.
    `waste_volume_ml` is what is dispensed and not administered (the priming volumes); the stock
    left in opened containers is the worksheet's waste. A NamedTuple, as PumpProgram.
    """

    result: DoseResult
    dispensing: DispensingInput
    pump: PumpProgram
    days_per_reservoir: int | None
    days_by_volume: int | None
    priming_volume_ml: Decimal
    reservoirs: tuple[Reservoir, ...]
    worksheet: Worksheet | None
    # A titrated drug's runs, each with its pump program (empty for a drug at one rate).
    rate_runs: tuple[RateRun, ...] = ()
    # Each reservoir's fill volume (priming included) as an exact ratio, by reservoir.
    fill_ratios: tuple[Ratio, ...] = ()

    @property
    def administered_volume_ml(self) -> Decimal:
        """Return daily volume x days (4.8 mL/day x 31 days = 148.8 mL), summed over the runs
        of a titrated drug."""
        return self.result.total_volume_ml

    def runs_of(self, reservoir: Reservoir) -> tuple[RateRun, ...]:
        """Return the runs a reservoir's days fall in (none for a drug at one rate)."""
        return tuple(
            run
            for run in self.rate_runs
            if run.first_day <= reservoir.last_day and run.last_day >= reservoir.first_day
        )

    @property
    def dispensed_volume_ml(self) -> Decimal | None:
        """Return the sum of the fill volumes, priming included (96 + 52.8 = 148.8 mL)."""
        if not self.reservoirs:
            return None
        # Summed as ratios and divided once, so the sum is exact even when a fill volume does
        # not end (100 mg in 3 mL).
        return exact_divide(*sum_ratios([(ratio, 1) for ratio in self.fill_ratios]))

    @property
    def waste_volume_ml(self) -> Decimal | None:
        """Return dispensed - administered: the priming volumes (158.8 - 148.8 = 10 mL)."""
        if not self.reservoirs:
            return None
        return exact_divide(_multiply(self.priming_volume_ml, len(self.reservoirs)), _ONE)


# Every order makes a pump program and, for most drugs, a pump-only plan per drug: made as the
# tuples they are, every field given in order (the NamedTuple's generated __new__ takes twice
# as long).
_new_tuple = tuple.__new__


# --- Pump programming -------------------------------------------------------------------------


def pump_program(result: DoseResult) -> PumpProgram:
    """Return the pump's rate in mL/hr while infusing and the bolus in mL (seed: 5 mg/hr /
    25 mg/mL = 0.2 mL/hr; a 1 mg bolus / 25 mg/mL = 0.04 mL; a bolus in mL stays in mL)."""
    rate_volume = result.rate_volume_ratio
    if rate_volume is not None and result.drug.rate.per[-1][0] == 1:
        # The daily volume of the rate alone over the hours a day the pump runs is the rate
        # while infusing (a per-day rate's daily amount too, its count 1 as every rate the
        # reader reads): one division of what dosing worked out. Equal to
        # pump_program_as_ordered (tests/domain/test_dispensing.py holds them equal).
        numerator, denominator = rate_volume
        hours = result.hours_per_day
        rate = exact_divide(numerator, _multiply(denominator, hours))
        bolus = None if result.drug.bolus is None else _bolus_volume_ml(result)
        return _new_tuple(PumpProgram, (rate, bolus, hours))
    return pump_program_as_ordered(result)


def pump_program_as_ordered(result: DoseResult) -> PumpProgram:
    """Return pump_program(result) worked out from the drug's rate, bolus and concentration."""
    return PumpProgram(
        exact_divide(*_rate_ml_per_hr_ratio(result)),
        _bolus_volume_ml(result),
        result.hours_per_day,
    )


def _hourly_amount_ratio(result: DoseResult) -> Ratio:
    """Return the ordered rate per hour while infusing, in the canonical unit of what it is in
    (mg, units, mEq or mL): 2 mg/min -> 120 mg/hr; 120 mg/day over 12 hr -> 10 mg/hr."""
    drug = result.drug
    rate = drug.rate
    numerator = rate.canonical_value
    if len(rate.per) == 2:
        assert drug.weight is not None
        numerator = _multiply(numerator, weight_in(drug.weight, rate.per[0][1]))
    if is_per_day(rate):
        # The daily amount as ordered, given over the hours the pump runs.
        return numerator, result.hours_per_day
    return _multiply(numerator, _MINUTES_PER_HOUR), rate.per_canonical[-1]


def _rate_ml_per_hr_ratio(result: DoseResult) -> Ratio:
    numerator, denominator = _hourly_amount_ratio(result)
    if result.drug.rate.dimension == VOLUME:
        return numerator, denominator
    amount, volume_ml = concentration_ratio(result.drug.concentration)
    return _multiply(numerator, volume_ml), _multiply(denominator, amount)


def _bolus_volume_ml(result: DoseResult) -> Decimal | None:
    bolus = result.drug.bolus
    if bolus is None:
        return None
    if bolus.dimension == VOLUME:
        return exact_divide(bolus.canonical_value, _ONE)
    amount, volume_ml = concentration_ratio(result.drug.concentration)
    return exact_divide(_multiply(bolus.canonical_value, volume_ml), amount)


# --- Validation -------------------------------------------------------------------------------


def validate_dispensing(*, result: DoseResult, dispensing: DispensingInput) -> None:
    """Raise InvalidOrder naming each dispensing field (drugs.0.reservoir_volume, ...) that
    makes the plan impossible: a reservoir too small for one day, a priming volume not smaller
    than the reservoir, beyond-use days below 1, a stock weaker than the target."""
    errors = ErrorCollector()
    _check_dispensing(result, dispensing, errors)
    errors.raise_if_any()


def _check_dispensing(
    result: DoseResult, dispensing: DispensingInput, errors: ErrorCollector
) -> None:
    prefix = f"drugs.{result.index}"
    reservoir, priming = dispensing.reservoir_volume, dispensing.priming_volume
    bud, lead = dispensing.beyond_use_days, dispensing.fill_lead_days
    reservoir_ok = reservoir is not None and _is_volume(
        reservoir, f"{prefix}.reservoir_volume", "the reservoir volume", errors
    )
    priming_ok = priming is None or _is_volume(
        priming, f"{prefix}.priming_volume", "the priming volume", errors, zero_ok=True
    )
    if reservoir is None:
        given = [
            name
            for name, value in (
                ("a priming volume", priming),
                ("beyond-use days", bud),
                ("a stock product", dispensing.stock),
            )
            if value is not None
        ]
        if given or lead:
            given += ["a fill date rule"] if lead else []
            errors.add(
                f"{prefix}.reservoir_volume",
                f"{_and(given)} {'needs' if len(given) == 1 else 'need'} the reservoir volume "
                "(e.g. 100 mL)",
            )
    bud_ok = bud is None or _is_whole(bud, minimum=1)
    if not bud_ok:
        errors.add(
            f"{prefix}.beyond_use_days",
            f"beyond-use days must be a whole number of 1 or more, not {bud}",
        )
    if not _is_whole(lead, minimum=0):
        errors.add(
            f"{prefix}.fill_lead_days",
            f"days filled ahead must be a whole number of 0 or more, not {lead}",
        )
    elif bud is not None and bud_ok and lead >= bud:
        errors.add(
            f"{prefix}.fill_lead_days",
            f"filled {_days(lead)} ahead, a reservoir with {_days(bud)} of beyond-use time has "
            "no day of use left",
        )
    if reservoir is not None and reservoir_ok and priming_ok:
        reservoir_ml = reservoir.canonical_value
        priming_ml = _ZERO if priming is None else priming.canonical_value
        if priming_ml >= reservoir_ml:
            errors.add(
                f"{prefix}.priming_volume",
                f"the priming volume {priming} must be smaller than the reservoir ({reservoir})",
            )
        else:
            usable = EXACT_CONTEXT.subtract(reservoir_ml, priming_ml)
            for run_start, run_result in _daily_runs(result):
                numerator, denominator = run_result.daily_volume_ratio
                if _multiply(usable, denominator) < numerator:
                    daily = run_result.daily_volume_ml
                    since = "" if run_start is None else f" from {run_start.isoformat()}"
                    errors.add(
                        f"{prefix}.reservoir_volume",
                        f"a {reservoir} reservoir holds less than one day{since}: "
                        f"{readable(daily)} mL/day + {_ml(priming_ml)} priming = "
                        f"{_ml(EXACT_CONTEXT.add(daily, priming_ml))}",
                    )
                    break
    if dispensing.stock is not None:
        _check_stock(result, dispensing.stock, f"{prefix}.stock_ndc", errors)


def _check_stock(
    result: DoseResult, stock: StockProduct, field: str, errors: ErrorCollector
) -> None:
    target = result.drug.concentration
    concentration = stock.concentration
    is_concentration = concentration.dimension == PERCENT or concentration.per_dimensions == (
        VOLUME,
    )
    if not is_concentration or concentration.value <= 0:
        errors.add(field, f'the stock product\'s "{concentration}" is not a concentration')
        return
    if amount_dimension(concentration) != amount_dimension(target):
        errors.add(
            field,
            f'the stock product is "{concentration}" but the reservoir is "{target}"; they must '
            "be in the same kind of amount",
        )
        return
    stock_amount, stock_ml = concentration_ratio(concentration)
    target_amount, target_ml = concentration_ratio(target)
    # target > stock, compared as cross products (exact, no division).
    if _multiply(target_amount, stock_ml) > _multiply(stock_amount, target_ml):
        errors.add(
            field,
            f'the stock product "{concentration}" is weaker than the reservoir\'s "{target}": '
            "it cannot be diluted to it",
        )
    package = stock.package_volume
    if package.dimension != VOLUME or package.per or package.value <= 0:
        errors.add(field, f'the stock product\'s package "{package}" is not a volume (e.g. 20 mL)')


def _is_volume(
    measure: Measure, field: str, what: str, errors: ErrorCollector, *, zero_ok: bool = False
) -> bool:
    if measure.dimension != VOLUME or measure.per:
        errors.add(field, f'"{measure}" is not a volume; give {what} in mL, e.g. 100 mL')
        return False
    if measure.value < 0 or (measure.value == 0 and not zero_ok):
        errors.add(field, f"{what} must be {'zero or more' if zero_ok else 'more than zero'}")
        return False
    return True


def _is_whole(value: object, *, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


# --- The plan ---------------------------------------------------------------------------------


def dispensing_plan(
    *, result: DoseResult, dispensing: DispensingInput, period: ServicePeriod
) -> DispensingPlan:
    """Return the plan of one drug: pump program, reservoirs with fill volumes and dates, and
    the compounding worksheet (seed, 100 mL, 14 beyond-use days: 67.2, 67.2 and 14.4 mL).

    `period` is the order's (its start dates the reservoirs); raises InvalidOrder keyed by
    field path when the dispensing input cannot be planned.
    """
    if period.days != result.days:
        raise ValueError(
            f"the period has {period.days} days but the dose result {result.days} days"
        )
    if dispensing is NO_DISPENSING or dispensing == NO_DISPENSING:
        return pump_only_plan(result, dispensing)
    validate_dispensing(result=result, dispensing=dispensing)
    pump = pump_program(result)
    priming = dispensing.priming_volume
    priming_ml = _ZERO if priming is None else exact_divide(priming.canonical_value, _ONE)
    reservoir = dispensing.reservoir_volume
    if reservoir is None:
        return DispensingPlan(result, dispensing, pump, None, None, priming_ml, (), None)
    usable_ml = EXACT_CONTEXT.subtract(reservoir.canonical_value, priming_ml)
    numerator, denominator = result.daily_volume_ratio
    by_volume = int(EXACT_CONTEXT.divide_int(_multiply(usable_ml, denominator), numerator))
    bud, lead = dispensing.beyond_use_days, dispensing.fill_lead_days
    most_days = None if bud is None else bud - lead
    per_reservoir: int | None = by_volume if most_days is None else min(by_volume, most_days)
    rate_runs = _rate_runs(result)
    if rate_runs:
        # Each reservoir holds its own number of days: the days of a titrated drug differ.
        by_volume = per_reservoir = None
    spans = _fill_spans(_day_pieces(result), usable_ml, most_days)
    reservoirs, fill_ratios = [], []
    for number, (first, days, volume) in enumerate(spans, start=1):
        fill = _plus(volume, (priming_ml, _ONE))
        fill_ratios.append(fill)
        reservoirs.append(_reservoir(number, first, days, fill, bud, lead, period.start))
    worksheet = None
    if dispensing.stock is not None:
        worksheet = _worksheet(result, dispensing.stock, reservoirs, fill_ratios)
    return DispensingPlan(
        result,
        dispensing,
        pump,
        per_reservoir,
        by_volume,
        priming_ml,
        tuple(reservoirs),
        worksheet,
        rate_runs,
        tuple(fill_ratios),
    )


def pump_only_plan(
    result: DoseResult, dispensing: DispensingInput = NO_DISPENSING
) -> DispensingPlan:
    """Return the plan of a drug with nothing to dispense (most orders): nothing to check, the
    pump program only (equal to DispensingPlan(result, dispensing, pump_program(result), None,
    None, 0, (), None)); dispensing_plan's answer for such a drug, without its checks."""
    return _new_tuple(
        DispensingPlan,
        (result, dispensing, pump_program(result), None, None, _ZERO, (), None, (), ()),
    )


def _daily_runs(result: DoseResult) -> list[tuple[date | None, DoseResult]]:
    """Return (first date, result) of each run of a titrated drug, else (None, the result)."""
    if result.runs:
        return [(run.start, run.result) for run in result.runs]
    return [(None, result)]


def _rate_runs(result: DoseResult) -> tuple[RateRun, ...]:
    """Return a titrated drug's runs as days of the period with their pump programs."""
    runs, first = [], 1
    for run in result.runs:
        last = first + run.days - 1
        runs.append(RateRun(run.start, run.end, first, last, run.result, pump_program(run.result)))
        first = last + 1
    return tuple(runs)


def _day_pieces(result: DoseResult) -> list[tuple[Ratio, int]]:
    """Return (daily volume, days) of each run of days at one daily volume, in order."""
    if result.runs:
        return [(run.result.daily_volume_ratio, run.days) for run in result.runs]
    return [(result.daily_volume_ratio, result.days)]


def _fill_spans(
    pieces: list[tuple[Ratio, int]], usable_ml: Decimal, most_days: int | None
) -> list[tuple[int, int, Ratio]]:
    """Return (first day, days, volume of those days) of each reservoir: from its first day,
    the most whole days whose volumes add up to no more than `usable_ml` (the reservoir less
    its priming) and, with a beyond-use limit, no more than `most_days`. Validation has made
    sure a reservoir holds at least one day of any run."""
    days_left = [days for _, days in pieces]
    spans: list[tuple[int, int, Ratio]] = []
    piece, day = 0, 1
    while piece < len(pieces):
        first, taken, volume = day, 0, (_ZERO, _ONE)
        while piece < len(pieces):
            (numerator, denominator), left = pieces[piece][0], days_left[piece]
            room = _plus((usable_ml, _ONE), (-volume[0], volume[1]))
            # The whole days of this run that fit in the room left: floor(room / daily volume).
            fit = int(
                EXACT_CONTEXT.divide_int(
                    _multiply(room[0], denominator), _multiply(room[1], numerator)
                )
            )
            if most_days is not None:
                fit = min(fit, most_days - taken)
            fit = min(fit, left)
            if fit:
                volume = _plus(volume, (_multiply(numerator, fit), denominator))
                taken += fit
                day += fit
                days_left[piece] -= fit
            if days_left[piece]:
                break
            piece += 1
        if not taken:
            raise ValueError(f"a reservoir holds no day from day {first} (not validated?)")
        spans.append((first, taken, volume))
    return spans


def _plus(a: Ratio, b: Ratio) -> Ratio:
    """Return a + b as one ratio (kept over one denominator when they share it)."""
    return sum_ratios([(a, 1), (b, 1)])


def _reservoir(
    number: int,
    first_day: int,
    days: int,
    fill: Ratio,
    bud: int | None,
    lead: int,
    start: date | None,
) -> Reservoir:
    last_day = first_day + days - 1
    fill_day = first_day - lead
    beyond_use_day = None if bud is None else fill_day + bud

    def dated(day: int | None) -> date | None:
        if start is None or day is None:
            return None
        return start + timedelta(days=day - 1)

    return Reservoir(
        number=number,
        first_day=first_day,
        last_day=last_day,
        fill_volume_ml=exact_divide(*fill),
        fill_day=fill_day,
        beyond_use_day=beyond_use_day,
        first_date=dated(first_day),
        last_date=dated(last_day),
        fill_date=dated(fill_day),
        beyond_use_date=dated(beyond_use_day),
    )


def _worksheet(
    result: DoseResult,
    stock: StockProduct,
    reservoirs: list[Reservoir],
    fill_ratios: list[Ratio],
) -> Worksheet:
    target = result.drug.concentration
    target_amount, target_ml = concentration_ratio(target)
    stock_amount, stock_ml = concentration_ratio(stock.concentration)
    package_ml = stock.package_volume.canonical_value
    lines = []
    for reservoir, (fill_numerator, fill_denominator) in zip(reservoirs, fill_ratios, strict=True):
        # stock volume = target concentration x fill volume / stock concentration, one ratio.
        numerator = _multiply(_multiply(target_amount, stock_ml), fill_numerator)
        denominator = _multiply(_multiply(target_ml, stock_amount), fill_denominator)
        whole, left = EXACT_CONTEXT.divmod(numerator, _multiply(denominator, package_ml))
        containers = int(whole) + (1 if left else 0)
        # What the opened containers hold beyond the stock drawn up stays in the last one.
        waste = (
            EXACT_CONTEXT.subtract(
                _multiply(_multiply(package_ml, containers), denominator), numerator
            ),
            denominator,
        )
        # diluent = fill volume - stock volume, over the same denominator.
        fill_over_denominator = _multiply(_multiply(fill_numerator, target_ml), stock_amount)
        diluent = EXACT_CONTEXT.subtract(fill_over_denominator, numerator)
        lines.append(
            WorksheetLine(
                reservoir=reservoir.number,
                fill_volume_ml=exact_divide(fill_numerator, fill_denominator),
                stock_volume_ml=exact_divide(numerator, denominator),
                diluent_volume_ml=exact_divide(diluent, denominator),
                containers=containers,
                waste_volume_ml=exact_divide(*waste),
                waste_amount=exact_divide(
                    _multiply(waste[0], stock_amount), _multiply(waste[1], stock_ml)
                ),
            )
        )
    return Worksheet(stock=stock, target_concentration=target, lines=tuple(lines))


def _sum(values) -> Decimal:
    """Return the exact sum of Decimals (the thread's context would round past 28 digits)."""
    total = _ZERO
    for value in values:
        total = EXACT_CONTEXT.add(total, value)
    return total


# --- The work, as the pharmacist writes it ------------------------------------------------


def dispensing_steps(plan: DispensingPlan) -> list[str]:
    """Return the plan as written on paper, one line per step (seed: "5 mg/hr / 25 mg/mL =
    0.2 mL/hr", "100 mL - 0 mL priming = 100 mL; 100 mL / 4.8 mL/day = ~20.833333 -> 20 whole
    days", "20 days x 4.8 mL/day = 96 mL", ...)."""
    titrated = bool(plan.rate_runs)
    steps = _titrated_pump_steps(plan) if titrated else _pump_steps(plan.result, plan.pump)
    if not plan.reservoirs:
        return steps
    steps.extend(_titrated_reservoir_steps(plan) if titrated else _reservoir_steps(plan))
    if plan.worksheet is not None:
        steps.extend(_worksheet_steps(plan, plan.worksheet))
    return steps


def _titrated_pump_steps(plan: DispensingPlan) -> list[str]:
    """Return each run's pump steps, marked with its first date ("from 2026-01-11: 7 mg/hr /
    25 mg/mL = 0.28 mL/hr"); a run's bolus only when it changes the bolus."""
    steps, bolus_before = [], None
    for run in plan.rate_runs:
        drug = run.result.drug
        bolus = (drug.bolus, drug.boluses_per_day)
        with_bolus = run is plan.rate_runs[0] or bolus != bolus_before
        bolus_before = bolus
        since = f"from {run.start.isoformat()}: "
        steps.extend(since + step for step in _pump_steps(run.result, run.pump, with_bolus))
    return steps


def _pump_steps(result: DoseResult, pump: PumpProgram, with_bolus: bool = True) -> list[str]:
    drug = result.drug
    rate = drug.rate
    rate_word = _unit_word(rate.numerator)
    time_unit = rate.per[-1][1]
    steps = []
    if len(rate.per) == 2:
        assert drug.weight is not None
        per_time = _multiply(rate.value, weight_in(drug.weight, rate.per[0][1]))
        steps.append(f"{rate} x {drug.weight} = {readable(per_time)} {rate_word}/{time_unit}")
    else:
        per_time = rate.value
    while_infusing = " while infusing" if pump.while_infusing else ""
    numerator, denominator = _hourly_amount_ratio(result)
    per_hour = exact_divide(numerator, _multiply(denominator, factor(rate.numerator)))
    per_time_text = f"{readable(per_time)} {rate_word}/{time_unit}"
    per_hour_text = f"{readable(per_hour)} {rate_word}/hr"
    if is_per_day(rate):
        steps.append(
            f"{per_time_text} over {readable(result.hours_per_day)} hr/day = "
            f"{per_hour_text}{while_infusing}"
        )
    elif factor(time_unit) != factor("hr"):
        steps.append(f"{per_time_text} = {per_hour_text}")
    rate_ml = _ml(pump.rate_ml_per_hr) + "/hr"
    if rate.dimension == VOLUME:
        if rate.numerator != "mL":
            steps.append(f"{per_hour_text} = {rate_ml}{while_infusing}")
        elif not steps:
            steps.append(f"{rate_ml}, ordered in mL")
    else:
        unit, word = _amount_unit(drug.concentration)
        if factor(unit) != factor(rate.numerator):
            per_hour = exact_divide(numerator, _multiply(denominator, factor(unit)))
            converted = f"{readable(per_hour)} {word}/hr"
            steps.append(f"{per_hour_text} = {converted}")
            per_hour_text = converted
        steps.append(
            f"{per_hour_text} / {_concentration_text(drug.concentration)} = "
            f"{rate_ml}{while_infusing}"
        )
    bolus = drug.bolus
    if with_bolus and bolus is not None and pump.bolus_volume_ml is not None:
        bolus_ml = _ml(pump.bolus_volume_ml)
        if bolus.dimension == VOLUME:
            if bolus.numerator == "mL":
                steps.append(f"bolus {bolus}, given in mL")
            else:
                steps.append(f"bolus {bolus} = {bolus_ml}")
        else:
            unit, word = _amount_unit(drug.concentration)
            bolus_text = str(bolus)
            if factor(unit) != factor(bolus.numerator):
                in_unit = exact_divide(bolus.canonical_value, factor(unit))
                bolus_text = f"{readable(in_unit)} {word}"
                steps.append(f"bolus {bolus} = {bolus_text}")
            steps.append(
                f"bolus {bolus_text} / {_concentration_text(drug.concentration)} = {bolus_ml}"
            )
        if drug.lockout is not None:
            most = boluses_a_lockout_allows(drug.lockout)
            steps.append(f"lockout {drug.lockout} between boluses: at most {most} a day")
    return steps


def _reservoir_steps(plan: DispensingPlan) -> list[str]:
    result, dispensing = plan.result, plan.dispensing
    reservoir = dispensing.reservoir_volume
    assert reservoir is not None and plan.days_by_volume is not None
    assert plan.days_per_reservoir is not None
    daily = f"{readable(result.daily_volume_ml)} mL/day"
    priming_ml = plan.priming_volume_ml
    reservoir_ml = reservoir.canonical_value
    reservoir_text = _ml(reservoir_ml)
    if reservoir.numerator != "mL":
        reservoir_text += f" ({reservoir})"
    usable = EXACT_CONTEXT.subtract(reservoir_ml, priming_ml)
    numerator, denominator = result.daily_volume_ratio
    quotient = exact_divide(_multiply(usable, denominator), numerator)
    by_volume = plan.days_by_volume
    whole = (
        f"{by_volume} whole days"
        if quotient == by_volume
        else f"{readable(quotient)} -> {by_volume} whole {'day' if by_volume == 1 else 'days'}"
    )
    if quotient == by_volume and by_volume == 1:
        whole = "1 whole day"
    steps = [
        f"{reservoir_text} - {_ml(priming_ml)} priming = {_ml(usable)}; "
        f"{_ml(usable)} / {daily} = {whole}"
    ]
    bud, lead = dispensing.beyond_use_days, dispensing.fill_lead_days
    per_reservoir = plan.days_per_reservoir
    if bud is not None:
        limit = f"{bud} beyond-use days"
        if lead:
            limit = f"{_days(bud - lead)} of use"
            steps.append(f"{bud} beyond-use days - {_days(lead)} filled ahead = {limit}")
        compared = ">" if by_volume > per_reservoir else "<="
        steps.append(
            f"{_days(by_volume)} {compared} {limit} -> {_days(per_reservoir)} per reservoir"
        )
    count = len(plan.reservoirs)
    full, rest = divmod(result.days, per_reservoir)
    parts = (
        [f"{full} x {_days(per_reservoir)}" if full > 1 else _days(per_reservoir)] if full else []
    )
    parts += [_days(rest)] if rest else []
    steps.append(
        f"{_days(result.days)} / {_days(per_reservoir)} per reservoir -> "
        f"{count} {'reservoir' if count == 1 else 'reservoirs'}: {' + '.join(parts)}"
    )
    for each in plan.reservoirs:
        priming = f" + {_ml(priming_ml)} priming" if priming_ml else ""
        steps.append(
            f"reservoir {each.number}: {_days(each.days)} x {daily}{priming} = "
            f"{_ml(each.fill_volume_ml)}"
        )
        steps.append(f"reservoir {each.number}: {_schedule_text(each, bud)}")
    dispensed = plan.dispensed_volume_ml
    administered = plan.administered_volume_ml
    assert dispensed is not None and plan.waste_volume_ml is not None
    fills = " + ".join(_ml(each.fill_volume_ml) for each in plan.reservoirs)
    steps.append(f"{fills} = {_ml(dispensed)} dispensed" if count > 1 else "")
    steps.append(f"{daily} x {_days(result.days)} = {_ml(administered)} administered")
    if plan.waste_volume_ml:
        steps.append(
            f"{_ml(dispensed)} dispensed - {_ml(administered)} administered = "
            f"{_ml(plan.waste_volume_ml)} of priming, not administered"
        )
    return [step for step in steps if step]


def _titrated_reservoir_steps(plan: DispensingPlan) -> list[str]:
    """Return the reservoirs of a titrated drug: each day holds its run's daily volume, and a
    reservoir takes the most whole days from its first day that fit (priming included) and,
    with beyond-use days, that it may be used ("reservoir 1: 10 days x 4.8 mL/day + 7 days x
    6.72 mL/day = 95.04 mL; one day more: 101.76 mL > 100 mL")."""
    dispensing, priming_ml = plan.dispensing, plan.priming_volume_ml
    reservoir = dispensing.reservoir_volume
    assert reservoir is not None
    reservoir_ml = reservoir.canonical_value
    reservoir_text = _ml(reservoir_ml) + ("" if reservoir.numerator == "mL" else f" ({reservoir})")
    steps = [
        f"{_day_span(run.first_day, run.last_day)} ({_date_span(run.start, run.end)}): "
        f"{readable(run.result.daily_volume_ml)} mL/day"
        for run in plan.rate_runs
    ]
    bud, lead = dispensing.beyond_use_days, dispensing.fill_lead_days
    most_days = None if bud is None else bud - lead
    if bud is not None and lead:
        steps.append(
            f"{bud} beyond-use days - {_days(lead)} filled ahead = {_days(most_days)} of use"
        )
    steps.append(
        f"each reservoir: the most whole days that fit in {reservoir_text}"
        + (f" with {_ml(priming_ml)} priming" if priming_ml else "")
        + ("" if most_days is None else f", at most {_days(most_days)}")
    )
    for each in plan.reservoirs:
        parts = []
        for run in plan.runs_of(each):
            days = min(run.last_day, each.last_day) - max(run.first_day, each.first_day) + 1
            parts.append(f"{_days(days)} x {readable(run.result.daily_volume_ml)} mL/day")
        priming = f" + {_ml(priming_ml)} priming" if priming_ml else ""
        step = f"reservoir {each.number}: {' + '.join(parts)}{priming} = {_ml(each.fill_volume_ml)}"
        next_day = each.last_day + 1
        if next_day <= plan.result.days:
            if most_days is not None and each.days == most_days:
                step += f"; {_days(most_days)} of use reached"
            else:
                (run,) = (r for r in plan.rate_runs if r.first_day <= next_day <= r.last_day)
                more = EXACT_CONTEXT.add(each.fill_volume_ml, run.result.daily_volume_ml)
                step += f"; one day more: {_ml(more)} > {_ml(reservoir_ml)}"
        steps.append(step)
        steps.append(f"reservoir {each.number}: {_schedule_text(each, bud)}")
    dispensed, administered = plan.dispensed_volume_ml, plan.administered_volume_ml
    assert dispensed is not None
    if len(plan.reservoirs) > 1:
        fills = " + ".join(_ml(each.fill_volume_ml) for each in plan.reservoirs)
        steps.append(f"{fills} = {_ml(dispensed)} dispensed")
    runs = " + ".join(
        f"{readable(run.result.daily_volume_ml)} mL/day x {_days(run.last_day - run.first_day + 1)}"
        for run in plan.rate_runs
    )
    steps.append(f"{runs} = {_ml(administered)} administered")
    if plan.waste_volume_ml:
        steps.append(
            f"{_ml(dispensed)} dispensed - {_ml(administered)} administered = "
            f"{_ml(plan.waste_volume_ml)} of priming, not administered"
        )
    return steps


def _schedule_text(reservoir: Reservoir, bud: int | None) -> str:
    """Return "days 1-14 (2026-01-01 to 2026-01-14), filled 2026-01-01; 2026-01-01 + 14 days =
    beyond-use date 2026-01-15" (days numbered when the start is not known)."""
    days = (
        f"day {reservoir.first_day}"
        if reservoir.days == 1
        else f"days {reservoir.first_day}-{reservoir.last_day}"
    )
    if reservoir.first_date is not None:
        days += (
            f" ({reservoir.first_date.isoformat()})"
            if reservoir.days == 1
            else f" ({reservoir.first_date.isoformat()} to {_iso(reservoir.last_date)})"
        )
        filled = _iso(reservoir.fill_date)
        beyond = _iso(reservoir.beyond_use_date)
    else:
        filled = f"day {reservoir.fill_day}"
        beyond = f"day {reservoir.beyond_use_day}"
    text = f"{days}, filled {filled}"
    if reservoir.first_date is None and reservoir.fill_day < 1:
        before = 1 - reservoir.fill_day
        text += f" ({'the day' if before == 1 else f'{before} days'} before day 1)"
    if bud is not None:
        text += f"; {filled} + {_days(bud)} = beyond-use date {beyond}"
    return text


def _worksheet_steps(plan: DispensingPlan, worksheet: Worksheet) -> list[str]:
    target = _concentration_text(worksheet.target_concentration)
    stock = _concentration_text(worksheet.stock.concentration)
    package_ml = _ml(worksheet.stock.package_volume.canonical_value)
    unit, word = _amount_unit(worksheet.target_concentration)
    steps = []
    for line in worksheet.lines:
        label = f"reservoir {line.reservoir}"
        stock_ml = _ml(line.stock_volume_ml)
        steps.append(
            f"{label}: {target} x {_ml(line.fill_volume_ml)} / {stock} = {stock_ml} of stock"
        )
        steps.append(
            f"{label}: {_ml(line.fill_volume_ml)} - {stock_ml} = "
            f"{_ml(line.diluent_volume_ml)} of diluent"
        )
        quotient = exact_divide(
            line.stock_volume_ml, worksheet.stock.package_volume.canonical_value
        )
        opened = f"{line.containers} {'container' if line.containers == 1 else 'containers'}"
        steps.append(
            f"{label}: {stock_ml} / {package_ml} per container = "
            + (opened if quotient == line.containers else f"{readable(quotient)} -> {opened}")
        )
        if line.waste_volume_ml:
            amount = exact_divide(line.waste_amount, factor(unit))
            steps.append(
                f"{label}: {line.containers} x {package_ml} - {stock_ml} = "
                f"{_ml(line.waste_volume_ml)} ({readable(amount)} {word}) left in the last "
                "container: waste"
            )
        else:
            steps.append(f"{label}: the opened containers are used up: no waste")
    return steps


def _day_span(first: int, last: int) -> str:
    return f"day {first}" if first == last else f"days {first}-{last}"


def _date_span(first: date, last: date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"


def _ml(value: Decimal) -> str:
    return f"{readable(value)} mL"


def _days(count: int) -> str:
    return f"{count} {'day' if count == 1 else 'days'}"


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _iso(day: date | None) -> str:
    return "" if day is None else day.isoformat()


def _unit_word(symbol: str) -> str:
    return "units" if symbol in {"unit", "units", "IU"} else symbol


def _amount_unit(concentration: Measure) -> tuple[str, str]:
    """Return the unit a concentration's amount is in, and its word (0.25 % -> mg)."""
    unit = "mg" if concentration.dimension == PERCENT else concentration.numerator
    return unit, _unit_word(unit)


def _concentration_text(concentration: Measure) -> str:
    """Return a concentration per mL, with its label form when that differs (2.5 mg/mL (0.25 %),
    20 mg/mL (500 mg in 25 mL))."""
    unit, word = _amount_unit(concentration)
    amount, volume_ml = concentration_ratio(concentration)
    per_ml = exact_divide(amount, _multiply(volume_ml, factor(unit)))
    text = f"{readable(per_ml)} {word}/mL"
    return text if str(concentration) == text else f"{text} ({concentration})"


__all__ = [
    "DEA_SCHEDULES",
    "MAX_BEYOND_USE_DAYS",
    "SCHEDULE_II",
    "STORAGE_INSTRUCTIONS",
    "STORAGE_LABELS",
    "DispensingInput",
    "DispensingPlan",
    "PumpProgram",
    "RateRun",
    "Reservoir",
    "StockProduct",
    "Storage",
    "Worksheet",
    "WorksheetLine",
    "dispensing_plan",
    "dispensing_steps",
    "pump_program",
    "validate_dispensing",
]
