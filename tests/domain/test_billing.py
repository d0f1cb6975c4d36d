"""Billing rules: per diem, drug lines, rounding, NDC quantity,
month lines, nursing and place of service. Pure tests: no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculator.domain import billing
from calculator.domain.billing import (
    HMSA,
    STANDARD,
    BillingPolicy,
    Rounding,
    billing_units,
    month_segments,
    ndc_quantity,
    nursing_units,
)
from calculator.domain.dosing import (
    DoseResult,
    DrugInput,
    ServicePeriod,
)
from calculator.domain.errors import InvalidOrder
from calculator.domain.units import VOLUME, parse_amount, parse_concentration, parse_rate
from calculator.engine import EmptyCatalog, calculate_request, response_json
from tests.conftest import SEED_CALCULATION

MORPHINE = {"name": "Morphine sulfate", **SEED_CALCULATION["drugs"][0]}


def calc(drugs=None, **order):
    order.setdefault("days", 31)
    return calculate_request({"drugs": drugs or [dict(MORPHINE)], **order}, EmptyCatalog())


def lines_of(calculation, kind=None):
    return [line for line in calculation.lines if kind is None or line.kind == kind]


def codes(calculation):
    return [(line.code, line.modifiers, line.units) for line in calculation.lines]


# --- The seed and the two shipped profiles ---------------------------------------------------


def test_hmsa_reproduces_the_seed_example_exactly():
    """Seed: S9325 x 31 and J3490 NDC 00074113303 x 149 (148.8 mL rounded off)."""
    calculation = calc(profile="HMSA")
    per_diem, drug = calculation.lines
    assert (per_diem.code, per_diem.units, per_diem.modifiers) == ("S9325", 31, ())
    assert (drug.code, drug.units, drug.ndc) == ("J3490", 149, "00074113303")
    assert (drug.ndc_unit, drug.ndc_quantity) == ("ML", Decimal("148.8"))
    assert drug.supplemental == "N400074113303 ML148.8"
    steps = response_json(calculation)["drugs"][0]["steps"]
    assert steps == [
        "5 mg/hr x 24 hr = 120 mg/day",
        "120 mg/day / 25 mg/mL = 4.8 mL/day",
        "4.8 mL/day x 31 days = 148.8 mL",
        "148.8 mL -> 149 units",
    ]


def test_standard_bills_the_seed_on_specific_codes():
    """STANDARD with J2270 (up to 10 mg): S9326 x 31 and J2270 x 372 (3720 mg / 10 mg)."""
    drug = {**MORPHINE, "hcpcs": "J2270", "hcpcs_unit": "10 mg"}
    calculation = calc([drug], profile="STANDARD")
    assert codes(calculation) == [("S9326", (), 31), ("J2270", (), 372)]
    assert lines_of(calculation, "drug")[0].supplemental == "N400074113303 ML148.8"


# --- Rule 1: per-diem line --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("therapy", "hours", "code"),
    [
        ("continuous", "24", "S9326"),
        ("intermittent", "8", "S9327"),
        ("implanted-pump", "24", "S9328"),
        ("implanted-pump", "12", "S9328"),
    ],
)
def test_specific_profile_codes_the_per_diem_by_schedule(therapy, hours, code):
    """Rule 4.1: specific -> S9326 at 24 h/day, S9327 below, S9328 for an implanted pump."""
    calculation = calc(profile="STANDARD", therapy=therapy, hours_per_day=hours)
    assert lines_of(calculation, "per_diem")[0].code == code


@pytest.mark.parametrize(
    ("therapy", "hours"), [("continuous", "24"), ("intermittent", "8"), ("implanted-pump", "24")]
)
def test_generic_profile_codes_every_schedule_as_s9325(therapy, hours):
    """Rule 4.1: generic -> S9325 for any schedule."""
    calculation = calc(profile="HMSA", therapy=therapy, hours_per_day=hours)
    assert {line.code for line in lines_of(calculation, "per_diem")} == {"S9325"}


def test_per_diem_units_are_the_days_of_service():
    """Rule 4.1: units = days of service (Jan 1-31 inclusive is 31)."""
    calculation = calc(profile="HMSA", days=None, start="2026-01-01", end="2026-01-31")
    per_diem = lines_of(calculation, "per_diem")[0]
    assert (per_diem.units, per_diem.start, per_diem.end) == (
        31,
        date(2026, 1, 1),
        date(2026, 1, 31),
    )


@pytest.mark.parametrize("profile", ["HMSA", "STANDARD"])
def test_s9325_never_appears_beside_s9326_to_s9328(profile):
    """Rule 4.1: S9325 is never on a claim with S9326, S9327 or S9328."""
    drugs = [
        dict(MORPHINE),
        {**MORPHINE, "ndc": "12345-123-12"},
        {**MORPHINE, "ndc": "1234-5678-90"},
    ]
    calculation = calc(drugs, profile=profile, start="2026-01-20", end="2026-03-05", days=None)
    found = {line.code for line in lines_of(calculation, "per_diem")}
    assert not ("S9325" in found and found & {"S9326", "S9327", "S9328"})


# --- Rule 2: concurrent drugs -----------------------------------------------------------------


def test_second_drug_adds_an_sh_per_diem_line_and_its_own_drug_line():
    """Rule 4.2: the second drug's per-diem line carries SH; each drug has its own NDC line."""
    fentanyl = {
        "name": "Fentanyl",
        "ndc": "0409-9094-25",
        "rate": "50 mcg/hr",
        "concentration": "50 mcg/mL",
    }
    calculation = calc([dict(MORPHINE), fentanyl], profile="HMSA")
    assert codes(calculation) == [
        ("S9325", (), 31),
        ("S9325", ("SH",), 31),
        ("J3490", (), 149),
        ("J3490", (), 744),
    ]
    assert [line.ndc for line in lines_of(calculation, "drug")] == ["00074113303", "00409909425"]


