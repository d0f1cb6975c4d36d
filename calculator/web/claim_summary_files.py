"""The billing clerk's claim summary files: its PDF (the print page's template) and its CSV.

Everything here reads the saved snapshot (ClaimLine rows); nothing is recomputed, so a summary
printed today and one printed after a catalog or profile change show the same lines.
"""

from __future__ import annotations

import datetime
import functools
import mimetypes
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils.text import slugify

from calculator.models import BillingProfile, Order

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
    return html_to_pdf(render_to_string(PDF_TEMPLATE, context), base_url=base_url)


def html_to_pdf(html: str, *, base_url: str) -> bytes:
    """Return a page's HTML as PDF bytes, its stylesheets read from disk (never fetched)."""
    from weasyprint import HTML

    fetcher = _static_fetcher_class()()
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()
