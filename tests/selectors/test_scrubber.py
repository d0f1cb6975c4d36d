"""The pre-billing claim checks (calculator/selectors/scrubber.py): a verified order with complete
claim details is ready; each missing or wrong thing is named, and many orders are checked in a
number of queries that does not grow with them."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from calculator import services
from calculator.models import DrugProduct, Order, PriceListEntry
from calculator.selectors import scrubber
from tests.conftest import SEED_NDC11, seed_order


def problems(order: Order) -> list[str]:
    return scrubber.problems_by_order([order])[order.pk]


def test_the_verified_seed_order_with_its_claim_details_is_ready(make_claim_order):
    assert problems(make_claim_order()) == []


def test_a_draft_is_not_ready_and_says_which_claim_details_are_missing(
    catalog, pharmacist, seed_request
):
    draft = services.order_create(created_by=pharmacist, request_data=seed_request)
    found = problems(draft)
    assert found[0] == "the order is draft, not verified"
    assert found[1].startswith("claim details missing: payer, member ID, patient last name")
    assert found[1].endswith("patient ZIP, diagnosis code")


def test_a_diagnosis_that_is_not_icd10_is_named(make_claim_order):
    assert problems(make_claim_order(diagnosis_codes="8-9.3")) == [
        '"8-9.3" is not an ICD-10-CM code such as G89.3'
    ]


def test_several_diagnoses_pass_and_a_repeated_one_holds_the_claim(make_claim_order):
    """Codes saved outside the page (an import, the admin) are checked as the page checks them."""
    order = make_claim_order(diagnosis_codes="G893, C50911")
    assert problems(order) == []
    Order.objects.filter(pk=order.pk).update(diagnosis_codes="G893, C50911, G89.3")
    assert problems(Order.objects.get(pk=order.pk)) == ["G89.3 is already diagnosis 1"]
    assert scrubber.reason_kind("G89.3 is already diagnosis 1") == "diagnosis"


def test_an_inactive_ndc_and_an_unpriced_line_hold_the_claim(make_claim_order):
    order = make_claim_order()
    DrugProduct.objects.filter(ndc=SEED_NDC11).update(active=False)
    PriceListEntry.objects.filter(code="S9325").delete()
    assert problems(order) == [
        "line 2 (J3490): NDC 00074-1133-03 is inactive in the catalog",
    ]
    order.refresh_from_db()
    services.order_reprice(order=order, changed_by=order.created_by)
    assert "line 1 (S9325): no price in the HMSA price list" in problems(order)


def test_units_beyond_the_authorization_are_named(make_claim_order):
    order = make_claim_order(authorization_number="PA-1", authorization_units=30)
    assert problems(order) == ["31 units of S9325 exceed the 30 authorized (authorization PA-1)"]
    # Another patient's order (the same patient's same days would overlap this one).
    other = seed_order(patient_reference="ACC-2")
    assert problems(make_claim_order(other, authorization_units=30)) == [
        "the authorization has units but no number"
    ]


def test_checking_many_orders_takes_as_many_queries_as_checking_two(make_claim_order):
    def count(orders: list[Order]) -> int:
        with CaptureQueriesContext(connection) as queries:
            scrubber.problems_by_order(
                Order.objects.filter(pk__in=[o.pk for o in orders]).prefetch_related(
                    "lines", "drugs", "payer"
                )
            )
        return len(queries)

    orders = [make_claim_order(seed_order(patient_reference=f"ACC-{n}")) for n in range(6)]
    assert count(orders[:2]) == count(orders)
