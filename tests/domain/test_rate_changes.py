"""Dose changes inside a period (issue 15 point 2): each run of days at its rate, billed on the
exact sum; property tests against orders without changes."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculator.engine import EmptyCatalog, calculate_request
from calculator.engine.response import response_json
from tests.helpers import request_errors

JANUARY = {"start": "2026-01-01", "end": "2026-01-31"}


def titrated(profile="HMSA", changes=None, **drug):
    return {
        "profile": profile,
        **JANUARY,
        "drugs": [
            {
                "ndc": "00074-1133-03",
                "rate": "5 mg/hr",
                "concentration": "25 mg/mL",
                "rate_changes": changes
                if changes is not None
                else [{"from": "2026-01-11", "rate": "7 mg/hr"}],
                **drug,
            }
        ],
    }


def billed(request):
    calculation = calculate_request(request, EmptyCatalog())
    return [(line.code, line.units, line.supplemental) for line in calculation.lines]


def test_the_seed_titrated_on_the_11th_bills_the_exact_sum_on_hmsa():
    assert billed(titrated()) == [
        ("S9325", 31, ""),
        ("J3490", 189, "N400074113303 ML189.12"),  # 189.12 mL, half up
    ]


def test_the_seed_titrated_bills_473_units_of_j2270_on_standard():
    lines = billed(titrated("STANDARD", hcpcs="J2270", hcpcs_unit="10 mg"))
    assert lines[1][:2] == ("J2270", 473)  # 4,728 mg / 10 mg = 472.8, up


def test_the_steps_show_each_run_and_the_summed_volume():
    response = response_json(calculate_request(titrated(), EmptyCatalog()))
    drug = response["drugs"][0]
    assert drug["steps"][:3] == [
        "5 mg/hr x 24 hr = 120 mg/day x 10 days = 1200 mg",
        "7 mg/hr x 24 hr = 168 mg/day x 21 days = 3528 mg",
        "4728 mg / 25 mg/mL = 189.12 mL",
    ]
    assert drug["total_dose"] == {"value": "4728", "unit": "mg"}
    assert drug["total_volume"] == {"value": "189.12", "unit": "mL"}


def test_a_month_split_bills_each_month_its_own_runs():
    request = titrated(changes=[{"from": "2026-02-01", "rate": "7 mg/hr"}])
    request["end"] = "2026-02-10"
    request["policy"] = {"month_lines": True}
    # January: 31 x 4.8 = 148.8 mL; February: 10 x 6.72 = 67.2 mL.
    assert [line for line in billed(request) if line[0] == "J3490"] == [
        ("J3490", 149, "N400074113303 ML148.8"),
        ("J3490", 67, "N400074113303 ML67.2"),
    ]


def test_daily_scope_rounds_each_runs_day():
    request = titrated("STANDARD", hcpcs="J2270", hcpcs_unit="10 mg")
    request["policy"] = {"rounding_scope": "daily"}
    calculation = calculate_request(request, EmptyCatalog())
    line = calculation.lines[1]
    # 120 mg -> 12 units x 10 days + 168 mg -> 17 units x 21 days = 477
    assert line.units == 12 * 10 + 17 * 21
    assert line.work.endswith("= 477 units")


def test_a_new_bolus_applies_from_its_date():
    request = titrated(
        bolus="1 mg",
        boluses_per_day=4,
        changes=[{"from": "2026-01-21", "rate": "5 mg/hr", "bolus": "2 mg"}],
    )
    calculation = calculate_request(request, EmptyCatalog())
    # 124 mg x 20 days + 128 mg x 11 days = 3888 mg
    assert calculation.results[0].total_dose == Decimal(3888)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ([{"from": "2026-02-03", "rate": "7 mg/hr"}], "drugs.0.rate_changes.0.from", "inside"),
        ([{"from": "2026-01-01", "rate": "7 mg/hr"}], "drugs.0.rate_changes.0.from", "inside"),
        (
            [{"from": "2026-01-11", "rate": "7 mg/hr"}, {"from": "2026-01-11", "rate": "8 mg/hr"}],
            "drugs.0.rate_changes.1.from",
            "two changes on 2026-01-11",
        ),
        (
            [{"from": "2026-01-21", "rate": "7 mg/hr"}, {"from": "2026-01-11", "rate": "8 mg/hr"}],
            "drugs.0.rate_changes.1.from",
            "in order",
        ),
        ([{"from": "2026-01-11", "rate": "7 mL"}], "drugs.0.rate_changes.0.rate", ""),
        ([{"from": "2026-01-11", "rate": "7 units/hr"}], "drugs.0.rate_changes.0.rate", "match"),
        ([{"from": "2026-01-11"}], "drugs.0.rate_changes.0.rate", "new dose rate"),
        ([{"from": "11/01/2026", "rate": "7 mg/hr"}], "drugs.0.rate_changes.0.from", "date"),
        ([{"rate": "7 mg/hr", "when": "x"}], "drugs.0.rate_changes.0.when", "unknown"),
        ("7 mg/hr", "drugs.0.rate_changes", "list"),
        (["7 mg/hr"], "drugs.0.rate_changes.0", "object"),
        ([{"from": "2026-01-11", "rate": "7\x00 mg/hr"}], "drugs.0.rate_changes.0.rate", ""),
    ],
)
def test_bad_rate_changes_are_field_errors(changes, field, words):
    errors = request_errors(titrated(changes=changes))
    assert field in errors, errors
    assert words in " ".join(errors[field])


def test_a_rate_change_on_an_order_given_in_days_is_a_field_error():
    request = titrated()
    del request["start"], request["end"]
    request["days"] = 31
    errors = request_errors(request)
    assert "start and end dates" in " ".join(errors["drugs.0.rate_changes"])


# --- Properties ------------------------------------------------------------------------------

rates = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(200), places=2)
concentrations = st.sampled_from(["25 mg/mL", "1 mg/mL", "0.5 mg/mL", "3 mg/mL", "10 mg/mL"])
profiles = st.sampled_from(
    [("HMSA", {}), ("STANDARD", {"hcpcs": "J2270", "hcpcs_unit": "10 mg"}), ("STANDARD", {})]
)
scopes = st.sampled_from(["total", "daily"])


def _plain(request):
    calculation = calculate_request(request, EmptyCatalog())
    lines = [
        (line.code, line.units, line.ndc_quantity, line.start, line.end)
        for line in calculation.lines
    ]
    result = calculation.results[0]
    return lines, result.total_dose, result.total_volume_ml


@settings(max_examples=60, deadline=None)
@given(
    rate=rates,
    concentration=concentrations,
    profile=profiles,
    scope=scopes,
    start=st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
    days=st.integers(min_value=2, max_value=90),
    cuts=st.lists(st.integers(min_value=1, max_value=89), min_size=1, max_size=4, unique=True),
)
def test_changes_to_the_same_rate_change_nothing(
    rate, concentration, profile, scope, start, days, cuts
):
    name, coding = profile
    end = start + timedelta(days=days - 1)
    base = {
        "profile": name,
        "policy": {"rounding_scope": scope},
        "start": start.isoformat(),
        "end": end.isoformat(),
        "drugs": [
            {
                "ndc": "00074-1133-03",
                "rate": f"{rate} mg/hr",
                "concentration": concentration,
                **coding,
            }
        ],
    }
    changes = [
        {"from": (start + timedelta(days=cut)).isoformat(), "rate": f"{rate} mg/hr"}
        for cut in sorted(cut for cut in cuts if cut < days)
    ]
    same = {**base, "drugs": [{**base["drugs"][0], "rate_changes": changes}]}
    none = {**base, "drugs": [{**base["drugs"][0], "rate_changes": []}]}
    assert _plain(same) == _plain(base)
    # No change at all: exactly today's response, steps and texts included.
    assert response_json(calculate_request(none, EmptyCatalog())) == response_json(
        calculate_request(base, EmptyCatalog())
    )


@settings(max_examples=60, deadline=None)
@given(
    first=rates,
    second=rates,
    concentration=concentrations,
    scope=scopes,
    days=st.integers(min_value=2, max_value=28),
    cut=st.integers(min_value=1, max_value=27),
)
def test_a_titrated_month_bills_what_its_runs_bill_as_separate_orders(
    first, second, concentration, scope, days, cut
):
    """Within one month (one line), daily-scope units are the runs' units added up, and the
    total dose and volume are the runs' totals added up."""
    cut = min(cut, days - 1)
    start = date(2026, 2, 1)
    change = start + timedelta(days=cut)
    end = start + timedelta(days=days - 1)
    coding = {"hcpcs": "J2270", "hcpcs_unit": "10 mg"}

    def request(rate, begin, finish, changes=()):
        return {
            "profile": "STANDARD",
            "policy": {"rounding_scope": scope},
            "start": begin.isoformat(),
            "end": finish.isoformat(),
            "drugs": [
                {
                    "ndc": "00074-1133-03",
                    "rate": f"{rate} mg/hr",
                    "concentration": concentration,
                    "rate_changes": list(changes),
                    **coding,
                }
            ],
        }

    whole = calculate_request(
        request(first, start, end, [{"from": change.isoformat(), "rate": f"{second} mg/hr"}]),
        EmptyCatalog(),
    )
    one = calculate_request(request(first, start, change - timedelta(days=1)), EmptyCatalog())
    two = calculate_request(request(second, change, end), EmptyCatalog())
    result = whole.results[0]
    assert result.total_dose == one.results[0].total_dose + two.results[0].total_dose
    assert result.total_volume_ml == one.results[0].total_volume_ml + two.results[0].total_volume_ml
    if scope == "daily":
        assert whole.lines[1].units == one.lines[1].units + two.lines[1].units
    else:
        units = (result.total_dose / 10).to_integral_value(rounding="ROUND_CEILING")
        assert whole.lines[1].units == max(1, int(units))