def test_third_and_later_drugs_carry_sj():
    """Rule 4.2: SJ on the third drug's per-diem line and on every later one."""
    drugs = [dict(MORPHINE) for _ in range(4)]
    calculation = calc(drugs, profile="HMSA")
    assert [line.modifiers for line in lines_of(calculation, "per_diem")] == [
        (),
        ("SH",),
        ("SJ",),
        ("SJ",),
    ]


# --- Rules 3 and 4: drug lines ----------------------------------------------------------------


def test_specific_code_units_round_up_a_partial_descriptor_unit():
    """Rule 4.3: 3 mg/hr x 24 h x 31 d = 2232 mg on J2270 is 223.2 -> 224 units (ceiling)."""
    drug = {**MORPHINE, "rate": "3 mg/hr", "hcpcs": "J2270", "hcpcs_unit": "10 mg"}
    assert lines_of(calc([drug], profile="STANDARD"), "drug")[0].units == 224


def test_specific_code_bills_at_least_one_unit():
    """Rule 4.3: minimum 1 unit, even below one descriptor unit (1 mcg/hr for 1 day on 0.1 mg)."""
    drug = {
        "ndc": "0409-9094-25",
        "rate": "1 mcg/hr",
        "concentration": "50 mcg/mL",
        "hcpcs": "J3010",
        "hcpcs_unit": "0.1 mg",
    }
    line = lines_of(calc([drug], profile="STANDARD", days=1), "drug")[0]
    assert (line.code, line.units) == ("J3010", 1)


def test_specific_code_converts_mcg_doses_to_the_descriptor_unit():
    """Rule 4.3: fentanyl 50 mcg/hr x 24 h x 31 d = 37.2 mg on J3010 (0.1 mg) is 372 units."""
    drug = {
        "ndc": "0409-9094-25",
        "rate": "50 mcg/hr",
        "concentration": "50 mcg/mL",
        "hcpcs": "J3010",
        "hcpcs_unit": "0.1 mg",
    }
    line = lines_of(calc([drug], profile="STANDARD"), "drug")[0]
    assert (line.units, line.ndc_quantity) == (372, Decimal(744))


