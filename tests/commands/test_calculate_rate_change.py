"""`calculate --rate-change DATE="RATE"` (issue 15 point 2)."""

import pytest

from tests.commands.test_calculate import SEED, run

JANUARY = ["--start", "2026-01-01", "--end", "2026-01-31"]


def test_a_rate_change_flag_bills_the_titrated_month(catalog):
    status, out, _ = run(
        "--profile", "HMSA", *SEED, *JANUARY, "--rate-change", '2026-01-11="7 mg/hr"'
    )
    assert status == 0
    assert "  5 mg/hr x 24 hr = 120 mg/day x 10 days = 1200 mg\n" in out
    assert "  7 mg/hr x 24 hr = 168 mg/day x 21 days = 3528 mg\n" in out
    assert "  4728 mg / 25 mg/mL = 189.12 mL\n" in out
    rows = [line.split() for line in out.splitlines() if line.startswith(("  S93", "  J3490"))]
    assert rows == [
        ["S9325", "31", "2026-01-01", "2026-01-31", "12"],
        ["J3490", "189", "2026-01-01", "2026-01-31", "12", "N400074113303", "ML189.12"],
    ]


def test_the_flag_repeats(catalog):
    status, out, _ = run(
        "--profile", "STANDARD", *SEED, *JANUARY, "--hcpcs", "J2270",
        "--rate-change", "2026-01-11=7 mg/hr", "--rate-change", "2026-01-21=5 mg/hr",
    )  # fmt: skip
    assert status == 0
    # 1200 + 1680 + 1320 = 4200 mg -> 420 units of J2270
    assert [line.split()[:2] for line in out.splitlines() if "J2270" in line] == [["J2270", "420"]]


@pytest.mark.parametrize(
    ("flags", "field"),
    [
        (["--rate-change", "7 mg/hr"], "drugs.0.rate_changes.0"),
        (["--rate-change", '2026-02-11="7 mg/hr"'], "drugs.0.rate_changes.0.from"),
        (
            ["--rate-change", "2026-01-11=7 mg/hr", "--rate-change", "2026-01-11=8 mg/hr"],
            "drugs.0.rate_changes.1.from",
        ),
    ],
)
def test_bad_rate_change_flags_exit_2_naming_the_field(catalog, flags, field):
    status, _, err = run("--profile", "HMSA", *SEED, *JANUARY, *flags)
    assert status == 2
    assert f"error: {field}:" in err


def test_a_rate_change_without_dates_exits_2(catalog):
    status, _, err = run(
        "--profile", "HMSA", *SEED, "--days", "31", "--rate-change", "2026-01-11=7 mg/hr"
    )
    assert status == 2
    assert "error: drugs.0.rate_changes: dose changes need the period's start and end dates" in err
