"""Who may open what: every URL of the project, for each role.

The matrix is walked from the URL resolver, so a URL added to the project without a row in
`EXPECTED` fails `test_every_url_of_the_project_has_an_expected_answer_for_each_role`. Rows for
Every row of the table must be a URL of the project, and every URL a row of the table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from calculator.models import ClaimExport, DrugProduct, Order
from calculator.roles import ROLE_PERMISSIONS
from tests.conftest import seed_order

ANON, PHARM, CLERK, ADMIN = "anonymous", "pharmacist", "clerk", "administrator"
ROLES = (ANON, PHARM, CLERK, ADMIN)

# Expectations that are not a bare status code.
TO_LOGIN = "302 to the site login page"
TO_ADMIN_LOGIN = "302 to the admin login page"

# Values for the URL converters of the project; `pk` is the saved order's unless OBJECT_PK says
# which other record the URL is about.
URL_KWARGS: dict[str, Any] = {"uidb64": "MQ", "token": "not-a-real-token"}

# The seed order as the JSON API takes it.
SEED_JSON = seed_order()
SEED_CALCULATION = {key: value for key, value in SEED_JSON.items() if key != "patient_reference"}


@dataclass(frozen=True)
class Rule:
    """How to call a URL, and the answer each role must get."""

    method: str
    expected: dict[str, int | str]
    data: dict[str, Any] = field(default_factory=dict)
    json: bool = False


def everyone(status: int | str) -> dict[str, int | str]:
    return {ANON: TO_LOGIN, PHARM: status, CLERK: status, ADMIN: status}


def allowed(answers: dict[str, int | str]) -> dict[str, int | str]:
    """Return the given answers for the roles that may; 403 for the others, login for anonymous."""
    return {ANON: TO_LOGIN, PHARM: 403, CLERK: 403, ADMIN: 403, **answers}


def api(answers: dict[str, int | str]) -> dict[str, int | str]:
    """The API answers 401 JSON to a caller without a session or token, and 403 to other roles."""
    return {ANON: 401, PHARM: 403, CLERK: 403, ADMIN: 403, **answers}


def api_everyone(status: int) -> dict[str, int | str]:
    return api({PHARM: status, CLERK: status, ADMIN: status})


# The answers for each URL name (admin URLs are checked apart, below): one Rule, or one per
# method. The answer for a role with the permission is what it gets with the minimal data here:
# actions on the seed draft redirect back to it (with a message when the state or the input does
# not allow them); the API answers 409 when the order's status does not allow the action.
EXPECTED: dict[str, Rule | tuple[Rule, ...]] = {
    # django.contrib.auth
    # For load balancers: no login, and it tells nothing but "the database answers".
    "healthz": Rule("GET", {ANON: 200, PHARM: 200, CLERK: 200, ADMIN: 200}),
    "login": Rule("GET", {ANON: 200, PHARM: 200, CLERK: 200, ADMIN: 200}),
    "logout": Rule("POST", everyone(302)),
    "password_change": Rule("GET", everyone(200)),
    "password_change_done": Rule("GET", everyone(200)),
    # Orders
    "calculator:home": Rule("GET", everyone(302)),
    "calculator:order-list": Rule("GET", everyone(200)),
    "calculator:order-new": Rule("GET", allowed({PHARM: 200})),
    "calculator:order-preview": Rule("POST", allowed({PHARM: 200})),
    "calculator:product-concentration": Rule(
        "GET", allowed({PHARM: 200}), data={"drugs-0-product": "<product>"}
    ),
    "calculator:product-options": Rule(
        "GET", allowed({PHARM: 200}), data={"drugs-0-product_search": "morph"}
    ),
    "calculator:order-detail": Rule("GET", everyone(200)),
    # The dispensing prints of an order (calculator.view_order, like its page).
    "calculator:order-worksheet": Rule("GET", everyone(200)),
    "calculator:order-worksheet-pdf": Rule("GET", everyone(200)),
    "calculator:order-labels": Rule("GET", everyone(200)),
    "calculator:order-labels-pdf": Rule("GET", everyone(200)),
    "calculator:order-verify": Rule("POST", allowed({PHARM: 302})),
    "calculator:order-bill": Rule("POST", allowed({CLERK: 302})),
    "calculator:order-void": Rule("POST", allowed({PHARM: 302}), data={"reason": "entered twice"}),
    # calculator.edit_claim_details: pharmacists and clerks
    "calculator:order-claim-details": Rule("GET", allowed({PHARM: 200, CLERK: 200})),
    "calculator:order-reprice": Rule("POST", allowed({PHARM: 302, CLERK: 302})),
    # Claim summary (calculator.view_claim_summary: billing clerks only)
    "calculator:claim-summary": Rule("GET", allowed({CLERK: 200})),
    "calculator:claim-summary-pdf": Rule("GET", allowed({CLERK: 200})),
    "calculator:claim-summary-csv": Rule("GET", allowed({CLERK: 200})),
    # 837P export (calculator.export_claims: billing clerks only)
    "calculator:claim-exports": (
        Rule("GET", allowed({CLERK: 200})),
        Rule("POST", allowed({CLERK: 400})),  # no order selected
    ),
    "calculator:claim-export-download": Rule("GET", allowed({CLERK: 200})),
    # JSON API (token or session; 401 otherwise)
    "api:calculate": Rule("POST", api_everyone(200), data=SEED_CALCULATION, json=True),
    "api:orders": (
        Rule("GET", api_everyone(200)),
        Rule("POST", api({PHARM: 201}), data=SEED_JSON, json=True),
    ),
    "api:order": Rule("GET", api_everyone(200)),
    "api:order-verify": Rule("POST", api({PHARM: 200}), data={"confirm_own": True}, json=True),
    "api:order-bill": Rule("POST", api({CLERK: 409}), json=True),  # the seed order is a draft
    "api:order-void": Rule("POST", api({PHARM: 200}), data={"reason": "entered twice"}, json=True),
    "api:products": Rule("GET", api_everyone(200)),
    "api:profiles": Rule("GET", api_everyone(200)),
    "api:openapi-json": Rule("GET", api_everyone(200)),
    "api:openapi-view": Rule("GET", everyone(200)),
    "api:api-root": Rule("GET", {ANON: 404, PHARM: 404, CLERK: 404, ADMIN: 404}),
    "api:no-endpoint": Rule("GET", {ANON: 404, PHARM: 404, CLERK: 404, ADMIN: 404}),
}


def rules_for(name: str) -> tuple[Rule, ...]:
    rules = EXPECTED[name]
    return rules if isinstance(rules, tuple) else (rules,)


def claim_export(order: Order) -> int:
    """Return the pk of a stored 837P file carrying the order."""
    export = ClaimExport.objects.create(
        interchange_number=1, created_by=order.created_by, content="ISA*00*~"
    )
    export.orders.add(order)
    return export.pk


# URL names whose `pk` is not an order's: name -> a function of the saved order giving the pk.
OBJECT_PK: dict[str, Callable[[Order], int]] = {
    "calculator:claim-export-download": claim_export,
}


def project_urls() -> dict[str, tuple[str, list[str]]]:
    """Return every URL pattern outside the admin: name (or route) -> (route, converter names)."""
    found: dict[str, tuple[str, list[str]]] = {}

    def walk(patterns: list, prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                if inner == "admin" or (inner or "").startswith("admin:"):
                    continue
                walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern):
                if pattern.name:
                    key = f"{namespace}:{pattern.name}" if namespace else pattern.name
                else:
                    key = f"<unnamed> {route}"
                converters = re.findall(r"<(?:\w+:)?(\w+)>", route)
                found[key] = (route, converters)

    walk(get_resolver().url_patterns, "", None)
    return found


def url_for(name: str, order: Order) -> str:
    _, converters = project_urls()[name]
    pk = OBJECT_PK[name](order) if name in OBJECT_PK else order.pk
    values = {**URL_KWARGS, "pk": pk}
    unknown = [converter for converter in converters if converter not in values]
    assert not unknown, f"add a value for {unknown} of {name} to URL_KWARGS"
    return reverse(name, kwargs={converter: values[converter] for converter in converters})


@pytest.fixture
def as_role(pharmacist, clerk, administrator, client_for):
    """Return a factory: as_role("clerk") is a client signed in as that role (or anonymous)."""
    users = {PHARM: pharmacist, CLERK: clerk, ADMIN: administrator}

    def make(role: str) -> Client:
        return Client() if role == ANON else client_for(users[role])

    return make


def assert_answer(response, expected: int | str, url: str) -> None:
    where = f"{response.request['REQUEST_METHOD']} {url}"
    if expected == TO_LOGIN:
        assert response.status_code == 302, where
        assert response["Location"].startswith(reverse("login") + "?next="), where
    elif expected == TO_ADMIN_LOGIN:
        assert response.status_code == 302, where
        assert response["Location"].startswith(reverse("admin:login") + "?next="), where
    else:
        assert response.status_code == expected, where


def _cases() -> list:
    cases = []
    for name in EXPECTED:
        for rule in rules_for(name):
            for role in ROLES:
                case_id = f"{rule.method}-{name}-{role}"
                cases.append(pytest.param(name, rule, role, id=case_id))
    return cases


def test_every_url_of_the_project_has_an_expected_answer_for_each_role():
    """A URL without a row in EXPECTED fails here, so new pages get their permissions checked."""
    missing = sorted(set(project_urls()) - set(EXPECTED))
    assert not missing, f"add these URL names to EXPECTED in {__name__}: {missing}"
    for name in EXPECTED:
        for rule in rules_for(name):
            assert set(rule.expected) == set(ROLES), f"{name} needs an answer for every role"


@pytest.mark.parametrize(("name", "rule", "role"), _cases())
def test_each_role_gets_the_expected_answer_from_each_url(name, rule, role, saved_order, as_role):
    """Each URL answers each role as the table says: login, forbidden, or the page."""
    assert name in project_urls(), f"{name} is in EXPECTED but not a URL of the project"
    expected = rule.expected[role]
    url = url_for(name, saved_order)
    product = DrugProduct.objects.get(ndc="00074113303")
    data = {
        key: str(product.pk) if value == "<product>" else value for key, value in rule.data.items()
    }
    client = as_role(role)
    if rule.method == "GET":
        response = client.get(url, data)
    elif rule.json:
        response = client.post(url, data, content_type="application/json")
    else:
        response = client.post(url, data)
    assert_answer(response, expected, url)


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("calculator:order-preview", PHARM),
        ("calculator:order-verify", PHARM),
        ("calculator:order-bill", CLERK),
        ("calculator:order-void", PHARM),
        ("logout", PHARM),
    ],
)
def test_action_urls_refuse_a_get_even_from_a_role_that_may_post(name, role, saved_order, as_role):
    """Actions change records, so they answer GET with 405 (a link can never trigger them)."""
    response = as_role(role).get(url_for(name, saved_order))
    assert response.status_code == 405


def test_a_forbidden_action_leaves_the_order_untouched(saved_order, as_role):
    """A clerk's POST to verify or void, and a pharmacist's to bill, change nothing."""
    assert as_role(CLERK).post(url_for("calculator:order-verify", saved_order)).status_code == 403
    void = url_for("calculator:order-void", saved_order)
    assert as_role(CLERK).post(void, {"reason": "x"}).status_code == 403
    assert as_role(ADMIN).post(void, {"reason": "x"}).status_code == 403
    saved_order.refresh_from_db()
    assert saved_order.status == "draft"
    assert saved_order.history.count() == 1


def test_anonymous_users_see_the_login_page(db):
    """The login page is the one page an anonymous user can open."""
    response = Client().get(reverse("login"))
    assert response.status_code == 200
    assert 'name="password"' in response.text


# --- Roles and the admin ----------------------------------------------------------------------


def test_migrate_creates_the_three_role_groups_with_their_permissions(db):
    """The three role groups exist, each with exactly the permissions roles.py gives it."""
    for role, codes in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        granted = {
            f"{app}.{codename}"
            for app, codename in group.permissions.values_list(
                "content_type__app_label", "codename"
            )
        }
        assert granted == set(codes), role


def test_only_billing_clerks_may_see_the_claim_summary(pharmacist, clerk, administrator):
    """calculator.view_claim_summary belongs to the clerk role alone."""
    assert clerk.has_perm("calculator.view_claim_summary")
    assert not pharmacist.has_perm("calculator.view_claim_summary")
    assert not administrator.has_perm("calculator.view_claim_summary")


def test_no_role_may_delete_an_order(db):
    """Orders are voided, never deleted: no role holds a delete permission on them."""
    granted = Permission.objects.filter(
        group__name__in=ROLE_PERMISSIONS,
        codename__in=["delete_order", "delete_orderdrug", "delete_claimline"],
    )
    assert list(granted) == []


@pytest.mark.parametrize(
    ("role", "expected"),
    [(ANON, TO_ADMIN_LOGIN), (PHARM, TO_ADMIN_LOGIN), (CLERK, TO_ADMIN_LOGIN), (ADMIN, 200)],
)
def test_only_administrators_open_the_admin_index(role, expected, as_role):
    """The admin is for administrators; everyone else is sent to the admin login."""
    url = reverse("admin:index")
    assert_answer(as_role(role).get(url), expected, url)


ADMIN_PAGES = [
    "admin:calculator_drugproduct_changelist",
    "admin:calculator_hcpcscode_changelist",
    "admin:calculator_billingprofile_changelist",
    "admin:calculator_drugproduct_add",
    "admin:auth_user_changelist",
    "admin:auth_group_changelist",
]


@pytest.mark.parametrize("name", ADMIN_PAGES)
@pytest.mark.parametrize(
    ("role", "expected"),
    [(ANON, TO_LOGIN), (PHARM, TO_ADMIN_LOGIN), (CLERK, TO_ADMIN_LOGIN), (ADMIN, 200)],
)
def test_only_administrators_keep_the_catalog_profiles_and_users(
    name, role, expected, catalog, as_role
):
    """Catalog, profile and user pages of the admin open for administrators only."""
    url = reverse(name)
    assert_answer(as_role(role).get(url), expected, url)


# --- Navigation -------------------------------------------------------------------------------


class _NavLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "nav":
            self.depth += 1
        elif tag == "a" and self.depth and (attributes.get("href") or "").startswith("/"):
            self.links.append(attributes["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self.depth -= 1


def nav_links(html: str) -> list[str]:
    parser = _NavLinks()
    parser.feed(html)
    return parser.links


@pytest.mark.parametrize("role", [PHARM, CLERK, ADMIN])
def test_the_navigation_offers_only_pages_the_role_may_open(role, saved_order, as_role):
    """No menu link leads a signed-in user to a 403 page."""
    client = as_role(role)
    page = client.get(reverse("calculator:order-list"))
    links = nav_links(page.text)
    assert reverse("calculator:order-list") in links
    forbidden = [link for link in links if client.get(link).status_code == 403]
    assert forbidden == []
