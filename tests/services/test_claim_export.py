"""The 837P export service (calculator/services/claim_export.py): the saved claim lines of
verified orders written as files that an independent parser (pyx12, against the 005010X222A1
map) accepts and reads back loop by loop; control numbers; the review queue of held claims."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from calculator import services
from calculator.models import Order, PriceListEntry
from calculator.services import claim_export, claim_verdicts
from tests.conftest import KETAMINE_NDC11, SEED_NDC11, SEED_ORDER
from tests.helpers import assert_claim_matches, assert_valid_837p, read_claims, segments


def export_file(clerk, *orders: Order) -> str:
    result = claim_export.claim_export_create(
        created_by=clerk, order_ids=[order.pk for order in orders]
    )
    return result.export.content


# --- The seed claim through the parser --------------------------------------------------------


def test_seed_order_file_passes_pyx12_and_reads_back_as_saved(make_claim_order, provider, clerk):
    """The seed order's 837P is valid 005010X222A1 and carries its saved lines unchanged."""
    order = make_claim_order()
    text = export_file(clerk, order)

    assert_valid_837p(text)
    assert "SV1*HC:S9325*4650*UN*31***1~" in text
    assert re.search(r"^SV1\*HC:J3490:{5}Morphine sulfate[^*]*\*298\*UN\*149\*\*\*1~$", text, re.M)
    assert "LIN**N4*00074113303~" in text
    assert "CTP****148.8*ML~" in text
    claims = read_claims(text)
    assert len(claims) == 1
    assert_claim_matches(claims[0], order)
    assert claims[0]["total"] == Decimal("4948")
    assert claims[0]["place"] == "12"
    assert claims[0]["diagnosis"] == "G893"


def test_seed_file_carries_provider_subscriber_and_payer(make_claim_order, provider, clerk):
    """2010AA from the provider record; the subscriber (the patient) and payer from the order."""
    order = make_claim_order(authorization_number="PA-7781", authorization_units=31)
    text = export_file(clerk, order)

    assert_valid_837p(text)
    for expected in (
        "ST*837*0001*005010X222A1~",
        "GS*HC*AHIP001*HICLR*",
        "BHT*0019*00*000000001*",
        "NM1*41*2*Aloha Home Infusion Pharmacy*****46*AHIP001~",
        "PER*IC*Billing Office*TE*8085550100~",
        "NM1*40*2*HAWAII CLEARINGHOUSE*****46*HICLR~",
        "HL*1**20*1~",
        "PRV*BI*PXC*3336H0001X~",
        "NM1*85*2*Aloha Home Infusion Pharmacy*****XX*1234567893~",
        "N3*1001 Bishop St Ste 200~",
        "N4*Honolulu*HI*968134321~",
        "REF*EI*991234567~",
        "HL*2*1*22*0~",
        "SBR*P*18*******CI~",
        "NM1*IL*1*Kealoha*Leilani****MI*XHM123456789~",
        "N4*Kaneohe*HI*96744~",
        "DMG*D8*19580412*F~",
        "NM1*PR*2*HMSA*****PI*990040115~",
        f"CLM*ORD-{order.pk}*4948***12:B:1*Y*A*Y*Y~",
        "REF*G1*PA-7781~",
        "HI*ABK:G893~",
        "DTP*472*RD8*20260101-20260131~",
    ):
        assert expected in text
    isa = segments(text)[0]
    assert len(isa) == 105  # fixed width: 106 characters with its terminator
    assert isa.split("*")[15] == "T"  # ISA15 from BillingProvider.usage
    assert isa.split("*")[16] == ":"


def test_production_usage_marks_the_interchange_p(make_claim_order, provider, clerk):
    """ISA15 follows the provider record: P only once an administrator says production."""
    provider.usage = "P"
    provider.save()
    text = export_file(clerk, make_claim_order())

    assert segments(text)[0].split("*")[15] == "P"
    assert_valid_837p(text)


def test_two_orders_make_two_claims_with_right_counts(make_claim_order, provider, clerk):
    """One claim per order, one subscriber HL each under the provider; SE counts its segments."""
    first = make_claim_order()
    second = make_claim_order({**SEED_ORDER, "patient_reference": "ACC-2"}, member_id="XHM999")
    text = export_file(clerk, first, second)

    assert_valid_837p(text)
    claims = read_claims(text)
    assert [claim["id"] for claim in claims] == [f"ORD-{first.pk}", f"ORD-{second.pk}"]
    assert_claim_matches(claims[0], first)
    assert_claim_matches(claims[1], second)
    all_segments = segments(text)
    hl = [s for s in all_segments if s.startswith("HL*")]
    assert hl == ["HL*1**20*1", "HL*2*1*22*0", "HL*3*1*22*0"]
    assert sum(s.startswith("CLM*") for s in all_segments) == 2
    st, se = all_segments.index("ST*837*0001*005010X222A1"), len(all_segments) - 3
    assert all_segments[se].startswith("SE*")
    assert int(all_segments[se].split("*")[1]) == se - st + 1
    assert all_segments[-2] == "GE*1*1"
    assert all_segments[-1] == "IEA*1*000000001"


