"""The catalog an administrator keeps: HCPCS codes, drug products (by 11-digit NDC) and the
billing profiles (payer policies), each with its history."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from calculator.domain import billing, ndc
from calculator.models.validators import (
    validate_concentration,
    validate_dose_amount,
    validate_ndc11,
    validate_volume,
)


class HcpcsCode(models.Model):
    class Kind(models.TextChoices):
        PER_DIEM = "per_diem", "Per diem"
        DRUG = "drug", "Drug"
        UNLISTED = "unlisted", "Unlisted drug"
        NURSING = "nursing", "Nursing"

    code = models.CharField(max_length=5, unique=True)
    description = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    billing_unit = models.CharField(
        max_length=20,
        blank=True,
        validators=[validate_dose_amount],
        help_text='The descriptor unit of a drug code, e.g. "10 mg" for J2270.',
    )
    effective = models.DateField(null=True, blank=True)
    terminated = models.DateField(null=True, blank=True, help_text="Last day the code is valid.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = "HCPCS code"

    def __str__(self) -> str:
        return f"{self.code} {self.description}"

    def clean(self) -> None:
        if self.kind == self.Kind.DRUG and not self.billing_unit:
            raise ValidationError({"billing_unit": "a drug code needs its descriptor unit"})
        if self.effective and self.terminated and self.terminated < self.effective:
            raise ValidationError({"terminated": "the code cannot end before it starts"})


class DrugProduct(models.Model):
    class NdcUnit(models.TextChoices):
        ML = "ML", "ML - millilitre"
        GR = "GR", "GR - gram"
        ME = "ME", "ME - milligram"
        UN = "UN", "UN - unit (container)"
        F2 = "F2", "F2 - international unit"

    class NcpdpUnit(models.TextChoices):
        ML = "ML", "ML"
        GM = "GM", "GM"
        EA = "EA", "EA"

    ndc = models.CharField(
        "NDC", max_length=11, unique=True, validators=[validate_ndc11], help_text="11 digits, 5-4-2"
    )
    name = models.CharField(max_length=200)
    labeler = models.CharField(max_length=200, blank=True)
    concentration = models.CharField(
        max_length=40, validators=[validate_concentration], help_text="e.g. 25 mg/mL or 0.25 %"
    )
    package_volume = models.CharField(max_length=20, blank=True, validators=[validate_volume])
    package_description = models.CharField(max_length=300, blank=True)
    ndc_unit = models.CharField(
        "NDC unit of measure", max_length=2, choices=NdcUnit.choices, default=NdcUnit.ML
    )
    ncpdp_unit = models.CharField(
        "NCPDP billing unit", max_length=2, choices=NcpdpUnit.choices, default=NcpdpUnit.ML
    )
    hcpcs = models.ForeignKey(
        HcpcsCode,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
        limit_choices_to={"kind": HcpcsCode.Kind.DRUG},
        verbose_name="HCPCS code",
    )
    preservative_free = models.BooleanField(default=False)
    typical_daily_dose_low = models.CharField(
        max_length=20, blank=True, validators=[validate_dose_amount]
    )
    typical_daily_dose_high = models.CharField(
        max_length=20, blank=True, validators=[validate_dose_amount]
    )
    max_daily_dose = models.CharField(max_length=20, blank=True, validators=[validate_dose_amount])
    active = models.BooleanField(default=True)
    marketing_start = models.DateField(null=True, blank=True)
    marketing_end = models.DateField(
        null=True, blank=True, help_text="Last day the NDC may be billed (FDA end of marketing)."
    )
    source = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "ndc"]

    def __str__(self) -> str:
        return f"{self.name} {self.concentration} ({ndc.format_ndc(self.ndc)})"

    @property
    def ndc_hyphenated(self) -> str:
        return ndc.format_ndc(self.ndc)


class BillingProfile(models.Model):
    """A payer's billing policy, kept by administrators."""

    name = models.CharField(max_length=40, unique=True)
    description = models.TextField(blank=True)
    per_diem_coding = models.CharField(
        max_length=10,
        choices=[(c.value, c.value) for c in billing.PerDiemCoding],
        default=billing.PerDiemCoding.SPECIFIC,
    )
    drug_coding = models.CharField(
        max_length=10,
        choices=[(c.value, c.value) for c in billing.DrugCoding],
        default=billing.DrugCoding.SPECIFIC,
    )
    unlisted_unit_basis = models.CharField(
        max_length=3,
        choices=[(basis.value, label) for basis, label in billing.UNIT_BASIS_LABELS.items()],
        default=billing.UnitBasis.ML.value,
    )
    rounding = models.CharField(
        max_length=10,
        choices=[(rounding.value, label) for rounding, label in billing.ROUNDING_LABELS.items()],
        default=billing.Rounding.UP.value,
    )
    rounding_scope = models.CharField(
        max_length=10,
        choices=[(scope.value, label) for scope, label in billing.ROUNDING_SCOPE_LABELS.items()],
        default=billing.RoundingScope.TOTAL.value,
    )
    month_lines = models.BooleanField(
        default=False, help_text="One per-diem and one drug line per calendar month."
    )
    ndc_quantity_decimals = models.PositiveSmallIntegerField(default=3)
    place_of_service = models.CharField(max_length=2, default="12")
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not (self.place_of_service.isdigit() and len(self.place_of_service) == 2):
            raise ValidationError({"place_of_service": "a two-digit code, e.g. 12 (home)"})
        if self.ndc_quantity_decimals > 3:
            raise ValidationError({"ndc_quantity_decimals": "NDC quantities allow 3 decimals"})

    def to_policy(self) -> billing.BillingPolicy:
        return billing.BillingPolicy(
            name=self.name,
            per_diem_coding=billing.PerDiemCoding(self.per_diem_coding),
            drug_coding=billing.DrugCoding(self.drug_coding),
            unlisted_unit_basis=billing.UnitBasis(self.unlisted_unit_basis),
            rounding=billing.Rounding(self.rounding),
            rounding_scope=billing.RoundingScope(self.rounding_scope),
            month_lines=self.month_lines,
            place_of_service=self.place_of_service,
            ndc_quantity_decimals=self.ndc_quantity_decimals,
        )
