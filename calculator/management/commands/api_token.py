"""`manage.py api_token USER`: make (or replace) a user's API token and print it, once.

    TOKEN=$(python manage.py api_token alice)
    curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8000/api/v1/profiles
    python manage.py api_token alice --revoke

Only the token's SHA-256 hash is stored, so a lost token cannot be shown again: make a new one.
The token alone goes to standard output (for scripts); the notes go to standard error.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from calculator.services.api_tokens import token_issue, token_revoke


class Command(BaseCommand):
    help = "Create or rotate a user's API token (printed once), or revoke it with --revoke."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the user the token acts as")
        parser.add_argument("--revoke", action="store_true", help="delete the user's token instead")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f'no user is named "{username}"')
        if options["revoke"]:
            if token_revoke(user=user):
                self.stderr.write(f"Revoked the API token of {username}.", self.style.SUCCESS)
            else:
                self.stderr.write(f"{username} had no API token.", self.style.NOTICE)
            return
        if not user.is_active:
            raise CommandError(f"{username} is not active; activate the user first")
        token = token_issue(user=user)
        self.stderr.write(
            f"API token of {username} (any earlier one no longer works). It is shown only "
            "now; keep it secret. Send it as: Authorization: Bearer <token>",
            self.style.WARNING,
        )
        self.stdout.write(token)
