"""The write paths of orders (calculator/services.py): one transaction each, a snapshot that the
catalog cannot change, the draft -> verified -> billed lifecycle with void, and who did what."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from calculator import services
from calculator.domain.errors import InvalidOrder
from calculator.models import BillingProfile, ClaimLine, DrugProduct, Order, OrderDrug
from calculator.services import OrderStateError
from tests.helpers import claim_lines, texts

FENTANYL = "00409-9094-25"
SLIP = "drugs.0:mg_mcg_slip"
ABOVE_MAXIMUM = "drugs.0:dose_above_maximum"


def without_reference(request: dict) -> dict:
    return {key: value for key, value in request.items() if key != "patient_reference"}


def lines_of(order: Order) -> list[tuple[str, str, int]]:
    return [(line.code, line.modifiers, line.units) for line in order.lines.all()]


def fentanyl_slip(seed_request: dict) -> dict:
    """The seed order with fentanyl 50 mcg/mL at 50 mg/hr: a factor-of-1000 slip."""
    return {**seed_request, "drugs": [{"ndc": FENTANYL, "rate": "50 mg/hr"}]}


# --- Creating an order ------------------------------------------------------------------------


def test_the_seed_order_is_saved_with_its_snapshot(saved_order, pharmacist):
    """The seed order keeps its inputs, the HMSA policy, the results and S9325 x 31, J3490 x 149."""
    assert saved_order.status == Order.Status.DRAFT
    assert saved_order.created_by == pharmacist
    assert (saved_order.start_date.isoformat(), saved_order.days) == ("2026-01-01", 31)
    assert saved_order.policy["name"] == "HMSA"
    assert saved_order.policy["rounding"] == "half_up"
    assert saved_order.request["drugs"] == [{"ndc": "00074-1133-03", "rate": "5 mg/hr"}]
    assert lines_of(saved_order) == [("S9325", "", 31), ("J3490", "", 149)]
    drug = saved_order.drugs.get()
    assert (drug.daily_dose, drug.dose_unit, drug.daily_volume_ml) == ("120", "mg", "4.8")
    assert (drug.total_volume_ml, drug.concentration) == ("148.8", "25 mg/mL")
    drug_line = saved_order.lines.get(code="J3490")
    assert (drug_line.ndc, drug_line.ndc_unit, drug_line.ndc_quantity) == (
        "00074113303",
        "ML",
        "148.8",
    )
    assert drug_line.supplemental == "N400074113303 ML148.8"


def test_order_create_writes_nothing_when_a_later_step_fails(
    catalog, pharmacist, seed_request, monkeypatch
):
    """One transaction: a failure after the order row is written leaves no order, drug or line."""

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(ClaimLine.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError, match="database went away"):
        services.order_create(created_by=pharmacist, request_data=seed_request)
    assert Order.objects.count() == 0
    assert OrderDrug.objects.count() == 0
    assert ClaimLine.objects.count() == 0
    assert Order.history.count() == 0


def test_an_invalid_order_raises_every_field_error_at_once(catalog, pharmacist, seed_request):
    """A bad reference and a bad rate come back together, keyed by field path; nothing saved."""
    request = {
        **seed_request,
        "patient_reference": "John Smith",
        "drugs": [{"ndc": "00074-1133-03", "rate": "5 ML/hr"}],
    }
    with pytest.raises(InvalidOrder) as raised:
        services.order_create(created_by=pharmacist, request_data=request)
    assert set(raised.value.errors) == {"patient_reference", "drugs.0.rate"}
    assert Order.objects.count() == 0


def test_a_full_name_is_refused_as_patient_reference_with_a_clear_message(
    catalog, pharmacist, seed_request
):
    """ "John Smith" is refused: use the account number or initials, not a full name."""
    with pytest.raises(InvalidOrder) as raised:
        services.order_create(
            created_by=pharmacist, request_data={**seed_request, "patient_reference": "John Smith"}
        )
    assert raised.value.errors == {
        "patient_reference": [
            "use the account number or initials (letters, digits, . - / #; no spaces), "
            "not a full name"
        ]
    }
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    "reference", ["John Smith", "Smith, John", "J. Smith", "", "   ", None, 12345, "A" * 21]
)
def test_patient_references_that_are_not_an_account_number_or_initials_are_refused(reference):
    """Names, blanks, non-text and overlong references raise ValueError."""
    with pytest.raises(ValueError):
        services.clean_patient_reference(reference)


@pytest.mark.parametrize(
    ("reference", "kept"),
    [("ACC-1", "ACC-1"), ("JS", "JS"), (" 12345/6#7 ", "12345/6#7"), ("MRN.0042", "MRN.0042")],
)
def test_account_numbers_and_initials_are_accepted_and_trimmed(reference, kept):
    """Letters, digits and . - / # are an account number or initials."""
    assert services.clean_patient_reference(reference) == kept


