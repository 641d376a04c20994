"""Importing mobilities from the tables offices keep today: XLSX or CSV, in Vietnamese, French or
English, checked row by row with a preview, written all or nothing.
"""

from __future__ import annotations

import datetime
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accord.agreements.tests.test_views import make_agreement
from accord.mobility.models import Mobility
from accord.mobility.tests.test_views import make_mobility, make_programme, organization
from accord.partners import services as partner_services

D = datetime.date
IMPORT = reverse("mobility:mobility_import")


def csv_file(text: str, name: str = "mobilities.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def xlsx_file(rows: list[list], name: str = "mobilities.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def errors_of(html: str) -> dict[int, str]:
    return {int(n): m for n, m in re.findall(r'<tr data-row="(\d+)"><td>\d+</td><td>([^<]*)</td></tr>', html)}


def confirm(client, preview):
    token = re.search(r'name="token" value="([0-9a-f]+)"', preview.content.decode()).group(1)
    return client.post(IMPORT, {"token": token})


@pytest.fixture
def partners(users, tenants):
    editor = users["editor"]
    osaka = organization(editor, "Osaka University of Education", "JP")
    tokyo = organization(editor, "Đại học Tokyo", "JP")
    lntu = organization(editor, "Liaoning Technical University", "CN")
    programme = make_programme(editor, "Study in Japan")
    agreement = make_agreement(editor, "MoU with Osaka", [tenants["qn"], osaka], reference="QN-OSA-2024")
    return {"osaka": osaka, "tokyo": tokyo, "lntu": lntu, "programme": programme, "agreement": agreement}


ENGLISH = (
    "direction,category,full_name,email,student_number,date_of_birth,gender,nationality,host_organization,"
    "home_organization,programme,agreement,planned_start,planned_end,level,subject_area,funding_note,note\n"
    "outgoing,student,Nguyễn Thị Lan,lan@example.org,SV-001,2004-03-09,f,vn,osaka university of education,,"
    "Study in Japan,QN-OSA-2024,2025-10-01,2026-02-28,bachelor,0613,JASSO scholarship,First group\n"
    "incoming,volunteer,Sato Yuki,,,,female,JP,,Osaka University of Education,,MoU with Osaka,"
    "2025-09-01,2026-06-30,,,,JICA volunteer\n"
    "outgoing,lecturer,Trần Văn Minh,,,,m,VN,LIAONING TECHNICAL UNIVERSITY,,,,2026-03-01,2026-03-15,staff,,,\n"
)


def test_a_csv_is_previewed_then_imported(editor_client, partners, tenants):
    preview = editor_client.post(IMPORT, {"file": csv_file(ENGLISH)})

    html = preview.content.decode()
    assert preview.status_code == 200, html[:3000]
    assert "3 rows are ready to import" in html
    assert "Nguyễn Thị Lan: outgoing, Osaka University of Education, 2025-10-01" in html
    assert not Mobility.objects.exists(), "the preview wrote"

    done = confirm(editor_client, preview)

    assert done.status_code == 302 and done["Location"] == reverse("mobility:mobility_list")
    lan = Mobility.objects.get(full_name="Nguyễn Thị Lan")
    assert (lan.direction, lan.category, lan.email, lan.student_number) == (
        "outgoing",
        "student",
        "lan@example.org",
        "SV-001",
    )
    assert (lan.date_of_birth, lan.gender, lan.nationality) == (D(2004, 3, 9), "f", "VN")
    assert lan.host_organization == partners["osaka"] and lan.home_organization == tenants["qn"]
    assert lan.programme == partners["programme"] and lan.agreement == partners["agreement"]
    assert (lan.level, lan.subject_area, lan.funding_note, lan.note) == (
        "bachelor",
        "0613",
        "JASSO scholarship",
        "First group",
    )
    yuki = Mobility.objects.get(full_name="Sato Yuki")
    assert (
        yuki.direction == "incoming" and yuki.partner == partners["osaka"] and yuki.host_organization == tenants["qn"]
    )
    assert yuki.agreement == partners["agreement"] and yuki.gender == "f"
    assert Mobility.objects.get(full_name="Trần Văn Minh").partner == partners["lntu"]
    assert "3 mobilities were imported." in editor_client.get(done["Location"]).content.decode()


def test_an_xlsx_in_vietnamese_with_real_date_cells(editor_client, partners):
    rows = [
        [
            "Hướng",
            "Đối tượng",
            "Họ và tên",
            "Ngày sinh",
            "Giới tính",
            "Quốc tịch",
            "Đơn vị tiếp nhận",
            "Ngày đi dự kiến",
            "Ngày về dự kiến",
            "Ngành",
            "Ghi chú",
        ],
        [
            "Đi",
            "Sinh viên",
            "Lê Thị Hồng",
            datetime.datetime(2003, 12, 1),
            "Nữ",
            "VN",
            "dai hoc tokyo",
            datetime.datetime(2025, 10, 1),
            datetime.datetime(2026, 3, 31),
            613,
            "Học bổng MEXT",
        ],
        ["Đến", "Tình nguyện viên", "Tanaka Kenji", None, "Nam", "JP", None, D(2025, 9, 1), D(2026, 6, 30), None, None],
    ]
    # The incoming volunteer comes from Tokyo: the sending organisation is named in French.
    rows[0].append("Établissement d'origine")
    rows[1].append(None)
    rows[2].append("ĐẠI HỌC TOKYO")

    preview = editor_client.post(IMPORT, {"file": xlsx_file(rows)})
    assert preview.status_code == 200, preview.content.decode()[:3000]
    confirm(editor_client, preview)

    hong = Mobility.objects.get(full_name="Lê Thị Hồng")
    assert (hong.direction, hong.category, hong.gender) == ("outgoing", "student", "f")
    assert hong.date_of_birth == D(2003, 12, 1) and hong.planned_end == D(2026, 3, 31)
    assert hong.host_organization == partners["tokyo"] and hong.subject_area == "0613" and hong.note == "Học bổng MEXT"
    kenji = Mobility.objects.get(full_name="Tanaka Kenji")
    assert (kenji.direction, kenji.category, kenji.gender) == ("incoming", "volunteer", "m")
    assert kenji.home_organization == partners["tokyo"] and kenji.academic_year == "2025/2026"


def test_a_french_csv_with_semicolons_and_days_first(editor_client, partners):
    text = (
        "Sens;Catégorie;Nom;Établissement d'accueil;Début prévu;Fin prévue;Niveau\n"
        "sortant;enseignant;Đào Văn Nam;Liaoning Technical University;01/03/2026;15/03/2026;personnel\n"
    )

    preview = editor_client.post(IMPORT, {"file": csv_file(text)})
    assert preview.status_code == 200, preview.content.decode()[:3000]
    confirm(editor_client, preview)

    nam = Mobility.objects.get(full_name="Đào Văn Nam")
    assert (nam.direction, nam.category, nam.level) == ("outgoing", "lecturer", "staff")
    assert (nam.planned_start, nam.planned_end) == (D(2026, 3, 1), D(2026, 3, 15))


def test_every_bad_row_is_reported_by_number_and_nothing_is_written(editor_client, users, partners):
    # Two organisations answer to the same name in different countries.
    organization(users["editor"], "Kyoto University", "JP")
    organization(users["editor"], "Kyoto University", "US")
    # Hải Phòng's own partner is invisible to Quảng Ninh: as unknown as one that does not exist.
    partner_services.organization_create(
        acting_user=users["other"],
        data={"kind": "university", "name": "Hai Phong Secret Partner", "country": "KR", "shared": False},
        allow_similar=True,
    )
    text = (
        "direction,category,full_name,host_organization,programme,planned_start,planned_end,gender\n"
        "outgoing,student,Good Row,Osaka University of Education,,2025-10-01,2026-02-28,f\n"  # 2
        "outgoing,student,Bad Date,Osaka University of Education,,2025-02-30,2026-02-28,\n"  # 3
        "outgoing,student,Unknown Org,Nowhere Institute,,2025-10-01,2026-02-28,\n"  # 4
        "outgoing,student,Ambiguous,Kyoto University,,2025-10-01,2026-02-28,\n"  # 5
        "sideways,student,Bad Direction,Osaka University of Education,,2025-10-01,2026-02-28,\n"  # 6
        "outgoing,student,,Osaka University of Education,,2025-10-01,2026-02-28,\n"  # 7
        "outgoing,student,Hidden,Hai Phong Secret Partner,,2025-10-01,2026-02-28,\n"  # 8
        "outgoing,student,Reversed,Osaka University of Education,,2026-02-28,2025-10-01,\n"  # 9
        "outgoing,student,No Programme,Osaka University of Education,Summer Camp,2025-10-01,2026-02-28,\n"  # 10
        "outgoing,student,Bad Gender,Osaka University of Education,,2025-10-01,2026-02-28,q\n"  # 11
    )

    response = editor_client.post(IMPORT, {"file": csv_file(text)})

    html = response.content.decode()
    errors = errors_of(html)
    assert response.status_code == 400
    assert "9 rows have errors; nothing was imported." in html
    assert set(errors) == {3, 4, 5, 6, 7, 8, 9, 10, 11}
    assert "planned_start" in errors[3] and "2025-02-30" in errors[3]
    assert "Nowhere Institute" in errors[4]
    assert "could be Kyoto University (JP); Kyoto University (US)" in errors[5]
    assert "sideways" in errors[6]
    assert "Give the person" in errors[7]
    assert "No organisation called “Hai Phong Secret Partner”" in errors[8]
    assert "The stay cannot end before it starts." in errors[9]
    assert "Summer Camp" in errors[10]
    assert "gender" in errors[11]
    assert 'id="confirm-import"' not in html
    assert not Mobility.objects.exists()


def test_a_file_with_a_bad_date_in_xlsx_is_refused(editor_client, partners):
    rows = [
        ["direction", "category", "full_name", "host_organization", "planned_start", "planned_end"],
        ["outgoing", "student", "Row Two", "Osaka University of Education", D(2025, 10, 1), D(2026, 1, 31)],
        ["outgoing", "student", "Row Three", "Osaka University of Education", "next autumn", D(2026, 1, 31)],
    ]

    response = editor_client.post(IMPORT, {"file": xlsx_file(rows)})

    assert response.status_code == 400
    assert set(errors_of(response.content.decode())) == {3}
    assert "“next autumn” is not a date" in errors_of(response.content.decode())[3]
    assert not Mobility.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (csv_file("direction,category,full_name,colour\noutgoing,student,A,blue\n"), "unknown columns: colour"),
        (csv_file("direction,category,full_name\noutgoing,student,A\n"), "missing columns: planned_start, planned_end"),
        (csv_file("direction,category\n"), "The file has no rows below the header."),
        (SimpleUploadedFile("mobilities.pdf", b"%PDF-1.4"), "Upload an .xlsx or a .csv file."),
        (SimpleUploadedFile("mobilities.xlsx", b"not a workbook"), "The file is not a readable XLSX workbook."),
        (SimpleUploadedFile("mobilities.csv", "Họ và tên\n".encode("utf-16")), "The file is not UTF-8 text"),
    ],
)
def test_a_file_that_cannot_be_read_as_a_whole_is_refused(editor_client, partners, upload, message):
    response = editor_client.post(IMPORT, {"file": upload})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Mobility.objects.exists()


