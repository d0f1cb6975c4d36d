"""Project middleware."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import middleware
from django.http import HttpRequest, HttpResponse

API_PREFIX = "/api/"


class LoginRequiredMiddleware(middleware.LoginRequiredMiddleware):
    """Django's login-required-by-default, except under /api/: the API authenticates each call
    itself (a token or the session) and answers 401 JSON rather than a redirect to a page."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if request.path_info.startswith(API_PREFIX):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
