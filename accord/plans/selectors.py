"""Reads of plans: tasks with their links, indicators with their actuals computed by rule."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet

from accord.core.tenancy import VIEW, home_tree
from accord.plans.models import Indicator, IndicatorRule, Plan, Task, TaskLink, TaskStatus


def plan_list(*, user, action: str = VIEW) -> QuerySet[Plan]:
    return Plan.objects.restrict(user, action).select_related("owner", "document")


def task_list(*, user, action: str = VIEW) -> QuerySet[Task]:
    return Task.objects.restrict(user, action).select_related("plan", "plan__owner").prefetch_related("responsible")


def indicator_list(*, user, action: str = VIEW) -> QuerySet[Indicator]:
    return Indicator.objects.restrict(user, action).select_related("plan", "plan__owner", "task", "evidence_source")


def descendants(org_id: int, children: dict | None = None) -> set[int]:
    """The home organisation and every home organisation below it."""
    children = children if children is not None else home_tree()
    found, stack = {org_id}, [org_id]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


@dataclass
class Actual:
    value: Decimal | None
    computed: bool

    def percent_of(self, target: Decimal) -> int | None:
        if self.value is None:
            return None
        if not target:
            return 100
        return min(100, int(self.value * 100 / target))


def _content_type_ids() -> dict[str, int]:
    from accord.agreements.models import Agreement
    from accord.engagements.models import Engagement
    from accord.funding.models import Project
    from accord.mobility.models import Mobility

    found = ContentType.objects.get_for_models(Engagement, Agreement, Mobility, Project)
    return {model._meta.label_lower: ct.pk for model, ct in found.items()}


def actuals(indicators) -> dict[int, Actual]:
    """The actual of each indicator, by its rule, in a fixed number of queries whatever the count.

    Period rules count the records of the plan's owner and the home organisations below it
    within the plan's period; task rules count the records linked to the indicator's task.
    """
    from accord.agreements.models import Agreement
    from accord.engagements.models import Engagement, EngagementKind
    from accord.funding.models import Project, ProjectStatus
    from accord.mobility.models import Category, Direction, Mobility, MobilityStatus

    indicators = list(indicators)
    result: dict[int, Actual] = {}
    computed = [i for i in indicators if i.rule != IndicatorRule.MANUAL]
    for indicator in indicators:
        if indicator.rule == IndicatorRule.MANUAL:
            result[indicator.pk] = Actual(indicator.actual_entered, False)
    if not computed:
        return result
    # Records linked to the tasks.
    task_ids = {i.task_id for i in computed if i.task_id}
    engagement_ct = _content_type_ids()["engagements.engagement"]
    linked: dict[int, list[int]] = defaultdict(list)
    for task_id, object_id in TaskLink.objects.filter(task_id__in=task_ids, content_type_id=engagement_ct).values_list(
        "task_id", "object_id"
    ):
        linked[task_id].append(object_id)
    engagement_ids = {pk for ids in linked.values() for pk in ids}
    trained: dict[int, int] = {}
    held: set[int] = set()
    for pk, kind, trainees, headcount in (
        Engagement.objects.filter(pk__in=engagement_ids, cancelled=False)
        .annotate(n=Count("participants", filter=Q(participants__role="trainee")))
        .values_list("pk", "kind", "n", "headcount")
    ):
        held.add(pk)
        if kind == EngagementKind.TRAINING_COURSE:
            trained[pk] = trainees or headcount or 0
    # Period rules, per plan.
    children = home_tree()
    plans = {i.plan_id: i.plan for i in computed}
    per_plan: dict[tuple[int, str], Decimal] = {}
    needed = {(i.plan_id, i.rule) for i in computed if i.rule not in IndicatorRule.needing_task()}
    for plan_id, rule in needed:
        plan = plans[plan_id]
        owners = descendants(plan.owner_id, children)
        start, end = plan.starts_on, plan.ends_on
        if rule == IndicatorRule.AGREEMENTS_SIGNED:
            n = Agreement.objects.filter(owner_id__in=owners, signed_on__range=(start, end)).count()
        elif rule == IndicatorRule.OUTGOING_STUDENTS:
            n = (
                Mobility.objects.filter(
                    owner_id__in=owners,
                    direction=Direction.OUTGOING,
                    category=Category.STUDENT,
                    planned_start__range=(start, end),
                )
                .exclude(status=MobilityStatus.CANCELLED)
                .count()
            )
        elif rule == IndicatorRule.INCOMING_PEOPLE:
            n = (
                Mobility.objects.filter(
                    owner_id__in=owners, direction=Direction.INCOMING, planned_start__range=(start, end)
                )
                .exclude(status=MobilityStatus.CANCELLED)
                .count()
            )
        else:  # projects running
            n = (
                Project.objects.filter(owner_id__in=owners)
                .filter(Q(starts_on__isnull=True) | Q(starts_on__lte=end))
                .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
                .filter(status__in=[ProjectStatus.RUNNING, ProjectStatus.COMPLETED])
                .count()
            )
        per_plan[(plan_id, rule)] = Decimal(n)
    for indicator in computed:
        if indicator.rule == IndicatorRule.PEOPLE_TRAINED:
            value = Decimal(sum(trained.get(pk, 0) for pk in linked.get(indicator.task_id, ())))
        elif indicator.rule == IndicatorRule.ENGAGEMENTS_LINKED:
            value = Decimal(sum(1 for pk in linked.get(indicator.task_id, ()) if pk in held))
        else:
            value = per_plan[(indicator.plan_id, indicator.rule)]
        result[indicator.pk] = Actual(value, True)
    return result


@dataclass
class Progress:
    tasks: int
    done: int
    overdue: int
    mean_progress: int


def plan_progress(plan: Plan, tasks=None, today=None) -> Progress:
    from django.utils import timezone

    today = today or timezone.localdate()
    tasks = list(tasks if tasks is not None else plan.tasks.all())
    live = [t for t in tasks if t.status != TaskStatus.CANCELLED]
    done = sum(1 for t in live if t.status == TaskStatus.DONE)
    overdue = sum(1 for t in live if t.status != TaskStatus.DONE and t.deadline and t.deadline < today)
    mean = int(sum(t.progress for t in live) / len(live)) if live else 0
    return Progress(len(live), done, overdue, mean)


def linked_records(task: Task, user) -> list:
    """The records linked to ``task`` that ``user`` may see, each with its link (one query per kind)."""
    by_type: dict[int, dict[int, TaskLink]] = defaultdict(dict)
    for link in task.links.select_related("content_type").all():
        by_type[link.content_type_id][link.object_id] = link
    out = []
    for content_type_id, links in by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        for record in model.objects.restrict(user, VIEW).filter(pk__in=list(links)):
            out.append((links[record.pk], record))
    out.sort(key=lambda pair: pair[0].pk)
    return out
