"""The JSON API under /api/v1/ (SPEC section 8): calculate, orders, products and profiles.

Thin, like the pages: a request schema documents and gates the body, the engine and the services
do the work, and every answer is JSON. The request schemas are deliberately permissive where the
engine reads strictly (a rate is any text), so the engine's own field messages come back; what
the schema does reject comes back in the same shape, `{"errors": {"drugs.0.rate": ["..."]}}`,
with status 400. `POST /calculate` answers exactly what `manage.py calculate --json` prints.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from functools import wraps
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.core.paginator import EmptyPage, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, re_path, reverse
from ninja import Field, NinjaAPI, Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from pydantic import ConfigDict, StrictBool, StrictFloat, StrictInt, StrictStr, field_validator
from pydantic.json_schema import SkipJsonSchema

from calculator import engine, services
from calculator.api_auth import NOT_SIGNED_IN, BadToken, BearerToken, SessionAuth
from calculator.domain import billing
from calculator.domain.errors import InvalidOrder
from calculator.models import AccessLog, BillingProfile, ClaimLine, Order, OrderDrug
from calculator.selectors.catalog import product_search
from calculator.selectors.orders import orders_filtered, orders_with_details

ORDERS_PER_PAGE = 25
PRODUCTS_LIMIT = 50


class Renderer(JSONRenderer):
    """JSON laid out as `manage.py calculate --json` prints it, so the two match byte for byte."""

    json_dumps_params = {"indent": 2}


def json_response(data: Any, status: int = 200) -> HttpResponse:
    """Return data as the API renders every answer (errors included)."""
    renderer = Renderer()
    body = renderer.render(None, data, response_status=status)  # type: ignore[arg-type]
    content_type = f"{renderer.media_type}; charset={renderer.charset}"
    return HttpResponse(body, status=status, content_type=content_type)


def errors(status: int, field: str, *messages: str) -> HttpResponse:
    return json_response({"errors": {field: list(messages)}}, status=status)


def unauthorized(message: str) -> HttpResponse:
    response = errors(401, "auth", message)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def docs_require_user(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Guard the schema and the docs page: a token or a session; the page sends people to log in.

    SPEC 9 shows anonymous users nothing but the login page, and the schema maps the payers'
    billing rules, so it is published to signed-in users and token holders only.
    """

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "Authorization" in request.headers:
            try:
                BearerToken()(request)
            except BadToken as error:
                return unauthorized(error.message)
        elif not request.user.is_authenticated:
            if request.path.endswith(".json"):
                return unauthorized(NOT_SIGNED_IN)
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return guarded


class API(NinjaAPI):
    """NinjaAPI whose URL edges answer JSON too: 405 for a wrong method, 404 for no endpoint."""

    @property
    def urls(self) -> tuple[list[Any], str, str]:
        patterns, app_name, namespace = super().urls
        wrapped = [
            URLPattern(p.pattern, _json_edges(p.callback), p.default_args, p.name)
            if isinstance(p, URLPattern)
            else p
            for p in patterns
        ]
        wrapped.append(re_path(r"^.*$", _no_endpoint, name="no-endpoint"))
        return wrapped, app_name, namespace


api = API(
    title="Home-infusion calculator API",
    version="1",
    description=(
        "Compute doses, volumes, billing units and claim lines, and save, verify, bill or void "
        "orders. Authenticate with `Authorization: Bearer <token>` (`manage.py api_token USER`) "
        "or a signed-in session (unsafe methods then need the X-CSRFToken header). Errors are "
        '`{"errors": {"field.path": ["message"]}}`.'
    ),
    auth=[BearerToken(), SessionAuth()],
    urls_namespace="api",
    docs_decorator=docs_require_user,
    renderer=Renderer(),
)


# --- Errors -----------------------------------------------------------------------------------


class ErrorOut(Schema):
    errors: dict[str, list[str]] = Field(
        description="Messages by field path, as in the request: `drugs.0.rate`.",
        examples=[{"drugs.0.rate": ['"25 mg/mL" is a concentration, not a dose rate']}],
    )


