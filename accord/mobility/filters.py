"""The filterset of mobilities, shared by the list, its exports, the exchange balance and the API.

The search looks at the partner, the sending and host organisations and the programme; it looks
at names, e-mails and student numbers only on the rows whose people the reader may see by name,
so that a search never tells who went where to someone who may only see the figures.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accord.core.filters import WithinFilter
from accord.core.text import fold, tokens
from accord.mobility import selectors
from accord.mobility.models import Category, Direction, Mobility, MobilityStatus
from accord.partners.filters import CountryChoicesMixin


def _personal_q(user) -> Q | None:
    """Rows whose personal data ``user`` may see; ``None`` for all of them (superusers)."""
    if user is not None and getattr(user, "is_superuser", False):
        return None
    return Q(owner_id__in=selectors.personal_owner_ids(user))


class MobilityFilter(CountryChoicesMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    direction = django_filters.ChoiceFilter(label=_("Direction"), choices=Direction.choices)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Category.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=MobilityStatus.choices)
    academic_year = django_filters.CharFilter(label=_("Academic year"), field_name="academic_year")
    country = django_filters.ChoiceFilter(label=_("Partner's country"), choices=[], field_name="partner__country")
    partner = django_filters.NumberFilter(label=_("Partner"), field_name="partner_id")
    programme = django_filters.NumberFilter(label=_("Programme"), field_name="programme_id")
    agreement = django_filters.NumberFilter(label=_("Agreement"), field_name="agreement_id")
    owner = django_filters.NumberFilter(label=_("Kept by"), field_name="owner_id")
    within = WithinFilter()
    # ``cancelled=false``: the stays a dashboard figure counts (every status but cancelled).
    cancelled = django_filters.BooleanFilter(label=_("Cancelled"), method="filter_cancelled")
    o = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=(
            ("planned_start", "date"),
            ("academic_year", "year"),
            ("partner__sort_name", "partner"),
            ("status", "status"),
            ("updated_at", "updated"),
        ),
        field_labels={
            "planned_start": _("Start"),
            "academic_year": _("Academic year"),
            "partner__sort_name": _("Partner"),
            "status": _("Status"),
            "updated_at": _("Last change"),
        },
    )

    class Meta:
        model = Mobility
        fields = [
            "q",
            "direction",
            "category",
            "status",
            "academic_year",
            "country",
            "partner",
            "programme",
            "agreement",
            "owner",
        ]

    def filter_search(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        personal = _personal_q(user)
        for word in value.split():
            folded = fold(word)
            condition = Q()
            for token in tokens(word):
                condition &= (
                    Q(partner__search_text__contains=token)
                    | Q(home_organization__search_text__contains=token)
                    | Q(host_organization__search_text__contains=token)
                    | Q(programme__search_text__contains=token)
                )
            if not folded:
                continue
            people = Q(full_name__icontains=word) | Q(email__iexact=word) | Q(student_number__iexact=word)
            if personal is not None:
                people &= personal
            queryset = queryset.filter(condition | people)
        return queryset

    def filter_cancelled(self, queryset, name, value: bool):
        cancelled = Q(status=MobilityStatus.CANCELLED)
        return queryset.filter(cancelled) if value else queryset.exclude(cancelled)
