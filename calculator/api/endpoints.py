"""The JSON API under /api/v1/: calculate, orders, products and profiles.

Thin, like the pages: a request schema documents and gates the body, the engine and the services
do the work, and every answer is JSON. `POST /calculate` answers exactly what
`manage.py calculate --json` prints."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.paginator import EmptyPage, Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, re_path, reverse
from ninja import NinjaAPI, Query, Status

from calculator import engine, services
from calculator.api.auth import BearerToken, SessionAuth, docs_require_user
from calculator.api.claim_details import validated_claim_details
from calculator.api.errors import (
    ERROR_RESPONSES,
    ErrorOut,
    Forbidden,
    Renderer,
    errors,
    json_response,
    register_error_handlers,
)
from calculator.api.schemas import (
    CalculateIn,
    CalculationOut,
    ClaimDetailsIn,
    OrderFilters,
    OrderIn,
    OrderOut,
    OrderPageOut,
    ProductOut,
    ProfileOut,
    RenewalOut,
    RenewIn,
    VerifyIn,
    VoidIn,
)
from calculator.api.serializers import log_reads, order_json
from calculator.models import BillingProfile, Order
from calculator.selectors.catalog import MAX_TERM_LENGTH, SearchTermError, product_search
from calculator.selectors.orders import orders_filtered, orders_with_details

ORDERS_PER_PAGE = 25
PRODUCTS_LIMIT = 50


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


register_error_handlers(api)


def require(request: HttpRequest, *permissions: str, action: str) -> Any:
    """Return the caller if they hold any of the permissions; otherwise raise a 403."""
    user = request.auth  # type: ignore[attr-defined]
    if not any(user.has_perm(permission) for permission in permissions):
        raise Forbidden(f"your role may not {action}")
    return user


STATE_RESPONSES = {200: OrderOut, **ERROR_RESPONSES, 404: ErrorOut, 409: ErrorOut}


def order_or_404(pk: int) -> Order:
    order = orders_with_details().filter(pk=pk).first()
    if order is None:
        raise Http404
    return order


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
    data.pop("claim", None)
    details = validated_claim_details(payload.claim, prefix="claim") if payload.claim else None
    with transaction.atomic():  # the order and its claim details, or nothing
        order = services.order_create(created_by=user, request_data=data, acknowledged=acknowledged)
        if details is not None:
            services.order_update_claim_details(order=order, changed_by=user, **details)
    return Status(201, order_json(order_or_404(order.pk)))


@api.patch(
    "/orders/{pk}/claim",
    response=STATE_RESPONSES,
    url_name="order-claim",
    summary="Set an order's claim details",
    tags=["orders"],
    by_alias=True,
)
def order_claim_details(request: HttpRequest, pk: int, payload: ClaimDetailsIn) -> dict[str, Any]:
    """Set the payer (by payer ID), member, patient, diagnosis and authorization of an order's
    claim; only the fields sent change, and they are checked exactly as the claim-details page
    checks them. Needs calculator.edit_claim_details. 409 for a billed or void order."""
    user = require(request, "calculator.edit_claim_details", action="edit claim details")
    order = order_or_404(pk)
    details = validated_claim_details(payload, order=order)
    services.order_update_claim_details(order=order, changed_by=user, **details)
    return order_json(order_or_404(pk))


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
    services.order_void(order=order, voided_by=user, reason=payload.reason or "")
    return order_json(order_or_404(pk))


@api.post(
    "/orders/{pk}/renew",
    response={201: RenewalOut, **ERROR_RESPONSES, 404: ErrorOut, 409: ErrorOut},
    url_name="order-renew",
    summary="Renew a verified or billed order for the next period",
    tags=["orders"],
    by_alias=True,
)
def order_renew(request: HttpRequest, pk: int, payload: RenewIn | None = None) -> Status:
    """Save a draft for the following period (the next calendar month, or the same number of
    days): the same patient and drugs at their latest rates, through today's catalog and
    profile, with what changed since this order. Needs calculator.add_order (pharmacists);
    409 for a draft or void order."""
    user = require(request, "calculator.add_order", action="enter orders")
    acknowledged = (payload.acknowledged if payload else None) or []
    renewed = services.order_renew(
        order=order_or_404(pk), created_by=user, acknowledged=acknowledged
    )
    assert renewed.draft is not None
    return Status(
        201,
        {
            "renewed_from": pk,
            "changes": list(renewed.changes),
            "order": order_json(order_or_404(renewed.draft.pk)),
        },
    )


@api.get(
    "/products",
    response={200: list[ProductOut], **ERROR_RESPONSES},
    url_name="products",
    summary="Search the catalog",
    tags=["catalog"],
)
def product_list(
    request: HttpRequest,
    q: str = Query(
        "",
        max_length=MAX_TERM_LENGTH,
        description="Words of the name, labeler or strength, or an NDC in any form",
    ),
) -> list[dict[str, Any]] | HttpResponse:
    """Search active catalog products by name, labeler, strength or NDC, best 50 first (an exact
    NDC, then names starting with the term). Needs catalog read access."""
    require(request, "calculator.view_drugproduct", action="read the catalog")
    try:
        found = product_search(q, limit=PRODUCTS_LIMIT)
    except SearchTermError as refused:
        return errors(400, "q", str(refused))
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
        for product in found
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
