"""What a policy needs of a drug before its lines can be made: a valid NDC unit that
counts what the drug is dosed in, a package volume for containers, a descriptor unit for a
specific J-code."""

from __future__ import annotations

from calculator.domain.billing.policy import NDC_UNITS, UNLISTED_DRUG_CODE, BillingPolicy
from calculator.domain.dosing import (
    DoseResult,
)
from calculator.domain.errors import ErrorCollector
from calculator.domain.units import (
    ACTIVITY,
    MASS,
    VOLUME,
)

# What an NDC unit of measure counts, when it counts the drug rather than mL or containers.
_NDC_UNIT_DIMENSIONS = {"GR": MASS, "ME": MASS, "F2": ACTIVITY}
_DESCRIPTOR_DIMENSIONS = frozenset({MASS, ACTIVITY})


def validate_billing(results: tuple[DoseResult, ...], policy: BillingPolicy) -> None:
    """Raise InvalidOrder for drug fields the policy needs but the order lacks or contradicts."""
    errors: ErrorCollector | None = None
    specific_coding = policy.drug_coding == "specific"
    for result in results:
        drug = result.drug
        hcpcs = drug.hcpcs
        # bills_specific_code, written out: every drug of every calculation passes here.
        specific = specific_coding and bool(hcpcs) and hcpcs != UNLISTED_DRUG_CODE
        if not specific and drug.ndc_unit == "ML":
            continue  # an NDC counted in mL, billed on J3490: nothing more to check
        if errors is None:
            errors = ErrorCollector()
        _check_drug_billing(result, specific, errors)
    if errors is not None:
        errors.raise_if_any()


def _check_drug_billing(result: DoseResult, specific: bool, errors: ErrorCollector) -> None:
    """Add to `errors` what the drug's NDC unit, or its specific code, lacks."""
    drug, prefix = result.drug, f"drugs.{result.index}"
    ndc_unit = drug.ndc_unit
    if ndc_unit not in NDC_UNITS:
        errors.add(
            f"{prefix}.ndc_unit",
            f'"{ndc_unit}" is not an NDC unit; use one of {", ".join(NDC_UNITS)}',
        )
        return
    wanted = _NDC_UNIT_DIMENSIONS.get(ndc_unit)
    if wanted and result.dimension != wanted:
        errors.add(
            f"{prefix}.ndc_unit",
            f"NDC unit {ndc_unit} counts {NDC_UNITS[ndc_unit]}s, but this drug "
            f"is dosed in {result.dose_unit}",
        )
    if ndc_unit == "UN":
        if drug.package_volume is None:
            errors.add(
                f"{prefix}.package_volume",
                "NDC unit UN counts containers: give the package volume, e.g. 10 mL",
            )
        elif drug.package_volume.dimension != VOLUME:
            errors.add(f"{prefix}.package_volume", "the package volume must be in mL or L")
    if specific:
        unit = drug.hcpcs_unit
        if unit is None:
            errors.add(
                f"{prefix}.hcpcs_unit",
                f"{drug.hcpcs} needs its descriptor unit (e.g. 10 mg for J2270)",
            )
        elif unit.per or unit.dimension not in _DESCRIPTOR_DIMENSIONS:
            errors.add(f"{prefix}.hcpcs_unit", f'"{unit}" is not an amount such as 10 mg')
        elif unit.dimension != result.dimension:
            errors.add(
                f"{prefix}.hcpcs_unit",
                f'{drug.hcpcs} bills per "{unit}", but this drug is dosed in {result.dose_unit}',
            )


def bills_specific_code(hcpcs: str, policy: BillingPolicy) -> bool:
    return bool(hcpcs) and hcpcs != UNLISTED_DRUG_CODE and policy.drug_coding == "specific"
