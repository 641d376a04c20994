"""Who may reach which plan page, and who sees which plans, tasks and indicators.

The permission matrix is data: each row names a route, a method, the records it acts on and the
status every kind of user gets. A new route gets its permission tests by adding a row; a route
without a row fails the coverage test.

The users are those of the root conftest: a viewer, an editor, a manager and an admin of Quảng
Ninh DoET, ``other`` (an editor of Hải Phòng DoET, another tenant) and ``unit`` (an editor of Ha
Long University, below Quảng Ninh DoET). Quảng Ninh's plan is out of the university's sight; the
university's own plan is overseen by the department.
"""

from __future__ import annotations

import pytest
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
from accord.plans import services
from accord.plans.tests.test_views import (
    D,
    csv_rows,
    make_indicator,
    make_plan,
    make_task,
    plans_state,
    training_course,
)

ROLES = ROLES_WITH_UNIT


def _plan(number):
    return {"number": number, "title": "Plan (amended)", "starts_on": "2025-01-01", "ends_on": "2025-12-31"}


TASK = {"position": "9", "title": "Another solution", "status": "in_progress", "progress": "30"}
INDICATOR = {"position": "9", "name": "Agreements signed", "target": "2", "rule": "agreements_signed"}

# What each write sends; a function of the records.
PAYLOADS = {
    "plans:plan_create": lambda r: _plan("900/KH"),
    "plans:plan_update": lambda r: _plan(r["plan"].number),
    "plans:task_create": lambda r: TASK,
    "plans:task_update": lambda r: TASK,
    "plans:indicator_create": lambda r: INDICATOR,
    "plans:indicator_update": lambda r: INDICATOR,
    "plans:task_link_add": lambda r: {"kind": "engagements.engagement", "record": r["hlu_visit"].pk},
}

# The statuses of each row are in the order of ROLES: anonymous, viewer, editor, manager, admin,
# other, unit.
READ = (LOGIN, 200, 200, 200, 200, 200, 200)
REDIRECT = (LOGIN, 302, 302, 302, 302, 302, 302)
POST_ONLY = (LOGIN, 405, 405, 405, 405, 405, 405)
WRITE_PAGE = (LOGIN, 403, 200, 200, 200, 200, 200)
WRITE_DONE = (LOGIN, 403, 302, 302, 302, 302, 302)
# Quảng Ninh's plan: neither Hải Phòng nor the university below see it.
READ_OWNED = (LOGIN, 200, 200, 200, 200, 404, 404)
CHANGE_PAGE = (LOGIN, 403, 200, 200, 200, 404, 404)
CHANGE_DONE = (LOGIN, 403, 302, 302, 302, 404, 404)
# The university's plan: overseen by the department, out of Hải Phòng's sight.
READ_UNITS = (LOGIN, 200, 200, 200, 200, 404, 200)
CHANGE_UNITS_PAGE = (LOGIN, 403, 200, 200, 200, 404, 200)
CHANGE_UNITS_DONE = (LOGIN, 403, 302, 302, 302, 404, 302)

