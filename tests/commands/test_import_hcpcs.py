"""`manage.py import_hcpcs` (issue 14, point 1): the CMS HCPCS file loaded into the catalog,
idempotently, in one transaction, malformed rows rejected one by one, saved orders untouched."""

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from calculator.models import ClaimLine, HcpcsCode, OrderDrug

SAMPLES = Path(__file__).resolve().parents[2] / "calculator" / "fixtures" / "samples"
TEXT_SAMPLE = SAMPLES / "hcpcs_sample.txt"
CSV_SAMPLE = SAMPLES / "hcpcs_sample.csv"


def text_record(
    code="J9999",
    long="Injection, testdrug, 5 mg",
    *,
    short="Testdrug injection",
    add="20200101",
    term="",
    action="N",
    xref="",
):
    """One 320-character first line (RECID 3) of the CMS record layout."""
    line = [" "] * 320

    def put(start, text):
        line[start - 1 : start - 1 + len(text)] = text

    put(1, code)
    put(6, "00100")
    put(11, "3")
    put(12, long[:80])
    put(92, short)
    put(205, xref)
    put(269, add)
    put(277, add)
    put(285, term)
    put(293, action)
    return "".join(line).encode("utf-8")


def write(tmp_path, *lines: bytes, name="HCPC_TEST.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")
    return path


def run(path, *args) -> str:
    out = io.StringIO()
    call_command("import_hcpcs", str(path), *args, stdout=out)
    return out.getvalue()


def history_rows() -> int:
    return HcpcsCode.history.count()


def test_sample_terminates_j1170_on_its_date_and_names_j1171(db):
    """Into an empty catalog, the sample adds J1170 ending 2024-09-30, replaced by J1171."""
    output = run(TEXT_SAMPLE)
    j1170 = HcpcsCode.objects.get(code="J1170")
    assert j1170.terminated == date(2024, 9, 30)
    assert j1170.replacement == "J1171"
    assert j1170.billing_unit == "4 mg"
    assert j1170.billing_unit_source == HcpcsCode.UnitSource.FILE
    j1171 = HcpcsCode.objects.get(code="J1171")
    assert (j1171.effective, j1171.terminated, j1171.billing_unit) == (
        date(2024, 10, 1),
        None,
        "0.1 mg",
    )
    assert "terminated: J1170 ends 2024-09-30, replaced by J1171" in output


def test_import_sets_descriptors_kinds_and_units(db):
    """Long and short descriptors, the add date and the unit read from the descriptor."""
    run(TEXT_SAMPLE)
    codes = HcpcsCode.objects.in_bulk(field_name="code")
    assert codes["J2274"].description.endswith("for epidural or intrathecal use, 10 mg")
    assert codes["J2274"].short_description == "Inj morphine pf epid inthc"
    assert codes["J2274"].billing_unit == "10 mg"
    assert codes["J2278"].billing_unit == "1 mcg"
    assert codes["J2270"].effective == date(1984, 1, 1)
    assert codes["S9325"].kind == HcpcsCode.Kind.PER_DIEM
    assert codes["J3490"].kind == HcpcsCode.Kind.UNLISTED
    assert codes["E0779"].kind == HcpcsCode.Kind.OTHER


def test_terminating_a_code_the_catalog_holds_is_reported(catalog):
    """A seeded code without an end date gets the file's one, and the report says so."""
    HcpcsCode.objects.filter(code="J1170").update(terminated=None, replacement="")
    output = run(TEXT_SAMPLE)
    assert HcpcsCode.objects.get(code="J1170").terminated == date(2024, 9, 30)
    assert "terminated 1" in output.splitlines()[0]


def test_importing_the_same_file_twice_changes_nothing(catalog):
    """The second run saves nothing: no history rows, everything unchanged."""
    run(TEXT_SAMPLE)
    before = history_rows()
    output = run(TEXT_SAMPLE)
    assert history_rows() == before
    assert "added 0, descriptors changed 0, terminated 0" in output
    # The CSV version of the same codes changes nothing either.
    run(CSV_SAMPLE)
    assert history_rows() == before


