"""The order list as a billing clerk reads it: each row's claim total and status badge, the
"held" and payer filters, kept in the URL; queries that do not grow with the orders."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calculator import services
from calculator.models import Order, Payer
from tests.conftest import SEED_ORDER
from tests.helpers import listed_orders, texts

URL = reverse("calculator:order-list")
SEED_TOTAL = "4948.00"  # S9325 31 x 150.00 + J3490 149 x 2.00 (the `prices` fixture)


def row_texts(html: str, order_pk: int, css_class: str) -> list[str]:
    """Return the text of the cells with `css_class` in the order's row of the list."""
    pks = [int(pk) for pk in re.findall(r'<tr data-order="(\d+)">', html)]
    cells = texts(html, css_class)
    return [text for text, pk in zip(cells, pks, strict=True) if pk == order_pk]


def test_each_row_shows_the_claim_total_and_a_status_badge(
    make_claim_order, pharmacist, clerk_client
):
    ready = make_claim_order()
    held = make_claim_order(member_id="")
    draft = services.order_create(created_by=pharmacist, request_data=SEED_ORDER)
    html = clerk_client.get(URL).text
    assert row_texts(html, ready.pk, "claim-total") == [SEED_TOTAL]
    assert row_texts(html, ready.pk, "status") == ["Verified"]
    assert row_texts(html, held.pk, "status") == ["Verified Held"]
    assert row_texts(html, draft.pk, "status") == ["Draft"]
    assert row_texts(html, ready.pk, "payer") == ["HMSA"]
    assert (
        'class="badge text-bg-warning held-badge" title="claim details missing: member ID"' in html
    )


def test_a_claim_with_an_unpriced_line_shows_its_total_as_incomplete(
    catalog, pharmacist, clerk_client
):
    """No price list: a total of the priced lines would understate the claim."""
    order = services.order_create(created_by=pharmacist, request_data=SEED_ORDER)
    assert row_texts(clerk_client.get(URL).text, order.pk, "claim-total") == ["incomplete"]


def test_held_and_payer_filters_narrow_the_list_and_stay_in_the_url(
    make_claim_order, pharmacist, clerk_client
):
    ready = make_claim_order()
    held = make_claim_order(diagnosis_codes="")
    other_payer = Payer.objects.create(name="Aetna", payer_id="60054")
    aetna = make_claim_order()
    Order.objects.filter(pk=aetna.pk).update(payer=other_payer)
    draft = services.order_create(created_by=pharmacist, request_data=SEED_ORDER)

    assert listed_orders(clerk_client.get(URL).text) == {ready.pk, held.pk, aetna.pk, draft.pk}
    response = clerk_client.get(URL, {"held": "on"})
    assert listed_orders(response.text) == {held.pk}
    assert re.search(r'<input type="checkbox" name="held"[^>]* checked', response.text)
    assert listed_orders(clerk_client.get(URL, {"payer": "Aetna"}).text) == {aetna.pk}
    assert listed_orders(clerk_client.get(URL, {"payer": "HMSA"}).text) == {ready.pk, held.pk}
    assert listed_orders(clerk_client.get(URL, {"payer": "HMSA", "held": "on"}).text) == {held.pk}
    # An unknown payer is a field error, and the list is not narrowed by a guess.
    response = clerk_client.get(URL, {"payer": "Nobody"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.text


def test_the_filters_are_kept_in_the_page_links(make_claim_order, clerk_client):
    for _ in range(26):  # one more than a page
        make_claim_order(diagnosis_codes="")
    response = clerk_client.get(URL, {"held": "on", "payer": "HMSA"})
    links = re.findall(r'href="\?([^"]*)"', response.text)
    assert len(links) == 1
    assert sorted(links[0].split("&amp;")) == ["held=on", "page=2", "payer=HMSA"]


def test_the_list_runs_as_many_queries_for_12_verified_orders_as_for_3(
    make_claim_order, clerk_client
):
    def queries(query: dict[str, str]) -> int:
        clerk_client.get(URL, query)
        with CaptureQueriesContext(connection) as captured:
            assert clerk_client.get(URL, query).status_code == 200
        return len(captured.captured_queries)

    for _ in range(3):
        make_claim_order()
        make_claim_order(member_id="")
    few = queries({}), queries({"held": "on"})
    for _ in range(9):
        make_claim_order()
        make_claim_order(member_id="")
    assert (queries({}), queries({"held": "on"})) == few
