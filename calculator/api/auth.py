"""How the JSON API knows who is calling: a per-user bearer token, or the browser's session.

A token is shown once, when `manage.py api_token USER` makes it; only its SHA-256 hash is kept
(`ApiToken.key_hash`), so a copy of the database gives no one a working token. A session is the
one the pages use; because a browser sends its cookie with any request, an unsafe method on a
session must also carry the CSRF token (a bearer token is never sent by a browser on its own).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer

from calculator.api.errors import NOT_SIGNED_IN, unauthorized
from calculator.services.api_tokens import token_user

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class BadToken(HttpError):
    """An Authorization header that does not name a valid token (never falls back to a session)."""

    def __init__(self, message: str) -> None:
        super().__init__(401, message)


class CsrfFailed(HttpError):
    def __init__(self, reason: str) -> None:
        super().__init__(403, f"CSRF check failed: {reason}")


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`, a token made by `manage.py api_token USER`."""

    def __call__(self, request: HttpRequest) -> User | None:
        header = request.headers.get(self.header)
        if header is None:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise BadToken('send the token as "Authorization: Bearer <token>"')
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = token_user(token)
        if user is None:
            raise BadToken("the API token is not valid (revoked, replaced or mistyped)")
        request.user = user
        return user


class _CsrfCheck(CsrfViewMiddleware):
    """Django's CSRF check, answering the reason instead of rendering the failure page."""

    def _reject(self, request: HttpRequest, reason: str) -> str:  # type: ignore[override]
        return reason


class SessionAuth(APIKeyCookie):
    """The signed-in browser session; unsafe methods need the CSRF token as on the pages."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS:
            check = _CsrfCheck(lambda _request: HttpResponse())
            check.process_request(request)
            reason = check.process_view(request, lambda _request: None, (), {})
            if reason:
                raise CsrfFailed(str(reason))
        return user


def docs_require_user(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Guard the schema and the docs page: a token or a session; the page sends people to log in.

    Anonymous visitors see nothing but the login page, and the schema maps the payers'
    billing rules, so it is published to signed-in users and token holders only.
    """

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "Authorization" in request.headers:
            try:
                BearerToken()(request)
            except BadToken as error:
                return unauthorized(error.message)
        elif not request.user.is_authenticated:
            if request.path.endswith(".json"):
                return unauthorized(NOT_SIGNED_IN)
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return guarded
