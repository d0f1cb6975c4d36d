"""Strict reading of pharmacy quantities ("5 mg/hr", "0.25 %", "500 mg in 20 mL").

User text never reaches pint's free-text parser: pint reads "5 ML" as five megalitres,
"1 000 mL" as 0 mL and "5,5 mg" as 55 mg. A quantity here is a plain decimal number followed by
units from a fixed, case-sensitive list; anything else is a `QuantityError` whose message says
what to type instead. pint supplies the conversion factors (each computed once and cached), so
the arithmetic on the hot path is plain `Decimal`. A quantity typed as most are ("12.5 mg/hr") is
split into its number and unit part by a few string tests, any other plain one by one pattern,
and each distinct unit part ("mg/100 mL") is read once and remembered with its factors
(docs/performance.md, "FULL: reading the request's text").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Context, Decimal
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from calculator.domain.records import dict_setter

if TYPE_CHECKING:
    from pint import UnitRegistry

MASS = "mass"
VOLUME = "volume"
TIME = "time"
ACTIVITY = "activity"
EQUIVALENT = "equivalent"
PERCENT = "percent"

# symbol -> (dimension, pint unit name). The only units a user may type, case-sensitive.
UNITS: dict[str, tuple[str, str]] = {
    "mg": (MASS, "milligram"),
    "mcg": (MASS, "microgram"),
    "g": (MASS, "gram"),
    "kg": (MASS, "kilogram"),
    "mL": (VOLUME, "milliliter"),
    "L": (VOLUME, "liter"),
    "hr": (TIME, "hour"),
    "h": (TIME, "hour"),
    "min": (TIME, "minute"),
    "day": (TIME, "day"),
    "days": (TIME, "day"),
    "unit": (ACTIVITY, "international_unit"),
    "units": (ACTIVITY, "international_unit"),
    "IU": (ACTIVITY, "international_unit"),
    "mEq": (EQUIVALENT, "milliequivalent"),
    "%": (PERCENT, "percent"),
}

# Each dimension is carried in one unit whose conversions from the others are exact decimals.
# Time is carried in minutes, because 1 min = 1/60 hr has no exact decimal.
CANONICAL = {
    MASS: "milligram",
    VOLUME: "milliliter",
    TIME: "minute",
    ACTIVITY: "international_unit",
    EQUIVALENT: "milliequivalent",
    PERCENT: "percent",
}

# Spellings people type that are not accepted, and what to type instead.
SUGGESTIONS = {
    "cc": "mL",
    "ml": "mL",
    "mls": "mL",
    "ug": "mcg",
    "µg": "mcg",
    "μg": "mcg",
    "microgram": "mcg",
    "micrograms": "mcg",
    "milligram": "mg",
    "milligrams": "mg",
    "gm": "g",
    "gram": "g",
    "hour": "hr",
    "hours": "hr",
    "hrs": "hr",
    "mins": "min",
    "minute": "min",
    "minutes": "min",
    "U": "units",
    "u": "units",
    "iu": "IU",
    "meq": "mEq",
    "d": "day",
}
# Units that must be converted, not renamed: "did you mean kg?" after "70 lb" invites 70 kg.
CONVERSIONS = {
    "lb": "give the weight in kg (1 lb = 0.45359237 kg)",
    "lbs": "give the weight in kg (1 lb = 0.45359237 kg)",
}

# The units a patient weight is given in (and a weight-based rate is per).
WEIGHT_UNITS = frozenset({"kg", "g"})

MAX_INTEGER_DIGITS = 9
MAX_DECIMAL_PLACES = 6

# Exact arithmetic runs through this context's methods (EXACT_CONTEXT.divide(a, b)): the
# thread's default context has 28 digits, which would round, and a `localcontext()` around
# each division cost more than the division.
EXACT_CONTEXT = Context(prec=60)
_multiply = EXACT_CONTEXT.multiply
_new = object.__new__
# The factor of each canonical unit (mg, mL, units): one object, so that `factor is _ONE` tells a
# Measure whose canonical value is its value (exactly: a normalized 1 has exponent 0).
_ONE = Decimal(1)

# ASCII digits only: "\d" would also read Arabic-Indic or full-width digits, whose zero (U+0660)
# looks like a decimal point.
_NUMBER = r"[0-9]+(?:\.[0-9]+)?"
_NUMBER_AT_START = re.compile(_NUMBER)
# A number `_read_number` takes without a second look: at most MAX_INTEGER_DIGITS significant
# digits and MAX_DECIMAL_PLACES places, followed by nothing it would question (another digit
# or point, a comma, an "e" or "E", or a digit after spaces). Anything else takes the long way,
# which says what is wrong.
_PLAIN_NUMBER = re.compile(
    rf"\+?(0*[0-9]{{1,{MAX_INTEGER_DIGITS}}}(?:\.[0-9]{{1,{MAX_DECIMAL_PLACES}}})?)"
    r"(?![0-9.,eE]|\s+\d)"
)
# A whole quantity as most are typed ("5 mg/hr", "25 mg/mL", "0.25 %"): a number
# `_read_number` takes without a second look, then the unit part (a line break inside it is
# read as the long way reads it). Anything else takes the long way, which says what is wrong.
_PLAIN_QUANTITY = re.compile(_PLAIN_NUMBER.pattern + r"\s*(\S.*)", flags=re.DOTALL)
_THOUSANDS = re.compile(r",\d{3}(?!\d)")
_SPACED_DIGIT = re.compile(r"\s+\d")
_IN_FORM = re.compile(r"(\S+)\s+in\s+(.+)")
_NUMBER_OR_POINT = re.compile(r"[\d.]")
_UNIT_TOKEN = re.compile(r"(?:(" + _NUMBER + r")\s*)?([^\s/\d.][^\s/]*)")
_DURATION_PART = re.compile(r"(" + _NUMBER + r")\s*([A-Za-z]+)")


class QuantityError(ValueError):
    """A quantity the user typed cannot be read; the message says why and what to type."""


@cache
def registry() -> UnitRegistry:
    """Return the one pint registry of the process (Decimal magnitudes, pharmacy units defined)."""
    from pint import UnitRegistry

    ureg = UnitRegistry(non_int_type=Decimal)
    # pint's defaults are wrong for pharmacy: "unit" is a luminance unit and IU is undefined.
    ureg.define("international_unit = [biological_activity] = IU")
    ureg.define("equivalent = [substance_equivalent] = Eq")
    return ureg


@cache
def factor(symbol: str) -> Decimal:
    """Return how many canonical units one `symbol` is (mcg -> 0.001 mg, hr -> 60 min), via pint."""
    dimension, pint_name = UNITS[symbol]
    ureg = registry()
    converted = ureg.Quantity(Decimal(1), pint_name).to(CANONICAL[dimension]).magnitude
    result = Decimal(converted).normalize()
    return _ONE if result == _ONE else result  # the canonical units share one 1 (see _ONE)


def dimension_of(symbol: str) -> str:
    """Return the dimension of an accepted unit symbol (mg -> "mass")."""
    return UNITS[symbol][0]


@dataclass(frozen=True)
class Measure:
    """A number with a pharmacy unit, as typed: value `numerator` per each of `per`.

    "0.5 mg/kg/hr" is Measure(0.5, "mg", ((1, "kg"), (1, "hr")));
    "100 mg/100 mL" is Measure(100, "mg", ((100, "mL"),)); "0.25 %" is Measure(0.25, "%").

    Worked out once, when it is made: `dimension` ("mass") and `per_dimensions` (("mass",
    "time")); `canonical_value`, the value in its dimension's canonical unit (50 mcg -> 0.05
    mg), and `per_canonical`, each per's count in its canonical unit (/hr -> 60 min, /100 mL
    -> 100 mL).
    """

    value: Decimal
    numerator: str
    per: tuple[tuple[Decimal, str], ...] = ()
    joiner: str = "/"
    dimension: str = field(init=False, repr=False, compare=False)
    per_dimensions: tuple[str, ...] = field(init=False, repr=False, compare=False)
    canonical_value: Decimal = field(init=False, repr=False, compare=False)
    per_canonical: tuple[Decimal, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The engine reads these for every drug of every order: store them rather than work
        # them out each time (object.__setattr__ because the dataclass is frozen).
        multiply = EXACT_CONTEXT.multiply
        store = object.__setattr__
        store(self, "dimension", dimension_of(self.numerator))
        store(self, "per_dimensions", tuple(dimension_of(symbol) for _, symbol in self.per))
        store(self, "canonical_value", multiply(self.value, factor(self.numerator)))
        per_canonical = tuple(multiply(count, factor(symbol)) for count, symbol in self.per)
        store(self, "per_canonical", per_canonical)

    @classmethod
    def _of(cls, value: Decimal, units: UnitPart) -> Measure:
        """Return the Measure of `value` in an already read unit part, as the constructor
        would make it but without working the unit part's facts out again."""
        fields = units.measure_fields.copy()
        fields["value"] = value
        factor_ = units.factor  # a canonical unit's is _ONE: its value is its canonical value
        fields["canonical_value"] = value if factor_ is _ONE else _multiply(value, factor_)
        measure = _new(cls)
        _set_measure_fields(measure, fields)
        return measure

    def __str__(self) -> str:
        text = f"{format_decimal(self.value)} {self.numerator}"
        for count, symbol in self.per:
            if self.joiner == "in":
                text += f" in {format_decimal(count)} {symbol}"
            elif count == 1:
                text += f"/{symbol}"
            else:
                text += f"/{format_decimal(count)} {symbol}"
        return text

    def to_pint(self):
        """Return the same quantity as a pint Quantity (for callers that want pint's algebra)."""
        ureg = registry()
        quantity = ureg.Quantity(self.value, UNITS[self.numerator][1])
        for count, symbol in self.per:
            quantity = quantity / ureg.Quantity(count, UNITS[symbol][1])
        return quantity


