"""Safety checks at order entry.

Published infusion-error studies name concentration and mg/mcg mix-ups as the common harms, so:
a concentration that differs from the product's label needs an explicit compounded/diluted mark;
a daily dose outside the product's typical range, or above its maximum, is a warning the
pharmacist must acknowledge, and a factor-of-1000 slip is named as such; morphine and
hydromorphone, a look-alike high-alert pair, are flagged when the dose fits the other drug better.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from calculator.domain.decimals import readable
from calculator.domain.dosing import (
    DoseResult,
    concentration_per_ml,
)
from calculator.domain.units import MASS, QuantityError, factor, parse_amount, parse_concentration

# High-alert look-alike pairs: a name fragment and its partner's.
LOOKALIKES = {"hydromorphone": "morphine", "morphine": "hydromorphone"}


@dataclass(frozen=True)
class DoseLimits:
    """What the catalog says is usual for a product, in canonical units (mg, units, mEq)."""

    name: str
    typical_low: Decimal | None = None
    typical_high: Decimal | None = None
    maximum: Decimal | None = None
    unit: str = "mg"


@dataclass(frozen=True)
class SafetyWarning:
    """A warning shown at entry; `id` is what an acknowledgement refers to."""

    field: str
    kind: str
    message: str
    needs_ack: bool = True

    @property
    def id(self) -> str:
        return f"{self.field}:{self.kind}"

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "field": self.field,
            "kind": self.kind,
            "message": self.message,
            "needs_ack": self.needs_ack,
        }


# The catalog's few texts come back with every calculation: each is read once per process (the
# functions below are pure functions of their text; their answers are immutable).
TEXTS_REMEMBERED = 4096


@lru_cache(maxsize=TEXTS_REMEMBERED)
def dose_text_to_canonical(text: str) -> Decimal | None:
    """Return a catalog dose ("300 mg", "2400 mcg") in its canonical unit, or None if blank."""
    if not text:
        return None
    try:
        measure = parse_amount(text, dimensions=(MASS, "activity", "equivalent"), example="10 mg")
    except QuantityError:
        return None
    return measure.value * factor(measure.numerator)


@lru_cache(maxsize=TEXTS_REMEMBERED)
def limits_from_catalog(name: str, low: str, high: str, maximum: str) -> DoseLimits:
    """Return DoseLimits from the catalog's text fields ("10 mg", "300 mg", "1000 mg")."""
    return DoseLimits(
        name=name,
        typical_low=dose_text_to_canonical(low),
        typical_high=dose_text_to_canonical(high),
        maximum=dose_text_to_canonical(maximum),
    )


@lru_cache(maxsize=TEXTS_REMEMBERED)
def concentration_differs(*, entered: str, labelled: str) -> bool:
    """Return True when two concentrations are not the same per mL (25 mg/mL vs 500 mg in 20 mL
    are the same)."""
    try:
        a = parse_concentration(entered)
        b = parse_concentration(labelled)
    except QuantityError:
        return entered.strip() != labelled.strip()
    from calculator.domain.dosing import (
        DrugInput,
    )

    def per_ml(measure):
        drug = DrugInput(rate=measure, concentration=measure)
        value, unit = concentration_per_ml(drug)
        return value * factor({"units": "unit"}.get(unit, unit))

    return per_ml(a) != per_ml(b)


def dose_warnings(
    result: DoseResult, limits: DoseLimits, partner: DoseLimits | None = None
) -> list[SafetyWarning]:
    """Return the dose-range, mg/mcg-slip and look-alike warnings for one drug's daily dose."""
    field = f"drugs.{result.index}"
    daily = result.daily_dose
    shown = f"{readable(result.in_dose_unit(daily))} {result.dose_unit}/day"
    warnings: list[SafetyWarning] = []
    low, high, maximum = limits.typical_low, limits.typical_high, limits.maximum

    def in_range(value: Decimal, lim: DoseLimits) -> bool:
        return (lim.typical_low is None or value >= lim.typical_low) and (
            lim.typical_high is None or value <= lim.typical_high
        )

    def fmt(value: Decimal) -> str:
        return f"{readable(value / factor(_unit(result)))} {result.dose_unit}"

    out_of_range = not in_range(daily, limits)
    if out_of_range and (low is not None or high is not None):
        slip = ""
        for times, direction in ((Decimal(1000), "higher"), (Decimal("0.001"), "lower")):
            if in_range(daily / times, limits):
                slip = f" It is 1000 times {direction} than usual: check for a mg/mcg mix-up."
        bounds = (
            f"{fmt(low) if low is not None else '-'} to {fmt(high) if high is not None else '-'}"
        )
        warnings.append(
            SafetyWarning(
                field=field,
                kind="mg_mcg_slip" if slip else "dose_out_of_range",
                message=f"{limits.name}: {shown} is outside the typical range "
                f"({bounds} a day).{slip}",
            )
        )
    if maximum is not None and daily > maximum:
        warnings.append(
            SafetyWarning(
                field=field,
                kind="dose_above_maximum",
                message=f"{limits.name}: {shown} is above the maximum daily dose "
                f"of {fmt(maximum)}.",
            )
        )
    if partner is not None and out_of_range and in_range(daily, partner):
        warnings.append(
            SafetyWarning(
                field=field,
                kind="lookalike",
                message=f"{limits.name}: {shown} fits {partner.name} better than this drug. "
                f"Morphine and hydromorphone are a look-alike high-alert pair: check the product.",
            )
        )
    return warnings


def _unit(result: DoseResult) -> str:
    return {"units": "unit"}.get(result.dose_unit, result.dose_unit)


def lookalike_partner(name: str) -> str | None:
    """Return the look-alike partner's name fragment for a drug name, if it has one."""
    lowered = name.lower()
    if "hydromorphone" in lowered:
        return LOOKALIKES["hydromorphone"]
    if "morphine" in lowered:
        return LOOKALIKES["morphine"]
    return None
