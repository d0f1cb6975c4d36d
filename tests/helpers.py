"""What several test modules share: the repository root, the dosing builders that read an
order as the pharmacist types it, and readers of the pages' HTML. (Fixtures are in conftest.py.)"""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from calculator.domain.dosing import DrugInput, OrderInput, ServicePeriod, Therapy, compute
from calculator.domain.units import (
    MASS,
    VOLUME,
    parse_amount,
    parse_concentration,
    parse_rate,
    parse_weight,
)

ROOT = Path(__file__).resolve().parent.parent

# --- Dosing: orders read from text ------------------------------------------------------------


def drug(
    rate: str,
    concentration: str,
    *,
    weight: str | None = None,
    bolus: str | None = None,
    boluses_per_day: int = 0,
) -> DrugInput:
    """Return a DrugInput read from text, as the pharmacist types it."""
    return DrugInput(
        rate=parse_rate(rate),
        concentration=parse_concentration(concentration),
        weight=parse_weight(weight) if weight else None,
        bolus=parse_amount(bolus, dimensions=(MASS, VOLUME), example="1 mg") if bolus else None,
        boluses_per_day=boluses_per_day,
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
