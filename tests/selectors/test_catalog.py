"""The engine's view of the database (calculator/selectors/catalog.py): DatabaseCatalog finds
active products and profiles only, with their HCPCS descriptor units; product search."""

from __future__ import annotations

import pytest

from calculator.domain.billing import Rounding
from calculator.models import BillingProfile, DrugProduct
from calculator.selectors.catalog import DatabaseCatalog, product_search
from tests.conftest import SEED_CONCENTRATION, SEED_NDC11

HYDROMORPHONE = "00409263450"  # hydromorphone HPF 10 mg/mL, J1171 per 0.1 mg


def test_a_product_is_found_by_its_11_digit_ndc_with_its_code_and_limits(catalog):
    product = DatabaseCatalog().product(SEED_NDC11)
    assert product is not None
    assert (product.name, product.concentration, product.ndc_unit) == (
        "Morphine sulfate",
        SEED_CONCENTRATION,
        "ML",
    )
    assert (product.hcpcs, product.hcpcs_unit) == ("J2270", "10 mg")
    assert product.product_id == DrugProduct.objects.get(ndc=SEED_NDC11).pk
    assert product.limits().maximum is not None


def test_an_inactive_product_is_not_found(catalog):
    DrugProduct.objects.filter(ndc=SEED_NDC11).update(active=False)
    found = DatabaseCatalog()
    assert found.product(SEED_NDC11) is None
    assert [p.ndc for p in found.products_among((SEED_NDC11, HYDROMORPHONE))] == [HYDROMORPHONE]
    assert SEED_NDC11 not in {p.ndc for p in product_search("Morphine", limit=50)}


def test_an_unknown_ndc_or_code_is_not_found(catalog):
    found = DatabaseCatalog()
    assert found.product("99999999999") is None
    assert found.hcpcs_unit("J2270") == "10 mg"
    assert found.hcpcs_unit("X0000") is None


def test_a_profile_is_found_by_name_in_any_case_unless_inactive(catalog):
    found = DatabaseCatalog()
    assert found.policy("hmsa").rounding == Rounding.HALF_UP
    assert found.policy("STANDARD").rounding == Rounding.UP
    BillingProfile.objects.filter(name="HMSA").update(active=False)
    assert found.policy("HMSA") is None
    assert found.policy("NO SUCH PROFILE") is None


@pytest.mark.parametrize(
    ("fragment", "name"),
    [("morphine", "Morphine sulfate"), ("hydromorphone", "Hydromorphone HCl injection")],
)
def test_the_lookalike_partner_is_an_active_product_of_that_drug(catalog, fragment, name):
    partner = DatabaseCatalog().lookalike(fragment)
    assert partner is not None and partner.name.startswith(name)


def test_morphine_never_finds_hydromorphone_whose_name_contains_it(catalog):
    morphine = DrugProduct.objects.filter(name__icontains="morphine").exclude(
        name__icontains="hydromorphone"
    )
    morphine.update(active=False)
    assert DatabaseCatalog().lookalike("hydromorphone") is not None
    assert DatabaseCatalog().lookalike("morphine") is None


def test_product_search_reads_ndc_digits_with_or_without_hyphens(catalog):
    assert [p.ndc for p in product_search("0074-1133", limit=5)] == [SEED_NDC11]
    assert [p.ndc for p in product_search("00741133", limit=5)] == [SEED_NDC11]
    assert len(product_search("", limit=3)) == 3
