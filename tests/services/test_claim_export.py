"""The 837P export: files checked by an independent parser (pyx12, against the 005010X222A1
map) and read back loop by loop against the saved claim lines; the review queue; the page."""

from __future__ import annotations

import dataclasses
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains
from pyx12.error_handler import errh_null
from pyx12.params import params as pyx12_params
from pyx12.x12context import X12ContextReader
from pyx12.x12n_document import x12n_document

from calculator import services
from calculator.domain import edi_837p
from calculator.models import (
    AccessLog,
    BillingProfile,
    BillingProvider,
    ClaimExport,
    ClaimLine,
    DrugProduct,
    Order,
    Payer,
    PriceListEntry,
)
from calculator.services import claim_export

EXPORTS = reverse("calculator:claim-exports")
SEED_NDC = "00074113303"
KETAMINE_NDC = "42023011310"
SEED_REQUEST = {
    "patient_reference": "ACC-1",
    "profile": "HMSA",
    "start": "2026-01-01",
    "end": "2026-01-31",
    "drugs": [{"ndc": "00074-1133-03", "rate": "5 mg/hr"}],
}
PATIENT = {
    "member_id": "XHM123456789",
    "patient_last_name": "Kealoha",
    "patient_first_name": "Leilani",
    "patient_birth_date": datetime.date(1958, 4, 12),
    "patient_sex": "F",
    "patient_address": "45-123 Kamehameha Hwy",
    "patient_city": "Kaneohe",
    "patient_state": "HI",
    "patient_zip": "96744",
    "diagnosis_code": "G89.3",
}


# --- The independent parser -------------------------------------------------------------------


def pyx12_check(text: str) -> tuple[bool, str]:
    """Return pyx12's verdict on the file and its 999 acknowledgement (which names errors)."""
    ack = io.StringIO()
    valid = x12n_document(pyx12_params(), io.StringIO(text), ack, None)
    return valid, ack.getvalue()


def assert_valid_837p(text: str) -> None:
    valid, ack = pyx12_check(text)
    assert valid, f"pyx12 rejected the file:\n{ack}\n{text}"
    assert "IK5*A" in ack and "AK9*A*1*1*1" in ack


def read_claims(text: str) -> list[dict]:
    """Read each 2300 claim and its 2400/2410 lines back through pyx12, loop by loop."""
    claims = []
    with X12ContextReader(pyx12_params(), errh_null(), io.StringIO(text)) as reader:
        for node in reader.iter_segments("2300"):
            if node.id != "2300":
                continue
            lines = []
            for line in node.select("2400"):
                modifiers = [line.get_value(f"SV101-{i}") for i in range(3, 7)]
                lines.append(
                    {
                        "code": line.get_value("SV101-2"),
                        "modifiers": [m for m in modifiers if m],
                        "description": line.get_value("SV101-7"),
                        "charge": Decimal(line.get_value("SV102")),
                        "unit": line.get_value("SV103"),
                        "units": int(line.get_value("SV104")),
                        "date_format": line.get_value("DTP[472]02"),
                        "dates": line.get_value("DTP[472]03"),
                        "ndc_qualifier": line.get_value("2410/LIN02"),
                        "ndc": line.get_value("2410/LIN03"),
                        "ndc_quantity": line.get_value("2410/CTP04"),
                        "ndc_unit": line.get_value("2410/CTP05-1"),
                    }
                )
            claims.append(
                {
                    "id": node.get_value("CLM01"),
                    "total": Decimal(node.get_value("CLM02")),
                    "place": node.get_value("CLM05-1"),
                    "diagnosis": node.get_value("HI01-2"),
                    "lines": lines,
                }
            )
    return claims


def segments(text: str) -> list[str]:
    return [segment.strip() for segment in text.split("~") if segment.strip()]


def expected_line(line: ClaimLine) -> dict:
    """Return what the file must say of a saved claim line."""
    if line.start_date == line.end_date:
        date_format, dates = "D8", f"{line.start_date:%Y%m%d}"
    else:
        date_format, dates = "RD8", f"{line.start_date:%Y%m%d}-{line.end_date:%Y%m%d}"
    return {
        "code": line.code,
        "modifiers": line.modifier_list,
        "description": line.description if line.code == "J3490" else None,
        "charge": line.charge,
        "unit": "UN",
        "units": line.units,
        "date_format": date_format,
        "dates": dates,
        "ndc_qualifier": "N4" if line.ndc else None,
        "ndc": line.ndc or None,
        "ndc_quantity": line.ndc_quantity or None,
        "ndc_unit": line.ndc_unit or None,
    }


