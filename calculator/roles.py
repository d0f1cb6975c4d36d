"""The three roles (pharmacist, billing clerk, administrator) as groups with their permissions,
kept in step on migrate."""

from __future__ import annotations

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
    ],
    BILLING_CLERK: [
        "calculator.view_order",
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
