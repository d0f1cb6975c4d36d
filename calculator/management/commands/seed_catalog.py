"""Load the shipped HCPCS codes, drug products, pump reservoirs and billing profiles into an
empty or older database. Records that already exist are left as the administrators keep them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from calculator.models import BillingProfile, DrugProduct, HcpcsCode, PumpReservoir

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _fill_dea_schedule(product: DrugProduct, schedule: str) -> bool:
    """Give a shipped product that has no DEA schedule the shipped one; return whether it did.

    The schedule came with the dispensing plan (issue 10), after databases already held these
    products, and `get_or_create` never touches an existing row: their CII opioids printed no
    controlled-substance mark on the worksheet and labels. A schedule is a legal fact (21 CFR
    1308), not a pharmacy's preference, so filling a blank one is not overwriting an edit; a
    schedule an administrator set (any value) is kept."""
    if not schedule or product.dea_schedule:
        return False
    product.dea_schedule = schedule
    product._change_reason = "seed_catalog: the shipped DEA schedule (21 CFR 1308)"
    product.save(update_fields=["dea_schedule"])
    return True


class Command(BaseCommand):
    help = (
        "Add the shipped catalog and billing profiles that are missing (never overwrites; the "
        "one exception: a shipped product with no DEA schedule gets the shipped one)."
    )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        catalog = json.loads((FIXTURES / "catalog.json").read_text())
        profiles = json.loads((FIXTURES / "profiles.json").read_text())
        added = {"codes": 0, "products": 0, "reservoirs": 0, "profiles": 0, "schedules": 0}
        for row in catalog["hcpcs_codes"]:
            _, created = HcpcsCode.objects.get_or_create(
                code=row["code"],
                defaults={
                    "description": row["description"],
                    "kind": row["kind"],
                    "billing_unit": row.get("billing_unit") or "",
                    "effective": _date(row.get("effective")),
                    "terminated": _date(row.get("terminated")),
                },
            )
            added["codes"] += created
        codes = {code.code: code for code in HcpcsCode.objects.all()}
        for row in catalog["products"]:
            product, created = DrugProduct.objects.get_or_create(
                ndc=row["ndc"],
                defaults={
                    "name": row["name"],
                    "labeler": row.get("labeler") or "",
                    "concentration": row["concentration"],
                    "package_volume": row.get("package_volume") or "",
                    "package_description": row.get("package_description") or "",
                    "ndc_unit": row.get("ndc_unit") or "ML",
                    "ncpdp_unit": row.get("ncpdp_unit") or "ML",
                    "hcpcs": codes.get(row.get("hcpcs") or ""),
                    "preservative_free": bool(row.get("preservative_free")),
                    "single_dose": bool(row.get("single_dose")),
                    "typical_daily_dose_low": row.get("typical_daily_dose_low") or "",
                    "typical_daily_dose_high": row.get("typical_daily_dose_high") or "",
                    "max_daily_dose": row.get("max_daily_dose") or "",
                    "active": row.get("active", True),
                    "source": (row.get("source") or "")[:300],
                    "dea_schedule": row.get("dea_schedule") or "",
                    "storage": row.get("storage") or "",
                    "beyond_use_days": row.get("beyond_use_days"),
                },
            )
            added["products"] += created
            if not created and _fill_dea_schedule(product, row.get("dea_schedule") or ""):
                added["schedules"] += 1
        for row in catalog["reservoirs"]:
            _, created = PumpReservoir.objects.get_or_create(
                name=row["name"], defaults={"volume": row["volume"]}
            )
            added["reservoirs"] += created
        for row in profiles["profiles"]:
            name = row.pop("name")
            for key in ("source_revised", "jz_from", "jw_from"):
                row[key] = _date(row.get(key))
            _, created = BillingProfile.objects.get_or_create(name=name, defaults=row)
            added["profiles"] += created
        if any(added.values()):
            self.stdout.write(
                f"Catalog: added {added['codes']} HCPCS codes, {added['products']} products, "
                f"{added['reservoirs']} pump reservoirs, {added['profiles']} billing profiles"
                + (
                    f"; set the DEA schedule of {added['schedules']} products that had none."
                    if added["schedules"]
                    else "."
                )
            )
