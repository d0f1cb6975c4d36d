"""Benchmark the calculator engine against a plain-Decimal reimplementation of its formulas.

Run from the project root:  python bench/engine.py [--orders N] [--repeat R] [--seed S]
                            [--profile] [--profile-full] [--split]

It generates varied, valid orders deterministically, checks that a plain-`Decimal` version of
the same formulas bills exactly the same drug-line units and NDC quantities as the engine, then
times three things over every order (best of R repetitions after a warm-up pass):

  ENGINE  `engine.calculate(order, policy)` on inputs parsed once before timing (the goal's
          number: the engine should stay within 3x of PLAIN);
  FULL    `engine.calculate_request(request, catalog)`, text parsing included (issue 9's goal:
          within 10x of PLAIN+PUMP);
  PLAIN   the formulas written out with bare Decimals from pre-extracted Decimal inputs: each
          drug's daily and total dose and volume and each segment's billed units and NDC
          quantity, which is what ENGINE works out;
  PLAIN+PUMP  the same, plus each drug's pump program (the rate in mL/hr while infusing and the
          bolus in mL), which is what FULL works out besides: since issue 10 every request's
          calculation has each drug's pump program (calculate_request passes a dispensing part
          per drug), so FULL is held to the plain version of the same work. Both FULL ratios
          are printed.

Generated concentrations always have a terminating amount per mL (the Y of "X mg/Y mL" divides
a power of ten) and mg/day rates are multiples of 1.5 mg, so the plain version's per-hour rate
and per-mL concentration are exact and it, like the engine, divides only once per result; it
divides at the engine's 60 digits, so a quotient that never ends is the same Decimal in both.
A drug the engine would refuse as a unit slip (over 100 L a day) is drawn again.
No Django set-up is needed: the engine is pure Python.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import random
import sys
import time
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from calculator import engine  # noqa: E402
from calculator.domain import dosing  # noqa: E402

GOAL_RATIO = 3
FULL_GOAL_RATIO = 10
# The engine divides to 60 significant digits; PLAIN divides in a context of the same precision,
# so that a quotient that never ends (166.9511 mg / 4.199 mg/mL) is the same Decimal in both.
EXACT_DIGITS = 60
ONE = Decimal(1)
THOUSANDTH = Decimal("0.001")

# Canonical amount per unit the generator may type (mass in mg, activity in units).
AMOUNT_FACTOR = {"mg": Decimal(1), "mcg": Decimal("0.001"), "units": Decimal(1)}
# A rate per time unit -> per hour: (multiply by, divide by); 5 mg/min = 300 mg/hr.
PER_HOUR = {"hr": (1, 1), "min": (60, 1), "day": (1, 24)}
# Volumes whose reciprocal terminates, so "X mg/Y mL" is an exact amount per mL.
EXACT_VOLUMES = (1, 2, 4, 5, 8, 10, 20, 25, 40, 50, 100, 250, 500)
NDCS = ("00074-1133-03", "00409-1890-01", "0641-6125-25", "63323-454-01", "00143-9581-1")
J2270_UNIT = Decimal(10)  # "10 mg", the J2270 descriptor unit


# --- Generating orders ---------------------------------------------------------------------


def number(rng: random.Random, low: int, high: int, places: int) -> Decimal:
    """Return a random decimal from low/10**places to high/10**places in steps of 10**-places."""
    return Decimal(rng.randint(low, high)).scaleb(-places)


def text(value: Decimal) -> str:
    """Return a Decimal as plain text with no exponent ("0.05", "120")."""
    return format(value, "f")


def _mass_rate(rng: random.Random) -> tuple[str, Decimal, dict]:
    """Return (rate text, amount per hour in mg, extra drug fields) for a mass dose rate."""
    kind = rng.choice(("mg/hr", "mcg/hr", "mg/min", "mg/day", "mg/kg/hr"))
    if kind == "mg/hr":
        value = number(rng, 1, 500, 1)
    elif kind == "mcg/hr":
        value = number(rng, 1, 4000, rng.choice((0, 1)))
    elif kind == "mg/min":
        value = number(rng, 1, 200, 2)
    elif kind == "mg/day":
        value = Decimal("1.5") * rng.randint(1, 200)
    else:
        value = number(rng, 5, 500, 3)
        weight = number(rng, 30, 1500, 1)
        per_hour = value * weight
        return f"{text(value)} {kind}", per_hour, {"weight": f"{text(weight)} kg"}
    amount, _, time_unit = kind.partition("/")
    times, divided_by = PER_HOUR[time_unit]
    per_hour = value * AMOUNT_FACTOR[amount] * times / divided_by  # mg/day: 1.5 k / 24 is exact
    return f"{text(value)} {kind}", per_hour, {}


def _mass_concentration(rng: random.Random) -> tuple[str, Decimal]:
    """Return (concentration text, mg per mL), written one of the five ways a label prints it."""
    kind = rng.choice(("mg/mL", "mcg/mL", "mg/Y mL", "mg in Y mL", "%"))
    if kind == "mg/mL":
        value = number(rng, 5, 1000, 1)
        return f"{text(value)} mg/mL", value
    if kind == "mcg/mL":
        value = number(rng, 1, 5000, 0)
        return f"{text(value)} mcg/mL", value * AMOUNT_FACTOR["mcg"]
    if kind == "%":
        value = number(rng, 1, 200, 2)
        return f"{text(value)} %", value * 10  # % w/v: g per 100 mL = 10 mg/mL per 1 %
    amount = number(rng, 1, 2000, rng.choice((0, 1)))
    volume = Decimal(rng.choice(EXACT_VOLUMES))
    joiner = "/" if kind == "mg/Y mL" else " in "
    return f"{text(amount)} mg{joiner}{volume} mL", amount / volume


def _units_concentration(rng: random.Random) -> tuple[str, Decimal]:
    if rng.random() < 0.7:
        value = number(rng, 1, 10000, 0)
        return f"{text(value)} units/mL", value
    amount = number(rng, 100, 50000, 0)
    volume = Decimal(rng.choice(EXACT_VOLUMES))
    return f"{text(amount)} units/{volume} mL", amount / volume


def generate_drug(rng: random.Random, profile: str) -> tuple[dict, tuple]:
    """Return (request drug dict, plain inputs) for one random drug of an order."""
    mass = rng.random() < 0.8
    volume_rate = rng.random() < 0.2
    fields: dict = {}
    if mass:
        concentration, per_ml = _mass_concentration(rng)
    else:
        concentration, per_ml = _units_concentration(rng)
    if volume_rate:
        value = number(rng, 1, 300, rng.choice((0, 1)))
        rate, per_hour = f"{text(value)} mL/hr", value
    elif mass:
        rate, per_hour, fields = _mass_rate(rng)
    else:
        value = number(rng, 1, 5000, rng.choice((0, 1)))
        rate, per_hour = f"{text(value)} units/hr", value

    bolus = Decimal(0)
    bolus_in_ml = False
    boluses = 0
    if rng.random() < 0.3:  # PCA bolus
        boluses = rng.randint(1, 24)
        choice = rng.random()
        if choice < 0.3:
            bolus, bolus_in_ml = number(rng, 1, 50, 1), True
            fields["bolus"] = f"{text(bolus)} mL"
        elif mass and choice < 0.5:
            dose = number(rng, 5, 500, 0)
            bolus = dose * AMOUNT_FACTOR["mcg"]
            fields["bolus"] = f"{text(dose)} mcg"
        elif mass:
            bolus = number(rng, 1, 50, 1)
            fields["bolus"] = f"{text(bolus)} mg"
        else:
            bolus = number(rng, 1, 500, 0)
            fields["bolus"] = f"{text(bolus)} units"
        fields["boluses_per_day"] = boluses

    unit_size = None
    if mass and rng.random() < 0.3:
        fields["hcpcs"] = "J2270"
        fields["hcpcs_unit"] = "10 mg"
        if profile == "STANDARD":  # HMSA codes every drug J3490
            unit_size = J2270_UNIT

    drug = {
        "name": f"Drug {rng.randint(1, 999)}",
        "ndc": rng.choice(NDCS),
        "rate": rate,
        "concentration": concentration,
        **fields,
    }
    # A rate ordered per day is the daily amount, whatever the hours of infusion.
    per_day = rate.endswith("/day")
    plain = (per_hour, volume_rate, per_ml, bolus, bolus_in_ml, boluses, unit_size, per_day)
    return drug, plain


FULL_DAY = Decimal(24)


def month_days(start: date, end: date) -> tuple[int, ...]:
    """Return the days in each calendar month of start..end (Jan 17-Feb 16 -> (15, 16))."""
    counts, day = [], start
    while day <= end:
        next_month = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        last = min(end, next_month - timedelta(days=1))
        counts.append((last - day).days + 1)
        day = last + timedelta(days=1)
    return tuple(counts)


def generate_order(rng: random.Random) -> tuple[dict, tuple]:
    """Return (request dict, plain inputs) for one random valid order."""
    profile = rng.choice(("HMSA", "STANDARD"))
    hours = Decimal(24) if rng.random() < 0.6 else Decimal(rng.randint(1, 95)) / 4
    days = rng.randint(1, 62)
    request: dict = {
        "profile": profile,
        "hours_per_day": text(hours),
        "therapy": "continuous" if hours == 24 else "intermittent",
    }
    daily_scope = rng.random() < 0.25
    if daily_scope:
        request["policy"] = {"rounding_scope": "daily"}
    if rng.random() < 0.4:
        start = date(2024, 1, 1) + timedelta(days=rng.randint(0, 3 * 365))
        end = start + timedelta(days=days - 1)
        request["start"], request["end"] = start.isoformat(), end.isoformat()
        segments = month_days(start, end) if profile == "STANDARD" else (days,)
    else:
        request["days"] = days
        segments = (days,)
    drugs, plain_drugs = [], []
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
        drug, plain = generate_drug(rng, profile)
        while not plausible(hours, plain):  # the engine refuses these as unit slips
            drug, plain = generate_drug(rng, profile)
        drugs.append(drug)
        plain_drugs.append(plain)
    request["drugs"] = drugs
    rounding = ROUND_HALF_UP if profile == "HMSA" else ROUND_CEILING
    plain = (hours, days, segments, rounding, daily_scope, tuple(plain_drugs))
    return request, plain


def plausible(hours: Decimal, drug: tuple) -> bool:
    """Return whether a drug's daily dose and volume are within the engine's bounds (a low
    concentration at a high rate, 2 mg/min of 1 mcg/mL, would be a unit slip)."""
    with localcontext(prec=EXACT_DIGITS):
        (daily_dose, daily_volume, *_), *_ = plain_calculate(
            (hours, 1, (1,), ROUND_CEILING, False, (drug,))
        )
    return daily_dose <= dosing.MAX_DAILY_DOSE and daily_volume <= dosing.MAX_DAILY_VOLUME_ML


def generate(count: int, seed: int) -> tuple[list[dict], list[tuple]]:
    rng = random.Random(seed)
    pairs = [generate_order(rng) for _ in range(count)]
    return [request for request, _ in pairs], [plain for _, plain in pairs]


# --- The same formulas with plain Decimals --------------------------------------------------


def plain_calculate(inputs: tuple, *, pumps: bool = False) -> list[tuple]:
    """Return per drug (daily dose, daily volume, total dose, total volume, segment lines), each
    segment line (per-diem units, drug units, NDC quantity), from pre-extracted Decimal inputs;
    with `pumps`, each drug's tuple ends with its pump program (rate in mL/hr while infusing,
    bolus in mL or None).

    Doses are in mg or units, volumes in mL. As in the engine, each volume is one division of
    an exact dose by the exact amount per mL, so nothing is rounded before billing. Call it in a
    context of EXACT_DIGITS precision, the engine's."""
    hours, days, segments, rounding, daily_scope, drugs = inputs
    out: list[tuple] = []
    for per_hour, volume_rate, per_ml, bolus, bolus_in_ml, boluses, unit_size, per_day in drugs:
        daily_dose = per_hour * (FULL_DAY if per_day else hours)
        if volume_rate:
            daily_dose *= per_ml
        if boluses:
            extra = bolus * boluses
            daily_dose += extra * per_ml if bolus_in_ml else extra
        daily_volume = daily_dose / per_ml
        total_dose = daily_dose * days
        total_volume = total_dose / per_ml
        if pumps:
            # The pump runs the ordered rate while infusing; a per-day rate's daily amount is
            # spread over the hours it runs. One division, as in the engine.
            if per_day:
                rate = per_hour * FULL_DAY / (hours if volume_rate else hours * per_ml)
            else:
                rate = per_hour if volume_rate else per_hour / per_ml
            pump = (rate, (bolus if bolus_in_ml else bolus / per_ml) if boluses else None)
        lines = []
        for segment in segments:
            if unit_size is not None:  # J-code: a partial descriptor unit bills as a whole one
                if daily_scope:
                    per_day = (daily_dose / unit_size).to_integral_value(ROUND_CEILING)
                    units = max(1, int(per_day)) * segment
                else:
                    amount = (daily_dose * segment / unit_size).to_integral_value(ROUND_CEILING)
                    units = max(1, int(amount))
            elif daily_scope:  # J3490 on mL, rounded per the policy
                units = max(1, int(daily_volume.to_integral_value(rounding))) * segment
            else:
                volume = daily_dose * segment / per_ml
                units = max(1, int(volume.to_integral_value(rounding)))
            quantity = (daily_dose * segment / per_ml).quantize(THOUSANDTH, ROUND_HALF_UP)
            lines.append((segment, units, quantity))
        if pumps:
            out.append((daily_dose, daily_volume, total_dose, total_volume, lines, *pump))
        else:
            out.append((daily_dose, daily_volume, total_dose, total_volume, lines))
    return out


