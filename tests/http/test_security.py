"""Security: production settings, headers, login throttling, CSRF, no inline scripts, audit."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from calculator import services
from calculator.models import AccessLog
from tests.conftest import seed_order
from tests.helpers import ROOT

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "x7Qm2-production-like-secret-key-for-the-deploy-check-0123456789abc",
    "DJANGO_ALLOWED_HOSTS": "infusion.example.org",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_passes_with_no_warning_under_production_settings():
    """`manage.py check --deploy` is clean (warnings fail it) with production settings."""
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    """DEBUG off and no DJANGO_SECRET_KEY: the settings refuse, rather than use a known key."""
    result = manage("check", env={"DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "x.org"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_cookies_are_secure_and_hsts_is_on():
    """Secure, HTTP-only cookies and HSTS in production."""
    script = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SECURE_HSTS_SECONDS > 0, s.SECURE_SSL_REDIRECT, s.X_FRAME_OPTIONS)"
    )
    result = manage("shell", "--no-imports", "-c", script, env=PRODUCTION)
    assert result.stdout.strip().splitlines()[-1].split() == [
        "True",
        "True",
        "True",
        "True",
        "True",
        "DENY",
    ]


def user_in(group: str, username: str) -> User:
    user = User.objects.create_user(username, password="correct horse battery staple")
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_scripts(client, catalog):
    """Every page sends a CSP whose script-src is 'self' only, and has no inline <script>."""
    client.force_login(user_in("Pharmacist", "pat"))
    for name in ("calculator:order-new", "calculator:order-list", "login"):
        response = client.get(reverse(name))
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "unsafe-inline'" not in policy.split(";")[1]
        assert response.headers["X-Frame-Options"] == "DENY"
        scripts = re.findall(r"<script\b([^>]*)>", response.text)
        assert scripts and all("src=" in attributes for attributes in scripts), scripts
        assert not re.search(r"\son[a-z]+=", response.text), "inline event handler"


@pytest.mark.django_db
def test_login_is_throttled_after_five_failures(catalog):
    """The 5th failed sign-in locks the account out, even for the right password after it."""
    user_in("Pharmacist", "pat")
    client = Client()
    url = reverse("login")
    answers = [
        client.post(url, {"username": "pat", "password": "wrong"}).status_code for _ in "12345"
    ]
    assert answers == [200, 200, 200, 200, 429]
    locked = client.post(url, {"username": "pat", "password": "correct horse battery staple"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_good_sign_in_works_and_resets_the_count(catalog):
    """A correct password signs in (and clears earlier failures)."""
    user_in("Pharmacist", "pat")
    client = Client()
    client.post(reverse("login"), {"username": "pat", "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": "pat", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


@pytest.mark.django_db
def test_forms_refuse_a_post_without_its_csrf_token(catalog):
    """CSRF on every form: a cross-site POST is refused with 403 and changes nothing."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_in("Pharmacist", "pat"))
    response = client.post(reverse("calculator:order-new"), {"action": "save"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_password_validators_refuse_a_weak_password():
    """Password validators are on."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("12345678")


@pytest.mark.django_db
def test_viewing_printing_and_exporting_orders_is_recorded(catalog):
    """Audit: who viewed, printed or exported which orders, with no patient data in the log."""
    pharmacist = user_in("Pharmacist", "pat")
    second = user_in("Pharmacist", "sam")
    clerk = user_in("Billing clerk", "casey")
    order = services.order_create(
        created_by=pharmacist,
        request_data=seed_order(),
    )
    services.order_verify(order=order, verified_by=second)
    client = Client()
    client.force_login(clerk)
    client.get(reverse("calculator:order-detail", args=[order.pk]))
    query = "?date_from=2026-01-01&date_to=2026-01-31"
    client.get(reverse("calculator:claim-summary") + query)
    client.get(reverse("calculator:claim-summary-csv") + query)
    entries = list(AccessLog.objects.filter(user=clerk).order_by("at"))
    assert [entry.action for entry in entries] == ["view", "print", "csv"]
    assert all(list(entry.orders.all()) == [order] for entry in entries)
    assert all("ACC-1" not in entry.path for entry in entries)


def test_error_logging_records_no_request_bodies():
    """Only django.request errors and the app's own messages are logged, never POST data."""
    from django.conf import settings

    handlers = settings.LOGGING["loggers"]
    assert set(handlers) == {"django.request", "calculator"}
    assert "django.db.backends" not in handlers