PAGE_TABLE = [
    (Url("plans:index"), "get", REDIRECT),
    (Url("plans:plan_list"), "get", READ),
    (Url("plans:plan_list", query="q=integration&owner={qn}&year=2025&o=-start"), "get", READ),
    (Url("plans:plan_create"), "get", WRITE_PAGE),
    (Url("plans:plan_create"), "post", WRITE_DONE),
    (Url("plans:plan_export", ("csv",)), "get", READ),
    (Url("plans:plan_export", ("xlsx",)), "get", READ),
    (Url("plans:plan_detail", ("plan",)), "get", READ_OWNED),
    (Url("plans:plan_detail", ("hlu_plan",)), "get", READ_UNITS),
    (Url("plans:plan_update", ("plan",)), "get", CHANGE_PAGE),
    (Url("plans:plan_update", ("plan",)), "post", CHANGE_DONE),
    (Url("plans:plan_update", ("hlu_plan",)), "get", CHANGE_UNITS_PAGE),
    (Url("plans:plan_delete", ("plan",)), "get", CHANGE_PAGE),
    (Url("plans:plan_delete", ("plan",)), "post", CHANGE_DONE),
    (Url("plans:plan_delete", ("hlu_plan",)), "post", CHANGE_UNITS_DONE),
    (Url("plans:task_create", ("plan",)), "get", CHANGE_PAGE),
    (Url("plans:task_create", ("plan",)), "post", CHANGE_DONE),
    (Url("plans:task_create", ("hlu_plan",)), "post", CHANGE_UNITS_DONE),
    (Url("plans:indicator_create", ("plan",)), "get", CHANGE_PAGE),
    (Url("plans:indicator_create", ("plan",)), "post", CHANGE_DONE),
    (Url("plans:indicator_create", ("hlu_plan",)), "post", CHANGE_UNITS_DONE),
    (Url("plans:task_list"), "get", READ),
    (
        Url("plans:task_list", query="plan={plan}&status=in_progress&responsible={qn}&overdue=true&o=-deadline"),
        "get",
        READ,
    ),
    (Url("plans:task_export", ("csv",)), "get", READ),
    (Url("plans:task_export", ("xlsx",)), "get", READ),
    (Url("plans:task_detail", ("task",)), "get", READ_OWNED),
    (Url("plans:task_detail", ("task",), query="kind=engagements.engagement&q=course"), "get", READ_OWNED),
    (Url("plans:task_detail", ("hlu_task",)), "get", READ_UNITS),
    (Url("plans:task_update", ("task",)), "get", CHANGE_PAGE),
    (Url("plans:task_update", ("task",)), "post", CHANGE_DONE),
    (Url("plans:task_update", ("hlu_task",)), "post", CHANGE_UNITS_DONE),
    (Url("plans:task_delete", ("task",)), "get", CHANGE_PAGE),
    (Url("plans:task_delete", ("task",)), "post", CHANGE_DONE),
    (Url("plans:task_delete", ("hlu_task",)), "post", CHANGE_UNITS_DONE),
    (Url("plans:task_link_add", ("task",)), "get", POST_ONLY),
    (Url("plans:task_link_add", ("task",)), "post", CHANGE_DONE),
    (Url("plans:task_link_add", ("hlu_task",)), "post", CHANGE_UNITS_DONE),
    (Url("plans:task_link_remove", ("link",)), "get", POST_ONLY),
    (Url("plans:task_link_remove", ("link",)), "post", CHANGE_DONE),
    (Url("plans:task_link_remove", ("hlu_link",)), "post", CHANGE_UNITS_DONE),
    (Url("plans:indicator_list"), "get", READ),
    (Url("plans:indicator_list", query="plan={plan}&rule=manual&q=provinces"), "get", READ),
    (Url("plans:indicator_export", ("csv",)), "get", READ),
    (Url("plans:indicator_export", ("xlsx",)), "get", READ),
    (Url("plans:indicator_update", ("indicator",)), "get", CHANGE_PAGE),
    (Url("plans:indicator_update", ("indicator",)), "post", CHANGE_DONE),
    (Url("plans:indicator_update", ("hlu_indicator",)), "post", CHANGE_UNITS_DONE),
    (Url("plans:indicator_delete", ("indicator",)), "get", CHANGE_PAGE),
    (Url("plans:indicator_delete", ("indicator",)), "post", CHANGE_DONE),
    (Url("plans:indicator_delete", ("hlu_indicator",)), "post", CHANGE_UNITS_DONE),
]


@pytest.fixture
def records(users, tenants):
    editor, unit = users["editor"], users["unit"]
    plan = make_plan(editor)
    task = make_task(editor, plan, responsible=[tenants["qn"]], deadline=D(2025, 6, 30), status="in_progress")
    course = training_course(editor, "Integration course", D(2025, 4, 10), trainees=2)
    link = services.task_link_add(acting_user=editor, task=task, record=course)
    indicator = make_indicator(editor, plan, "People trained", rule="people_trained", task=task)
    hlu_plan = make_plan(unit, "12/KH-ĐHHL", "Ha Long University's plan for Japanese partners")
    hlu_task = make_task(unit, hlu_plan, "Japanese language courses", responsible=[tenants["hlu"]])
    hlu_course = training_course(unit, "Japanese course", D(2025, 5, 5), trainees=1)
    hlu_link = services.task_link_add(acting_user=unit, task=hlu_task, record=hlu_course)
    hlu_visit = training_course(unit, "Visit of Osaka University", D(2025, 6, 2))
    hlu_indicator = make_indicator(unit, hlu_plan, "Japanese learners", target=30, actual_entered=20, evidence="Roll")
    return {
        "qn": tenants["qn"],
        "plan": plan,
        "task": task,
        "course": course,
        "link": link,
        "indicator": indicator,
        "hlu_plan": hlu_plan,
        "hlu_task": hlu_task,
        "hlu_course": hlu_course,
        "hlu_link": hlu_link,
        "hlu_visit": hlu_visit,
        "hlu_indicator": hlu_indicator,
    }


