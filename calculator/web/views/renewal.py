"""Renew for the next period (issue 15 point 3): the page shows the draft (period, drugs at
their latest rates, lines, and what changed since the order) before it is saved."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from calculator import engine, services
from calculator.domain.errors import InvalidOrder
from calculator.models import Order


@permission_required("calculator.add_order", raise_exception=True)
@require_http_methods(["GET", "POST"])
def order_renew(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the next period's draft as it would be saved; POST: save it."""
    order = get_object_or_404(Order.objects.select_related("patient", "profile"), pk=pk)
    try:
        renewal = services.renewal_of(order)
    except services.OrderStateError as error:
        messages.error(request, str(error))
        return redirect("calculator:order-detail", pk=order.pk)
    except InvalidOrder as invalid:
        return _page(request, order, None, invalid.errors, status=400)
    if request.method == "POST":
        acknowledged = request.POST.getlist("ack")
        try:
            renewed = services.order_renew(
                order=order, created_by=request.user, acknowledged=acknowledged
            )
        except InvalidOrder as invalid:
            return _page(request, order, renewal, invalid.errors, status=400)
        assert renewed.draft is not None
        messages.success(
            request,
            f"Order {renewed.draft.pk} saved as a draft for {renewed.start} to {renewed.end}; "
            "it now needs verifying.",
        )
        return redirect("calculator:order-detail", pk=renewed.draft.pk)
    return _page(request, order, renewal, {})


def _page(request, order, renewal, errors, *, status: int = 200) -> HttpResponse:
    return render(
        request,
        "calculator/order_renew.html",
        {
            "order": order,
            "renewal": renewal,
            "response": engine.response_json(renewal.calculation) if renewal else None,
            "errors": errors,
        },
        status=status,
    )
