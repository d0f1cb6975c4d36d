"""What several test modules share: the repository root, the dosing builders that read an
order as the pharmacist types it, readers of the pages' HTML, and the independent reader of 837P
files (pyx12). Fixtures and the seed example are in conftest.py."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pyx12.error_handler import errh_null
from pyx12.params import params as pyx12_params
from pyx12.x12context import X12ContextReader
from pyx12.x12n_document import x12n_document

from calculator.domain.dosing import DrugInput, OrderInput, ServicePeriod, Therapy, compute
from calculator.domain.errors import InvalidOrder
from calculator.domain.units import (
    MASS,
    VOLUME,
    parse_amount,
    parse_concentration,
    parse_measure,
    parse_rate,
    parse_weight,
)
from calculator.engine import EmptyCatalog, calculate_request

if TYPE_CHECKING:
    from calculator.models import ClaimLine, Order

ROOT = Path(__file__).resolve().parent.parent

# The FDA NDC directory samples: each file has one row the readers reject, for the reason given.
SAMPLES = ROOT / "calculator" / "fixtures" / "samples"
PRODUCT = SAMPLES / "product.txt"
PACKAGE = SAMPLES / "package.txt"

PRODUCT_REJECTION = (
    'product.txt line 10: PRODUCTNDC "0641-60X0" is not a labeler-product code (0641-6040); '
    'ACTIVE_NUMERATOR_STRENGTH "twenty-five" is not a number'
)
PACKAGE_REJECTION = (
    'package.txt line 10: "0641-60401" is not an NDC: use 11 digits (5-4-2) or a hyphenated '
    "10-digit label form (4-4-2, 5-3-2 or 5-4-1)"
)

# --- Dosing: orders read from text ------------------------------------------------------------


def drug(
    rate: str,
    concentration: str,
    *,
    weight: str | None = None,
    bolus: str | None = None,
    boluses_per_day: int = 0,
    lockout: str | None = None,
) -> DrugInput:
    """Return a DrugInput read from text, as the pharmacist types it (a lockout of any unit
    part, so that the checks can be shown one that is not a time)."""
    return DrugInput(
        rate=parse_rate(rate),
        concentration=parse_concentration(concentration),
        weight=parse_weight(weight) if weight else None,
        bolus=parse_amount(bolus, dimensions=(MASS, VOLUME), example="1 mg") if bolus else None,
        boluses_per_day=boluses_per_day,
        lockout=parse_measure(lockout) if lockout else None,
    )


def order(
    *drugs: DrugInput,
    days: int = 31,
    hours: str = "24",
    therapy: Therapy | None = None,
    period: ServicePeriod | None = None,
) -> OrderInput:
    """Return an order; the therapy follows the hours unless given."""
    hours_per_day = Decimal(hours)
    if therapy is None:
        therapy = Therapy.CONTINUOUS if hours_per_day == 24 else Therapy.INTERMITTENT
    return OrderInput(
        drugs=drugs,
        period=period or ServicePeriod(days=days),
        hours_per_day=hours_per_day,
        therapy=therapy,
    )


def result_of(rate: str, concentration: str, *, days: int = 31, hours: str = "24", **extra: Any):
    """Return the one DoseResult of a one-drug order."""
    (result,) = compute(order(drug(rate, concentration, **extra), days=days, hours=hours))
    return result


def request_errors(request: dict[str, Any]) -> dict[str, list[str]]:
    """Return the InvalidOrder errors (field path -> messages) the engine raises for `request`."""
    with pytest.raises(InvalidOrder) as caught:
        calculate_request(request, EmptyCatalog())
    return caught.value.errors


# --- Pages: text of the elements with a class ----------------------------------------------------


_VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class _Finder(HTMLParser):
    """Collect the text of elements with a class, inside an optional container (by class)."""

    def __init__(self, wanted: str, inside: list[tuple[str, str | None]]) -> None:
        super().__init__(convert_charrefs=True)
        self.wanted, self.inside = wanted, inside
        self.stack: list[dict[str, str]] = []
        self.found: list[str] = []
        self.capture_depth: int | None = None

    def _within(self) -> bool:
        for css_class, row in self.inside:
            if not any(
                css_class in attrs.get("class", "").split()
                and (row is None or attrs.get("data-row") == row)
                for attrs in self.stack
            ):
                return False
        return True

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _VOID_TAGS:
            return
        attributes = {key: value or "" for key, value in attrs}
        self.stack.append(attributes)
        wanted = self.wanted in attributes.get("class", "").split()
        if self.capture_depth is None and wanted and self._within():
            self.capture_depth = len(self.stack)
            self.found.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID_TAGS or not self.stack:
            return
        if self.capture_depth is not None and len(self.stack) <= self.capture_depth:
            self.capture_depth = None
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.capture_depth is not None:
            self.found[-1] += data


def texts(html: str, css_class: str, *inside: tuple[str, str | None]) -> list[str]:
    """Return the whitespace-normalized text of each element with `css_class` in `inside`."""
    finder = _Finder(css_class, list(inside))
    finder.feed(html)
    return [" ".join(text.split()) for text in finder.found]


def field_errors(html: str, field: str, row: int | None = None) -> list[str]:
    """Return the error messages shown beside a field (of drug row `row`, or of the order)."""
    container = [(f"field-{field}", None)]
    if row is not None:
        container.insert(0, ("drug-row", str(row)))
    return texts(html, "invalid-feedback", *container)


def claim_lines(html: str) -> list[tuple[str, str, str]]:
    """Return the claim lines shown on a page as (code, modifiers, units)."""
    line = ("claim-line", None)
    columns = [texts(html, css_class, line) for css_class in ("code", "modifiers", "units")]
    return list(zip(*columns, strict=True))


def listed_orders(html: str) -> set[int]:
    """Return the pks of the orders in the order list's table."""
    table = html[html.index('id="orders"') :]
    return {int(pk) for pk in re.findall(r'href="/orders/(\d+)/"', table)}


