"""The 837P page (/claims/837p/): the review queue of held claims, exporting a file as a
download, downloading an earlier file again, and who may do so."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from calculator import services
from calculator.models import AccessLog, ClaimExport, DrugProduct
from calculator.services import claim_export
from tests.conftest import SEED_NDC11, SEED_ORDER
from tests.helpers import assert_claim_matches, assert_valid_837p, read_claims

EXPORTS = reverse("calculator:claim-exports")


# --- The review queue: held claims and their return -------------------------------------------


def test_held_order_is_left_out_and_returns_once_fixed(make_claim_order, provider, clerk_client):
    """An inactive NDC holds the claim with its reason; reactivated, it goes out next time."""
    ready = make_claim_order()
    held = make_claim_order({**SEED_ORDER, "patient_reference": "ACC-9"})
    product = DrugProduct.objects.get(ndc=SEED_NDC11)
    product.active = False
    product.save()

    page = clerk_client.get(EXPORTS)
    assertContains(page, "NDC 00074-1133-03 is inactive in the catalog")
    assertContains(page, f'href="{reverse("calculator:order-detail", args=[held.pk])}"')

    product.active = True
    product.save()
    services.order_update_claim_details(
        order=held, changed_by=held.created_by, authorization_number="PA-1", authorization_units=30
    )
    page = clerk_client.get(EXPORTS)
    assertContains(page, "31 units of S9325 exceed the 30 authorized (authorization PA-1)")

    response = clerk_client.post(EXPORTS, {"orders": [ready.pk, held.pk]})
    assert response.status_code == 200
    text = response.content.decode()
    assert [claim["id"] for claim in read_claims(text)] == [f"ORD-{ready.pk}"]
    warning = [str(m) for m in get_messages(response.wsgi_request)]
    assert warning == [
        "837P-000000001.txt leaves out the held orders. "
        f"Order {held.pk} (ACC-9): 31 units of S9325 exceed the 30 authorized (authorization PA-1)"
    ]

    services.order_update_claim_details(
        order=held, changed_by=held.created_by, authorization_units=31
    )
    page = clerk_client.get(EXPORTS)
    assertContains(page, "Held for review (0)")
    response = clerk_client.post(EXPORTS, {"orders": [held.pk]})
    text = response.content.decode()
    assert_valid_837p(text)
    (claim,) = read_claims(text)
    assert_claim_matches(claim, held)
    assert "REF*G1*PA-1~" in text
    assert ClaimExport.objects.get(interchange_number=2).orders.get() == held


# --- The page ---------------------------------------------------------------------------------


def test_export_downloads_the_file_and_records_it(make_claim_order, provider, clerk, clerk_client):
    """POST writes one file: stored as a ClaimExport, logged, and returned as a download."""
    order = make_claim_order()
    page = clerk_client.get(EXPORTS)
    assertContains(
        page,
        f'<input class="form-check-input" type="checkbox" name="orders" value="{order.pk}" '
        f'id="order-{order.pk}">',
        html=True,
    )

    response = clerk_client.post(EXPORTS, {"orders": [str(order.pk)]})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/edi-x12"
    assert response["Content-Disposition"] == 'attachment; filename="837P-000000001.txt"'
    export = ClaimExport.objects.get()
    assert response.content.decode() == export.content
    assert export.created_by == clerk
    assert list(export.orders.all()) == [order]
    log = AccessLog.objects.get(action="837p")
    assert (log.user, list(log.orders.all()), log.path) == (clerk, [order], EXPORTS)


def test_earlier_files_can_be_downloaded_again(make_claim_order, provider, clerk, clerk_client):
    """A stored file downloads again byte for byte, from a link on the page."""
    order = make_claim_order()
    export = claim_export.claim_export_create(created_by=clerk, order_ids=[order.pk]).export
    url = reverse("calculator:claim-export-download", args=[export.pk])

    assertContains(clerk_client.get(EXPORTS), f'href="{url}"')
    response = clerk_client.get(url)

    assert response.status_code == 200
    assert response.content.decode() == export.content
    assert response["Content-Disposition"] == 'attachment; filename="837P-000000001.txt"'
    assert AccessLog.objects.filter(action="837p", path=url).count() == 1


def test_without_a_billing_provider_the_export_is_refused(make_claim_order, clerk_client):
    """No provider record: the page says so and a POST writes nothing (no 500)."""
    order = make_claim_order()
    page = clerk_client.get(EXPORTS)
    assertContains(page, "no billing provider is configured")

    response = clerk_client.post(EXPORTS, {"orders": [order.pk]})

    assert response.status_code == 400
    assertContains(response, "No 837P file was written", status_code=400)
    assert not ClaimExport.objects.exists()


def test_selecting_nothing_is_refused_with_a_message(make_claim_order, provider, clerk_client):
    make_claim_order()
    response = clerk_client.post(EXPORTS, {})
    assertContains(response, "select at least one order to export", status_code=400)
    assert not ClaimExport.objects.exists()


def test_draft_orders_are_not_offered(prices, payer, provider, pharmacist, clerk_client):
    """Only verified orders are exported; a draft neither lists nor goes out."""
    draft = services.order_create(created_by=pharmacist, request_data=SEED_ORDER)
    assertNotContains(clerk_client.get(EXPORTS), f'value="{draft.pk}"')
    response = clerk_client.post(EXPORTS, {"orders": [draft.pk]})
    assertContains(response, "not verified", status_code=400)


@pytest.mark.parametrize("method", ["get", "post"])
def test_pharmacists_cannot_export(method, make_claim_order, provider, pharmacist, client_for):
    """Exporting claims is the billing clerk's permission (403 for a pharmacist)."""
    order = make_claim_order()
    response = getattr(client_for(pharmacist), method)(EXPORTS, {"orders": [order.pk]})
    assert response.status_code == 403
    assert not ClaimExport.objects.exists()


def test_pharmacists_cannot_download_a_file(
    make_claim_order, provider, clerk, pharmacist, client_for
):
    order = make_claim_order()
    export = claim_export.claim_export_create(created_by=clerk, order_ids=[order.pk]).export
    url = reverse("calculator:claim-export-download", args=[export.pk])
    assert client_for(pharmacist).get(url).status_code == 403


def test_clerks_see_the_export_page(provider, clerk_client):
    response = clerk_client.get(EXPORTS)
    assert response.status_code == 200
    assertContains(response, "837P claim export")