def test_drug_without_a_specific_code_bills_j3490_with_its_ndc():
    """Rule 4.4: no J-code (ketamine) -> J3490 + NDC, units = mL, even on STANDARD."""
    ketamine = {
        "name": "Ketamine",
        "ndc": "42023-113-10",
        "rate": "5 mg/hr",
        "concentration": "10 mg/mL",
    }
    line = lines_of(calc([ketamine], profile="STANDARD", days=3), "drug")[0]
    assert (line.code, line.units, line.ndc) == ("J3490", 36, "42023011310")
    assert "Ketamine 10 mg/mL, 5 mg/hr (120 mg/day)" in line.description


def test_unlisted_profile_bills_j3490_even_when_a_j_code_exists():
    """Rule 4.4: a profile that says unlisted uses J3490 whatever the drug's code."""
    drug = {**MORPHINE, "hcpcs": "J2270", "hcpcs_unit": "10 mg"}
    assert lines_of(calc([drug], profile="HMSA"), "drug")[0].code == "J3490"


def test_unlisted_units_follow_the_ndc_unit_basis_when_the_profile_says_so():
    """Rule 4.4: unit basis NDC with NDC unit ME bills the milligrams (3720 mg -> 3720)."""
    drug = {**MORPHINE, "ndc_unit": "ME"}
    calculation = calc([drug], profile="HMSA", policy={"unlisted_unit_basis": "NDC"})
    line = lines_of(calculation, "drug")[0]
    assert (line.units, line.ndc_unit, line.ndc_quantity) == (3720, "ME", Decimal(3720))


def test_unlisted_units_are_at_least_one():
    """Rule 4.4: minimum 1 unit even when half-up rounding gives 0 (0.24 mL)."""
    drug = {**MORPHINE, "rate": "0.25 mg/hr"}
    line = lines_of(calc([drug], profile="HMSA", days=1), "drug")[0]
    assert (line.units, line.ndc_quantity) == (1, Decimal("0.24"))


def test_specific_code_needs_its_descriptor_unit():
    """Rule 4.3: a J-code with no descriptor unit is a field error, not a guess."""
    drug = {**MORPHINE, "hcpcs": "J2270"}
    with pytest.raises(InvalidOrder) as raised:
        calc([drug], profile="STANDARD")
    assert "drugs.0.hcpcs_unit" in raised.value.errors


def test_descriptor_unit_must_match_the_drug_dimension():
    """Rule 4.3: a units-dosed drug cannot bill a per-mg code."""
    drug = {
        "ndc": "12345-123-12",
        "rate": "1000 units/hr",
        "concentration": "1000 units/mL",
        "hcpcs": "J1644",
        "hcpcs_unit": "10 mg",
    }
    with pytest.raises(InvalidOrder) as raised:
        calc([drug], profile="STANDARD")
    assert raised.value.errors["drugs.0.hcpcs_unit"] == [
        'J1644 bills per "10 mg", but this drug is dosed in units'
    ]


# --- Rule 5: rounding modes and scope ---------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "rounding", "units"),
    [
        ("148.8", Rounding.HALF_UP, 149),
        ("148.4", Rounding.HALF_UP, 148),
        ("148.5", Rounding.HALF_UP, 149),
        ("223.2", Rounding.UP, 224),
        ("223", Rounding.UP, 223),
        ("0.2", Rounding.HALF_UP, 1),
        ("0.001", Rounding.UP, 1),
    ],
)
def test_billing_units_round_by_mode_with_a_minimum_of_one(quantity, rounding, units):
    """Rule 4.5: up is the ceiling; half_up rounds off (148.5 -> 149, not banker's 148)."""
    assert billing_units(Decimal(quantity), rounding=rounding) == units