def test_dry_run_reports_and_writes_nothing(catalog):
    before = (HcpcsCode.objects.count(), history_rows())
    output = run(TEXT_SAMPLE, "--dry-run")
    # The sample's six DME codes (A4221, A4222, E0779-E0781, J7799) ship with the catalog
    # since SPEC 11, so the sample adds none; it still updates their CMS fields.
    assert "added 0" in output and "other fields updated" in output
    assert "dry run: nothing written" in output
    assert (HcpcsCode.objects.count(), history_rows()) == before


def test_descriptor_change_is_reported_and_the_unit_follows(catalog, tmp_path):
    path = write(tmp_path, text_record("J2278", "Injection, ziconotide, 5 micrograms"))
    output = run(path)
    code = HcpcsCode.objects.get(code="J2278")
    assert code.billing_unit == "5 mcg"
    assert "descriptors changed: J2278" in output
    assert "billing unit changed: J2278: 1 mcg -> 5 mcg" in output


def test_drug_code_without_a_stated_unit_is_listed_to_confirm(catalog, tmp_path):
    """A new J-code whose descriptor states no unit is marked for an administrator; a unit an
    administrator entered by hand is kept."""
    path = write(
        tmp_path,
        text_record("J9998", "Injection, newdrug, per course", short="Newdrug"),
        text_record("J2795", "Injection, ropivacaine hydrochloride", short="Ropivacaine"),
    )
    output = run(path)
    new = HcpcsCode.objects.get(code="J9998")
    assert (new.kind, new.billing_unit, new.billing_unit_source) == ("drug", "", "confirm")
    kept = HcpcsCode.objects.get(code="J2795")
    assert (kept.billing_unit, kept.billing_unit_source) == ("1 mg", "entered")
    assert "an administrator should confirm it" in output
    assert "J9998 'Injection, newdrug, per course': no unit yet" in output
    assert "J2795 'Injection, ropivacaine hydrochloride': keeps 1 mg entered by hand" in output


@pytest.mark.parametrize(
    ("bad_line", "words"),
    [
        (text_record("J9001")[:300], ["300 characters wide", "320"]),
        (text_record("J9002", action="Z"), ["unknown ACTION CD 'Z'"]),
        (text_record("J9003", add="20241399"), ["ADD DT", "20241399", "not a date"]),
        (text_record("J9004", term="20241399"), ["TERM DT", "not a date"]),
        (
            text_record("J9006", long="Injection, caf\xe9, 1 mg").replace(b"\xc3\xa9", b"\xe9"),
            ["not UTF-8", "0xE9"],
        ),
    ],
    ids=["wrong-width", "unknown-action", "date-20241399", "bad-term-date", "latin-1"],
)
def test_malformed_rows_are_rejected_with_reasons_and_the_rest_imported(
    catalog, tmp_path, bad_line, words
):
    """Each malformed row is listed with its line and reason; good rows around it go in."""
    path = write(
        tmp_path,
        text_record("J9990", "Injection, gooddrug, 2 mg", short="Good one"),
        bad_line,
        text_record("J9991", "Injection, otherdrug, 3 mg", short="Good two"),
    )
    output = run(path)
    assert set(HcpcsCode.objects.filter(code__startswith="J99").values_list("code", flat=True)) == {
        "J9990",
        "J9991",
    }
    assert "rows rejected 1" in output
    rejected = output.split("Rows rejected:")[1]
    assert "line 2:" in rejected
    for word in words:
        assert word in rejected


