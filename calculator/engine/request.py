"""Reading a request dict (the JSON body, the CLI flags, the cleaned form) into the domain's
inputs, every error reported on its field path ("drugs.0.rate")."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from calculator.domain import billing, dosing, ndc
from calculator.domain.billing import (
    DEFAULT_PROFILE,
    BillingPolicy,
    DrugCoding,
    NdcQuantityBasis,
    PerDiemCoding,
    Rounding,
    RoundingScope,
    UnitBasis,
)
from calculator.domain.decimals import readable
from calculator.domain.dispensing import (
    MAX_BEYOND_USE_DAYS,
    NO_DISPENSING,
    DispensingInput,
    StockProduct,
)
from calculator.domain.dosing import (
    MAX_BOLUSES_PER_DAY,
    MAX_DRUGS_PER_ORDER,
    MAX_NURSING_VISITS,
    DrugInput,
    NursingVisit,
    OrderInput,
    RateChange,
    Route,
    ServicePeriod,
    Therapy,
    make_drug_input,
    make_order_input,
)
from calculator.domain.errors import ErrorCollector, InvalidOrder
from calculator.domain.records import maker
from calculator.domain.safety import (
    SafetyWarning,
    concentration_differs,
)
from calculator.domain.text import storable
from calculator.domain.units import (
    ACTIVITY,
    EQUIVALENT,
    MASS,
    TIME,
    VOLUME,
    WEIGHT_UNITS,
    Measure,
    QuantityError,
    parse_amount,
    parse_concentration,
    parse_decimal,
    parse_duration_minutes,
    parse_rate,
    parse_weight,
    quick_measure,
)
from calculator.engine.catalog import Catalog, Product
from calculator.engine.medicare import (
    MEDICARE_DRUG_FIELDS,
    MEDICARE_REQUEST_FIELDS,
    MedicareRequest,
    read_medicare,
    read_secondary_policy,
)

# The optional dispensing part of a drug (SPEC 10), read by `_read_dispensing`.
DISPENSING_FIELDS = ("reservoir_volume", "priming_volume", "beyond_use_days", "stock_ndc")
REQUEST_FIELDS = {
    "profile",
    "policy",
    "therapy",
    "hours_per_day",
    "start",
    "end",
    "days",
    "drugs",
    "nursing_visits",
    "patient_reference",
    "acknowledged",
} | MEDICARE_REQUEST_FIELDS
DRUG_FIELDS = MEDICARE_DRUG_FIELDS | {
    "name",
    "ndc",
    "rate",
    "concentration",
    "hcpcs",
    "hcpcs_unit",
    "ndc_unit",
    "package_volume",
    "bolus",
    "boluses_per_day",
    "lockout",
    "weight",
    "compounded",
    "route",
    "rate_changes",
    *DISPENSING_FIELDS,
}
# Made once, not per request: re.fullmatch(text pattern) looks it up in re's cache each call.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WHOLE_NUMBER = re.compile(r"\s*[0-9]{1,9}\s*", flags=re.ASCII)
_HCPCS_CODE = re.compile(r"[A-Z]\d{4}")
_THERAPY_CHOICES = ", ".join(therapy.value for therapy in Therapy)
_ROUTE_CHOICES = ", ".join(route.value for route in Route)
POLICY_FIELDS = {
    "per_diem_coding": PerDiemCoding,
    "drug_coding": DrugCoding,
    "unlisted_unit_basis": UnitBasis,
    "rounding": Rounding,
    "rounding_scope": RoundingScope,
    "kind": billing.PolicyKind,
    "a4221_weeks": billing.WeekCounting,
    "ndc_quantity_basis": NdcQuantityBasis,
}
# Each setting's members by value, as an Enum call finds them (without the call's cost).
_POLICY_CHOICES = {
    key: {member.value: member for member in kind} for key, kind in POLICY_FIELDS.items()
}


class ParsedRequest(NamedTuple):
    """What a request reads to. A NamedTuple, not a frozen dataclass: every request makes one,
    and the reader makes it as the tuple it is (`_new_tuple`, a quarter of a frozen dataclass's
    cost)."""

    order: OrderInput
    policy: BillingPolicy
    notices: tuple[SafetyWarning, ...]
    products: tuple[Product | None, ...]
    dispensing: tuple[DispensingInput, ...] = ()
    medicare: MedicareRequest | None = None
    secondary_policy: BillingPolicy | None = None


# The reader makes its frozen values without their dataclass __init__ (records.maker).
_make_period = maker(ServicePeriod)
_new_tuple = tuple.__new__  # every field given in order (the generated __new__ takes twice as long)
_READ_ERRORS = (QuantityError, ndc.NdcError, ValueError)
# Most orders and drug rows give none of the Medicare DME keys or the dispensing part: one set
# test each, and their readers are not called (they would add nothing).
_PLAIN_REQUEST_FIELDS = frozenset(REQUEST_FIELDS - MEDICARE_REQUEST_FIELDS)
_PLAIN_DRUG_FIELDS = frozenset(DRUG_FIELDS - MEDICARE_DRUG_FIELDS - set(DISPENSING_FIELDS))
_DRUG_PREFIXES = tuple(f"drugs.{index}" for index in range(MAX_DRUGS_PER_ORDER))
_THERAPIES = {therapy.value: therapy for therapy in Therapy}


def parse_request(data: object, catalog: Catalog) -> ParsedRequest:
    """Return the order, policy, notices and catalog products read strictly from a request."""
    errors = ErrorCollector()
    warnings: list[SafetyWarning] = []
    if type(data) is not dict and not isinstance(data, Mapping):  # a dict: no ABC look-up
        raise InvalidOrder({"request": ["the request must be a JSON object"]})
    keys = data.keys()
    plain = _PLAIN_REQUEST_FIELDS.issuperset(keys)
    if not plain and not keys <= REQUEST_FIELDS:
        for key in sorted(set(data) - REQUEST_FIELDS, key=str):
            errors.add(str(key), "unknown field")

    policy = _read_policy(data, catalog, errors)
    value = data.get("hours_per_day", "24")
    try:
        hours = _hours_of_text(value) if type(value) is str else _hours(value)
    except _READ_ERRORS as error:
        errors.add("hours_per_day", str(error))
        hours = None
    value = data.get("therapy")
    therapy = _THERAPIES.get(value) if type(value) is str else None  # as typed: no look-up
    if therapy is None:
        therapy = _read(errors, "therapy", value, _therapy)
        if therapy is None and "therapy" not in errors and hours is not None:
            therapy = Therapy.CONTINUOUS if hours == 24 else Therapy.INTERMITTENT
    period = _read_period(data, errors)

    raw_drugs = data.get("drugs")
    drugs: list[DrugInput] = []
    products: list[Product | None] = []
    dispensing: list[DispensingInput] = []
    plain_rows = True  # no drug row has a Medicare DME key for read_medicare to refuse
    if not isinstance(raw_drugs, list) or not raw_drugs:
        errors.add("drugs", "add at least one drug")
    elif len(raw_drugs) > MAX_DRUGS_PER_ORDER:
        errors.add("drugs", f"at most {MAX_DRUGS_PER_ORDER} drugs on one order")
        plain_rows = False
    else:
        for index, raw in enumerate(raw_drugs):
            prefix = _DRUG_PREFIXES[index]
            if type(raw) is dict and _PLAIN_DRUG_FIELDS.issuperset(raw):
                drug, product = _read_drug(raw, prefix, catalog, errors, warnings, True)
                plan_input = NO_DISPENSING
            else:
                drug, product = _read_drug(raw, prefix, catalog, errors, warnings)
                plan_input = _read_dispensing(raw, prefix, catalog, errors, product)
                plain_rows = False
            if drug is not None:
                drugs.append(drug)
                products.append(product)
                dispensing.append(plan_input)

    value = data.get("nursing_visits")
    visits = _read_visits(value, errors) if value is not None else []
    if plain and plain_rows and (policy is None or not policy.is_medicare_dme):
        medicare = secondary = None  # what both readers return for such an order
    else:
        medicare = read_medicare(data, policy, products, errors)
        secondary = read_secondary_policy(data, policy, catalog, errors)
    if errors.errors:
        errors.raise_if_any()
    assert hours is not None and therapy is not None and period is not None and policy
    order = make_order_input(tuple(drugs), period, hours, therapy, tuple(visits))
    return _new_tuple(
        ParsedRequest,
        (order, policy, tuple(warnings), tuple(products), tuple(dispensing), medicare, secondary),
    )


def _read(errors: ErrorCollector, path: str, value: Any, reader: Any) -> Any:
    """Return reader(value), or None after recording its message under `path`."""
    try:
        return reader(value)
    except (QuantityError, ndc.NdcError, ValueError) as error:
        errors.add(path, str(error))
        return None


@lru_cache(maxsize=256)
def _hours_of_text(text: str) -> Decimal:
    """Return `_hours(text)`: pure, so cached by text (a pharmacy types "24" again and again)."""
    return _hours(text)


def _hours(value: object) -> Decimal:
    hours = parse_decimal(_plain(value), name="hours per day", example="24")
    if not (0 < hours <= 24):
        raise ValueError(f"hours per day must be more than 0 and at most 24, not {readable(hours)}")
    return hours


def _plain(value: object) -> object:
    """Return a JSON number as text without passing through binary floating point."""
    if isinstance(value, float):
        return repr(value)
    return value


def _therapy(value: object) -> Therapy | None:
    if value is None or value == "":
        return None
    choices = _THERAPY_CHOICES
    if not isinstance(value, str):
        raise ValueError(f"choose one of {choices}")
    try:
        return Therapy(value.strip().replace("_", "-"))
    except ValueError:
        raise ValueError(f'"{value}" is not a therapy; choose one of {choices}') from None


def _route(value: object) -> Route | None:
    if value is None or value == "":
        return None
    choices = _ROUTE_CHOICES
    if not isinstance(value, str):
        raise ValueError(f"choose one of {choices}")
    try:
        return Route(value.strip().lower())
    except ValueError:
        raise ValueError(f'"{value}" is not a route; choose one of {choices}') from None


def _date(value: object) -> date:
    if type(value) is str and len(value) == 10 and value[4] == "-" == value[7] and value.isascii():
        try:  # YYYY-MM-DD as typed: what the rules take, when it is a real date
            return date.fromisoformat(value)
        except ValueError:
            pass  # the rules say what is wrong
    return _date_in_full(value)


def _date_in_full(value: object) -> date:
    """Return the date typed as YYYY-MM-DD, read rule by rule (the tests hold `_date` to it)."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value.strip()):
        raise ValueError(f'"{value}" is not a date; use YYYY-MM-DD, e.g. 2026-01-31')
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f'"{value}" is not a real date') from None


