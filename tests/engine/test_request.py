"""Reading a request (calculator/engine/request.py, through engine.calculate_request): every
field's error under its path, whatever JSON arrives, and policy overrides by name. The catalog is
engine.EmptyCatalog(): nothing touches the database."""

from __future__ import annotations

import copy
from dataclasses import fields, replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from calculator import engine
from calculator.domain.billing import SHIPPED_POLICIES, RoundingScope
from calculator.domain.dosing import MAX_BOLUSES_PER_DAY, DoseResult
from calculator.domain.errors import ErrorCollector, InvalidOrder
from calculator.domain.ndc import normalize_ndc
from calculator.domain.units import (
    ACTIVITY,
    EQUIVALENT,
    MASS,
    TIME,
    VOLUME,
    QuantityError,
    parse_amount,
    parse_concentration,
    parse_rate,
    parse_weight,
)
from calculator.engine.catalog import Product
from calculator.engine.medicare import (
    MEDICARE_DRUG_FIELDS,
    MEDICARE_REQUEST_FIELDS,
    read_medicare,
    read_secondary_policy,
)
from calculator.engine.request import (
    _POLICY_CHOICES,
    _THERAPIES,
    POLICY_FIELDS,
    ParsedRequest,
    _changed_policy,
    _date,
    _date_in_full,
    _read_boluses,
    _read_drug,
    _read_ndc,
    _read_period,
    _read_period_in_full,
    _read_policy,
    _text,
    _therapy,
    parse_request,
)
from tests.conftest import SEED_NDC, seed_calculation, seed_calculation_drug
from tests.domain.test_units import every_field, typed_quantity
from tests.helpers import request_errors

fuzz = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- Field errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_data", "field", "message"),
    [
        (
            seed_calculation_drug(rate="25 mg/mL"),
            "drugs.0.rate",
            '"25 mg/mL" is a concentration, not a dose rate (e.g. 5 mg/hr)',
        ),
        (
            seed_calculation_drug(concentration="5 mg/hr"),
            "drugs.0.concentration",
            '"5 mg/hr" is a dose rate, not a concentration (e.g. 25 mg/mL)',
        ),
        (seed_calculation_drug(rate="0 mg/hr"), "drugs.0.rate", '"0 mg/hr" must be more than zero'),
        (
            seed_calculation_drug(rate="-5 mg/hr"),
            "drugs.0.rate",
            '"-5 mg/hr" must be more than zero',
        ),
        (
            seed_calculation_drug(concentration="0 mg/mL"),
            "drugs.0.concentration",
            '"0 mg/mL" must be more than zero',
        ),
        (
            seed_calculation_drug(concentration="-25 mg/mL"),
            "drugs.0.concentration",
            '"-25 mg/mL" must be more than zero',
        ),
        (
            seed_calculation_drug(rate="0.5 mg/kg/hr", weight="0 kg"),
            "drugs.0.weight",
            '"0 kg" must be more than zero',
        ),
        (seed_calculation(days=0), "days", "days of service must be from 1 to 366, not 0"),
        (seed_calculation(days=-3), "days", "days of service must be from 1 to 366, not -3"),
        (
            seed_calculation(hours_per_day="0"),
            "hours_per_day",
            "hours per day must be more than 0 and at most 24, not 0",
        ),
        (
            seed_calculation(hours_per_day="25"),
            "hours_per_day",
            "hours per day must be more than 0 and at most 24, not 25",
        ),
        (
            seed_calculation(hours_per_day=24.5),
            "hours_per_day",
            "hours per day must be more than 0 and at most 24, not 24.5",
        ),
        (seed_calculation(hours_per_day="-1"), "hours_per_day", '"-1" must be more than zero'),
        (
            seed_calculation(days=None, start="2026-01-31", end="2026-01-01"),
            "end",
            "the end date 2026-01-01 is before the start date 2026-01-31",
        ),
        (
            seed_calculation_drug(rate="0.5 mg/kg/hr"),
            "drugs.0.weight",
            'the weight-based rate "0.5 mg/kg/hr" needs the weight',
        ),
        (
            seed_calculation(therapy="continuous", hours_per_day="12"),
            "therapy",
            "continuous therapy runs 24 hours a day; with 12 hours a day choose intermittent "
            "(or 24 hours)",
        ),
        (
            seed_calculation(therapy="intermittent", hours_per_day="24"),
            "therapy",
            "intermittent therapy runs less than 24 hours a day; choose continuous",
        ),
        (
            seed_calculation_drug(rate="1000 units/hr"),
            "drugs.0.concentration",
            '"25 mg/mL" is in mass (mg) but the dose rate "1000 units/hr" is in units; '
            "they must match",
        ),
        (
            seed_calculation_drug(concentration="1000 units/mL"),
            "drugs.0.concentration",
            '"1000 units/mL" is in units but the dose rate "5 mg/hr" is in mass (mg); '
            "they must match",
        ),
        (
            seed_calculation_drug(rate="5 ML/hr"),
            "drugs.0.rate",
            '"ML" is not a unit here; did you mean mL? (units are case-sensitive: '
            "mg, mcg, g, kg, mL, L, hr, h, min, day, units, IU, mEq, %)",
        ),
        (
            seed_calculation_drug(rate="1 000 mg/hr"),
            "drugs.0.rate",
            '"1 000 mg/hr": spaces are not allowed inside a number (write 1000, not 1 000)',
        ),
        (
            seed_calculation_drug(rate="5,5 mg/hr"),
            "drugs.0.rate",
            '"5,5 mg/hr": use a decimal point, not a comma (e.g. 5.5)',
        ),
        (seed_calculation_drug(rate=5), "drugs.0.rate", '"5" needs a unit, e.g. 5 mg'),
    ],
)
def test_reports_each_input_error_on_its_field(
    request_data: dict[str, Any], field: str, message: str
) -> None:
    """wrong dimensions, zero or negative values, bad hours, dates and therapy are field
    errors keyed by the request's field path."""
    assert request_errors(request_data) == {field: [message]}


