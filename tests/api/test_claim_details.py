"""Claim details through the API: POST /orders with them, PATCH /orders/{id}/claim, checked by
the claim-details page's own form; the whole path from a token to a valid 837P."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from calculator.models import Order, Payer
from tests.api.test_endpoints import bearer, issue_token, post
from tests.conftest import PATIENT, seed_order
from tests.helpers import assert_valid_837p, read_claims, segments

ORDERS = reverse("api:orders")
CLAIM = {
    "payer_id": "990040115",
    "member_id": PATIENT["member_id"],
    "patient": {
        "last_name": PATIENT["patient_last_name"],
        "first_name": PATIENT["patient_first_name"],
        "birth_date": "1958-04-12",
        "sex": "F",
        "address": PATIENT["patient_address"],
        "city": PATIENT["patient_city"],
        "state": "hi",
        "zip": "96744",
    },
    "diagnosis_codes": [{"code": "C50.911", "pointer": 2}, {"code": "G89.3", "pointer": 1}],
    "authorization": {"number": "AUTH-42", "units": 31, "start": "2026-01-01", "end": "2026-01-31"},
}


def claim_url(pk: int) -> str:
    return reverse("api:order-claim", kwargs={"pk": pk})


def patch(client: Client, path: str, data: object, **headers: str):
    return client.patch(path, json.dumps(data), content_type="application/json", headers=headers)


def test_token_order_with_details_second_pharmacist_export_and_pyx12(
    prices, payer, provider, pharmacist, pharmacist2, clerk_client
):
    """No page visit between the API and the 837P: the details sent are the ones exported."""
    client = Client()
    created = post(
        client, ORDERS, {**seed_order(), "claim": CLAIM}, **bearer(issue_token(pharmacist))
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    verified = post(
        client,
        reverse("api:order-verify", kwargs={"pk": pk}),
        {},
        **bearer(issue_token(pharmacist2)),
    )
    assert verified.status_code == 200, verified.content

    exported = clerk_client.post(reverse("calculator:claim-exports"), {"orders": [str(pk)]})
    assert exported.status_code == 200
    assert exported["Content-Disposition"].startswith("attachment")
    text = exported.content.decode()
    assert_valid_837p(text)
    claim = read_claims(text)[0]
    assert claim["diagnosis"] == "G893"
    assert "HI*ABK:G893*ABF:C50911~" in text  # pointer 1 is the principal, whatever the order
    assert all(s.endswith("**1:2") for s in segments(text) if s.startswith("SV1*"))
    assert "NM1*IL*1*Kealoha*Leilani****MI*XHM123456789~" in text
    assert "NM1*PR*2*HMSA*****PI*990040115~" in text
    assert "REF*G1*AUTH-42~" in text
    order = Order.objects.get(pk=pk)
    assert order.patient_state == "HI" and order.authorization_units == 31


def test_patch_changes_only_the_fields_sent(make_claim_order, pharmacist):
    order = make_claim_order()
    client = Client()
    response = patch(
        client,
        claim_url(order.pk),
        {"member_id": "NEW-1", "authorization": {"units": 20}},
        **bearer(issue_token(pharmacist)),
    )
    assert response.status_code == 200, response.content
    order.refresh_from_db()
    assert order.member_id == "NEW-1" and order.authorization_units == 20
    assert order.patient_last_name == PATIENT["patient_last_name"]
    assert order.diagnosis_codes == "G893"


@pytest.mark.parametrize(
    ("sent", "saved"),
    [
        ([{"code": "g89.3"}, {"code": "C50.911"}, {"code": "Z45.2"}], "G893, C50911, Z452"),
        ([{"code": "C50.911", "pointer": 2}, {"code": "G89.3", "pointer": 1}], "G893, C50911"),
        ([{"code": "C50.911"}], "C50911"),
        ([], ""),
    ],
)
def test_diagnoses_are_saved_in_pointer_order(make_claim_order, pharmacist, sent, saved):
    """A pointer is the code's number on the claim (1: the principal); without one, its place
    in the list."""
    order = make_claim_order()
    response = patch(
        Client(), claim_url(order.pk), {"diagnosis_codes": sent}, **bearer(issue_token(pharmacist))
    )
    assert response.status_code == 200, response.content
    order.refresh_from_db()
    assert order.diagnosis_codes == saved


def test_twelve_diagnoses_are_kept(make_claim_order, pharmacist):
    order = make_claim_order()
    codes = [{"code": f"C50.9{n:02d}"} for n in range(12)]
    token = bearer(issue_token(pharmacist))
    response = patch(Client(), claim_url(order.pk), {"diagnosis_codes": codes}, **token)
    assert response.status_code == 200, response.content
    order.refresh_from_db()
    assert len(order.diagnosis_list) == 12


@pytest.mark.parametrize(
    ("sent", "errors"),
    [
        ({"payer_id": "000000000"}, {"payer_id": ['no active payer has the payer ID "000000000"']}),
        (
            {"diagnosis_codes": [{"code": "ZZ", "pointer": 1}]},
            {"diagnosis_codes.0.code": ['"ZZ" is not an ICD-10-CM code such as G89.3']},
        ),
        (
            {"authorization": {"units": 2**31}},
            {"authorization.units": ["Ensure this value is less than or equal to 100000."]},
        ),
        (
            {"authorization": {"start": "2026-02-01", "end": "2026-01-01"}},
            {"authorization.end": ["the authorization ends before it starts"]},
        ),
        (
            {"patient": {"birth_date": "1958-13-45"}},
            {"patient.birth_date": ["Enter a valid date."]},
        ),
        ({"patient": {"zip": "123"}}, {"patient.zip": ["a 5-digit ZIP or ZIP+4"]}),
        (
            {"diagnosis_codes": [{"code": "G89.3"}, {"code": "C50.911"}, {"code": "g893"}]},
            {"diagnosis_codes.2.code": ["G893 is already diagnosis 1"]},
        ),
        (
            {"diagnosis_codes": [{"code": "G89.3"}, {"code": "C50.911", "pointer": 3}]},
            {"diagnosis_codes.1.pointer": ["a pointer from 1 to 2 (the number of codes sent)"]},
        ),
        (
            {"diagnosis_codes": [{"code": "G89.3", "pointer": 0}]},
            {"diagnosis_codes.0.pointer": ["a pointer from 1 to 1 (the number of codes sent)"]},
        ),
        (
            {"diagnosis_codes": [{"code": "G89.3"}, {"code": "C50.911", "pointer": 1}]},
            {"diagnosis_codes.1.pointer": ["pointer 1 is already diagnosis_codes.0"]},
        ),
        (
            {"diagnosis_codes": [{"code": f"C50.9{n:02d}"} for n in range(13)]},
            {"diagnosis_codes": ["at most 12 diagnosis codes on a claim, not 13"]},
        ),
        (
            {"diagnosis_codes": [{"code": "C50.911", "pointer": 2}, {"code": "ZZ", "pointer": 1}]},
            {"diagnosis_codes.1.code": ['"ZZ" is not an ICD-10-CM code such as G89.3']},
        ),
    ],
)
def test_bad_details_are_field_errors_and_nothing_changes(
    make_claim_order, pharmacist, sent, errors
):
    order = make_claim_order()
    before = Order.objects.filter(pk=order.pk).values().get()
    response = patch(Client(), claim_url(order.pk), sent, **bearer(issue_token(pharmacist)))
    assert response.status_code == 400
    assert response.json() == {"errors": errors}
    assert Order.objects.filter(pk=order.pk).values().get() == before


def test_an_order_with_bad_details_is_not_saved_at_all(prices, payer, pharmacist):
    bad = {**CLAIM, "diagnosis_codes": [{"code": "12345", "pointer": 1}]}
    response = post(
        Client(), ORDERS, {**seed_order(), "claim": bad}, **bearer(issue_token(pharmacist))
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["claim.diagnosis_codes.0.code"]
    assert Order.objects.count() == 0


def test_an_inactive_payer_is_unknown_and_a_billed_order_is_closed(
    make_claim_order, pharmacist, clerk
):
    from calculator import services

    Payer.objects.create(name="Old", payer_id="11111", active=False)
    order = make_claim_order()
    token = bearer(issue_token(pharmacist))
    assert patch(Client(), claim_url(order.pk), {"payer_id": "11111"}, **token).status_code == 400
    services.order_mark_billed(order=order, billed_by=clerk)
    response = patch(Client(), claim_url(order.pk), {"member_id": "X"}, **token)
    assert response.status_code == 409


def test_patch_needs_the_claim_details_permission(make_claim_order, administrator):
    order = make_claim_order()
    response = patch(
        Client(), claim_url(order.pk), {"member_id": "X"}, **bearer(issue_token(administrator))
    )
    assert response.status_code == 403


def test_the_openapi_schema_documents_the_claim_details(client_for, pharmacist):
    schema = client_for(pharmacist).get(reverse("api:openapi-json")).json()
    patch_claim = schema["paths"]["/api/v1/orders/{pk}/claim"]["patch"]
    assert set(patch_claim["responses"]) >= {"200", "400", "403", "404", "409"}
    fields = schema["components"]["schemas"]["ClaimDetailsIn"]["properties"]
    assert set(fields) == {"payer_id", "member_id", "patient", "diagnosis_codes", "authorization"}
    assert "claim" in schema["components"]["schemas"]["OrderIn"]["properties"]
