"""API tokens: issue, revoke and look up a user's bearer token.

A token is shown once, when `manage.py api_token USER` makes it; only its SHA-256 hash is kept
(`ApiToken.key_hash`), so a copy of the database gives no one a working token.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from calculator.models import ApiToken, versions
from calculator.selectors.users import user_columns, user_from_row

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
    """Return the active user a token belongs to, or None: one query by the token's unique hash
    (a prepared join, not the ORM: compiling the query cost as much as the rest of a calculate),
    which reads the request's catalog and access stamps too (`versions.stamps_join`).

    The user comes back as `selectors.users` loads it (its dates deferred), and `last_used_at`
    is written at most once a minute."""
    if not token or len(token) > 200:
        return None
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _TOKEN_SQL,
            [
                connection.ops.adapt_datetimefield_value(now - LAST_USED_RESOLUTION),
                token_hash(token),
                True,
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    token_id, stale, catalog, access, *user_values = row
    versions.keep(catalog, access)
    if stale:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return user_from_row(user_values)


def _token_sql() -> str:
    quote = connection.ops.quote_name
    token, user = ApiToken._meta, User._meta
    used = "t." + quote(token.get_field("last_used_at").column)
    return (
        f"SELECT t.{quote(token.pk.column)}, ({used} IS NULL OR {used} < %s),"
        f" v.catalog, v.access, {user_columns('u')}"
        f" FROM {quote(token.db_table)} t INNER JOIN {quote(user.db_table)} u"
        f" ON u.{quote(user.pk.column)} = t.{quote(token.get_field('user').column)}"
        f" {versions.stamps_join('v')}"
        f" WHERE t.{quote(token.get_field('key_hash').column)} = %s"
        f" AND u.{quote(user.get_field('is_active').column)} = %s"
    )


_TOKEN_SQL = _token_sql()