def _positive_int(value: object, *, name: str, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a whole number")
    if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value):
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        raise ValueError(f'{name} must be a whole number, not "{value}"')
    if not (low <= value <= high):
        raise ValueError(f"{name} must be from {low} to {high}, not {value}")
    return value


# A count of days without dates, made once each: frozen, so shared by every order of that count.
_COUNTED_PERIODS = tuple(_make_period(days, None, None) for days in range(dosing.MAX_DAYS + 1))


def _read_period(data: Mapping, errors: ErrorCollector) -> ServicePeriod | None:
    """Return the days of service: a count, or the start and end dates."""
    get = data.get
    days, start, end = get("days"), get("start"), get("end")
    if not start and not end:
        if type(days) is int and 1 <= days <= dosing.MAX_DAYS:
            return _COUNTED_PERIODS[days]  # a count of days, as most orders give
    elif days is None and type(start) is str and type(end) is str:
        try:  # the dates alone, as the rest give: read again below when they are wrong
            first, last = _date(start), _date(end)
        except ValueError:
            first = last = None
        if first is not None and last is not None and first <= last:
            days = (last - first).days + 1  # ServicePeriod.between
            if days <= dosing.MAX_DAYS:
                return _make_period(days, first, last)
    return _read_period_in_full(data, errors)


