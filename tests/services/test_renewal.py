"""Renew for the next period (issue 15 point 3)."""

import pytest

from calculator import services
from calculator.domain.errors import InvalidOrder
from calculator.models import DrugProduct, HcpcsCode, Order, PriceListEntry
from tests.conftest import seed_order


@pytest.fixture
def verified(catalog, pharmacist, pharmacist2):
    def make(request=None):
        order = services.order_create(created_by=pharmacist, request_data=request or seed_order())
        return services.order_verify(order=order, verified_by=pharmacist2)

    return make


def test_renewing_januarys_seed_order_makes_a_february_draft_of_28_days(verified, pharmacist):
    january = verified()
    renewed = services.order_renew(order=january, created_by=pharmacist)
    draft = renewed.draft
    assert (draft.status, draft.start_date.isoformat(), draft.end_date.isoformat(), draft.days) == (
        Order.Status.DRAFT,
        "2026-02-01",
        "2026-02-28",
        28,
    )
    assert draft.patient == january.patient
    assert [(line.code, line.units) for line in draft.lines.all()] == [
        ("S9325", 28),
        ("J3490", 134),  # 4.8 mL x 28 = 134.4 mL, rounded off
    ]
    assert renewed.changes == ()


def test_a_titrated_drug_renews_at_its_latest_rate(verified, pharmacist):
    request = seed_order()
    request["drugs"][0]["rate_changes"] = [{"from": "2026-01-11", "rate": "7 mg/hr"}]
    draft = services.order_renew(order=verified(request), created_by=pharmacist).draft
    drug = draft.drugs.get()
    assert drug.rate == "7 mg/hr"
    assert "rate_changes" not in draft.request["drugs"][0]
    assert drug.total_volume_ml == "188.16"  # 6.72 mL x 28


def test_a_pca_drug_renews_with_its_bolus_and_lockout(verified, pharmacist):
    request = seed_order()
    request["drugs"][0].update(bolus="1 mg", boluses_per_day=12, lockout="10 min")
    draft = services.order_renew(order=verified(request), created_by=pharmacist).draft
    drug = draft.drugs.get()
    assert (drug.bolus, drug.boluses_per_day, drug.lockout) == ("1 mg", 12, "10 min")


def test_a_period_that_is_not_a_month_renews_for_the_same_number_of_days(verified, pharmacist):
    order = verified(seed_order(start="2026-01-17", end="2026-02-16"))
    draft = services.order_renew(order=order, created_by=pharmacist).draft
    assert (str(draft.start_date), str(draft.end_date), draft.days) == (
        "2026-02-17",
        "2026-03-19",
        31,
    )


def test_what_changed_in_the_catalog_and_the_prices_is_said_before_saving(
    verified, prices, pharmacist
):
    january = verified()
    DrugProduct.objects.filter(ndc="00074113303").update(concentration="50 mg/mL")
    PriceListEntry.objects.filter(code="S9325").update(unit_price="160.00")
    renewal = services.renewal_of(january)
    assert renewal.changes == (
        "Morphine sulfate: the concentration is now 50 mg/mL (was 25 mg/mL)",
        "S9325: the price is now 160.00 (was 150.00)",
    )
    assert Order.objects.count() == 1  # nothing saved yet
    draft = services.order_renew(order=january, created_by=pharmacist).draft
    assert draft.drugs.get().daily_volume_ml == "2.4"  # 120 mg / 50 mg/mL, today's catalog


def test_a_code_change_is_said(verified, pharmacist):
    january = verified(seed_order(profile="STANDARD"))
    DrugProduct.objects.filter(ndc="00074113303").update(hcpcs=HcpcsCode.objects.get(code="J2274"))
    assert "the code is now J2274 (was J2270)" in services.renewal_of(january).changes[0]


def test_a_draft_or_void_order_cannot_be_renewed(saved_order, pharmacist):
    with pytest.raises(services.OrderStateError):
        services.order_renew(order=saved_order, created_by=pharmacist)
    assert Order.objects.count() == 1


def test_a_product_gone_from_the_catalog_is_a_field_error_and_nothing_is_saved(
    verified, pharmacist
):
    january = verified()
    DrugProduct.objects.filter(ndc="00074113303").update(active=False)
    with pytest.raises(InvalidOrder) as raised:
        services.order_renew(order=january, created_by=pharmacist)
    assert "drugs.0.concentration" in raised.value.errors or "drugs.0.ndc" in raised.value.errors
    assert Order.objects.count() == 1
