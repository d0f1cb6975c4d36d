"""HMSA's worked example and its current rule, side by side (issue 14, points 3 and 4), and the
route that picks J2274 for preservative-free neuraxial morphine."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from calculator import engine
from calculator.domain.billing import HMSA, HMSA_CURRENT, SHIPPED_POLICIES, code_for_route
from calculator.domain.dosing import Route
from calculator.domain.errors import InvalidOrder
from calculator.models import BillingProfile
from calculator.selectors.catalog import DatabaseCatalog

SEED = {
    "start": "2026-01-01",
    "end": "2026-01-31",
    "drugs": [{"ndc": "00074-1133-03", "rate": "5 mg/hr"}],
}
SAMPLE = (
    Path(__file__).resolve().parents[2] / "calculator" / "fixtures" / "samples" / "hcpcs_sample.txt"
)
INFUMORPH = "00641-6040-01"  # preservative-free morphine 25 mg/mL, catalog code J2274


def lines_of(profile: str, **drug) -> list[tuple]:
    request = {**SEED, "profile": profile, "drugs": [{**SEED["drugs"][0], **drug}]}
    calculation = engine.calculate_request(request, DatabaseCatalog())
    return [(line.code, line.units, line.supplemental) for line in calculation.lines]


def test_hmsa_reproduces_the_articles_worked_example_exactly(catalog):
    """S9325 x 31 and J3490 NDC 00074113303 x 149 (148.8 mL rounded off)."""
    assert lines_of("HMSA") == [
        ("S9325", 31, ""),
        ("J3490", 149, "N400074113303 ML148.8"),
    ]


def test_hmsa_current_bills_the_specific_code_with_the_ndc(catalog):
    """The article's rule since rev. 2.3: J2270 x 372 (3,720 mg / 10 mg) with the NDC line."""
    assert lines_of("HMSA_CURRENT") == [
        ("S9325", 31, ""),
        ("J2270", 372, "N400074113303 ML148.8"),
    ]


def test_hmsa_current_bills_j3490_when_no_specific_code_exists(catalog):
    """Ketamine has no J-code: J3490 + NDC, mL rounded off."""
    request = {**SEED, "profile": "HMSA_CURRENT"}
    request["drugs"] = [{"ndc": "42023-0113-10", "rate": "2 mg/hr"}]
    calculation = engine.calculate_request(request, DatabaseCatalog())
    drug = calculation.lines[1]
    assert (drug.code, drug.units) == ("J3490", 149)  # 4.8 mL x 31 = 148.8 -> 149


def test_shipped_profiles_match_the_domain_policies(catalog):
    for name in ("HMSA", "HMSA_CURRENT"):
        assert BillingProfile.objects.get(name=name).to_policy() == SHIPPED_POLICIES[name]
    assert HMSA_CURRENT.per_diem_coding == HMSA.per_diem_coding == "generic"


def test_each_shipped_profile_records_its_source_and_revision(catalog):
    hmsa = BillingProfile.objects.get(name="HMSA")
    current = BillingProfile.objects.get(name="HMSA_CURRENT")
    assert "worked example" in hmsa.description and "Example" in hmsa.source
    assert "Billing drugs administered" in current.source
    assert hmsa.source_revised.isoformat() == current.source_revised.isoformat() == "2021-02-18"
    assert current.source_label.endswith("rev. 2021-02-18")


def test_seed_product_keeps_j2270_whatever_the_route(catalog):
    """00074-1133-03 is not preservative-free: J2270 even for epidural use."""
    assert lines_of("HMSA_CURRENT", route="epidural")[1][0] == "J2270"


@pytest.mark.parametrize(
    ("route", "code"),
    [("epidural", "J2274"), ("intrathecal", "J2274"), ("intravenous", "J2270"), (None, "J2274")],
)
def test_preservative_free_morphine_code_follows_the_route(catalog, route, code):
    drug = {"ndc": INFUMORPH, "rate": "0.2 mg/hr"}
    if route:
        drug["route"] = route
    request = {**SEED, "profile": "HMSA_CURRENT", "drugs": [drug]}
    calculation = engine.calculate_request(request, DatabaseCatalog())
    assert calculation.lines[1].code == code
    assert calculation.order.drugs[0].route == (Route(route) if route else None)


def test_a_code_typed_by_the_user_is_not_changed_by_the_route(catalog):
    drug = {"ndc": INFUMORPH, "rate": "0.2 mg/hr", "hcpcs": "J2274", "route": "intravenous"}
    request = {**SEED, "profile": "HMSA_CURRENT", "drugs": [drug]}
    assert engine.calculate_request(request, DatabaseCatalog()).lines[1].code == "J2274"


def test_unknown_route_is_a_field_error():
    request = {**SEED, "drugs": [{**SEED["drugs"][0], "route": "oral"}]}
    with pytest.raises(InvalidOrder) as raised:
        engine.calculate_request(request, engine.EmptyCatalog())
    assert raised.value.errors["drugs.0.route"] == [
        '"oral" is not a route; choose one of intravenous, subcutaneous, epidural, intrathecal'
    ]


def test_code_for_route_leaves_codes_without_a_neuraxial_twin():
    assert code_for_route("J1171", route=Route.EPIDURAL, preservative_free=True) == "J1171"
    assert code_for_route("J2270", route=None, preservative_free=True) == "J2270"


def test_order_after_j1170_ended_gets_a_notice_naming_j1171(catalog):
    """The engine (form preview, API, CLI) says so too: a notice, no acknowledgement needed."""
    call_command("import_hcpcs", str(SAMPLE), stdout=io.StringIO())
    request = {
        "profile": "HMSA_CURRENT",
        "start": "2025-01-01",
        "end": "2025-01-31",
        "drugs": [{"ndc": "00409-2634-50", "rate": "0.5 mg/hr", "hcpcs": "J1170"}],
    }
    calculation = engine.calculate_request(request, DatabaseCatalog())
    notice = next(w for w in calculation.warnings if w.kind == "code-dates-J1170")
    assert notice.needs_ack is False
    assert "bill J1171" in notice.message


def test_route_choices_are_derived_from_the_domain(catalog):
    from calculator.api.schemas import DrugIn
    from calculator.management.commands.calculate import Command
    from calculator.web.forms import DrugForm

    values = [route.value for route in Route]
    assert [value for value, _ in DrugForm.base_fields["route"].choices][1:] == values
    assert DrugIn.model_json_schema()["properties"]["route"]["enum"] == values
    parser = Command().create_parser("manage.py", "calculate")
    action = next(a for a in parser._actions if a.dest == "route")
    assert list(action.choices) == values
