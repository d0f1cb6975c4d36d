"""One calculation: a request read through the catalog -> dose results -> claim lines, with
the safety warnings. The form, the API and the CLI all reach it through `calculate_request`."""

from __future__ import annotations

from typing import NamedTuple

from calculator.domain import billing, dosing
from calculator.domain.billing import (
    BillingPolicy,
    CalculatedLine,
)
from calculator.domain.dispensing import (
    NO_DISPENSING,
    DispensingInput,
    DispensingPlan,
    dispensing_plan,
    pump_only_plan,
)
from calculator.domain.dosing import (
    DoseResult,
    OrderInput,
    ServicePeriod,
)
from calculator.domain.errors import ErrorCollector, InvalidOrder
from calculator.domain.safety import (
    SafetyWarning,
    dose_warnings,
    lookalike_partner,
)
from calculator.engine.catalog import Catalog, Product
from calculator.engine.medicare import MedicareRequest, dme_lines
from calculator.engine.request import parse_request


class Calculation(NamedTuple):
    """A parsed order, its policy, the results and the claim lines, plus warnings.

    A NamedTuple rather than a frozen dataclass, for speed (docs/performance.md, "What the
    engine's speed rests on").
    """

    order: OrderInput
    policy: BillingPolicy
    results: tuple[DoseResult, ...]
    lines: tuple[CalculatedLine, ...]
    warnings: tuple[SafetyWarning, ...] = ()
    products: tuple[Product | None, ...] = ()
    secondary_policy: BillingPolicy | None = None
    secondary_lines: tuple[CalculatedLine, ...] = ()
    # One dispensing plan per drug, in the drugs' order (the pump rate at least).
    plans: tuple[DispensingPlan, ...] = ()

    @property
    def warnings_to_acknowledge(self) -> tuple[SafetyWarning, ...]:
        return tuple(warning for warning in self.warnings if warning.needs_ack)


def calculate_request(data: object, catalog: Catalog) -> Calculation:
    """Return the calculation for a request dict, or raise InvalidOrder with field paths."""
    parsed = parse_request(data, catalog)
    products = parsed.products
    # calculate's work, called positionally (a call with keywords costs more).
    calculation = _calculate(
        parsed.order,
        parsed.policy,
        parsed.notices,
        parsed.dispensing,
        parsed.medicare,
        parsed.secondary_policy,
        products,
    )
    lines, secondary_lines = calculation.lines, calculation.secondary_lines
    notices = code_date_notices(lines + secondary_lines if secondary_lines else lines, catalog)
    if any(products):
        notices = [*_product_warnings(calculation.results, products, catalog), *notices]
    if not notices:
        return calculation  # most requests: no warning to add, the Calculation as it is
    # Calculation._make of the values rather than _replace (a third of the time).
    values = list(calculation)
    values[_WARNINGS] = (*calculation.warnings, *notices)
    return Calculation._make(values)


_WARNINGS = Calculation._fields.index("warnings")
_new_tuple = tuple.__new__


def _product_warnings(
    results: tuple[DoseResult, ...], products: tuple[Product | None, ...], catalog: Catalog
) -> list[SafetyWarning]:
    """Return the dose warnings of the drugs chosen from the catalog (its limits, and a
    look-alike partner's)."""
    safety: list[SafetyWarning] = []
    for result, product in zip(results, products, strict=True):
        if product is None:
            continue
        partner_name = lookalike_partner(product.name)
        partner = catalog.lookalike(partner_name) if partner_name else None
        # A titrated drug is checked run by run: each run's daily dose.
        for checked in dosing.each_run((result,)):
            safety.extend(
                dose_warnings(checked, product.limits(), partner.limits() if partner else None)
            )
    return safety


def code_date_notices(lines: tuple[CalculatedLine, ...], catalog: Catalog) -> list[SafetyWarning]:
    """Return a notice for each line whose code the catalog says is not valid on the line's
    dates of service, naming the replacement the CMS file gives (J1170 -> J1171).

    A notice, not a warning to acknowledge: it is a billing matter, not a risk to the patient,
    and the pre-billing scrubber holds the claim until the code is right."""
    codes = billing.dated_codes(lines)
    known = catalog.code_dates(codes) if codes else None
    if not known:
        return []
    notices: dict[str, SafetyWarning] = {}
    for line in lines:
        dates = known.get(line.code) if line.start is not None else None
        problem = billing.code_date_problem(dates, line.start, line.end) if dates else None
        if problem and line.code not in notices:
            field = "start" if line.drug_index is None else f"drugs.{line.drug_index}.hcpcs"
            notices[line.code] = SafetyWarning(
                field=field if line.kind == "drug" else "start",
                kind=f"code-dates-{line.code}",
                message=problem,
                needs_ack=False,
            )
    return list(notices.values())