@pytest.mark.parametrize(("scope", "units"), [("total", 224), ("daily", 248)])
def test_rounding_scope_total_or_daily_on_the_spec_example(scope, units):
    """Rule 4.5: morphine 3 mg/hr, 31 days, J2270: 224 units on total, 248 on daily (8 x 31)."""
    drug = {**MORPHINE, "rate": "3 mg/hr", "hcpcs": "J2270", "hcpcs_unit": "10 mg"}
    calculation = calc([drug], profile="STANDARD", policy={"rounding_scope": scope})
    assert lines_of(calculation, "drug")[0].units == units


def test_profile_rounding_up_overrides_half_up_for_unlisted_lines():
    """Rule 4.5: HMSA with rounding up bills 148.4 mL as 149."""
    drug = {**MORPHINE, "rate": "4.98 mg/hr"}  # 4.7808 mL/day x 31 = 148.2048 mL
    half_up = lines_of(calc([drug], profile="HMSA"), "drug")[0]
    up = lines_of(calc([drug], profile="HMSA", policy={"rounding": "up"}), "drug")[0]
    assert (half_up.units, up.units) == (148, 149)


# --- Rule 6: NDC quantity ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("148.8", "148.8"),
        ("148.80", "148.8"),
        ("149", "149"),
        ("1.23456", "1.235"),
        ("2.0004", "2"),
    ],
)
def test_ndc_quantity_has_up_to_three_decimals_and_no_trailing_zeros(value, expected):
    """Rule 4.6: quantized to 3 decimals half-up; whole numbers carry no decimal point."""
    assert str(ndc_quantity(Decimal(value))) == expected


@pytest.mark.parametrize(
    ("ndc_unit", "extra", "quantity"),
    [
        ("ML", {}, "148.8"),
        ("GR", {}, "3.72"),
        ("ME", {}, "3720"),
        ("UN", {"package_volume": "20 mL"}, "8"),
    ],
)
def test_ndc_quantity_is_counted_in_the_ndc_unit_of_measure(ndc_unit, extra, quantity):
    """Rule 4.6: ML volume, GR grams of drug, ME milligrams, UN containers rounded up."""
    drug = {**MORPHINE, "ndc_unit": ndc_unit, **extra}
    line = lines_of(calc([drug], profile="HMSA"), "drug")[0]
    assert (line.ndc_unit, str(line.ndc_quantity)) == (ndc_unit, quantity)
    assert line.supplemental == f"N400074113303 {ndc_unit}{quantity}"


def test_ndc_quantity_in_international_units_for_f2():
    """Rule 4.6: F2 counts international units (1000 units/hr x 24 h x 2 d = 48000)."""
    drug = {
        "ndc": "12345-123-12",
        "rate": "1000 units/hr",
        "concentration": "1000 units/mL",
        "ndc_unit": "F2",
    }
    line = lines_of(calc([drug], profile="HMSA", days=2), "drug")[0]
    assert line.supplemental == "N412345012312 F248000"


def test_un_ndc_unit_needs_the_package_volume():
    """Rule 4.6: containers cannot be counted without the package volume."""
    with pytest.raises(InvalidOrder) as raised:
        calc([{**MORPHINE, "ndc_unit": "UN"}], profile="HMSA")
    assert "drugs.0.package_volume" in raised.value.errors


def test_gram_ndc_unit_is_refused_for_a_drug_dosed_in_units():
    """Rule 4.6: GR counts grams; a drug dosed in units cannot report it."""
    drug = {
        "ndc": "12345-123-12",
        "rate": "10 units/hr",
        "concentration": "10 units/mL",
        "ndc_unit": "GR",
    }
    with pytest.raises(InvalidOrder) as raised:
        calc([drug], profile="HMSA")
    assert "drugs.0.ndc_unit" in raised.value.errors


# --- Rule 7: month lines ----------------------------------------------------------------------


