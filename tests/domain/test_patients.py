"""The diagnosis-list rule (calculator/domain/patients.py) every claim path shares: the page's
field, the API's list and the pre-billing check. Pure: no database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calculator.domain import patients
from calculator.domain.patients import (
    MAX_DIAGNOSIS_CODES,
    InvalidDiagnosis,
    clean_diagnosis_list,
    split_diagnosis_codes,
)

CODES = st.from_regex(r"[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?", fullmatch=True)


@given(st.lists(CODES, max_size=MAX_DIAGNOSIS_CODES, unique_by=lambda c: c.replace(".", "")))
def test_distinct_codes_keep_their_order_without_the_dot(codes):
    assert clean_diagnosis_list(codes) == [code.replace(".", "") for code in codes]


@given(st.lists(CODES, min_size=1, max_size=MAX_DIAGNOSIS_CODES - 1), st.data())
def test_a_code_given_twice_names_its_second_place(codes, data):
    first = data.draw(st.integers(0, len(codes) - 1))
    repeated = [*codes, codes[first].replace(".", "")]
    with pytest.raises(InvalidDiagnosis) as raised:
        clean_diagnosis_list(repeated)
    seen = [code.replace(".", "") for code in codes]
    assert raised.value.index == next(
        i for i, code in enumerate(repeated) if code.replace(".", "") in seen[:i]
    )


@pytest.mark.parametrize(
    ("codes", "index", "message"),
    [
        (["G89.3", "8-9.3"], 1, '"8-9.3" is not an ICD-10-CM code such as G89.3'),
        (["G89.3", "U07.1"], 1, '"U07.1" is not an ICD-10-CM code'),
        (["C50.911", "c50911"], 1, "C50911 is already diagnosis 1"),
        ([f"C50.9{n:02d}" for n in range(13)], None, "at most 12 diagnosis codes on a claim"),
    ],
)
def test_bad_lists_name_the_code_at_fault(codes, index, message):
    with pytest.raises(InvalidDiagnosis, match=message) as raised:
        clean_diagnosis_list(codes)
    assert raised.value.index == index


def test_typed_codes_are_split_on_commas_semicolons_and_spaces():
    assert split_diagnosis_codes(" G89.3,C50.911; Z45.2  R52 ") == [
        "G89.3",
        "C50.911",
        "Z45.2",
        "R52",
    ]


@pytest.mark.parametrize(
    ("saved", "shown"),
    [("G894", "G89.4"), ("C50911", "C50.911"), ("R52", "R52"), ("g89.4", "G89.4")],
)
def test_a_diagnosis_is_shown_with_its_dot(saved, shown):
    assert patients.dotted_diagnosis(saved) == shown


@given(st.lists(CODES, max_size=MAX_DIAGNOSIS_CODES))
def test_the_shown_codes_read_back_as_the_saved_ones(codes):
    """What a page shows, typed back into a form, saves exactly what was saved."""
    saved = ", ".join(patients.parse_diagnosis_codes(" ".join(codes)))
    assert patients.parse_diagnosis_codes(patients.dotted_diagnoses(saved)) == (
        patients.parse_diagnosis_codes(saved)
    )