def _read_period_in_full(data: Mapping, errors: ErrorCollector) -> ServicePeriod | None:
    """Return the days of service read rule by rule, every error on its field (`_read_period`
    comes here for all but a plain count of days; the tests hold the two to the same answers)."""
    start = _read(errors, "start", data["start"], _date) if data.get("start") else None
    end = _read(errors, "end", data["end"], _date) if data.get("end") else None
    days = None
    if data.get("days") not in (None, ""):
        days = _read(
            errors,
            "days",
            data["days"],
            lambda v: _positive_int(v, name="days of service", low=1, high=dosing.MAX_DAYS),
        )
    if "start" in errors or "end" in errors or "days" in errors:
        return None
    if start and end:
        if end < start:
            errors.add("end", f"the end date {end} is before the start date {start}")
            return None
        period = _make_period((end - start).days + 1, start, end)  # ServicePeriod.between
        if period.days > dosing.MAX_DAYS:
            errors.add("end", f"the period is {period.days} days; at most {dosing.MAX_DAYS}")
            return None
        if days is not None and days != period.days:
            errors.add("days", f"{days} days does not match {start} to {end} ({period.days} days)")
            return None
        return period
    if start or end:
        errors.add("end" if start else "start", "give both the start and the end date")
        return None
    if days is None:
        errors.add("days", "give the days of service, or the start and end dates")
        return None
    return _make_period(days, None, None)


