"""How the JSON API knows who is calling: a per-user bearer token, or the browser's session.

A token is shown once, when `manage.py api_token USER` makes it; only its SHA-256 hash is kept
(`ApiToken.key_hash`), so a copy of the database gives no one a working token. A session is the
one the pages use; because a browser sends its cookie with any request, an unsafe method on a
session must also carry the CSRF token (a bearer token is never sent by a browser on its own).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer

from calculator.models import ApiToken

TOKEN_BYTES = 32
PREFIX_LENGTH = 8
# Writing last_used_at on every call would turn each read into a write; once a minute is enough
# to tell a live token from a forgotten one.
LAST_USED_RESOLUTION = timedelta(minutes=1)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def token_hash(token: str) -> str:
    """Return the hex SHA-256 of a token, the only form in which it is stored."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def token_issue(*, user: User) -> str:
    """Create or replace the user's API token and return it (the one time it is ever shown)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    ApiToken.objects.update_or_create(
        user=user,
        defaults={
            "key_hash": token_hash(token),
            "prefix": token[:PREFIX_LENGTH],
            "created_at": timezone.now(),
            "last_used_at": None,
        },
    )
    return token


def token_revoke(*, user: User) -> bool:
    """Delete the user's API token; return whether there was one."""
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    return bool(deleted)


def token_user(token: str) -> User | None:
    """Return the active user a token belongs to, or None."""
    if not token or len(token) > 200:
        return None
    found = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=token_hash(token), user__is_active=True)
        .first()
    )
    if found is None:
        return None
    now = timezone.now()
    if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user


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


NOT_SIGNED_IN = "sign in, or send an API token as Authorization: Bearer <token>"
