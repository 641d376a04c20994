"""Export of the filtered directory to XLSX and CSV; import with preview, all or nothing."""

import csv
import io
import unicodedata

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from accord.partners import services
from accord.partners.models import Organization, OrganizationIdentifier, OrganizationName
from accord.partners.tabular import ORG_EXPORT_COLUMNS

IMPORT_URL = "/partners/organisations/import/"
HEADER = [
    "name",
    "name_language",
    "kind",
    "country",
    "subdivision",
    "city",
    "website",
    "other_names",
    "identifiers",
    "notes",
]
GOOD_ROWS = [
    [
        "Osaka University",
        "en",
        "university",
        "JP",
        "JP-27",
        "Suita",
        "https://www.osaka-u.ac.jp/",
        "ja: 大阪大学; en/abbreviation: OU",
        "schac: osaka-u.ac.jp",
        "",
    ],
    [
        "Trường Cao đẳng Việt Hàn Quảng Ninh",
        "vi",
        "college",
        "VN",
        "VN-13",
        "Uông Bí",
        "",
        "en: Viet Han College of Quang Ninh",
        "",
        "Hợp tác từ 2015",
    ],
    [
        "Guangxi Normal University",
        "en",
        "university",
        "CN",
        "CN-GX",
        "Guilin",
        "",
        "zh-Hans: 广西师范大学; en/abbreviation: GXNU",
        "pic: 987654321",
        "",
    ],
]


def _xlsx(rows, header=HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv(rows, header=HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _cp1258(text: str) -> bytes:
    """``text`` as Windows-1258 bytes, the legacy Vietnamese encoding: base letter then tone mark."""
    out = b""
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        tones = "".join(m for m in decomposed if m in "\u0300\u0301\u0303\u0309\u0323")
        base = unicodedata.normalize("NFC", "".join(m for m in decomposed if m not in tones))
        out += base.encode("cp1258") + tones.encode("cp1258")
    return out


def _upload(client, name: str, data: bytes):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, data)})


def _snapshot() -> tuple[int, int, int, int]:
    return (
        Organization.objects.count(),
        OrganizationName.objects.count(),
        OrganizationIdentifier.objects.count(),
        Organization.history.count(),
    )


def _errors(response) -> list[str]:
    """The messages the page shows about the file or its rows."""
    context = response.context
    report = context.get("report")
    texts = [message for _number, message in report.errors] if report else []
    return texts + list(context["form"].errors.get("file", []))


def _export(client, fmt: str, **filters):
    response = client.get(reverse("partners:organization_export", args=[fmt]), filters)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        return rows[0], rows[1:]
    sheet = openpyxl.load_workbook(io.BytesIO(body)).worksheets[0]
    rows = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    return rows[0], rows[1:]


@pytest.fixture
def partners(editor):
    made = {}
    made["lntu"] = services.organization_create(
        acting_user=editor,
        data={
            "kind": "university",
            "name": "Liaoning Technical University",
            "name_language": "en",
            "country": "CN",
            "subdivision": "CN-LN",
            "city": "Fuxin",
        },
        names=[
            {"name": "辽宁工程技术大学", "language": "zh-Hans", "kind": "official"},
            {"name": "LNTU", "language": "en", "kind": "abbreviation"},
            {"name": "Trường Đại học Kỹ thuật Liêu Ninh", "language": "vi", "kind": "official"},
        ],
        identifiers=[{"scheme": "pic", "value": "123456789"}],
    )
    made["kmutt"] = services.organization_create(
        acting_user=editor,
        data={"kind": "university", "name": "King Mongkut's University of Technology Thonburi", "country": "TH"},
        names=[
            {"name": "มหาวิทยาลัยเทคโนโลยีพระจอมเกล้าธนบุรี", "language": "th", "kind": "official"},
            {"name": "KMUTT", "language": "en", "kind": "abbreviation"},
        ],
    )
    made["gxnu"] = services.organization_create(
        acting_user=editor,
        data={"kind": "university", "name": "Guangxi Normal University", "country": "CN", "subdivision": "CN-GX"},
        names=[{"name": "广西师范大学", "language": "zh-Hans", "kind": "official"}],
    )
    made["koica"] = services.organization_create(
        acting_user=editor,
        data={"kind": "agency", "name": "Korea International Cooperation Agency", "country": "KR"},
        names=[{"name": "한국국제협력단", "language": "ko", "kind": "official"}],
    )
    return made


