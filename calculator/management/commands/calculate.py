"""`manage.py calculate`: work out an order's doses, volumes and claim lines without the UI.

    python manage.py calculate --profile HMSA --ndc 00074-1133-03 --rate "5 mg/hr" \\
        --concentration "25 mg/mL" --days 31
    python manage.py calculate --input order.json --json

Bad input exits with status 2 and names the field (with --json, as {"errors": {...}} on stdout).
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from calculator import engine, services
from calculator.domain.billing import (
    DEFAULT_PROFILE,
    MONTHS_PER_LINE_CHOICES,
    NDC_UNITS,
    PUMP_CODES,
    CoverageModifier,
    DrugCoding,
    NdcQuantityBasis,
    PerDiemCoding,
    PolicyKind,
    Rounding,
    RoundingScope,
    UnitBasis,
    WeekCounting,
)
from calculator.domain.dispensing import MAX_BEYOND_USE_DAYS
from calculator.domain.dosing import (
    Route,
    Therapy,
)
from calculator.domain.errors import InvalidOrder
from calculator.domain.ndc import format_ndc
from calculator.domain.units import format_decimal

DRUG_FLAGS = {
    "rate": "rate",
    "concentration": "concentration",
    "ndc": "ndc",
    "name": "name",
    "hcpcs": "hcpcs",
    "hcpcs_unit": "hcpcs_unit",
    "ndc_unit": "ndc_unit",
    "package_volume": "package_volume",
    "bolus": "bolus",
    "boluses_per_day": "boluses_per_day",
    "lockout": "lockout",
    "weight": "weight",
    "compounded": "compounded",
    "route": "route",
    # The dispensing part (SPEC 10).
    "reservoir_volume": "reservoir_volume",
    "priming_volume": "priming_volume",
    "beyond_use_days": "beyond_use_days",
    "stock_ndc": "stock_ndc",
    "discarded": "discarded",
}
ORDER_FLAGS = ("hours_per_day", "days", "start", "end", "therapy")
# Order keys the flags set with --input too (they are not part of the one-drug order).
MEDICARE_FLAGS = ("coverage_modifier", "delivery_date", "secondary_profile")
POLICY_FLAGS = {
    "per_diem": "per_diem_coding",
    "drug_coding": "drug_coding",
    "rounding": "rounding",
    "rounding_scope": "rounding_scope",
    "unlisted_unit_basis": "unlisted_unit_basis",
    "month_lines": "month_lines",
    "place_of_service": "place_of_service",
    "kind": "kind",
    "capped_rental": "capped_rental",
    "a4221_weeks": "a4221_weeks",
    "jz_from": "jz_from",
    "jw_from": "jw_from",
    "ndc_quantity_basis": "ndc_quantity_basis",
    "max_months_per_line": "max_months_per_line",
}


class Command(BaseCommand):
    help = "Calculate daily dose, volume, billing units and claim lines for an infusion order."

    def add_arguments(self, parser: CommandParser) -> None:
        order = parser.add_argument_group("the order (one drug)")
        order.add_argument("--rate", help='dose rate, e.g. "5 mg/hr", "0.5 mg/kg/hr", "4 mL/hr"')
        order.add_argument("--concentration", help='e.g. "25 mg/mL", "500 mg in 20 mL", "0.25 %%"')
        order.add_argument("--hours-per-day", help="hours of infusion a day (default 24)")
        order.add_argument("--days", help="days of service (or --start and --end)")
        order.add_argument("--start", help="first day of service, YYYY-MM-DD")
        order.add_argument("--end", help="last day of service, YYYY-MM-DD (inclusive)")
        order.add_argument(
            "--therapy",
            choices=[therapy.value for therapy in Therapy],
            help="default: continuous at 24 h/day, else intermittent",
        )
        order.add_argument("--ndc", help="product NDC; a catalog product fills what is left out")
        order.add_argument(
            "--compounded",
            action="store_true",
            help="the concentration is compounded/diluted, not the product's labelled one",
        )
        order.add_argument(
            "--route",
            choices=[route.value for route in Route],
            help="epidural or intrathecal use of a preservative-free morphine bills J2274",
        )
        order.add_argument("--name", help="drug name")
        order.add_argument("--hcpcs", help="specific drug code, e.g. J2270")
        order.add_argument("--hcpcs-unit", help='the code\'s descriptor unit, e.g. "10 mg"')
        order.add_argument("--ndc-unit", help=f"NDC unit of measure: {', '.join(NDC_UNITS)}")
        order.add_argument("--package-volume", help='e.g. "10 mL" (needed for NDC unit UN)')
        order.add_argument("--bolus", help='PCA bolus dose, e.g. "1 mg"')
        order.add_argument("--boluses-per-day", help="number of PCA boluses a day")
        order.add_argument("--lockout", help='PCA lockout between boluses, e.g. "10 min"')
        order.add_argument("--weight", help='patient weight for weight-based rates, e.g. "70 kg"')
        dispensing = parser.add_argument_group("dispensing (optional)")
        dispensing.add_argument(
            "--reservoir-volume", help='the cassette or bag filled, e.g. "100 mL"'
        )
        dispensing.add_argument(
            "--priming-volume", help='used per reservoir to prime the tubing, e.g. "5 mL"'
        )
        dispensing.add_argument(
            "--beyond-use-days",
            help=f"whole days (1 to {MAX_BEYOND_USE_DAYS}) the pharmacist assigns; none: no "
            "beyond-use date",
        )
        dispensing.add_argument(
            "--stock-ndc", help="the catalog product a compounded reservoir is made from"
        )
        order.add_argument(
            "--nursing-visit",
            action="append",
            default=[],
            help='a nursing visit\'s length, e.g. "3.5 h" (repeatable)',
        )
        order.add_argument(
            "--rate-change",
            action="append",
            default=[],
            metavar='DATE="RATE"',
            help='from DATE on, the drug runs at RATE, e.g. 2026-01-11="7 mg/hr" (repeatable; '
            "needs --start and --end)",
        )
        order.add_argument(
            "--input", help="a whole order as JSON (several drugs); - reads standard input"
        )
        medicare = parser.add_argument_group("Medicare DME (SPEC 11)")
        medicare.add_argument(
            "--coverage-modifier", help=f"after KD: {', '.join(CoverageModifier)}"
        )
        medicare.add_argument("--pump", help=f"pump code: {', '.join(PUMP_CODES)}")
        medicare.add_argument("--rental-month", help="the pump's rental month (1 = KH)")
        medicare.add_argument("--delivery-date", help="first span date, YYYY-MM-DD")
        medicare.add_argument(
            "--single-dose",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="the product comes in single-dose containers (default: the catalog's)",
        )
        medicare.add_argument("--discarded", help='drug discarded (JW line), e.g. "280 mg"')
        medicare.add_argument(
            "--secondary-profile", help="a per-diem profile for the secondary claim, e.g. HMSA"
        )
        policy = parser.add_argument_group("billing policy")
        policy.add_argument("--profile", help=f"billing profile name (default {DEFAULT_PROFILE})")
        policy.add_argument("--per-diem", choices=[coding.value for coding in PerDiemCoding])
        policy.add_argument("--drug-coding", choices=[coding.value for coding in DrugCoding])
        # The flag spells half_up with a hyphen, as command-line words are.
        policy.add_argument(
            "--rounding", choices=[rounding.value.replace("_", "-") for rounding in Rounding]
        )
        policy.add_argument("--rounding-scope", choices=[scope.value for scope in RoundingScope])
        policy.add_argument("--unlisted-unit-basis", choices=[basis.value for basis in UnitBasis])
        policy.add_argument("--month-lines", action=argparse.BooleanOptionalAction, default=None)
        policy.add_argument("--place-of-service", help="two-digit code (default 12, home)")
        policy.add_argument("--kind", choices=[kind.value for kind in PolicyKind])
        policy.add_argument("--capped-rental", action=argparse.BooleanOptionalAction, default=None)
        policy.add_argument("--a4221-weeks", choices=[c.value for c in WeekCounting])
        policy.add_argument("--jz-from", help="JZ from this date of service, YYYY-MM-DD")
        policy.add_argument("--jw-from", help="JW lines from this date of service, YYYY-MM-DD")
        policy.add_argument("--max-months-per-line", type=int, choices=MONTHS_PER_LINE_CHOICES)
        policy.add_argument(
            "--ndc-quantity-basis",
            choices=[basis.value for basis in NdcQuantityBasis],
            help="bill the NDC quantity as administered (default) or as dispensed",
        )
        parser.add_argument("--json", action="store_true", help="print the API's JSON response")

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["json"]
        try:
            request = self.build_request(options)
            calculation = services.order_calculation(request_data=request)
        except InvalidOrder as error:
            self.fail(error.errors, as_json=as_json)
            return
        response = engine.response_json(calculation)
        if as_json:
            self.stdout.write(json.dumps(response, indent=2))
        else:
            self.stdout.write(render_text(calculation, response))

    def fail(self, errors: dict[str, list[str]], *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps({"errors": errors}, indent=2))
        else:
            for field, messages in errors.items():
                for message in messages:
                    self.stderr.write(f"error: {field}: {message}")
        sys.exit(2)

    def build_request(self, options: dict[str, Any]) -> dict[str, Any]:
        """Return the JSON request these flags (or --input) describe."""
        drug = {key: options[flag] for flag, key in DRUG_FLAGS.items() if options[flag]}
        if options["rate_change"]:
            drug["rate_changes"] = rate_changes_from_flags(options["rate_change"])
        if options["input"]:
            if drug or any(options[flag] for flag in ORDER_FLAGS) or options["nursing_visit"]:
                raise InvalidOrder({"input": ["use either --input or the order flags, not both"]})
            request = read_json(options["input"])
        else:
            request = {flag: options[flag] for flag in ORDER_FLAGS if options[flag]}
            request["drugs"] = [drug]
            if options["nursing_visit"]:
                request["nursing_visits"] = options["nursing_visit"]
            if not options["days"] and not options["start"] and not options["end"]:
                request.setdefault("days", None)
        if options["profile"]:
            request["profile"] = options["profile"]
        request.update({flag: options[flag] for flag in MEDICARE_FLAGS if options[flag]})
        if options["pump"] or options["rental_month"]:
            request["pump"] = {"code": options["pump"], "rental_month": options["rental_month"]}
        if options["single_dose"] is not None and isinstance(request.get("drugs"), list):
            for raw in request["drugs"]:
                if isinstance(raw, dict):
                    raw["single_dose"] = options["single_dose"]
        overrides = {
            key: options[flag] for flag, key in POLICY_FLAGS.items() if options[flag] is not None
        }
        if overrides:
            policy = request.get("policy") if isinstance(request.get("policy"), dict) else {}
            request["policy"] = {**policy, **overrides}
        return request


def rate_changes_from_flags(flags: list[str]) -> list[dict[str, str]]:
    """Return the drug's rate_changes from --rate-change 2026-01-11="7 mg/hr" flags."""
    changes = []
    for number, flag in enumerate(flags):
        start, equals, rate = flag.partition("=")
        if not equals or not start.strip() or not rate.strip():
            raise InvalidOrder(
                {
                    f"drugs.0.rate_changes.{number}": [
                        f'"{flag}" is not DATE="RATE", e.g. 2026-01-11="7 mg/hr"'
                    ]
                }
            )
        changes.append({"from": start.strip(), "rate": rate.strip().strip('"')})
    return changes


