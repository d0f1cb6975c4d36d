"""Which HCPCS code a drug line may carry: the code a route calls for (morphine J2270 or its
preservative-free neuraxial code J2274), and whether a code is valid on the dates of service
(the CMS HCPCS file's add and termination dates, and the replacement it names)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from calculator.domain.dosing import NEURAXIAL_ROUTES, Route

# A general drug code -> its code for preservative-free epidural or intrathecal use.
# CMS HCPCS: J2270 "Injection, morphine sulfate, up to 10 mg"; J2274 "Injection, morphine
# sulfate, preservative-free for epidural or intrathecal use, 10 mg" (both per 10 mg).
NEURAXIAL_CODES = {"J2270": "J2274"}
_GENERAL_CODES = {neuraxial: general for general, neuraxial in NEURAXIAL_CODES.items()}


def code_for_route(code: str, *, route: Route | None, preservative_free: bool) -> str:
    """Return the code a route calls for: J2274 for a preservative-free morphine product given
    epidurally or intrathecally, J2270 for any other stated route; with no route stated, or for
    a code without a neuraxial twin, `code` as the catalog gives it.

    code_for_route("J2270", route=Route.EPIDURAL, preservative_free=True) -> "J2274"
    code_for_route("J2274", route=Route.INTRAVENOUS, preservative_free=True) -> "J2270"
    """
    if route is None:
        return code
    general = _GENERAL_CODES.get(code, code)
    neuraxial = NEURAXIAL_CODES.get(general)
    if neuraxial is None:
        return code
    return neuraxial if preservative_free and route in NEURAXIAL_ROUTES else general


@dataclass(frozen=True)
class CodeDates:
    """When a HCPCS code may be billed: from `first_day` through `last_day` (inclusive; None
    does not limit), and the code the CMS file names in its place once it ends."""

    code: str
    first_day: date | None = None
    last_day: date | None = None
    replacement: str = ""


def code_date_problem(dates: CodeDates, start: date | None, end: date | None) -> str | None:
    """Return why `dates.code` may not be billed for service from `start` to `end`, naming the
    replacement when there is one, or None when it is valid (or the dates are not known).

    J1170 ended 2024-09-30, replaced by J1171: service on 2025-01-01 -> "J1170 ended on
    2024-09-30, before the dates of service; bill J1171, its replacement in the CMS HCPCS file".
    """
    if start is None:
        return None
    end = end or start
    code = dates.code
    if dates.last_day is not None and end > dates.last_day:
        when = "before" if start > dates.last_day else "during"
        message = f"{code} ended on {dates.last_day.isoformat()}, {when} the dates of service"
        if dates.replacement:
            message += f"; bill {dates.replacement}, its replacement in the CMS HCPCS file"
        return message
    if dates.first_day is not None and start < dates.first_day:
        return (
            f"{code} is valid only from {dates.first_day.isoformat()}, after the first day "
            f"of service {start.isoformat()}"
        )
    return None
