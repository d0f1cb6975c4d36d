"""Where an exact quantity becomes billed units: `billing_units` (up, or half up "rounded
off"), the NDC quantity's places, and the shown work of rounding a line's total or each day."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from calculator.domain.billing.policy import Rounding, RoundingScope
from calculator.domain.decimals import exact_divide, readable
from calculator.domain.units import (
    EXACT_CONTEXT,
)

# Exact arithmetic, in 60 digits: see units.EXACT_CONTEXT.
_multiply = EXACT_CONTEXT.multiply
_divide = EXACT_CONTEXT.divide


def billing_units(quantity: Decimal, *, rounding: Rounding) -> int:
    """Return billed units for an exact quantity: `up` is the ceiling (CMS: 223.2 -> 224),
    `half_up` is "rounded off" (HMSA: 148.8 -> 149, 148.4 -> 148); never fewer than 1 (a
    service that was given is billed at least one unit)."""
    # to_integral_value rounds at any precision (quantize would refuse beyond 28 digits).
    units = int(quantity.to_integral_value(ROUND_CEILING if rounding == "up" else ROUND_HALF_UP))
    return units if units > 1 else 1  # max(1, units), a third faster


def ndc_quantity(value: Decimal, *, decimals: int = 3) -> Decimal:
    """Return an NDC quantity: half-up to `decimals` places, no trailing zeros (148.80 -> 148.8)."""
    places = _PLACES.get(decimals)
    if places is None:
        places = Decimal(1).scaleb(-decimals)
    rounded = value.quantize(places, ROUND_HALF_UP, EXACT_CONTEXT)
    # without_trailing_zeros(rounded, context=EXACT_CONTEXT), written out: every drug line.
    if rounded == rounded.to_integral_value():
        return rounded.quantize(_ONE, None, EXACT_CONTEXT)
    return rounded.normalize(EXACT_CONTEXT)


# The quantum of 0 to 6 places (3 -> 0.001); other places are worked out when asked for.
_PLACES = {decimals: Decimal(1).scaleb(-decimals) for decimals in range(7)}
_ONE = Decimal(1)


def round_for_line(
    *,
    daily: tuple[Decimal, Decimal],
    days: int,
    rounding: Rounding,
    scope: RoundingScope,
    total_text: str,
    daily_text: str,
    unit_text: str,
) -> str:
    """Return the work of a line's units: rounding either the line total or each day."""
    if scope == RoundingScope.DAILY:
        per_day = ratio_times(daily, 1)
        units_per_day = billing_units(per_day, rounding=rounding)
        units = units_per_day * days
        shown = f"{daily_text}{unit_text} = {readable(per_day)}" if unit_text else daily_text
        return f"{shown} -> {units_per_day} units/day x {days} days = {units} units"
    total = ratio_times(daily, days)
    units = billing_units(total, rounding=rounding)
    if unit_text:
        return f"{total_text}{unit_text} = {readable(total)} -> {units} units"
    return f"{total_text} -> {units} units"


def divided(ratio: tuple[Decimal, Decimal], by: Decimal) -> tuple[Decimal, Decimal]:
    return ratio[0], _multiply(ratio[1], by)


def times(ratio: tuple[Decimal, Decimal], days: int) -> Decimal:
    """Return ratio x days, one exact division, untidied (it is rounded next)."""
    return _divide(_multiply(ratio[0], days), ratio[1])


def ratio_times(ratio: tuple[Decimal, Decimal], days: int) -> Decimal:
    """Return ratio x days, one exact division, tidied for display (4.80 -> 4.8)."""
    return exact_divide(_multiply(ratio[0], days), ratio[1])
