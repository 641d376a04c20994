"""The filtersets of engagements and follow-up actions, shared by the pages, the exports and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accord.core.filters import WithinFilter
from accord.core.text import fold
from accord.engagements.models import (
    ActionStatus,
    Engagement,
    EngagementKind,
    EngagementOrganization,
    EngagementStatus,
    FollowUpAction,
)
from accord.engagements.selectors import overdue_q
from accord.partners.filters import CountryChoicesMixin, OptionalMultipleChoiceFilter, search_q


def _last_day_from(day) -> Q:
    """Engagements still going on, or starting, on ``day`` or later (the last day is the end, or the start)."""
    return Q(ends_on__gte=day) | Q(ends_on__isnull=True, starts_on__gte=day)


class EngagementFilter(CountryChoicesMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    kind = OptionalMultipleChoiceFilter(label=_("Kind"), choices=EngagementKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=EngagementStatus.choices, method="filter_status")
    date_from = django_filters.DateFilter(label=_("From"), method="filter_date_from")
    date_to = django_filters.DateFilter(label=_("To"), field_name="starts_on", lookup_expr="lte")
    partner = django_filters.NumberFilter(label=_("Partner"), method="filter_partner")
    country = django_filters.ChoiceFilter(label=_("Country"), choices=[], method="filter_country")
    has_open_actions = django_filters.BooleanFilter(label=_("Open actions"), method="filter_open_actions")
    series = django_filters.NumberFilter(label=_("Series"), field_name="series_id")
    owner = django_filters.NumberFilter(label=_("Kept by"), field_name="owner_id")
    within = WithinFilter()
    # ``cancelled=false``: the engagements a dashboard figure counts (those held or planned).
    cancelled = django_filters.BooleanFilter(label=_("Cancelled"), field_name="cancelled")
    o = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=(("starts_on", "date"), ("title", "title"), ("kind", "kind"), ("updated_at", "updated")),
        field_labels={
            "starts_on": _("Date"),
            "title": _("Title"),
            "kind": _("Kind"),
            "updated_at": _("Last change"),
        },
    )

    class Meta:
        model = Engagement
        fields = [
            "q",
            "kind",
            "status",
            "date_from",
            "date_to",
            "partner",
            "country",
            "has_open_actions",
            "series",
            "owner",
        ]

    def filter_search(self, queryset, name, value):
        return queryset.filter(search_q(value))

    def filter_status(self, queryset, name, value):
        today = timezone.localdate()
        if value == EngagementStatus.CANCELLED:
            return queryset.filter(cancelled=True)
        if value == EngagementStatus.HELD:
            held = Q(ends_on__lt=today) | Q(ends_on__isnull=True, starts_on__lt=today)
            return queryset.filter(held, cancelled=False)
        return queryset.filter(_last_day_from(today), cancelled=False)

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(_last_day_from(value))

    def filter_partner(self, queryset, name, value):
        taking_part = EngagementOrganization.objects.filter(organization_id=value).values("engagement_id")
        return queryset.filter(Q(pk__in=taking_part) | Q(host_id=value))

    def filter_country(self, queryset, name, value: str):
        # Where it took place, or the country of an organisation other than the one keeping it:
        # "engagements with Japan" finds the Japanese delegation's visit to Quảng Ninh too.
        partners = (
            EngagementOrganization.objects.filter(organization__country=value)
            .exclude(organization_id=OuterRef("owner_id"))
            .filter(engagement_id=OuterRef("pk"))
        )
        return queryset.filter(Q(country=value) | Q(host__country=value) | Exists(partners))

    def filter_open_actions(self, queryset, name, value: bool):
        open_actions = Exists(FollowUpAction.objects.filter(engagement_id=OuterRef("pk"), status=ActionStatus.OPEN))
        return queryset.filter(open_actions if value else ~open_actions)


class ActionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    status = OptionalMultipleChoiceFilter(label=_("Status"), choices=ActionStatus.choices)
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue")
    due_from = django_filters.DateFilter(label=_("Due from"), field_name="due_on", lookup_expr="gte")
    due_to = django_filters.DateFilter(label=_("Due by"), field_name="due_on", lookup_expr="lte")
    owner = django_filters.NumberFilter(label=_("Kept by"), field_name="owner_id")
    within = WithinFilter()
    responsible = django_filters.NumberFilter(label=_("Responsible person"), field_name="responsible_id")
    engagement = django_filters.NumberFilter(label=_("Agreed at"), field_name="engagement_id")
    o = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=(("due_on", "due"), ("title", "title"), ("status", "status"), ("updated_at", "updated")),
        field_labels={
            "due_on": _("Due"),
            "title": _("What"),
            "status": _("Status"),
            "updated_at": _("Last change"),
        },
    )

    class Meta:
        model = FollowUpAction
        fields = ["q", "status", "overdue", "due_from", "due_to", "owner", "responsible", "engagement"]

    def filter_search(self, queryset, name, value):
        # Actions keep no folded search column: their own words are matched as typed, the
        # engagement they were agreed at ignoring case and accents.
        for word in value.split():
            condition = Q(title__icontains=word) | Q(description__icontains=word)
            folded = fold(word)
            if folded:
                condition |= Q(engagement__search_text__contains=folded)
            queryset = queryset.filter(condition)
        return queryset

    def filter_overdue(self, queryset, name, value: bool):
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())
