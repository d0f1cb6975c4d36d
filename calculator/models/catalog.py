"""The catalog an administrator keeps: HCPCS codes, drug products (by 11-digit NDC) and the
billing profiles (payer policies), each with its history."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from calculator.domain import billing, hcpcs_file, ndc
from calculator.domain.dispensing import DEA_SCHEDULES, MAX_BEYOND_USE_DAYS, STORAGE_LABELS
from calculator.models.validators import (
    validate_concentration,
    validate_dose_amount,
    validate_ndc11,
    validate_volume,
)
from calculator.models.versions import VersionedQuerySet


class HcpcsCode(models.Model):
    class Kind(models.TextChoices):
        PER_DIEM = "per_diem", "Per diem"
        DRUG = "drug", "Drug"
        UNLISTED = "unlisted", "Unlisted drug"
        NURSING = "nursing", "Nursing"
        OTHER = "other", "Other (supplies, equipment, procedures)"

    class UnitSource(models.TextChoices):
        ENTERED = "entered", "entered by hand"
        FILE = "file", "read from the CMS descriptor"
        TO_CONFIRM = "confirm", "to confirm: the CMS descriptor states no unit"

    code = models.CharField(max_length=5, unique=True)
    description = models.CharField(
        max_length=hcpcs_file.MAX_DESCRIPTOR, help_text="The CMS long descriptor."
    )
    short_description = models.CharField(
        max_length=hcpcs_file.MAX_SHORT_DESCRIPTOR,
        blank=True,
        help_text="The CMS short descriptor (28 characters or fewer).",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    billing_unit = models.CharField(
        max_length=20,
        blank=True,
        validators=[validate_dose_amount],
        help_text='The descriptor unit of a drug code, e.g. "10 mg" for J2270.',
    )
    billing_unit_source = models.CharField(
        max_length=10,
        choices=UnitSource.choices,
        default=UnitSource.ENTERED,
        help_text="Where the billing unit came from; import_hcpcs marks drug codes whose CMS "
        "descriptor states no unit for an administrator to confirm. Saving a unit here marks it "
        "entered by hand.",
    )
    effective = models.DateField(
        null=True, blank=True, help_text="First day the code is valid (the CMS file's ADD DT)."
    )
    terminated = models.DateField(
        null=True, blank=True, help_text="Last day the code is valid (the CMS file's TERM DT)."
    )
    replacement = models.CharField(
        max_length=5,
        blank=True,
        help_text="The code to bill once this one ends, as the CMS file's cross-reference "
        "(XREF) names it, e.g. J1171 for J1170.",
    )
    action_code = models.CharField(
        "CMS action code",
        max_length=1,
        blank=True,
        help_text="ACTION CD of the latest CMS file imported (A added, D discontinued, N none...).",
    )
    action_effective = models.DateField(
        "CMS action effective", null=True, blank=True, help_text="ACT EFF DT of that action."
    )
    history = HistoricalRecords()

    objects = VersionedQuerySet.as_manager()  # bulk writes bump the catalog stamp

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
        if self.replacement and self.replacement == self.code:
            raise ValidationError({"replacement": "a code cannot replace itself"})

    def dates(self) -> billing.CodeDates:
        return billing.CodeDates(
            code=self.code,
            first_day=self.effective,
            last_day=self.terminated,
            replacement=self.replacement,
        )


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
    single_dose = models.BooleanField(
        "single-dose container",
        default=False,
        help_text="A single-dose (single-use) vial, ampule or bag: Medicare DME claims then "
        "carry JZ (nothing discarded) or a JW line for the discarded amount (SPEC 11).",
    )
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
    # Dispensing (SPEC 10): defaults for the reservoirs made of this product.
    beyond_use_days = models.PositiveSmallIntegerField(
        "default beyond-use days",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_BEYOND_USE_DAYS)],
        help_text="The pharmacy's beyond-use days for a reservoir of this product, from USP "
        "<797> (the BUD limits of its category and storage) and the pharmacy's own stability "
        "data. The app never invents a BUD: left blank, an order has no beyond-use date unless "
        "the pharmacist enters one. An order may lower this default, never raise it.",
    )
    storage = models.CharField(
        max_length=20,
        blank=True,
        choices=[(storage.value, label) for storage, label in STORAGE_LABELS.items()],
        help_text="How its reservoirs are stored until used (printed on the label); an order "
        "may say otherwise.",
    )
    dea_schedule = models.CharField(
        "DEA schedule",
        max_length=4,
        blank=True,
        choices=list(DEA_SCHEDULES.items()),
        help_text="The controlled-substance schedule (21 CFR 1308; the FDA NDC directory's "
        "DEASCHEDULE). CII drugs are marked on the worksheet and the labels.",
    )
    history = HistoricalRecords()

    objects = VersionedQuerySet.as_manager()  # bulk writes bump the catalog stamp

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
    source = models.CharField(
        max_length=300,
        blank=True,
        help_text="The payer's text this profile follows: its title, section and address, e.g. "
        'HMSA, "Home Infusion Pain Management Therapy - Administrative Information", '
        '"Billing drugs administered" (hmsa.com provider resources).',
    )
    source_revised = models.DateField(
        "source revision date",
        null=True,
        blank=True,
        help_text="The revision date of that text, from its own revision history (HMSA's "
        "article: rev. 2.5, 2021-02-18). When the payer revises it, check this profile.",
    )
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
    kind = models.CharField(
        max_length=12,
        choices=[(kind.value, label) for kind, label in billing.POLICY_KIND_LABELS.items()],
        default=billing.PolicyKind.PER_DIEM.value,
        help_text="Per diem: S9325-S9328 and drug lines (commercial payers such as HMSA). "
        "Medicare DME: the drug (J-code + KD + KX/GA/GZ), the pump rental and the supplies "
        "as separate lines, no per diem, under the DME MAC External Infusion Pumps LCD "
        "(L33794) and its policy article (A52507).",
    )
    capped_rental = models.BooleanField(
        "pump is a capped rental",
        default=True,
        help_text="Medicare DME: add KH (month 1), KI (months 2-3), KJ (months 4-13) after RR "
        "on the pump line, and refuse rental months past 13. Check the payment category of "
        "your pump in the DME MAC fee schedule and LCD L33794 / article A52507: SPEC 11 could "
        "not confirm it from a primary source.",
    )
    a4221_weeks = models.CharField(
        "A4221 week counting",
        max_length=10,
        choices=[(c.value, label) for c, label in billing.WEEK_COUNTING_LABELS.items()],
        default=billing.WeekCounting.STARTED.value,
        help_text='Medicare DME: A4221 is billed per week (HCPCS descriptor, "per week"). '
        "Most suppliers count every week started; some bill whole weeks only. Check with your "
        'DME MAC (Noridian "External Infusion Pumps and Related Drugs", 2024).',
    )
    jz_from = models.DateField(
        "JZ from",
        null=True,
        blank=True,
        help_text="Medicare DME: first date of service on which a single-dose container with "
        "nothing discarded carries JZ; empty: never. DME MACs: dates of service from "
        '2024-01-01 (CGS, "JW and JZ modifier", 2023-12-18).',
    )
    jw_from = models.DateField(
        "JW from",
        null=True,
        blank=True,
        help_text="Medicare DME: first date of service on which the amount discarded from a "
        "single-dose container is billed on its own line with JW; empty: never. DME MACs: from "
        '2025-01-01 (Noridian, "JW and JZ Modifier Billing Guidelines", 2025-05-22).',
    )
    max_months_per_line = models.PositiveSmallIntegerField(
        "months' supply per line",
        choices=[(months, str(months)) for months in billing.MONTHS_PER_LINE_CHOICES],
        default=billing.MONTHS_PER_LINE_CHOICES[0],
        help_text="Medicare DME: the most months' supply one line covers; a longer period is "
        'split. One month unless the payer allows three (NGS "Span Date Billing Guide").',
    )
    ndc_quantity_basis = models.CharField(
        "NDC quantity basis",
        max_length=12,
        choices=[
            (basis.value, label) for basis, label in billing.NDC_QUANTITY_BASIS_LABELS.items()
        ],
        default=billing.NdcQuantityBasis.ADMINISTERED.value,
        help_text="What the drug line's NDC quantity counts (SPEC 10.5): the amount administered "
        "(daily x days, the default), or the amount dispensed in the order's reservoirs, "
        "priming included, when the payer's billing instructions ask for the dispensed "
        "quantity (check the payer's manual). The billed units always count the amount "
        "administered.",
    )
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    objects = VersionedQuerySet.as_manager()  # bulk writes bump the catalog stamp

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def source_label(self) -> str:
        """Return the source as the order form shows it beside the name: "text, rev. date"."""
        revised = f"rev. {self.source_revised.isoformat()}" if self.source_revised else ""
        return ", ".join(part for part in (self.source, revised) if part)

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
            kind=billing.PolicyKind(self.kind),
            capped_rental=self.capped_rental,
            a4221_weeks=billing.WeekCounting(self.a4221_weeks),
            jz_from=self.jz_from,
            jw_from=self.jw_from,
            ndc_quantity_basis=billing.NdcQuantityBasis(self.ndc_quantity_basis),
            max_months_per_line=self.max_months_per_line,
        )


class PumpReservoir(models.Model):
    """A cassette, elastomeric pump or bag the pharmacy fills (SPEC 10): the order form offers
    the active ones by name."""

    name = models.CharField(max_length=60, unique=True, help_text='e.g. "CADD cassette 100 mL"')
    volume = models.CharField(
        max_length=20,
        validators=[validate_volume],
        help_text="What it holds, e.g. 100 mL: a fill (priming included) never exceeds it.",
    )
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = "pump reservoir"

    def __str__(self) -> str:
        return self.name
