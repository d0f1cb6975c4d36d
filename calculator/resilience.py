"""Staying up when the database is not: a clean 503 page instead of a traceback, and a health
check a load balancer can poll. Django reconnects by itself on the next request."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger("calculator.database")


class DatabaseUnavailableMiddleware:
    """Answer 503 "try again shortly" when the database is unreachable or locked, without any
    patient data in the log; the connection is dropped so the next request reconnects."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error(
            "database unavailable during %s %s: %s",
            request.method,
            request.path,
            type(exception).__name__,
        )
        return database_unavailable(request)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """Return the 503 answer (JSON under /api/), dropping the broken connection so the next
    request reconnects (not inside an atomic block, which would poison the rest of it)."""
    if not connection.in_atomic_block:
        with contextlib.suppress(DatabaseError):
            connection.close()
    if request.path.startswith("/api/"):
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
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"errors": {"server": ["internal error; it has been logged"]}}, status=500
        )
    return HttpResponse(render_to_string("500.html"), status=500)


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Return 200 {"status": "ok"} when the database answers, else 503 (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        with contextlib.suppress(DatabaseError):
            connection.close()
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})