def test_reports_errors_of_the_second_drug_under_its_own_index() -> None:
    """a concurrent drug's errors carry its index (drugs.1.rate)."""
    request = seed_calculation()
    request["drugs"].append({"ndc": SEED_NDC, "rate": "25 mg/mL", "concentration": "25 mg/mL"})
    assert request_errors(request) == {
        "drugs.1.rate": ['"25 mg/mL" is a concentration, not a dose rate (e.g. 5 mg/hr)']
    }


# --- Policy overrides ----------------------------------------------------------------------


def test_policy_override_with_an_unknown_value_names_the_field():
    """A bad policy value is a field error under policy.<key>."""
    policy = {"rounding": "sideways", "colour": "red"}
    assert request_errors(seed_calculation(policy=policy)) == {
        "policy.rounding": ['"sideways" is not allowed; choose one of up, half_up'],
        "policy.colour": ["unknown policy setting"],
    }


# --- Any JSON -------------------------------------------------------------------------------


# Requests: a coherent valid order, then a few of its fields replaced by garbage or removed.
near_misses = st.sampled_from(
    [
        "",
        "0",
        "-1",
        "25",
        "1e999",
        "NaN",
        "nope",
        "X1",
        "5 ML",
        "1 000 mL",
        "5,5 mg",
        "\u0665 mg",
        "25 mg/mL",
        "5 mg/hr",
        "0.5 mg/kg/hr",
        "1000 units/hr",
        "999999999.999999 kg/min",
        "0.000001 mcg/999999999 L",
        "999999999 kg/0.000001 mL",
        "0.000001 mL",
        "2026-02-30",
        "continuous",
        "intermittent",
    ]
)
garbage = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats()
    | st.text(max_size=20)
    | near_misses,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=5,
)
DRUGS = [
    {"rate": "5 mg/hr", "concentration": "25 mg/mL", "hcpcs": "J2270", "hcpcs_unit": "10 mg"},
    {"rate": "50 mcg/h", "concentration": "50 mcg/mL", "hcpcs": "J3010", "hcpcs_unit": "0.1 mg"},
    {"rate": "2 mg/min", "concentration": "500 mg in 20 mL"},
    {"rate": "120 mg/day", "concentration": "100 mg/100 mL", "ndc_unit": "ME"},
    {"rate": "0.5 mg/kg/hr", "concentration": "10 mg/mL", "weight": "70 kg"},
    {"rate": "4 mL/hr", "concentration": "0.25 %", "ndc_unit": "GR"},
    {"rate": "1000 units/hr", "concentration": "1000 units/mL", "ndc_unit": "F2"},
    {"rate": "1 mg/hr", "concentration": "1 mg/mL", "bolus": "0.5 mg", "boluses_per_day": 12},
    {"rate": "8 mL/day", "concentration": "2 mg/mL", "ndc_unit": "UN", "package_volume": "20 mL"},
]


