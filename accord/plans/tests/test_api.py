"""The REST API of plans, tasks, indicators and the records linked to tasks: CRUD, bad input, the
permission matrix, a bounded number of queries and the OpenAPI schema.

The users are those of the root conftest: a viewer, an editor, a manager and an admin of
Quảng Ninh DoET, ``other`` (an editor of Hải Phòng DoET, another tenant) and ``unit`` (an
editor of Ha Long University, under Quảng Ninh).
"""

from __future__ import annotations

import pytest
import yaml

from accord.core.testing import (
    ROLES_WITH_UNIT,
    Op,
    api_operations,
    assert_written_or_not,
    cases,
    covered_operations,
    queries_of,
    results,
    session_client,
)
from accord.engagements.tests.test_views import organization
from accord.plans import services
from accord.plans.models import Indicator, Plan, Task
from accord.plans.tests.test_views import (
    D,
    make_indicator,
    make_mobility,
    make_plan,
    make_task,
    plans_state,
    training_course,
)

PLANS = "/api/v1/plans/"
TASKS = "/api/v1/plan-tasks/"
INDICATORS = "/api/v1/plan-indicators/"
LINKS = "/api/v1/plan-task-links/"
ROLES = ROLES_WITH_UNIT


@pytest.fixture
def api(users):
    return session_client(users["editor"])


@pytest.fixture
def records(users, tenants):
    editor, unit, other = users["editor"], users["unit"], users["other"]
    plan = make_plan(editor)
    task = make_task(
        editor, plan, responsible=[tenants["qn"], tenants["hlu"]], deadline=D(2025, 3, 31), status="in_progress"
    )
    spare_task = make_task(editor, plan, "Mechanisms to attract investment")
    course = training_course(editor, "Integration course", D(2025, 4, 10), trainees=3)
    hlu_course = training_course(unit, "Course at Ha Long University", D(2025, 5, 10), headcount=20)
    link = services.task_link_add(acting_user=editor, task=task, record=course)
    trained = make_indicator(editor, plan, "People trained", rule="people_trained", task=task, target=30)
    manual = make_indicator(editor, plan, "Provinces", target=5, actual_entered=5, evidence="The report names five.")
    lntu = organization(editor, "Liaoning Technical University", "CN")
    theirs = make_plan(other, "2/KH-HP", "Hải Phòng plan")
    their_task = make_task(other, theirs, "Exchange with Naju")
    return {
        "plan": plan,
        "task": task,
        "spare_task": spare_task,
        "course": course,
        "hlu_course": hlu_course,
        "link": link,
        "trained": trained,
        "manual": manual,
        "theirs": theirs,
        "lntu": lntu,
        "their_task": their_task,
    }


# --- CRUD ---------------------------------------------------------------------------------------


def test_create_a_plan_with_a_task_an_indicator_and_a_link(api, tenants, records):
    plan = api.post(
        PLANS,
        {"number": "851/KH", "title": "Foreign languages", "starts_on": "2025-01-01", "ends_on": "2025-12-31"},
        format="json",
    )
    assert plan.status_code == 201, plan.content
    task = api.post(
        TASKS,
        {"plan": plan.json()["id"], "title": "English courses", "responsible": [tenants["qui"].pk], "status": "done"},
        format="json",
    )
    assert task.status_code == 201, task.content
    indicator = api.post(
        INDICATORS,
        {
            "plan": plan.json()["id"],
            "task": task.json()["id"],
            "name": "Teachers trained",
            "target": "20",
            "rule": "people_trained",
        },
        format="json",
    )
    assert indicator.status_code == 201, indicator.content
    link = api.post(
        LINKS,
        {"task": task.json()["id"], "record_type": "engagements.engagement", "record_id": records["hlu_course"].pk},
        format="json",
    )
    assert link.status_code == 201, link.content

    assert plan.json()["owner"] == tenants["qn"].pk
    assert task.json()["responsible"] == [tenants["qui"].pk] and task.json()["progress"] == 100
    again = api.get(f"{INDICATORS}{indicator.json()['id']}/").json()
    assert (again["actual"], again["computed"], again["percent"]) == ("20.00", True, 100)
    assert link.json()["record_label"] == "Course at Ha Long University (2025-05-10)"
    detail = api.get(f"{PLANS}{plan.json()['id']}/").json()
    assert detail["progress"] == {"tasks": 1, "done": 1, "overdue": 0, "mean_progress": 100}


