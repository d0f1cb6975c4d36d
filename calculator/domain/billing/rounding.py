"""Where an exact quantity becomes billed units: `billing_units` (up, or half up "rounded
off"), the NDC quantity's places, and the shown work of rounding a line's total or each day."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from functools import cache

from calculator.domain.billing.policy import Rounding, RoundingScope
from calculator.domain.decimals import exact_divide, readable, without_trailing_zeros
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
    mode = ROUND_CEILING if rounding == "up" else ROUND_HALF_UP
    # to_integral_value rounds at any precision (quantize would refuse beyond 28 digits).
    return max(1, int(quantity.to_integral_value(mode)))


def ndc_quantity(value: Decimal, *, decimals: int = 3) -> Decimal:
    """Return an NDC quantity: half-up to `decimals` places, no trailing zeros (148.80 -> 148.8)."""
    rounded = value.quantize(_places(decimals), ROUND_HALF_UP, EXACT_CONTEXT)
    return without_trailing_zeros(rounded, context=EXACT_CONTEXT)


@cache
def _places(decimals: int) -> Decimal:
    """Return the quantum of `decimals` places (3 -> 0.001)."""
    return Decimal(1).scaleb(-decimals)


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
