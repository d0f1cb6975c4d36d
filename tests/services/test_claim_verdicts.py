"""The stored claim verdicts (calculator/services/claim_verdicts.py): after every kind of change
the held claims read from the store are those computed now (`claim_export.held_orders`), with
the same reasons. A change through a service leaves nothing stale (recomputed in its own
transaction, its patient's other orders too); a catalog edit or a new release leaves verdicts
stale until a reader refreshes them in bulk."""

from __future__ import annotations

import contextlib
import datetime
import json

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from calculator import services
from calculator.domain.errors import InvalidOrder
from calculator.models import ClaimVerdict, DrugProduct, HcpcsCode, Order, Payer
from calculator.services import claim_export, claim_verdicts
from tests.api.test_endpoints import bearer, issue_token
from tests.conftest import PATIENT, SEED_NDC11, SEED_ORDER


def stored() -> dict[int, tuple[str, ...]]:
    """The held claims as the store has them now (nothing refreshed)."""
    rows = ClaimVerdict.objects.filter(order__status=Order.Status.VERIFIED, held=True)
    return {pk: tuple(reasons) for pk, reasons in rows.values_list("order_id", "reasons")}


def assert_fresh_after_a_service() -> None:
    """The service recomputed what it changed: nothing is stale, and the store holds what the
    checks hold now."""
    assert claim_verdicts.refresh() == 0
    assert stored() == claim_export.held_orders()


def assert_store_matches() -> None:
    claim_verdicts.refresh()
    held = claim_export.held_orders()
    assert stored() == held
    assert claim_verdicts.held_reasons(Order.objects.all()) == held
    assert set(claim_verdicts.held().values_list("pk", flat=True)) == set(held)


@pytest.fixture
def two_claims(make_claim_order, provider):
    """Two ready claims of two patients, their verdicts stored."""
    orders = make_claim_order(), make_claim_order()
    claim_verdicts.refresh()
    assert stored() == {}
    return orders


def test_the_claim_details_page_recomputes_the_verdict(two_claims, clerk_client):
    order = two_claims[0]
    url = reverse("calculator:order-claim-details", kwargs={"pk": order.pk})
    data = {field: "" for field in services.CLAIM_DETAIL_FIELDS}
    data |= {key: str(value) for key, value in PATIENT.items()}
    data |= {"payer": str(order.payer_id), "member_id": ""}
    assert clerk_client.post(url, data).status_code == 302
    assert_fresh_after_a_service()
    assert stored() == {order.pk: ("claim details missing: member ID",)}


def test_the_api_patch_recomputes_the_verdict(two_claims, pharmacist):
    order = two_claims[1]
    response = Client().patch(
        reverse("api:order-claim", kwargs={"pk": order.pk}),
        json.dumps({"authorization": {"number": "PA-1", "units": 3}}),
        content_type="application/json",
        headers=bearer(issue_token(pharmacist)),
    )
    assert response.status_code == 200, response.content
    assert_fresh_after_a_service()
    (reasons,) = stored().values()
    assert reasons == ("31 units of S9325 exceed the 3 authorized (authorization PA-1)",)


def test_verifying_stores_the_verdict_and_billing_or_voiding_drops_it(
    two_claims, make_claim_order, clerk
):
    held = make_claim_order(patient_zip="")
    assert ClaimVerdict.objects.filter(order=held, held=True).exists()
    assert_fresh_after_a_service()
    services.order_mark_billed(order=two_claims[0], billed_by=clerk)
    services.order_void(order=held, voided_by=clerk, reason="entered twice")
    assert not ClaimVerdict.objects.filter(order__in=[held, two_claims[0]]).exists()
    assert_fresh_after_a_service()


def test_an_overlapping_order_of_the_same_patient_holds_both_until_it_is_voided(
    two_claims, make_claim_order, clerk
):
    first = two_claims[0]
    second = make_claim_order({**SEED_ORDER, "patient_reference": first.patient_reference})
    assert_fresh_after_a_service()  # the first order's verdict was recomputed with the second
    assert set(stored()) == {first.pk, second.pk}
    assert "(verified, 2026-01-01 to 2026-01-31)" in stored()[first.pk][0]
    services.order_mark_billed(order=second, billed_by=clerk)
    assert_fresh_after_a_service()
    assert "(billed, 2026-01-01 to 2026-01-31)" in stored()[first.pk][0]
    services.order_void(order=second, voided_by=clerk, reason="entered twice")
    assert_fresh_after_a_service()
    assert stored() == {}


def test_an_export_leaves_the_verdicts_as_they_are(two_claims, clerk):
    claim_export.claim_export_create(created_by=clerk, order_ids=[two_claims[0].pk])
    assert_fresh_after_a_service()


def test_an_admin_edit_of_a_payer_makes_the_verdicts_stale_until_read(two_claims, admin_client):
    payer = two_claims[0].payer
    url = reverse("admin:calculator_payer_change", args=[payer.pk])
    data = {
        "name": payer.name,
        "payer_id": payer.payer_id,
        "profile": payer.profile_id,
        "claim_filing_code": payer.claim_filing_code,
    }  # "active" left out: unticked
    assert admin_client.post(url, data).status_code == 302
    assert stored() == {}  # what was stored, now stale
    assert claim_verdicts.refresh() == 2
    assert_store_matches()
    assert set(stored().values()) == {("the payer HMSA is inactive",)}


