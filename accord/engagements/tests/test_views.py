"""The engagement pages as a user works with them: find, read, record, edit; follow-up actions;
the calendar and its subscription.

Quảng Ninh DoET's editor records the visits exchanged with Liaoning Technical University (LNTU)
and Osaka; every test runs on 15 January 2026.
"""

from __future__ import annotations

import csv
import datetime
import io
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from accord.agreements.tests.test_views import make_agreement
from accord.engagements import services
from accord.engagements.models import (
    CalendarFeed,
    Engagement,
    EngagementOrganization,
    FollowUpAction,
    Participant,
)
from accord.partners import services as partner_services

D = datetime.date
TODAY = D(2026, 1, 15)
LIST = reverse("engagements:engagement_list")
CREATE = reverse("engagements:engagement_create")
ACTIONS = reverse("engagements:action_list")
CALENDAR = reverse("engagements:calendar")


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """Every test runs on 15 January 2026, whatever the clock says."""
    real = timezone.localdate
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, timezone=None: TODAY if value is None else real(value, timezone)
    )
    return TODAY


# --- factories, through the services -------------------------------------------------------------


def organization(user, name: str, country: str = "CN", **data):
    return partner_services.organization_create(
        acting_user=user, data={"kind": "university", "name": name, "country": country, **data}, allow_similar=True
    )


def person(user, name: str, affiliation=None):
    return partner_services.person_create(acting_user=user, data={"name": name, "affiliation": affiliation})


def make_engagement(user, title: str, starts_on: D, *, organizations=(), participants=(), **data) -> Engagement:
    """An engagement; ``organizations``: (organisation, role); ``participants``: (person, organisation, role)."""
    return services.engagement_create(
        acting_user=user,
        data={"kind": "incoming_delegation", "title": title, "starts_on": starts_on, **data},
        organizations=[{"organization": o, "role": role} for o, role in organizations],
        participants=[{"person": p, "organization": o, "role": role} for p, o, role in participants],
    )


def make_action(user, title: str, **data) -> FollowUpAction:
    return services.action_create(acting_user=user, data={"title": title, **data})


