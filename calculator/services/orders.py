"""The write paths for orders: create, verify, mark billed, void. Each runs in one transaction
and records who did what and when; nothing else writes an order. Those that change a claim
recompute the stored claim verdicts in the same transaction (`claim_verdicts.record`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from calculator import engine
from calculator.domain.billing import BillingPolicy, CalculatedLine
from calculator.domain.charges import line_charge, unit_price_for
from calculator.domain.dispensing import DispensingPlan, Storage
from calculator.domain.errors import InvalidOrder
from calculator.domain.patients import PATIENT_NUMBER_PATTERN
from calculator.domain.text import storable
from calculator.domain.units import format_decimal
from calculator.models import (
    BillingProfile,
    ClaimLine,
    Order,
    OrderDispensing,
    OrderDrug,
    Payer,
    SecondaryClaimLine,
)
from calculator.models.orders import SavedLine
from calculator.selectors.catalog import DatabaseCatalog
from calculator.services.claim_verdicts import record as record_verdicts
from calculator.services.patients import patient_for_order, snapshot_claim_details

SavedLineT = TypeVar("SavedLineT", bound=SavedLine)

# The patient reference is the patient's number (domain/patients.py).
_PATIENT_REFERENCE = PATIENT_NUMBER_PATTERN


class OrderStateError(ValueError):
    """An action the order's status does not allow (verifying a billed order, say)."""


def clean_patient_reference(value: object) -> str:
    """Return the patient reference (an account number or initials), or raise ValueError."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("enter the patient's account number or initials")
    text = value.strip()
    if not _PATIENT_REFERENCE.fullmatch(text):
        raise ValueError(
            "use the account number or initials (letters, digits, . - / #; no spaces), "
            "not a full name"
        )
    return text


def order_calculation(*, request_data: dict[str, Any]) -> engine.Calculation:
    """Return the calculation of an order as the saved order would have it: the one way the
    order form's preview, the API and the CLI reach the engine."""
    return engine.calculate_request(request_data, DatabaseCatalog())


@transaction.atomic
def order_create(
    *,
    created_by: User,
    request_data: dict[str, Any],
    acknowledged: Iterable[str] = (),
    dispensing_details: Sequence[Mapping[str, str]] = (),
) -> Order:
    """Save an order with a snapshot of its results and claim lines, or raise InvalidOrder.

    Every warning that needs an acknowledgement must be listed in `acknowledged` (by id); the
    acknowledgements are kept with the order, with who and when. `dispensing_details` are what
    the order form adds to each drug's dispensing part, by index: the reservoir's catalog name
    (`reservoir_name`) and the storage (`storage`, else the product's).
    """
    errors: dict[str, list[str]] = {}
    try:
        reference = clean_patient_reference(request_data.get("patient_reference"))
    except ValueError as error:
        errors["patient_reference"] = [str(error)]
    try:
        calculation = order_calculation(
            request_data={
                key: value
                for key, value in request_data.items()
                if key not in {"patient_reference", "acknowledged"}
            }
        )
    except InvalidOrder as invalid:
        raise InvalidOrder({**errors, **invalid.errors}) from None
    period = calculation.order.period
    if period.start is None or period.end is None:
        errors["start"] = ["a saved order needs its start and end dates"]
    acknowledged = set(acknowledged)
    missing = [w for w in calculation.warnings_to_acknowledge if w.id not in acknowledged]
    if missing:
        errors["acknowledged"] = [f"acknowledge: {warning.message}" for warning in missing]
    if errors:
        raise InvalidOrder(errors)
    assert period.start is not None and period.end is not None

    now = timezone.now()
    policy = calculation.policy
    profile = BillingProfile.objects.get(name__iexact=policy.name)
    secondary = calculation.secondary_policy
    secondary_profile = (
        BillingProfile.objects.get(name__iexact=secondary.name) if secondary else None
    )
    response = engine.response_json(calculation)
    order = Order(
        patient_reference=reference,
        patient=patient_for_order(reference, created_by=created_by),
        profile=profile,
        policy=policy_json(policy),
        secondary_profile=secondary_profile,
        secondary_policy=policy_json(secondary) if secondary else {},
        therapy=calculation.order.therapy.value,
        hours_per_day=format_decimal(calculation.order.hours_per_day),
        start_date=period.start,
        end_date=period.end,
        days=period.days,
        request={key: value for key, value in request_data.items() if key != "acknowledged"},
        response=response,
        acknowledgements=[
            {
                "id": warning.id,
                "message": warning.message,
                "by": created_by.get_username(),
                "at": now.isoformat(),
            }
            for warning in calculation.warnings_to_acknowledge
        ],
        created_by=created_by,
    )
    order._history_user = created_by
    order.save()
    drugs = []
    for result, product, shown in zip(
        calculation.results, calculation.products, response["drugs"], strict=True
    ):
        drug = result.drug
        drugs.append(
            OrderDrug(
                order=order,
                position=result.index,
                product_id=product.product_id if product else None,
                ndc=drug.ndc,
                name=drug.name,
                rate=str(drug.rate),
                concentration=str(drug.concentration),
                labelled_concentration=product.concentration if product else "",
                compounded=request_data["drugs"][result.index].get("compounded") is True,
                bolus=str(drug.bolus) if drug.bolus else "",
                boluses_per_day=drug.boluses_per_day,
                lockout=str(drug.lockout) if drug.lockout else "",
                weight=str(drug.weight) if drug.weight else "",
                hcpcs=drug.hcpcs,
                hcpcs_unit=str(drug.hcpcs_unit) if drug.hcpcs_unit else "",
                ndc_unit=drug.ndc_unit,
                package_volume=str(drug.package_volume) if drug.package_volume else "",
                route=drug.route.value if drug.route else "",
                dose_unit=shown["daily_dose"]["unit"],
                daily_dose=shown["daily_dose"]["value"],
                daily_volume_ml=shown["daily_volume"]["value"],
                total_dose=shown["total_dose"]["value"],
                total_volume_ml=shown["total_volume"]["value"],
                steps=shown["steps"],
            )
        )
    OrderDrug.objects.bulk_create(drugs)
    _save_dispensing(drugs, calculation, response, dispensing_details)
    ClaimLine.objects.bulk_create(_saved_lines(ClaimLine, order, calculation.lines, profile))
    if secondary_profile is not None:
        SecondaryClaimLine.objects.bulk_create(
            _saved_lines(SecondaryClaimLine, order, calculation.secondary_lines, secondary_profile)
        )
    return order


