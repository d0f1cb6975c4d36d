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
from calculator.domain.patients import MAX_DIAGNOSIS_CODES, InvalidDiagnosis, clean_diagnosis_list
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
    "diagnosis_codes": ("", "diagnosis_codes"),
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
        path = _api_path(prefix, "diagnosis_codes")
        posted["diagnosis_codes"] = _diagnoses(sent["diagnosis_codes"] or [], path, problems)
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


def _diagnoses(sent: list[dict[str, Any]], path: str, problems: dict[str, list[str]]) -> str:
    """Return the codes sent as the page's field would hold them, in pointer order (a pointer
    is the code's number on the claim, 1 the principal; without one, its place in the list);
    record each problem under its item's path."""
    if len(sent) > MAX_DIAGNOSIS_CODES:
        problems[path] = [
            f"at most {MAX_DIAGNOSIS_CODES} diagnosis codes on a claim, not {len(sent)}"
        ]
        return ""
    item_at: dict[int, int] = {}  # pointer -> index in the list sent
    for index, item in enumerate(sent):
        pointer = index + 1 if item.get("pointer") is None else item["pointer"]
        if not 1 <= pointer <= len(sent):
            message = f"a pointer from 1 to {len(sent)} (the number of codes sent)"
        elif pointer in item_at:
            message = f"pointer {pointer} is already diagnosis_codes.{item_at[pointer]}"
        else:
            item_at[pointer] = index
            continue
        problems[f"{path}.{index}.pointer"] = [message]
    if len(item_at) < len(sent):
        return ""
    order = [item_at[pointer] for pointer in sorted(item_at)]
    try:
        return ", ".join(clean_diagnosis_list([sent[index]["code"] for index in order]))
    except InvalidDiagnosis as error:
        problems[f"{path}.{order[error.index or 0]}.code"] = [str(error)]
        return ""


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
