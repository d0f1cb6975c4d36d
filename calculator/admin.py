"""The Django admin: the catalog (HCPCS codes, drug products), billing profiles and their price
lists, payers and the billing provider, each with its history; orders and patients read-only."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from calculator.models import (
    AccessLog,
    BillingProfile,
    BillingProvider,
    ClaimExport,
    ClaimLine,
    DrugProduct,
    HcpcsCode,
    Order,
    Patient,
    Payer,
    PriceListEntry,
    PumpReservoir,
    SecondaryClaimLine,
)


@admin.register(HcpcsCode)
class HcpcsCodeAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "kind",
        "billing_unit",
        "billing_unit_source",
        "effective",
        "terminated",
        "replacement",
        "short_description",
    ]
    list_filter = ["kind", "billing_unit_source", "action_code"]
    search_fields = ["code", "description", "short_description"]

    def save_model(self, request, obj, form, change) -> None:
        # A unit an administrator types is theirs, whatever import_hcpcs had marked; to confirm
        # an imported unit unchanged, they set the source to "entered by hand".
        if obj.billing_unit and "billing_unit" in form.changed_data:
            obj.billing_unit_source = HcpcsCode.UnitSource.ENTERED
        super().save_model(request, obj, form, change)


@admin.register(DrugProduct)
class DrugProductAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "ndc_hyphenated",
        "concentration",
        "package_volume",
        "ndc_unit",
        "hcpcs",
        "dea_schedule",
        "active",
    ]
    list_filter = [
        "active",
        "ndc_unit",
        "preservative_free",
        "single_dose",
        "dea_schedule",
        "storage",
        "hcpcs",
    ]
    search_fields = ["name", "ndc", "labeler"]
    list_select_related = ["hcpcs"]
    autocomplete_fields = ["hcpcs"]

    @admin.display(description="NDC", ordering="ndc")
    def ndc_hyphenated(self, product: DrugProduct) -> str:
        return product.ndc_hyphenated


@admin.register(PumpReservoir)
class PumpReservoirAdmin(SimpleHistoryAdmin):
    list_display = ["name", "volume", "active"]
    list_filter = ["active"]
    search_fields = ["name"]


@admin.register(BillingProfile)
class BillingProfileAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "kind",
        "per_diem_coding",
        "drug_coding",
        "unlisted_unit_basis",
        "rounding",
        "rounding_scope",
        "month_lines",
        "place_of_service",
        "ndc_quantity_basis",
        "source_revised",
        "active",
    ]
    list_filter = ["active", "kind", "per_diem_coding", "drug_coding", "rounding"]
    search_fields = ["name", "description", "source"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "description", "source", "source_revised", "active"]}),
        (
            "Lines and rounding",
            {
                "fields": [
                    "per_diem_coding",
                    "drug_coding",
                    "unlisted_unit_basis",
                    "rounding",
                    "rounding_scope",
                    "month_lines",
                    "ndc_quantity_decimals",
                    "ndc_quantity_basis",
                    "place_of_service",
                ]
            },
        ),
        (
            "Medicare DME (SPEC 11; settings whose rule could not be confirmed)",
            {
                "fields": [
                    "capped_rental",
                    "a4221_weeks",
                    "jz_from",
                    "jw_from",
                    "max_months_per_line",
                ]
            },
        ),
    ]


class PriceListEntryInline(admin.TabularInline):
    model = PriceListEntry
    extra = 1
    fields = ["code", "ndc", "unit_price"]


BillingProfileAdmin.inlines = [PriceListEntryInline]


@admin.register(PriceListEntry)
class PriceListEntryAdmin(SimpleHistoryAdmin):
    list_display = ["profile", "code", "ndc", "unit_price"]
    list_filter = ["profile"]
    search_fields = ["code", "ndc"]


@admin.register(Payer)
class PayerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "payer_id", "profile", "active"]
    list_filter = ["active", "profile"]
    search_fields = ["name", "payer_id"]


@admin.register(BillingProvider)
class BillingProviderAdmin(SimpleHistoryAdmin):
    list_display = ["name", "npi", "tax_id", "city", "state", "usage"]

    def has_add_permission(self, request) -> bool:
        # One billing provider: the pharmacy itself.
        return super().has_add_permission(request) and not BillingProvider.objects.exists()


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records kept as evidence: visible to administrators, never edited or deleted here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ClaimLineInline(admin.TabularInline):
    model = ClaimLine
    fields = [
        "position",
        "code",
        "modifiers",
        "units",
        "start_date",
        "end_date",
        "supplemental",
        "charge",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class SecondaryClaimLineInline(ClaimLineInline):
    model = SecondaryClaimLine
    verbose_name_plural = "secondary claim lines"


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """Orders in the admin: the saved numbers are read-only; changes go through the pages."""

    list_display = ["pk", "patient_reference", "profile", "start_date", "end_date", "status"]
    list_filter = ["status", "profile"]
    search_fields = ["patient_reference", "drugs__name", "drugs__ndc"]
    list_select_related = ["profile"]
    inlines = [ClaimLineInline, SecondaryClaimLineInline]
    exclude = ["request", "response"]


@admin.register(Patient)
class PatientAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    """Patients in the admin, with their history: read-only, since the patient pages validate
    what a claim needs (and pharmacists keep them there)."""

    list_display = ["number", "last_name", "first_name", "birth_date", "payer", "member_id"]
    list_filter = ["payer"]
    search_fields = ["number", "last_name", "first_name", "member_id"]
    list_select_related = ["payer"]


@admin.register(ClaimExport)
class ClaimExportAdmin(ReadOnlyAdmin):
    list_display = ["interchange_number", "created_by", "created_at"]
    exclude = ["content"]


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "action", "path"]
    list_filter = ["action"]
    search_fields = ["user__username", "path"]
