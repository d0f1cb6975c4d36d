"""837P claim files from saved orders: the review queue, the export and its control numbers.

The Django side of `calculator.domain.edi_837p`: it reads verified orders and their saved claim
lines (the snapshot, never recomputed), turns them into 837P dataclasses, and stores each file it
writes as a ClaimExport. An order the scrubber (or the 837P's own checks) holds stays out of the
file and waits in the review queue with its reasons; once fixed it goes out with the next export.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Max, Prefetch, QuerySet
from django.utils import timezone

from calculator.domain import edi_837p
from calculator.domain.charges import claim_total
from calculator.models import (
    AccessLog,
    BillingProvider,
    ClaimExport,
    ClaimLine,
    Order,
    Payer,
    SecondaryClaimLine,
)
from calculator.models.orders import SavedLine
from calculator.selectors import scrubber

CONTENT_TYPE = "application/edi-x12"
# The review queue checks and shows at most this many verified orders, earliest service first:
# a page that stays quick however many orders wait; the next ones follow as these are billed.
QUEUE_LIMIT = 200
# Earlier files list at most this many of their orders each (and say how many more).
ORDERS_SHOWN_PER_FILE = 20


class ExportRefused(Exception):
    """No file can be written; `str(error)` says why, in words fit to show the clerk."""


@dataclass(frozen=True)
class QueueEntry:
    """A verified order and what holds it (empty: ready to export)."""

    order: Order
    problems: tuple[str, ...]


@dataclass(frozen=True)
class ExportResult:
    export: ClaimExport
    left_out: tuple[QueueEntry, ...]


def filename(export: ClaimExport) -> str:
    """Return the download name, e.g. 837P-000000012.txt."""
    return f"837P-{export.interchange_number:09d}.txt"


def billing_provider() -> BillingProvider | None:
    """Return the pharmacy's billing provider record (the first one an administrator kept)."""
    return BillingProvider.objects.order_by("pk").first()


def provider_problems(provider: BillingProvider | None) -> list[str]:
    """Return why no file can be written for this billing provider (empty: it can)."""
    if provider is None:
        return ["no billing provider is configured: an administrator must add one in the admin"]
    return edi_837p.provider_problems(provider_data(provider))


def _orders(queryset, limit: int | None = None, *, exports: bool = True) -> list[Order]:
    """Return the orders with what the checks and the file need (and the files that carried
    them, unless `exports` is False), earliest service first (the first `limit`, if given)."""
    prefetched = [
        Prefetch("lines", queryset=ClaimLine.objects.order_by("position")),
        Prefetch("secondary_lines", queryset=SecondaryClaimLine.objects.order_by("position")),
        "drugs",
    ]
    if exports:
        prefetched.append(
            Prefetch("exports", queryset=ClaimExport.objects.order_by("interchange_number"))
        )
    orders = (
        queryset.select_related("payer", "profile", "secondary_payer", "secondary_profile")
        .defer("request", "response", "acknowledgements")
        .prefetch_related(*prefetched)
        .order_by("start_date", "pk")
    )
    return list(orders if limit is None else orders[:limit])


def verified_count() -> int:
    """Return how many verified orders wait to be billed (the queue shows the first ones)."""
    return Order.objects.filter(status=Order.Status.VERIFIED).count()


def first_verified() -> list[Order]:
    """Return the orders the review queue shows: the first QUEUE_LIMIT verified orders by
    service start, with what the checks and the page need."""
    return _orders(Order.objects.filter(status=Order.Status.VERIFIED), QUEUE_LIMIT)


def review_queue(orders: Iterable[Order] | None = None) -> list[QueueEntry]:
    """Return each of `orders`, or of the first QUEUE_LIMIT verified orders by service start,
    with what holds its claim: the scrubber's reasons first, then anything the 837P itself
    would reject."""
    orders = first_verified() if orders is None else list(orders)
    problems = scrubber.problems_by_order(orders)
    entries = []
    for order in orders:
        reasons = list(problems[order.pk])
        if not reasons:
            reasons = [
                problem for claim in claims_of(order) for problem in edi_837p.claim_problems(claim)
            ]
        entries.append(QueueEntry(order=order, problems=tuple(reasons)))
    return entries