def test_a_price_or_profile_edit_leaves_the_verdicts_fresh(two_claims, prices):
    """Prices and profiles are no input of a verdict (an order keeps its policy and priced
    lines): editing them costs no recompute, while any write to a product, code or payer, the
    bulk writes of an import included, makes every verdict stale."""
    from calculator.models import BillingProfile, PriceListEntry

    PriceListEntry.objects.filter(code="S9325").update(unit_price="175.00")
    entry = PriceListEntry.objects.filter(code="J3490").first()
    entry.unit_price = "2.50"
    entry.save()
    profile = BillingProfile.objects.get(name="HMSA")
    profile.description = "edited"
    profile.save()
    assert claim_verdicts.refresh() == 0

    DrugProduct.objects.filter(ndc=SEED_NDC11).update(labeler="Hospira")  # bulk: no signal
    assert claim_verdicts.refresh() == 2
    product = DrugProduct.objects.get(ndc=SEED_NDC11)
    product.labeler = "Hospira, Inc."
    product.save()
    assert claim_verdicts.refresh() == 2
    assert_store_matches()


def test_a_code_that_ends_before_the_service_holds_the_claims(two_claims):
    code = HcpcsCode.objects.get(code="S9325")
    code.terminated = datetime.date(2025, 12, 31)
    code.save()
    assert_store_matches()
    assert len(stored()) == 2
    assert all(
        reasons[0].startswith("line 1 (S9325): S9325 ended on") for reasons in stored().values()
    )


def test_a_new_release_of_the_checks_makes_every_verdict_stale(two_claims, monkeypatch):
    monkeypatch.setattr(claim_verdicts, "RULES", "another-release")
    assert claim_verdicts.refresh() == 2
    assert claim_verdicts.refresh() == 0


def test_the_review_queue_shows_the_reasons_it_computes(two_claims, make_claim_order):
    make_claim_order(member_id="", diagnosis_codes="G89.3, morphine")
    ClaimVerdict.objects.all().delete()  # as after the migration: nothing stored yet
    stored_queue = claim_verdicts.review_queue()
    computed = claim_export.review_queue()
    assert [(e.order.pk, e.problems) for e in stored_queue] == [
        (e.order.pk, e.problems) for e in computed
    ]
    assert any(entry.problems for entry in stored_queue)


class _Rollback(Exception):
    pass


@pytest.fixture
def transactional_rollback(db):
    """Return a context manager whose writes are rolled back (one hypothesis example each)."""

    @contextlib.contextmanager
    def rolled_back():
        with contextlib.suppress(_Rollback), transaction.atomic():
            yield
            raise _Rollback

    return rolled_back


ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "verify",
                "blank member",
                "restore member",
                "bill",
                "void",
                "overlap",
                "payer",
                "product",
                "code",
            ]
        ),
        st.integers(min_value=0, max_value=2),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=ACTIONS)
@example(actions=[("verify", 0), ("verify", 1), ("void", 0)])
def test_after_any_changes_the_store_holds_what_the_checks_hold(
    actions, prices, payer, provider, pharmacist, pharmacist2, clerk, transactional_rollback
):
    """Whatever happens, in whatever order: services leave nothing stale, and once refreshed
    the store equals the checks."""
    with transactional_rollback():
        payer = Payer.objects.get(pk=payer.pk)
        orders = []
        for index in range(3):
            reference = "ACC-1" if index < 2 else f"ACC-{index}"  # two of one patient
            order = services.order_create(
                created_by=pharmacist, request_data={**SEED_ORDER, "patient_reference": reference}
            )
            services.order_update_claim_details(
                order=order, changed_by=pharmacist, payer=payer, **PATIENT
            )
            orders.append(order)
        for action, index in actions:
            order = Order.objects.get(pk=orders[index].pk)
            try:
                if action == "verify":
                    services.order_verify(order=order, verified_by=pharmacist2)
                elif action in {"blank member", "restore member"}:
                    member = "" if action == "blank member" else PATIENT["member_id"]
                    services.order_update_claim_details(
                        order=order, changed_by=pharmacist, member_id=member
                    )
                elif action == "bill":
                    services.order_mark_billed(order=order, billed_by=clerk)
                elif action == "void":
                    services.order_void(order=order, voided_by=clerk, reason="test")
                elif action == "overlap":
                    other = services.order_create(
                        created_by=pharmacist,
                        request_data={**SEED_ORDER, "patient_reference": order.patient_reference},
                    )
                    orders[index] = other
                    continue
            except (services.OrderStateError, InvalidOrder):  # not allowed now: no change
                continue
            if action in {"payer", "product", "code"}:
                if action == "payer":
                    payer.active = not payer.active
                    payer.save()
                elif action == "product":
                    product = DrugProduct.objects.get(ndc=SEED_NDC11)
                    product.active = not product.active
                    product.save()
                else:
                    code = HcpcsCode.objects.get(code="S9325")
                    code.terminated = None if code.terminated else datetime.date(2026, 1, 15)
                    code.save()
                assert_store_matches()
            else:
                assert_fresh_after_a_service()
