"""The filtersets of sources and stories, shared by the list pages, the export and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accord.core.text import fold
from accord.partners.filters import OptionalMultipleChoiceFilter, search_q
from accord.partners.languages import language_choices
from accord.sources.models import Citation, Source, SourceKind, Story


class SourceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    kind = OptionalMultipleChoiceFilter(label=_("Kind"), choices=SourceKind.choices)
    language = django_filters.ChoiceFilter(label=_("Language"), choices=language_choices)
    publisher = django_filters.CharFilter(label=_("Publisher"), field_name="publisher", lookup_expr="icontains")
    date_from = django_filters.DateFilter(label=_("Published from"), field_name="published_on", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("Published until"), field_name="published_on", lookup_expr="lte")
    story = django_filters.NumberFilter(label=_("Story"), field_name="story_id")
    cited = django_filters.BooleanFilter(label=_("Cited by a record"), method="filter_cited")
    o = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=(
            ("published_on", "date"),
            ("title", "title"),
            ("publisher", "publisher"),
            ("updated_at", "updated"),
        ),
        field_labels={
            "published_on": _("Date"),
            "title": _("Title"),
            "publisher": _("Publisher"),
            "updated_at": _("Last change"),
        },
    )

    class Meta:
        model = Source
        fields = ["q", "kind", "language", "publisher", "date_from", "date_to", "story", "cited"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(search_q(value))

    def filter_cited(self, queryset, name, value):
        cited = Exists(Citation.objects.filter(source=OuterRef("pk")))
        return queryset.filter(cited if value else ~cited)


class StoryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    o = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=(("title", "title"), ("created_at", "created")),
        field_labels={"title": _("Title"), "created_at": _("Created")},
    )

    class Meta:
        model = Story
        fields = ["q"]

    def filter_search(self, queryset, name, value):
        # A story is found by its own title or by the words of any of its sources.
        folded = fold(value)
        if not folded:
            return queryset
        user = getattr(self.request, "user", None)
        in_sources = Source.objects.restrict(user).filter(search_q(value)).values("story_id")
        return queryset.filter(Q(title__icontains=value.strip()) | Q(pk__in=in_sources))