# --- export ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_contains_exactly_the_filtered_rows(editor_client, partners, fmt):
    header, rows = _export(editor_client, fmt, country="CN")

    assert header == ORG_EXPORT_COLUMNS
    by_name = {row[header.index("name")]: row for row in rows}
    assert set(by_name) == {"Liaoning Technical University", "Guangxi Normal University"}
    lntu = by_name["Liaoning Technical University"]
    other_names = lntu[header.index("other_names")]
    assert "zh-Hans: 辽宁工程技术大学" in other_names
    assert "vi: Trường Đại học Kỹ thuật Liêu Ninh" in other_names
    assert "en/abbreviation: LNTU" in other_names
    assert lntu[header.index("identifiers")] == "pic: 123456789"
    assert lntu[header.index("subdivision")] == "CN-LN"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_follows_the_search(editor_client, partners, fmt):
    header, rows = _export(editor_client, fmt, q="kmutt")

    assert [row[header.index("name")] for row in rows] == ["King Mongkut's University of Technology Thonburi"]
    assert "th: มหาวิทยาลัยเทคโนโลยีพระจอมเกล้าธนบุรี" in rows[0][header.index("other_names")]


def test_export_of_an_invalid_filter_is_empty_not_everything(editor_client, partners):
    _header, rows = _export(editor_client, "csv", country="XX")

    assert rows == []


def test_export_neutralises_cells_that_look_like_formulas(editor_client, editor, tenants):
    services.organization_create(
        acting_user=editor, data={"kind": "company", "name": "Acme Trading", "notes": '=HYPERLINK("http://evil")'}
    )

    header, rows = _export(editor_client, "xlsx", q="acme")

    assert rows[0][header.index("notes")].startswith("'=")


# --- import: the happy path -----------------------------------------------------------------


@pytest.mark.parametrize(("name", "make"), [("partners.xlsx", _xlsx), ("partners.csv", _csv)])
def test_import_previews_then_creates_the_rows_on_confirmation(editor_client, editor, tenants, name, make):
    before = _snapshot()

    preview = _upload(editor_client, name, make(GOOD_ROWS))

    assert preview.status_code == 200
    page = preview.content.decode()
    assert 'id="import-preview"' in page
    for row in GOOD_ROWS:
        assert row[0] in page
    assert _snapshot() == before

    confirmed = editor_client.post(IMPORT_URL, {"token": preview.context["token"]})

    assert confirmed.status_code == 302
    osaka = Organization.objects.get(name="Osaka University")
    assert (osaka.kind, osaka.country, osaka.subdivision, osaka.city) == ("university", "JP", "JP-27", "Suita")
    assert {(n.name, n.language, n.kind) for n in osaka.names.all()} == {
        ("大阪大学", "ja", "official"),
        ("OU", "en", "abbreviation"),
    }
    assert [(i.scheme, i.value) for i in osaka.identifiers.all()] == [("schac", "osaka-u.ac.jp")]
    viet_han = Organization.objects.get(name="Trường Cao đẳng Việt Hàn Quảng Ninh")
    assert viet_han.notes == "Hợp tác từ 2015" and viet_han.owner == tenants["qn"]
    gxnu = Organization.objects.get(name="Guangxi Normal University")
    assert gxnu.identifiers.get().value == "987654321"
    created = Organization.history.filter(history_type="+", name__in=[row[0] for row in GOOD_ROWS])
    assert created.count() == 3
    assert {h.history_user for h in created} == {editor}
    assert OrganizationName.history.filter(organization_id=osaka.pk, history_user=editor).count() == 2


