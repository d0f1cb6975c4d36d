"""Safety checks at entry (domain/safety.py): the dose-range warnings read the daily dose."""

from __future__ import annotations

from decimal import Decimal

import pytest

from calculator.domain.safety import DoseLimits, dose_warnings
from tests.helpers import result_of

MORPHINE = DoseLimits(
    name="Morphine sulfate",
    typical_low=Decimal("10"),
    typical_high=Decimal("300"),
    maximum=Decimal("1000"),
)


def kinds(rate: str, hours: str) -> list[str]:
    result = result_of(rate, "25 mg/mL", hours=hours, days=10)
    return [warning.kind for warning in dose_warnings(result, MORPHINE)]


@pytest.mark.parametrize("hours", ["24", "12", "6"])
def test_a_per_day_rate_above_the_maximum_is_warned_at_any_hours(hours: str) -> None:
    """1200 mg/day over 12 hours is 1200 mg a day, above the 1000 mg maximum (not 600 mg)."""
    assert "dose_above_maximum" in kinds("1200 mg/day", hours)


@pytest.mark.parametrize("hours", ["24", "12", "6"])
def test_a_per_day_rate_in_the_typical_range_is_not_warned_at_fewer_hours(hours: str) -> None:
    """15 mg/day over 6 hours is 15 mg a day, in the typical range (not 3.75 mg, below it)."""
    assert kinds("15 mg/day", hours) == []


def test_a_per_hour_rate_is_checked_on_rate_times_hours() -> None:
    """50 mg/hr for 24 hours is 1200 mg a day; for 12 hours, 600 mg a day."""
    assert "dose_above_maximum" in kinds("50 mg/hr", "24")
    assert "dose_above_maximum" not in kinds("50 mg/hr", "12")
