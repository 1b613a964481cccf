"""A report as plain data — sections of facts, tables and text — and its PDF.

The report builders (`file_report`, `portfolio`) decide what a reader may see and put it
into a `Report`; `render_pdf` only lays it out, so what a PDF holds is what the builder
put in, and the tests read the same data the PDF was made from.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF, FontFace
from fpdf.enums import TableBordersLayout, XPos, YPos
from fpdf.fonts import TTFFont

from credfile.reports.fonts import ReportFont

# fontTools logs every step of a font subset at INFO: a page of log lines per report.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT = "report"
INK = (33, 37, 41)
MUTED = (108, 117, 125)
ACCENT = (13, 71, 161)
HEAD_FILL = (232, 238, 247)


@dataclass(frozen=True)
class Facts:
    """Label–value pairs, two to a line."""

    rows: Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Table:
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    # Relative widths and "L"/"R"/"C" per column; None: even widths, left aligned.
    widths: Sequence[float] | None = None
    align: Sequence[str] | None = None
    caption: str = ""


@dataclass(frozen=True)
class Text:
    text: str
    muted: bool = False


Block = Facts | Table | Text


@dataclass
class ReportSection:
    key: str  # a stable name (the policy's section for a file report)
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Report:
    title: str
    subtitle: str
    reader: str
    sections: list[ReportSection]
    generated_at: datetime.datetime = field(default_factory=timezone.now)
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        """Everything the report says, as lines (what the PDF's text layer holds)."""
        lines = [self.title, self.subtitle]
        for section in self.sections:
            lines.append(section.title)
            for block in section.blocks:
                if isinstance(block, Facts):
                    lines += [f"{k} {v}" for k, v in block.rows]
                elif isinstance(block, Table):
                    lines.append(" ".join(block.headers))
                    lines += [" ".join(row) for row in block.rows]
                else:
                    lines.append(block.text)
        return "\n".join([*lines, *self.notes])


class _PDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=7.5)
        self.set_text_color(*MUTED)
        width = self.epw / 2
        self.cell(width, 5, self.footer_text, align="L")
        pages = {"page": self.page_no(), "pages": self.str_alias_nb_pages}
        self.cell(width, 5, _("Page %(page)s of %(pages)s") % pages, align="R")


def render_pdf(report: Report, font: ReportFont) -> bytes:
    pdf = _PDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_font(FONT, fname=str(font.path), collection_font_number=font.index)
    # Saving the subset would work out every glyph's bounding box again (half the time of a
    # report); the font's own boxes serve the PDF as well.
    embedded = pdf.fonts[FONT]
    if isinstance(embedded, TTFFont):
        embedded.ttfont.recalcBBoxes = False
    pdf.set_title(report.title)
    pdf.set_subject(report.subtitle)
    pdf.set_author(report.reader)
    pdf.set_creator("credfile")
    pdf.set_lang("zh-CN")
    stamp = timezone.localtime(report.generated_at).strftime("%Y-%m-%d %H:%M")
    pdf.set_creation_date(report.generated_at)
    pdf.footer_text = _("%(reader)s · %(time)s · confidential") % {
        "reader": report.reader,
        "time": stamp,
    }
    pdf.add_page()
    _title(pdf, report)
    for section in report.sections:
        _section(pdf, section)
    if report.notes:
        pdf.ln(2)
        pdf.set_font(FONT, size=7.5)
        pdf.set_text_color(*MUTED)
        for note in report.notes:
            pdf.multi_cell(0, 4, note, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def _title(pdf: FPDF, report: Report) -> None:
    pdf.set_text_color(*ACCENT)
    pdf.set_font(FONT, size=17)
    pdf.multi_cell(0, 9, report.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*MUTED)
    pdf.set_font(FONT, size=9)
    pdf.multi_cell(0, 5, report.subtitle, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.6)
    pdf.line(pdf.l_margin, pdf.get_y() + 1.5, pdf.l_margin + pdf.epw, pdf.get_y() + 1.5)
    pdf.ln(5)


def _section(pdf: FPDF, section: ReportSection) -> None:
    if pdf.will_page_break(24):
        pdf.add_page()
    pdf.ln(2)
    pdf.set_text_color(*ACCENT)
    pdf.set_font(FONT, size=12.5)
    pdf.cell(0, 7, section.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(200, 208, 220)
    pdf.set_line_width(0.2)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
    pdf.ln(2)
    for block in section.blocks:
        if isinstance(block, Facts):
            _facts(pdf, block)
        elif isinstance(block, Table):
            _table(pdf, block)
        else:
            _text(pdf, block)
        pdf.ln(1.5)


def _facts(pdf: FPDF, facts: Facts) -> None:
    if not facts.rows:
        return
    pdf.set_font(FONT, size=8.5)
    pdf.set_text_color(*INK)
    label = FontFace(color=MUTED)
    with pdf.table(
        col_widths=(17, 33, 17, 33),
        text_align="LEFT",
        borders_layout=TableBordersLayout.NONE,
        first_row_as_headings=False,
        line_height=4.6,
        padding=(0.6, 1.2),
    ) as table:
        rows = list(facts.rows)
        for start in range(0, len(rows), 2):
            row = table.row()
            for name, value in rows[start : start + 2]:
                row.cell(name, style=label)
                row.cell(value or "—")
            if len(rows[start : start + 2]) == 1:
                row.cell("")
                row.cell("")


def _table(pdf: FPDF, table_block: Table) -> None:
    if table_block.caption:
        # A caption stays with its table's heading and first rows.
        if pdf.will_page_break(22):
            pdf.add_page()
        pdf.set_font(FONT, size=9)
        pdf.set_text_color(*INK)
        pdf.cell(0, 5, table_block.caption, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=7.8)
    pdf.set_text_color(*INK)
    count = len(table_block.headers)
    widths = tuple(table_block.widths or [1] * count)
    align: Any = tuple(table_block.align or ["L"] * count)
    with pdf.table(
        col_widths=widths,
        text_align=align,
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        headings_style=FontFace(color=INK, fill_color=HEAD_FILL),
        line_height=4.4,
        padding=(0.8, 1.0),
        repeat_headings=1,
    ) as table:
        head = table.row()
        for name in table_block.headers:
            head.cell(name)
        for values in table_block.rows:
            row = table.row()
            for value in values:
                row.cell(value if value not in (None, "") else "—")


def _text(pdf: FPDF, text: Text) -> None:
    pdf.set_font(FONT, size=8.5)
    pdf.set_text_color(*(MUTED if text.muted else INK))
    pdf.multi_cell(0, 4.6, text.text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