def test_boluses_per_day_in_non_ascii_digits_are_refused(catalog, pharmacist, seed_request):
    """ "1٠" looks like "1." but int() reads it as 10: it must be refused, not saved as 10."""
    drug = {"ndc": "00074-1133-03", "rate": "5 mg/hr", "bolus": "1 mg", "boluses_per_day": "1٠"}
    with pytest.raises(InvalidOrder) as raised:
        services.order_create(created_by=pharmacist, request_data={**seed_request, "drugs": [drug]})
    assert "drugs.0.boluses_per_day" in raised.value.errors


# --- The snapshot -----------------------------------------------------------------------------


def test_a_saved_order_keeps_its_numbers_after_the_catalog_and_profile_change(
    saved_order, seed_request, clerk, client_for
):
    """A new concentration and new HMSA rounding change new orders, never a saved one."""
    product = DrugProduct.objects.get(ndc="00074113303")
    product.concentration = "50 mg/mL"
    product.save()
    hmsa = BillingProfile.objects.get(name="HMSA")
    hmsa.rounding, hmsa.rounding_scope = "up", "daily"
    hmsa.save()

    fresh = services.order_calculation(request_data=without_reference(seed_request))
    assert [line.units for line in fresh.lines if line.code == "J3490"] != [149]

    saved_order.refresh_from_db()
    assert lines_of(saved_order) == [("S9325", "", 31), ("J3490", "", 149)]
    drug = saved_order.drugs.get()
    assert (drug.concentration, drug.daily_volume_ml) == ("25 mg/mL", "4.8")
    assert (saved_order.policy["rounding"], saved_order.policy["rounding_scope"]) == (
        "half_up",
        "total",
    )
    page = client_for(clerk).get(reverse("calculator:order-detail", args=[saved_order.pk])).text
    assert texts(page, "daily-volume") == ["4.8 mL"]
    assert claim_lines(page) == [("S9325", "", "31"), ("J3490", "", "149")]
    assert texts(page, "ndc-line") == ["N400074113303 ML148.8"]
    assert "50 mg/mL" not in page


# --- Lifecycle --------------------------------------------------------------------------------


def test_an_order_goes_from_draft_to_verified_to_billed(saved_order, pharmacist2, clerk):
    """The normal path, with who and when at each step."""
    services.order_verify(order=saved_order, verified_by=pharmacist2)
    services.order_mark_billed(order=saved_order, billed_by=clerk)
    saved_order.refresh_from_db()
    assert saved_order.status == Order.Status.BILLED
    assert (saved_order.verified_by, saved_order.billed_by) == (pharmacist2, clerk)
    assert saved_order.verified_at <= saved_order.billed_at


def test_the_pharmacist_who_entered_an_order_verifies_it_only_with_a_confirmation(
    saved_order, pharmacist
):
    """Self-verification needs confirm_own=True."""
    with pytest.raises(OrderStateError, match="confirm that you have re-checked it"):
        services.order_verify(order=saved_order, verified_by=pharmacist)
    saved_order.refresh_from_db()
    assert saved_order.status == Order.Status.DRAFT
    services.order_verify(order=saved_order, verified_by=pharmacist, confirm_own=True)
    saved_order.refresh_from_db()
    assert (saved_order.status, saved_order.verified_by) == (Order.Status.VERIFIED, pharmacist)


