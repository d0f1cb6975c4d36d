"""The patient record's form (pharmacists) and the patient search box (issue 15 point 1). The
rules are the model's (Patient.clean, from domain/patients.py); the form lays them out."""

from __future__ import annotations

from typing import Any

from crispy_forms.layout import HTML, Column, Field, Row
from django import forms

from calculator.domain.patients import dotted_diagnoses
from calculator.domain.text import storable
from calculator.models import Patient, Payer
from calculator.web.forms import (
    CrispyForm,
    NamedBoundField,
    columns,
    embedded_helper,
    filter_helper,
    submit_column,
)

# The most a search box takes: a number or a name, never a page of text.
SEARCH_LENGTH = 60


class PatientForm(forms.ModelForm):
    bound_field_class = NamedBoundField
    # ZIP+4 may be typed with its hyphen; it is kept as nine digits.
    zip_code = forms.CharField(label="ZIP", max_length=10, required=False)

    class Meta:
        model = Patient
        fields = [
            "number",
            "last_name",
            "first_name",
            "birth_date",
            "sex",
            "address",
            "city",
            "state",
            "zip_code",
            "payer",
            "member_id",
            "diagnosis_codes",
            "authorization_number",
            "authorization_code",
            "authorization_units",
            "authorization_start",
            "authorization_end",
        ]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}),
            "authorization_start": forms.DateInput(attrs={"type": "date"}),
            "authorization_end": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.initial.get("diagnosis_codes"):  # saved undotted, shown as people read them
            self.initial["diagnosis_codes"] = dotted_diagnoses(self.initial["diagnosis_codes"])
        payers = Payer.objects.filter(active=True)
        if self.instance.payer_id:
            payers = Payer.objects.filter(active=True) | Payer.objects.filter(
                pk=self.instance.payer_id
            )
        self.fields["payer"].queryset = payers
        self.helper = embedded_helper(
            Row(
                Column(Field("number", autocomplete="off"), css_class="col-md-3"),
                *columns("col-md-3", "last_name", "first_name"),
                *columns("col-md-2", "birth_date"),
                Column("sex", css_class="col-md-1"),
                Column("address", css_class="col-md-5"),
                Column("city", css_class="col-md-3"),
                *columns("col-md-2", "state", "zip_code"),
                css_class="gx-2",
            ),
            HTML('<h2 class="h6 mt-2">Payer and diagnoses</h2>'),
            Row(
                *columns("col-md-4", "payer", "member_id", "diagnosis_codes"),
                css_class="gx-2",
            ),
            HTML('<h2 class="h6 mt-2">Authorization (optional)</h2>'),
            Row(
                Column("authorization_number", css_class="col-md-3"),
                *columns(
                    "col-md-2",
                    "authorization_code",
                    "authorization_units",
                    "authorization_start",
                    "authorization_end",
                ),
                css_class="gx-2",
            ),
        )

    def clean_zip_code(self) -> str:
        return self.cleaned_data["zip_code"].replace("-", "").strip()


class PatientSearchForm(CrispyForm):
    q = forms.CharField(
        label="Patient number or name", required=False, max_length=SEARCH_LENGTH, strip=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = filter_helper(
            "patient-search", Column("q", css_class="col-md-6"), submit_column("col-md-2", "Find")
        )

    def clean_q(self) -> str:
        text = self.cleaned_data["q"]
        if not storable(text):
            raise forms.ValidationError("contains control characters or invalid Unicode")
        return " ".join(text.split())
