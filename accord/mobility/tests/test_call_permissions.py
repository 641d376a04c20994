"""Who may reach which page of the programmes, calls, applications and the selection.

The matrix is data: each row names a route, a method, the record it acts on and the status every
kind of user gets. A route of ``views_calls`` without a row fails the coverage test.

Users: a viewer, an editor, a manager and an admin of Quảng Ninh DoET; ``other``, an editor of
Hải Phòng DoET (another tenant); ``unit``, an editor of Ha Long University, below Quảng Ninh.
The records are Quảng Ninh's (the unit cannot see them) and one call of Ha Long University's
(which Quảng Ninh oversees, but whose applicants only the unit's editors see by name).
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accord.core.testing import (
    LOGIN,
    ROLES_WITH_UNIT,
    Url,
    assert_status,
    assert_written_or_not,
    cases,
    covered_routes,
    route_names,
    signed_in,
)
from accord.mobility import services
from accord.mobility.models import Application, ApplicationDocument, Call, Mobility, Programme
from accord.mobility.tests.test_call_views import PDF, apply, make_call, make_programme, partner

ROLES = ROLES_WITH_UNIT


def _own_programme(records, role):
    return {"other": records["hp_programme"], "unit": records["hlu_programme"]}.get(role, records["programme"])


def _call_payload(records, role):
    return {
        "programme": _own_programme(records, role).pk,
        "title": "Exchange with Shizuoka, spring",
        "academic_year": "2026/2027",
        "places": "3",
        "opens_on": "2026-01-05",
        "closes_on": "2026-03-31",
        "gpa_scale": "4",
        "weight_gpa": "50",
        "weight_language": "20",
        "weight_interview": "30",
        "weight_other": "0",
    }


def _application_payload(records, role):
    return {
        "full_name": "Trịnh Gia Huy",
        "student_number": "QN-099",
        "gpa": "3.4",
        "language_level": "B2",
        "interview_score": "75",
        "submitted_on": "2026-02-10",
    }


def _csv_upload(records, role):
    content = "full_name,student_number,gpa,language_level,interview_score,submitted_on\n"
    content += "Phan Thị Yến,QN-100,3.5,B2,70,2026-02-02\n"
    return {"file": SimpleUploadedFile("applicants.csv", content.encode(), "text/csv")}


PAYLOADS = {
    "mobility:programme_create": lambda r, role: {"name": "Summer Experience", "kind": "summer"},
    "mobility:programme_update": lambda r, role: {"name": "Study in Japan (renewed)", "kind": "exchange"},
    "mobility:call_create": _call_payload,
    "mobility:call_update": _call_payload,
    "mobility:application_create": _application_payload,
    "mobility:application_update": lambda r, role: {**_application_payload(r, role), "student_number": "QN-001"},
    "mobility:application_withdraw": lambda r, role: {"reason": "Health"},
    "mobility:application_import": _csv_upload,
    "mobility:application_document_add": lambda r, role: {
        "file": SimpleUploadedFile("transcript.pdf", PDF, "application/pdf")
    },
}

# Statuses in the order of ROLES: anonymous, viewer, editor, manager, admin, other, unit.
READ = (LOGIN, 200, 200, 200, 200, 200, 200)
WRITE_PAGE = (LOGIN, 403, 200, 200, 200, 200, 200)
WRITE_DONE = (LOGIN, 403, 302, 302, 302, 302, 302)
READ_OWNED = (LOGIN, 200, 200, 200, 200, 404, 404)
CHANGE_PAGE = (LOGIN, 403, 200, 200, 200, 404, 404)
CHANGE_DONE = (LOGIN, 403, 302, 302, 302, 404, 404)
POST_ONLY = (LOGIN, 405, 405, 405, 405, 405, 405)
# A document names the applicant: only editors and above of the organisation keeping the call.
PERSONAL_OWNED = (LOGIN, 403, 200, 200, 200, 404, 404)
# Ha Long University's records: Quảng Ninh oversees them; Hải Phòng does not see them.
READ_SCHOOL = (LOGIN, 200, 200, 200, 200, 404, 200)
PERSONAL_SCHOOL = (LOGIN, 403, 403, 403, 403, 404, 200)
CHANGE_SCHOOL_DONE = (LOGIN, 403, 302, 302, 302, 404, 302)

PAGE_TABLE = [
    (Url("mobility:programme_list"), "get", READ),
    (Url("mobility:programme_list", query="q=japan&kind=exchange&o=-name"), "get", READ),
    (Url("mobility:programme_create"), "get", WRITE_PAGE),
    (Url("mobility:programme_create"), "post", WRITE_DONE),
    (Url("mobility:programme_export", ("csv",)), "get", READ),
    (Url("mobility:programme_export", ("xlsx",)), "get", READ),
    (Url("mobility:programme_detail", ("programme",)), "get", READ_OWNED),
    (Url("mobility:programme_detail", ("hlu_programme",)), "get", READ_SCHOOL),
    (Url("mobility:programme_update", ("programme",)), "get", CHANGE_PAGE),
    (Url("mobility:programme_update", ("programme",)), "post", CHANGE_DONE),
    (Url("mobility:programme_delete", ("spare_programme",)), "get", CHANGE_PAGE),
    (Url("mobility:programme_delete", ("spare_programme",)), "post", CHANGE_DONE),
    (Url("mobility:call_list"), "get", READ),
    (Url("mobility:call_list", query="status=open&academic_year=2026/2027&o=title"), "get", READ),
    (Url("mobility:call_create"), "get", WRITE_PAGE),
    (Url("mobility:call_create"), "post", WRITE_DONE),
    (Url("mobility:call_export", ("csv",)), "get", READ),
    (Url("mobility:call_export", ("xlsx",)), "get", READ),
    (Url("mobility:call_detail", ("call",)), "get", READ_OWNED),
    (Url("mobility:call_detail", ("selected_call",)), "get", READ_OWNED),
    (Url("mobility:call_detail", ("hlu_call",)), "get", READ_SCHOOL),
    (Url("mobility:call_update", ("call",)), "get", CHANGE_PAGE),
    (Url("mobility:call_update", ("call",)), "post", CHANGE_DONE),
    (Url("mobility:call_delete", ("spare_call",)), "get", CHANGE_PAGE),
    (Url("mobility:call_delete", ("spare_call",)), "post", CHANGE_DONE),
    (Url("mobility:call_select", ("call",)), "get", POST_ONLY),
    (Url("mobility:call_select", ("call",)), "post", CHANGE_DONE),
    (Url("mobility:call_select", ("hlu_call",)), "post", CHANGE_SCHOOL_DONE),
    (Url("mobility:call_confirm", ("selected_call",)), "get", POST_ONLY),
    (Url("mobility:call_confirm", ("selected_call",)), "post", CHANGE_DONE),
    (Url("mobility:application_create", ("call",)), "get", CHANGE_PAGE),
    (Url("mobility:application_create", ("call",)), "post", CHANGE_DONE),
    # The preview of an import writes nothing: a 200 that leaves the data as it was.
    (Url("mobility:application_import", ("call",)), "get", CHANGE_PAGE),
    (Url("mobility:application_import", ("call",)), "post", (LOGIN, 403, 200, 200, 200, 404, 404)),
    (Url("mobility:application_export", ("call", "csv")), "get", READ_OWNED),
    (Url("mobility:application_export", ("call", "xlsx")), "get", READ_OWNED),
    (Url("mobility:application_export", ("hlu_call", "csv")), "get", READ_SCHOOL),
    (Url("mobility:application_detail", ("application",)), "get", READ_OWNED),
    (Url("mobility:application_detail", ("hlu_application",)), "get", READ_SCHOOL),
    (Url("mobility:application_update", ("application",)), "get", CHANGE_PAGE),
    (Url("mobility:application_update", ("application",)), "post", CHANGE_DONE),
    (Url("mobility:application_delete", ("application",)), "get", CHANGE_PAGE),
    (Url("mobility:application_delete", ("application",)), "post", CHANGE_DONE),
    (Url("mobility:application_withdraw", ("application",)), "get", POST_ONLY),
    (Url("mobility:application_withdraw", ("application",)), "post", CHANGE_DONE),
    (Url("mobility:application_document_add", ("application",)), "get", POST_ONLY),
    (Url("mobility:application_document_add", ("application",)), "post", CHANGE_DONE),
    (Url("mobility:application_document", ("document",)), "get", PERSONAL_OWNED),
    (Url("mobility:application_document", ("hlu_document",)), "get", PERSONAL_SCHOOL),
    (Url("mobility:application_document_delete", ("document",)), "get", CHANGE_PAGE),
    (Url("mobility:application_document_delete", ("document",)), "post", CHANGE_DONE),
]


@pytest.fixture
def records(users, tenants):
    editor, unit, other = users["editor"], users["unit"], users["other"]
    shizuoka = partner(editor)
    programme = make_programme(editor, "Study in Japan", partners=[shizuoka])
    call = make_call(editor, programme, host=shizuoka)
    application = apply(editor, call, "Nguyễn Thị Lan", student_number="QN-001")
    apply(editor, call, "Trần Văn Minh", student_number="QN-002", gpa="3.0")
    selected_call = make_call(editor, programme, "Japanese Government scholarship 2026", host=shizuoka)
    apply(editor, selected_call, "Lê Thu Hà", student_number="QN-003")
    services.selection_run(call=selected_call, acting_user=editor)
    spare_programme = make_programme(editor, "Online Japanese course", kind="online_course")
    spare_call = make_call(editor, programme, "Cancelled call")
    document = services.application_document_add(
        application=application, acting_user=editor, upload=SimpleUploadedFile("lan.pdf", PDF, "application/pdf")
    )
    hlu_programme = make_programme(unit, "Ha Long summer", partners=[shizuoka], kind="summer")
    hlu_call = make_call(unit, hlu_programme, "Ha Long summer 2026", host=shizuoka)
    hlu_application = apply(unit, hlu_call, "Đặng Thị Hoa", student_number="HLU-7")
    hlu_document = services.application_document_add(
        application=hlu_application, acting_user=unit, upload=SimpleUploadedFile("hoa.pdf", PDF, "application/pdf")
    )
    hp_programme = make_programme(other, "Hải Phòng exchange", kind="exchange")
    return {
        "programme": programme,
        "call": call,
        "application": application,
        "selected_call": selected_call,
        "spare_programme": spare_programme,
        "spare_call": spare_call,
        "document": document,
        "hlu_programme": hlu_programme,
        "hlu_call": hlu_call,
        "hlu_application": hlu_application,
        "hlu_document": hlu_document,
        "hp_programme": hp_programme,
    }


def _state():
    return (
        set(Programme.objects.values_list("pk", "name", "updated_at")),
        set(Call.objects.values_list("pk", "status", "updated_at")),
        set(Application.objects.values_list("pk", "status", "updated_at")),
        set(ApplicationDocument.objects.values_list("pk", flat=True)),
        set(Mobility.objects.values_list("pk", "status")),
    )


@pytest.mark.parametrize(("url", "method", "role", "expected"), cases(PAGE_TABLE, ROLES))
def test_page_permissions(client, users, records, url, method, role, expected):
    # given
    client = signed_in(client, users, role)
    path = url.resolve(records)
    data = PAYLOADS[url.name](records, role) if method == "post" and url.name in PAYLOADS else {}
    before = _state()

    # when
    response = client.post(path, data) if method == "post" else client.get(path)

    # then
    assert_status(response, expected, path)
    # Only a redirect follows a write: a 200 to a POST is a preview, which writes nothing.
    assert_written_or_not(_state, before, expected, method, writes=expected == 302)


def test_every_route_of_the_calls_pages_has_permission_rows():
    from accord.mobility import views_calls
    from accord.mobility.urls import urlpatterns

    routes = route_names("mobility", urlpatterns, module=views_calls)

    assert routes, "no route of views_calls was found"
    assert routes == covered_routes(PAGE_TABLE)


def test_a_user_never_lists_or_exports_calls_and_programmes_of_another_tenant(client, users, records):
    client.force_login(users["other"])

    programmes = client.get(reverse("mobility:programme_list")).content.decode()
    calls = client.get(reverse("mobility:call_list")).content.decode()
    export = b"".join(client.get(reverse("mobility:call_export", args=["csv"])).streaming_content).decode()

    assert "Hải Phòng exchange" in programmes
    assert "Study in Japan" not in programmes and "Ha Long summer" not in programmes
    assert records["call"].title not in calls and records["hlu_call"].title not in calls
    assert records["call"].title not in export and records["hlu_call"].title not in export


def test_a_school_does_not_see_its_departments_calls(client, users, records):
    client.force_login(users["unit"])

    calls = client.get(reverse("mobility:call_list")).content.decode()

    assert records["hlu_call"].title in calls
    assert records["call"].title not in calls and records["selected_call"].title not in calls
