"""Who may reach which page of the engagements, actions and calendar, and who sees which records.

The permission matrix is data: each row names a route, a method, the records it acts on and the
status every kind of user gets. A new route gets its permission tests by adding a row; a route
without a row fails the coverage test.

The users are those of the root conftest: a viewer, an editor, a manager and an admin of Quảng
Ninh DoET, and ``other``, an editor of Hải Phòng DoET (another tenant). The calendar feed needs
no session: its secret token stands for the user.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from accord.core.testing import (
    LOGIN,
    ROLES,
    Url,
    assert_status,
    assert_written_or_not,
    cases,
    covered_routes,
    route_names,
    signed_in,
)
from accord.engagements import services
from accord.engagements.models import (
    CalendarFeed,
    Engagement,
    EngagementOrganization,
    EngagementSeries,
    FollowUpAction,
    Participant,
)
from accord.engagements.tests.test_views import (
    D,
    engagement_form,
    make_action,
    make_engagement,
    management,
    organization,
    parse_ics,
    person,
    prop,
    text_value,
)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    from django.utils import timezone

    from accord.engagements.tests.test_views import TODAY

    real = timezone.localdate
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, timezone=None: TODAY if value is None else real(value, timezone)
    )


def _update_form(records, tenants):
    visit = records["visit"]
    organizations = list(visit.organizations.order_by("id"))
    participants = list(visit.participants.order_by("id"))
    data = engagement_form(
        title="LNTU delegation (amended)",
        organizations=[(o.organization, o.role) for o in organizations],
        participants=[(p.person, p.organization, p.role) for p in participants],
    )
    data.update(management("organizations", len(organizations), len(organizations)))
    data.update(management("participants", len(participants), len(participants)))
    data.update({f"organizations-{i}-id": o.pk for i, o in enumerate(organizations)})
    data.update({f"participants-{i}-id": p.pk for i, p in enumerate(participants)})
    return data


# What each write sends; a function of the records and the home organisations.
PAYLOADS = {
    "engagements:engagement_create": lambda r, t: engagement_form(
        title="Visit of Osaka teachers", organizations=[(r["lntu"], "guest")]
    ),
    "engagements:engagement_update": _update_form,
    "engagements:series_create": lambda r, t: {"name": "Annual exchange week"},
    "engagements:action_create": lambda r, t: {
        "title": "Send the programme",
        "engagement": r["visit"].pk,
        "due_precision": "day",
        "due_on": "2026-02-01",
    },
    "engagements:action_update": lambda r, t: {
        "title": "Send the signed minutes",
        "due_precision": "month",
        "due_on": "2026-03",
    },
    "engagements:action_complete": lambda r, t: {"done-done_on": "2026-01-14"},
}

# The other tenant's editor adds an action of its own, agreed at no engagement it could see.
OTHER_PAYLOADS = {
    "engagements:action_create": lambda r, t: {"title": "Send the programme", "due_precision": "day"},
}

# The statuses of each row are in the order of ROLES: anonymous, viewer, editor, manager,
# admin, other.
READ = (LOGIN, 200, 200, 200, 200, 200)
REDIRECT = (LOGIN, 302, 302, 302, 302, 302)
WRITE_PAGE = (LOGIN, 403, 200, 200, 200, 200)
WRITE_DONE = (LOGIN, 403, 302, 302, 302, 302)
READ_OWNED = (LOGIN, 200, 200, 200, 200, 404)
CHANGE_PAGE = (LOGIN, 403, 200, 200, 200, 404)
CHANGE_DONE = (LOGIN, 403, 302, 302, 302, 404)
POST_ONLY = (LOGIN, 405, 405, 405, 405, 405)
PUBLIC = (200, 200, 200, 200, 200, 200)  # the feed: the token, not the session, says who

PAGE_TABLE = [
    (Url("engagements:index"), "get", REDIRECT),
    (Url("engagements:engagement_list"), "get", READ),
    (Url("engagements:engagement_list", query="q=lntu&country=CN&has_open_actions=true&o=-date"), "get", READ),
    (Url("engagements:engagement_create"), "get", WRITE_PAGE),
    (Url("engagements:engagement_create"), "post", WRITE_DONE),
    (Url("engagements:engagement_export", ("csv",)), "get", READ),
    (Url("engagements:engagement_export", ("xlsx",)), "get", READ),
    (Url("engagements:engagement_detail", ("visit",)), "get", READ_OWNED),
    (Url("engagements:engagement_update", ("visit",)), "get", CHANGE_PAGE),
    (Url("engagements:engagement_update", ("visit",)), "post", CHANGE_DONE),
    (Url("engagements:engagement_delete", ("visit",)), "get", CHANGE_PAGE),
    (Url("engagements:engagement_delete", ("visit",)), "post", CHANGE_DONE),
    (Url("engagements:series_create"), "get", WRITE_PAGE),
    (Url("engagements:series_create"), "post", WRITE_DONE),
    (Url("engagements:calendar"), "get", READ),
    (Url("engagements:calendar", query="month=2025-09&kind=incoming_delegation"), "get", READ),
    (Url("engagements:calendar_feed"), "get", READ),
    (Url("engagements:calendar_feed"), "post", REDIRECT),
    (Url("engagements:calendar_ics", ("token",)), "get", PUBLIC),
    (Url("engagements:action_list"), "get", READ),
    (Url("engagements:action_list", query="status=&overdue=true&q=minutes"), "get", READ),
    (Url("engagements:action_create"), "get", WRITE_PAGE),
    (Url("engagements:action_create"), "post", WRITE_DONE),
    (Url("engagements:action_export", ("csv",)), "get", READ),
    (Url("engagements:action_export", ("xlsx",)), "get", READ),
    (Url("engagements:action_detail", ("open_action",)), "get", READ_OWNED),
    (Url("engagements:action_update", ("open_action",)), "get", CHANGE_PAGE),
    (Url("engagements:action_update", ("open_action",)), "post", CHANGE_DONE),
    (Url("engagements:action_complete", ("open_action",)), "get", POST_ONLY),
    (Url("engagements:action_complete", ("open_action",)), "post", CHANGE_DONE),
    (Url("engagements:action_cancel", ("open_action",)), "get", POST_ONLY),
    (Url("engagements:action_cancel", ("open_action",)), "post", CHANGE_DONE),
    (Url("engagements:action_reopen", ("done_action",)), "get", POST_ONLY),
    (Url("engagements:action_reopen", ("done_action",)), "post", CHANGE_DONE),
    (Url("engagements:action_delete", ("open_action",)), "get", CHANGE_PAGE),
    (Url("engagements:action_delete", ("open_action",)), "post", CHANGE_DONE),
]


@pytest.fixture
def records(users, tenants):
    """A visit of Quảng Ninh DoET with a partner and participants, an open and a done action,
    and a calendar address for every user (so that opening the subscription page writes nothing)."""
    editor = users["editor"]
    lntu = organization(editor, "Liaoning Technical University", "CN")
    principal = person(editor, "Ma Tu Tuyen", lntu)
    visit = make_engagement(
        editor,
        "LNTU delegation",
        D(2025, 11, 2),
        ends_on=D(2025, 11, 3),
        organizations=[(tenants["qn"], "host"), (lntu, "guest")],
        participants=[(principal, lntu, "head")],
    )
    open_action = make_action(editor, "Send the minutes", engagement=visit, due_on=D(2026, 2, 1))
    done_action = make_action(editor, "Book the hotel", engagement=visit, due_on=D(2025, 10, 20))
    services.action_complete(action=done_action, acting_user=editor, done_on=D(2025, 10, 19))
    for user in users.values():
        services.calendar_feed_get_or_create(user=user)
    return {
        "lntu": lntu,
        "visit": visit,
        "open_action": open_action,
        "done_action": done_action,
        "token": CalendarFeed.objects.get(user=users["viewer"]).token,
    }


def _state():
    """What a write would change: every engagement, child row, series, action and calendar address."""
    return (
        set(Engagement.objects.values_list("pk", "title", "updated_at")),
        set(EngagementOrganization.objects.values_list("pk", "updated_at")),
        set(Participant.objects.values_list("pk", "updated_at")),
        set(EngagementSeries.objects.values_list("pk", "name")),
        set(FollowUpAction.objects.values_list("pk", "status", "updated_at")),
        set(CalendarFeed.objects.values_list("user_id", "token")),
    )


@pytest.mark.parametrize(("url", "method", "role", "expected"), cases(PAGE_TABLE, ROLES))
def test_page_permissions(client, users, tenants, records, url, method, role, expected):
    # given
    client = signed_in(client, users, role)
    path = url.resolve(records)
    payloads = OTHER_PAYLOADS if role == "other" and url.name in OTHER_PAYLOADS else PAYLOADS
    data = payloads[url.name](records, tenants) if method == "post" and url.name in payloads else {}
    before = _state()

    # when
    response = client.post(path, data) if method == "post" else client.get(path)

    # then
    assert_status(response, expected, path)
    assert_written_or_not(_state, before, expected, method)


def test_every_route_of_the_engagements_has_permission_rows():
    from accord.engagements.urls import urlpatterns

    assert route_names("engagements", urlpatterns) == covered_routes(PAGE_TABLE)


# --- the feed: the token is the key ----------------------------------------------------------------


@pytest.fixture
def two_tenants(users, tenants):
    """An engagement of Quảng Ninh and one of Hải Phòng with the same shared partner, each with an action."""
    lntu = organization(users["editor"], "Liaoning Technical University", "CN")
    made = {}
    for key, user, home in (("qn", users["editor"], tenants["qn"]), ("hp", users["other"], tenants["hp"])):
        engagement = make_engagement(
            user, f"Bạch Đằng forum of {home.name}", D(2025, 12, 1), organizations=[(home, "host"), (lntu, "guest")]
        )
        action = make_action(user, f"Bạch Đằng minutes of {home.name}", engagement=engagement, due_on=D(2026, 2, 1))
        made[key] = (engagement, action)
    return made


def _feed_titles(client, token) -> set[str]:
    response = client.get(reverse("engagements:calendar_ics", args=[token]))
    assert response.status_code == 200
    calendar = parse_ics(response.content)
    return {text_value(prop(e, "SUMMARY")[1]) for e in calendar["children"] if e["name"] == "VEVENT"}


def test_the_feed_answers_the_right_token_with_that_users_engagements_only(client, users, two_tenants):
    (qn_engagement, _a), (hp_engagement, _b) = two_tenants["qn"], two_tenants["hp"]
    mine = services.calendar_feed_get_or_create(user=users["viewer"]).token
    theirs = services.calendar_feed_get_or_create(user=users["other"]).token

    assert _feed_titles(client, mine) == {qn_engagement.title}
    assert _feed_titles(client, theirs) == {hp_engagement.title}, "another user's token shows that user's calendar"


def test_a_wrong_or_revoked_token_is_not_found_and_shows_no_data(client, users, two_tenants):
    old = services.calendar_feed_get_or_create(user=users["viewer"]).token
    new = services.calendar_feed_revoke(user=users["viewer"]).token

    for token in (old, old[:-1], old + "x", "calendar", new.upper()):
        response = client.get(reverse("engagements:calendar_ics", args=[token]))

        assert response.status_code == 404, token
        assert b"VCALENDAR" not in response.content and b"Bach" not in response.content
        assert "Bạch Đằng".encode() not in response.content
    assert _feed_titles(client, new) == {two_tenants["qn"][0].title}


def test_the_feed_ignores_the_session(client, users, two_tenants):
    # A signed-in Hải Phòng user fetching Quảng Ninh's address sees what the address's user sees.
    client.force_login(users["other"])
    token = services.calendar_feed_get_or_create(user=users["viewer"]).token

    assert _feed_titles(client, token) == {two_tenants["qn"][0].title}


# --- a user never sees an engagement or an action of another tenant -------------------------------

SIDES = ["viewer", "editor", "manager", "admin", "other"]


def _mine_and_theirs(who, made):
    return (made["hp"], made["qn"]) if who == "other" else (made["qn"], made["hp"])


@pytest.mark.parametrize("who", SIDES)
def test_lists_calendar_and_exports_show_only_the_users_own_engagements_and_actions(client, users, two_tenants, who):
    (mine, my_action), (theirs, their_action) = _mine_and_theirs(who, two_tenants)
    client.force_login(users[who])

    pages = {
        "list": client.get(reverse("engagements:engagement_list")),
        "search": client.get(reverse("engagements:engagement_list"), {"q": "bach dang"}),
        "calendar": client.get(reverse("engagements:calendar"), {"month": "2025-10"}),
        "actions": client.get(reverse("engagements:action_list")),
        "actions searched": client.get(reverse("engagements:action_list"), {"q": "minutes"}),
    }
    exports = {
        "engagements": client.get(reverse("engagements:engagement_export", args=["csv"])),
        "actions": client.get(reverse("engagements:action_export", args=["csv"])),
    }

    for label, response in pages.items():
        html = response.content.decode()
        assert response.status_code == 200, label
        assert mine.title in html or my_action.title in html, label
        assert theirs.title not in html and their_action.title not in html, label
    for label, response in exports.items():
        rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
        assert {r["title"] for r in rows} == {mine.title if label == "engagements" else my_action.title}, label


@pytest.mark.parametrize("who", SIDES)
def test_an_engagement_or_action_of_another_tenant_is_not_found(client, users, two_tenants, who):
    (_mine, _my_action), (theirs, their_action) = _mine_and_theirs(who, two_tenants)
    client.force_login(users[who])

    for url in (
        theirs.get_absolute_url(),
        their_action.get_absolute_url(),
        reverse("engagements:engagement_update", args=[theirs.pk]),
        reverse("engagements:action_update", args=[their_action.pk]),
    ):
        assert client.get(url).status_code == 404, url
    before = FollowUpAction.objects.get(pk=their_action.pk).status
    response = client.post(
        reverse("engagements:action_complete", args=[their_action.pk]), {"done-done_on": "2026-01-14"}
    )
    assert response.status_code == 404
    assert FollowUpAction.objects.get(pk=their_action.pk).status == before


def test_a_school_sees_its_own_engagements_and_not_those_of_its_department(users, tenants, two_tenants):
    # given an engagement of Ha Long University, below Quảng Ninh DoET
    department, _action = two_tenants["qn"]
    school = make_engagement(users["unit"], "Ha Long summer camp", D(2025, 7, 20))
    unit, viewer = Client(), Client()
    unit.force_login(users["unit"])
    viewer.force_login(users["viewer"])

    # then the department oversees the school, and the school sees only its own
    assert school.title in viewer.get(reverse("engagements:engagement_list")).content.decode()
    assert viewer.get(school.get_absolute_url()).status_code == 200
    listed = unit.get(reverse("engagements:engagement_list")).content.decode()
    assert school.title in listed and department.title not in listed
    assert unit.get(department.get_absolute_url()).status_code == 404


def test_the_form_offers_only_owners_people_and_engagements_of_the_users_scope(client, users, tenants, two_tenants):
    hidden_person = person(users["other"], "Phạm Thị Hải Phòng")
    client.force_login(users["unit"])

    html = client.get(reverse("engagements:engagement_create")).content.decode()
    action_form = client.get(reverse("engagements:action_create")).content.decode()

    assert hidden_person.name not in html and hidden_person.name not in action_form
    owner_select = html[html.index('name="owner"') : html.index("</select>", html.index('name="owner"'))]
    assert tenants["hlu"].name in owner_select and tenants["qn"].name not in owner_select
    assert two_tenants["qn"][0].title not in action_form, "the department's engagement is not offered to the school"


def test_an_editor_cannot_take_part_with_an_organisation_they_may_not_see(client, users, tenants):
    from accord.partners import services as partner_services

    hidden = partner_services.organization_create(
        acting_user=users["other"], data={"kind": "company", "name": "Cát Bi Logistics", "shared": False}
    )
    client.force_login(users["editor"])
    before = Engagement.objects.count()

    response = client.post(
        reverse("engagements:engagement_create"),
        engagement_form(organizations=[(tenants["qn"], "host"), (hidden, "guest")]),
    )

    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert Engagement.objects.count() == before


def test_a_hidden_action_on_a_visible_engagement_stays_hidden(client, users, tenants):
    # given an engagement of Ha Long University on which the department keeps an action of its own
    school = make_engagement(users["unit"], "Ha Long summer camp", D(2025, 7, 20))
    department_action = make_action(
        users["editor"], "Department review of the camp", engagement=school, owner=tenants["qn"]
    )
    client.force_login(users["unit"])

    html = client.get(school.get_absolute_url()).content.decode()

    assert department_action.title not in html
    assert client.get(department_action.get_absolute_url()).status_code == 404
