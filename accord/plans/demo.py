"""The demo plan: Plan No. 850/KH-SGDĐT of the Quảng Ninh Department of Education and Training.

On top of the partners, agreements, engagements, funding and mobility demos (load those first),
from the Báo Quảng Ninh report in ``../shared/seeds/`` (000–002): this year (2025, the year of
the other demos) the department issued Plan No. 850/KH-SGDĐT on the international integration
of the education sector, and the sector carries it out through the solutions the report lists.
Each solution is a task; the demo records of the other stories that show a task being carried
out are linked to it (the Guangxi conference, memorandum and AI trainees to the bilateral
relations; the training courses to the training task; Ha Long University's EU and German
projects and Quang Ninh University of Industry's memorandum, delegation and students with
Liaoning Technical University to applied research and advanced technology).

The report gives no date of issue, deadline, progress, responsible unit or target: the
period is the calendar year, each deadline is the period's end, and the statuses, progress,
responsible organisations and targets are illustrative (the plan's objectives and each task's
description say so). The one figure entered by hand, the five provinces and cities in the
exchange with Guangxi, is the report's, cited. The computed figures are whatever the demo
records give by each indicator's rule.

Everything is written through the plans services as the ``admin`` superuser. A second run
finds the plan by owner and number, a task by plan and title, an indicator by plan and name
and a link by task and record, and creates nothing. The texts below are record content
written for the demo (the article's text is not copied), not interface strings.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, TextIO

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _

from accord.agreements.demo import GUANGXI_REFERENCE, QUI_LNTU_2025_REFERENCE, _Organizations
from accord.agreements.models import Agreement
from accord.engagements.demo import GUANGXI_CONFERENCE, QUI_DELEGATION, TRAINING_COURSES
from accord.engagements.models import Engagement
from accord.funding.demo import cite_once, demo_source
from accord.funding.models import Project
from accord.mobility.models import Category, Direction, Mobility
from accord.partners.demo import DemoError
from accord.plans import services
from accord.plans.models import Indicator, IndicatorRule, Plan, Task, TaskLink, TaskStatus

D = datetime.date
PLAN_NUMBER = "850/KH-SGDĐT"
YEAR = 2025
SOURCE_KEY = "qn-en"
_ILLUSTRATIVE = (
    "The report gives no deadline, responsible unit or progress for this solution: the deadline is the end of the "
    "plan's period, and the responsible organisations, status and progress are illustrative demo values."
)

PLAN: dict[str, Any] = {
    "owner": "qn-doet",
    "number": PLAN_NUMBER,
    "title": "Plan on the international integration of the education sector",
    "starts_on": D(YEAR, 1, 1),
    "ends_on": D(YEAR, 12, 31),
    "objectives": (
        "Make the Party members, civil servants and public employees of Quảng Ninh's education sector aware of the "
        "Party's goals, viewpoints and guidelines and of the State's policies and laws on international integration "
        "and on building friendly relations, and carry out the solutions listed below.\n"
        "The report dates the plan to this year (2025) without giving the day of issue or the period: the calendar "
        "year is recorded. The targets of the indicators are illustrative demo figures; the report gives none."
    ),
    "citation": "Reports Plan No. 850/KH-SGDĐT, its purpose and the solutions the sector adopted to carry it out.",
}

# (key, title, responsible keys, status, progress, description)
TASKS: list[dict[str, Any]] = [
    {
        "key": "directives",
        "title": "Disseminate and carry out the central and provincial directives on international integration",
        "responsible": ["qn-doet"],
        "status": TaskStatus.DONE,
        "progress": 100,
    },
    {
        "key": "research",
        "title": (
            "Promote applied research and access to scientific inventions and advanced technology for management, "
            "teaching and learning"
        ),
        "responsible": ["hlu", "qui"],
        "status": TaskStatus.IN_PROGRESS,
        "progress": 60,
    },
    {
        "key": "bilateral",
        "title": (
            "Maintain and expand bilateral relations at provincial level with other provinces and territories, such "
            "as the Guangxi Zhuang Autonomous Region (China)"
        ),
        "responsible": ["qn-doet"],
        "status": TaskStatus.IN_PROGRESS,
        "progress": 70,
    },
    {
        "key": "investment",
        "title": "Advise, with the related sectors, on mechanisms that attract investment in training",
        "responsible": ["qn-doet"],
        "status": TaskStatus.NOT_STARTED,
        "progress": 0,
    },
    {
        "key": "training",
        "title": (
            "Training courses on international integration for civil servants and public employees: expertise, "
            "foreign languages and the ability to serve integration"
        ),
        "responsible": ["qn-doet", "hlu", "qui"],
        "status": TaskStatus.IN_PROGRESS,
        "progress": 40,
    },
]

# What shows each task being carried out: ("engagement", owner, title), ("agreement", owner,
# reference), ("project", owner, acronym), ("mobilities", description) with a note.
LINKS: dict[str, list[tuple]] = {
    "research": [
        ("project", "hlu", "VIETMUS", "EU-funded: new knowledge and methods for lecturers, staff and students."),
        ("project", "hlu", "REVFIN", "German-funded: technology against waste fishing gear at sea."),
        (
            "agreement",
            "qui",
            QUI_LNTU_2025_REFERENCE,
            "Technology transfer, online courses on AI, energy and electric vehicles, joint conferences.",
        ),
        ("engagement", "qui", QUI_DELEGATION["title"], "The visit where the memorandum was signed."),
        ("mobilities", "qui-lntu-students", "Students in the exchanges and joint training with LNTU."),
    ],
    "bilateral": [
        ("engagement", "qn-doet", GUANGXI_CONFERENCE["title"], "The 2025 exchange conference with Guangxi."),
        ("agreement", "qn-doet", GUANGXI_REFERENCE, "The memorandum on educational exchange signed there."),
        ("mobilities", "ai-trainees", "Trainees under Guangxi's AI quotas for the province."),
    ],
    "training": [
        ("engagement", "qn-doet", TRAINING_COURSES["title"], "The courses the plan calls for."),
    ],
}

INDICATORS: list[dict[str, Any]] = [
    {
        "name": "People trained on international integration",
        "unit": "people",
        "target": 200,
        "rule": IndicatorRule.PEOPLE_TRAINED,
        "task": "training",
    },
    {
        "name": "Engagements with other provinces and territories",
        "unit": "engagements",
        "target": 2,
        "rule": IndicatorRule.ENGAGEMENTS_LINKED,
        "task": "bilateral",
    },
    {
        "name": "Cooperation agreements signed in the year",
        "unit": "agreements",
        "target": 3,
        "rule": IndicatorRule.AGREEMENTS_SIGNED,
    },
    {
        "name": "Students sent abroad in the year",
        "unit": "students",
        "target": 10,
        "rule": IndicatorRule.OUTGOING_STUDENTS,
    },
    {
        "name": "Foreign students, lecturers and volunteers received in the year",
        "unit": "people",
        "target": 5,
        "rule": IndicatorRule.INCOMING_PEOPLE,
    },
    {
        "name": "International research projects running",
        "unit": "projects",
        "target": 4,
        "rule": IndicatorRule.PROJECTS_RUNNING,
    },
    {
        "name": "Vietnamese provinces and cities in the educational exchange with Guangxi",
        "unit": "provinces and cities",
        "target": 5,
        "rule": IndicatorRule.MANUAL,
        "actual_entered": 5,
        "evidence": (
            "The report names the five provinces and cities at the 2025 exchange conference with Guangxi: Quảng Ninh, "
            "Lạng Sơn, Cao Bằng, Tuyên Quang and Hải Phòng."
        ),
        "evidence_source": True,
    },
]

COUNTERS = ("plans", "tasks", "links", "indicators", "citations")


def load_demo_plans(*, acting_user, stdout: TextIO | None) -> dict[str, int]:
    """Create whatever part of the demo plan is missing, in one transaction; return what was created.

    Raises ``DemoError`` when the demo organisations, sources or records are missing.
    """
    created = dict.fromkeys(COUNTERS, 0)
    with transaction.atomic():
        loader = _Loader(acting_user, created)
        plan = loader.plan()
        tasks = {spec["key"]: loader.task(plan, position, spec) for position, spec in enumerate(TASKS, start=1)}
        for key, links in LINKS.items():
            for spec in links:
                for record in loader.records(spec):
                    loader.link(tasks[key], record, spec[-1])
        for position, spec in enumerate(INDICATORS, start=1):
            loader.indicator(plan, tasks, position, spec)
    _report(stdout, created)
    return created


def demo_plan() -> Plan:
    """The demo Plan No. 850/KH-SGDĐT (for the dashboard and report demos and the tests)."""
    plan = Plan.objects.filter(owner=_Organizations()[PLAN["owner"]], number=PLAN_NUMBER).first()
    if plan is None:
        raise DemoError(_("The demo plan is missing; load the demo plans first."))
    return plan


class _Loader:
    def __init__(self, user, created: dict[str, int]) -> None:
        self.user = user
        self.created = created
        self.orgs = _Organizations()
        self.source = demo_source(SOURCE_KEY)

    def plan(self) -> Plan:
        owner = self.orgs[PLAN["owner"]]
        plan = Plan.objects.filter(owner=owner, number=PLAN["number"]).first()
        if plan is None:
            data = {field: PLAN[field] for field in ("number", "title", "starts_on", "ends_on", "objectives")}
            data.update(owner=owner, document=self.source)
            plan = services.plan_create(acting_user=self.user, data=data)
            self.created["plans"] += 1
        if cite_once(self.user, plan, self.source, PLAN["citation"]):
            self.created["citations"] += 1
        return plan

    def task(self, plan: Plan, position: int, spec: dict[str, Any]) -> Task:
        task = Task.objects.filter(plan=plan, title=spec["title"]).first()
        if task is None:
            task = services.task_create(
                acting_user=self.user,
                plan=plan,
                data={
                    "position": position,
                    "title": spec["title"],
                    "description": _ILLUSTRATIVE,
                    "deadline": plan.ends_on,
                    "status": spec["status"],
                    "progress": spec["progress"],
                },
                responsible=[self.orgs[key] for key in spec["responsible"]],
            )
            self.created["tasks"] += 1
        return task

    def records(self, spec: tuple) -> list:
        kind = spec[0]
        if kind == "engagement":
            found = list(Engagement.objects.filter(owner=self.orgs[spec[1]], title=spec[2]).order_by("pk")[:1])
        elif kind == "agreement":
            found = list(Agreement.objects.filter(owner=self.orgs[spec[1]], reference=spec[2]).order_by("pk")[:1])
        elif kind == "project":
            found = list(Project.objects.filter(owner=self.orgs[spec[1]], acronym=spec[2]).order_by("pk")[:1])
        elif spec[1] == "qui-lntu-students":
            found = list(
                Mobility.objects.filter(
                    owner=self.orgs["qui"],
                    category=Category.STUDENT,
                    agreement__owner=self.orgs["qui"],
                    agreement__reference=QUI_LNTU_2025_REFERENCE,
                ).order_by("planned_start", "pk")
            )
        else:  # the AI trainees under the Guangxi quotas
            found = list(
                Mobility.objects.filter(
                    owner__in=[self.orgs["hlu"], self.orgs["qui"]],
                    direction=Direction.OUTGOING,
                    category=Category.TRAINEE,
                    host_organization=self.orgs["guangxi-education"],
                ).order_by("planned_start", "pk")
            )
        if not found:
            raise DemoError(
                _("The demo record “%(record)s” is missing; load the other demos first.") % {"record": spec[2]}
            )
        return found

    def link(self, task: Task, record, note: str) -> None:
        content_type = ContentType.objects.get_for_model(type(record))
        if TaskLink.objects.filter(task=task, content_type=content_type, object_id=record.pk).exists():
            return
        services.task_link_add(acting_user=self.user, task=task, record=record, note=note)
        self.created["links"] += 1

    def indicator(self, plan: Plan, tasks: dict[str, Task], position: int, spec: dict[str, Any]) -> Indicator:
        indicator = Indicator.objects.filter(plan=plan, name=spec["name"]).first()
        if indicator is None:
            data = {
                "position": position,
                "name": spec["name"],
                "unit": spec["unit"],
                "target": Decimal(spec["target"]),
                "rule": spec["rule"],
                "task": tasks[spec["task"]] if spec.get("task") else None,
            }
            if spec["rule"] == IndicatorRule.MANUAL:
                data.update(
                    actual_entered=Decimal(spec["actual_entered"]),
                    evidence=spec["evidence"],
                    evidence_source=self.source if spec.get("evidence_source") else None,
                )
            indicator = services.indicator_create(acting_user=self.user, plan=plan, data=data)
            self.created["indicators"] += 1
        return indicator


def _report(stdout: TextIO | None, created: dict[str, int]) -> None:
    if stdout is None:
        return
    if not any(created.values()):
        stdout.write(_("The demo plan is already loaded; nothing was changed.") + "\n")
        return
    stdout.write(
        _(
            "Loaded the demo plan: %(plans)s plans, %(tasks)s tasks, %(links)s linked records, %(indicators)s "
            "indicators and %(citations)s citations created."
        )
        % created
        + "\n"
    )