def _read_policy(data: Mapping, catalog: Catalog, errors: ErrorCollector) -> BillingPolicy | None:
    name = data.get("profile") or DEFAULT_PROFILE
    if not (isinstance(name, str) and (name.isprintable() or storable(name)) and len(name) <= 40):
        errors.add("profile", "the profile must be a name, e.g. HMSA")  # printable: storable
        return None
    policy = catalog.policy(name.strip())
    if policy is None:
        errors.add("profile", f'no billing profile is named "{name}"')
        return None
    overrides = data.get("policy")
    if not overrides:  # most orders: the profile as saved
        return policy
    if type(overrides) is not dict and not isinstance(overrides, Mapping):  # no ABC look-up
        errors.add("policy", "policy must be an object of settings")
        return policy
    changes: dict[str, Any] = {}
    for key, value in overrides.items():
        kind = POLICY_FIELDS.get(key)
        if kind is not None:
            text = value.replace("-", "_") if isinstance(value, str) else value
            if kind is UnitBasis and isinstance(text, str):
                text = text.upper()
            member = _POLICY_CHOICES[key].get(text) if type(text) is str else None
            if member is not None:  # a value as it is spelled: no Enum look-up
                changes[key] = member
                continue
        path = f"policy.{key}"  # spelled only when it may be needed
        if kind is not None:
            try:
                changes[key] = kind(text)
            except ValueError:
                choices = ", ".join(member.value for member in kind)
                errors.add(path, f'"{value}" is not allowed; choose one of {choices}')
        elif key in {"month_lines", "capped_rental"}:
            if not isinstance(value, bool):
                errors.add(path, f"{key} must be true or false")
            else:
                changes[key] = value
        elif key in {"jz_from", "jw_from"}:
            if value in (None, ""):
                changes[key] = None
            else:
                changes[key] = _read(errors, path, value, _date)
        elif key == "max_months_per_line":
            if isinstance(value, bool) or value not in billing.MONTHS_PER_LINE_CHOICES:
                choices = " or ".join(str(months) for months in billing.MONTHS_PER_LINE_CHOICES)
                errors.add(path, f"at most {choices} months' supply on one line")
            else:
                changes[key] = value
        elif key == "place_of_service":
            if not (isinstance(value, str) and re.fullmatch(r"\d{2}", value)):
                errors.add(path, "place of service is a two-digit code, e.g. 12 (home)")
            else:
                changes[key] = value
        else:
            errors.add(path, "unknown policy setting")
    return _changed_policy(policy, tuple(changes.items())) if changes else policy


def _changed_policy(policy: BillingPolicy, changes: tuple[tuple[str, Any], ...]) -> BillingPolicy:
    """Return `policy` with an order's settings changed. Both are frozen values, so the same
    change of the same profile is made once (dataclasses.replace costs a tenth of a request).
    Remembered by the profile's identity, not its hash (a hash of every field, each time): an
    entry holds the profile, so its id stays its own while the entry lives."""
    key = (id(policy), changes)
    known = _CHANGED_POLICIES.get(key)
    if known is not None and known[0] is policy:
        return known[1]
    if len(_CHANGED_POLICIES) >= 256:
        _CHANGED_POLICIES.clear()
    changed = replace(policy, **dict(changes))
    _CHANGED_POLICIES[key] = (policy, changed)
    return changed


_CHANGED_POLICIES: dict[tuple[int, tuple], tuple[BillingPolicy, BillingPolicy]] = {}


# The longest text field (a name, an NDC, a code) a drug row may give.
_TEXT_LIMIT = 120


def _text(
    value: object, prefix: str, key: str, errors: ErrorCollector, *, limit: int = _TEXT_LIMIT
) -> str:
    """Return a text field stripped, or "" after recording why it cannot be stored under
    `prefix.key` (`prefix` alone when `key` is empty)."""
    if type(value) is str and len(value) <= limit and (value.isprintable() or storable(value)):
        return value.strip()  # most texts, at once (a printable text is storable)
    if value is None:
        return ""
    path = f"{prefix}.{key}" if key else prefix
    if not isinstance(value, str):
        errors.add(path, "must be text")
        return ""
    if len(value) > limit:
        errors.add(path, f"must be at most {limit} characters")
        return ""
    if not storable(value):
        errors.add(path, "contains control characters or invalid Unicode")
        return ""
    return value.strip()


def _optional(value: object, prefix: str, key: str, reader: Any, errors: ErrorCollector) -> Any:
    """Return reader(value) for an optional field, None when it is blank, or None after
    recording reader's message under `prefix.key` (the path is spelled only for an error)."""
    if value is None or value == "":
        return None
    try:
        return reader(value)
    except _READ_ERRORS as error:
        errors.add(f"{prefix}.{key}", str(error))
        return None


def _required(
    value: object, prefix: str, key: str, reader: Any, missing: str, errors: ErrorCollector
) -> Any:
    """Return reader(value) for a field that must be given, or None after recording `missing`
    (blank) or reader's message under `prefix.key`."""
    if value is None or value == "":
        errors.add(f"{prefix}.{key}", missing)
        return None
    try:
        return reader(value)
    except _READ_ERRORS as error:
        errors.add(f"{prefix}.{key}", str(error))
        return None