# A Measure's fields set at once as its __dict__ (a frozen class refuses its own __setattr__).
_set_measure_fields = dict_setter(Measure)


def format_decimal(value: Decimal, places: int | None = None) -> str:
    """Return a Decimal as plain text with no exponent or trailing zeros (1E+3 -> "1000")."""
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places))
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"", "-0"} else text


def _unit_message(token: str) -> str:
    """Return the message for a unit that is not on the list, with a suggestion when one fits."""
    if token in CONVERSIONS:
        return f'"{token}" is not a unit here; {CONVERSIONS[token]}'
    suggestion = SUGGESTIONS.get(token)
    if suggestion is None:
        lowered = {symbol.lower(): symbol for symbol in UNITS}
        suggestion = lowered.get(token.lower())
    hint = f"; did you mean {suggestion}?" if suggestion else ""
    accepted = "mg, mcg, g, kg, mL, L, hr, h, min, day, units, IU, mEq, %"
    return f'"{token}" is not a unit here{hint} (units are case-sensitive: {accepted})'


def _read_number(text: str, whole: str) -> tuple[Decimal, str]:
    """Read the leading number of `text`; return it and the rest, or raise a helpful error."""
    plain = _PLAIN_NUMBER.match(text)
    if plain:
        return Decimal(plain.group(1)), text[plain.end() :]
    return _read_number_in_full(text, whole)


