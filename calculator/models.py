"""Catalog, HCPCS codes and billing profiles. Quantities are kept as the text a pharmacist would
type ("25 mg/mL") and validated by the same strict reader the order form uses."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from calculator.domain import billing, ndc, units


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


class Payer(models.Model):
    """A payer claims are sent to (837P loop 2010BB)."""

    name = models.CharField(max_length=60, unique=True)
    payer_id = models.CharField(
        "payer ID", max_length=20, help_text="The payer's electronic ID at the clearinghouse."
    )
    profile = models.ForeignKey(
        BillingProfile,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="payers",
        help_text="The billing profile this payer's claims usually follow.",
    )
    claim_filing_code = models.CharField(
        "claim filing indicator",
        max_length=2,
        default="CI",
        choices=[
            ("CI", "CI - commercial insurance"),
            ("BL", "BL - Blue Cross/Blue Shield"),
            ("HM", "HM - HMO"),
            ("MB", "MB - Medicare Part B"),
            ("MC", "MC - Medicaid"),
            ("CH", "CH - TRICARE"),
            ("VA", "VA - Veterans Affairs"),
            ("WC", "WC - workers' compensation"),
            ("ZZ", "ZZ - mutually defined"),
        ],
        help_text="837P SBR09.",
    )
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.payer_id})"


class BillingProvider(models.Model):
    """The pharmacy as billing provider and submitter (837P loops 1000A and 2010AA)."""

    name = models.CharField(max_length=60)
    npi = models.CharField("NPI", max_length=10)
    tax_id = models.CharField("tax ID (EIN)", max_length=9)
    taxonomy = models.CharField(max_length=10, blank=True, default="3336H0001X")
    address = models.CharField(max_length=55)
    city = models.CharField(max_length=30)
    state = models.CharField(max_length=2)
    zip_code = models.CharField("ZIP+4", max_length=9, help_text="Nine digits, no hyphen.")
    contact_name = models.CharField(max_length=60)
    contact_phone = models.CharField(max_length=10, help_text="Ten digits.")
    submitter_id = models.CharField(
        "submitter ID (ETIN)", max_length=15, help_text="Assigned by the clearinghouse."
    )
    receiver_name = models.CharField(max_length=60, default="CLEARINGHOUSE")
    receiver_id = models.CharField(max_length=15, default="CLEARINGHOUSE")
    usage = models.CharField(
        max_length=1,
        choices=[("T", "T - test"), ("P", "P - production")],
        default="T",
        help_text="ISA15: files are marked as test until this says production.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "billing provider"

    def __str__(self) -> str:
        return f"{self.name} (NPI {self.npi})"

    def clean(self) -> None:
        from calculator.domain.npi import npi_is_valid

        errors = {}
        if not npi_is_valid(self.npi):
            errors["npi"] = "an NPI is 10 digits with a valid check digit"
        if not (self.tax_id.isdigit() and len(self.tax_id) == 9):
            errors["tax_id"] = "nine digits, no hyphen"
        if not (self.zip_code.isdigit() and len(self.zip_code) == 9):
            errors["zip_code"] = "nine digits (ZIP+4), no hyphen"
        if not (self.contact_phone.isdigit() and len(self.contact_phone) == 10):
            errors["contact_phone"] = "ten digits"
        if not (self.state.isalpha() and len(self.state) == 2):
            errors["state"] = "the two-letter state code"
        if errors:
            raise ValidationError(errors)


class PriceListEntry(models.Model):
    """A price per billed unit for a profile: a per-diem rate per S-code, a price per HCPCS
    unit per drug code (or for one NDC on J3490), nursing per visit or per hour."""

    profile = models.ForeignKey(BillingProfile, on_delete=models.CASCADE, related_name="prices")
    code = models.CharField("HCPCS/CPT code", max_length=5)
    ndc = models.CharField(
        "NDC",
        max_length=11,
        blank=True,
        help_text="Only for this NDC (e.g. a J3490 drug); blank for any NDC.",
    )
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["profile", "code", "ndc"]
        verbose_name_plural = "price list entries"
        constraints = [
            models.UniqueConstraint(fields=["profile", "code", "ndc"], name="one_price_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.profile}: {self.code}{' ' + self.ndc if self.ndc else ''} {self.unit_price}"

    def clean(self) -> None:
        if self.unit_price is not None and self.unit_price < 0:
            raise ValidationError({"unit_price": "a price cannot be negative"})
        if self.ndc and not ndc.is_ndc11(self.ndc):
            raise ValidationError({"ndc": "11 digits, 5-4-2 without hyphens"})


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
    # Claim details: only what an 837P needs of the patient (minimum necessary).
    payer = models.ForeignKey(
        Payer, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    member_id = models.CharField("member ID", max_length=30, blank=True)
    patient_last_name = models.CharField(max_length=60, blank=True)
    patient_first_name = models.CharField(max_length=35, blank=True)
    patient_birth_date = models.DateField(null=True, blank=True)
    patient_sex = models.CharField(
        max_length=1, blank=True, choices=[("F", "F"), ("M", "M"), ("U", "U - unknown")]
    )
    patient_address = models.CharField(max_length=55, blank=True)
    patient_city = models.CharField(max_length=30, blank=True)
    patient_state = models.CharField(max_length=2, blank=True)
    patient_zip = models.CharField(max_length=9, blank=True)
    diagnosis_code = models.CharField(
        "diagnosis (ICD-10-CM)", max_length=8, blank=True, help_text="e.g. G89.3, no dot needed"
    )
    authorization_number = models.CharField(max_length=30, blank=True)
    authorization_code = models.CharField(
        max_length=5, blank=True, help_text="The code authorized; blank for the per-diem code."
    )
    authorization_units = models.PositiveIntegerField(null=True, blank=True)
    authorization_start = models.DateField(null=True, blank=True)
    authorization_end = models.DateField(null=True, blank=True)
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
            models.Index(fields=["status", "end_date"], name="order_status_end"),
            models.Index(fields=["start_date", "end_date"]),
            # The order list's sort, newest first: no full sort at 5,000 orders.
            models.Index(fields=["-created_at", "-id"], name="order_newest_first"),
        ]
        permissions = [
            ("verify_order", "Can verify orders"),
            ("bill_order", "Can mark orders billed"),
            ("void_order", "Can void orders"),
            ("view_claim_summary", "Can view, print and export claim summaries"),
            ("edit_claim_details", "Can edit an order's payer, member and authorization"),
            ("export_claims", "Can export 837P claim files and see the review queue"),
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
    unit_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    charge = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Units x unit price from the profile's price list; empty when unpriced.",
    )

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


class ApiToken(models.Model):
    """A user's API token, stored only as its SHA-256 hash (`manage.py api_token USER`)."""

    user = models.OneToOneField("auth.User", on_delete=models.CASCADE, related_name="api_token")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="The token's first characters, to tell it.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.prefix}...)"