def test_lists_give_actuals_progress_and_overdue(api, records):
    indicators = {row["name"]: row for row in results(api.get(INDICATORS))}
    tasks = {row["title"]: row for row in results(api.get(TASKS))}
    plans = results(api.get(PLANS))

    assert indicators["People trained"]["actual"] == "3.00" and indicators["People trained"]["percent"] == 10
    assert indicators["People trained"]["rule_label"].startswith("People trained")
    assert indicators["Provinces"]["actual"] == "5.00" and indicators["Provinces"]["computed"] is False
    assert tasks[records["task"].title]["overdue"] is True  # due 31 March 2025, in progress
    assert tasks["Mechanisms to attract investment"]["overdue"] is False
    assert plans[0]["progress"]["overdue"] == 1
    overdue = results(api.get(TASKS, {"overdue": "true"}))
    assert [row["id"] for row in overdue] == [records["task"].pk]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rule": "people_trained"}, "task"),
        ({"rule": "engagements_linked", "task": None}, "task"),
        ({"target": "-1"}, "target"),
        ({"actual_entered": "3"}, "actual_entered"),
        ({"rule": "manual", "actual_entered": "3"}, "evidence"),
        ({"rule": "nonsense"}, "rule"),
    ],
)
def test_a_bad_indicator_is_refused_naming_the_field(api, records, body, field):
    before = plans_state()

    response = api.post(
        INDICATORS,
        {"plan": records["plan"].pk, "name": "Agreements", "target": "2", "rule": "agreements_signed", **body},
        format="json",
    )

    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert plans_state() == before


def test_an_indicator_with_a_task_of_another_plan_or_moved_is_refused(api, records):
    other_plan = make_plan(records["plan"].history.first().history_user, "9/KH", "Another plan")
    before = plans_state()

    foreign = api.post(
        INDICATORS,
        {
            "plan": other_plan.pk,
            "task": records["task"].pk,
            "name": "People trained",
            "target": "2",
            "rule": "people_trained",
        },
        format="json",
    )
    moved = api.patch(f"{INDICATORS}{records['trained'].pk}/", {"plan": other_plan.pk}, format="json")
    moved_task = api.patch(f"{TASKS}{records['task'].pk}/", {"plan": other_plan.pk}, format="json")

    assert foreign.status_code == 400 and "task" in foreign.json()
    assert moved.status_code == 400 and "plan" in moved.json()
    assert moved_task.status_code == 400 and "plan" in moved_task.json()
    assert plans_state() == before


def test_a_link_to_a_record_out_of_sight_twice_or_of_another_kind_is_refused(users, api, records):
    their_engagement = training_course(users["other"], "Hải Phòng course", D(2025, 5, 1))
    before = plans_state()

    hidden = api.post(
        LINKS,
        {"task": records["task"].pk, "record_type": "engagements.engagement", "record_id": their_engagement.pk},
        format="json",
    )
    twice = api.post(
        LINKS,
        {"task": records["task"].pk, "record_type": "engagements.engagement", "record_id": records["course"].pk},
        format="json",
    )
    kind = api.post(
        LINKS, {"task": records["task"].pk, "record_type": "partners.organization", "record_id": 1}, format="json"
    )
    their_task = api.post(
        LINKS,
        {"task": records["their_task"].pk, "record_type": "engagements.engagement", "record_id": records["course"].pk},
        format="json",
    )

    assert hidden.status_code == 400 and "record_id" in hidden.json()
    assert twice.status_code == 400 and "record" in twice.json()
    assert kind.status_code == 400 and "record_type" in kind.json()
    assert their_task.status_code == 400 and "task" in their_task.json()
    assert plans_state() == before


def test_a_linked_stay_is_named_only_to_those_who_may_see_personal_data(users, api, records):
    stay = make_mobility(users["editor"], records["lntu"], D(2025, 9, 1), name="Trần Thị Hoa")
    services.task_link_add(acting_user=users["editor"], task=records["task"], record=stay)

    mine = {row["record_id"]: row for row in results(api.get(LINKS, {"record_type": "mobility.mobility"}))}
    viewer = {
        row["record_id"]: row
        for row in results(session_client(users["viewer"]).get(LINKS, {"record_type": "mobility.mobility"}))
    }

    assert mine[stay.pk]["record_label"].startswith("Trần Thị Hoa")
    assert viewer[stay.pk]["record_label"].startswith(f"Participant no. {stay.pk}")
    assert "Trần" not in str(viewer)


