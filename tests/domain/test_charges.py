"""Charges from a price list (calculator/domain/charges.py): units x unit price to the cent,
the NDC's own price before the code's, and no claim total while a line is unpriced."""

from __future__ import annotations

from decimal import Decimal

import pytest

from calculator.domain.charges import claim_total, line_charge, unit_price_for
from tests.conftest import SEED_NDC11

PRICES = {
    ("S9325", ""): Decimal("150.00"),
    ("J3490", ""): Decimal("1.00"),
    ("J3490", SEED_NDC11): Decimal("2.00"),
}


@pytest.mark.parametrize(
    ("units", "price", "charge"),
    [
        (31, "150.00", "4650.00"),  # the seed's per diem
        (149, "2.00", "298.00"),  # the seed's drug line
        (3, "0.125", "0.38"),  # 0.375 rounds half up, not to the even 0.37
        (1, "0.005", "0.01"),
        (7, "0.333", "2.33"),
    ],
)
def test_a_line_charge_is_units_times_price_rounded_half_up_to_the_cent(units, price, charge):
    result = line_charge(units, Decimal(price))
    assert result == Decimal(charge)
    assert str(result) == charge  # always two places, as the 837P and the pages show it


def test_the_ndc_price_comes_before_the_code_price():
    assert unit_price_for(PRICES, code="J3490", ndc=SEED_NDC11) == Decimal("2.00")
    assert unit_price_for(PRICES, code="J3490", ndc="42023011310") == Decimal("1.00")
    assert unit_price_for(PRICES, code="S9325") == Decimal("150.00")
    assert unit_price_for(PRICES, code="99601") is None


def test_the_claim_total_is_the_sum_of_the_line_charges_to_the_cent():
    total = claim_total([Decimal("4650.00"), Decimal("298.00"), Decimal("0.1")])
    assert (total, str(total)) == (Decimal("4948.10"), "4948.10")
    assert str(claim_total([])) == "0.00"


def test_an_unpriced_line_leaves_the_claim_without_a_total():
    """A total that skipped the unpriced line would understate the claim."""
    assert claim_total([Decimal("4650.00"), None, Decimal("298.00")]) is None
