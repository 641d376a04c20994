"""REST API of engagements, follow-up actions and series: the same selectors, filters and services as the pages.

An engagement is written with its titles, organisations and participants in one request; a
participant who represents an organisation not taking part is refused with the organisations
to add listed in ``missing_organizations``. Actions are closed, cancelled and reopened by a
POST on the action, never by a change of ``status``.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from accord.agreements.api import VisibleRelatedField
from accord.agreements.models import Agreement
from accord.core.api import RestrictedModelViewSet, exception_handler
from accord.core.api import absolute_url as _absolute
from accord.core.api import check_owner_in_scope as _check_owner_in_scope
from accord.core.api import owner_field as _owner_field
from accord.engagements import selectors, services
from accord.engagements.filters import ActionFilter, EngagementFilter
from accord.engagements.models import (
    ActionStatus,
    Engagement,
    EngagementOrganization,
    EngagementSeries,
    EngagementStatus,
    EngagementTitle,
    FollowUpAction,
    Participant,
)
from accord.partners.api import ChildSerializer
from accord.partners.models import Organization, Person

CHILDREN = ("titles", "organizations", "participants", "agreements")


class EngagementTitleSerializer(ChildSerializer):
    class Meta:
        model = EngagementTitle
        fields = ["id", "language", "title", "DELETE"]
        validators = []


class EngagementOrganizationSerializer(ChildSerializer):
    organization = VisibleRelatedField(queryset=Organization.objects.all(), label=_("organisation"))
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = EngagementOrganization
        fields = ["id", "organization", "organization_name", "role", "DELETE"]
        validators = []


class ParticipantSerializer(ChildSerializer):
    person = VisibleRelatedField(queryset=Person.objects.all(), label=_("person"))
    person_name = serializers.CharField(source="person.name", read_only=True)
    organization = VisibleRelatedField(
        queryset=Organization.objects.all(),
        required=False,
        allow_null=True,
        label=_("for"),
        help_text=_("The organisation the person represented; their affiliation when not given."),
    )
    organization_name = serializers.CharField(source="organization.name", read_only=True, allow_null=True)

    class Meta:
        model = Participant
        fields = ["id", "person", "person_name", "organization", "organization_name", "role", "DELETE"]
        validators = []


class EngagementSerializer(serializers.ModelSerializer):
    owner = _owner_field(_("The home organisation that keeps the engagement; yours when not given."))
    host = VisibleRelatedField(queryset=Organization.objects.all(), required=False, allow_null=True, label=_("host"))
    parent = VisibleRelatedField(queryset=Engagement.objects.all(), required=False, allow_null=True, label=_("part of"))
    series = VisibleRelatedField(
        queryset=EngagementSeries.objects.all(), required=False, allow_null=True, label=_("series")
    )
    agreements = VisibleRelatedField(
        queryset=Agreement.objects.all(),
        many=True,
        required=False,
        label=_("agreements signed there"),
        help_text=_("The ids of the agreements signed at this engagement; the list replaces the one recorded."),
    )
    status = serializers.SerializerMethodField()
    has_open_actions = serializers.SerializerMethodField()
    titles = EngagementTitleSerializer(many=True, required=False)
    organizations = EngagementOrganizationSerializer(many=True, required=False)
    participants = ParticipantSerializer(many=True, required=False)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Engagement
        fields = [
            "id",
            "kind",
            "title",
            "title_language",
            "owner",
            "starts_on",
            "ends_on",
            "precision",
            "cancelled",
            "status",
            "city",
            "country",
            "online",
            "host",
            "parent",
            "series",
            "headcount",
            "summary",
            "titles",
            "organizations",
            "participants",
            "agreements",
            "has_open_actions",
            "url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators = []

    @extend_schema_field(serializers.ChoiceField(choices=EngagementStatus.choices))
    def get_status(self, engagement) -> str:
        return engagement.status

    def get_has_open_actions(self, engagement) -> bool:
        annotated = getattr(engagement, "has_open_actions", None)
        if annotated is not None:
            return annotated
        return engagement.actions.filter(status=ActionStatus.OPEN).exists()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, engagement) -> str:
        return _absolute(self, engagement.get_absolute_url())

    def validate_owner(self, value):
        return _check_owner_in_scope(self, value)

    def validate(self, attrs):
        # Dates, the participants' organisations and the nested rows are checked by the
        # service, so that the API and the pages give the same messages.
        return attrs

    def _split(self, validated):
        return {key: validated.pop(key, None) for key in CHILDREN}

    def create(self, validated):
        children = self._split(validated)
        return services.engagement_create(acting_user=self.context["request"].user, data=validated, **children)

    def update(self, instance, validated):
        children = self._split(validated)
        return services.engagement_update(
            engagement=instance, acting_user=self.context["request"].user, data=validated, **children
        )


def engagement_exception_handler(exc, context):
    """As every API error, and a participant's missing organisations listed so a client can add them."""
    response = exception_handler(exc, context)
    if isinstance(exc, services.ParticipantOrganizationMissing) and response is not None:
        response.data["missing_organizations"] = [{"id": o.pk, "name": o.name} for o in exc.organizations]
    return response