def test_ten_thousand_character_descriptor_over_continuation_lines_is_rejected(catalog, tmp_path):
    """A 10,000-character descriptor spread over continuation lines is refused as a whole."""
    first = text_record("J9007", "Injection, long" + "x" * 70)
    more = []
    for index in range(2, 130):
        line = bytearray(b" " * 320)
        line[0:5] = b"J9007"
        line[5:10] = f"{index:03d}00".encode()
        line[10:11] = b"4"
        line[11:91] = b"y" * 80
        more.append(bytes(line))
    good = text_record("J9990", "Injection, gooddrug, 2 mg", short="Good one")
    output = run(write(tmp_path, good, first, *more))
    assert HcpcsCode.objects.filter(code="J9990").exists()
    assert not HcpcsCode.objects.filter(code="J9007").exists()
    assert "long descriptor is" in output and "characters" in output


def test_ten_thousand_character_descriptor_in_csv_is_rejected(catalog, tmp_path):
    header = (
        "HCPC,SEQNUM,RECID,LONG DESCRIPTION,SHORT DESCRIPTION,ADD DT,ACT EFF DT,TERM DT,ACTION CD"
    )
    rows = [
        header,
        'J9990,00100,3,"Injection, gooddrug, 2 mg",Good one,20200101,20200101,,N',
        f'J9008,00100,3,"{"z" * 10_000}",Too long,20200101,20200101,,N',
    ]
    path = tmp_path / "HCPC_TEST.csv"
    path.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    output = run(path)
    assert HcpcsCode.objects.filter(code="J9990").exists()
    assert not HcpcsCode.objects.filter(code="J9008").exists()
    assert "line 3: J9008: long descriptor is 10000 characters" in output


def test_a_file_with_no_readable_record_is_a_command_error_not_a_crash(db, tmp_path):
    path = tmp_path / "garbage.txt"
    path.write_bytes(b"\x00\xff garbage\n" * 5)
    with pytest.raises(CommandError, match="no HCPCS record could be read"):
        run(path)
    assert HcpcsCode.objects.count() == 0


def test_missing_file_is_a_command_error(db, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run(tmp_path / "absent.txt")


def test_nothing_is_half_written_when_a_save_fails(catalog, monkeypatch):
    """An error part-way through rolls the whole file back."""
    before = set(HcpcsCode.objects.values_list("code", "description", "short_description"))
    calls = {"n": 0}
    original = HcpcsCode.save

    def failing_save(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(HcpcsCode, "save", failing_save)
    with pytest.raises(RuntimeError):
        run(TEXT_SAMPLE)
    monkeypatch.undo()
    assert set(HcpcsCode.objects.values_list("code", "description", "short_description")) == before


def test_saved_orders_are_never_changed(saved_order, tmp_path):
    """A new descriptor unit for J2270 changes the catalog, not an order already saved."""
    lines = list(ClaimLine.objects.filter(order=saved_order).values())
    drugs = list(OrderDrug.objects.filter(order=saved_order).values())
    path = write(
        tmp_path, text_record("J2270", "Injection, morphine sulfate, 5 mg", term="20250101")
    )
    run(path)
    assert HcpcsCode.objects.get(code="J2270").billing_unit == "5 mg"
    saved_order.refresh_from_db()
    assert list(ClaimLine.objects.filter(order=saved_order).values()) == lines
    assert list(OrderDrug.objects.filter(order=saved_order).values()) == drugs


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal(db):
    """A bar on a terminal; none in a file or a pipe (logs and cron mail stay clean)."""
    terminal = Terminal()
    call_command("import_hcpcs", str(TEXT_SAMPLE), "--dry-run", stdout=terminal)
    assert "\r[" in terminal.getvalue() and "100%" in terminal.getvalue()
    piped = io.StringIO()
    call_command("import_hcpcs", str(TEXT_SAMPLE), "--dry-run", stdout=piped)
    assert "\r" not in piped.getvalue() and "%" not in piped.getvalue()


def test_history_records_the_import_and_the_user(db, administrator):
    run(TEXT_SAMPLE, "--user", "administrator")
    entry = HcpcsCode.objects.get(code="J1170").history.latest()
    assert entry.history_user == administrator
    assert entry.history_change_reason.startswith("import_hcpcs: hcpcs_sample.txt line")
