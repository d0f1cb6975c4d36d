"""Reading catalog import files into product records, with no database access.

Two sources are read: the FDA NDC directory (``product.txt`` and ``package.txt``, tab-separated,
joined on PRODUCTID, one record per package NDC) and a simple CSV with the header
``ndc,name,labeler,concentration,package_volume,ndc_unit,hcpcs``. Each row becomes a
:class:`ProductRecord` or a :class:`Rejection` that names the file, the line and the reason.
A file that cannot be read, or whose header is not the expected one, raises
:class:`ImportFileError` before any row is returned. The ``import_ndc`` command writes the records.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from calculator.domain import ndc, units
from calculator.domain.billing import NDC_UNITS

__all__ = [
    "CSV_COLUMNS",
    "ImportFileError",
    "ImportResult",
    "ProductRecord",
    "Rejection",
    "csv_product",
    "fda_concentration",
    "fda_name",
    "package_volume",
    "read_csv",
    "read_fda",
]

CSV_COLUMNS = ("ndc", "name", "labeler", "concentration", "package_volume", "ndc_unit", "hcpcs")
PRODUCT_COLUMNS = (
    "PRODUCTID",
    "PRODUCTNDC",
    "PROPRIETARYNAME",
    "PROPRIETARYNAMESUFFIX",
    "NONPROPRIETARYNAME",
    "LABELERNAME",
    "ACTIVE_NUMERATOR_STRENGTH",
    "ACTIVE_INGRED_UNIT",
    "ENDMARKETINGDATE",
)
PACKAGE_COLUMNS = ("PRODUCTID", "NDCPACKAGECODE", "PACKAGEDESCRIPTION", "ENDMARKETINGDATE")
# Older FDA downloads have no exclusion flag; when the column is there it is honoured.
OPTIONAL_FDA_COLUMNS = ("NDC_EXCLUDE_FLAG",)

# The model's field lengths (calculator.models.DrugProduct).
MAX_NAME = 200
MAX_LABELER = 200
MAX_DESCRIPTION = 300
MAX_SOURCE = 300

# FDA (UCUM-style) numerator units -> the symbols units.py accepts.
FDA_AMOUNT_UNITS = {
    "mg": "mg",
    "ug": "mcg",
    "mcg": "mcg",
    "g": "g",
    "kg": "kg",
    "meq": "mEq",
    "mEq": "mEq",
    "[iU]": "units",
    "[IU]": "units",
    "[USP'U]": "units",
}
# FDA denominators -> (count, volume symbol); a bare count in front ("100mL") is handled apart.
FDA_VOLUME_UNITS = {"mL": (Decimal(1), "mL"), "L": (Decimal(1), "L"), "dL": (Decimal(100), "mL")}

_FDA_DENOMINATOR = re.compile(r"(\d+(?:\.\d+)?)?\s*(mL|L|dL)")
_FDA_NUMBER = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_PRODUCT_NDC = re.compile(r"(\d{4}-\d{4}|\d{5}-\d{3}|\d{5}-\d{4})")
_VOLUME_LEVEL = re.compile(r"(\d+(?:\.\d+)?)\s*(mL|L)\s+in\s+1\b")


class ImportFileError(Exception):
    """A file that cannot be imported at all; ``str(error)`` says which file and why."""


@dataclass(frozen=True)
class Rejection:
    """A row that was not imported, e.g. ``package.txt line 10: "0641-60401" is not an NDC``."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file} line {self.line}: {self.reason}"


@dataclass(frozen=True)
class ProductRecord:
    """One catalog product as an import file gives it, keyed by its 11-digit NDC.

    A field left as None is one the file does not give: the import leaves it as it is on an
    existing product (the administrators' HCPCS link, package volume, ...).
    """

    ndc: str
    name: str
    concentration: str
    file: str
    line: int
    labeler: str | None = None
    package_volume: str | None = None
    package_description: str | None = None
    ndc_unit: str | None = None
    hcpcs: str | None = None
    active: bool | None = None
    source: str = ""

    def given(self) -> dict[str, object]:
        """Return the model fields the file gives, e.g. {"name": ..., "concentration": ...}."""
        skip = {"file", "line", "source"}
        return {
            field.name: getattr(self, field.name)
            for field in fields(self)
            if field.name not in skip and getattr(self, field.name) is not None
        }