def _read_number_in_full(text: str, whole: str) -> tuple[Decimal, str]:
    """Read the leading number of `text` rule by rule, saying what is wrong with it if anything
    is (`_read_number` comes here for what its one pattern does not take)."""
    if text.startswith(("-", "\u2212")):
        return _fail(f'"{whole}" must be more than zero')
    if text.startswith("+"):
        text = text[1:]
    if text.startswith("."):
        return _fail(f'"{whole}": write a leading zero (0{text.split()[0]}, not {text.split()[0]})')
    match = _NUMBER_AT_START.match(text)
    if not match:
        return _fail(f'"{whole}" needs a number first, e.g. 5 mg/hr')
    digits, rest = match.group(0), text[match.end() :]
    if rest.startswith(","):
        if _THOUSANDS.match(rest):
            return _fail(f'"{whole}": write numbers without thousands separators (e.g. 1000)')
        return _fail(f'"{whole}": use a decimal point, not a comma (e.g. 5.5)')
    if (rest[:1] in {"e", "E"} and rest[1:2].isdigit()) or rest[:2] in {"e-", "e+", "E-", "E+"}:
        return _fail(f'"{whole}": write the number out in full, without an exponent')
    if _SPACED_DIGIT.match(rest):
        return _fail(f'"{whole}": spaces are not allowed inside a number (write 1000, not 1 000)')
    if rest.startswith("."):
        return _fail(f'"{whole}" is not a number')
    integer, _, fraction = digits.partition(".")
    if len(integer.lstrip("0")) > MAX_INTEGER_DIGITS:
        return _fail(f'"{whole}" is too large')
    if len(fraction) > MAX_DECIMAL_PLACES:
        return _fail(f'"{whole}" has more than {MAX_DECIMAL_PLACES} decimal places')
    return Decimal(digits), rest