@st.composite
def valid_drugs(draw: st.DrawFn) -> dict[str, Any]:
    """Return one coherent drug of a request."""
    ndc = draw(st.sampled_from([SEED_NDC, "00074113303", "12345-123-12"]))
    return {"ndc": ndc, "name": "morphine", **draw(st.sampled_from(DRUGS))}


@st.composite
def valid_requests(draw: st.DrawFn) -> dict[str, Any]:
    """Return a coherent request: hours agree with the therapy, the end is not before the start."""
    hours = draw(st.sampled_from(["24", "12", "0.5", "23.999999", 24, 12.5]))
    request: dict[str, Any] = {
        "profile": draw(st.sampled_from(["HMSA", "STANDARD"])),
        "hours_per_day": hours,
        "drugs": draw(st.lists(valid_drugs(), min_size=1, max_size=3)),
    }
    if draw(st.booleans()):
        request["therapy"] = "continuous" if hours in ("24", 24) else "intermittent"
    if draw(st.booleans()):
        request["days"] = draw(st.integers(min_value=1, max_value=366))
    else:
        start = draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)))
        end = start + timedelta(days=draw(st.integers(min_value=0, max_value=365)))
        request["start"], request["end"] = start.isoformat(), end.isoformat()
    if draw(st.booleans()):
        request["policy"] = {
            "rounding": draw(st.sampled_from(["up", "half_up"])),
            "rounding_scope": draw(st.sampled_from(["total", "daily"])),
            "month_lines": draw(st.booleans()),
        }
    if draw(st.booleans()):
        request["nursing_visits"] = ["3.5 h", {"duration": "3 h 40 min", "date": "2026-01-05"}]
    return request


@st.composite
def spoiled(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    """Return `data` with up to three of its fields (or its drugs' fields) spoiled."""
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        paths = [(data, key) for key in data]
        for item in data.get("drugs", []) if isinstance(data.get("drugs"), list) else []:
            if isinstance(item, dict):
                paths.extend((item, key) for key in item)
        if not paths:
            break
        target, key = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["garbage", "garbage", "remove", "add"]))
        if action == "remove":
            del target[key]
        elif action == "add":
            target[draw(st.text(max_size=8))] = draw(garbage)
        else:
            target[key] = draw(garbage)
    return data


requests = valid_requests().flatmap(spoiled)


@fuzz
@given(requests)
def test_calculates_any_request_or_raises_invalid_order(request: dict) -> None:
    """whatever JSON arrives, the engine returns a calculation or raises InvalidOrder."""
    before = copy.deepcopy(request)
    try:
        calculation = engine.calculate_request(request, engine.EmptyCatalog())
    except InvalidOrder as error:
        assert error.errors
        assert all(isinstance(m, str) and m for ms in error.errors.values() for m in ms)
    else:
        for result in calculation.results:
            assert isinstance(result, DoseResult)
            assert result.total_volume_ml == result.volume_for_days(result.days)
    assert repr(request) == repr(before)


# --- The quick ways through the reader ------------------------------------------------------


@fuzz
@given(valid_requests())
def test_the_values_read_are_those_their_constructors_make(request: dict) -> None:
    """the reader fills its frozen values' fields at once instead of calling their
    constructors: each value has exactly its class's fields and equals what the constructor
    makes of them (a field added to DrugInput and not to the reader fails here)."""
    parsed = parse_request(request, engine.EmptyCatalog())
    assert type(parsed) is ParsedRequest and len(parsed) == len(ParsedRequest._fields)
    assert ParsedRequest(*parsed) == parsed and repr(ParsedRequest(*parsed)) == repr(parsed)
    for value in (parsed.order, parsed.order.period, *parsed.order.drugs):
        names = [field.name for field in fields(value)]
        assert list(vars(value)) == names
        rebuilt = type(value)(**{name: getattr(value, name) for name in names})
        assert rebuilt == value
        assert repr(rebuilt) == repr(value)