def policy_json(policy: BillingPolicy) -> dict[str, Any]:
    """Return a policy as the order keeps it: every setting, dates as ISO text."""
    return {
        field.name: value.isoformat() if isinstance(value, date) else value
        for field in fields(policy)
        for value in (getattr(policy, field.name),)
    }


def _saved_lines(
    model: type[SavedLineT], order: Order, lines: Iterable[CalculatedLine], profile: BillingProfile
) -> list[SavedLineT]:
    """Return the calculated lines as saved rows of `model`, priced from the profile."""
    prices = price_list(profile)
    return [
        _priced(
            model(
                order=order,
                position=position,
                kind=line.kind,
                code=line.code,
                modifiers=" ".join(line.modifiers),
                units=line.units,
                start_date=line.start,
                end_date=line.end,
                place_of_service=line.place_of_service,
                description=line.description[:300],
                ndc=line.ndc,
                ndc_unit=line.ndc_unit,
                ndc_quantity=format_decimal(line.ndc_quantity)
                if line.ndc_quantity is not None
                else "",
                supplemental=line.supplemental,
                drug_position=line.drug_index,
                work=line.work[:300],
            ),
            prices,
        )
        for position, line in enumerate(lines)
    ]


def _save_dispensing(
    drugs: list[OrderDrug],
    calculation: engine.Calculation,
    response: dict[str, Any],
    details: Sequence[Mapping[str, str]],
) -> None:
    """Save each drug's dispensing part and plan with the order (SPEC 10)."""
    rows = []
    for drug, plan, product, shown in zip(
        drugs, calculation.plans, calculation.products, response["drugs"], strict=True
    ):
        given = details[drug.position] if drug.position < len(details) else {}
        storage = given.get("storage") or (product.storage if product else "")
        rows.append(
            OrderDispensing(
                drug=drug,
                reservoir_name=given.get("reservoir_name", "")[:60],
                storage=Storage(storage).value if storage else "",
                dea_schedule=product.dea_schedule if product else "",
                plan=shown["dispensing"],
                **_dispensing_inputs(plan),
            )
        )
    OrderDispensing.objects.bulk_create(rows)


def _dispensing_inputs(plan: DispensingPlan) -> dict[str, Any]:
    given = plan.dispensing
    stock = given.stock
    return {
        "reservoir_volume": str(given.reservoir_volume) if given.reservoir_volume else "",
        "priming_volume": str(given.priming_volume) if given.priming_volume else "",
        "beyond_use_days": given.beyond_use_days,
        "stock_ndc": stock.ndc if stock else "",
        "stock_name": stock.name if stock else "",
    }


def price_list(profile: BillingProfile) -> dict[tuple[str, str], Decimal]:
    """Return the profile's prices keyed by (code, NDC or ""), through the catalog cache."""
    return DatabaseCatalog().prices(profile.pk)


def _priced(line: SavedLineT, prices: dict[tuple[str, str], Decimal]) -> SavedLineT:
    """Set a line's unit price and charge from the price list; leave both empty if unpriced."""
    unit_price = unit_price_for(prices, code=line.code, ndc=line.ndc)
    line.unit_price = unit_price
    line.charge = line_charge(line.units, unit_price) if unit_price is not None else None
    return line


