"""The scrubber holds a claim whose per-diem days overlap another verified or billed order of
the same patient and therapy, naming the other order (issue 15 point 4)."""

from calculator import services
from calculator.selectors import scrubber
from tests.conftest import seed_order


def overlaps(order):
    return [
        problem
        for problem in scrubber.problems_by_order([order])[order.pk]
        if "per-diem" in problem
    ]


def test_two_orders_of_one_patient_over_the_same_days_are_both_held(make_claim_order):
    january = make_claim_order()
    titrated = make_claim_order(seed_order(start="2026-01-11", end="2026-01-31"))
    assert overlaps(titrated) == [
        f"21 per-diem days (2026-01-11 to 2026-01-31) overlap order {january.pk} "
        "(verified, 2026-01-01 to 2026-01-31) of the same patient and therapy"
    ]
    assert f"overlap order {titrated.pk} (verified" in overlaps(january)[0]


def test_a_billed_order_holds_an_overlapping_one_too(make_claim_order, clerk):
    january = make_claim_order()
    services.order_mark_billed(order=january, billed_by=clerk)
    second = make_claim_order(seed_order(start="2026-01-31", end="2026-02-27"))
    assert overlaps(second) == [
        f"1 per-diem day (2026-01-31 to 2026-01-31) overlap order {january.pk} "
        "(billed, 2026-01-01 to 2026-01-31) of the same patient and therapy"
    ]


def test_next_months_order_another_patient_a_void_or_a_draft_do_not_overlap(
    make_claim_order, pharmacist
):
    january = make_claim_order()
    february = make_claim_order(seed_order(start="2026-02-01", end="2026-02-28"))
    other_patient = make_claim_order(seed_order(patient_reference="ACC-2"))
    draft = services.order_create(created_by=pharmacist, request_data=seed_order())
    voided = make_claim_order(seed_order(start="2026-01-05", end="2026-01-06"))
    services.order_void(order=voided, voided_by=pharmacist, reason="entered twice")
    assert overlaps(january) == [] == overlaps(february) == overlaps(other_patient)
    assert draft.pk  # a draft is not billed: it holds nothing


def test_another_therapy_of_the_same_patient_does_not_overlap(make_claim_order):
    make_claim_order()
    intermittent = make_claim_order(seed_order(hours_per_day="12", therapy="intermittent"))
    assert overlaps(intermittent) == []
