"""Tests for calculator.domain.units: the strict reading of pharmacy quantities.

Pure functions only: no database, no Django.
"""

from __future__ import annotations

import contextlib
from dataclasses import fields
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from calculator.domain.units import (
    _UNIT_PARTS,
    ACTIVITY,
    CANONICAL,
    EQUIVALENT,
    MASS,
    UNITS,
    VOLUME,
    Measure,
    QuantityError,
    _read_measure,
    _read_measure_in_full,
    _read_number,
    _read_number_in_full,
    factor,
    format_decimal,
    parse_amount,
    parse_concentration,
    parse_decimal,
    parse_duration_minutes,
    parse_measure,
    parse_rate,
    parse_weight,
    quick_measure,
    registry,
    weight_kg,
)

ACCEPTED = "(units are case-sensitive: mg, mcg, g, kg, mL, L, hr, h, min, day, units, IU, mEq, %)"

fuzz = settings(max_examples=200, deadline=None)


def per(*pairs: tuple[str, str]) -> tuple[tuple[Decimal, str], ...]:
    """Return the `per` of a Measure from ("100", "mL") pairs."""
    return tuple((Decimal(count), symbol) for count, symbol in pairs)


def not_a_unit(token: str, suggestion: str | None = None) -> str:
    """Return the message for a unit that is not on the list."""
    hint = f"; did you mean {suggestion}?" if suggestion else ""
    return f'"{token}" is not a unit here{hint} {ACCEPTED}'


# --- Dose rates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 mg/hr", Measure(Decimal("5"), "mg", per(("1", "hr")))),
        ("50 mcg/h", Measure(Decimal("50"), "mcg", per(("1", "h")))),
        ("2 mg/min", Measure(Decimal("2"), "mg", per(("1", "min")))),
        ("120 mg/day", Measure(Decimal("120"), "mg", per(("1", "day")))),
        ("0.1 g/day", Measure(Decimal("0.1"), "g", per(("1", "day")))),
    ],
)
def test_reads_mass_per_time_rate(text: str, expected: Measure) -> None:
    """a dose rate may be mass/time, in mg, mcg or g per hr, h, min or day."""
    assert parse_rate(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.5 mg/kg/hr", Measure(Decimal("0.5"), "mg", per(("1", "kg"), ("1", "hr")))),
        ("2 mcg/kg/min", Measure(Decimal("2"), "mcg", per(("1", "kg"), ("1", "min")))),
    ],
)
def test_reads_weight_based_rate(text: str, expected: Measure) -> None:
    """a dose rate may be weight-based (amount per kg per time)."""
    assert parse_rate(text) == expected


def test_reads_volume_per_time_rate() -> None:
    """a dose rate may be volume/time (4 mL/hr)."""
    assert parse_rate("4 mL/hr") == Measure(Decimal("4"), "mL", per(("1", "hr")))


@pytest.mark.parametrize(
    ("text", "numerator"), [("1000 units/hr", "units"), ("1000 IU/hr", "IU"), ("1 unit/h", "unit")]
)
def test_reads_units_per_time_rate(text: str, numerator: str) -> None:
    """a dose rate may be units/time (1000 units/hr)."""
    rate = parse_rate(text)
    assert rate.numerator == numerator
    assert rate.dimension == ACTIVITY


def test_reads_a_rate_with_or_without_spaces_around_the_unit() -> None:
    """spaces between the number and the unit, and around "/", are not part of the number."""
    expected = parse_rate("5 mg/hr")
    assert parse_rate("5mg/hr") == expected
    assert parse_rate("  5 mg / hr  ") == expected


