"""Reading and writing tables (XLSX and CSV) for exports and all-or-nothing imports."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import openpyxl
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from openpyxl.utils.exceptions import InvalidFileException

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class TableError(ValueError):
    """The file as a whole cannot be read: wrong format, encoding, size or header."""


def _safe(value: Any) -> Any:
    # A cell that starts like a formula is written as text, so that a spreadsheet program
    # opening the export never runs it.
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([_safe("" if v is None else v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "") -> HttpResponse:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(title or filename)[:31])
    sheet.append(list(header))
    for row in rows:
        sheet.append([_safe(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def read_table(name: str, data: bytes) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """The header and the numbered rows of an uploaded XLSX or CSV file.

    Row numbers are those the user sees in a spreadsheet program (the header is row 1).
    Raises ``TableError`` saying what is wrong with the file as a whole.
    """
    limit = settings.ACCORD_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise TableError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(len(data) / 1_048_576, 1), "limit": round(limit / 1_048_576, 1)}
        )
    if not data:
        raise TableError(_("The file is empty."))
    lower = name.lower()
    if lower.endswith(".xlsx"):
        header, rows = _read_xlsx(data)
    elif lower.endswith(".csv"):
        header, rows = _read_csv(data)
    else:
        raise TableError(_("Upload an .xlsx or a .csv file."))
    if not rows:
        raise TableError(_("The file has no rows below the header."))
    if len(rows) > settings.ACCORD_IMPORT_MAX_ROWS:
        raise TableError(_("The file has more than %(max)s rows.") % {"max": settings.ACCORD_IMPORT_MAX_ROWS})
    return header, rows


def _read_csv(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError(
            _(
                "The file is not UTF-8 text (byte %(position)s cannot be read). "
                "Save it as “CSV UTF-8” in your spreadsheet program and upload it again."
            )
            % {"position": exc.start + 1}
        ) from exc
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    lines = list(reader)
    if not lines:
        raise TableError(_("The file is empty."))
    header = [h.strip() for h in lines[0]]
    rows = [(number, line) for number, line in enumerate(lines[1:], start=2) if any(cell.strip() for cell in line)]
    return header, rows


def _read_xlsx(data: bytes):
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise TableError(_("The file is not a readable XLSX workbook.")) from exc
    sheet = workbook.worksheets[0]
    header: list[str] = []
    rows: list[tuple[int, list[Any]]] = []
    formulas: list[str] = []
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        values = []
        for cell in cells:
            if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=")):
                formulas.append(f"{cell.coordinate}")
            values.append(cell.value)
        if number == 1:
            header = ["" if v is None else str(v).strip() for v in values]
        elif any(v not in (None, "") for v in values):
            rows.append((number, values))
    workbook.close()
    if formulas:
        raise TableError(
            _("Cells %(cells)s contain formulas; replace them with their values and upload again.")
            % {"cells": ", ".join(formulas[:10]) + ("…" if len(formulas) > 10 else "")}
        )
    if not header or not any(header):
        raise TableError(_("The first row must hold the column names."))
    return header, rows


@dataclass
class ImportReport:
    header: list[str]
    total: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def check_header(header: list[str], required: Sequence[str], allowed: Sequence[str]) -> None:
    unknown = [h for h in header if h and h not in allowed]
    missing = [h for h in required if h not in header]
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    problems = []
    if missing:
        problems.append(_("missing columns: %(cols)s") % {"cols": ", ".join(missing)})
    if unknown:
        problems.append(_("unknown columns: %(cols)s") % {"cols": ", ".join(unknown)})
    if duplicated:
        problems.append(_("columns given twice: %(cols)s") % {"cols": ", ".join(duplicated)})
    if problems:
        raise TableError(
            _("The header row is wrong (%(problems)s). Expected columns: %(expected)s.")
            % {"problems": "; ".join(problems), "expected": ", ".join(allowed)}
        )


class _Rollback(Exception):
    pass


def run_import(
    header: list[str],
    rows: list[tuple[int, list[Any]]],
    import_row: Callable[[dict[str, Any], int], str],
    *,
    commit: bool,
) -> ImportReport:
    """Import every row inside one transaction; keep it only if ``commit`` and no row failed.

    ``import_row`` receives the row as a mapping of column name to cell, and its number, and returns a label
    of what it created, or raises ``ValidationError``/``PermissionDenied`` with the reason.
    The preview runs the very same code and rolls back, so what it reports is what a
    commit would do.
    """
    from django.core.exceptions import PermissionDenied, ValidationError

    report = ImportReport(header=header, total=len(rows))
    import_all = getattr(import_row, "import_all", None)
    if import_all is not None:
        return _run_import_all(report, header, rows, import_all, commit=commit)
    try:
        with transaction.atomic():
            for number, cells in rows:
                record = {h: (cells[i] if i < len(cells) else None) for i, h in enumerate(header) if h}
                try:
                    with transaction.atomic():
                        report.created.append(import_row(record, number))
                except ValidationError as exc:
                    report.errors.append((number, _messages(exc)))
                except PermissionDenied as exc:
                    report.errors.append((number, str(exc) or _("Not allowed.")))
            if report.errors or not commit:
                raise _Rollback
            report.committed = True
    except _Rollback:
        pass
    return report


def _run_import_all(report: ImportReport, header, rows, import_all, *, commit: bool) -> ImportReport:
    """The same contract for an importer that takes every row at once (``import_all``): it returns
    the labels of what it created and ``(row number, error)`` for each refused row."""
    from django.core.exceptions import PermissionDenied

    records = [
        (number, {h: (cells[i] if i < len(cells) else None) for i, h in enumerate(header) if h})
        for number, cells in rows
    ]
    try:
        with transaction.atomic():
            created, errors = import_all(records)
            report.created.extend(created)
            for number, exc in errors:
                if isinstance(exc, PermissionDenied):
                    report.errors.append((number, str(exc) or _("Not allowed.")))
                else:
                    report.errors.append((number, _messages(exc)))
            if report.errors or not commit:
                raise _Rollback
            report.committed = True
    except _Rollback:
        pass
    return report


def _messages(exc) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(msgs)}" if field != "__all__" else " ".join(msgs)
            for field, msgs in exc.message_dict.items()
        )
    return " ".join(exc.messages)
