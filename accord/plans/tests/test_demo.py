"""The demo plan No. 850/KH-SGDĐT: loaded once, its tasks linked to the demo records, its computed
indicators equal to counts made here over the demo data; a second run changes nothing."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accord.accounts.models import User
from accord.agreements.demo import load_demo_agreements
from accord.agreements.models import Agreement
from accord.engagements.demo import load_demo_engagements
from accord.engagements.models import Engagement
from accord.funding.demo import load_demo_funding
from accord.funding.models import Project
from accord.mobility.demo import load_demo_mobility
from accord.mobility.models import Mobility
from accord.partners.demo import DemoError, load_demo
from accord.partners.models import Organization
from accord.plans.demo import PLAN_NUMBER, demo_plan, load_demo_plans
from accord.plans.models import IndicatorRule, TaskLink

pytestmark = pytest.mark.django_db

QN = "Sở Giáo dục và Đào tạo Quảng Ninh"
HLU = "Trường Đại học Hạ Long"
QUI = "Trường Đại học Công nghiệp Quảng Ninh"


def _load() -> str:
    load_demo(stdout=None)
    admin = User.objects.get(username="admin")
    load_demo_agreements(acting_user=admin, stdout=None)
    load_demo_engagements(acting_user=admin, stdout=None)
    load_demo_funding(acting_user=admin, stdout=None)
    load_demo_mobility(acting_user=admin, stdout=None)
    out = io.StringIO()
    load_demo_plans(acting_user=admin, stdout=out)
    return out.getvalue()


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@pytest.fixture
def loaded():
    _load()
    return demo_plan()


def test_loading_twice_creates_nothing_the_second_time():
    first = _load()
    counts = _row_counts()

    second = _load()

    assert _row_counts() == counts
    assert "1 plans, 5 tasks" in first and "7 indicators and 1 citations created" in first
    assert "already loaded; nothing was changed" in second


def test_the_plan_needs_the_other_demos_first(users):
    with pytest.raises(DemoError):
        load_demo_plans(acting_user=users["admin"], stdout=None)


def test_the_plan_is_the_departments_for_2025_with_its_source(loaded):
    plan = loaded

    assert plan.number == PLAN_NUMBER == "850/KH-SGDĐT"
    assert plan.owner.name == QN
    assert (plan.starts_on.isoformat(), plan.ends_on.isoformat()) == ("2025-01-01", "2025-12-31")
    assert plan.document.publisher == "Báo Quảng Ninh"
    assert plan.citations.get().source == plan.document
    tasks = list(plan.tasks.order_by("position"))
    assert len(tasks) == 5
    assert [t.position for t in tasks] == [1, 2, 3, 4, 5]
    responsible = {name for t in tasks for name in t.responsible.values_list("name", flat=True)}
    assert responsible == {QN, HLU, QUI}
    assert any("Guangxi" in t.title for t in tasks)
    assert any("investment in training" in t.title for t in tasks)


def _linked(task, model) -> set[int]:
    content_type = ContentType.objects.get_for_model(model)
    return set(TaskLink.objects.filter(task=task, content_type=content_type).values_list("object_id", flat=True))


def test_the_tasks_are_linked_to_the_demo_records(loaded):
    tasks = {t.position: t for t in loaded.tasks.all()}
    research, bilateral, training = tasks[2], tasks[3], tasks[5]
    guangxi = Organization.objects.get(name="Education Department of Guangxi Zhuang Autonomous Region")

    assert _linked(bilateral, Agreement) == set(
        Agreement.objects.filter(reference="DEMO-GX-2025").values_list("pk", flat=True)
    )
    assert _linked(bilateral, Engagement) == set(
        Engagement.objects.filter(kind="conference", organizations__organization=guangxi).values_list("pk", flat=True)
    )
    assert _linked(bilateral, Mobility) == set(
        Mobility.objects.filter(category="trainee", host_organization=guangxi).values_list("pk", flat=True)
    )
    assert _linked(training, Engagement) == set(
        Engagement.objects.filter(kind="training_course").values_list("pk", flat=True)
    )
    assert {p.acronym for p in Project.objects.filter(pk__in=_linked(research, Project))} == {"VIETMUS", "REVFIN"}
    assert _linked(research, Agreement) == set(
        Agreement.objects.filter(reference="DEMO-QUI-LNTU-2025").values_list("pk", flat=True)
    )
    qui_lntu = Mobility.objects.filter(agreement__reference="DEMO-QUI-LNTU-2025", category="student")
    assert _linked(research, Mobility) == set(qui_lntu.values_list("pk", flat=True)) and qui_lntu.exists()


def _independent_counts(plan) -> dict[str, int]:
    """The demo figures counted here, over the rows, without the code that computes the actuals."""
    homes = {QN, HLU, QUI}
    start, end = plan.starts_on, plan.ends_on
    tasks = {t.position: t for t in plan.tasks.all()}
    training_links = _linked(tasks[5], Engagement)
    bilateral_links = _linked(tasks[3], Engagement)
    trained = 0
    for engagement in Engagement.objects.filter(pk__in=training_links):
        if engagement.cancelled or engagement.kind != "training_course":
            continue
        trainees = engagement.participants.filter(role="trainee").count()
        trained += trainees or engagement.headcount or 0
    mobilities = [m for m in Mobility.objects.select_related("owner") if m.owner.name in homes]
    projects = [p for p in Project.objects.select_related("owner") if p.owner.name in homes]
    return {
        IndicatorRule.PEOPLE_TRAINED: trained,
        IndicatorRule.ENGAGEMENTS_LINKED: Engagement.objects.filter(pk__in=bilateral_links, cancelled=False).count(),
        IndicatorRule.AGREEMENTS_SIGNED: sum(
            1
            for a in Agreement.objects.select_related("owner")
            if a.owner.name in homes and a.signed_on and start <= a.signed_on <= end
        ),
        IndicatorRule.OUTGOING_STUDENTS: sum(
            1
            for m in mobilities
            if m.direction == "outgoing"
            and m.category == "student"
            and m.status != "cancelled"
            and start <= m.planned_start <= end
        ),
        IndicatorRule.INCOMING_PEOPLE: sum(
            1
            for m in mobilities
            if m.direction == "incoming" and m.status != "cancelled" and start <= m.planned_start <= end
        ),
        IndicatorRule.PROJECTS_RUNNING: sum(
            1
            for p in projects
            if p.status in ("running", "completed")
            and (p.starts_on is None or p.starts_on <= end)
            and (p.ends_on is None or p.ends_on >= start)
        ),
    }


def test_the_computed_indicators_equal_an_independent_count_over_the_demo_data(client, loaded):
    expected = _independent_counts(loaded)
    client.force_login(User.objects.get(username="admin"))

    rows = client.get("/api/v1/plan-indicators/", {"plan": loaded.pk}).json()["results"]

    by_rule = {row["rule"]: row for row in rows}
    assert set(by_rule) == {*expected, IndicatorRule.MANUAL}
    for rule, count in expected.items():
        assert float(by_rule[rule]["actual"]) == count, rule
        assert by_rule[rule]["computed"] is True
    # What the demo records show in 2025: the Guangxi and QUI–LNTU memoranda, the volunteer and
    # the student received at Ha Long University, the two EU and German projects, the conference.
    assert expected[IndicatorRule.AGREEMENTS_SIGNED] == 2
    assert expected[IndicatorRule.INCOMING_PEOPLE] == 2
    assert expected[IndicatorRule.PROJECTS_RUNNING] == 2
    assert expected[IndicatorRule.ENGAGEMENTS_LINKED] == 1
    # The report gives no number of trainees, and the demo stays abroad begin in 2026.
    assert expected[IndicatorRule.PEOPLE_TRAINED] == 0
    assert expected[IndicatorRule.OUTGOING_STUDENTS] == 0
    manual = by_rule[IndicatorRule.MANUAL]
    assert (manual["actual"], manual["computed"], manual["percent"]) == ("5.00", False, 100)
    assert manual["evidence_source"] == loaded.document_id


def test_the_demo_plan_page_shows_it_to_the_department_but_not_to_hai_phong_nor_a_university(client, loaded):
    url = reverse("plans:plan_detail", args=[loaded.pk])
    seen = {}
    for username in ("qn-viewer", "hp-manager", "hlu-editor"):
        client.force_login(User.objects.get(username=username))
        response = client.get(url)
        seen[username] = response.status_code
        if response.status_code == 200:
            html = response.content.decode()
            assert "Plan No. 850/KH-SGDĐT" in html
            assert html.count("data-task=") == 5 and html.count("data-indicator=") == 7

    assert seen == {"qn-viewer": 200, "hp-manager": 404, "hlu-editor": 404}
