"""The session engine: Django's database sessions, with the one read every signed-in request
makes done by a prepared query instead of the ORM (whose query compilation cost as much as the
rest of a live preview's look-ups). Saving, expiry and deletion are Django's own."""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone


def _load_sql() -> str:
    quote = connection.ops.quote_name
    meta = Session._meta
    column = {name: quote(meta.get_field(name).column) for name in ("session_key", "expire_date")}
    return (
        f"SELECT {quote(meta.get_field('session_data').column)} FROM {quote(meta.db_table)}"
        f" WHERE {column['session_key']} = %s AND {column['expire_date']} > %s"
    )


_LOAD = _load_sql()


class SessionStore(db.SessionStore):
    def load(self) -> dict:
        if self.session_key is None:
            return {}
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(_LOAD, [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django's: a new key is made when this one is saved
            return {}
        return self.decode(row[0])
