"""The versions that let a worker keep the catalog and the role permissions in memory without
ever serving a stale one (DESIGN.md, "Choices").

One row (`CatalogVersion`, pk 1) holds two stamps: `catalog` changes with every write to a
catalog model (products, HCPCS codes, billing profiles, price lists, payers, the billing
provider) and `access` with every change to who holds which permission (groups, their
permissions, a user's groups or own permissions). A third, `claims`, changes with `catalog`
but only on writes to the catalog models a stored claim verdict reads (products, HCPCS codes,
payers: `models.verdicts.CLAIM_INPUT_MODELS`). The stamp is written by the same database
transaction as the change: a model signal (save, delete, many-to-many change) on every model
that counts, and `VersionedQuerySet` for the writes that send no signal (`update`,
`bulk_create`, `bulk_update`). A request reads both stamps once (`current()`: one query,
whatever else it asks), and the per-process caches (`VersionedMemo`) answer only for the stamp
that request read; a worker that reads a new stamp drops what it held.

A stamp is random, not a counter: a transaction that bumps and then rolls back can never leave
a number behind that a later, different write would reuse.
"""

from __future__ import annotations

import secrets
import threading
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import connection, models

VERSION_ROW = 1
CATALOG = "catalog"
ACCESS = "access"
CLAIMS = "claims"


class CatalogVersion(models.Model):
    """The single row of stamps; see the module docstring. Never edited by hand."""

    catalog = models.CharField(max_length=32, default="")
    access = models.CharField(max_length=32, default="")
    # Bumped with `catalog`, but only by writes to the catalog models a stored claim verdict
    # reads (`connect_signals`' claim_inputs): a price or profile edit leaves verdicts fresh.
    claims = models.CharField(max_length=32, default="")

    class Meta:
        verbose_name = "catalog version"

    def __str__(self) -> str:
        return f"catalog {self.catalog}, access {self.access}"


@dataclass(frozen=True)
class Versions:
    """The stamps a request read; None when there is no version row (a flushed test database):
    nothing is cached then."""

    catalog: str | None
    access: str | None


_TABLE = CatalogVersion._meta.db_table


