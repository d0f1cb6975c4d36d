"""The order form and its drug rows: text in, the engine's request dict out. No arithmetic here:
the engine reads the request exactly as it reads the API's and the CLI's, and its field errors
are put back beside the fields they are about."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.forms.formsets import ManagementForm
from django.forms.utils import ErrorDict
from django.utils.functional import cached_property

from calculator.domain.billing import DEFAULT_PROFILE, PUMP_CODES, CoverageModifier, PolicyKind
from calculator.domain.dispensing import MAX_BEYOND_USE_DAYS, STORAGE_LABELS
from calculator.domain.dosing import (
    MAX_BOLUSES_PER_DAY,
    MAX_DRUGS_PER_ORDER,
    ROUTE_LABELS,
    THERAPY_LABELS,
    Therapy,
)
from calculator.domain.patients import (
    InvalidDiagnosis,
    clean_diagnosis_list,
    dotted_diagnoses,
    split_diagnosis_codes,
)
from calculator.domain.text import storable
from calculator.domain.units import QuantityError, parse_decimal
from calculator.models import BillingProfile, DrugProduct, Order, PumpReservoir
from calculator.selectors.catalog import active_product, active_profile
from calculator.web.widget_html import widget_html

RATE_UNITS = [
    "mg/hr",
    "mcg/hr",
    "mg/day",
    "mg/min",
    "mcg/min",
    "mg/kg/hr",
    "mcg/kg/hr",
    "mL/hr",
    "units/hr",
]
BOLUS_UNITS = ["mg", "mcg", "mL", "units"]
THERAPIES = [(therapy.value, label) for therapy, label in THERAPY_LABELS.items()]
ROUTES = [("", "Not stated"), *((route.value, label) for route, label in ROUTE_LABELS.items())]


def _number(value: str, *, name: str, example: str) -> str:
    """Return the number as typed (trimmed) after checking it is a plain positive decimal."""
    try:
        parse_decimal(value, name=name, example=example)
    except QuantityError as error:
        raise ValidationError(str(error)) from None
    return value.strip()


def product_label(product: DrugProduct) -> str:
    """Return how a product is named in the product box and its list of matches."""
    return f"{product.name} {product.concentration} - NDC {product.ndc_hyphenated}"


# The date a date input posts ("2026-01-31"), digits ASCII only.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class IsoDateField(forms.DateField):
    """A DateField that reads the date a date input posts ("2026-01-31") at once, and anything
    else as Django's DateField does, with its input formats and messages. Django tries each
    format of the active locale through strptime, about a tenth of a live preview's form
    validation for its two dates; a test holds the two fields to the same answers."""

    def to_python(self, value: Any) -> Any:
        if type(value) is str:
            text = value.strip()
            if _ISO_DATE.fullmatch(text):
                try:
                    return date.fromisoformat(text)
                except ValueError:  # 2026-02-30: Django's own message
                    pass
        return super().to_python(value)


class CachedChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose posted choice is looked up through the catalog cache
    (`lookup(value)`: the active object or None) instead of a query per form. The queryset
    still lists the choices when the field is rendered."""

    lookup: Any = None

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if isinstance(value, self.queryset.model):
            return value
        try:
            found = type(self).lookup(str(value))
        except (ValueError, TypeError):  # as ModelChoiceField: text the database refuses (NUL)
            found = None
        if found is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return found


class ProductChoiceField(CachedChoiceField):
    lookup = active_product

    def label_from_instance(self, product: DrugProduct) -> str:
        return product_label(product)


class ProfileChoiceField(CachedChoiceField):
    lookup = active_profile

    def label_from_instance(self, profile: BillingProfile) -> str:
        """Return the profile's name with the payer text it follows and that text's revision."""
        return f"{profile.name} - {profile.source_label}" if profile.source_label else profile.name


