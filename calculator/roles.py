"""The three roles (pharmacist, billing clerk, administrator) as groups with their permissions,
kept in step on migrate, and the authentication backend that reads a user's permissions through
a per-process cache keyed by the access stamp (models/versions.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from calculator.models import versions
from calculator.selectors.users import user_by_id

PHARMACIST = "Pharmacist"
BILLING_CLERK = "Billing clerk"
ADMINISTRATOR = "Administrator"

CATALOG_MODELS = (
    "drugproduct",
    "hcpcscode",
    "billingprofile",
    "payer",
    "pricelistentry",
    "billingprovider",
)
READ_CATALOG = [f"calculator.view_{model}" for model in CATALOG_MODELS]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    PHARMACIST: [
        "calculator.view_order",
        "calculator.add_order",
        "calculator.verify_order",
        "calculator.void_order",
        "calculator.edit_claim_details",
        *READ_CATALOG,
        # The patient record: pharmacists keep it, clerks read it.
        "calculator.view_patient",
        "calculator.add_patient",
        "calculator.change_patient",
    ],
    BILLING_CLERK: [
        "calculator.view_order",
        "calculator.view_patient",
        "calculator.bill_order",
        "calculator.view_claim_summary",
        "calculator.edit_claim_details",
        "calculator.export_claims",
        "calculator.view_reports",
        *READ_CATALOG,
    ],
    ADMINISTRATOR: [
        "calculator.view_order",
        "calculator.view_reports",
        *[
            f"calculator.{action}_{model}"
            for model in CATALOG_MODELS
            for action in ("view", "add", "change", "delete")
        ],
        "calculator.view_accesslog",
        "calculator.view_claimexport",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
    ],
}


def ensure_roles(**kwargs: object) -> None:
    """Create the role groups and give each exactly its permissions (post_migrate handler)."""
    from django.contrib.auth.models import Group, Permission

    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for code in codes:
            app_label, codename = code.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                wanted.append(permission)
        group.permissions.set(wanted)


_PERMISSIONS_MEMO = versions.VersionedMemo()


class RolePermissionBackend(ModelBackend):
    """Django's ModelBackend (a user's permissions are those of their role groups and their own),
    with each user's set kept per worker for the access stamp the request read: one query for
    the stamp instead of two joined permission queries per request. Any change to a group, a
    permission or a user's groups or permissions gives a new stamp (`versions.connect_signals`).
    """

    def get_user(self, user_id: Any) -> Any:
        """Return the signed-in user of a session (one prepared query), if still active."""
        try:
            user = user_by_id(int(user_id))
        except (TypeError, ValueError):
            return None
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            memo = _PERMISSIONS_MEMO.for_stamp(versions.current().access)
            key = (user_obj.pk, user_obj.is_superuser)
            if key not in memo:
                memo[key] = frozenset(super().get_all_permissions(user_obj))
            user_obj._perm_cache = set(memo[key])
        return user_obj._perm_cache
