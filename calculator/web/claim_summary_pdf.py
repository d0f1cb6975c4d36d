"""The claim summary PDF, drawn with fpdf2 in the printed page's layout.

The printed page is `_claim_summary_body.html` under `static/css/print.css`; this module draws
the same sheets from the same `summary` context: the title and scope on the first sheet, then
one order a sheet (its number and status, patient, profile and service dates, then box 24 with
the shaded NDC line above each drug line and the claim total), "Page N of M" at the foot.
`tests/web/test_claim_summary.py` checks that every cell of the page is on the PDF, in order.

Why not WeasyPrint on the page's HTML: its layout costs about 1 ms per table cell (95 ms an
order here, 500 orders in over 45 s of CPU), where drawing the cells directly costs about
4 ms an order (docs/performance.md). Fonts are the machine's own DejaVu Sans (Debian's
fonts-dejavu-core), embedded and subset; without them the PDF falls back to the PDF's built-in
Helvetica, with '?' for a character outside Latin-1.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fpdf import FPDF

# Letter, 12 mm margins, as print.css's @page; sizes in points.
PAGE_FORMAT = "letter"
MARGIN = 34.0
TITLE_SIZE = 14.0
ORDER_SIZE = 11.0
TEXT_SIZE = 9.0
HEADING_SIZE = 6.5
CELL_SIZE = 8.0
FOOT_SIZE = 8.0
PADDING = 3.0
NDC_SHADE = 230  # print.css: .ndc-line { background: #e6e6e6 }
ASCENT = 0.95  # from a line's top to its baseline, in font sizes (line height 1.25)
TOTAL_PAGES = "{total pages}"  # replaced by the page count; as wide as the widest count

# Box 24's columns as on the page: heading, width in points, alignment. The description takes
# what is left of the line.
COLUMNS: tuple[tuple[str, float, str], ...] = (
    ("#", 18, "R"),
    ("24A From", 54, "L"),
    ("24A To", 54, "L"),
    ("24B POS", 30, "L"),
    ("24D CPT/HCPCS", 50, "L"),
    ("24D Modifier", 44, "L"),
    ("24F Charges", 58, "R"),
    ("24G Units", 38, "R"),
    ("Description", 0, "L"),
)
CHARGE_COLUMN = 6

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "M": "DejaVuSansMono.ttf"}


def _font_files() -> dict[str, Path] | None:
    """Return DejaVu Sans (regular, bold, mono) on this machine, or None if any is missing."""
    for folder in FONT_DIRS:
        files = {style: folder / name for style, name in FONT_FILES.items()}
        if all(path.is_file() for path in files.values()):
            return files
    return None


class SummaryPDF(FPDF):
    """Letter sheets with "Page N of M" at the foot; text wrapped to its cell."""

    def __init__(self) -> None:
        super().__init__(unit="pt", format=PAGE_FORMAT)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(False)
        self.set_title("Claim summary")
        self.set_creator("Infusion calculator")
        files = _font_files()
        if files is None:
            self.sans, self.mono, self.bold = "helvetica", "courier", "B"
        else:
            self.add_font("summary-sans", "", files[""])
            self.add_font("summary-sans", "B", files["B"])
            self.add_font("summary-mono", "", files["M"])
            self.sans, self.mono, self.bold = "summary-sans", "summary-mono", "B"
        self.core_fonts_only = files is None
        self.width = self.w - 2 * MARGIN
        described = sum(width for _, width, _ in COLUMNS)
        self.widths = [width or self.width - described for _, width, _ in COLUMNS]
        self.bottom = self.h - MARGIN - FOOT_SIZE - 4
        # Claim lines repeat their dates, codes and descriptions: measure each text once.
        self._widths: dict[tuple[str, str, float, str], float] = {}
        self.alias_nb_pages(TOTAL_PAGES)

    def measure(self, text: str) -> float:
        key = (self.font_family, self.font_style, self.font_size_pt, text)
        width = self._widths.get(key)
        if width is None:
            width = self._widths[key] = self.get_string_width(text)
        return width

    def text_for(self, value: object) -> str:
        """The text to draw: the built-in fonts only know Latin-1, so others become '?'."""
        text = "" if value is None else str(value)
        if self.core_fonts_only:
            return text.encode("latin-1", "replace").decode("latin-1")
        return text

    def footer(self) -> None:
        self.set_y(self.h - MARGIN - FOOT_SIZE)
        self.set_font(self.sans, "", FOOT_SIZE)
        self.cell(0, FOOT_SIZE, f"Page {self.page_no()} of {TOTAL_PAGES}", align="R")

    def wrapped(self, text: str, width: float) -> list[str]:
        """Split `text` into lines no wider than `width` at the current font (words kept whole
        unless a word alone is too wide, which is then cut)."""
        text = self.text_for(text)
        if not text or self.measure(text) <= width:
            return [text]
        lines: list[str] = []
        line = ""
        for word in text.split():
            candidate = f"{line} {word}" if line else word
            if self.measure(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while self.measure(word) > width and len(word) > 1:
                cut = len(word) - 1
                while cut > 1 and self.measure(word[:cut]) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
        return lines

    def paragraph(self, text: str, size: float, style: str = "") -> None:
        self.set_font(self.sans, style, size)
        for line in self.wrapped(text, self.width):
            self.cell(0, size * 1.3, line, new_x="LMARGIN", new_y="NEXT")

    def row(
        self,
        cells: Sequence[tuple[str, float, str]],
        *,
        font: tuple[str, str, float],
        fill: bool = False,
        repeat_heading: bool = True,
    ) -> None:
        """Draw one table row of (text, width, align) cells, each wrapped, with thin rules; a
        row that would cross the foot starts a new sheet (with the headings again)."""
        family, style, size = font
        self.set_font(family, style, size)
        line_height = size * 1.25
        texts = [self.wrapped(text, width - 2 * PADDING) for text, width, _ in cells]
        height = max(len(lines) for lines in texts) * line_height + 2 * PADDING
        if self.get_y() + height > self.bottom:
            self.add_page()
            if repeat_heading:
                self.headings()
            self.set_font(family, style, size)
        x, y = self.l_margin, self.get_y()
        if fill:
            self.set_fill_color(NDC_SHADE)
        baseline = y + PADDING + size * ASCENT
        for (_, width, align), lines in zip(cells, texts, strict=True):
            self.rect(x, y, width, height, style="DF" if fill else "D")
            for index, line in enumerate(lines):
                if not line:
                    continue
                left = x + PADDING
                if align == "R":
                    left = x + width - PADDING - self.measure(line)
                self.text(left, baseline + index * line_height, line)
            x += width
        self.set_xy(self.l_margin, y + height)

    def headings(self) -> None:
        cells = [
            (heading.upper(), width, align)
            for (heading, _, align), width in zip(COLUMNS, self.widths, strict=True)
        ]
        self.row(cells, font=(self.sans, self.bold, HEADING_SIZE), repeat_heading=False)

    def order(self, claim: Any) -> None:
        """One order's header, facts and box 24 (lines, NDC lines, claim total)."""
        order = claim.order
        self.set_font(self.sans, self.bold, ORDER_SIZE)
        heading = f"Order {order.pk}"
        self.cell(self.get_string_width(heading) + 6, ORDER_SIZE * 1.3, heading)
        self.set_font(self.sans, "", HEADING_SIZE + 1)  # the status badge, boxed as print.css
        status = order.get_status_display()
        self.cell(self.get_string_width(status) + 6, ORDER_SIZE * 1.1, status, border=1)
        self.ln(ORDER_SIZE * 1.5)
        self.paragraph(
            f"Patient: {order.patient_reference}    Profile: {order.profile.name}    "
            f"Service: {claim.service}",
            TEXT_SIZE,
        )
        self.ln(3)
        self.claim_lines(claim.lines, claim.total)
        if claim.secondary_name:
            self.ln(4)
            self.paragraph(f"Secondary claim ({claim.secondary_name})", TEXT_SIZE, "B")
            self.claim_lines(claim.secondary_lines, claim.secondary_total)

    def claim_lines(self, lines: Any, claim_total: Any) -> None:
        """One claim's box 24: its lines with their NDC lines, then the claim total."""
        self.headings()
        widths = self.widths
        cell_font = (self.sans, "", CELL_SIZE)
        for line in lines:
            if line.supplemental:
                self.row(
                    [("", widths[0], "L"), (line.supplemental, sum(widths[1:]), "L")],
                    font=(self.mono, "", CELL_SIZE),
                    fill=True,
                )
            values = (
                line.number,
                line.start,
                line.end,
                line.place_of_service,
                line.code,
                line.modifiers,
                "no price" if line.charge is None else line.charge,
                line.units,
                line.description,
            )
            self.row(
                [
                    (value, width, align)
                    for value, width, (_, _, align) in zip(values, widths, COLUMNS, strict=True)
                ],
                font=cell_font,
            )
        total = "incomplete" if claim_total is None else str(claim_total)
        self.row(
            [
                ("Claim total", sum(widths[:CHARGE_COLUMN]), "L"),
                (total, widths[CHARGE_COLUMN], "R"),
                ("", sum(widths[CHARGE_COLUMN + 1 :]), "L"),
            ],
            font=(self.sans, self.bold, CELL_SIZE),
        )


def render(summary: dict[str, Any]) -> bytes:
    """Return the claim summary as PDF bytes: the title sheet's scope, then a sheet an order."""
    pdf = SummaryPDF()
    pdf.add_page()
    pdf.paragraph("Claim summary", TITLE_SIZE, "B")
    pdf.paragraph(summary["scope"], TEXT_SIZE)
    pdf.ln(6)
    claims = summary["claims"]
    for index, claim in enumerate(claims):
        if index:
            pdf.add_page()
        pdf.order(claim)
    if not claims:
        pdf.paragraph("No verified orders match these filters.", TEXT_SIZE)
    else:
        pdf.ln(6)
        pdf.paragraph(summary["totals"], TEXT_SIZE)
    return bytes(pdf.output())