def verdicts_of(orders: QuerySet[Order] | None = None) -> dict[int, tuple[str, ...]]:
    """Return the verdict of each verified order among `orders` (a queryset; all orders by
    default): order pk -> what holds its claim, as the review queue shows it (empty: ready).
    Constant queries: the scrubber reads only the columns it checks (no snapshot but the
    policies), and the orders it passes are loaded in full for the 837P's own checks."""
    verified = (Order.objects.all() if orders is None else orders).filter(
        status=Order.Status.VERIFIED
    )
    problems = scrubber.problems_of(verified)
    verdicts = {pk: tuple(reasons) for pk, reasons in problems.items()}
    passed = [pk for pk, reasons in problems.items() if not reasons]
    for order in _orders(Order.objects.filter(pk__in=passed), exports=False) if passed else ():
        verdicts[order.pk] = tuple(
            problem for claim in claims_of(order) for problem in edi_837p.claim_problems(claim)
        )
    return verdicts


def held_orders(orders: QuerySet[Order] | None = None) -> dict[int, tuple[str, ...]]:
    """Return the held claims of the verified orders among `orders` (all by default), computed
    now: order pk -> its reasons. Pages read the stored verdicts instead
    (`services.claim_verdicts`); this is what they must equal."""
    return {pk: reasons for pk, reasons in verdicts_of(orders).items() if reasons}


# --- Model -> x12 dataclasses -----------------------------------------------------------------


def provider_data(provider: BillingProvider) -> edi_837p.BillingProvider:
    return edi_837p.BillingProvider(
        name=provider.name,
        npi=provider.npi,
        tax_id=provider.tax_id,
        taxonomy=provider.taxonomy,
        address=provider.address,
        city=provider.city,
        state=provider.state,
        zip_code=provider.zip_code,
        contact_name=provider.contact_name,
        contact_phone=provider.contact_phone,
        submitter_id=provider.submitter_id,
        receiver_name=provider.receiver_name,
        receiver_id=provider.receiver_id,
        usage=provider.usage,
    )


def claims_of(order: Order) -> list[edi_837p.Claim]:
    """Return an order's claims: the primary claim, and the secondary claim when the order
    names a secondary profile.

    The secondary claim is a separate claim to the secondary payer (SBR*S, its own lines), not
    the primary's lines crossed over: its line set is a different one (per diem and J3490 for
    HMSA, drug/pump/supplies for Medicare). Each claim names the other payer in loops
    2320/2330A/2330B, as the 837P guide asks when another payer is known; neither carries
    adjudication amounts, since the file goes out before either payer has paid."""
    primary = claim_data(order)
    secondary_lines = list(order.secondary_lines.all()) if order.secondary_profile_id else []
    if not secondary_lines:
        return [primary]
    secondary_payer = _payer_data(order.secondary_payer)
    primary_payer = primary.payer
    primary = replace(
        primary,
        other_payers=(
            edi_837p.OtherPayer(secondary_payer, order.secondary_member_id, responsibility="S"),
        ),
    )
    secondary = replace(
        _claim_from_lines(order, secondary_lines, policy=order.secondary_policy),
        claim_id=f"{claim_id(order)}-2",
        payer=secondary_payer,
        subscriber=replace(primary.subscriber, member_id=order.secondary_member_id),
        responsibility="S",
        # Medicare, primary, not yet adjudicated: no paid amounts (loop 2320 AMT*D is required
        # only once it has).
        other_payers=(edi_837p.OtherPayer(primary_payer, order.member_id, responsibility="P"),),
    )
    return [primary, secondary]


def claim_data(order: Order) -> edi_837p.Claim:
    """Return an order's (primary) claim from its saved lines; amounts are the snapshot's."""
    return _claim_from_lines(order, list(order.lines.all()), policy=order.policy)


def _payer_data(payer: Payer | None) -> edi_837p.Payer:
    return edi_837p.Payer(
        name=payer.name if payer else "",
        payer_id=payer.payer_id if payer else "",
        filing_code=payer.claim_filing_code if payer else "CI",
    )


