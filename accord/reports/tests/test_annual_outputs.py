"""The annual report's workbook, printable page and PDF: sheets, typed cells, totals, the four languages."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest

from accord.reports import annual, pdf, xlsx
from accord.reports.tests.test_annual import UNDER_QN, YEAR, _sum, make_world

pytestmark = pytest.mark.django_db

# A label already translated in each language: the "Country" column, the "Agreements" section.
LABELS = {
    "vi": ("Quốc gia", "Thỏa thuận"),
    "en": ("Country", "Agreements"),
    "fr": ("Pays", "Conventions"),
    "th": ("ประเทศ", "ข้อตกลง"),
}


@pytest.fixture
def world(tenants):
    return make_world(tenants)


@pytest.fixture
def reader(make_user):
    return make_user("viewer", username="report-reader")


def _table(sheet, title: str) -> tuple[list, list[list], list | None]:
    """The header, rows and totals row of the table titled ``title`` on a section sheet."""
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] == title)
    header = [c for c in rows[start + 1] if c is not None]
    body = []
    for r in rows[start + 2 :]:
        if all(c is None for c in r):
            break
        body.append(r[: len(header)])
    totals = body.pop() if body and body[-1][0] == "Total" else None
    return header, body, totals


def test_the_workbook_has_a_sheet_per_section_with_typed_cells_and_totals(world, tenants, reader):
    # given
    report = annual.build(reader, tenants["qn"], YEAR, "en")
    expected = _sum(world["ledgers"], UNDER_QN)

    # when
    book = openpyxl.load_workbook(io.BytesIO(xlsx.workbook_bytes(report)))

    # then
    assert book.sheetnames == [
        "Report",
        "Partners",
        "Agreements",
        "Engagements",
        "Mobility",
        "Projects and funding",
        "Quotas received and used",
        "Plan tasks and indicators",
    ]
    header, rows, totals = _table(book["Agreements"], "Agreements in the year")
    assert header == ["Event", "Agreements"]
    assert {r[0]: r[1] for r in rows} == {
        "Signed": expected.events["signed"],
        "Renewed": expected.events["renewed"],
        "Expired": expected.events["expired"],
        "Terminated": expected.events["terminated"],
    }
    assert all(isinstance(r[1], int) for r in rows)
    assert totals[1] == sum(expected.events.values())

    header, rows, _totals = _table(book["Agreements"], "Events")
    assert header[0] == "Date"
    assert all(isinstance(r[0], datetime.datetime) and r[0].year == YEAR for r in rows)

    header, rows, totals = _table(book["Mobility"], "Mobility by country")
    assert header == ["Country", "Incoming", "Outgoing", "Total"]
    assert all(isinstance(v, int) for r in rows for v in r[1:])
    assert totals[1:] == [sum(r[1] for r in rows), sum(r[2] for r in rows), sum(r[3] for r in rows)]
    assert totals[3] == sum(expected.mobility_country.values())

    header, rows, _totals = _table(book["Projects and funding"], "Budgets by currency")
    assert {r[0]: r[2] for r in rows} == {c: float(v) for c, v in expected.budgets.items()}
    assert all(isinstance(r[2], int | float) for r in rows)

    header, rows, totals = _table(book["Partners"], "Partners by country")
    assert totals[1] == len(expected.partners) == sum(r[1] for r in rows)
    cover = book["Report"]
    assert cover["A1"].value == f"International cooperation report {YEAR}"
    assert isinstance(cover["B5"].value, int) and cover["B5"].value == YEAR


@pytest.mark.parametrize("language", ["vi", "en", "fr", "th"])
def test_the_report_speaks_the_language_chosen(world, tenants, reader, language):
    # given
    country, agreements = LABELS[language]

    # when
    report = annual.build(reader, tenants["qn"], YEAR, language)
    html = pdf.render_html(report)
    book = openpyxl.load_workbook(io.BytesIO(xlsx.workbook_bytes(report)))

    # then
    assert f'<html lang="{language}">' in html
    assert f'<th scope="col">{country}</th>' in html
    assert agreements in html
    assert agreements in book.sheetnames
    assert country in [c.value for row in book[book.sheetnames[1]].iter_rows() for c in row]


def test_the_printable_page_breaks_between_sections(world, tenants, reader):
    # when
    html = pdf.render_html(annual.build(reader, tenants["qn"], YEAR, "en"))

    # then
    assert html.count('<section class="report-section"') == len(annual.SECTION_KEYS)
    assert "break-before: page" in html and "@media print" in html


@pytest.mark.skipif(not pdf.available(), reason="WeasyPrint or Pango is not installed")
@pytest.mark.parametrize("language", ["th", "vi"])
def test_the_pdf_carries_thai_and_vietnamese_text_in_embedded_fonts(world, tenants, reader, language):
    from pypdf import PdfReader

    # given
    report = annual.build(reader, tenants["qn"], YEAR, language)

    # when
    document = PdfReader(io.BytesIO(pdf.render_pdf(pdf.render_html(report))))

    # then
    text = "".join(page.extract_text() for page in document.pages)
    assert LABELS[language][1] in text
    assert "Quảng Ninh Department of Education and Training" in text
    fonts = set()
    for page in document.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            descriptor = descriptor.get_object()
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
            fonts.add(str(font["/BaseFont"]))
    if language == "th":
        assert any("Thai" in name for name in fonts)
