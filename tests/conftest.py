import pytest
from django.core.management import call_command


@pytest.fixture
def catalog(db):
    """The shipped catalog and billing profiles, loaded as `make setup` loads them."""
    call_command("seed_catalog", verbosity=0)


# --- Users, clients and a saved order (one user per role of SPEC section 9) ------------------


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
def seed_request():
    """The seed example as an engine request: morphine 5 mg/hr, 25 mg/mL, 31 days on HMSA."""
    return {
        "patient_reference": "ACC-1",
        "profile": "HMSA",
        "start": "2026-01-01",
        "end": "2026-01-31",
        "drugs": [{"ndc": "00074-1133-03", "rate": "5 mg/hr"}],
    }


@pytest.fixture
def saved_order(catalog, pharmacist, seed_request):
    """The seed order, saved as a draft through services.order_create by `pharmacist`."""
    from calculator import services

    return services.order_create(created_by=pharmacist, request_data=seed_request)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users; PBKDF2's deliberate slowness is for production, not here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