def test_an_export_imports_again(editor_client, users, partners):
    editor = users["editor"]
    make_mobility(
        editor,
        partners["osaka"],
        D(2025, 10, 1),
        D(2026, 2, 28),
        name="Nguyễn Thị Lan",
        email="lan@example.org",
        date_of_birth=D(2004, 3, 9),
        gender="f",
        nationality="VN",
        programme=partners["programme"],
        agreement=partners["agreement"],
        level="bachelor",
        subject_area="0613",
        funding_note="JASSO",
        fictitious=True,
    )
    make_mobility(editor, partners["lntu"], D(2025, 9, 1), D(2025, 12, 31), direction="incoming", name="Li Wei")
    exported = editor_client.get(reverse("mobility:mobility_export", args=["xlsx"]))

    preview = editor_client.post(IMPORT, {"file": SimpleUploadedFile("again.xlsx", exported.content)})
    assert preview.status_code == 200, preview.content.decode()[:3000]
    confirm(editor_client, preview)

    fields = [
        "direction",
        "category",
        "full_name",
        "email",
        "date_of_birth",
        "gender",
        "nationality",
        "fictitious",
        "home_organization_id",
        "host_organization_id",
        "programme_id",
        "agreement_id",
        "planned_start",
        "planned_end",
        "level",
        "subject_area",
        "funding_note",
        "owner_id",
        "months",
        "academic_year",
    ]
    copies = sorted(Mobility.objects.values_list(*fields), key=str)
    assert len(copies) == 4
    assert copies[0] == copies[1] and copies[2] == copies[3]


