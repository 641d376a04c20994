"""The actual of each computed indicator equals a count made by hand from the records the test creates.

The records are described as data (who keeps them, when, which kind, whether cancelled); the
expected figures are counted over those descriptions in this file, never by calling the code
that computes the actuals. The plan of Quảng Ninh DoET counts its own records and those of the
universities under it; Ha Long University's plan counts its own only; Hải Phòng's records count
for neither.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accord.agreements.tests.test_views import make_agreement
from accord.engagements.tests.test_views import make_engagement, organization
from accord.funding.tests.test_views import make_project
from accord.mobility import services as mobility_services
from accord.plans import services
from accord.plans.tests.test_views import make_indicator, make_mobility, make_plan, make_task, training_course

D = datetime.date
START, END = D(2025, 1, 1), D(2025, 12, 31)

# (owner key, title, kind, trainees, headcount, cancelled, linked to the training task)
ENGAGEMENTS = [
    ("qn", "Course on integration I", "training_course", 4, None, False, True),
    ("qn", "Course on integration II", "training_course", 0, 25, False, True),
    ("hlu", "Course at Ha Long University", "training_course", 2, 30, False, True),
    ("qn", "Cancelled course", "training_course", 5, None, True, True),
    ("qn", "Delegation from Guangxi", "incoming_delegation", 0, None, False, True),
    ("qn", "Course not linked", "training_course", 7, None, False, False),
]
# (owner key, signed on or None)
AGREEMENTS = [
    ("qn", D(2025, 7, 1)),
    ("hlu", D(2025, 3, 15)),
    ("qui", D(2025, 11, 3)),
    ("qui", D(2024, 12, 31)),
    ("qn", None),
    ("hp", D(2025, 5, 27)),
]
# (owner key, direction, category, planned start, cancelled)
MOBILITIES = [
    ("qn", "outgoing", "student", D(2025, 2, 1), False),
    ("hlu", "outgoing", "student", D(2025, 9, 1), False),
    ("hlu", "outgoing", "student", D(2025, 10, 1), True),
    ("qui", "outgoing", "student", D(2026, 1, 5), False),
    ("qui", "outgoing", "staff", D(2025, 6, 1), False),
    ("hlu", "incoming", "student", D(2025, 9, 5), False),
    ("hlu", "incoming", "volunteer", D(2025, 9, 1), False),
    ("qui", "incoming", "student", D(2024, 9, 1), False),
    ("hp", "outgoing", "student", D(2025, 3, 1), False),
    ("hp", "incoming", "student", D(2025, 3, 1), False),
]
# (owner key, status, starts on, ends on)
PROJECTS = [
    ("hlu", "running", D(2024, 1, 1), D(2026, 12, 31)),
    ("hlu", "completed", None, None),
    ("qn", "running", D(2025, 6, 1), None),
    ("qn", "proposed", D(2025, 1, 1), D(2025, 12, 31)),
    ("qui", "completed", D(2022, 1, 1), D(2024, 12, 31)),
    ("qui", "running", D(2026, 1, 1), D(2027, 12, 31)),
    ("hp", "running", D(2025, 1, 1), D(2025, 12, 31)),
]
RULES = [
    "people_trained",
    "engagements_linked",
    "agreements_signed",
    "outgoing_students",
    "incoming_people",
    "projects_running",
]


def _in_period(day, start=START, end=END) -> bool:
    return day is not None and start <= day <= end


def expected(owners: set[str]) -> dict[str, int]:
    """The figures counted by hand over the descriptions above, for a plan of ``owners``."""
    linked = [e for e in ENGAGEMENTS if e[6]]
    return {
        # Trainees recorded, or else the headcount; cancelled courses and other kinds count nothing.
        "people_trained": sum((e[3] or e[4] or 0) for e in linked if e[2] == "training_course" and not e[5]),
        "engagements_linked": sum(1 for e in linked if not e[5]),
        "agreements_signed": sum(1 for owner, day in AGREEMENTS if owner in owners and _in_period(day)),
        "outgoing_students": sum(
            1
            for owner, direction, category, day, cancelled in MOBILITIES
            if owner in owners
            and direction == "outgoing"
            and category == "student"
            and _in_period(day)
            and not cancelled
        ),
        "incoming_people": sum(
            1
            for owner, direction, _category, day, cancelled in MOBILITIES
            if owner in owners and direction == "incoming" and _in_period(day) and not cancelled
        ),
        "projects_running": sum(
            1
            for owner, status, starts, ends in PROJECTS
            if owner in owners
            and status in ("running", "completed")
            and (starts is None or starts <= END)
            and (ends is None or ends >= START)
        ),
    }


@pytest.fixture
def world(users, tenants):
    writer = {"qn": users["editor"], "hlu": users["unit"], "qui": users["admin"], "hp": users["other"]}
    partner = organization(users["editor"], "Guangxi Education Department", "CN", kind="government_body")
    plans = {"qn": make_plan(users["editor"]), "hlu": make_plan(users["unit"], "12/KH-ĐHHL", "University plan")}
    tasks = {key: make_task(writer[key], plan, "Training and exchanges") for key, plan in plans.items()}
    for owner, title, kind, trainees, headcount, cancelled, linked in ENGAGEMENTS:
        if kind == "training_course":
            record = training_course(
                writer[owner], title, D(2025, 5, 1), trainees=trainees, headcount=headcount, owner=tenants[owner]
            )
        else:
            record = make_engagement(writer[owner], title, D(2025, 5, 1), owner=tenants[owner])
        if cancelled:
            from accord.engagements import services as engagement_services

            record = engagement_services.engagement_update(
                engagement=record, acting_user=writer[owner], data={"cancelled": True}
            )
        if linked:
            services.task_link_add(acting_user=users["editor"], task=tasks["qn"], record=record)
    for n, (owner, signed_on) in enumerate(AGREEMENTS):
        make_agreement(
            writer[owner], f"Memorandum {n}", [tenants[owner], partner], signed_on=signed_on, owner=tenants[owner]
        )
    for n, (owner, direction, category, start, cancelled) in enumerate(MOBILITIES):
        stay = make_mobility(
            writer[owner],
            partner,
            start,
            direction=direction,
            category=category,
            name=f"Person {n}",
            owner=tenants[owner],
        )
        if cancelled:
            mobility_services.mobility_cancel(mobility=stay, acting_user=writer[owner], reason="Visa refused")
    for n, (owner, status, starts, ends) in enumerate(PROJECTS):
        make_project(
            writer[owner], f"P{n}", f"Project {n}", status=status, starts_on=starts, ends_on=ends, owner=tenants[owner]
        )
    indicators = {}
    for key, plan in plans.items():
        for rule in RULES:
            task = tasks[key] if rule in ("people_trained", "engagements_linked") else None
            indicators[(key, rule)] = make_indicator(writer[key], plan, rule, rule=rule, target=10, task=task)
    from accord.agreements.models import Agreement
    from accord.mobility.models import Mobility

    # The records are kept by the organisations the descriptions name.
    assert sorted(Agreement.objects.values_list("owner__name", flat=True)) == sorted(
        tenants[owner].name for owner, _day in AGREEMENTS
    )
    assert sorted(Mobility.objects.values_list("owner__name", flat=True)) == sorted(
        tenants[m[0]].name for m in MOBILITIES
    )
    return {"plans": plans, "indicators": indicators}


def test_the_department_plan_counts_its_records_and_those_of_the_universities_below(users, world):
    client = APIClient()
    client.force_login(users["viewer"])
    want = expected({"qn", "hlu", "qui"})

    response = client.get("/api/v1/plan-indicators/", {"plan": world["plans"]["qn"].pk, "page_size": 50})

    got = {row["name"]: Decimal(row["actual"]) for row in response.json()["results"]}
    assert got == {rule: Decimal(want[rule]) for rule in RULES}
    assert all(value > 0 for value in want.values()), want  # every rule is exercised


def test_the_university_plan_counts_only_its_own_records(users, world):
    client = APIClient()
    client.force_login(users["unit"])
    want = expected({"hlu"})
    # The university's task has nothing linked.
    want["people_trained"] = want["engagements_linked"] = 0

    response = client.get("/api/v1/plan-indicators/")

    got = {row["name"]: Decimal(row["actual"]) for row in response.json()["results"]}
    assert got == {rule: Decimal(want[rule]) for rule in RULES}


def test_the_plan_page_shows_the_same_figures_and_percentages(client, users, world):
    client.force_login(users["manager"])
    want = expected({"qn", "hlu", "qui"})

    html = client.get(reverse("plans:plan_detail", args=[world["plans"]["qn"].pk])).content.decode()

    for rule in RULES:
        indicator = world["indicators"][("qn", rule)]
        row = html[html.index(f'data-indicator="{indicator.pk}"') :]
        row = row[: row.index("</tr>")]
        assert f'actual">{want[rule]}<' in row, (rule, row)
        assert f"{min(100, want[rule] * 100 // 10)} %" in row
