"""Reading a request dict (the JSON body, the CLI flags, the cleaned form) into the domain's
inputs, every error reported on its field path ("drugs.0.rate")."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

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
)
from calculator.domain.errors import ErrorCollector, InvalidOrder
from calculator.domain.safety import (
    SafetyWarning,
    concentration_differs,
)
from calculator.domain.text import storable
from calculator.domain.units import (
    ACTIVITY,
    EQUIVALENT,
    MASS,
    VOLUME,
    Measure,
    QuantityError,
    parse_amount,
    parse_concentration,
    parse_decimal,
    parse_duration_minutes,
    parse_rate,
    parse_weight,
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


@dataclass(frozen=True)
class ParsedRequest:
    order: OrderInput
    policy: BillingPolicy
    notices: tuple[SafetyWarning, ...]
    products: tuple[Product | None, ...]
    dispensing: tuple[DispensingInput, ...] = ()
    medicare: MedicareRequest | None = None
    secondary_policy: BillingPolicy | None = None


def parse_request(data: object, catalog: Catalog) -> ParsedRequest:
    """Return the order, policy, notices and catalog products read strictly from a request."""
    errors = ErrorCollector()
    warnings: list[SafetyWarning] = []
    if not isinstance(data, Mapping):
        raise InvalidOrder({"request": ["the request must be a JSON object"]})
    for key in sorted(set(data) - REQUEST_FIELDS, key=str):
        errors.add(str(key), "unknown field")

    policy = _read_policy(data, catalog, errors)
    hours = _read(errors, "hours_per_day", data.get("hours_per_day", "24"), _hours)
    therapy = _read(errors, "therapy", data.get("therapy"), _therapy)
    if therapy is None and "therapy" not in errors and hours is not None:
        therapy = Therapy.CONTINUOUS if hours == 24 else Therapy.INTERMITTENT
    period = _read_period(data, errors)

    raw_drugs = data.get("drugs")
    drugs: list[DrugInput] = []
    products: list[Product | None] = []
    dispensing: list[DispensingInput] = []
    if not isinstance(raw_drugs, list) or not raw_drugs:
        errors.add("drugs", "add at least one drug")
    elif len(raw_drugs) > MAX_DRUGS_PER_ORDER:
        errors.add("drugs", f"at most {MAX_DRUGS_PER_ORDER} drugs on one order")
    else:
        for index, raw in enumerate(raw_drugs):
            drug, product = _read_drug(raw, f"drugs.{index}", catalog, errors, warnings)
            plan_input = _read_dispensing(raw, f"drugs.{index}", catalog, errors, product)
            if drug is not None:
                drugs.append(drug)
                products.append(product)
                dispensing.append(plan_input)

    visits = _read_visits(data.get("nursing_visits", []), errors)
    medicare = read_medicare(data, policy, products, errors)
    secondary = read_secondary_policy(data, policy, catalog, errors)
    errors.raise_if_any()
    assert hours is not None and therapy is not None and period is not None and policy
    order = OrderInput(
        drugs=tuple(drugs),
        period=period,
        hours_per_day=hours,
        therapy=therapy,
        nursing_visits=tuple(visits),
    )
    return ParsedRequest(
        order, policy, tuple(warnings), tuple(products), tuple(dispensing), medicare, secondary
    )


def _read(errors: ErrorCollector, path: str, value: Any, reader: Any) -> Any:
    """Return reader(value), or None after recording its message under `path`."""
    try:
        return reader(value)
    except (QuantityError, ndc.NdcError, ValueError) as error:
        errors.add(path, str(error))
        return None


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


def _read_period(data: Mapping, errors: ErrorCollector) -> ServicePeriod | None:
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
        period = ServicePeriod.between(start, end)
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
    return ServicePeriod(days=days)


def _read_policy(data: Mapping, catalog: Catalog, errors: ErrorCollector) -> BillingPolicy | None:
    name = data.get("profile") or DEFAULT_PROFILE
    if not isinstance(name, str) or not storable(name) or len(name) > 40:
        errors.add("profile", "the profile must be a name, e.g. HMSA")
        return None
    policy = catalog.policy(name.strip())
    if policy is None:
        errors.add("profile", f'no billing profile is named "{name}"')
        return None
    overrides = data.get("policy") or {}
    if not isinstance(overrides, Mapping):
        errors.add("policy", "policy must be an object of settings")
        return policy
    changes: dict[str, Any] = {}
    for key, value in overrides.items():
        path = f"policy.{key}"
        if key in POLICY_FIELDS:
            kind = POLICY_FIELDS[key]
            text = value.replace("-", "_") if isinstance(value, str) else value
            if kind is UnitBasis and isinstance(text, str):
                text = text.upper()
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
    return replace(policy, **changes) if changes else policy


def _text(value: object, path: str, errors: ErrorCollector, *, limit: int = 120) -> str:
    if value is None:
        return ""
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


def _read_drug(
    raw: object,
    prefix: str,
    catalog: Catalog,
    errors: ErrorCollector,
    warnings: list[SafetyWarning],
) -> tuple[DrugInput | None, Product | None]:
    if not isinstance(raw, Mapping):
        errors.add(prefix, "each drug must be an object")
        return None, None
    for key in sorted(set(raw) - DRUG_FIELDS, key=str):
        errors.add(f"{prefix}.{key}", "unknown field")
    product = None
    ndc11 = ""
    ndc_text = _text(raw.get("ndc"), f"{prefix}.ndc", errors)
    if not ndc_text:
        if f"{prefix}.ndc" not in errors:
            errors.add(f"{prefix}.ndc", "enter the product's NDC, e.g. 00074-1133-03")
    else:
        try:
            ndc11 = ndc.normalize_ndc(ndc_text)
            product = catalog.product(ndc11)
        except ndc.AmbiguousNdc as ambiguous:
            matches = catalog.products_among(ambiguous.candidates)
            if len(matches) == 1:
                product = matches[0]
                ndc11 = product.ndc
                warnings.append(
                    SafetyWarning(
                        field=f"{prefix}.ndc",
                        kind="notice",
                        message=f"read {ndc_text} as {ndc.format_ndc(ndc11)}, "
                        "the only catalog product it can be",
                        needs_ack=False,
                    )
                )
            else:
                errors.add(f"{prefix}.ndc", str(ambiguous))
        except ndc.NdcError as error:
            errors.add(f"{prefix}.ndc", str(error))

    def pick(key: str, catalog_value: str) -> Any:
        value = raw.get(key)
        if value in (None, "") and product is not None:
            return catalog_value or None
        return value

    name = _text(pick("name", product.name if product else ""), f"{prefix}.name", errors)
    concentration_text = pick("concentration", product.concentration if product else "")
    rate_text = raw.get("rate")
    rate = concentration = None
    if rate_text in (None, ""):
        errors.add(f"{prefix}.rate", "enter the dose rate, e.g. 5 mg/hr")
    else:
        rate = _read(errors, f"{prefix}.rate", rate_text, parse_rate)
    if concentration_text in (None, ""):
        errors.add(f"{prefix}.concentration", "enter the concentration, e.g. 25 mg/mL")
    else:
        concentration = _read(
            errors, f"{prefix}.concentration", concentration_text, parse_concentration
        )
    compounded = raw.get("compounded", False)
    if not isinstance(compounded, bool):
        errors.add(f"{prefix}.compounded", "compounded must be true or false")
        compounded = False
    if (
        concentration is not None
        and product is not None
        and concentration_differs(entered=str(concentration), labelled=product.concentration)
    ):
        if not compounded:
            errors.add(
                f"{prefix}.concentration",
                f'"{concentration}" differs from the labelled {product.concentration} of '
                f"{product.name}; mark it compounded/diluted to use it",
            )
        else:
            warnings.append(
                SafetyWarning(
                    field=f"{prefix}.concentration",
                    kind="compounded",
                    message=f"compounded/diluted to {concentration} "
                    f"(labelled {product.concentration})",
                    needs_ack=False,
                )
            )

    route = _read(errors, f"{prefix}.route", raw.get("route"), _route)
    hcpcs = _text(pick("hcpcs", product.hcpcs if product else ""), f"{prefix}.hcpcs", errors)
    hcpcs = hcpcs.upper()
    if hcpcs and not _HCPCS_CODE.fullmatch(hcpcs):
        errors.add(f"{prefix}.hcpcs", f'"{hcpcs}" is not a HCPCS code such as J2270')
        hcpcs = ""
    if product is not None and hcpcs and raw.get("hcpcs") in (None, ""):
        # The catalog's code, not one the user typed: the route may call for its twin.
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
            hcpcs = for_route
    unit_text = raw.get("hcpcs_unit")
    if unit_text in (None, "") and hcpcs:
        from_product = product.hcpcs_unit if product and product.hcpcs == hcpcs else ""
        unit_text = from_product or catalog.hcpcs_unit(hcpcs) or None
    hcpcs_unit = None
    if unit_text not in (None, ""):
        hcpcs_unit = _read(
            errors,
            f"{prefix}.hcpcs_unit",
            unit_text,
            lambda v: parse_amount(v, dimensions=(MASS, ACTIVITY, EQUIVALENT), example="10 mg"),
        )

    ndc_unit = pick("ndc_unit", product.ndc_unit if product else "") or "ML"
    if not isinstance(ndc_unit, str) or ndc_unit.strip().upper() not in billing.NDC_UNITS:
        errors.add(
            f"{prefix}.ndc_unit",
            f'"{ndc_unit}" is not an NDC unit; use one of {", ".join(billing.NDC_UNITS)}',
        )
        ndc_unit = "ML"
    package_text = pick("package_volume", product.package_volume if product else "")
    package_volume = None
    if package_text not in (None, ""):
        package_volume = _read(
            errors,
            f"{prefix}.package_volume",
            package_text,
            lambda v: parse_amount(v, dimensions=(VOLUME,), example="10 mL"),
        )
    bolus = None
    if raw.get("bolus") not in (None, ""):
        bolus = _read(
            errors,
            f"{prefix}.bolus",
            raw["bolus"],
            lambda v: parse_amount(
                v, dimensions=(MASS, ACTIVITY, EQUIVALENT, VOLUME), example="1 mg"
            ),
        )
    boluses = 0
    if raw.get("boluses_per_day") not in (None, ""):
        boluses = _read(
            errors,
            f"{prefix}.boluses_per_day",
            raw["boluses_per_day"],
            lambda v: _positive_int(v, name="boluses per day", low=0, high=MAX_BOLUSES_PER_DAY),
        )
    weight = None
    if raw.get("weight") not in (None, ""):
        weight = _read(errors, f"{prefix}.weight", raw["weight"], parse_weight)
    rate_changes = read_rate_changes(raw.get("rate_changes"), f"{prefix}.rate_changes", errors)
    if rate is None or concentration is None:
        return None, product
    drug = DrugInput(
        rate=rate,
        concentration=concentration,
        name=name,
        ndc=ndc11,
        bolus=bolus,
        boluses_per_day=boluses or 0,
        weight=weight,
        hcpcs=hcpcs,
        hcpcs_unit=hcpcs_unit,
        ndc_unit=ndc_unit.strip().upper(),
        package_volume=package_volume,
        route=route,
        rate_changes=rate_changes,
    )
    return drug, product


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
        if item.get("bolus") not in (None, ""):
            bolus = _read(
                errors,
                f"{here}.bolus",
                item["bolus"],
                lambda v: parse_amount(
                    v, dimensions=(MASS, ACTIVITY, EQUIVALENT, VOLUME), example="1 mg"
                ),
            )
        if item.get("boluses_per_day") not in (None, ""):
            count = _read(
                errors,
                f"{here}.boluses_per_day",
                item["boluses_per_day"],
                lambda v: _positive_int(v, name="boluses per day", low=0, high=MAX_BOLUSES_PER_DAY),
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
    if not isinstance(raw, Mapping):
        return DispensingInput()

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
    text = _text(value, path, errors)
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
