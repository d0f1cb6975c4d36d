"""The CMS HCPCS Alpha-Numeric file reader (issue 14, point 1): both published forms, units,
and malformed rows rejected one by one."""

import csv
import dataclasses
import io
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calculator.domain.hcpcs_file import (
    BillingUnit,
    HcpcsRecord,
    RejectedRow,
    detect_form,
    iter_hcpcs,
    parse_billing_unit,
    read_hcpcs,
    summarize,
)

SAMPLES = Path(__file__).resolve().parents[2] / "calculator" / "fixtures" / "samples"
TEXT = (SAMPLES / "hcpcs_sample.txt").read_bytes()
CSV = (SAMPLES / "hcpcs_sample.csv").read_bytes()


def records(items):
    return {item.code: item for item in items if isinstance(item, HcpcsRecord)}


def rejected(items):
    return [item for item in items if isinstance(item, RejectedRow)]


def without_line(record):
    return dataclasses.replace(record, line_number=0)


def text_record(
    code="J9999",
    long="Injection, testdrug, 5 mg",
    *,
    recid="3",
    seq="00100",
    short="Testdrug injection",
    add="20200101",
    eff="20200101",
    term="",
    action="N",
    xref="",
):
    """One 320-character line of the CMS record layout (positions are 1-based in the layout)."""
    line = [" "] * 320

    def put(start, text):
        line[start - 1 : start - 1 + len(text)] = text

    put(1, code)
    put(6, seq)
    put(11, recid)
    put(12, long[:80])
    if recid == "3":
        put(92, short)
        put(205, xref)
        put(269, add)
        put(277, eff)
        put(285, term)
        put(293, action)
    return "".join(line).encode("utf-8")


def text_file(*lines):
    return b"\r\n".join(lines) + b"\r\n"


GOOD_A = text_record("J9991", "Injection, gooddrug a, 1 mg")
GOOD_B = text_record("J9992", "Injection, gooddrug b, 2 mg")


# --- The samples, both forms ---------------------------------------------------------------------


def test_both_forms_are_detected_from_content():
    assert detect_form(TEXT) == "text"
    assert detect_form(io.BytesIO(CSV)) == "csv"


def test_text_and_csv_samples_give_the_same_records():
    from_text = read_hcpcs(io.BytesIO(TEXT))
    from_csv = read_hcpcs(CSV)
    assert rejected(from_text) == [] and rejected(from_csv) == []
    assert len(records(from_text)) == 20
    assert [without_line(r) for r in from_text] == [without_line(r) for r in from_csv]


def test_sample_holds_the_pain_codes_and_no_cpt():
    codes = set(records(read_hcpcs(TEXT)))
    for code in ("S9325", "S9326", "S9327", "S9328", "J2270", "J2271", "J2274", "J2275"):
        assert code in codes
    for code in ("J1170", "J1171", "J3010", "J2278", "J3490", "J7799", "E0779", "E0780"):
        assert code in codes
    assert {"E0781", "A4221", "A4222"} <= codes
    assert not {"99601", "99602"} & codes


def test_continuation_lines_are_joined_into_the_long_descriptor():
    s9325 = records(read_hcpcs(TEXT))["S9325"]
    assert s9325.long_descriptor == (
        "Home infusion therapy, pain management infusion; administrative services, professional "
        "pharmacy services, care coordination, and all necessary supplies and equipment, (drugs "
        "and nursing visits coded separately), per diem (do not use this code with S9326, S9327 "
        "or S9328)"
    )
    assert s9325.line_number == 21  # the first line's number, not a continuation's


def test_j1170_ends_on_2024_09_30_and_names_j1171():
    by_code = records(read_hcpcs(TEXT))
    j1170, j1171 = by_code["J1170"], by_code["J1171"]
    assert j1170.termination_date == date(2024, 9, 30)
    assert j1170.action_code == "D"
    assert j1170.cross_references == ("J1171",)
    assert j1171.add_date == date(2024, 10, 1)
    assert j1171.billing_unit == (Decimal("0.1"), "mg")
    assert j1170.valid_on(date(2024, 9, 30)) and not j1170.valid_on(date(2024, 10, 1))
    assert j1171.valid_on(date(2024, 10, 1)) and not j1171.valid_on(date(2024, 9, 30))