def assert_claim_matches(claim: dict, order: Order) -> None:
    lines = list(order.lines.order_by("position"))
    assert claim["id"] == f"ORD-{order.pk}"
    assert claim["total"] == sum(line.charge for line in lines)
    assert claim["lines"] == [expected_line(line) for line in lines]


# --- Fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def prices(catalog):
    """Price lists for both shipped profiles (per-diem rates, drug units, nursing)."""
    hmsa = BillingProfile.objects.get(name="HMSA")
    standard = BillingProfile.objects.get(name="STANDARD")
    for profile, code, ndc, price in (
        (hmsa, "S9325", "", "150.00"),
        (hmsa, "J3490", SEED_NDC, "2.00"),
        (hmsa, "J3490", KETAMINE_NDC, "1.50"),
        (hmsa, "99601", "", "180.00"),
        (hmsa, "99602", "", "90.00"),
        (standard, "S9326", "", "165.00"),
        (standard, "J2270", "", "3.25"),
    ):
        PriceListEntry.objects.create(profile=profile, code=code, ndc=ndc, unit_price=price)


@pytest.fixture
def payer(catalog):
    return Payer.objects.create(
        name="HMSA", payer_id="990040115", profile=BillingProfile.objects.get(name="HMSA")
    )


@pytest.fixture
def provider(db):
    return BillingProvider.objects.create(
        name="Aloha Home Infusion Pharmacy",
        npi="1234567893",
        tax_id="991234567",
        taxonomy="3336H0001X",
        address="1001 Bishop St Ste 200",
        city="Honolulu",
        state="HI",
        zip_code="968134321",
        contact_name="Billing Office",
        contact_phone="8085550100",
        submitter_id="AHIP001",
        receiver_name="HAWAII CLEARINGHOUSE",
        receiver_id="HICLR",
    )


@pytest.fixture
def make_order(prices, payer, pharmacist, pharmacist2):
    """Return a factory: a verified order with complete claim details (the seed by default)."""

    def make(request: dict | None = None, **details) -> Order:
        order = services.order_create(created_by=pharmacist, request_data=request or SEED_REQUEST)
        services.order_update_claim_details(
            order=order, changed_by=pharmacist, payer=payer, **{**PATIENT, **details}
        )
        return services.order_verify(order=order, verified_by=pharmacist2)

    return make


@pytest.fixture
def clerk_client(client_for, clerk):
    return client_for(clerk)


def export_file(clerk, *orders: Order) -> str:
    result = claim_export.claim_export_create(
        created_by=clerk, order_ids=[order.pk for order in orders]
    )
    return result.export.content


# --- The seed claim through the parser --------------------------------------------------------


def test_seed_order_file_passes_pyx12_and_reads_back_as_saved(make_order, provider, clerk):
    """The seed order's 837P is valid 005010X222A1 and carries its saved lines unchanged."""
    order = make_order()
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


def test_seed_file_carries_provider_subscriber_and_payer(make_order, provider, clerk):
    """2010AA from the provider record; the subscriber (the patient) and payer from the order."""
    order = make_order(authorization_number="PA-7781", authorization_units=31)
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


def test_production_usage_marks_the_interchange_p(make_order, provider, clerk):
    """ISA15 follows the provider record: P only once an administrator says production."""
    provider.usage = "P"
    provider.save()
    text = export_file(clerk, make_order())

    assert segments(text)[0].split("*")[15] == "P"
    assert_valid_837p(text)


def test_two_orders_make_two_claims_with_right_counts(make_order, provider, clerk):
    """One claim per order, one subscriber HL each under the provider; SE counts its segments."""
    first = make_order()
    second = make_order({**SEED_REQUEST, "patient_reference": "ACC-2"}, member_id="XHM999")
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


def test_standard_profile_month_lines_go_out_as_separate_2400_loops(make_order, provider, clerk):
    """STANDARD splits Jan 17-Feb 16 by month: per-diem and J2270 lines with RD8 periods."""
    months = {"profile": "STANDARD", "start": "2026-01-17", "end": "2026-02-16"}
    order = make_order({**SEED_REQUEST, **months})
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


