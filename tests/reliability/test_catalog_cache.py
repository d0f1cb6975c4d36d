"""The per-worker catalog cache under gunicorn: a concentration an administrator changes in the
admin is used by the very next calculation in every worker (DESIGN.md, "Choices")."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import SEED_NDC11
from tests.reliability.appserver import AppServer, Client

pytestmark = pytest.mark.reliability

ADMIN = "reliability-admin"
ADMIN_PASSWORD = "reliability-admin-password-2026"
CALCULATE = {
    "profile": "HMSA",
    "start": "2026-01-01",
    "end": "2026-01-31",
    "drugs": [{"ndc": "00074-1133-03", "rate": "5 mg/hr"}],
}
MAKE_ADMIN = f"""
from django.contrib.auth.models import Group, User
user = User.objects.create_user({ADMIN!r}, password={ADMIN_PASSWORD!r}, is_staff=True)
user.groups.add(Group.objects.get(name="Administrator"))
"""
# The product's admin change form, as the browser posts it (the columns of its fields).
PRODUCT_FIELDS = [
    "ndc",
    "name",
    "labeler",
    "concentration",
    "package_volume",
    "package_description",
    "ndc_unit",
    "ncpdp_unit",
    "hcpcs_id",
    "preservative_free",
    "typical_daily_dose_low",
    "typical_daily_dose_high",
    "max_daily_dose",
    "active",
    "marketing_start",
    "marketing_end",
    "source",
]
TRIES = 200  # calculations to wait for both workers (each new connection goes to either)
OVERLAPPING = 4  # calculations in flight at once


@pytest.fixture
def app_server(tmp_path):
    server = AppServer("sqlite", tmp_path)
    try:
        server.setup()
        server.manage("shell", "--no-imports", "-c", MAKE_ADMIN)
        server.start()
        yield server
    finally:
        server.close()


def total_volume(app: AppServer) -> tuple[int, str]:
    """Calculate the seed order; return the worker that answered and the total volume (mL)."""
    answer = app.client().post_json("/api/v1/calculate", CALCULATE, token=app.token)
    assert answer.status == 200, str(answer)
    return int(answer.headers["x-worker-pid"]), answer.json()["drugs"][0]["total_volume"]["value"]


def answers_until_every_worker(app: AppServer) -> dict[int, list[str]]:
    """Calculate until every worker has answered at least once; return each worker's answers.

    The calculations go out OVERLAPPING, a few at a time: one at a time, a fast answer lets
    the worker that gave it take the next connection too, and the other may never answer (a
    sync worker busy with one request cannot accept another, so overlapping ones reach both)."""
    seen: dict[int, list[str]] = {}
    workers = app.workers()
    assert len(workers) == 2
    with ThreadPoolExecutor(max_workers=OVERLAPPING) as pool:
        for _ in range(TRIES // OVERLAPPING):
            for pid, volume in pool.map(lambda _: total_volume(app), range(OVERLAPPING)):
                seen.setdefault(pid, []).append(volume)
            if set(seen) == workers:
                return seen
    raise AssertionError(f"only workers {sorted(seen)} of {sorted(workers)} answered")


def change_concentration(app: AppServer, concentration: str) -> None:
    """Change the seed product's concentration through the admin change form, signed in."""
    columns = ", ".join(["id", *PRODUCT_FIELDS])
    row = app.query(f"SELECT {columns} FROM calculator_drugproduct WHERE ndc = ?", SEED_NDC11)[0]
    pk, values = row[0], dict(zip(PRODUCT_FIELDS, row[1:], strict=True))
    values["hcpcs"] = values.pop("hcpcs_id")
    form = {name: value for name, value in values.items() if value not in (None, 0, "")}
    form.update({name: "on" for name in ("preservative_free", "active") if values[name]})
    form.update(concentration=concentration, _save="Save")
    admin = Client(app.port)
    admin.login(ADMIN, ADMIN_PASSWORD)
    answer = admin.post_form(f"/admin/calculator/drugproduct/{pk}/change/", form)
    assert answer.status == 302, str(answer)
    stored = app.query("SELECT concentration FROM calculator_drugproduct WHERE id = ?", pk)
    assert stored == [(concentration,)]


def test_an_admin_change_is_used_by_the_next_calculation_in_every_worker(app_server):
    # Every worker has calculated (and cached) the seed product at 25 mg/mL: 148.8 mL.
    before = answers_until_every_worker(app_server)
    assert all(set(volumes) == {"148.8"} for volumes in before.values()), before

    change_concentration(app_server, "50 mg/mL")

    # From the very first answer after the change, every worker uses 50 mg/mL: 74.4 mL.
    after = answers_until_every_worker(app_server)
    assert all(set(volumes) == {"74.4"} for volumes in after.values()), after

    change_concentration(app_server, "25 mg/mL")
    again = answers_until_every_worker(app_server)
    assert all(set(volumes) == {"148.8"} for volumes in again.values()), again
