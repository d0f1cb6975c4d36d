"""The dispensing prints of a saved order (SPEC 10.6): the compounding worksheet (one page) and
the labels (one per reservoir, on a 4 x 2 inch roll or on an A4 or Letter sheet), as print pages
and PDFs from the same templates. Read from the order's snapshot (OrderDispensing), never
recomputed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from calculator.models import BillingProvider, Order, OrderDispensing, OrderDrug

TEMPLATE = "calculator/dispensing_print.html"
# The label stock: a roll of 4 x 2 inch labels (one label a page), or sheets of them.
SHEETS = {"roll": "4 x 2 inch label roll", "a4": "A4 sheet", "letter": "Letter sheet"}
PAGE_SIZES = {"roll": "4in 2in", "a4": "A4", "letter": "letter"}


@dataclass(frozen=True)
class Label:
    """One reservoir's label; `rates` are a titrated drug's rates over its days (empty at one
    rate: the plan's rate)."""

    drug: OrderDrug
    dispensing: OrderDispensing
    reservoir: dict[str, Any]
    count: int  # reservoirs of this drug
    rates: list[dict[str, Any]]


@dataclass(frozen=True)
class WorksheetRow:
    """One reservoir on the worksheet: its compounding line (when compounded) and its rates."""

    reservoir: dict[str, Any]
    line: dict[str, Any] | None
    rates: list[dict[str, Any]]


@dataclass(frozen=True)
class WorksheetDrug:
    drug: OrderDrug
    dispensing: OrderDispensing
    plan: dict[str, Any]
    rows: list[WorksheetRow]


def reservoir_rates(plan: dict[str, Any], reservoir: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the rates (the plan's `rates` entries) a titrated drug runs at over a reservoir's
    days: the one running on its first day and each change up to its last day. Empty for a drug
    at one rate (plans saved before the rates, too)."""
    rates = plan.get("rates") or []
    first, last = str(reservoir["from"]), str(reservoir["to"])
    return [
        rate
        for number, rate in enumerate(rates)
        if rate["from"] <= last and (number + 1 == len(rates) or rates[number + 1]["from"] > first)
    ]


def dispensed_drugs(order: Order) -> list[OrderDrug]:
    """Return the order's drugs with their saved dispensing plans (those saved with one)."""
    drugs = order.drugs.select_related("dispensing", "product")
    return [drug for drug in drugs if _dispensing(drug) is not None]


def labels(drugs: list[OrderDrug]) -> list[Label]:
    """Return a label for each reservoir of each drug, in order."""
    found = []
    for drug in drugs:
        dispensing = _dispensing(drug)
        assert dispensing is not None
        reservoirs = dispensing.reservoirs
        found.extend(
            Label(drug, dispensing, each, len(reservoirs), reservoir_rates(dispensing.plan, each))
            for each in reservoirs
        )
    return found


def worksheet_drugs(drugs: list[OrderDrug]) -> list[WorksheetDrug]:
    """Return each drug's worksheet rows: a reservoir, its compounding line and its rates."""
    found = []
    for drug in drugs:
        dispensing = _dispensing(drug)
        assert dispensing is not None
        plan = dispensing.plan
        lines = {line["reservoir"]: line for line in (plan.get("worksheet") or {}).get("lines", [])}
        rows = [
            WorksheetRow(each, lines.get(each["number"]), reservoir_rates(plan, each))
            for each in plan.get("reservoirs", [])
        ]
        found.append(WorksheetDrug(drug, dispensing, plan, rows))
    return found


def print_context(order: Order, *, kind: str, sheet: str, interactive: bool) -> dict[str, Any]:
    """Return what the worksheet or the labels template shows."""
    drugs = dispensed_drugs(order)
    return {
        "order": order,
        "kind": kind,
        "drugs": drugs,
        "labels": labels(drugs) if kind == "labels" else [],
        "worksheet_drugs": worksheet_drugs(drugs) if kind == "worksheet" else [],
        "sheet": sheet,
        "sheets": SHEETS,
        "page_size": PAGE_SIZES[sheet] if kind == "labels" else "letter",
        "pharmacy": BillingProvider.objects.order_by("pk").first(),
        "interactive": interactive,
    }


def filename(order: Order, kind: str, sheet: str) -> str:
    """Return a download name such as order-12-labels-roll.pdf."""
    return f"order-{order.pk}-{kind}{f'-{sheet}' if kind == 'labels' else ''}.pdf"


def _dispensing(drug: OrderDrug) -> OrderDispensing | None:
    try:
        return drug.dispensing
    except OrderDispensing.DoesNotExist:
        return None