class NamedBoundField(BoundField):
    """A field whose wrapper carries the class `field-<name>`, by which pages and tests find it
    (and the errors shown beside it)."""

    def css_classes(self, extra_classes: Any = None) -> str:
        return " ".join(filter(None, [super().css_classes(extra_classes), f"field-{self.name}"]))

    @property
    def is_checkbox(self) -> bool:
        return isinstance(self.field.widget, forms.CheckboxInput)

    def bootstrap_widget(self) -> str:
        """Return the widget with the classes the bootstrap5 pack gives it (calculator/_field.html):
        its kind (`textinput`, `select`...), Bootstrap's class for it, `is-invalid` on errors."""
        widget = self.field.widget
        if isinstance(widget, forms.CheckboxInput):
            bootstrap = "form-check-input"
        elif isinstance(widget, forms.Select):
            bootstrap = "form-select"
        else:
            bootstrap = "form-control"
        kind = type(widget).__name__.lower()
        classes = [widget.attrs.get("class"), kind, bootstrap, "is-invalid" if self.errors else ""]
        attrs = {"class": " ".join(filter(None, classes))}
        if self.field.localize:
            return self.as_widget(attrs=attrs)
        # As BoundField.as_widget, with the HTML written by widget_html rather than templates.
        attrs = self.build_widget_attrs(attrs, widget)
        if self.auto_id and "id" not in widget.attrs:
            attrs.setdefault("id", self.auto_id)
        context = widget.get_context(self.html_name, self.value(), attrs)["widget"]
        return widget_html(context) or self.as_widget(attrs={"class": attrs["class"]})


class FieldByFieldForm(forms.Form):
    """A form its page draws field by field with calculator/_field.html (the order form and its
    drug rows: drawing them through crispy's template stack cost more than the rest of the
    page). The markup is the bootstrap5 pack's, as for a CrispyForm."""

    bound_field_class = NamedBoundField


class CrispyForm(forms.Form):
    """A form rendered by django-crispy-forms (bootstrap5 pack) from the layout of its `helper`:
    the pack gives the widgets their Bootstrap classes, labels, help text and errors. Layouts'
    rows are `gx-2`: the pack's `mb-3` under each field is their vertical spacing."""

    bound_field_class = NamedBoundField


def embedded_helper(*layout: Any) -> FormHelper:
    """Return a helper for a form inside a page's own <form> (and its CSRF token)."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(*layout)
    return helper


def filter_helper(form_id: str, *layout: Any, action: str = "") -> FormHelper:
    """Return a helper for a list's filters: a GET form laid out as one row of columns (`action`:
    a URL or a URL name)."""
    helper = FormHelper()
    helper.form_method = "get"
    helper.form_id = form_id
    helper.form_class = "row gx-2 align-items-end mb-3 no-print"
    if action:
        helper.form_action = action
    helper.layout = Layout(*layout)
    return helper


def columns(css_class: str, *names: str) -> list[Column]:
    """One Bootstrap column of `css_class` for each field."""
    return [Column(name, css_class=css_class) for name in names]


def submit_column(css_class: str, label: str) -> Div:
    """A column holding the form's submit button, aligned with the fields beside it."""
    button = StrictButton(label, type="submit", css_class="btn-outline-primary w-100")
    return Div(button, css_class=f"{css_class} mb-3")


class OrderForm(FieldByFieldForm):
    """The order's own fields (calculator/order_form.html lays them out)."""

    patient_reference = forms.CharField(
        label="Patient reference",
        max_length=20,
        help_text="The patient's number, not a full name; a number not on file yet adds a "
        "patient record.",
    )
    profile = ProfileChoiceField(
        queryset=BillingProfile.objects.filter(active=True),
        to_field_name="name",
        empty_label=None,
        initial=DEFAULT_PROFILE,
        label="Billing profile",
        help_text="Beside each name: the payer's text it follows and that text's revision date.",
    )
    therapy = forms.ChoiceField(choices=THERAPIES, initial=Therapy.CONTINUOUS.value)
    hours_per_day = forms.CharField(label="Hours per day", initial="24", max_length=12)
    start = IsoDateField(label="First day", widget=forms.DateInput(attrs={"type": "date"}))
    end = IsoDateField(label="Last day (inclusive)", widget=forms.DateInput(attrs={"type": "date"}))
    # Medicare DME (SPEC 11): used on a Medicare DME profile, refused on a per-diem one.
    coverage_modifier = forms.ChoiceField(
        label="Coverage modifier",
        required=False,
        choices=[("", "-"), *((m.value, m.value) for m in CoverageModifier)],
        help_text="Medicare DME: after KD, KX (criteria met), GA (waiver on file) or GZ (none).",
    )
    pump_code = forms.ChoiceField(
        label="Pump",
        required=False,
        choices=[("", "-"), *((code, f"{code} {text[:40]}") for code, text in PUMP_CODES.items())],
    )
    rental_month = forms.CharField(
        label="Rental month", required=False, max_length=4, help_text="1 = KH, 2-3 KI, 4-13 KJ."
    )
    delivery_date = IsoDateField(
        label="Delivery date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Medicare DME span dates start here (default: the first day).",
    )
    secondary_profile = forms.ModelChoiceField(
        queryset=BillingProfile.objects.filter(active=True, kind=PolicyKind.PER_DIEM),
        to_field_name="name",
        required=False,
        empty_label="None",
        label="Secondary profile",
        help_text="A Medicare DME order may also make the secondary payer's per-diem lines.",
    )
    nursing_visits = forms.CharField(
        label="Nursing visits",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "3.5 h\n2026-01-08 2 h 20 min"}),
        help_text="One visit per line: its length, optionally after its date.",
    )

    def clean_hours_per_day(self) -> str:
        return _number(self.cleaned_data["hours_per_day"], name="hours per day", example="24")