# Each optional quantity of a drug row, read one way wherever it comes from (the row, a dose
# change, the catalog).
_DOSE_AMOUNT = (MASS, ACTIVITY, EQUIVALENT)
_BOLUS_AMOUNT = (MASS, ACTIVITY, EQUIVALENT, VOLUME)
_VOLUME = (VOLUME,)
_TIME = (TIME,)
_BLANK = (None, "")


def _optional_amount(
    value: object,
    dimensions: tuple[str, ...],
    prefix: str,
    key: str,
    reader: Any,
    errors: ErrorCollector,
) -> Measure | None:
    """Return `_optional(value, prefix, key, reader, errors)` for a `reader` of plain amounts
    of `dimensions`: at once for an amount typed as most are (what parse_amount returns)."""
    read = quick_measure(value)
    if read is not None and not read[1].per and read[1].dimension in dimensions:
        return read[0]
    return _optional(value, prefix, key, reader, errors)


# Each HCPCS unit read ("10 mg", "0.1 mg": the descriptors' few texts), by its text: a Measure
# is frozen, so the drug rows of every order share it. Emptied when full.
_HCPCS_UNITS: dict[str, Measure] = {}


def _read_hcpcs_unit(value: object) -> Measure:
    return parse_amount(value, dimensions=_DOSE_AMOUNT, example="10 mg")


def _read_package_volume(value: object) -> Measure:
    return parse_amount(value, dimensions=_VOLUME, example="10 mL")


def _read_bolus(value: object) -> Measure:
    return parse_amount(value, dimensions=_BOLUS_AMOUNT, example="1 mg")


def _read_lockout(value: object) -> Measure:
    return parse_amount(value, dimensions=_TIME, example="10 min")


def _read_boluses(value: object) -> int:
    return _positive_int(value, name="boluses per day", low=0, high=MAX_BOLUSES_PER_DAY)


