"""The billing clerk's claim summary: each order with its lines and claim total (what the page
and the PDF show), the PDF, the CSV and the .xlsx workbook.

Everything here reads the saved snapshot (ClaimLine rows); nothing is recomputed, so a summary
printed today and one printed after a catalog or profile change show the same lines.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from html import escape
from typing import Any, NamedTuple

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from calculator.domain.charges import claim_total
from calculator.models import BillingProfile, ClaimLine, Order
from calculator.models.orders import SavedLine, SecondaryClaimLine

CSV_HEADER = (
    "order",
    "patient_reference",
    "profile",
    "status",
    "line",
    "from",
    "to",
    "place_of_service",
    "code",
    "modifiers",
    "units",
    "ndc",
    "ndc_unit",
    "ndc_quantity",
    "supplemental",
    "description",
    "claim",
)

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def summary_filename(
    *,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
    profile: BillingProfile | None,
    extension: str,
) -> str:
    """Return a download name such as claim-summary-2026-01-01-to-2026-01-31.pdf."""
    parts = ["claim-summary"]
    if profile is not None and slugify(profile.name):
        parts.append(slugify(profile.name))
    if date_from is not None:
        parts.append(date_from.isoformat())
    if date_to is not None:
        parts.extend(["to", date_to.isoformat()])
    return f"{'-'.join(parts)}.{extension}"


def _date(value: datetime.date | None) -> str:
    return value.strftime("%m/%d/%Y") if value else ""


class SummaryLine(NamedTuple):
    """One saved claim line as box 24 shows it: the cells' text, on the page and in the PDF.
    `charge` is None when the line has no price."""

    number: str
    start: str
    end: str
    place_of_service: str
    code: str
    modifiers: str
    charge: str | None
    units: str
    description: str
    supplemental: str

    @classmethod
    def from_row(
        cls,
        position: int,
        start_date: datetime.date | None,
        end_date: datetime.date | None,
        place_of_service: str,
        code: str,
        modifiers: str,
        charge: Decimal | None,
        units: int,
        description: str,
        supplemental: str,
    ) -> SummaryLine:
        """Return the cells of a line read as `SUMMARY_LINE_COLUMNS[1:]` (no model made)."""
        return cls(
            str(position + 1),
            _date(start_date),
            _date(end_date),
            place_of_service,
            code,
            modifiers,
            None if charge is None else str(charge),
            str(units),
            description,
            supplemental,
        )


# The columns a summary line is read from, its order first: `SummaryLine.from_row` takes the
# others in this order.
SUMMARY_LINE_COLUMNS = (
    "order_id",
    "position",
    "start_date",
    "end_date",
    "place_of_service",
    "code",
    "modifiers",
    "charge",
    "units",
    "description",
    "supplemental",
)


class SummaryClaim(NamedTuple):
    """One order of the summary: its lines in claim order, their total (box 24F; None when a
    line has no price), its service period as shown and the links to it; and the secondary
    claim's lines and total when the order names a secondary profile (SPEC 11)."""

    order: Order
    lines: list[SummaryLine]
    total: Decimal | None
    service: str
    detail_url: str
    bill_url: str
    secondary_name: str = ""
    secondary_lines: tuple[SummaryLine, ...] = ()
    secondary_total: Decimal | None = None

    @property
    def rows(self) -> SafeString:
        return line_rows_html(self.lines)

    @property
    def secondary_rows(self) -> SafeString:
        return line_rows_html(self.secondary_lines)


# Box 24's rows of one claim on the page, as `_summary_claim_lines.html` lays them out around
# them. Written here rather than as a template loop: a month's summary is thousands of rows, and
# the template engine spent most of the page's time on them (docs/performance.md).
_SUPPLEMENTAL_ROW = '<tr class="ndc-line"><td></td><td colspan="8">{}</td></tr>'
_LINE_ROW = (
    '<tr class="claim-line" data-code="{code}">'
    '<td class="num">{number}</td>'
    '<td class="from">{start}</td>'
    '<td class="to">{end}</td>'
    '<td class="pos">{place_of_service}</td>'
    '<td class="code">{code}</td>'
    '<td class="modifiers">{modifiers}</td>'
    '<td class="num charge">{charge}</td>'
    '<td class="num units">{units}</td>'
    '<td class="description">{description}</td>'
    "</tr>"
)
_NO_PRICE = mark_safe('<span class="text-danger">no price</span>')


def line_rows_html(lines: Iterable[SummaryLine]) -> SafeString:
    """Return the table rows of a claim's lines: the shaded NDC line above each drug line.
    Every cell is escaped (`html.escape`, what Django's `escape` does, without its lazy-string
    wrapper that cost more than the rest of the row)."""
    rows = []
    for line in lines:
        if line.supplemental:
            rows.append(_SUPPLEMENTAL_ROW.format(escape(line.supplemental)))
        cells = {name: escape(value) for name, value in line._asdict().items() if value}
        rows.append(
            _LINE_ROW.format(**{**_EMPTY_CELLS, **cells, "charge": cells.get("charge", _NO_PRICE)})
        )
    return mark_safe("".join(rows))


