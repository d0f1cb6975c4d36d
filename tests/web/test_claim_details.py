"""The claim-details page: several ICD-10-CM diagnosis codes, the principal first, in one field;
a bad list is a field error and nothing of the form is saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from calculator import services
from calculator.models import Order


def page(order: Order) -> str:
    return reverse("calculator:order-claim-details", kwargs={"pk": order.pk})


def posted(order: Order, **changes: str) -> dict[str, str]:
    """Return the page's form as it shows the order's details, with some fields changed."""
    data = {}
    for field in services.CLAIM_DETAIL_FIELDS:
        value = getattr(order, f"{field}_id" if field.endswith("payer") else field)
        data[field] = "" if value is None else str(value)
    return data | changes


def test_the_page_saves_several_codes_principal_first(make_claim_order, clerk_client):
    order = make_claim_order()
    codes = "c50.911, G89.3; Z45.2 R52"
    response = clerk_client.post(page(order), posted(order, diagnosis_codes=codes))
    assert response.status_code == 302, response.content
    order.refresh_from_db()
    assert order.diagnosis_codes == "C50911, G893, Z452, R52"
    assert "C50.911, G89.3, Z45.2, R52" in clerk_client.get(response["Location"]).text  # dotted
    # The form shows them as people read them; sent back as shown, they save the same.
    assert 'value="C50.911, G89.3, Z45.2, R52"' in clerk_client.get(page(order)).text
    shown = posted(order, diagnosis_codes="C50.911, G89.3, Z45.2, R52")
    assert clerk_client.post(page(order), shown).status_code == 302
    order.refresh_from_db()
    assert order.diagnosis_codes == "C50911, G893, Z452, R52"


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        ("G89.3, morphine", "&quot;MORPHINE&quot; is not an ICD-10-CM code such as G89.3"),
        ("G89.3, C50.911, g893", "G893 is already diagnosis 1"),
        (", ".join(f"C50.9{n:02d}" for n in range(13)), "at most 12 diagnosis codes on a claim"),
    ],
)
def test_a_bad_list_is_a_field_error_and_nothing_is_saved(
    make_claim_order, clerk_client, codes, message
):
    order = make_claim_order()
    before = Order.objects.filter(pk=order.pk).values().get()
    response = clerk_client.post(
        page(order), posted(order, diagnosis_codes=codes, member_id="CHANGED")
    )
    assert response.status_code == 400
    assert message in response.text
    assert list(response.context["form"].errors) == ["diagnosis_codes"]
    assert Order.objects.filter(pk=order.pk).values().get() == before
