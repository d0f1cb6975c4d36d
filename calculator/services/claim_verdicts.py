"""The stored verdicts of verified orders' claims (`ClaimVerdict`), kept fresh, so that reports,
the order list's held filter and the review queue read which claims are held, and why, in SQL.

A verdict is what `claim_export.verdicts_of` computes (the scrubber, then the 837P's own checks)
and is stored with the stamp it was computed against: the claims stamp (bumped by writes to
codes, NDCs and payers: `models.versions`) and the version of the checks' own code (`RULES`).
It is recomputed

- by `record`, in the transaction of every service that changes an order's claim (claim
  details, re-price, verify, bill, void), for the order and its patient's other orders (the
  overlapping per-diem rule reads them);
- by `refresh`, in bulk, for the verified orders a reader is about to read whose verdict is
  missing or carries another stamp (a catalog edit, a new release, orders bulk-inserted).

docs/architecture.md ("Stored claim verdicts") lists every input of a verdict and what keeps
each one fresh. The 837P export itself never trusts a stored verdict: it checks again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Q, QuerySet

from calculator.models import ClaimVerdict, Order, Patient, versions
from calculator.selectors import scrubber
from calculator.services import claim_export

_PACKAGE = Path(__file__).resolve().parent.parent
# The code a verdict is computed by: a release that changes any of it makes every stored
# verdict stale (its digest is part of the stamp).
RULES_SOURCES = (
    *sorted((_PACKAGE / "domain").rglob("*.py")),
    _PACKAGE / "models" / "orders.py",
    _PACKAGE / "models" / "verdicts.py",
    _PACKAGE / "selectors" / "scrubber.py",
    _PACKAGE / "services" / "claim_export.py",
    Path(__file__).resolve(),
)


def _rules_digest() -> str:
    digest = hashlib.sha256()
    for path in RULES_SOURCES:
        digest.update(path.relative_to(_PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


RULES = _rules_digest()


def current_stamp() -> str:
    """Return the stamp a verdict computed now is stored with: the CLAIMS stamp (bumped by the
    catalog writes a verdict reads) and the rules'."""
    claims = versions.read_claims_stamp()
    if claims is None:  # a flushed test database: the version row comes back
        versions.bump(versions.CLAIMS)
        claims = versions.read_claims_stamp()
    return f"{claims}-{RULES}"


def _verified(orders: QuerySet[Order] | None) -> QuerySet[Order]:
    return (Order.objects.all() if orders is None else orders).filter(status=Order.Status.VERIFIED)


def _store(verdicts: dict[int, tuple[str, ...]], stamp: str) -> None:
    """Insert these verdicts (none of them stored yet) in one statement, however many: the rows
    travel as one JSON parameter that the database unpacks (SQLite, PostgreSQL)."""
    if not verdicts:
        return
    rows = [[pk, bool(reasons), list(reasons), _kinds(reasons)] for pk, reasons in verdicts.items()]
    sql = _INSERT_SQL.get(connection.vendor)
    if sql is None:  # another database: Django's batches
        ClaimVerdict.objects.bulk_create(
            ClaimVerdict(order_id=pk, stamp=stamp, held=held, reasons=reasons, kinds=kinds)
            for pk, held, reasons, kinds in rows
        )
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, [stamp, json.dumps(rows)])


def _kinds(reasons: tuple[str, ...]) -> str:
    return ClaimVerdict.kinds_text([scrubber.reason_kind(reason) for reason in reasons])


_COLUMNS = ", ".join(
    ClaimVerdict._meta.get_field(name).column
    for name in ("order", "stamp", "held", "reasons", "kinds")
)
_INSERT_SQL = {
    "sqlite": (
        f"INSERT INTO {ClaimVerdict._meta.db_table} ({_COLUMNS}) "
        "SELECT json_extract(value, '$[0]'), %s, json_extract(value, '$[1]'), "
        "json_extract(value, '$[2]'), json_extract(value, '$[3]') FROM json_each(%s)"
    ),
    "postgresql": (
        f"INSERT INTO {ClaimVerdict._meta.db_table} ({_COLUMNS}) "
        "SELECT (item->>0)::bigint, %s, (item->>1)::boolean, item->2, item->>3 "
        "FROM jsonb_array_elements(%s::jsonb) AS item"
    ),
}


