"""Catalog, HCPCS codes and billing profiles. Quantities are kept as the text a pharmacist would
type ("25 mg/mL") and validated by the same strict reader the order form uses."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from calculator import billing, ndc, units


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
    """A payer's billing policy (SPEC section 5), kept by administrators."""

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
        choices=[("ML", "mL of solution"), ("NDC", "the NDC's unit of measure")],
        default="ML",
    )
    rounding = models.CharField(
        max_length=10,
        choices=[("up", "up (ceiling)"), ("half_up", "half up (rounded off)")],
        default="up",
    )
    rounding_scope = models.CharField(
        max_length=10,
        choices=[("total", "the line total"), ("daily", "each day, then x days")],
        default="total",
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


class Order(models.Model):
    """An infusion order: the inputs as entered, and a snapshot of what was computed from them.

    Pages, prints and exports read the snapshot (OrderDrug, ClaimLine); they never recompute, so
    a later change to the catalog or a profile never changes a saved order's numbers or lines.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        VERIFIED = "verified", "Verified"
        BILLED = "billed", "Billed"
        VOID = "void", "Void"

    patient_reference = models.CharField(
        max_length=20, help_text="Account number or initials, never a full name."
    )
    profile = models.ForeignKey(BillingProfile, on_delete=models.PROTECT, related_name="orders")
    policy = models.JSONField(help_text="The billing policy as it was when the order was saved.")
    therapy = models.CharField(max_length=20)
    hours_per_day = models.CharField(max_length=12)
    start_date = models.DateField()
    end_date = models.DateField()
    days = models.PositiveIntegerField()
    request = models.JSONField(help_text="The order exactly as entered.")
    response = models.JSONField(help_text="The computed steps, lines and warnings.")
    acknowledgements = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        "auth.User", on_delete=models.PROTECT, related_name="orders_created"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    verified_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    billed_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    billed_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords(excluded_fields=["request", "response"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "start_date"]),
            models.Index(fields=["start_date", "end_date"]),
        ]
        permissions = [
            ("verify_order", "Can verify orders"),
            ("bill_order", "Can mark orders billed"),
            ("void_order", "Can void orders"),
            ("view_claim_summary", "Can view, print and export claim summaries"),
        ]

    def __str__(self) -> str:
        return f"Order {self.pk} ({self.patient_reference})"

    @property
    def warnings(self) -> list[dict]:
        return self.response.get("warnings", [])


class OrderDrug(models.Model):
    """One drug of a saved order, with the catalog values used and the computed results."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="drugs")
    position = models.PositiveSmallIntegerField()
    product = models.ForeignKey(
        DrugProduct, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ndc = models.CharField("NDC", max_length=11)
    name = models.CharField(max_length=200)
    rate = models.CharField(max_length=60)
    concentration = models.CharField(max_length=60)
    labelled_concentration = models.CharField(max_length=60, blank=True)
    compounded = models.BooleanField(default=False)
    bolus = models.CharField(max_length=60, blank=True)
    boluses_per_day = models.PositiveSmallIntegerField(default=0)
    weight = models.CharField(max_length=60, blank=True)
    hcpcs = models.CharField(max_length=5, blank=True)
    hcpcs_unit = models.CharField(max_length=20, blank=True)
    ndc_unit = models.CharField(max_length=2)
    package_volume = models.CharField(max_length=20, blank=True)
    # Results, as exact decimal strings in the unit beside them.
    dose_unit = models.CharField(max_length=10)
    daily_dose = models.CharField(max_length=40)
    daily_volume_ml = models.CharField(max_length=40)
    total_dose = models.CharField(max_length=40)
    total_volume_ml = models.CharField(max_length=40)
    steps = models.JSONField(default=list)

    class Meta:
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="one_drug_per_position")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.rate}"


class ClaimLine(models.Model):
    """A saved claim line (snapshot); amounts are the exact text that goes on the claim."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10)
    code = models.CharField(max_length=5)
    modifiers = models.CharField(max_length=20, blank=True)
    units = models.PositiveIntegerField()
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    place_of_service = models.CharField(max_length=2)
    description = models.CharField(max_length=300, blank=True)
    ndc = models.CharField("NDC", max_length=11, blank=True)
    ndc_unit = models.CharField(max_length=2, blank=True)
    ndc_quantity = models.CharField(max_length=20, blank=True)
    supplemental = models.CharField(max_length=40, blank=True)
    drug_position = models.PositiveSmallIntegerField(null=True, blank=True)
    work = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="one_line_per_position")
        ]

    def __str__(self) -> str:
        return f"{self.code} x {self.units}"

    @property
    def modifier_list(self) -> list[str]:
        return self.modifiers.split() if self.modifiers else []
