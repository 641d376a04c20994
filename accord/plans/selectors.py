"""Reads of plans: tasks with their links, indicators with their actuals computed by rule."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q, QuerySet

from accord.core.tenancy import VIEW, home_tree
from accord.plans.models import Indicator, IndicatorRule, Plan, Task, TaskLink, TaskStatus


def plan_list(*, user, action: str = VIEW) -> QuerySet[Plan]:
    return Plan.objects.restrict(user, action).select_related("owner", "document")


def visible_responsible(user) -> Prefetch:
    """The responsible organisations of tasks, those ``user`` may see only."""
    from accord.partners.models import Organization

    return Prefetch("responsible", queryset=Organization.objects.restrict(user, VIEW).order_by("sort_name"))


def task_list(*, user, action: str = VIEW) -> QuerySet[Task]:
    return (
        Task.objects.restrict(user, action)
        .select_related("plan", "plan__owner")
        .prefetch_related(visible_responsible(user))
    )


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
    """The actual of each indicator, by its rule, in a fixed number of queries whatever the count
    of indicators and plans (at most one per rule, plus the linked records).

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
    # Period rules: one query per rule for all the plans at once, counted per plan here.
    children = home_tree()
    plans = {i.plan_id: i.plan for i in computed}
    owners_of = {plan_id: descendants(plan.owner_id, children) for plan_id, plan in plans.items()}
    per_plan: dict[tuple[int, str], Decimal] = {}
    needed: dict[str, set[int]] = defaultdict(set)
    for indicator in computed:
        if indicator.rule not in IndicatorRule.needing_task():
            needed[indicator.rule].add(indicator.plan_id)
    for rule, plan_ids in needed.items():
        owners = set().union(*(owners_of[p] for p in plan_ids))
        first = min(plans[p].starts_on for p in plan_ids)
        last = max(plans[p].ends_on for p in plan_ids)
        if rule == IndicatorRule.PROJECTS_RUNNING:
            rows = list(
                Project.objects.filter(owner_id__in=owners, status__in=[ProjectStatus.RUNNING, ProjectStatus.COMPLETED])
                .filter(Q(starts_on__isnull=True) | Q(starts_on__lte=last))
                .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first))
                .values_list("owner_id", "starts_on", "ends_on")
            )
            for plan_id in plan_ids:
                plan, mine = plans[plan_id], owners_of[plan_id]
                per_plan[(plan_id, rule)] = Decimal(
                    sum(
                        1
                        for owner_id, starts, ends in rows
                        if owner_id in mine
                        and (starts is None or starts <= plan.ends_on)
                        and (ends is None or ends >= plan.starts_on)
                    )
                )
            continue
        if rule == IndicatorRule.AGREEMENTS_SIGNED:
            rows, day = Agreement.objects.all(), "signed_on"
        elif rule == IndicatorRule.OUTGOING_STUDENTS:
            rows, day = (
                Mobility.objects.filter(direction=Direction.OUTGOING, category=Category.STUDENT).exclude(
                    status=MobilityStatus.CANCELLED
                ),
                "planned_start",
            )
        else:  # incoming people
            rows, day = (
                Mobility.objects.filter(direction=Direction.INCOMING).exclude(status=MobilityStatus.CANCELLED),
                "planned_start",
            )
        # One query for the rule: a count per plan, each over its own owners and period.
        counted = rows.filter(owner_id__in_scope=frozenset(owners), **{f"{day}__range": (first, last)}).aggregate(
            **{
                f"plan_{plan_id}": Count(
                    "pk",
                    filter=Q(
                        owner_id__in_scope=frozenset(owners_of[plan_id]),
                        **{f"{day}__range": (plans[plan_id].starts_on, plans[plan_id].ends_on)},
                    ),
                )
                for plan_id in plan_ids
            }
        )
        for plan_id in plan_ids:
            per_plan[(plan_id, rule)] = Decimal(counted[f"plan_{plan_id}"])
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
    links = list(task.links.all())
    found = records_for_links(links, user)
    out = []
    for link in links:
        record = found.get((link.content_type_id, link.object_id))
        if record is not None:
            out.append((link, record))
    return out


def records_for_links(links, user) -> dict[tuple[int, int], object]:
    """The records behind ``links`` that ``user`` may see, by (content type id, object id).

    One query per kind of record, whatever the number of links; a record the user may not see
    is left out, so its link shows no name.
    """
    ids_by_type: dict[int, set[int]] = defaultdict(set)
    for link in links:
        ids_by_type[link.content_type_id].add(link.object_id)
    found: dict[tuple[int, int], object] = {}
    for content_type_id, ids in ids_by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        queryset = model.objects.restrict(user, VIEW).filter(pk__in=ids)
        if model._meta.label_lower == "mobility.mobility":
            queryset = queryset.select_related("partner")
        for record in queryset:
            found[(content_type_id, record.pk)] = record
    return found


def record_label(user, record) -> str:
    """How a linked record is named to ``user``: a stay by the person's name only when they may see it."""
    label = record._meta.label_lower
    if label == "mobility.mobility":
        from accord.mobility.selectors import display_name

        parts = [display_name(user, record), record.get_direction_display()]
        if record.partner_id:
            parts.append(record.partner.name)
        if record.planned_start:
            parts.append(record.planned_start.isoformat())
        return " · ".join(str(p) for p in parts if p)
    if label == "engagements.engagement":
        return f"{record.title} ({record.starts_on.isoformat()})" if record.starts_on else record.title
    return str(record)