def read_outcome(reader: Any, data: Any) -> tuple[Any, dict[str, list[str]]]:
    errors = ErrorCollector()
    return reader(data, errors), errors.errors


iso_dates = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 6, 30)).map(date.isoformat)
odd_dates = st.sampled_from([" 2026-01-05", "2026-01-01 ", "2026-02-30", "2026-1-1", ""])
# Ten characters with hyphens where a date has them: digits, or almost.
typed_dates = st.builds(
    "{}-{}-{}".format,
    st.text("0123456789+-W\u0662 ", min_size=4, max_size=4),
    st.text("0123456789-\u0662", min_size=2, max_size=2),
    st.text("0123456789 T", min_size=2, max_size=2),
)
periods = st.fixed_dictionaries(
    {},
    optional={
        "days": st.integers(min_value=-2, max_value=370) | st.none() | garbage,
        "start": iso_dates | iso_dates | odd_dates | st.just("\u0662\u0660\u0662\u0666-01-01"),
        "end": iso_dates | iso_dates | odd_dates | garbage,
    },
)


@fuzz
@given(periods | requests)
@example({"start": "2026-01-01", "end": "2027-01-01"})  # 366 days, the most
@example({"start": "2026-01-01", "end": "2027-01-02"})
@example({"start": "2026-01-02", "end": "2026-01-01"})
@example({"days": 366})
@example({"days": 367})
def test_a_count_of_days_reads_as_the_full_rules_read_it(data: dict) -> None:
    """the quick reading of a plain count of days gives the period, and the errors, that the
    rules give (the rules are the reference)."""
    assert read_outcome(_read_period, data) == read_outcome(_read_period_in_full, data)


@fuzz
@given(iso_dates | odd_dates | st.text(max_size=12) | garbage | typed_dates)
def test_a_date_as_typed_reads_as_the_rules_read_it(value: Any) -> None:
    """the quick reading of YYYY-MM-DD gives the date, or the message, the rules give."""

    def outcome(reader: Any) -> date | str:
        try:
            return reader(value)
        except ValueError as error:
            return str(error)

    assert outcome(_date) == outcome(_date_in_full)


@fuzz
@given(st.text(max_size=20) | st.sampled_from([*_THERAPIES, " continuous", "implanted_pump"]))
def test_a_therapy_as_typed_is_the_therapy_the_rules_read(text: str) -> None:
    """a therapy found as typed is the therapy the rules read from the same text."""
    if text in _THERAPIES:
        assert _THERAPIES[text] is _therapy(text)


medicare_keys = st.sampled_from(sorted(MEDICARE_REQUEST_FIELDS | MEDICARE_DRUG_FIELDS))


@fuzz
@given(requests, st.lists(st.tuples(medicare_keys, garbage, st.integers(0, 3)), max_size=2))
def test_an_order_without_medicare_keys_gets_nothing_from_their_readers(
    request: dict, added: list[tuple[str, Any, int]]
) -> None:
    """the reader skips the Medicare DME readers for an order and drug rows without their keys
    on a per-diem profile: whatever those readers would report is reported, and what they
    would return is what the order holds."""
    for key, value, row in added:  # a Medicare key on the order or on one of its drug rows
        rows = request.get("drugs")
        if isinstance(rows, list) and row < len(rows) and isinstance(rows[row], dict):
            rows[row][key] = value
        else:
            request[key] = value
    catalog = engine.EmptyCatalog()
    try:
        parsed = parse_request(request, catalog)
    except InvalidOrder as error:
        reported, policy, products = error.errors, None, ()
        if isinstance(request, dict):
            policy = _read_policy(request, catalog, ErrorCollector())
        medicare = secondary = None
    else:
        reported, policy, products = {}, parsed.policy, parsed.products
        medicare, secondary = parsed.medicare, parsed.secondary_policy
    errors = ErrorCollector()
    assert read_medicare(request, policy, products, errors) == medicare or reported
    assert read_secondary_policy(request, policy, catalog, errors) == secondary or reported
    for path, messages in errors.errors.items():
        assert set(messages) <= set(reported.get(path, []))