def _fail(message: str):
    raise QuantityError(message)


class UnitPart(NamedTuple):
    """The unit part of a quantity as read ("mg/100 mL"), with the facts a Measure keeps."""

    numerator: str
    per: tuple[tuple[Decimal, str], ...]
    joiner: str
    dimension: str
    per_dimensions: tuple[str, ...]
    factor: Decimal
    per_canonical: tuple[Decimal, ...]
    is_rate: bool  # what parse_rate accepts
    is_concentration: bool  # what parse_concentration accepts
    # A Measure's fields in field order, those every Measure in these units shares filled in
    # (value and canonical_value are None: a copy has its own set, without a new key each).
    measure_fields: dict[str, object]


def parse_measure(text: object) -> Measure:
    """Return the Measure typed in `text` ("5 mg/hr"), or raise QuantityError saying why."""
    return _read_measure(text)[0]


def _read_measure(text: object) -> tuple[Measure, UnitPart]:
    """Return the Measure typed in `text` and its unit part, or raise QuantityError saying why."""
    return quick_measure(text) or _read_measure_in_full(text)


# A number this long or shorter ("12345678", "1.123456") has at most MAX_INTEGER_DIGITS digits
# before its point and MAX_DECIMAL_PLACES after it (at least a digit and the point come first).
_QUICK_NUMBER_LENGTH = min(MAX_INTEGER_DIGITS, MAX_DECIMAL_PLACES + 2)


def quick_measure(text: object) -> tuple[Measure, UnitPart] | None:
    """Return the Measure and unit part of a quantity typed as most are ("12.5 mg/hr"), or None
    for anything else, which the full rules read (`_read_measure`); it never raises. A caller
    that wants one kind of quantity checks the unit part as its reader would (its `is_rate`)
    and leaves the rest to that reader, which says what is wrong. A zero is left to the rules."""
    if type(text) is not str:
        return None
    whole = text.strip()
    if len(whole) > 60:
        return None
    # Most quantities are typed "12.5 mg/hr": a plain number, one space, the unit part. Told by
    # string tests what _PLAIN_QUANTITY would match (a number no longer than
    # _QUICK_NUMBER_LENGTH is within the limits), and by that pattern otherwise. The unit part
    # needs no test of its own: one that starts with a digit is not one, and one after more
    # spaces is read as the same unit part (unit_part strips each part) or as none; none is
    # left to the rules.
    number, space, unit_text = whole.partition(" ")
    if not (
        space
        and len(number) <= _QUICK_NUMBER_LENGTH
        and number.isascii()
        and (
            number.isdigit()
            or ((parts := number.partition("."))[0].isdigit() and parts[2].isdigit())
        )
    ):
        plain = _PLAIN_QUANTITY.fullmatch(whole)
        if plain is None:
            return None
        number, unit_text = plain.groups()
    units = _UNIT_PARTS.get(unit_text) or unit_part(unit_text)
    if units is None:
        return None
    value = Decimal(number)
    if not value:
        return None
    # Measure._of written out: its call is 0.4 us of every order (4.4 quantities; measured by
    # alternated bench/engine.py runs: FULL about 12.5x without the call, 12.95x with it).
    fields = units.measure_fields.copy()
    fields["value"] = value
    fields["canonical_value"] = value if units.factor is _ONE else _multiply(value, units.factor)
    measure = _new(Measure)
    _set_measure_fields(measure, fields)
    return measure, units


