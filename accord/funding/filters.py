"""The filtersets of funding schemes and projects, shared by the pages and the exports."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accord.core.text import fold
from accord.funding.models import FundingScheme, Project, ProjectPartner, ProjectStatus, SchemeKind
from accord.partners.filters import OptionalMultipleChoiceFilter, search_q


class SchemeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    kind = OptionalMultipleChoiceFilter(label=_("Kind"), choices=SchemeKind.choices)
    funder = django_filters.NumberFilter(label=_("Funder"), field_name="funder_id")
    owner = django_filters.NumberFilter(label=_("Kept by"), field_name="owner_id")
    o = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=(("name", "name"), ("starts_on", "start"), ("total", "total"), ("updated_at", "updated")),
        field_labels={
            "name": _("Name"),
            "starts_on": _("Start"),
            "total": _("Total"),
            "updated_at": _("Last change"),
        },
    )

    class Meta:
        model = FundingScheme
        fields = ["q", "kind", "funder", "owner"]

    def filter_search(self, queryset, name, value):
        # Schemes keep no folded search column: their name and description are matched as
        # typed, the funder's name ignoring case and accents.
        for word in value.split():
            condition = Q(name__icontains=word) | Q(description__icontains=word)
            folded = fold(word)
            if folded:
                condition |= Q(funder__search_text__contains=folded)
            queryset = queryset.filter(condition)
        return queryset


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    status = OptionalMultipleChoiceFilter(label=_("Status"), choices=ProjectStatus.choices)
    funder = django_filters.NumberFilter(label=_("Funder"), field_name="funder_id")
    partner = django_filters.NumberFilter(label=_("Partner"), method="filter_partner")
    theme = django_filters.CharFilter(label=_("Theme"), method="filter_theme")
    year = django_filters.NumberFilter(label=_("Running in"), method="filter_year")
    owner = django_filters.NumberFilter(label=_("Kept by"), field_name="owner_id")
    o = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=(("starts_on", "start"), ("acronym", "acronym"), ("budget", "budget"), ("updated_at", "updated")),
        field_labels={
            "starts_on": _("Start"),
            "acronym": _("Acronym"),
            "budget": _("Budget"),
            "updated_at": _("Last change"),
        },
    )

    class Meta:
        model = Project
        fields = ["q", "status", "funder", "partner", "theme", "year", "owner"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(search_q(value))

    def filter_partner(self, queryset, name, value):
        taking_part = ProjectPartner.objects.filter(project_id=OuterRef("pk"), organization_id=value)
        return queryset.filter(Exists(taking_part))

    def filter_theme(self, queryset, name, value):
        # Themes are a comma-separated list; every theme asked for must be among them.
        for theme in (t.strip() for t in value.split(",")):
            if theme:
                queryset = queryset.filter(themes__icontains=theme)
        return queryset

    def filter_year(self, queryset, name, value):
        # A project runs in a year when it starts by its end and ends after its start.
        year = int(value)
        started = Q(starts_on__year__lte=year) | Q(starts_on__isnull=True)
        not_ended = Q(ends_on__year__gte=year) | Q(ends_on__isnull=True)
        return queryset.filter(started, not_ended).exclude(starts_on__isnull=True, ends_on__isnull=True)