# Made once: a frozen value, the same for every calculation it applies to.
_MONTH_LINES_NOTICE = SafetyWarning(
    field="days",
    kind="notice",
    message="month lines need start and end dates; the period is billed on one line",
    needs_ack=False,
)


def calculate(
    order: OrderInput,
    policy: BillingPolicy,
    *,
    warnings: tuple[SafetyWarning, ...] = (),
    dispensing: tuple[DispensingInput, ...] = (),
    medicare: MedicareRequest | None = None,
    secondary: BillingPolicy | None = None,
    products: tuple[Product | None, ...] = (),
) -> Calculation:
    """Return results, dispensing plans and claim lines for parsed inputs (the engine's hot
    path); `dispensing` is each drug's dispensing part, by index. Without it (the bench's
    calls) no plan is made, except on a Medicare DME profile: a plan costs a third of a
    calculation, and `calculate_request` always passes one per drug, so every request's
    response has the drugs' pump rates. On a Medicare DME profile the lines are the DME lines
    (SPEC 11), A4222 counting the plans' reservoirs; the secondary profile's lines are made
    when the order names one. `products` are the catalog products the drugs were read from,
    by index, kept in the Calculation (calculate_request passes them)."""
    return _calculate(order, policy, warnings, dispensing, medicare, secondary, products)


def _calculate(
    order: OrderInput,
    policy: BillingPolicy,
    warnings: tuple[SafetyWarning, ...],
    dispensing: tuple[DispensingInput, ...],
    medicare: MedicareRequest | None,
    secondary: BillingPolicy | None,
    products: tuple[Product | None, ...],
) -> Calculation:
    """calculate, its arguments given positionally."""
    results = dosing.compute(order)
    medicare_dme = policy.is_medicare_dme
    plans = (
        dispensing_plans(results, dispensing, order.period) if dispensing or medicare_dme else ()
    )
    if medicare_dme:
        request = medicare or MedicareRequest(billing.MedicareOrder())
        lines = dme_lines(results, order=order, policy=policy, request=request, plans=plans)
    else:
        lines = billing.claim_lines(results, order=order, policy=policy, plans=plans)
    if policy.month_lines and order.period.start is None and order.period.days > 1:
        warnings = (*warnings, _MONTH_LINES_NOTICE)
    secondary_lines: tuple[CalculatedLine, ...] = ()
    if secondary is not None:
        secondary_lines = tuple(billing.claim_lines(results, order=order, policy=secondary))
    # Made as the tuple it is, every field given in order: the NamedTuple's generated __new__
    # takes twice as long (and from keywords three times).
    return _new_tuple(
        Calculation,
        (
            order,
            policy,
            results,
            tuple(lines),
            tuple(warnings),
            products,
            secondary,
            secondary_lines,
            plans,
        ),
    )


# --- Dispensing (SPEC 10) ---------------------------------------------------------------------


def dispensing_plans(
    results: tuple[DoseResult, ...],
    dispensing: tuple[DispensingInput, ...],
    period: ServicePeriod,
) -> tuple[DispensingPlan, ...]:
    """Return each drug's dispensing plan, or raise InvalidOrder naming every dispensing field
    that cannot be planned, on every drug at once (drugs.1.reservoir_volume)."""
    plans = []
    errors: ErrorCollector | None = None  # made only when a drug's plan is refused
    count, days = len(dispensing), period.days
    for result in results:
        index = result.index
        given = dispensing[index] if index < count else NO_DISPENSING
        if given is NO_DISPENSING and result.days == days:
            # The drug row has no dispensing part (most orders): dispensing_plan's pump-only
            # plan, without the keyword call.
            plans.append(pump_only_plan(result))
            continue
        try:
            plans.append(dispensing_plan(result=result, dispensing=given, period=period))
        except InvalidOrder as error:
            errors = errors or ErrorCollector()
            for field, messages in error.errors.items():
                for message in messages:
                    errors.add(field, message)
    if errors is not None:
        errors.raise_if_any()
    return tuple(plans)