# --- Concentrations ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25 mg/mL", Measure(Decimal("25"), "mg", per(("1", "mL")))),
        ("50 mcg/mL", Measure(Decimal("50"), "mcg", per(("1", "mL")))),
        ("100 mg/100 mL", Measure(Decimal("100"), "mg", per(("100", "mL")))),
        ("500 mg in 20 mL", Measure(Decimal("500"), "mg", per(("20", "mL")), joiner="in")),
        ("0.25 %", Measure(Decimal("0.25"), "%")),
        ("0.25%", Measure(Decimal("0.25"), "%")),
        ("1000 units/mL", Measure(Decimal("1000"), "units", per(("1", "mL")))),
        ("2 mEq/mL", Measure(Decimal("2"), "mEq", per(("1", "mL")))),
        ("1 g/L", Measure(Decimal("1"), "g", per(("1", "L")))),
    ],
)
def test_reads_each_concentration_form(text: str, expected: Measure) -> None:
    """mass/volume, amount/N volume, "amount in volume", % w/v and units/volume."""
    assert parse_concentration(text) == expected


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("100 mg/100 mL", "100 mg/100 mL"),
        ("500 mg in 20 mL", "500 mg in 20 mL"),
        ("0.5 mg/kg/hr", "0.5 mg/kg/hr"),
        ("0.25%", "0.25 %"),
        ("5.50 mg/hr", "5.5 mg/hr"),
    ],
)
def test_shows_a_measure_as_the_pharmacist_wrote_it(text: str, shown: str) -> None:
    """a quantity is shown in its label form, and reads back to the same Measure."""
    measure = parse_measure(text)
    assert str(measure) == shown
    assert parse_measure(str(measure)) == measure


@pytest.mark.parametrize(
    ("symbol", "canonical"),
    [
        ("mcg", Decimal("0.001")),
        ("mg", Decimal("1")),
        ("g", Decimal("1000")),
        ("kg", Decimal("1000000")),
        ("mL", Decimal("1")),
        ("L", Decimal("1000")),
        ("min", Decimal("1")),
        ("hr", Decimal("60")),
        ("h", Decimal("60")),
        ("day", Decimal("1440")),
        ("units", Decimal("1")),
        ("IU", Decimal("1")),
    ],
)
def test_converts_through_exact_decimal_factors(symbol: str, canonical: Decimal) -> None:
    """pint's factors come out as exact decimals (time in minutes: 1 min = 1/60 hr is not)."""
    assert factor(symbol) == canonical


@pytest.mark.parametrize(
    ("text", "kilograms"),
    [("70 kg", Decimal("70")), ("70000 g", Decimal("70")), ("3.5 kg", Decimal("3.5"))],
)
def test_reads_a_patient_weight_in_kg_or_g(text: str, kilograms: Decimal) -> None:
    """the weight for a weight-based rate is in kg (or g), converted exactly."""
    assert weight_kg(parse_weight(text)) == Decimal(kilograms)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("70 mg", '"70 mg": give the weight in kg, e.g. 70 kg'),
        ("70 mL", '"70 mL" is a volume (mL); a mass is needed here, e.g. 70 kg'),
        ("70 lb", '"lb" is not a unit here; give the weight in kg (1 lb = 0.45359237 kg)'),
        ("0 kg", '"0 kg" must be more than zero'),
    ],
)
def test_rejects_a_weight_not_in_kg(text: str, message: str) -> None:
    """a weight must be a positive mass in kg; pounds are never renamed to kg."""
    with pytest.raises(QuantityError) as caught:
        parse_weight(text)
    assert str(caught.value) == message


# --- Strict reading ------------------------------------------------------------------------