CHOICES = sorted({member.value for kind in POLICY_FIELDS.values() for member in kind} | {"x"})


@fuzz
@given(st.sampled_from(sorted(POLICY_FIELDS)), st.text(max_size=12) | st.sampled_from(CHOICES))
def test_a_policy_setting_as_spelled_is_the_member_the_enum_gives(key: str, text: str) -> None:
    """a setting's value found as spelled is the member its Enum gives for the same text."""
    if text in _POLICY_CHOICES[key]:
        assert _POLICY_CHOICES[key][text] is POLICY_FIELDS[key](text)


def test_a_changed_profile_is_the_profile_with_the_changes_whichever_copy_comes() -> None:
    """the changed profiles are remembered by the profile's identity: an equal copy of the
    profile, or the same change of another profile, gets its own changed profile."""
    changes = (("rounding_scope", RoundingScope.DAILY),)
    for name in ("HMSA", "STANDARD", "HMSA"):
        profile = SHIPPED_POLICIES[name]
        for policy in (profile, replace(profile), profile):
            changed = _changed_policy(policy, changes)
            assert changed == replace(policy, rounding_scope=RoundingScope.DAILY)
            assert changed.name == name


# Quantities as a drug row may give them: typed as most are, oddly, or wrongly.
row_quantities = (
    typed_quantity
    | near_misses
    | st.sampled_from(["10 mg", " 10 mg", "10 mL", "10 units", "0.1 mg", "2 mL"])
    | st.sampled_from(["70 kg", " 70.5 kg ", "70000 g", "70 kg/hr", "70 lb", "0 kg", "1 mg/kg"])
    | st.sampled_from(["10 min", " 1.5 hr ", "15 mins", "0 min", "10 min/hr", "1 day", "10"])
)
QUANTITY_READERS = {
    "rate": parse_rate,
    "concentration": parse_concentration,
    "hcpcs_unit": lambda text: parse_amount(text, dimensions=DOSE, example="10 mg"),
    "package_volume": lambda text: parse_amount(text, dimensions=(VOLUME,), example="10 mL"),
    "bolus": lambda text: parse_amount(text, dimensions=(*DOSE, VOLUME), example="1 mg"),
    "weight": parse_weight,
    "lockout": lambda text: parse_amount(text, dimensions=(TIME,), example="10 min"),
}
DOSE = (MASS, ACTIVITY, EQUIVALENT)


@fuzz
@given(
    st.lists(st.fixed_dictionaries({}, optional=dict.fromkeys(QUANTITY_READERS, row_quantities)))
)
def test_a_drug_rows_quantities_are_what_their_readers_make_of_them(rows: list[dict]) -> None:
    """the reader takes a quantity typed as most are at once (and each HCPCS unit text once):
    every quantity of every row is, digit for digit, what its reader makes of the text, and a
    text the reader refuses gets the reader's message on the field's path, orders after orders."""
    for row in rows:
        drug = {"ndc": SEED_NDC, "rate": "5 mg/hr", "concentration": "25 mg/mL", **row}
        request = {"profile": "HMSA", "days": 3, "drugs": [drug]}
        try:
            read = parse_request(request, engine.EmptyCatalog()).order.drugs[0]
            reported: dict[str, list[str]] = {}
        except InvalidOrder as error:
            read, reported = None, error.errors
        for key, reader in QUANTITY_READERS.items():
            text = drug.get(key)
            if text in (None, "") and key in ("rate", "concentration"):
                assert f"drugs.0.{key}" in reported  # "enter the dose rate, e.g. 5 mg/hr"
                continue
            try:
                expected = every_field(reader(text)) if text not in (None, "") else None
            except QuantityError as error:
                assert reported[f"drugs.0.{key}"] == [str(error)]
                continue
            assert f"drugs.0.{key}" not in reported
            if read is not None:
                value = getattr(read, key)
                assert (every_field(value) if value is not None else None) == expected


# Texts a drug row may give as its name or NDC: printable or not, about the length limit.
row_texts = (
    st.text(max_size=130)
    | st.text(alphabet="0123456789-", min_size=1, max_size=14)
    | st.builds(
        "{}{}{}".format, st.sampled_from(["", " ", "\t"]), st.text(), st.sampled_from(["", " "])
    )
    | st.integers(100, 130).map(lambda length: "x" * length)
    | st.sampled_from(["", " ", "\t00074-1133-03", "00074-1133-03\n", "Drug\u00a012", "\ud800"])
    | garbage
)


