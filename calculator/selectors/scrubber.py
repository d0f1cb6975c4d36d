"""The pre-billing claim checks. A claim that fails is held, with its reasons, in
the review queue instead of being exported; fixed, it goes out with the next export.

`problems_by_order(orders)` checks many orders in a constant number of queries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from calculator.domain.billing import (
    JW,
    JZ,
    KD,
    NDC_UNITS,
    PUMP_CODES,
    CoverageModifier,
    PolicyKind,
    code_date_problem,
)
from calculator.domain.ndc import format_ndc, is_ndc11
from calculator.domain.patients import InvalidDiagnosis, clean_diagnosis_list
from calculator.models import (
    ClaimLine,
    DrugProduct,
    HcpcsCode,
    Order,
    OrderDrug,
    SecondaryClaimLine,
)
from calculator.models.orders import SavedLine

SPECIFIC_PER_DIEMS = {"S9326", "S9327", "S9328"}
PER_DIEMS = {"S9325"} | SPECIFIC_PER_DIEMS


# The kinds of reason a claim is held for, to count held claims by reason and to filter the
# review queue on one: key, label, and a test of the reason's text (the first that matches).
REASON_KINDS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("claim-details", "Claim details missing", re.compile(r"^claim details missing")),
    (
        "diagnosis",
        "Diagnosis not an ICD-10-CM code",
        re.compile(r"not an ICD-10-CM code|is already diagnosis \d|diagnosis codes on a claim"),
    ),
    ("payer", "Payer inactive", re.compile(r"^the payer .* is inactive$")),
    ("authorization", "Authorization exceeded or dates outside it", re.compile(r"authoriz")),
    ("price", "No price in the price list", re.compile(r": no price in the ")),
    ("ndc", "NDC missing, inactive or not marketed", re.compile(r"NDC")),
    ("per-diem", "S9325 beside S9326-S9328", re.compile(r"^S9325 is billed beside")),
    ("line", "Codes, units or descriptions of lines", re.compile(r"^line \d+ \(")),
    ("status", "Not verified", re.compile(r"not verified$")),
)
OTHER_REASON = ("other", "Rejected by the 837P checks")
REASON_LABELS = {key: label for key, label, _ in REASON_KINDS} | dict([OTHER_REASON])


def reason_kind(problem: str) -> str:
    """Return the key of the kind of reason `problem` is (OTHER_REASON's when none fits)."""
    return next((key for key, _, test in REASON_KINDS if test.search(problem)), OTHER_REASON[0])


@dataclass(frozen=True)
class Reference:
    """What the checks need from the catalog, loaded once for many orders."""

    products: dict[str, DrugProduct]
    codes: dict[str, HcpcsCode]


def load_reference(lines: Iterable[ClaimLine]) -> Reference:
    lines = list(lines)
    ndcs = {line.ndc for line in lines if line.ndc}
    codes = {line.code for line in lines}
    return Reference(
        products={p.ndc: p for p in DrugProduct.objects.filter(ndc__in=ndcs)},
        codes={c.code: c for c in HcpcsCode.objects.filter(code__in=codes)},
    )


def problems_by_order(orders: Iterable[Order]) -> dict[int, list[str]]:
    """Return each order's problems (empty list: ready to bill). Orders need `lines` and
    `drugs` prefetched for constant queries; they are fetched otherwise."""
    orders = list(orders)
    return _problems(
        orders,
        lines_of={order.pk: list(order.lines.all()) for order in orders},
        secondary_of={
            order.pk: list(order.secondary_lines.all()) if order.secondary_profile_id else []
            for order in orders
        },
        drugs_of={order.pk: list(order.drugs.all()) for order in orders},
    )


# What the checks read of an order's drugs (J3490's description names the drug's).
DRUG_FIELDS = ("pk", "order_id", "position", "name", "concentration", "rate")


def problems_of(orders: QuerySet[Order]) -> dict[int, list[str]]:
    """Return the problems of each of `orders` (a queryset) as `problems_by_order` does, loading
    only what the checks read: the orders' checked columns with their payer, and their lines,
    secondary lines and drugs each in one query grouped here (no per-order prefetch querysets,
    which cost more than the checks at thousands of orders). Seven queries."""
    checked = list(orders.select_related("payer").only(*CHECKED_FIELDS).order_by())
    wanted = orders.values("pk")
    lines_of: dict[int, list] = {order.pk: [] for order in checked}
    secondary_of: dict[int, list] = {order.pk: [] for order in checked}
    drugs_of: dict[int, list] = {order.pk: [] for order in checked}
    for model, grouped in ((ClaimLine, lines_of), (SecondaryClaimLine, secondary_of)):
        for line in model.objects.filter(order__in=wanted).order_by("order_id", "position"):
            grouped.get(line.order_id, []).append(line)
    drugs = OrderDrug.objects.filter(order__in=wanted).only(*DRUG_FIELDS)
    for drug in drugs:
        drugs_of.get(drug.order_id, []).append(drug)
    for order in checked:
        if not order.secondary_profile_id:
            secondary_of[order.pk] = []
    return _problems(checked, lines_of, secondary_of, drugs_of)


def _problems(
    orders: list[Order],
    lines_of: dict[int, list[ClaimLine]],
    secondary_of: dict[int, list[SecondaryClaimLine]],
    drugs_of: dict[int, list[OrderDrug]],
) -> dict[int, list[str]]:
    reference = load_reference(
        line for lines in (*lines_of.values(), *secondary_of.values()) for line in lines
    )
    overlaps = overlapping_per_diem(orders)
    return {
        order.pk: order_problems(order, lines_of[order.pk], drugs_of[order.pk], reference)
        + secondary_problems(order, secondary_of[order.pk], drugs_of[order.pk], reference)
        + overlaps.get(order.pk, [])
        for order in orders
    }


def order_problems(
    order: Order, lines: list[ClaimLine], drugs: list[OrderDrug], reference: Reference
) -> list[str]:
    """Return why this order's claim cannot go out yet."""
    problems: list[str] = []
    if order.status != Order.Status.VERIFIED:
        problems.append(f"the order is {order.get_status_display().lower()}, not verified")
    problems.extend(_claim_detail_problems(order))
    codes = {line.code for line in lines}
    if "S9325" in codes and codes & SPECIFIC_PER_DIEMS:
        problems.append("S9325 is billed beside S9326-S9328, which it must never be")
    drugs_by_position = {drug.position: drug for drug in drugs}
    for line in lines:
        label = f"line {line.position + 1} ({line.code})"
        problems.extend(_code_problems(line, label, reference))
        if line.kind == "drug":
            problems.extend(_drug_line_problems(line, label, drugs_by_position, reference))
        if line.charge is None:
            problems.append(f"{label}: no price in the {order.policy.get('name')} price list")
    problems.extend(_authorization_problems(order, lines))
    if order.policy.get("kind") == PolicyKind.MEDICARE_DME:
        problems.extend(medicare_dme_problems(order, lines, reference))
    return problems


def secondary_problems(
    order: Order, lines: list[SavedLine], drugs: list[OrderDrug], reference: Reference
) -> list[str]:
    """Return why the secondary claim (the secondary profile's lines) cannot go out yet."""
    problems: list[str] = []
    if not lines:
        return problems
    missing = [
        label
        for label, value in (
            ("secondary payer", order.secondary_payer_id),
            ("secondary member ID", order.secondary_member_id),
        )
        if not value
    ]
    if missing:
        problems.append(f"secondary claim details missing: {', '.join(missing)}")
    drugs_by_position = {drug.position: drug for drug in drugs}
    name = order.secondary_policy.get("name")
    for line in lines:
        label = f"secondary line {line.position + 1} ({line.code})"
        problems.extend(_code_problems(line, label, reference))
        if line.kind == "drug":
            problems.extend(_drug_line_problems(line, label, drugs_by_position, reference))
        if line.charge is None:
            problems.append(f"{label}: no price in the {name} price list")
    return problems


COVERAGE_MODIFIERS = frozenset(CoverageModifier)


def medicare_dme_problems(order: Order, lines: list[SavedLine], reference: Reference) -> list[str]:
    """Return why a Medicare DME claim must be held (SPEC 11): a drug line without its coverage
    modifier, a pump-drug line with no pump line in its month, JZ or JW required and absent, an
    S-code (Medicare pays no per diem)."""
    problems: list[str] = []
    jz_from = _policy_date(order.policy.get("jz_from"))
    pumps = [line for line in lines if line.code in PUMP_CODES]
    for line in lines:
        label = f"line {line.position + 1} ({line.code})"
        modifiers = line.modifier_list
        if line.code.startswith("S"):
            problems.append(f"{label}: an S-code on a Medicare DME claim, which pays no per diem")
        if line.kind != "drug" or JW in modifiers:
            continue
        if not COVERAGE_MODIFIERS & set(modifiers):
            problems.append(f"{label}: the coverage modifier (KX, GA or GZ) is missing")
        if KD in modifiers and not any(_same_month(line, pump) for pump in pumps):
            problems.append(f"{label}: a pump-drug line (KD) with no pump line in the same month")
        product = reference.products.get(line.ndc)
        in_effect = jz_from is not None and line.start_date and line.start_date >= jz_from
        if product is not None and product.single_dose and in_effect:
            discarded = any(
                JW in other.modifier_list
                and other.drug_position == line.drug_position
                and other.start_date == line.start_date
                for other in lines
            )
            if JZ not in modifiers and not discarded:
                problems.append(
                    f"{label}: a single-dose container needs JZ (nothing discarded) or a JW "
                    "line for the amount discarded"
                )
    return problems


def _policy_date(text: object) -> date | None:
    return date.fromisoformat(text) if isinstance(text, str) and text else None


def _same_month(drug: SavedLine, pump: SavedLine) -> bool:
    """Return whether the pump line's rental month covers the drug line's span."""
    if drug.start_date is None or pump.start_date is None:
        return True
    return pump.start_date <= drug.start_date <= (pump.end_date or pump.start_date)


# The claim details a claim cannot go out without: label, Order field.
CLAIM_DETAILS: tuple[tuple[str, str], ...] = (
    ("payer", "payer_id"),
    ("member ID", "member_id"),
    ("patient last name", "patient_last_name"),
    ("patient first name", "patient_first_name"),
    ("patient birth date", "patient_birth_date"),
    ("patient sex", "patient_sex"),
    ("patient address", "patient_address"),
    ("patient city", "patient_city"),
    ("patient state", "patient_state"),
    ("patient ZIP", "patient_zip"),
    ("diagnosis code", "diagnosis_codes"),
)
# What the checks read of an order (`problems_by_order` on orders loaded with only these, the
# payer joined: no snapshot but the policies).
CHECKED_FIELDS: tuple[str, ...] = (
    "pk",
    "status",
    "therapy",
    "start_date",
    "end_date",
    "patient_id",
    "policy",
    "secondary_profile_id",
    "secondary_policy",
    "secondary_payer_id",
    "secondary_member_id",
    "authorization_number",
    "authorization_code",
    "authorization_units",
    "authorization_start",
    "authorization_end",
    *(field for _, field in CLAIM_DETAILS),
    "payer__name",
    "payer__active",
)


def claim_details_missing() -> Q:
    """Return the orders some claim detail is missing from (each held for it): in SQL what
    `_claim_detail_problems` finds in Python."""
    missing = Q()
    for _, field in CLAIM_DETAILS:
        column = Order._meta.get_field(field)
        missing |= Q(**{f"{field}__isnull": True}) if column.null else Q(**{field: ""})
    return missing


def _claim_detail_problems(order: Order) -> list[str]:
    missing = [label for label, field in CLAIM_DETAILS if not getattr(order, field)]
    problems = [f"claim details missing: {', '.join(missing)}"] if missing else []
    try:
        clean_diagnosis_list(order.diagnosis_list)
    except InvalidDiagnosis as error:
        problems.append(str(error))
    if order.payer_id and not order.payer.active:
        problems.append(f"the payer {order.payer.name} is inactive")
    return problems


def _covers(start: date | None, end: date | None, line: ClaimLine) -> bool:
    first, last = line.start_date, line.end_date or line.start_date
    if first is None:
        return True
    return (start is None or start <= first) and (end is None or last is None or last <= end)


def _code_problems(line: ClaimLine, label: str, reference: Reference) -> list[str]:
    code = reference.codes.get(line.code)
    if code is None:
        return [f"{label}: {line.code} is not in the HCPCS code list"]
    problem = code_date_problem(code.dates(), line.start_date, line.end_date)
    return [f"{label}: {problem}"] if problem else []


def _drug_line_problems(
    line: ClaimLine, label: str, drugs: dict[int, OrderDrug], reference: Reference
) -> list[str]:
    problems = []
    if not is_ndc11(line.ndc):
        problems.append(f"{label}: the NDC must be 11 digits, not {line.ndc or 'missing'}")
    else:
        product = reference.products.get(line.ndc)
        shown = format_ndc(line.ndc)
        if product is None:
            problems.append(f"{label}: NDC {shown} is not in the catalog")
        elif not product.active:
            problems.append(f"{label}: NDC {shown} is inactive in the catalog")
        elif not _covers(product.marketing_start, product.marketing_end, line):
            problems.append(f"{label}: NDC {shown} is not marketed on the dates of service")
    if line.ndc_unit not in NDC_UNITS or not line.ndc_quantity:
        problems.append(f"{label}: the NDC unit qualifier and quantity are required")
    if line.units < 1 or not line.work.endswith(f"{line.units} units"):
        # Units must come from the calculation, never a default of 1.
        problems.append(f"{label}: the units were not calculated from the order")
    drug = drugs.get(line.drug_position) if line.drug_position is not None else None
    if line.code == "J3490" and drug is not None:
        needed = [drug.name, drug.concentration, drug.rate]
        if not all(part and part in line.description for part in needed):
            problems.append(f"{label}: J3490 needs the drug's name, strength and dose")
    return problems


def _authorization_problems(order: Order, lines: list[ClaimLine]) -> list[str]:
    if not (order.authorization_number or order.authorization_units is not None):
        return []
    if not order.authorization_number:
        return ["the authorization has units but no number"]
    per_diem = next((line.code for line in lines if line.code in PER_DIEMS), "")
    code = order.authorization_code or per_diem
    authorized = [line for line in lines if line.code == code]
    problems = []
    units = sum(line.units for line in authorized)
    if order.authorization_units is not None and units > order.authorization_units:
        problems.append(
            f"{units} units of {code} exceed the {order.authorization_units} authorized "
            f"(authorization {order.authorization_number})"
        )
    start, end = order.authorization_start, order.authorization_end
    if any(not _covers(start, end, line) for line in authorized):
        problems.append(
            f"the dates of service fall outside authorization {order.authorization_number} "
            f"({start or '...'} to {end or '...'})"
        )
    return problems


# --- No overlapping per diem (issue 15 point 4) ----------------------------------------------


STATUS_LABELS = dict(Order.Status.choices)


@dataclass(frozen=True)
class _Other:
    """What the overlap check reads of another order (a row, not a model instance)."""

    pk: int
    patient_id: int
    therapy: str
    start_date: date
    end_date: date
    status: str


def overlapping_per_diem(orders: list[Order]) -> dict[int, list[str]]:
    """Return, for each order whose per-diem days overlap another verified or billed order of
    the same patient and therapy, a problem naming the other order (one query for all)."""
    patients = {order.patient_id for order in orders if order.patient_id is not None}
    if not patients:
        return {}
    others: dict[int, list[_Other]] = {}
    billed_or_verified = Order.objects.filter(
        patient_id__in=patients, status__in=[Order.Status.VERIFIED, Order.Status.BILLED]
    ).values_list("pk", "patient_id", "therapy", "start_date", "end_date", "status")
    for row in billed_or_verified.order_by("start_date", "pk"):
        other = _Other(*row)
        others.setdefault(other.patient_id, []).append(other)
    problems: dict[int, list[str]] = {}
    for order in orders:
        for other in others.get(order.patient_id, []):
            if (
                other.pk == order.pk
                or other.therapy != order.therapy
                or other.start_date > order.end_date
                or other.end_date < order.start_date
            ):
                continue
            first = max(order.start_date, other.start_date)
            last = min(order.end_date, other.end_date)
            days = (last - first).days + 1
            problems.setdefault(order.pk, []).append(
                f"{days} per-diem {'day' if days == 1 else 'days'} ({first} to {last}) overlap "
                f"order {other.pk} ({STATUS_LABELS[other.status].lower()}, {other.start_date} to "
                f"{other.end_date}) of the same patient and therapy"
            )
    return problems