def test_never_reads_ML_as_megalitres() -> None:
    """The text "5 ML" is rejected with a suggestion of mL, never read as five megalitres."""
    # This is why user text never reaches pint's own parser:
    assert str(registry().Quantity("5 ML").units) == "megaliter"
    with pytest.raises(QuantityError) as caught:
        parse_measure("5 ML")
    assert str(caught.value) == not_a_unit("ML", "mL")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("5 MG", not_a_unit("MG", "mg")),
        ("5 ml", not_a_unit("ml", "mL")),
        ("5 Mcg", not_a_unit("Mcg", "mcg")),
        ("5 mg/HR", not_a_unit("HR", "hr")),
        ("5 iu", not_a_unit("iu", "IU")),
    ],
)
def test_rejects_units_in_the_wrong_case(text: str, message: str) -> None:
    """units are case-sensitive; the message names the unit meant."""
    with pytest.raises(QuantityError) as caught:
        parse_measure(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1 000 mL", '"1 000 mL": spaces are not allowed inside a number (write 1000, not 1 000)'),
        ("5 mg/1 000 mL", '"5 mg/1 000 mL": spaces are not allowed inside a number'),
        ("5,5 mg", '"5,5 mg": use a decimal point, not a comma (e.g. 5.5)'),
        ("1,000 mL", '"1,000 mL": write numbers without thousands separators (e.g. 1000)'),
        ("5 mg/1,000 mL", '"5 mg/1,000 mL": write numbers without thousands separators'),
        (".5 mg", '".5 mg": write a leading zero (0.5, not .5)'),
        ("5 mg/.5 mL", '"5 mg/.5 mL": write a leading zero (0.5, not .5)'),
        ("5e3 mg", '"5e3 mg": write the number out in full, without an exponent'),
        ("5E3 mg", '"5E3 mg": write the number out in full, without an exponent'),
        ("5e-3 mg", '"5e-3 mg": write the number out in full, without an exponent'),
        ("5. mg", '"5. mg" is not a number'),
        ("5..5 mg", '"5..5 mg" is not a number'),
        ("0.0000001 mg", '"0.0000001 mg" has more than 6 decimal places'),
        ("1234567890 mg", '"1234567890 mg" is too large'),
    ],
)
def test_rejects_a_number_that_is_not_plain(text: str, message: str) -> None:
    """a plain decimal: no spaces, commas, exponents or missing leading zero inside it."""
    with pytest.raises(QuantityError) as caught:
        parse_measure(text)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize("text", ["\u0665 mg", "\uff15 mg", "1\u0660 mg", "5 mg/\u0665 mL"])
def test_rejects_digits_other_than_ascii(text: str) -> None:
    """only 0-9 are digits; an Arabic-Indic zero looks like a decimal point."""
    with pytest.raises(QuantityError):
        parse_measure(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("5 mg/", '"5 mg/" is incomplete: a unit is missing around "/"'),
        ("5 mg//hr", '"5 mg//hr" is incomplete: a unit is missing around "/"'),
        ("5 /hr", '"5 /hr" is incomplete: a unit is missing around "/"'),
        ("5", '"5" needs a unit, e.g. 5 mg'),
        ("0.5", '"0.5" needs a unit, e.g. 0.5 mg'),
        ("", "enter a number and a unit, e.g. 5 mg/hr"),
        ("   ", "enter a number and a unit, e.g. 5 mg/hr"),
        ("mg", '"mg" needs a number first, e.g. 5 mg/hr'),
        ("mg/hr", '"mg/hr" needs a number first, e.g. 5 mg/hr'),
        ("5 " + "0" * 60, "this value is too long to be a quantity"),
        ("5 mg in 20 mg", '"5 mg in 20 mg": write "amount in volume", e.g. 500 mg in 20 mL'),
        ("5 % in 20 mL", '"5 % in 20 mL": a percentage stands alone, e.g. 0.25 %'),
        ("5 mg/0 mL", '"5 mg/0 mL": the amount after "/" must be more than zero'),
    ],
)
def test_rejects_an_incomplete_quantity(text: str, message: str) -> None:
    """a number and a unit are both needed, and every "/" has a unit on each side."""
    with pytest.raises(QuantityError) as caught:
        parse_measure(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("5 cc", not_a_unit("cc", "mL")),
        ("5 ug", not_a_unit("ug", "mcg")),
        ("5 \u00b5g", not_a_unit("\u00b5g", "mcg")),
        ("5 U", not_a_unit("U", "units")),
        ("5 mg/hours", not_a_unit("hours", "hr")),
        ("5 furlongs", not_a_unit("furlongs")),
        ("5 mg per hr", not_a_unit("mg per hr")),
    ],
)
def test_rejects_an_unknown_unit_with_a_suggestion(text: str, message: str) -> None:
    """only the fixed list of pharmacy units; common spellings get what to type instead."""
    with pytest.raises(QuantityError) as caught:
        parse_measure(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (5, '"5" needs a unit, e.g. 5 mg'),
        (Decimal("5"), '"5" needs a unit, e.g. 5 mg'),
        (5.0, "enter a number and a unit as text, e.g. 5 mg/hr"),
        (None, "enter a number and a unit as text, e.g. 5 mg/hr"),
        (True, "enter a number and a unit as text, e.g. 5 mg/hr"),
        (["5 mg"], "enter a number and a unit as text, e.g. 5 mg/hr"),
        ({"value": 5}, "enter a number and a unit as text, e.g. 5 mg/hr"),
        (b"5 mg", "enter a number and a unit as text, e.g. 5 mg/hr"),
    ],
)
def test_rejects_input_that_is_not_text(value: object, message: str) -> None:
    """a quantity is text; a bare JSON number has no unit and anything else is refused."""
    with pytest.raises(QuantityError) as caught:
        parse_measure(value)
    assert str(caught.value) == message