def test_summary_lists_terminations_replacements_and_unread_units():
    summary = summarize(read_hcpcs(TEXT))
    ended = {t.code: (t.termination_date, t.replacement) for t in summary.terminated}
    assert ended == {
        "J1170": (date(2024, 9, 30), "J1171"),
        "J2271": (date(2014, 12, 31), None),  # the sample's XREF fields name no replacement
        "J2275": (date(2014, 12, 31), None),
    }
    assert "J3490" in summary.unit_unread and "S9325" in summary.unit_unread
    assert "J2270" not in summary.unit_unread
    assert (summary.records, summary.rejected) == (20, 0)


def test_no_replacement_when_the_cross_reference_is_not_in_the_file():
    ended = text_record("J9991", "Injection, old, 1 mg", term="20231231", action="D", xref="J8888")
    summary = summarize(read_hcpcs(text_file(ended, GOOD_B)))
    assert [(t.code, t.replacement) for t in summary.terminated] == [("J9991", None)]


# --- The billing unit ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("descriptor", "amount", "unit"),
    [
        ("Injection, morphine sulfate, up to 10 mg", "10", "mg"),
        ("Injection, hydromorphone, 0.1 mg", "0.1", "mg"),
        ("Injection, ziconotide, 1 microgram", "1", "mcg"),
        ("Injection, morphine sulfate (preservative-free sterile solution), per 10 mg", "10", "mg"),
        ("per 10 mg", "10", "mg"),
        ("100 mg", "100", "mg"),
        ("1000 units", "1000", "units"),
        ("Injection, penicillin g potassium, up to 600,000 units", "600000", "units"),
        ("Injection, interferon, 1 million units", "1000000", "units"),
        ("per 50 mL", "50", "mL"),
        ("Infusion, normal saline solution, 1000 cc", "1000", "mL"),
        ("Injection, botulinum toxin, per unit", "1", "units"),
        (
            "Injection, morphine sulfate, preservative-free for epidural or intrathecal use, 10 mg",
            "10",
            "mg",
        ),
        ("Tobramycin, inhalation solution, unit dose form, per 300 milligrams", "300", "mg"),
        ("Injection, something, 0.5 G", "0.5", "g"),
        ("Injection, potassium chloride, per 2 mEq", "2", "mEq"),
        ("Injection, something, 5 mcg", "5", "mcg"),
    ],
)
def test_billing_unit_read_from_the_descriptor(descriptor, amount, unit):
    parsed = parse_billing_unit(descriptor)
    assert parsed == BillingUnit(Decimal(amount), unit)
    assert isinstance(parsed.amount, Decimal)


@pytest.mark.parametrize(
    "descriptor",
    [
        "Unclassified drugs",
        "NOC drugs, other than inhalation drugs, administered through DME",
        "Home infusion therapy, pain management infusion; administrative services, professional "
        "pharmacy services, care coordination, and all necessary supplies and equipment, (drugs "
        "and nursing visits coded separately), per diem (do not use this code with S9326)",
        "Supplies for maintenance of non-insulin drug infusion catheter, per week "
        "(list drugs separately)",
        "Ambulatory infusion pump, mechanical, reusable, for infusion 8 hours or greater",
        "Injection, mannitol, 25% in 50 ml",
        "Injection, something, 10 mg/ml",
        "Injection, something, 0 mg",
        "mg",
        "",
    ],
)
def test_descriptor_without_a_unit_gives_none(descriptor):
    assert parse_billing_unit(descriptor) is None


def test_billing_unit_prints_as_amount_and_unit():
    assert str(parse_billing_unit("Injection, hydromorphone, 0.1 mg")) == "0.1 mg"
    assert str(parse_billing_unit("Injection, interferon, 1 million units")) == "1000000 units"