def _read_drug(
    raw: object,
    prefix: str,
    catalog: Catalog,
    errors: ErrorCollector,
    warnings: list[SafetyWarning],
    known: bool = False,
) -> tuple[DrugInput | None, Product | None]:
    """Return a drug row read field by field in one pass (every field's error on its path),
    and its catalog product. A row's value wins; an empty name, concentration, HCPCS code, NDC
    unit or package volume takes its catalog product's (and stays empty without a product).
    A field the row does not give costs one test (most rows give a few of them). `known`: the
    caller has seen that the row is a dict of drug fields only."""
    if not known:
        if type(raw) is not dict and not isinstance(raw, Mapping):
            errors.add(prefix, "each drug must be an object")
            return None, None
        if not raw.keys() <= DRUG_FIELDS:
            for key in sorted(set(raw) - DRUG_FIELDS, key=str):
                errors.add(f"{prefix}.{key}", "unknown field")
    get = raw.get
    typed_ndc, name = get("ndc"), get("name")
    rate_text, concentration_text = get("rate"), get("concentration")
    # _read_ndc written out for an NDC typed as most are (printable text that is an NDC); any
    # other, a refused one included, is read again by _read_ndc, which says what is wrong.
    try:
        ndc11 = (
            ndc.normalize_ndc(typed_ndc.strip())
            if type(typed_ndc) is str and len(typed_ndc) <= _TEXT_LIMIT and typed_ndc.isprintable()
            else ""
        )
    except ndc.NdcError:
        ndc11 = ""
    if ndc11:
        product = catalog.product(ndc11)
    else:
        ndc11, product = _read_ndc(typed_ndc, prefix, catalog, errors, warnings)
    typed_hcpcs = hcpcs = get("hcpcs")
    ndc_unit = get("ndc_unit")
    package_text = get("package_volume")
    if product is not None:
        if name is None or name == "":
            name = product.name or None
        if concentration_text is None or concentration_text == "":
            concentration_text = product.concentration or None
        if hcpcs is None or hcpcs == "":
            hcpcs = product.hcpcs or None
        if ndc_unit is None or ndc_unit == "":
            ndc_unit = product.ndc_unit or None
        if package_text is None or package_text == "":
            package_text = product.package_volume or None
    if type(name) is str and len(name) <= _TEXT_LIMIT and name.isprintable():
        name = name.strip()  # _text's first test written out: most names are printable text
    else:
        name = _text(name, prefix, "name", errors) if name is not None else ""
    # A rate and a concentration typed as most are, read at once (what parse_rate and
    # parse_concentration return for them); anything else by those readers, which say why not.
    read = quick_measure(rate_text)
    if read is not None and read[1].is_rate:
        rate = read[0]
    else:
        rate = _required(
            rate_text, prefix, "rate", parse_rate, "enter the dose rate, e.g. 5 mg/hr", errors
        )
    read = quick_measure(concentration_text)
    if read is not None and read[1].is_concentration:
        concentration = read[0]
    else:
        concentration = _required(
            concentration_text,
            prefix,
            "concentration",
            parse_concentration,
            "enter the concentration, e.g. 25 mg/mL",
            errors,
        )
    compounded = get("compounded", False)
    if compounded is not False and not isinstance(compounded, bool):
        errors.add(f"{prefix}.compounded", "compounded must be true or false")
        compounded = False
    if concentration is not None and product is not None:
        _check_labelled(concentration, product, compounded, prefix, errors, warnings)

    route = _optional(get("route"), prefix, "route", _route, errors) if "route" in raw else None
    if hcpcs is not None:
        hcpcs = _read_hcpcs(hcpcs, typed_hcpcs, route, product, prefix, errors, warnings)
    else:
        hcpcs = ""
    unit_text = get("hcpcs_unit")
    if (unit_text is None or unit_text == "") and hcpcs:
        from_product = product.hcpcs_unit if product and product.hcpcs == hcpcs else ""
        unit_text = from_product or catalog.hcpcs_unit(hcpcs) or None
    hcpcs_unit = _HCPCS_UNITS.get(unit_text) if type(unit_text) is str else None
    if hcpcs_unit is None and unit_text is not None:  # none: what _optional returns
        hcpcs_unit = _optional(unit_text, prefix, "hcpcs_unit", _read_hcpcs_unit, errors)
        if hcpcs_unit is not None and type(unit_text) is str:
            if len(_HCPCS_UNITS) >= 256:
                _HCPCS_UNITS.clear()
            _HCPCS_UNITS[unit_text] = hcpcs_unit

    ndc_unit = ndc_unit or "ML"
    if ndc_unit != "ML" and (
        not isinstance(ndc_unit, str) or ndc_unit.strip().upper() not in billing.NDC_UNITS
    ):
        errors.add(
            f"{prefix}.ndc_unit",
            f'"{ndc_unit}" is not an NDC unit; use one of {", ".join(billing.NDC_UNITS)}',
        )
        ndc_unit = "ML"
    package_volume = (
        _optional_amount(
            package_text, _VOLUME, prefix, "package_volume", _read_package_volume, errors
        )
        if package_text is not None
        else None
    )
    bolus = (
        _optional_amount(get("bolus"), _BOLUS_AMOUNT, prefix, "bolus", _read_bolus, errors)
        if "bolus" in raw
        else None
    )
    lockout = (
        _optional_amount(get("lockout"), _TIME, prefix, "lockout", _read_lockout, errors)
        if "lockout" in raw
        else None
    )
    boluses = get("boluses_per_day")
    if boluses is not None and not (
        type(boluses) is int and 0 <= boluses <= MAX_BOLUSES_PER_DAY
    ):  # a count given as a whole number in range: what _read_boluses returns, at once
        boluses = _optional(boluses, prefix, "boluses_per_day", _read_boluses, errors)
    weight = get("weight")
    if weight is not None:  # a weight typed as most are, at once (what parse_weight returns)
        read = quick_measure(weight)
        if read is not None and read[1].numerator in WEIGHT_UNITS and not read[1].per:
            weight = read[0]
        else:
            weight = _optional(weight, prefix, "weight", parse_weight, errors)
    rate_changes = get("rate_changes")
    if rate_changes is not None:
        rate_changes = read_rate_changes(rate_changes, f"{prefix}.rate_changes", errors)
    if rate is None or concentration is None:
        return None, product
    drug = make_drug_input(
        rate,
        concentration,
        name,
        ndc11,
        bolus,
        boluses or 0,
        weight,
        hcpcs,
        hcpcs_unit,
        ndc_unit if ndc_unit == "ML" else ndc_unit.strip().upper(),
        package_volume,
        route,
        rate_changes or (),
        lockout,
    )
    return drug, product


def _read_ndc(
    value: object,
    prefix: str,
    catalog: Catalog,
    errors: ErrorCollector,
    warnings: list[SafetyWarning],
) -> tuple[str, Product | None]:
    """Return a drug row's 11-digit NDC and its catalog product (None when not in it); a bare
    10-digit NDC is read as the only catalog product it can be, with a notice. (An NDC typed
    as most are, _read_drug reads without coming here.)"""
    ndc_text = _text(value, prefix, "ndc", errors)
    if not ndc_text:
        path = f"{prefix}.ndc"
        if path not in errors:
            errors.add(path, "enter the product's NDC, e.g. 00074-1133-03")
        return "", None
    try:
        ndc11 = ndc.normalize_ndc(ndc_text)
        return ndc11, catalog.product(ndc11)
    except ndc.AmbiguousNdc as ambiguous:
        path = f"{prefix}.ndc"
        matches = catalog.products_among(ambiguous.candidates)
        if len(matches) != 1:
            errors.add(path, str(ambiguous))
            return "", None
        product = matches[0]
        warnings.append(
            SafetyWarning(
                field=path,
                kind="notice",
                message=f"read {ndc_text} as {ndc.format_ndc(product.ndc)}, "
                "the only catalog product it can be",
                needs_ack=False,
            )
        )
        return product.ndc, product
    except ndc.NdcError as error:
        errors.add(f"{prefix}.ndc", str(error))
        return "", None