# --- Wrong dimensions, zero and negative values -------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("25 mg/mL", '"25 mg/mL" is a concentration, not a dose rate (e.g. 5 mg/hr)'),
        ("500 mg in 20 mL", '"500 mg in 20 mL" is a concentration, not a dose rate (e.g. 5 mg/hr)'),
        ("0.25 %", '"0.25 %" is a concentration, not a dose rate (e.g. 5 mg/hr)'),
        ("5 mg", '"5 mg" is an amount, not a dose rate (e.g. 5 mg/hr)'),
        ("4 mL", '"4 mL" is a volume, not a dose rate (e.g. 5 mg/hr)'),
        ("70 kg", '"70 kg" is a weight, not a dose rate (e.g. 5 mg/hr)'),
        ("24 hr", '"24 hr" is a duration, not a dose rate (e.g. 5 mg/hr)'),
        ("5 mg/hr/kg", '"5 mg/hr/kg" is a compound unit, not a dose rate (e.g. 5 mg/hr)'),
        ("5 mL/mL", '"5 mL/mL" is a compound unit, not a dose rate (e.g. 5 mg/hr)'),
        (" 5 mg/2 hr ", '"5 mg/2 hr" is not a dose rate this calculator reads, e.g. 5 mg/hr'),
    ],
)
def test_rejects_concentration_in_rate_field(text: str, message: str) -> None:
    """a quantity of another kind in the rate field says what it is and what a rate is."""
    with pytest.raises(QuantityError) as caught:
        parse_rate(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("5 mg/hr", '"5 mg/hr" is a dose rate, not a concentration (e.g. 25 mg/mL)'),
        ("0.5 mg/kg/hr", '"0.5 mg/kg/hr" is a dose rate, not a concentration (e.g. 25 mg/mL)'),
        ("25 mg", '"25 mg" is an amount, not a concentration (e.g. 25 mg/mL)'),
        ("20 mL", '"20 mL" is a volume, not a concentration (e.g. 25 mg/mL)'),
        ("5 mL/mL", '"5 mL/mL" is a compound unit, not a concentration (e.g. 25 mg/mL)'),
        ("5 mg/kg", '"5 mg/kg" is a compound unit, not a concentration (e.g. 25 mg/mL)'),
    ],
)
def test_rejects_rate_in_concentration_field(text: str, message: str) -> None:
    """a dose rate (or anything but amount per volume or %) is not a concentration."""
    with pytest.raises(QuantityError) as caught:
        parse_concentration(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0 mg/hr", '"0 mg/hr" must be more than zero'),
        ("0.000 mg/hr", '"0.000 mg/hr" must be more than zero'),
        ("-5 mg/hr", '"-5 mg/hr" must be more than zero'),
        ("\u22125 mg/hr", '"\u22125 mg/hr" must be more than zero'),
    ],
)
def test_rejects_zero_or_negative_rate(text: str, message: str) -> None:
    """zero and negative values are errors (a minus sign is never dropped)."""
    with pytest.raises(QuantityError) as caught:
        parse_rate(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0 mg/mL", '"0 mg/mL" must be more than zero'),
        ("-25 mg/mL", '"-25 mg/mL" must be more than zero'),
        ("0 %", '"0 %" must be more than zero'),
        ("25 mg/0 mL", '"25 mg/0 mL": the amount after "/" must be more than zero'),
        ("500 mg in 0 mL", '"500 mg in 0 mL": the amount after "/" must be more than zero'),
    ],
)
def test_rejects_zero_or_negative_concentration(text: str, message: str) -> None:
    """a concentration of zero, or per zero mL, is an error."""
    with pytest.raises(QuantityError) as caught:
        parse_concentration(text)
    assert str(caught.value) == message


