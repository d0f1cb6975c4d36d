"""What a claim needs beyond the order: payers, the billing provider, price lists, and the
837P files written (ClaimExport)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from calculator.domain import ndc
from calculator.models.catalog import BillingProfile
from calculator.models.versions import VersionedQuerySet


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

    objects = VersionedQuerySet.as_manager()  # bulk writes bump the catalog stamp

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

    objects = VersionedQuerySet.as_manager()  # bulk writes bump the catalog stamp

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

    objects = VersionedQuerySet.as_manager()  # bulk writes bump the catalog stamp

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


class ClaimExport(models.Model):
    """An 837P file as generated, with the orders it carried (for audit and re-download)."""

    interchange_number = models.PositiveIntegerField(unique=True)
    created_by = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    orders = models.ManyToManyField("Order", related_name="exports")
    content = models.TextField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"837P {self.interchange_number:09d}"