def test_update_and_delete(api, records):
    task = api.patch(f"{TASKS}{records['task'].pk}/", {"progress": 80, "responsible": []}, format="json")
    indicator = api.put(
        f"{INDICATORS}{records['manual'].pk}/",
        {
            "plan": records["plan"].pk,
            "name": "Provinces",
            "target": "5",
            "rule": "manual",
            "actual_entered": "4",
            "evidence": "Four attended.",
        },
        format="json",
    )
    unlinked = api.delete(f"{LINKS}{records['link'].pk}/")
    deleted = api.delete(f"{PLANS}{records['plan'].pk}/")

    assert task.status_code == 200 and task.json()["progress"] == 80 and task.json()["responsible"] == []
    assert indicator.status_code == 200 and indicator.json()["actual"] == "4.00"
    assert unlinked.status_code == 204 and deleted.status_code == 204
    assert not Plan.objects.filter(pk=records["plan"].pk).exists()
    assert not Task.objects.filter(plan_id=records["plan"].pk).exists()
    assert not Indicator.objects.filter(plan_id=records["plan"].pk).exists()


def test_rows_of_other_tenants_are_never_listed(users, records):
    other = session_client(users["other"])
    viewer = session_client(users["viewer"])
    unit = session_client(users["unit"])

    assert {p["number"] for p in results(other.get(PLANS))} == {"2/KH-HP"}
    assert {p["number"] for p in results(viewer.get(PLANS))} == {"850/KH-SGDĐT"}
    assert results(unit.get(PLANS)) == [] and results(unit.get(INDICATORS)) == []
    assert results(other.get(LINKS)) == [] and results(other.get(INDICATORS)) == []
    assert viewer.get(f"{TASKS}{records['their_task'].pk}/").status_code == 404


# --- permission matrix -----------------------------------------------------------------------


PAYLOADS = {
    ("plan-list", "post"): lambda r: {
        "number": "900/KH",
        "title": "New plan",
        "starts_on": "2025-01-01",
        "ends_on": "2025-12-31",
    },
    ("plan-detail", "put"): lambda r: {
        "number": "850/KH-SGDĐT",
        "title": "Amended plan",
        "starts_on": "2025-01-01",
        "ends_on": "2025-12-31",
    },
    ("plan-detail", "patch"): lambda r: {"objectives": "Raise awareness."},
    ("plan-task-list", "post"): lambda r: {"plan": r["plan"].pk, "title": "Another solution"},
    ("plan-task-detail", "put"): lambda r: {"plan": r["plan"].pk, "title": "Amended task", "progress": 30},
    ("plan-task-detail", "patch"): lambda r: {"progress": 45},
    ("plan-indicator-list", "post"): lambda r: {
        "plan": r["plan"].pk,
        "name": "Agreements signed",
        "target": "2",
        "rule": "agreements_signed",
    },
    ("plan-indicator-detail", "put"): lambda r: {
        "plan": r["plan"].pk,
        "name": "Provinces (amended)",
        "target": "5",
        "rule": "manual",
        "actual_entered": "5",
        "evidence": "Named in the report.",
    },
    ("plan-indicator-detail", "patch"): lambda r: {"target": "6"},
    ("plan-task-link-list", "post"): lambda r: {
        "task": r["spare_task"].pk,
        "record_type": "engagements.engagement",
        "record_id": r["hlu_course"].pk,
    },
}

# Statuses in the order of ROLES. Hải Phòng and Ha Long University do not see Quảng Ninh's plan:
# 404, or 400 when they name it in what they send.
READ = (403, 200, 200, 200, 200, 200, 200)
READ_OWNED = (403, 200, 200, 200, 200, 404, 404)
CREATE = (403, 403, 201, 201, 201, 201, 201)
CREATE_UNDER = (403, 403, 201, 201, 201, 400, 400)
CHANGE = (403, 403, 200, 200, 200, 404, 404)
DELETE = (403, 403, 204, 204, 204, 404, 404)

API_TABLE = [
    (Op("plan-list"), "get", READ),
    (Op("plan-list"), "post", CREATE),
    (Op("plan-detail", "plan"), "get", READ_OWNED),
    (Op("plan-detail", "plan"), "put", CHANGE),
    (Op("plan-detail", "plan"), "patch", CHANGE),
    (Op("plan-detail", "plan"), "delete", DELETE),
    (Op("plan-task-list"), "get", READ),
    (Op("plan-task-list"), "post", CREATE_UNDER),
    (Op("plan-task-detail", "task"), "get", READ_OWNED),
    (Op("plan-task-detail", "task"), "put", CHANGE),
    (Op("plan-task-detail", "task"), "patch", CHANGE),
    (Op("plan-task-detail", "spare_task"), "delete", DELETE),
    (Op("plan-indicator-list"), "get", READ),
    (Op("plan-indicator-list"), "post", CREATE_UNDER),
    (Op("plan-indicator-detail", "manual"), "get", READ_OWNED),
    (Op("plan-indicator-detail", "manual"), "put", CHANGE),
    (Op("plan-indicator-detail", "manual"), "patch", CHANGE),
    (Op("plan-indicator-detail", "trained"), "delete", DELETE),
    (Op("plan-task-link-list"), "get", READ),
    (Op("plan-task-link-list"), "post", CREATE_UNDER),
    (Op("plan-task-link-detail", "link"), "get", READ_OWNED),
    (Op("plan-task-link-detail", "link"), "delete", DELETE),
]


