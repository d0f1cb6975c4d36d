"""`manage.py import_hcpcs FILE`: load the CMS "HCPCS Alpha-Numeric" quarterly file.

    manage.py import_hcpcs HCPC2025_JAN_ANWEB.txt [--dry-run] [--user alice]
    manage.py import_hcpcs HCPC2025_JAN_ANWEB.csv        (the spreadsheet saved as CSV)

Each code's long and short descriptor, billing unit (read from the descriptor: "up to 10 mg",
"0.1 mg", "1 microgram"), add date (-> `effective`), termination date (-> `terminated`), the
replacement the file's cross-reference names, and the latest action are set. A code is saved
only when something changed, so importing the same file twice changes nothing; every change is
saved through the model, so the catalog history records it. The whole file is written in one
transaction: an error part-way leaves the catalog as it was. Saved orders are never touched (they
keep the snapshot of the codes they were billed with); codes absent from the file are kept.

Rows the reader rejects (wrong width, unknown action code, impossible date, a descriptor too
long to be one, bytes that are not UTF-8) are listed with their line and reason; the others are
imported. Drug codes whose descriptor states no unit are listed for an administrator to confirm.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from calculator.domain import billing, hcpcs_file
from calculator.domain.hcpcs_file import HcpcsRecord, RejectedRow
from calculator.management.progress import Progress
from calculator.management.users import user_named
from calculator.models import HcpcsCode
from calculator.models.validators import validate_dose_amount

MAX_CHANGE_REASON = 100  # simple_history's history_change_reason column
_UNCLASSIFIED = re.compile(r"unclassified|not otherwise classified|\bNOC\b|unlisted", re.IGNORECASE)
Kind = HcpcsCode.Kind
UnitSource = HcpcsCode.UnitSource


def kind_of(record: HcpcsRecord) -> str:
    """Return the catalog kind of a code new to the catalog: the pain per diems, unclassified
    drug codes (J3490), drug codes (J-codes and other "Injection, ..." codes), else other."""
    if record.code in billing.PER_DIEM_DESCRIPTIONS:
        return Kind.PER_DIEM
    is_drug = record.code.startswith("J") or record.long_descriptor.lower().startswith("injection")
    if is_drug and _UNCLASSIFIED.search(record.long_descriptor):
        return Kind.UNLISTED
    return Kind.DRUG if is_drug else Kind.OTHER


def unit_text(record: HcpcsRecord) -> str:
    """Return the descriptor's unit as the catalog stores it ("10 mg"), or "" when the
    descriptor states none the calculator can bill by (an amount of drug)."""
    if record.billing_unit is None:
        return ""
    text = str(record.billing_unit)
    try:
        validate_dose_amount(text)
    except ValidationError:
        return ""  # e.g. "per 50 mL": a volume, not an amount of drug
    return text


class Command(BaseCommand):
    help = (
        "Import the CMS HCPCS Alpha-Numeric file (fixed-width text or the spreadsheet as CSV): "
        "descriptors, billing units, add and termination dates, replacements. Re-running the "
        "same file changes nothing; --dry-run writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="HCPC<YYYY>_<MON>_ANWEB*.txt or .csv")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change, write nothing"
        )
        parser.add_argument("--user", help="username the catalog history records as the editor")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}") from None
        user = user_named(options["user"])
        dry_run = options["dry_run"]

        items = hcpcs_file.read_hcpcs(data)
        records = [item for item in items if isinstance(item, HcpcsRecord)]
        rejected = [item for item in items if isinstance(item, RejectedRow)]
        summary = hcpcs_file.summarize(items)
        progress = Progress(self.stdout, len(records), enabled=self.stdout.isatty())
        with transaction.atomic():
            report = self._write(records, summary, path.name, user, progress)
            if dry_run:
                transaction.set_rollback(True)
        progress.close()
        self._report(path, report, rejected, dry_run=dry_run)
        if not records:
            raise CommandError(f"{path}: no HCPCS record could be read; nothing imported")

    def _write(
        self,
        records: list[HcpcsRecord],
        summary: hcpcs_file.HcpcsSummary,
        file_name: str,
        user: Any,
        progress: Progress,
    ) -> dict[str, list[str]]:
        """Add or update every record's code; return what changed, by category."""
        report: dict[str, list[str]] = {
            "added": [],
            "descriptors changed": [],
            "terminated": [],
            "reinstated": [],
            "billing units changed": [],
            "other fields updated": [],
            "units to confirm": [],
        }
        replacements = {t.code: t.replacement for t in summary.terminated if t.replacement}
        existing = HcpcsCode.objects.in_bulk([record.code for record in records], field_name="code")
        unchanged = 0
        for done, record in enumerate(records, start=1):
            progress.update(done)
            code = existing.get(record.code)
            created = code is None
            if code is None:
                code = HcpcsCode(code=record.code, kind=kind_of(record))
            before = {field: getattr(code, field) for field in _TRACKED}
            _apply(code, record, replacements.get(record.code, ""))
            after = {field: getattr(code, field) for field in _TRACKED}
            changed = {field for field in _TRACKED if before[field] != after[field]}
            _note(report, code, record, created=created, changed=changed, before=before)
            if not created and not changed:
                unchanged += 1
                continue
            code._change_reason = f"import_hcpcs: {file_name} line {record.line_number}"[
                :MAX_CHANGE_REASON
            ]
            if user is not None:
                code._history_user = user
            code.save()
        report["unchanged"] = [str(unchanged)]
        return report

    def _report(
        self,
        path: Path,
        report: dict[str, list[str]],
        rejected: list[RejectedRow],
        *,
        dry_run: bool,
    ) -> None:
        counted = [key for key in report if key != "unchanged"]
        counts = ", ".join(f"{key} {len(report[key])}" for key in counted)
        note = " (dry run: nothing written)" if dry_run else ""
        self.stdout.write(
            f"{path.name}: {counts}, unchanged {report['unchanged'][0]}, "
            f"rows rejected {len(rejected)}{note}"
        )
        for key in ("added", "descriptors changed", "terminated", "reinstated"):
            for entry in report[key]:
                self.stdout.write(f"  {key}: {entry}")
        if report["other fields updated"]:
            updated = "; ".join(report["other fields updated"])
            self.stdout.write(f"  other fields updated: {updated}")
        for entry in report["billing units changed"]:
            self.stdout.write(f"  billing unit changed: {entry}")
        if report["units to confirm"]:
            self.stdout.write(
                "Billing unit not stated in the descriptor; an administrator should confirm it "
                "(admin: HCPCS codes, filter 'billing unit source'):"
            )
            for entry in report["units to confirm"]:
                self.stdout.write(f"  {entry}")
        if rejected:
            self.stdout.write("Rows rejected:")
            for row in rejected:
                self.stdout.write(f"  line {row.line_number}: {row.reason}")


