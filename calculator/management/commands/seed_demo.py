"""Create the demo users of the README on a new development database. Never in production."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError

from calculator.models import BillingProfile, BillingProvider, Payer, PriceListEntry
from calculator.roles import ADMINISTRATOR, BILLING_CLERK, PHARMACIST, ensure_roles

DEMO_PASSWORD = "infusion-demo-2026"  # development only; the README says so
# Demo claim data (made-up payer IDs and prices; an administrator keeps the real ones).
DEMO_PAYERS = [
    ("HMSA", "DEMO-HMSA", "HMSA", "BL"),
    ("Commercial (demo)", "DEMO-COMM", "STANDARD", "CI"),
]
DEMO_PRICES = {
    "HMSA": [
        ("S9325", "", "150.00"),
        ("J3490", "", "2.50"),
        ("99601", "", "140.00"),
        ("99602", "", "70.00"),
    ],
    "STANDARD": [
        ("S9326", "", "175.00"),
        ("S9327", "", "150.00"),
        ("S9328", "", "200.00"),
        ("J2270", "", "1.25"),
        ("J2274", "", "4.00"),
        ("J1171", "", "0.40"),
        ("J3010", "", "0.75"),
        ("J2278", "", "9.00"),
        ("J2795", "", "0.10"),
        ("J0735", "", "3.00"),
        ("J0665", "", "0.05"),
        ("J3490", "", "2.50"),
        ("99601", "", "140.00"),
        ("99602", "", "70.00"),
    ],
}
DEMO_USERS = [
    ("pharmacist", PHARMACIST, "Pat", "Pharmacist"),
    ("pharmacist2", PHARMACIST, "Sam", "Second-Check"),
    ("clerk", BILLING_CLERK, "Casey", "Clerk"),
    ("admin", ADMINISTRATOR, "Alex", "Administrator"),
]


# The demo pharmacy (billing provider), test usage only.
DEMO_PROVIDER = {
    "name": "Demo Home Infusion Pharmacy",
    "npi": "1234567893",  # the CMS example of a valid NPI
    "tax_id": "123456789",
    "address": "100 Demo Street",
    "city": "Honolulu",
    "state": "HI",
    "zip_code": "968131234",
    "contact_name": "Billing Office",
    "contact_phone": "8085550100",
    "submitter_id": "DEMO-SUBMITTER",
    "usage": "T",
}


class Command(BaseCommand):
    help = "Create demo users (one per role) when the database has no users. Development only."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="create missing demo users")

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("demo users are for development only (DJANGO_DEBUG is off)")
        if User.objects.exists() and not options["force"]:
            return
        ensure_roles()
        for username, role, first, last in DEMO_USERS:
            if User.objects.filter(username=username).exists():
                continue
            user = User.objects.create_user(
                username, password=DEMO_PASSWORD, first_name=first, last_name=last
            )
            user.is_staff = role == ADMINISTRATOR
            user.save()
            user.groups.add(Group.objects.get(name=role))
        self.seed_claim_data()
        self.stdout.write(
            "Demo users: pharmacist, pharmacist2, clerk, admin "
            f"(password {DEMO_PASSWORD}; development only)."
        )

    def seed_claim_data(self) -> None:
        """Add the demo payers, billing provider and price lists (made-up numbers)."""
        profiles = {profile.name: profile for profile in BillingProfile.objects.all()}
        for name, payer_id, profile, filing_code in DEMO_PAYERS:
            Payer.objects.get_or_create(
                name=name,
                defaults={
                    "payer_id": payer_id,
                    "profile": profiles.get(profile),
                    "claim_filing_code": filing_code,
                },
            )
        if not BillingProvider.objects.exists():
            BillingProvider.objects.create(**DEMO_PROVIDER)
        for profile_name, rows in DEMO_PRICES.items():
            profile = profiles.get(profile_name)
            if profile is None:
                continue
            for code, ndc_code, price in rows:
                PriceListEntry.objects.get_or_create(
                    profile=profile,
                    code=code,
                    ndc=ndc_code,
                    defaults={"unit_price": Decimal(price)},
                )
