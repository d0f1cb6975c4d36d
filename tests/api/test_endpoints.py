"""The JSON API under /api/v1/, as an integrating system and the roles use it."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calculator import services
from calculator.api import api, schema_errors
from calculator.models import AccessLog, ApiToken, BillingProfile, DrugProduct, Order
from tests.conftest import SEED_NDC, seed_calculation, seed_order

ANON, PHARM, CLERK, ADMIN, NOBODY = "anonymous", "pharmacist", "clerk", "administrator", "nobody"
SEED_CALCULATION = seed_calculation()


def url(name: str, **kwargs: object) -> str:
    return reverse(f"api:{name}", kwargs=kwargs or None)


def post(client: Client, path: str, data: object = None, **headers: str):
    body = "" if data is None else json.dumps(data)
    return client.post(path, body, content_type="application/json", headers=headers)


def issue_token(user: User) -> str:
    """Run `manage.py api_token USER` and return what it prints on standard output."""
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", user.get_username(), stdout=out, stderr=err)
    return out.getvalue().strip()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The role fixtures set passwords; the production hasher would make this file take minutes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def nobody(db):
    """A signed-in user in no role group."""
    return User.objects.create_user("nobody", password="not-used-by-tests")


@pytest.fixture
def users(pharmacist, clerk, administrator, nobody):
    return {PHARM: pharmacist, CLERK: clerk, ADMIN: administrator, NOBODY: nobody}


@pytest.fixture
def pharmacist_client(pharmacist, client_for):
    return client_for(pharmacist)


def run_cli(*args: str) -> str:
    out = io.StringIO()
    call_command("calculate", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


# --- POST /calculate ---------------------------------------------------------------------------


def test_calculate_answers_byte_for_byte_what_the_cli_prints_with_json(
    catalog, pharmacist_client, tmp_path: Path
):
    """The seed order gives the same bytes from the API as from `calculate --input --json`."""
    order_file = tmp_path / "order.json"
    order_file.write_text(json.dumps(SEED_CALCULATION))
    printed = run_cli("--input", str(order_file), "--json")

    response = post(pharmacist_client, url("calculate"), SEED_CALCULATION)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.content.decode() + "\n" == printed
    data = response.json()
    assert [(line["code"], line["units"]) for line in data["lines"]] == [
        ("S9325", 31),
        ("J3490", 149),
    ]
    assert data["lines"][1]["supplemental"] == "N400074113303 ML148.8"


@pytest.mark.parametrize(
    ("rate", "extra"),
    [("120 mg/day", {}), ("2 mg/kg/day", {"weight": "60 kg"}), ("4.8 mL/day", {})],
)
def test_calculate_reads_a_per_day_rate_as_the_daily_dose_at_12_hours(
    catalog, pharmacist_client, rate: str, extra: dict
):
    """A per-day rate is the daily amount whatever the hours: 120 mg and 4.8 mL a day."""
    drug = {**SEED_CALCULATION["drugs"][0], "rate": rate, **extra}
    request = {
        **SEED_CALCULATION,
        "hours_per_day": "12",
        "therapy": "intermittent",
        "drugs": [drug],
    }
    data = post(pharmacist_client, url("calculate"), request).json()
    (result,) = data["drugs"]
    assert result["daily_dose"] == {"value": "120", "unit": "mg"}
    assert result["daily_volume"] == {"value": "4.8", "unit": "mL"}
    assert any(
        step.endswith("= 10 mg/hr while infusing") or step.endswith("= 0.4 mL/hr while infusing")
        for step in result["steps"]
    )


def test_calculate_saves_nothing(catalog, pharmacist_client):
    """Calculating is a preview: no order is written."""
    post(pharmacist_client, url("calculate"), SEED_CALCULATION)
    assert Order.objects.count() == 0


def test_calculate_returns_the_engines_field_errors_as_the_cli_does(
    catalog, pharmacist_client, tmp_path: Path
):
    """A concentration typed as the rate is a 400 on drugs.0.rate, the same JSON as the CLI's."""
    order = {**SEED_CALCULATION, "drugs": [{"ndc": SEED_NDC, "rate": "25 mg/mL"}]}
    order_file = tmp_path / "order.json"
    order_file.write_text(json.dumps(order))
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("calculate", "--input", str(order_file), "--json", stdout=out)
    printed = out.getvalue()

    response = post(pharmacist_client, url("calculate"), order)

    assert response.status_code == 400
    assert response.json() == json.loads(printed)
    assert "concentration, not a dose rate" in response.json()["errors"]["drugs.0.rate"][0]


