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


@pytest.mark.parametrize(
    "term", ["morph 25", "00074-1133-03", "0074-1133-03", "00074113303", "0074113303"]
)
def test_the_seed_product_comes_first_for_its_words_and_every_ndc_form(catalog, term):
    assert product_search(term, limit=20)[0].ndc == SEED_NDC11


def test_ranking_is_exact_ndc_then_name_prefix_then_contains_ties_by_name(catalog):
    DrugProduct.objects.create(ndc="99999000101", name="Zeta morphine", concentration="1 mg/mL")
    DrugProduct.objects.create(ndc="99999000201", name="Morphine alpha", concentration="1 mg/mL")
    DrugProduct.objects.create(
        ndc="99999000301", name="Aaa", labeler="Morphine Labs", concentration="1 mg/mL"
    )
    names = [p.name for p in product_search("morphine", limit=50)]
    starting = [n for n in names if n.lower().startswith("morphine")]
    assert names[: len(starting)] == starting == sorted(starting)
    assert names.index("Morphine alpha") < names.index("Aaa") < names.index("Zeta morphine")
    # An exact NDC leads even when a product named earlier holds its digits in its own NDC.
    DrugProduct.objects.create(ndc="10074113303", name="Aab", concentration="1 mg/mL")
    assert [p.ndc for p in product_search("0074113303", limit=50)] == [SEED_NDC11, "10074113303"]


def test_every_word_must_match_name_labeler_or_strength(catalog):
    assert {p.ndc for p in product_search("morph 25", limit=50)} >= {SEED_NDC11}
    found = product_search("morph 25", limit=50)
    assert all("25" in p.concentration or "25" in p.ndc for p in found)
    assert product_search("morph fentanyl", limit=50) == []
