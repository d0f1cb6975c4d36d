"""Reading a Medicare DME request (SPEC 11): the seed on MEDICARE_DME, the secondary profile's
lines, and each bad input as an error on its field path."""

from __future__ import annotations

import pytest

from calculator import engine
from calculator.engine.catalog import EmptyCatalog
from tests.conftest import medicare_calculation, medicare_calculation_drug
from tests.helpers import request_errors


def _lines(request, key="lines"):
    response = engine.response_json(engine.calculate_request(request, EmptyCatalog()))
    return [(line["code"], line["modifiers"], line["units"]) for line in response[key]]


def test_seed_order_on_medicare_dme():
    response = engine.response_json(
        engine.calculate_request(medicare_calculation(), EmptyCatalog())
    )
    assert [(line["code"], line["modifiers"], line["units"]) for line in response["lines"]] == [
        ("J2274", ["KD", "KX", "JZ"], 372),
        ("E0781", ["RR", "KH"], 1),
        ("A4221", [], 5),
        ("A4222", [], 2),
    ]
    assert response["lines"][0]["supplemental"] == "N400641604001 ML148.8"
    assert {(line["from"], line["to"]) for line in response["lines"]} == {
        ("2026-01-01", "2026-01-31")
    }
    assert "secondary_lines" not in response


def test_secondary_profile_lines_beside_the_primary():
    response = engine.response_json(
        engine.calculate_request(medicare_calculation(secondary_profile="HMSA"), EmptyCatalog())
    )
    assert response["secondary_profile"] == "HMSA"
    assert [(line["code"], line["units"]) for line in response["secondary_lines"]] == [
        ("S9325", 31),
        ("J3490", 149),
    ]
    assert response["secondary_lines"][1]["supplemental"] == "N400641604001 ML148.8"


@pytest.mark.parametrize(("month", "modifier"), [(1, "KH"), (2, "KI"), (5, "KJ"), ("3", "KI")])
def test_rental_month_gives_the_capped_rental_modifier(month, modifier):
    lines = _lines(medicare_calculation(pump={"code": "E0781", "rental_month": month}))
    assert lines[1] == ("E0781", ["RR", modifier], 1)


def test_delivery_date_starts_the_span_dates():
    response = engine.response_json(
        engine.calculate_request(
            medicare_calculation(start=None, end=None, days=31, delivery_date="2026-03-05"),
            EmptyCatalog(),
        )
    )
    assert {(line["from"], line["to"]) for line in response["lines"]} == {
        ("2026-03-05", "2026-04-04")
    }


def test_policy_kind_medicare_dme_as_explicit_settings():
    request = medicare_calculation(
        profile="STANDARD",
        policy={"kind": "medicare_dme", "a4221_weeks": "whole", "capped_rental": False},
    )
    assert _lines(request)[1:3] == [("E0781", ["RR"], 1), ("A4221", [], 4)]


def test_jw_line_for_discarded_drug():
    lines = _lines(medicare_calculation_drug(discarded="280 mg"))
    assert lines[:2] == [("J2274", ["KD", "KX"], 372), ("J2274", ["KD", "KX", "JW"], 28)]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"coverage_modifier": "KQ"}, "coverage_modifier", "not a coverage modifier"),
        ({"pump": {"code": "E0781", "rental_month": 0}}, "pump.rental_month", "starts at 1"),
        (
            {"pump": {"code": "E0781", "rental_month": 14}},
            "pump.rental_month",
            "capped rental ended",
        ),
        ({"pump": {"code": "A4222", "rental_month": 1}}, "pump.code", "not an external infusion"),
        ({"pump": {"code": "E0781"}}, "pump.rental_month", "whole number"),
        ({"pump": "E0781"}, "pump", "object"),
        ({"delivery_date": "2026-02-30"}, "delivery_date", "not a date"),
        ({"secondary_profile": "NOPE"}, "secondary_profile", "no billing profile"),
        ({"secondary_profile": "MEDICARE_DME"}, "secondary_profile", "per-diem"),
        ({"policy": {"max_months_per_line": 2}}, "policy.max_months_per_line", "1 or 3"),
        ({"policy": {"jz_from": "soon"}}, "policy.jz_from", "not a date"),
        ({"nursing_visits": ["3 h"]}, "nursing_visits", "no nursing lines"),
    ],
)
def test_bad_medicare_input_is_a_field_error(changes, field, words):
    errors = request_errors(medicare_calculation(**changes))
    assert words in " ".join(errors[field])


def test_medicare_profile_without_reservoir_when_a4222_due():
    errors = request_errors(medicare_calculation_drug(reservoir_volume=None))
    assert "A4222" in errors["drugs.0.reservoir_volume"][0]


@pytest.mark.parametrize(
    ("field", "value"), [("coverage_modifier", "KX"), ("pump", {"code": "E0781"})]
)
def test_medicare_keys_on_a_per_diem_profile_are_refused(field, value):
    errors = request_errors(medicare_calculation(profile="HMSA", **{field: value}))
    assert errors[field] == ["applies to a Medicare DME profile only"]


def test_secondary_profile_needs_a_medicare_primary():
    request = medicare_calculation(
        profile="HMSA", coverage_modifier=None, pump=None, secondary_profile="STANDARD"
    )
    assert "Medicare DME primary" in request_errors(request)["secondary_profile"][0]


def test_ndc_quantity_dispensed_when_the_profile_says_so():
    """The seed in a 100 mL cassette with 3 mL priming: 2 fills, 96 + 3 and 52.8 + 3 mL."""
    request = medicare_calculation_drug(priming_volume="3 mL")
    request["policy"] = {"ndc_quantity_basis": "dispensed"}
    response = engine.response_json(engine.calculate_request(request, EmptyCatalog()))
    assert response["lines"][0]["supplemental"] == "N400641604001 ML154.8"
    assert response["lines"][0]["units"] == 372