@pytest.mark.parametrize(("url", "method", "role", "expected"), cases(PAGE_TABLE, ROLES))
def test_page_permissions(client, users, records, url, method, role, expected):
    # given
    client = signed_in(client, users, role)
    path = url.resolve(records)
    data = PAYLOADS[url.name](records) if method == "post" and url.name in PAYLOADS else {}
    if url.name == "plans:plan_update" and "hlu_plan" in url.args:
        data = _plan(records["hlu_plan"].number)
    before = plans_state()

    # when
    response = client.post(path, data) if method == "post" else client.get(path)

    # then
    assert_status(response, expected, path)
    assert_written_or_not(plans_state, before, expected, method)


def test_every_plans_route_has_permission_rows():
    from accord.plans.urls import urlpatterns

    assert route_names("plans", urlpatterns) == covered_routes(PAGE_TABLE)


# --- a user never sees a plan of another tenant -------------------------------------------------------


@pytest.fixture
def two_tenants(users, tenants):
    made = {}
    for key, user, home in (("qn", users["editor"], tenants["qn"]), ("hp", users["other"], tenants["hp"])):
        plan = make_plan(user, f"1/KH-{key.upper()}", f"International integration plan of {home.name}")
        task = make_task(user, plan, f"Training courses of {home.name}", responsible=[home])
        indicator = make_indicator(user, plan, f"People trained by {home.name}", target=5)
        made[key] = (plan, task, indicator)
    return made


SIDES = ["viewer", "editor", "manager", "admin", "other"]


@pytest.mark.parametrize("who", SIDES)
def test_lists_and_exports_show_only_the_users_own_plans(client, users, two_tenants, who):
    mine, theirs = (two_tenants["hp"], two_tenants["qn"]) if who == "other" else (two_tenants["qn"], two_tenants["hp"])
    client.force_login(users[who])

    plans = client.get(reverse("plans:plan_list")).content.decode()
    tasks = client.get(reverse("plans:task_list")).content.decode()
    indicators = client.get(reverse("plans:indicator_list")).content.decode()
    plan_rows = csv_rows(client.get(reverse("plans:plan_export", args=["csv"])))
    task_rows = csv_rows(client.get(reverse("plans:task_export", args=["csv"])))
    indicator_rows = csv_rows(client.get(reverse("plans:indicator_export", args=["csv"])))

    assert mine[0].title in plans and theirs[0].title not in plans
    assert mine[1].title in tasks and theirs[1].title not in tasks
    assert mine[2].name in indicators and theirs[2].name not in indicators
    assert [r["number"] for r in plan_rows] == [mine[0].number]
    assert [r["title"] for r in task_rows] == [mine[1].title]
    assert [r["name"] for r in indicator_rows] == [mine[2].name]
    for url in (
        theirs[0].get_absolute_url(),
        theirs[1].get_absolute_url(),
        reverse("plans:indicator_update", args=[theirs[2].pk]),
        reverse("plans:task_create", args=[theirs[0].pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_the_forms_offer_only_owners_of_the_users_scope(client, users, tenants, two_tenants):
    client.force_login(users["other"])

    html = client.get(reverse("plans:plan_create")).content.decode()
    owner_select = html[html.index('name="owner"') : html.index("</select>", html.index('name="owner"'))]

    assert tenants["hp"].name in owner_select and tenants["qn"].name not in owner_select


def test_a_plan_cannot_be_given_to_another_tenant(client, users, tenants):
    client.force_login(users["other"])
    before = plans_state()

    response = client.post(reverse("plans:plan_create"), {**_plan("1/KH"), "owner": tenants["qn"].pk})

    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert plans_state() == before
