"""A payer's billing policy: the codes, modifiers and NDC units a claim uses, the
enumerated choices of a profile (coding, unit basis, rounding), and the shipped HMSA,
HMSA_CURRENT and STANDARD policies."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

UNLISTED_DRUG_CODE = "J3490"
NURSING_FIRST_VISIT = "99601"
NURSING_EXTRA_HOUR = "99602"
HOME = "12"

PER_DIEM_DESCRIPTIONS = {
    "S9325": "Home infusion therapy, pain management infusion, per diem",
    "S9326": "Home infusion therapy, continuous (24 hours or more) pain management infusion, "
    "per diem",
    "S9327": "Home infusion therapy, intermittent (less than 24 hours) pain management infusion, "
    "per diem",
    "S9328": "Home infusion therapy, implanted pump pain management infusion, per diem",
}
NURSING_DESCRIPTIONS = {
    NURSING_FIRST_VISIT: "Home infusion/specialty drug administration, per visit (up to 2 hours)",
    NURSING_EXTRA_HOUR: "Home infusion/specialty drug administration, each additional hour",
}
# Concurrent therapies: the second drug's per-diem line carries SH, the third and later SJ.
CONCURRENT_MODIFIERS = ("", "SH", "SJ")

# NDC unit of measure qualifiers (CMS-1500 box 24 shaded area, 837P CTP05-1).
NDC_UNITS = {
    "ML": "millilitre",
    "GR": "gram",
    "ME": "milligram",
    "UN": "unit (each container)",
    "F2": "international unit",
}


# The per-line code compares a policy's settings with their values (rounding == "up"): a StrEnum
# member equals its value, and the plain string skips the enum's attribute lookup (see
# docs/performance.md).


class PerDiemCoding(StrEnum):
    GENERIC = "generic"
    SPECIFIC = "specific"


class DrugCoding(StrEnum):
    SPECIFIC = "specific"
    UNLISTED = "unlisted"


class UnitBasis(StrEnum):
    ML = "ML"
    NDC = "NDC"


class Rounding(StrEnum):
    UP = "up"
    HALF_UP = "half_up"


class RoundingScope(StrEnum):
    TOTAL = "total"
    DAILY = "daily"


class NdcQuantityBasis(StrEnum):
    """What a drug line's NDC quantity counts: the amount administered (daily x days), or the
    amount dispensed (the reservoirs' fill volumes, priming included) as some payers ask."""

    ADMINISTERED = "administered"
    DISPENSED = "dispensed"


@dataclass(frozen=True)
class BillingPolicy:
    """How one payer wants the lines coded and rounded."""

    name: str = "custom"
    per_diem_coding: PerDiemCoding = PerDiemCoding.SPECIFIC
    drug_coding: DrugCoding = DrugCoding.SPECIFIC
    unlisted_unit_basis: UnitBasis = UnitBasis.ML
    rounding: Rounding = Rounding.UP
    rounding_scope: RoundingScope = RoundingScope.TOTAL
    month_lines: bool = False
    place_of_service: str = HOME
    ndc_quantity_decimals: int = 3
    ndc_quantity_basis: NdcQuantityBasis = NdcQuantityBasis.ADMINISTERED


HMSA = BillingPolicy(
    name="HMSA",
    per_diem_coding=PerDiemCoding.GENERIC,
    drug_coding=DrugCoding.UNLISTED,
    unlisted_unit_basis=UnitBasis.ML,
    rounding=Rounding.HALF_UP,
    rounding_scope=RoundingScope.TOTAL,
    month_lines=False,
)
# HMSA's article "Home Infusion Pain Management Therapy - Administrative Information" (rev. 2.5,
# 2021-02-18) says, since rev. 2.3 (2020-11-30): "Identify the drug administered using the
# specific HCPCS code when available. Use the unlisted HCPC code (J3490) and NDC number only when
# a specific HCPC code is not available." Its worked example (HMSA above) still bills J3490. The
# per diem stays S9325 as in the example: the article lists S9326-S9328 but says nothing of when
# to prefer them. Specific J-code units round up (a partial descriptor unit bills as a whole one,
# SPEC 4.3); the article's "rounded off" applies to the J3490 mL units it shows.
HMSA_CURRENT = BillingPolicy(
    name="HMSA_CURRENT",
    per_diem_coding=PerDiemCoding.GENERIC,
    drug_coding=DrugCoding.SPECIFIC,
    unlisted_unit_basis=UnitBasis.ML,
    rounding=Rounding.HALF_UP,
    rounding_scope=RoundingScope.TOTAL,
    month_lines=False,
)
STANDARD = BillingPolicy(
    name="STANDARD",
    per_diem_coding=PerDiemCoding.SPECIFIC,
    drug_coding=DrugCoding.SPECIFIC,
    rounding=Rounding.UP,
    rounding_scope=RoundingScope.TOTAL,
    month_lines=True,
)

# The policies the app ships; an order that names no profile is billed on the default.
SHIPPED_POLICIES = {policy.name: policy for policy in (HMSA, HMSA_CURRENT, STANDARD)}
DEFAULT_PROFILE = STANDARD.name

# How each choice of a profile reads in the admin.
UNIT_BASIS_LABELS = {UnitBasis.ML: "mL of solution", UnitBasis.NDC: "the NDC's unit of measure"}
ROUNDING_LABELS = {Rounding.UP: "up (ceiling)", Rounding.HALF_UP: "half up (rounded off)"}
ROUNDING_SCOPE_LABELS = {
    RoundingScope.TOTAL: "the line total",
    RoundingScope.DAILY: "each day, then x days",
}
NDC_QUANTITY_BASIS_LABELS = {
    NdcQuantityBasis.ADMINISTERED: "administered (daily amount x days)",
    NdcQuantityBasis.DISPENSED: "dispensed (the reservoirs' fills, priming included)",
}
