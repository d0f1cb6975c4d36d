"""The user a request is made by, in one prepared query by an indexed key.

Every request loads its user (from the session or an API token); through the ORM, compiling that
query cost a millisecond, as much as the rest of a calculation. These queries are written once,
from the models' own table and column names. The user comes back without its two dates
(`last_login`, `date_joined`): they are deferred, loaded on first use like any deferred field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.db import connection

USER_FIELDS = [
    field.attname
    for field in User._meta.concrete_fields
    if field.attname not in {"last_login", "date_joined"}
]


def user_columns(alias: str) -> str:
    """Return USER_FIELDS as a select list of the user table named `alias`."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(User._meta.get_field(name).column)}" for name in USER_FIELDS)


def user_from_row(values: Sequence[Any]) -> User:
    """Return the user whose USER_FIELDS are `values` (in that order), as if loaded by the ORM."""
    return User.from_db(connection.alias, USER_FIELDS, list(values))


def _by_id_sql() -> str:
    quote = connection.ops.quote_name
    meta = User._meta
    return (
        f"SELECT {user_columns('u')} FROM {quote(meta.db_table)} u"
        f" WHERE u.{quote(meta.pk.column)} = %s"
    )


_BY_ID = _by_id_sql()


def user_by_id(pk: int) -> User | None:
    """Return the user with this primary key, or None."""
    with connection.cursor() as cursor:
        cursor.execute(_BY_ID, [pk])
        row = cursor.fetchone()
    return user_from_row(row) if row else None