def refresh(orders: QuerySet[Order] | None = None) -> int:
    """Compute and store, in bulk, the verdicts of the verified orders among `orders` (all by
    default) that have none for the current stamp; return how many. One query when none is
    stale, a constant number otherwise."""
    stamp = current_stamp()
    stale = _verified(orders).exclude(verdict__stamp=stamp)
    if not stale.exists():
        return 0
    with transaction.atomic():
        _lock_inputs(stale)
        verdicts = claim_export.verdicts_of(stale)  # read again under the locks
        ClaimVerdict.objects.filter(order__in=stale).delete()
        _store(verdicts, stamp)
    return len(verdicts)


def _lock_inputs(stale: QuerySet[Order]) -> None:
    """Lock what the verdicts of `stale` read besides the catalog: their patients' rows (each
    service that changes one of a patient's orders holds it while it recomputes them) and the
    rows of the orders without a patient. A service changing one of them waits until these
    verdicts are stored and then stores its own; one that went first has committed, and what
    is read next sees its change. Patients first, each in key order, as `record` locks them
    after its order: no deadlock. (SQLite has no row locks: its writers go one at a time.)"""
    if not connection.features.has_select_for_update:
        return
    patients = Patient.objects.filter(pk__in=stale.values("patient_id"))
    list(patients.select_for_update().order_by("pk").values_list("pk", flat=True))
    alone = Order.objects.filter(pk__in=stale.filter(patient__isnull=True).values("pk"))
    list(alone.select_for_update().order_by("pk").values_list("pk", flat=True))


def record(order: Order) -> None:
    """Recompute, in the caller's transaction, the verdicts of `order` and of its patient's
    other orders (whose overlapping per diem it may now hold or free): the order's status or
    claim has just changed. The caller holds the order's row lock; the patient's row is locked
    here (see `_lock_inputs`), so no verdict is computed from what this change replaces."""
    if order.status == Order.Status.DRAFT:
        return  # a draft has no verdict and no other order's verdict reads it
    scope = Order.objects.filter(pk=order.pk)
    if order.patient_id is not None:
        patient = Patient.objects.select_for_update().filter(pk=order.patient_id)
        list(patient.values_list("pk", flat=True))
        scope = Order.objects.filter(patient_id=order.patient_id)
    stamp = current_stamp()
    verdicts = claim_export.verdicts_of(scope)
    ClaimVerdict.objects.filter(order__in=scope).delete()
    _store(verdicts, stamp)


def held(orders: QuerySet[Order] | None = None) -> QuerySet[Order]:
    """Return the verified orders among `orders` (all by default) whose claims are held, as a
    queryset read from the stored verdicts, refreshed first."""
    refresh(orders)
    return _verified(orders).filter(verdict__held=True)


def held_claims() -> Q:
    """Return the orders whose claims are held, as a filter on the stored verdicts (those of
    every verified order, refreshed first)."""
    refresh()
    return Q(status=Order.Status.VERIFIED, verdict__held=True)


def held_reasons(orders: QuerySet[Order]) -> dict[int, tuple[str, ...]]:
    """Return the held claims among `orders` (a page of them) with their reasons, as the review
    queue shows them, from the stored verdicts, refreshed first."""
    rows = ClaimVerdict.objects.filter(order__in=held(orders)).values_list("order_id", "reasons")
    return {pk: tuple(reasons) for pk, reasons in rows}


def review_queue() -> list[claim_export.QueueEntry]:
    """Return the first QUEUE_LIMIT verified orders by service start with what holds each
    claim (empty: ready), as `claim_export.review_queue` computes it, from the stored verdicts
    (those that are stale are refreshed first)."""
    orders = claim_export.first_verified()
    page = Order.objects.filter(pk__in=[order.pk for order in orders])
    reasons = held_reasons(page)
    return [
        claim_export.QueueEntry(order=order, problems=reasons.get(order.pk, ())) for order in orders
    ]
