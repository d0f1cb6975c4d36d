"""Medicare DME orders through the JSON API and the CLI (SPEC 11): the seed's lines, the
secondary lines, and each bad input as a 400 (exit 2) with nothing saved."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from calculator.models import Order, SecondaryClaimLine
from tests.conftest import (
    acknowledged,
    medicare_calculation,
    medicare_order,
)


def _post(client, name, data):
    return client.post(reverse(f"api:{name}"), json.dumps(data), content_type="application/json")


def _summary(lines):
    return [(line["code"], " ".join(line["modifiers"]), line["units"]) for line in lines]


@pytest.fixture
def pharmacist_client(pharmacist, client_for):
    return client_for(pharmacist)


def test_calculate_seed_order_on_medicare_dme_with_a_secondary(catalog, pharmacist_client):
    request = medicare_order(secondary_profile="HMSA")
    del request["patient_reference"]
    data = _post(pharmacist_client, "calculate", request).json()
    assert _summary(data["lines"]) == [
        ("J2274", "KD KX JZ", 372),
        ("E0781", "RR KH", 1),
        ("A4221", "", 5),
        ("A4222", "", 2),
    ]
    assert data["lines"][0]["supplemental"] == "N400641604001 ML148.8"
    assert not any(line["code"].startswith("S") for line in data["lines"])
    assert _summary(data["secondary_lines"]) == [("S9325", "", 31), ("J3490", "", 149)]


def test_saved_medicare_order_keeps_both_line_sets(catalog, pharmacist_client):
    created = _post(
        pharmacist_client, "orders", acknowledged(medicare_order(secondary_profile="HMSA"))
    )
    assert created.status_code == 201, created.content
    data = pharmacist_client.get(reverse("api:order", kwargs={"pk": created.json()["id"]})).json()
    assert data["policy"]["kind"] == "medicare_dme"
    assert data["secondary_profile"] == "HMSA"
    assert _summary(data["lines"])[1] == ("E0781", "RR KH", 1)
    assert _summary(data["secondary_lines"]) == [("S9325", "", 31), ("J3490", "", 149)]
    assert SecondaryClaimLine.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"coverage_modifier": "KQ"}, "coverage_modifier"),
        ({"pump": {"code": "E0781", "rental_month": 0}}, "pump.rental_month"),
        ({"pump": {"code": "E0781", "rental_month": 14}}, "pump.rental_month"),
        ({"pump": {"code": "J2274", "rental_month": 1}}, "pump.code"),
        ({"drugs": [{"ndc": "00641-6040-01", "rate": "5 mg/hr"}]}, "drugs.0.reservoir_volume"),
    ],
)
def test_bad_medicare_input_is_a_400_and_saves_nothing(catalog, pharmacist_client, changes, field):
    response = _post(pharmacist_client, "orders", medicare_order(**changes))
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Order.objects.count() == 0


def _cli(*args: str) -> tuple[str, str, int]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("calculate", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return out.getvalue(), err.getvalue(), int(exit_.code)
    return out.getvalue(), err.getvalue(), 0


SEED_FLAGS = (
    "--profile=MEDICARE_DME",
    "--ndc=00641-6040-01",
    "--rate=5 mg/hr",
    "--start=2026-01-01",
    "--end=2026-01-31",
    "--coverage-modifier=KX",
    "--pump=E0781",
    "--reservoir-volume=100 mL",
)


def test_cli_flags_give_the_medicare_lines_and_the_secondary_set(catalog):
    out, _, status = _cli(*SEED_FLAGS, "--rental-month=2", "--secondary-profile=HMSA", "--json")
    assert status == 0
    data = json.loads(out)
    assert _summary(data["lines"])[:2] == [("J2274", "KD KX JZ", 372), ("E0781", "RR KI", 1)]
    assert _summary(data["secondary_lines"]) == [("S9325", "", 31), ("J3490", "", 149)]
    text, _, _ = _cli(*SEED_FLAGS, "--rental-month=5", "--secondary-profile=HMSA")
    assert "E0781  RR KJ" in text
    assert "Secondary claim lines (HMSA)" in text


def test_cli_input_json_matches_the_api(catalog, pharmacist_client, tmp_path: Path):
    order_file = tmp_path / "order.json"
    order_file.write_text(json.dumps(medicare_calculation()))
    printed, _, status = _cli("--input", str(order_file), "--json")
    response = _post(pharmacist_client, "calculate", medicare_calculation())
    assert status == 0
    assert response.content.decode() + "\n" == printed


@pytest.mark.parametrize(
    ("flags", "field"),
    [
        (("--coverage-modifier=KQ", "--rental-month=1"), "coverage_modifier"),
        (("--rental-month=0",), "pump.rental_month"),
        (("--rental-month=14",), "pump.rental_month"),
        (("--pump=A4221", "--rental-month=1"), "pump.code"),
        (("--reservoir-volume=", "--rental-month=1"), "drugs.0.reservoir_volume"),
    ],
)
def test_cli_bad_medicare_input_exits_2(catalog, flags, field):
    _, err, status = _cli(*SEED_FLAGS, *flags)
    assert status == 2
    assert f"error: {field}:" in err


def test_jw_line_from_the_compounding_worksheet_waste(catalog, pharmacist_client):
    """Reservoirs compounded from 20 mL single-dose ampules of 25 mg/mL leave drug in the last
    ampule of each: that waste is the JW line's amount (no JZ on the drug line)."""
    request = medicare_order()
    del request["patient_reference"]
    request["drugs"] = [
        {
            "ndc": "00641-6039-01",  # Infumorph 200, 10 mg/mL
            "rate": "5 mg/hr",
            "reservoir_volume": "100 mL",
            "stock_ndc": "00641-6040-01",  # Infumorph 500, 25 mg/mL, 20 mL ampules
        }
    ]
    data = _post(pharmacist_client, "calculate", request).json()
    waste = data["drugs"][0]["dispensing"]["worksheet"]
    drug, jw = data["lines"][:2]
    assert (drug["code"], drug["modifiers"]) == ("J2274", ["KD", "KX"])
    assert (jw["code"], jw["modifiers"]) == ("J2274", ["KD", "KX", "JW"])
    # 40 mg left in each of 3 reservoirs' last ampule, 160 mg in the 4th: 280 mg / 10 mg.
    assert "280 mg discarded" in jw["work"]
    assert jw["units"] == 28, waste
