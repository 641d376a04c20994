"""The REST API of engagements, follow-up actions and series: CRUD with nested rows, filters,
the action lifecycle, bad input, the permission matrix and a bounded number of queries.

The users are those of the root conftest: a viewer, an editor, a manager and an admin of
Quảng Ninh DoET, ``other`` (an editor of Hải Phòng DoET, another tenant) and ``unit`` (an
editor of Ha Long University, under Quảng Ninh).
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accord.agreements import services as agreement_services
from accord.core.testing import (
    ROLES,
    Op,
    api_operations,
    assert_refused,
    assert_written_or_not,
    cases,
    covered_operations,
    queries_of,
    session_client,
    token_client,
)
from accord.engagements import services
from accord.engagements.models import (
    ActionStatus,
    Engagement,
    EngagementOrganization,
    EngagementSeries,
    EngagementTitle,
    FollowUpAction,
    Participant,
)
from accord.partners import services as partner_services

ENGAGEMENTS = "/api/v1/engagements/"
ACTIONS = "/api/v1/actions/"
SERIES = "/api/v1/engagement-series/"
D = datetime.date


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """Every test runs on 15 January 2026, whatever the clock says."""
    real = timezone.localdate
    day = D(2026, 1, 15)
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, timezone=None: day if value is None else real(value, timezone)
    )
    return day


@pytest.fixture
def api(users):
    """The editor of Quảng Ninh DoET, with a token, as another system would call."""
    return token_client(users["editor"])


@pytest.fixture
def partners(users):
    editor = users["editor"]

    def org(name, country, **extra):
        return partner_services.organization_create(
            acting_user=editor, data={"kind": "university", "name": name, "country": country, **extra}
        )

    kumoh = org("Kumoh National Institute of Technology", "KR")
    lntu = org("Liaoning Technical University", "CN", subdivision="CN-LN")
    shizuoka = org("Shizuoka University", "JP")

    def person(name, affiliation, position=""):
        return partner_services.person_create(
            acting_user=editor, data={"name": name, "affiliation": affiliation, "position": position}
        )

    return {
        "kumoh": kumoh,
        "lntu": lntu,
        "shizuoka": shizuoka,
        "president": person("Kwak Sang-hoon", kumoh, "President"),
        "dean": person("Wang Lei", lntu, "Dean of mining engineering"),
    }


@pytest.fixture
def records(users, tenants, partners):
    """Quảng Ninh DoET: Kumoh's visit in October 2025 with an open action due in March and an
    overdue one, a conference in Japan planned for May 2026, a series and an agreement; and an
    engagement of Hải Phòng DoET."""
    editor = users["editor"]
    qn = tenants["qn"]
    host = partner_services.person_create(
        acting_user=editor, data={"name": "Nguyễn Thị Hoa", "affiliation": qn, "position": "Head of cooperation"}
    )
    series = services.series_create(acting_user=editor, name="Annual exchange with Kumoh")
    visit = services.engagement_create(
        acting_user=editor,
        data={
            "kind": "incoming_delegation",
            "title": "Kumoh delegation visits Quảng Ninh",
            "starts_on": D(2025, 10, 6),
            "ends_on": D(2025, 10, 8),
            "city": "Hạ Long",
            "country": "VN",
            "host": qn,
            "series": series,
        },
        titles=[{"language": "vi", "title": "Đoàn Học viện Kumoh thăm Quảng Ninh"}],
        organizations=[{"organization": qn, "role": "host"}, {"organization": partners["kumoh"], "role": "guest"}],
        participants=[
            {"person": partners["president"], "role": "head"},
            {"person": host, "role": "host_representative"},
        ],
    )
    conference = services.engagement_create(
        acting_user=editor,
        data={
            "kind": "conference",
            "title": "Asian rectors' conference",
            "starts_on": D(2026, 5, 1),
            "precision": "month",
            "city": "Shizuoka",
            "country": "JP",
        },
        organizations=[{"organization": partners["shizuoka"], "role": "host"}],
    )
    draft_mou = services.action_create(
        acting_user=editor,
        data={
            "title": "Send the draft MoU to Kumoh",
            "engagement": visit,
            "responsible": host,
            "due_on": D(2026, 3, 1),
            "due_precision": "month",
        },
    )
    overdue = services.action_create(
        acting_user=editor,
        data={"title": "Share the photos of the visit", "engagement": visit, "due_on": D(2025, 12, 20)},
    )
    finished = services.action_create(acting_user=editor, data={"title": "Book the hotel for the delegation"})
    finished = services.action_complete(action=finished, acting_user=editor, done_on=D(2025, 10, 1), fulfilled_by=visit)
    agreement = agreement_services.agreement_create(
        acting_user=editor,
        data={"kind": "mou", "title": "MoU with Kumoh", "owner": qn},
        parties=[{"organization": qn}, {"organization": partners["kumoh"]}],
    )
    other = users["other"]
    theirs = services.engagement_create(
        acting_user=other,
        data={"kind": "working_session", "title": "Hải Phòng meets LNTU", "starts_on": D(2025, 11, 3), "country": "CN"},
        organizations=[{"organization": partners["lntu"], "role": "host"}],
    )
    their_action = services.action_create(
        acting_user=other, data={"title": "Hải Phòng's follow-up", "engagement": theirs, "due_on": D(2026, 2, 1)}
    )
    their_agreement = agreement_services.agreement_create(
        acting_user=other,
        data={"kind": "mou", "title": "Hải Phòng MoU with LNTU", "owner": tenants["hp"]},
        parties=[{"organization": tenants["hp"]}, {"organization": partners["lntu"]}],
    )
    return {
        "visit": visit,
        "conference": conference,
        "draft_mou": draft_mou,
        "overdue": overdue,
        "finished": finished,
        "series": series,
        "agreement": agreement,
        "host_person": host,
        "theirs": theirs,
        "their_action": their_action,
        "their_agreement": their_agreement,
        **partners,
    }


def _counts() -> dict[str, int]:
    models = (Engagement, EngagementTitle, EngagementOrganization, Participant, FollowUpAction, EngagementSeries)
    counts = {model.__name__: model.objects.count() for model in models}
    counts["links"] = Engagement.agreements.through.objects.count()
    counts["history"] = Engagement.history.model.objects.count() + FollowUpAction.history.model.objects.count()
    return counts


def _refused(api, body, field, *, method="post", url=ENGAGEMENTS):
    """Send ``body``; assert a 400 that names ``field`` and that nothing was written."""
    return assert_refused(api, url, body, field, counts=_counts, method=method)


def _body(tenants, partners, **overrides):
    """A good engagement as another system would send it."""
    body = {
        "kind": "outgoing_delegation",
        "title": "Quảng Ninh delegation to Kumoh",
        "title_language": "en",
        "starts_on": "2026-04-13",
        "ends_on": "2026-04-17",
        "city": "Gumi",
        "country": "KR",
        "host": partners["kumoh"].pk,
        "titles": [{"language": "vi", "title": "Đoàn Quảng Ninh thăm Học viện Kumoh"}],
        "organizations": [
            {"organization": tenants["qn"].pk, "role": "guest"},
            {"organization": partners["kumoh"].pk, "role": "host"},
        ],
        "participants": [{"person": partners["president"].pk, "role": "host_representative"}],
    }
    body.update(overrides)
    return body


# --- engagements: CRUD with nested rows ----------------------------------------------------


def test_create_an_engagement_with_titles_organisations_participants_and_agreements(api, users, tenants, records):
    # when
    body = _body(tenants, records, agreements=[records["agreement"].pk], series=records["series"].pk)
    response = api.post(ENGAGEMENTS, body, format="json")

    # then
    assert response.status_code == 201, response.content
    data = response.json()
    engagement = Engagement.objects.get(pk=data["id"])
    assert engagement.owner == tenants["qn"]  # the caller's home organisation when none is given
    assert (data["status"], data["starts_on"], data["ends_on"]) == ("planned", "2026-04-13", "2026-04-17")
    assert [(t["language"], t["title"]) for t in data["titles"]] == [("vi", "Đoàn Quảng Ninh thăm Học viện Kumoh")]
    assert [(o["organization_name"], o["role"]) for o in data["organizations"]] == [
        ("Quảng Ninh Department of Education and Training", "guest"),
        ("Kumoh National Institute of Technology", "host"),
    ]
    [participant] = data["participants"]
    # the president represents his affiliation, which was not given
    assert (participant["person_name"], participant["organization_name"]) == (
        "Kwak Sang-hoon",
        "Kumoh National Institute of Technology",
    )
    assert data["agreements"] == [records["agreement"].pk]
    assert list(records["agreement"].signed_at.all()) == [engagement]
    assert engagement.series == records["series"]
    assert data["has_open_actions"] is False
    assert data["url"].endswith(reverse("engagements:engagement_detail", args=[engagement.pk]))
    assert engagement.history.first().history_user == users["editor"]


def test_read_an_engagement_with_its_rows_status_and_open_actions(api, records):
    response = api.get(f"{ENGAGEMENTS}{records['visit'].pk}/")

    assert response.status_code == 200
    data = response.json()
    assert data["title"] == "Kumoh delegation visits Quảng Ninh"
    assert data["status"] == "held"
    assert data["has_open_actions"] is True
    assert data["titles"][0]["title"] == "Đoàn Học viện Kumoh thăm Quảng Ninh"
    assert {(p["person_name"], p["role"]) for p in data["participants"]} == {
        ("Kwak Sang-hoon", "head"),
        ("Nguyễn Thị Hoa", "host_representative"),
    }
    assert data["series"] == records["series"].pk


def test_a_month_only_engagement_is_stored_as_the_whole_month(api, records):
    response = api.get(f"{ENGAGEMENTS}{records['conference'].pk}/")

    data = response.json()
    assert (data["precision"], data["starts_on"], data["ends_on"], data["status"]) == (
        "month",
        "2026-05-01",
        "2026-05-31",
        "planned",
    )


def test_the_list_shows_only_the_engagements_of_the_callers_organisations(users, records):
    mine = token_client(users["viewer"]).get(ENGAGEMENTS).json()
    theirs = token_client(users["other"]).get(ENGAGEMENTS).json()

    assert {row["title"] for row in mine["results"]} == {
        "Kumoh delegation visits Quảng Ninh",
        "Asian rectors' conference",
    }
    assert {row["title"] for row in theirs["results"]} == {"Hải Phòng meets LNTU"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "conference"}, {"Asian rectors' conference"}),
        ({"kind": "incoming_delegation"}, {"Kumoh delegation visits Quảng Ninh"}),
        ({"kind": "webinar"}, set()),
        ({"date_from": "2026-01-01"}, {"Asian rectors' conference"}),
        ({"date_to": "2025-12-31"}, {"Kumoh delegation visits Quảng Ninh"}),
        ({"date_from": "2025-10-07", "date_to": "2025-10-31"}, {"Kumoh delegation visits Quảng Ninh"}),  # still going
        ({"date_from": "2025-11-01", "date_to": "2026-04-30"}, set()),
        ({"country": "KR"}, {"Kumoh delegation visits Quảng Ninh"}),  # a Korean partner took part
        ({"country": "JP"}, {"Asian rectors' conference"}),
        ({"country": "CN"}, set()),  # Hải Phòng's engagement in China is not Quảng Ninh's to see
        ({"has_open_actions": "true"}, {"Kumoh delegation visits Quảng Ninh"}),
        ({"has_open_actions": "false"}, {"Asian rectors' conference"}),
        ({"status": "planned"}, {"Asian rectors' conference"}),
        ({"q": "doan hoc vien KUMOH"}, {"Kumoh delegation visits Quảng Ninh"}),  # another title, no diacritics
    ],
)
def test_filter_the_engagements(api, records, query, expected):
    response = api.get(ENGAGEMENTS, query)

    assert response.status_code == 200, response.content
    assert {row["title"] for row in response.json()["results"]} == expected


def test_filter_the_engagements_by_partner(api, records):
    by_kumoh = api.get(ENGAGEMENTS, {"partner": records["kumoh"].pk}).json()["results"]
    by_shizuoka = api.get(ENGAGEMENTS, {"partner": records["shizuoka"].pk}).json()["results"]

    assert [row["title"] for row in by_kumoh] == ["Kumoh delegation visits Quảng Ninh"]
    assert [row["title"] for row in by_shizuoka] == ["Asian rectors' conference"]


def test_update_the_fields_and_the_nested_rows(api, records):
    # given
    visit = records["visit"]
    title = visit.titles.get()
    head = visit.participants.get(role="head")
    kumoh = visit.organizations.get(organization=records["kumoh"])

    # when: rename, change Kumoh's role, add LNTU and its dean, drop the head, link the agreement
    response = api.patch(
        f"{ENGAGEMENTS}{visit.pk}/",
        {
            "title": "Kumoh and LNTU delegations visit Quảng Ninh",
            "headcount": 12,
            "titles": [{"id": title.pk, "title": "Đoàn Kumoh và LNTU thăm Quảng Ninh"}],
            "organizations": [
                {"id": kumoh.pk, "role": "co_organiser"},
                {"organization": records["lntu"].pk, "role": "guest"},
            ],
            "participants": [{"id": head.pk, "DELETE": True}, {"person": records["dean"].pk, "role": "head"}],
            "agreements": [records["agreement"].pk],
        },
        format="json",
    )

    # then
    assert response.status_code == 200, response.content
    visit.refresh_from_db()
    assert (visit.title, visit.headcount) == ("Kumoh and LNTU delegations visit Quảng Ninh", 12)
    assert visit.titles.get().title == "Đoàn Kumoh và LNTU thăm Quảng Ninh"
    assert set(visit.organizations.values_list("organization__name", "role")) == {
        ("Quảng Ninh Department of Education and Training", "host"),
        ("Kumoh National Institute of Technology", "co_organiser"),
        ("Liaoning Technical University", "guest"),
    }
    assert set(visit.participants.values_list("person__name", "organization__name")) == {
        ("Wang Lei", "Liaoning Technical University"),
        ("Nguyễn Thị Hoa", "Quảng Ninh Department of Education and Training"),
    }
    assert list(visit.agreements.all()) == [records["agreement"]]
    assert response.json()["agreements"] == [records["agreement"].pk]


def test_put_replaces_the_fields_and_keeps_rows_not_mentioned(api, records):
    conference = records["conference"]

    response = api.put(
        f"{ENGAGEMENTS}{conference.pk}/",
        {"kind": "webinar", "title": "Asian rectors' webinar", "starts_on": "2026-05-20", "online": True},
        format="json",
    )

    assert response.status_code == 200, response.content
    conference.refresh_from_db()
    assert (conference.kind, conference.title, conference.online) == ("webinar", "Asian rectors' webinar", True)
    assert conference.organizations.count() == 1


def test_cancel_an_engagement(api, records):
    response = api.patch(f"{ENGAGEMENTS}{records['conference'].pk}/", {"cancelled": True}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_delete_an_engagement_with_its_rows(api, records):
    conference = records["conference"]

    response = api.delete(f"{ENGAGEMENTS}{conference.pk}/")

    assert response.status_code == 204
    assert not Engagement.objects.filter(pk=conference.pk).exists()
    assert not EngagementOrganization.objects.filter(engagement_id=conference.pk).exists()


# --- engagements: bad input ----------------------------------------------------------------


def test_an_end_before_the_start_is_refused(api, tenants, records):
    errors = _refused(api, _body(tenants, records, starts_on="2026-04-17", ends_on="2026-04-13"), "ends_on")

    assert "before the start" in " ".join(errors["ends_on"])


def test_a_participant_of_an_organisation_not_taking_part_is_refused_with_the_organisations_to_add(
    api, tenants, records
):
    body = _body(tenants, records, participants=[{"person": records["dean"].pk, "role": "member"}])

    errors = _refused(api, body, "participants")

    assert "Liaoning Technical University" in " ".join(errors["participants"])
    assert errors["missing_organizations"] == [{"id": records["lntu"].pk, "name": "Liaoning Technical University"}]


def test_adding_such_a_participant_on_update_is_refused_and_changes_nothing(api, records):
    visit = records["visit"]

    errors = _refused(
        api,
        {"title": "Renamed", "participants": [{"person": records["dean"].pk}]},
        "participants",
        method="patch",
        url=f"{ENGAGEMENTS}{visit.pk}/",
    )

    assert [o["id"] for o in errors["missing_organizations"]] == [records["lntu"].pk]
    assert Engagement.objects.get(pk=visit.pk).title == "Kumoh delegation visits Quảng Ninh"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "   "}, "title"),
        ({"kind": "party"}, "kind"),
        ({"starts_on": "next spring"}, "starts_on"),
        ({"country": "XX"}, "country"),
        ({"starts_on": None}, "starts_on"),
    ],
    ids=["blank title", "unknown kind", "not a date", "unknown country", "no start"],
)
def test_bad_fields_are_refused(api, tenants, records, overrides, field):
    _refused(api, _body(tenants, records, **overrides), field)


def test_an_agreement_of_another_tenant_cannot_be_linked(api, tenants, records):
    _refused(api, _body(tenants, records, agreements=[records["their_agreement"].pk]), "agreements")


def test_an_owner_outside_the_callers_organisations_is_refused(api, tenants, records):
    _refused(api, _body(tenants, records, owner=tenants["hp"].pk), "owner")


def test_a_person_the_caller_cannot_see_is_refused(api, users, tenants, records):
    stranger = partner_services.person_create(
        acting_user=users["other"], data={"name": "Trần Văn Bình", "affiliation": records["kumoh"]}
    )

    _refused(api, _body(tenants, records, participants=[{"person": stranger.pk}]), "participants")


def test_an_engagement_cannot_be_part_of_its_own_part(api, users, records):
    visit = records["visit"]
    part = services.engagement_create(
        acting_user=users["editor"],
        data={
            "kind": "site_visit",
            "title": "Visit of Hạ Long University",
            "starts_on": D(2025, 10, 7),
            "parent": visit,
        },
    )

    _refused(api, {"parent": part.pk}, "parent", method="patch", url=f"{ENGAGEMENTS}{visit.pk}/")


# --- follow-up actions ---------------------------------------------------------------------


def test_create_an_action_agreed_at_an_engagement(api, records):
    response = api.post(
        ACTIONS,
        {
            "title": "Invite Kumoh to the summer school",
            "engagement": records["visit"].pk,
            "responsible": records["host_person"].pk,
            "due_on": "2026-01-01",
            "due_precision": "month",  # this month has not passed yet
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    data = response.json()
    action = FollowUpAction.objects.get(pk=data["id"])
    assert action.owner == records["visit"].owner
    assert (data["status"], data["due_on"], data["overdue"], data["responsible_name"]) == (
        "open",
        "2026-01-31",
        False,
        "Nguyễn Thị Hoa",
    )
    assert data["url"].endswith(reverse("engagements:action_detail", args=[action.pk]))


def test_a_new_action_due_in_a_past_month_is_refused(api, records):
    before = _counts()

    response = api.post(
        ACTIONS, {"title": "Thank the delegation", "due_on": "2025-12-01", "due_precision": "month"}, format="json"
    )

    assert response.status_code == 400
    assert "passed" in " ".join(response.json()["due_on"])
    assert _counts() == before


def test_an_action_without_a_title_is_refused(api, records):
    before = _counts()

    response = api.post(ACTIONS, {"title": " ", "due_on": "2026-03-01"}, format="json")

    assert response.status_code == 400
    assert "title" in response.json()
    assert _counts() == before


def test_an_action_at_an_engagement_of_another_tenant_is_refused(api, records):
    before = _counts()

    response = api.post(ACTIONS, {"title": "Follow up", "engagement": records["theirs"].pk}, format="json")

    assert response.status_code == 400
    assert "engagement" in response.json()
    assert _counts() == before


def test_actions_show_whether_they_are_overdue(api, records):
    rows = {row["title"]: row for row in api.get(ACTIONS).json()["results"]}

    assert set(rows) == {
        "Send the draft MoU to Kumoh",
        "Share the photos of the visit",
        "Book the hotel for the delegation",
    }
    assert rows["Share the photos of the visit"]["overdue"] is True
    assert rows["Send the draft MoU to Kumoh"]["overdue"] is False
    assert rows["Book the hotel for the delegation"]["overdue"] is False  # done, not overdue


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"overdue": "true"}, {"Share the photos of the visit"}),
        ({"status": "done"}, {"Book the hotel for the delegation"}),
        ({"status": "open"}, {"Send the draft MoU to Kumoh", "Share the photos of the visit"}),
        ({"due_to": "2026-01-31"}, {"Share the photos of the visit"}),
    ],
)
def test_filter_the_actions(api, records, query, expected):
    response = api.get(ACTIONS, query)

    assert response.status_code == 200, response.content
    assert {row["title"] for row in response.json()["results"]} == expected


def test_filter_the_actions_of_an_engagement(api, records):
    response = api.get(ACTIONS, {"engagement": records["visit"].pk})

    assert {row["title"] for row in response.json()["results"]} == {
        "Send the draft MoU to Kumoh",
        "Share the photos of the visit",
    }


def test_mark_an_action_done_with_the_engagement_that_fulfilled_it(api, records):
    action = records["draft_mou"]

    response = api.post(
        f"{ACTIONS}{action.pk}/done/",
        {"done_on": "2026-01-10", "fulfilled_by": records["conference"].pk},
        format="json",
    )

    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["done_on"]) == ("done", "2026-01-10")
    assert data["fulfilled_by"] == {
        "type": "engagements.engagement",
        "id": records["conference"].pk,
        "label": "Asian rectors' conference",
    }
    action.refresh_from_db()
    assert action.fulfilled_by == records["conference"]
    visit = api.get(f"{ENGAGEMENTS}{records['visit'].pk}/").json()
    assert visit["has_open_actions"] is True  # the overdue one is still open


def test_mark_an_action_done_today_without_a_record(api, records):
    response = api.post(f"{ACTIONS}{records['overdue'].pk}/done/", {}, format="json")

    assert response.status_code == 200, response.content
    assert (response.json()["done_on"], response.json()["overdue"], response.json()["fulfilled_by"]) == (
        "2026-01-15",
        False,
        None,
    )


def test_an_action_cannot_be_closed_twice(api, records):
    before = _counts()

    response = api.post(f"{ACTIONS}{records['finished'].pk}/done/", {}, format="json")

    assert response.status_code == 400
    assert _counts() == before
    assert FollowUpAction.objects.get(pk=records["finished"].pk).done_on == D(2025, 10, 1)


def test_an_action_cannot_be_fulfilled_by_an_engagement_of_another_tenant(api, records):
    response = api.post(f"{ACTIONS}{records['draft_mou'].pk}/done/", {"fulfilled_by": records["theirs"].pk})

    assert response.status_code == 400
    assert "fulfilled_by" in response.json()
    assert FollowUpAction.objects.get(pk=records["draft_mou"].pk).status == ActionStatus.OPEN


def test_cancel_and_reopen_an_action(api, records):
    action = records["overdue"]

    cancelled = api.post(f"{ACTIONS}{action.pk}/cancel/")
    reopened = api.post(f"{ACTIONS}{action.pk}/reopen/")

    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert reopened.status_code == 200 and reopened.json()["status"] == "open"
    assert FollowUpAction.objects.get(pk=action.pk).status == ActionStatus.OPEN


def test_reopening_clears_the_completion(api, records):
    response = api.post(f"{ACTIONS}{records['finished'].pk}/reopen/")

    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["done_on"], data["fulfilled_by"]) == ("open", None, None)


def test_the_status_of_an_action_is_not_set_by_hand(api, records):
    action = records["draft_mou"]

    response = api.patch(f"{ACTIONS}{action.pk}/", {"status": "done", "description": "Draft in Korean"}, format="json")

    assert response.status_code == 200
    action.refresh_from_db()
    assert (action.status, action.description) == (ActionStatus.OPEN, "Draft in Korean")


def test_update_and_delete_an_action(api, records):
    action = records["draft_mou"]

    updated = api.patch(f"{ACTIONS}{action.pk}/", {"title": "Send the signed MoU to Kumoh"}, format="json")
    deleted = api.delete(f"{ACTIONS}{action.pk}/")

    assert updated.status_code == 200 and updated.json()["title"] == "Send the signed MoU to Kumoh"
    assert deleted.status_code == 204
    assert not FollowUpAction.objects.filter(pk=action.pk).exists()


# --- series --------------------------------------------------------------------------------


def test_create_and_list_series(api, users, records):
    response = api.post(SERIES, {"name": "Japanese partners' annual visit"}, format="json")
    theirs = token_client(users["other"]).get(SERIES).json()["results"]

    assert response.status_code == 201, response.content
    assert EngagementSeries.objects.get(pk=response.json()["id"]).owner == users["editor"].home_organization
    assert {s["name"] for s in api.get(SERIES).json()["results"]} == {
        "Annual exchange with Kumoh",
        "Japanese partners' annual visit",
    }
    assert theirs == []


def test_a_series_without_a_name_is_refused(api, records):
    before = _counts()

    response = api.post(SERIES, {"name": ""}, format="json")

    assert response.status_code == 400
    assert "name" in response.json()
    assert _counts() == before


# --- permission matrix ---------------------------------------------------------------------


PAYLOADS = {
    ("engagement-list", "post"): lambda r: {
        "kind": "working_session",
        "title": "Working session on teacher training",
        "starts_on": "2026-02-10",
    },
    ("engagement-detail", "put"): lambda r: {
        "kind": "conference",
        "title": "Asian rectors' summit",
        "starts_on": "2026-05-12",
    },
    ("engagement-detail", "patch"): lambda r: {"summary": "Twelve rectors are expected."},
    ("action-list", "post"): lambda r: {"title": "Prepare the agenda", "due_on": "2026-02-01"},
    ("action-detail", "put"): lambda r: {"title": "Send the draft MoU to Kumoh in Korean"},
    ("action-detail", "patch"): lambda r: {"description": "Ask the legal office first."},
    ("action-done", "post"): lambda r: {"done_on": "2026-01-14"},
    ("engagement-series-list", "post"): lambda r: {"name": "Summer schools"},
}

# Statuses in the order of ROLES. Anonymous calls get 403, not 401: session authentication
# comes first and sends no WWW-Authenticate challenge. The other tenant does not learn that
# Quảng Ninh's records exist (404).
READ = (403, 200, 200, 200, 200, 200)
READ_OWNED = (403, 200, 200, 200, 200, 404)
CREATE = (403, 403, 201, 201, 201, 201)
CHANGE = (403, 403, 200, 200, 200, 404)
DELETE = (403, 403, 204, 204, 204, 404)

API_TABLE = [
    (Op("engagement-list"), "get", READ),
    (Op("engagement-list"), "post", CREATE),
    (Op("engagement-detail", "visit"), "get", READ_OWNED),
    (Op("engagement-detail", "conference"), "put", CHANGE),
    (Op("engagement-detail", "conference"), "patch", CHANGE),
    (Op("engagement-detail", "conference"), "delete", DELETE),
    (Op("action-list"), "get", READ),
    (Op("action-list"), "post", CREATE),
    (Op("action-detail", "draft_mou"), "get", READ_OWNED),
    (Op("action-detail", "draft_mou"), "put", CHANGE),
    (Op("action-detail", "draft_mou"), "patch", CHANGE),
    (Op("action-detail", "draft_mou"), "delete", DELETE),
    (Op("action-done", "draft_mou"), "post", CHANGE),
    (Op("action-cancel", "draft_mou"), "post", CHANGE),
    (Op("action-reopen", "finished"), "post", CHANGE),
    (Op("engagement-series-list"), "get", READ),
    (Op("engagement-series-list"), "post", CREATE),
    (Op("engagement-series-detail", "series"), "get", READ_OWNED),
]


def _state():
    """What a write would change: every engagement, action and series."""
    return (
        set(Engagement.objects.values_list("pk", "kind", "title", "summary", "updated_at")),
        set(FollowUpAction.objects.values_list("pk", "status", "title", "description", "updated_at")),
        set(EngagementSeries.objects.values_list("pk", "name")),
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


def test_every_api_operation_of_engagements_has_permission_rows():
    assert api_operations({"engagement", "action", "engagement-series"}) == covered_operations(API_TABLE)


def test_the_oversight_body_reads_but_a_unit_does_not_read_upwards(users, tenants, records):
    services.engagement_create(
        acting_user=users["unit"],
        data={"kind": "joint_class", "title": "Ha Long University joint class", "starts_on": D(2026, 3, 2)},
    )

    seen_by_doet = {e["title"] for e in token_client(users["viewer"]).get(ENGAGEMENTS).json()["results"]}
    seen_by_unit = {e["title"] for e in token_client(users["unit"]).get(ENGAGEMENTS).json()["results"]}
    actions_of_unit = token_client(users["unit"]).get(ACTIONS).json()["results"]

    assert "Ha Long University joint class" in seen_by_doet
    assert seen_by_unit == {"Ha Long University joint class"}
    assert actions_of_unit == []


# --- a bounded number of queries -----------------------------------------------------------


def _more_engagements(users, records, count):
    for number in range(count):
        engagement = services.engagement_create(
            acting_user=users["editor"],
            data={"kind": "working_session", "title": f"Working session {number}", "starts_on": D(2025, 3, number + 1)},
            titles=[{"language": "vi", "title": f"Phiên làm việc {number}"}],
            organizations=[{"organization": records["kumoh"]}],
            participants=[{"person": records["president"]}],
            agreements=[records["agreement"]],
        )
        action = services.action_create(
            acting_user=users["editor"], data={"title": f"Minutes {number}", "engagement": engagement}
        )
        services.action_complete(action=action, acting_user=users["editor"], fulfilled_by=engagement)


@pytest.mark.parametrize("url", [ENGAGEMENTS, ACTIONS])
def test_lists_ask_the_same_number_of_queries_for_few_or_many_rows(users, records, url):
    client = token_client(users["viewer"])
    client.get(url)
    first, few = queries_of(client, url)
    assert first.status_code == 200
    _more_engagements(users, records, 6)

    response, many = queries_of(client, url)

    assert response.json()["count"] > 6
    assert len(many) == len(few), [q["sql"] for q in many]
    assert len(many) <= 12


# --- schema --------------------------------------------------------------------------------


def test_the_openapi_schema_documents_the_engagement_operations(api):
    import yaml

    response = api.get("/api/schema/")

    assert response.status_code == 200
    paths = yaml.safe_load(response.content)["paths"]
    for path, method in [
        ("/api/v1/engagements/", "post"),
        ("/api/v1/engagements/{id}/", "patch"),
        ("/api/v1/actions/{id}/done/", "post"),
        ("/api/v1/actions/{id}/cancel/", "post"),
        ("/api/v1/actions/{id}/reopen/", "post"),
        ("/api/v1/engagement-series/", "post"),
    ]:
        assert method in paths.get(path, {}), (path, method)
    parameters = {p["name"] for p in paths["/api/v1/engagements/"]["get"]["parameters"]}
    assert {"kind", "date_from", "date_to", "partner", "country", "has_open_actions"} <= parameters
    assert "put" not in paths["/api/v1/engagement-series/{id}/"]
