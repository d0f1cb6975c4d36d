"""The live preview judges the order form as saving it does: the same cleaned request, the same
field errors, although its forms share their field definitions instead of copying them."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from calculator.web.forms import IsoDateField, OrderEntry, ValidatedDrugFormSet
from tests.web.test_order_pages import drug_row, order_form


def _judged(data: dict[str, str], *, rendered: bool) -> tuple:
    post = QueryDict(mutable=True)
    post.update(data)
    entry = OrderEntry(post, rendered=rendered)
    valid = entry.is_valid()
    return (
        valid,
        entry.form.errors.get_json_data(),
        [form.errors.get_json_data() for form in entry.drugs.forms],
        list(entry.drugs.non_form_errors()),
        [entry.form.changed_data, *(form.changed_data for form in entry.drugs.forms)],
    )


BAD_POSTS = {
    "nothing typed": {"patient_reference": "", "hours_per_day": "", "start": "", "end": ""},
    "words for numbers": {"hours_per_day": "all day", "drugs-0-rate_value": "five"},
    "bad dates and choices": {"start": "2026-02-30", "therapy": "x", "profile": "Nobody"},
    "unknown product": {"drugs-0-product": "999999", "drugs-0-rate_unit": "mg/fortnight"},
    "bad row extras": {
        "drugs-0-boluses_per_day": "1٠",
        "drugs-0-weight_kg": "-3",
        "drugs-0-beyond_use_days": "0",
        "drugs-0-rate_changes": "soon 7 mg/hr",
        "drugs-0-reservoir": "abc",
    },
    "NUL in a choice": {"drugs-0-product": "1\x00", "secondary_profile": "a\x00b"},
    "no rows": {"drugs-TOTAL_FORMS": "0"},
    "a row left as it came": {
        "drugs-0-product": "",
        "drugs-0-concentration": "",
        **{f"drugs-0-{name}": "" for name in ("rate_value", "bolus_value", "weight_kg")},
    },
    "management form missing": {"drugs-TOTAL_FORMS": ""},
}


@pytest.mark.parametrize("changes", BAD_POSTS.values(), ids=BAD_POSTS.keys())
def test_the_preview_finds_the_errors_saving_finds(catalog, changes):
    data = {**order_form(drug_row(0)), **changes}
    judged = _judged(data, rendered=True)
    assert judged[0] is False
    assert _judged(data, rendered=False) == judged


def test_the_preview_reads_a_valid_order_as_saving_does(catalog):
    data = order_form(drug_row(0, bolus_value="1", boluses_per_day="4"), drug_row(1))
    data["drugs-TOTAL_FORMS"] = "2"
    entries = []
    for rendered in (True, False):
        post = QueryDict(mutable=True)
        post.update(data)
        entry = OrderEntry(post, rendered=rendered)
        assert entry.is_valid()
        entries.append(entry)
    assert entries[0].request_data() == entries[1].request_data()
    assert entries[0].dispensing_details() == entries[1].dispensing_details()


def _form_page(client) -> str:
    page = client.get(reverse("calculator:order-new")).content.decode()
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]*"', "", page)


def test_the_form_renders_the_same_after_many_previews(catalog, client_for, pharmacist):
    client = client_for(pharmacist)
    before = _form_page(client)
    for changes in BAD_POSTS.values():
        client.post(reverse("calculator:order-preview"), {**order_form(drug_row(0)), **changes})
    assert _form_page(client) == before


def _cleaned(field: forms.Field, value: object) -> object:
    try:
        return field.clean(value)
    except ValidationError as error:
        return ("refused", error.messages)


iso_like = st.builds(
    "{}{:04d}-{:02d}-{:02d}{}".format,
    st.sampled_from(["", " ", "\t"]),
    st.integers(0, 10000),
    st.integers(0, 13),
    st.integers(0, 32),
    st.sampled_from(["", " ", "T00:00", "x"]),
)


@given(st.text(max_size=14) | iso_like | st.sampled_from(["", None, "2026-1-31", "01/31/2026"]))
@example("2026-02-30")
@example("２０２６-01-31")
@example("20260131")
def test_an_iso_date_field_reads_every_text_as_djangos_date_field_does(value: object) -> None:
    """the quick read of a date input's "2026-01-31" gives the date, or the refusal, that
    Django's DateField gives, for any text."""
    assert _cleaned(IsoDateField(required=False), value) == _cleaned(
        forms.DateField(required=False), value
    )


@pytest.mark.parametrize(
    "row",
    [
        {},
        {"bolus_unit": "mg", "rate_unit": "mg/hr"},  # their initial values: not changed
        {"rate_value": "5"},
        {"weight_kg": " "},
        {"lockout_minutes": "10"},
    ],
)
def test_a_validated_rows_has_changed_is_whether_any_field_changed(catalog, row) -> None:
    """the validation-only drug row stops at the first changed field: the same answer as
    Django's bool(changed_data), which a formset uses to skip a blank extra row."""
    data = QueryDict(mutable=True)
    data.update({f"drugs-1-{key}": value for key, value in row.items()})
    form = ValidatedDrugFormSet.form(data, prefix="drugs-1")
    assert form.has_changed() == bool(form.changed_data)
