"""The one way in and out of the calculator: a request dict -> the domain's inputs -> dose
results and claim lines -> a response dict. It imports only `calculator.domain`; the catalog and
the saved billing profiles are reached through the `Catalog` protocol, which the database side
fulfils."""

from calculator.domain.errors import InvalidOrder
from calculator.domain.units import parse_measure
from calculator.engine.calculation import Calculation, calculate, calculate_request
from calculator.engine.catalog import Catalog, EmptyCatalog, Product
from calculator.engine.request import (
    DRUG_FIELDS,
    POLICY_FIELDS,
    REQUEST_FIELDS,
    ParsedRequest,
    parse_request,
    storable,
)
from calculator.engine.response import calculated_line_json, quantity_json, response_json

__all__ = [
    "DRUG_FIELDS",
    "POLICY_FIELDS",
    "REQUEST_FIELDS",
    "Calculation",
    "Catalog",
    "EmptyCatalog",
    "InvalidOrder",
    "ParsedRequest",
    "Product",
    "calculate",
    "calculate_request",
    "calculated_line_json",
    "parse_measure",
    "parse_request",
    "quantity_json",
    "response_json",
    "storable",
]