@given(st.text())
def test_parse_billing_unit_never_raises(text):
    result = parse_billing_unit(text)
    assert result is None or (isinstance(result.amount, Decimal) and result.amount > 0)


@given(st.text(alphabet=st.sampled_from("0123456789.,% ()/-abcdegilmnoprstuGLMU"), max_size=40))
def test_parse_billing_unit_never_raises_on_unit_like_text(text):
    result = parse_billing_unit(f"Injection, x, {text}")
    assert result is None or result.amount > 0


# --- Malformed input: rejected row by row, the good rows still read -------------------------------


def assert_one_rejected(items, line_number, *words):
    bad = rejected(items)
    assert len(bad) == 1, bad
    assert bad[0].line_number == line_number
    for word in words:
        assert word in bad[0].reason, bad[0].reason
    assert {"J9991", "J9992"} <= set(records(items))


def test_wrong_record_width_is_rejected():
    short_line = text_record("J9993")[:-1]
    items = read_hcpcs(text_file(GOOD_A, short_line, GOOD_B))
    assert_one_rejected(items, 2, "319 characters", "320")


def test_unknown_action_code_is_rejected():
    items = read_hcpcs(text_file(GOOD_A, GOOD_B, text_record("J9993", action="X")))
    assert_one_rejected(items, 3, "J9993", "ACTION CD 'X'")


def test_impossible_date_is_rejected():
    items = read_hcpcs(text_file(GOOD_A, text_record("J9993", term="20241399"), GOOD_B))
    assert_one_rejected(items, 2, "J9993", "TERM DT", "20241399")


def test_ten_thousand_character_descriptor_is_rejected_in_text():
    pieces = [text_record("J9993", "Injection, huge, " + "x" * 60)]
    pieces += [text_record("J9993", "y" * 79, recid="4", seq=f"{n:05d}") for n in range(2, 128)]
    items = read_hcpcs(text_file(GOOD_A, *pieces, GOOD_B))
    assert_one_rejected(items, 2, "J9993", "long descriptor is 10", "2000")


def test_latin1_bytes_reject_that_row_only():
    latin = text_record("J9993", "Injection, caf\u00e9 drug, 1 mg").decode().encode("latin-1")
    items = read_hcpcs(text_file(GOOD_A, latin, GOOD_B))
    assert_one_rejected(items, 2, "not UTF-8", "0xE9")


def test_unreadable_continuation_line_rejects_its_record_too():
    first = text_record("J9993", "Injection, drug with a long name that needs two lines, and")
    second = (
        text_record("J9993", "then some more text \u00e9", recid="4").decode().encode("latin-1")
    )
    items = read_hcpcs(text_file(GOOD_A, first, second, GOOD_B))
    reasons = {row.line_number: row.reason for row in rejected(items)}
    assert set(reasons) == {2, 3}
    assert "continuation line 3" in reasons[2]
    assert "J9993" not in records(items)


def test_continuation_without_first_line_and_duplicates_are_rejected():
    orphan = text_record("J9993", "orphan text", recid="4")
    items = read_hcpcs(text_file(GOOD_A, orphan, GOOD_B, text_record("J9991")))
    reasons = {row.line_number: row.reason for row in rejected(items)}
    assert "without its first line" in reasons[2]
    assert "listed again (first at line 1)" in reasons[4]
    assert records(items)["J9991"].long_descriptor == "Injection, gooddrug a, 1 mg"


def test_modifier_records_are_skipped_not_rejected():
    modifier = text_record(
        "   JW", "Drug amount discarded/not administered to any patient", recid="7"
    )
    items = read_hcpcs(text_file(GOOD_A, modifier, GOOD_B))
    assert rejected(items) == [] and set(records(items)) == {"J9991", "J9992"}


def test_garbage_never_raises():
    items = read_hcpcs(b"\x00\xff\xfe garbage\n\n" + b"x" * 5000 + b"\nHCPC\n")
    assert all(isinstance(item, RejectedRow) for item in items) and len(items) == 3