def _read_measure_in_full(text: object) -> tuple[Measure, UnitPart]:
    """Read a quantity rule by rule, saying what is wrong with it if anything is
    (`_read_measure` comes here for what its one pattern and the cached unit parts do not
    take; the tests hold the two to the same answers)."""
    if not isinstance(text, str):
        if isinstance(text, int | Decimal) and not isinstance(text, bool):
            raise QuantityError(f'"{text}" needs a unit, e.g. {text} mg')
        raise QuantityError("enter a number and a unit as text, e.g. 5 mg/hr")
    whole = text.strip()
    if not whole:
        raise QuantityError("enter a number and a unit, e.g. 5 mg/hr")
    if len(whole) > 60:
        raise QuantityError("this value is too long to be a quantity")
    value, rest = _read_number(whole, whole)
    if value <= 0:
        raise QuantityError(f'"{whole}" must be more than zero')
    rest = rest.strip()
    if not rest:
        raise QuantityError(f'"{whole}" needs a unit, e.g. {format_decimal(value)} mg')
    units = unit_part(rest)
    if units is None:  # not a unit part: read it again to raise the message naming `whole`
        units = _read_unit_part(rest, whole)
    return Measure._of(value, units), units


# Each unit part read, by its text (None: not one); emptied when full. A dict rather than an
# lru_cache: `_read_measure` looks in it without a call.
_UNIT_PARTS: dict[str, UnitPart | None] = {}
_MAX_UNIT_PARTS = 1024


def unit_part(text: str) -> UnitPart | None:
    """Return the unit part `text` ("mg/100 mL") read and its facts worked out, or None when it
    is not one. Pure, so remembered by text: a pharmacy types few distinct unit parts."""
    try:
        return _UNIT_PARTS[text]
    except KeyError:
        pass
    try:
        units: UnitPart | None = _read_unit_part(text, text)
    except QuantityError:
        units = None
    if len(_UNIT_PARTS) >= _MAX_UNIT_PARTS:
        _UNIT_PARTS.clear()
    _UNIT_PARTS[text] = units
    return units


