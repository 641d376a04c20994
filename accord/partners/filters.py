"""One filterset per list, shared by the HTML list, the export and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.fields import MultipleChoiceField

from accord.core.text import tokens
from accord.partners import geo
from accord.partners.choices import OrganizationKind
from accord.partners.models import Organization, Person


def search_q(value: str) -> Q:
    """Every word of ``value`` must appear, folded, in the record's search column."""
    condition = Q()
    for token in tokens(value):
        condition &= Q(search_text__contains=token)
    return condition


class OptionalMultipleChoiceField(MultipleChoiceField):
    """Ignores empty values, which a single select's "any" option sends (``kind=``)."""

    def to_python(self, value):
        return [item for item in super().to_python(value) if item]


class OptionalMultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    field_class = OptionalMultipleChoiceField


class CountryChoicesMixin:
    """Country names follow the reader's language, so the choices are made per request."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        country = self.filters["country"]
        country.extra["choices"] = geo.country_choices()
        # The copied filter may carry a form field built earlier (the OpenAPI schema builds
        # one on the class's filter, with no choices): drop it so the choices above apply.
        country.__dict__.pop("_field", None)


class OrganizationFilter(CountryChoicesMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    kind = OptionalMultipleChoiceFilter(label=_("Kind"), choices=OrganizationKind.choices)
    country = django_filters.ChoiceFilter(label=_("Country"), choices=[])
    subdivision = django_filters.CharFilter(label=_("Subdivision"), method="filter_subdivision")
    is_home = django_filters.BooleanFilter(label=_("Home organisation"))
    parent = django_filters.NumberFilter(label=_("Part of"), field_name="parent_id")
    o = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=(("sort_name", "name"), ("country", "country"), ("kind", "kind"), ("updated_at", "updated")),
        field_labels={
            "sort_name": _("Name"),
            "country": _("Country"),
            "kind": _("Kind"),
            "updated_at": _("Last change"),
        },
    )

    class Meta:
        model = Organization
        fields = ["q", "kind", "country", "subdivision", "is_home", "parent"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(search_q(value))

    def filter_subdivision(self, queryset, name, value):
        return queryset.filter(subdivision__iexact=value.strip())


class PersonFilter(CountryChoicesMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    affiliation = django_filters.NumberFilter(label=_("Affiliation"), field_name="affiliation_id")
    country = django_filters.ChoiceFilter(label=_("Country"), choices=[], field_name="affiliation__country")
    o = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=(("sort_name", "name"), ("affiliation__sort_name", "affiliation"), ("updated_at", "updated")),
        field_labels={
            "sort_name": _("Name"),
            "affiliation__sort_name": _("Affiliation"),
            "updated_at": _("Last change"),
        },
    )

    class Meta:
        model = Person
        fields = ["q", "affiliation", "country"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(search_q(value))
