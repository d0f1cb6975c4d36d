"""`manage.py import_ndc`: load drug products from the FDA NDC directory or a catalog CSV.

    manage.py import_ndc --product product.txt --package package.txt
    manage.py import_ndc --csv products.csv [--dry-run] [--user alice] [--show-rejected]

Products are keyed by their 11-digit NDC. A new NDC is added; an existing product is updated in
the fields the file gives (an administrator's HCPCS link, doses and flags are kept), and only
when something changed, so importing the same file twice changes nothing. Every added or changed
product is saved through the model, so its history records the import. Each file (product.txt
with package.txt counting as one) is written in one transaction.

On a terminal a progress bar shows the rows read, then the products written (kept) and rejected;
the summary then counts the rejections by reason and lists the first 20 rejected rows
(--show-rejected lists them all). Written to a file or a pipe, the output is plain: the summary
line of each file and every rejected row, one a line.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from calculator.domain import fda_files
from calculator.domain.fda_files import ImportResult, ProductRecord, Rejection
from calculator.management.progress import Progress
from calculator.management.users import user_named
from calculator.models import DrugProduct, HcpcsCode

MAX_CHANGE_REASON = 100  # simple_history's history_change_reason column
BATCH_SIZE = 500  # rows per INSERT/UPDATE: under SQLite's bound-parameter limit
REJECTED_SHOWN = 20  # rejected rows listed on a terminal without --show-rejected
REASONS_SHOWN = 15  # kinds of rejection counted on a terminal


class Command(BaseCommand):
    help = (
        "Import drug products from the FDA NDC directory (--product product.txt --package "
        "package.txt) or a CSV (--csv, header ndc,name,labeler,concentration,package_volume,"
        "ndc_unit,hcpcs). Re-running the same files changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--product", type=Path, help="the FDA NDC directory's product.txt")
        parser.add_argument("--package", type=Path, help="the FDA NDC directory's package.txt")
        parser.add_argument("--csv", type=Path, help="a catalog CSV")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change, write nothing"
        )
        parser.add_argument("--user", help="username the catalog history records as the editor")
        parser.add_argument(
            "--show-rejected",
            action="store_true",
            help=f"on a terminal, list every rejected row (default: the first {REJECTED_SHOWN})",
        )

    def handle(self, *args, **options) -> None:
        product_path, package_path = options["product"], options["package"]
        csv_path = options["csv"]
        if (product_path is None) != (package_path is None):
            raise CommandError("--product and --package go together: give both FDA files")
        if product_path is None and csv_path is None:
            raise CommandError(
                "nothing to import: give --product product.txt --package package.txt, or --csv"
            )
        user = user_named(options["user"])
        dry_run = options["dry_run"]

        terminal = self.stdout.isatty()
        progress = Progress(self.stdout, enabled=terminal)

        def reading(file: str, line: int) -> None:
            progress.status(f"reading {file}: {line:,} rows")

        # Read every file before writing anything, so a bad header stops the whole run.
        results: list[ImportResult] = []
        try:
            if product_path is not None:
                today = timezone.localdate()
                results.append(
                    fda_files.read_fda(product_path, package_path, today=today, progress=reading)
                )
            if csv_path is not None:
                kinds = dict(HcpcsCode.objects.values_list("code", "kind"))
                results.append(
                    fda_files.read_csv(
                        csv_path, hcpcs_kinds=kinds, resolve_ndc=_in_catalog, progress=reading
                    )
                )
        except fda_files.ImportFileError as error:
            progress.close()
            raise CommandError(str(error)) from None

        for result in results:
            progress.restart(len(result.records))
            counts = self._write(result, dry_run=dry_run, user=user, progress=progress)
            progress.close()
            summary = ", ".join(f"{key} {value}" for key, value in counts.items())
            note = " (dry run: nothing written)" if dry_run else ""
            self.stdout.write(f"{' + '.join(result.files)}: {summary}{note}")
            rejections = result.sorted_rejections()
            if not terminal or options["show_rejected"]:
                for rejection in rejections:
                    self.stdout.write(str(rejection))
            else:
                self._rejection_summary(rejections)

    def _rejection_summary(self, rejections: list[Rejection]) -> None:
        """Count the rejections by reason, then list the first REJECTED_SHOWN of them."""
        if not rejections:
            return
        reasons = Counter(reason_kind(rejection.reason) for rejection in rejections)
        self.stdout.write("Rejected, by reason:")
        for reason, count in reasons.most_common(REASONS_SHOWN):
            self.stdout.write(f"  {count:>8,}  {reason}")
        if len(reasons) > REASONS_SHOWN:
            others = sum(count for _, count in reasons.most_common()[REASONS_SHOWN:])
            self.stdout.write(f"  {others:>8,}  other reasons ({len(reasons) - REASONS_SHOWN})")
        shown = rejections[:REJECTED_SHOWN]
        self.stdout.write(f"First {len(shown)} of {len(rejections):,} rejected rows:")
        for rejection in shown:
            self.stdout.write(f"  {rejection}")
        if len(rejections) > len(shown):
            self.stdout.write("(--show-rejected lists them all)")

    def _write(
        self, result: ImportResult, *, dry_run: bool, user, progress: Progress
    ) -> dict[str, int]:
        """Add or update the products of one file in one transaction; return the counts.

        Each record is checked as the admin would (`full_clean`), then the new products and the
        changed ones are written in bulk with their history rows (one per product, with the
        file and line as the change reason): a directory of 12,000 kept packages was 12,000
        saves, each with its own history insert and catalog-stamp update (docs/performance.md).
        """
        counts = {"added": 0, "updated": 0, "unchanged": 0, "rejected": 0}
        ndcs = [record.ndc for record in result.records]
        existing = DrugProduct.objects.in_bulk(ndcs, field_name="ndc")
        wanted_codes = {record.hcpcs for record in result.records if record.hcpcs}
        codes = {code.code: code for code in HcpcsCode.objects.filter(code__in=wanted_codes)}
        read_rejections = len(result.rejections)
        added: list[DrugProduct] = []
        updated: list[DrugProduct] = []
        changed_fields: set[str] = set()
        for done, record in enumerate(result.records, start=1):
            # Kept: the records checked so far that the model accepted.
            kept = done - 1 - (len(result.rejections) - read_rejections)
            progress.update(done, f"kept {kept:,}, rejected {len(result.rejections):,}")
            product = existing.get(record.ndc)
            created = product is None
            if product is None:
                product = DrugProduct(ndc=record.ndc)
            changed = _apply(product, record, codes)
            if not changed and not created:
                counts["unchanged"] += 1
                continue
            if record.source and product.source != record.source:
                product.source = record.source
                changed.add("source")
            try:
                # The code was read from the catalog just above: no query per row to check it.
                product.full_clean(exclude=["hcpcs"], validate_unique=False)
            except ValidationError as error:
                result.rejections.append(Rejection(record.file, record.line, _said(error)))
                continue
            counts["added" if created else "updated"] += 1
            reason = f"import_ndc: {record.file} line {record.line}"
            product._change_reason = reason[:MAX_CHANGE_REASON]
            (added if created else updated).append(product)
            changed_fields |= changed
        if not dry_run:
            with transaction.atomic():
                if added:
                    bulk_create_with_history(
                        added, DrugProduct, batch_size=BATCH_SIZE, default_user=user
                    )
                if updated:
                    bulk_update_with_history(
                        updated,
                        DrugProduct,
                        sorted(changed_fields),
                        batch_size=BATCH_SIZE,
                        default_user=user,
                    )
        counts["rejected"] = len(result.rejections)
        return counts


def _apply(product: DrugProduct, record: ProductRecord, codes: dict[str, HcpcsCode]) -> set[str]:
    """Set on *product* the fields *record* gives; return the names of those that changed."""
    changed = set()
    for field, value in record.given().items():
        if field == "hcpcs":
            code = codes[value]
            if product.hcpcs_id != code.pk:
                product.hcpcs = code
                changed.add("hcpcs")
        elif getattr(product, field) != value:
            setattr(product, field, value)
            changed.add(field)
    return changed


def _in_catalog(candidates: tuple[str, ...]) -> list[str]:
    """Return which of a bare 10-digit NDC's 11-digit readings are catalog products."""
    return sorted(DrugProduct.objects.filter(ndc__in=candidates).values_list("ndc", flat=True))


def reason_kind(reason: str) -> str:
    """Return a rejection's reason without its particular values, to count alike ones together:
    quoted text becomes "…", numbers #, asides in parentheses go, and only the first of several
    reasons is kept ('strength "850 mg/1" is not ... (its 1 package not imported)' ->
    'strength "…" is not ...')."""
    text = re.sub(r'"[^"]*"', '"…"', reason)
    while True:
        shorter = re.sub(r"\s*\([^()]*\)", "", text)
        if shorter == text:
            break
        text = shorter
    return re.sub(r"\d+", "#", text.split("; ", 1)[0]).strip()


def _said(error: ValidationError) -> str:
    """Return a model validation error as one line, e.g. "concentration: ..."."""
    if hasattr(error, "message_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
        )
    return " ".join(error.messages)
