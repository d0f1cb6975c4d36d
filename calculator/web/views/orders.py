"""Pages for pharmacists and billing clerks. Thin: form in -> engine or service -> render.

Every page needs a signed-in user (LoginRequiredMiddleware); each view also checks the role's
permission. Saved orders are shown from their snapshot, never recomputed.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calculator import engine, services
from calculator.domain.charges import claim_total
from calculator.domain.dosing import (
    MAX_DRUGS_PER_ORDER,
)
from calculator.domain.errors import InvalidOrder
from calculator.models import AccessLog, DrugProduct, Order
from calculator.selectors import scrubber
from calculator.selectors.catalog import (
    MIN_TERM_LENGTH,
    SearchTermError,
    product_search,
    search_terms,
)
from calculator.selectors.orders import order_list_rows, orders_filtered
from calculator.services import claim_verdicts
from calculator.web import dispensing_prints
from calculator.web.forms import (
    ClaimDetailsForm,
    OrderEntry,
    OrderListFilterForm,
    product_label,
)
from calculator.web.html_pdf import html_to_pdf

ORDERS_PER_PAGE = 25


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to where its work starts."""
    if request.user.has_perm("calculator.add_order"):
        return redirect("calculator:order-new")
    return redirect("calculator:order-list")


# --- Order entry ------------------------------------------------------------------------------


def _preview(entry: OrderEntry, acknowledged: set[str]) -> dict:
    """Return the live preview's context: the calculation, or why there is none yet."""
    if not entry.is_valid():
        return {"calculation": None, "entry": entry}
    request_data = entry.request_data()
    request_data.pop("patient_reference", None)
    try:
        calculation = services.order_calculation(request_data=request_data)
    except InvalidOrder as invalid:
        entry.add_engine_errors(invalid.errors)
        return {"calculation": None, "entry": entry, "engine_errors": invalid.errors}
    response = engine.response_json(calculation)
    return {
        "calculation": calculation,
        "response": response,
        # Given even when there are none: a key missing from `response` is a failed template
        # lookup, which Django answers with exceptions and a dir() (tens of us each).
        "secondary_lines": response.get("secondary_lines"),
        "ack_errors": (),
        "acknowledged": acknowledged,
        "entry": entry,
    }


@permission_required("calculator.add_order", raise_exception=True)
@require_http_methods(["GET", "POST"])
def order_new(request: HttpRequest) -> HttpResponse:
    """Enter an order; the result updates beside the form as the pharmacist types."""
    if request.method == "GET":
        entry = OrderEntry()
        return render(request, "calculator/order_form.html", {"entry": entry, "preview": {}})

    acknowledged = set(request.POST.getlist("ack"))
    action = request.POST.get("action", "")
    if action in {"add-drug", "find-product"} or action.startswith("choose-product:"):
        # Re-rendered as typed, nothing judged or saved: a row added, or (without JavaScript)
        # each row's product matches listed, or one of them chosen.
        data = request.POST.copy()
        if action == "add-drug":
            rows = _int(data.get("drugs-TOTAL_FORMS"), 1)
            data["drugs-TOTAL_FORMS"] = str(min(rows + 1, MAX_DRUGS_PER_ORDER))
        elif action != "find-product":
            _choose_product(data, action.removeprefix("choose-product:"))
        entry = OrderEntry(data, show_errors=False)
        if action == "find-product":
            _list_product_matches(entry)
        return render(
            request,
            "calculator/order_form.html",
            {"entry": entry, "preview": {}, "quiet": True},
        )

    entry = OrderEntry(request.POST)
    if entry.is_valid():
        try:
            order = services.order_create(
                created_by=request.user,
                request_data=entry.request_data(),
                acknowledged=acknowledged,
                dispensing_details=entry.dispensing_details(),
            )
        except InvalidOrder as invalid:
            entry.add_engine_errors(invalid.errors)
            preview = _preview(OrderEntry(request.POST, rendered=False), acknowledged)
            preview["ack_errors"] = invalid.errors.get("acknowledged", [])
            return render(
                request,
                "calculator/order_form.html",
                {"entry": entry, "preview": preview},
                status=400,
            )
        messages.success(request, f"Order {order.pk} saved as a draft; it now needs verifying.")
        return redirect("calculator:order-detail", pk=order.pk)
    return render(
        request,
        "calculator/order_form.html",
        {"entry": entry, "preview": _preview(entry, acknowledged)},
        status=400,
    )


@permission_required("calculator.add_order", raise_exception=True)
@require_POST
def order_preview(request: HttpRequest) -> HttpResponse:
    """Return the live preview (steps, claim lines, warnings) for the form as typed so far."""
    entry = OrderEntry(request.POST, rendered=False)
    preview = _preview(entry, set(request.POST.getlist("ack")))
    # Without the request: the fragment needs none of the context processors (user, messages).
    return HttpResponse(render_to_string("calculator/_preview.html", {"preview": preview}))


