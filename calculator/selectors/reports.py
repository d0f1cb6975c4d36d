"""The billing reports' numbers, aggregated in the database: a constant number of queries
however many orders the range holds. Which claims are held is read from the stored verdicts
(`services.claim_verdicts` refreshes them and hands in the held orders as a queryset)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, CharField, Count, F, Func, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from calculator.domain.charges import CENT
from calculator.domain.reports import age_cutoffs
from calculator.models import BillingProfile, ClaimLine, ClaimVerdict, DrugProduct, Order, Payer
from calculator.selectors.orders import orders_filtered
from calculator.selectors.scrubber import REASON_LABELS

ZERO = Decimal("0.00")


def report_orders(
    *,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
    profile: BillingProfile | None = None,
    payer: Payer | None = None,
) -> QuerySet[Order]:
    """Return the orders a report counts: not void, service overlapping the range, on the
    profile and billed to the payer when given."""
    return orders_filtered(
        Order.objects.exclude(status=Order.Status.VOID),
        date_from=date_from,
        date_to=date_to,
        profile=profile,
        payer=payer,
    ).order_by()


def _money(value: Decimal | None) -> Decimal:
    return (value or ZERO).quantize(CENT)


@dataclass(frozen=True)
class Totals:
    orders: int
    lines: int
    units: int
    charges: Decimal
    unpriced_lines: int


def totals(orders: QuerySet[Order]) -> Totals:
    """Return the orders, claim lines, units and charges of the report (two queries)."""
    lines = ClaimLine.objects.filter(order__in=orders).aggregate(
        lines=Count("pk"),
        units=Coalesce(Sum("units"), 0),
        charges=Sum("charge"),
        unpriced=Count("pk", filter=Q(charge__isnull=True)),
    )
    return Totals(
        orders=orders.count(),
        lines=lines["lines"],
        units=lines["units"],
        charges=_money(lines["charges"]),
        unpriced_lines=lines["unpriced"],
    )


def _standing() -> Case:
    """Each billed or verified line's claim: billed, held (its order's stored verdict), or
    verified (not billed)."""
    return Case(
        When(order__status=Order.Status.BILLED, then=Value("billed")),
        When(order__verdict__held=True, then=Value("held")),
        default=Value("verified"),
        output_field=CharField(),
    )


class MonthOf(Func):
    """The month of a date as text, "2026-01", worked out by the database (TruncMonth is a
    Python function per row on SQLite): the first seven characters of SQLite's ISO date text,
    `to_char` on PostgreSQL."""

    function = "SUBSTR"
    template = "%(function)s(%(expressions)s, 1, 7)"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="to_char(%(expressions)s, 'YYYY-MM')")


def charges_by_month(orders: QuerySet[Order]) -> list[tuple[datetime.date, dict[str, Decimal]]]:
    """Return each month (of the service's first day) with the charges billed, verified but
    not billed, and held, read from the stored verdicts (the caller refreshes them:
    `services.claim_verdicts.held`); months without such charges are left out. One query."""
    billed_or_verified = orders.filter(status__in=[Order.Status.BILLED, Order.Status.VERIFIED])
    rows = (
        ClaimLine.objects.filter(order__in=billed_or_verified)
        .annotate(month=MonthOf(F("order__start_date")), standing=_standing())
        .values("month", "standing")
        .annotate(charges=Sum("charge"))
        .order_by("month")
    )
    months: dict[datetime.date, dict[str, Decimal]] = {}
    for row in rows:
        year, month = (int(part) for part in row["month"].split("-"))
        first = datetime.date(year, month, 1)
        months.setdefault(first, {"billed": ZERO, "verified": ZERO, "held": ZERO})
        months[first][row["standing"]] = _money(row["charges"])
    return list(months.items())


@dataclass(frozen=True)
class HeldByReason:
    claims: int
    by_kind: list[tuple[str, int]]  # (REASON_LABELS key, claims), most claims first


def held_by_reason(held: QuerySet[Order]) -> HeldByReason:
    """Count the `held` orders' claims, and by kind of reason (a claim held for two kinds
    counts in both) from their stored verdicts. One query."""
    kinds = list(REASON_LABELS)
    verdicts = ClaimVerdict.objects.filter(held=True, order__in=held.values("pk"))
    counts = verdicts.aggregate(
        claims=Count("pk"),
        **{
            f"kind_{index}": Count("pk", filter=ClaimVerdict.has_kind(kind))
            for index, kind in enumerate(kinds)
        },
    )
    found = [(kind, counts[f"kind_{index}"]) for index, kind in enumerate(kinds)]
    by_kind = [(kind, claims) for kind, claims in found if claims]
    return HeldByReason(
        claims=counts["claims"],
        by_kind=sorted(by_kind, key=lambda item: (-item[1], item[0])),
    )


def by_payer(orders: QuerySet[Order]) -> list[dict]:
    """Return per payer (none yet: payer None): orders, lines, units, charges. One query."""
    rows = (
        ClaimLine.objects.filter(order__in=orders)
        .values("order__payer__name")
        .annotate(
            orders=Count("order", distinct=True),
            lines=Count("pk"),
            units=Sum("units"),
            charges=Sum("charge"),
        )
    )
    return [
        {
            "payer": row["order__payer__name"],
            "orders": row["orders"],
            "lines": row["lines"],
            "units": row["units"],
            "charges": _money(row["charges"]),
        }
        for row in rows
    ]


def by_drug(orders: QuerySet[Order]) -> list[dict]:
    """Return per drug billed (NDC and code of the drug lines): orders, units, charges, with
    the catalog's name for the NDC. Two queries."""
    rows = list(
        ClaimLine.objects.filter(order__in=orders, kind="drug")
        .values("ndc", "code")
        .annotate(orders=Count("order", distinct=True), units=Sum("units"), charges=Sum("charge"))
    )
    names = dict(
        DrugProduct.objects.filter(ndc__in={row["ndc"] for row in rows}).values_list("ndc", "name")
    )
    return [
        {
            "drug": names.get(row["ndc"], ""),
            "ndc": row["ndc"],
            "code": row["code"],
            "orders": row["orders"],
            "units": row["units"],
            "charges": _money(row["charges"]),
        }
        for row in rows
    ]


def _start_of(day: datetime.date) -> datetime.datetime:
    """Return the first moment of `day` in the current time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def unbilled_ages(orders: QuerySet[Order], today: datetime.date) -> list[dict]:
    """Return the verified, not billed orders by days since verification (AGE_BUCKETS), with
    their count and charges. One query."""
    verified = ClaimLine.objects.filter(
        order__in=orders.filter(status=Order.Status.VERIFIED, verified_at__isnull=False)
    )
    buckets = age_cutoffs(today)
    wanted = {}
    for index, (_, oldest, newest) in enumerate(buckets):
        # Verified on a day from `oldest` to `newest` (local days), as bounds on the timestamp:
        # `verified_at__date` would convert every row's timestamp in Python on SQLite.
        when = Q(order__verified_at__lt=_start_of(newest + datetime.timedelta(days=1)))
        if oldest is not None:
            when &= Q(order__verified_at__gte=_start_of(oldest))
        wanted[f"orders_{index}"] = Count("order", filter=when, distinct=True)
        wanted[f"charges_{index}"] = Sum("charge", filter=when)
    found = verified.aggregate(**wanted)
    return [
        {
            "label": label,
            "orders": found[f"orders_{index}"],
            "charges": _money(found[f"charges_{index}"]),
        }
        for index, (label, _, _) in enumerate(buckets)
    ]
