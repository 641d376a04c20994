"""Writes to plans, tasks, the records linked to tasks, and indicators."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accord.core import services as core
from accord.core.tenancy import ADD, CHANGE, DELETE, VIEW
from accord.core.text import fold
from accord.partners.models import Organization
from accord.plans.models import Indicator, Plan, Task, TaskLink

PLAN_FIELDS = ["owner", "number", "title", "issued_on", "starts_on", "ends_on", "objectives", "document"]
TASK_FIELDS = ["position", "title", "description", "deadline", "status", "progress"]
INDICATOR_FIELDS = [
    "task",
    "name",
    "unit",
    "target",
    "rule",
    "actual_entered",
    "evidence",
    "evidence_source",
    "position",
]
_TEXT = {"number", "objectives", "description", "unit", "evidence"}


def _pk(value):
    return getattr(value, "pk", value)


def _apply(obj, fields, data: Mapping[str, Any]) -> None:
    for field in fields:
        if field in data:
            value = data[field]
            if value is None and field in _TEXT:
                value = ""
            setattr(obj, field, value)


def _refresh_search(plan: Plan) -> None:
    text = " | ".join(fold(p) for p in [plan.number, plan.title, plan.objectives[:500]] if p)
    Plan.objects.filter(pk=plan.pk).update(search_text=text)
    plan.search_text = text


def _check_document(user, obj, field: str) -> None:
    from accord.sources.models import Source

    core.require_visible(user, Source, [getattr(obj, f"{field}_id")], field)


@transaction.atomic
def plan_create(*, acting_user, data: Mapping[str, Any]) -> Plan:
    core.require(acting_user, ADD)
    plan = Plan()
    _apply(plan, PLAN_FIELDS, data)
    if plan.owner_id is None and getattr(acting_user, "home_organization_id", None):
        plan.owner = acting_user.home_organization
    core.check_owner(acting_user, plan.owner)
    _check_document(acting_user, plan, "document")
    core.save(plan, acting_user)
    _refresh_search(plan)
    return plan


@transaction.atomic
def plan_update(*, plan: Plan, acting_user, data: Mapping[str, Any], expected_updated_at=None) -> Plan:
    core.require_row(acting_user, plan, CHANGE)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    core.check_version(plan, expected_updated_at)
    _apply(plan, PLAN_FIELDS, data)
    if "owner" in data:
        core.check_owner(acting_user, plan.owner)
    if "document" in data:
        _check_document(acting_user, plan, "document")
    core.save(plan, acting_user)
    _refresh_search(plan)
    return plan


@transaction.atomic
def plan_delete(*, plan: Plan, acting_user) -> None:
    core.require_row(acting_user, plan, DELETE)
    for indicator in plan.indicators.all():
        core.delete(indicator, acting_user)
    for task in plan.tasks.all():
        _delete_task(task, acting_user)
    core.delete(plan, acting_user)


def _set_responsible(task: Task, user, responsible: Iterable | None) -> None:
    if responsible is None:
        return
    ids = [_pk(r) for r in responsible]
    core.require_visible(user, Organization, ids, "responsible")
    task.responsible.set(ids)


@transaction.atomic
def task_create(*, acting_user, plan: Plan, data: Mapping[str, Any], responsible: Iterable | None = None) -> Task:
    core.require_row(acting_user, plan, CHANGE, _("You cannot change this plan."))
    task = Task(plan=plan)
    _apply(task, TASK_FIELDS, data)
    core.save(task, acting_user)
    _set_responsible(task, acting_user, responsible)
    return task


@transaction.atomic
def task_update(
    *, task: Task, acting_user, data: Mapping[str, Any], responsible: Iterable | None = None, expected_updated_at=None
) -> Task:
    core.require_row(acting_user, task, CHANGE)
    task = Task.objects.select_for_update().get(pk=task.pk)
    core.check_version(task, expected_updated_at)
    _apply(task, TASK_FIELDS, data)
    core.save(task, acting_user)
    _set_responsible(task, acting_user, responsible)
    return task


def _delete_task(task: Task, user) -> None:
    for link in task.links.all():
        core.delete(link, user)
    for indicator in task.indicators.all():
        core.delete(indicator, user)
    core.delete(task, user)


@transaction.atomic
def task_delete(*, task: Task, acting_user) -> None:
    core.require_row(acting_user, task, DELETE)
    _delete_task(task, acting_user)


@transaction.atomic
def task_link_add(*, acting_user, task: Task, record, note: str = "") -> TaskLink:
    """Link ``record`` (an engagement, agreement, mobility or project the user can see) to ``task``."""
    core.require_row(acting_user, task, CHANGE, _("You cannot change this plan."))
    model = type(record)
    if model._meta.label_lower not in TaskLink.LINKABLE:
        raise ValidationError({"record": [_("Only engagements, agreements, mobilities and projects can be linked.")]})
    if not model.objects.restrict(acting_user, VIEW).filter(pk=record.pk).exists():
        raise ValidationError({"record": [_("Choose a record you can see.")]})
    content_type = ContentType.objects.get_for_model(model)
    if TaskLink.objects.filter(task=task, content_type=content_type, object_id=record.pk).exists():
        raise ValidationError({"record": [_("This record is already linked to the task.")]})
    return core.save(TaskLink(task=task, content_type=content_type, object_id=record.pk, note=note), acting_user)


@transaction.atomic
def task_link_remove(*, link: TaskLink, acting_user) -> None:
    core.require_row(acting_user, link, DELETE)
    core.delete(link, acting_user)


def _check_indicator(user, indicator: Indicator) -> None:
    core.require_visible(user, Task, [indicator.task_id], "task")
    _check_document(user, indicator, "evidence_source")


@transaction.atomic
def indicator_create(*, acting_user, plan: Plan, data: Mapping[str, Any]) -> Indicator:
    core.require_row(acting_user, plan, CHANGE, _("You cannot change this plan."))
    indicator = Indicator(plan=plan)
    _apply(indicator, INDICATOR_FIELDS, data)
    _check_indicator(acting_user, indicator)
    return core.save(indicator, acting_user)


@transaction.atomic
def indicator_update(
    *, indicator: Indicator, acting_user, data: Mapping[str, Any], expected_updated_at=None
) -> Indicator:
    core.require_row(acting_user, indicator, CHANGE)
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    core.check_version(indicator, expected_updated_at)
    _apply(indicator, INDICATOR_FIELDS, data)
    _check_indicator(acting_user, indicator)
    return core.save(indicator, acting_user)


@transaction.atomic
def indicator_delete(*, indicator: Indicator, acting_user) -> None:
    core.require_row(acting_user, indicator, DELETE)
    core.delete(indicator, acting_user)
