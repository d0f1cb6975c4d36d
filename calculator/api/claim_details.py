"""Claim details sent through the API, checked by the claim-details page's own form
(`web.forms.ClaimDetailsForm`) so that the page and the API accept and refuse the same values,
then saved by the one service both call (`services.order_update_claim_details`).

The API names fields by its JSON paths (`patient.last_name`, `authorization.units`); the form by
its field names (`patient_last_name`): the table below maps one to the other, both ways."""

from __future__ import annotations

import datetime
from typing import Any

from calculator.api.schemas import ClaimDetailsIn
from calculator.domain.errors import InvalidOrder
from calculator.models import Order, Payer
from calculator.web.forms import ClaimDetailsForm

# form field -> (API group or "", API field)
FORM_TO_API: dict[str, tuple[str, str]] = {
    "payer": ("", "payer_id"),
    "member_id": ("", "member_id"),
    "patient_last_name": ("patient", "last_name"),
    "patient_first_name": ("patient", "first_name"),
    "patient_birth_date": ("patient", "birth_date"),
    "patient_sex": ("patient", "sex"),
    "patient_address": ("patient", "address"),
    "patient_city": ("patient", "city"),
    "patient_state": ("patient", "state"),
    "patient_zip": ("patient", "zip"),
    "diagnosis_code": ("diagnosis_codes", "0.code"),
    "authorization_number": ("authorization", "number"),
    "authorization_code": ("authorization", "code"),
    "authorization_units": ("authorization", "units"),
    "authorization_start": ("authorization", "start"),
    "authorization_end": ("authorization", "end"),
}


def _api_path(prefix: str, form_field: str) -> str:
    group, name = FORM_TO_API.get(form_field, ("", form_field))
    return ".".join(part for part in (prefix, group, name) if part)


def _as_posted(value: object) -> str:
    """Return a saved value as the page's form would post it."""
    if value is None:
        return ""
    if isinstance(value, Payer):
        return str(value.pk)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _saved(order: Order | None) -> dict[str, str]:
    if order is None:
        return {field: "" for field in FORM_TO_API}
    return {field: _as_posted(getattr(order, field)) for field in FORM_TO_API}


def validated_claim_details(
    claim: ClaimDetailsIn, *, order: Order | None = None, prefix: str = ""
) -> dict[str, Any]:
    """Return the cleaned claim details (the service's keyword arguments): the order's saved
    details (none for a new order) with the ones sent put over them, checked by the page's form.
    Raise InvalidOrder keyed by API paths (under `prefix`) when anything is refused."""
    sent = claim.model_dump(exclude_unset=True)
    posted = _saved(order)
    problems: dict[str, list[str]] = {}
    for group in ("patient", "authorization"):
        for name, value in (sent.pop(group, None) or {}).items():
            form_field = next(f for f, path in FORM_TO_API.items() if path == (group, name))
            posted[form_field] = _as_posted(value)
    if "member_id" in sent:
        posted["member_id"] = _as_posted(sent["member_id"])
    if "diagnosis_codes" in sent:
        codes = sent["diagnosis_codes"] or []
        if len(codes) > 1:
            problems[_api_path(prefix, "diagnosis_codes")] = [
                "a claim keeps one diagnosis code for now (pointer 1): send the principal one"
            ]
        elif codes and codes[0]["pointer"] != 1:
            problems[f"{_api_path(prefix, 'diagnosis_codes')}.0.pointer"] = [
                "the one diagnosis code is pointer 1"
            ]
        posted["diagnosis_code"] = codes[0]["code"] if codes else ""
    if "payer_id" in sent:
        posted["payer"] = _payer_choice(sent["payer_id"], prefix, problems)
    form = ClaimDetailsForm(posted)
    if not form.is_valid():
        for field, messages in form.errors.items():
            if field == "payer" and _api_path(prefix, field) in problems:
                continue  # the payer ID's own message says it better
            problems.setdefault(_api_path(prefix, field), []).extend(messages)
    if problems:
        raise InvalidOrder(problems)
    return form.cleaned_data


def _payer_choice(payer_id: str | None, prefix: str, problems: dict[str, list[str]]) -> str:
    """Return the page's choice (a pk) for the payer with that electronic ID; "" for none."""
    if not payer_id:
        return ""
    found = list(Payer.objects.filter(payer_id=payer_id.strip(), active=True)[:2])
    path = _api_path(prefix, "payer")
    if not found:
        problems[path] = [f'no active payer has the payer ID "{payer_id.strip()[:30]}"']
        return ""
    if len(found) > 1:
        problems[path] = [
            f'several active payers share the payer ID "{payer_id.strip()}": '
            "an administrator must make it unique"
        ]
        return ""
    return str(found[0].pk)