@dataclass
class ImportResult:
    """The records and rejected rows of one import (one CSV, or product.txt with package.txt)."""

    files: tuple[str, ...]
    records: list[ProductRecord]
    rejections: list[Rejection]

    def sorted_rejections(self) -> list[Rejection]:
        """Return the rejections in file order, then line order."""
        order = {name: index for index, name in enumerate(self.files)}
        return sorted(self.rejections, key=lambda r: (order.get(r.file, len(order)), r.line))


# --- Reading tables -------------------------------------------------------------------------


def _decoded_lines(handle: Iterable[bytes]) -> Iterator[str]:
    """Yield text lines: UTF-8 (a byte-order mark dropped), else Windows-1252 as Excel writes."""
    for number, raw in enumerate(handle):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
        if number == 0:
            text = text.removeprefix("\ufeff")
        yield text


PROGRESS_EVERY = 1000  # rows between two calls of an import's progress callback


def _counted(
    file: str, progress: Callable[[str, int], None] | None, path: Path, **table: Any
) -> Iterator[tuple[int, dict[str, str] | str]]:
    """Yield _read_table's rows, telling *progress* (file, line) every PROGRESS_EVERY rows."""
    rows = _read_table(path, **table)
    if progress is None:
        yield from rows
        return
    line = 0
    for count, (line, row) in enumerate(rows, start=1):
        if count % PROGRESS_EVERY == 0:
            progress(file, line)
        yield line, row
    progress(file, line)


def _read_table(
    path: Path,
    *,
    what: str,
    delimiter: str,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    exact: bool = False,
    fold_case: bool = False,
) -> Iterator[tuple[int, dict[str, str] | str]]:
    """Check the header of *path*, then yield (line number, row by column name or a reason).

    Raises ImportFileError for a file that cannot be opened or a header that is not *what*.
    The header is checked when the generator is first advanced.
    """
    name = path.name
    try:
        handle = path.open("rb")
    except OSError as error:
        raise ImportFileError(f"cannot read {path}: {error.strerror or error}") from None
    with handle:
        quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
        reader = csv.reader(_decoded_lines(handle), delimiter=delimiter, quoting=quoting)
        try:
            header = next(reader, None)
            if header is None:
                raise ImportFileError(
                    f"{name} is empty; expected {what} with the header {', '.join(required)}"
                )
            header = [column.strip() for column in header]
            if fold_case:
                header = [column.lower() for column in header]
            _check_header(name, what, header, required, optional, exact)
            previous = reader.line_num
            for row in reader:
                line, previous = previous + 1, reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) > len(header) and not any(cell.strip() for cell in row[len(header) :]):
                    row = row[: len(header)]
                if len(row) != len(header):
                    yield line, f"has {len(row)} fields, but the header has {len(header)}"
                    continue
                yield line, dict(zip(header, row, strict=True))
        except csv.Error as error:
            raise ImportFileError(f"{name} line {reader.line_num}: {error}") from None
        except OSError as error:
            raise ImportFileError(f"cannot read {path}: {error.strerror or error}") from None


def _check_header(
    name: str,
    what: str,
    header: list[str],
    required: tuple[str, ...],
    optional: tuple[str, ...],
    exact: bool,
) -> None:
    """Raise ImportFileError unless *header* has the required columns (and, if exact, no more)."""
    problems: list[str] = []
    if len(header) == 1 and "\t" in header[0]:
        problems.append("it is tab-separated")
    else:
        missing = [column for column in required if column not in header]
        if missing:
            problems.append(f"it lacks {', '.join(missing)}")
        unknown = [c for c in header if c not in required and c not in optional] if exact else []
        if unknown:
            shown = ", ".join(f'"{column}"' for column in unknown[:5])
            more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
            problems.append(f"it has unexpected columns {shown}{more}")
        duplicates = sorted(column for column, count in Counter(header).items() if count > 1)
        if duplicates:
            problems.append(f"it repeats {', '.join(duplicates)}")
    if problems:
        expected = ",".join(required) if exact else ", ".join(required)
        raise ImportFileError(
            f"{name} does not have the header of {what} ({'; '.join(problems)}); "
            f"expected {expected}"
        )