def test_second_drug_per_diem_line_carries_modifier_sh(make_order, provider, clerk):
    """A concurrent second drug's per-diem line goes out as SV101 HC:S9325:SH; each drug line
    has its own NDC in its 2410 loop."""
    second = {"ndc": "42023-0113-10", "rate": "5 mg/hr"}
    order = make_order({**SEED_REQUEST, "drugs": [*SEED_REQUEST["drugs"], second]})
    text = export_file(clerk, order)

    assert_valid_837p(text)
    (claim,) = read_claims(text)
    assert_claim_matches(claim, order)
    assert "SV1*HC:S9325:SH*4650*UN*31***1~" in text
    assert [line["ndc"] for line in claim["lines"] if line["ndc"]] == [SEED_NDC, KETAMINE_NDC]
    assert "CTP****372*ML~" in text


def test_nursing_visit_lines_go_out_on_their_visit_day(make_order, provider, clerk):
    """A 3 h 40 min visit is 99601 x 1 and 99602 x 2, dated D8 on the visit day, no 2410."""
    visit = {"date": "2026-01-05", "duration": "3 h 40 min"}
    order = make_order({**SEED_REQUEST, "nursing_visits": [visit]})
    text = export_file(clerk, order)

    assert_valid_837p(text)
    (claim,) = read_claims(text)
    assert_claim_matches(claim, order)
    nursing = [line for line in claim["lines"] if line["code"].startswith("996")]
    shown = [(line["code"], line["units"], line["date_format"], line["dates"]) for line in nursing]
    assert shown == [("99601", 1, "D8", "20260105"), ("99602", 2, "D8", "20260105")]
    assert all(line["ndc"] is None for line in nursing)
    assert "SV1*HC:99602*180*UN*2***1~" in text


def test_control_numbers_differ_and_increase_between_files(make_order, provider, clerk):
    """Each file takes the next interchange number; ISA13/IEA02, GS06/GE02, ST02/SE02 agree."""
    order = make_order()
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


# --- Our own checks before writing (pure: no database) ----------------------------------------

PROVIDER = edi_837p.BillingProvider(
    name="Aloha Home Infusion Pharmacy",
    npi="1234567893",
    tax_id="991234567",
    address="1001 Bishop St",
    city="Honolulu",
    state="HI",
    zip_code="968134321",
    contact_name="Billing Office",
    contact_phone="8085550100",
    submitter_id="AHIP001",
    receiver_name="HAWAII CLEARINGHOUSE",
    receiver_id="HICLR",
    taxonomy="3336H0001X",
)
DRUG_LINE = edi_837p.ServiceLine(
    code="J3490",
    units=149,
    charge=Decimal("298.00"),
    start=datetime.date(2026, 1, 1),
    end=datetime.date(2026, 1, 31),
    description="Morphine sulfate 25 mg/mL, 5 mg/hr (120 mg/day)",
    ndc=SEED_NDC,
    ndc_unit="ML",
    ndc_quantity="148.8",
)
CLAIM = edi_837p.Claim(
    claim_id="ORD-1",
    total=Decimal("298.00"),
    place_of_service="12",
    diagnosis_code="G89.3",
    subscriber=edi_837p.Subscriber(
        member_id="XHM123456789",
        last_name="Kealoha",
        first_name="Leilani",
        birth_date=datetime.date(1958, 4, 12),
        sex="F",
        address="45-123 Kamehameha Hwy",
        city="Kaneohe",
        state="HI",
        zip_code="96744",
    ),
    payer=edi_837p.Payer(name="HMSA", payer_id="990040115"),
    lines=(DRUG_LINE,),
)
ENVELOPE = edi_837p.Envelope(control_number=7, created_at=datetime.datetime(2026, 2, 2, 9, 30))


def _file_with(**line_changes) -> str:
    claim = dataclasses.replace(CLAIM, lines=(dataclasses.replace(DRUG_LINE, **line_changes),))
    return edi_837p.claim_file(envelope=ENVELOPE, provider=PROVIDER, claims=[claim])


def test_pure_claim_file_is_valid_837p():
    """The dataclasses alone make a file pyx12 accepts (no database involved)."""
    assert_valid_837p(_file_with())


