"""Safety checks on a titrated drug apply to each run's daily dose (issue 15 point 2)."""

from calculator import engine
from calculator.selectors.catalog import DatabaseCatalog


def test_a_dose_change_is_checked_on_its_own_daily_dose(catalog):
    """5 mg/hr (120 mg/day) is in range; from the 21st, 50 mg/hr is 1200 mg a day, above the
    1000 mg maximum: the run's dose is warned, not the month's average."""
    change = {"from": "2026-01-21", "rate": "50 mg/hr"}
    request = {
        "profile": "HMSA",
        "start": "2026-01-01",
        "end": "2026-01-31",
        "drugs": [{"ndc": "00074-1133-03", "rate": "5 mg/hr", "rate_changes": [change]}],
    }
    calculation = engine.calculate_request(request, DatabaseCatalog())
    above = [w for w in calculation.warnings if w.kind == "dose_above_maximum"]
    assert len(above) == 1 and "1200 mg/day" in above[0].message
    assert above[0].needs_ack


def test_without_the_change_the_same_order_warns_nothing(catalog):
    request = {
        "profile": "HMSA",
        "start": "2026-01-01",
        "end": "2026-01-31",
        "drugs": [{"ndc": "00074-1133-03", "rate": "5 mg/hr"}],
    }
    calculation = engine.calculate_request(request, DatabaseCatalog())
    assert [w.kind for w in calculation.warnings if w.needs_ack] == []
