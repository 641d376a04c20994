"""The filtersets of plans, tasks, indicators and linked records, shared by the pages, the exports and the API."""

from __future__ import annotations

import datetime

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accord.core.filters import WithinFilter
from accord.core.text import fold, tokens
from accord.partners.filters import OptionalMultipleChoiceFilter
from accord.plans.models import Indicator, IndicatorRule, Plan, Task, TaskLink, TaskStatus


def overdue_q(today: datetime.date | None = None) -> Q:
    """Tasks past their deadline that are neither done nor cancelled."""
    today = today or timezone.localdate()
    return Q(deadline__lt=today) & ~Q(status__in=[TaskStatus.DONE, TaskStatus.CANCELLED])


def _plan_year_q(year: int, prefix: str = "") -> Q:
    """Plans whose period touches ``year``."""
    return Q(**{f"{prefix}starts_on__year__lte": year, f"{prefix}ends_on__year__gte": year})


class PlanFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    owner = django_filters.NumberFilter(label=_("Issued by"), field_name="owner_id")
    within = WithinFilter()
    year = django_filters.NumberFilter(label=_("In force in"), method="filter_year")
    active_on = django_filters.DateFilter(label=_("In force on"), method="filter_active_on")
    o = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=(("starts_on", "start"), ("number", "number"), ("title", "title"), ("updated_at", "updated")),
        field_labels={
            "starts_on": _("Period"),
            "number": _("Number"),
            "title": _("Title"),
            "updated_at": _("Last change"),
        },
    )

    class Meta:
        model = Plan
        fields = ["q", "owner", "year", "active_on"]

    def filter_search(self, queryset, name, value):
        for token in tokens(value):
            queryset = queryset.filter(search_text__contains=token)
        return queryset

    def filter_year(self, queryset, name, value):
        return queryset.filter(_plan_year_q(int(value)))

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(starts_on__lte=value, ends_on__gte=value)


class TaskFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    plan = django_filters.NumberFilter(label=_("Plan"), field_name="plan_id")
    status = OptionalMultipleChoiceFilter(label=_("Status"), choices=TaskStatus.choices)
    responsible = django_filters.NumberFilter(label=_("Responsible organisation"), method="filter_responsible")
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue")
    deadline_to = django_filters.DateFilter(label=_("Due by"), field_name="deadline", lookup_expr="lte")
    year = django_filters.NumberFilter(label=_("Plan in force in"), method="filter_year")
    owner = django_filters.NumberFilter(label=_("Plan issued by"), field_name="plan__owner_id")
    within = WithinFilter(field_name="plan__owner_id")
    o = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=(
            ("deadline", "deadline"),
            ("title", "title"),
            ("status", "status"),
            ("progress", "progress"),
            ("updated_at", "updated"),
        ),
        field_labels={
            "deadline": _("Deadline"),
            "title": _("Title"),
            "status": _("Status"),
            "progress": _("Progress"),
            "updated_at": _("Last change"),
        },
    )

    class Meta:
        model = Task
        fields = ["q", "plan", "status", "responsible", "overdue", "deadline_to", "year", "owner"]

    def filter_search(self, queryset, name, value):
        # Tasks keep no folded column: their words are matched as typed, their plan's ignoring accents.
        for word in value.split():
            condition = Q(title__icontains=word) | Q(description__icontains=word)
            folded = fold(word)
            if folded:
                condition |= Q(plan__search_text__contains=folded)
            queryset = queryset.filter(condition)
        return queryset

    def filter_responsible(self, queryset, name, value):
        return queryset.filter(pk__in=Task.responsible.through.objects.filter(organization_id=value).values("task_id"))

    def filter_overdue(self, queryset, name, value: bool):
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())

    def filter_year(self, queryset, name, value):
        return queryset.filter(_plan_year_q(int(value), "plan__"))


class IndicatorFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    plan = django_filters.NumberFilter(label=_("Plan"), field_name="plan_id")
    task = django_filters.NumberFilter(label=_("Task"), field_name="task_id")
    rule = OptionalMultipleChoiceFilter(label=_("How the actual is obtained"), choices=IndicatorRule.choices)
    year = django_filters.NumberFilter(label=_("Plan in force in"), method="filter_year")
    owner = django_filters.NumberFilter(label=_("Plan issued by"), field_name="plan__owner_id")
    within = WithinFilter(field_name="plan__owner_id")

    class Meta:
        model = Indicator
        fields = ["q", "plan", "task", "rule", "year", "owner"]

    def filter_search(self, queryset, name, value):
        for word in value.split():
            condition = Q(name__icontains=word) | Q(unit__icontains=word)
            folded = fold(word)
            if folded:
                condition |= Q(plan__search_text__contains=folded)
            queryset = queryset.filter(condition)
        return queryset

    def filter_year(self, queryset, name, value):
        return queryset.filter(_plan_year_q(int(value), "plan__"))


RECORD_KINDS = [
    ("engagements.engagement", _("Engagement")),
    ("agreements.agreement", _("Agreement")),
    ("mobility.mobility", _("Mobility")),
    ("funding.project", _("Project")),
]


class TaskLinkFilter(django_filters.FilterSet):
    task = django_filters.NumberFilter(label=_("Task"), field_name="task_id")
    plan = django_filters.NumberFilter(label=_("Plan"), field_name="task__plan_id")
    record_type = django_filters.ChoiceFilter(label=_("Kind of record"), choices=RECORD_KINDS, method="filter_type")
    record_id = django_filters.NumberFilter(label=_("Record"), field_name="object_id")

    class Meta:
        model = TaskLink
        fields = ["task", "plan", "record_type", "record_id"]

    def filter_type(self, queryset, name, value):
        app_label, model = value.split(".")
        return queryset.filter(content_type=ContentType.objects.get_by_natural_key(app_label, model))
