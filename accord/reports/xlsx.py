"""The annual report as an XLSX workbook: a cover sheet, then one sheet per section.

Each table of a section is written as its title, a header row, its rows and (where it has
them) a totals row, with real types: numbers as numbers, dates as dates. The sources cited
follow the tables.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import openpyxl
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from accord.core.tabular import _safe
from accord.reports.annual import DATE, DECIMAL, INT, PERCENT, Report, Section

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
FORMATS = {DATE: "yyyy-mm-dd", DECIMAL: "#,##0.00", INT: "#,##0", PERCENT: "0"}
_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_title(title: str, taken: set[str]) -> str:
    base = _BAD.sub(" ", title).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name.lower())
    return name


def _cell_value(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 10**15 else value
    if isinstance(value, str):
        return _safe(value)
    return value


def _write_row(sheet, row_index: int, values, kinds=None, font=None, fill=None) -> None:
    for col, value in enumerate(values, start=1):
        cell = sheet.cell(row=row_index, column=col, value=_cell_value(value))
        kind = kinds[col - 1] if kinds and col - 1 < len(kinds) else None
        if kind in FORMATS and value is not None:
            cell.number_format = FORMATS[kind]
        if font:
            cell.font = font
        if fill:
            cell.fill = fill


def _write_section(sheet, section: Section) -> None:
    row = 1
    sheet.cell(row=row, column=1, value=section.title).font = TITLE
    row += 2
    widths: dict[int, int] = {}
    for table in section.tables:
        sheet.cell(row=row, column=1, value=table.title).font = BOLD
        row += 1
        kinds = [c.kind for c in table.columns]
        _write_row(sheet, row, [c.label for c in table.columns], font=BOLD, fill=HEADER_FILL)
        for col, c in enumerate(table.columns, start=1):
            widths[col] = max(widths.get(col, 8), min(len(c.label) + 2, 40))
        row += 1
        if not table.rows:
            sheet.cell(row=row, column=1, value=_("Nothing in this year."))
            row += 1
        for values in table.rows:
            _write_row(sheet, row, values, kinds)
            for col, value in enumerate(values, start=1):
                if isinstance(value, str):
                    widths[col] = max(widths.get(col, 8), min(len(value) + 2, 60))
            row += 1
        if table.totals:
            _write_row(sheet, row, table.totals, kinds, font=BOLD)
            row += 1
        row += 1
    sheet.cell(row=row, column=1, value=_("Sources")).font = BOLD
    row += 1
    if not section.sources:
        sheet.cell(row=row, column=1, value=_("No source is cited on these records."))
    else:
        header = [_("Title"), _("Kind"), _("Publisher"), _("Date"), _("Address"), _("Citations")]
        _write_row(sheet, row, header, font=BOLD, fill=HEADER_FILL)
        row += 1
        for s in section.sources:
            _write_row(
                sheet,
                row,
                [s.title, s.kind, s.publisher, s.published_on, s.url, s.cited],
                [None, None, None, DATE, None, INT],
            )
            row += 1
    for col, width in widths.items():
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.freeze_panes = None


def workbook_bytes(report: Report) -> bytes:
    import io

    with translation.override(report.language):
        workbook = openpyxl.Workbook()
        cover = workbook.active
        taken: set[str] = set()
        cover.title = sheet_title(_("Report"), taken)
        cover["A1"] = report.title
        cover["A1"].font = TITLE
        rows = [
            (_("Organisation"), report.organization),
            (_("Consolidated over"), "; ".join(report.owners)),
            (_("Year"), report.year),
            (_("Language"), report.language),
            (_("Produced on"), timezone.localtime(report.generated_at).replace(tzinfo=None)),
        ]
        for index, (label, value) in enumerate(rows, start=3):
            cover.cell(row=index, column=1, value=label).font = BOLD
            cell = cover.cell(row=index, column=2, value=_cell_value(value))
            if isinstance(value, datetime.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        cover.column_dimensions["A"].width = 24
        cover.column_dimensions["B"].width = 80
        for section in report.sections:
            _write_section(workbook.create_sheet(sheet_title(section.title, taken)), section)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