def _check_labelled(
    concentration: Measure,
    product: Product,
    compounded: bool,
    prefix: str,
    errors: ErrorCollector,
    warnings: list[SafetyWarning],
) -> None:
    """Refuse a concentration that differs from the product's label unless the row is marked
    compounded/diluted, which it then notes."""
    if not concentration_differs(entered=str(concentration), labelled=product.concentration):
        return
    if not compounded:
        errors.add(
            f"{prefix}.concentration",
            f'"{concentration}" differs from the labelled {product.concentration} of '
            f"{product.name}; mark it compounded/diluted to use it",
        )
        return
    warnings.append(
        SafetyWarning(
            field=f"{prefix}.concentration",
            kind="compounded",
            message=f"compounded/diluted to {concentration} (labelled {product.concentration})",
            needs_ack=False,
        )
    )


def _read_hcpcs(
    value: object,
    typed: object,
    route: Route | None,
    product: Product | None,
    prefix: str,
    errors: ErrorCollector,
    warnings: list[SafetyWarning],
) -> str:
    """Return a drug row's HCPCS code (`value`: as typed, else the catalog's), upper case; the
    catalog's code, not one the user `typed`, becomes its twin when the route calls for it."""
    if value is None:
        return ""
    hcpcs = _text(value, prefix, "hcpcs", errors).upper()
    if hcpcs and not _HCPCS_CODE.fullmatch(hcpcs):
        errors.add(f"{prefix}.hcpcs", f'"{hcpcs}" is not a HCPCS code such as J2270')
        return ""
    if product is not None and hcpcs and typed in _BLANK:
        for_route = billing.code_for_route(
            hcpcs, route=route, preservative_free=product.preservative_free
        )
        if for_route != hcpcs:
            warnings.append(
                SafetyWarning(
                    field=f"{prefix}.hcpcs",
                    kind="route-code",
                    message=f"billed as {for_route}, not the catalog's {hcpcs}: "
                    f"{'preservative-free ' if product.preservative_free else ''}"
                    f"{product.name or 'product'} for {route} use",
                    needs_ack=False,
                )
            )
            return for_route
    return hcpcs


# --- Dose changes inside the period: [{"from": "2026-01-11", "rate": "7 mg/hr"}] ---------------

RATE_CHANGE_FIELDS = {"from", "rate", "bolus", "boluses_per_day"}


def read_rate_changes(raw: object, path: str, errors: ErrorCollector) -> tuple[RateChange, ...]:
    """Return a drug's dose changes read strictly; the domain checks their dates against the
    period (inside it, increasing)."""
    if raw in (None, "", []):
        return ()
    if not isinstance(raw, list):
        errors.add(path, 'a list of changes, e.g. [{"from": "2026-01-11", "rate": "7 mg/hr"}]')
        return ()
    if len(raw) > dosing.MAX_RATE_CHANGES:
        errors.add(path, f"at most {dosing.MAX_RATE_CHANGES} dose changes on one drug")
        return ()
    changes = []
    for number, item in enumerate(raw):
        here = f"{path}.{number}"
        if not isinstance(item, Mapping):
            errors.add(here, 'each change is an object: {"from": "2026-01-11", "rate": "7 mg/hr"}')
            continue
        for key in sorted(set(item) - RATE_CHANGE_FIELDS, key=str):
            errors.add(f"{here}.{key}", "unknown field")
        start = rate = bolus = count = None
        if item.get("from") in (None, ""):
            errors.add(f"{here}.from", "enter the date the new rate starts, e.g. 2026-01-11")
        else:
            start = _read(errors, f"{here}.from", item["from"], _date)
        if item.get("rate") in (None, ""):
            errors.add(f"{here}.rate", "enter the new dose rate, e.g. 7 mg/hr")
        else:
            rate = _read(errors, f"{here}.rate", item["rate"], parse_rate)
        bolus = _optional(item.get("bolus"), here, "bolus", _read_bolus, errors)
        count = _optional(
            item.get("boluses_per_day"), here, "boluses_per_day", _read_boluses, errors
        )
        if start is not None and rate is not None:
            changes.append(RateChange(start=start, rate=rate, bolus=bolus, boluses_per_day=count))
    return tuple(changes)


