"""The 837P professional claim file (ANSI X12 005010X222A1), built from plain frozen dataclasses.

Pure: no Django. The caller gathers the claims (one per order, lines from the saved snapshot)
and the control number; `claim_file` checks them and writes the interchange. Every number goes
out as the snapshot has it: units, charges and NDC quantities are never recomputed here.

Shape of the file (one transaction set per interchange):

    ISA GS ST BHT                    envelope and header
    1000A NM1*41 PER, 1000B NM1*40   submitter and receiver
    2000A HL*..20 PRV, 2010AA NM1*85 billing provider (N3, N4 with ZIP+4, REF*EI)
    per claim:
      2000B HL*..22*0 SBR*P*18       subscriber, who is the patient (SBR*S on a secondary claim)
      2010BA NM1*IL N3 N4 DMG, 2010BB NM1*PR
      2300 CLM [REF*G1] HI*ABK[*ABF...] (the principal diagnosis, then up to 11 others)
      per other payer: 2320 SBR OI, 2330A NM1*IL, 2330B NM1*PR
      per line: 2400 LX SV1 (SV107 points at diagnoses 1 to 4) DTP*472 REF*6R, 2410 LIN**N4 CTP
    SE GE IEA                        trailers with their counts
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from calculator.domain.billing import NDC_UNITS
from calculator.domain.ndc import is_ndc11
from calculator.domain.npi import npi_is_valid
from calculator.domain.patients import MAX_DIAGNOSIS_CODES

VERSION = "005010X222A1"
ELEMENT = "*"
COMPONENT = ":"
REPETITION = "^"
TERMINATOR = "~"
SEPARATORS = (ELEMENT, COMPONENT, REPETITION, TERMINATOR)

# Not-otherwise-classified drug codes: the payer reads the drug from SV101-7.
NOC_CODES = frozenset({"J3490", "J3590", "J7799", "J7999", "J8499", "J8999", "J9999"})
MAX_LINES_PER_CLAIM = 50  # loop 2400 repeats at most 50 times
MAX_CONTROL_NUMBER = 999_999_999  # ISA13 is nine digits
DESCRIPTION_LENGTH = 80  # SV101-7
# SV107 holds at most four diagnosis pointers: every line points at the claim's first four.
MAX_LINE_POINTERS = 4
CENT = Decimal("0.01")

_QUANTITY = re.compile(r"\d{1,11}(\.\d{1,3})?")
_CODE = re.compile(r"[A-Z0-9]{5}")
_MODIFIER = re.compile(r"[A-Z0-9]{2}")
_DIAGNOSIS = re.compile(r"[A-Z][0-9][0-9A-Z]{1,5}")


class InvalidClaimFile(ValueError):
    """Claims that must not be written; `problems` lists every reason found."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class BillingProvider:
    """The pharmacy: billing provider (2010AA), submitter (1000A) and its receiver (1000B)."""

    name: str
    npi: str
    tax_id: str
    address: str
    city: str
    state: str
    zip_code: str
    contact_name: str
    contact_phone: str
    submitter_id: str
    receiver_name: str
    receiver_id: str
    taxonomy: str = ""
    usage: str = "T"


@dataclass(frozen=True)
class Subscriber:
    """The insured, who is also the patient (SBR02 = 18, self)."""

    member_id: str
    last_name: str
    first_name: str
    birth_date: date
    sex: str
    address: str
    city: str
    state: str
    zip_code: str


@dataclass(frozen=True)
class Payer:
    name: str
    payer_id: str
    filing_code: str = "CI"  # SBR09: commercial insurance unless the payer record says otherwise


@dataclass(frozen=True)
class ServiceLine:
    """One claim line as saved: HCPCS code, modifiers, units, charge, dates and NDC."""

    code: str
    units: int
    charge: Decimal
    start: date
    end: date
    modifiers: tuple[str, ...] = ()
    place_of_service: str = ""
    description: str = ""
    ndc: str = ""
    ndc_unit: str = ""
    ndc_quantity: str = ""
    control_number: str = ""

    @property
    def is_drug(self) -> bool:
        return bool(self.ndc or self.ndc_unit or self.ndc_quantity) or self.code.startswith("J")


