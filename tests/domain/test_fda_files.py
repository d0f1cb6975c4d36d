"""The FDA NDC directory readers (calculator/domain/fda_files.py) on their own: strengths and
package volumes in our grammar, and whole files read without the database."""

from __future__ import annotations

from datetime import date

import pytest

from calculator.domain import fda_files
from tests.helpers import PACKAGE, PACKAGE_REJECTION, PRODUCT, PRODUCT_REJECTION


@pytest.mark.parametrize(
    ("strength", "unit", "expected"),
    [
        ("25", "mg/mL", "25 mg/mL"),
        ("50", "ug/mL", "50 mcg/mL"),
        ("100", "mg/100mL", "100 mg/100 mL"),
        ("5000", "[iU]/mL", "5000 units/mL"),
        ("1000", "[USP'U]/mL", "1000 units/mL"),
        ("2", "meq/mL", "2 mEq/mL"),
        ("0.50", "mg/1mL", "0.5 mg/mL"),
        (".5", "g/L", "0.5 g/L"),
    ],
)
def test_fda_strengths_are_written_in_our_grammar(strength, unit, expected):
    """FDA strengths and units map to text units.parse_concentration reads."""
    assert fda_files.fda_concentration(strength, unit) == expected


@pytest.mark.parametrize(
    ("strength", "unit", "reason"),
    [
        ("10", "mg/1", "not an amount per volume"),
        ("4", "mmol/mL", "not an amount per volume"),
        ("10; 5", "mg/mL; mg/mL", "has 2 active ingredients"),
        ("", "", "has no active ingredient strength"),
        ("twenty-five", "mg/mL", '"twenty-five" is not a number'),
    ],
)
def test_fda_strengths_we_cannot_express_give_their_reason(strength, unit, reason):
    """Tablets, mmol, mixtures and non-numbers raise ValueError with a reason."""
    with pytest.raises(ValueError, match=reason):
        fda_files.fda_concentration(strength, unit)


@pytest.mark.parametrize(
    ("description", "volume"),
    [
        ("20 mL in 1 AMPULE (0641-6040-01)", "20 mL"),
        ("10 VIAL in 1 CARTON (0703-0113-03) > 5 mL in 1 VIAL (0703-0113-01)", "5 mL"),
        ("24 BAG in 1 CASE > 1 L in 1 BAG", "1 L"),
        ("1 VIAL in 1 CARTON", ""),
        ("1 KIT * 5 mL in 1 VIAL * 10 mL in 1 SYRINGE", ""),
        ("2 mL in 1 VIAL > 1 VIAL in 1 CARTON", ""),
    ],
)
def test_package_volume_is_read_only_when_the_description_states_one(description, volume):
    """The innermost container's stated volume, or blank when the text is unclear."""
    assert fda_files.package_volume(description) == volume


def test_read_fda_returns_records_and_rejections_without_the_database(tmp_path):
    """The reader alone gives records with line numbers and the rejections, no database."""
    result = fda_files.read_fda(PRODUCT, PACKAGE, today=date(2026, 1, 1))
    assert [record.line for record in result.records] == list(range(2, 10))
    assert [str(r) for r in result.sorted_rejections()] == [PRODUCT_REJECTION, PACKAGE_REJECTION]
    assert result.records[0].given()["ndc"] == "00641604001"
