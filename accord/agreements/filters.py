"""The one filterset of agreements, shared by the list page, its export and the API."""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accord.agreements import selectors
from accord.agreements.choices import AgreementHealth, AgreementKind, AgreementStatus
from accord.agreements.models import ActivityType, Agreement, AgreementParty, Commitment
from accord.core.filters import WithinFilter
from accord.partners.filters import CountryChoicesMixin, OptionalMultipleChoiceFilter, search_q

# "Not in force" is what every draft is; the list filters on the four states that need attention.
HEALTH_CHOICES = [(value, label) for value, label in AgreementHealth.choices if value != AgreementHealth.NOT_IN_FORCE]
MAX_EXPIRING_DAYS = 3660


class ActivityTypeChoiceFilter(django_filters.ModelChoiceFilter):
    """An activity type by its code (``activity=student_exchange``), labelled in the reader's language."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", ActivityType.objects.all())
        kwargs.setdefault("to_field_name", "code")
        super().__init__(*args, **kwargs)


class AgreementFilter(CountryChoicesMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    status = OptionalMultipleChoiceFilter(label=_("Status"), choices=AgreementStatus.choices)
    kind = OptionalMultipleChoiceFilter(label=_("Kind"), choices=AgreementKind.choices)
    partner = django_filters.NumberFilter(label=_("Partner"), method="filter_partner")
    country = django_filters.ChoiceFilter(label=_("Partner country"), choices=[], method="filter_country")
    activity = ActivityTypeChoiceFilter(label=_("Activity"), method="filter_activity")
    expiring = django_filters.NumberFilter(label=_("Expiring within (days)"), method="filter_expiring", min_value=0)
    health = django_filters.ChoiceFilter(label=_("Health"), choices=HEALTH_CHOICES, method="filter_health")
    owner = django_filters.NumberFilter(label=_("Kept by"), field_name="owner_id")
    within = WithinFilter()
    o = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=(
            ("title", "title"),
            ("kind", "kind"),
            ("status", "status"),
            ("signed_on", "signed"),
            ("expires_on", "expires"),
            ("updated_at", "updated"),
        ),
        field_labels={
            "title": _("Title"),
            "kind": _("Kind"),
            "status": _("Status"),
            "signed_on": _("Signed on"),
            "expires_on": _("Expires on"),
            "updated_at": _("Last change"),
        },
    )

    class Meta:
        model = Agreement
        fields = ["q", "status", "kind", "partner", "country", "activity", "expiring", "health", "owner", "within"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(search_q(value))

    def filter_partner(self, queryset, name, value):
        parties = AgreementParty.objects.filter(organization_id=value).values("agreement_id")
        return queryset.filter(pk__in=parties)

    def filter_country(self, queryset, name, value: str):
        # A partner is any party but the home organisation that keeps the agreement.
        parties = (
            AgreementParty.objects.filter(organization__country=value)
            .exclude(organization_id=F("agreement__owner_id"))
            .values("agreement_id")
        )
        return queryset.filter(pk__in=parties)

    def filter_activity(self, queryset, name, value: ActivityType):
        return queryset.filter(pk__in=Commitment.objects.filter(activity_type=value).values("agreement_id"))

    def filter_expiring(self, queryset, name, value):
        today = timezone.localdate()
        days = min(int(value), MAX_EXPIRING_DAYS)
        return queryset.filter(
            status=AgreementStatus.ACTIVE,
            expires_on__gte=today,
            expires_on__lte=today + datetime.timedelta(days=days),
        )

    def filter_health(self, queryset, name, value):
        if "last_evidence" not in queryset.query.annotations:
            queryset = queryset.annotate(last_evidence=selectors.last_evidence())
        return queryset.filter(selectors.health_q(value, timezone.localdate()))