# --- The dispensing part of a drug row (SPEC 10) ----------------------------------------------

STORAGES = [("", "The product's"), *((s.value, label) for s, label in STORAGE_LABELS.items())]


class ReservoirChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, reservoir: PumpReservoir) -> str:
        return f"{reservoir.name} ({reservoir.volume})"


class DispensingFields(forms.Form):
    """The optional "Dispensing" part of a drug row: the reservoir (from the catalog, or a
    volume typed), the priming volume, the beyond-use days and the stock product of a
    compounded reservoir, and the storage for the label. The engine checks that they fit."""

    reservoir = ReservoirChoiceField(
        queryset=PumpReservoir.objects.filter(active=True),
        required=False,
        empty_label="None",
        label="Reservoir",
        help_text="The cassette or bag each fill goes in.",
    )
    reservoir_volume_ml = forms.CharField(
        label="or a volume (mL)", max_length=12, required=False, help_text="A bag of any size."
    )
    priming_volume_ml = forms.CharField(
        label="Priming (mL)", max_length=12, required=False, help_text="Per reservoir; blank: 0."
    )
    beyond_use_days = forms.CharField(
        label="Beyond-use days",
        max_length=3,
        required=False,
        help_text="As you assign them (USP <797>); blank: the product's default, if any.",
    )
    stock_ndc = forms.CharField(
        label="Compounded from (stock NDC)",
        max_length=13,
        required=False,
        help_text="The vial a compounded reservoir is made from.",
    )
    storage = forms.ChoiceField(choices=STORAGES, required=False, label="Storage")

    def clean_reservoir_volume_ml(self) -> str:
        value = self.cleaned_data.get("reservoir_volume_ml", "")
        return _number(value, name="the reservoir", example="100") if value.strip() else ""

    def clean_priming_volume_ml(self) -> str:
        value = self.cleaned_data.get("priming_volume_ml", "").strip()
        if value and not re.fullmatch(r"0+(\.0*)?", value):
            return _number(value, name="the priming volume", example="5")
        return value

    def clean_beyond_use_days(self) -> int | None:
        text = self.cleaned_data.get("beyond_use_days", "").strip()
        if not text:
            return None
        if not re.fullmatch(r"[0-9]{1,3}", text, flags=re.ASCII) or not (
            1 <= int(text) <= MAX_BEYOND_USE_DAYS
        ):
            raise ValidationError(
                f"beyond-use days must be a whole number from 1 to {MAX_BEYOND_USE_DAYS}"
            )
        return int(text)

    def dispensing_request(self) -> dict[str, Any]:
        """Return the engine's dispensing keys of this row (none when left blank)."""
        data = self.cleaned_data
        drug: dict[str, Any] = {}
        reservoir: PumpReservoir | None = data.get("reservoir")
        if data.get("reservoir_volume_ml"):
            drug["reservoir_volume"] = f"{data['reservoir_volume_ml']} mL"
        elif reservoir is not None:
            drug["reservoir_volume"] = reservoir.volume
        if data.get("priming_volume_ml"):
            drug["priming_volume"] = f"{data['priming_volume_ml']} mL"
        if data.get("beyond_use_days") is not None:
            drug["beyond_use_days"] = data["beyond_use_days"]
        if data.get("stock_ndc", "").strip():
            drug["stock_ndc"] = data["stock_ndc"].strip()
        return drug

    def dispensing_details(self) -> dict[str, str]:
        """Return what the saved order keeps beside the engine's inputs: the reservoir's name
        (when it was chosen from the catalog and not overridden by a volume) and the storage."""
        data = self.cleaned_data
        reservoir = data.get("reservoir")
        name = (
            reservoir.name if reservoir is not None and not data.get("reservoir_volume_ml") else ""
        )
        return {"reservoir_name": name, "storage": data.get("storage") or ""}