# --- Checking and timing --------------------------------------------------------------------


def cross_check(requests: list[dict], parsed: list[tuple], plains: list[tuple]) -> None:
    """Fail loudly unless the plain version bills every order exactly as the engine does and
    programs every drug's pump as FULL's plans do."""
    for number_, (request, (order, policy), plain) in enumerate(
        zip(requests, parsed, plains, strict=True)
    ):
        calculation = engine.calculate(order, policy)
        full = engine.calculate_request(request, engine.EmptyCatalog())
        with localcontext(prec=EXACT_DIGITS):
            expected = plain_calculate(plain)
            pumps = [drug[5:] for drug in plain_calculate(plain, pumps=True)]

        def fail(what: str, *, request=request, number_=number_) -> None:
            raise AssertionError(f"order {number_}: {what}\nrequest: {request!r}")

        if full.lines != calculation.lines:
            fail("calculate_request and calculate disagree")
        programs = [(plan.pump.rate_ml_per_hr, plan.pump.bolus_volume_ml) for plan in full.plans]
        if programs != pumps:
            fail(f"pump programs {programs} != plain {pumps}")
        drug_lines = [line for line in calculation.lines if line.kind == "drug"]
        per_diem = [line for line in calculation.lines if line.kind == "per_diem"]
        if len(drug_lines) != sum(len(drug[4]) for drug in expected):
            fail(f"{len(drug_lines)} drug lines, plain expects another count")
        for result, (daily_dose, daily_volume, total_dose, total_volume, lines) in zip(
            calculation.results, expected, strict=True
        ):
            got = (
                result.daily_dose,
                result.daily_volume_ml,
                result.total_dose,
                result.total_volume_ml,
            )
            want = (daily_dose, daily_volume, total_dose, total_volume)
            if got != want:
                fail(f"drug {result.index}: engine doses {got} != plain {want}")
            mine = [line for line in drug_lines if line.drug_index == result.index]
            days = [line for line in per_diem if line.drug_index == result.index]
            if len(mine) != len(lines) or len(days) != len(lines):
                fail(f"drug {result.index}: {len(mine)} lines, plain has {len(lines)}")
            for line, diem, (segment, units, quantity) in zip(mine, days, lines, strict=True):
                if (line.units, line.ndc_quantity, diem.units) != (units, quantity, segment):
                    fail(
                        f"drug {result.index} {line.code} {line.start}-{line.end}: engine "
                        f"units {line.units}, NDC quantity {line.ndc_quantity}, per diem "
                        f"{diem.units}; plain {units}, {quantity}, {segment}"
                    )