def test_standard_profile_month_lines_go_out_as_separate_2400_loops(
    make_claim_order, provider, clerk
):
    """STANDARD splits Jan 17-Feb 16 by month: per-diem and J2270 lines with RD8 periods."""
    months = {"profile": "STANDARD", "start": "2026-01-17", "end": "2026-02-16"}
    order = make_claim_order({**SEED_ORDER, **months})
    text = export_file(clerk, order)

    assert_valid_837p(text)
    (claim,) = read_claims(text)
    assert_claim_matches(claim, order)
    assert [(line["code"], line["units"], line["dates"]) for line in claim["lines"]] == [
        ("S9326", 15, "20260117-20260131"),
        ("J2270", 180, "20260117-20260131"),
        ("S9326", 16, "20260201-20260216"),
        ("J2270", 192, "20260201-20260216"),
    ]
    assert "CTP****72*ML~" in text and "CTP****76.8*ML~" in text
    assert "J2270:" not in text  # a specific code carries no NOC description


def test_second_drug_per_diem_line_carries_modifier_sh(make_claim_order, provider, clerk):
    """A concurrent second drug's per-diem line goes out as SV101 HC:S9325:SH; each drug line
    has its own NDC in its 2410 loop."""
    second = {"ndc": "42023-0113-10", "rate": "5 mg/hr"}
    order = make_claim_order({**SEED_ORDER, "drugs": [*SEED_ORDER["drugs"], second]})
    text = export_file(clerk, order)

    assert_valid_837p(text)
    (claim,) = read_claims(text)
    assert_claim_matches(claim, order)
    assert "SV1*HC:S9325:SH*4650*UN*31***1~" in text
    assert [line["ndc"] for line in claim["lines"] if line["ndc"]] == [SEED_NDC11, KETAMINE_NDC11]
    assert "CTP****372*ML~" in text


def test_nursing_visit_lines_go_out_on_their_visit_day(make_claim_order, provider, clerk):
    """A 3 h 40 min visit is 99601 x 1 and 99602 x 2, dated D8 on the visit day, no 2410."""
    visit = {"date": "2026-01-05", "duration": "3 h 40 min"}
    order = make_claim_order({**SEED_ORDER, "nursing_visits": [visit]})
    text = export_file(clerk, order)

    assert_valid_837p(text)
    (claim,) = read_claims(text)
    assert_claim_matches(claim, order)
    nursing = [line for line in claim["lines"] if line["code"].startswith("996")]
    shown = [(line["code"], line["units"], line["date_format"], line["dates"]) for line in nursing]
    assert shown == [("99601", 1, "D8", "20260105"), ("99602", 2, "D8", "20260105")]
    assert all(line["ndc"] is None for line in nursing)
    assert "SV1*HC:99602*180*UN*2***1~" in text


def test_control_numbers_differ_and_increase_between_files(make_claim_order, provider, clerk):
    """Each file takes the next interchange number; ISA13/IEA02, GS06/GE02, ST02/SE02 agree."""
    order = make_claim_order()
    first = claim_export.claim_export_create(created_by=clerk, order_ids=[order.pk]).export
    second = claim_export.claim_export_create(created_by=clerk, order_ids=[order.pk]).export

    assert (first.interchange_number, second.interchange_number) == (1, 2)
    for export, number in ((first, 1), (second, 2)):
        parts = [s.split("*") for s in segments(export.content)]
        by_id = {p[0]: p for p in parts}
        assert by_id["ISA"][13] == by_id["IEA"][2] == f"{number:09d}"
        assert by_id["GS"][6] == by_id["GE"][2] == str(number)
        assert by_id["ST"][2] == by_id["SE"][2] == f"{number:04d}"
        assert_valid_837p(export.content)
    assert first.content != second.content


# --- The review queue ------------------------------------------------------------------------


def test_unpriced_claim_is_held_until_repriced(make_claim_order, provider, clerk):
    """A line without a price holds the claim; a price and a re-price release it."""
    PriceListEntry.objects.filter(code="S9325").delete()
    order = make_claim_order()
    (entry,) = claim_export.review_queue()
    assert "line 1 (S9325): no price in the HMSA price list" in entry.problems
    with pytest.raises(claim_export.ExportRefused, match="none of the selected orders"):
        claim_export.claim_export_create(created_by=clerk, order_ids=[order.pk])

    PriceListEntry.objects.create(
        profile=order.profile, code="S9325", ndc="", unit_price=Decimal("150.00")
    )
    services.order_reprice(order=order, changed_by=order.created_by)
    text = export_file(clerk, order)
    assert_valid_837p(text)
    assert_claim_matches(read_claims(text)[0], order)


@pytest.mark.parametrize("field", ["member_id", "patient_zip", "diagnosis_codes"])
def test_the_held_filter_holds_what_the_review_queue_holds(make_claim_order, provider, field):
    """The order list's held filter (the stored verdicts) holds exactly the claims the review
    queue's checks hold, with the same reasons."""
    from tests.helpers import clone_orders

    ready = make_claim_order()
    clone_orders(ready, 2)  # a patient each: ready too
    missing = make_claim_order(**{field: ""})
    clone_orders(missing, 1)
    # the same patient and days as `ready`
    overlapping = make_claim_order({**SEED_ORDER, "patient_reference": ready.patient_reference})
    draft = services.order_create(created_by=ready.created_by, request_data=SEED_ORDER)
    held = claim_export.held_orders()
    queue = {
        entry.order.pk: entry.problems
        for entry in claim_export.review_queue(
            claim_export._orders(Order.objects.filter(status=Order.Status.VERIFIED))
        )
        if entry.problems
    }
    assert held == queue
    assert missing.pk in held and overlapping.pk in held and ready.pk in held
    assert draft.pk not in held
    filtered = set(Order.objects.filter(claim_verdicts.held_claims()).values_list("pk", flat=True))
    assert filtered == set(held)
    assert claim_verdicts.held_reasons(Order.objects.all()) == held