def management(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def engagement_form(*, title="Delegation of LNTU", organizations=(), participants=(), titles=(), **fields) -> dict:
    """What the edit page posts: the engagement, then its rows."""
    data = {
        "title": title,
        "title_language": "en",
        "kind": "incoming_delegation",
        "precision": "day",
        "starts_on": "2025-11-02",
        **management("titles", len(titles)),
        **management("organizations", len(organizations)),
        **management("participants", len(participants)),
    }
    for i, (org, role) in enumerate(organizations):
        data.update({f"organizations-{i}-organization": org.pk, f"organizations-{i}-role": role})
    for i, (who, org, role) in enumerate(participants):
        data.update(
            {
                f"participants-{i}-person": who.pk,
                f"participants-{i}-organization": org.pk if org else "",
                f"participants-{i}-role": role,
            }
        )
    for i, (language, text) in enumerate(titles):
        data.update({f"titles-{i}-language": language, f"titles-{i}-title": text})
    data.update(fields)
    return data


def titles_in(html: str, table: str = "engagement-table") -> list[str]:
    body = html[html.index(f'id="{table}"') :]
    return re.findall(
        r'<tr data-(?:engagement|action)="\d+"[^>]*>\s*<td[^>]*>(?:[^<]*</td>\s*<td>)?<a href="[^"]+">([^<]+)</a>', body
    )


def row(html: str, kind: str, pk: int) -> str:
    return re.search(rf'<tr data-{kind}="{pk}"[^>]*>(.*?)</tr>', html, re.S).group(1)


def state() -> tuple:
    """What a write would change."""
    return (
        set(Engagement.objects.values_list("pk", "title", "updated_at")),
        set(EngagementOrganization.objects.values_list("pk", "organization_id", "role")),
        set(Participant.objects.values_list("pk", "person_id", "organization_id")),
        set(FollowUpAction.objects.values_list("pk", "status", "updated_at")),
    )


@pytest.fixture
def world(users, tenants):
    """Partners, people, and engagements of Quảng Ninh DoET and of Ha Long University."""
    editor, qn, hlu = users["editor"], tenants["qn"], tenants["hlu"]
    lntu = organization(editor, "Liaoning Technical University", "CN")
    osaka = organization(editor, "Osaka University of Education", "JP")
    principal = person(editor, "Ma Tu Tuyen", lntu)
    interpreter = person(editor, "Li Wei", lntu)
    director = person(editor, "Nguyễn Thị Hạnh", qn)
    series = services.series_create(acting_user=editor, name="Annual exchange week with Osaka")
    visit = make_engagement(
        editor,
        "Hợp tác đào tạo: LNTU delegation",
        D(2025, 11, 2),
        ends_on=D(2025, 11, 3),
        city="Hạ Long",
        country="VN",
        host=qn,
        organizations=[(qn, "host"), (lntu, "guest")],
        participants=[(principal, lntu, "head"), (interpreter, lntu, "member"), (director, qn, "host_representative")],
        summary="Talks on joint training in mining.",
    )
    webinar = make_engagement(
        editor,
        "Osaka teacher webinar",
        D(2025, 12, 10),
        kind="webinar",
        online=True,
        headcount=40,
        organizations=[(osaka, "co_organiser")],
        series=series,
    )
    planned = make_engagement(
        editor,
        "Exchange week in Osaka",
        D(2026, 3, 1),
        kind="outgoing_delegation",
        precision="month",
        city="Osaka",
        country="JP",
        host=osaka,
        series=series,
    )
    cancelled = make_engagement(editor, "Cancelled conference", D(2026, 2, 10), kind="conference", cancelled=True)
    school = make_engagement(
        users["unit"],
        "Ha Long summer camp",
        D(2025, 7, 20),
        ends_on=D(2025, 8, 2),
        kind="cultural_exchange",
        organizations=[(hlu, "host"), (osaka, "guest")],
    )
    part = make_engagement(editor, "Visit to Hạ Long mine", D(2025, 11, 3), kind="site_visit", parent=visit)
    action = make_action(
        editor, "Send the draft MoU to LNTU", engagement=visit, due_on=D(2026, 1, 10), responsible=director
    )
    return {
        "lntu": lntu,
        "osaka": osaka,
        "principal": principal,
        "interpreter": interpreter,
        "director": director,
        "series": series,
        "visit": visit,
        "webinar": webinar,
        "planned": planned,
        "cancelled": cancelled,
        "school": school,
        "part": part,
        "action": action,
    }


# --- the list ------------------------------------------------------------------------------------


def test_the_index_opens_the_list(client, users):
    client.force_login(users["viewer"])

    response = client.get(reverse("engagements:index"))

    assert response.status_code == 302
    assert response["Location"] == LIST


def test_each_row_shows_its_dates_place_partners_and_status(client, users, world):
    client.force_login(users["viewer"])

    html = client.get(LIST).content.decode()

    visit = row(html, "engagement", world["visit"].pk)
    assert "Nov. 2–3, 2025" in visit
    assert "Hạ Long" in visit and "Liaoning Technical University" in visit
    assert 'data-status="held"' in visit and "open actions" in visit
    assert "Quảng Ninh Department" not in visit.split("</td>")[4], "the keeper is not listed among the partners"
    planned = row(html, "engagement", world["planned"].pk)
    assert "March 2026" in planned and 'data-status="planned"' in planned
    assert 'data-status="cancelled"' in row(html, "engagement", world["cancelled"].pk)
    assert "online" in row(html, "engagement", world["webinar"].pk)
    assert "part of Hợp tác đào tạo" in row(html, "engagement", world["part"].pk)


def _filter_cases(world, tenants):
    return [
        ({"q": "hop tac dao tao"}, {"visit"}),
        ({"q": "OSAKA"}, {"webinar", "planned", "school"}),
        ({"kind": "webinar"}, {"webinar"}),
        ({"kind": ["webinar", "conference"]}, {"webinar", "cancelled"}),
        ({"date_from": "2025-12-01"}, {"webinar", "planned", "cancelled"}),
        ({"date_from": "2025-11-03", "date_to": "2025-11-30"}, {"visit", "part"}),
        ({"date_to": "2025-08-01"}, {"school"}),
        ({"partner": world["lntu"].pk}, {"visit"}),
        ({"partner": world["osaka"].pk}, {"webinar", "planned", "school"}),  # the host counts
        ({"country": "JP"}, {"webinar", "planned", "school"}),
        ({"country": "CN"}, {"visit"}),
        ({"has_open_actions": "true"}, {"visit"}),
        ({"has_open_actions": "false"}, {"webinar", "planned", "cancelled", "school", "part"}),
        ({"series": world["series"].pk}, {"webinar", "planned"}),
        ({"owner": tenants["hlu"].pk}, {"school"}),
        ({"status": "planned"}, {"planned"}),
        ({"status": "held"}, {"visit", "webinar", "school", "part"}),
        ({"status": "cancelled"}, {"cancelled"}),
    ]


def test_the_list_filters(client, users, world, tenants):
    client.force_login(users["viewer"])

    for query, expected in _filter_cases(world, tenants):
        titles = titles_in(client.get(LIST, query).content.decode())

        assert set(titles) == {world[key].title for key in expected}, query


def test_the_list_sorts_by_title_and_by_date(client, users, world):
    client.force_login(users["viewer"])

    by_title = titles_in(client.get(LIST, {"o": "title"}).content.decode())
    oldest_first = titles_in(client.get(LIST, {"o": "date"}).content.decode())
    newest_first = titles_in(client.get(LIST).content.decode())

    assert by_title == sorted(by_title) and len(by_title) == 6
    assert oldest_first[0] == world["school"].title and oldest_first[-1] == world["planned"].title
    assert newest_first == oldest_first[::-1]


def test_the_list_is_paginated_and_keeps_its_filters_across_pages(client, users):
    for n in range(27):
        make_engagement(users["editor"], f"Working session {n:02d}", D(2025, 1, 1) + datetime.timedelta(days=n))
    client.force_login(users["viewer"])

    first = client.get(LIST, {"q": "working", "o": "title"}).content.decode()
    second = client.get(LIST, {"q": "working", "o": "title", "page": "2"}).content.decode()

    assert titles_in(first) == [f"Working session {n:02d}" for n in range(25)]
    assert titles_in(second) == ["Working session 25", "Working session 26"]
    assert "Page 1 of 2" in first and 'href="?q=working&amp;o=title&page=2"' in first


def test_an_htmx_request_gets_only_the_table(client, users, world):
    client.force_login(users["viewer"])

    response = client.get(LIST, {"kind": "webinar"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert "<html" not in html and 'id="filters"' not in html
    assert titles_in(html) == [world["webinar"].title]


def test_the_exports_follow_the_filters(client, users, world):
    client.force_login(users["viewer"])

    response = client.get(reverse("engagements:engagement_export", args=["csv"]), {"country": "CN"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    workbook = openpyxl.load_workbook(
        io.BytesIO(
            client.get(reverse("engagements:engagement_export", args=["xlsx"]), {"series": world["series"].pk}).content
        )
    )
    sheet = list(workbook.active.values)

    assert [r["title"] for r in rows] == [world["visit"].title]
    assert rows[0]["dates"] == "Nov. 2–3, 2025" and rows[0]["participants"] == "3"
    assert "Liaoning Technical University (guest)" in rows[0]["organizations"]
    assert rows[0]["open_actions"] == "True"
    header = sheet[0]
    assert {r[header.index("title")] for r in sheet[1:]} == {world["webinar"].title, world["planned"].title}


# --- the record page -----------------------------------------------------------------------------


def test_the_record_page_shows_the_engagement_with_everything_around_it(client, users, tenants, world):
    # given an agreement signed there and a title in Vietnamese
    editor, visit = users["editor"], world["visit"]
    agreement = make_agreement(
        editor, "MoU on joint training", [tenants["qn"], world["lntu"]], signed_on=D(2025, 11, 3)
    )
    services.engagement_update(
        engagement=visit,
        acting_user=editor,
        data={},
        titles=[{"language": "vi", "title": "Đoàn LNTU thăm Quảng Ninh"}],
        agreements=[agreement],
    )
    client.force_login(users["viewer"])

    # when
    html = client.get(visit.get_absolute_url()).content.decode()

    # then
    assert 'id="dates">Nov. 2–3, 2025<' in html
    assert 'id="place">Hạ Long, Vietnam<' in html
    organizations = html[html.index('id="organizations"') : html.index('id="participants"')]
    assert "Liaoning Technical University" in organizations and "Guest" in organizations
    assert "Quảng Ninh Department of Education and Training" in organizations and "Host" in organizations
    participants = html[html.index('id="participants"') : html.index('id="actions"')]
    for name, role in (
        ("Ma Tu Tuyen", "Head of delegation"),
        ("Li Wei", "Member"),
        ("Nguyễn Thị Hạnh", "Host representative"),
    ):
        assert name in participants and role in participants
    assert world["part"].title in html[html.index('id="parts"') :]
    assert "Đoàn LNTU thăm Quảng Ninh" in html
    assert f'href="{agreement.get_absolute_url()}">MoU on joint training<' in html
    actions = html[html.index('id="actions"') : html.index('id="agreements"')]
    assert "Send the draft MoU to LNTU" in actions and "overdue" in actions
    assert "Talks on joint training in mining." in html
    assert 'id="history"' in html
    assert 'id="add-action"' not in html, "a viewer gets no form"


def test_a_month_an_online_engagement_and_a_head_count(client, users, world):
    client.force_login(users["editor"])

    planned = client.get(world["planned"].get_absolute_url()).content.decode()
    webinar = client.get(world["webinar"].get_absolute_url()).content.decode()

    assert 'id="dates">March 2026<' in planned and "to be fixed" in planned
    assert 'id="place">Osaka, Japan<' in planned
    assert 'id="place">Online<' in webinar
    assert "40 people in all" in webinar and "Not named one by one." in webinar
    assert f'id="series">{world["series"].name}<' in webinar
    assert 'id="add-action"' in webinar, "an editor can add an action"


def test_dates_follow_the_readers_language(client, users, world):
    reader = users["viewer"]
    reader.language = "fr"
    reader.save()
    client.force_login(reader)

    html = client.get(world["visit"].get_absolute_url()).content.decode()
    planned = client.get(world["planned"].get_absolute_url()).content.decode()

    assert 'id="dates">2–3 novembre 2025<' in html
    assert 'id="dates">mars 2026<' in planned


def test_the_agreement_page_says_where_it_was_signed(client, users, tenants, world):
    agreement = make_agreement(users["editor"], "MoU on joint training", [tenants["qn"], world["lntu"]])
    services.engagement_set_agreements(engagement=world["visit"], acting_user=users["editor"], agreements=[agreement])
    client.force_login(users["viewer"])

    html = client.get(agreement.get_absolute_url()).content.decode()

    signed_at = html[html.index('id="signed-at"') :]
    assert f'href="{world["visit"].get_absolute_url()}">{world["visit"].title}<' in signed_at


def test_an_engagement_of_another_tenant_is_not_found(client, users, world):
    client.force_login(users["other"])

    assert client.get(world["visit"].get_absolute_url()).status_code == 404
    assert world["visit"].title not in client.get(LIST).content.decode()


# --- recording and editing -----------------------------------------------------------------------


def test_record_an_engagement_with_its_titles_organisations_and_participants(client, users, tenants, world):
    client.force_login(users["editor"])
    qn, lntu = tenants["qn"], world["lntu"]

    response = client.post(
        CREATE,
        engagement_form(
            title="Second LNTU delegation",
            starts_on="2026-04-20",
            ends_on="2026-04-22",
            city="Uông Bí",
            country="VN",
            host=qn.pk,
            series=world["series"].pk,
            organizations=[(qn, "host"), (lntu, "guest")],
            participants=[(world["principal"], None, "head"), (world["director"], qn, "host_representative")],
            titles=[("vi", "Đoàn LNTU lần hai")],
        ),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    saved = Engagement.objects.get(title="Second LNTU delegation")
    assert response["Location"] == saved.get_absolute_url()
    assert (saved.starts_on, saved.ends_on, saved.owner, saved.host) == (D(2026, 4, 20), D(2026, 4, 22), qn, qn)
    assert {(o.organization, o.role) for o in saved.organizations.all()} == {(qn, "host"), (lntu, "guest")}
    assert {(p.person.name, p.organization, p.role) for p in saved.participants.all()} == {
        ("Ma Tu Tuyen", lntu, "head"),  # represents their affiliation when none is given
        ("Nguyễn Thị Hạnh", qn, "host_representative"),
    }
    assert saved.titles.get().title == "Đoàn LNTU lần hai"
    page = client.get(saved.get_absolute_url()).content.decode()
    assert "was saved." in page and 'id="dates">April 20–22, 2026<' in page


def test_a_planned_month_is_kept_as_the_whole_month(client, users, world):
    client.force_login(users["editor"])

    response = client.post(CREATE, engagement_form(title="Visit to Kitami", precision="month", starts_on="2026-09"))

    assert response.status_code == 302
    saved = Engagement.objects.get(title="Visit to Kitami")
    assert (saved.starts_on, saved.ends_on, saved.precision) == (D(2026, 9, 1), D(2026, 9, 30), "month")
    assert 'id="dates">September 2026<' in client.get(saved.get_absolute_url()).content.decode()


def test_edit_changes_the_engagement_and_removes_a_participant(client, users, world):
    visit = world["visit"]
    client.force_login(users["editor"])
    form_page = client.get(reverse("engagements:engagement_update", args=[visit.pk])).content.decode()
    loaded_at = re.search(r'name="loaded_at" value="([^"]+)"', form_page).group(1)
    organizations = list(visit.organizations.order_by("id"))
    participants = list(visit.participants.order_by("id"))
    data = engagement_form(
        title="LNTU delegation (talks on mining)",
        starts_on="2025-11-02",
        ends_on="2025-11-04",
        host=visit.host_id,
        city="Hạ Long",
        country="VN",
        loaded_at=loaded_at,
        organizations=[(o.organization, o.role) for o in organizations],
        participants=[(p.person, p.organization, p.role) for p in participants],
    )
    data.update(management("organizations", len(organizations), len(organizations)))
    data.update(management("participants", len(participants), len(participants)))
    data.update({f"organizations-{i}-id": o.pk for i, o in enumerate(organizations)})
    data.update({f"participants-{i}-id": p.pk for i, p in enumerate(participants)})
    data["participants-1-DELETE"] = "on"

    response = client.post(reverse("engagements:engagement_update", args=[visit.pk]), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    visit.refresh_from_db()
    assert visit.title == "LNTU delegation (talks on mining)" and visit.ends_on == D(2025, 11, 4)
    assert sorted(p.person.name for p in visit.participants.all()) == ["Ma Tu Tuyen", "Nguyễn Thị Hạnh"]
    html = client.get(visit.get_absolute_url()).content.decode()
    assert "Li Wei" in html[html.index('id="history"') :], "the removal is in the history"


def test_an_end_before_the_start_is_refused(client, users, world):
    client.force_login(users["editor"])
    before = state()

    response = client.post(CREATE, engagement_form(title="Backwards", starts_on="2026-04-22", ends_on="2026-04-20"))

    assert response.status_code == 400
    assert "The end cannot come before the start." in response.content.decode()
    assert state() == before


def test_a_participant_of_an_organisation_not_taking_part_is_refused_then_its_organisation_added(
    client, users, tenants, world
):
    # given a form where Osaka's guest speaks but Osaka is not among the organisations
    client.force_login(users["editor"])
    speaker = person(users["editor"], "Tanaka Yuki", world["osaka"])
    data = engagement_form(
        title="Seminar on teacher training",
        organizations=[(tenants["qn"], "host")],
        participants=[(speaker, None, "speaker"), (world["principal"], world["lntu"], "member")],
    )
    before = state()

    # when it is saved
    refused = client.post(CREATE, data)

    # then nothing is written, and the page names the organisations and offers to add them
    html = refused.content.decode()
    assert refused.status_code == 400
    assert state() == before
    offer = html[html.index('id="missing-organizations"') :]
    assert "Osaka University of Education" in offer and "Liaoning Technical University" in offer
    assert 'name="add_guests"' in offer and "Add them as guests and save" in offer

    # when the user presses the button (the same form, posted again with add_guests)
    accepted = client.post(CREATE, {**data, "add_guests": "1"})

    # then the engagement is saved with both organisations as guests
    assert accepted.status_code == 302, accepted.content.decode()[:3000]
    saved = Engagement.objects.get(title="Seminar on teacher training")
    assert {(o.organization.name, o.role) for o in saved.organizations.all()} == {
        (tenants["qn"].name, "host"),
        ("Osaka University of Education", "guest"),
        ("Liaoning Technical University", "guest"),
    }
    assert saved.participants.count() == 2
    assert (
        "Added as guests: Liaoning Technical University, Osaka University of Education."
        in client.get(saved.get_absolute_url()).content.decode()
    )


def test_delete_an_engagement(client, users, world):
    client.force_login(users["editor"])
    cancelled = world["cancelled"]

    confirm = client.get(reverse("engagements:engagement_delete", args=[cancelled.pk]))
    response = client.post(reverse("engagements:engagement_delete", args=[cancelled.pk]))

    assert "Delete Cancelled conference?" in confirm.content.decode()
    assert response.status_code == 302 and response["Location"] == LIST
    assert not Engagement.objects.filter(pk=cancelled.pk).exists()


def test_create_a_series_and_come_back_to_the_form(client, users):
    client.force_login(users["editor"])

    response = client.post(reverse("engagements:series_create"), {"name": "Kitami summer school", "next": CREATE})

    assert response.status_code == 302 and response["Location"] == CREATE
    assert "Kitami summer school" in client.get(CREATE).content.decode()


# --- follow-up actions ---------------------------------------------------------------------------


@pytest.fixture
def actions(users, world):
    editor = users["editor"]
    made = {
        "overdue": world["action"],  # due 10 January 2026, open
        "month": make_action(
            editor, "Plan the autumn exchange", engagement=world["visit"], due_on=D(2026, 9, 10), due_precision="month"
        ),
        "done": make_action(editor, "Send photos to Osaka", engagement=world["webinar"], due_on=D(2026, 1, 5)),
        "cancelled": make_action(editor, "Book the hall", due_on=D(2026, 2, 1)),
        "school": make_action(users["unit"], "Invite Osaka to the camp", due_on=D(2026, 5, 1)),
    }
    services.action_complete(action=made["done"], acting_user=editor, done_on=D(2026, 1, 4))
    services.action_cancel(action=made["cancelled"], acting_user=editor)
    return made


def test_the_actions_page_shows_open_actions_with_overdue_in_red_and_months_as_months(client, users, actions):
    client.force_login(users["viewer"])

    html = client.get(ACTIONS).content.decode()

    assert set(titles_in(html, "action-table")) == {actions[k].title for k in ("overdue", "month", "school")}
    overdue = row(html, "action", actions["overdue"].pk)
    assert "text-danger" in overdue and "overdue" in overdue and "Jan. 10, 2026" in overdue
    month = row(html, "action", actions["month"].pk)
    assert "September 2026" in month and "overdue" not in month
    assert 'value="open" selected' in html


def test_the_actions_page_filters(client, users, actions):
    client.force_login(users["viewer"])
    cases = [
        ({"status": "done"}, {"done"}),
        ({"status": ""}, {"overdue", "month", "done", "cancelled", "school"}),
        ({"status": ["done", "cancelled"]}, {"done", "cancelled"}),
        ({"overdue": "true"}, {"overdue"}),
        ({"overdue": "false"}, {"month", "school"}),
        ({"due_from": "2026-05-01", "due_to": "2026-12-31"}, {"month", "school"}),
        ({"engagement": actions["overdue"].engagement_id}, {"overdue", "month"}),
        ({"q": "osaka", "status": ""}, {"done", "school"}),
    ]

    for query, expected in cases:
        html = client.get(ACTIONS, query).content.decode()

        assert set(titles_in(html, "action-table")) == {actions[k].title for k in expected}, query


def test_the_actions_export_follows_the_filters(client, users, actions):
    client.force_login(users["viewer"])

    response = client.get(reverse("engagements:action_export", args=["csv"]))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))

    assert {r["title"] for r in rows} == {actions[k].title for k in ("overdue", "month", "school")}
    month = next(r for r in rows if r["title"] == actions["month"].title)
    assert month["due"] == "September 2026" and month["due_on"] == "2026-09-30"


def test_add_an_action_from_the_engagement_page(client, users, world):
    visit = world["visit"]
    client.force_login(users["editor"])
    page = client.get(visit.get_absolute_url()).content.decode()
    assert f'name="engagement" value="{visit.pk}"' in page

    response = client.post(
        reverse("engagements:action_create"),
        {
            "engagement": visit.pk,
            "title": "Exchange lists of students",
            "responsible": world["director"].pk,
            "due_precision": "month",
            "due_on": "2026-03",
            "next": visit.get_absolute_url(),
        },
    )

    assert response.status_code == 302 and response["Location"] == visit.get_absolute_url()
    action = FollowUpAction.objects.get(title="Exchange lists of students")
    assert (action.engagement, action.owner, action.due_on, action.due_precision) == (
        visit,
        visit.owner,
        D(2026, 3, 31),
        "month",
    )
    assert "March 2026" in client.get(visit.get_absolute_url()).content.decode()


def test_a_new_action_due_in_a_past_month_is_refused(client, users, world):
    client.force_login(users["editor"])
    before = state()

    response = client.post(
        reverse("engagements:action_create"),
        {"title": "Late idea", "due_precision": "month", "due_on": "2025-12", "engagement": world["visit"].pk},
    )

    assert response.status_code == 400
    assert "That month has passed" in response.content.decode()
    assert state() == before


def test_edit_an_action(client, users, actions):
    action = actions["month"]
    client.force_login(users["editor"])

    response = client.post(
        reverse("engagements:action_update", args=[action.pk]),
        {"title": "Plan the autumn exchange with LNTU", "due_precision": "day", "due_on": "2026-10-01"},
    )

    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.due_on, action.due_precision) == (
        "Plan the autumn exchange with LNTU",
        D(2026, 10, 1),
        "day",
    )


def test_mark_an_action_done_by_an_engagement_then_reopen_and_cancel_it(client, users, world, actions):
    action = actions["overdue"]
    client.force_login(users["editor"])
    page = client.get(action.get_absolute_url()).content.decode()
    assert "overdue" in page and 'id="cancel"' in page
    # The engagement that fulfilled it is picked by typing: the select names its picker, which finds it.
    picker = reverse("core:pick", args=["engagements"])
    assert f'data-picker="{picker}"' in page
    found = client.get(picker, {"q": world["planned"].title[:12]}).json()
    assert world["planned"].title in [row["label"] for row in found["results"]]

    done = client.post(
        reverse("engagements:action_complete", args=[action.pk]),
        {"done-done_on": "2026-01-14", "done-fulfilled_by": world["webinar"].pk},
    )
    action.refresh_from_db()
    html = client.get(action.get_absolute_url()).content.decode()

    assert done.status_code == 302
    assert (action.status, action.done_on, action.fulfilled_by) == ("done", D(2026, 1, 14), world["webinar"])
    assert 'id="status">Done<' in html and "overdue" not in html.split('id="details"')[0].split("</h1>")[1]
    assert f'href="{world["webinar"].get_absolute_url()}">{world["webinar"].title}<' in html

    reopened = client.post(reverse("engagements:action_reopen", args=[action.pk]))
    action.refresh_from_db()
    assert reopened.status_code == 302 and action.status == "open" and action.fulfilled_by is None

    cancelled = client.post(reverse("engagements:action_cancel", args=[action.pk]))
    action.refresh_from_db()
    assert cancelled.status_code == 302 and action.status == "cancelled"


def test_an_action_already_done_cannot_be_done_again(client, users, actions):
    client.force_login(users["editor"])
    before = state()

    response = client.post(
        reverse("engagements:action_complete", args=[actions["done"].pk]), {"done-done_on": "2026-01-14"}
    )

    assert response.status_code == 400
    assert "Only an open action can be closed." in response.content.decode()
    assert state() == before


def test_an_action_cannot_be_fulfilled_by_an_engagement_the_user_cannot_see(client, users, world, actions):
    hidden = make_engagement(users["other"], "Hải Phòng fair", D(2026, 1, 2))
    client.force_login(users["editor"])
    before = state()

    response = client.post(
        reverse("engagements:action_complete", args=[actions["overdue"].pk]),
        {"done-done_on": "2026-01-14", "done-fulfilled_by": hidden.pk},
    )

    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert state() == before


def test_delete_an_action_goes_back_to_its_engagement(client, users, world):
    client.force_login(users["editor"])
    action = world["action"]

    response = client.post(reverse("engagements:action_delete", args=[action.pk]))

    assert response.status_code == 302 and response["Location"] == world["visit"].get_absolute_url()
    assert not FollowUpAction.objects.filter(pk=action.pk).exists()


# --- the calendar --------------------------------------------------------------------------------


def months_shown(html: str) -> dict[str, list[str]]:
    shown = {}
    for month, body in re.findall(r'data-month="(\d{4}-\d{2})">(.*?)</section>', html, re.S):
        shown[month] = re.findall(r'<a href="/engagements/\d+/"[^>]*>([^<]+)</a>', body)
    return shown


def test_the_calendar_shows_past_and_planned_engagements_by_month(client, users, world):
    client.force_login(users["viewer"])

    html = client.get(CALENDAR).content.decode()
    months = months_shown(html)

    assert list(months) == ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04"]
    assert months["2025-11"] == [world["visit"].title, world["part"].title]
    assert months["2025-12"] == [world["webinar"].title]
    assert months["2026-01"] == [] and "Nothing recorded." in html
    assert months["2026-02"] == [world["cancelled"].title]
    assert months["2026-03"] == [world["planned"].title]
    assert "November 2025" in html and "March 2026" in html
    assert 'href="?month=2025-05"' in html and 'href="?month=2026-05"' in html


def test_the_calendar_moves_by_months_and_keeps_its_filters(client, users, world):
    client.force_login(users["viewer"])

    earlier = months_shown(client.get(CALENDAR, {"month": "2025-05"}).content.decode())
    filtered_html = client.get(CALENDAR, {"month": "2025-07", "partner": world["osaka"].pk}).content.decode()
    filtered = months_shown(filtered_html)

    assert list(earlier)[0] == "2025-05" and earlier["2025-07"] == [world["school"].title]
    assert filtered["2025-07"] == [world["school"].title] and filtered["2025-12"] == [world["webinar"].title]
    assert filtered["2025-11"] == []
    assert f'href="?partner={world["osaka"].pk}&amp;month=2026-01"' in filtered_html


def test_the_subscription_page_gives_an_absolute_secret_address_and_revoking_changes_it(client, users, world):
    client.force_login(users["viewer"])

    html = client.get(reverse("engagements:calendar_feed")).content.decode()
    feed = CalendarFeed.objects.get(user=users["viewer"])
    url = f"http://testserver/engagements/calendar/{feed.token}.ics"
    revoked = client.post(reverse("engagements:calendar_feed"))
    new = CalendarFeed.objects.get(user=users["viewer"])
    after = client.get(reverse("engagements:calendar_feed")).content.decode()

    assert f'value="{url}"' in html
    assert revoked.status_code == 302
    assert new.token != feed.token and new.token in after and feed.token not in after
    client.logout()
    assert client.get(f"/engagements/calendar/{feed.token}.ics").status_code == 404
    assert client.get(f"/engagements/calendar/{new.token}.ics").status_code == 200


# --- the .ics feed -------------------------------------------------------------------------------

_ESCAPED = re.compile(r"\\([\\;,nN])")


def parse_ics(body: bytes) -> dict:
    """A strict reading of RFC 5545: CRLF lines of at most 75 octets, unfolded, then components."""
    text = body.decode("utf-8")
    assert text.endswith("\r\n"), "the last line ends with CRLF"
    physical = text[:-2].split("\r\n")
    for line in physical:
        assert "\n" not in line and "\r" not in line, f"a bare line break in {line!r}"
        assert len(line.encode("utf-8")) <= 75, f"a line longer than 75 octets: {line!r}"
    logical: list[str] = []
    for line in physical:
        if line.startswith((" ", "\t")):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    root = {"name": "", "props": [], "children": []}
    stack = [root]
    for line in logical:
        head, value = line.split(":", 1)
        name, *params = head.split(";")
        if name == "BEGIN":
            component = {"name": value, "props": [], "children": []}
            stack[-1]["children"].append(component)
            stack.append(component)
        elif name == "END":
            assert stack.pop()["name"] == value
        else:
            stack[-1]["props"].append((name, params, value))
    assert len(stack) == 1
    (calendar,) = root["children"]
    assert calendar["name"] == "VCALENDAR"
    return calendar


def prop(component: dict, name: str) -> tuple[list[str], str]:
    found = [(params, value) for n, params, value in component["props"] if n == name]
    assert len(found) == 1, f"{name} appears {len(found)} times"
    return found[0]


def text_value(raw: str) -> str:
    """A TEXT value unescaped; a bare comma or semicolon would be a list separator."""
    assert not re.search(r"(?<!\\)(\\\\)*[,;]", _ESCAPED.sub("", raw)), f"unescaped separator in {raw!r}"
    return _ESCAPED.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), raw)


def test_the_feed_is_valid_icalendar_with_each_engagement_the_user_may_see(client, users, world):
    # given a title with every character that must be escaped, long enough to be folded
    services.engagement_update(
        engagement=world["visit"],
        acting_user=users["editor"],
        data={
            "title": "Đoàn LNTU; hợp tác đào tạo, khai thác mỏ \\ an toàn\nvà môi trường – chuyến thăm Quảng Ninh 2025"
        },
    )
    feed = services.calendar_feed_get_or_create(user=users["viewer"])

    # when a calendar program fetches it, without a session
    response = client.get(reverse("engagements:calendar_ics", args=[feed.token]))

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = parse_ics(response.content)
    assert prop(calendar, "VERSION")[1] == "2.0" and prop(calendar, "PRODID")[1]
    events = {text_value(prop(e, "SUMMARY")[1]): e for e in calendar["children"] if e["name"] == "VEVENT"}
    assert set(events) == {
        world[k].title if k != "visit" else Engagement.objects.get(pk=world["visit"].pk).title
        for k in ("visit", "webinar", "planned", "cancelled", "school", "part")
    }
    visit = events[Engagement.objects.get(pk=world["visit"].pk).title]
    assert prop(visit, "DTSTART") == (["VALUE=DATE"], "20251102")
    assert prop(visit, "DTEND") == (["VALUE=DATE"], "20251104"), "the end is exclusive"
    assert prop(visit, "UID")[1] == f"engagement-{world['visit'].pk}@testserver"
    assert re.fullmatch(r"\d{8}T\d{6}Z", prop(visit, "DTSTAMP")[1])
    assert text_value(prop(visit, "LOCATION")[1]) == "Hạ Long, Vietnam"
    assert prop(visit, "URL")[1] == f"http://testserver{world['visit'].get_absolute_url()}"
    assert "Liaoning Technical University" in text_value(prop(visit, "DESCRIPTION")[1])
    planned = events[world["planned"].title]
    assert prop(planned, "DTSTART")[1] == "20260301" and prop(planned, "DTEND")[1] == "20260401"
    assert prop(planned, "STATUS")[1] == "TENTATIVE"
    assert prop(events[world["cancelled"].title], "STATUS")[1] == "CANCELLED"
    assert prop(events[world["cancelled"].title], "DTEND")[1] == "20260211", "a single day lasts one day"
    assert text_value(prop(events[world["webinar"].title], "LOCATION")[1]) == "Online"


def test_the_feed_follows_the_users_rights_and_language(client, users, world):
    # given a user of Ha Long University who reads French, and a visit the school plans for March
    unit = users["unit"]
    unit.language = "fr"
    unit.save()
    planned = make_engagement(unit, "Visite à Osaka", D(2026, 3, 1), precision="month", city="Osaka", country="JP")
    feed = services.calendar_feed_get_or_create(user=unit)

    # when
    calendar = parse_ics(client.get(reverse("engagements:calendar_ics", args=[feed.token])).content)

    # then only the school's engagements are there, with places and months in French
    events = {text_value(prop(e, "SUMMARY")[1]): e for e in calendar["children"] if e["name"] == "VEVENT"}
    assert set(events) == {world["school"].title, planned.title}
    assert text_value(prop(events[planned.title], "LOCATION")[1]) == "Osaka, Japon"
    assert "mars 2026" in text_value(prop(events[planned.title], "DESCRIPTION")[1])


@pytest.mark.parametrize("token", ["not-a-token", "", "x" * 64])
def test_a_wrong_token_is_not_found_and_says_nothing(client, users, world, token):
    services.calendar_feed_get_or_create(user=users["viewer"])

    response = client.get(f"/engagements/calendar/{token}.ics")

    assert response.status_code == 404
    assert b"BEGIN:VCALENDAR" not in response.content and world["visit"].title.encode() not in response.content


def test_the_feed_of_a_deactivated_user_is_not_found(client, users, world):
    feed = services.calendar_feed_get_or_create(user=users["viewer"])
    users["viewer"].is_active = False
    users["viewer"].save()

    assert client.get(reverse("engagements:calendar_ics", args=[feed.token])).status_code == 404


def test_folding_never_splits_a_character_and_escaping_covers_the_specials():
    from accord.engagements.views import ics_fold, ics_text

    line = "SUMMARY:" + ics_text("Hợp tác, đào tạo; a\\b\nc") + "ữ" * 60
    folded = ics_fold(line)

    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line
    assert ics_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


# --- navigation ----------------------------------------------------------------------------------


def test_the_navigation_bar_leads_to_engagements_actions_and_the_calendar(client, users):
    client.force_login(users["viewer"])

    html = client.get(reverse("core:home")).content.decode()

    menu = html[html.index('id="nav-engagements"') : html.index("</ul>", html.index('id="nav-engagements"'))]
    for url in (LIST, ACTIONS, CALENDAR):
        assert f'href="{url}"' in menu