def _clean(text: str) -> str:
    """Return *text* with runs of whitespace made single spaces, e.g. "a  > b" -> "a > b"."""
    return " ".join(text.split())


def _shorten(text: str, limit: int) -> str:
    """Return *text* cut to *limit* characters with an ellipsis when it is longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- The FDA NDC directory ------------------------------------------------------------------


@dataclass(frozen=True)
class _FdaProduct:
    product_ndc: str
    name: str
    labeler: str
    concentration: str
    ended: date | None
    excluded: bool


# NDC_EXCLUDE_FLAG: "N" for a product listed in the NDC Directory; the FDA's excluded-products
# file marks why a listing is out of it (E expired certification, I inactivated, U unfinished,
# Y failed to correct a deficient listing). Anything but N (or a blank in older files) is out.
LISTED_FLAGS = frozenset({"", "N"})


def _excluded(row: Mapping[str, str]) -> bool:
    """Whether a product.txt or package.txt row carries an NDC_EXCLUDE_FLAG other than listed."""
    return row.get("NDC_EXCLUDE_FLAG", "").strip().upper() not in LISTED_FLAGS


def _fda_date(text: str, column: str) -> date | None:
    """Return an FDA date ("20271231") or None when blank; raise ValueError saying why not."""
    text = text.strip()
    if not text:
        return None
    try:
        if not re.fullmatch(r"\d{8}", text):
            raise ValueError
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise ValueError(f'{column} "{text}" is not a date (YYYYMMDD)') from None


def fda_concentration(strength: str, unit: str) -> str:
    """Return our text for an FDA strength, e.g. ("25", "mg/mL") -> "25 mg/mL".

    ("50", "ug/mL") -> "50 mcg/mL"; ("100", "mg/100mL") -> "100 mg/100 mL";
    ("5000", "[iU]/mL") -> "5000 units/mL". Raises ValueError with the reason for a strength
    that is not a single amount per volume (several ingredients, "mg/1" tablets, "mmol/mL" ...).
    """
    strength, unit = strength.strip(), unit.strip()
    if ";" in strength or ";" in unit:
        count = max(len(strength.split(";")), len(unit.split(";")))
        raise ValueError(
            f"has {count} active ingredients ({strength} {unit}); "
            "only single-ingredient products are imported"
        )
    if not strength or not unit:
        raise ValueError("has no active ingredient strength (ACTIVE_NUMERATOR_STRENGTH/UNIT)")
    if not _FDA_NUMBER.fullmatch(strength):
        raise ValueError(f'ACTIVE_NUMERATOR_STRENGTH "{strength}" is not a number')
    numerator, slash, denominator = unit.partition("/")
    amount = FDA_AMOUNT_UNITS.get(numerator.strip())
    match = _FDA_DENOMINATOR.fullmatch(denominator.strip())
    if not slash or amount is None or match is None:
        raise ValueError(
            f'strength "{strength} {unit}" is not an amount per volume this catalog can hold '
            "(e.g. mg/mL, ug/mL, mg/100mL, [iU]/mL)"
        )
    count_text, volume_unit = match.groups()
    scale, symbol = FDA_VOLUME_UNITS[volume_unit]
    count = (Decimal(count_text) if count_text else Decimal(1)) * scale
    value = units.format_decimal(Decimal(strength))
    per = symbol if count == 1 else f"{units.format_decimal(count)} {symbol}"
    text = f"{value} {amount}/{per}"
    try:
        return str(units.parse_concentration(text))
    except units.QuantityError as error:
        raise ValueError(f'strength "{strength} {unit}": {error}') from None


def fda_name(proprietary: str, suffix: str, nonproprietary: str, concentration: str) -> str:
    """Return a product name, e.g. ("INFUMORPH 500", "", "morphine sulfate", "25 mg/mL")
    -> "INFUMORPH 500 (morphine sulfate) 25 mg/mL"."""
    brand = _clean(f"{proprietary} {suffix}")
    generic = _clean(nonproprietary)
    if brand and generic and generic.casefold() not in brand.casefold():
        base = f"{brand} ({generic})"
    else:
        base = brand or generic
    return _shorten(f"{base} {concentration}", MAX_NAME)


def package_volume(description: str) -> str:
    """Return the volume of one container from an FDA PACKAGEDESCRIPTION, or "" when unclear.

    "20 mL in 1 AMPULE (0641-6040-01)" -> "20 mL";
    "10 VIAL in 1 CARTON (0703-0113-03) > 5 mL in 1 VIAL (0703-0113-01)" -> "5 mL" (the vial);
    kits ("*"), several stated volumes or none -> "".
    """
    if "*" in description:
        return ""
    levels = [level.strip() for level in description.split(">")]
    stated = [(index, _VOLUME_LEVEL.match(level)) for index, level in enumerate(levels)]
    volumes = [(index, match) for index, match in stated if match]
    if len(volumes) != 1 or volumes[0][0] != len(levels) - 1:
        return ""
    match = volumes[0][1]
    try:
        measure = units.parse_amount(
            f"{match.group(1)} {match.group(2)}", dimensions=(units.VOLUME,), example="10 mL"
        )
    except units.QuantityError:
        return ""
    return str(measure)


def _fda_product(row: Mapping[str, str]) -> _FdaProduct | list[str]:
    """Return what a product.txt row says, or the list of reasons it cannot be used."""
    problems: list[str] = []
    product_ndc = row["PRODUCTNDC"].strip()
    if not _PRODUCT_NDC.fullmatch(product_ndc):
        problems.append(f'PRODUCTNDC "{product_ndc}" is not a labeler-product code (0641-6040)')
    concentration = ""
    try:
        concentration = fda_concentration(
            row["ACTIVE_NUMERATOR_STRENGTH"], row["ACTIVE_INGRED_UNIT"]
        )
    except ValueError as error:
        problems.append(str(error))
    ended = None
    try:
        ended = _fda_date(row["ENDMARKETINGDATE"], "ENDMARKETINGDATE")
    except ValueError as error:
        problems.append(str(error))
    if not (row["PROPRIETARYNAME"].strip() or row["NONPROPRIETARYNAME"].strip()):
        problems.append("has neither PROPRIETARYNAME nor NONPROPRIETARYNAME")
    if problems:
        return problems
    return _FdaProduct(
        product_ndc=product_ndc,
        name=fda_name(
            row["PROPRIETARYNAME"],
            row["PROPRIETARYNAMESUFFIX"],
            row["NONPROPRIETARYNAME"],
            concentration,
        ),
        labeler=_shorten(_clean(row["LABELERNAME"]), MAX_LABELER),
        concentration=concentration,
        ended=ended,
        excluded=_excluded(row),
    )


def _fda_package(
    row: Mapping[str, str],
    product: _FdaProduct,
    *,
    product_id: str,
    today: date,
    file: str,
    line: int,
) -> ProductRecord | str:
    """Return the record for a package.txt row of a readable product, or the reason it is not."""
    code = row["NDCPACKAGECODE"].strip()
    try:
        ndc11 = ndc.normalize_ndc(code)
    except ndc.NdcError as error:
        return str(error)
    if "-" not in code:
        return f'NDCPACKAGECODE "{code}" needs its hyphens (e.g. 0641-6040-01)'
    if not code.startswith(product.product_ndc + "-"):
        return f'NDCPACKAGECODE "{code}" is not a package of product {product.product_ndc}'
    try:
        ended = _fda_date(row["ENDMARKETINGDATE"], "ENDMARKETINGDATE")
    except ValueError as error:
        return str(error)
    excluded = product.excluded or _excluded(row)
    ends = [day for day in (ended, product.ended) if day is not None]
    description = _clean(row["PACKAGEDESCRIPTION"])
    volume = package_volume(description)
    return ProductRecord(
        ndc=ndc11,
        name=product.name,
        concentration=product.concentration,
        file=file,
        line=line,
        labeler=product.labeler or None,
        package_volume=volume or None,
        package_description=_shorten(description, MAX_DESCRIPTION),
        active=not excluded and all(day > today for day in ends),
        source=_shorten(f"FDA NDC directory, PRODUCTID {product_id}", MAX_SOURCE),
    )


def read_fda(
    product_path: Path,
    package_path: Path,
    *,
    today: date,
    progress: Callable[[str, int], None] | None = None,
) -> ImportResult:
    """Read the FDA NDC directory's product.txt and package.txt into one record per package.

    A product row that cannot be used is rejected once (its packages are not imported and not
    listed again); a package row is rejected for its own NDC, dates, or an unknown PRODUCTID.
    *today* decides whether an ENDMARKETINGDATE has passed (the product is then inactive).
    *progress*, if given, is called with (file name, line number) every PROGRESS_EVERY rows.
    """
    product_file, package_file = product_path.name, package_path.name
    if product_path.resolve() == package_path.resolve():
        raise ImportFileError("--product and --package name the same file")
    products: dict[str, _FdaProduct] = {}
    bad_products: dict[str, tuple[int, list[str]]] = {}
    rejections: list[Rejection] = []
    product_lines: dict[str, int] = {}
    for line, row in _counted(
        product_file,
        progress,
        product_path,
        what="the FDA NDC directory's product.txt",
        delimiter="\t",
        required=PRODUCT_COLUMNS,
        optional=OPTIONAL_FDA_COLUMNS,
    ):
        if isinstance(row, str):
            rejections.append(Rejection(product_file, line, row))
            continue
        product_id = row["PRODUCTID"].strip()
        if not product_id:
            rejections.append(Rejection(product_file, line, "has no PRODUCTID"))
            continue
        if product_id in product_lines:
            reason = f"PRODUCTID {product_id} is already on line {product_lines[product_id]}"
            rejections.append(Rejection(product_file, line, reason))
            continue
        product_lines[product_id] = line
        parsed = _fda_product(row)
        if isinstance(parsed, list):
            bad_products[product_id] = (line, parsed)
        else:
            products[product_id] = parsed

    records: list[ProductRecord] = []
    skipped: Counter[str] = Counter()
    seen: dict[str, int] = {}
    for line, row in _counted(
        package_file,
        progress,
        package_path,
        what="the FDA NDC directory's package.txt",
        delimiter="\t",
        required=PACKAGE_COLUMNS,
        optional=OPTIONAL_FDA_COLUMNS,
    ):
        if isinstance(row, str):
            rejections.append(Rejection(package_file, line, row))
            continue
        product_id = row["PRODUCTID"].strip()
        if product_id in bad_products:
            skipped[product_id] += 1
            continue
        product = products.get(product_id)
        if product is None:
            reason = f"PRODUCTID {product_id or '(blank)'} is not in {product_file}"
            rejections.append(Rejection(package_file, line, reason))
            continue
        record = _fda_package(
            row, product, product_id=product_id, today=today, file=package_file, line=line
        )
        if isinstance(record, str):
            rejections.append(Rejection(package_file, line, record))
            continue
        if record.ndc in seen:
            reason = f"NDC {ndc.format_ndc(record.ndc)} is already on line {seen[record.ndc]}"
            rejections.append(Rejection(package_file, line, reason))
            continue
        seen[record.ndc] = line
        records.append(record)

    for product_id, (line, problems) in bad_products.items():
        reason = "; ".join(problems)
        if skipped[product_id]:
            count = skipped[product_id]
            reason += f" (its {count} package{'s' if count != 1 else ''} not imported)"
        rejections.append(Rejection(product_file, line, reason))
    return ImportResult(files=(product_file, package_file), records=records, rejections=rejections)


# --- The simple CSV -------------------------------------------------------------------------


def _csv_ndc(text: str, resolve: Callable[[tuple[str, ...]], list[str]] | None) -> str:
    """Return the 11-digit NDC of a CSV cell; a bare 10-digit one through the catalog."""
    try:
        return ndc.normalize_ndc(text)
    except ndc.AmbiguousNdc as error:
        found = resolve(error.candidates) if resolve else []
        if len(found) == 1:
            return found[0]
        if found:
            shown = ", ".join(ndc.format_ndc(candidate) for candidate in found)
            raise ndc.NdcError(f"{error} ({len(found)} catalog products match: {shown})") from None
        raise ndc.NdcError(f"{error} (no catalog product matches it)") from None


def csv_product(
    row: Mapping[str, str],
    *,
    file: str,
    line: int,
    hcpcs_kinds: Mapping[str, str],
    resolve_ndc: Callable[[tuple[str, ...]], list[str]] | None = None,
) -> ProductRecord | str:
    """Return the record for a CSV row, or the reason it is rejected.

    *hcpcs_kinds* maps the known HCPCS codes to their kind ("drug", "per_diem", ...);
    *resolve_ndc* returns which of a bare 10-digit NDC's readings are in the catalog.
    Blank labeler, package_volume, ndc_unit or hcpcs cells leave those fields as they are.
    """
    problems: list[str] = []
    ndc11 = ""
    try:
        ndc11 = _csv_ndc(row["ndc"], resolve_ndc)
    except ndc.NdcError as error:
        problems.append(str(error))
    name = _clean(row["name"])
    if not name:
        problems.append("has no name")
    elif len(name) > MAX_NAME:
        problems.append(f"name is longer than {MAX_NAME} characters")
    labeler = _clean(row["labeler"])
    if len(labeler) > MAX_LABELER:
        problems.append(f"labeler is longer than {MAX_LABELER} characters")
    concentration = ""
    try:
        concentration = str(units.parse_concentration(row["concentration"]))
    except units.QuantityError as error:
        problems.append(f"concentration: {error}")
    volume = ""
    if row["package_volume"].strip():
        try:
            measure = units.parse_amount(
                row["package_volume"], dimensions=(units.VOLUME,), example="10 mL"
            )
            volume = str(measure)
        except units.QuantityError as error:
            problems.append(f"package_volume: {error}")
    ndc_unit = row["ndc_unit"].strip().upper()
    if ndc_unit and ndc_unit not in NDC_UNITS:
        shown = row["ndc_unit"].strip()
        problems.append(f'ndc_unit "{shown}" is not one of {", ".join(NDC_UNITS)}')
    if ndc_unit == "UN" and not row["package_volume"].strip():
        problems.append("ndc_unit UN (containers) needs the package_volume")
    code = row["hcpcs"].strip().upper()
    if code:
        kind = hcpcs_kinds.get(code)
        if kind is None:
            problems.append(f'HCPCS code "{row["hcpcs"].strip()}" is not in the catalog')
        elif kind != "drug":
            problems.append(f"HCPCS code {code} is not a drug code")
    if problems:
        return "; ".join(problems)
    return ProductRecord(
        ndc=ndc11,
        name=name,
        concentration=concentration,
        file=file,
        line=line,
        labeler=labeler or None,
        package_volume=volume or None,
        ndc_unit=ndc_unit or None,
        hcpcs=code or None,
        source=_shorten(f"CSV import ({file})", MAX_SOURCE),
    )


def read_csv(
    path: Path,
    *,
    hcpcs_kinds: Mapping[str, str],
    resolve_ndc: Callable[[tuple[str, ...]], list[str]] | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> ImportResult:
    """Read a catalog CSV (header ndc,name,labeler,concentration,package_volume,ndc_unit,hcpcs)."""
    file = path.name
    records: list[ProductRecord] = []
    rejections: list[Rejection] = []
    seen: dict[str, int] = {}
    for line, row in _counted(
        file,
        progress,
        path,
        what="a catalog CSV",
        delimiter=",",
        required=CSV_COLUMNS,
        exact=True,
        fold_case=True,
    ):
        if isinstance(row, str):
            rejections.append(Rejection(file, line, row))
            continue
        record = csv_product(
            row, file=file, line=line, hcpcs_kinds=hcpcs_kinds, resolve_ndc=resolve_ndc
        )
        if isinstance(record, str):
            rejections.append(Rejection(file, line, record))
        elif record.ndc in seen:
            reason = f"NDC {ndc.format_ndc(record.ndc)} is already on line {seen[record.ndc]}"
            rejections.append(Rejection(file, line, reason))
        else:
            seen[record.ndc] = line
            records.append(record)
    return ImportResult(files=(file,), records=records, rejections=rejections)
