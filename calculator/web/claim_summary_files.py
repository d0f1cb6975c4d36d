"""The billing clerk's claim summary files: its PDF (the print page's template), its CSV and its
.xlsx workbook.

Everything here reads the saved snapshot (ClaimLine rows); nothing is recomputed, so a summary
printed today and one printed after a catalog or profile change show the same lines.
"""

from __future__ import annotations

import datetime
import functools
import io
import mimetypes
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils.text import slugify

from calculator.models import BillingProfile, ClaimLine, Order

PDF_TEMPLATE = "calculator/claim_summary_pdf.html"

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


# --- CSV --------------------------------------------------------------------------------------


def spreadsheet_safe(value: object) -> str:
    """Return the cell as text, with a leading ' when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


def summary_csv_rows(orders: Iterable[Order]) -> Iterator[list[str]]:
    """Yield the header, then one row per saved claim line of each order, in claim order."""
    yield list(CSV_HEADER)
    for order in orders:
        for line in order.lines.all():
            row: list[object] = [
                order.pk,
                order.patient_reference,
                order.profile.name,
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
            ]
            yield [spreadsheet_safe(cell) for cell in row]


# --- XLSX -------------------------------------------------------------------------------------

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT, DATE, INTEGER, MONEY = "@", "yyyy-mm-dd", "0", "0.00"

# Each column: its header, its cell format, and how to read it from (order, line). NDCs, codes,
# modifiers and the N4 quantity are text, so a spreadsheet keeps their leading zeros as typed.
XLSX_COLUMNS: tuple[tuple[str, str, Callable[[Order, ClaimLine], object]], ...] = (
    ("order", INTEGER, lambda order, line: order.pk),
    ("patient_reference", TEXT, lambda order, line: order.patient_reference),
    ("status", TEXT, lambda order, line: order.status),
    ("line", INTEGER, lambda order, line: line.position + 1),
    ("from", DATE, lambda order, line: line.start_date),
    ("to", DATE, lambda order, line: line.end_date),
    ("place_of_service", TEXT, lambda order, line: line.place_of_service),
    ("code", TEXT, lambda order, line: line.code),
    ("modifiers", TEXT, lambda order, line: line.modifiers),
    ("units", INTEGER, lambda order, line: line.units),
    ("ndc", TEXT, lambda order, line: line.ndc),
    ("ndc_unit", TEXT, lambda order, line: line.ndc_unit),
    ("ndc_quantity", TEXT, lambda order, line: line.ndc_quantity),
    ("supplemental", TEXT, lambda order, line: line.supplemental),
    ("description", TEXT, lambda order, line: line.description),
    ("unit_price", MONEY, lambda order, line: line.unit_price),
    ("charge", MONEY, lambda order, line: line.charge),
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
    the orders' order), a frozen header row, typed cells (text, dates, whole numbers, money
    with two decimals)."""
    from openpyxl import Workbook  # imported on use: pages never need it

    by_profile: dict[str, list[Order]] = {}
    for order in orders:
        by_profile.setdefault(order.profile.name, []).append(order)
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for profile_name, profile_orders in (by_profile or {"Claim summary": []}).items():
        sheet = workbook.create_sheet(sheet_name(profile_name, taken))
        taken.add(sheet.title)
        for column, (header, _, _) in enumerate(XLSX_COLUMNS, start=1):
            _write_cell(sheet, 1, column, header, TEXT)
        sheet.freeze_panes = "A2"
        row = 2
        for order in profile_orders:
            for line in order.lines.all():
                for column, (_, number_format, value_of) in enumerate(XLSX_COLUMNS, start=1):
                    _write_cell(sheet, row, column, value_of(order, line), number_format)
                row += 1
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# --- PDF --------------------------------------------------------------------------------------


def _static_file(name: str) -> Path | None:
    """Return the file on disk behind a static name (source folders first, then STATIC_ROOT)."""
    try:
        found = finders.find(name)
    except SuspiciousFileOperation:
        return None
    if found:
        return Path(found)
    # With the manifest storage, {% static %} names the hashed copy, which only the collected
    # STATIC_ROOT holds.
    try:
        collected = Path(staticfiles_storage.path(name))
    except (NotImplementedError, SuspiciousFileOperation):
        return None
    return collected if collected.is_file() else None


@functools.cache
def _static_fetcher_class() -> type:
    # Imported on first use: WeasyPrint loads pango and friends, which pages never need.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesFetcher(URLFetcher):
        """Serve /static/ URLs from disk through the staticfiles finders; refuse everything else.

        The PDF never makes a network request, not even to this server.
        """

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            static_path = urlsplit(settings.STATIC_URL).path
            path = unquote(urlsplit(url).path)
            if not static_path or not path.startswith(static_path):
                raise ValueError(f"the claim summary PDF loads only static files, not {url}")
            found = _static_file(path[len(static_path) :])
            if found is None:
                raise ValueError(f"no static file at {url}")
            content_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                url, body=found.read_bytes(), headers={"Content-Type": content_type}
            )

    return StaticFilesFetcher


def render_summary_pdf(
    context: dict[str, Any], *, base_url: str = "http://claim-summary.invalid/"
) -> bytes:
    """Return the claim summary as PDF bytes, from the same body partial as the printed page.

    `base_url` only resolves relative links; stylesheets are read from disk, never fetched.
    """
    from weasyprint import HTML

    html = render_to_string(PDF_TEMPLATE, context)
    fetcher = _static_fetcher_class()()
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()