@extend_schema(tags=["engagements"])
class EngagementViewSet(RestrictedModelViewSet):
    """Engagements kept by the user's organisations, with titles, organisations and participants.

    ``status`` (planned, held, cancelled) follows from the dates and ``cancelled``. A
    participant represents their affiliation unless ``organization`` says otherwise; that
    organisation must take part (be listed in ``organizations`` or be the host), otherwise the
    answer is 400 with ``missing_organizations``.
    """

    serializer_class = EngagementSerializer
    filterset_class = EngagementFilter
    selector = staticmethod(selectors.engagement_list)

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(
                "titles",
                Prefetch("participants", queryset=Participant.objects.select_related("person", "organization")),
                Prefetch("agreements", queryset=Agreement.objects.restrict(self.request.user).only("id")),
            )
        )

    def get_exception_handler(self):
        return engagement_exception_handler

    def perform_destroy(self, instance):
        services.engagement_delete(engagement=instance, acting_user=self.request.user)


class FulfilledBySerializer(serializers.Serializer):
    """The record that fulfilled an action."""

    type = serializers.CharField(help_text=_("The kind of record, such as engagements.engagement."))
    id = serializers.IntegerField()
    label = serializers.CharField()


class ActionSerializer(serializers.ModelSerializer):
    owner = _owner_field(_("The home organisation that keeps the action; the engagement's or yours when not given."))
    engagement = VisibleRelatedField(
        queryset=Engagement.objects.all(), required=False, allow_null=True, label=_("agreed at")
    )
    responsible = VisibleRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True, label=_("responsible person")
    )
    responsible_name = serializers.CharField(source="responsible.name", read_only=True, allow_null=True)
    overdue = serializers.BooleanField(read_only=True, help_text=_("Open and past its due date."))
    fulfilled_by = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = FollowUpAction
        fields = [
            "id",
            "title",
            "description",
            "engagement",
            "owner",
            "responsible",
            "responsible_name",
            "due_on",
            "due_precision",
            "status",
            "done_on",
            "overdue",
            "fulfilled_by",
            "url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "done_on", "created_at", "updated_at"]

    @extend_schema_field(FulfilledBySerializer(allow_null=True))
    def get_fulfilled_by(self, action_obj):
        record = action_obj.fulfilled_by
        if record is None:
            return None
        meta = record._meta
        return {"type": f"{meta.app_label}.{meta.model_name}", "id": record.pk, "label": str(record)}

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, action_obj) -> str:
        return _absolute(self, action_obj.get_absolute_url())

    def validate_owner(self, value):
        return _check_owner_in_scope(self, value)

    def create(self, validated):
        return services.action_create(acting_user=self.context["request"].user, data=validated)

    def update(self, instance, validated):
        return services.action_update(action=instance, acting_user=self.context["request"].user, data=validated)


class ActionDoneSerializer(serializers.Serializer):
    done_on = serializers.DateField(
        label=_("done on"), required=False, allow_null=True, help_text=_("Today when not given.")
    )
    fulfilled_by = VisibleRelatedField(
        queryset=Engagement.objects.all(),
        required=False,
        allow_null=True,
        label=_("fulfilled by"),
        help_text=_("The id of the engagement that fulfilled the action."),
    )


@extend_schema(tags=["engagements"])
class ActionViewSet(RestrictedModelViewSet):
    """Follow-up actions of the user's organisations: what was agreed, by whom and by when.

    A new action may not be due in a month that has passed. ``status`` changes only through
    ``done``, ``cancel`` and ``reopen``.
    """

    serializer_class = ActionSerializer
    filterset_class = ActionFilter
    selector = staticmethod(selectors.action_list)

    def get_queryset(self):
        return super().get_queryset().prefetch_related("fulfilled_by")

    def perform_destroy(self, instance):
        services.action_delete(action=instance, acting_user=self.request.user)

    def _answer(self, result):
        return Response(self.get_serializer(self.get_queryset().get(pk=result.pk)).data)

    @extend_schema(request=ActionDoneSerializer, responses={200: ActionSerializer}, summary=_("Mark done"))
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        """Close an open action as done, optionally with the engagement that fulfilled it."""
        action_obj = self.get_object()
        arguments = ActionDoneSerializer(data=request.data, context=self.get_serializer_context())
        arguments.is_valid(raise_exception=True)
        return self._answer(
            services.action_complete(
                action=action_obj,
                acting_user=request.user,
                done_on=arguments.validated_data.get("done_on"),
                fulfilled_by=arguments.validated_data.get("fulfilled_by"),
            )
        )

    @extend_schema(request=None, responses={200: ActionSerializer}, summary=_("Cancel"))
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel an open action: it will not be done."""
        return self._answer(services.action_cancel(action=self.get_object(), acting_user=request.user))

    @extend_schema(request=None, responses={200: ActionSerializer}, summary=_("Reopen"))
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Open a done or cancelled action again; its completion and fulfilling record are cleared."""
        return self._answer(services.action_reopen(action=self.get_object(), acting_user=request.user))


class SeriesSerializer(serializers.ModelSerializer):
    owner = _owner_field(_("The home organisation that keeps the series; yours when not given."))

    class Meta:
        model = EngagementSeries
        fields = ["id", "name", "owner", "description", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def validate_owner(self, value):
        return _check_owner_in_scope(self, value)

    def create(self, validated):
        return services.series_create(acting_user=self.context["request"].user, **validated)


def series_list(*, user):
    return EngagementSeries.objects.restrict(user).select_related("owner").order_by("name", "id")


@extend_schema(tags=["engagements"])
class EngagementSeriesViewSet(RestrictedModelViewSet):
    """Series of recurring engagements (an annual exchange, a yearly conference).

    Series are read and created here; an engagement joins one through its ``series``.
    """

    http_method_names = ["get", "post", "head", "options"]
    serializer_class = SeriesSerializer
    filterset_fields = ["owner"]
    selector = staticmethod(series_list)
