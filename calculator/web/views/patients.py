"""The patient pages (issue 15): search, the record (pharmacists add and edit; clerks read),
and a patient's orders with what was billed, newest first. Thin: form -> service -> render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from calculator import services
from calculator.models import AccessLog, Patient
from calculator.selectors.patients import PATIENTS_LISTED, patient_orders, patient_search
from calculator.web.patient_forms import PatientForm, PatientSearchForm


@permission_required("calculator.view_patient", raise_exception=True)
@require_GET
def patient_list(request: HttpRequest) -> HttpResponse:
    """Find a patient by number or name."""
    search = PatientSearchForm(request.GET or None)
    text = search.cleaned_data["q"] if search.is_bound and search.is_valid() else ""
    refused = search.is_bound and not search.is_valid()
    patients = [] if refused else list(patient_search(text)[: PATIENTS_LISTED + 1])
    return render(
        request,
        "calculator/patient_list.html",
        {
            "search": search,
            "patients": patients[:PATIENTS_LISTED],
            "more": len(patients) > PATIENTS_LISTED,
            "text": text,
        },
        status=400 if refused else 200,
    )


@permission_required("calculator.view_patient", raise_exception=True)
@require_GET
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The patient's record, their orders and what was billed (newest first), and its history."""
    patient = get_object_or_404(Patient.objects.select_related("payer"), pk=pk)
    orders = patient_orders(patient)
    AccessLog.record(request, AccessLog.Action.VIEW, [row.order for row in orders])
    history = patient.history.select_related("history_user").order_by("history_date")
    return render(
        request,
        "calculator/patient_detail.html",
        {"patient": patient, "orders": orders, "history": history},
    )


@permission_required("calculator.add_patient", raise_exception=True)
@require_http_methods(["GET", "POST"])
def patient_new(request: HttpRequest) -> HttpResponse:
    return _patient_form(request, Patient())


@permission_required("calculator.change_patient", raise_exception=True)
@require_http_methods(["GET", "POST"])
def patient_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _patient_form(request, get_object_or_404(Patient, pk=pk))


def _patient_form(request: HttpRequest, patient: Patient) -> HttpResponse:
    """Add or edit a patient; a field error re-shows the form and saves nothing."""
    form = PatientForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.patient_save(patient=form.instance, changed_by=request.user)
        except ValidationError as error:
            for field, found in error.message_dict.items():
                for message in found:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, f"Patient {saved.number} saved.")
            return redirect("calculator:patient-detail", pk=saved.pk)
    return render(
        request,
        "calculator/patient_form.html",
        {"form": form, "patient": patient},
        status=400 if request.method == "POST" else 200,
    )
