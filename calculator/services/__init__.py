"""The write paths, each one transaction: orders (create, verify, bill, void, claim details,
re-price), the 837P claim export, and API tokens. `order_calculation` is the one way the form,
the API and the CLI reach the engine. The order services are handed on here."""

from calculator.services.orders import (
    CLAIM_DETAIL_FIELDS,
    OrderStateError,
    clean_patient_reference,
    order_calculation,
    order_create,
    order_mark_billed,
    order_reprice,
    order_update_claim_details,
    order_verify,
    order_void,
    price_list,
)
from calculator.services.patients import patient_save
from calculator.services.renewal import order_renew, renewal_of

__all__ = [
    "CLAIM_DETAIL_FIELDS",
    "OrderStateError",
    "clean_patient_reference",
    "order_calculation",
    "order_create",
    "order_mark_billed",
    "order_renew",
    "order_reprice",
    "order_update_claim_details",
    "order_verify",
    "order_void",
    "patient_save",
    "price_list",
    "renewal_of",
]
