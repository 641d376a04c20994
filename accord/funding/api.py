"""REST API of funding schemes, their allocations (quotas) and funded projects.

The same selectors and services as the pages. An allocation is always within its parent (or
the scheme's total): a write that would exceed it is refused with 400 naming ``quantity``.
Each allocation comes with its usage: what is passed on, what is used by mobilities, selected
applicants and trainees, and what remains. Amounts are decimal strings in the currency given
beside them (ISO 4217, with no more decimals than the currency has).
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from accord.agreements.api import VisibleRelatedField
from accord.core.api import RestrictedModelViewSet
from accord.core.api import absolute_url as _absolute
from accord.core.api import check_owner_in_scope as _check_owner_in_scope
from accord.core.api import owner_field as _owner_field
from accord.core.api import request_user as _user
from accord.core.money import validate_currency
from accord.engagements.models import Engagement
from accord.funding import selectors, services
from accord.funding.filters import ProjectFilter, SchemeFilter
from accord.funding.models import (
    Allocation,
    FundingScheme,
    Project,
    ProjectOutput,
    ProjectPartner,
)
from accord.partners.api import ChildSerializer
from accord.partners.models import Organization


def _check_currency(value: str) -> str:
    try:
        validate_currency(value or "")
    except ValidationError as exc:
        raise serializers.ValidationError(exc.messages) from exc
    return (value or "").strip().upper()


# Schemes ---------------------------------------------------------------------------------


class FundingSchemeSerializer(serializers.ModelSerializer):
    owner = _owner_field(_("The home organisation that keeps the scheme; yours when not given."))
    funder = VisibleRelatedField(queryset=Organization.objects.all(), label=_("funder"))
    funder_name = serializers.CharField(source="funder.name", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = FundingScheme
        fields = [
            "id",
            "name",
            "kind",
            "owner",
            "funder",
            "funder_name",
            "unit",
            "currency",
            "total",
            "starts_on",
            "ends_on",
            "description",
            "url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, scheme) -> str:
        return _absolute(self, scheme.get_absolute_url())

    def validate_owner(self, value):
        return _check_owner_in_scope(self, value)

    def validate_currency(self, value):
        return _check_currency(value)

    def create(self, validated):
        return services.scheme_create(acting_user=_user(self), data=validated)

    def update(self, instance, validated):
        return services.scheme_update(scheme=instance, acting_user=_user(self), data=validated)


@extend_schema(tags=["funding"])
class FundingSchemeViewSet(RestrictedModelViewSet):
    """Funding schemes: a funder's grant, scholarship, quota plan or budget line.

    A recipient of one of its allocations sees the scheme too. The unit cannot change once
    the scheme has allocations, nor the total fall below what is allocated.
    """

    serializer_class = FundingSchemeSerializer
    filterset_class = SchemeFilter
    selector = staticmethod(selectors.scheme_list)

    def get_queryset(self):
        return super().get_queryset().order_by("name", "id")

    def perform_destroy(self, instance):
        services.scheme_delete(scheme=instance, acting_user=self.request.user)


# Allocations -----------------------------------------------------------------------------


class AllocationFilter(django_filters.FilterSet):
    scheme = django_filters.NumberFilter(label=pgettext_lazy("funding", "Scheme"), field_name="scheme_id")
    parent = django_filters.NumberFilter(label=_("Allocated from"), field_name="parent_id")
    top = django_filters.BooleanFilter(label=_("At the top of the scheme"), field_name="parent", lookup_expr="isnull")
    recipient = django_filters.NumberFilter(label=_("Recipient"), field_name="recipient_id")

    class Meta:
        model = Allocation
        fields = ["scheme", "parent", "top", "recipient"]


class UsageSerializer(serializers.Serializer):
    """What an allocation gives, passes on, uses and has left, in the scheme's unit."""

    quantity = serializers.DecimalField(max_digits=16, decimal_places=2)
    passed_on = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text=_("Given to the allocations under it.")
    )
    used_here = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        help_text=_("Used by the mobilities, selected applicants and trainees linked to it directly."),
    )
    used = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text=_("Used here and under it, through the allocations passed on.")
    )
    remaining = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        help_text=_("What it can still use or pass on: quantity − passed on − used here; negative when exceeded."),
    )
    percent = serializers.IntegerField()
    exceeded = serializers.BooleanField()