def _read_unit_part(rest: str, whole: str) -> UnitPart:
    """Return the unit part `rest` of the quantity `whole`, or raise QuantityError saying why."""
    joiner = "/"
    in_form = _IN_FORM.fullmatch(rest)
    if in_form:
        parts, joiner = [in_form.group(1), in_form.group(2)], "in"
    else:
        parts = [part.strip() for part in rest.split("/")]
    if any(not part for part in parts):
        raise QuantityError(f'"{whole}" is incomplete: a unit is missing around "/"')

    numerator = parts[0]
    if numerator not in UNITS:
        raise QuantityError(_unit_message(numerator))
    per: list[tuple[Decimal, str]] = []
    for part in parts[1:]:
        match = _UNIT_TOKEN.fullmatch(part)
        if not match:
            if _NUMBER_OR_POINT.match(part):
                _read_number(part, whole)  # raises the message about the malformed number
            raise QuantityError(_unit_message(part))
        count_text, symbol = match.groups()
        count = Decimal(1)
        if count_text is not None:
            count, _ = _read_number(count_text, whole)
            if count <= 0:
                raise QuantityError(f'"{whole}": the amount after "/" must be more than zero')
        if symbol not in UNITS:
            raise QuantityError(_unit_message(symbol))
        per.append((count, symbol))
    if joiner == "in" and (len(per) != 1 or dimension_of(per[0][1]) != VOLUME):
        raise QuantityError(f'"{whole}": write "amount in volume", e.g. 500 mg in 20 mL')
    if numerator == "%" and per:
        raise QuantityError(f'"{whole}": a percentage stands alone, e.g. 0.25 %')
    # The same facts, worked out the same way, as Measure.__post_init__.
    multiply = EXACT_CONTEXT.multiply
    dimension = dimension_of(numerator)
    pers = tuple(per)
    per_dimensions = tuple(dimension_of(symbol) for _, symbol in pers)
    per_canonical = tuple(multiply(count, factor(symbol)) for count, symbol in pers)
    return UnitPart(
        numerator=numerator,
        per=pers,
        joiner=joiner,
        dimension=dimension,
        per_dimensions=per_dimensions,
        factor=factor(numerator),
        per_canonical=per_canonical,
        is_rate=_is_rate(dimension, pers, per_dimensions),
        is_concentration=_is_concentration(dimension, per_dimensions),
        measure_fields={
            "value": None,  # each Measure's own, set over these two
            "numerator": numerator,
            "per": pers,
            "joiner": joiner,
            "dimension": dimension,
            "per_dimensions": per_dimensions,
            "canonical_value": None,
            "per_canonical": per_canonical,
        },
    )


def _is_rate(dimension: str, per: tuple[tuple[Decimal, str], ...], dims: tuple[str, ...]) -> bool:
    """Return whether a unit part is a dose rate: amount/time (mg/hr), amount/kg/time
    (mg/kg/hr) or mL/hr, with no count after a "/" (5 mg/2 hr is not read)."""
    amount_ok = dimension in {MASS, VOLUME, ACTIVITY, EQUIVALENT}
    per_time = len(dims) == 1 and dims[0] == TIME
    weight_based = len(dims) == 2 and per[0][1] in WEIGHT_UNITS and dims[1] == TIME and amount_ok
    return amount_ok and (per_time or weight_based) and all(c == 1 for c, _ in per)


def _is_concentration(dimension: str, dims: tuple[str, ...]) -> bool:
    """Return whether a unit part is a concentration: amount/volume (mg/mL, mg in 20 mL) or %."""
    return dimension == PERCENT or (dimension in {MASS, ACTIVITY, EQUIVALENT} and dims == (VOLUME,))


def describe(measure: Measure) -> str:
    """Return what kind of quantity a Measure is, in words ("a concentration", "a dose rate")."""
    dims = measure.per_dimensions
    amount = measure.dimension in {MASS, ACTIVITY, EQUIVALENT}
    if measure.dimension == PERCENT or (amount and dims == (VOLUME,)):
        return "a concentration"
    if dims and dims[-1] == TIME:
        return "a dose rate"
    if not dims:
        if measure.dimension == TIME:
            return "a duration"
        if measure.dimension == VOLUME:
            return "a volume"
        if measure.numerator in {"kg"}:
            return "a weight"
        return "an amount"
    return "a compound unit"


def parse_rate(text: object) -> Measure:
    """Return a dose rate: amount/time (5 mg/hr), amount/kg/time (0.5 mg/kg/hr), or mL/hr."""
    measure, units = _read_measure(text)
    if units.is_rate:
        return measure
    kind = describe(measure)
    if kind == "a dose rate":
        raise QuantityError(
            f'"{str(text).strip()}" is not a dose rate this calculator reads, e.g. 5 mg/hr'
        )
    raise QuantityError(f'"{str(text).strip()}" is {kind}, not a dose rate (e.g. 5 mg/hr)')