class DrugForm(DispensingFields, FieldByFieldForm):
    """One drug row (calculator/_drug_row.html lays it out)."""

    # The product's pk, in a hidden input beside a search box (the product combobox,
    # calculator/_product_field.html): never a <select> of the whole catalog.
    product = ProductChoiceField(
        queryset=DrugProduct.objects.filter(active=True).select_related("hcpcs"),
        label="Product",
        widget=forms.HiddenInput,
        error_messages={"required": "Choose a product: type part of its name or NDC"},
    )
    concentration = forms.CharField(
        max_length=40,
        required=False,
        help_text="Filled from the product's label; change it only for a compounded bag.",
    )
    compounded = forms.BooleanField(required=False, label="Compounded / diluted")
    route = forms.ChoiceField(
        choices=ROUTES,
        required=False,
        help_text="Epidural or intrathecal use of preservative-free morphine bills J2274.",
    )
    rate_value = forms.CharField(label="Dose rate", max_length=20)
    rate_unit = forms.ChoiceField(
        label="Rate unit", choices=[(u, u) for u in RATE_UNITS], initial="mg/hr"
    )
    bolus_value = forms.CharField(label="PCA bolus", max_length=20, required=False)
    bolus_unit = forms.ChoiceField(
        label="Bolus unit", choices=[(u, u) for u in BOLUS_UNITS], required=False, initial="mg"
    )
    boluses_per_day = forms.CharField(label="Boluses a day", required=False, max_length=3)
    lockout_minutes = forms.CharField(
        label="Lockout (min)",
        required=False,
        max_length=12,
        help_text="Shortest time between two PCA boluses.",
    )
    weight_kg = forms.CharField(label="Weight (kg)", max_length=12, required=False)
    # Dose changes inside the period (issue 15): one a line, read by clean_rate_changes.
    rate_changes = forms.CharField(
        label="Dose changes",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "2026-01-11 7 mg/hr"}),
        help_text="One a line: the first day of the new rate, then the rate (in the unit above "
        'when none is given), optionally "bolus 2 mg".',
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.product_results: list[tuple[int, str]] | None = None  # (pk, label), no-JS "Find"
        self.product_results_error = ""

    @property
    def search_name(self) -> str:
        return self.add_prefix("product_search")

    def search_text(self) -> str | None:
        """Return the search box's text as posted (spaces collapsed), or None when not posted."""
        if not self.is_bound or self.search_name not in self.data:
            return None
        return " ".join(str(self.data.get(self.search_name, "")).split())

    def chosen_product(self) -> DrugProduct | None:
        """Return the row's chosen active product (validated, or looked up by the posted pk)."""
        cleaned = getattr(self, "cleaned_data", None) or {}
        if isinstance(cleaned.get("product"), DrugProduct):
            return cleaned["product"]
        if not self.is_bound:
            return None
        return active_product(self.data.get(self.add_prefix("product"), ""))

    def product_box(self) -> dict[str, Any]:
        """Return what the combobox shows: the chosen product's pk and label, and the box's text
        (as typed when it no longer names the chosen product, else the chosen product's label)."""
        product = self.chosen_product()
        label = product_label(product) if product else ""
        typed = self.search_text()
        return {
            "pk": product.pk if product else "",
            "label": label,
            "text": typed if typed else label,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        product, typed = data.get("product"), self.search_text()
        if product is not None and typed:
            label = " ".join(product_label(product).split())
            if typed != label:
                # Typed over a chosen product without picking from the list (no JavaScript).
                self.add_error(
                    "product",
                    f'"{typed[:60]}" is not the chosen product ({label}): press Find and '
                    "choose one, or put the chosen product's name back",
                )
        return data

    def clean_rate_value(self) -> str:
        return _number(self.cleaned_data["rate_value"], name="the dose rate", example="5")

    def clean_bolus_value(self) -> str:
        value = self.cleaned_data.get("bolus_value", "")
        return _number(value, name="the bolus", example="1") if value.strip() else ""

    def clean_boluses_per_day(self) -> int | None:
        """Return the whole number of boluses a day; ASCII digits only ("1٠" is not 10)."""
        text = self.cleaned_data.get("boluses_per_day", "").strip()
        if not text:
            return None
        if not re.fullmatch(r"[0-9]{1,3}", text, flags=re.ASCII) or int(text) > MAX_BOLUSES_PER_DAY:
            raise ValidationError(
                f"boluses a day must be a whole number from 0 to {MAX_BOLUSES_PER_DAY}"
            )
        return int(text)

    def clean_lockout_minutes(self) -> str:
        value = self.cleaned_data.get("lockout_minutes", "")
        return _number(value, name="the lockout", example="10") if value.strip() else ""

    def clean_weight_kg(self) -> str:
        value = self.cleaned_data.get("weight_kg", "")
        return _number(value, name="the weight", example="70") if value.strip() else ""

    def clean_rate_changes(self) -> list[dict[str, str]]:
        """Return the row's dose changes as the engine's rate_changes ("2026-01-11 7 mg/hr",
        "2026-01-21 7 bolus 2 mg"); the engine judges the dates and the rates."""
        text = self.cleaned_data.get("rate_changes", "")
        if not storable(text, multiline=True):
            raise ValidationError("contains control characters or invalid Unicode")
        unit = self.cleaned_data.get("rate_unit") or "mg/hr"
        changes = []
        lines = [line for line in text.splitlines() if line.strip()]
        for number, line in enumerate(lines, start=1):
            match = _RATE_CHANGE_LINE.fullmatch(line)
            if match is None:
                raise ValidationError(
                    f'line {number}: "{line.strip()[:40]}" is not a date and a rate, '
                    "e.g. 2026-01-11 7 mg/hr"
                )
            start, rate, bolus = match.groups()
            if re.fullmatch(r"[0-9.]+", rate, flags=re.ASCII):
                rate = f"{rate} {unit}"
            change = {"from": start, "rate": rate}
            if bolus:
                change["bolus"] = bolus
            changes.append(change)
        return changes

    def drug_request(self) -> dict[str, Any]:
        """Return this row as the engine's drug dict."""
        data = self.cleaned_data
        product: DrugProduct = data["product"]
        drug: dict[str, Any] = {
            "ndc": product.ndc,
            "rate": f"{data['rate_value']} {data['rate_unit']}",
            "compounded": bool(data.get("compounded")),
        }
        if data.get("route"):
            drug["route"] = data["route"]
        if data.get("concentration", "").strip():
            drug["concentration"] = data["concentration"].strip()
        if data.get("bolus_value"):
            drug["bolus"] = f"{data['bolus_value']} {data.get('bolus_unit') or 'mg'}"
        if data.get("boluses_per_day") is not None:
            drug["boluses_per_day"] = data["boluses_per_day"]
        if data.get("lockout_minutes"):
            drug["lockout"] = f"{data['lockout_minutes']} min"
        if data.get("weight_kg"):
            drug["weight"] = f"{data['weight_kg']} kg"
        if data.get("rate_changes"):
            drug["rate_changes"] = data["rate_changes"]
        drug.update(self.dispensing_request())
        return drug


# "2026-01-11 7 mg/hr" or "2026-01-11 7 bolus 2 mg": a date, a rate, optionally a new bolus.
_RATE_CHANGE_LINE = re.compile(r"\s*(\S+)\s+(.+?)(?:\s+bolus\s+(.+?))?\s*", flags=re.IGNORECASE)

DrugFormSet = forms.formset_factory(
    DrugForm,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=MAX_DRUGS_PER_ORDER,
    validate_max=True,
    absolute_max=10,
)


class _SharedFields(dict):
    """A form class's fields that its instances use as they are: not deep-copied per form."""

    def __deepcopy__(self, memo: dict) -> _SharedFields:
        return self


class _ValidationOnly:
    """Cleans its fields and finds the changed ones as Django's forms do (`_clean_fields`,
    `changed_data`, for forms without disabled, file or hidden-initial fields), without a
    BoundField per field: such a form is never rendered."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        # Never rendered, so no label suffix: Django translates ":" for every form it makes.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def _posted(self: Any, name: str, field: forms.Field) -> Any:
        return field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))

    def _changed(self: Any) -> Iterator[str]:
        """Yield the name of each field whose posted value differs from its initial one."""
        for name, field in self.fields.items():
            initial = self.get_initial_for_field(field, name)
            if field.has_changed(initial, self._posted(name, field)):
                yield name

    def has_changed(self: Any) -> bool:
        """Return `bool(changed_data)`, stopping at the first changed field (a formset asks
        each of its forms)."""
        return next(self._changed(), None) is not None

    @cached_property
    def changed_data(self: Any) -> list[str]:
        return list(self._changed())

    def _clean_fields(self: Any) -> None:
        for name, field in self.fields.items():
            value = self._posted(name, field)
            try:
                self.cleaned_data[name] = field.clean(value)
                if hasattr(self, f"clean_{name}"):
                    self.cleaned_data[name] = getattr(self, f"clean_{name}")()
            except ValidationError as error:
                self.add_error(name, error)


def validation_only(form_class: type[forms.BaseForm]) -> Any:
    """Return a subclass of `form_class` whose instances share the class's field objects.

    Django deep-copies every field (widget, choices, queryset) of every form it makes, so that
    a form being rendered may change its own widgets: about a fifth of the live preview's time.
    A form that is only validated, never rendered, needs no copy: the fields' cleaning reads
    them and changes nothing. Such a form must not be rendered or have its fields changed."""
    if any(
        field.disabled or field.show_hidden_initial or isinstance(field, forms.FileField)
        for field in form_class.base_fields.values()
    ):
        raise TypeError(f"{form_class.__name__}: a field that _ValidationOnly does not clean")
    shared = type(form_class)(
        form_class.__name__, (_ValidationOnly, form_class), {"__module__": __name__}
    )
    shared.base_fields = _SharedFields(form_class.base_fields)
    return shared


_ValidatedManagementForm = validation_only(ManagementForm)


class ValidatedDrugFormSet(DrugFormSet):
    """The drug rows of an entry that is validated and never rendered (the live preview)."""

    form = validation_only(DrugForm)

    @cached_property
    def management_form(self) -> ManagementForm:
        if not self.is_bound:
            return super().management_form
        form = _ValidatedManagementForm(
            self.data, auto_id=self.auto_id, prefix=self.prefix, renderer=self.renderer
        )
        form.full_clean()
        return form


_ValidatedOrderForm = validation_only(OrderForm)

# Where each engine field path goes on the form: (row field or None for the order form, name).
ORDER_FIELD_FOR_PATH = {
    "patient_reference": "patient_reference",
    "profile": "profile",
    "policy": "profile",
    "therapy": "therapy",
    "hours_per_day": "hours_per_day",
    "start": "start",
    "end": "end",
    "days": "end",
    "nursing_visits": "nursing_visits",
    "coverage_modifier": "coverage_modifier",
    "pump": "pump_code",
    "pump.code": "pump_code",
    "pump.rental_month": "rental_month",
    "delivery_date": "delivery_date",
    "secondary_profile": "secondary_profile",
}
DRUG_FIELD_FOR_KEY = {
    "rate": "rate_value",
    "concentration": "concentration",
    "compounded": "compounded",
    "route": "route",
    "bolus": "bolus_value",
    "boluses_per_day": "boluses_per_day",
    "lockout": "lockout_minutes",
    "weight": "weight_kg",
    "rate_changes": "rate_changes",
    # The dispensing part.
    "reservoir_volume": "reservoir",
    "priming_volume": "priming_volume_ml",
    "beyond_use_days": "beyond_use_days",
    "stock_ndc": "stock_ndc",
}


class OrderEntry:
    """The order form and its drug rows together, as one thing a view can validate and save."""

    def __init__(
        self, data: Any = None, *, rows: int = 1, show_errors: bool = True, rendered: bool = True
    ) -> None:
        """`rendered=False`: the entry is only validated (the live preview), so its forms share
        their field definitions instead of copying them (`validation_only`)."""
        if rendered or data is None:
            self.form = OrderForm(data, prefix=None)
            formset_class = DrugFormSet
        else:
            self.form = _ValidatedOrderForm(data, prefix=None)
            formset_class = ValidatedDrugFormSet
        self.drugs = (
            formset_class(data, prefix="drugs")
            if data is not None
            else DrugFormSet(prefix="drugs", initial=[{} for _ in range(rows)])
        )
        self.other_errors: list[str] = []
        if not show_errors:
            # Shown as typed but not judged yet (a row was added, nothing was submitted): no
            # messages, no invalid styling. Such an entry is only rendered, never validated.
            for form in (self.form, *self.drugs.forms):
                form._errors = ErrorDict()

    def is_valid(self) -> bool:
        form_ok = self.form.is_valid()
        drugs_ok = self.drugs.is_valid()
        return form_ok and drugs_ok

    def request_data(self) -> dict[str, Any]:
        """Return the engine request for a valid entry."""
        data = self.form.cleaned_data
        visits = [line.strip() for line in data.get("nursing_visits", "").splitlines()]
        request: dict[str, Any] = {
            "patient_reference": data["patient_reference"],
            "profile": data["profile"].name,
            "therapy": data["therapy"],
            "hours_per_day": data["hours_per_day"],
            "start": data["start"].isoformat(),
            "end": data["end"].isoformat(),
            "drugs": [form.drug_request() for form in self.drugs.forms if form.cleaned_data],
        }
        if any(visits):
            request["nursing_visits"] = [visit for visit in visits if visit]
        if data.get("coverage_modifier"):
            request["coverage_modifier"] = data["coverage_modifier"]
        if data.get("pump_code") or data.get("rental_month", "").strip():
            request["pump"] = {
                "code": data.get("pump_code") or None,
                "rental_month": data.get("rental_month", "").strip() or None,
            }
        if data.get("delivery_date"):
            request["delivery_date"] = data["delivery_date"].isoformat()
        if data.get("secondary_profile"):
            request["secondary_profile"] = data["secondary_profile"].name
        return request

    def dispensing_details(self) -> list[dict[str, str]]:
        """Return each drug row's reservoir name and storage, for the saved order."""
        return [form.dispensing_details() for form in self.drugs.forms if form.cleaned_data]

    def add_engine_errors(self, errors: dict[str, list[str]]) -> None:
        """Put the engine's field errors beside their fields."""
        for path, messages in errors.items():
            head, _, rest = path.partition(".")
            if head == "drugs" and rest:
                index_text, _, key = rest.partition(".")
                forms_ = self.drugs.forms
                if index_text.isdigit() and int(index_text) < len(forms_):
                    form = forms_[int(index_text)]
                    field = DRUG_FIELD_FOR_KEY.get(key, "product")
                    if key.startswith("rate_changes."):
                        # "rate_changes.0.from": the first line of the row's dose changes.
                        field, line = "rate_changes", key.split(".")[1]
                        line_no = int(line) + 1 if line.isdigit() else 1
                        messages = [f"line {line_no}: {message}" for message in messages]
                    for message in messages:
                        _add_error(form, field, message)
                    continue
            field = ORDER_FIELD_FOR_PATH.get(path) or ORDER_FIELD_FOR_PATH.get(head)
            if field:
                for message in messages:
                    _add_error(self.form, field, message)
                continue
            if head != "acknowledged":
                self.other_errors.extend(messages)

    @property
    def has_errors(self) -> bool:
        return bool(
            self.form.errors
            or any(form.errors for form in self.drugs.forms)
            or self.drugs.non_form_errors()
            or self.other_errors
        )


def _add_error(form: forms.Form, field: str, message: str) -> None:
    target = field if field in form.fields else "__all__"
    errors = form.errors.setdefault(target, form.error_class())
    if message not in errors:
        errors.append(message)
    if hasattr(form, "cleaned_data"):
        form.cleaned_data.pop(target, None)


class OrderListFilterForm(CrispyForm):
    """Filters of the order list."""

    date_from = IsoDateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = IsoDateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    profile = forms.ModelChoiceField(
        queryset=BillingProfile.objects.all(),
        to_field_name="name",
        required=False,
        empty_label="Any profile",
    )
    status = forms.ChoiceField(choices=[("", "Any status"), *Order.Status.choices], required=False)
    drug = forms.CharField(required=False, max_length=60, label="Drug or NDC")
    payer = forms.ModelChoiceField(
        queryset=None, to_field_name="name", required=False, empty_label="Any payer"
    )
    held = forms.BooleanField(
        required=False, label="Held for review", help_text="Verified claims the checks hold."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from calculator.models import Payer

        super().__init__(*args, **kwargs)
        self.fields["payer"].queryset = Payer.objects.all()
        self.helper = filter_helper(
            "order-filters",
            *columns("col-6 col-md-2", "date_from", "date_to", "profile", "status"),
            *columns("col-6 col-md-2", "drug", "payer"),
            Column("held", css_class="col-6 col-md-2"),
            submit_column("col-6 col-md-2", "Filter"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "the end of the range is before its start")
        return data


class ClaimDetailsForm(CrispyForm):
    """What an 837P needs of the payer, the patient and an authorization; no computed numbers."""

    payer = forms.ModelChoiceField(queryset=None, required=False, empty_label="Choose the payer")
    member_id = forms.CharField(label="Member ID", max_length=30, required=False)
    secondary_payer = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="None",
        help_text="The payer of the secondary claim, when the order names a secondary profile.",
    )
    secondary_member_id = forms.CharField(
        label="Secondary member ID", max_length=30, required=False
    )
    patient_last_name = forms.CharField(label="Patient last name", max_length=60, required=False)
    patient_first_name = forms.CharField(label="Patient first name", max_length=35, required=False)
    patient_birth_date = IsoDateField(
        label="Birth date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    patient_sex = forms.ChoiceField(
        label="Sex", required=False, choices=[("", "-"), ("F", "F"), ("M", "M"), ("U", "Unknown")]
    )
    patient_address = forms.CharField(label="Address", max_length=55, required=False)
    patient_city = forms.CharField(label="City", max_length=30, required=False)
    patient_state = forms.CharField(label="State", max_length=2, required=False)
    patient_zip = forms.CharField(label="ZIP", max_length=10, required=False)
    diagnosis_codes = forms.CharField(
        label="Diagnoses (ICD-10-CM)",
        max_length=200,
        required=False,
        help_text="The principal first, separated by commas (at most 12), e.g. G89.3, C50.911.",
    )
    authorization_number = forms.CharField(max_length=30, required=False)
    authorization_code = forms.CharField(
        max_length=5, required=False, help_text="Blank: the per-diem code."
    )
    authorization_units = forms.IntegerField(min_value=1, max_value=100000, required=False)
    authorization_start = IsoDateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    authorization_end = IsoDateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from calculator.models import Payer

        super().__init__(*args, **kwargs)
        self.fields["payer"].queryset = Payer.objects.filter(active=True)
        self.fields["secondary_payer"].queryset = Payer.objects.filter(active=True)
        if self.initial.get("diagnosis_codes"):  # saved undotted, shown as people read them
            self.initial["diagnosis_codes"] = dotted_diagnoses(self.initial["diagnosis_codes"])
        self.helper = embedded_helper(
            HTML('<h2 class="h6 mt-3">Payer and subscriber</h2>'),
            Row(
                *columns("col-md-4", "payer", "member_id", "diagnosis_codes"),
                *columns("col-md-4", "patient_last_name", "patient_first_name"),
                *columns("col-md-2", "patient_birth_date", "patient_sex"),
                Column("patient_address", css_class="col-md-5"),
                Column("patient_city", css_class="col-md-3"),
                *columns("col-md-2", "patient_state", "patient_zip"),
                css_class="gx-2",
            ),
            HTML('<h2 class="h6 mt-3">Secondary claim (optional)</h2>'),
            Row(*columns("col-md-4", "secondary_payer", "secondary_member_id"), css_class="gx-2"),
            HTML('<h2 class="h6 mt-3">Authorization (optional)</h2>'),
            Row(
                Column("authorization_number", css_class="col-md-3"),
                *columns(
                    "col-md-2",
                    "authorization_code",
                    "authorization_units",
                    "authorization_start",
                    "authorization_end",
                ),
                css_class="gx-2",
            ),
        )

    def clean_patient_state(self) -> str:
        state = self.cleaned_data["patient_state"].strip().upper()
        if state and not (len(state) == 2 and state.isalpha()):
            raise ValidationError("the two-letter state code, e.g. HI")
        return state

    def clean_patient_zip(self) -> str:
        digits = self.cleaned_data["patient_zip"].replace("-", "").strip()
        if digits and not (digits.isdigit() and len(digits) in {5, 9}):
            raise ValidationError("a 5-digit ZIP or ZIP+4")
        return digits

    def clean_diagnosis_codes(self) -> str:
        typed = split_diagnosis_codes(self.cleaned_data["diagnosis_codes"])
        try:
            return ", ".join(clean_diagnosis_list(typed))
        except InvalidDiagnosis as error:
            raise ValidationError(str(error)) from error

    def clean_authorization_code(self) -> str:
        code = self.cleaned_data["authorization_code"].strip().upper()
        if code and not (len(code) == 5 and code[0].isalnum() and code[1:].isdigit()):
            raise ValidationError("a HCPCS/CPT code such as S9325")
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("authorization_start"), data.get("authorization_end")
        if start and end and end < start:
            self.add_error("authorization_end", "the authorization ends before it starts")
        return data
