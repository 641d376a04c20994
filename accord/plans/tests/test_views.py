"""The plan pages: the list with its filters and exports, the plan page with its tasks, indicators and
progress, the forms of plans, tasks and indicators (with their refusals), the task page with the
records linked to it, and the task and indicator lists.

The users are those of the root conftest: the editor of Quảng Ninh DoET writes, the viewer reads.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from accord.engagements.tests.test_views import make_engagement, organization, person
from accord.mobility import services as mobility_services
from accord.plans import services
from accord.plans.models import Indicator, Plan, Task, TaskLink
from accord.sources import services as source_services

D = datetime.date
TODAY = D(2025, 10, 15)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    from django.utils import timezone

    real = timezone.localdate
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, timezone=None: TODAY if value is None else real(value, timezone)
    )


# --- helpers shared by the plans tests ---------------------------------------------------------------


def make_plan(user, number="850/KH-SGDĐT", title="International integration of the education sector", **data) -> Plan:
    return services.plan_create(
        acting_user=user,
        data={"number": number, "title": title, "starts_on": D(2025, 1, 1), "ends_on": D(2025, 12, 31), **data},
    )


def make_task(user, plan, title="Training courses on international integration", *, responsible=(), **data) -> Task:
    return services.task_create(
        acting_user=user, plan=plan, data={"title": title, **data}, responsible=list(responsible)
    )


def make_indicator(user, plan, name="People trained", *, rule="manual", target=10, **data) -> Indicator:
    return services.indicator_create(
        acting_user=user, plan=plan, data={"name": name, "rule": rule, "target": Decimal(target), **data}
    )


def make_source(user, title="Báo Quảng Ninh: international integration in education"):
    return source_services.source_create(
        acting_user=user,
        data={"kind": "article", "title": title, "url": "https://baoquangninh.vn/example", "language": "en"},
    )


def make_mobility(user, host, start, *, direction="outgoing", category="student", name="Nguyễn Văn A", **data):
    side = "host_organization" if direction == "outgoing" else "home_organization"
    return mobility_services.mobility_create(
        acting_user=user,
        data={
            "direction": direction,
            "category": category,
            "full_name": name,
            "fictitious": True,
            side: host,
            "planned_start": start,
            "planned_end": start + datetime.timedelta(days=120),
            **data,
        },
    )


def training_course(user, title, starts_on, *, trainees=0, headcount=None, **data):
    trainee_rows = [(person(user, f"{title} trainee {n}"), None, "trainee") for n in range(trainees)]
    return make_engagement(
        user, title, starts_on, kind="training_course", participants=trainee_rows, headcount=headcount, **data
    )


def plans_state() -> tuple:
    return (
        set(Plan.objects.values_list("pk", "number", "title", "updated_at")),
        set(Task.objects.values_list("pk", "title", "status", "progress", "updated_at")),
        set(Indicator.objects.values_list("pk", "name", "target", "actual_entered", "updated_at")),
        set(TaskLink.objects.values_list("pk", "task_id", "object_id")),
    )


def csv_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def field_errors(html: str, field: str) -> list[str]:
    start = html.index(f'name="{field}"')
    block = html[start : start + 4000]
    block = block[: block.find('class="mb-3', 10)] if 'class="mb-3' in block[10:] else block
    return re.findall(r'<div class="invalid-feedback d-block">([^<]+)</div>', block)


@pytest.fixture
def plan(users, tenants):
    """Plan No. 850/KH-SGDĐT of Quảng Ninh DoET with three tasks (one overdue, one done) and two indicators."""
    editor = users["editor"]
    source = make_source(editor)
    plan = make_plan(editor, objectives="Raise awareness of international integration.", document=source)
    guangxi = organization(editor, "Guangxi Education Department", "CN", kind="government_body")
    tasks = {
        "bilateral": make_task(
            editor,
            plan,
            "Expand bilateral relations with other provinces and territories",
            position=1,
            responsible=[tenants["qn"]],
            deadline=D(2025, 6, 30),
            status="in_progress",
            progress=40,
        ),
        "training": make_task(
            editor,
            plan,
            "Training courses for civil servants",
            position=2,
            responsible=[tenants["qn"], tenants["hlu"]],
            deadline=D(2025, 12, 31),
            status="in_progress",
            progress=50,
        ),
        "directives": make_task(
            editor, plan, "Disseminate the directives", position=3, deadline=D(2025, 3, 31), status="done"
        ),
    }
    course = training_course(editor, "Integration course", D(2025, 4, 10), trainees=3)
    services.task_link_add(acting_user=editor, task=tasks["training"], record=course)
    trained = make_indicator(
        editor, plan, "People trained", rule="people_trained", target=12, task=tasks["training"], position=1
    )
    provinces = make_indicator(
        editor,
        plan,
        "Provinces in the exchange with Guangxi",
        target=5,
        actual_entered=Decimal(5),
        evidence="The report names five provinces.",
        evidence_source=source,
        position=2,
    )
    return {
        "plan": plan,
        "source": source,
        "guangxi": guangxi,
        "course": course,
        "trained": trained,
        "provinces": provinces,
        **tasks,
    }


# --- the plan list ---------------------------------------------------------------------------------


def test_the_plans_area_opens_on_the_plan_list(client, users):
    client.force_login(users["viewer"])

    response = client.get(reverse("plans:index"))

    assert response.status_code == 302
    assert response["Location"] == reverse("plans:plan_list")


def test_the_plan_list_shows_progress_and_filters_by_owner_year_and_words(client, users, tenants, plan):
    make_plan(users["unit"], "12/KH-ĐHHL", "Ha Long University's plan for Japanese partners")
    older = make_plan(users["editor"], "3/KH", "Earlier plan", starts_on=D(2023, 1, 1), ends_on=D(2023, 12, 31))
    client.force_login(users["viewer"])

    def numbers(**query):
        html = client.get(reverse("plans:plan_list"), query).content.decode()
        table = html[html.index('id="plan-table"') :]
        return re.findall(r'<td class="fw-semibold text-nowrap"><a href="/plans/\d+/">([^<]+)</a>', table)

    assert set(numbers()) == {"850/KH-SGDĐT", "12/KH-ĐHHL", "3/KH"}
    assert numbers(owner=tenants["hlu"].pk) == ["12/KH-ĐHHL"]
    assert set(numbers(year=2025)) == {"850/KH-SGDĐT", "12/KH-ĐHHL"}
    assert numbers(year=2023) == [older.number]
    assert numbers(q="integration education") == ["850/KH-SGDĐT"]
    assert numbers(q="nhat ban japanese") == []
    html = client.get(reverse("plans:plan_list"), {"q": "850"}).content.decode()
    row = html[html.index(f'data-plan="{plan["plan"].pk}"') :]
    row = row[: row.index("</tr>")]
    assert "1 of 3 done" in row
    assert 'text-danger fw-semibold">1<' in row  # the bilateral task is overdue


def test_the_plan_export_gives_the_filtered_plans_with_numbers(client, users, plan):
    make_plan(users["editor"], "3/KH", "Earlier plan", starts_on=D(2023, 1, 1), ends_on=D(2023, 12, 31))
    client.force_login(users["viewer"])

    rows = csv_rows(client.get(reverse("plans:plan_export", args=["csv"]), {"year": "2025"}))
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(reverse("plans:plan_export", args=["xlsx"])).content))

    assert [r["number"] for r in rows] == ["850/KH-SGDĐT"]
    assert rows[0]["tasks"] == "3" and rows[0]["done"] == "1" and rows[0]["overdue"] == "1"
    assert rows[0]["document"] == plan["source"].title
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    values = {r[header.index("number")]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    first = values["850/KH-SGDĐT"]
    assert first[header.index("tasks")] == 3
    assert first[header.index("mean_progress")] == (40 + 50 + 100) // 3
    assert first[header.index("indicators")] == 2
    assert first[header.index("starts_on")].date() == D(2025, 1, 1)


# --- the plan page -----------------------------------------------------------------------------------


def test_the_plan_page_shows_tasks_indicators_progress_and_its_document(client, users, tenants, plan):
    client.force_login(users["viewer"])

    html = client.get(plan["plan"].get_absolute_url()).content.decode()

    assert "Plan No. 850/KH-SGDĐT" in html
    assert "period 2025-01-01 – 2025-12-31" in html
    assert f'href="{plan["source"].get_absolute_url()}"' in html[html.index('id="document"') :]
    tasks = html[html.index('id="tasks"') : html.index("</table>", html.index('id="tasks"'))]
    bilateral = tasks[tasks.index(f'data-task="{plan["bilateral"].pk}"') :]
    bilateral = bilateral[: bilateral.index("</tr>")]
    assert "task-overdue" in bilateral and "overdue</span>" in bilateral
    training = tasks[tasks.index(f'data-task="{plan["training"].pk}"') :]
    training = training[: training.index("</tr>")]
    assert tenants["qn"].name in training and tenants["hlu"].name in training
    assert "task-overdue" not in training
    indicators = html[html.index('id="indicators"') :]
    trained = indicators[indicators.index(f'data-indicator="{plan["trained"].pk}"') :]
    trained = trained[: trained.index("</tr>")]
    assert re.search(r'class="text-end text-nowrap actual">3<', trained)
    assert "25 %" in trained  # 3 of 12
    assert "participants of the training courses linked to the task" in trained
    provinces = indicators[indicators.index(f'data-indicator="{plan["provinces"].pk}"') :]
    provinces = provinces[: provinces.index("</tr>")]
    assert "The report names five provinces." in provinces and "100 %" in provinces
    assert 'id="summary-tasks">3<' in html and 'id="summary-done">1<' in html
    assert 'id="summary-overdue">1<' in html
    # A viewer reads; no button to change anything.
    assert reverse("plans:plan_update", args=[plan["plan"].pk]) not in html
    assert 'id="add-task"' not in html


def test_the_plan_page_offers_citing_a_source_to_editors(client, users, plan):
    client.force_login(users["editor"])

    html = client.get(plan["plan"].get_absolute_url()).content.decode()

    assert "citations-plans-plan-" in html
    assert reverse("sources:citation_add", args=["plans.plan", plan["plan"].pk]) in html


# --- plan forms -------------------------------------------------------------------------------------------


def plan_form(**fields) -> dict:
    return {
        "number": "851/KH-SGDĐT",
        "title": "Plan on foreign languages in schools",
        "starts_on": "2025-01-01",
        "ends_on": "2025-12-31",
        **fields,
    }


def test_an_editor_creates_a_plan_for_their_organisation(client, users, tenants):
    client.force_login(users["editor"])

    response = client.post(reverse("plans:plan_create"), plan_form())

    plan = Plan.objects.get(number="851/KH-SGDĐT")
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert plan.owner == tenants["qn"]
    assert plan.history.first().history_user == users["editor"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"ends_on": "2024-12-31"}, "ends_on", "The end cannot come before the start."),
        ({"title": "   "}, "title", "This field is required."),
        ({"starts_on": "2025-13-01"}, "starts_on", "Enter a valid date."),
    ],
)
def test_a_bad_plan_is_refused_with_a_clear_message(client, users, fields, field, message):
    client.force_login(users["editor"])
    before = plans_state()

    response = client.post(reverse("plans:plan_create"), plan_form(**fields))

    assert response.status_code == 400
    assert message in field_errors(response.content.decode(), field)
    assert plans_state() == before


def test_the_same_number_twice_for_one_organisation_is_refused(client, users, plan):
    client.force_login(users["editor"])
    before = plans_state()

    response = client.post(reverse("plans:plan_create"), plan_form(number="850/KH-SGDĐT", owner=plan["plan"].owner_id))

    assert response.status_code == 400
    assert "Another plan of this organisation already has this number." in response.content.decode()
    assert plans_state() == before


def test_a_plan_edited_meanwhile_by_someone_else_is_not_overwritten(client, users, plan):
    client.force_login(users["editor"])
    page = client.get(reverse("plans:plan_update", args=[plan["plan"].pk])).content.decode()
    loaded_at = re.search(r'name="loaded_at" value="([^"]+)"', page).group(1)
    services.plan_update(plan=plan["plan"], acting_user=users["manager"], data={"title": "Amended by the manager"})

    response = client.post(
        reverse("plans:plan_update", args=[plan["plan"].pk]),
        plan_form(number="850/KH-SGDĐT", title="Amended by the editor", loaded_at=loaded_at),
    )

    assert response.status_code == 400
    assert "Someone else changed this record" in response.content.decode()
    assert Plan.objects.get(pk=plan["plan"].pk).title == "Amended by the manager"


def test_deleting_a_plan_asks_first_then_removes_it_with_its_tasks_and_indicators(client, users, plan):
    client.force_login(users["editor"])
    url = reverse("plans:plan_delete", args=[plan["plan"].pk])

    asked = client.get(url)
    response = client.post(url)

    assert asked.status_code == 200 and "Delete 850/KH-SGDĐT" in asked.content.decode()
    assert response.status_code == 302 and response["Location"] == reverse("plans:plan_list")
    assert not Plan.objects.exists() and not Task.objects.exists() and not Indicator.objects.exists()
    assert not TaskLink.objects.exists()


# --- tasks ---------------------------------------------------------------------------------------------------


def test_an_editor_adds_a_task_with_responsible_organisations(client, users, tenants, plan):
    client.force_login(users["editor"])

    response = client.post(
        reverse("plans:task_create", args=[plan["plan"].pk]),
        {
            "position": "4",
            "title": "Mechanisms to attract investment in training",
            "responsible": [tenants["qn"].pk, tenants["qui"].pk],
            "deadline": "2025-11-30",
            "status": "not_started",
            "progress": "0",
        },
    )

    task = Task.objects.get(title="Mechanisms to attract investment in training")
    assert response.status_code == 302 and response["Location"] == plan["plan"].get_absolute_url()
    assert set(task.responsible.all()) == {tenants["qn"], tenants["qui"]}
    assert task.plan == plan["plan"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"progress": "120"}, "progress", "Progress is between 0 and 100 %."),
        ({"title": ""}, "title", "This field is required."),
        ({"status": "finished"}, "status", "Select a valid choice."),
    ],
)
def test_a_bad_task_is_refused(client, users, plan, fields, field, message):
    client.force_login(users["editor"])
    before = plans_state()

    response = client.post(
        reverse("plans:task_create", args=[plan["plan"].pk]),
        {"position": "4", "title": "A task", "status": "not_started", "progress": "0", **fields},
    )

    assert response.status_code == 400
    assert any(message in error for error in field_errors(response.content.decode(), field))
    assert plans_state() == before


def test_a_responsible_organisation_of_another_tenant_is_refused(client, users, tenants, plan):
    naju = organization(users["other"], "Naju Office of Education Support", "KR", shared=False)
    client.force_login(users["editor"])
    before = plans_state()

    response = client.post(
        reverse("plans:task_create", args=[plan["plan"].pk]),
        {"position": "4", "title": "A task", "status": "not_started", "progress": "0", "responsible": [naju.pk]},
    )

    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert plans_state() == before


def test_a_task_marked_done_counts_as_complete_and_edits_keep_the_version(client, users, plan):
    client.force_login(users["editor"])
    url = reverse("plans:task_update", args=[plan["training"].pk])
    page = client.get(url).content.decode()
    loaded_at = re.search(r'name="loaded_at" value="([^"]+)"', page).group(1)

    response = client.post(
        url,
        {"position": "2", "title": "Training courses for civil servants", "status": "done", "progress": "70"},
    )
    stale = client.post(
        url,
        {
            "position": "2",
            "title": "Training courses (stale)",
            "status": "in_progress",
            "progress": "10",
            "loaded_at": loaded_at,
        },
    )

    task = Task.objects.get(pk=plan["training"].pk)
    assert response.status_code == 302
    assert task.status == "done" and task.progress == 100
    assert task.responsible.count() == 0  # the form sent none: the list is what the form says
    assert stale.status_code == 400 and "Someone else changed this record" in stale.content.decode()


def test_deleting_a_task_removes_its_links_and_indicators(client, users, plan):
    client.force_login(users["editor"])

    response = client.post(reverse("plans:task_delete", args=[plan["training"].pk]))

    assert response.status_code == 302 and response["Location"] == plan["plan"].get_absolute_url()
    assert not TaskLink.objects.exists()
    assert not Indicator.objects.filter(pk=plan["trained"].pk).exists()
    assert Indicator.objects.filter(pk=plan["provinces"].pk).exists()


# --- the task page and its linked records -------------------------------------------------------------------


def test_the_task_page_lists_its_records_and_indicators(client, users, plan):
    client.force_login(users["viewer"])

    html = client.get(plan["training"].get_absolute_url()).content.decode()

    links = html[html.index('id="links"') :]
    assert f'href="{plan["course"].get_absolute_url()}"' in links
    assert "Integration course (2025-04-10)" in links
    assert 'class="btn btn-outline-danger btn-sm unlink"' not in html
    assert 'id="link-record"' not in html
    assert f'data-indicator="{plan["trained"].pk}"' in html


def test_an_editor_finds_and_links_records_of_each_kind_and_unlinks_them(client, users, tenants, plan):
    from accord.agreements.tests.test_views import make_agreement
    from accord.funding.tests.test_views import make_project

    editor = users["editor"]
    agreement = make_agreement(editor, "Memorandum with Guangxi", [tenants["qn"], plan["guangxi"]])
    project = make_project(editor, "VIETMUS", "Music education in Vietnam")
    stay = make_mobility(editor, plan["guangxi"], D(2025, 9, 1), name="Trần Thị Hoa")
    conference = make_engagement(editor, "Exchange conference with Guangxi", D(2025, 7, 1))
    task = plan["bilateral"]
    client.force_login(editor)
    url = task.get_absolute_url()

    found = {}
    for kind, query, record in [
        ("engagements.engagement", "guangxi", conference),
        ("agreements.agreement", "guangxi", agreement),
        ("funding.project", "vietmus", project),
        ("mobility.mobility", "guangxi", stay),
    ]:
        html = client.get(url, {"kind": kind, "q": query}).content.decode()
        found[kind] = re.findall(r'data-candidate="(\d+)"', html)
        response = client.post(
            reverse("plans:task_link_add", args=[task.pk]), {"kind": kind, "record": record.pk, "note": "evidence"}
        )
        assert response.status_code == 302, response.content[:2000]

    assert found == {
        "engagements.engagement": [str(conference.pk)],
        "agreements.agreement": [str(agreement.pk)],
        "funding.project": [str(project.pk)],
        "mobility.mobility": [str(stay.pk)],
    }
    html = client.get(url).content.decode()
    assert "Trần Thị Hoa" in html  # the editor of the owner sees the name
    assert task.links.count() == 4
    again = client.get(url, {"kind": "agreements.agreement", "q": "guangxi"}).content.decode()
    assert "No record you can see matches." in again  # already linked: not offered again

    link = task.links.get(object_id=agreement.pk, content_type__model="agreement")
    response = client.post(reverse("plans:task_link_remove", args=[link.pk]))
    assert response.status_code == 302 and response["Location"] == url
    assert task.links.count() == 3


def test_a_stay_is_named_by_number_to_those_who_may_not_see_personal_data(client, users, plan):
    editor = users["editor"]
    stay = make_mobility(editor, plan["guangxi"], D(2025, 9, 1), name="Trần Thị Hoa")
    services.task_link_add(acting_user=editor, task=plan["bilateral"], record=stay)
    client.force_login(users["viewer"])

    html = client.get(plan["bilateral"].get_absolute_url()).content.decode()

    assert "Trần Thị Hoa" not in html
    assert f"Participant no. {stay.pk}" in html


def test_linking_a_record_out_of_sight_or_twice_is_refused_with_nothing_written(client, users, tenants, plan):
    theirs = make_engagement(users["other"], "Hải Phòng working session", D(2025, 5, 27))
    client.force_login(users["editor"])
    before = plans_state()
    url = reverse("plans:task_link_add", args=[plan["training"].pk])

    hidden = client.post(url, {"kind": "engagements.engagement", "record": theirs.pk})
    twice = client.post(url, {"kind": "engagements.engagement", "record": plan["course"].pk})
    wrong_kind = client.post(url, {"kind": "partners.organization", "record": tenants["qn"].pk})

    assert hidden.status_code == 400 and "Choose a record you can see." in hidden.content.decode()
    assert twice.status_code == 400 and "already linked to the task" in twice.content.decode()
    assert wrong_kind.status_code == 400 and "Select a valid choice." in wrong_kind.content.decode()
    assert plans_state() == before


# --- indicators --------------------------------------------------------------------------------------------


def indicator_form(**fields) -> dict:
    return {"position": "3", "name": "Agreements signed", "target": "3", "rule": "agreements_signed", **fields}


def test_an_editor_adds_a_computed_indicator(client, users, tenants, plan):
    from accord.agreements.tests.test_views import make_agreement

    make_agreement(users["unit"], "Memorandum with LNTU", [tenants["hlu"], plan["guangxi"]], signed_on=D(2025, 11, 3))
    client.force_login(users["editor"])

    response = client.post(reverse("plans:indicator_create", args=[plan["plan"].pk]), indicator_form())

    indicator = Indicator.objects.get(name="Agreements signed")
    assert response.status_code == 302 and response["Location"] == indicator.get_absolute_url()
    html = client.get(plan["plan"].get_absolute_url()).content.decode()
    row = html[html.index(f'data-indicator="{indicator.pk}"') :]
    row = row[: row.index("</tr>")]
    assert re.search(r'actual">1<', row) and "33 %" in row
    assert "Agreements signed in the plan&#x27;s period" in row


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"rule": "people_trained"}, "task", "This rule counts the records linked to a task; choose the task."),
        ({"rule": "engagements_linked"}, "task", "This rule counts the records linked to a task; choose the task."),
        ({"target": "-1"}, "target", "A target cannot be negative."),
        (
            {"actual_entered": "4"},
            "actual_entered",
            "This indicator is computed; leave the actual empty or choose “entered by hand”.",
        ),
        ({"rule": "manual", "actual_entered": "4"}, "evidence", "Say where the entered figure comes from."),
        ({"actual_entered": "-2", "rule": "manual", "evidence": "x"}, "actual_entered", "A target cannot be negative."),
        ({"rule": "guesswork"}, "rule", "Select a valid choice."),
    ],
)
def test_a_bad_indicator_is_refused_with_a_field_error(client, users, plan, fields, field, message):
    client.force_login(users["editor"])
    before = plans_state()

    response = client.post(reverse("plans:indicator_create", args=[plan["plan"].pk]), indicator_form(**fields))

    assert response.status_code == 400
    assert any(message in e for e in field_errors(response.content.decode(), field)), response.content.decode()[:200]
    assert plans_state() == before


def test_a_task_of_another_plan_cannot_be_chosen(client, users, plan):
    other_plan = make_plan(users["editor"], "9/KH", "Another plan")
    other_task = make_task(users["editor"], other_plan, "Elsewhere")
    client.force_login(users["editor"])
    before = plans_state()

    response = client.post(
        reverse("plans:indicator_create", args=[plan["plan"].pk]),
        indicator_form(rule="people_trained", task=other_task.pk),
    )

    assert response.status_code == 400
    assert "Select a valid choice." in " ".join(field_errors(response.content.decode(), "task"))
    assert plans_state() == before


def test_an_indicator_is_edited_and_deleted(client, users, plan):
    client.force_login(users["editor"])
    url = reverse("plans:indicator_update", args=[plan["provinces"].pk])

    response = client.post(
        url, indicator_form(name="Provinces", rule="manual", target="5", actual_entered="4", evidence="Four came.")
    )
    deleted = client.post(reverse("plans:indicator_delete", args=[plan["provinces"].pk]))

    assert response.status_code == 302
    assert deleted.status_code == 302 and deleted["Location"] == plan["plan"].get_absolute_url()
    assert not Indicator.objects.filter(pk=plan["provinces"].pk).exists()


# --- the task and indicator lists ------------------------------------------------------------------------


def test_the_task_list_filters_by_plan_status_responsible_and_overdue(client, users, tenants, plan):
    other_plan = make_plan(users["unit"], "12/KH-ĐHHL", "Ha Long University's plan")
    make_task(users["unit"], other_plan, "Japanese language courses", responsible=[tenants["hlu"]], status="done")
    client.force_login(users["viewer"])

    def titles(**query):
        html = client.get(reverse("plans:task_list"), query).content.decode()
        table = html[html.index('id="task-table"') :]
        return sorted(re.findall(r'<td><a href="/plans/tasks/\d+/">([^<]+)</a></td>', table))

    assert len(titles()) == 4
    assert titles(plan=other_plan.pk) == ["Japanese language courses"]
    assert titles(status="done") == ["Disseminate the directives", "Japanese language courses"]
    assert titles(responsible=tenants["hlu"].pk) == ["Japanese language courses", "Training courses for civil servants"]
    assert titles(overdue="true") == ["Expand bilateral relations with other provinces and territories"]
    assert len(titles(overdue="false")) == 3
    assert titles(q="japanese") == ["Japanese language courses"]


def test_the_task_export_gives_typed_cells(client, users, tenants, plan):
    client.force_login(users["viewer"])

    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("plans:task_export", args=["xlsx"]), {"plan": plan["plan"].pk}).content)
    )
    rows = csv_rows(client.get(reverse("plans:task_export", args=["csv"]), {"overdue": "true"}))

    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    data = {r[header.index("title")]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    training = data["Training courses for civil servants"]
    assert training[header.index("progress")] == 50
    assert training[header.index("linked_records")] == 1
    assert training[header.index("overdue")] is False
    assert training[header.index("responsible")] == "; ".join(sorted([tenants["qn"].name, tenants["hlu"].name]))
    assert [r["title"] for r in rows] == ["Expand bilateral relations with other provinces and territories"]


def test_the_indicator_list_and_export_give_targets_and_actuals_as_numbers(client, users, plan):
    client.force_login(users["viewer"])

    html = client.get(reverse("plans:indicator_list"), {"rule": "people_trained"}).content.decode()
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(reverse("plans:indicator_export", args=["xlsx"])).content))

    table = html[html.index('id="indicator-table"') :]
    assert "People trained" in table and "Provinces in the exchange" not in table
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    data = {r[header.index("name")]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    trained = data["People trained"]
    assert (trained[header.index("target")], trained[header.index("actual")], trained[header.index("percent")]) == (
        12,
        3,
        25,
    )
    assert trained[header.index("computed")] is True
    provinces = data["Provinces in the exchange with Guangxi"]
    assert provinces[header.index("actual")] == 5 and provinces[header.index("computed")] is False
    assert provinces[header.index("evidence_source")] == plan["source"].title