def test_reads_a_plain_amount_of_the_dimension_asked_for() -> None:
    """a bolus dose is a plain amount of drug or of volume."""
    dimensions = (MASS, ACTIVITY, EQUIVALENT, VOLUME)
    assert parse_amount("0.5 mg", dimensions=dimensions, example="1 mg") == Measure(
        Decimal("0.5"), "mg"
    )
    with pytest.raises(QuantityError) as caught:
        parse_amount("10 mg/mL", dimensions=(MASS,), example="1 mg")
    assert str(caught.value) == '"10 mg/mL" is a concentration; a mass is needed here, e.g. 1 mg'


# --- Plain numbers and durations ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("24", Decimal(24)),
        (" 12.5 ", Decimal("12.5")),
        (24, Decimal(24)),
        (Decimal("8"), Decimal(8)),
    ],
)
def test_reads_hours_per_day_as_a_plain_decimal(value: object, expected: Decimal) -> None:
    """hours per day is a plain decimal number."""
    assert parse_decimal(value, name="hours per day", example="24") == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("24 hr", '"24 hr" is not a plain number; enter hours per day, e.g. 24'),
        ("ten", '"ten" is not a number; enter hours per day, e.g. 24'),
        ("hr 24", '"hr 24" is not a number; enter hours per day, e.g. 24'),
        ("1,5", '"1,5": use a decimal point, not a comma (e.g. 5.5)'),
        ("-1", '"-1" must be more than zero'),
        ("", "enter hours per day, e.g. 24"),
        (None, "enter hours per day, e.g. 24"),
        (True, "hours per day must be a number, e.g. 24"),
    ],
)
def test_rejects_hours_per_day_that_is_not_a_plain_number(value: object, message: str) -> None:
    """hours per day is read as strictly as a quantity."""
    with pytest.raises(QuantityError) as caught:
        parse_decimal(value, name="hours per day", example="24")
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("3.5 h", 210), ("220 min", 220), ("3 h 40 min", 220), ("3h40min", 220), ("0.5 day", 720)],
)
def test_reads_a_duration_in_exact_minutes(text: str, minutes: int) -> None:
    """durations convert to minutes exactly (3.5 h = 210 min)."""
    assert parse_duration_minutes(text) == Decimal(minutes)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0 h", '"0 h" must be more than zero'),
        ("-1 h", '"-1 h" must be more than zero'),
        ("25 h", '"25 h" is longer than a day'),
        ("3 mg", '"3 mg" is not a duration, e.g. 3.5 h or 3 h 40 min'),
        ("3 hours", not_a_unit("hours", "hr")),
        ("3,5 h", '"3,5 h": use a decimal point, not a comma (e.g. 5.5)'),
        ("", "enter a duration, e.g. 3.5 h or 3 h 40 min"),
    ],
)
def test_rejects_a_duration_that_cannot_be_read(text: str, message: str) -> None:
    """a duration is positive, at most a day, and in time units."""
    with pytest.raises(QuantityError) as caught:
        parse_duration_minutes(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (Decimal("1E+3"), None, "1000"),
        (Decimal("4.800"), None, "4.8"),
        (Decimal("148.8"), None, "148.8"),
        (Decimal("-0"), None, "0"),
        (Decimal("2.3333333"), 6, "2.333333"),
        (Decimal("0.0000001"), 6, "0"),
    ],
)
def test_formats_a_decimal_without_exponent_or_trailing_zeros(
    value: Decimal, places: int | None, text: str
) -> None:
    """numbers are shown plainly (Decimal("1E+3") shows as 1000)."""
    assert format_decimal(value, places) == text


# --- Properties --------------------------------------------------------------------------------

