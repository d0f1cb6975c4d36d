"""Read queries on saved orders, shared by the pages, the API and the exports: filtering the
order list, the orders a claim summary shows, and one order with what its JSON needs. Each loads
what it shows in a number of queries that does not grow with the orders."""

from __future__ import annotations

import datetime

from django.db.models import Count, DecimalField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from calculator.models import (
    BillingProfile,
    ClaimLine,
    Order,
    OrderDrug,
    Payer,
    SecondaryClaimLine,
)

# The order's JSON columns (the request as entered, the computed response, the policy): about
# 1.2 KB an order, which lists and summaries never show.
SNAPSHOT_JSON = ("request", "response", "policy", "acknowledgements")


def orders_filtered(
    orders: QuerySet[Order],
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    profile: BillingProfile | None = None,
    profile_name: str = "",
    status: str = "",
    drug: str = "",
    payer: Payer | None = None,
) -> QuerySet[Order]:
    """Return `orders` narrowed to those whose service overlaps the range, on the profile (or
    the profile named, in any case), in the status, with a drug whose name or NDC holds `drug`,
    billed to the payer."""
    if date_from:
        orders = orders.filter(end_date__gte=date_from)
    if date_to:
        orders = orders.filter(start_date__lte=date_to)
    if profile is not None:
        orders = orders.filter(profile=profile)
    if profile_name.strip():
        orders = orders.filter(profile__name__iexact=profile_name.strip())
    if status:
        orders = orders.filter(status=status)
    if payer is not None:
        orders = orders.filter(payer=payer)
    term = drug.strip()
    if term:
        digits = term.replace("-", "")
        match = Q(drugs__name__icontains=term)
        if digits.isdigit():
            match |= Q(drugs__ndc__contains=digits)
        orders = orders.filter(match).distinct()
    return orders


def _per_order(lines: QuerySet[ClaimLine], value) -> Subquery:
    """One aggregate of each order's claim lines, as a subquery (no join: the drug filter's join
    cannot multiply it)."""
    return Subquery(
        lines.filter(order=OuterRef("pk")).values("order").annotate(value=value).values("value")
    )


def order_list_rows() -> QuerySet[Order]:
    """Return the orders of the order list page, with what each row shows: profile, payer, the
    drugs, and the claim total (`lines_charged`, with `unpriced_lines` counting lines that have
    no price, whose total would understate the claim), summed in the database."""
    money = DecimalField(max_digits=12, decimal_places=2)
    return (
        Order.objects.select_related("profile", "payer", "created_by")
        .prefetch_related(
            Prefetch(
                "drugs", queryset=OrderDrug.objects.only("order_id", "name", "ndc", "position")
            )
        )
        .annotate(
            lines_charged=_per_order(ClaimLine.objects.all(), Sum("charge", output_field=money)),
            unpriced_lines=Coalesce(
                _per_order(ClaimLine.objects.filter(charge__isnull=True), Count("pk")), 0
            ),
        )
    )


def orders_with_details() -> QuerySet[Order]:
    """Return orders with everything the API's JSON needs (users, drugs, lines)."""
    return Order.objects.select_related(
        "profile", "secondary_profile", "created_by", "verified_by", "billed_by", "voided_by"
    ).prefetch_related(
        Prefetch("drugs", queryset=OrderDrug.objects.select_related("dispensing")),
        "lines",
        "secondary_lines",
    )


def claim_summary_orders(
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    profile: BillingProfile | None = None,
    include_billed: bool = False,
) -> QuerySet[Order]:
    """Return the verified (and, if asked, billed) orders whose service overlaps the range.

    Ordered by start date then number, with the profile and the saved claim lines loaded in a
    constant number of queries however many orders there are.
    """
    statuses = [Order.Status.VERIFIED]
    if include_billed:
        statuses.append(Order.Status.BILLED)
    orders = orders_filtered(
        Order.objects.filter(status__in=statuses),
        date_from=date_from,
        date_to=date_to,
        profile=profile,
    )
    return (
        orders.select_related("profile", "secondary_profile")
        .defer(*SNAPSHOT_JSON)
        .prefetch_related(
            Prefetch("lines", queryset=ClaimLine.objects.order_by("position")),
            Prefetch("secondary_lines", queryset=SecondaryClaimLine.objects.order_by("position")),
        )
        .order_by("start_date", "pk")
    )
