"""Saved orders: the inputs, the policy and catalog values used, the results (OrderDrug) and
the claim lines (ClaimLine), a snapshot that is never recomputed, with its history."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from calculator.domain.dosing import ROUTE_LABELS
from calculator.domain.patients import dotted_diagnoses, split_diagnosis_codes
from calculator.models.catalog import BillingProfile, DrugProduct
from calculator.models.claims import Payer


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
    # The patient the order is for (issue 15); patient_reference keeps the number it was
    # entered with. Blank only for an order saved before patients were recorded.
    patient = models.ForeignKey(
        "calculator.Patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    profile = models.ForeignKey(BillingProfile, on_delete=models.PROTECT, related_name="orders")
    policy = models.JSONField(help_text="The billing policy as it was when the order was saved.")
    therapy = models.CharField(max_length=20)
    hours_per_day = models.CharField(max_length=12)
    start_date = models.DateField()
    end_date = models.DateField()
    days = models.PositiveIntegerField()
    secondary_profile = models.ForeignKey(
        BillingProfile,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="secondary_orders",
        help_text="The secondary payer's profile (the commercial per-diem lines of a Medicare "
        "DME order), whose lines are kept beside the primary's.",
    )
    secondary_policy = models.JSONField(
        default=dict, blank=True, help_text="The secondary policy as it was when saved."
    )
    request = models.JSONField(help_text="The order exactly as entered.")
    response = models.JSONField(help_text="The computed steps, lines and warnings.")
    acknowledgements = models.JSONField(default=list, blank=True)
    # Claim details: only what an 837P needs of the patient (minimum necessary).
    payer = models.ForeignKey(
        Payer, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    member_id = models.CharField("member ID", max_length=30, blank=True)
    secondary_payer = models.ForeignKey(
        Payer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="secondary_orders",
        help_text="The payer of the secondary claim (the secondary profile's lines).",
    )
    secondary_member_id = models.CharField("secondary member ID", max_length=30, blank=True)
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
    diagnosis_codes = models.CharField(
        "diagnoses (ICD-10-CM)",
        max_length=120,
        blank=True,
        help_text="The principal first, separated by commas (at most 12), e.g. G893, C50911.",
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
            ("view_reports", "Can view the billing reports"),
        ]

    def __str__(self) -> str:
        return f"Order {self.pk} ({self.patient_reference})"

    @property
    def warnings(self) -> list[dict]:
        return self.response.get("warnings", [])

    @property
    def diagnoses_shown(self) -> str:
        """The diagnosis codes with their dots, for pages (G89.4, C50.911)."""
        return dotted_diagnoses(self.diagnosis_codes)

    @property
    def diagnosis_list(self) -> list[str]:
        """The diagnosis codes as saved, the principal first (pointer 1, 2, ... on the claim)."""
        return split_diagnosis_codes(self.diagnosis_codes)


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
    lockout = models.CharField(
        max_length=60, blank=True, help_text="PCA lockout as ordered, e.g. 10 min (SPEC 10.6)"
    )
    weight = models.CharField(max_length=60, blank=True)
    hcpcs = models.CharField(max_length=5, blank=True)
    hcpcs_unit = models.CharField(max_length=20, blank=True)
    ndc_unit = models.CharField(max_length=2)
    package_volume = models.CharField(max_length=20, blank=True)
    route = models.CharField(
        max_length=12,
        blank=True,
        choices=[(route.value, label) for route, label in ROUTE_LABELS.items()],
    )
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

    @property
    def rate_changes(self) -> list[dict]:
        """The drug's dose changes inside the period, as entered (issue 15)."""
        drugs = self.order.request.get("drugs") or []
        entered = drugs[self.position] if self.position < len(drugs) else {}
        changes = entered.get("rate_changes") if isinstance(entered, dict) else None
        return changes if isinstance(changes, list) else []


class SavedLine(models.Model):
    """The fields of a saved claim line (snapshot); amounts are the exact text that goes on the
    claim."""

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
        abstract = True

    def __str__(self) -> str:
        return f"{self.code} x {self.units}"

    @property
    def modifier_list(self) -> list[str]:
        return self.modifiers.split() if self.modifiers else []


class ClaimLine(SavedLine):
    """A line of the order's (primary) claim."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="one_line_per_position")
        ]


class SecondaryClaimLine(SavedLine):
    """A line of the secondary claim: the lines of the order's secondary profile (e.g. HMSA's
    per-diem lines beside the Medicare DME lines), kept in the same snapshot."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="secondary_lines")

    class Meta:
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "position"], name="one_secondary_line_per_position"
            )
        ]
