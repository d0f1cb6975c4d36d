from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from calculator.models import BillingProfile, DrugProduct, HcpcsCode


@admin.register(HcpcsCode)
class HcpcsCodeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "kind", "billing_unit", "effective", "terminated", "description"]
    list_filter = ["kind"]
    search_fields = ["code", "description"]


@admin.register(DrugProduct)
class DrugProductAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "ndc_hyphenated",
        "concentration",
        "package_volume",
        "ndc_unit",
        "hcpcs",
        "active",
    ]
    list_filter = ["active", "ndc_unit", "preservative_free", "hcpcs"]
    search_fields = ["name", "ndc", "labeler"]
    list_select_related = ["hcpcs"]
    autocomplete_fields = ["hcpcs"]

    @admin.display(description="NDC", ordering="ndc")
    def ndc_hyphenated(self, product: DrugProduct) -> str:
        return product.ndc_hyphenated


@admin.register(BillingProfile)
class BillingProfileAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "per_diem_coding",
        "drug_coding",
        "unlisted_unit_basis",
        "rounding",
        "rounding_scope",
        "month_lines",
        "place_of_service",
        "active",
    ]
    list_filter = ["active", "per_diem_coding", "drug_coding", "rounding"]
    search_fields = ["name", "description"]