class AllocationSerializer(serializers.ModelSerializer):
    scheme = VisibleRelatedField(queryset=FundingScheme.objects.all(), label=pgettext_lazy("funding", "scheme"))
    parent = VisibleRelatedField(
        queryset=Allocation.objects.all(),
        required=False,
        allow_null=True,
        label=_("allocated from"),
        help_text=_("The allocation this one is passed on from; null at the top of the scheme."),
    )
    recipient = VisibleRelatedField(queryset=Organization.objects.all(), label=_("recipient"))
    recipient_name = serializers.CharField(source="recipient.name", read_only=True)
    unit = serializers.CharField(
        source="scheme.unit", read_only=True, help_text=_("What the quantity counts: places, people or amount.")
    )
    currency = serializers.CharField(source="scheme.currency", read_only=True)
    usage = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Allocation
        fields = [
            "id",
            "scheme",
            "parent",
            "recipient",
            "recipient_name",
            "quantity",
            "unit",
            "currency",
            "period",
            "note",
            "usage",
            "url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    @extend_schema_field(UsageSerializer)
    def get_usage(self, allocation):
        usage = self.context.get("usage", {}).get(allocation.pk)
        if usage is None:
            usage = selectors.usage_for([allocation])[allocation.pk]
        return UsageSerializer(
            {
                "quantity": usage.quantity,
                "passed_on": usage.passed_on,
                "used_here": usage.used_here,
                "used": usage.used,
                "remaining": usage.remaining,
                "percent": usage.percent,
                "exceeded": usage.exceeded,
            }
        ).data

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, allocation) -> str:
        return _absolute(self, allocation.get_absolute_url())

    def validate(self, attrs):
        if self.instance is not None:
            for field in ("scheme", "parent"):
                if field in attrs and attrs.pop(field) != getattr(self.instance, field):
                    raise serializers.ValidationError(
                        {field: [_("An allocation stays where it was given; delete it and allocate again.")]}
                    )
        return attrs

    def create(self, validated):
        scheme = validated.pop("scheme")
        parent = validated.pop("parent", None)
        return services.allocation_create(acting_user=_user(self), scheme=scheme, parent=parent, data=validated)

    def update(self, instance, validated):
        return services.allocation_update(allocation=instance, acting_user=_user(self), data=validated)


@extend_schema(tags=["funding"])
class AllocationViewSet(RestrictedModelViewSet):
    """Allocations of a scheme to recipients, who may pass parts on to organisations under them.

    The allocations under one parent never add up to more than it (nor those at the top to
    more than the scheme's total). The scheme's owner allocates anywhere in it; a recipient
    passes on what it was given. ``usage`` is counted from the mobilities, selected
    applicants and training participants linked to the allocation and those under it.
    """

    serializer_class = AllocationSerializer
    filterset_class = AllocationFilter
    selector = staticmethod(selectors.allocation_list)

    def get_queryset(self):
        return super().get_queryset().order_by("scheme_id", "parent_id", "id")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "_usage", None) is not None:
            context["usage"] = self._usage
        return context

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        # The usage of the whole page in a fixed number of queries.
        self._usage = selectors.usage_for(rows)
        serializer = self.get_serializer(rows, many=True)
        if page is not None:
            return self.get_paginated_response(serializer.data)
        return Response(serializer.data)

    def perform_destroy(self, instance):
        services.allocation_delete(allocation=instance, acting_user=self.request.user)


# Projects --------------------------------------------------------------------------------


class ProjectPartnerSerializer(ChildSerializer):
    organization = VisibleRelatedField(queryset=Organization.objects.all(), label=_("organisation"))
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = ProjectPartner
        fields = ["id", "organization", "organization_name", "role", "budget_share", "DELETE"]
        validators = []


class ProjectOutputSerializer(ChildSerializer):
    class Meta:
        model = ProjectOutput
        fields = ["id", "kind", "title", "due_on", "delivered_on", "note", "DELETE"]


class ProjectSerializer(serializers.ModelSerializer):
    owner = _owner_field(_("The home organisation that keeps the project; yours when not given."))
    funder = VisibleRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True, label=_("funder")
    )
    scheme = VisibleRelatedField(
        queryset=FundingScheme.objects.all(), required=False, allow_null=True, label=pgettext_lazy("funding", "scheme")
    )
    currency = serializers.CharField(
        max_length=3,
        required=False,
        allow_blank=True,
        help_text=_("The ISO 4217 code of the budget's currency, such as EUR or VND."),
    )
    engagements = VisibleRelatedField(
        queryset=Engagement.objects.all(),
        many=True,
        required=False,
        label=_("engagements"),
        help_text=_("The ids of the engagements linked to the project; the list replaces the one recorded."),
    )
    partners = ProjectPartnerSerializer(many=True, required=False)
    outputs = ProjectOutputSerializer(many=True, required=False)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "acronym",
            "title",
            "owner",
            "funder",
            "scheme",
            "reference",
            "budget",
            "currency",
            "starts_on",
            "ends_on",
            "status",
            "themes",
            "summary",
            "partners",
            "outputs",
            "engagements",
            "url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, project) -> str:
        return _absolute(self, project.get_absolute_url())

    def validate_owner(self, value):
        return _check_owner_in_scope(self, value)

    def validate_currency(self, value):
        value = _check_currency(value)
        try:
            validate_currency(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return value

    def _split(self, validated):
        return {key: validated.pop(key, None) for key in ("partners", "outputs", "engagements")}

    def create(self, validated):
        children = self._split(validated)
        return services.project_create(acting_user=_user(self), data=validated, **children)

    def update(self, instance, validated):
        children = self._split(validated)
        return services.project_update(project=instance, acting_user=_user(self), data=validated, **children)


@extend_schema(tags=["funding"])
class ProjectViewSet(RestrictedModelViewSet):
    """Funded projects with their partners and roles, budget, outputs and deliverables.

    ``budget`` is a decimal string in ``currency`` (ISO 4217) with no more decimals than the
    currency has (1.5 VND is refused). Partners and outputs are written with the project:
    a row with ``id`` changes it, with ``DELETE`` removes it. A project has one coordinator.
    """

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    selector = staticmethod(selectors.project_list)

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch("partners", queryset=ProjectPartner.objects.select_related("organization")),
                "outputs",
                Prefetch("engagements", queryset=Engagement.objects.restrict(self.request.user).only("id")),
            )
        )

    def perform_destroy(self, instance):
        services.project_delete(project=instance, acting_user=self.request.user)