def test_month_segments_split_jan_17_to_feb_16_into_15_and_16_days():
    """Rule 4.7: Jan 17-Feb 16 -> 15 days + 16 days, each with its from/to dates."""
    period = ServicePeriod.between(date(2026, 1, 17), date(2026, 2, 16))
    assert [(s.start, s.end, s.days) for s in month_segments(period)] == [
        (date(2026, 1, 17), date(2026, 1, 31), 15),
        (date(2026, 2, 1), date(2026, 2, 16), 16),
    ]


def test_month_lines_give_a_per_diem_and_a_drug_line_per_month():
    """Rule 4.7: STANDARD splits per-diem and drug lines at the month boundary."""
    drug = {**MORPHINE, "hcpcs": "J2270", "hcpcs_unit": "10 mg"}
    calculation = calc([drug], profile="STANDARD", days=None, start="2026-01-17", end="2026-02-16")
    assert [(line.code, line.units, line.start, line.end) for line in calculation.lines] == [
        ("S9326", 15, date(2026, 1, 17), date(2026, 1, 31)),
        ("J2270", 180, date(2026, 1, 17), date(2026, 1, 31)),  # 1800 mg / 10 mg
        ("S9326", 16, date(2026, 2, 1), date(2026, 2, 16)),
        ("J2270", 192, date(2026, 2, 1), date(2026, 2, 16)),
    ]
    assert [str(line.ndc_quantity) for line in lines_of(calculation, "drug")] == ["72", "76.8"]


def test_without_month_lines_a_crossing_period_stays_on_one_line():
    """Rule 4.7: HMSA bills the whole period on one line."""
    calculation = calc(profile="HMSA", days=None, start="2026-01-17", end="2026-02-16")
    assert codes(calculation) == [("S9325", (), 31), ("J3490", (), 149)]


def test_month_lines_cross_a_year_and_a_leap_february():
    """Rule 4.7: Dec 30 2027-Mar 1 2028 -> 2 + 31 + 29 + 1 days."""
    period = ServicePeriod.between(date(2027, 12, 30), date(2028, 3, 1))
    assert [s.days for s in month_segments(period)] == [2, 31, 29, 1]


def test_month_lines_without_dates_warn_and_bill_one_line():
    """Rule 4.7: with only a day count there is nothing to split; the response says so."""
    calculation = calc(profile="STANDARD", days=31)
    assert len(lines_of(calculation, "per_diem")) == 1
    assert [warning.message for warning in calculation.warnings] == [
        "month lines need start and end dates; the period is billed on one line"
    ]


# --- Rule 8: nursing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "units"),
    [
        (220, (1, 2)),  # 3 h 40 min: 100 min past 2 h = 1 h + 40 min (> 30) -> 2
        (140, (1, 0)),  # 2 h 20 min: 20 min is not more than half an hour
        (120, (1, 0)),
        (60, (1, 0)),
        (150, (1, 0)),  # exactly half an hour past does not count
        (151, (1, 1)),
        (180, (1, 1)),
        (210, (1, 1)),  # 3.5 h: 30 min past the hour is the midpoint, not past it
        (211, (1, 2)),
        (240, (1, 2)),
    ],
)
def test_nursing_visit_bills_99601_and_additional_hours_as_99602(minutes, units):
    """Rule 4.8: 99601 per visit; 99602 per further hour, a partial hour once past half."""
    assert nursing_units(Decimal(minutes)) == units


def test_nursing_visits_become_lines_on_their_dates():
    """Rule 4.8: "3 h 40 min" -> 99601 x 1 + 99602 x 2; "2 h 20 min" -> 99601 x 1."""
    calculation = calc(
        profile="HMSA",
        days=None,
        start="2026-01-01",
        end="2026-01-31",
        nursing_visits=["3 h 40 min", "2026-01-08 2 h 20 min"],
    )
    assert [(line.code, line.units, line.start) for line in lines_of(calculation, "nursing")] == [
        ("99601", 1, date(2026, 1, 1)),
        ("99602", 2, date(2026, 1, 1)),
        ("99601", 1, date(2026, 1, 8)),
    ]


