"""The per-worker catalog and permission caches (models/versions.py): every write path gives a
new stamp in its own transaction, a cached answer is never served after a change, and a
calculation costs a small constant number of queries."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.db import transaction
from django.forms.models import model_to_dict
from django.test import override_settings
from django.urls import reverse

from calculator.domain.errors import InvalidOrder
from calculator.models import (
    BillingProfile,
    BillingProvider,
    DrugProduct,
    HcpcsCode,
    Payer,
    PriceListEntry,
    versions,
)
from calculator.roles import PHARMACIST
from calculator.selectors.catalog import DatabaseCatalog, active_product, active_profile
from calculator.services import api_tokens
from calculator.web.forms import OrderEntry
from tests.conftest import SEED_NDC11, SEED_ORDER, SEED_PROFILE
from tests.helpers import PACKAGE, PRODUCT
from tests.web.test_order_pages import order_form

CALCULATE = {k: v for k, v in SEED_ORDER.items() if k != "patient_reference"}


def catalog_stamp() -> str | None:
    return versions.read_versions().catalog


def access_stamp() -> str | None:
    return versions.read_versions().access


def seed_product() -> DrugProduct:
    return DrugProduct.objects.get(ndc=SEED_NDC11)


def admin_post(client, instance, **changes: Any):
    """POST the admin change form of `instance` as an administrator would, with `changes`."""
    data = {}
    for name, value in {**model_to_dict(instance), **changes}.items():
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    meta = instance._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[instance.pk])
    return client.post(url, {**data, "_save": "Save"})


# --- Every catalog write path gives a new catalog stamp ----------------------------------------


def _orm_save() -> None:
    product = seed_product()
    product.concentration = "50 mg/mL"
    product.save()


def _orm_delete() -> None:
    DrugProduct.objects.filter(ndc=SEED_NDC11).delete()


def _queryset_update() -> None:
    DrugProduct.objects.filter(ndc=SEED_NDC11).update(concentration="50 mg/mL")


def _bulk_create() -> None:
    DrugProduct.objects.bulk_create(
        [DrugProduct(ndc="99999000101", name="Test drug", concentration="1 mg/mL")]
    )


def _bulk_update() -> None:
    product = seed_product()
    product.concentration = "50 mg/mL"
    DrugProduct.objects.bulk_update([product], ["concentration"])


def _hcpcs_save() -> None:
    code = HcpcsCode.objects.get(code="J2270")
    code.billing_unit = "5 mg"
    code.save()


def _profile_save() -> None:
    profile = BillingProfile.objects.get(name=SEED_PROFILE)
    profile.ndc_quantity_decimals = 2
    profile.save()


def _price_create() -> None:
    profile = BillingProfile.objects.get(name=SEED_PROFILE)
    PriceListEntry.objects.create(profile=profile, code="S9325", unit_price=Decimal("80.00"))


def _payer_create() -> None:
    Payer.objects.create(name="Test payer", payer_id="12345")


def _provider_create() -> None:
    BillingProvider.objects.create(
        name="Test pharmacy",
        npi="1234567893",
        tax_id="123456789",
        address="1 Main St",
        city="Honolulu",
        state="HI",
        zip_code="968130000",
        contact_name="Test",
        contact_phone="8085550100",
    )


def _seed_demo() -> None:
    with override_settings(DEBUG=True):  # demo users are for development only
        call_command("seed_demo", stdout=io.StringIO())


def _import_ndc() -> None:
    call_command(
        "import_ndc", "--product", str(PRODUCT), "--package", str(PACKAGE), stdout=io.StringIO()
    )


def _import_hcpcs() -> None:
    sample = PRODUCT.parent / "hcpcs_sample.txt"
    call_command("import_hcpcs", str(sample), stdout=io.StringIO())


WRITES: dict[str, Callable[[], None]] = {
    "product saved": _orm_save,
    "product deleted": _orm_delete,
    "QuerySet.update": _queryset_update,
    "bulk_create": _bulk_create,
    "bulk_update": _bulk_update,
    "HCPCS code saved": _hcpcs_save,
    "billing profile saved": _profile_save,
    "price list entry added": _price_create,
    "payer added": _payer_create,
    "billing provider added": _provider_create,
    "seed_demo": _seed_demo,
    "import_ndc": _import_ndc,
    "import_hcpcs": _import_hcpcs,
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_catalog_write_gives_a_new_catalog_stamp(catalog, write):
    before = catalog_stamp()
    assert before
    write()
    assert catalog_stamp() not in {None, before}


def test_seed_catalog_gives_a_new_catalog_stamp(db):
    before = catalog_stamp()
    call_command("seed_catalog", verbosity=0, stdout=io.StringIO())
    assert catalog_stamp() not in {None, before}


def test_the_stamp_is_written_by_the_writes_own_transaction(catalog):
    """Inside the transaction the stamp is already new; a rollback takes both back."""
    before = catalog_stamp()
    with pytest.raises(RuntimeError), transaction.atomic():
        _orm_save()
        inside = catalog_stamp()
        raise RuntimeError("the write fails after the save")
    assert inside != before
    assert catalog_stamp() == before
    assert seed_product().concentration == "25 mg/mL"


def test_a_stamp_rolled_back_is_never_served_with_other_data(catalog):
    """A read inside a transaction that rolls back caches under a stamp nobody else sees."""
    with pytest.raises(RuntimeError), transaction.atomic():
        _orm_save()
        assert DatabaseCatalog().product(SEED_NDC11).concentration == "50 mg/mL"
        raise RuntimeError
    assert DatabaseCatalog().product(SEED_NDC11).concentration == "25 mg/mL"


# --- The admin -----------------------------------------------------------------------------------


def test_an_admin_save_is_used_by_the_next_calculation(catalog, administrator, client_for):
    assert DatabaseCatalog().product(SEED_NDC11).concentration == "25 mg/mL"  # cached
    before = catalog_stamp()
    answer = admin_post(client_for(administrator), seed_product(), concentration="50 mg/mL")
    assert answer.status_code == 302, answer.content[:2000]
    assert catalog_stamp() != before
    assert DatabaseCatalog().product(SEED_NDC11).concentration == "50 mg/mL"
    assert active_product(seed_product().pk).concentration == "50 mg/mL"


def test_an_admin_bulk_delete_is_seen_at_once(catalog, administrator, client_for):
    product = seed_product()
    assert DatabaseCatalog().product(SEED_NDC11) is not None
    assert active_product(product.pk) is not None
    answer = client_for(administrator).post(
        reverse("admin:calculator_drugproduct_changelist"),
        {"action": "delete_selected", "_selected_action": [product.pk], "post": "yes"},
    )
    assert answer.status_code == 302
    assert not DrugProduct.objects.filter(pk=product.pk).exists()
    assert DatabaseCatalog().product(SEED_NDC11) is None
    assert active_product(product.pk) is None


def test_an_admin_price_list_inline_is_priced_at_once(catalog, administrator, client_for):
    profile = BillingProfile.objects.get(name=SEED_PROFILE)
    assert DatabaseCatalog().prices(profile.pk) == {}
    inline = {
        "prices-TOTAL_FORMS": "1",
        "prices-INITIAL_FORMS": "0",
        "prices-MIN_NUM_FORMS": "0",
        "prices-MAX_NUM_FORMS": "1000",
        "prices-0-code": "S9325",
        "prices-0-ndc": "",
        "prices-0-unit_price": "80.00",
    }
    answer = admin_post(client_for(administrator), profile, **inline)
    assert answer.status_code == 302, answer.content[:3000]
    assert DatabaseCatalog().prices(profile.pk) == {("S9325", ""): Decimal("80.00")}


def test_a_profile_made_inactive_is_not_found_at_once(catalog):
    assert DatabaseCatalog().policy(SEED_PROFILE) is not None
    assert active_profile(SEED_PROFILE) is not None
    BillingProfile.objects.filter(name=SEED_PROFILE).update(active=False)
    assert DatabaseCatalog().policy(SEED_PROFILE) is None
    assert active_profile(SEED_PROFILE) is None


def test_a_cached_instance_is_a_fresh_copy_each_time(catalog):
    first = active_product(seed_product().pk)
    first.concentration = "changed by a caller"
    first.hcpcs.billing_unit = "changed too"
    again = active_product(seed_product().pk)
    assert again.concentration == "25 mg/mL"
    assert again.hcpcs.billing_unit == seed_product().hcpcs.billing_unit


# --- Permissions ---------------------------------------------------------------------------------


ACCESS_WRITES: dict[str, Callable[[User], None]] = {
    "user removed from the group": lambda user: user.groups.clear(),
    "group removed from the user's side": lambda user: Group.objects.get(
        name=PHARMACIST
    ).user_set.remove(user),
    "permission taken from the group": lambda user: Group.objects.get(
        name=PHARMACIST
    ).permissions.remove(Permission.objects.get(codename="view_order")),
    "group deleted": lambda user: Group.objects.filter(name=PHARMACIST).delete(),
    "permission deleted": lambda user: Permission.objects.filter(codename="view_order").delete(),
}


@pytest.mark.parametrize("write", ACCESS_WRITES.values(), ids=ACCESS_WRITES.keys())
def test_a_permission_change_is_used_by_the_next_request(catalog, pharmacist, client_for, write):
    client = client_for(pharmacist)
    assert client.get(reverse("calculator:order-list")).status_code == 200  # cached now
    before = access_stamp()
    write(pharmacist)
    assert access_stamp() != before
    assert client.get(reverse("calculator:order-list")).status_code == 403


def test_a_permission_given_is_used_by_the_next_request(catalog, pharmacist, client_for):
    client = client_for(pharmacist)
    assert client.get(reverse("calculator:claim-summary")).status_code == 403
    pharmacist.user_permissions.add(Permission.objects.get(codename="view_claim_summary"))
    assert client.get(reverse("calculator:claim-summary")).status_code == 200


def test_a_superuser_flag_is_part_of_the_cache_key(catalog, pharmacist, client_for):
    client = client_for(pharmacist)
    assert client.get(reverse("calculator:claim-summary")).status_code == 403
    User.objects.filter(pk=pharmacist.pk).update(is_superuser=True)
    assert client.get(reverse("calculator:claim-summary")).status_code == 200


# --- Queries per request -------------------------------------------------------------------------


def token_client(user: User):
    from django.test import Client

    token = api_tokens.token_issue(user=user)
    return Client(headers={"Authorization": f"Bearer {token}"})


def api_calculate(client):
    return client.post(reverse("api:calculate"), json.dumps(CALCULATE), "application/json")


def test_calculate_through_the_api_costs_one_query(catalog, pharmacist, django_assert_num_queries):
    client = token_client(pharmacist)
    assert api_calculate(client).status_code == 200
    # The token, with its user and the stamps (one indexed query); the catalog is in memory.
    with django_assert_num_queries(1):
        answer = api_calculate(client)
    assert answer.status_code == 200
    assert answer.json()["drugs"][0]["total_volume"]["value"] == "148.8"


def test_the_stamps_the_token_query_reads_are_the_current_ones(catalog, pharmacist):
    """A catalog or permission change between two calls is used by the second: the stamps come
    with the token, not from a memory of the last call."""
    client = token_client(pharmacist)
    assert api_calculate(client).json()["drugs"][0]["total_volume"]["value"] == "148.8"
    product = seed_product()
    product.concentration = "50 mg/mL"
    product.save()
    assert api_calculate(client).json()["drugs"][0]["total_volume"]["value"] == "74.4"
    for group in pharmacist.groups.all():
        group.permissions.remove(
            *Permission.objects.filter(codename__in=["view_order", "add_order"])
        )
    assert api_calculate(client).status_code == 403


def test_the_preview_costs_three_queries(
    catalog, pharmacist, client_for, django_assert_num_queries
):
    client = client_for(pharmacist)
    url = reverse("calculator:order-preview")
    data = order_form()
    assert client.post(url, data).status_code == 200
    # The session, its user and the stamps.
    with django_assert_num_queries(3):
        answer = client.post(url, data)
    assert answer.status_code == 200
    assert "148.8" in answer.content.decode()


def test_the_stamps_are_read_once_a_request_however_often_used(catalog, pharmacist, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(pharmacist)
    url = reverse("calculator:order-preview")
    client.post(url, order_form())
    with CaptureQueriesContext(connection) as queries:
        client.post(url, order_form())
    reads = [q for q in queries.captured_queries if "calculator_catalogversion" in q["sql"]]
    assert len(reads) == 1


def test_outside_a_request_each_catalog_reads_the_stamp_again(catalog):
    """The CLI and the services outside a request keep no stamp between calculations."""
    from calculator import engine

    first = engine.calculate_request(CALCULATE, DatabaseCatalog())
    assert first.lines
    DrugProduct.objects.filter(ndc=SEED_NDC11).update(active=False)
    with pytest.raises(InvalidOrder) as refused:
        engine.calculate_request(CALCULATE, DatabaseCatalog())
    # Not in the catalog any more: the engine asks for the concentration it no longer knows.
    assert "drugs.0.concentration" in refused.value.errors


@pytest.mark.parametrize("value", ["HM\x00SA", "HM\ud800SA", "hmsa", "x" * 10_000])
def test_a_profile_the_cache_does_not_hold_is_a_field_error(catalog, value):
    entry = OrderEntry(order_form(profile=value))
    assert not entry.is_valid()
    assert "profile" in entry.form.errors


@pytest.mark.parametrize("value", ["1\x00", "\ud800", "-1", "99999999999999999999", "1.0"])
def test_a_product_the_cache_does_not_hold_is_a_field_error(catalog, value):
    entry = OrderEntry(order_form(**{"drugs-0-product": value}))
    assert not entry.is_valid()
    assert "product" in entry.drugs.forms[0].errors