def test_rejects_a_10_digit_ndc_in_lin03():
    """pyx12 would accept a 10-digit LIN03; our own check refuses to write it."""
    with pytest.raises(ValueError, match="LIN03 needs an 11-digit NDC, not 0074113303"):
        _file_with(ndc="0074113303")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ndc_unit": ""}, "CTP05-1 needs a unit qualifier"),
        ({"ndc_quantity": ""}, "CTP04 needs a positive quantity"),
        ({"ndc_quantity": "148.8000"}, "CTP04 needs a positive quantity"),
        ({"ndc_quantity": 148.8}, "CTP04 needs a positive quantity"),
        ({"ndc": ""}, "LIN03 needs an 11-digit NDC"),
        ({"description": ""}, "an unlisted drug code needs the drug's description"),
        ({"units": 0}, "the units must be a whole number"),
        ({"charge": 298.0}, "the charge must be a Decimal"),
        ({"charge": Decimal("298.005")}, "the charge must be a Decimal amount to the cent"),
    ],
)
def test_rejects_a_drug_line_missing_what_the_claim_needs(changes, message):
    """Every CTP has a qualifier and an exact quantity; amounts are Decimals, never floats."""
    with pytest.raises(edi_837p.InvalidClaimFile, match=message):
        _file_with(**changes)


def test_rejects_a_total_that_is_not_the_sum_of_the_lines():
    """CLM02 must equal the sum of the SV102 charges."""
    claim = dataclasses.replace(CLAIM, total=Decimal("300.00"))
    with pytest.raises(edi_837p.InvalidClaimFile, match="not the sum of its line charges"):
        edi_837p.claim_file(envelope=ENVELOPE, provider=PROVIDER, claims=[claim])


def test_separators_in_text_never_break_the_file():
    """A ~, * or : typed into a name cannot end a segment or an element early."""
    claim = dataclasses.replace(
        CLAIM, subscriber=dataclasses.replace(CLAIM.subscriber, last_name="O*Brien~: Jr")
    )
    text = edi_837p.claim_file(envelope=ENVELOPE, provider=PROVIDER, claims=[claim])
    assert "NM1*IL*1*O Brien Jr*Leilani" in text
    assert_valid_837p(text)


def test_noc_description_is_cut_to_the_80_characters_of_sv101_7():
    """SV101-7 holds 80 characters; a longer J3490 description is cut, never spills over."""
    text = _file_with(description="Ketamine " + "x" * 100)
    (line,) = read_claims(text)[0]["lines"]
    assert line["description"] == ("Ketamine " + "x" * 100)[:80]
    assert_valid_837p(text)


@pytest.mark.parametrize(
    ("amount", "text"),
    [("4650.00", "4650"), ("298.50", "298.5"), ("0.05", "0.05"), ("12", "12")],
)
def test_amount_text_suppresses_trailing_zeros(amount, text):
    assert edi_837p.amount_text(Decimal(amount)) == text


# --- The review queue: held claims and their return -------------------------------------------


def test_held_order_is_left_out_and_returns_once_fixed(make_order, provider, clerk_client):
    """An inactive NDC holds the claim with its reason; reactivated, it goes out next time."""
    ready = make_order()
    held = make_order({**SEED_REQUEST, "patient_reference": "ACC-9"})
    product = DrugProduct.objects.get(ndc=SEED_NDC)
    product.active = False
    product.save()

    page = clerk_client.get(EXPORTS)
    assertContains(page, "NDC 00074-1133-03 is inactive in the catalog")
    assertContains(page, f'href="{reverse("calculator:order-detail", args=[held.pk])}"')

    product.active = True
    product.save()
    services.order_update_claim_details(
        order=held, changed_by=held.created_by, authorization_number="PA-1", authorization_units=30
    )
    page = clerk_client.get(EXPORTS)
    assertContains(page, "31 units of S9325 exceed the 30 authorized (authorization PA-1)")

    response = clerk_client.post(EXPORTS, {"orders": [ready.pk, held.pk]})
    assert response.status_code == 200
    text = response.content.decode()
    assert [claim["id"] for claim in read_claims(text)] == [f"ORD-{ready.pk}"]
    warning = [str(m) for m in get_messages(response.wsgi_request)]
    assert warning == [
        "837P-000000001.txt leaves out the held orders. "
        f"Order {held.pk} (ACC-9): 31 units of S9325 exceed the 30 authorized (authorization PA-1)"
    ]

    services.order_update_claim_details(
        order=held, changed_by=held.created_by, authorization_units=31
    )
    page = clerk_client.get(EXPORTS)
    assertContains(page, "Held for review (0)")
    response = clerk_client.post(EXPORTS, {"orders": [held.pk]})
    text = response.content.decode()
    assert_valid_837p(text)
    (claim,) = read_claims(text)
    assert_claim_matches(claim, held)
    assert "REF*G1*PA-1~" in text
    assert ClaimExport.objects.get(interchange_number=2).orders.get() == held


