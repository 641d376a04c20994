"""The plan pages run a fixed number of queries.

Each page is requested with few records and with many: more plans for the lists, and for the
plan and task pages more tasks, responsible organisations, linked records of every kind and
indicators of every rule. The number of queries must be the same, and at most the bound
measured with few. When a page starts running one more query per row, these tests name it and
show the queries.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.agreements.tests.test_views import make_agreement
from accord.engagements.tests.test_views import organization
from accord.funding.tests.test_views import make_project
from accord.plans import services
from accord.plans.tests.test_views import (
    D,
    make_indicator,
    make_mobility,
    make_plan,
    make_source,
    make_task,
    training_course,
)

RULES = [
    "people_trained",
    "engagements_linked",
    "agreements_signed",
    "outgoing_students",
    "incoming_people",
    "projects_running",
]


@dataclass(frozen=True)
class Page:
    label: str
    url: str
    args: tuple = ()
    query: tuple = ()
    max_queries: int = 0


# The bounds were measured with few records; the tests check that many need no more.
PAGES = [
    Page("plan list", "plans:plan_list", max_queries=10),
    Page("plan list filtered", "plans:plan_list", query=(("year", "2025"), ("q", "plan")), max_queries=10),
    Page("plan export XLSX", "plans:plan_export", args=("xlsx",), max_queries=6),
    Page("plan export CSV", "plans:plan_export", args=("csv",), max_queries=6),
    Page("task list", "plans:task_list", max_queries=10),
    Page("task list overdue", "plans:task_list", query=(("overdue", "true"), ("o", "-deadline")), max_queries=10),
    Page("task export XLSX", "plans:task_export", args=("xlsx",), max_queries=6),
    Page("task export CSV", "plans:task_export", args=("csv",), max_queries=6),
    Page("indicator list", "plans:indicator_list", max_queries=16),
    Page("indicator export XLSX", "plans:indicator_export", args=("xlsx",), max_queries=14),
    Page("indicator export CSV", "plans:indicator_export", args=("csv",), max_queries=14),
]


@pytest.fixture
def grow(users, tenants):
    """Plans that grow on demand, each with tasks, links of every kind and indicators of every rule."""
    editor = users["editor"]
    partner = organization(editor, "Liaoning Technical University", "CN")
    source = make_source(editor)
    plans = []

    def add_to(plan, n: int) -> None:
        task = make_task(
            editor,
            plan,
            f"Solution {n}",
            position=n,
            responsible=[tenants["qn"], tenants["hlu"]],
            deadline=D(2025, 3, 1),
            status="in_progress",
        )
        course = training_course(editor, f"Course {plan.pk}-{n}", D(2025, 4, 1), trainees=2)
        agreement = make_agreement(
            editor, f"Memorandum {plan.pk}-{n}", [tenants["qn"], partner], signed_on=D(2025, 5, 1)
        )
        project = make_project(editor, f"P{plan.pk}-{n}", f"Project {n}", status="running")
        stay = make_mobility(editor, partner, D(2025, 9, 1), name=f"Student {plan.pk}-{n}")
        for record in (course, agreement, project, stay):
            services.task_link_add(acting_user=editor, task=task, record=record)
        for rule in RULES:
            make_indicator(
                editor, plan, f"{rule} {n}", rule=rule, task=task if "linked" in rule or "trained" in rule else None
            )
        make_indicator(editor, plan, f"entered {n}", actual_entered=3, evidence="Counted", evidence_source=source)

    def to(count: int) -> None:
        while len(plans) < count:
            n = len(plans)
            plan = make_plan(editor, f"{n}/KH", f"Integration plan {n}", document=source)
            add_to(plan, 1)
            plans.append(plan)

    to.plans = plans
    to.add_to = add_to
    return to


def _fetch(client, url, query=()):
    response = client.get(url, dict(query))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, body[:500]
    return body


def _queries(captured) -> str:
    return "\n".join(q["sql"] for q in captured.captured_queries)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.label)
def test_the_lists_and_exports_run_the_same_queries_for_few_and_many(
    client, users, grow, django_assert_max_num_queries, page
):
    client.force_login(users["viewer"])
    url = reverse(page.url, args=page.args)
    grow(2)
    _fetch(client, url, page.query)
    with CaptureQueriesContext(connection) as few:
        _fetch(client, url, page.query)
    grow(8)

    with CaptureQueriesContext(connection) as many:
        _fetch(client, url, page.query)

    assert len(many) == len(few), _queries(many)
    with django_assert_max_num_queries(page.max_queries):
        _fetch(client, url, page.query)


@pytest.mark.parametrize("who", ["viewer", "editor"])
def test_the_plan_page_runs_the_same_queries_for_few_and_many_tasks_and_indicators(
    client, users, grow, django_assert_max_num_queries, who
):
    client.force_login(users[who])
    grow(1)
    plan = grow.plans[0]
    url = plan.get_absolute_url()
    _fetch(client, url)
    with CaptureQueriesContext(connection) as few:
        _fetch(client, url)
    for n in range(2, 8):
        grow.add_to(plan, n)

    with CaptureQueriesContext(connection) as many:
        body = _fetch(client, url)

    assert body.count(b"data-task=") == 7 and body.count(b"data-indicator=") == 49
    assert len(many) == len(few), _queries(many)
    with django_assert_max_num_queries(26):
        _fetch(client, url)


def test_the_task_page_runs_the_same_queries_for_few_and_many_links(client, users, tenants, grow):
    editor = users["editor"]
    client.force_login(editor)
    grow(1)
    task = grow.plans[0].tasks.get()
    url = task.get_absolute_url()
    search = (("kind", "mobility.mobility"), ("q", "student"))
    _fetch(client, url, search)
    with CaptureQueriesContext(connection) as few:
        _fetch(client, url, search)
    partner = organization(editor, "Osaka University", "JP")
    for n in range(8):
        services.task_link_add(
            acting_user=editor, task=task, record=training_course(editor, f"More course {n}", D(2025, 6, 1), trainees=1)
        )
        services.task_link_add(
            acting_user=editor, task=task, record=make_mobility(editor, partner, D(2025, 9, 1), name=f"More {n}")
        )
        make_mobility(editor, partner, D(2025, 10, 1), name=f"Unlinked student {n}")

    with CaptureQueriesContext(connection) as many:
        body = _fetch(client, url, search)

    assert body.count(b"data-link=") == 20
    assert body.count(b"data-candidate=") == 8
    assert len(many) == len(few), _queries(many)
