"""The annual report as a printable HTML page and as a PDF.

The page is self-contained (its print stylesheet is inlined), so the same HTML is served to
the browser, kept with the job, and handed to WeasyPrint for the PDF. WeasyPrint lays text out
with Pango and the fonts installed on the machine: Vietnamese and Thai need the Noto fonts
(Debian's fonts-noto-core; fonts-noto-cjk for Chinese, Japanese and Korean names).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from accord.reports.annual import DATE, DECIMAL, INT, PERCENT, Report

NUMERIC = {INT, DECIMAL, PERCENT}


class PdfUnavailable(RuntimeError):
    """WeasyPrint (or the Pango library it needs) is not installed here."""


def _display(value, kind: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.date) or kind == DATE:
        return formats.date_format(value, "SHORT_DATE_FORMAT") if isinstance(value, datetime.date) else str(value)
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        if isinstance(value, Decimal) and value == value.to_integral_value():
            value = int(value)
        text = formats.number_format(value, decimal_pos=2 if isinstance(value, Decimal) else None, force_grouping=True)
        return f"{text} %" if kind == PERCENT else text
    return str(value)


def _tables(report: Report) -> list[dict]:
    sections = []
    for section in report.sections:
        tables = []
        for table in section.tables:
            kinds = [c.kind for c in table.columns]
            numeric = [k in NUMERIC for k in kinds]
            tables.append(
                {
                    "key": table.key,
                    "title": table.title,
                    "columns": [{"label": c.label, "numeric": n} for c, n in zip(table.columns, numeric, strict=True)],
                    "rows": [
                        [{"text": _display(v, k), "numeric": n} for v, k, n in zip(row, kinds, numeric, strict=False)]
                        for row in table.rows
                    ],
                    "totals": [
                        {"text": _display(v, k), "numeric": n}
                        for v, k, n in zip(table.totals or [], kinds, numeric, strict=False)
                    ],
                }
            )
        sections.append({"key": section.key, "title": section.title, "tables": tables, "sources": section.sources})
    return sections


def stylesheet() -> str:
    path = finders.find("reports/print.css")
    if not path:
        return ""
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def render_html(report: Report) -> str:
    with translation.override(report.language):
        return render_to_string(
            "reports/annual_report.html",
            {
                "report": report,
                "sections": _tables(report),
                "css": stylesheet(),
                "generated_at": timezone.localtime(report.generated_at),
            },
        )


def available() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def render_pdf(html: str) -> bytes:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: the Pango library is missing
        raise PdfUnavailable(str(exc)) from exc
    return HTML(string=html, base_url=None).write_pdf()
