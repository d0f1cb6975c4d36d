"""Field validators: catalog text must read as the quantity or NDC it stands for."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from calculator.domain import ndc, units


def _check(reader, value: str, **kwargs) -> None:
    if value:
        try:
            reader(value, **kwargs)
        except units.QuantityError as error:
            raise ValidationError(str(error)) from None


def validate_concentration(value: str) -> None:
    """Check the text reads as a concentration such as 25 mg/mL or 0.25 %."""
    _check(units.parse_concentration, value)


def validate_volume(value: str) -> None:
    """Check the text reads as a volume such as 10 mL."""
    _check(units.parse_amount, value, dimensions=(units.VOLUME,), example="10 mL")


def validate_dose_amount(value: str) -> None:
    """Check the text reads as an amount of drug such as 10 mg or 1000 units."""
    dimensions = (units.MASS, units.ACTIVITY, units.EQUIVALENT)
    _check(units.parse_amount, value, dimensions=dimensions, example="10 mg")


def validate_ndc11(value: str) -> None:
    if not ndc.is_ndc11(value):
        raise ValidationError(f'"{value}" is not an 11-digit NDC (5-4-2 without hyphens)')