def read_json(path: str) -> dict[str, Any]:
    """Return the order in a JSON file (or standard input for -), numbers kept as Decimal."""
    try:
        text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()  # noqa: SIM115
    except OSError as error:
        raise InvalidOrder({"input": [f"cannot read {path}: {error.strerror}"]}) from None
    try:
        data = json.loads(text, parse_float=Decimal)
    except ValueError as error:
        raise InvalidOrder({"input": [f"not valid JSON: {error}"]}) from None
    if not isinstance(data, dict):
        raise InvalidOrder({"input": ["the order must be a JSON object"]})
    return data


def render_text(calculation: engine.Calculation, response: dict[str, Any]) -> str:
    """Return the steps and the claim lines as a readable table."""
    order = calculation.order
    period = order.period
    when = f"{period.start} to {period.end}, " if period.start else ""
    out = [
        f"Order: {when}{period.days} days, {order.therapy.value}, "
        f"{format_decimal(order.hours_per_day)} hr/day; profile {calculation.policy.name}",
        "",
    ]
    for drug in response["drugs"]:
        label = drug["name"] or "Drug"
        out.append(f"{label} (NDC {format_ndc(drug['ndc'])})" if drug["ndc"] else label)
        out.extend(f"  {step}" for step in drug["steps"])
        out.extend(dispensing_text(drug["dispensing"]))
        out.append("")
    out.append("Claim lines")
    header = f"  {'Code':<6} {'Mod':<4} {'Units':>6}  {'From':<10} {'To':<10} {'POS':<3}  NDC"
    out.append(header)
    out.extend(_line_row(line) for line in response["lines"])
    if "secondary_lines" in response:
        out.extend(["", f"Secondary claim lines ({response['secondary_profile']})", header])
        out.extend(_line_row(line) for line in response["secondary_lines"])
    if response["warnings"]:
        out.append("")
        out.extend(
            f"{'Warning' if warning['needs_ack'] else 'Note'}: {warning['message']}"
            for warning in response["warnings"]
        )
    return "\n".join(out)


def _line_row(line: dict[str, Any]) -> str:
    """Return one claim line as a row of the text table."""
    return (
        f"  {line['code']:<6} {' '.join(line['modifiers']):<4} {line['units']:>6}  "
        f"{line['from'] or '':<10} {line['to'] or '':<10} {line['place_of_service']:<3}  "
        f"{line.get('supplemental') or ''}"
    ).rstrip()


def dispensing_text(dispensing: dict[str, Any]) -> list[str]:
    """Return the dispensing plan's lines: its steps, then a table of the reservoirs."""
    out = ["  Dispensing"]
    out.extend(f"    {step}" for step in dispensing["steps"])
    if dispensing["reservoirs"]:
        out.append(f"    {'#':>2}  {'From':<10} {'To':<10} {'Days':>4}  {'Fill':>10}  Beyond use")
        for reservoir in dispensing["reservoirs"]:
            fill = f"{reservoir['fill_volume']['value']} mL"
            out.append(
                f"    {reservoir['number']:>2}  {reservoir['from']!s:<10} {reservoir['to']!s:<10} "
                f"{reservoir['days']:>4}  {fill:>10}  {reservoir['beyond_use_date'] or '-'}"
            )
    return out