def _claim_from_lines(order: Order, lines: list[SavedLine], *, policy: dict) -> edi_837p.Claim:
    place = policy.get("place_of_service") or (lines[0].place_of_service if lines else "")
    total = claim_total(line.charge for line in lines)
    return edi_837p.Claim(
        claim_id=claim_id(order),
        # An unpriced claim never reaches the file (the scrubber holds it); None stays visible.
        total=total,  # type: ignore[arg-type]
        place_of_service=place,
        diagnosis_codes=tuple(order.diagnosis_list),
        authorization_number=order.authorization_number,
        subscriber=edi_837p.Subscriber(
            member_id=order.member_id,
            last_name=order.patient_last_name,
            first_name=order.patient_first_name,
            birth_date=order.patient_birth_date,  # type: ignore[arg-type]
            sex=order.patient_sex,
            address=order.patient_address,
            city=order.patient_city,
            state=order.patient_state,
            zip_code=order.patient_zip,
        ),
        payer=_payer_data(order.payer),
        lines=tuple(_line_data(order, line) for line in lines),
    )


def claim_id(order: Order) -> str:
    """Return the patient control number (CLM01) the payer's remittance will quote."""
    return f"ORD-{order.pk}"


def _line_data(order: Order, line: SavedLine) -> edi_837p.ServiceLine:
    return edi_837p.ServiceLine(
        code=line.code,
        modifiers=tuple(line.modifier_list),
        units=line.units,
        charge=line.charge,  # type: ignore[arg-type]
        start=line.start_date or order.start_date,
        end=line.end_date or line.start_date or order.end_date,
        place_of_service=line.place_of_service,
        description=line.description,
        ndc=line.ndc,
        ndc_unit=line.ndc_unit,
        ndc_quantity=line.ndc_quantity,
        control_number=f"{order.pk}-{line.position + 1}",
    )


# --- Writing a file ---------------------------------------------------------------------------


def claim_export_create(
    *, created_by: User, order_ids: Sequence[int], path: str = ""
) -> ExportResult:
    """Write one 837P file for the selected orders that are ready, store it as a ClaimExport
    and log the access; held orders are left out (and returned with their reasons).

    The billing provider row is locked while the next interchange number (the highest so far
    + 1) is taken, so two clerks exporting at once never share a control number.
    """
    with transaction.atomic():
        provider = BillingProvider.objects.select_for_update().order_by("pk").first()
        problems = provider_problems(provider)
        if problems:
            raise ExportRefused("; ".join(problems))
        assert provider is not None
        ids = sorted({int(pk) for pk in order_ids})
        if not ids:
            raise ExportRefused("select at least one order to export")
        # Lock the orders too: their claim details cannot change while they are written out.
        list(Order.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
        entries = review_queue(_orders(Order.objects.filter(pk__in=ids)))
        ready = [entry.order for entry in entries if not entry.problems]
        left_out = tuple(entry for entry in entries if entry.problems)
        if not ready:
            held = "; ".join(f"{entry.order}: {', '.join(entry.problems)}" for entry in left_out)
            raise ExportRefused(f"none of the selected orders is ready to export ({held})")

        highest = ClaimExport.objects.aggregate(highest=Max("interchange_number"))["highest"]
        number = (highest or 0) + 1
        try:
            content = edi_837p.claim_file(
                envelope=edi_837p.Envelope(control_number=number, created_at=timezone.localtime()),
                provider=provider_data(provider),
                claims=[claim for order in ready for claim in claims_of(order)],
            )
        except edi_837p.InvalidClaimFile as invalid:
            raise ExportRefused(f"the 837P file was not written: {invalid}") from None
        export = ClaimExport.objects.create(
            interchange_number=number, created_by=created_by, content=content
        )
        export.orders.set(ready)
        _log(created_by, ready, path)
    return ExportResult(export=export, left_out=left_out)


def claim_export_downloaded(*, export: ClaimExport, user: User, path: str = "") -> None:
    """Record that a stored file was downloaded again."""
    _log(user, list(export.orders.all()), path)


def _log(user: User, orders: Sequence[Order], path: str) -> None:
    AccessLog.log(user=user, action=AccessLog.Action.X12, orders=orders, path=path)


def recent_exports(limit: int = 50) -> list[ClaimExport]:
    """Return the latest files, newest first, with who wrote them and their orders."""
    first_orders = Order.objects.only("pk").order_by("pk")[:ORDERS_SHOWN_PER_FILE]
    return list(
        ClaimExport.objects.select_related("created_by")
        .annotate(order_count=Count("orders"))
        .prefetch_related(Prefetch("orders", queryset=first_orders, to_attr="first_orders"))
        .order_by("-interchange_number")[:limit]
    )
