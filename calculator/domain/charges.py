"""Charges from a profile's price list: units x unit price, to the cent; a line with
no price is flagged, never silently priced at zero. Pure: no Django."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
PriceList = Mapping[tuple[str, str], Decimal]


def unit_price_for(prices: PriceList, *, code: str, ndc: str = "") -> Decimal | None:
    """Return the price per unit of a line: the NDC's own price first, else the code's."""
    if ndc and (code, ndc) in prices:
        return prices[(code, ndc)]
    return prices.get((code, ""))


def line_charge(units: int, unit_price: Decimal) -> Decimal:
    """Return units x unit price, rounded half up to the cent (31 x 150 = 4650.00)."""
    return (unit_price * units).quantize(CENT, rounding=ROUND_HALF_UP)


def claim_total(charges: Iterable[Decimal | None]) -> Decimal | None:
    """Return the claim total, or None when any line is unpriced (a total would understate it)."""
    total = Decimal("0.00")
    for charge in charges:
        if charge is None:
            return None
        total += charge
    return total.quantize(CENT)