def test_nursing_visit_of_three_and_a_half_hours_as_the_cli_writes_it():
    """Rule 4.8: "3.5 h" is 1 h 30 min past two hours; the half hour is not past -> 99602 x 1."""
    calculation = calc(profile="HMSA", nursing_visits=["3.5 h"])
    assert [(line.code, line.units) for line in lines_of(calculation, "nursing")] == [
        ("99601", 1),
        ("99602", 1),
    ]


# --- Rule 9: place of service -----------------------------------------------------------------


def test_every_line_is_place_of_service_12_by_default():
    """Rule 4.9: place of service 12 (home) on every line."""
    calculation = calc(profile="HMSA", nursing_visits=["3 h"])
    assert {line.place_of_service for line in calculation.lines} == {"12"}


def test_profile_can_set_another_place_of_service():
    """Rule 4.9: unless the profile says otherwise."""
    calculation = calc(profile="HMSA", policy={"place_of_service": "13"}, nursing_visits=["3 h"])
    assert {line.place_of_service for line in calculation.lines} == {"13"}


# --- Policies ---------------------------------------------------------------------------------


def test_shipped_profiles_match_spec_section_5():
    """HMSA generic/unlisted/mL/half_up/total/one line; STANDARD specific/up/months."""
    assert (HMSA.per_diem_coding, HMSA.drug_coding, HMSA.unlisted_unit_basis) == (
        "generic",
        "unlisted",
        "ML",
    )
    assert (HMSA.rounding, HMSA.rounding_scope, HMSA.month_lines) == ("half_up", "total", False)
    assert (STANDARD.per_diem_coding, STANDARD.drug_coding) == ("specific", "specific")
    assert (STANDARD.rounding, STANDARD.rounding_scope, STANDARD.month_lines) == (
        "up",
        "total",
        True,
    )


# --- Properties -------------------------------------------------------------------------------

rates = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(500), places=2)
concentrations = st.decimals(min_value=Decimal(1), max_value=Decimal(100), places=1)


@settings(max_examples=200, deadline=None)
@given(
    rate=rates,
    concentration=concentrations,
    days=st.integers(min_value=1, max_value=62),
    unit=st.sampled_from(["1 mg", "10 mg", "4 mg", "0.1 mg", "100 mg"]),
    scope=st.sampled_from(["total", "daily"]),
    rounding=st.sampled_from(["up", "half_up"]),
)
def test_units_under_up_are_never_below_the_exact_total(
    rate, concentration, days, unit, scope, rounding
):
    """Property: with rounding up, billed units x unit size >= the exact total; minimum 1."""
    drug = {**MORPHINE, "rate": f"{rate} mg/hr", "concentration": f"{concentration} mg/mL"}
    specific = {**drug, "hcpcs": "J2270", "hcpcs_unit": unit}
    calculation = calc([specific], profile="STANDARD", days=days, policy={"rounding_scope": scope})
    result, line = calculation.results[0], lines_of(calculation, "drug")[0]
    unit_mg = Decimal(unit.split()[0])
    assert line.units * unit_mg >= result.total_dose
    assert line.units >= 1
    unlisted = calc([drug], profile="HMSA", days=days, policy={"rounding": "up"})
    assert lines_of(unlisted, "drug")[0].units >= unlisted.results[0].total_volume_ml
    half = calc([drug], profile="HMSA", days=days, policy={"rounding": rounding})
    assert abs(lines_of(half, "drug")[0].units - half.results[0].total_volume_ml) < 1 or (
        lines_of(half, "drug")[0].units == 1
    )


