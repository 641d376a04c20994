"""The programme, call and application pages as an office works with them: describe a programme,
open a call, record applications, run and confirm the selection, withdraw a nominee.

Quảng Ninh DoET's editor runs a call for outstanding students to study at Shizuoka University;
Ha Long University (under the department) runs calls of its own, whose applicants only its
own editors may see by name.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accord.agreements.tests.test_views import make_agreement
from accord.mobility import services
from accord.mobility.models import (
    Application,
    ApplicationDocument,
    ApplicationStatus,
    Call,
    CallStatus,
    Direction,
    Mobility,
    Programme,
)
from accord.partners import services as partner_services

D = datetime.date
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
NAMES = [
    "Nguyễn Thị Lan",
    "Trần Văn Minh",
    "Lê Thu Hà",
    "Phạm Quốc Bảo",
    "Hoàng Mai Anh",
    "Vũ Đức Long",
    "Đặng Thị Hoa",
    "Bùi Văn Nam",
    "Đỗ Thanh Tâm",
    "Ngô Phương Linh",
    "Dương Minh Khoa",
    "Lý Thị Ngọc",
]


# --- factories, through the services -------------------------------------------------------------


def partner(user, name: str = "Shizuoka University", country: str = "JP"):
    return partner_services.organization_create(
        acting_user=user, data={"kind": "university", "name": name, "country": country}, allow_similar=True
    )


def make_programme(user, name: str = "Study in Japan", *, partners=(), agreements=(), commitments=(), **data):
    return services.programme_create(
        acting_user=user,
        data={"name": name, "kind": "exchange", **data},
        partners=list(partners),
        agreements=list(agreements),
        commitments=list(commitments),
    )


def make_call(user, programme, title: str = "Outstanding students to Japan 2026", **data) -> Call:
    values = {
        "programme": programme,
        "title": title,
        "academic_year": "2026/2027",
        "places": 2,
        "opens_on": D(2026, 1, 5),
        "closes_on": D(2026, 3, 31),
        "mobility_starts_on": D(2026, 10, 1),
        "mobility_ends_on": D(2027, 2, 28),
        "gpa_scale": Decimal("4"),
        "min_gpa": Decimal("2.5"),
        "min_cefr": "B1",
        "weight_gpa": Decimal("50"),
        "weight_language": Decimal("20"),
        "weight_interview": Decimal("30"),
        "weight_other": Decimal("0"),
    }
    values.update(data)
    return services.call_create(acting_user=user, data=values)


def apply(user, call, name: str, *, gpa="3.2", language="B2", interview="80", **data) -> Application:
    values = {
        "full_name": name,
        "gpa": Decimal(gpa) if gpa is not None else None,
        "language_level": language,
        "interview_score": Decimal(interview) if interview is not None else None,
        "submitted_on": D(2026, 2, 1),
        "fictitious": True,
    }
    values.update(data)
    return services.application_create(acting_user=user, call=call, data=values)


def allocation_of(user, recipient, quantity: int = 10, name: str = "Japanese Government scholarships"):
    from accord.funding import services as funding_services

    funder = partner(user, "Ministry of Education, Culture, Sports, Science and Technology", "JP")
    scheme = funding_services.scheme_create(
        acting_user=user, data={"name": name, "kind": "scholarship", "funder": funder, "unit": "places"}
    )
    return funding_services.allocation_create(
        acting_user=user, scheme=scheme, data={"recipient": recipient, "quantity": Decimal(quantity)}
    )


def call_form(programme, **fields) -> dict:
    data = {
        "programme": programme.pk,
        "title": "Summer Experience 2026",
        "academic_year": "2025/2026",
        "places": "10",
        "opens_on": "2026-01-10",
        "closes_on": "2026-02-28",
        "gpa_scale": "4",
        "weight_gpa": "50",
        "weight_language": "20",
        "weight_interview": "30",
        "weight_other": "0",
    }
    data.update(fields)
    return data


def application_form(**fields) -> dict:
    data = {
        "full_name": "Trịnh Gia Huy",
        "student_number": "HLU-2023-0042",
        "gpa": "3.4",
        "language_level": "B2",
        "interview_score": "75",
        "submitted_on": "2026-02-10",
    }
    data.update(fields)
    return data


def html_of(response) -> str:
    return response.content.decode()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def csv_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def flash(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def world(users, tenants):
    """Quảng Ninh's exchange with Shizuoka University, an open call with three applicants, and a
    Ha Long University call with two of its own."""
    editor, unit = users["editor"], users["unit"]
    shizuoka = partner(editor)
    agreement = make_agreement(
        editor,
        "MoU on student exchange with Shizuoka",
        [tenants["qn"], shizuoka],
        commitments=[("student_exchange", {})],
    )
    programme = make_programme(
        editor,
        "Study in Japan",
        partners=[shizuoka],
        agreements=[agreement],
        commitments=list(agreement.commitments.all()),
        years_home=Decimal("2"),
        years_abroad=Decimal("2"),
        kind="joint_training",
        degree="double",
        subject_areas="0613, 0714",
        language="ja",
        starts_on=D(2024, 9, 1),
    )
    call = make_call(editor, programme, host=shizuoka)
    lan = apply(editor, call, "Nguyễn Thị Lan", gpa="3.6", language="B2", interview="80", student_number="QN-001")
    minh = apply(editor, call, "Trần Văn Minh", gpa="3.0", language="C1", interview="70", student_number="QN-002")
    ha = apply(editor, call, "Lê Thu Hà", gpa="2.1", language="B2", interview="90", student_number="QN-003")
    hlu_programme = make_programme(unit, "Ha Long summer in Shizuoka", partners=[shizuoka], kind="summer")
    hlu_call = make_call(unit, hlu_programme, "Ha Long summer 2026", host=shizuoka)
    hoa = apply(unit, hlu_call, "Đặng Thị Hoa", student_number="HLU-7", email="hoa@example.org")
    nam = apply(unit, hlu_call, "Bùi Văn Nam", student_number="HLU-8")
    return {
        "shizuoka": shizuoka,
        "agreement": agreement,
        "programme": programme,
        "call": call,
        "lan": lan,
        "minh": minh,
        "ha": ha,
        "hlu_programme": hlu_programme,
        "hlu_call": hlu_call,
        "hoa": hoa,
        "nam": nam,
    }


# --- programmes ----------------------------------------------------------------------------------


def test_the_programme_list_filters_by_kind_partner_and_search(client, users, world):
    client.force_login(users["viewer"])
    other_partner = partner(users["editor"], "Liaoning Technical University", "CN")
    make_programme(users["editor"], "3+1 with LNTU", partners=[other_partner], kind="joint_training")
    url = reverse("mobility:programme_list")

    def names(params):
        html = html_of(client.get(url, params))
        table = html[html.index('id="programme-table"') :]
        return set(re.findall(r'<td><a href="/mobility/programmes/\d+/">([^<]+)</a>', table))

    assert names({}) == {"Study in Japan", "Ha Long summer in Shizuoka", "3+1 with LNTU"}
    assert names({"kind": "joint_training"}) == {"Study in Japan", "3+1 with LNTU"}
    assert names({"partner": other_partner.pk}) == {"3+1 with LNTU"}
    assert names({"q": "lntu"}) == {"3+1 with LNTU"}
    assert names({"q": "shizuoka"}) == {"Study in Japan", "Ha Long summer in Shizuoka"}, "partners' names are searched"


def test_the_programme_list_is_paginated_and_an_htmx_request_gets_only_the_table(client, users):
    for i in range(30):
        make_programme(users["editor"], f"Exchange {i:02d}")
    client.force_login(users["viewer"])
    url = reverse("mobility:programme_list")

    second = html_of(client.get(url, {"q": "exchange", "page": 2}))
    partial = html_of(client.get(url, {"q": "exchange"}, headers={"HX-Request": "true"}))

    assert "Exchange 25" in second and "Exchange 24" not in second
    assert "Page 2 of 2" in second and "30 programmes" in second
    assert 'id="programme-table"' in partial and "<html" not in partial


def test_the_programme_export_follows_the_filters(client, users, world):
    client.force_login(users["viewer"])

    rows = csv_rows(client.get(reverse("mobility:programme_export", args=["csv"]), {"kind": "joint_training"}))
    xlsx = client.get(reverse("mobility:programme_export", args=["xlsx"]))

    assert [(r["name"], r["structure"], r["partners"], r["calls"]) for r in rows] == [
        ("Study in Japan", "2+2", "Shizuoka University", "1")
    ]
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_programme_page_shows_its_structure_partners_agreements_calls_and_mobilities(client, users, world):
    client.force_login(users["viewer"])

    html = html_of(client.get(world["programme"].get_absolute_url()))
    text = text_of(html)

    assert "2+2: 2 years at home, then 2 abroad" in text
    assert "Double degree (one from each)" in text
    assert "0613 Software and applications development and analysis" in text
    assert "Shizuoka University" in html[html.index('id="partners"') :]
    agreements = text_of(html[html.index('id="agreements"') :])
    assert "MoU on student exchange with Shizuoka" in agreements and "Student exchange" in agreements
    assert world["call"].title in html[html.index('id="calls"') :]
    assert "0 mobilities" in text_of(html[html.index('id="mobility-count"') :])
    assert 'id="citations-mobility-programme-' in html


def test_create_a_programme_then_a_concurrent_edit_is_refused(client, users, world):
    client.force_login(users["editor"])

    response = client.post(
        reverse("mobility:programme_create"),
        {
            "name": "3+1 Mechatronics",
            "kind": "joint_training",
            "years_home": "3",
            "years_abroad": "1",
            "partners": [world["shizuoka"].pk],
        },
    )

    programme = Programme.objects.get(name="3+1 Mechatronics")
    assert response.status_code == 302 and response["Location"] == programme.get_absolute_url()
    assert programme.structure == "3+1" and list(programme.partners.all()) == [world["shizuoka"]]
    page = html_of(client.get(reverse("mobility:programme_update", args=[programme.pk])))
    loaded_at = re.search(r'name="loaded_at" value="([^"]+)"', page).group(1)
    services.programme_update(programme=programme, acting_user=users["manager"], data={"description": "Changed"})

    stale = client.post(
        reverse("mobility:programme_update", args=[programme.pk]),
        {"name": "3+1 Mechatronics (new)", "kind": "joint_training", "loaded_at": loaded_at},
    )

    assert stale.status_code == 400
    assert "Someone else changed this record" in html_of(stale)
    assert Programme.objects.get(pk=programme.pk).name == "3+1 Mechatronics"


def test_a_programme_with_years_at_home_only_is_refused(client, users):
    client.force_login(users["editor"])

    response = client.post(
        reverse("mobility:programme_create"), {"name": "2+?", "kind": "joint_training", "years_home": "2"}
    )

    assert response.status_code == 400
    assert "Give both the years at home and the years abroad, or neither." in html_of(response)
    assert not Programme.objects.exists()


def test_a_programme_with_calls_cannot_be_deleted(client, users, world):
    client.force_login(users["editor"])

    refused = client.post(reverse("mobility:programme_delete", args=[world["programme"].pk]))
    spare = make_programme(users["editor"], "Online Japanese course", kind="online_course")
    deleted = client.post(reverse("mobility:programme_delete", args=[spare.pk]))

    assert refused.status_code == 400 and "Calls were made for this programme" in html_of(refused)
    assert Programme.objects.filter(pk=world["programme"].pk).exists()
    assert deleted.status_code == 302 and not Programme.objects.filter(pk=spare.pk).exists()


# --- calls ---------------------------------------------------------------------------------------


def test_the_call_list_filters_by_programme_year_and_status_and_exports(client, users, world):
    client.force_login(users["viewer"])
    services.selection_run(call=world["hlu_call"], acting_user=users["unit"])
    url = reverse("mobility:call_list")

    def titles(params):
        html = html_of(client.get(url, params))
        return set(re.findall(r'<td><a href="/mobility/calls/\d+/">([^<]+)</a>', html))

    both = {world["call"].title, world["hlu_call"].title}
    assert titles({}) == both
    assert titles({"programme": world["programme"].pk}) == {world["call"].title}
    assert titles({"academic_year": "2026/2027"}) == both
    assert titles({"academic_year": "2024/2025"}) == set()
    assert titles({"status": "selected"}) == {world["hlu_call"].title}
    rows = csv_rows(client.get(reverse("mobility:call_export", args=["csv"]), {"status": "open"}))
    assert [(r["title"], r["applications"], r["places"]) for r in rows] == [(world["call"].title, "3", "2")]


def test_the_call_page_states_the_rule_with_its_weights(client, users, world):
    client.force_login(users["viewer"])

    html = html_of(client.get(world["call"].get_absolute_url()))
    rule = text_of(html[html.index('id="rule"') :])

    assert "a GPA of at least 2.5 on a scale of 4" in rule
    assert "a language level of at least B1 (CEFR)" in rule
    assert "A1 0, A2 20, B1 40, B2 60, C1 80, C2 100 points" in rule
    assert "Score = (GPA × 50 + Language level × 20 + Interview × 30) ÷ 100, rounded to two decimals." in rule
    assert "the first 2 are selected" in rule
    assert "higher GPA, then the higher language level, then the earlier submission" in rule


def test_create_a_call_and_refuse_negative_places_and_a_close_before_the_opening(client, users, world):
    client.force_login(users["editor"])
    before = Call.objects.count()

    negative = client.post(reverse("mobility:call_create"), call_form(world["programme"], places="-1"))
    backwards = client.post(reverse("mobility:call_create"), call_form(world["programme"], closes_on="2026-01-01"))
    created = client.post(
        reverse("mobility:call_create"), call_form(world["programme"], levels=["bachelor", "master"], min_cefr="B2")
    )

    assert negative.status_code == 400 and "The number of places cannot be negative." in html_of(negative)
    assert backwards.status_code == 400 and "The call cannot close before it opens." in html_of(backwards)
    assert Call.objects.count() == before + 1
    call = Call.objects.get(title="Summer Experience 2026")
    assert (
        created.status_code == 302
        and call.level_list == ["bachelor", "master"]
        and call.owner == world["programme"].owner
    )


def test_run_the_selection_ranks_explains_and_rejects_the_ineligible(client, users, world):
    client.force_login(users["editor"])
    call = world["call"]

    response = client.post(reverse("mobility:call_select", args=[call.pk]), follow=True)

    html = html_of(response)
    assert "2 selected, 0 on the waiting list, 1 not eligible" in " ".join(flash(response))
    rows = re.findall(r'<tr class="application" data-application="(\d+)" data-status="(\w+)">', html)
    assert rows == [
        (str(world["lan"].pk), "selected"),
        (str(world["minh"].pk), "selected"),
        (str(world["ha"].pk), "ineligible"),
    ]
    lan = text_of(html[html.index(f'data-application="{world["lan"].pk}"') :])
    assert "GPA 3.6 of 4 → 90.00 points × weight 50" in lan
    assert "Language level B2 → 60.00 points × weight 20" in lan
    assert "Interview 80 → 80.00 points × weight 30" in lan
    assert "Weighted mean: 81.00" in lan
    ha = text_of(html[html.index(f'data-application="{world["ha"].pk}"') :])
    assert "The GPA 2.1 is below the minimum of 2.5." in ha
    assert "Proposed by" in text_of(html[html.index('id="selected-by"') :])
    assert Call.objects.get(pk=call.pk).status == CallStatus.SELECTED


def test_a_selection_with_no_applications_is_refused_and_writes_nothing(client, users, world):
    client.force_login(users["editor"])
    empty = make_call(users["editor"], world["programme"], "Empty call")

    response = client.post(reverse("mobility:call_select", args=[empty.pk]))

    assert response.status_code == 400
    assert "There are no applications to select from." in html_of(response)
    empty.refresh_from_db()
    assert empty.status == CallStatus.OPEN and empty.selected_at is None


def test_confirm_nominates_the_selected_and_lists_their_mobilities(client, users, world):
    client.force_login(users["editor"])
    call = world["call"]
    confirm = reverse("mobility:call_confirm", args=[call.pk])

    too_early = client.post(confirm)
    client.post(reverse("mobility:call_select", args=[call.pk]))
    response = client.post(confirm, follow=True)

    assert too_early.status_code == 400 and "Run the selection before confirming it." in html_of(too_early)
    html = html_of(response)
    assert "2 applicants were nominated" in " ".join(flash(response))
    mobilities = Mobility.objects.filter(application__call=call)
    assert {m.full_name for m in mobilities} == {"Nguyễn Thị Lan", "Trần Văn Minh"}
    assert all(m.direction == Direction.OUTGOING and m.host_organization == world["shizuoka"] for m in mobilities)
    listed = html[html.index('id="mobilities"') :]
    for mobility in mobilities:
        assert f'href="{reverse("mobility:mobility_detail", args=[mobility.pk])}"' in listed
    assert "Confirmed by" in text_of(html[html.index('id="confirmed-by"') :])
    assert 'id="run-selection"' not in html and 'id="confirm-selection"' not in html
    again = client.post(reverse("mobility:call_select", args=[call.pk]))
    assert again.status_code == 400 and "it can no longer change" in html_of(again)


def test_withdrawing_a_nominee_nominates_the_next_on_the_waiting_list(client, users, world):
    client.force_login(users["editor"])
    call = world["call"]
    services.call_update(call=call, acting_user=users["editor"], data={"places": 1})
    services.selection_run(call=call, acting_user=users["editor"])
    services.selection_confirm(call=call, acting_user=users["editor"])

    response = client.post(
        reverse("mobility:application_withdraw", args=[world["lan"].pk]),
        {"reason": "Chose another university"},
        follow=True,
    )

    assert "Nguyễn Thị Lan withdrew. Trần Văn Minh, first on the waiting list, was nominated in their place." in flash(
        response
    )
    assert Application.objects.get(pk=world["minh"].pk).status == ApplicationStatus.NOMINATED
    assert Mobility.objects.get(application=world["lan"]).status == "cancelled"
    assert Mobility.objects.get(application=world["minh"]).status == "nominated"


def test_the_quota_the_call_draws_on_shows_its_usage(client, users, tenants, world):
    client.force_login(users["editor"])
    call = world["call"]
    allocation = allocation_of(users["editor"], tenants["qn"], quantity=10)
    services.call_update(call=call, acting_user=users["editor"], data={"allocation": allocation})

    before = text_of(html_of(client.get(call.get_absolute_url())))
    client.post(reverse("mobility:call_select", args=[call.pk]))
    client.post(reverse("mobility:call_confirm", args=[call.pk]))
    after = html_of(client.get(call.get_absolute_url()))

    assert "0 of 10 places used · 10 remaining" in before
    assert "2 of 10 places used · 8 remaining" in text_of(after[after.index('id="quota"') :])


# --- applications ------------------------------------------------------------------------------


def test_add_an_application_through_the_form(client, users, world):
    client.force_login(users["editor"])
    call = world["call"]

    response = client.post(reverse("mobility:application_create", args=[call.pk]), application_form())

    application = Application.objects.get(full_name="Trịnh Gia Huy")
    assert response.status_code == 302 and response["Location"] == call.get_absolute_url()
    assert application.call == call and application.gpa == Decimal("3.4")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"gpa": "4.5"}, "The GPA must lie between 0 and 4, the scale of this call."),
        ({"submitted_on": "2026-04-02"}, "The call closed on 2026-03-31; this application came after."),
        (
            {"student_number": "QN-001", "full_name": "Nguyen Thi Lan"},
            "An application with this student number was already made to this call.",
        ),
        ({"interview_score": "120"}, "A score is between 0 and 100."),
        ({"full_name": ""}, "This field is required."),
    ],
)
def test_a_bad_application_is_refused_with_the_reason_and_nothing_is_written(client, users, world, fields, message):
    client.force_login(users["editor"])
    before = set(Application.objects.values_list("pk", "updated_at"))

    response = client.post(reverse("mobility:application_create", args=[world["call"].pk]), application_form(**fields))

    assert response.status_code == 400
    assert message in html_of(response)
    assert set(Application.objects.values_list("pk", "updated_at")) == before


def test_edit_an_application_clears_a_proposed_selection(client, users, world):
    client.force_login(users["editor"])
    call = world["call"]
    services.selection_run(call=call, acting_user=users["editor"])

    response = client.post(
        reverse("mobility:application_update", args=[world["ha"].pk]),
        application_form(full_name="Lê Thu Hà", student_number="QN-003", gpa="3.9"),
    )

    assert response.status_code == 302
    assert Application.objects.get(pk=world["ha"].pk).gpa == Decimal("3.9")
    assert Call.objects.get(pk=call.pk).status == CallStatus.OPEN


def test_attach_download_and_remove_a_document(client, users, world):
    client.force_login(users["editor"])
    lan = world["lan"]
    add = reverse("mobility:application_document_add", args=[lan.pk])

    refused = client.post(add, {"file": SimpleUploadedFile("cv.exe", b"MZ\x90\x00", "application/octet-stream")})
    attached = client.post(add, {"file": SimpleUploadedFile("Lan-certificate.pdf", PDF, "application/pdf")})

    assert refused.status_code == 400 and "Only PDF, Word (DOCX), PNG and JPEG files can be attached." in html_of(
        refused
    )
    assert attached.status_code == 302
    document = ApplicationDocument.objects.get()
    page = html_of(client.get(lan.get_absolute_url()))
    assert "Lan-certificate.pdf" in page[page.index('id="documents"') :]
    download = client.get(reverse("mobility:application_document", args=[document.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert 'filename="Lan-certificate.pdf"' in download["Content-Disposition"]
    removed = client.post(reverse("mobility:application_document_delete", args=[document.pk]))
    assert removed.status_code == 302 and not ApplicationDocument.objects.exists()


def test_delete_an_application(client, users, world):
    client.force_login(users["editor"])

    response = client.post(reverse("mobility:application_delete", args=[world["ha"].pk]))

    assert response.status_code == 302 and response["Location"] == world["call"].get_absolute_url()
    assert not Application.objects.filter(pk=world["ha"].pk).exists()


# --- privacy ------------------------------------------------------------------------------------


def _names_on(client, url) -> set[str]:
    html = html_of(client.get(url))
    return {name for name in NAMES if name in html}


@pytest.mark.parametrize(
    ("role", "sees_names"),
    [("unit", True), ("editor", False), ("manager", False), ("admin", False), ("viewer", False)],
)
def test_names_of_a_schools_applicants_are_shown_to_its_own_editors_only(client, users, world, role, sees_names):
    client.force_login(users[role])
    hlu_call, hoa = world["hlu_call"], world["hoa"]

    call_page = _names_on(client, hlu_call.get_absolute_url())
    application_page = html_of(client.get(hoa.get_absolute_url()))
    export = csv_rows(client.get(reverse("mobility:application_export", args=[hlu_call.pk, "csv"])))
    searched = html_of(client.get(hlu_call.get_absolute_url(), {"q": "Hoa"}))

    if sees_names:
        assert call_page == {"Đặng Thị Hoa", "Bùi Văn Nam"}
        assert "hoa@example.org" in application_page and "HLU-7" in application_page
        assert {r["full_name"] for r in export} == {"Đặng Thị Hoa", "Bùi Văn Nam"}
        assert f'data-application="{hoa.pk}"' in searched and f'data-application="{world["nam"].pk}"' not in searched
    else:
        assert call_page == set()
        assert f"Applicant no. {hoa.pk}" in application_page
        assert "Đặng Thị Hoa" not in application_page and "hoa@example.org" not in application_page
        assert "HLU-7" not in application_page
        assert {r["full_name"] for r in export} == {""} and {r["email"] for r in export} == {""}
        assert {r["student_number"] for r in export} == {""} and {r["gpa"] for r in export} == {"3.20"}
        assert "data-application=" not in searched, "a name search matches nothing for who may not see names"


def test_the_department_editor_sees_its_own_applicants_by_name(client, users, world):
    client.force_login(users["editor"])

    assert _names_on(client, world["call"].get_absolute_url()) == {"Nguyễn Thị Lan", "Trần Văn Minh", "Lê Thu Hà"}
    found = html_of(client.get(world["call"].get_absolute_url(), {"q": "Minh"}))
    assert re.findall(r'data-application="(\d+)"', found) == [str(world["minh"].pk)]


def test_the_department_editor_edits_a_schools_application_without_its_personal_data(client, users, world):
    client.force_login(users["editor"])
    hoa = world["hoa"]

    page = html_of(client.get(reverse("mobility:application_update", args=[hoa.pk])))
    response = client.post(
        reverse("mobility:application_update", args=[hoa.pk]),
        {"gpa": "3.5", "language_level": "C1", "interview_score": "85", "submitted_on": "2026-02-01"},
    )

    assert "Đặng Thị Hoa" not in page and 'name="full_name"' not in page
    assert response.status_code == 302
    hoa.refresh_from_db()
    assert hoa.gpa == Decimal("3.5") and hoa.full_name == "Đặng Thị Hoa" and hoa.student_number == "HLU-7"


def test_a_schools_documents_are_downloaded_by_its_own_editors_only(client, users, world):
    services.application_document_add(
        application=world["hoa"],
        acting_user=users["unit"],
        upload=SimpleUploadedFile("Hoa-transcript.pdf", PDF, "application/pdf"),
    )
    document = ApplicationDocument.objects.get()
    url = reverse("mobility:application_document", args=[document.pk])

    client.force_login(users["editor"])
    assert client.get(url).status_code == 403
    assert "Hoa-transcript.pdf" not in html_of(client.get(world["hoa"].get_absolute_url()))
    client.force_login(users["unit"])
    assert client.get(url).status_code == 200


def test_the_withdrawal_message_keeps_names_from_who_may_not_see_them(client, users, world):
    call = world["hlu_call"]
    services.call_update(call=call, acting_user=users["unit"], data={"places": 1})
    services.selection_run(call=call, acting_user=users["unit"])
    services.selection_confirm(call=call, acting_user=users["unit"])
    first = Application.objects.get(call=call, status=ApplicationStatus.NOMINATED)
    second = Application.objects.get(call=call, status=ApplicationStatus.WAITLISTED)
    client.force_login(users["editor"])

    response = client.post(reverse("mobility:application_withdraw", args=[first.pk]), follow=True)

    assert (
        f"Applicant no. {first.pk} withdrew. Applicant no. {second.pk}, first on the waiting list, "
        "was nominated in their place."
    ) in flash(response)
    assert "Đặng Thị Hoa" not in html_of(response) and "Bùi Văn Nam" not in html_of(response)
