"""The patient record: the pharmacy's patient number, the claim details an 837P needs of the
patient (payer, member, name, birth date, address, diagnoses, authorization), with its history.

An order belongs to a patient; on verification the patient's claim details are copied into the
order (the snapshot the 837P reads), so a later edit here never changes a verified order."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from calculator.domain import patients
from calculator.domain.text import storable
from calculator.models.claims import Payer

# The patient's field -> the order's snapshot field it is copied into on verification.
SNAPSHOT_FIELDS = {
    "payer": "payer",
    "member_id": "member_id",
    "last_name": "patient_last_name",
    "first_name": "patient_first_name",
    "birth_date": "patient_birth_date",
    "sex": "patient_sex",
    "address": "patient_address",
    "city": "patient_city",
    "state": "patient_state",
    "zip_code": "patient_zip",
    "diagnosis_codes": "diagnosis_codes",
    "authorization_number": "authorization_number",
    "authorization_code": "authorization_code",
    "authorization_units": "authorization_units",
    "authorization_start": "authorization_start",
    "authorization_end": "authorization_end",
}


class Patient(models.Model):
    number = models.CharField(
        "patient number",
        max_length=patients.PATIENT_NUMBER_LENGTH,
        unique=True,
        help_text="The pharmacy's patient (account) number: letters, digits, . - / #.",
    )
    last_name = models.CharField(max_length=60, blank=True)
    first_name = models.CharField(max_length=35, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, blank=True, choices=patients.SEX_CHOICES)
    address = models.CharField(max_length=55, blank=True)
    city = models.CharField(max_length=30, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip_code = models.CharField("ZIP", max_length=9, blank=True)
    payer = models.ForeignKey(
        Payer, null=True, blank=True, on_delete=models.PROTECT, related_name="patients"
    )
    member_id = models.CharField("member ID", max_length=30, blank=True)
    diagnosis_codes = models.CharField(
        "diagnoses (ICD-10-CM)",
        max_length=120,
        blank=True,
        help_text="The principal first, separated by commas or spaces, e.g. G89.3, C50.911.",
    )
    authorization_number = models.CharField(max_length=30, blank=True)
    authorization_code = models.CharField(
        max_length=5, blank=True, help_text="The code authorized; blank for the per-diem code."
    )
    authorization_units = models.PositiveIntegerField(null=True, blank=True)
    authorization_start = models.DateField(null=True, blank=True)
    authorization_end = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["last_name", "first_name", "number"]
        indexes = [models.Index(fields=["last_name", "first_name"], name="patient_name")]

    def __str__(self) -> str:
        name = ", ".join(part for part in (self.last_name, self.first_name) if part)
        return f"{self.number} {name}".strip()

    @property
    def principal_diagnosis(self) -> str:
        codes = self.diagnosis_list
        return codes[0] if codes else ""

    @property
    def diagnoses_shown(self) -> str:
        """The diagnosis codes with their dots, for pages (G89.4, C50.911)."""
        return patients.dotted_diagnoses(self.diagnosis_codes)

    @property
    def diagnosis_list(self) -> list[str]:
        try:
            return patients.parse_diagnosis_codes(self.diagnosis_codes)
        except ValueError:
            return []

    def claim_snapshot(self) -> dict[str, object]:
        """Return the order fields this patient's claim details fill (blank ones left out)."""
        values = {
            order_field: getattr(self, field) for field, order_field in SNAPSHOT_FIELDS.items()
        }
        return {field: value for field, value in values.items() if value not in ("", None)}

    def clean(self) -> None:
        errors: dict[str, str] = {}
        try:
            self.number = patients.clean_patient_number(self.number)
        except ValueError as error:
            errors["number"] = str(error)
        problem = patients.birth_date_problem(self.birth_date, today=timezone.localdate())
        if problem:
            errors["birth_date"] = problem
        try:
            self.diagnosis_codes = ", ".join(patients.parse_diagnosis_codes(self.diagnosis_codes))
        except ValueError as error:
            errors["diagnosis_codes"] = str(error)
        for field in ("last_name", "first_name", "address", "city", "member_id"):
            if not storable(getattr(self, field)):
                errors[field] = "contains control characters or invalid Unicode"
        self.state = self.state.strip().upper()
        if self.state and not (len(self.state) == 2 and self.state.isalpha()):
            errors["state"] = "the two-letter state code, e.g. HI"
        self.zip_code = self.zip_code.replace("-", "").strip()
        if self.zip_code and not (self.zip_code.isdigit() and len(self.zip_code) in {5, 9}):
            errors["zip_code"] = "a 5-digit ZIP or ZIP+4"
        start, end = self.authorization_start, self.authorization_end
        if start and end and end < start:
            errors["authorization_end"] = "the authorization ends before it starts"
        if errors:
            raise ValidationError(errors)
