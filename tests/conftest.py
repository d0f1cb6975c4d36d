import copy
import datetime
import itertools
from typing import TYPE_CHECKING, Any

import pytest
from django.core.management import call_command

if TYPE_CHECKING:
    from calculator.models import Order

# --- The seed example --------------------------------------------------------------------------
# Morphine sulfate 25 mg/mL (NDC 00074-1133-03) at 5 mg/hr, 24 hours a day, 31 days in January
# 2026, billed on HMSA: 4.8 mL a day, 148.8 mL in all; S9325 x 31 and J3490 x 149, N4 ML148.8.

SEED_NDC = "00074-1133-03"  # as the pharmacist types it
SEED_NDC11 = "00074113303"  # as it is kept and billed
SEED_RATE = "5 mg/hr"
SEED_CONCENTRATION = "25 mg/mL"
SEED_PROFILE = "HMSA"
SEED_START, SEED_END = "2026-01-01", "2026-01-31"
SEED_DAYS = 31
SEED_PATIENT_REFERENCE = "ACC-1"

SEED_DRUG: dict[str, Any] = {"ndc": SEED_NDC, "rate": SEED_RATE}
# The seed as the services, the API and the CLI's --input take an order (the concentration comes
# from the catalog's product).
SEED_ORDER: dict[str, Any] = {
    "patient_reference": SEED_PATIENT_REFERENCE,
    "profile": SEED_PROFILE,
    "start": SEED_START,
    "end": SEED_END,
    "drugs": [SEED_DRUG],
}
# The seed as a calculation that needs no catalog: the concentration given, 31 days, no dates.
SEED_CALCULATION: dict[str, Any] = {
    "profile": SEED_PROFILE,
    "days": SEED_DAYS,
    "drugs": [{**SEED_DRUG, "concentration": SEED_CONCENTRATION}],
}


def seed_order(**changes: Any) -> dict[str, Any]:
    """Return a fresh copy of SEED_ORDER with `changes` applied."""
    return _changed(SEED_ORDER, changes)


def seed_calculation(**changes: Any) -> dict[str, Any]:
    """Return a fresh copy of SEED_CALCULATION with `changes` applied."""
    return _changed(SEED_CALCULATION, changes)


def seed_calculation_drug(**drug_changes: Any) -> dict[str, Any]:
    """Return SEED_CALCULATION with fields of its one drug changed."""
    return seed_calculation(drugs=[{**SEED_CALCULATION["drugs"][0], **drug_changes}])