@fuzz
@given(name=row_texts, ndc=row_texts)
@example(name="x" * 120, ndc=" 00074-1133-03 ")
@example(name="x" * 121, ndc="00074-1133-03")
def test_a_drug_rows_name_and_ndc_read_as_the_text_rule_reads_them(name: Any, ndc: Any) -> None:
    """the reader takes a printable name or NDC at once: the name it keeps and the NDC it reads
    are those of `_text` (the text rule), and a text the rule refuses gets the rule's message
    on the field's path."""
    drug = {"ndc": ndc, "name": name, "rate": "5 mg/hr", "concentration": "25 mg/mL"}
    try:
        parsed = parse_request(
            {"profile": "HMSA", "days": 3, "drugs": [drug]}, engine.EmptyCatalog()
        )
        reported: dict[str, list[str]] = {}
    except InvalidOrder as error:
        parsed, reported = None, error.errors
    rule = ErrorCollector()
    name_text = _text(name, "drugs.0", "name", rule) if name is not None else ""
    ndc_text = _text(ndc, "drugs.0", "ndc", rule)
    assert reported.get("drugs.0.name") == rule.errors.get("drugs.0.name")
    if "drugs.0.ndc" in rule.errors:
        assert reported["drugs.0.ndc"] == rule.errors["drugs.0.ndc"]
    if parsed is not None:
        read = parsed.order.drugs[0]
        assert read.name == name_text
        assert read.ndc == normalize_ndc(ndc_text)


@fuzz
@given(
    st.integers(-3, MAX_BOLUSES_PER_DAY + 3)
    | st.sampled_from([True, False, 2.0, 2.5, "3", " 4 ", "", "x"])
    | garbage
)
@example(-1)
@example(0)
@example(MAX_BOLUSES_PER_DAY)
@example(MAX_BOLUSES_PER_DAY + 1)
@example(True)
def test_a_drug_rows_boluses_per_day_read_as_the_count_rule_reads_them(count: Any) -> None:
    """the reader takes a whole number in range at once: the count it keeps is what
    `_read_boluses` (the rule) returns, and a count the rule refuses gets its message."""
    drug = {"ndc": SEED_NDC, "rate": "5 mg/hr", "concentration": "25 mg/mL"}
    drug |= {"bolus": "1 mg", "boluses_per_day": count}
    try:
        read = parse_request({"profile": "HMSA", "days": 3, "drugs": [drug]}, engine.EmptyCatalog())
        reported: dict[str, list[str]] = {}
    except InvalidOrder as error:
        read, reported = None, error.errors
    try:
        expected = _read_boluses(count) if count not in (None, "") else None
    except ValueError as error:
        assert reported["drugs.0.boluses_per_day"] == [str(error)]
        return
    assert "drugs.0.boluses_per_day" not in reported
    if read is not None:
        assert read.order.drugs[0].boluses_per_day == (expected or 0)


# A drug row as most give it (the four fields), now and then with a field left out, spoiled or
# added.
FOUR_FIELDS = {
    "ndc": st.sampled_from([SEED_NDC, "00074113303", "0074113303", "123", ""]) | garbage,
    "name": st.sampled_from(["morphine", " Drug 12 ", ""]) | row_texts,
    "rate": st.sampled_from(["5 mg/hr", "25 mg/mL"]) | row_quantities,
    "concentration": st.sampled_from(["25 mg/mL", "5 mg/hr"]) | row_quantities,
}
OTHER_FIELDS = {
    "bolus": st.sampled_from(["1 mg", None, ""]),
    "hcpcs": st.sampled_from(["J2270", None]),
    "ndc_unit": st.sampled_from(["GR", None]),
}
VALID_FOUR_FIELDS = {
    "ndc": st.sampled_from([SEED_NDC, "00074113303"]),
    "name": st.sampled_from(["morphine", " Drug 12 "]),
    "rate": st.sampled_from(["5 mg/hr", "0.5 mg/kg/hr", "4 mL/hr"]),
    "concentration": st.sampled_from(["25 mg/mL", "0.25 %", "500 mg in 20 mL"]),
}
four_field_rows = (
    st.fixed_dictionaries(VALID_FOUR_FIELDS)
    | st.fixed_dictionaries(FOUR_FIELDS)
    | st.fixed_dictionaries({}, optional=VALID_FOUR_FIELDS | OTHER_FIELDS)
    | st.fixed_dictionaries({}, optional=FOUR_FIELDS | OTHER_FIELDS)
)


