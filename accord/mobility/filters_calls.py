"""The filtersets of the programme and call lists, shared by the pages and their exports."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accord.mobility.models import Call, CallStatus, Programme, ProgrammeKind
from accord.partners.filters import OptionalMultipleChoiceFilter, search_q


class ProgrammeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    kind = OptionalMultipleChoiceFilter(label=_("Kind"), choices=ProgrammeKind.choices)
    partner = django_filters.NumberFilter(label=_("Partner"), method="filter_partner")
    owner = django_filters.NumberFilter(label=_("Kept by"), field_name="owner_id")
    o = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=(("name", "name"), ("kind", "kind"), ("starts_on", "start"), ("updated_at", "updated")),
        field_labels={
            "name": _("Name"),
            "kind": _("Kind"),
            "starts_on": _("Start"),
            "updated_at": _("Last change"),
        },
    )

    class Meta:
        model = Programme
        fields = ["q", "kind", "partner", "owner"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(search_q(value))

    def filter_partner(self, queryset, name, value):
        partnered = Programme.partners.through.objects.filter(organization_id=value).values("programme_id")
        return queryset.filter(Q(pk__in=partnered) | Q(funder_id=value))


class CallFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    programme = django_filters.NumberFilter(label=_("Programme"), field_name="programme_id")
    academic_year = django_filters.CharFilter(label=_("Academic year"), field_name="academic_year")
    status = OptionalMultipleChoiceFilter(label=_("Status"), choices=CallStatus.choices)
    owner = django_filters.NumberFilter(label=_("Kept by"), field_name="owner_id")
    o = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=(("closes_on", "closes"), ("title", "title"), ("academic_year", "year"), ("places", "places")),
        field_labels={
            "closes_on": _("Closing date"),
            "title": _("Title"),
            "academic_year": _("Academic year"),
            "places": _("Places"),
        },
    )

    class Meta:
        model = Call
        fields = ["q", "programme", "academic_year", "status", "owner"]

    def filter_search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(Q(title__icontains=word) | Q(programme__name__icontains=word))
        return queryset