def parse(request: dict, catalog) -> tuple:
    """Return (order, policy) from `engine.parse_request` (a ParsedRequest or a 3-tuple)."""
    parsed = engine.parse_request(request, catalog)
    if isinstance(parsed, tuple):
        return parsed[0], parsed[1]
    return parsed.order, parsed.policy


def best_of(repeat: int, run) -> float:
    run()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def print_split(requests: list[dict], catalog, repeat: int, full_s: float) -> None:
    """SPLIT: FULL's halves timed alone (READ: `parse_request`; CALC: the calculation of the
    parsed orders, dispensing parts included, as `calculate_request` makes it), then one after
    the other for each order, as FULL runs them. Their sum alone is the cost of the work; what
    FULL pays above it is what running the two halves in turn costs."""
    parse_request, calculate = engine.parse_request, engine.calculate
    parsed = [parse_request(request, catalog) for request in requests]
    pairs = list(zip(requests, parsed, strict=True))

    def calculate_parsed(p) -> None:
        calculate(
            p.order,
            p.policy,
            warnings=p.notices,
            dispensing=p.dispensing,
            medicare=p.medicare,
            secondary=p.secondary_policy,
            products=p.products,
        )

    def run_read() -> None:
        for request in requests:
            parse_request(request, catalog)

    def run_calc() -> None:
        for p in parsed:
            calculate_parsed(p)

    def run_both() -> None:
        for request, p in pairs:
            parse_request(request, catalog)
            calculate_parsed(p)

    n = len(requests)
    read_s, calc_s = best_of(repeat, run_read), best_of(repeat, run_calc)
    both_s = best_of(repeat, run_both)
    for name, seconds in (
        ("READ", read_s),
        ("CALC", calc_s),
        ("READ+CALC", read_s + calc_s),
        ("IN TURN", both_s),
        ("FULL", full_s),
    ):
        print(f"  {name:<10} {seconds * 1e6 / n:>8.2f} us/order")
    print(
        "SPLIT: READ and CALC timed alone add up to "
        f"{(read_s + calc_s) * 1e6 / n:.2f} us; one after the other for each order they take "
        f"{both_s * 1e6 / n:.2f} us ({both_s / (read_s + calc_s):.2f}x)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000, help="orders to generate")
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions (best is kept)")
    parser.add_argument("--seed", type=int, default=20260101, help="random seed")
    parser.add_argument(
        "--profile", action="store_true", help="also profile ENGINE (cProfile, top 15 tottime)"
    )
    parser.add_argument(
        "--profile-full", action="store_true", help="also profile FULL (cProfile, top 15 tottime)"
    )
    parser.add_argument(
        "--split",
        action="store_true",
        help="also time FULL's two halves alone and one after the other (see SPLIT below)",
    )
    args = parser.parse_args(argv)

    requests, plains = generate(args.orders, args.seed)
    catalog = engine.EmptyCatalog()
    parsed = []
    for number_, request in enumerate(requests):
        try:
            parsed.append(parse(request, catalog))
        except Exception as error:
            raise AssertionError(f"order {number_} is invalid: {error}\n{request!r}") from error
    cross_check(requests, parsed, plains)

    calculate, calculate_request = engine.calculate, engine.calculate_request

    def run_engine() -> None:
        for order, policy in parsed:
            calculate(order, policy)

    def run_full() -> None:
        for request in requests:
            calculate_request(request, catalog)

    def run_plain() -> None:
        with localcontext(prec=EXACT_DIGITS):
            for inputs in plains:
                plain_calculate(inputs)

    def run_plain_pump() -> None:
        with localcontext(prec=EXACT_DIGITS):
            for inputs in plains:
                plain_calculate(inputs, pumps=True)

    engine_s = best_of(args.repeat, run_engine)
    full_s = best_of(args.repeat, run_full)
    plain_s = best_of(args.repeat, run_plain)
    plain_pump_s = best_of(args.repeat, run_plain_pump)

    n = len(requests)
    drugs = sum(len(order.drugs) for order, _ in parsed)
    lines = sum(len(segments) * len(drug_inputs) for _, _, segments, _, _, drug_inputs in plains)
    ratio = engine_s / plain_s
    print(
        f"orders: {n} ({drugs} drugs, {lines} drug lines), seed {args.seed}, best of {args.repeat}"
    )
    print(
        "cross-check: plain drug-line units and NDC quantities equal the engine's; plain pump "
        "programs equal FULL's"
    )
    timed = (
        ("ENGINE", engine_s),
        ("FULL", full_s),
        ("PLAIN", plain_s),
        ("PLAIN+PUMP", plain_pump_s),
    )
    for name, seconds in timed:
        print(
            f"  {name:<10} {n / seconds:>10,.0f} orders/s  {seconds * 1e6 / n:>8.2f} us/order"
            f"  ({seconds:.3f} s)"
        )
    full_ratio = full_s / plain_pump_s
    print(
        f"ENGINE / PLAIN = {ratio:.2f}x   FULL / PLAIN+PUMP = {full_ratio:.2f}x   "
        f"(FULL / PLAIN = {full_s / plain_s:.2f}x)"
    )
    met = "MET" if ratio <= GOAL_RATIO else "NOT MET"
    print(f"goal: engine within {GOAL_RATIO}x of plain -> {met} ({ratio:.2f}x)")
    full_met = "MET" if full_ratio <= FULL_GOAL_RATIO else "NOT MET"
    print(f"goal: FULL within {FULL_GOAL_RATIO}x of plain+pump -> {full_met} ({full_ratio:.2f}x)")
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.platform()}, {platform.machine()}, cpu_count={os.cpu_count()}"
    )

    if args.split:
        print()
        print_split(requests, catalog, args.repeat, full_s)

    for wanted, run in ((args.profile, run_engine), (args.profile_full, run_full)):
        if wanted:
            profiler = cProfile.Profile()
            profiler.enable()
            run()
            profiler.disable()
            print()
            pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
