"""The billing reports page (clerks, administrators; `calculator.view_reports`): totals, charges
by month as a server-drawn SVG chart with its table, by payer and by drug (sortable tables), held
claims by reason (each linking to the review queue filtered on it) and the age of unbilled
verified orders. Thin: the form, then selectors.reports and the review queue's verdict."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from calculator.domain.reports import CHART_SERIES, bar_chart, range_problem
from calculator.models import BillingProfile, Payer
from calculator.selectors import reports, scrubber
from calculator.services import claim_verdicts
from calculator.web.forms import (
    CrispyForm,
    IsoDateField,
    columns,
    filter_helper,
    submit_column,
)

PERMISSION = "calculator.view_reports"
DEFAULT_MONTHS = 12  # with no dates given: the last twelve months, this one included


class ReportFilterForm(CrispyForm):
    """The report's filters: a date range (of service), a profile and a payer, all optional."""

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
    payer = forms.ModelChoiceField(
        queryset=Payer.objects.all(), to_field_name="name", required=False, empty_label="Any payer"
    )

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.helper = filter_helper(
            "report-filters",
            *columns("col-6 col-md-3", "date_from", "date_to"),
            *columns("col-6 col-md-2", "profile", "payer"),
            submit_column("col-12 col-md-2", "Show"),
            action="calculator:reports",
        )
        self.helper.attrs = {"novalidate": ""}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        date_from, date_to = data.get("date_from"), data.get("date_to")
        problem = range_problem(date_from, date_to)
        if problem:
            self.add_error("date_to", problem)
            return data
        if "date_from" in data and "date_to" in data:
            data["date_to"] = date_to or max(self.today, date_from or self.today)
            data["date_from"] = date_from or _months_back(data["date_to"], DEFAULT_MONTHS - 1)
        return data


def _months_back(day: datetime.date, months: int) -> datetime.date:
    """Return the first day of the month `months` before `day`'s."""
    index = day.year * 12 + day.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


# --- Sortable tables (links, no script) ----------------------------------------------------------


def _sorted(rows: list[dict], query: QueryDict, param: str, labels: dict[str, str]) -> dict:
    """Sort `rows` by the column the query names (`param`: "charges" or "-charges"; default
    charges, largest first) and return them with their headers' links and aria-sort."""
    wanted = query.get(param, "-charges")
    key = wanted.removeprefix("-")
    if key not in labels:
        wanted, key = "-charges", "charges"
    descending = wanted.startswith("-")
    text_columns = {"payer", "drug", "ndc", "code"}

    def sort_key(row: dict) -> tuple:
        value = row[key]
        if key in text_columns:
            return (value is None, (value or "").lower())
        return (value is None, value or 0)

    rows = sorted(rows, key=sort_key, reverse=descending)
    headers = []
    for column, label in labels.items():
        current = column == key
        # A click on the sorted column turns it round; on another, text A-Z, numbers largest first.
        if current:
            target = column if descending else f"-{column}"
        else:
            target = column if column in text_columns else f"-{column}"
        link = query.copy()
        link[param] = target
        headers.append(
            {
                "label": label,
                "url": f"?{link.urlencode()}",
                "aria_sort": ("descending" if descending else "ascending") if current else "",
                "numeric": column not in text_columns,
            }
        )
    for row in rows:
        row["cells"] = [
            {"value": _shown(row[column]), "numeric": column not in text_columns}
            for column in labels
        ]
    return {"rows": rows, "headers": headers}


def _shown(value: object) -> object:
    return "(none yet)" if value is None or value == "" else value


PAYER_COLUMNS = {
    "payer": "Payer",
    "orders": "Orders",
    "lines": "Lines",
    "units": "Units",
    "charges": "Charges",
}
DRUG_COLUMNS = {
    "drug": "Drug",
    "ndc": "NDC",
    "code": "Code",
    "orders": "Orders",
    "units": "Units",
    "charges": "Charges",
}


def _held_by_reason(held: reports.HeldByReason) -> list[dict]:
    return [
        {"key": key, "label": scrubber.REASON_LABELS[key], "claims": count}
        for key, count in held.by_kind
    ]


@permission_required(PERMISSION, raise_exception=True)
@require_GET
def reports_page(request: HttpRequest) -> HttpResponse:
    """Show the billing reports for the chosen range, profile and payer."""
    today = timezone.localdate()
    filters = ReportFilterForm(request.GET, today=today)
    if not filters.is_valid():
        return render(request, "calculator/reports.html", {"filters": filters, "report": None})
    data = filters.cleaned_data
    orders = reports.report_orders(
        date_from=data["date_from"],
        date_to=data["date_to"],
        profile=data["profile"],
        payer=data["payer"],
    )
    held = claim_verdicts.held(orders)
    held_by_reason = reports.held_by_reason(held)
    months = reports.charges_by_month(orders)
    month_rows = [(month.strftime("%b %Y"), values) for month, values in months]
    report = {
        "date_from": data["date_from"],
        "date_to": data["date_to"],
        "profile": data["profile"],
        "payer": data["payer"],
        "totals": reports.totals(orders),
        "months": month_rows,
        "series": CHART_SERIES,
        "chart": bar_chart(month_rows) if month_rows else None,
        "payers": _sorted(reports.by_payer(orders), request.GET, "payer_sort", PAYER_COLUMNS),
        "drugs": _sorted(reports.by_drug(orders), request.GET, "drug_sort", DRUG_COLUMNS),
        "held": _held_by_reason(held_by_reason),
        "held_count": held_by_reason.claims,
        "ages": reports.unbilled_ages(orders, today),
        "today": today,
    }
    return render(request, "calculator/reports.html", {"filters": filters, "report": report})