@dataclass(frozen=True)
class OtherPayer:
    """Another payer of the same service (loops 2320, 2330A, 2330B): on a Medicare DME claim
    the secondary payer, on the secondary claim Medicare. No adjudication amounts: the file
    goes out before the other payer has paid."""

    payer: Payer
    member_id: str
    responsibility: str = "P"  # SBR01 of loop 2320: P primary, S secondary


@dataclass(frozen=True)
class Claim:
    """One claim (loop 2300): a patient control number, its total and its lines."""

    claim_id: str
    total: Decimal
    place_of_service: str
    diagnosis_codes: tuple[str, ...]  # the principal first, at most MAX_DIAGNOSIS_CODES
    subscriber: Subscriber
    payer: Payer
    lines: tuple[ServiceLine, ...]
    authorization_number: str = ""
    responsibility: str = "P"  # SBR01 of loop 2000B: P primary, S secondary
    other_payers: tuple[OtherPayer, ...] = ()


@dataclass(frozen=True)
class Envelope:
    """The control number of the file (ISA13, and GS06/ST02/BHT03 made from it) and its time."""

    control_number: int
    created_at: datetime


# --- Checks -----------------------------------------------------------------------------------


def file_problems(provider: BillingProvider, claims: Sequence[Claim]) -> list[str]:
    """Return every reason these claims cannot be written (empty: the file may be built)."""
    problems = provider_problems(provider)
    if not claims:
        problems.append("no claims to export")
    ids = [claim.claim_id for claim in claims]
    if len(set(ids)) != len(ids):
        problems.append("two claims share a patient control number")
    for claim in claims:
        problems.extend(f"claim {claim.claim_id}: {p}" for p in claim_problems(claim))
    return problems


def provider_problems(provider: BillingProvider) -> list[str]:
    """Return what the billing provider record lacks for loops 1000A, 1000B and 2010AA."""
    problems = []
    if not npi_is_valid(provider.npi):
        problems.append("billing provider: the NPI must be 10 digits with a valid check digit")
    if not _digits(provider.tax_id, 9):
        problems.append("billing provider: the tax ID must be 9 digits")
    if not _digits(provider.zip_code, 9):
        problems.append("billing provider: the ZIP code must be 9 digits (ZIP+4)")
    if not _digits(provider.contact_phone, 10):
        problems.append("billing provider: the contact phone must be 10 digits")
    if provider.usage not in ("T", "P"):
        problems.append("billing provider: usage must be T (test) or P (production)")
    for label, value in (
        ("name", provider.name),
        ("address", provider.address),
        ("city", provider.city),
        ("state", provider.state),
        ("contact name", provider.contact_name),
        ("submitter ID", provider.submitter_id),
        ("receiver name", provider.receiver_name),
        ("receiver ID", provider.receiver_id),
    ):
        if not _clean(value):
            problems.append(f"billing provider: the {label} is missing")
    return problems


def claim_problems(claim: Claim) -> list[str]:
    """Return why this claim cannot go into a file: missing subscriber or payer details, a
    total that is not the sum of its lines, and every line's own problems."""
    problems = []
    subscriber = claim.subscriber
    for label, value in (
        ("member ID", subscriber.member_id),
        ("patient last name", subscriber.last_name),
        ("patient first name", subscriber.first_name),
        ("patient address", subscriber.address),
        ("patient city", subscriber.city),
        ("patient state", subscriber.state),
        ("payer name", claim.payer.name),
        ("payer ID", claim.payer.payer_id),
    ):
        if not _clean(value):
            problems.append(f"the {label} is missing")
    if not isinstance(subscriber.birth_date, date):
        problems.append("the patient birth date is missing")
    if subscriber.sex not in ("F", "M", "U"):
        problems.append("the patient sex must be F, M or U")
    if not (_digits(subscriber.zip_code, 5) or _digits(subscriber.zip_code, 9)):
        problems.append("the patient ZIP code must be 5 or 9 digits")
    problems.extend(_diagnosis_problems(claim.diagnosis_codes))
    if not _digits(claim.place_of_service, 2):
        problems.append("the place of service must be two digits")
    if not claim.lines:
        problems.append("the claim has no lines")
    if len(claim.lines) > MAX_LINES_PER_CLAIM:
        problems.append(f"an 837P claim carries at most {MAX_LINES_PER_CLAIM} lines")
    for number, line in enumerate(claim.lines, start=1):
        problems.extend(f"line {number} ({line.code}): {p}" for p in _line_problems(line))
    charges = [line.charge for line in claim.lines]
    if claim.responsibility not in ("P", "S", "T"):
        problems.append("the payer responsibility must be P, S or T")
    for other in claim.other_payers:
        for label, value in (
            ("member ID", other.member_id),
            ("payer name", other.payer.name),
            ("payer ID", other.payer.payer_id),
        ):
            if not _clean(value):
                problems.append(f"the other payer's {label} is missing")
    if not _is_money(claim.total):
        problems.append("the claim total must be a Decimal amount to the cent")
    elif all(_is_money(c) for c in charges) and claim.total != sum(charges, Decimal(0)):
        problems.append(f"the claim total {claim.total} is not the sum of its line charges")
    return problems


