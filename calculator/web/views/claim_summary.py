"""The billing clerk's claim summary: the page (printable), its PDF, its CSV and its .xlsx.

One filter form and one query feed all three; the page and the PDF show the same context (the
same orders, lines, totals and wording), the PDF drawn in the printed page's layout, so what is
printed, downloaded and exported never disagree. The page and the PDF hold at most
`max_orders()` orders; past that they say so and offer the CSV, which holds any number.
"""

from __future__ import annotations

import csv
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from calculator.models import AccessLog, BillingProfile, Order
from calculator.selectors.orders import claim_summary_orders
from calculator.web import claim_summary_files
from calculator.web.forms import (
    CrispyForm,
    IsoDateField,
    columns,
    filter_helper,
    submit_column,
)

PERMISSION = "calculator.view_claim_summary"
# The page and the PDF show at most this many orders; the CSV takes any number. The PDF draws
# about 7 ms an order here (docs/performance.md), so 1,000 orders stay well inside a worker's
# timeout, and the page stays under a second.
MAX_ORDERS_DEFAULT = 1000


def max_orders() -> int:
    return int(getattr(settings, "CLAIM_SUMMARY_MAX_ORDERS", MAX_ORDERS_DEFAULT))


class ClaimSummaryFilterForm(CrispyForm):
    """The summary's filters: an optional date range, profile (by name) and billed orders."""

    date_from = IsoDateField(
        required=False, label="Service from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = IsoDateField(
        required=False, label="Service to", widget=forms.DateInput(attrs={"type": "date"})
    )
    profile = forms.ModelChoiceField(
        queryset=BillingProfile.objects.all(),
        to_field_name="name",
        required=False,
        empty_label="Any profile",
    )
    include_billed = forms.BooleanField(required=False, label="Include billed orders")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = filter_helper(
            "summary-filters",
            *columns("col-6 col-md-3", "date_from", "date_to"),
            *columns("col-6 col-md-2", "profile", "include_billed"),
            submit_column("col-12 col-md-2", "Show"),
            action="calculator:claim-summary",
        )
        self.helper.attrs = {"novalidate": ""}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "the end of the range is before its start")
        return data

    def query(self) -> str:
        """Return the cleaned filters as a query string, for the download links and `next`."""
        data = self.cleaned_data
        params = {
            "date_from": data["date_from"].isoformat() if data["date_from"] else "",
            "date_to": data["date_to"].isoformat() if data["date_to"] else "",
            "profile": data["profile"].name if data["profile"] else "",
        }
        if data["include_billed"]:
            params["include_billed"] = "on"
        return urlencode({key: value for key, value in params.items() if value})


def _orders(filters: ClaimSummaryFilterForm) -> QuerySet[Order]:
    """Return every order the (valid) filters match, lines prefetched."""
    data = filters.cleaned_data
    return claim_summary_orders(
        date_from=data["date_from"],
        date_to=data["date_to"],
        profile=data["profile"],
        include_billed=data["include_billed"],
    )


def _summary(filters: ClaimSummaryFilterForm) -> dict[str, Any]:
    """Return the context shared by the page and the PDF (the filters must be valid): at most
    `max_orders()` orders, and how many the filters match."""
    data = filters.cleaned_data
    orders = _orders(filters)
    limit = max_orders()
    matched = orders.count()  # always: the same queries under and over the limit
    # summary_claims reads the lines itself, as plain rows: no prefetch of line models.
    claims = claim_summary_files.summary_claims(orders.prefetch_related(None)[:limit])
    query = filters.query()
    summary_url = reverse("calculator:claim-summary")
    return {
        "claims": claims,
        "orders": [claim.order for claim in claims],
        "matched": matched,
        "over_limit": matched > limit,
        "max_orders": limit,
        "line_count": sum(len(claim.lines) for claim in claims),
        "scope": claim_summary_files.summary_scope(
            date_from=data["date_from"],
            date_to=data["date_to"],
            profile=data["profile"],
            include_billed=data["include_billed"],
        ),
        "totals": claim_summary_files.summary_totals(claims),
        "query": query,
        "url": f"{summary_url}?{query}" if query else summary_url,
        "generated_at": timezone.localtime(),
    }