def _read_stamps(*columns: str) -> tuple[str | None, ...]:
    """Return the named stamps as the database has them now (one query by primary key); None
    for each when there is no version row."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {_TABLE} WHERE id = %s", [VERSION_ROW])
        row = cursor.fetchone()
    return tuple(row) if row else (None,) * len(columns)


def read_versions() -> Versions:
    """Return the catalog and access stamps as the database has them now (one query)."""
    return Versions(*_read_stamps(CATALOG, ACCESS))


# The stamps the current request read: None outside a request (every call reads them again),
# {} at the start of one (the first call reads and keeps them).
_request_versions: ContextVar[dict[str, Versions] | None] = ContextVar(
    "request_versions", default=None
)


def request_started(**kwargs: Any) -> None:
    _request_versions.set({})


def request_finished(**kwargs: Any) -> None:
    _request_versions.set(None)


def current() -> Versions:
    """Return the stamps for this request: read once per request, on first use."""
    kept = _request_versions.get()
    if kept is None:
        return read_versions()
    if "versions" not in kept:
        kept["versions"] = read_versions()
    return kept["versions"]


def stamps_join(alias: str) -> str:
    """Return a LEFT JOIN that adds the stamp row as `alias` to another query of this request,
    so that query reads the stamps too (`{alias}.catalog`, `{alias}.access`, NULL when the row is
    missing), and the request saves the query `current()` would make; pass them to `keep()`."""
    return f"LEFT JOIN {_TABLE} {alias} ON {alias}.id = {VERSION_ROW}"


def keep(catalog: str | None, access: str | None) -> None:
    """Keep the stamps another query of this request read (see `stamps_join`) as the request's,
    unless it has read them already."""
    kept = _request_versions.get()
    if kept is not None and "versions" not in kept:
        kept["versions"] = Versions(catalog, access)


def bump(*columns: str) -> None:
    """Give the named stamps (CATALOG, ACCESS, CLAIMS) new values, in the caller's transaction; the
    rest of this request then reads the new ones."""
    stamp = secrets.token_hex(16)
    assignments = ", ".join(f"{column} = %s" for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_TABLE} SET {assignments} WHERE id = %s",
            [stamp] * len(columns) + [VERSION_ROW],
        )
        if cursor.rowcount == 0:  # a flushed test database: the row comes back, all new
            values = {CATALOG: stamp, ACCESS: stamp, CLAIMS: stamp}
            CatalogVersion.objects.get_or_create(pk=VERSION_ROW, defaults=values)
    kept = _request_versions.get()
    if kept is not None:
        kept.pop("versions", None)


class VersionedMemo:
    """A per-process memo for one stamp at a time: `for_stamp(stamp)` is the dict kept for that
    stamp (emptied when another stamp comes), or a throwaway dict when the stamp is None.
    Held values must be immutable: they are shared by every request of the worker."""

    def __init__(self, max_entries: int = 50_000) -> None:
        self.max_entries = max_entries
        self._stamp: str | None = None
        self._entries: dict[Any, Any] = {}
        self._lock = threading.Lock()

    def for_stamp(self, stamp: str | None) -> dict[Any, Any]:
        if stamp is None:
            return {}
        with self._lock:
            if stamp != self._stamp or len(self._entries) > self.max_entries:
                self._stamp, self._entries = stamp, {}
            return self._entries


# The catalog models whose writes also bump CLAIMS (set once by `connect_signals`).
_claim_inputs: set[type[models.Model]] = set()


def _catalog_columns(model: type[models.Model] | None) -> tuple[str, ...]:
    """The stamps a write to `model` changes: CATALOG, and CLAIMS for a claim input (or when the
    model is not known)."""
    return (CATALOG,) if model is not None and model not in _claim_inputs else (CATALOG, CLAIMS)


def read_claims_stamp() -> str | None:
    """Return the CLAIMS stamp as the database has it now (None without the version row)."""
    return _read_stamps(CLAIMS)[0]


class VersionedQuerySet(models.QuerySet):
    """The catalog models' queryset: the bulk writes that send no model signal bump the catalog
    stamp themselves, so no write path can forget it."""

    def update(self, **kwargs: Any) -> int:
        changed = super().update(**kwargs)
        bump(*_catalog_columns(self.model))
        return changed

    def bulk_create(self, *args: Any, **kwargs: Any) -> list[Any]:
        made = super().bulk_create(*args, **kwargs)
        bump(*_catalog_columns(self.model))
        return made

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        changed = super().bulk_update(*args, **kwargs)
        bump(*_catalog_columns(self.model))
        return changed


def _bump_catalog(
    sender: type[models.Model] | None = None, action: str = "post_", **kwargs: Any
) -> None:
    if action.startswith("post_"):  # a many-to-many change signals before and after
        # A many-to-many change's sender is the through model: bump both, to be safe.
        bump(*_catalog_columns(None if "model" in kwargs else sender))


def _bump_access(action: str = "post_", **kwargs: Any) -> None:
    if action.startswith("post_"):
        bump(ACCESS)


def connect_signals(
    catalog_models: tuple[type[models.Model], ...],
    claim_inputs: tuple[type[models.Model], ...] = (),
) -> None:
    """Bump the stamps on every signal-sending write (called once, from the app's ready()):
    CATALOG for the catalog models, CLAIMS too for those of them a claim verdict reads."""
    _claim_inputs.update(claim_inputs)
    from django.contrib.auth.models import Group, Permission, User
    from django.core.signals import request_finished as finished
    from django.core.signals import request_started as started
    from django.db.models.signals import m2m_changed, post_delete, post_save

    started.connect(request_started, dispatch_uid="versions.request_started")
    finished.connect(request_finished, dispatch_uid="versions.request_finished")
    for model in catalog_models:
        for signal in (post_save, post_delete):
            signal.connect(_bump_catalog, sender=model, dispatch_uid=f"catalog.{model.__name__}")
        for field in model._meta.many_to_many:
            m2m_changed.connect(
                _bump_catalog,
                sender=field.remote_field.through,
                dispatch_uid=f"catalog.{model.__name__}.{field.name}",
            )
    for model in (Group, Permission):
        for signal in (post_save, post_delete):
            signal.connect(_bump_access, sender=model, dispatch_uid=f"access.{model.__name__}")
    post_delete.connect(_bump_access, sender=User, dispatch_uid="access.User")
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(
            _bump_access, sender=through, dispatch_uid=f"access.{through._meta.model_name}"
        )