def test_a_semicolon_separated_csv_with_a_bom_is_read(editor_client, tenants):
    """What a spreadsheet program in Vietnamese or French saves as "CSV UTF-8"."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows([HEADER, *GOOD_ROWS])
    data = ("\ufeff" + buffer.getvalue()).encode("utf-8")

    preview = _upload(editor_client, "partners.csv", data)
    editor_client.post(IMPORT_URL, {"token": preview.context["token"]})

    osaka = Organization.objects.get(name="Osaka University")
    assert set(osaka.names.values_list("name", flat=True)) == {"大阪大学", "OU"}


def test_imported_names_are_searchable(editor_client, tenants):
    preview = _upload(editor_client, "partners.xlsx", _xlsx(GOOD_ROWS))
    editor_client.post(IMPORT_URL, {"token": preview.context["token"]})

    listed = editor_client.get("/partners/organisations/", {"q": "viet han quang ninh"})

    assert "Trường Cao đẳng Việt Hàn Quảng Ninh" in listed.content.decode()


def test_confirming_with_an_unknown_token_writes_nothing(editor_client, tenants):
    _upload(editor_client, "partners.xlsx", _xlsx(GOOD_ROWS))
    before = _snapshot()

    response = editor_client.post(IMPORT_URL, {"token": "0" * 32})

    assert response.status_code == 302
    assert _snapshot() == before


def test_a_viewer_cannot_import(client, users):
    client.force_login(users["viewer"])
    before = _snapshot()

    response = _upload(client, "partners.xlsx", _xlsx(GOOD_ROWS))

    assert response.status_code == 403
    assert _snapshot() == before


# --- import: bad files ----------------------------------------------------------------------


def _refused(client, name: str, data: bytes) -> str:
    """Upload ``data``; assert a 4xx answer that shows why, and nothing written; return the message."""
    before = _snapshot()
    response = _upload(client, name, data)
    assert 400 <= response.status_code < 500
    page = response.content.decode()
    assert 'id="confirm-import"' not in page
    assert _snapshot() == before
    messages = _errors(response)
    assert messages
    assert all(escape(message) in page for message in messages)
    return " ".join(messages)


@pytest.mark.parametrize(
    "encode",
    [_cp1258, lambda text: text.encode("latin-1", errors="replace")],
    ids=["cp1258", "latin-1"],
)
def test_a_csv_in_a_legacy_encoding_is_refused(editor_client, tenants, encode):
    text = "name,kind,country\nTrường Đại học Đà Lạt,university,VN\nÉcole normale supérieure,university,FR\n"

    message = _refused(editor_client, "partners.csv", encode(text))

    assert "UTF-8" in message


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["name", "kind", "country", "colour"], "colour"),
        (["name", "country"], "kind"),
        (["name", "kind", "kind"], "kind"),
    ],
    ids=["unknown", "missing", "twice"],
)
def test_an_xlsx_with_a_wrong_header_is_refused(editor_client, tenants, header, expected):
    data = _xlsx([["Osaka University", "university", "JP", "blue"][: len(header)]], header=header)

    message = _refused(editor_client, "partners.xlsx", data)

    assert "header" in message and expected in message


def test_an_xlsx_with_a_formula_is_refused(editor_client, tenants):
    rows = [list(GOOD_ROWS[0]), list(GOOD_ROWS[1])]
    rows[1][5] = "=1+1"

    message = _refused(editor_client, "partners.xlsx", _xlsx(rows))

    assert "F3" in message and "formula" in message


def test_a_file_over_the_size_limit_is_refused(editor_client, tenants, settings):
    data = _xlsx(GOOD_ROWS)
    settings.ACCORD_IMPORT_MAX_BYTES = len(data) - 1

    message = _refused(editor_client, "partners.xlsx", data)

    assert "limit" in message


@pytest.mark.parametrize(
    "data", [b"this is not a workbook", _csv(GOOD_ROWS), b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"], ids=["text", "csv", "pdf"]
)
def test_a_file_named_xlsx_that_is_not_one_is_refused(editor_client, tenants, data):
    message = _refused(editor_client, "partners.xlsx", data)

    assert "XLSX" in message


def test_an_empty_file_is_refused(editor_client, tenants):
    response = _upload(editor_client, "partners.csv", b"")

    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert Organization.objects.count() == len(tenants)


def test_another_file_type_is_refused(editor_client, tenants):
    message = _refused(editor_client, "partners.ods", b"PK\x03\x04 something")

    assert ".xlsx" in message


@pytest.mark.parametrize(("name", "make"), [("partners.xlsx", _xlsx), ("partners.csv", _csv)])
def test_every_bad_row_is_listed_by_number_and_nothing_is_written(editor_client, tenants, name, make):
    rows = [
        ["Osaka University", "en", "university", "JP", "", "", "", "", "", ""],  # row 2
        ["Université de Lyon", "fr", "university", "XX", "", "", "", "", "", ""],  # row 3: bad country
        ["Kyoto University", "en", "university", "JP", "", "", "", "", "", ""],  # row 4
        ["", "en", "university", "JP", "", "Sendai", "", "", "", ""],  # row 5: empty name
        ["Tokyo Space Port", "en", "spaceport", "JP", "", "", "", "", "", ""],  # row 6: unknown kind
        ["Hokkaido University", "en", "university", "JP", "", "", "", "", "", ""],  # row 7
    ]
    before = _snapshot()

    response = _upload(editor_client, name, make(rows))

    assert response.status_code == 400
    report = response.context["report"]
    assert [number for number, _message in report.errors] == [3, 5, 6]
    messages = dict(report.errors)
    assert "country" in messages[3] and "XX" in messages[3]
    assert "name" in messages[5]
    assert "kind" in messages[6] and "spaceport" in messages[6]
    page = response.content.decode()
    assert 'id="import-errors"' in page and 'id="confirm-import"' not in page
    assert _snapshot() == before


def test_a_row_that_repeats_another_row_is_reported(editor_client, tenants):
    rows = [GOOD_ROWS[0], GOOD_ROWS[1], GOOD_ROWS[0]]

    response = _upload(editor_client, "partners.xlsx", _xlsx(rows))

    assert response.status_code == 400
    assert [number for number, _message in response.context["report"].errors] == [4]
    assert "row 2" in response.context["report"].errors[0][1]


def test_bad_identifiers_and_other_names_are_reported_by_row(editor_client, tenants):
    rows = [
        ["Osaka University", "en", "university", "JP", "", "", "", "", "pic: 12345", ""],
        ["Kyoto University", "en", "university", "JP", "", "", "", "", "doi 10.1234", ""],
        ["Tohoku University", "en", "university", "JP", "", "", "", "ja/nickname: 東北大", "", ""],
        ["Nagoya University", "en", "university", "JP", "", "", "www.nagoya", "", "", ""],
    ]
    before = _snapshot()

    response = _upload(editor_client, "partners.xlsx", _xlsx(rows))

    assert response.status_code == 400
    messages = dict(response.context["report"].errors)
    assert sorted(messages) == [2, 3, 4, 5]
    assert "nine digits" in messages[2]
    assert "identifiers" in messages[3]
    assert "nickname" in messages[4]
    assert "website" in messages[5]
    assert _snapshot() == before


def test_importing_the_same_file_twice_writes_nothing_the_second_time(editor_client, tenants):
    data = _xlsx(GOOD_ROWS)
    first = _upload(editor_client, "partners.xlsx", data)
    editor_client.post(IMPORT_URL, {"token": first.context["token"]})
    before = _snapshot()

    second = _upload(editor_client, "partners.xlsx", data)

    assert second.status_code == 400
    errors = second.context["report"].errors
    assert [number for number, _message in errors] == [2, 3, 4]
    for (_number, message), row in zip(errors, GOOD_ROWS, strict=True):
        assert "already" in message and row[0] in message
    assert _snapshot() == before


# --- round trip -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_edit_and_import_into_an_empty_directory(editor_client, editor, partners, fmt):
    header, rows = _export(editor_client, fmt, is_home="false")
    assert len(rows) == len(partners)
    for org in partners.values():
        services.organization_delete(organization=org, acting_user=editor)
    assert not Organization.objects.filter(is_home=False).exists()
    city = header.index("city")
    for row in rows:
        if row[header.index("name")] == "Guangxi Normal University":
            row[city] = "Guilin"
    data = _xlsx(rows, header=header) if fmt == "xlsx" else _csv(rows, header=header)

    preview = _upload(editor_client, f"export.{fmt}", data)
    assert preview.status_code == 200, _errors(preview)
    editor_client.post(IMPORT_URL, {"token": preview.context["token"]})

    imported = {org.name: org for org in Organization.objects.filter(is_home=False)}
    assert set(imported) == {org.name for org in partners.values()}
    assert imported["Guangxi Normal University"].city == "Guilin"
    lntu = imported["Liaoning Technical University"]
    assert (lntu.country, lntu.subdivision, lntu.city, lntu.name_language) == ("CN", "CN-LN", "Fuxin", "en")
    assert {(n.name, n.language, n.kind) for n in lntu.names.all()} == {
        ("辽宁工程技术大学", "zh-Hans", "official"),
        ("LNTU", "en", "abbreviation"),
        ("Trường Đại học Kỹ thuật Liêu Ninh", "vi", "official"),
    }
    assert [(i.scheme, i.value) for i in lntu.identifiers.all()] == [("pic", "123456789")]
    assert imported["Korea International Cooperation Agency"].names.get().name == "한국국제협력단"


def test_a_file_with_only_the_header_is_refused(editor_client, tenants):
    message = _refused(editor_client, "empty.xlsx", _xlsx([]))

    assert "no rows" in message


def test_the_duplicate_check_does_not_reveal_another_tenants_private_record(editor_client, tenants):
    Organization.objects.create(kind="company", name="Secret Supplier", owner=tenants["hp"], shared=False)
    services.organization_refresh_search(Organization.objects.get(name="Secret Supplier"))

    response = _upload(
        editor_client, "one.xlsx", _xlsx([["Secret Supplier", "", "company", "", "", "", "", "", "", ""]])
    )

    assert response.status_code == 200
    assert _errors(response) == []
    assert "Secret Supplier" in response.content.decode()
