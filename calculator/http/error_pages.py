"""The 500 and 503 answers: a page for people, JSON under the API prefix, never a traceback; a lost
database is a 503 "try again shortly" and the next request reconnects."""

from __future__ import annotations

import contextlib
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from calculator.http import API_PREFIX


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """Return the 503 answer (JSON under /api/), dropping the broken connection so the next
    request reconnects (not inside an atomic block, which would poison the rest of it)."""
    if not connection.in_atomic_block:
        with contextlib.suppress(DatabaseError):
            connection.close()
    if request.path.startswith(API_PREFIX):
        response: HttpResponse = JsonResponse(
            {"errors": {"database": ["the database is unavailable; try again shortly"]}},
            status=503,
        )
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "5"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a lost database (even in a middleware) is a 503; anything else a plain 500."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        return database_unavailable(request)
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            {"errors": {"server": ["internal error; it has been logged"]}}, status=500
        )
    return HttpResponse(render_to_string("500.html"), status=500)