def _line_problems(line: ServiceLine) -> list[str]:
    problems = []
    if not _CODE.fullmatch(line.code):
        problems.append("the HCPCS code must be 5 letters or digits")
    if len(line.modifiers) > 4 or not all(_MODIFIER.fullmatch(m) for m in line.modifiers):
        problems.append("at most 4 modifiers of 2 characters each")
    if isinstance(line.units, bool) or not isinstance(line.units, int) or line.units < 1:
        problems.append("the units must be a whole number of at least 1")
    if not _is_money(line.charge):
        problems.append("the charge must be a Decimal amount to the cent, not negative")
    if not (isinstance(line.start, date) and isinstance(line.end, date)):
        problems.append("the dates of service are missing")
    elif line.end < line.start:
        problems.append("the service ends before it starts")
    if line.place_of_service and not _digits(line.place_of_service, 2):
        problems.append("the place of service must be two digits")
    if line.code in NOC_CODES and not _clean(line.description):
        problems.append("an unlisted drug code needs the drug's description")
    if line.is_drug:
        if not is_ndc11(line.ndc):
            problems.append(f"LIN03 needs an 11-digit NDC, not {line.ndc or 'nothing'}")
        if line.ndc_unit not in NDC_UNITS:
            problems.append("CTP05-1 needs a unit qualifier (ML, GR, ME, UN or F2)")
        if not (
            isinstance(line.ndc_quantity, str)
            and _QUANTITY.fullmatch(line.ndc_quantity)
            and Decimal(line.ndc_quantity) > 0
        ):
            problems.append("CTP04 needs a positive quantity with at most 3 decimals")
    return problems


def _is_money(amount: object) -> bool:
    """Return True for a Decimal of whole cents, not negative (never a float)."""
    return (
        isinstance(amount, Decimal)
        and amount.is_finite()
        and amount >= 0
        and amount == amount.quantize(CENT)
    )


def _digits(value: str, length: int) -> bool:
    return isinstance(value, str) and len(value) == length and value.isdigit()


# --- Writing ----------------------------------------------------------------------------------


def claim_file(*, envelope: Envelope, provider: BillingProvider, claims: Sequence[Claim]) -> str:
    """Return the 837P interchange for these claims, one segment per line; raise
    InvalidClaimFile (a ValueError) naming every problem instead of writing a bad file."""
    problems = file_problems(provider, claims)
    if not 1 <= envelope.control_number <= MAX_CONTROL_NUMBER:
        problems.append(f"control number {envelope.control_number} is out of range")
    if problems:
        raise InvalidClaimFile(problems)

    number = envelope.control_number
    created = envelope.created_at
    transaction = _transaction_set(
        provider=provider, claims=claims, st_control=f"{number:04d}", created=created, number=number
    )
    sender, receiver = _clean(provider.submitter_id), _clean(provider.receiver_id)
    segments = [
        _segment(
            "ISA",
            "00",
            " " * 10,
            "00",
            " " * 10,
            "ZZ",
            sender[:15].ljust(15),
            "ZZ",
            receiver[:15].ljust(15),
            created.strftime("%y%m%d"),
            created.strftime("%H%M"),
            REPETITION,
            "00501",
            f"{number:09d}",
            "0",
            provider.usage,
            COMPONENT,
        ),
        _segment(
            "GS",
            "HC",
            sender[:15],
            receiver[:15],
            created.strftime("%Y%m%d"),
            created.strftime("%H%M"),
            str(number),
            "X",
            VERSION,
        ),
        *transaction,
        _segment("GE", "1", str(number)),
        _segment("IEA", "1", f"{number:09d}"),
    ]
    return "".join(f"{segment}{TERMINATOR}\n" for segment in segments)