# --- Malformed CSV -------------------------------------------------------------------------------

HEADER = ["HCPC", "SEQNUM", "RECID", "LONG DESCRIPTION", "SHORT DESCRIPTION", "XREF1", "ADD DT",
          "ACT EFF DT", "TERM DT", "ACTION CD"]  # fmt: skip


def csv_bytes(*rows, header=HEADER, preamble=()):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line in preamble:
        writer.writerow([line])
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def csv_row(code, long="Injection, x, 1 mg", *, recid="3", term="", action="N", add="20200101"):
    return [code, "00100", recid, long, "X injection", "", add, add, term, action]


CSV_A = csv_row("J9991", "Injection, gooddrug a, 1 mg")
CSV_B = csv_row("J9992", "Injection, gooddrug b, 2 mg")


def test_csv_header_is_matched_whatever_its_case_and_spacing():
    header = ["hcpc", "SeqNum", "recid", "Long_Description", "short  description", "xref1",
              "add_dt", "Act Eff Dt", "TERM_DT", "action cd"]  # fmt: skip
    data = csv_bytes(CSV_A, CSV_B, header=header, preamble=["CPT codes are AMA copyright", ""])
    assert detect_form(data) == "csv"
    items = read_hcpcs(data)
    assert rejected(items) == []
    assert records(items)["J9991"].billing_unit == (Decimal(1), "mg")
    assert records(items)["J9991"].line_number == 4  # two preamble lines, then the header


def test_csv_malformed_rows_rejected_one_by_one():
    huge = csv_row("J9993", "Injection, huge, " + "x" * 10_000)
    data = csv_bytes(
        CSV_A,
        csv_row("J9994", action="Q"),
        csv_row("J9995", term="20241399"),
        huge,
        CSV_B,
    )
    latin = 'J9996,00100,3,"Injection, caf\u00e9, 1 mg",X,,20200101,20200101,,N\r\n'
    data += latin.encode("latin-1")
    items = read_hcpcs(data)
    reasons = {row.line_number: row.reason for row in rejected(items)}
    assert sorted(reasons) == [3, 4, 5, 7]
    assert "ACTION CD 'Q'" in reasons[3]
    assert "20241399" in reasons[4]
    assert "10017 characters" in reasons[5]
    assert "not UTF-8" in reasons[7]
    assert set(records(items)) == {"J9991", "J9992"}


def test_csv_continuation_rows_are_joined():
    data = csv_bytes(
        csv_row("J9993", "Injection, drug with a long name,"),
        csv_row("J9993", "per 5 mg", recid="4", action="", add=""),
        CSV_A,
    )
    j9993 = records(read_hcpcs(data))["J9993"]
    assert j9993.long_descriptor == "Injection, drug with a long name, per 5 mg"
    assert j9993.billing_unit == (Decimal(5), "mg")


def test_csv_cell_beyond_the_csv_module_limit_is_rejected_and_reading_goes_on():
    data = csv_bytes(CSV_A, csv_row("J9993", "x" * 200_000), CSV_B)
    items = read_hcpcs(data)
    assert_one_rejected(items, 3, "unreadable CSV row")


# --- Input and purity ----------------------------------------------------------------------------


def test_iterator_reads_a_binary_file_object(tmp_path):
    path = tmp_path / "HCPC2024_OCT_ANWEB.txt"
    path.write_bytes(TEXT)
    with path.open("rb") as handle:
        items = list(iter_hcpcs(handle))
    assert len(records(items)) == 20


def test_text_mode_file_is_a_programming_error():
    with pytest.raises(TypeError, match="binary mode"):
        read_hcpcs(io.StringIO("J2270"))


def test_module_imports_neither_django_nor_the_project():
    code = (
        "import sys; import calculator.domain.hcpcs_file as m; "
        "ok = ('calculator', 'calculator.domain', m.__name__); "
        "bad = [n for n in sys.modules if n.startswith('django') or "
        "(n.startswith('calculator') and n not in ok)]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