def test_a_draft_cannot_be_billed(saved_order, clerk):
    """Billing skips no step: a draft must be verified first."""
    with pytest.raises(OrderStateError, match="only a verified order can be billed"):
        services.order_mark_billed(order=saved_order, billed_by=clerk)
    saved_order.refresh_from_db()
    assert saved_order.status == Order.Status.DRAFT


def test_a_verified_or_billed_order_cannot_be_verified_again(saved_order, pharmacist2, clerk):
    """Verification happens once."""
    services.order_verify(order=saved_order, verified_by=pharmacist2)
    with pytest.raises(OrderStateError, match="only a draft can be verified"):
        services.order_verify(order=saved_order, verified_by=pharmacist2)
    services.order_mark_billed(order=saved_order, billed_by=clerk)
    with pytest.raises(OrderStateError, match="this order is billed"):
        services.order_verify(order=saved_order, verified_by=pharmacist2)
    with pytest.raises(OrderStateError, match="only a verified order can be billed"):
        services.order_mark_billed(order=saved_order, billed_by=clerk)


@pytest.mark.parametrize("status", ["draft", "verified", "billed"])
def test_an_order_can_be_voided_from_any_status_but_void(
    saved_order, pharmacist, pharmacist2, clerk, status
):
    """Void is reachable from draft, verified and billed, and keeps the order and its lines."""
    if status in {"verified", "billed"}:
        services.order_verify(order=saved_order, verified_by=pharmacist2)
    if status == "billed":
        services.order_mark_billed(order=saved_order, billed_by=clerk)
    services.order_void(order=saved_order, voided_by=pharmacist, reason="  entered twice  ")
    saved_order.refresh_from_db()
    assert saved_order.status == Order.Status.VOID
    assert (saved_order.voided_by, saved_order.void_reason) == (pharmacist, "entered twice")
    assert saved_order.voided_at is not None
    assert lines_of(saved_order) == [("S9325", "", 31), ("J3490", "", 149)]
    with pytest.raises(OrderStateError, match="already void"):
        services.order_void(order=saved_order, voided_by=pharmacist, reason="again")
    with pytest.raises(OrderStateError):
        services.order_verify(order=saved_order, verified_by=pharmacist2)
    with pytest.raises(OrderStateError):
        services.order_mark_billed(order=saved_order, billed_by=clerk)


@pytest.mark.parametrize("reason", ["entered\x00twice", "bad \ud800", "bell\x07"])
def test_a_void_reason_that_cannot_be_stored_is_refused(saved_order, pharmacist, reason):
    """NUL (which PostgreSQL refuses), lone surrogates and control characters: a field error."""
    with pytest.raises(InvalidOrder) as raised:
        services.order_void(order=saved_order, voided_by=pharmacist, reason=reason)
    assert raised.value.errors == {"reason": ["the reason holds characters that cannot be stored"]}
    saved_order.refresh_from_db()
    assert saved_order.status == Order.Status.DRAFT


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_voiding_needs_a_reason(saved_order, pharmacist, reason):
    """No reason, no void: a field error on `reason`, the one check the page and the API share."""
    with pytest.raises(InvalidOrder) as raised:
        services.order_void(order=saved_order, voided_by=pharmacist, reason=reason)
    assert raised.value.errors == {"reason": ["give the reason for voiding the order"]}
    saved_order.refresh_from_db()
    assert saved_order.status == Order.Status.DRAFT


def test_an_order_is_never_deleted_with_its_pharmacist_or_its_profile(saved_order, pharmacist):
    """Removing the user who entered an order, or its profile, is refused; the order stays."""
    with pytest.raises(ProtectedError):
        pharmacist.delete()
    with pytest.raises(ProtectedError):
        saved_order.profile.delete()
    assert Order.objects.filter(pk=saved_order.pk).exists()


def test_the_services_offer_no_way_to_delete_an_order():
    """Orders are voided, never deleted: no write path deletes one."""
    assert not [name for name in dir(services) if "delete" in name or "remove" in name]


