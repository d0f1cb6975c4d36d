"""The `--user` option of the import commands: the person a catalog change is recorded against."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def user_named(username: str | None):
    """Return the user of that username, None when none is given, or a CommandError."""
    if not username:
        return None
    model = get_user_model()
    try:
        return model._default_manager.get_by_natural_key(username)
    except model.DoesNotExist:
        raise CommandError(f'--user: there is no user "{username}"') from None
