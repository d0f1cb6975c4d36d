"""Claim identifiers: NPI check digits (pure; no Django)."""

from __future__ import annotations


def npi_is_valid(npi: str) -> bool:
    """Return True for a 10-digit NPI whose last digit is its Luhn check digit (prefix 80840).

    1234567893 is the CMS example of a valid NPI.
    """
    if not (isinstance(npi, str) and len(npi) == 10 and npi.isdigit()):
        return False
    digits = "80840" + npi[:9]
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10 == int(npi[9])