def _read_visits(raw: object, errors: ErrorCollector) -> list[NursingVisit]:
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        errors.add("nursing_visits", 'a list of visit lengths, e.g. ["3.5 h"]')
        return []
    if len(raw) > MAX_NURSING_VISITS:
        errors.add("nursing_visits", f"at most {MAX_NURSING_VISITS} visits on one order")
        return []
    visits = []
    for index, item in enumerate(raw):
        path = f"nursing_visits.{index}"
        visit_date, duration = None, item
        if isinstance(item, Mapping):
            duration = item.get("duration")
            if item.get("date"):
                visit_date = _read(errors, path, item["date"], _date)
        elif isinstance(item, str):
            match = re.fullmatch(r"\s*(\d{4}-\d{2}-\d{2})\s+(.+)", item)
            if match:
                visit_date = _read(errors, path, match.group(1), _date)
                duration = match.group(2)
        minutes = _read(errors, path, duration, parse_duration_minutes)
        if minutes is not None:
            visits.append(NursingVisit(minutes=minutes, visit_date=visit_date))
    return visits


# --- The dispensing part of a drug (SPEC 10) ---------------------------------------------------


def _read_dispensing(
    raw: object,
    prefix: str,
    catalog: Catalog,
    errors: ErrorCollector,
    product: Product | None = None,
) -> DispensingInput:
    """Return the reservoir, priming volume, beyond-use days and stock product of a drug row
    (each optional; the plan itself checks that they fit the dose, in `dispensing_plan`).

    A reservoir without beyond-use days takes the product's default; the order may lower that
    default, not raise it."""
    if type(raw) is not dict and not isinstance(raw, Mapping):
        return NO_DISPENSING
    if not any(key in raw for key in DISPENSING_FIELDS):
        return NO_DISPENSING

    def volume(key: str, example: str, *, zero_ok: bool = False) -> Any:
        if raw.get(key) in (None, ""):
            return None
        reader = _volume_or_zero if zero_ok else _volume
        return _read(errors, f"{prefix}.{key}", raw[key], lambda v: reader(v, example))

    beyond_use_days = None
    if raw.get("beyond_use_days") not in (None, ""):
        beyond_use_days = _read(
            errors,
            f"{prefix}.beyond_use_days",
            raw["beyond_use_days"],
            lambda v: _positive_int(v, name="beyond-use days", low=1, high=MAX_BEYOND_USE_DAYS),
        )
    default = product.beyond_use_days if product is not None else None
    if default is not None and beyond_use_days is not None and beyond_use_days > default:
        errors.add(
            f"{prefix}.beyond_use_days",
            f"the catalog gives {product.name if product else 'this product'} {default} "
            f"beyond-use days; an order may lower that, not raise it to {beyond_use_days}",
        )
    reservoir = volume("reservoir_volume", "100 mL")
    if beyond_use_days is None and reservoir is not None:
        beyond_use_days = default
    return DispensingInput(
        reservoir_volume=reservoir,
        priming_volume=volume("priming_volume", "5 mL", zero_ok=True),
        beyond_use_days=beyond_use_days,
        stock=_read_stock(raw.get("stock_ndc"), f"{prefix}.stock_ndc", catalog, errors),
    )


def _volume(value: object, example: str) -> Measure:
    return parse_amount(value, dimensions=(VOLUME,), example=example)


def _volume_or_zero(value: object, example: str) -> Measure:
    """Return a volume that may be zero ("0 mL": no priming), which the strict reader of
    quantities refuses."""
    match = re.fullmatch(r"\s*0+(?:\.0*)?\s*(\S.*)", value) if isinstance(value, str) else None
    if match:
        return replace(_volume(f"1 {match.group(1)}", example), value=Decimal(0))
    return _volume(value, example)


def _read_stock(
    value: object, path: str, catalog: Catalog, errors: ErrorCollector
) -> StockProduct | None:
    """Return the catalog product a compounded reservoir is made from, with its labelled
    concentration and the volume of one container."""
    text = _text(value, path, "", errors)
    if not text:
        return None
    try:
        product = catalog.product(ndc.normalize_ndc(text))
    except ndc.NdcError as error:
        errors.add(path, str(error))
        return None
    if product is None:
        errors.add(path, f"no catalog product has the NDC {text}")
        return None
    if not product.package_volume:
        errors.add(
            path,
            f"{product.name} has no package volume in the catalog; the containers to open "
            "cannot be counted",
        )
        return None
    try:
        concentration = parse_concentration(product.concentration)
        package = parse_amount(product.package_volume, dimensions=(VOLUME,), example="20 mL")
    except QuantityError as error:
        errors.add(path, f"the catalog's {product.name}: {error}")
        return None
    return StockProduct(
        concentration=concentration, package_volume=package, name=product.name, ndc=product.ndc
    )
