"""Pages at a pharmacy's scale: each page costs the same number of queries whatever the number
of orders and products, and the pages that would grow with them are limited (bench/pages.py
times them at 20,000 orders and 11,774 products; small sizes suffice to show the counts)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from calculator.models import ClaimVerdict, DrugProduct, Order
from calculator.services import claim_export
from tests.conftest import SEED_NDC11
from tests.helpers import clone_orders, clone_products

JANUARY = {"date_from": "2026-01-01", "date_to": "2026-01-31"}
ADD_DRUG = {
    "action": "add-drug",
    "patient_reference": "ACC-1",
    "profile": "HMSA",
    "drugs-TOTAL_FORMS": "1",
    "drugs-INITIAL_FORMS": "0",
    "drugs-0-product_search": "morph",
}


@pytest.fixture
def order(make_claim_order) -> Order:
    """The seed order, verified, with its claim details: ready for the 837P."""
    return make_claim_order()


# (who asks, method, URL of the seed order, data)
PAGES: dict[str, tuple[str, str, Callable[[Order], str], dict]] = {
    "order form": ("pharmacist", "get", lambda order: reverse("calculator:order-new"), {}),
    "add a drug": ("pharmacist", "post", lambda order: reverse("calculator:order-new"), ADD_DRUG),
    "order list": ("clerk", "get", lambda order: reverse("calculator:order-list"), {}),
    "order list, page 2": (
        "clerk",
        "get",
        lambda order: reverse("calculator:order-list"),
        {"page": "2"},
    ),
    "an order": (
        "clerk",
        "get",
        lambda order: reverse("calculator:order-detail", args=[order.pk]),
        {},
    ),
    "order list, held": (
        "clerk",
        "get",
        lambda order: reverse("calculator:order-list"),
        {"held": "on"},
    ),
    "claim summary": ("clerk", "get", lambda order: reverse("calculator:claim-summary"), JANUARY),
    "reports, January": ("clerk", "get", lambda order: reverse("calculator:reports"), JANUARY),
    "review queue": ("clerk", "get", lambda order: reverse("calculator:claim-exports"), {}),
    "admin products": (
        "administrator",
        "get",
        lambda order: reverse("admin:calculator_drugproduct_changelist"),
        {},
    ),
}


def _cold_and_warm(client, method: str, url: str, data: dict) -> tuple[int, int]:
    """Return the queries of a request that finds every stored claim verdict stale (as after a
    catalog edit or a release: the pages that read verdicts compute them in bulk), then of the
    next one (which reads them)."""
    ClaimVerdict.objects.all().delete()
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method)(url, data)
        assert response.status_code == 200
        counts.append(len(queries))
    return counts[0], counts[1]


@pytest.mark.parametrize("page", list(PAGES))
def test_queries_per_page_do_not_grow_with_orders_and_products(
    page, order, provider, client_for, clerk, pharmacist, administrator
):
    """The same number of queries with 30 orders and 20 products as with 330 and 520, when the
    stored claim verdicts are computed and when they are read."""
    role, method, url_of, data = PAGES[page]
    client = client_for(
        {"clerk": clerk, "pharmacist": pharmacist, "administrator": administrator}[role]
    )
    url = url_of(order)
    clone_orders(order, 29)
    clone_products(SEED_NDC11, 20 - DrugProduct.objects.count() % 20)
    getattr(client, method)(url, data)  # the first request fills the per-process caches
    small = _cold_and_warm(client, method, url, data)

    clone_orders(order, 300)
    clone_products(SEED_NDC11, 500)
    assert Order.objects.count() == 330
    assert _cold_and_warm(client, method, url, data) == small


def test_review_queue_checks_the_earliest_orders_and_says_how_many_wait(
    order, provider, clerk_client, monkeypatch
):
    """Past its limit the queue shows the orders with the earliest service and the count."""
    monkeypatch.setattr(claim_export, "QUEUE_LIMIT", 5)
    clone_orders(order, 9)
    page = clerk_client.get(reverse("calculator:claim-exports"))
    assertContains(page, 'id="queue-limit"')
    assertContains(
        page,
        "10 verified orders wait to be billed: below are the 5 with the earliest service, "
        "checked. Export or fix these and the next ones follow.",
    )
    assert page.text.count('name="orders"') == 5
    monkeypatch.setattr(claim_export, "QUEUE_LIMIT", 10)
    assertNotContains(clerk_client.get(reverse("calculator:claim-exports")), 'id="queue-limit"')


def test_earlier_files_name_their_first_orders_and_count_the_rest(
    order, provider, clerk_client, clerk, monkeypatch
):
    """A file of many orders lists its first ones and says how many it holds."""
    monkeypatch.setattr(claim_export, "ORDERS_SHOWN_PER_FILE", 2)
    clone_orders(order, 3)
    ids = list(Order.objects.order_by("pk").values_list("pk", flat=True))
    claim_export.claim_export_create(created_by=clerk, order_ids=ids)
    page = clerk_client.get(reverse("calculator:claim-exports"))
    first, second = (reverse("calculator:order-detail", args=[pk]) for pk in ids[:2])
    links = f'<a href="{first}">{ids[0]}</a>, <a href="{second}">{ids[1]}</a>'
    assertContains(page, f"<td>{links} (4 orders in all)</td>", html=True)