class Forbidden(HttpError):
    def __init__(self, message: str) -> None:
        super().__init__(403, message)


ERROR_RESPONSES: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut}
NOT_FOUND = {"id": ["not found"]}


@api.exception_handler(InvalidOrder)
def _invalid_order(request: HttpRequest, exc: InvalidOrder) -> HttpResponse:
    return json_response({"errors": exc.errors}, status=400)


@api.exception_handler(services.OrderStateError)
def _wrong_state(request: HttpRequest, exc: services.OrderStateError) -> HttpResponse:
    return errors(409, "status", str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return json_response({"errors": NOT_FOUND}, status=404)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return errors(400, "body", f"the body is larger than the {limit} bytes allowed")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError) or exc.status_code == 401:
        return unauthorized(NOT_SIGNED_IN if isinstance(exc, AuthenticationError) else exc.message)
    if exc.status_code == 403:
        return errors(403, "auth", exc.message)
    if exc.status_code == 400 and exc.__cause__ is not None:
        # ninja wraps whatever the JSON parser raised; name the cause, not the wrapper.
        return errors(400, "body", f"the body is not valid JSON: {_reason(exc.__cause__)}")
    return errors(exc.status_code, "request", exc.message)


def _reason(error: BaseException) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} (line {error.lineno}, column {error.colno})"
    if isinstance(error, UnicodeDecodeError):
        return "it is not UTF-8 text"
    return type(error).__name__


TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a number",
    "float_type": "a number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
}


@api.exception_handler(ValidationError)
def _schema_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Answer 400 with the engine's shape; a path parameter that is not an id is not found."""
    if any(error["loc"][:1] == ("path",) for error in exc.errors):
        return json_response({"errors": NOT_FOUND}, status=404)
    return json_response({"errors": schema_errors(exc.errors)}, status=400)


