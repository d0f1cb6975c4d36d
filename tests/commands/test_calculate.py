"""`manage.py calculate`, as a pharmacist or an integrating system runs it."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from django.core.management import call_command

from calculator.models import DrugProduct
from tests.conftest import (
    SEED_CONCENTRATION,
    SEED_DAYS,
    SEED_NDC,
    SEED_RATE,
    seed_calculation_drug,
    seed_order,
)
from tests.helpers import ROOT

SEED = ["--ndc", SEED_NDC, "--rate", SEED_RATE, "--concentration", SEED_CONCENTRATION]


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    """Run the command in-process; return (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        call_command("calculate", *args, stdout=out, stderr=err)
        status = 0
    except SystemExit as exit_:
        status = exit_.code
    finally:
        sys.stdin = old_stdin
    return status, out.getvalue(), err.getvalue()


def test_seed_order_under_hmsa_prints_the_four_steps_and_the_seed_lines(catalog):
    """Acceptance: S9325 x 31, J3490 x 149 with N400074113303 ML148.8, the seed's four steps."""
    status, out, _ = run("--profile", "HMSA", *SEED, "--days", "31")
    assert status == 0
    for step in (
        "5 mg/hr x 24 hr = 120 mg/day",
        "120 mg/day / 25 mg/mL = 4.8 mL/day",
        "4.8 mL/day x 31 days = 148.8 mL",
        "148.8 mL -> 149 units",
    ):
        assert f"  {step}\n" in out
    rows = [
        line.split() for line in out.splitlines() if line.startswith("  S93") or "J3490" in line
    ]
    assert rows == [["S9325", "31", "12"], ["J3490", "149", "12", "N400074113303", "ML148.8"]]


def test_a_per_day_rate_over_12_hours_bills_the_daily_dose_ordered(catalog):
    """120 mg/day over 12 hr/day is 120 mg a day at 10 mg/hr while infusing: J2270 x 120."""
    status, out, _ = run(
        *SEED[:2],
        "--rate", "120 mg/day",
        "--concentration", "25 mg/mL",
        "--hours-per-day", "12",
        "--therapy", "intermittent",
        "--days", "10",
    )  # fmt: skip
    assert status == 0
    for step in (
        "120 mg/day over 12 hr/day = 10 mg/hr while infusing",
        "120 mg/day / 25 mg/mL = 4.8 mL/day",
        "4.8 mL/day x 10 days = 48 mL",
        "1200 mg / 10 mg = 120 -> 120 units",
    ):
        assert f"  {step}\n" in out
    rows = [line.split()[:2] for line in out.splitlines() if line.startswith(("  S93", "  J"))]
    assert rows == [["S9327", "10"], ["J2270", "120"]]


def test_seed_order_under_standard_bills_s9326_and_j2270(catalog):
    """Acceptance: STANDARD with --hcpcs J2270 --hcpcs-unit "10 mg" -> S9326 x 31, J2270 x 372."""
    status, out, _ = run(
        "--profile", "STANDARD", *SEED, "--days", "31", "--hcpcs", "J2270", "--hcpcs-unit", "10 mg"
    )
    assert status == 0
    data = json.loads(run("--profile", "STANDARD", *SEED, "--days", "31", "--json")[1])
    assert [(line["code"], line["units"]) for line in data["lines"]] == [
        ("S9326", 31),
        ("J2270", 372),
    ]
    assert "J2270          372" in out


def test_json_output_matches_the_documented_response(catalog):
    """--json prints the API response: quantities as value/unit strings, lines, warnings."""
    status, out, _ = run(
        "--profile", "HMSA", *SEED, "--start", "2026-01-01", "--end", "2026-01-31", "--json"
    )
    data = json.loads(out)
    assert status == 0
    drug = data["drugs"][0]
    assert drug["daily_dose"] == {"value": "120", "unit": "mg"}
    assert drug["daily_volume"] == {"value": "4.8", "unit": "mL"}
    assert drug["total_dose"] == {"value": "3720", "unit": "mg"}
    assert drug["total_volume"] == {"value": "148.8", "unit": "mL"}
    assert data["lines"][0]["from"] == "2026-01-01" and data["lines"][0]["to"] == "2026-01-31"
    assert data["lines"][1]["supplemental"] == "N400074113303 ML148.8"
    assert data["warnings"] == []


def test_catalog_ndc_fills_in_what_the_flags_leave_out(catalog):
    """An --ndc found in the catalog supplies name, concentration and J-code."""
    status, out, _ = run("--ndc", "00409-9094-25", "--rate", "50 mcg/hr", "--days", "2", "--json")
    data = json.loads(out)
    assert status == 0
    assert data["drugs"][0]["name"] == "Fentanyl citrate injection"
    assert data["drugs"][0]["daily_dose"] == {"value": "1200", "unit": "mcg"}
    assert [(line["code"], line["units"]) for line in data["lines"]] == [
        ("S9326", 2),
        ("J3010", 24),  # 2400 mcg = 2.4 mg / 0.1 mg
    ]


def test_concentration_other_than_the_label_needs_the_compounded_mark(catalog):
    """10 mg/mL on a 25 mg/mL product is refused unless marked compounded/diluted."""
    args = [*SEED[:4], "--concentration", "10 mg/mL", "--days", "1", "--json"]
    status, out, _ = run(*args)
    assert status == 2
    assert json.loads(out)["errors"]["drugs.0.concentration"] == [
        '"10 mg/mL" differs from the labelled 25 mg/mL of Morphine sulfate; '
        "mark it compounded/diluted to use it"
    ]
    status, out, _ = run(*args, "--compounded")
    data = json.loads(out)
    assert status == 0
    assert data["drugs"][0]["daily_volume"] == {"value": "12", "unit": "mL"}
    assert data["warnings"][0]["kind"] == "compounded"


def test_same_concentration_written_another_way_is_not_a_difference(catalog):
    """500 mg in 20 mL is the labelled 25 mg/mL: no compounded mark needed."""
    status, _, _ = run(*SEED[:4], "--concentration", "500 mg in 20 mL", "--days", "1")
    assert status == 0


def test_dose_above_the_products_maximum_is_a_warning(catalog):
    """a daily dose above the maximum warns; a 1000x slip is named as one."""
    _, out, _ = run("--ndc", "00409-9094-25", "--rate", "50 mg/hr", "--days", "1", "--json")
    data = json.loads(out)
    kinds = {warning["kind"] for warning in data["warnings"]}
    assert {"mg_mcg_slip", "dose_above_maximum"} <= kinds
    slip = next(w for w in data["warnings"] if w["kind"] == "mg_mcg_slip")
    assert "1000 times higher than usual: check for a mg/mcg mix-up" in slip["message"]
    assert slip["needs_ack"] is True


def test_bare_ten_digit_ndc_resolves_when_one_catalog_product_matches(catalog):
    """A bare 10-digit NDC is read through the catalog when exactly one product fits."""
    status, out, _ = run("--ndc", "0409909425", "--rate", "50 mcg/hr", "--days", "1", "--json")
    data = json.loads(out)
    assert status == 0 and data["drugs"][0]["ndc"] == "00409909425"
    assert "read 0409909425 as 00409-9094-25" in data["warnings"][0]["message"]


def test_bare_ten_digit_ndc_not_in_the_catalog_asks_for_hyphens(catalog):
    """Otherwise the user is asked for the hyphenated form."""
    status, out, _ = run(
        "--ndc",
        "1234567890",
        "--rate",
        "5 mg/hr",
        "--concentration",
        "1 mg/mL",
        "--days",
        "1",
        "--json",
    )
    assert status == 2
    assert "enter it with hyphens" in json.loads(out)["errors"]["drugs.0.ndc"][0]


@pytest.mark.parametrize(
    ("flags", "field", "message"),
    [
        (["--rate", "25 mg/mL"], "drugs.0.rate", '"25 mg/mL" is a concentration, not a dose rate'),
        (["--rate", "5 ML/hr"], "drugs.0.rate", '"ML" is not a unit here; did you mean mL?'),
        (["--concentration", "5,5 mg/mL"], "drugs.0.concentration", "not a comma"),
        (["--hours-per-day", "25"], "hours_per_day", "at most 24"),
        (["--hours-per-day", "12", "--therapy", "continuous"], "therapy", "continuous therapy"),
        (["--start", "2026-02-01", "--end", "2026-01-01"], "end", "is before the start date"),
        (["--rate", "0.5 mg/kg/hr"], "drugs.0.weight", "needs the weight"),
        (["--days", "0"], "days", "from 1 to 366"),
    ],
)
def test_bad_input_exits_2_naming_the_field(catalog, flags, field, message):
    """Bad input: exit status 2 and a message naming the field, in JSON with --json."""
    base = {"--rate": SEED_RATE, "--concentration": SEED_CONCENTRATION, "--days": str(SEED_DAYS)}
    for flag, value in zip(flags[::2], flags[1::2], strict=True):
        base[flag] = value
    if "--start" in base:
        base.pop("--days")
    args = ["--ndc", SEED_NDC, *[item for pair in base.items() for item in pair]]
    status, out, _ = run(*args, "--json")
    assert status == 2
    errors = json.loads(out)["errors"]
    assert any(message in text for text in errors[field]), errors
    status, out, err = run(*args)
    assert status == 2 and out == ""
    assert f"error: {field}: " in err


def test_input_file_with_several_drugs(catalog, tmp_path):
    """--input FILE reads a whole order: two drugs bill an SH per-diem line."""
    order = seed_order(nursing_visits=["3 h 40 min"])
    del order["patient_reference"]
    order["drugs"].append({"ndc": "00409-9094-25", "rate": "25 mcg/hr"})
    path = tmp_path / "order.json"
    path.write_text(json.dumps(order))
    status, out, _ = run("--input", str(path), "--json")
    data = json.loads(out)
    assert status == 0
    assert [(line["code"], line["modifiers"], line["units"]) for line in data["lines"]] == [
        ("S9325", [], 31),
        ("S9325", ["SH"], 31),
        ("J3490", [], 149),
        ("J3490", [], 372),
        ("99601", [], 1),
        ("99602", [], 2),
    ]


def test_input_from_stdin_and_policy_flags_on_top(catalog):
    """--input - reads standard input; policy flags override the profile."""
    order = seed_calculation_drug(rate="4.98 mg/hr")
    del order["drugs"][0]["concentration"]  # from the catalog, as in SEED_ORDER
    _, out, _ = run("--input", "-", "--json", stdin=json.dumps(order))
    _, out_up, _ = run("--input", "-", "--json", "--rounding", "up", stdin=json.dumps(order))
    assert json.loads(out)["lines"][1]["units"] == 148
    assert json.loads(out_up)["lines"][1]["units"] == 149


def test_input_that_is_not_json_is_a_clear_error(catalog):
    """A broken file is an error on "input", exit 2."""
    status, out, _ = run("--input", "-", "--json", stdin="{not json")
    assert status == 2
    assert json.loads(out)["errors"]["input"][0].startswith("not valid JSON")


def test_input_and_order_flags_together_are_refused(catalog):
    """Either a JSON order or flags, never a silent mix."""
    status, out, _ = run("--input", "-", "--rate", "5 mg/hr", "--json", stdin="{}")
    assert status == 2 and "input" in json.loads(out)["errors"]


def test_text_output_lists_month_lines_with_dates(catalog):
    """STANDARD over a month boundary prints one line per month with from/to dates."""
    _, out, _ = run(*SEED, "--start", "2026-01-17", "--end", "2026-02-16")
    assert "S9326           15  2026-01-17 2026-01-31 12" in out
    assert "S9326           16  2026-02-01 2026-02-16 12" in out


def test_inactive_catalog_product_does_not_fill_in(catalog):
    """An inactive product is not offered: the concentration must then be typed."""
    DrugProduct.objects.filter(ndc="00409909425").update(active=False)
    status, out, _ = run("--ndc", "00409-9094-25", "--rate", "50 mcg/hr", "--days", "1", "--json")
    assert status == 2
    assert "drugs.0.concentration" in json.loads(out)["errors"]


def test_command_line_process_exits_with_status_2():
    """The real process (not just call_command) exits 2 on bad input."""
    completed = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "calculate",
            "--rate",
            "5 ML/hr",
            "--concentration",
            "25 mg/mL",
            "--ndc",
            "00074-1133-03",
            "--days",
            "3",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    assert 'error: drugs.0.rate: "ML" is not a unit here; did you mean mL?' in completed.stderr


def test_a_titrated_drug_is_dispensed_over_its_runs(catalog):
    """The seed titrated to 7 mg/hr on the 11th in a 100 mL cassette: days 1-17 (10 x 4.8 +
    7 x 6.72 = 95.04 mL) and days 18-31 (14 x 6.72 = 94.08 mL); dispensed = administered =
    189.12 mL (planned on the first rate alone it was 148.8 mL: out on day 25)."""
    status, out, _ = run(
        *SEED,
        "--days",
        "31",
        "--start",
        "2026-01-01",
        "--end",
        "2026-01-31",
        "--reservoir-volume",
        "100 mL",
        "--rate-change",
        "2026-01-11=7 mg/hr",
    )
    assert status == 0
    for step in (
        "from 2026-01-11: 7 mg/hr / 25 mg/mL = 0.28 mL/hr",
        "95.04 mL + 94.08 mL = 189.12 mL dispensed",
        "4.8 mL/day x 10 days + 6.72 mL/day x 21 days = 189.12 mL administered",
    ):
        assert f"    {step}\n" in out
    reservoirs = [line.split() for line in out.splitlines() if line.endswith("mL  -")]
    assert reservoirs == [
        ["1", "2026-01-01", "2026-01-17", "17", "95.04", "mL", "-"],
        ["2", "2026-01-18", "2026-01-31", "14", "94.08", "mL", "-"],
    ]
