"""Importing a call's applicants from the office's own table (XLSX or CSV): check the file, see
every bad row by its number, and import all rows at once or none.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accord.mobility import services
from accord.mobility.models import Application
from accord.mobility.tests.test_call_views import apply, csv_rows, html_of, make_call, make_programme, partner

HEADER = [
    "full_name",
    "email",
    "student_number",
    "date_of_birth",
    "gender",
    "home_unit",
    "level",
    "subject_area",
    "gpa",
    "language_certificate",
    "language_level",
    "interview_score",
    "other_score",
    "submitted_on",
    "note",
]
GOOD_ROWS = [
    [
        "Nguyễn Thị Lan",
        "lan@example.org",
        "HLU-001",
        datetime.date(2004, 5, 2),
        "nữ",
        "Ha Long University",
        "Đại học",
        "0231",
        3.6,
        "JLPT N3",
        "B2",
        80,
        None,
        datetime.date(2026, 2, 1),
        "Fictitious",
    ],
    [
        "Trần Văn Minh",
        "",
        "HLU-002",
        "14/09/2003",
        "Nam",
        "",
        "bachelor",
        "0231",
        "3,1",
        "",
        "C1",
        70,
        "",
        "2026-02-03",
        "",
    ],
    ["Lê Thu Hà", "ha@example.org", "", "", "f", "Ha Long University", "", "", 2.9, "", "B1", 65, "", "05/02/2026", ""],
]


def xlsx(rows, header=HEADER, name="applicants.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(
        name, buffer.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def csv_file(text: str, name="applicants.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), "text/csv")


@pytest.fixture
def call(users, tenants):
    editor = users["unit"]
    shizuoka = partner(editor)
    programme = make_programme(editor, "Ha Long exchange with Shizuoka", partners=[shizuoka])
    return make_call(editor, programme, "Ha Long to Shizuoka 2026", host=shizuoka)


@pytest.fixture
def unit_client(client, users):
    client.force_login(users["unit"])
    return client


def url(call) -> str:
    return reverse("mobility:application_import", args=[call.pk])


def state():
    return set(Application.objects.values_list("pk", "updated_at"))


def test_an_xlsx_table_is_previewed_then_imported(unit_client, call, tenants):
    preview = unit_client.post(url(call), {"file": xlsx(GOOD_ROWS)})

    assert preview.status_code == 200
    html = html_of(preview)
    assert "3 applications are ready to import" in html
    assert "Nguyễn Thị Lan" in html and "Lê Thu Hà" in html
    assert not Application.objects.exists(), "the preview writes nothing"
    token = preview.context["token"]

    done = unit_client.post(url(call), {"token": token}, follow=True)

    assert "3 applications were imported." in html_of(done)
    lan = Application.objects.get(student_number="HLU-001")
    assert lan.call == call and lan.gender == "f" and lan.level == "bachelor" and lan.gpa == Decimal("3.6")
    assert lan.date_of_birth == datetime.date(2004, 5, 2) and lan.home_unit == tenants["hlu"]
    minh = Application.objects.get(student_number="HLU-002")
    assert minh.gender == "m" and minh.gpa == Decimal("3.1") and minh.date_of_birth == datetime.date(2003, 9, 14)
    ha = Application.objects.get(full_name="Lê Thu Hà")
    assert ha.submitted_on == datetime.date(2026, 2, 5) and ha.language_level == "B1"
    again = unit_client.post(url(call), {"token": token})
    assert again.status_code == 302 and Application.objects.count() == 3, "a token is used once"


def test_a_csv_table_with_semicolons_is_imported(unit_client, call):
    text = "full_name;student_number;gpa;language_level;interview_score;submitted_on\n"
    text += "Phạm Quốc Bảo;HLU-010;3,4;B2;75;2026-02-10\nHoàng Mai Anh;HLU-011;3,8;C1;88;2026-02-11\n"

    preview = unit_client.post(url(call), {"file": csv_file(text)})
    unit_client.post(url(call), {"token": preview.context["token"]})

    assert sorted(Application.objects.values_list("full_name", "gpa")) == [
        ("Hoàng Mai Anh", Decimal("3.80")),
        ("Phạm Quốc Bảo", Decimal("3.40")),
    ]


def test_every_bad_row_is_reported_by_number_and_nothing_is_written(unit_client, users, call):
    apply(users["unit"], call, "Đặng Thị Hoa", student_number="HLU-500")
    before = state()
    rows = [
        GOOD_ROWS[0],
        ["Bùi Văn Nam", "", "HLU-003", "", "", "", "", "", 4.5, "", "B2", 70, "", "2026-02-01", ""],
        ["Đỗ Thanh Tâm", "", "HLU-004", "", "", "", "", "", 3.0, "", "B2", 70, "", "2026-04-15", ""],
        ["Ngô Phương Linh", "", "HLU-005", "", "", "Unknown College", "", "", 3.0, "", "B2", 70, "", "2026-02-01", ""],
        ["Lan again", "", "HLU-001", "", "", "", "", "", 3.0, "", "B2", 70, "", "2026-02-01", ""],
        ["Hoa again", "", "HLU-500", "", "", "", "", "", 3.0, "", "B2", 70, "", "2026-02-01", ""],
        ["Dương Minh Khoa", "", "HLU-006", "", "maybe", "", "", "", "abc", "", "Z9", 70, "", "yesterday", ""],
        ["", "", "HLU-007", "", "", "", "", "", 3.0, "", "B2", 70, "", "2026-02-01", ""],
    ]

    response = unit_client.post(url(call), {"file": xlsx(rows)})

    assert response.status_code == 400
    errors = dict(response.context["report"].errors)
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9]
    assert "The GPA must lie between 0 and 4" in errors[3]
    assert "The call closed on 2026-03-31" in errors[4]
    assert "No organisation called “Unknown College”" in errors[5]
    assert "already in row 2" in errors[6]
    assert "An application with this student number was already made to this call." in errors[7]
    assert "gender: “maybe” is not understood; use one of f, m, x." in errors[8]
    assert "Give the applicant's name." in errors[9]
    html = html_of(response)
    assert "7 rows have errors; nothing was imported." in html
    assert state() == before
    assert 'name="token"' not in html


def test_a_wrong_header_is_refused_naming_the_columns(unit_client, call):
    response = unit_client.post(
        url(call), {"file": xlsx([["Lan", "2026-02-01", "x"]], header=["full_name", "submitted_on", "shoe_size"])}
    )
    missing = unit_client.post(url(call), {"file": csv_file("name,gpa\nLan,3.2\n")})

    assert response.status_code == 400
    assert "unknown columns: shoe_size" in html_of(response)
    assert missing.status_code == 400 and "missing columns: full_name, submitted_on" in html_of(missing)
    assert not Application.objects.exists()


def test_a_file_that_is_not_a_table_is_refused(unit_client, call):
    response = unit_client.post(
        url(call), {"file": SimpleUploadedFile("applicants.pdf", b"%PDF-1.4", "application/pdf")}
    )
    broken = unit_client.post(
        url(call), {"file": SimpleUploadedFile("applicants.xlsx", b"not a zip", "application/zip")}
    )

    assert response.status_code == 400 and "Upload an .xlsx or a .csv file." in html_of(response)
    assert broken.status_code == 400 and "not a readable XLSX workbook" in html_of(broken)


def test_an_export_of_the_applications_imports_again_into_another_call(unit_client, users, call):
    unit = users["unit"]
    apply(unit, call, "Nguyễn Thị Lan", student_number="HLU-001", gender="f", date_of_birth=datetime.date(2004, 5, 2))
    apply(unit, call, "Trần Văn Minh", student_number="HLU-002", level="bachelor", interview="72.5")
    services.selection_run(call=call, acting_user=unit)
    second = make_call(unit, call.programme, "Ha Long to Shizuoka, second round")

    exported = unit_client.get(reverse("mobility:application_export", args=[call.pk, "xlsx"]))
    upload = SimpleUploadedFile("export.xlsx", exported.content)
    preview = unit_client.post(url(second), {"file": upload})
    unit_client.post(url(second), {"token": preview.context["token"]})

    copied = {a.student_number: a for a in Application.objects.filter(call=second)}
    assert set(copied) == {"HLU-001", "HLU-002"}
    assert copied["HLU-001"].gender == "f" and copied["HLU-001"].date_of_birth == datetime.date(2004, 5, 2)
    assert copied["HLU-002"].interview_score == Decimal("72.5") and copied["HLU-002"].level == "bachelor"
    csv_export = csv_rows(unit_client.get(reverse("mobility:application_export", args=[call.pk, "csv"])))
    assert [r["rank"] for r in csv_export] == ["1", "2"]


def test_a_confirmed_call_takes_no_import(unit_client, users, call):
    apply(users["unit"], call, "Nguyễn Thị Lan", student_number="HLU-001")
    services.selection_run(call=call, acting_user=users["unit"])
    services.selection_confirm(call=call, acting_user=users["unit"])

    response = unit_client.post(url(call), {"file": xlsx(GOOD_ROWS)})

    assert response.status_code == 400
    assert "no application can be added" in html_of(response)
    assert Application.objects.count() == 1


def test_a_department_editor_imports_into_a_schools_call_without_seeing_names(client, users, call):
    client.force_login(users["editor"])

    preview = client.post(url(call), {"file": xlsx(GOOD_ROWS[:1])})

    html = html_of(preview)
    assert preview.status_code == 200
    assert "Nguyễn Thị Lan" not in html and "Applicant in row 2" in html
