"""The database side: catalog, orders, claims and audit models (app label `calculator`; the
migrations are unchanged by the split). Every model is handed on here, as Django expects."""

from calculator.models.audit import AccessLog, ApiToken
from calculator.models.catalog import BillingProfile, DrugProduct, HcpcsCode, PumpReservoir
from calculator.models.claims import BillingProvider, ClaimExport, Payer, PriceListEntry
from calculator.models.dispensing import OrderDispensing
from calculator.models.orders import ClaimLine, Order, OrderDrug, SecondaryClaimLine
from calculator.models.patients import Patient
from calculator.models.validators import (
    validate_concentration,
    validate_dose_amount,
    validate_ndc11,
    validate_volume,
)
from calculator.models.verdicts import ClaimVerdict
from calculator.models.versions import CatalogVersion

__all__ = [
    "AccessLog",
    "ApiToken",
    "BillingProfile",
    "BillingProvider",
    "CatalogVersion",
    "ClaimExport",
    "ClaimLine",
    "ClaimVerdict",
    "DrugProduct",
    "HcpcsCode",
    "Order",
    "OrderDispensing",
    "OrderDrug",
    "Patient",
    "Payer",
    "PriceListEntry",
    "PumpReservoir",
    "SecondaryClaimLine",
    "validate_concentration",
    "validate_dose_amount",
    "validate_ndc11",
    "validate_volume",
]
