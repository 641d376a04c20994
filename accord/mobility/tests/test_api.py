"""The REST API of programmes, calls, applications, the selection, mobilities and the exchange
balance: CRUD, actions, bad input, privacy of personal data, the permission matrix, a bounded
number of queries and the OpenAPI schema.

The users are those of the root conftest: a viewer, an editor, a manager and an admin of
Quảng Ninh DoET, ``other`` (an editor of Hải Phòng DoET, another tenant) and ``unit`` (an
editor of Ha Long University, under Quảng Ninh). Every person here is fictitious.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import yaml
from django.urls import reverse

from accord.core.testing import (
    ROLES_WITH_UNIT,
    Op,
    api_operations,
    assert_refused,
    assert_written_or_not,
    cases,
    covered_operations,
    queries_of,
    results,
    session_client,
    token_client,
)
from accord.funding import services as funding_services
from accord.mobility import services
from accord.mobility.models import Application, ApplicationStatus, Call, CallStatus, Mobility, MobilityStatus, Programme
from accord.partners import services as partner_services

PROGRAMMES = "/api/v1/programmes/"
CALLS = "/api/v1/calls/"
APPLICATIONS = "/api/v1/applications/"
MOBILITIES = "/api/v1/mobilities/"
BALANCE = "/api/v1/mobility-balance/"
D = datetime.date


@pytest.fixture
def api(users):
    """The editor of Quảng Ninh DoET, with a token, as another system would call."""
    return token_client(users["editor"])


def _applicant(editor, call, name, number, gpa, level="B2", interview="80", submitted=None):
    return services.application_create(
        acting_user=editor,
        call=call,
        data={
            "full_name": name,
            "student_number": number,
            "email": f"{number}@example.org",
            "date_of_birth": D(2004, 3, 1),
            "gender": "f",
            "fictitious": True,
            "level": "bachelor",
            "subject_area": "0231",
            "gpa": Decimal(gpa),
            "language_level": level,
            "interview_score": Decimal(interview),
            "submitted_on": submitted or D(2026, 1, 5),
        },
    )


@pytest.fixture
def records(users, tenants):
    """Quảng Ninh DoET's exchange with Shizuoka University: a call with three applicants (two
    places) whose selection is proposed, an empty call, a spare programme, a nominated, an
    ongoing and a cancelled mobility, a quota; an incoming volunteer of Ha Long University;
    and a mobility of Hải Phòng DoET."""
    editor, unit, other = users["editor"], users["unit"], users["other"]

    def org(name, country):
        return partner_services.organization_create(
            acting_user=editor, data={"kind": "university", "name": name, "country": country, "shared": True}
        )

    shizuoka = org("Shizuoka University", "JP")
    kumoh = org("Kumoh National Institute of Technology", "KR")
    jica = partner_services.organization_create(
        acting_user=editor,
        data={"kind": "government_body", "name": "Japan International Cooperation Agency", "country": "JP"},
    )
    programme = services.programme_create(
        acting_user=editor,
        data={
            "name": "Study in Japan exchange",
            "kind": "exchange",
            "starts_on": D(2025, 9, 1),
            "ends_on": D(2028, 8, 31),
            "language": "ja",
            "subject_areas": "0231",
        },
        partners=[shizuoka],
    )
    spare = services.programme_create(acting_user=editor, data={"name": "Summer Experience", "kind": "summer"})
    scheme = funding_services.scheme_create(
        acting_user=editor,
        data={"name": "Japanese Government scholarships", "kind": "scholarship", "funder": jica, "unit": "places"},
    )
    quota = funding_services.allocation_create(
        acting_user=editor, scheme=scheme, data={"recipient": tenants["qn"], "quantity": Decimal(3)}
    )
    call = services.call_create(
        acting_user=editor,
        data={
            "programme": programme,
            "title": "Outstanding students to Japan 2026/2027",
            "academic_year": "2026/2027",
            "host": shizuoka,
            "places": 2,
            "opens_on": D(2025, 12, 1),
            "closes_on": D(2026, 2, 28),
            "mobility_starts_on": D(2026, 10, 1),
            "mobility_ends_on": D(2027, 2, 28),
            "min_gpa": Decimal("2.5"),
            "min_cefr": "B1",
            "allocation": quota,
        },
    )
    first = _applicant(editor, call, "Nguyễn Thị Lan", "HLU-001", "3.80")
    second = _applicant(editor, call, "Trần Văn Minh", "HLU-002", "3.20")
    third = _applicant(editor, call, "Phạm Thu Hà", "HLU-003", "2.10")  # below the minimum GPA
    services.selection_run(call=call, acting_user=editor)
    empty = services.call_create(
        acting_user=editor,
        data={
            "programme": spare,
            "title": "Summer Experience 2026",
            "academic_year": "2025/2026",
            "places": 4,
            "opens_on": D(2026, 3, 1),
            "closes_on": D(2026, 4, 30),
        },
    )
    nominated = services.mobility_create(
        acting_user=editor,
        data={
            "direction": "outgoing",
            "category": "student",
            "full_name": "Vũ Thị Hoa",
            "student_number": "HLU-100",
            "email": "hoa@example.org",
            "date_of_birth": D(2003, 5, 4),
            "gender": "f",
            "nationality": "VN",
            "fictitious": True,
            "host_organization": shizuoka,
            "programme": programme,
            "planned_start": D(2025, 10, 1),
            "planned_end": D(2026, 3, 31),
        },
    )
    ongoing = services.mobility_create(
        acting_user=editor,
        data={
            "direction": "outgoing",
            "category": "lecturer",
            "full_name": "Đỗ Quang Huy",
            "fictitious": True,
            "host_organization": kumoh,
            "planned_start": D(2025, 11, 1),
            "planned_end": D(2025, 12, 31),
        },
    )
    ongoing = services.mobility_start(mobility=ongoing, acting_user=editor)
    cancelled = services.mobility_create(
        acting_user=editor,
        data={
            "direction": "incoming",
            "category": "student",
            "full_name": "Sato Yuki",
            "fictitious": True,
            "home_organization": shizuoka,
            "planned_start": D(2025, 9, 15),
            "planned_end": D(2026, 1, 31),
        },
    )
    cancelled = services.mobility_cancel(mobility=cancelled, acting_user=editor, reason="Visa refused")
    volunteer = services.mobility_create(
        acting_user=unit,
        data={
            "direction": "incoming",
            "category": "volunteer",
            "full_name": "Tanaka Hiroshi",
            "fictitious": True,
            "home_organization": shizuoka,
            "planned_start": D(2025, 9, 1),
            "planned_end": D(2026, 6, 30),
        },
    )
    theirs = services.mobility_create(
        acting_user=other,
        data={
            "direction": "outgoing",
            "category": "student",
            "full_name": "Lê Văn Nam",
            "fictitious": True,
            "host_organization": kumoh,
            "planned_start": D(2025, 10, 1),
            "planned_end": D(2026, 1, 31),
        },
    )
    return {
        "shizuoka": shizuoka,
        "kumoh": kumoh,
        "jica": jica,
        "programme": programme,
        "spare": spare,
        "scheme": scheme,
        "quota": quota,
        "call": call,
        "empty": empty,
        "first": first,
        "second": second,
        "third": third,
        "nominated": nominated,
        "ongoing": ongoing,
        "cancelled": cancelled,
        "volunteer": volunteer,
        "theirs": theirs,
    }


def _counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in (Programme, Call, Application, Mobility)}
    counts["history"] = sum(model.history.model.objects.count() for model in (Programme, Call, Application, Mobility))
    return counts


def _refused(client, url, body, field, *, method="post"):
    """Send ``body``; assert a 400 that names ``field`` and that nothing was written."""
    return assert_refused(client, url, body, field, counts=_counts, method=method)


# --- programmes ------------------------------------------------------------------------------


def test_create_a_joint_programme_with_its_partners(api, tenants, records):
    response = api.post(
        PROGRAMMES,
        {
            "name": "2+2 bachelor in mining with LNTU",
            "kind": "joint_training",
            "years_home": "2",
            "years_abroad": "2",
            "degree": "double",
            "partners": [records["kumoh"].pk],
            "subject_areas": "0724",
            "starts_on": "2026-09-01",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    data = response.json()
    programme = Programme.objects.get(pk=data["id"])
    assert programme.owner == tenants["qn"]
    assert data["structure"] == "2+2"
    assert data["partners"] == [records["kumoh"].pk]
    assert data["url"].endswith(reverse("mobility:programme_detail", args=[programme.pk]))


def test_update_and_delete_a_programme(api, records):
    spare = records["spare"]
    updated = api.patch(
        f"{PROGRAMMES}{spare.pk}/", {"partners": [records["shizuoka"].pk], "language": "en"}, format="json"
    )
    used = api.delete(f"{PROGRAMMES}{records['programme'].pk}/")
    fresh = api.post(PROGRAMMES, {"name": "Online Japanese course", "kind": "online_course"}, format="json")
    deleted = api.delete(f"{PROGRAMMES}{fresh.json()['id']}/")

    assert updated.status_code == 200, updated.content
    assert (updated.json()["partners"], updated.json()["language"]) == ([records["shizuoka"].pk], "en")
    assert used.status_code == 400  # it has calls
    assert "delete them first" in " ".join(used.json()["non_field_errors"])
    assert Programme.objects.filter(pk=records["programme"].pk).exists()
    assert deleted.status_code == 204
    assert not Programme.objects.filter(pk=fresh.json()["id"]).exists()


def test_a_programme_with_half_a_structure_is_refused(api, records):
    _refused(
        api, PROGRAMMES, {"name": "3+1 in accounting", "kind": "joint_training", "years_home": "3"}, "years_abroad"
    )


def test_filter_programmes_by_kind_and_partner(api, records):
    by_kind = results(api.get(PROGRAMMES, {"kind": "summer"}))
    by_partner = results(api.get(PROGRAMMES, {"partner": records["shizuoka"].pk}))

    assert [p["name"] for p in by_kind] == ["Summer Experience"]
    assert [p["name"] for p in by_partner] == ["Study in Japan exchange"]


# --- calls and the selection -----------------------------------------------------------------


def _call_body(records, **overrides):
    body = {
        "programme": records["programme"].pk,
        "title": "Japanese Government scholarship 2027",
        "academic_year": "2026/2027",
        "places": 3,
        "opens_on": "2026-02-01",
        "closes_on": "2026-03-31",
        "gpa_scale": "10",
        "min_gpa": "7",
        "levels": "bachelor,master",
    }
    body.update(overrides)
    return body


def test_create_a_call_for_a_programme(api, tenants, records):
    response = api.post(CALLS, _call_body(records), format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["owner"], data["status"], data["application_count"]) == (tenants["qn"].pk, "open", 0)
    assert (data["gpa_scale"], data["min_gpa"], data["weight_gpa"]) == ("10.00", "7.00", "50.00")


def test_a_call_shows_its_applications_and_status(api, records):
    data = api.get(f"{CALLS}{records['call'].pk}/").json()

    assert (data["status"], data["application_count"], data["places"]) == ("selected", 3, 2)
    assert data["selected_at"] is not None and data["confirmed_at"] is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"places": -1}, "places"),
        ({"closes_on": "2026-01-15"}, "closes_on"),
        ({"min_gpa": "12"}, "min_gpa"),
        ({"levels": "bachelor,kindergarten"}, "levels"),
        ({"academic_year": "2026-2027"}, "academic_year"),
        ({"weight_gpa": "0", "weight_language": "0", "weight_interview": "0"}, "weight_gpa"),
    ],
)
def test_a_bad_call_is_refused(api, records, overrides, field):
    _refused(api, CALLS, _call_body(records, **overrides), field)


def test_a_call_for_another_tenants_programme_is_refused(users, records):
    theirs = services.programme_create(
        acting_user=users["other"], data={"name": "Hải Phòng exchange", "kind": "exchange"}
    )

    _refused(token_client(users["editor"]), CALLS, _call_body(records, programme=theirs.pk), "programme")


def test_run_the_selection_with_explanations(api, records):
    response = api.post(f"{CALLS}{records['call'].pk}/select/")

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["call"]["status"] == "selected"
    outcomes = data["outcomes"]
    assert [(o["display_name"], o["status"], o["rank"]) for o in outcomes] == [
        ("Nguyễn Thị Lan", "selected", 1),
        ("Trần Văn Minh", "selected", 2),
        ("Phạm Thu Hà", "ineligible", None),
    ]
    lan = outcomes[0]
    # 3.8 of 4 is 95 points, B2 is 60, the interview 80: (95×50 + 60×20 + 80×30) / 100
    assert lan["score"] == "83.50"
    assert lan["explanation"]["parts"]["gpa"] == {"value": "3.80", "points": "95.00", "weight": "50"}
    assert outcomes[2]["explanation"]["reasons"] == [{"code": "gpa_below", "value": "2.10", "minimum": "2.50"}]


def test_the_selection_is_rerun_after_a_new_application(api, records):
    added = api.post(
        APPLICATIONS,
        {
            "call": records["call"].pk,
            "full_name": "Hoàng Minh Châu",
            "student_number": "HLU-004",
            "gpa": "4.00",
            "language_level": "C1",
            "interview_score": "95",
            "submitted_on": "2026-01-20",
            "subject_area": "0231",
        },
        format="json",
    )
    call_after_adding = api.get(f"{CALLS}{records['call'].pk}/").json()["status"]

    rerun = api.post(f"{CALLS}{records['call'].pk}/select/").json()

    assert added.status_code == 201, added.content
    assert call_after_adding == "open"  # the proposed selection was cleared
    assert [(o["display_name"], o["status"]) for o in rerun["outcomes"][:3]] == [
        ("Hoàng Minh Châu", "selected"),
        ("Nguyễn Thị Lan", "selected"),
        ("Trần Văn Minh", "waitlisted"),
    ]


def test_a_selection_with_no_applications_is_refused(api, records):
    errors = _refused(api, f"{CALLS}{records['empty'].pk}/select/", {}, "non_field_errors")

    assert "no applications" in " ".join(errors["non_field_errors"])
    assert Call.objects.get(pk=records["empty"].pk).status == CallStatus.OPEN


def test_confirm_the_selection_creates_the_nominated_mobilities(api, records):
    response = api.post(f"{CALLS}{records['call'].pk}/confirm/")

    assert response.status_code == 201, response.content
    created = response.json()
    assert [(m["full_name"], m["status"], m["direction"]) for m in created] == [
        ("Nguyễn Thị Lan", "nominated", "outgoing"),
        ("Trần Văn Minh", "nominated", "outgoing"),
    ]
    assert {m["host_organization"] for m in created} == {records["shizuoka"].pk}
    assert {m["planned_start"] for m in created} == {"2026-10-01"}
    call = Call.objects.get(pk=records["call"].pk)
    assert call.status == CallStatus.CONFIRMED
    assert Application.objects.get(pk=records["first"].pk).status == ApplicationStatus.NOMINATED
    again = api.post(f"{CALLS}{records['call'].pk}/confirm/")
    assert again.status_code == 400
    changed = api.patch(f"{CALLS}{records['call'].pk}/", {"places": 5}, format="json")
    assert changed.status_code == 400
    assert Call.objects.get(pk=call.pk).places == 2


def test_confirming_before_running_the_selection_is_refused(api, records):
    response = api.post(f"{CALLS}{records['empty'].pk}/confirm/")

    assert response.status_code == 400
    assert "Run the selection" in " ".join(response.json()["non_field_errors"])


def test_delete_a_call(api, records):
    response = api.delete(f"{CALLS}{records['empty'].pk}/")

    assert response.status_code == 204
    assert not Call.objects.filter(pk=records["empty"].pk).exists()


# --- applications ----------------------------------------------------------------------------


def _application_body(records, **overrides):
    body = {
        "call": records["call"].pk,
        "full_name": "Đặng Thị Thu",
        "student_number": "HLU-010",
        "email": "thu@example.org",
        "level": "bachelor",
        "subject_area": "0231",
        "gpa": "3.50",
        "language_certificate": "JLPT N2",
        "language_level": "B2",
        "interview_score": "70",
        "submitted_on": "2026-02-01",
    }
    body.update(overrides)
    return body


def test_apply_to_a_call(api, records):
    response = api.post(APPLICATIONS, _application_body(records), format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["full_name"], data["display_name"], data["status"], data["rank"]) == (
        "Đặng Thị Thu",
        "Đặng Thị Thu",
        "submitted",
        None,
    )
    assert Application.objects.get(pk=data["id"]).call == records["call"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"gpa": "4.50"}, "gpa"),  # the call's scale is 4
        ({"gpa": "-1"}, "gpa"),
        ({"student_number": "HLU-001", "full_name": "Nguyen Thi Lan"}, "student_number"),  # applied already
        ({"submitted_on": "2026-03-01"}, "submitted_on"),  # the call closed on 28 February
        ({"submitted_on": "2025-11-30"}, "submitted_on"),  # before it opened
        ({"interview_score": "120"}, "interview_score"),
        ({"full_name": ""}, "full_name"),
        ({"full_name": None}, "full_name"),
        ({"subject_area": "99999"}, "subject_area"),
    ],
)
def test_a_bad_application_is_refused(api, records, overrides, field):
    _refused(api, APPLICATIONS, _application_body(records, **overrides), field)


def test_the_same_applicant_by_email_is_refused(api, records):
    errors = _refused(
        api,
        APPLICATIONS,
        _application_body(records, student_number="", email="hlu-002@EXAMPLE.org", full_name="Minh Tran"),
        "email",
    )

    assert "already" in errors["email"][0]


def test_filter_applications_by_call_and_outcome(api, records):
    of_call = results(api.get(APPLICATIONS, {"call": records["call"].pk}))
    of_empty = results(api.get(APPLICATIONS, {"call": records["empty"].pk}))
    ineligible = results(api.get(APPLICATIONS, {"status": "ineligible"}))

    assert [a["full_name"] for a in of_call] == ["Nguyễn Thị Lan", "Trần Văn Minh", "Phạm Thu Hà"]
    assert of_empty == []
    assert [a["full_name"] for a in ineligible] == ["Phạm Thu Hà"]
    assert ineligible[0]["explanation"]["reasons"][0]["code"] == "gpa_below"


def test_update_withdraw_and_delete_applications(api, records):
    updated = api.patch(f"{APPLICATIONS}{records['third'].pk}/", {"gpa": "2.90"}, format="json")
    withdrawn = api.post(f"{APPLICATIONS}{records['second'].pk}/withdraw/", {"reason": "Took a job"}, format="json")
    deleted = api.delete(f"{APPLICATIONS}{records['first'].pk}/")

    assert updated.status_code == 200 and updated.json()["gpa"] == "2.90"
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert deleted.status_code == 204
    assert not Application.objects.filter(pk=records["first"].pk).exists()


# --- mobilities ------------------------------------------------------------------------------


def _mobility_body(records, **overrides):
    body = {
        "direction": "outgoing",
        "category": "student",
        "full_name": "Bùi Thị Ngọc",
        "student_number": "HLU-200",
        "host_organization": records["shizuoka"].pk,
        "programme": records["programme"].pk,
        "planned_start": "2026-04-01",
        "planned_end": "2026-09-30",
        "level": "bachelor",
    }
    body.update(overrides)
    return body


def test_create_an_outgoing_mobility(api, tenants, records):
    response = api.post(MOBILITIES, _mobility_body(records), format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["owner"], data["home_organization"], data["partner"], data["partner_name"]) == (
        tenants["qn"].pk,
        tenants["qn"].pk,
        records["shizuoka"].pk,
        "Shizuoka University",
    )
    assert (data["status"], data["academic_year"], data["months"]) == ("nominated", "2025/2026", "6.0")
    assert data["allowed_transitions"] == ["confirm", "start", "cancel"]
    assert data["full_name"] == "Bùi Thị Ngọc"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"planned_start": "2025-08-01"}, "planned_start"),  # the programme starts on 1 September 2025
        ({"planned_end": "2028-09-30"}, "planned_end"),  # and ends on 31 August 2028
        ({"planned_end": "2026-03-01"}, "planned_end"),  # before the start
        ({"host_organization": None}, "host_organization"),
        ({"direction": "sideways"}, "direction"),
        ({"nationality": "XY"}, "nationality"),
        ({"funding_amount": "-5"}, "funding_amount"),
    ],
)
def test_a_bad_mobility_is_refused(api, records, overrides, field):
    _refused(api, MOBILITIES, _mobility_body(records, **overrides), field)


def test_a_mobility_beyond_its_quota_needs_to_be_allowed(api, records):
    # The quota of 3 places has 2 selected applicants and one more mobility.
    api.post(MOBILITIES, _mobility_body(records, allocation=records["quota"].pk, full_name="A"), format="json")
    before = _counts()

    refused = api.post(MOBILITIES, _mobility_body(records, allocation=records["quota"].pk), format="json")
    after_refusal = _counts()
    allowed = api.post(
        MOBILITIES,
        _mobility_body(records, allocation=records["quota"].pk, allow_over_quota=True),
        format="json",
    )

    assert refused.status_code == 400, refused.content
    assert refused.json()["code"] == "quota_exceeded"
    assert "allocation" in refused.json()
    assert after_refusal == before
    assert allowed.status_code == 201, allowed.content


def test_the_mobility_lifecycle(api, records):
    url = f"{MOBILITIES}{records['nominated'].pk}/"

    confirmed = api.post(url + "confirm/")
    started = api.post(url + "start/", {"started_on": "2025-10-03"}, format="json")
    completed = api.post(url + "complete/", {}, format="json")
    cancelled_again = api.post(url + "cancel/", {"reason": "Too late"}, format="json")

    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    assert started.status_code == 200 and started.json()["actual_start"] == "2025-10-03"
    assert completed.status_code == 200
    assert (completed.json()["status"], completed.json()["actual_end"]) == ("completed", "2026-03-31")
    assert completed.json()["allowed_transitions"] == []
    assert cancelled_again.status_code == 400
    assert Mobility.objects.get(pk=records["nominated"].pk).status == MobilityStatus.COMPLETED


def test_cancelling_needs_a_reason(api, records):
    response = api.post(f"{MOBILITIES}{records['nominated'].pk}/cancel/", {"reason": ""}, format="json")

    assert response.status_code == 400
    assert "reason" in response.json()
    assert Mobility.objects.get(pk=records["nominated"].pk).status == MobilityStatus.NOMINATED


def test_the_status_is_not_set_by_hand(api, records):
    mobility = records["nominated"]

    response = api.patch(f"{MOBILITIES}{mobility.pk}/", {"status": "completed", "note": "Housing found"}, format="json")

    assert response.status_code == 200
    mobility.refresh_from_db()
    assert (mobility.status, mobility.note) == (MobilityStatus.NOMINATED, "Housing found")


def test_update_and_delete_a_mobility(api, records):
    url = f"{MOBILITIES}{records['nominated'].pk}/"

    updated = api.patch(url, {"planned_end": "2026-06-30", "funding_amount": "1500.00"}, format="json")
    deleted = api.delete(url)

    assert updated.status_code == 200, updated.content
    assert (updated.json()["months"], updated.json()["funding_amount"]) == ("9.0", "1500.00")
    assert deleted.status_code == 204
    assert not Mobility.objects.filter(pk=records["nominated"].pk).exists()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"direction": "incoming"}, {"Sato Yuki", "Tanaka Hiroshi"}),
        ({"category": "lecturer"}, {"Đỗ Quang Huy"}),
        ({"status": "cancelled"}, {"Sato Yuki"}),
        ({"status": "ongoing"}, {"Đỗ Quang Huy"}),
        ({"academic_year": "2025/2026"}, {"Vũ Thị Hoa", "Đỗ Quang Huy", "Sato Yuki", "Tanaka Hiroshi"}),
        ({"academic_year": "2024/2025"}, set()),
        ({"country": "KR"}, {"Đỗ Quang Huy"}),
        ({"q": "shizuoka"}, {"Vũ Thị Hoa", "Sato Yuki", "Tanaka Hiroshi"}),
        ({"country": "JP"}, {"Vũ Thị Hoa", "Sato Yuki", "Tanaka Hiroshi"}),
    ],
)
def test_filter_the_mobilities(users, records, query, expected):
    rows = results(token_client(users["admin"]).get(MOBILITIES, query))

    assert {m["display_name"] for m in rows} == {
        name if name != "Tanaka Hiroshi" else f"Participant no. {records['volunteer'].pk}" for name in expected
    }


def test_filter_the_mobilities_by_partner_programme_and_agreement(api, records):
    by_partner = results(api.get(MOBILITIES, {"partner": records["kumoh"].pk}))
    by_programme = results(api.get(MOBILITIES, {"programme": records["programme"].pk}))
    by_agreement = results(api.get(MOBILITIES, {"agreement": 999999}))

    assert [m["full_name"] for m in by_partner] == ["Đỗ Quang Huy"]
    assert [m["full_name"] for m in by_programme] == ["Vũ Thị Hoa"]
    assert by_agreement == []


# --- privacy ---------------------------------------------------------------------------------

PERSONAL = ("full_name", "email", "student_number", "date_of_birth", "gender", "nationality", "person")


@pytest.mark.parametrize(
    ("role", "sees_names"),
    [("viewer", False), ("editor", True), ("manager", True), ("admin", True), ("unit", False)],
)
def test_names_of_mobile_people_only_for_editors_of_the_owner(users, records, role, sees_names):
    rows = results(token_client(users[role]).get(MOBILITIES))
    hoa = next((m for m in rows if m["id"] == records["nominated"].pk), None)

    if role == "unit":  # Ha Long University does not see its department's records at all
        assert hoa is None
        return
    if sees_names:
        assert (hoa["full_name"], hoa["email"], hoa["student_number"], hoa["date_of_birth"]) == (
            "Vũ Thị Hoa",
            "hoa@example.org",
            "HLU-100",
            "2003-05-04",
        )
        assert hoa["display_name"] == "Vũ Thị Hoa"
    else:
        assert all(hoa[field] is None for field in PERSONAL)
        assert hoa["display_name"] == f"Participant no. {records['nominated'].pk}"
        assert "Vũ Thị Hoa" not in str(rows)
    # figures stay visible to everybody who sees the record
    assert (hoa["direction"], hoa["months"], hoa["partner_name"]) == ("outgoing", "6.0", "Shizuoka University")


def test_the_oversight_body_sees_its_units_mobilities_without_names(users, records):
    seen_by_doet = token_client(users["editor"]).get(f"{MOBILITIES}{records['volunteer'].pk}/").json()
    seen_by_unit = token_client(users["unit"]).get(f"{MOBILITIES}{records['volunteer'].pk}/").json()

    assert seen_by_doet["full_name"] is None
    assert seen_by_doet["category"] == "volunteer"
    assert seen_by_unit["full_name"] == "Tanaka Hiroshi"


@pytest.mark.parametrize(("role", "sees_names"), [("viewer", False), ("editor", True), ("admin", True)])
def test_names_of_applicants_only_for_editors_of_the_owner(users, records, role, sees_names):
    client = token_client(users[role])
    rows = results(client.get(APPLICATIONS, {"call": records["call"].pk}))
    detail = client.get(f"{APPLICATIONS}{records['first'].pk}/").json()

    if sees_names:
        assert [a["full_name"] for a in rows] == ["Nguyễn Thị Lan", "Trần Văn Minh", "Phạm Thu Hà"]
        assert detail["email"] == "HLU-001@example.org"
    else:
        assert all(a[field] is None for a in rows for field in PERSONAL if field in a)
        assert detail["display_name"] == f"Applicant no. {records['first'].pk}"
        assert "Nguyễn Thị Lan" not in str(rows) + str(detail)
    assert [a["rank"] for a in rows] == [1, 2, None]  # the outcome is visible to every reader


def test_the_selection_names_applicants_only_for_editors_of_the_owner(users, records):
    rows = results(token_client(users["viewer"]).get(APPLICATIONS, {"status": "selected"}))

    assert [a["display_name"] for a in rows] == [
        f"Applicant no. {records['first'].pk}",
        f"Applicant no. {records['second'].pk}",
    ]


# --- exchange balance ------------------------------------------------------------------------


def test_the_exchange_balance_per_partner_and_year(api, records):
    response = api.get(BALANCE)

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["by"] == "partner"
    rows = {(r["label"], r["year"]): r for r in data["rows"]}
    # Hoa goes to Shizuoka for 6 months, Tanaka comes from there for 10; Sato's stay was cancelled.
    shizuoka = rows[("Shizuoka University", "2025/2026")]
    assert (shizuoka["incoming_people"], shizuoka["outgoing_people"], shizuoka["people_balance"]) == (1, 1, 0)
    assert (shizuoka["incoming_months"], shizuoka["outgoing_months"], shizuoka["months_balance"]) == (
        "10.0",
        "6.0",
        "4.0",
    )
    kumoh = rows[("Kumoh National Institute of Technology", "2025/2026")]
    assert (kumoh["incoming_people"], kumoh["outgoing_people"]) == (0, 1)
    assert (data["totals"]["incoming_people"], data["totals"]["outgoing_people"]) == (1, 2)


def test_the_exchange_balance_follows_the_filters_and_the_tenancy(users, records):
    lecturers = token_client(users["editor"]).get(BALANCE, {"category": "lecturer"}).json()
    theirs = token_client(users["other"]).get(BALANCE).json()
    by_agreement = token_client(users["editor"]).get(BALANCE, {"by": "agreement"}).json()

    assert [(r["label"], r["outgoing_people"]) for r in lecturers["rows"]] == [
        ("Kumoh National Institute of Technology", 1)
    ]
    assert [(r["label"], r["outgoing_people"]) for r in theirs["rows"]] == [
        ("Kumoh National Institute of Technology", 1)
    ]
    assert by_agreement["rows"] == []  # no mobility names an agreement


def test_the_exchange_balance_by_something_else_is_refused(api, records):
    response = api.get(BALANCE, {"by": "country"})

    assert response.status_code == 400
    assert "by" in response.json()


# --- permission matrix -----------------------------------------------------------------------

ROLES = ROLES_WITH_UNIT


PAYLOADS = {
    ("programme-list", "post"): lambda r: {"name": "Japanese language course", "kind": "language_course"},
    ("programme-detail", "put"): lambda r: {"name": "Summer Experience in Korea", "kind": "summer"},
    ("programme-detail", "patch"): lambda r: {"description": "Three weeks in July."},
    ("call-list", "post"): lambda r: _call_body(r),
    ("call-detail", "put"): lambda r: _call_body(r, programme=r["spare"].pk, title="Summer Experience 2026 bis"),
    ("call-detail", "patch"): lambda r: {"places": 6},
    ("application-list", "post"): lambda r: _application_body(r),
    ("application-detail", "put"): lambda r: _application_body(r, full_name="Phạm Thu Hà", student_number="HLU-003"),
    ("application-detail", "patch"): lambda r: {"gpa": "2.60"},
    ("application-withdraw", "post"): lambda r: {"reason": "Changed plans"},
    ("mobility-list", "post"): lambda r: _mobility_body(r, programme=None),
    ("mobility-detail", "put"): lambda r: _mobility_body(r, full_name="Vũ Thị Hoa", planned_end="2026-05-31"),
    ("mobility-detail", "patch"): lambda r: {"note": "Housing found"},
    ("mobility-start", "post"): lambda r: {"started_on": "2025-10-02"},
    ("mobility-complete", "post"): lambda r: {"ended_on": "2025-12-20"},
    ("mobility-cancel", "post"): lambda r: {"reason": "Illness"},
}

# Statuses in the order of ROLES. Anonymous calls get 403 (session authentication sends no
# challenge). Another tenant and a unit below Quảng Ninh do not learn that Quảng Ninh's
# records exist: 404 on them, and 400 when they name one in what they send.
READ = (403, 200, 200, 200, 200, 200, 200)
READ_OWNED = (403, 200, 200, 200, 200, 404, 404)
CREATE = (403, 403, 201, 201, 201, 201, 201)
CREATE_UNDER = (403, 403, 201, 201, 201, 400, 400)
CHANGE = (403, 403, 200, 200, 200, 404, 404)
CREATED = (403, 403, 201, 201, 201, 404, 404)
DELETE = (403, 403, 204, 204, 204, 404, 404)

API_TABLE = [
    (Op("programme-list"), "get", READ),
    (Op("programme-list"), "post", CREATE),
    (Op("programme-detail", "programme"), "get", READ_OWNED),
    (Op("programme-detail", "spare"), "put", CHANGE),
    (Op("programme-detail", "spare"), "patch", CHANGE),
    (Op("programme-detail", "spare"), "delete", (403, 403, 400, 400, 400, 404, 404)),  # it has a call
    (Op("call-list"), "get", READ),
    (Op("call-list"), "post", CREATE_UNDER),
    (Op("call-detail", "call"), "get", READ_OWNED),
    (Op("call-detail", "empty"), "put", CHANGE),
    (Op("call-detail", "empty"), "patch", CHANGE),
    (Op("call-detail", "empty"), "delete", DELETE),
    (Op("call-select", "call"), "post", CHANGE),
    (Op("call-confirm", "call"), "post", CREATED),
    (Op("application-list"), "get", READ),
    (Op("application-list"), "post", CREATE_UNDER),
    (Op("application-detail", "first"), "get", READ_OWNED),
    (Op("application-detail", "third"), "put", CHANGE),
    (Op("application-detail", "third"), "patch", CHANGE),
    (Op("application-detail", "third"), "delete", DELETE),
    (Op("application-withdraw", "second"), "post", CHANGE),
    (Op("mobility-list"), "get", READ),
    (Op("mobility-list"), "post", CREATE),
    (Op("mobility-detail", "nominated"), "get", READ_OWNED),
    (Op("mobility-detail", "nominated"), "put", CHANGE),
    (Op("mobility-detail", "nominated"), "patch", CHANGE),
    (Op("mobility-detail", "nominated"), "delete", DELETE),
    (Op("mobility-confirm", "nominated"), "post", CHANGE),
    (Op("mobility-start", "nominated"), "post", CHANGE),
    (Op("mobility-complete", "ongoing"), "post", CHANGE),
    (Op("mobility-cancel", "ongoing"), "post", CHANGE),
    (Op("mobility-balance-list"), "get", READ),
]


def _state():
    """What a write would change: every programme, call, application and mobility."""
    return (
        set(Programme.objects.values_list("pk", "name", "description", "updated_at")),
        set(Call.objects.values_list("pk", "status", "places", "updated_at")),
        set(Application.objects.values_list("pk", "status", "gpa", "updated_at")),
        set(Mobility.objects.values_list("pk", "status", "note", "updated_at")),
    )


@pytest.mark.parametrize(("op", "method", "role", "expected"), cases(API_TABLE, ROLES))
def test_api_permissions(users, records, op, method, role, expected):
    # given
    client = session_client(users.get(role))
    payload = PAYLOADS.get((op.name, method))
    data = payload(records) if payload else None
    before = _state()

    # when
    call = getattr(client, method)
    response = call(op.resolve(records), data, format="json") if data else call(op.resolve(records))

    # then
    assert response.status_code == expected, response.content[:500]
    assert_written_or_not(_state, before, expected, method)


def test_every_api_operation_of_mobility_has_permission_rows():
    basenames = {"programme", "call", "application", "mobility", "mobility-balance"}

    assert api_operations(basenames) == covered_operations(API_TABLE)


def test_rows_of_other_tenants_are_never_listed(users, records):
    theirs = {m["id"] for m in results(token_client(users["other"]).get(MOBILITIES))}
    mine = {m["id"] for m in results(token_client(users["viewer"]).get(MOBILITIES))}
    their_calls = results(token_client(users["other"]).get(CALLS))
    their_applications = results(token_client(users["other"]).get(APPLICATIONS))

    assert theirs == {records["theirs"].pk}
    assert records["theirs"].pk not in mine
    assert records["volunteer"].pk in mine  # Ha Long University's is under Quảng Ninh
    assert their_calls == [] and their_applications == []


# --- a bounded number of queries -------------------------------------------------------------


def _more(users, records, count):
    editor = users["editor"]
    for number in range(count):
        programme = services.programme_create(
            acting_user=editor,
            data={"name": f"Exchange {number}", "kind": "exchange"},
            partners=[records["shizuoka"], records["kumoh"]],
        )
        call = services.call_create(
            acting_user=editor,
            data={
                "programme": programme,
                "title": f"Call {number}",
                "academic_year": "2026/2027",
                "host": records["kumoh"],
                "places": 1,
                "opens_on": D(2025, 12, 1),
                "closes_on": D(2026, 2, 28),
            },
        )
        _applicant(editor, call, f"Applicant {number}", f"X-{number}", "3.5")
        services.mobility_create(
            acting_user=editor,
            data={
                "direction": "outgoing" if number % 2 else "incoming",
                "category": "student",
                "full_name": f"Student {number}",
                "home_organization": records["kumoh"] if number % 2 == 0 else None,
                "host_organization": records["shizuoka"] if number % 2 else None,
                "programme": programme,
                "allocation": records["quota"] if number < 1 else None,
                "planned_start": D(2024 + number % 3, 10, 1),
                "planned_end": D(2025 + number % 3, 3, 31),
            },
        )


@pytest.mark.parametrize("url", [PROGRAMMES, CALLS, APPLICATIONS, MOBILITIES, BALANCE])
@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_lists_ask_the_same_number_of_queries_for_few_or_many_rows(users, records, url, role):
    client = token_client(users[role])
    client.get(url)
    first, few = queries_of(client, url)
    before = first.json()
    _more(users, records, 6)

    response, many = queries_of(client, url)

    assert response.status_code == 200
    after = response.json()
    if url == BALANCE:
        assert len(after["rows"]) > len(before["rows"])
    else:
        assert after["count"] >= before["count"] + 6
    assert len(many) == len(few), [q["sql"] for q in many]
    assert len(many) <= 10


@pytest.mark.parametrize(
    "url",
    [
        lambda r: f"{PROGRAMMES}{r['programme'].pk}/",
        lambda r: f"{CALLS}{r['call'].pk}/",
        lambda r: f"{APPLICATIONS}{r['first'].pk}/",
        lambda r: f"{MOBILITIES}{r['nominated'].pk}/",
    ],
)
def test_details_ask_a_bounded_number_of_queries(users, records, url, django_assert_max_num_queries):
    client = token_client(users["editor"])

    with django_assert_max_num_queries(10):
        response = client.get(url(records))

    assert response.status_code == 200


# --- schema ----------------------------------------------------------------------------------


def test_the_openapi_schema_documents_the_mobility_operations(api):
    response = api.get("/api/schema/")

    assert response.status_code == 200
    paths = yaml.safe_load(response.content)["paths"]
    for path, method in [
        ("/api/v1/programmes/", "post"),
        ("/api/v1/calls/{id}/", "patch"),
        ("/api/v1/calls/{id}/select/", "post"),
        ("/api/v1/calls/{id}/confirm/", "post"),
        ("/api/v1/applications/", "post"),
        ("/api/v1/applications/{id}/withdraw/", "post"),
        ("/api/v1/mobilities/", "post"),
        ("/api/v1/mobilities/{id}/confirm/", "post"),
        ("/api/v1/mobilities/{id}/start/", "post"),
        ("/api/v1/mobilities/{id}/complete/", "post"),
        ("/api/v1/mobilities/{id}/cancel/", "post"),
        ("/api/v1/mobility-balance/", "get"),
    ]:
        assert method in paths.get(path, {}), (path, method)
    parameters = {p["name"] for p in paths["/api/v1/mobilities/"]["get"]["parameters"]}
    assert {"direction", "category", "status", "academic_year", "partner", "country", "programme", "agreement"} <= (
        parameters
    )
    balance = {p["name"] for p in paths["/api/v1/mobility-balance/"]["get"]["parameters"]}
    assert {"by", "academic_year", "programme"} <= balance
    assert "post" not in paths["/api/v1/mobility-balance/"]


def test_the_openapi_schema_builds_without_warnings():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        SchemaGenerator().get_schema(request=None, public=True)

    assert not GENERATOR_STATS._warn_cache, list(GENERATOR_STATS._warn_cache)
    assert not GENERATOR_STATS._error_cache, list(GENERATOR_STATS._error_cache)


@pytest.mark.parametrize(("role", "found"), [("viewer", False), ("editor", True)])
def test_searching_by_name_finds_only_people_the_reader_may_see(users, records, role, found):
    rows = results(token_client(users[role]).get(MOBILITIES, {"q": "HLU-100"}))

    assert [m["id"] for m in rows] == ([records["nominated"].pk] if found else [])