@permission_required("calculator.add_order", raise_exception=True)
@require_GET
def product_concentration(request: HttpRequest) -> HttpResponse:
    """Return a drug row's concentration input filled with the chosen product's label."""
    prefix = next((key[: -len("-product")] for key in request.GET if key.endswith("-product")), "")
    if not prefix.startswith("drugs-") or not prefix[len("drugs-") :].isdigit():
        return HttpResponse("unknown drug row", status=400)
    product_id = request.GET.get(f"{prefix}-product", "")
    product = (
        DrugProduct.objects.filter(pk=product_id, active=True).first()
        if product_id.isdigit()
        else None
    )
    return render(
        request,
        "calculator/_concentration_input.html",
        {"name": f"{prefix}-concentration", "value": product.concentration if product else ""},
    )


PRODUCT_MATCHES = 20  # the best matches a product box lists


def _row_prefix(prefix: str) -> bool:
    """Return whether `prefix` names a drug row ("drugs-0" ... "drugs-99")."""
    number = prefix.removeprefix("drugs-")
    return prefix.startswith("drugs-") and number.isascii() and number.isdigit() and len(number) < 3


@permission_required("calculator.add_order", raise_exception=True)
@require_GET
def product_options(request: HttpRequest) -> HttpResponse:
    """Return a drug row's product combobox options: the best active matches of the text typed
    (`drugs-N-product_search`), none below MIN_TERM_LENGTH characters; 400 for a refused term."""
    suffix = "-product_search"
    prefix = next((key[: -len(suffix)] for key in request.GET if key.endswith(suffix)), "")
    if not _row_prefix(prefix):
        return HttpResponse("unknown drug row", status=400)
    term = request.GET.get(f"{prefix}{suffix}", "")
    try:
        searched = len(search_terms(term)[0]) >= MIN_TERM_LENGTH
        found = product_search(term, limit=PRODUCT_MATCHES) if searched else []
    except SearchTermError as refused:
        return HttpResponse(str(refused), status=400, content_type="text/plain; charset=utf-8")
    return render(
        request,
        "calculator/_product_options.html",
        {
            "prefix": prefix,
            "options": [(product.pk, product_label(product)) for product in found],
            "searched": searched,
        },
    )


def _choose_product(data: QueryDict, choice: str) -> None:
    """Put a product chosen from a row's listed matches ("drugs-0:12") into the posted row: its
    pk, its name in the box and its labelled concentration, as the combobox does."""
    prefix, _, pk = choice.partition(":")
    if not _row_prefix(prefix) or not (pk.isascii() and pk.isdigit() and len(pk) <= 18):
        return
    product = DrugProduct.objects.filter(pk=pk, active=True).first()
    if product is not None:
        data[f"{prefix}-product"] = str(product.pk)
        data[f"{prefix}-product_search"] = product_label(product)
        data[f"{prefix}-concentration"] = product.concentration


def _list_product_matches(entry: OrderEntry) -> None:
    """List under each row whose box holds text other than its chosen product's name the best
    matches of that text (the no-JavaScript way to the combobox's list)."""
    for form in entry.drugs.forms:
        typed = form.search_text()
        if not typed:
            continue
        box = form.product_box()
        if box["pk"] and typed == " ".join(box["label"].split()):
            continue
        try:
            found = product_search(typed, limit=PRODUCT_MATCHES)
        except SearchTermError as refused:
            form.product_results_error = f"{refused}."
            continue
        form.product_results = [(product.pk, product_label(product)) for product in found]


def _int(text: object, default: int) -> int:
    try:
        return int(str(text))
    except ValueError:
        return default


# --- Saved orders -----------------------------------------------------------------------------


@permission_required("calculator.view_order", raise_exception=True)
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    """List orders with filters; the number of queries does not grow with the orders shown."""
    filters = OrderListFilterForm(request.GET or None)
    orders = order_list_rows()
    if filters.is_valid():
        wanted = dict(filters.cleaned_data)
        if wanted.pop("held"):
            orders = orders.filter(claim_verdicts.held_claims())
        orders = orders_filtered(orders, **wanted)
    page = Paginator(orders, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    held = claim_verdicts.held_reasons(Order.objects.filter(pk__in=[order.pk for order in page]))
    for order in page:
        order.held_reasons = held.get(order.pk, ())
        order.claim_total = None if order.unpriced_lines else claim_total([order.lines_charged])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "calculator/order_list.html",
        {"filters": filters, "page": page, "query": query.urlencode()},
    )