def test_the_commit_checks_again_and_writes_nothing_if_a_row_went_bad(editor_client, users, partners):
    preview = editor_client.post(IMPORT, {"file": csv_file(ENGLISH)})
    assert preview.status_code == 200
    partner_services.organization_update(
        organization=partners["lntu"], acting_user=users["editor"], data={"name": "LNTU (renamed)"}
    )

    response = confirm(editor_client, preview)

    assert response.status_code == 400
    assert set(errors_of(response.content.decode())) == {4}
    assert not Mobility.objects.exists()


def test_an_expired_or_foreign_token_writes_nothing(editor_client, partners):
    response = editor_client.post(IMPORT, {"token": "0" * 32}, follow=True)

    assert "This import has expired; upload the file again." in response.content.decode()
    assert not Mobility.objects.exists()


def test_a_school_imports_its_own_stays(client, users, partners, tenants):
    organization(users["editor"], "Department's Private Partner", "KR", shared=False)
    client.force_login(users["unit"])
    text = "direction,category,full_name,host_organization,planned_start,planned_end\n"
    text += "outgoing,student,Vũ Thu Trang,Department's Private Partner,2025-10-01,2026-02-28\n"

    preview = client.post(IMPORT, {"file": csv_file(text)})

    # The department's unshared record is not the school's to see.
    assert preview.status_code == 400
    assert "No organisation called “Department&#x27;s Private Partner”" in preview.content.decode()
    preview = client.post(
        IMPORT, {"file": csv_file(text.replace("Department's Private Partner", "Osaka University of Education"))}
    )
    confirm(client, preview)
    saved = Mobility.objects.get()
    assert saved.owner == tenants["hlu"] and saved.home_organization == tenants["hlu"]
    assert saved.host_organization == partners["osaka"]


def test_a_preview_of_many_rows_costs_a_few_queries_more_than_of_a_few(editor_client, partners):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    header = "direction,category,full_name,host_organization,planned_start,planned_end\n"

    def queries(count: int) -> int:
        text = header + "".join(
            f"outgoing,student,Student {n},Osaka University of Education,2025-10-01,2026-02-28\n" for n in range(count)
        )
        with CaptureQueriesContext(connection) as captured:
            preview = editor_client.post(IMPORT, {"file": csv_file(text)})
        assert f"{count} rows are ready to import" in preview.content.decode()
        return len(captured)

    # Every row is checked and written (then rolled back) in batches, not one row at a time.
    assert queries(80) - queries(4) <= 8