_TRACKED = (
    "description",
    "short_description",
    "billing_unit",
    "billing_unit_source",
    "effective",
    "terminated",
    "replacement",
    "action_code",
    "action_effective",
)


def _apply(code: HcpcsCode, record: HcpcsRecord, replacement: str) -> None:
    """Set on `code` what the file says of it. An administrator's unit is kept when the file
    states none, as is a replacement the file does not name."""
    code.description = record.long_descriptor
    code.short_description = record.short_descriptor
    if record.add_date is not None:
        code.effective = record.add_date
    code.terminated = record.termination_date
    if replacement:
        code.replacement = replacement
    code.action_code = record.action_code
    code.action_effective = record.effective_date
    unit = unit_text(record)
    if unit:
        code.billing_unit, code.billing_unit_source = unit, UnitSource.FILE
    elif code.kind == Kind.DRUG and not (
        code.billing_unit and code.billing_unit_source == UnitSource.ENTERED
    ):
        code.billing_unit_source = UnitSource.TO_CONFIRM


def _note(
    report: dict[str, list[str]],
    code: HcpcsCode,
    record: HcpcsRecord,
    *,
    created: bool,
    changed: set[str],
    before: dict[str, Any],
) -> None:
    """Add the code to the report's categories its changes fall in."""
    if created:
        report["added"].append(f"{code.code} {code.short_description or code.description[:40]}")
    elif "description" in changed:
        report["descriptors changed"].append(
            f"{code.code}: {before['description'][:60]!r} -> {code.description[:60]!r}"
        )
    elif "short_description" in changed and before["short_description"]:
        report["descriptors changed"].append(
            f"{code.code} (short): {before['short_description']!r} -> {code.short_description!r}"
        )
    if code.terminated is not None and (created or "terminated" in changed):
        instead = f", replaced by {code.replacement}" if code.replacement else ""
        report["terminated"].append(f"{code.code} ends {code.terminated.isoformat()}{instead}")
    elif code.terminated is None and "terminated" in changed:
        report["reinstated"].append(f"{code.code} (was ended {before['terminated']})")
    if not created and "billing_unit" in changed:
        report["billing units changed"].append(
            f"{code.code}: {before['billing_unit'] or '(none)'} -> {code.billing_unit}"
        )
    others = changed - {"description", "terminated", "billing_unit"}
    if "description" in changed:
        others.discard("short_description")  # reported with the long descriptor
    if not created and others:
        report["other fields updated"].append(f"{code.code} ({', '.join(sorted(others))})")
    if code.kind == Kind.DRUG and unit_text(record) == "":
        kept = (
            f"keeps {code.billing_unit} entered by hand"
            if code.billing_unit_source == UnitSource.ENTERED
            else "no unit yet"
            if not code.billing_unit
            else f"has {code.billing_unit}, to confirm"
        )
        report["units to confirm"].append(f"{code.code} {record.long_descriptor[:70]!r}: {kept}")