def test_unpriced_claim_is_held_until_repriced(make_order, provider, clerk):
    """A line without a price holds the claim; a price and a re-price release it."""
    PriceListEntry.objects.filter(code="S9325").delete()
    order = make_order()
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


# --- The page ---------------------------------------------------------------------------------


def test_export_downloads_the_file_and_records_it(make_order, provider, clerk, clerk_client):
    """POST writes one file: stored as a ClaimExport, logged, and returned as a download."""
    order = make_order()
    page = clerk_client.get(EXPORTS)
    assertContains(
        page,
        f'<input class="form-check-input" type="checkbox" name="orders" value="{order.pk}" '
        f'id="order-{order.pk}">',
        html=True,
    )

    response = clerk_client.post(EXPORTS, {"orders": [str(order.pk)]})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/edi-x12"
    assert response["Content-Disposition"] == 'attachment; filename="837P-000000001.txt"'
    export = ClaimExport.objects.get()
    assert response.content.decode() == export.content
    assert export.created_by == clerk
    assert list(export.orders.all()) == [order]
    log = AccessLog.objects.get(action="837p")
    assert (log.user, list(log.orders.all()), log.path) == (clerk, [order], EXPORTS)


def test_earlier_files_can_be_downloaded_again(make_order, provider, clerk, clerk_client):
    """A stored file downloads again byte for byte, from a link on the page."""
    order = make_order()
    export = claim_export.claim_export_create(created_by=clerk, order_ids=[order.pk]).export
    url = reverse("calculator:claim-export-download", args=[export.pk])

    assertContains(clerk_client.get(EXPORTS), f'href="{url}"')
    response = clerk_client.get(url)

    assert response.status_code == 200
    assert response.content.decode() == export.content
    assert response["Content-Disposition"] == 'attachment; filename="837P-000000001.txt"'
    assert AccessLog.objects.filter(action="837p", path=url).count() == 1


def test_without_a_billing_provider_the_export_is_refused(make_order, clerk_client):
    """No provider record: the page says so and a POST writes nothing (no 500)."""
    order = make_order()
    page = clerk_client.get(EXPORTS)
    assertContains(page, "no billing provider is configured")

    response = clerk_client.post(EXPORTS, {"orders": [order.pk]})

    assert response.status_code == 400
    assertContains(response, "No 837P file was written", status_code=400)
    assert not ClaimExport.objects.exists()


def test_selecting_nothing_is_refused_with_a_message(make_order, provider, clerk_client):
    make_order()
    response = clerk_client.post(EXPORTS, {})
    assertContains(response, "select at least one order to export", status_code=400)
    assert not ClaimExport.objects.exists()


def test_draft_orders_are_not_offered(prices, payer, provider, pharmacist, clerk_client):
    """Only verified orders are exported; a draft neither lists nor goes out."""
    draft = services.order_create(created_by=pharmacist, request_data=SEED_REQUEST)
    assertNotContains(clerk_client.get(EXPORTS), f'value="{draft.pk}"')
    response = clerk_client.post(EXPORTS, {"orders": [draft.pk]})
    assertContains(response, "not verified", status_code=400)


@pytest.mark.parametrize("method", ["get", "post"])
def test_pharmacists_cannot_export(method, make_order, provider, pharmacist, client_for):
    """Exporting claims is the billing clerk's permission (403 for a pharmacist)."""
    order = make_order()
    response = getattr(client_for(pharmacist), method)(EXPORTS, {"orders": [order.pk]})
    assert response.status_code == 403
    assert not ClaimExport.objects.exists()


def test_pharmacists_cannot_download_a_file(make_order, provider, clerk, pharmacist, client_for):
    order = make_order()
    export = claim_export.claim_export_create(created_by=clerk, order_ids=[order.pk]).export
    url = reverse("calculator:claim-export-download", args=[export.pk])
    assert client_for(pharmacist).get(url).status_code == 403


def test_clerks_see_the_export_page(provider, clerk_client):
    response = clerk_client.get(EXPORTS)
    assert response.status_code == 200
    assertContains(response, "837P claim export")