def _transaction_set(
    *,
    provider: BillingProvider,
    claims: Sequence[Claim],
    st_control: str,
    created: datetime,
    number: int,
) -> list[str]:
    """Return ST through SE; SE01 counts every segment from ST to SE inclusive."""
    body = [
        _segment("ST", "837", st_control, VERSION),
        _segment(
            "BHT",
            "0019",
            "00",
            f"{number:09d}",
            created.strftime("%Y%m%d"),
            created.strftime("%H%M"),
            "CH",
        ),
        _name("41", "2", provider.name, id_qualifier="46", identifier=provider.submitter_id),
        _segment("PER", "IC", _clean(provider.contact_name)[:60], "TE", provider.contact_phone),
        _name(
            "40", "2", provider.receiver_name, id_qualifier="46", identifier=provider.receiver_id
        ),
        _segment("HL", "1", "", "20", "1"),
    ]
    if _clean(provider.taxonomy):
        body.append(_segment("PRV", "BI", "PXC", _clean(provider.taxonomy)))
    body += [
        _name("85", "2", provider.name, id_qualifier="XX", identifier=provider.npi),
        *_address(provider.address, provider.city, provider.state, provider.zip_code),
        _segment("REF", "EI", provider.tax_id),
    ]
    for index, claim in enumerate(claims, start=2):
        body += _subscriber_loops(claim, hl_number=index)
        body += _claim_loop(claim)
    body.append(_segment("SE", str(len(body) + 1), st_control))
    return body


def _subscriber_loops(claim: Claim, *, hl_number: int) -> list[str]:
    subscriber, payer = claim.subscriber, claim.payer
    return [
        _segment("HL", str(hl_number), "1", "22", "0"),
        _segment(
            "SBR",
            claim.responsibility,
            "18",
            "",
            "",
            "",
            "",
            "",
            "",
            _clean(payer.filing_code) or "CI",
        ),
        _name(
            "IL",
            "1",
            subscriber.last_name,
            first=subscriber.first_name,
            id_qualifier="MI",
            identifier=subscriber.member_id,
        ),
        *_address(subscriber.address, subscriber.city, subscriber.state, subscriber.zip_code),
        _segment("DMG", "D8", subscriber.birth_date.strftime("%Y%m%d"), subscriber.sex),
        _name("PR", "2", payer.name, id_qualifier="PI", identifier=payer.payer_id),
    ]


def _claim_loop(claim: Claim) -> list[str]:
    segments = [
        _segment(
            "CLM",
            _clean(claim.claim_id)[:38],
            amount_text(claim.total),
            "",
            "",
            _composite(claim.place_of_service, "B", "1"),
            "Y",
            "A",
            "Y",
            "Y",
        ),
    ]
    if _clean(claim.authorization_number):
        segments.append(_segment("REF", "G1", _clean(claim.authorization_number)[:50]))
    segments.append(_diagnoses(claim.diagnosis_codes))
    for other in claim.other_payers:
        segments += _other_payer_loops(other, claim.subscriber)
    pointers = line_pointers(len(claim.diagnosis_codes))
    for number, line in enumerate(claim.lines, start=1):
        segments += _line_loop(
            line, number=number, claim_place=claim.place_of_service, pointers=pointers
        )
    return segments


def _diagnosis_problems(codes: Sequence[str]) -> list[str]:
    if not codes:
        return ["the diagnosis code is missing"]
    problems = []
    if len(codes) > MAX_DIAGNOSIS_CODES:
        problems.append(f"an 837P claim carries at most {MAX_DIAGNOSIS_CODES} diagnoses")
    seen: set[str] = set()
    for code in codes:
        text = diagnosis_text(code)
        if not _DIAGNOSIS.fullmatch(text):
            problems.append(f'"{code}" is not an ICD-10-CM code')
        elif text in seen:
            problems.append(f"diagnosis {text} is there twice")
        seen.add(text)
    return problems


def _diagnoses(codes: Sequence[str]) -> str:
    """Return HI: ABK for the principal diagnosis, ABF for each other one."""
    qualifiers = ["ABK", *["ABF"] * (len(codes) - 1)]
    return _segment(
        "HI", *(_composite(q, diagnosis_text(c)) for q, c in zip(qualifiers, codes, strict=True))
    )


