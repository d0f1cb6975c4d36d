"""Exact decimals: one division at the end of each calculation, values tidied of trailing zeros,
and values shown as a pharmacist reads them (exact, or rounded and marked "~")."""

from __future__ import annotations

from decimal import Context, Decimal

from calculator.domain.units import EXACT_CONTEXT, format_decimal

# Display: values that do not end within this many places are shown rounded, marked "~".
DISPLAY_PLACES = 6
_ONE = Decimal(1)
_divide = EXACT_CONTEXT.divide


def exact_divide(numerator: Decimal, denominator: Decimal) -> Decimal:
    """Return numerator / denominator, exact whenever the quotient terminates (24/5 -> 4.8)."""
    # Tidied in the exact context too: in 28 digits, normalize would round the quotient and
    # quantize would fail on a whole number of more than 28 digits. (without_trailing_zeros,
    # written out: every result's values pass here.)
    quotient = _divide(numerator, denominator)
    if quotient == quotient.to_integral_value():
        return quotient.quantize(_ONE, None, EXACT_CONTEXT)
    return quotient.normalize(EXACT_CONTEXT)


def without_trailing_zeros(value: Decimal, *, context: Context | None = None) -> Decimal:
    """Return `value` without trailing zeros or an exponent (4.80 -> 4.8, 1.2E+2 -> 120), in
    `context` (by default the thread's, whose precision rounds a longer value)."""
    if value == value.to_integral_value():
        return value.quantize(_ONE, None, context)
    return value.normalize(context)


def readable(value: Decimal) -> str:
    """Return a value for display: exact when it ends within 6 places, else "~" and rounded."""
    text = format_decimal(value)
    if "." in text and len(text.split(".")[1]) > DISPLAY_PLACES:
        return "~" + format_decimal(value, DISPLAY_PLACES)
    return text
