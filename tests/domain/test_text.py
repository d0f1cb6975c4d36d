"""Tests for calculator.domain.text: which typed text can be stored."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculator.domain.text import storable


def storable_by_definition(text: str, *, multiline: bool) -> bool:
    """The rule written out character by character: no control character but tab (and line
    breaks when multiline), no DEL, no lone surrogate."""
    allowed = {"\t", "\n", "\r"} if multiline else {"\t"}
    return not any(
        (ord(char) < 32 and char not in allowed)
        or ord(char) == 127
        or 0xD800 <= ord(char) <= 0xDFFF
        for char in text
    )


@pytest.mark.parametrize(
    ("text", "line", "multiline"),
    [
        ("Morphine 25 mg/mL", True, True),
        ("tab\there", True, True),
        ("two\nlines", False, True),
        ("carriage\rreturn", False, True),
        ("NUL\x00", False, False),
        ("vertical\x0btab", False, False),
        ("DEL\x7f", False, False),
        ("lone \ud800 surrogate", False, False),
        ("emoji \U0001f600 and é", True, True),
    ],
)
def test_storable_text(text: str, line: bool, multiline: bool) -> None:
    """tabs and ordinary Unicode pass; control characters, DEL and lone surrogates do not."""
    assert storable(text) is line
    assert storable(text, multiline=multiline) is multiline


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(max_codepoint=0xE000, exclude_categories=())), st.booleans())
def test_storable_follows_the_rule_for_any_text(text: str, multiline: bool) -> None:
    """the one-search check agrees with the character-by-character rule on any text."""
    assert storable(text, multiline=multiline) is storable_by_definition(text, multiline=multiline)
