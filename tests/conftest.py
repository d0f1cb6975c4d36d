import pytest
from django.core.management import call_command


@pytest.fixture
def catalog(db):
    """The shipped catalog and billing profiles, loaded as `make setup` loads them."""
    call_command("seed_catalog", verbosity=0)
