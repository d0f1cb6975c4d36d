"""Tests for calculator.domain.ndc: NDC normalisation, formatting and label forms (no database)."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculator.domain.ndc import (
    AmbiguousNdc,
    NdcError,
    format_ndc,
    is_ndc11,
    label_forms,
    ndc_candidates,
    normalize_ndc,
)

HOW = "use 11 digits (5-4-2) or a hyphenated 10-digit label form (4-4-2, 5-3-2 or 5-4-1)"

few = settings(max_examples=300, deadline=None)

digits = st.text(alphabet="0123456789", min_size=1)
ndc11s = st.text(alphabet="0123456789", min_size=11, max_size=11).filter(lambda s: s != "0" * 11)
bare10s = st.text(alphabet="0123456789", min_size=10, max_size=10).filter(lambda s: s != "0" * 10)


@st.composite
def ndc11s_with_a_padded_segment(draw: st.DrawFn) -> str:
    """Return an 11-digit NDC whose labeler, product or package starts with a zero."""
    ndc = list(draw(ndc11s))
    ndc[draw(st.sampled_from([0, 5, 9]))] = "0"
    result = "".join(ndc)
    return result if result != "0" * 11 else "00000000001"


# --- normalize_ndc: accepted forms -------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("0002-7266-25", "00002726625"),
        ("12345-123-12", "12345012312"),
        ("12345-1234-1", "12345123401"),
    ],
    ids=["4-4-2", "5-3-2", "5-4-1"],
)
def test_pads_the_short_segment_of_each_spec_label_form(label: str, expected: str) -> None:
    assert normalize_ndc(label) == expected


def test_pads_4_4_2_labeler_with_leading_zero() -> None:
    assert normalize_ndc("0074-1133-03") == "00074113303"


def test_pads_5_3_2_product_with_leading_zero() -> None:
    assert normalize_ndc("50090-123-45") == "50090012345"


def test_pads_5_4_1_package_with_leading_zero() -> None:
    assert normalize_ndc("50090-1234-5") == "50090123405"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("00002-7266-25", "00002726625"),
        ("00002726625", "00002726625"),
        ("12345-0123-12", "12345012312"),
        ("12345012312", "12345012312"),
    ],
)
def test_keeps_an_11_digit_ndc_as_is(text: str, expected: str) -> None:
    assert normalize_ndc(text) == expected


@pytest.mark.parametrize("text", ["  0002-7266-25", "0002-7266-25\n", "\t0002-7266-25  "])
def test_strips_surrounding_whitespace(text: str) -> None:
    assert normalize_ndc(text) == "00002726625"


# --- normalize_ndc: rejections -----------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_rejects_empty_input_asking_for_an_ndc(text: str) -> None:
    with pytest.raises(NdcError) as caught:
        normalize_ndc(text)
    assert str(caught.value) == f"Enter an NDC: {HOW}"


def test_rejects_wrong_segment_shape_with_the_spec_message() -> None:
    with pytest.raises(NdcError) as caught:
        normalize_ndc("12-34")
    assert str(caught.value) == f'"12-34" is not an NDC: {HOW}'


@pytest.mark.parametrize(
    "text",
    [
        "123-4567-12",  # 3-4-2
        "123456-123-1",  # 6-3-1
        "1234-123-12",  # 4-3-2
        "12345-12-123",  # 5-2-3
        "123456-1234-1",  # 6-4-1
        "12345-12345",  # two segments
        "12345-1234-12-1",  # four segments
        "0002726625-",  # trailing hyphen
        "-0002726625",  # leading hyphen
        "0002--7266-25",  # empty segment
        "-",
    ],
)
def test_rejects_hyphenated_text_in_any_other_segment_shape(text: str) -> None:
    with pytest.raises(NdcError) as caught:
        normalize_ndc(text)
    assert not isinstance(caught.value, AmbiguousNdc)
    assert str(caught.value) == f'"{text}" is not an NDC: {HOW}'


@pytest.mark.parametrize("text", ["1", "123456789", "123456789012", "0" * 20])
def test_rejects_bare_digits_that_are_neither_10_nor_11_long(text: str) -> None:
    with pytest.raises(NdcError) as caught:
        normalize_ndc(text)
    assert str(caught.value) == f'"{text}" is not an NDC: {HOW}'


@pytest.mark.parametrize(
    "text",
    [
        "0002-7266-2A",  # letter
        "NDC 0002-7266-25",  # prefix
        "0002 7266 25",  # inner spaces
        "0002-7266 -25",  # space inside a segment
        "0002–7266–25",  # en dash instead of hyphen
        "0002.7266.25",  # dots
        "０００２-７２６６-２５",  # full-width digits
        "٠٠٠٠٢٧٢٦٦٢٥",  # Arabic-Indic digits
    ],
)
def test_rejects_characters_other_than_ascii_digits_and_hyphens(text: str) -> None:
    with pytest.raises(NdcError) as caught:
        normalize_ndc(text)
    assert str(caught.value) == (
        f'"{text}" is not an NDC: it may contain only digits and hyphens; {HOW}'
    )


def test_escapes_control_characters_in_the_message() -> None:
    with pytest.raises(NdcError, match=r'^"12\\x0034" is not an NDC: it may contain only digits'):
        normalize_ndc("12\x0034")


def test_shortens_very_long_input_in_the_message() -> None:
    with pytest.raises(NdcError) as caught:
        normalize_ndc("x" * 500)
    message = str(caught.value)
    assert message.startswith('"' + "x" * 39 + '…" is not an NDC')
    assert len(message) < 200


@pytest.mark.parametrize(
    "text", ["00000000000", "00000-0000-00", "0000-0000-00", "00000-000-00", "00000-0000-0"]
)
def test_rejects_an_all_zero_ndc(text: str) -> None:
    with pytest.raises(NdcError) as caught:
        normalize_ndc(text)
    assert str(caught.value) == f'"{text}" is not an NDC: an NDC cannot be all zeros'


def test_rejects_an_all_zero_bare_10_digit_ndc_as_all_zeros_not_ambiguous() -> None:
    with pytest.raises(NdcError) as caught:
        normalize_ndc("0000000000")
    assert not isinstance(caught.value, AmbiguousNdc)
    assert "cannot be all zeros" in str(caught.value)


def test_ndc_error_is_a_value_error() -> None:
    assert issubclass(NdcError, ValueError)
    assert issubclass(AmbiguousNdc, NdcError)


# --- bare 10-digit NDCs -----------------------------------------------------------------------


def test_refuses_a_bare_10_digit_ndc_as_ambiguous_with_three_candidates() -> None:
    with pytest.raises(AmbiguousNdc) as caught:
        normalize_ndc(" 0074113303 ")
    assert caught.value.candidates == ("00074113303", "00741013303", "00741133003")
    assert str(caught.value) == (
        '"0074113303" is a bare 10-digit NDC, which can be read three ways; '
        "enter it with hyphens (e.g. 0074-1133-03) or as 11 digits"
    )


def test_lists_coinciding_readings_of_a_bare_10_digit_ndc_once() -> None:
    with pytest.raises(AmbiguousNdc) as caught:
        normalize_ndc("1234500001")
    assert caught.value.candidates == ("01234500001", "12345000001")
    assert "which can be read two ways" in str(caught.value)


def test_still_asks_for_hyphens_when_all_readings_coincide() -> None:
    with pytest.raises(AmbiguousNdc) as caught:
        normalize_ndc("0000000005")
    assert caught.value.candidates == ("00000000005",)
    assert "which needs its hyphens to be read" in str(caught.value)


def test_ambiguous_ndc_survives_pickling() -> None:
    error = AmbiguousNdc("0074113303")
    copy = pickle.loads(pickle.dumps(error))
    assert copy.candidates == error.candidates
    assert str(copy) == str(error)


@pytest.mark.parametrize(
    ("digits10", "expected"),
    [
        ("0074113303", ("00074113303", "00741013303", "00741133003")),
        ("1234567890", ("01234567890", "12345067890", "12345678900")),
    ],
)
def test_reads_a_bare_10_digit_ndc_as_4_4_2_then_5_3_2_then_5_4_1(
    digits10: str, expected: tuple[str, str, str]
) -> None:
    assert ndc_candidates(digits10) == expected


@pytest.mark.parametrize("text", ["", "123456789", "12345678901", "0074-1133-03", "007411330x"])
def test_ndc_candidates_rejects_anything_but_10_digits(text: str) -> None:
    with pytest.raises(NdcError, match="is not a bare 10-digit NDC"):
        ndc_candidates(text)


# --- format_ndc, is_ndc11, label_forms --------------------------------------------------------


@pytest.mark.parametrize(
    ("ndc11", "expected"),
    [("00074113303", "00074-1133-03"), ("00002726625", "00002-7266-25")],
)
def test_formats_an_11_digit_ndc_as_5_4_2(ndc11: str, expected: str) -> None:
    assert format_ndc(ndc11) == expected


@pytest.mark.parametrize(
    "text", ["", "0074113303", "000741133030", "00074-1133-03", " 00074113303", "00000000000"]
)
def test_format_ndc_rejects_anything_but_an_11_digit_ndc(text: str) -> None:
    with pytest.raises(NdcError, match="is not an 11-digit NDC"):
        format_ndc(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("00074113303", True),
        ("0074113303", False),
        ("000741133030", False),
        ("00074-1133-03", False),
        (" 00074113303", False),
        ("0007411330x", False),
        ("٠٠٠٧٤١١٣٣٠٣", False),
        ("00000000000", False),
        ("", False),
    ],
)
def test_is_ndc11_accepts_only_normalised_11_digit_ndcs(text: str, expected: bool) -> None:
    assert is_ndc11(text) is expected


@pytest.mark.parametrize(
    ("ndc11", "expected"),
    [
        ("00002726625", ("0002-7266-25",)),
        ("12345012312", ("12345-123-12",)),
        ("12345123401", ("12345-1234-1",)),
        ("00074011303", ("0074-0113-03", "00074-113-03", "00074-0113-3")),
        ("12345123412", ()),
    ],
)
def test_lists_the_label_forms_that_pad_to_an_11_digit_ndc(
    ndc11: str, expected: tuple[str, ...]
) -> None:
    assert label_forms(ndc11) == expected


def test_label_forms_rejects_anything_but_an_11_digit_ndc() -> None:
    with pytest.raises(NdcError, match='"0002-7266-25" is not an 11-digit NDC'):
        label_forms("0002-7266-25")


def test_module_does_not_import_django() -> None:
    import calculator.domain.ndc as module

    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name.split(".")[0] == "django" for name in imported)


# --- properties -------------------------------------------------------------------------------


@few
@given(st.one_of(ndc11s, ndc11s_with_a_padded_segment()))
def test_every_label_form_normalises_back_to_its_11_digit_ndc(ndc11: str) -> None:
    for form in label_forms(ndc11):
        assert len(form.replace("-", "")) == 10
        assert normalize_ndc(form) == ndc11


@few
@given(ndc11s_with_a_padded_segment())
def test_an_ndc_with_a_padded_segment_has_a_label_form(ndc11: str) -> None:
    assert label_forms(ndc11)


@few
@given(ndc11s)
def test_formatting_then_normalising_returns_the_same_ndc(ndc11: str) -> None:
    formatted = format_ndc(ndc11)
    assert [len(part) for part in formatted.split("-")] == [5, 4, 2]
    assert normalize_ndc(formatted) == ndc11
    assert normalize_ndc(ndc11) == ndc11


@few
@given(bare10s)
def test_each_candidate_of_a_bare_10_digit_ndc_lists_it_as_a_label_form(digits10: str) -> None:
    with pytest.raises(AmbiguousNdc) as caught:
        normalize_ndc(digits10)
    assert caught.value.candidates
    assert set(caught.value.candidates) == set(ndc_candidates(digits10))
    for candidate in caught.value.candidates:
        assert any(form.replace("-", "") == digits10 for form in label_forms(candidate))


@few
@given(st.one_of(st.text(), st.text(alphabet="0123456789- \t"), digits))
def test_normalize_returns_an_11_digit_ndc_or_raises_ndc_error(text: str) -> None:
    try:
        result = normalize_ndc(text)
    except NdcError as error:
        assert str(error)
    else:
        assert is_ndc11(result)