CLAIM_DETAIL_FIELDS = (
    "payer",
    "member_id",
    "secondary_payer",
    "secondary_member_id",
    "patient_last_name",
    "patient_first_name",
    "patient_birth_date",
    "patient_sex",
    "patient_address",
    "patient_city",
    "patient_state",
    "patient_zip",
    "diagnosis_codes",
    "authorization_number",
    "authorization_code",
    "authorization_units",
    "authorization_start",
    "authorization_end",
)


@transaction.atomic
def order_update_claim_details(*, order: Order, changed_by: User, **details: Any) -> Order:
    """Set the payer, member, patient and authorization details a claim needs (never the
    computed numbers); billed and void orders are closed."""
    order = _locked(order)
    if order.status in {Order.Status.BILLED, Order.Status.VOID}:
        raise OrderStateError(f"a {order.status} order's claim details cannot change")
    unknown = set(details) - set(CLAIM_DETAIL_FIELDS)
    if unknown:
        raise ValueError(f"not claim details: {', '.join(sorted(unknown))}")
    for field, value in details.items():
        if field == "payer" and value is not None and not isinstance(value, Payer):
            raise ValueError("payer must be a Payer")
        setattr(order, field, value)
    order._history_user = changed_by
    order.save(update_fields=[*details] if details else None)
    record_verdicts(order)
    return order


@transaction.atomic
def order_reprice(*, order: Order, changed_by: User) -> Order:
    """Price the order's lines from the profile's current price list (units never change);
    for a held claim whose lines had no price."""
    order = _locked(order)
    if order.status in {Order.Status.BILLED, Order.Status.VOID}:
        raise OrderStateError(f"a {order.status} order cannot be re-priced")
    prices = price_list(order.profile)
    lines = [_priced(line, prices) for line in order.lines.all()]
    ClaimLine.objects.bulk_update(lines, ["unit_price", "charge"])
    if order.secondary_profile is not None:
        prices = price_list(order.secondary_profile)
        secondary = [_priced(line, prices) for line in order.secondary_lines.all()]
        SecondaryClaimLine.objects.bulk_update(secondary, ["unit_price", "charge"])
    order._history_user = changed_by
    order._change_reason = "re-priced from the price list"
    order.save()  # a full save, so the history records who re-priced and when
    record_verdicts(order)
    return order


def _locked(order: Order) -> Order:
    return Order.objects.select_for_update().get(pk=order.pk)


@transaction.atomic
def order_verify(*, order: Order, verified_by: User, confirm_own: bool = False) -> Order:
    """Mark a draft verified: by a second pharmacist, or by the same one who confirms a re-check."""
    order = _locked(order)
    if order.status != Order.Status.DRAFT:
        raise OrderStateError(f"only a draft can be verified; this order is {order.status}")
    if order.created_by_id == verified_by.pk and not confirm_own:
        raise OrderStateError(
            "you entered this order: confirm that you have re-checked it, "
            "or ask a second pharmacist to verify it"
        )
    order.status = Order.Status.VERIFIED
    order.verified_by = verified_by
    order.verified_at = timezone.now()
    # The claim details as the patient has them now: a later edit of the patient leaves them.
    snapshot = snapshot_claim_details(order)
    order._history_user = verified_by
    order.save(update_fields=["status", "verified_by", "verified_at", *snapshot])
    record_verdicts(order)
    return order


@transaction.atomic
def order_mark_billed(*, order: Order, billed_by: User) -> Order:
    """Mark a verified order billed."""
    order = _locked(order)
    if order.status != Order.Status.VERIFIED:
        raise OrderStateError(f"only a verified order can be billed; this order is {order.status}")
    order.status = Order.Status.BILLED
    order.billed_by = billed_by
    order.billed_at = timezone.now()
    order._history_user = billed_by
    order.save(update_fields=["status", "billed_by", "billed_at"])
    record_verdicts(order)
    return order


@transaction.atomic
def order_void(*, order: Order, voided_by: User, reason: str) -> Order:
    """Void an order (orders are never deleted), recording why.

    A blank reason is a field error on `reason` (InvalidOrder), checked before the order's status,
    here only: the page and the API both rely on it."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidOrder({"reason": ["give the reason for voiding the order"]})
    if not storable(reason, multiline=True):
        raise InvalidOrder({"reason": ["the reason holds characters that cannot be stored"]})
    order = _locked(order)
    if order.status == Order.Status.VOID:
        raise OrderStateError("this order is already void")
    order.status = Order.Status.VOID
    order.voided_by = voided_by
    order.voided_at = timezone.now()
    order.void_reason = reason[:200]
    order._history_user = voided_by
    order.save(update_fields=["status", "voided_by", "voided_at", "void_reason"])
    record_verdicts(order)
    return order