# --- Error shapes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"drugs": [{"ndc": SEED_NDC, "rate": 5}], "days": 31}, {"drugs.0.rate"}),
        ({"drugs": [{"ndc": SEED_NDC, "compounded": "yes"}]}, {"drugs.0.compounded"}),
        ({"drugs": "morphine", "days": 31}, {"drugs"}),
        ({"hours_per_day": [24], "drugs": []}, {"hours_per_day"}),
        ({"nursing_visits": [{"duration": 3}]}, {"nursing_visits.0.duration"}),
        ({"policy": {"month_lines": "no"}}, {"policy.month_lines"}),
    ],
)
def test_schema_errors_come_back_as_400_keyed_by_the_request_path(
    catalog, pharmacist_client, body, expected
):
    """What the schema rejects has the engine's shape: no "body"/"payload" prefix, never 422."""
    response = post(pharmacist_client, url("calculate"), body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == expected
    assert all(isinstance(message, str) for messages in errors.values() for message in messages)


def test_a_wrong_type_says_what_the_field_may_be(catalog, pharmacist_client):
    """A rate sent as a number is "must be text", not pydantic's three union messages."""
    body = {"days": 31, "drugs": [{"ndc": SEED_NDC, "rate": 5}], "hours_per_day": {}}
    errors = post(pharmacist_client, url("calculate"), body).json()["errors"]
    assert errors["drugs.0.rate"] == ["must be text"]
    assert errors["hours_per_day"] == ["must be text or a number"]


def test_an_unknown_field_is_named_as_the_engine_names_it(catalog, pharmacist_client):
    """Unknown keys are errors at their own path, with the engine's words."""
    body = {**SEED_CALCULATION, "dayz": 3, "drugs": [{**SEED_CALCULATION["drugs"][0], "x": 1}]}
    errors = post(pharmacist_client, url("calculate"), body).json()["errors"]
    assert errors == {"dayz": ["unknown field"], "drugs.0.x": ["unknown field"]}


@pytest.mark.parametrize("body", ["{not json", "", "\xff", '{"days": 31,}'])
def test_malformed_json_is_a_400_on_the_body(catalog, pharmacist_client, body):
    """Bytes that do not parse as JSON are a 400 on `body`, never a 500 or 422."""
    response = pharmacist_client.post(url("calculate"), body, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["body"]


def test_a_body_over_the_upload_limit_is_a_400_on_the_body(catalog, pharmacist_client, settings):
    """Django's upload limit answers in the API's shape, not with an HTML 400 page."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({**SEED_CALCULATION, "profile": "x" * 2000})
    response = pharmacist_client.post(url("calculate"), body, content_type="application/json")
    assert response.status_code == 400
    assert "larger than" in response.json()["errors"]["body"][0]


@pytest.mark.parametrize("body", ["[]", '"order"', "31", "null"])
def test_a_body_that_is_not_an_object_is_a_400_on_the_body(catalog, pharmacist_client, body):
    """An order is a JSON object; any other JSON value is a 400 on `body`."""
    response = pharmacist_client.post(url("calculate"), body, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["body"]


def test_schema_errors_helper_strips_the_body_and_union_tags():
    """("body", "payload", "drugs", 0, "rate") -> "drugs.0.rate"; union branches are collapsed."""
    raw = [
        {"loc": ("body", "payload", "drugs", 0, "rate"), "type": "string_type", "msg": "x"},
        {"loc": ("body", "payload", "days", "int"), "type": "int_type", "msg": "x"},
        {"loc": ("body", "payload", "days", "str"), "type": "string_type", "msg": "x"},
        {"loc": ("query", "page"), "type": "greater_than_equal", "msg": "Input should be >= 1"},
        {"loc": ("body", "payload"), "type": "missing", "msg": "Field required"},
    ]
    assert schema_errors(raw) == {
        "drugs.0.rate": ["must be text"],
        "days": ["must be a number or text"],
        "page": ["input should be >= 1"],
        "body": ["required"],
    }


def test_an_order_that_does_not_exist_is_a_404_on_the_id(catalog, pharmacist_client):
    """A missing order, a non-numeric id and a huge id are all 404 on `id`."""
    for path in (
        url("order", pk=999999),
        "/api/v1/orders/abc",
        "/api/v1/orders/99999999999999999999",
    ):
        response = pharmacist_client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"errors": {"id": ["not found"]}}
    response = post(pharmacist_client, url("order-verify", pk=999999), {"confirm_own": True})
    assert response.status_code == 404


def test_a_wrong_method_is_a_405_in_json_with_allow(catalog, pharmacist_client):
    """ninja's plain-text 405 is answered in JSON, with the Allow header kept."""
    response = pharmacist_client.get(url("calculate"))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert list(response.json()["errors"]) == ["method"]
    response = pharmacist_client.delete(url("order", pk=1))
    assert response.status_code == 405


def test_an_unknown_api_path_is_a_json_404_not_a_page(catalog, pharmacist_client):
    """Under /api/v1/ even a path with no endpoint answers JSON."""
    for path in ("/api/v1/", "/api/v1/nothing/here"):
        response = pharmacist_client.get(path)
        assert response.status_code == 404
        assert list(response.json()["errors"]) == ["path"]


# --- Authentication ----------------------------------------------------------------------------


def test_anonymous_calls_get_401_json_not_the_login_page(catalog):
    """The API is exempt from LoginRequiredMiddleware: a 401 that says how to sign in."""
    response = post(Client(), url("calculate"), SEED_CALCULATION)
    assert response.status_code == 401
    assert list(response.json()["errors"]) == ["auth"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_valid_token_authenticates_without_a_session_or_csrf(catalog, pharmacist):
    """Bearer tokens are not ambient credentials, so an unsafe method needs no CSRF token."""
    token = issue_token(pharmacist)
    client = Client(enforce_csrf_checks=True)
    response = post(client, url("calculate"), SEED_CALCULATION, **bearer(token))
    assert response.status_code == 200
    assert ApiToken.objects.get(user=pharmacist).last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["Bearer not-the-token", "Bearer ", "Basic cGhhcm1hY2lzdDp4", "Token abc"],
)
def test_a_wrong_token_is_a_401_even_with_a_session(catalog, pharmacist, client_for, header):
    """A bad Authorization header never falls back to the session cookie."""
    issue_token(pharmacist)
    client = client_for(pharmacist)
    response = post(client, url("calculate"), SEED_CALCULATION, Authorization=header)
    assert response.status_code == 401
    assert list(response.json()["errors"]) == ["auth"]


def test_a_revoked_token_no_longer_works(catalog, pharmacist):
    """`api_token USER --revoke` deletes the token; it is refused at once."""
    token = issue_token(pharmacist)
    call_command("api_token", "pharmacist", "--revoke", stdout=io.StringIO(), stderr=io.StringIO())
    assert not ApiToken.objects.filter(user=pharmacist).exists()
    response = Client().get(url("profiles"), headers=bearer(token))
    assert response.status_code == 401


def test_rotating_a_token_replaces_the_old_one(catalog, pharmacist):
    """Running `api_token USER` again replaces the token: one token per user."""
    old = issue_token(pharmacist)
    new = issue_token(pharmacist)
    assert old != new
    assert Client().get(url("profiles"), headers=bearer(old)).status_code == 401
    assert Client().get(url("profiles"), headers=bearer(new)).status_code == 200
    assert ApiToken.objects.filter(user=pharmacist).count() == 1


def test_the_token_of_an_inactive_user_does_not_work(catalog, pharmacist):
    """Deactivating a user stops their token as it stops their login."""
    token = issue_token(pharmacist)
    pharmacist.is_active = False
    pharmacist.save()
    assert Client().get(url("profiles"), headers=bearer(token)).status_code == 401


def test_tokens_are_stored_only_as_their_sha256(catalog, pharmacist):
    """The database holds the hash and an 8-character prefix, never the token."""
    token = issue_token(pharmacist)
    stored = ApiToken.objects.get(user=pharmacist)
    assert stored.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert stored.prefix == token[:8]
    row = ApiToken.objects.filter(pk=stored.pk).values().get()
    assert not any(token in str(value) for value in row.values())
    assert len(token) >= 40


def test_the_command_prints_the_token_alone_on_stdout(pharmacist):
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", "pharmacist", stdout=out, stderr=err)
    assert len(out.getvalue().split()) == 1
    assert "shown only now" in err.getvalue()


def test_the_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="no user"):
        call_command("api_token", "ghost", stdout=io.StringIO(), stderr=io.StringIO())


def test_a_session_post_needs_the_csrf_token(catalog, pharmacist):
    """A browser session may call the API, but an unsafe method must carry X-CSRFToken."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(pharmacist)

    refused = post(client, url("calculate"), SEED_CALCULATION)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["errors"]["auth"][0]

    assert client.get(url("openapi-view")).status_code == 200  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = post(client, url("calculate"), SEED_CALCULATION, **{"X-CSRFToken": token})
    assert accepted.status_code == 200


def test_a_session_get_needs_no_csrf_token(saved_order, pharmacist):
    client = Client(enforce_csrf_checks=True)
    client.force_login(pharmacist)
    assert client.get(url("order", pk=saved_order.pk)).status_code == 200


# --- Roles: every endpoint, every role ---------------------------------------------------------

ORDER_BODY = seed_order(patient_reference="ACC-2", start="2026-02-01", end="2026-02-28")


def _everyone(status: int) -> dict[str, int]:
    return {PHARM: status, CLERK: status, ADMIN: status, NOBODY: 403}


def _only(role: str, status: int) -> dict[str, int]:
    return {PHARM: 403, CLERK: 403, ADMIN: 403, NOBODY: 403, role: status}


# name -> (method, url name, needs the order's pk, body, answer per signed-in role)
ENDPOINTS = {
    "calculate": ("POST", "calculate", False, SEED_CALCULATION, _everyone(200)),
    "order-create": ("POST", "orders", False, ORDER_BODY, _only(PHARM, 201)),
    "order-list": ("GET", "orders", False, None, _everyone(200)),
    "order-detail": ("GET", "order", True, None, _everyone(200)),
    "order-verify": ("POST", "order-verify", True, {"confirm_own": True}, _only(PHARM, 200)),
    "order-bill": ("POST", "order-bill", True, None, _only(CLERK, 200)),
    "order-void": ("POST", "order-void", True, {"reason": "entered twice"}, _only(PHARM, 200)),
    "products": ("GET", "products", False, None, _everyone(200)),
    "profiles": ("GET", "profiles", False, None, _everyone(200)),
    "openapi": ("GET", "openapi-json", False, None, {**_everyone(200), NOBODY: 200}),
}


def _call(name: str, client: Client, pk: int, **headers: str):
    method, url_name, with_pk, body, _ = ENDPOINTS[name]
    path = url(url_name, pk=pk) if with_pk else url(url_name)
    if method == "GET":
        return client.get(path, headers=headers)
    return post(client, path, body, **headers)


@pytest.mark.parametrize("via", ["token", "session"])
@pytest.mark.parametrize("role", [ANON, PHARM, CLERK, ADMIN, NOBODY])
@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_each_role_gets_the_expected_answer_from_each_endpoint(
    name, role, via, saved_order, pharmacist2, users, client_for
):
    """Anonymous 401; a role without the permission 403; the role with it 2xx (as the pages)."""
    if name == "order-bill":
        services.order_verify(order=saved_order, verified_by=pharmacist2)
    headers: dict[str, str] = {}
    client = Client()
    if role != ANON and via == "token":
        headers = bearer(issue_token(users[role]))
    elif role != ANON:
        client = client_for(users[role])
    expected = 401 if role == ANON else ENDPOINTS[name][4][role]

    response = _call(name, client, saved_order.pk, **headers)

    assert response.status_code == expected, response.content
    if expected >= 400:
        assert list(response.json()["errors"]) == ["auth"]


def test_a_forbidden_action_leaves_the_order_untouched(saved_order, clerk, administrator):
    """A clerk's or an administrator's verify or void changes nothing."""
    for user in (clerk, administrator):
        headers = bearer(issue_token(user))
        post(Client(), url("order-verify", pk=saved_order.pk), {"confirm_own": True}, **headers)
        post(Client(), url("order-void", pk=saved_order.pk), {"reason": "x"}, **headers)
    saved_order.refresh_from_db()
    assert saved_order.status == "draft"
    assert saved_order.history.count() == 1


def test_docs_page_sends_anonymous_users_to_the_login_page(db):
    """anonymous users see only the login page, so the docs page sends them there."""
    response = Client().get(url("openapi-view"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_pages_outside_the_api_still_need_a_login(db):
    """The middleware exempts /api/ only."""
    response = Client().get(reverse("calculator:order-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- Orders ------------------------------------------------------------------------------------


def test_the_seed_order_saved_through_the_api_reads_back_with_its_claim_lines(
    catalog, pharmacist, seed_request
):
    """POST /orders then GET /orders/<id>: S9325 x 31 and J3490 x 149, N400074113303 ML148.8."""
    headers = bearer(issue_token(pharmacist))
    created = post(Client(), url("orders"), seed_request, **headers)
    assert created.status_code == 201, created.content
    order_id = created.json()["id"]

    shown = Client().get(url("order", pk=order_id), headers=headers).json()

    assert shown == created.json()
    assert shown["status"] == "draft"
    assert shown["patient_reference"] == "ACC-1"
    assert shown["profile"] == "HMSA"
    assert (shown["start"], shown["end"], shown["days"]) == ("2026-01-01", "2026-01-31", 31)
    assert shown["created_by"] == "pharmacist"
    assert shown["verified_by"] is None
    assert [(line["code"], line["units"]) for line in shown["lines"]] == [
        ("S9325", 31),
        ("J3490", 149),
    ]
    drug_line = shown["lines"][1]
    assert drug_line["supplemental"] == "N400074113303 ML148.8"
    assert drug_line["ndc"] == "00074113303"
    assert (drug_line["from"], drug_line["to"]) == ("2026-01-01", "2026-01-31")
    drug = shown["drugs"][0]
    assert drug["total_volume"] == {"value": "148.8", "unit": "mL"}
    assert drug["steps"][:4] == [
        "5 mg/hr x 24 hr = 120 mg/day",
        "120 mg/day / 25 mg/mL = 4.8 mL/day",
        "4.8 mL/day x 31 days = 148.8 mL",
        "148.8 mL -> 149 units",
    ]


def test_an_order_shows_the_charges_of_its_snapshot(saved_order, pharmacist_client):
    """Prices and charges come from the saved lines, to the cent; unpriced is null."""
    saved_order.lines.filter(code="J3490").update(unit_price="2.50", charge="372.50")
    lines = pharmacist_client.get(url("order", pk=saved_order.pk)).json()["lines"]
    assert (lines[1]["unit_price"], lines[1]["charge"]) == ("2.50", "372.50")
    assert (lines[0]["unit_price"], lines[0]["charge"]) == (None, None)


def test_an_order_needs_its_warnings_acknowledged(catalog, pharmacist_client, seed_request):
    """480 mg/day of morphine is above the usual range: 400 until the warning is acknowledged."""
    high = {**seed_request, "drugs": [{"ndc": SEED_NDC, "rate": "20 mg/hr"}]}
    refused = post(pharmacist_client, url("orders"), high)
    assert refused.status_code == 400
    assert "acknowledged" in refused.json()["errors"]

    preview = post(pharmacist_client, url("calculate"), high).json()
    ids = [warning["id"] for warning in preview["warnings"] if warning["needs_ack"]]
    saved = post(pharmacist_client, url("orders"), {**high, "acknowledged": ids})

    assert saved.status_code == 201
    acknowledgements = saved.json()["acknowledgements"]
    assert [ack["id"] for ack in acknowledgements] == ids
    assert acknowledgements[0]["by"] == "pharmacist"


def test_an_order_without_dates_or_patient_is_a_400(catalog, pharmacist_client):
    """A saved order needs its patient reference and its start and end dates."""
    body = {**SEED_CALCULATION}
    errors = post(pharmacist_client, url("orders"), body).json()["errors"]
    assert set(errors) >= {"patient_reference", "start"}


def test_verify_bill_and_void_follow_the_pages_rules(saved_order, pharmacist, clerk):
    """draft -> verified -> billed -> void; 409 where the status does not allow the step."""
    pharmacist_headers = bearer(issue_token(pharmacist))
    clerk_headers = bearer(issue_token(clerk))
    verify = url("order-verify", pk=saved_order.pk)

    own = post(Client(), verify, {}, **pharmacist_headers)
    assert own.status_code == 409
    assert "re-checked" in own.json()["errors"]["status"][0]

    too_early = post(Client(), url("order-bill", pk=saved_order.pk), **clerk_headers)
    assert too_early.status_code == 409

    verified = post(Client(), verify, {"confirm_own": True}, **pharmacist_headers)
    assert verified.status_code == 200
    assert verified.json()["status"] == "verified"
    assert verified.json()["verified_by"] == "pharmacist"

    billed = post(Client(), url("order-bill", pk=saved_order.pk), **clerk_headers)
    assert billed.json()["status"] == "billed"
    assert billed.json()["billed_by"] == "clerk"

    void = url("order-void", pk=saved_order.pk)
    no_reason = post(Client(), void, {"reason": "  "}, **pharmacist_headers)
    assert no_reason.status_code == 400
    assert list(no_reason.json()["errors"]) == ["reason"]
    nul = post(Client(), void, {"reason": "entered\u0000twice"}, **pharmacist_headers)
    assert nul.status_code == 400
    assert nul.json() == {
        "errors": {"reason": ["the reason holds characters that cannot be stored"]}
    }
    voided = post(Client(), void, {"reason": "payer denied"}, **pharmacist_headers)
    assert voided.json()["status"] == "void"
    assert voided.json()["void_reason"] == "payer denied"
    again = post(Client(), void, {"reason": "twice"}, **pharmacist_headers)
    assert again.status_code == 409
    assert again.json() == {"errors": {"status": ["this order is already void"]}}


def test_a_second_pharmacist_verifies_without_confirming(saved_order, pharmacist2):
    """Only the pharmacist who entered the order must confirm a re-check."""
    headers = bearer(issue_token(pharmacist2))
    response = post(Client(), url("order-verify", pk=saved_order.pk), **headers)
    assert response.status_code == 200
    assert response.json()["verified_by"] == "pharmacist2"


# --- The order list ----------------------------------------------------------------------------


def _save_orders(pharmacist, count: int, **changes: object) -> list[Order]:
    orders = []
    for number in range(count):
        request = {**ORDER_BODY, "patient_reference": f"ACC-{number}", **changes}
        orders.append(services.order_create(created_by=pharmacist, request_data=request))
    return orders


def test_the_list_pages_by_25_with_next_and_previous_links(catalog, pharmacist, client_for):
    """Pages of 25 with links that keep the filters; past the last page is a 404 on `page`."""
    _save_orders(pharmacist, 27)
    client = client_for(pharmacist)

    first = client.get(url("orders"), {"status": "draft"}).json()
    assert (first["count"], first["page"], first["pages"], len(first["results"])) == (27, 1, 2, 25)
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert (second["page"], len(second["results"])) == (2, 2)
    assert "status=draft" in second["previous"] and second["next"] is None

    beyond = client.get(url("orders"), {"page": 3})
    assert beyond.status_code == 404
    assert list(beyond.json()["errors"]) == ["page"]


def test_the_list_filters_by_dates_status_and_profile(catalog, pharmacist, pharmacist2, client_for):
    """`from`/`to` select overlapping periods; blank filters are ignored, bad ones are 400."""
    january = _save_orders(pharmacist, 1, start="2026-01-01", end="2026-01-31")[0]
    march = _save_orders(pharmacist, 1, start="2026-03-01", end="2026-03-31", profile="STANDARD")[0]
    services.order_verify(order=march, verified_by=pharmacist2)
    client = client_for(pharmacist)

    def ids(**query: str) -> list[int]:
        response = client.get(url("orders"), query)
        assert response.status_code == 200, response.content
        return [order["id"] for order in response.json()["results"]]

    assert ids(**{"from": "2026-02-01"}) == [march.pk]
    assert ids(to="2026-02-01") == [january.pk]
    assert ids(status="verified") == [march.pk]
    assert ids(profile="hmsa") == [january.pk]
    assert ids(**{"from": "", "status": ""}) == [march.pk, january.pk]
    bad = client.get(url("orders"), {"from": "last week", "status": "lost", "page": "0"})
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"from", "status", "page"}


def _list_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("orders"))
    assert response.status_code == 200
    return len(queries)


def test_the_list_takes_the_same_number_of_queries_for_2_or_12_orders(
    catalog, pharmacist, client_for
):
    """Drugs and lines are prefetched: the query count does not grow with the orders."""
    client = client_for(pharmacist)
    _save_orders(pharmacist, 2)
    _list_queries(client)  # the first request fills the worker's permission cache
    few = _list_queries(client)
    _save_orders(pharmacist, 10)
    assert _list_queries(client) == few


# --- Access log --------------------------------------------------------------------------------


def test_reading_an_order_is_logged_once_as_api(saved_order, clerk):
    """Each read through the API leaves one AccessLog row with the action api."""
    headers = bearer(issue_token(clerk))
    Client().get(url("order", pk=saved_order.pk), headers=headers)
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action) == (clerk, "api")
    assert list(entry.orders.all()) == [saved_order]
    assert entry.path == url("order", pk=saved_order.pk)


def test_the_list_logs_one_row_with_the_orders_it_showed(catalog, pharmacist, clerk, client_for):
    """A list logs one row for the request, linked to every order on the page."""
    orders = _save_orders(pharmacist, 3)
    client_for(clerk).get(url("orders"))
    entry = AccessLog.objects.get()
    assert entry.action == "api"
    assert set(entry.orders.all()) == set(orders)


def test_calculating_and_empty_lists_log_nothing(catalog, pharmacist_client):
    """No order was shown, so nothing is logged."""
    post(pharmacist_client, url("calculate"), SEED_CALCULATION)
    pharmacist_client.get(url("orders"))
    assert not AccessLog.objects.exists()


# --- Catalog -----------------------------------------------------------------------------------


def test_products_are_searched_by_name_or_ndc_and_only_active_ones(catalog, pharmacist_client):
    by_name = pharmacist_client.get(url("products"), {"q": "ketamine"}).json()
    assert [product["ndc"] for product in by_name] == ["42023011310"]
    by_ndc = pharmacist_client.get(url("products"), {"q": "00074-1133"}).json()
    assert [product["name"] for product in by_ndc] == ["Morphine sulfate"]
    assert by_ndc[0]["ndc_hyphenated"] == "00074-1133-03"

    DrugProduct.objects.filter(ndc="42023011310").update(active=False)
    assert pharmacist_client.get(url("products"), {"q": "ketamine"}).json() == []
    everything = pharmacist_client.get(url("products")).json()
    assert len(everything) == DrugProduct.objects.filter(active=True).count()


def test_profiles_list_the_active_ones_with_their_settings(catalog, pharmacist_client):
    BillingProfile.objects.create(name="OLD", active=False)
    profiles = pharmacist_client.get(url("profiles")).json()
    assert [profile["name"] for profile in profiles] == [
        "HMSA",
        "HMSA_CURRENT",
        "MEDICARE_DME",
        "STANDARD",
    ]
    assert profiles[0]["rounding"] == "half_up"
    assert profiles[0]["per_diem_coding"] == "generic"
    assert [profile["kind"] for profile in profiles] == [
        "per_diem",
        "per_diem",
        "medicare_dme",
        "per_diem",
    ]


# --- Schema and docs ---------------------------------------------------------------------------


def test_the_openapi_schema_documents_every_endpoint(pharmacist_client):
    """OpenAPI 3 with both security schemes; no operation documents ninja's 422."""
    schema = pharmacist_client.get(url("openapi-json")).json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/calculate",
        "/api/v1/orders",
        "/api/v1/orders/{pk}",
        "/api/v1/orders/{pk}/verify",
        "/api/v1/orders/{pk}/bill",
        "/api/v1/orders/{pk}/void",
        "/api/v1/orders/{pk}/renew",
        "/api/v1/orders/{pk}/claim",
        "/api/v1/products",
        "/api/v1/profiles",
    }
    schemes = schema["components"]["securitySchemes"]
    assert schemes["BearerToken"] == {"type": "http", "scheme": "bearer"}
    assert schemes["SessionAuth"]["in"] == "cookie"
    statuses = {
        status
        for path in schema["paths"].values()
        for operation in path.values()
        for status in operation["responses"]
    }
    assert "422" not in statuses


def test_the_served_schema_is_the_one_the_property_run_uses(pharmacist_client):
    """test_api_schema.py fuzzes the very schema the endpoint serves."""
    served = pharmacist_client.get(url("openapi-json")).json()
    assert served == json.loads(json.dumps(api.get_openapi_schema()))


def test_the_docs_page_loads_swagger_from_static_files_not_a_cdn(pharmacist_client):
    """The docs work offline: every script and stylesheet comes from /static/."""
    page = pharmacist_client.get(url("openapi-view"))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<script src="/static/ninja/swagger-ui-bundle.js">' in html
    assert 'href="/static/ninja/swagger-ui.css"' in html
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css"):
        assert finders.find(f"ninja/{asset}"), asset
