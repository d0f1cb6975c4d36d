"""The order form's widgets, written without Django's widget templates, are byte for byte what
those templates write: any value, any label, errors or not, every field of the order form."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from hypothesis import given
from hypothesis import strategies as st

from calculator.web.forms import DrugForm, OrderForm
from calculator.web.widget_html import widget_html
from tests.web.test_order_pages import drug_row, order_form

TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=12)


def _templated(widget: forms.Widget, name: str, value: object, attrs: dict) -> str:
    return widget.render(name, value, attrs=attrs)


def _written(widget: forms.Widget, name: str, value: object, attrs: dict) -> str | None:
    return widget_html(widget.get_context(name, value, attrs)["widget"])


@given(value=st.none() | TEXT, placeholder=TEXT, flag=st.booleans())
def test_inputs_and_text_areas(value, placeholder, flag):
    attrs = {"class": "textinput form-control", "placeholder": placeholder, "required": flag}
    for widget in (
        forms.TextInput(attrs={"maxlength": "20"}),
        forms.DateInput(attrs={"type": "date"}),
        forms.HiddenInput(),
        forms.CheckboxInput(),
        forms.Textarea(attrs={"rows": 2}),
    ):
        assert _written(widget, "drugs-0-x", value, attrs) == _templated(
            widget, "drugs-0-x", value, attrs
        )


@given(
    choices=st.lists(st.tuples(TEXT, TEXT), max_size=6),
    value=TEXT,
    grouped=st.booleans(),
)
def test_selects(choices, value, grouped):
    if grouped:
        choices = [("group <1>", choices), ("", "none")]
    widget = forms.Select(choices=choices)
    attrs = {"class": "select form-select", "aria-invalid": "true", "id": "id_x"}
    assert _written(widget, "x", value, attrs) == _templated(widget, "x", value, attrs)


def test_every_field_of_the_order_form_and_a_drug_row(catalog):
    post = QueryDict(mutable=True)
    post.update(
        order_form(drug_row(0, rate_value="five", rate_changes="a\nb <c>"), hours_per_day="x")
    )
    for form in (OrderForm(post), DrugForm(post, prefix="drugs-0")):
        assert form.errors  # the invalid styling and aria-describedby of errors too
        for field in form:
            widget = field.field.widget
            attrs = field.build_widget_attrs({"class": "x"}, widget)
            attrs["id"] = field.auto_id
            written = _written(widget, field.html_name, field.value(), attrs)
            assert written == _templated(widget, field.html_name, field.value(), attrs), field.name