@pytest.mark.parametrize(("op", "method", "role", "expected"), cases(API_TABLE, ROLES))
def test_api_permissions(users, records, op, method, role, expected):
    # given
    client = session_client(users.get(role))
    payload = PAYLOADS.get((op.name, method))
    data = payload(records) if payload else None
    before = plans_state()

    # when
    call = getattr(client, method)
    response = call(op.resolve(records), data, format="json") if data else call(op.resolve(records))

    # then
    assert response.status_code == expected, response.content[:500]
    assert_written_or_not(plans_state, before, expected, method)


def test_every_api_operation_of_plans_has_permission_rows():
    assert api_operations({"plan", "plan-task", "plan-indicator", "plan-task-link"}) == covered_operations(API_TABLE)


# --- a bounded number of queries -------------------------------------------------------------


def _more(users, tenants, records, count, first=0):
    editor = users["editor"]
    for number in range(first, first + count):
        plan = make_plan(editor, f"{number}/KH", f"Plan {number}")
        task = make_task(editor, plan, f"Task {number}", responsible=[tenants["qn"], tenants["qui"]])
        course = training_course(editor, f"Course {number}", D(2025, 4, 1), trainees=2)
        stay = make_mobility(editor, records["lntu"], D(2025, 9, 1), name=f"Student {number}")
        services.task_link_add(acting_user=editor, task=task, record=course)
        services.task_link_add(acting_user=editor, task=task, record=stay)
        make_indicator(editor, plan, f"Trained {number}", rule="people_trained", task=task)
        make_indicator(editor, plan, f"Signed {number}", rule="agreements_signed")
        make_indicator(editor, plan, f"Entered {number}", actual_entered=1, evidence="Counted")


@pytest.mark.parametrize("url", [PLANS, TASKS, INDICATORS, LINKS])
def test_lists_ask_the_same_number_of_queries_for_few_or_many_rows(users, tenants, records, url):
    client = session_client(users["viewer"])
    _more(users, tenants, records, 1)  # every kind of record is linked already
    client.get(url)
    first, few = queries_of(client, url)
    before = first.json()["count"]
    _more(users, tenants, records, 6, first=1)

    response, many = queries_of(client, url)

    assert response.status_code == 200
    assert response.json()["count"] >= before + 6
    assert len(many) == len(few), [q["sql"] for q in many]
    assert len(many) <= 16


@pytest.mark.parametrize(
    "url",
    [
        lambda r: f"{PLANS}{r['plan'].pk}/",
        lambda r: f"{TASKS}{r['task'].pk}/",
        lambda r: f"{INDICATORS}{r['trained'].pk}/",
        lambda r: f"{LINKS}{r['link'].pk}/",
    ],
)
def test_details_ask_a_bounded_number_of_queries(users, records, url, django_assert_max_num_queries):
    client = session_client(users["viewer"])

    with django_assert_max_num_queries(12):
        response = client.get(url(records))

    assert response.status_code == 200


# --- schema ----------------------------------------------------------------------------------


def test_the_openapi_schema_documents_the_plans_operations(api):
    response = api.get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    paths = schema["paths"]
    for path, method in [
        ("/api/v1/plans/", "post"),
        ("/api/v1/plans/{id}/", "patch"),
        ("/api/v1/plan-tasks/", "get"),
        ("/api/v1/plan-indicators/", "post"),
        ("/api/v1/plan-indicators/{id}/", "put"),
        ("/api/v1/plan-task-links/", "post"),
        ("/api/v1/plan-task-links/{id}/", "delete"),
    ]:
        assert method in paths.get(path, {}), (path, method)
    assert "put" not in paths["/api/v1/plan-task-links/{id}/"]
    indicator = schema["components"]["schemas"]["Indicator"]["properties"]
    assert {"actual", "percent", "computed", "rule_label"} <= set(indicator)
    assert {"progress"} <= set(schema["components"]["schemas"]["Plan"]["properties"])