def parse_concentration(text: object) -> Measure:
    """Return a concentration: 25 mg/mL, 100 mg/100 mL, 500 mg in 20 mL, 0.25 % (w/v)."""
    measure, units = _read_measure(text)
    if units.is_concentration:
        return measure
    kind = describe(measure)
    raise QuantityError(f'"{str(text).strip()}" is {kind}, not a concentration (e.g. 25 mg/mL)')


def parse_amount(text: object, *, dimensions: tuple[str, ...], example: str) -> Measure:
    """Return a plain amount whose dimension is one of `dimensions` ("1 mg", "10 mL", "70 kg")."""
    measure, units = _read_measure(text)
    if not units.per and units.dimension in dimensions:
        return measure
    kind = describe(measure)
    wanted = " or ".join(dimensions)
    if kind in {"an amount", "a volume", "a weight", "a duration"}:
        kind = f"a {measure.dimension} ({measure.numerator})"
    raise QuantityError(
        f'"{str(text).strip()}" is {kind}; a {wanted} is needed here, e.g. {example}'
    )


def parse_weight(text: object) -> Measure:
    """Return a patient weight in kg or g ("70 kg")."""
    measure = parse_amount(text, dimensions=(MASS,), example="70 kg")
    if measure.numerator not in WEIGHT_UNITS:
        raise QuantityError(f'"{str(text).strip()}": give the weight in kg, e.g. 70 kg')
    return measure


def weight_kg(measure: Measure) -> Decimal:
    """Return a weight Measure in kilograms (70000 g -> 70)."""
    return measure.value * factor(measure.numerator) / factor("kg")


def parse_duration_minutes(text: object) -> Decimal:
    """Return a duration in minutes: "3.5 h" -> 210, "220 min" -> 220, "3 h 40 min" -> 220."""
    if not isinstance(text, str) or not text.strip():
        raise QuantityError("enter a duration, e.g. 3.5 h or 3 h 40 min")
    whole = text.strip()
    position, total, seen = 0, Decimal(0), False
    while position < len(whole):
        if whole[position].isspace():
            position += 1
            continue
        match = _DURATION_PART.match(whole, position)
        if not match:
            if whole[position] in "-\u2212":
                raise QuantityError(f'"{whole}" must be more than zero')
            parse_measure(whole[position:])  # raises the most helpful message
            raise QuantityError(f'"{whole}" is not a duration, e.g. 3.5 h or 3 h 40 min')
        value, _ = _read_number(match.group(1), whole)
        symbol = match.group(2)
        if symbol not in UNITS:
            raise QuantityError(_unit_message(symbol))
        if dimension_of(symbol) != TIME:
            raise QuantityError(f'"{whole}" is not a duration, e.g. 3.5 h or 3 h 40 min')
        total += value * factor(symbol)
        seen = True
        position = match.end()
    if not seen or total <= 0:
        raise QuantityError(f'"{whole}" must be more than zero')
    if total > 24 * 60:
        raise QuantityError(f'"{whole}" is longer than a day')
    return total


def parse_decimal(text: object, *, name: str, example: str) -> Decimal:
    """Return a plain positive decimal number (hours per day: "24"), or raise QuantityError."""
    if type(text) is str:
        plain = _PLAIN_NUMBER.fullmatch(text.strip())
        if plain:  # what _read_number takes with nothing after it
            return Decimal(plain.group(1))
    if isinstance(text, bool):
        raise QuantityError(f"{name} must be a number, e.g. {example}")
    if isinstance(text, int | Decimal):
        text = str(text)
    if not isinstance(text, str) or not text.strip():
        raise QuantityError(f"enter {name}, e.g. {example}")
    whole = text.strip()
    if not whole[0].isdigit() and whole[0] not in "+-.\u2212":  # no number at all ("ten")
        raise QuantityError(f'"{whole}" is not a number; enter {name}, e.g. {example}')
    value, rest = _read_number(whole, whole)
    if rest.strip():
        raise QuantityError(f'"{whole}" is not a plain number; enter {name}, e.g. {example}')
    return value