def schema_errors(raw: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Return pydantic's errors keyed by request path ("drugs.0.rate"), in plain words.

    The body parameter's name and pydantic's union branch tags ("str", "int", "DrugIn") are
    dropped from the location; a failed union at one path says once what the value may be.
    """
    by_path: dict[str, list[dict[str, Any]]] = {}
    for error in raw:
        if error["type"] == "none_required":
            continue  # the undocumented null branch of a field the engine reads (`Text`)
        loc = list(error["loc"])
        source = loc.pop(0) if loc else "body"
        if source == "body" and loc:
            loc.pop(0)  # the body parameter's name
        if error["type"] == "extra_forbidden" and loc:
            unknown = loc.pop()  # the unknown key itself, whatever it is called
            parts = [*_path_parts(loc), str(unknown)]
        else:
            parts = _path_parts(loc)
        path = ".".join(parts) or ("body" if source == "body" else source)
        by_path.setdefault(path, []).append(error)
    out: dict[str, list[str]] = {}
    for path, found in by_path.items():
        deeper = any(other.startswith(f"{path}.") for other in by_path)
        kinds = [TYPE_WORDS[e["type"]] for e in found if e["type"] in TYPE_WORDS]
        messages = [_message(e) for e in found if e["type"] not in TYPE_WORDS]
        if kinds and not deeper:
            words = list(dict.fromkeys(kinds))
            messages.insert(0, "must be " + " or ".join(words))
        if messages:
            out[path] = list(dict.fromkeys(messages))
    return out or {"body": ["the request does not match the schema"]}


def _path_parts(loc: list[Any]) -> list[str]:
    return [str(part) for part in loc if isinstance(part, int) or part in INPUT_FIELDS]


def _message(error: dict[str, Any]) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown field"
    if error["type"] == "missing":
        return "required"
    text = str(error["msg"])
    return text[:1].lower() + text[1:]


# --- Request schemas ---------------------------------------------------------------------------


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


# The engine reads these strictly and names the field in its message, with an example, so the
# schema lets any text (or number) through; the choices and required fields it documents are
# enforced by the engine. `SkipJsonSchema[None]` keeps null out of the documented types where
# the engine refuses it, while leaving the engine to say so.
Text = StrictStr | SkipJsonSchema[None]


def choices(*values: str) -> dict[str, Any]:
    return {"enum": list(values)}


class DrugIn(Strict):
    """One drug; a catalog product (by NDC) fills in what is left out."""

    model_config = ConfigDict(json_schema_extra={"required": ["ndc", "rate"]})

    name: StrictStr | None = Field(None, examples=["Morphine sulfate"])
    ndc: Text = Field(
        None, description="10 digits hyphenated, or 11 digits", examples=["00074-1133-03"]
    )
    rate: Text = Field(
        None,
        description="Dose rate: an amount per time, or per kg per time",
        examples=["5 mg/hr"],
    )
    concentration: StrictStr | None = Field(
        None, description="Default: the product's labelled one", examples=["25 mg/mL"]
    )
    hcpcs: StrictStr | None = Field(None, examples=["J2270"])
    hcpcs_unit: StrictStr | None = Field(
        None, description="The code's descriptor unit", examples=["10 mg"]
    )
    ndc_unit: Text = Field(
        None,
        description="Default: the product's",
        examples=["ML"],
        json_schema_extra=choices(*billing.NDC_UNITS),
    )
    package_volume: StrictStr | None = Field(None, examples=["30 mL"])
    bolus: StrictStr | None = Field(None, description="PCA bolus dose", examples=["1 mg"])
    boluses_per_day: StrictInt | StrictStr | None = Field(None, examples=[4])
    weight: StrictStr | None = Field(None, examples=["70 kg"])
    compounded: StrictBool = Field(
        False, description="The concentration differs from the label on purpose"
    )


class PolicyIn(Strict):
    """Settings that override the named profile for this request (default: the profile's)."""

    per_diem_coding: Text = Field(None, json_schema_extra=choices("generic", "specific"))
    drug_coding: Text = Field(None, json_schema_extra=choices("specific", "unlisted"))
    unlisted_unit_basis: Text = Field(None, json_schema_extra=choices("ML", "NDC"))
    rounding: Text = Field(None, json_schema_extra=choices("up", "half_up"))
    rounding_scope: Text = Field(None, json_schema_extra=choices("total", "daily"))
    month_lines: StrictBool | SkipJsonSchema[None] = Field(
        None, description="One per-diem and drug line per calendar month"
    )
    place_of_service: Text = Field(None, description="Two digits", examples=["12"])


class NursingVisitIn(Strict):
    model_config = ConfigDict(json_schema_extra={"required": ["duration"]})

    date: StrictStr | None = Field(None, examples=["2026-01-02"])
    duration: Text = Field(None, examples=["3.5 h"])


class CalculateIn(Strict):
    """An order as the engine reads it (the same JSON as `manage.py calculate --input`)."""

    model_config = ConfigDict(json_schema_extra={"required": ["drugs"]})

    profile: StrictStr | None = Field(
        None, description="Billing profile name (default STANDARD)", examples=["HMSA"]
    )
    policy: PolicyIn | None = None
    therapy: Text = Field(
        None,
        description="Default: continuous at 24 hours a day, else intermittent",
        json_schema_extra=choices("continuous", "intermittent", "implanted-pump"),
    )
    hours_per_day: StrictStr | StrictInt | StrictFloat | SkipJsonSchema[None] = Field(
        None, description="More than 0, at most 24 (default 24)", examples=["24"]
    )
    start: StrictStr | None = Field(None, description="YYYY-MM-DD", examples=["2026-01-01"])
    end: StrictStr | None = Field(
        None, description="YYYY-MM-DD, inclusive", examples=["2026-01-31"]
    )
    days: StrictInt | StrictStr | StrictFloat | None = Field(
        None, description="Days of service, when no start and end are given", examples=[31]
    )
    drugs: list[DrugIn] | SkipJsonSchema[None] = Field(
        None, description="One to ten drugs", json_schema_extra={"minItems": 1, "maxItems": 10}
    )
    nursing_visits: list[StrictStr | NursingVisitIn] | None = Field(
        None, description='Visit lengths, e.g. "3.5 h" or "2026-01-02 2 h"'
    )
    # Read only when saving; a calculation accepts them so an order can be previewed as it is.
    patient_reference: StrictStr | None = Field(
        None, description="Account number or initials, never a full name", examples=["ACC-1"]
    )
    acknowledged: list[StrictStr] | None = Field(
        None, description="Ids of the warnings that need acknowledging"
    )


class OrderIn(CalculateIn):
    """An order to save: the calculation request, whom it is for and the warnings acknowledged."""

    model_config = ConfigDict(
        json_schema_extra={"required": ["patient_reference", "start", "end", "drugs"]}
    )


class VerifyIn(Strict):
    confirm_own: StrictBool = Field(
        False, description="The pharmacist who entered the order confirms a re-check"
    )


class VoidIn(Strict):
    reason: StrictStr | None = Field(None, examples=["entered twice"])


INPUT_FIELDS = {
    name
    for schema in (DrugIn, PolicyIn, NursingVisitIn, OrderIn, VerifyIn, VoidIn)
    for name in schema.model_fields
} | {"from", "to", "status", "page", "q"}


# --- Response schemas --------------------------------------------------------------------------


class QuantityOut(Schema):
    value: str = Field(examples=["4.8"])
    unit: str = Field(examples=["mL"])


class WarningOut(Schema):
    id: str
    field: str
    kind: str
    message: str
    needs_ack: bool


class LineOut(Schema):
    kind: Literal["per_diem", "drug", "nursing"]
    code: str
    modifiers: list[str]
    units: int
    ndc: str | None = None
    ndc_unit: str | None = None
    ndc_quantity: str | None = None
    supplemental: str | None = Field(None, examples=["N400074113303 ML148.8"])
    from_: date | None = Field(None, alias="from")
    to: date | None = None
    place_of_service: str
    description: str
    work: str


class DrugOut(Schema):
    name: str
    ndc: str
    daily_dose: QuantityOut
    daily_volume: QuantityOut
    total_dose: QuantityOut
    total_volume: QuantityOut
    steps: list[str]


class CalculationOut(Schema):
    profile: str
    drugs: list[DrugOut]
    lines: list[LineOut]
    warnings: list[WarningOut]


class OrderDrugOut(DrugOut):
    position: int
    product: int | None
    rate: str
    concentration: str
    labelled_concentration: str
    compounded: bool
    bolus: str
    boluses_per_day: int
    weight: str
    hcpcs: str
    hcpcs_unit: str
    ndc_unit: str
    package_volume: str


class OrderLineOut(LineOut):
    unit_price: str | None = Field(None, description="From the profile's price list")
    charge: str | None = Field(None, description="Units x unit price; null when unpriced")


class AcknowledgementOut(Schema):
    id: str
    message: str
    by: str
    at: str


class OrderOut(Schema):
    id: int
    status: Literal["draft", "verified", "billed", "void"]
    patient_reference: str
    profile: str
    policy: dict[str, Any]
    therapy: str
    hours_per_day: str
    start: date
    end: date
    days: int
    request: dict[str, Any] = Field(description="The order exactly as entered")
    drugs: list[OrderDrugOut]
    lines: list[OrderLineOut]
    warnings: list[WarningOut]
    acknowledgements: list[AcknowledgementOut]
    created_by: str
    created_at: datetime
    verified_by: str | None
    verified_at: datetime | None
    billed_by: str | None
    billed_at: datetime | None
    voided_by: str | None
    voided_at: datetime | None
    void_reason: str


class OrderPageOut(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    next: str | None
    previous: str | None
    results: list[OrderOut]


class ProductOut(Schema):
    id: int
    ndc: str
    ndc_hyphenated: str
    name: str
    labeler: str
    concentration: str
    package_volume: str
    package_description: str
    ndc_unit: str
    hcpcs: str | None
    hcpcs_unit: str | None
    preservative_free: bool


class ProfileOut(Schema):
    name: str
    description: str
    per_diem_coding: str
    drug_coding: str
    unlisted_unit_basis: str
    rounding: str
    rounding_scope: str
    month_lines: bool
    ndc_quantity_decimals: int
    place_of_service: str


class OrderFilters(Schema):
    from_: date | None = Field(None, alias="from", description="Orders ending on or after")
    to: date | None = Field(None, description="Orders starting on or before")
    status: Literal["draft", "verified", "billed", "void"] | None = None
    profile: str | None = Field(None, description="Billing profile name")
    page: int = Field(1, ge=1, le=1_000_000)

    @field_validator("from_", "to", "status", "profile", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value


# --- Permissions and reading orders -----------------------------------------------------------


def require(request: HttpRequest, *permissions: str, action: str) -> Any:
    """Return the caller if they hold any of the permissions; otherwise raise a 403."""
    user = request.auth  # type: ignore[attr-defined]
    if not any(user.has_perm(permission) for permission in permissions):
        raise Forbidden(f"your role may not {action}")
    return user


def order_or_404(pk: int) -> Order:
    order = orders_with_details().filter(pk=pk).first()
    if order is None:
        raise Http404
    return order


def log_reads(request: HttpRequest, orders: Iterable[Order]) -> None:
    """Record one AccessLog row ("api") for the orders this request showed."""
    orders = list(orders)
    if not orders:
        return
    AccessLog.log(
        user=request.auth,  # type: ignore[attr-defined]
        action=AccessLog.Action.API,
        orders=orders,
        path=request.get_full_path(),
    )


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def drug_json(drug: OrderDrug) -> dict[str, Any]:
    return {
        "position": drug.position,
        "product": drug.product_id,
        "name": drug.name,
        "ndc": drug.ndc,
        "rate": drug.rate,
        "concentration": drug.concentration,
        "labelled_concentration": drug.labelled_concentration,
        "compounded": drug.compounded,
        "bolus": drug.bolus,
        "boluses_per_day": drug.boluses_per_day,
        "weight": drug.weight,
        "hcpcs": drug.hcpcs,
        "hcpcs_unit": drug.hcpcs_unit,
        "ndc_unit": drug.ndc_unit,
        "package_volume": drug.package_volume,
        "daily_dose": {"value": drug.daily_dose, "unit": drug.dose_unit},
        "daily_volume": {"value": drug.daily_volume_ml, "unit": "mL"},
        "total_dose": {"value": drug.total_dose, "unit": drug.dose_unit},
        "total_volume": {"value": drug.total_volume_ml, "unit": "mL"},
        "steps": list(drug.steps),
    }


def saved_line_json(line: ClaimLine) -> dict[str, Any]:
    """Return a saved claim line as the engine's line JSON, plus its price and charge."""
    is_drug = line.kind == "drug"
    return {
        "kind": line.kind,
        "code": line.code,
        "modifiers": line.modifier_list,
        "units": line.units,
        "ndc": line.ndc if is_drug else None,
        "ndc_unit": line.ndc_unit if is_drug else None,
        "ndc_quantity": (line.ndc_quantity or None) if is_drug else None,
        "supplemental": line.supplemental if is_drug else None,
        "from": line.start_date,
        "to": line.end_date,
        "place_of_service": line.place_of_service,
        "description": line.description,
        "work": line.work,
        "unit_price": _money(line.unit_price),
        "charge": _money(line.charge),
    }


def order_json(order: Order) -> dict[str, Any]:
    """Return a saved order from its snapshot (it is never recomputed)."""
    return {
        "id": order.pk,
        "status": order.status,
        "patient_reference": order.patient_reference,
        "profile": order.profile.name,
        "policy": order.policy,
        "therapy": order.therapy,
        "hours_per_day": order.hours_per_day,
        "start": order.start_date,
        "end": order.end_date,
        "days": order.days,
        "request": order.request,
        "drugs": [drug_json(drug) for drug in order.drugs.all()],
        "lines": [saved_line_json(line) for line in order.lines.all()],
        "warnings": order.warnings,
        "acknowledgements": order.acknowledgements,
        "created_by": _username(order.created_by),
        "created_at": order.created_at,
        "verified_by": _username(order.verified_by),
        "verified_at": order.verified_at,
        "billed_by": _username(order.billed_by),
        "billed_at": order.billed_at,
        "voided_by": _username(order.voided_by),
        "voided_at": order.voided_at,
        "void_reason": order.void_reason,
    }


# --- Endpoints ---------------------------------------------------------------------------------


@api.post(
    "/calculate",
    response={200: CalculationOut, **ERROR_RESPONSES},
    url_name="calculate",
    summary="Calculate an order without saving it",
    tags=["calculate"],
    by_alias=True,
)
def calculate(request: HttpRequest, payload: CalculateIn) -> HttpResponse:
    """Compute doses, volumes, units and claim lines without saving anything.

    The answer is byte for byte what `manage.py calculate --json` prints for the same order.
    Needs calculator.view_order or calculator.add_order.
    """
    require(request, "calculator.view_order", "calculator.add_order", action="calculate orders")
    calculation = services.order_calculation(request_data=payload.model_dump(exclude_unset=True))
    return json_response(engine.response_json(calculation))


@api.post(
    "/orders",
    response={201: OrderOut, **ERROR_RESPONSES},
    url_name="orders",
    summary="Save an order (draft)",
    tags=["orders"],
    by_alias=True,
)
def order_create(request: HttpRequest, payload: OrderIn) -> Status:
    """Save an order as a draft, with a snapshot of its results and claim lines.

    Warnings that need acknowledging must be listed by id in `acknowledged`.
    Needs calculator.add_order (pharmacists).
    """
    user = require(request, "calculator.add_order", action="enter orders")
    data = payload.model_dump(exclude_unset=True)
    acknowledged = data.pop("acknowledged", None) or []
    order = services.order_create(created_by=user, request_data=data, acknowledged=acknowledged)
    return Status(201, order_json(order_or_404(order.pk)))


@api.get(
    "/orders",
    response={200: OrderPageOut, **ERROR_RESPONSES, 404: ErrorOut},
    url_name="orders",
    summary="List orders",
    tags=["orders"],
    by_alias=True,
)
def order_list(request: HttpRequest, filters: Query[OrderFilters]) -> dict[str, Any] | HttpResponse:
    """List orders, newest first, 25 a page; `from`/`to` select orders whose service overlaps.

    Needs calculator.view_order. Each call is recorded in the access log.
    """
    require(request, "calculator.view_order", action="read orders")
    orders = orders_filtered(
        orders_with_details(),
        date_from=filters.from_,
        date_to=filters.to,
        status=filters.status or "",
        profile_name=filters.profile or "",
    )
    paginator = Paginator(orders, ORDERS_PER_PAGE)
    try:
        page = paginator.page(filters.page)
    except EmptyPage:
        last = paginator.num_pages
        return errors(404, "page", f"there is no page {filters.page}; the last is {last}")
    shown = list(page.object_list)
    log_reads(request, shown)
    return {
        "count": paginator.count,
        "page": page.number,
        "pages": paginator.num_pages,
        "page_size": ORDERS_PER_PAGE,
        "next": _page_url(request, page.next_page_number()) if page.has_next() else None,
        "previous": _page_url(request, page.previous_page_number())
        if page.has_previous()
        else None,
        "results": [order_json(order) for order in shown],
    }


def _page_url(request: HttpRequest, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return f"{request.path}?{query.urlencode()}"


@api.get(
    "/orders/{pk}",
    response={200: OrderOut, **ERROR_RESPONSES, 404: ErrorOut},
    url_name="order",
    summary="Read an order",
    tags=["orders"],
    by_alias=True,
)
def order_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    """Return a saved order: inputs, results with steps, claim lines, warnings, who and when.

    Needs calculator.view_order. Each call is recorded in the access log.
    """
    require(request, "calculator.view_order", action="read orders")
    order = order_or_404(pk)
    log_reads(request, [order])
    return order_json(order)


STATE_RESPONSES = {200: OrderOut, **ERROR_RESPONSES, 404: ErrorOut, 409: ErrorOut}


@api.post(
    "/orders/{pk}/verify",
    response=STATE_RESPONSES,
    url_name="order-verify",
    summary="Verify a draft",
    tags=["orders"],
    by_alias=True,
)
def order_verify(request: HttpRequest, pk: int, payload: VerifyIn | None = None) -> dict[str, Any]:
    """Verify a draft: a second pharmacist, or the one who entered it with `confirm_own`.

    Needs calculator.verify_order. 409 when the order's status or the rule does not allow it.
    """
    user = require(request, "calculator.verify_order", action="verify orders")
    confirm_own = payload.confirm_own if payload else False
    services.order_verify(order=order_or_404(pk), verified_by=user, confirm_own=confirm_own)
    return order_json(order_or_404(pk))


@api.post(
    "/orders/{pk}/bill",
    response=STATE_RESPONSES,
    url_name="order-bill",
    summary="Mark a verified order billed",
    tags=["orders"],
    by_alias=True,
)
def order_bill(request: HttpRequest, pk: int) -> dict[str, Any]:
    """Mark a verified order billed. Needs calculator.bill_order (billing clerks)."""
    user = require(request, "calculator.bill_order", action="mark orders billed")
    services.order_mark_billed(order=order_or_404(pk), billed_by=user)
    return order_json(order_or_404(pk))


@api.post(
    "/orders/{pk}/void",
    response=STATE_RESPONSES,
    url_name="order-void",
    summary="Void an order",
    tags=["orders"],
    by_alias=True,
)
def order_void(request: HttpRequest, pk: int, payload: VoidIn) -> dict[str, Any] | HttpResponse:
    """Void an order, giving the reason; it stays on record. Needs calculator.void_order."""
    user = require(request, "calculator.void_order", action="void orders")
    order = order_or_404(pk)
    if not (payload.reason or "").strip():
        return errors(400, "reason", "give the reason for voiding the order")
    services.order_void(order=order, voided_by=user, reason=payload.reason or "")
    return order_json(order_or_404(pk))


@api.get(
    "/products",
    response={200: list[ProductOut], **ERROR_RESPONSES},
    url_name="products",
    summary="Search the catalog",
    tags=["catalog"],
)
def product_list(
    request: HttpRequest,
    q: str = Query("", max_length=60, description="Part of the name or of the NDC"),
) -> list[dict[str, Any]]:
    """Search active catalog products by name or NDC (at most 50). Needs catalog read access."""
    require(request, "calculator.view_drugproduct", action="read the catalog")
    return [
        {
            "id": product.pk,
            "ndc": product.ndc,
            "ndc_hyphenated": product.ndc_hyphenated,
            "name": product.name,
            "labeler": product.labeler,
            "concentration": product.concentration,
            "package_volume": product.package_volume,
            "package_description": product.package_description,
            "ndc_unit": product.ndc_unit,
            "hcpcs": product.hcpcs.code if product.hcpcs else None,
            "hcpcs_unit": product.hcpcs.billing_unit if product.hcpcs else None,
            "preservative_free": product.preservative_free,
        }
        for product in product_search(q, limit=PRODUCTS_LIMIT)
    ]


@api.get(
    "/profiles",
    response={200: list[ProfileOut], **ERROR_RESPONSES},
    url_name="profiles",
    summary="List the billing profiles",
    tags=["catalog"],
)
def profile_list(request: HttpRequest) -> QuerySet[BillingProfile]:
    """List the active billing profiles and their settings. Needs catalog read access."""
    require(request, "calculator.view_billingprofile", action="read the billing profiles")
    return BillingProfile.objects.filter(active=True)


# --- URL edges ---------------------------------------------------------------------------------


def _json_edges(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn ninja's plain-text 405 and a Django 404 from its own views into the JSON shape."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return _no_endpoint(request)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            answer = errors(405, "method", f"{request.method} is not allowed here; use {allowed}")
            answer["Allow"] = allowed
            return answer
        return response

    return wrapped


def _no_endpoint(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    docs = reverse("api:openapi-view")
    return errors(404, "path", f"no endpoint at {request.path}; the endpoints are listed at {docs}")
