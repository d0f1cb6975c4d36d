"""The drug rows' product box (issue 9): the combobox's server side (calculator:product-options),
the no-JavaScript way (Find, then a listed product's button), the chosen product's name on a
re-rendered form, hostile search text on the page endpoint and the API, and a form whose size
does not grow with the catalog."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from calculator.models import DrugProduct
from calculator.selectors.catalog import SearchTermError, product_search
from tests.conftest import SEED_NDC11
from tests.helpers import field_errors
from tests.web.test_order_pages import drug_row, order_form

MORPHINE_LABEL = "Morphine sulfate 25 mg/mL - NDC 00074-1133-03"
OPTIONS = reverse("calculator:product-options")
API_PRODUCTS = "/api/v1/products"


@pytest.fixture
def pharmacist_client(catalog, pharmacist, client_for):
    return client_for(pharmacist)


def options(client, text: str, row: int = 0):
    return client.get(OPTIONS, {f"drugs-{row}-product_search": text})


def option_labels(html: str) -> list[str]:
    return re.findall(r'role="option"[^>]*data-label="([^"]*)"', html)


# --- The combobox's options ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["morph 25", "00074-1133-03", "0074-1133-03", "00074113303", "0074113303"]
)
def test_the_seed_product_is_the_first_option_for_its_name_words_and_each_ndc_form(
    pharmacist_client, text
):
    response = options(pharmacist_client, text)
    assert response.status_code == 200
    assert option_labels(response.text)[0] == MORPHINE_LABEL
    pk = DrugProduct.objects.get(ndc=SEED_NDC11).pk
    assert f'id="drugs-0-product-option-{pk}"' in response.text
    assert f'data-product="{pk}"' in response.text


def test_options_need_two_characters_and_are_at_most_20(pharmacist_client):
    assert options(pharmacist_client, "m").text.strip() == ""
    for number in range(30):
        DrugProduct.objects.create(
            ndc=f"99999{number:04d}01", name=f"Morphine test {number:02d}", concentration="1 mg/mL"
        )
    assert len(option_labels(options(pharmacist_client, "morphine").text)) == 20


def test_no_match_is_one_option_that_cannot_be_chosen(pharmacist_client):
    response = options(pharmacist_client, "zzzz")
    assert response.status_code == 200
    assert 'aria-disabled="true"' in response.text
    assert option_labels(response.text) == []


def test_options_for_an_unknown_row_or_without_the_permission_are_refused(
    pharmacist_client, clerk, client_for
):
    assert pharmacist_client.get(OPTIONS, {"x-product_search": "morph"}).status_code == 400
    assert pharmacist_client.get(OPTIONS, {"drugs-999-product_search": "mo"}).status_code == 400
    assert pharmacist_client.get(OPTIONS).status_code == 400
    assert options(client_for(clerk), "morph").status_code == 403


# --- Hostile search text: 200 with zero or more matches, or 400; never 500 ---------------------

HOSTILE_OK = [
    "%",
    "%%",
    "_",
    "__",
    "%_%",
    "\\",
    "' OR 1=1 --",
    "'; DROP TABLE calculator_drugproduct; --",
    "<script>alert(1)</script>",
    "ünïcødé ☃ 𝟓 中文",
    "x" * 100,
    "a " * 50,
]
HOSTILE_REFUSED = ["\x00", "morph\x00", "\x1b[31m", "x" * 101, "x" * 10_000, "\ud800", "a\udfffb"]


@pytest.mark.parametrize("text", HOSTILE_OK)
def test_hostile_but_printable_text_answers_200_on_the_page_endpoint_and_the_api(
    pharmacist_client, text
):
    assert options(pharmacist_client, text).status_code == 200
    response = pharmacist_client.get(API_PRODUCTS, {"q": text})
    assert response.status_code == 200
    assert isinstance(response.json(), list)


def test_like_wildcards_match_only_themselves(pharmacist_client):
    """% and _ are plain characters: "%" finds only products whose text holds a percent sign."""
    found = pharmacist_client.get(API_PRODUCTS, {"q": "%"}).json()
    assert found and all("%" in p["name"] + p["labeler"] + p["concentration"] for p in found)
    assert pharmacist_client.get(API_PRODUCTS, {"q": "_"}).json() == []


@pytest.mark.parametrize("text", HOSTILE_REFUSED)
def test_control_characters_surrogates_and_overlong_text_answer_400(pharmacist_client, text):
    pharmacist_client.raise_request_exception = False
    # The test client cannot encode a lone surrogate; a browser would send it as bytes that are
    # not UTF-8, read as U+FFFD (a printable character) by Django: see the test below.
    query = {"q": text} if "\ud800" not in text and "\udfff" not in text else None
    if query is None:
        with pytest.raises(SearchTermError):
            product_search(text, limit=20)
        return
    assert options(pharmacist_client, text).status_code == 400
    response = pharmacist_client.get(API_PRODUCTS, query)
    assert response.status_code == 400
    assert "q" in response.json()["errors"]


@pytest.mark.parametrize("raw", ["%ED%A0%80", "%FF%FE", "%00", "%C0%80", "morph%ED%B0%80"])
def test_bytes_that_are_not_utf8_in_the_query_string_never_crash(pharmacist_client, raw):
    pharmacist_client.raise_request_exception = False
    page = pharmacist_client.get(OPTIONS, QUERY_STRING=f"drugs-0-product_search={raw}")
    api = pharmacist_client.get(API_PRODUCTS, QUERY_STRING=f"q={raw}")
    assert page.status_code in {200, 400}
    assert api.status_code in {200, 400}


# --- The order form ----------------------------------------------------------------------------


def test_the_form_has_a_combobox_and_the_hidden_product_id_not_a_select(pharmacist_client):
    html = pharmacist_client.get(reverse("calculator:order-new")).text
    assert '<select name="drugs-0-product"' not in html
    assert 'type="hidden" name="drugs-0-product" id="id_drugs-0-product"' in html
    assert 'role="combobox"' in html
    assert 'aria-controls="drugs-0-product-listbox"' in html
    assert 'aria-expanded="false"' in html
    assert 'id="drugs-0-product-listbox" role="listbox"' in html
    assert '<label for="id_drugs-0-product_search"' in html
    assert "js/combobox" in html


def test_a_re_rendered_form_shows_the_chosen_product_in_the_box(pharmacist_client):
    """After a validation error and after "Add another drug", the box names the chosen product."""
    invalid = pharmacist_client.post(
        reverse("calculator:order-new"), order_form(patient_reference="")
    )
    assert invalid.status_code == 400
    assert f'value="{MORPHINE_LABEL}"' in invalid.text
    pk = DrugProduct.objects.get(ndc=SEED_NDC11).pk
    assert f'name="drugs-0-product" id="id_drugs-0-product" value="{pk}"' in invalid.text

    added = pharmacist_client.post(reverse("calculator:order-new"), order_form(action="add-drug"))
    assert added.status_code == 200
    assert added.text.count('class="drug-row') == 2
    assert f'value="{MORPHINE_LABEL}"' in added.text
    assert 'name="drugs-1-product" id="id_drugs-1-product" value=""' in added.text


def test_without_javascript_find_lists_matches_and_a_button_chooses_one(pharmacist_client):
    """Type in the box, press Find (or Enter): the matches are buttons; one sets the product,
    its name in the box and its labelled concentration, keeping what else was typed."""
    data = order_form(
        drug_row(0, product="", concentration="", **{"product_search": "0074113303"}),
        patient_reference="ACC-9",
        action="find-product",
    )
    found = pharmacist_client.post(reverse("calculator:order-new"), data)
    assert found.status_code == 200
    pk = DrugProduct.objects.get(ndc=SEED_NDC11).pk
    button = f'name="action" value="choose-product:drugs-0:{pk}"'
    assert button in found.text
    assert "invalid-feedback" not in found.text  # nothing judged yet

    data["action"] = f"choose-product:drugs-0:{pk}"
    chosen = pharmacist_client.post(reverse("calculator:order-new"), data)
    assert chosen.status_code == 200
    assert f'name="drugs-0-product" id="id_drugs-0-product" value="{pk}"' in chosen.text
    assert f'value="{MORPHINE_LABEL}"' in chosen.text
    assert 'name="drugs-0-concentration" value="25 mg/mL"' in chosen.text
    assert 'value="ACC-9"' in chosen.text
    assert "choose-product:" not in chosen.text  # the list is gone once chosen

    data.update(
        {"action": "save", "drugs-0-product": str(pk), "drugs-0-product_search": MORPHINE_LABEL}
    )
    data["drugs-0-concentration"] = "25 mg/mL"
    assert pharmacist_client.post(reverse("calculator:order-new"), data).status_code == 302


def test_find_says_when_nothing_matches_or_the_text_is_refused(pharmacist_client):
    for text, said in [("zzzz", "No active product matches"), ("x" * 200, "at most 100")]:
        data = order_form(drug_row(0, product="", product_search=text), action="find-product")
        response = pharmacist_client.post(reverse("calculator:order-new"), data)
        assert response.status_code == 200
        assert said in response.text


def test_a_tampered_choice_never_crashes(pharmacist_client):
    for choice in ["x", "drugs-0:", "drugs-0:abc", "drugs-99999:1", "drugs-0:99999999", "::"]:
        data = order_form(action=f"choose-product:{choice}")
        assert pharmacist_client.post(reverse("calculator:order-new"), data).status_code == 200


def test_text_typed_over_a_chosen_product_without_choosing_is_refused_beside_it(
    pharmacist_client,
):
    data = order_form(drug_row(0, product_search="fentanyl"))
    response = pharmacist_client.post(reverse("calculator:order-new"), data)
    assert response.status_code == 400
    assert any("is not the chosen product" in e for e in field_errors(response.text, "product", 0))
    ok = order_form(drug_row(0, product_search=MORPHINE_LABEL))
    assert pharmacist_client.post(reverse("calculator:order-new"), ok).status_code == 302


def test_a_row_without_a_product_says_how_to_choose_one(pharmacist_client):
    data = order_form(drug_row(0, product="", product_search="morph"))
    response = pharmacist_client.post(reverse("calculator:order-new"), data)
    assert response.status_code == 400
    assert field_errors(response.text, "product", 0) == [
        "Choose a product: type part of its name or NDC"
    ]


def test_the_order_form_does_not_grow_with_the_catalog(pharmacist_client):
    """13 products or 513: the form and "Add another drug" are the same size within 1%."""
    new = reverse("calculator:order-new")
    small = (len(pharmacist_client.get(new).content), len(_add(pharmacist_client).content))
    DrugProduct.objects.bulk_create(
        DrugProduct(ndc=f"88888{n:04d}01", name=f"Bulk product {n}", concentration="1 mg/mL")
        for n in range(500)
    )
    large = (len(pharmacist_client.get(new).content), len(_add(pharmacist_client).content))
    for before, after in zip(small, large, strict=True):
        assert abs(after - before) <= before // 100, (small, large)
    assert large[0] < 100_000


def _add(client):
    return client.post(reverse("calculator:order-new"), order_form(action="add-drug"))