PIECES = [
    "0",
    "5",
    "25",
    "0.5",
    ".",
    ",",
    " ",
    "-",
    "+",
    "e",
    "E3",
    "/",
    " in ",
    "mg",
    "mcg",
    "mL",
    "ML",
    "hr",
    "kg",
    "%",
    "units",
    "day",
    "\u0660",
    "\u00b5",
]
quantity_like = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)


@fuzz
@given(st.text() | quantity_like)
def test_reading_any_text_returns_a_measure_or_raises_quantity_error(text: str) -> None:
    """no text ever raises anything but QuantityError, whichever reader gets it."""
    for reader in (parse_measure, parse_rate, parse_concentration, parse_weight):
        try:
            result = reader(text)
        except QuantityError:
            continue
        assert isinstance(result, Measure)
        assert result.value > 0
    with contextlib.suppress(QuantityError):
        assert parse_duration_minutes(text) > 0


@fuzz
@given(
    value=st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("999999999"), places=6),
    numerator=st.sampled_from(["mg", "mcg", "g", "mL", "units", "IU", "mEq"]),
    time=st.sampled_from(["hr", "h", "min", "day"]),
)
def test_reads_back_every_rate_it_shows(value: Decimal, numerator: str, time: str) -> None:
    """any plain number with a listed unit is read exactly, and shown as it reads."""
    text = f"{format_decimal(value)} {numerator}/{time}"
    rate = parse_rate(text)
    assert rate.value == value
    assert str(rate) == text


# --- The hot path: one pattern for plain numbers, unit parts read once, factors from pint ------

magnitudes = st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("999999999"), places=6)
NUMBER_PIECES = ["0", "5", "0000", "1234567890", ".", ",", ",000", "e", "E", "e-", "+", "-"]
number_like = st.lists(st.sampled_from(NUMBER_PIECES + PIECES), max_size=10).map("".join)


def pint_canonical(value: Decimal, symbol: str) -> Decimal:
    """Return `value` of a listed unit in its dimension's canonical unit, converted by pint."""
    dimension, pint_name = UNITS[symbol]
    return registry().Quantity(value, pint_name).to(CANONICAL[dimension]).magnitude


def every_field(measure: Measure) -> tuple[str, ...]:
    """Return the repr of each of a Measure's fields, worked-out ones included, so that two
    Measures compare equal only when every Decimal is the same to the last digit and exponent
    (Decimal("5") == Decimal("5.0"), but their reprs differ)."""
    names = ("value", "numerator", "per", "joiner", "dimension", "per_dimensions")
    names += ("canonical_value", "per_canonical")
    return tuple(repr(getattr(measure, name)) for name in names)


@fuzz
@given(value=magnitudes, symbol=st.sampled_from(sorted(UNITS)))
def test_every_listed_unit_converts_exactly_as_pint_does(value: Decimal, symbol: str) -> None:
    """the factor each unit is multiplied by on the hot path gives pint's own conversion, for
    every listed unit and any number a user may type (the factor table cannot drift)."""
    typed = Decimal(format_decimal(value))
    measure = parse_measure(f"{format_decimal(value)} {symbol}")
    assert measure.canonical_value == pint_canonical(typed, symbol)
    assert every_field(measure) == every_field(Measure(typed, symbol))


@fuzz
@given(
    value=magnitudes,
    count=magnitudes,
    numerator=st.sampled_from(sorted(set(UNITS) - {"%"})),
    symbol=st.sampled_from(sorted(UNITS)),
    joiner=st.sampled_from(["/", " in "]),
)
def test_a_unit_part_read_once_makes_the_measure_the_constructor_makes(
    value: Decimal, count: Decimal, numerator: str, symbol: str, joiner: str
) -> None:
    """a quantity whose unit part comes from the cache is, field for field and digit for digit,
    the Measure its constructor works out from scratch, and per counts convert as pint does."""
    typed, typed_count = Decimal(format_decimal(value)), Decimal(format_decimal(count))
    text = f"{format_decimal(value)} {numerator}{joiner}{format_decimal(count)} {symbol}"
    if joiner == " in " and UNITS[symbol][0] != VOLUME:
        with pytest.raises(QuantityError, match="amount in volume"):
            parse_measure(text)
        return
    expected = Measure(typed, numerator, ((typed_count, symbol),), joiner.strip())
    _UNIT_PARTS.clear()
    first, again = parse_measure(text), parse_measure(text)  # read, then from the cache
    assert every_field(first) == every_field(again) == every_field(expected)
    assert first.canonical_value == pint_canonical(typed, numerator)
    assert first.per_canonical == (pint_canonical(typed_count, symbol),)


