"""`manage.py calculate` with the dispensing flags: the plan printed under the drug's steps (and
as the API's `dispensing` with --json); an impossible plan exits 2 naming the field."""

from __future__ import annotations

import json

import pytest

from tests.commands.test_calculate import run
from tests.conftest import SEED_END, SEED_NDC, SEED_RATE, SEED_START

SEED = ("--profile", "HMSA", "--ndc", SEED_NDC, "--rate", SEED_RATE)
DATED = ("--start", SEED_START, "--end", SEED_END)


def test_prints_the_two_primed_cassettes_and_the_volume_dispensed(catalog):
    status, out, _ = run(*SEED, *DATED, "--reservoir-volume", "100 mL", "--priming-volume", "5 mL")
    assert status == 0
    assert "  Dispensing\n    5 mg/hr / 25 mg/mL = 0.2 mL/hr\n" in out
    assert "reservoir 1: 19 days x 4.8 mL/day + 5 mL priming = 96.2 mL" in out
    assert "96.2 mL + 62.6 mL = 158.8 mL dispensed" in out
    assert "     1  2026-01-01 2026-01-19   19     96.2 mL  -" in out
    assert "     2  2026-01-20 2026-01-31   12     62.6 mL  -" in out


def test_json_has_the_dispensing_key_with_beyond_use_dates(catalog):
    status, out, _ = run(
        *SEED, "--days", "31", "--reservoir-volume", "100 mL", "--beyond-use-days", "14", "--json"
    )
    assert status == 0
    dispensing = json.loads(out)["drugs"][0]["dispensing"]
    assert [r["fill_volume"]["value"] for r in dispensing["reservoirs"]] == ["67.2", "67.2", "14.4"]
    assert [r["beyond_use_date"] for r in dispensing["reservoirs"]] == [15, 29, 43]


@pytest.mark.parametrize(
    ("flags", "field", "message"),
    [
        (["--reservoir-volume", "4 mL"], "reservoir_volume", "holds less than one day"),
        (["--reservoir-volume", "100 mL", "--beyond-use-days", "0"], "beyond_use_days", "1 to"),
        (
            ["--reservoir-volume", "100 mL", "--priming-volume", "120 mL"],
            "priming_volume",
            "must be smaller than the reservoir",
        ),
        (
            ["--reservoir-volume", "100 mL", "--stock-ndc", "00641-6039-01"],
            "stock_ndc",
            "is weaker than",
        ),
    ],
)
def test_an_impossible_plan_exits_2_naming_the_field(catalog, flags, field, message):
    status, out, _ = run(*SEED, "--days", "31", *flags, "--json")
    assert status == 2
    errors = json.loads(out)["errors"]
    assert list(errors) == [f"drugs.0.{field}"]
    assert message in errors[f"drugs.0.{field}"][0]
    status, out, err = run(*SEED, "--days", "31", *flags)
    assert status == 2 and out == ""
    assert f"error: drugs.0.{field}: " in err


def test_a_pca_lockout_is_printed_with_the_bolus(catalog):
    pca = ("--bolus", "1 mg", "--boluses-per-day", "12", "--lockout", "10 min")
    status, out, _ = run(*SEED, "--days", "31", *pca)
    assert status == 0
    assert (
        "    bolus 1 mg / 25 mg/mL = 0.04 mL\n"
        "    lockout 10 min between boluses: at most 144 a day\n"
    ) in out
    status, out, err = run(*SEED, "--days", "31", *pca[:4], "--lockout", "3 hr")
    assert status == 2 and out == ""
    assert "error: drugs.0.boluses_per_day: 12 boluses a day do not fit a lockout of 3 hr" in err
