"""Reader of the CMS "HCPCS Alpha-Numeric" quarterly file (issue 14, point 1).

Pure: standard library only, no Django, nothing imported from the project.

Two published forms are read, and told apart from the content itself (`detect_form`):

* The fixed-width text file (``HCPC<YYYY>_<MON>_ANWEB*.txt``): one 320-character record per line,
  laid out by CMS's "HCPCS Contractor Record" (``HCPC2024_recordlayout.txt``, shipped in the
  quarterly zip, e.g. https://www.cms.gov/files/zip/july-2024-alpha-numeric-hcpcs-file.zip, and
  https://www.cms.gov/files/document/2020-hcpcs-record-layout.txt). Only the opening of that
  layout could be read here ("HCPCS Contractor Record - 2024", REC length 320, positions 1-320;
  code 1-5). Positions 1-119 and the record ids 3/4/7/8 are as datacodes.net's copy of the
  layout gives them (https://datacodes.net/DClayoutHCPCS.htm); the positions after the short
  descriptor are those of two independent public loaders that agree with each other
  (dewittpe/cms.hcpcs ``data-raw/import.R`` for the 2019 file, and an EHR's ``hcpcs_import`` of
  ``HCPC<YYYY>_A-N.txt``, both naming the CMS fields HCPCS_XREF_CD, HCPCS_CD_ADD_DT,
  HCPCS_ACTN_EFCTV_DT, HCPCS_TRMNTN_DT, HCPCS_ACTN_CD), and they end the record at 320:

  =====  =========  ==============================================================
  1-5    HCPC       code (modifier records: 3 blanks then the 2-character modifier)
  6-10   SEQNUM     description sequence number
  11     RECID      3 first line of a procedure, 4 its continuation lines,
                    7 first line of a modifier, 8 its continuation lines
  12-91  LONG DESCRIPTION, 80 characters a line; continuation lines carry the rest
  92-119 SHORT DESCRIPTION (28)
  205-229 XREF1..XREF5 cross-reference codes, 5 characters each (read as "crosswalk to a valid
                    current code"; that wording is recalled, not read from the 2024 layout)
  269-276 ADD DT        YYYYMMDD
  277-284 ACT EFF DT    YYYYMMDD
  285-292 TERM DT       YYYYMMDD
  293    ACTION CD
  294-320 filler
  =====  =========  ==============================================================

  Positions 92-320 are filled on first lines only (3 and 7).

* The spreadsheet version (``HCPC<YYYY>_<MON>_ANWEB*.xlsx``) saved as CSV (or tab-separated)
  with its header row: HCPC, SEQNUM, RECID, LONG DESCRIPTION, SHORT DESCRIPTION, PRICE1..4,
  MULT_PI, CIM1..3, MCM1..3, STATUTE, LABCERT1..8, XREF1..5, COV, ASC_GRP, ASC_DT, OPPS, OPPS_PI,
  OPPS_DT, PROCNOTE, BETOS, TOS1..5, ANEST_BU, ADD DT, ACT EFF DT, TERM DT, ACTION CD. Header
  names are matched without regard to case, spaces or underscores; disclaimer rows above the
  header are skipped.

Malformed input is rejected row by row (`RejectedRow` with a reason) and the other rows are still
read; no exception escapes for bad content. Bytes are decoded here, line by line, as UTF-8: a line
that is not UTF-8 (Latin-1 bytes, say) is rejected, the rest are read.

Modifier records (RECID 7/8) are not procedure codes and are skipped. Long descriptors are the
first line's text and the continuation lines' text joined with one space.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import BinaryIO, Literal, NamedTuple

RECORD_WIDTH = 320
MAX_DESCRIPTOR = 2000  # the longest CMS long descriptors are a few hundred characters
MAX_SHORT_DESCRIPTOR = 100  # CMS: 28 or fewer; generous for hand-edited spreadsheets

# ACTION CD values of the CMS record layout (the ten letters as the layout lists them; their
# wording here is recalled, "N = No maintenance for this code" was seen in a public copy).
ACTION_CODES: dict[str, str] = {
    "A": "add procedure or modifier code",
    "B": "change in both administrative data field and long description",
    "C": "change in long description",
    "D": "discontinue procedure or modifier code",
    "F": "change in administrative data field",
    "N": "no maintenance for this code",
    "P": "payment change",
    "R": "re-activate discontinued/deleted procedure or modifier code",
    "S": "change in short description",
    "T": "miscellaneous change",
}

FIRST_LINE, CONTINUATION, MODIFIER_FIRST, MODIFIER_CONTINUATION = "3", "4", "7", "8"

# 0-based slices of the fixed-width record.
_CODE = slice(0, 5)
_SEQ = slice(5, 10)
_RECID = slice(10, 11)
_LONG = slice(11, 91)
_SHORT = slice(91, 119)
_XREFS = tuple(slice(204 + 5 * i, 209 + 5 * i) for i in range(5))
_ADD = slice(268, 276)
_EFF = slice(276, 284)
_TERM = slice(284, 292)
_ACTION = slice(292, 293)

_CODE_RE = re.compile(r"[A-Z0-9]{5}")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")

Form = Literal["text", "csv"]


class BillingUnit(NamedTuple):
    """The amount one billed unit of a code stands for: 10 mg, 0.1 mg, 1 mcg, 1000 units."""

    amount: Decimal
    unit: str

    def __str__(self) -> str:
        return f"{self.amount:f} {self.unit}"


@dataclass(frozen=True)
class HcpcsRecord:
    code: str
    long_descriptor: str
    short_descriptor: str
    action_code: str
    add_date: date | None
    effective_date: date | None  # ACT EFF DT: when the record's latest action took effect
    termination_date: date | None  # TERM DT: last day the code is valid
    billing_unit: BillingUnit | None
    line_number: int
    cross_references: tuple[str, ...] = ()  # XREF1..XREF5, blanks dropped

    def valid_on(self, day: date) -> bool:
        """Whether the code may be billed for a service on `day` (from its add date through its
        termination date, both inclusive; an unknown bound does not limit)."""
        if self.add_date is not None and day < self.add_date:
            return False
        return self.termination_date is None or day <= self.termination_date


@dataclass(frozen=True)
class RejectedRow:
    line_number: int
    reason: str


Item = HcpcsRecord | RejectedRow


# --- Billing unit --------------------------------------------------------------------------------

_UNIT_WORDS: dict[str, str] = {
    "mg": "mg",
    "milligram": "mg",
    "milligrams": "mg",
    "mcg": "mcg",
    "microgram": "mcg",
    "micrograms": "mcg",
    "µg": "mcg",
    "ug": "mcg",
    "g": "g",
    "gm": "g",
    "gram": "g",
    "grams": "g",
    "ml": "mL",
    "milliliter": "mL",
    "milliliters": "mL",
    "millilitre": "mL",
    "millilitres": "mL",
    "cc": "mL",
    "unit": "units",
    "units": "units",
    "i.u.": "IU",
    "iu": "IU",
    "international unit": "IU",
    "international units": "IU",
    "meq": "mEq",
    "milliequivalent": "mEq",
    "milliequivalents": "mEq",
}
_UNIT_ALTERNATION = "|".join(re.escape(word) for word in sorted(_UNIT_WORDS, key=len, reverse=True))
_DOSE_RE = re.compile(
    r"(?:(?:per|up\s+to)\s+)?"
    r"(?P<amount>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)?"
    r"\s*(?P<million>million\s+)?"
    rf"(?P<unit>{_UNIT_ALTERNATION})",
    re.IGNORECASE,
)
_TRAILING_PARENTHESIS_RE = re.compile(r"\s*\([^()]*\)\s*$")
_CLAUSE_SPLIT_RE = re.compile(r",(?!\d)")  # a comma, but not the one in "600,000"


def parse_billing_unit(descriptor: str) -> BillingUnit | None:
    """The unit a HCPCS descriptor states in its last clause, or None when it states none.

    "Injection, morphine sulfate, up to 10 mg" -> 10 mg; "Injection, hydromorphone, 0.1 mg" ->
    0.1 mg; "Injection, ziconotide, 1 microgram" -> 1 mcg; "per 10 mg" -> 10 mg; "1000 units" ->
    1000 units; "per 50 mL" -> 50 mL. "Unclassified drugs", a per-diem service, "25% in 50 ml" and
    anything else not plainly one amount of one unit -> None, for an administrator to confirm.
    Never raises.
    """
    if not isinstance(descriptor, str):
        return None
    text = descriptor.strip()
    if len(text) > MAX_DESCRIPTOR:
        return None
    # A trailing note in parentheses ("(list drugs separately)") is not the dose clause.
    for _ in range(3):
        stripped = _TRAILING_PARENTHESIS_RE.sub("", text)
        if stripped == text:
            break
        text = stripped
    clause = " ".join(_CLAUSE_SPLIT_RE.split(text)[-1].split())
    match = _DOSE_RE.fullmatch(clause)
    if match is None:
        return None
    amount_text = match["amount"]
    if amount_text is None:
        if not clause.lower().startswith("per "):
            return None  # a bare "mg" states no amount
        amount = Decimal(1)  # "per unit", "per i.u."
    else:
        try:
            amount = Decimal(amount_text.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern admits only digits
            return None
    if match["million"]:
        amount *= 1_000_000
    unit = _UNIT_WORDS[match["unit"].lower()]
    if match["million"] and unit != "units" and unit != "IU":
        return None
    if amount <= 0:
        return None
    if amount == amount.to_integral_value():
        return BillingUnit(Decimal(int(amount)), unit)
    return BillingUnit(amount.normalize(), unit)


# --- Reading -------------------------------------------------------------------------------------


def _read_all(source: bytes | bytearray | memoryview | BinaryIO) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    data = source.read()
    if isinstance(data, str):
        raise TypeError("open the HCPCS file in binary mode ('rb'); this reader decodes it")
    return bytes(data)


def _physical_lines(data: bytes) -> list[bytes]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return [line[:-1] if line.endswith(b"\r") else line for line in lines]


def _decode(line: bytes) -> tuple[str | None, str | None]:
    """(text, None) or (None, reason)."""
    try:
        return line.decode("utf-8"), None
    except UnicodeDecodeError as error:
        byte = line[error.start]
        return None, (
            f"not UTF-8 text: byte 0x{byte:02X} at column {error.start + 1} "
            "(Latin-1 or Windows-1252?); save the file as UTF-8"
        )


def _normalize_header(name: str) -> str:
    return " ".join(name.replace("_", " ").replace("\ufeff", "").upper().split())


def _find_csv_header(lines: list[str], limit: int = 50) -> tuple[int, str] | None:
    """(index of the header line, delimiter) when one of the first lines is the CSV header."""
    for index, line in enumerate(lines[:limit]):
        for delimiter in (",", "\t"):
            if delimiter not in line:
                continue
            try:
                cells = next(csv.reader([line], delimiter=delimiter))
            except (csv.Error, StopIteration):
                continue
            names = {_normalize_header(cell) for cell in cells}
            if "HCPC" in names and "LONG DESCRIPTION" in names:
                return index, delimiter
    return None


def detect_form(source: bytes | bytearray | memoryview | BinaryIO) -> Form:
    """ "csv" when a header row naming HCPC and LONG DESCRIPTION opens the file (after any
    disclaimer rows), else "text" (the fixed-width record layout)."""
    data = _read_all(source)
    return _detect(_physical_lines(data))


def _detect(lines: list[bytes]) -> Form:
    head = [line.decode("utf-8", errors="replace") for line in lines[:50]]
    return "csv" if _find_csv_header(head) is not None else "text"


def iter_hcpcs(source: bytes | bytearray | memoryview | BinaryIO) -> Iterator[Item]:
    """Every procedure code of the file as a `HcpcsRecord`, and every unreadable row as a
    `RejectedRow`, in the form the content shows (text or CSV). A record is yielded once its
    continuation lines are read, so items come roughly, not strictly, in line order."""
    lines = _physical_lines(_read_all(source))
    if _detect(lines) == "csv":
        yield from _iter_csv(lines)
    else:
        yield from _iter_text(lines)


def read_hcpcs(source: bytes | bytearray | memoryview | BinaryIO) -> list[Item]:
    """`iter_hcpcs` as a list in line order."""
    return sorted(iter_hcpcs(source), key=lambda item: item.line_number)


@dataclass
class _Pending:
    """A first line read, waiting for its continuation lines."""

    code: str
    line_number: int
    parts: list[str]
    fields: dict[str, str]
    last_line: int
    problem: str | None = None
    length: int = 0


def _problem_in_fields(code: str, fields: dict[str, str]) -> str | None:
    if not _CODE_RE.fullmatch(code):
        return f"code {code!r} is not a 5-character HCPCS code"
    action = fields["action"]
    if action == "":
        return f"{code}: no ACTION CD"
    if action not in ACTION_CODES:
        return f"{code}: unknown ACTION CD {action!r} (valid: {', '.join(ACTION_CODES)})"
    for label, key in (("ADD DT", "add"), ("ACT EFF DT", "eff"), ("TERM DT", "term")):
        if _parse_date(fields[key]) is _BAD_DATE:
            return f"{code}: {label} {fields[key]!r} is not a date (YYYYMMDD)"
    if len(fields["short"]) > MAX_SHORT_DESCRIPTOR:
        return f"{code}: short descriptor is {len(fields['short'])} characters"
    for xref in fields["xrefs"].split():
        if not _CODE_RE.fullmatch(xref):
            return f"{code}: cross-reference {xref!r} is not a 5-character HCPCS code"
    return None


def _finish(pending: _Pending) -> Item:
    if pending.problem is not None:
        return RejectedRow(pending.line_number, pending.problem)
    descriptor = " ".join(part for part in pending.parts if part)
    length = max(len(descriptor), pending.length)
    span = (
        f"lines {pending.line_number}-{pending.last_line}"
        if pending.last_line != pending.line_number
        else f"line {pending.line_number}"
    )
    if descriptor == "":
        return RejectedRow(pending.line_number, f"{pending.code}: no long descriptor")
    if length > MAX_DESCRIPTOR:
        return RejectedRow(
            pending.line_number,
            f"{pending.code}: long descriptor is {length} characters ({span}); "
            f"more than {MAX_DESCRIPTOR} is not a HCPCS descriptor",
        )
    for text in (descriptor, pending.fields["short"]):
        control = _CONTROL_RE.search(text)
        if control is not None:
            return RejectedRow(
                pending.line_number,
                f"{pending.code}: descriptor holds control character U+{ord(control[0]):04X}",
            )
    fields = pending.fields
    return HcpcsRecord(
        code=pending.code,
        long_descriptor=descriptor,
        short_descriptor=fields["short"],
        action_code=fields["action"],
        add_date=_date_or_none(fields["add"]),
        effective_date=_date_or_none(fields["eff"]),
        termination_date=_date_or_none(fields["term"]),
        billing_unit=parse_billing_unit(descriptor),
        line_number=pending.line_number,
        cross_references=tuple(fields["xrefs"].split()),
    )


_BAD_DATE = object()
_DATE_FORMATS = (
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
    re.compile(r"(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})"),
)


def _parse_date(text: str) -> date | object | None:
    """A date, None for a blank (or all-zero) field, or _BAD_DATE."""
    text = text.strip()
    if text == "" or text.strip("0") == "":
        return None
    for pattern in _DATE_FORMATS:
        match = pattern.fullmatch(text)
        if match is not None:
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                return _BAD_DATE
    return _BAD_DATE


def _date_or_none(text: str) -> date | None:
    value = _parse_date(text)
    return value if isinstance(value, date) else None


class _Assembler:
    """Joins first lines and continuation lines into records, whatever the form."""

    def __init__(self) -> None:
        self.pending: _Pending | None = None
        self.seen: dict[str, int] = {}

    def flush(self) -> Iterator[Item]:
        if self.pending is not None:
            yield _finish(self.pending)
            self.pending = None

    def row(
        self, line_number: int, code: str, recid: str, descriptor: str, fields: dict[str, str]
    ) -> Iterator[Item]:
        if recid in (MODIFIER_FIRST, MODIFIER_CONTINUATION):
            yield from self.flush()
            return
        if recid == CONTINUATION:
            pending = self.pending
            if pending is None or pending.code != code:
                yield RejectedRow(
                    line_number,
                    f"{code or '(blank code)'}: continuation line (RECID 4) without its first "
                    "line (RECID 3) just before it",
                )
                return
            pending.length += len(descriptor) + 1
            pending.last_line = line_number
            if pending.length <= 2 * MAX_DESCRIPTOR:  # past that it is rejected: keep no more
                pending.parts.append(descriptor)
            return
        if recid != FIRST_LINE:
            yield from self.flush()
            yield RejectedRow(
                line_number, f"{code or '(blank code)'}: unknown RECID {recid!r} (3, 4, 7 or 8)"
            )
            return
        yield from self.flush()
        problem = _problem_in_fields(code, fields)
        if problem is None and code in self.seen:
            problem = f"{code}: listed again (first at line {self.seen[code]})"
        if problem is None:
            self.seen[code] = line_number
        self.pending = _Pending(
            code, line_number, [descriptor], fields, line_number, problem, len(descriptor)
        )

    def reject(
        self, line_number: int, reason: str, code: str = "", recid: str = ""
    ) -> Iterator[Item]:
        """A row that could not be read. When it looks like a continuation line of the record
        being assembled (same code, RECID 4), that record is rejected too: its descriptor would
        be cut short."""
        pending = self.pending
        if pending is not None and recid == CONTINUATION and code == pending.code:
            if pending.problem is None:
                pending.problem = (
                    f"{pending.code}: continuation line {line_number} was rejected ({reason})"
                )
            pending.last_line = line_number
        else:
            yield from self.flush()
        yield RejectedRow(line_number, reason)


def _iter_text(lines: list[bytes]) -> Iterator[Item]:
    assembler = _Assembler()
    for number, raw in enumerate(lines, start=1):
        if raw.strip() == b"":
            continue
        text, problem = _decode(raw)
        if text is None:
            peek = raw[:11].decode("ascii", errors="replace")
            yield from assembler.reject(
                number, problem or "not UTF-8 text", peek[_CODE].strip(), peek[_RECID]
            )
            continue
        if len(text) != RECORD_WIDTH:
            yield from assembler.reject(
                number,
                f"record is {len(text)} characters wide; the CMS layout is {RECORD_WIDTH}",
                text[_CODE].strip(),
                text[_RECID],
            )
            continue
        code = text[_CODE].strip()
        fields = {
            "short": text[_SHORT].strip(),
            "action": text[_ACTION].strip(),
            "add": text[_ADD],
            "eff": text[_EFF],
            "term": text[_TERM],
            "xrefs": " ".join(text[part].strip() for part in _XREFS),
        }
        yield from assembler.row(number, code, text[_RECID], text[_LONG].strip(), fields)
    yield from assembler.flush()


_CSV_COLUMNS = {
    "code": "HCPC",
    "recid": "RECID",
    "long": "LONG DESCRIPTION",
    "short": "SHORT DESCRIPTION",
    "add": "ADD DT",
    "eff": "ACT EFF DT",
    "term": "TERM DT",
    "action": "ACTION CD",
}


def _iter_csv(lines: list[bytes]) -> Iterator[Item]:
    decoded: list[str] = []
    bad: dict[int, str] = {}  # 0-based physical line -> reason
    for index, raw in enumerate(lines):
        text, problem = _decode(raw)
        if text is None:
            bad[index] = problem or "not UTF-8 text"
            text = raw.decode("utf-8", errors="replace")
        decoded.append(text)
    found = _find_csv_header(decoded)
    if found is None:  # pragma: no cover - _detect chose csv because a header was found
        yield RejectedRow(1, "no header row naming HCPC and LONG DESCRIPTION")
        return
    header_index, delimiter = found
    header = [
        _normalize_header(cell)
        for cell in next(csv.reader([decoded[header_index]], delimiter=delimiter))
    ]
    position = {name: header.index(name) for name in set(header)}
    columns = {key: position.get(name) for key, name in _CSV_COLUMNS.items()}
    xref_columns = [
        position[name] for name in (f"XREF{i}" for i in range(1, 6)) if name in position
    ]

    assembler = _Assembler()
    body = decoded[header_index + 1 :]
    reader = csv.reader(body, delimiter=delimiter, strict=True)
    consumed = 0
    while True:
        first = header_index + consumed  # 0-based physical index of the row's first line
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            consumed = reader.line_num
            yield from assembler.reject(first + 2, f"unreadable CSV row: {error}")
            continue
        span = range(first + 1, header_index + 1 + reader.line_num)
        consumed = reader.line_num
        number = first + 2  # 1-based physical line number of the row's first line
        if not row or all(cell.strip() == "" for cell in row):
            continue

        def cell(key: str, row: list[str] = row) -> str:
            index = columns[key]
            return row[index].strip() if index is not None and index < len(row) else ""

        problems = [bad[index] for index in span if index in bad]
        if problems or len(row) > len(header):
            reason = (
                problems[0]
                if problems
                else f"row has {len(row)} cells; the header has {len(header)}"
            )
            yield from assembler.reject(number, reason, cell("code").upper(), cell("recid"))
            continue

        fields = {
            "short": cell("short"),
            "action": cell("action").upper(),
            "add": cell("add"),
            "eff": cell("eff"),
            "term": cell("term"),
            "xrefs": " ".join(row[i].strip() for i in xref_columns if i < len(row)),
        }
        recid = cell("recid") or FIRST_LINE
        code = cell("code").upper()
        yield from assembler.row(number, code, recid, cell("long"), fields)
    yield from assembler.flush()


# --- Summary for the import command --------------------------------------------------------------


@dataclass(frozen=True)
class Termination:
    code: str
    termination_date: date
    replacement: str | None  # a code named in the record's XREF fields, present and not ended
    cross_references: tuple[str, ...] = ()


@dataclass(frozen=True)
class HcpcsSummary:
    records: int
    rejected: int
    terminated: tuple[Termination, ...]
    unit_unread: tuple[str, ...]  # codes whose descriptor states no unit: for an administrator
    by_action: dict[str, int] = field(default_factory=dict)


def summarize(items: Iterable[Item]) -> HcpcsSummary:
    """What an import of these items would report: codes terminated (with the replacement the
    file's cross-reference fields name, when that code is in the file and not itself ended),
    codes whose billing unit could not be read, and how many rows were rejected.

    The replacement comes only from XREF1..XREF5: the CMS file has no other replacement field,
    and nothing is guessed from descriptors."""
    records: list[HcpcsRecord] = []
    rejected = 0
    for item in items:
        if isinstance(item, HcpcsRecord):
            records.append(item)
        else:
            rejected += 1
    by_code = {record.code: record for record in records}
    terminated = []
    for record in records:
        if record.termination_date is None:
            continue
        replacement = next(
            (
                xref
                for xref in record.cross_references
                if xref != record.code
                and xref in by_code
                and (
                    by_code[xref].termination_date is None
                    or by_code[xref].termination_date > record.termination_date
                )
            ),
            None,
        )
        terminated.append(
            Termination(record.code, record.termination_date, replacement, record.cross_references)
        )
    by_action: dict[str, int] = {}
    for record in records:
        by_action[record.action_code] = by_action.get(record.action_code, 0) + 1
    return HcpcsSummary(
        records=len(records),
        rejected=rejected,
        terminated=tuple(sorted(terminated, key=lambda t: t.code)),
        unit_unread=tuple(sorted(r.code for r in records if r.billing_unit is None)),
        by_action=by_action,
    )
