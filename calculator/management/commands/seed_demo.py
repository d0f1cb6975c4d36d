"""Create the demo users of the README on a new development database. Never in production."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError

from calculator.roles import ADMINISTRATOR, BILLING_CLERK, PHARMACIST, ensure_roles

DEMO_PASSWORD = "infusion-demo-2026"  # development only; the README says so
DEMO_USERS = [
    ("pharmacist", PHARMACIST, "Pat", "Pharmacist"),
    ("pharmacist2", PHARMACIST, "Sam", "Second-Check"),
    ("clerk", BILLING_CLERK, "Casey", "Clerk"),
    ("admin", ADMINISTRATOR, "Alex", "Administrator"),
]


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
        self.stdout.write(
            "Demo users: pharmacist, pharmacist2, clerk, admin "
            f"(password {DEMO_PASSWORD}; development only)."
        )