@fuzz
@given(st.text() | quantity_like | number_like)
def test_the_plain_number_pattern_reads_as_the_full_rules_do(text: str) -> None:
    """whatever the one pattern takes, the number rules read to the same value and rest; what
    it does not take gets the rules' message (the rules are the reference)."""

    def outcome(reader) -> tuple[str, str] | str:
        try:
            value, rest = reader(text, text)
        except QuantityError as error:
            return str(error)
        return repr(value), rest

    assert outcome(_read_number) == outcome(_read_number_in_full)


def test_a_bad_unit_part_is_refused_with_the_whole_quantity_even_once_cached() -> None:
    """the cache holds unit parts, not messages: each bad quantity is named in its own error."""
    for text in ("5 mg/", "7.5 mg/"):
        with pytest.raises(QuantityError) as caught:
            parse_measure(text)
        assert str(caught.value) == f'"{text}" is incomplete: a unit is missing around "/"'


# Quantities as typed, most of them readable: a number (sometimes signed, padded or too long),
# spaces, a unit part that is mostly on the list.
typed_quantity = st.builds(
    "{}{}{}{}{}".format,
    st.sampled_from(["", " ", "+", "-", "\t"]),
    st.decimals(min_value=0, max_value=10**10, allow_nan=False, places=7).map(str)
    | st.sampled_from(["0", "00.5", "1.", ".5", "1,000", "1e3", "5 0"]),
    st.sampled_from(["", " ", "  ", "\n"]),
    st.sampled_from(
        [
            *("mg/hr", "mg/mL", "mg in 20 mL", "%", "units/250 mL", "mcg/kg/min", "mL", "kg"),
            *("mg /hr", "mg\n/hr", "ML", "mg/", "mg/0 mL", "mg/1.5 mL", "units/hr", "mEq/day"),
        ]
    ),
    st.sampled_from(["", " ", "x"]),
)


@fuzz
@given(st.text() | quantity_like | number_like | typed_quantity)
@example("12345678 mg/hr")  # the longest number the string tests take
@example("123456789 mg/hr")  # the pattern's
@example("1.123456 mg/hr")
@example("1.1234567 mg/hr")
@example("12.5.5 mg/hr")
@example("1. mg/hr")
@example("5 \u0665 mg/hr")  # a digit starts no unit part
@example("5 5mg/hr")
@example("5  mg in 20 mL")
@example("0.0 mg/hr")
def test_the_quick_reading_of_a_quantity_is_the_full_rules_reading(text: str) -> None:
    """whatever the one-pattern reading of a whole quantity takes, the full rules read to the
    same Measure, field for field and digit for digit; what it does not take gets the rules'
    message (the rules are the reference)."""

    def outcome(reader) -> tuple[str, ...] | str:
        try:
            measure, units = reader(text)
        except QuantityError as error:
            return str(error)
        return (*every_field(measure), repr(units))

    rules = outcome(_read_measure_in_full)
    assert outcome(_read_measure) == rules
    quick = quick_measure(text)  # None: left to the rules
    if quick is not None:
        assert (*every_field(quick[0]), repr(quick[1])) == rules
        assert list(vars(quick[0])) == [field.name for field in fields(Measure)]


@fuzz
@given(st.text() | number_like | typed_quantity)
def test_a_plain_decimal_reads_as_the_full_rules_read_it(text: str) -> None:
    """hours per day and other plain numbers: the quick pattern gives the value the number
    rules give when nothing follows the number, and nothing else."""
    whole = text.strip()
    try:
        value, rest = _read_number_in_full(whole, whole)
        expected = repr(value) if not rest.strip() else None
    except QuantityError:
        expected = None
    try:
        got = repr(parse_decimal(text, name="hours per day", example="24"))
    except QuantityError:
        got = None
    assert got == expected