class ClaimExport(models.Model):
    """An 837P file as generated, with the orders it carried (for audit and re-download)."""

    interchange_number = models.PositiveIntegerField(unique=True)
    created_by = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    orders = models.ManyToManyField(Order, related_name="exports")
    content = models.TextField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"837P {self.interchange_number:09d}"


class AccessLog(models.Model):
    """Who viewed, printed or exported which orders, and when (no patient data in it)."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        PRINT = "print", "Opened the printable summary"
        PDF = "pdf", "Downloaded PDF"
        CSV = "csv", "Downloaded CSV"
        X12 = "837p", "Exported 837P"
        API = "api", "Read through the API"

    user = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=8, choices=Action.choices)
    at = models.DateTimeField(auto_now_add=True)
    # The order numbers, as one list: a summary of 500 orders is still a single INSERT.
    order_ids = models.JSONField(default=list)
    path = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} {self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def orders(self) -> models.QuerySet[Order]:
        return Order.objects.filter(pk__in=self.order_ids)

    @classmethod
    def log(cls, *, user, action: str, orders, path: str = "") -> AccessLog:
        """Record that `user` viewed, printed or exported these orders (one row, one query)."""
        return cls.objects.create(
            user=user, action=action, path=path[:200], order_ids=[order.pk for order in orders]
        )

    @classmethod
    def record(cls, request, action: str, orders) -> AccessLog:
        """Record that the request's user viewed, printed or exported these orders."""
        return cls.log(user=request.user, action=action, orders=orders, path=request.path)