def _over_limit(summary: dict[str, Any]) -> str:
    return (
        f"These filters match {summary['matched']:,} orders and the page and the PDF hold at "
        f"most {summary['max_orders']:,}: narrow the dates or pick a profile, or download the "
        "CSV, which holds them all."
    )


def _counts(summary: dict[str, Any]) -> str:
    orders, lines = len(summary["claims"]), summary["line_count"]
    return (
        f"{orders} order{'' if orders == 1 else 's'}, "
        f"{lines} claim line{'' if lines == 1 else 's'}."
    )


def _filename(filters: ClaimSummaryFilterForm, extension: str) -> str:
    data = filters.cleaned_data
    return claim_summary_files.summary_filename(
        date_from=data["date_from"],
        date_to=data["date_to"],
        profile=data["profile"],
        extension=extension,
    )


def _invalid(request: HttpRequest, filters: ClaimSummaryFilterForm) -> HttpResponse:
    """Show the filters with their errors beside the fields (a download with bad filters too)."""
    status = 200 if request.resolver_match.url_name == "claim-summary" else 400
    return render(
        request,
        "calculator/claim_summary.html",
        {"filters": filters, "summary": None},
        status=status,
    )


@permission_required(PERMISSION, raise_exception=True)
@require_GET
def claim_summary(request: HttpRequest) -> HttpResponse:
    """Show the claim lines of the chosen orders as a clerk copies them onto a CMS-1500."""
    filters = ClaimSummaryFilterForm(request.GET)
    if not filters.is_valid():
        return _invalid(request, filters)
    summary = _summary(filters)
    AccessLog.record(request, AccessLog.Action.PRINT, summary["orders"])
    return render(
        request,
        "calculator/claim_summary.html",
        {
            "filters": filters,
            "summary": summary,
            "over_limit": _over_limit(summary) if summary["over_limit"] else "",
            "interactive": True,
        },
    )


@permission_required(PERMISSION, raise_exception=True)
@require_GET
def claim_summary_pdf(request: HttpRequest) -> HttpResponse:
    """Download the claim summary as a PDF in the printed page's layout (one order a sheet)."""
    filters = ClaimSummaryFilterForm(request.GET)
    if not filters.is_valid():
        return _invalid(request, filters)
    summary = _summary(filters)
    if summary["over_limit"]:
        messages.error(request, f"No PDF was made. {_over_limit(summary)}")
        return redirect(summary["url"])
    summary["scope"] += f" {_counts(summary)} Printed {summary['generated_at']:%m/%d/%Y %H:%M}."
    pdf = claim_summary_files.render_summary_pdf(summary)
    AccessLog.record(request, AccessLog.Action.PDF, summary["orders"])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(filters, "pdf")}"'
    return response


@permission_required(PERMISSION, raise_exception=True)
@require_GET
def claim_summary_csv(request: HttpRequest) -> HttpResponse:
    """Download the claim summary's lines as CSV, one row per saved claim line."""
    filters = ClaimSummaryFilterForm(request.GET)
    if not filters.is_valid():
        return _invalid(request, filters)
    orders = list(_orders(filters))
    AccessLog.record(request, AccessLog.Action.CSV, orders)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(filters, "csv")}"'
    csv.writer(response).writerows(claim_summary_files.summary_csv_rows(orders))
    return response


@permission_required(PERMISSION, raise_exception=True)
@require_GET
def claim_summary_xlsx(request: HttpRequest) -> HttpResponse:
    """Download the claim summary's lines as an .xlsx workbook, one sheet per profile."""
    filters = ClaimSummaryFilterForm(request.GET)
    if not filters.is_valid():
        return _invalid(request, filters)
    orders = list(_orders(filters))  # like the CSV: every matching order, no page limit
    AccessLog.record(request, AccessLog.Action.XLSX, orders)
    response = HttpResponse(
        claim_summary_files.summary_xlsx(orders),
        content_type=claim_summary_files.XLSX_CONTENT_TYPE,
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(filters, "xlsx")}"'
    return response