_EMPTY_CELLS = dict.fromkeys(SummaryLine._fields, "")


def _order_url(name: str) -> Callable[[int], str]:
    """Return a function of an order's number giving its URL: reversed once, not per order."""
    marker = 987654321
    pattern = reverse(name, args=[marker])
    head, tail = pattern.split(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


def _lines_by_order(model: type[SavedLine], order_ids: list[int]) -> dict[int, list[tuple]]:
    """Return the saved lines of the orders as rows of `SUMMARY_LINE_COLUMNS`, by order, in
    claim order: one query, and no model instance per line (a month is thousands of lines)."""
    rows: dict[int, list[tuple]] = {pk: [] for pk in order_ids}
    if order_ids:
        for row in (
            model.objects.filter(order_id__in=order_ids)
            .order_by("order_id", "position")
            .values_list(*SUMMARY_LINE_COLUMNS)
        ):
            rows[row[0]].append(row[1:])
    return rows


def _claim_total(rows: list[tuple]) -> Decimal | None:
    charge = SUMMARY_LINE_COLUMNS.index("charge") - 1
    return claim_total(row[charge] for row in rows)


def summary_claims(orders: Iterable[Order]) -> list[SummaryClaim]:
    """Return each order with its lines' cells and claim total: two queries for the lines of
    all the orders (primary and secondary), whatever their number."""
    detail_url = _order_url("calculator:order-detail")
    bill_url = _order_url("calculator:order-bill")
    orders = list(orders)
    primary = _lines_by_order(ClaimLine, [order.pk for order in orders])
    secondary = _lines_by_order(
        SecondaryClaimLine, [order.pk for order in orders if order.secondary_profile_id]
    )
    claims = []
    for order in orders:
        lines = primary[order.pk]
        secondary_lines = secondary.get(order.pk, [])
        days = f"{order.days} day{'' if order.days == 1 else 's'}"
        claims.append(
            SummaryClaim(
                order,
                [SummaryLine.from_row(*row) for row in lines],
                _claim_total(lines),
                f"{_date(order.start_date)} to {_date(order.end_date)} ({days})",
                detail_url(order.pk),
                bill_url(order.pk),
                order.secondary_profile.name if order.secondary_profile_id else "",
                tuple(SummaryLine.from_row(*row) for row in secondary_lines),
                _claim_total(secondary_lines),
            )
        )
    return claims


def summary_scope(
    *,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
    profile: BillingProfile | None,
    include_billed: bool,
) -> str:
    """Return what the summary covers, as the page and the PDF both say it."""
    if date_from and date_to:
        dates = f"{date_from:%m/%d/%Y} to {date_to:%m/%d/%Y}"
    elif date_from:
        dates = f"from {date_from:%m/%d/%Y}"
    elif date_to:
        dates = f"up to {date_to:%m/%d/%Y}"
    else:
        dates = "on any dates"
    statuses = "verified and billed orders" if include_billed else "verified orders"
    return f"Service {dates}; profile {profile.name if profile else 'any'}; {statuses}."


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def summary_totals(claims: list[SummaryClaim]) -> str:
    """Return the summary's last line: lines, orders and their charges (box 24F)."""
    lines = sum(len(claim.lines) for claim in claims)
    charges = claim_total(claim.total for claim in claims)
    money = "incomplete (a line has no price)" if charges is None else str(charges)
    return (
        f"Total: {_plural(lines, 'claim line')} on {_plural(len(claims), 'order')}; "
        f"charges {money}."
    )


# --- CSV --------------------------------------------------------------------------------------


def spreadsheet_safe(value: object) -> str:
    """Return the cell as text, with a leading ' when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


class ClaimRow(NamedTuple):
    """One saved line of an export, with the claim it is on: the order's primary claim (its
    profile) or, for an order with a secondary profile, the secondary claim (SPEC 11)."""

    order: Order
    profile: str
    claim: str  # PRIMARY or SECONDARY
    line: SavedLine


PRIMARY, SECONDARY = "primary", "secondary"


def claim_rows(orders: Iterable[Order]) -> Iterator[ClaimRow]:
    """Yield each order's primary lines, then its secondary claim's lines, in claim order
    (lines and secondary lines prefetched)."""
    for order in orders:
        for line in order.lines.all():
            yield ClaimRow(order, order.profile.name, PRIMARY, line)
        if order.secondary_profile_id:
            for line in order.secondary_lines.all():
                yield ClaimRow(order, order.secondary_profile.name, SECONDARY, line)


def summary_csv_rows(orders: Iterable[Order]) -> Iterator[list[str]]:
    """Yield the header, then one row per saved claim line of each order, in claim order."""
    yield list(CSV_HEADER)
    for order, profile, claim, line in claim_rows(orders):
        row: list[object] = [
            order.pk,
            order.patient_reference,
            profile,
            order.status,
            line.position + 1,
            line.start_date.isoformat() if line.start_date else "",
            line.end_date.isoformat() if line.end_date else "",
            line.place_of_service,
            line.code,
            line.modifiers,
            line.units,
            line.ndc,
            line.ndc_unit,
            line.ndc_quantity,
            line.supplemental,
            line.description,
            claim,
        ]
        yield [spreadsheet_safe(cell) for cell in row]


# --- XLSX -------------------------------------------------------------------------------------

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT, DATE, INTEGER, MONEY = "@", "yyyy-mm-dd", "0", "0.00"

# Each column: its header, its cell format, and how to read it from a ClaimRow. NDCs, codes,
# modifiers and the N4 quantity are text, so a spreadsheet keeps their leading zeros as typed.
XLSX_COLUMNS: tuple[tuple[str, str, Callable[[ClaimRow], object]], ...] = (
    ("order", INTEGER, lambda row: row.order.pk),
    ("patient_reference", TEXT, lambda row: row.order.patient_reference),
    ("status", TEXT, lambda row: row.order.status),
    ("line", INTEGER, lambda row: row.line.position + 1),
    ("from", DATE, lambda row: row.line.start_date),
    ("to", DATE, lambda row: row.line.end_date),
    ("place_of_service", TEXT, lambda row: row.line.place_of_service),
    ("code", TEXT, lambda row: row.line.code),
    ("modifiers", TEXT, lambda row: row.line.modifiers),
    ("units", INTEGER, lambda row: row.line.units),
    ("ndc", TEXT, lambda row: row.line.ndc),
    ("ndc_unit", TEXT, lambda row: row.line.ndc_unit),
    ("ndc_quantity", TEXT, lambda row: row.line.ndc_quantity),
    ("supplemental", TEXT, lambda row: row.line.supplemental),
    ("description", TEXT, lambda row: row.line.description),
    ("unit_price", MONEY, lambda row: row.line.unit_price),
    ("charge", MONEY, lambda row: row.line.charge),
    ("claim", TEXT, lambda row: row.claim),
)
_SHEET_NAME_FORBIDDEN = str.maketrans({character: " " for character in "[]:*?/\\"})


def sheet_name(profile_name: str, taken: set[str]) -> str:
    """Return a worksheet name for the profile: at most 31 characters, none of []:*?/\\, and
    not one already taken (Excel's rules)."""
    base = " ".join(profile_name.translate(_SHEET_NAME_FORBIDDEN).split())[:31] or "Profile"
    name, number = base, 1
    while name.lower() in {other.lower() for other in taken}:
        number += 1
        suffix = f" ({number})"
        name = base[: 31 - len(suffix)] + suffix
    return name


def _write_cell(sheet: Any, row: int, column: int, value: object, number_format: str) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    if value is None:
        return
    if number_format == TEXT:
        cell.value = str(value)
        cell.data_type = "s"  # never a formula, whatever the text starts with
    cell.number_format = number_format


def summary_xlsx(orders: Iterable[Order]) -> bytes:
    """Return the summary's saved claim lines as an .xlsx workbook: one sheet per profile (in
    the orders' order; a secondary claim's lines on its own profile's sheet), a frozen header
    row, typed cells (text, dates, whole numbers, money with two decimals)."""
    from openpyxl import Workbook  # imported on use: pages never need it

    by_profile: dict[str, list[ClaimRow]] = {}
    for claim_row in claim_rows(orders):
        by_profile.setdefault(claim_row.profile, []).append(claim_row)
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for profile_name, profile_rows in (by_profile or {"Claim summary": []}).items():
        sheet = workbook.create_sheet(sheet_name(profile_name, taken))
        taken.add(sheet.title)
        for column, (header, _, _) in enumerate(XLSX_COLUMNS, start=1):
            _write_cell(sheet, 1, column, header, TEXT)
        sheet.freeze_panes = "A2"
        for row, claim_row in enumerate(profile_rows, start=2):
            for column, (_, number_format, value_of) in enumerate(XLSX_COLUMNS, start=1):
                _write_cell(sheet, row, column, value_of(claim_row), number_format)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# --- PDF --------------------------------------------------------------------------------------


def render_summary_pdf(summary: dict[str, Any]) -> bytes:
    """Return the claim summary as PDF bytes, drawn in the printed page's layout."""
    from calculator.web import claim_summary_pdf  # fpdf2 is loaded only when a PDF is asked

    return claim_summary_pdf.render(summary)