def line_pointers(diagnosis_count: int) -> str:
    """Return SV107: the pointers of the claim's first diagnoses, at most four (1:2:3:4)."""
    return _composite(*(str(n) for n in range(1, min(diagnosis_count, MAX_LINE_POINTERS) + 1)))


def _other_payer_loops(other: OtherPayer, subscriber: Subscriber) -> list[str]:
    """Return loops 2320 (SBR, OI), 2330A (the other payer's subscriber) and 2330B (the payer)."""
    filing = _clean(other.payer.filing_code) or "CI"
    return [
        _segment("SBR", other.responsibility, "18", "", "", "", "", "", "", filing),
        _segment("OI", "", "", "Y", "P", "", "Y"),
        _name(
            "IL",
            "1",
            subscriber.last_name,
            first=subscriber.first_name,
            id_qualifier="MI",
            identifier=other.member_id,
        ),
        _name("PR", "2", other.payer.name, id_qualifier="PI", identifier=other.payer.payer_id),
    ]


def _line_loop(line: ServiceLine, *, number: int, claim_place: str, pointers: str) -> list[str]:
    description = ""
    if line.code in NOC_CODES:
        description = _clean(line.description)[:DESCRIPTION_LENGTH].rstrip()
    modifiers = [*line.modifiers, "", "", "", ""][:4]
    procedure = _composite("HC", line.code, *modifiers, description)  # SV101-1 to SV101-7
    place = line.place_of_service if line.place_of_service != claim_place else ""
    segments = [
        _segment("LX", str(number)),
        _segment(
            "SV1", procedure, amount_text(line.charge), "UN", str(line.units), place, "", pointers
        ),
        _service_dates(line.start, line.end),
    ]
    if _clean(line.control_number):
        segments.append(_segment("REF", "6R", _clean(line.control_number)[:50]))
    if line.is_drug:
        segments += [
            _segment("LIN", "", "N4", line.ndc),
            _segment("CTP", "", "", "", line.ndc_quantity, line.ndc_unit),
        ]
    return segments


def _service_dates(start: date, end: date) -> str:
    """Return DTP*472: D8 for a single day, RD8 from-to for a period."""
    if start == end:
        return _segment("DTP", "472", "D8", start.strftime("%Y%m%d"))
    return _segment("DTP", "472", "RD8", f"{start:%Y%m%d}-{end:%Y%m%d}")


def _name(
    entity: str,
    kind: str,
    last_or_organization: str,
    *,
    first: str = "",
    id_qualifier: str,
    identifier: str,
) -> str:
    """Return an NM1 segment (NM103 at most 60 characters, NM104 at most 35)."""
    return _segment(
        "NM1",
        entity,
        kind,
        _clean(last_or_organization)[:60],
        _clean(first)[:35],
        "",
        "",
        "",
        id_qualifier,
        _clean(identifier)[:80],
    )


def _address(street: str, city: str, state: str, zip_code: str) -> list[str]:
    return [
        _segment("N3", _clean(street)[:55]),
        _segment("N4", _clean(city)[:30], _clean(state).upper()[:2], zip_code),
    ]


def amount_text(amount: Decimal) -> str:
    """Return a money amount to the cent with trailing zeros suppressed (4650.00 -> 4650)."""
    text = format(amount.quantize(CENT), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def diagnosis_text(code: str) -> str:
    """Return an ICD-10-CM code as an 837P carries it: upper case, no dot (G89.3 -> G893)."""
    return (code or "").replace(".", "").strip().upper()


def _clean(text: str) -> str:
    """Return text safe inside an element: ASCII, no separators, single spaces."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    for separator in SEPARATORS:
        ascii_text = ascii_text.replace(separator, " ")
    return " ".join(ascii_text.split())


def _composite(*components: str) -> str:
    return COMPONENT.join(components).rstrip(COMPONENT)


def _segment(segment_id: str, *elements: str) -> str:
    """Return a segment with trailing empty elements dropped (never inside ISA)."""
    values = list(elements)
    if segment_id != "ISA":
        while values and values[-1] == "":
            values.pop()
    return ELEMENT.join([segment_id, *values])