# --- 837P files, read by an independent parser (pyx12, the 005010X222A1 map) -------------


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


# --- Volume: many orders and products in a few bulk inserts -----------------------------------


def _columns(obj: Any, **changes: Any) -> dict[str, Any]:
    """Return a model instance's column values without its primary key, with changes."""
    values = {
        field.attname: getattr(obj, field.attname)
        for field in type(obj)._meta.concrete_fields
        if not field.primary_key
    }
    values.update(changes)
    return values


def clone_orders(order: Order, count: int) -> None:
    """Add `count` copies of a saved order (same status), with its drugs and claim lines, each
    for a patient of its own (one patient's overlapping per diem would hold the claims)."""
    from calculator.models import ClaimLine, Order, OrderDrug, Patient

    drugs, lines = list(order.drugs.all()), list(order.lines.all())
    start = Patient.objects.filter(number__startswith="CLONE-").count()
    patients = Patient.objects.bulk_create(
        Patient(number=f"CLONE-{index}") for index in range(start, start + count)
    )
    clones = Order.objects.bulk_create(
        Order(**_columns(order, patient_reference=patient.number, patient_id=patient.pk))
        for patient in patients
    )
    OrderDrug.objects.bulk_create(
        OrderDrug(**_columns(drug, order_id=clone.pk)) for clone in clones for drug in drugs
    )
    ClaimLine.objects.bulk_create(
        ClaimLine(**_columns(line, order_id=clone.pk)) for clone in clones for line in lines
    )


def clone_products(ndc: str, count: int) -> None:
    """Add `count` copies of a catalog product under new NDCs and names."""
    from calculator.models import DrugProduct

    product = DrugProduct.objects.get(ndc=ndc)
    start = DrugProduct.objects.count()
    DrugProduct.objects.bulk_create(
        DrugProduct(**_columns(product, ndc=f"9{index:010d}", name=f"Clone {index}"))
        for index in range(start, start + count)
    )
