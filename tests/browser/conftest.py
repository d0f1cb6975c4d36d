"""Playwright driving Debian's Chromium (never `playwright install`), against pytest-django's
live server. Without Chromium the browser tests skip with a message; with REQUIRE_BROWSER=1 (set
by .ci/run) they fail instead, so CI cannot pass without having run them."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from playwright.sync_api import Page, expect

from calculator import services
from calculator.models import Order
from calculator.roles import ADMINISTRATOR, BILLING_CLERK, PHARMACIST, ensure_roles
from tests.conftest import SEED_NDC11, SEED_RATE, seed_order

# Playwright's sync API runs an event loop in this thread; the tests' own ORM calls are still
# plain synchronous code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER", "").strip() == "1"
TIMEOUT_MS = 10_000
DOCS = Path(__file__).resolve().parents[2] / "docs"
PASSWORD = "browser-test-2026"  # test users only, in the throw-away test database

# The seed order: 5 mg/hr morphine 25 mg/mL, 24 h, January 2026, HMSA -> 4.8 mL/day, J3490 x 149.
SEED_ORDER = seed_order(
    therapy="continuous",
    hours_per_day="24",
    drugs=[{"ndc": SEED_NDC11, "rate": SEED_RATE, "compounded": False}],
)
MORPHINE = "Morphine sulfate 25 mg/mL - NDC 00074-1133-03"
FENTANYL = "Fentanyl citrate injection 50 mcg/mL - NDC 00409-9094-25"


def missing_tool(message: str) -> None:
    """Skip with the message, or fail when the environment requires the browser tests."""
    if REQUIRE_BROWSER:
        pytest.fail(f"{message} (REQUIRE_BROWSER=1, so this is a failure, not a skip)")
    pytest.skip(message)


def _chromium_problem() -> str | None:
    if not os.path.isfile(CHROMIUM) or not os.access(CHROMIUM, os.X_OK):
        return (
            f"Chromium not found at {CHROMIUM}: install Debian's package "
            "(apt-get install -y chromium) or set CHROMIUM_PATH; never `playwright install`"
        )
    return None


@pytest.fixture(scope="session", autouse=True)
def _require_chromium() -> None:
    """Checked once, before the browser is launched (autouse fixtures of a scope come first)."""
    problem = _chromium_problem()
    if problem:
        missing_tool(problem)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}


@pytest.fixture(scope="session")
def base_url() -> None:
    """No --base-url: tests use live_server.url. (Also replaces pytest-playwright's fallback
    fixture, a method that pytest 9 warns about.)"""
    return None


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


@dataclass
class ConsoleErrors:
    """What the page logged as an error (console.error, an uncaught exception) while a test ran.
    A test that provokes one on purpose (a 403 page: Chromium logs the failed load) says so with
    `@pytest.mark.console_errors(r"pattern")`; any other error fails the test."""

    allowed: list[re.Pattern[str]]
    seen: list[str]

    def record(self, text: str) -> None:
        if not any(pattern.search(text) for pattern in self.allowed):
            self.seen.append(text)


@pytest.fixture
def console_errors(request) -> ConsoleErrors:
    marker = request.node.get_closest_marker("console_errors")
    return ConsoleErrors(
        allowed=[re.compile(pattern) for pattern in (marker.args if marker else ())], seen=[]
    )


@pytest.fixture
def page(page: Page, console_errors: ConsoleErrors) -> Iterator[Page]:
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page.on(
        "console",
        lambda message: (
            console_errors.record(f"{message.text} at {message.location['url']}")
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: console_errors.record(f"uncaught: {error}"))
    yield page
    page.wait_for_timeout(0)  # let events already queued reach the listeners
    assert console_errors.seen == [], "the browser console logged errors"


@pytest.fixture
def pdftotext() -> str:
    path = shutil.which("pdftotext")
    if path is None:
        missing_tool("pdftotext not found: apt-get install -y poppler-utils")
    return path


@pytest.fixture
def fast_passwords(settings) -> None:
    """A cheap hasher for the test users (the live server shares these settings)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def catalog_loaded(transactional_db) -> None:
    """The shipped catalog and profiles; the role groups (re-made after each flush)."""
    ensure_roles()
    call_command("seed_catalog", verbosity=0)


def _user(username: str, role: str) -> User:
    user = User.objects.create_user(username, password=PASSWORD)
    user.is_staff = role == ADMINISTRATOR
    user.save()
    user.groups.add(Group.objects.get(name=role))
    return user


@dataclass
class Staff:
    pharmacist: User
    pharmacist2: User
    clerk: User
    admin: User


@pytest.fixture
def staff(catalog_loaded, fast_passwords) -> Staff:
    return Staff(
        pharmacist=_user("pharmacist", PHARMACIST),
        pharmacist2=_user("pharmacist2", PHARMACIST),
        clerk=_user("clerk", BILLING_CLERK),
        admin=_user("admin", ADMINISTRATOR),
    )


@pytest.fixture
def verified_order(staff: Staff) -> Order:
    """The seed order, entered by one pharmacist and verified by a second."""
    order = services.order_create(created_by=staff.pharmacist, request_data=SEED_ORDER)
    return services.order_verify(order=order, verified_by=staff.pharmacist2)


def login_url(live_server, path: str) -> re.Pattern[str]:
    """Where an anonymous visit to `path` is sent, with `next` pointing back to it.

    App pages go to the site's login page. Admin pages go to a login page too, but Django picks
    which: the admin site's own views (/admin/) use the admin's login, ModelAdmin pages the
    site's LOGIN_URL (LoginRequiredMiddleware).
    """
    login = "(accounts|admin)/login/" if path.startswith("/admin/") else "accounts/login/"
    return re.compile(
        rf"^{re.escape(live_server.url)}/{login}\?next={re.escape(quote(path, safe='/'))}$"
    )


@pytest.fixture
def log_in(page: Page, live_server) -> Callable[[User, str], None]:
    """Open `path`, get sent to the login page, and sign in there as a person does."""

    def log_in(user: User, path: str = "/") -> None:
        page.goto(f"{live_server.url}{path}")
        expect(page).to_have_url(login_url(live_server, path))
        page.get_by_label("Username").fill(user.get_username())
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name=re.compile(r"^(Sign|Log) in$")).click()
        expect(page).not_to_have_url(re.compile(r"/login/"))

    return log_in
