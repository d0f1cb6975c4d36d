"""The scrubber holds a claim whose line code is not valid on its dates of service, naming the
replacement the CMS file gives (issue 14, point 2)."""

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from calculator import services
from calculator.domain.billing import CodeDates, code_date_problem
from calculator.models import HcpcsCode, Order
from calculator.selectors import scrubber

SAMPLE = Path(__file__).resolve().parents[2] / "calculator" / "fixtures" / "samples"


def hydromorphone_order(user, *, start: str, end: str, code: str = "J1170") -> Order:
    order = services.order_create(
        created_by=user,
        request_data={
            "patient_reference": "ACC-7",
            "profile": "HMSA_CURRENT",
            "start": start,
            "end": end,
            "drugs": [{"ndc": "00409-2634-50", "rate": "0.5 mg/hr", "hcpcs": code}],
        },
    )
    Order.objects.filter(pk=order.pk).update(status=Order.Status.VERIFIED)
    return Order.objects.get(pk=order.pk)


def code_problems(order: Order) -> list[str]:
    problems = scrubber.problems_by_order([order])[order.pk]
    return [problem for problem in problems if "J11" in problem and "price" not in problem]


@pytest.fixture
def imported(catalog):
    """The seed catalog with J1170's end date cleared, then the CMS sample imported."""
    HcpcsCode.objects.filter(code="J1170").update(terminated=None, replacement="")
    call_command("import_hcpcs", str(SAMPLE / "hcpcs_sample.txt"), stdout=io.StringIO())


def test_order_after_j1170_ended_is_held_with_j1171_named(imported, pharmacist):
    """Imported: J1170 ends 2024-09-30; a January 2025 claim on J1170 is held, J1171 named."""
    order = hydromorphone_order(pharmacist, start="2025-01-01", end="2025-01-31")
    assert code_problems(order) == [
        "line 2 (J1170): J1170 ended on 2024-09-30, before the dates of service; "
        "bill J1171, its replacement in the CMS HCPCS file"
    ]


def test_period_running_past_the_end_is_held_too(imported, pharmacist):
    order = hydromorphone_order(pharmacist, start="2024-09-15", end="2024-10-14")
    assert "during the dates of service" in code_problems(order)[0]


def test_order_before_the_end_passes(imported, pharmacist):
    order = hydromorphone_order(pharmacist, start="2024-09-01", end="2024-09-30")
    assert code_problems(order) == []


def test_replacement_code_before_it_starts_is_held(imported, pharmacist):
    order = hydromorphone_order(pharmacist, start="2024-09-01", end="2024-09-30", code="J1171")
    assert code_problems(order) == [
        "line 2 (J1171): J1171 is valid only from 2024-10-01, after the first day of service "
        "2024-09-01"
    ]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2024, 9, 30), date(2024, 9, 30), None),
        (date(2024, 10, 1), None, "J1170 ended on 2024-09-30, before the dates of service"),
        (None, None, None),
    ],
)
def test_code_date_problem_is_inclusive_of_the_last_day(start, end, expected):
    dates = CodeDates("J1170", date(1984, 1, 1), date(2024, 9, 30))
    assert code_date_problem(dates, start, end) == expected
