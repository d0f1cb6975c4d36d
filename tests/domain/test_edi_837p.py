"""The 837P file as calculator.domain.edi_837p writes it from plain values: checked by an
independent parser (pyx12) and by our own checks before writing. Pure: no database."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest

from calculator.domain import edi_837p
from tests.conftest import SEED_NDC11
from tests.helpers import assert_valid_837p, read_claims, segments

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
    ndc=SEED_NDC11,
    ndc_unit="ML",
    ndc_quantity="148.8",
)
CLAIM = edi_837p.Claim(
    claim_id="ORD-1",
    total=Decimal("298.00"),
    place_of_service="12",
    diagnosis_codes=("G89.3",),
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


def _claim_text(**changes) -> str:
    claim = dataclasses.replace(CLAIM, **changes)
    return edi_837p.claim_file(envelope=ENVELOPE, provider=PROVIDER, claims=[claim])


def _segment(text: str, name: str) -> list[str]:
    return [s for s in segments(text) if s.startswith(f"{name}*")]


def test_one_diagnosis_is_the_principal_and_every_line_points_at_it():
    text = _claim_text()
    assert _segment(text, "HI") == ["HI*ABK:G893"]
    assert all(s.endswith("**1") for s in _segment(text, "SV1"))


def test_several_diagnoses_go_out_principal_first_and_the_lines_point_at_the_first_four():
    """HI carries ABK for the principal and ABF for the others, 12 at most; SV107 holds at
    most four pointers, so each line points at diagnoses 1 to 4."""
    codes = ("G89.3", "C50.911", "Z45.2", "R52", "E11.9", "I10")
    text = _claim_text(diagnosis_codes=codes)
    assert _segment(text, "HI") == ["HI*ABK:G893*ABF:C50911*ABF:Z452*ABF:R52*ABF:E119*ABF:I10"]
    assert all(s.endswith("**1:2:3:4") for s in _segment(text, "SV1"))
    assert_valid_837p(text)
    two = _claim_text(diagnosis_codes=("G89.3", "C50.911"))
    assert _segment(two, "HI") == ["HI*ABK:G893*ABF:C50911"]
    assert all(s.endswith("**1:2") for s in _segment(two, "SV1"))
    assert_valid_837p(two)


def test_twelve_diagnoses_are_valid_837p():
    codes = tuple(f"C50.9{n:02d}" for n in range(12))
    text = _claim_text(diagnosis_codes=codes)
    assert _segment(text, "HI")[0].count("*ABF:") == 11
    assert_valid_837p(text)


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        ((), "the diagnosis code is missing"),
        (("G89.3", "8-9.3"), '"8-9.3" is not an ICD-10-CM code'),
        (("G89.3", "G893"), "diagnosis G893 is there twice"),
        (tuple(f"C50.9{n:02d}" for n in range(13)), "an 837P claim carries at most 12 diagnoses"),
    ],
)
def test_rejects_diagnoses_the_hi_segment_cannot_carry(codes, message):
    with pytest.raises(edi_837p.InvalidClaimFile, match=message):
        _claim_text(diagnosis_codes=codes)


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