class OneProductCatalog(engine.EmptyCatalog):
    """The seed NDC's product, with its catalog HCPCS code, NDC unit and package volume."""

    PRODUCT = Product("00074113303", "Morphine", "25 mg/mL", "GR", "J2270", "10 mg", "10 mL")

    def product(self, ndc11: str) -> Product | None:
        return self.PRODUCT if ndc11 == self.PRODUCT.ndc else None

    def products_among(self, ndc11s: tuple[str, ...]) -> list[Product]:
        return [self.PRODUCT] if self.PRODUCT.ndc in ndc11s else []


@fuzz
@given(st.lists(four_field_rows, min_size=1, max_size=3))
@example([{"ndc": SEED_NDC, "rate": "5 mg/hr", "concentration": "25 mg/mL", "bolus": "1 mg"}])
@example([{"name": "m", "rate": "5 mg/hr", "concentration": "25 mg/mL", "ndc_unit": "GR"}])
@example([{"ndc": SEED_NDC, "name": "m", "rate": "5 mg/hr", "concentration": "25 mg/mL"}] * 2)
@example(
    [
        {
            "ndc": SEED_NDC,
            "name": "m",
            "rate": "5 mg/hr",
            "concentration": "25 mg/mL",
            "bolus": "1 mg",
        }
    ]
)
@example([{"ndc": SEED_NDC, "name": "m", "concentration": "25 mg/mL", "bolus": "5 mg/hr"}])
@example([{"ndc": SEED_NDC, "name": "m", "rate": "5 mg/hr", "bolus": "5 mg/hr"}])
def test_a_row_known_to_hold_drug_fields_only_reads_as_any_row(rows: list[dict]) -> None:
    """a row the caller has seen to hold drug fields only (`known`, most rows: the NDC, name,
    rate and concentration) reads to the drug, product, errors and notices of the same row read
    with every check."""
    for index, row in enumerate(rows):
        catalog = OneProductCatalog() if index % 2 else engine.EmptyCatalog()
        outcomes = []
        for known in (True, False):
            errors, warnings = ErrorCollector(), []
            drug, product = _read_drug(row, f"drugs.{index}", catalog, errors, warnings, known)
            outcomes.append((repr(drug), product, errors.errors, warnings))
        assert outcomes[0] == outcomes[1]


typed_ndcs = (
    row_texts
    | st.sampled_from([SEED_NDC, "00074113303", "0074113303", "0074-1133-03", " 00074-1133-03 "])
    | st.sampled_from(["12345-123-12", "1234567890", "0000000000", "00000-0000-00", "123"])
    | st.sampled_from(["00074-1133-3", "00074_1133_03", "\t0074113303"])
)


@fuzz
@given(typed_ndcs)
def test_a_drug_rows_ndc_reads_as_the_ndc_reader_reads_it(typed: Any) -> None:
    """the reader takes an NDC typed as most are at once: the NDC, catalog product, message
    and notice are those `_read_ndc` gives, with a catalog and without."""
    row = {"ndc": typed, "rate": "5 mg/hr", "concentration": "25 mg/mL"}
    for catalog in (engine.EmptyCatalog(), OneProductCatalog()):
        errors, warnings = ErrorCollector(), []
        drug, product = _read_drug(row, "drugs.0", catalog, errors, warnings, True)
        rule_errors, rule_warnings = ErrorCollector(), []
        ndc11, rule_product = _read_ndc(typed, "drugs.0", catalog, rule_errors, rule_warnings)
        assert drug is not None and (drug.ndc, product) == (ndc11, rule_product)
        assert errors.errors.get("drugs.0.ndc") == rule_errors.errors.get("drugs.0.ndc")
        assert [w for w in warnings if w.field == "drugs.0.ndc"] == rule_warnings
