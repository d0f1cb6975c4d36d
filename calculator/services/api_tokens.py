"""API tokens: issue, revoke and look up a user's bearer token.

A token is shown once, when `manage.py api_token USER` makes it; only its SHA-256 hash is kept
(`ApiToken.key_hash`), so a copy of the database gives no one a working token.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from calculator.models import ApiToken

TOKEN_BYTES = 32
PREFIX_LENGTH = 8
# Writing last_used_at on every call would turn each read into a write; once a minute is enough
# to tell a live token from a forgotten one.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_hash(token: str) -> str:
    """Return the hex SHA-256 of a token, the only form in which it is stored."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def token_issue(*, user: User) -> str:
    """Create or replace the user's API token and return it (the one time it is ever shown)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    ApiToken.objects.update_or_create(
        user=user,
        defaults={
            "key_hash": token_hash(token),
            "prefix": token[:PREFIX_LENGTH],
            "created_at": timezone.now(),
            "last_used_at": None,
        },
    )
    return token


def token_revoke(*, user: User) -> bool:
    """Delete the user's API token; return whether there was one."""
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    return bool(deleted)


def token_user(token: str) -> User | None:
    """Return the active user a token belongs to, or None."""
    if not token or len(token) > 200:
        return None
    found = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=token_hash(token), user__is_active=True)
        .first()
    )
    if found is None:
        return None
    now = timezone.now()
    if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user
