"""The JSON API (django-ninja) under /api/v1/: schemas, endpoints, errors and authentication."""

from calculator.api.endpoints import api
from calculator.api.errors import schema_errors

__all__ = ["api", "schema_errors"]