def _changed(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    request = copy.deepcopy(base)
    request.update(changes)
    return request


@pytest.fixture
def catalog(db):
    """The shipped catalog and billing profiles, loaded as `make setup` loads them."""
    call_command("seed_catalog", verbosity=0)


# --- Users, clients and a saved order (one user per role) ------------------


def _user_in(username: str, role: str, *, is_staff: bool = False):
    from django.contrib.auth.models import Group, User

    # No password: clients sign in with force_login, and hashing one costs a second a user.
    user = User.objects.create_user(username, is_staff=is_staff)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def pharmacist(db):
    """A pharmacist: enters and verifies orders."""
    return _user_in("pharmacist", "Pharmacist")


@pytest.fixture
def pharmacist2(db):
    """A second pharmacist, who verifies the first one's orders."""
    return _user_in("pharmacist2", "Pharmacist")


@pytest.fixture
def clerk(db):
    """A billing clerk: reads, prints, exports and marks orders billed."""
    return _user_in("clerk", "Billing clerk")


@pytest.fixture
def administrator(db):
    """An administrator (staff, in the Administrator group): keeps the catalog and profiles."""
    return _user_in("administrator", "Administrator", is_staff=True)


@pytest.fixture
def client_for():
    """Return a factory: client_for(user) is a test Client signed in as that user."""
    from django.test import Client

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def seed_request() -> dict[str, Any]:
    """The seed order (SEED_ORDER), a copy each test may change."""
    return seed_order()


@pytest.fixture
def saved_order(catalog, pharmacist, seed_request):
    """The seed order, saved as a draft through services.order_create by `pharmacist`."""
    from calculator import services

    return services.order_create(created_by=pharmacist, request_data=seed_request)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users; PBKDF2's deliberate slowness is for production, not here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _outside_any_request():
    """Each test ends outside any request. A WSGI server always closes the response, which
    sends `request_finished` and drops the stamps the request kept (`models.versions`); a
    harness that calls the WSGI application and never closes what it answered (schemathesis'
    in-process calls) would leave them kept for the tests that come after it."""
    yield
    from calculator.models import versions

    versions.request_finished()


# --- Claims ready for an 837P file -------------------------------------------------------------

KETAMINE_NDC11 = "42023011310"  # ketamine 10 mg/mL: no J-code, billed as J3490
PATIENT = {
    "member_id": "XHM123456789",
    "patient_last_name": "Kealoha",
    "patient_first_name": "Leilani",
    "patient_birth_date": datetime.date(1958, 4, 12),
    "patient_sex": "F",
    "patient_address": "45-123 Kamehameha Hwy",
    "patient_city": "Kaneohe",
    "patient_state": "HI",
    "patient_zip": "96744",
    "diagnosis_codes": "G89.3",
}


@pytest.fixture
def prices(catalog):
    """Price lists for both shipped profiles (per-diem rates, drug units, nursing)."""
    from calculator.models import BillingProfile, PriceListEntry

    hmsa = BillingProfile.objects.get(name="HMSA")
    standard = BillingProfile.objects.get(name="STANDARD")
    for profile, code, ndc, price in (
        (hmsa, "S9325", "", "150.00"),
        (hmsa, "J3490", SEED_NDC11, "2.00"),
        (hmsa, "J3490", KETAMINE_NDC11, "1.50"),
        (hmsa, "99601", "", "180.00"),
        (hmsa, "99602", "", "90.00"),
        (standard, "S9326", "", "165.00"),
        (standard, "J2270", "", "3.25"),
    ):
        PriceListEntry.objects.create(profile=profile, code=code, ndc=ndc, unit_price=price)


@pytest.fixture
def payer(catalog):
    from calculator.models import BillingProfile, Payer

    return Payer.objects.create(
        name="HMSA", payer_id="990040115", profile=BillingProfile.objects.get(name="HMSA")
    )


@pytest.fixture
def provider(db):
    from calculator.models import BillingProvider

    return BillingProvider.objects.create(
        name="Aloha Home Infusion Pharmacy",
        npi="1234567893",
        tax_id="991234567",
        taxonomy="3336H0001X",
        address="1001 Bishop St Ste 200",
        city="Honolulu",
        state="HI",
        zip_code="968134321",
        contact_name="Billing Office",
        contact_phone="8085550100",
        submitter_id="AHIP001",
        receiver_name="HAWAII CLEARINGHOUSE",
        receiver_id="HICLR",
    )


@pytest.fixture
def make_claim_order(prices, payer, pharmacist, pharmacist2):
    """Return a factory: a verified order with complete claim details (the seed by default).

    Each seed order is for a patient of its own (ACC-1, ACC-2, ...): two orders of one patient
    over the same days would hold each other's per diem (the scrubber's overlap rule)."""
    from calculator import services

    made = itertools.count(1)

    def make(request: dict | None = None, **details) -> "Order":
        if request is None:
            request = {**SEED_ORDER, "patient_reference": f"ACC-{next(made)}"}
        order = services.order_create(created_by=pharmacist, request_data=request)
        services.order_update_claim_details(
            order=order, changed_by=pharmacist, payer=payer, **{**PATIENT, **details}
        )
        return services.order_verify(order=order, verified_by=pharmacist2)

    return make


@pytest.fixture
def clerk_client(client_for, clerk):
    return client_for(clerk)


# --- The seed example on Medicare DME (SPEC 11) --------------------------------------------------
# Preservative-free morphine 25 mg/mL (Infumorph 500, NDC 0641-6040-01, J2274 per 10 mg) at
# 5 mg/hr for 31 days from 2026-01-01, in a 100 mL cassette, E0781 rental month 1, KX:
# J2274 KD KX x 372 (N4 ML148.8), E0781 RR KH x 1, A4221 x 5, A4222 x 2.
MEDICARE_NDC = "00641-6040-01"
MEDICARE_NDC11 = "00641604001"
MEDICARE_DRUG: dict[str, Any] = {
    "ndc": MEDICARE_NDC,
    "rate": SEED_RATE,
    "reservoir_volume": "100 mL",
}
MEDICARE_ORDER: dict[str, Any] = {
    "patient_reference": SEED_PATIENT_REFERENCE,
    "profile": "MEDICARE_DME",
    "start": SEED_START,
    "end": SEED_END,
    "coverage_modifier": "KX",
    "pump": {"code": "E0781", "rental_month": 1},
    "drugs": [MEDICARE_DRUG],
}
# The same without a catalog: the product's values given.
MEDICARE_CALCULATION: dict[str, Any] = {
    **{key: value for key, value in MEDICARE_ORDER.items() if key != "patient_reference"},
    "drugs": [
        {
            **MEDICARE_DRUG,
            "name": "Infumorph 500 (morphine sulfate, preservative-free)",
            "concentration": SEED_CONCENTRATION,
            "hcpcs": "J2274",
            "hcpcs_unit": "10 mg",
            "single_dose": True,
        }
    ],
}


def medicare_order(**changes: Any) -> dict[str, Any]:
    """Return a fresh copy of MEDICARE_ORDER with `changes` applied."""
    return _changed(MEDICARE_ORDER, changes)


def medicare_calculation(**changes: Any) -> dict[str, Any]:
    """Return a fresh copy of MEDICARE_CALCULATION with `changes` applied."""
    return _changed(MEDICARE_CALCULATION, changes)


def medicare_calculation_drug(**drug_changes: Any) -> dict[str, Any]:
    """Return MEDICARE_CALCULATION with fields of its one drug changed."""
    return medicare_calculation(drugs=[{**MEDICARE_CALCULATION["drugs"][0], **drug_changes}])


def acknowledged(request: dict[str, Any]) -> dict[str, Any]:
    """Return the request with every warning that needs it acknowledged (the seed dose of
    Infumorph is above its neuraxial maximum, as the pharmacist confirms on the form)."""
    from calculator import services

    calculation = services.order_calculation(
        request_data={k: v for k, v in request.items() if k != "patient_reference"}
    )
    return {**request, "acknowledged": [w.id for w in calculation.warnings_to_acknowledge]}