def test_an_order_drug_keeps_its_values_when_the_product_is_deleted(saved_order):
    """Deleting a catalog product leaves the saved drug's NDC, name and numbers in place."""
    drug = saved_order.drugs.get()
    DrugProduct.objects.filter(pk=drug.product_id).delete()
    drug.refresh_from_db()
    assert drug.product_id is None
    assert (drug.ndc, drug.name, drug.daily_volume_ml) == ("00074113303", "Morphine sulfate", "4.8")


# --- Acknowledgements and history -------------------------------------------------------------


def test_a_warning_needs_its_acknowledgement_before_the_order_is_saved(
    catalog, pharmacist, seed_request
):
    """Unacknowledged (or partly acknowledged) warnings refuse the order, naming each warning."""
    request = fentanyl_slip(seed_request)
    with pytest.raises(InvalidOrder) as raised:
        services.order_create(created_by=pharmacist, request_data=request)
    messages = raised.value.errors["acknowledged"]
    assert len(messages) == 2
    assert any("check for a mg/mcg mix-up" in message for message in messages)
    with pytest.raises(InvalidOrder) as raised:
        services.order_create(created_by=pharmacist, request_data=request, acknowledged=[SLIP])
    assert len(raised.value.errors["acknowledged"]) == 1
    assert Order.objects.count() == 0


def test_acknowledgements_are_recorded_with_who_and_when(catalog, pharmacist, seed_request):
    """Each acknowledged warning is kept with its id, its message, the user and the time."""
    before = timezone.now()
    order = services.order_create(
        created_by=pharmacist,
        request_data=fentanyl_slip(seed_request),
        acknowledged=[SLIP, ABOVE_MAXIMUM],
    )
    after = timezone.now()
    order.refresh_from_db()
    assert [ack["id"] for ack in order.acknowledgements] == [SLIP, ABOVE_MAXIMUM]
    for ack in order.acknowledgements:
        assert ack["by"] == pharmacist.username
        assert before <= datetime.fromisoformat(ack["at"]) <= after
        assert ack["message"].startswith("Fentanyl citrate injection: 1200 mg/day")
    assert "acknowledged" not in order.request


def test_history_records_the_user_of_each_transition(saved_order, pharmacist, pharmacist2, clerk):
    """Created by the pharmacist, verified by the second, billed by the clerk, voided: all kept."""
    services.order_verify(order=saved_order, verified_by=pharmacist2)
    services.order_mark_billed(order=saved_order, billed_by=clerk)
    services.order_void(order=saved_order, voided_by=pharmacist2, reason="payer refused")
    records = saved_order.history.order_by("history_date", "history_id")
    assert [(r.history_type, r.history_user, r.status) for r in records] == [
        ("+", pharmacist, "draft"),
        ("~", pharmacist2, "verified"),
        ("~", clerk, "billed"),
        ("~", pharmacist2, "void"),
    ]


def test_a_refused_transition_adds_no_history(saved_order, clerk, pharmacist):
    """Only what happened is in the history."""
    with pytest.raises(OrderStateError):
        services.order_mark_billed(order=saved_order, billed_by=clerk)
    with pytest.raises(OrderStateError):
        services.order_verify(order=saved_order, verified_by=pharmacist)
    assert saved_order.history.count() == 1


def test_re_pricing_an_order_is_recorded_in_its_history_with_who(saved_order, clerk):
    """Who re-priced an order's lines, and when, is kept like every other change."""
    services.order_reprice(order=saved_order, changed_by=clerk)
    latest = saved_order.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == clerk
    assert latest.history_change_reason == "re-priced from the price list"


def test_changing_claim_details_is_recorded_in_its_history_with_who(saved_order, clerk):
    """The clerk who sets the member id is in the history."""
    services.order_update_claim_details(order=saved_order, changed_by=clerk, member_id="M123")
    latest = saved_order.history.order_by("-history_date", "-history_id").first()
    assert (latest.history_user, latest.member_id) == (clerk, "M123")