@permission_required("calculator.view_order", raise_exception=True)
@require_GET
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a saved order: inputs, steps, claim lines, warnings and its history."""
    order = get_object_or_404(
        Order.objects.select_related(
            "profile", "secondary_profile", "created_by", "verified_by", "billed_by", "voided_by"
        ),
        pk=pk,
    )
    history = order.history.select_related("history_user").order_by("history_date")
    lines = list(order.lines.all())
    secondary_lines = list(order.secondary_lines.all())
    problems = []
    if order.status == Order.Status.VERIFIED:
        problems = scrubber.problems_by_order([order])[order.pk]
    AccessLog.record(request, AccessLog.Action.VIEW, [order])
    return render(
        request,
        "calculator/order_detail.html",
        {
            "order": order,
            "drugs": order.drugs.select_related("dispensing"),
            "lines": lines,
            "claim_total": claim_total(line.charge for line in lines),
            "secondary_lines": secondary_lines,
            "secondary_total": claim_total(line.charge for line in secondary_lines),
            "problems": problems,
            "history": history,
            "own_order": order.created_by_id == request.user.pk,
        },
    )


def _back(request: HttpRequest, order: Order) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("calculator:order-detail", pk=order.pk)


def _order_action(
    request: HttpRequest, pk: int, action: Callable[[Order], object], done: str
) -> HttpResponse:
    """Run one lifecycle step on an order; a step its status forbids is a message, not a 500."""
    order = get_object_or_404(Order, pk=pk)
    try:
        action(order)
        messages.success(request, f"Order {order.pk} {done}.")
    except services.OrderStateError as error:
        messages.error(request, str(error))
    except InvalidOrder as error:
        messages.error(request, " ".join(m for found in error.errors.values() for m in found))
    return _back(request, order)


@permission_required("calculator.verify_order", raise_exception=True)
@require_POST
def order_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """Verify a draft (a second pharmacist, or the same one confirming a re-check)."""
    confirm_own = request.POST.get("confirm") == "on"
    return _order_action(
        request,
        pk,
        lambda order: services.order_verify(
            order=order, verified_by=request.user, confirm_own=confirm_own
        ),
        "verified",
    )


@permission_required("calculator.bill_order", raise_exception=True)
@require_POST
def order_bill(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a verified order billed."""
    return _order_action(
        request,
        pk,
        lambda order: services.order_mark_billed(order=order, billed_by=request.user),
        "marked billed",
    )


@permission_required("calculator.void_order", raise_exception=True)
@require_POST
def order_void(request: HttpRequest, pk: int) -> HttpResponse:
    """Void an order, with the reason; it stays on record."""
    reason = request.POST.get("reason", "")
    return _order_action(
        request,
        pk,
        lambda order: services.order_void(order=order, voided_by=request.user, reason=reason),
        "voided",
    )


@permission_required("calculator.edit_claim_details", raise_exception=True)
@require_http_methods(["GET", "POST"])
def order_claim_details(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the payer, member, patient and authorization details of an order's claim."""
    order = get_object_or_404(Order.objects.select_related("payer"), pk=pk)
    initial = {field: getattr(order, field) for field in services.CLAIM_DETAIL_FIELDS}
    form = ClaimDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.order_update_claim_details(
                order=order, changed_by=request.user, **form.cleaned_data
            )
        except services.OrderStateError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Claim details of order {order.pk} saved.")
            return redirect("calculator:order-detail", pk=order.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "calculator/claim_details.html", {"order": order, "form": form}, status=status
    )


@permission_required("calculator.edit_claim_details", raise_exception=True)
@require_POST
def order_reprice(request: HttpRequest, pk: int) -> HttpResponse:
    """Price the order's lines from the profile's current price list."""
    order = get_object_or_404(Order, pk=pk)
    try:
        services.order_reprice(order=order, changed_by=request.user)
        messages.success(request, f"Order {order.pk} re-priced from the price list.")
    except services.OrderStateError as error:
        messages.error(request, str(error))
    return _back(request, order)


# --- Dispensing prints (SPEC 10.6) ----------------------------------------------------------


@permission_required("calculator.view_order", raise_exception=True)
@require_GET
def order_dispensing_print(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Show the order's compounding worksheet or its labels as a print page."""
    context = _print_context(request, pk, kind, interactive=True)
    AccessLog.record(request, AccessLog.Action.PRINT, [context["order"]])
    return render(request, dispensing_prints.TEMPLATE, context)


@permission_required("calculator.view_order", raise_exception=True)
@require_GET
def order_dispensing_pdf(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Download the order's compounding worksheet or its labels as a PDF (the same template)."""
    context = _print_context(request, pk, kind, interactive=False)
    html = render_to_string(dispensing_prints.TEMPLATE, context, request=request)
    pdf = html_to_pdf(html, base_url=request.build_absolute_uri("/"))
    order = context["order"]
    AccessLog.record(request, AccessLog.Action.PDF, [order])
    response = HttpResponse(pdf, content_type="application/pdf")
    name = dispensing_prints.filename(order, kind, context["sheet"])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _print_context(request: HttpRequest, pk: int, kind: str, *, interactive: bool) -> dict:
    order = get_object_or_404(Order, pk=pk)
    sheet = request.GET.get("sheet", "roll")
    sheet = sheet if sheet in dispensing_prints.SHEETS else "roll"
    return dispensing_prints.print_context(order, kind=kind, sheet=sheet, interactive=interactive)