@settings(max_examples=100, deadline=None)
@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    length=st.integers(min_value=1, max_value=366),
)
def test_month_lines_always_add_up_to_the_period(start, length):
    """Property: month segments are contiguous, within one month each, and sum to the days."""
    from datetime import timedelta

    period = ServicePeriod.between(start, start + timedelta(days=length - 1))
    segments = month_segments(period)
    assert sum(segment.days for segment in segments) == length
    assert segments[0].start == period.start and segments[-1].end == period.end
    for segment in segments:
        assert (segment.start.year, segment.start.month) == (segment.end.year, segment.end.month)


def test_policy_is_a_plain_frozen_dataclass():
    """Policies are values: a profile override makes a new one, the shipped ones never change."""
    changed = BillingPolicy(**{**HMSA.__dict__, "rounding": Rounding.UP})
    assert HMSA.rounding == "half_up" and changed.rounding == "up"
    assert billing.UNLISTED_DRUG_CODE == "J3490"


# --- Claim lines as values; exact arithmetic ---------------------------------------------------


def test_claim_lines_write_their_texts_when_read_and_behave_as_frozen_values():
    """A line's description and work are written on first read; it compares, hashes and prints
    like the line built with those texts given, and its fields cannot be reassigned."""
    drug = {**MORPHINE, "hcpcs": "J2270", "hcpcs_unit": "10 mg"}
    calculation = calc(
        [drug, dict(MORPHINE)],
        profile="STANDARD",
        days=None,
        start="2026-01-17",
        end="2026-02-16",
        nursing_visits=["3 h 40 min"],
    )
    for line in calculation.lines:
        given = billing.CalculatedLine(
            **{name: getattr(line, name) for name in billing.CALCULATED_LINE_FIELDS}
        )
        assert (given, hash(given), repr(given)) == (line, hash(line), repr(line))
        with pytest.raises(AttributeError):
            line.units = 1  # type: ignore[misc]
    assert calculation.lines[0].work == "15 days of service -> S9326 x 15"
    assert lines_of(calculation, "drug")[0].work == "1800 mg / 10 mg = 180 -> 180 units"


def test_counts_containers_with_one_exact_division():
    """Rule 4.6: UN containers are the volume / the package volume, divided once in 60 digits:
    160.0000000000000000000000000000002 mL of 20 mL packages is 9 containers (not 8)."""
    morphine = DrugInput(
        rate=parse_rate("5 mg/hr"),
        concentration=parse_concentration("25 mg/mL"),
        ndc="00074113303",
        ndc_unit="UN",
        package_volume=parse_amount("20 mL", dimensions=(VOLUME,), example="10 mL"),
    )
    volume = (Decimal("160.0000000000000000000000000000002"), Decimal(1))
    result = DoseResult(morphine, 0, 1, Decimal(24), "mass", "mg", volume, volume)
    line = billing.drug_line(result, segment=billing.Segment(1), policy=HMSA)
    assert line.ndc_quantity == 9


def test_ndc_quantity_rounds_a_quantity_longer_than_28_digits():
    """Rule 4.6: the NDC quantity is rounded in the exact context, whatever its length."""
    assert str(ndc_quantity(Decimal("12345678901234567890123456.78951"))) == (
        "12345678901234567890123456.79"
    )


def test_dated_codes_are_the_codes_of_the_lines_with_a_date_of_service():
    """What the catalog is asked about: a month-split claim's codes, not an undated line's."""
    calculation = calculate_request(
        {
            "profile": "STANDARD",
            "start": "2026-01-17",
            "end": "2026-02-16",
            "drugs": [
                {"ndc": "00074-1133-03", "rate": "5 mg/hr", "concentration": "25 mg/mL"},
                {"ndc": "00409-1890-01", "rate": "1 mg/hr", "concentration": "10 mg/mL"},
            ],
        },
        EmptyCatalog(),
    )
    undated = billing.CalculatedLine("nursing", "99601", 1)
    lines = (*calculation.lines, undated)
    expected = frozenset(line.code for line in lines if line.start is not None)
    assert billing.dated_codes(lines) == expected == {"S9326", "J3490"}
    assert billing.dated_codes((undated,)) == frozenset()
