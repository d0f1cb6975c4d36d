"""Medicare DME claims (SPEC 11) after saving: the scrubber's Medicare rules, and the 837P
with the Medicare claim and the secondary (HMSA) claim, read back by pyx12."""

from __future__ import annotations

import pytest

from calculator import services
from calculator.models import BillingProfile, ClaimLine, Order, Payer, PriceListEntry
from calculator.selectors import scrubber
from calculator.services import claim_export
from tests.conftest import (
    MEDICARE_NDC11,
    PATIENT,
    acknowledged,
    medicare_order,
)
from tests.helpers import assert_valid_837p, read_claims, segments


@pytest.fixture
def medicare_prices(prices):
    medicare = BillingProfile.objects.get(name="MEDICARE_DME")
    hmsa = BillingProfile.objects.get(name="HMSA")
    for profile, code, ndc, price in (
        (medicare, "J2274", "", "4.10"),
        (medicare, "E0781", "", "380.00"),
        (medicare, "A4221", "", "25.00"),
        (medicare, "A4222", "", "40.00"),
        (hmsa, "J3490", MEDICARE_NDC11, "2.50"),
    ):
        PriceListEntry.objects.create(profile=profile, code=code, ndc=ndc, unit_price=price)


@pytest.fixture
def make_medicare_order(medicare_prices, payer, pharmacist, pharmacist2):
    """Return a factory: a verified Medicare DME order with HMSA as the secondary payer."""
    medicare = Payer.objects.create(
        name="NORIDIAN JURISDICTION D",
        payer_id="19003",
        claim_filing_code="MB",
        profile=BillingProfile.objects.get(name="MEDICARE_DME"),
    )

    def make(**changes) -> Order:
        request = acknowledged(medicare_order(**{"secondary_profile": "HMSA", **changes}))
        order = services.order_create(
            created_by=pharmacist, request_data=request, acknowledged=request["acknowledged"]
        )
        services.order_update_claim_details(
            order=order,
            changed_by=pharmacist,
            payer=medicare,
            secondary_payer=payer,
            secondary_member_id="XHM987654321",
            **{**PATIENT, "member_id": "1EG4TE5MK73"},
        )
        return services.order_verify(order=order, verified_by=pharmacist2)

    return make


def problems(order: Order) -> list[str]:
    return scrubber.problems_by_order([order])[order.pk]


def test_seed_medicare_order_with_secondary_is_ready(make_medicare_order):
    order = make_medicare_order()
    assert problems(order) == []
    assert [(line.code, line.modifiers, line.units) for line in order.lines.all()] == [
        ("J2274", "KD KX JZ", 372),
        ("E0781", "RR KH", 1),
        ("A4221", "", 5),
        ("A4222", "", 2),
    ]
    assert [(line.code, line.units) for line in order.secondary_lines.all()] == [
        ("S9325", 31),
        ("J3490", 149),
    ]


def test_coverage_modifier_missing_holds_the_claim(make_medicare_order):
    order = make_medicare_order(coverage_modifier=None)
    assert problems(order) == ["line 1 (J2274): the coverage modifier (KX, GA or GZ) is missing"]


def test_pump_drug_line_without_pump_line_in_the_same_month_holds_the_claim(make_medicare_order):
    order = make_medicare_order(pump=None)
    assert problems(order) == [
        "line 1 (J2274): a pump-drug line (KD) with no pump line in the same month"
    ]


def test_jz_or_jw_required_and_absent_holds_the_claim(make_medicare_order):
    order = make_medicare_order()
    ClaimLine.objects.filter(order=order, code="J2274").update(modifiers="KD KX")
    assert problems(order) == [
        "line 1 (J2274): a single-dose container needs JZ (nothing discarded) or a JW line for "
        "the amount discarded"
    ]


def test_s_code_on_a_medicare_dme_claim_holds_the_claim(make_medicare_order):
    order = make_medicare_order()
    ClaimLine.objects.filter(order=order, code="A4221").update(code="S9325")
    assert "line 3 (S9325): an S-code on a Medicare DME claim, which pays no per diem" in (
        problems(order)
    )


def test_secondary_claim_needs_its_payer_and_member(make_medicare_order):
    order = make_medicare_order()
    Order.objects.filter(pk=order.pk).update(secondary_payer=None, secondary_member_id="")
    order.refresh_from_db()
    assert problems(order) == [
        "secondary claim details missing: secondary payer, secondary member ID"
    ]


def test_837p_with_the_medicare_claim_and_the_secondary_claim_passes_pyx12(
    make_medicare_order, provider, clerk
):
    order = make_medicare_order()
    result = claim_export.claim_export_create(created_by=clerk, order_ids=[order.pk])
    text = result.export.content
    assert_valid_837p(text)
    primary, secondary = read_claims(text)
    assert primary["id"] == f"ORD-{order.pk}"
    assert [(line["code"], line["modifiers"], line["units"]) for line in primary["lines"]] == [
        ("J2274", ["KD", "KX", "JZ"], 372),
        ("E0781", ["RR", "KH"], 1),
        ("A4221", [], 5),
        ("A4222", [], 2),
    ]
    assert primary["lines"][0]["ndc"] == MEDICARE_NDC11
    assert primary["lines"][0]["ndc_quantity"] == "148.8"
    assert {line["dates"] for line in primary["lines"]} == {"20260101-20260131"}
    assert secondary["id"] == f"ORD-{order.pk}-2"
    assert [(line["code"], line["units"]) for line in secondary["lines"]] == [
        ("S9325", 31),
        ("J3490", 149),
    ]
    written = segments(text)
    assert "SBR*P*18*******MB" in written and "SBR*S*18*******CI" in written
    # Each claim names the other payer (2320/2330B).
    assert written.count("OI***Y*P**Y") == 2
    assert "NM1*PR*2*HMSA*****PI*990040115" in written
    assert "NM1*PR*2*NORIDIAN JURISDICTION D*****PI*19003" in written


def test_renewing_a_medicare_order_bills_the_next_rental_month_from_the_new_start(
    make_medicare_order, pharmacist
):
    """January billed rental month 1 (KH); February's draft bills month 2 (KI), its span
    dates from February 1st, and no JW waste carried over from January."""
    january = make_medicare_order()
    renewal = services.renewal_of(january)
    warnings = [w.id for w in renewal.calculation.warnings_to_acknowledge]
    draft = services.order_renew(order=january, created_by=pharmacist, acknowledged=warnings).draft
    pump = [line for line in draft.lines.all() if line.code == "E0781"]
    assert [(line.modifiers, line.units) for line in pump] == [("RR KI", 1)]
    assert {
        (line.start_date.isoformat(), line.end_date.isoformat()) for line in draft.lines.all()
    } == {("2026-02-01", "2026-02-28")}
    assert draft.request["pump"]["rental_month"] == 2
    assert "delivery_date" not in draft.request
