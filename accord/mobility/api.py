"""REST API of programmes, calls, applications, the selection, mobilities and the exchange balance.

The same selectors and services as the pages. A call's selection is run and confirmed by a
POST on the call; a mobility's status changes by a POST (confirm, start, complete, cancel),
never by a change of ``status``. Names and other personal data of applicants and mobile
people are given only to editors and above of the organisation that keeps the record; for
everybody else those fields are ``null`` and ``display_name`` gives a neutral label.
"""

from __future__ import annotations

import django_filters
from django.db.models import F, Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accord.agreements.api import VisibleRelatedField
from accord.agreements.models import Agreement, Commitment
from accord.core.api import RestrictedModelViewSet, exception_handler
from accord.core.api import absolute_url as _absolute
from accord.core.api import check_owner_in_scope as _check_owner_in_scope
from accord.core.api import owner_field as _owner_field
from accord.core.api import request_user as _user
from accord.funding.models import Allocation
from accord.mobility import selectors, services
from accord.mobility.filters import MobilityFilter
from accord.mobility.filters_calls import CallFilter, ProgrammeFilter
from accord.mobility.models import (
    Application,
    ApplicationStatus,
    Call,
    Mobility,
    Programme,
)
from accord.partners.models import Organization, Person

APPLICATION_PERSONAL = ("full_name", "email", "student_number", "date_of_birth", "gender")
MOBILITY_PERSONAL = ("full_name", "email", "student_number", "date_of_birth", "gender", "nationality", "person")
PERSONAL_HELP = _("Null unless you are an editor or above of the organisation that keeps the record.")


def _hide_personal(data: dict, fields) -> dict:
    for field in fields:
        if field in data:
            data[field] = None
    return data


def _visible(model, *, user):
    """Only the ids of linked rows the user may see, for a prefetch."""
    return model.objects.restrict(user).only("id")


# Programmes ------------------------------------------------------------------------------


class ProgrammeSerializer(serializers.ModelSerializer):
    owner = _owner_field(_("The home organisation that runs the programme; yours when not given."))
    funder = VisibleRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True, label=_("funder")
    )
    partners = VisibleRelatedField(
        queryset=Organization.objects.all(),
        many=True,
        required=False,
        label=_("partners"),
        help_text=_("The ids of the partner organisations; the list replaces the one recorded."),
    )
    agreements = VisibleRelatedField(
        queryset=Agreement.objects.all(), many=True, required=False, label=_("agreements implemented")
    )
    commitments = VisibleRelatedField(
        queryset=Commitment.objects.all(), many=True, required=False, label=_("commitments implemented")
    )
    structure = serializers.CharField(
        read_only=True, help_text=_("Years at home and abroad, such as 2+2; empty when not given.")
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = Programme
        fields = [
            "id",
            "name",
            "kind",
            "owner",
            "funder",
            "partners",
            "agreements",
            "commitments",
            "years_home",
            "years_abroad",
            "structure",
            "degree",
            "degree_note",
            "level",
            "subject_areas",
            "language",
            "starts_on",
            "ends_on",
            "description",
            "url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, programme) -> str:
        return _absolute(self, programme.get_absolute_url())

    def validate_owner(self, value):
        return _check_owner_in_scope(self, value)

    def _split(self, validated):
        return {key: validated.pop(key, None) for key in ("partners", "agreements", "commitments")}

    def create(self, validated):
        links = self._split(validated)
        return services.programme_create(acting_user=_user(self), data=validated, **links)

    def update(self, instance, validated):
        links = self._split(validated)
        return services.programme_update(programme=instance, acting_user=_user(self), data=validated, **links)


@extend_schema(tags=["mobility"])
class ProgrammeViewSet(RestrictedModelViewSet):
    """Programmes run with partners: joint training (2+2, 3+1), exchanges, scholarships, volunteers…

    A programme with calls cannot be deleted.
    """

    serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilter
    selector = staticmethod(selectors.programme_list)

    def get_queryset(self):
        user = self.request.user
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch("partners", queryset=_visible(Organization, user=user)),
                Prefetch("agreements", queryset=_visible(Agreement, user=user)),
                Prefetch("commitments", queryset=_visible(Commitment, user=user)),
            )
            .order_by("name", "id")
        )

    def perform_destroy(self, instance):
        services.programme_delete(programme=instance, acting_user=self.request.user)


# Calls and the selection -----------------------------------------------------------------


class CallSerializer(serializers.ModelSerializer):
    programme = VisibleRelatedField(queryset=Programme.objects.all(), label=_("programme"))
    host = VisibleRelatedField(
        queryset=Organization.objects.all(),
        required=False,
        allow_null=True,
        label=_("host institution"),
        help_text=_("Where the selected go; empty if they go to the programme's partners."),
    )
    agreement = VisibleRelatedField(
        queryset=Agreement.objects.all(), required=False, allow_null=True, label=_("agreement")
    )
    commitment = VisibleRelatedField(
        queryset=Commitment.objects.all(), required=False, allow_null=True, label=_("commitment")
    )
    allocation = VisibleRelatedField(
        queryset=Allocation.objects.all(), required=False, allow_null=True, label=_("quota used")
    )
    application_count = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Call
        fields = [
            "id",
            "programme",
            "owner",
            "title",
            "academic_year",
            "host",
            "agreement",
            "commitment",
            "allocation",
            "places",
            "opens_on",
            "closes_on",
            "mobility_starts_on",
            "mobility_ends_on",
            "gpa_scale",
            "min_gpa",
            "min_cefr",
            "subject_areas",
            "levels",
            "weight_gpa",
            "weight_language",
            "weight_interview",
            "weight_other",
            "other_label",
            "description",
            "status",
            "selected_at",
            "confirmed_at",
            "application_count",
            "url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["owner", "status", "selected_at", "confirmed_at", "created_at", "updated_at"]

    def get_application_count(self, call) -> int:
        annotated = getattr(call, "application_count", None)
        return annotated if annotated is not None else call.applications.count()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, call) -> str:
        return _absolute(self, call.get_absolute_url())

    def create(self, validated):
        return services.call_create(acting_user=_user(self), data=validated)

    def update(self, instance, validated):
        return services.call_update(call=instance, acting_user=_user(self), data=validated)


class OutcomeSerializer(serializers.Serializer):
    """One application's outcome of the selection, with the reasons and the parts of its score."""

    application = serializers.IntegerField(help_text=_("The id of the application."))
    display_name = serializers.CharField(help_text=_("The applicant's name, or a neutral label with the number."))
    status = serializers.ChoiceField(
        choices=[
            (ApplicationStatus.SELECTED, ApplicationStatus.SELECTED.label),
            (ApplicationStatus.WAITLISTED, ApplicationStatus.WAITLISTED.label),
            (ApplicationStatus.INELIGIBLE, ApplicationStatus.INELIGIBLE.label),
        ]
    )
    score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    explanation = serializers.JSONField(
        help_text=_(
            "{score, parts: {criterion: {value, points, weight}}, reasons: [{code, …}]}; a reason's code is "
            "gpa_below, language_below, field_not_open, level_not_open or missing_<criterion>."
        )
    )


class SelectionSerializer(serializers.Serializer):
    call = CallSerializer()
    outcomes = OutcomeSerializer(many=True)


# Applications ----------------------------------------------------------------------------


class ApplicationFilter(django_filters.FilterSet):
    call = django_filters.NumberFilter(label=_("Call"), field_name="call_id")
    status = django_filters.ChoiceFilter(label=_("Outcome"), choices=ApplicationStatus.choices)
    home_unit = django_filters.NumberFilter(label=_("Home unit"), field_name="home_unit_id")

    class Meta:
        model = Application
        fields = ["call", "status", "home_unit"]


class ApplicationSerializer(serializers.ModelSerializer):
    call = VisibleRelatedField(
        queryset=Call.objects.all(), label=_("call"), help_text=_("Set when the application is made; it stays.")
    )
    full_name = serializers.CharField(max_length=200, allow_null=True, help_text=PERSONAL_HELP)
    email = serializers.EmailField(required=False, allow_blank=True, allow_null=True, help_text=PERSONAL_HELP)
    student_number = serializers.CharField(
        max_length=40, required=False, allow_blank=True, allow_null=True, help_text=PERSONAL_HELP
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True, help_text=PERSONAL_HELP)
    home_unit = VisibleRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True, label=_("home unit")
    )
    display_name = serializers.SerializerMethodField()
    explanation = serializers.JSONField(
        read_only=True, help_text=_("Written by the selection; see the outcomes of a call's select.")
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "call",
            "display_name",
            "full_name",
            "email",
            "student_number",
            "date_of_birth",
            "gender",
            "fictitious",
            "home_unit",
            "level",
            "subject_area",
            "gpa",
            "language_certificate",
            "language_level",
            "interview_score",
            "other_score",
            "submitted_on",
            "note",
            "status",
            "score",
            "rank",
            "explanation",
            "url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "score", "rank", "created_at", "updated_at"]
        # The same applicant twice is the service's check, with the pages' message.
        validators = []

    def get_display_name(self, application) -> str:
        return selectors.display_name(_user(self), application)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, application) -> str:
        return _absolute(self, application.get_absolute_url())

    def validate_full_name(self, value):
        if value is None:
            raise serializers.ValidationError(_("Give the applicant's name."))
        return value

    def to_representation(self, application):
        data = super().to_representation(application)
        if not selectors.may_see_personal(_user(self), application.call.owner_id):
            _hide_personal(data, APPLICATION_PERSONAL)
        return data

    def create(self, validated):
        call = validated.pop("call")
        return services.application_create(acting_user=_user(self), call=call, data=validated)

    def update(self, instance, validated):
        validated.pop("call", None)
        return services.application_update(application=instance, acting_user=_user(self), data=validated)


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(label=_("reason"), required=False, allow_blank=True)


@extend_schema(tags=["mobility"])
class ApplicationViewSet(RestrictedModelViewSet):
    """Applications to calls, with the selection's outcome, score, rank and explanation.

    An applicant applies once to a call (the same student number, e-mail or name is refused),
    within its opening and closing dates, with a GPA on the call's scale. Applications of a
    call whose selection is confirmed no longer change, except by ``withdraw``.
    """

    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter
    selector = staticmethod(selectors.application_list)

    def get_queryset(self):
        # Ranked applications first, in rank order, on every database.
        return super().get_queryset().order_by("call_id", F("rank").asc(nulls_last=True), "id")

    def perform_destroy(self, instance):
        services.application_delete(application=instance, acting_user=self.request.user)

    @extend_schema(request=WithdrawSerializer, responses={200: ApplicationSerializer}, summary=_("Withdraw"))
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The applicant steps back; after confirmation the first on the waiting list is nominated instead."""
        application = self.get_object()
        arguments = WithdrawSerializer(data=request.data)
        arguments.is_valid(raise_exception=True)
        services.application_withdraw(
            application=application, acting_user=request.user, reason=arguments.validated_data.get("reason", "")
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=application.pk)).data)


# Mobilities ------------------------------------------------------------------------------


class MobilitySerializer(serializers.ModelSerializer):
    owner = _owner_field(_("The home organisation that keeps the record; yours when not given."))
    full_name = serializers.CharField(max_length=200, allow_null=True, help_text=PERSONAL_HELP)
    email = serializers.EmailField(required=False, allow_blank=True, allow_null=True, help_text=PERSONAL_HELP)
    student_number = serializers.CharField(
        max_length=40, required=False, allow_blank=True, allow_null=True, help_text=PERSONAL_HELP
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True, help_text=PERSONAL_HELP)
    nationality = serializers.CharField(
        max_length=2, required=False, allow_blank=True, allow_null=True, help_text=PERSONAL_HELP
    )
    person = VisibleRelatedField(
        queryset=Person.objects.all(),
        required=False,
        allow_null=True,
        label=_("person in the directory"),
        help_text=PERSONAL_HELP,
    )
    home_organization = VisibleRelatedField(
        queryset=Organization.objects.all(),
        required=False,
        label=_("sending organisation"),
        help_text=_("The owner when not given for an outgoing stay."),
    )
    host_organization = VisibleRelatedField(
        queryset=Organization.objects.all(),
        required=False,
        label=_("host organisation"),
        help_text=_("The owner when not given for an incoming stay."),
    )
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    programme = VisibleRelatedField(
        queryset=Programme.objects.all(), required=False, allow_null=True, label=_("programme")
    )
    agreement = VisibleRelatedField(
        queryset=Agreement.objects.all(), required=False, allow_null=True, label=_("agreement")
    )
    commitment = VisibleRelatedField(
        queryset=Commitment.objects.all(), required=False, allow_null=True, label=_("commitment fulfilled")
    )
    allocation = VisibleRelatedField(
        queryset=Allocation.objects.all(), required=False, allow_null=True, label=_("quota or funding")
    )
    display_name = serializers.SerializerMethodField()
    allowed_transitions = serializers.SerializerMethodField()
    allow_over_quota = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text=_("Record it even when it goes beyond its allocation (otherwise 400 with code quota_exceeded)."),
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = Mobility
        fields = [
            "id",
            "owner",
            "direction",
            "category",
            "display_name",
            "full_name",
            "email",
            "student_number",
            "date_of_birth",
            "gender",
            "nationality",
            "fictitious",
            "person",
            "home_organization",
            "host_organization",
            "partner",
            "partner_name",
            "programme",
            "agreement",
            "commitment",
            "allocation",
            "application",
            "funding_amount",
            "funding_note",
            "level",
            "subject_area",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "status",
            "cancellation_reason",
            "allowed_transitions",
            "academic_year",
            "months",
            "note",
            "allow_over_quota",
            "url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "partner",
            "application",
            "status",
            "cancellation_reason",
            "academic_year",
            "months",
            "created_at",
            "updated_at",
        ]

    def get_display_name(self, mobility) -> str:
        return selectors.display_name(_user(self), mobility)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=list(services.TRANSITIONS))))
    def get_allowed_transitions(self, mobility):
        return services.allowed_transitions(mobility)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, mobility) -> str:
        return _absolute(self, mobility.get_absolute_url())

    def validate_owner(self, value):
        return _check_owner_in_scope(self, value)

    def validate_full_name(self, value):
        if value is None:
            raise serializers.ValidationError(_("Give the person's name."))
        return value

    def to_representation(self, mobility):
        data = super().to_representation(mobility)
        if not selectors.may_see_personal(_user(self), mobility.owner_id):
            _hide_personal(data, MOBILITY_PERSONAL)
        return data

    def create(self, validated):
        allow = validated.pop("allow_over_quota", False)
        return services.mobility_create(acting_user=_user(self), data=validated, allow_over_quota=allow)

    def update(self, instance, validated):
        allow = validated.pop("allow_over_quota", False)
        return services.mobility_update(
            mobility=instance, acting_user=_user(self), data=validated, allow_over_quota=allow
        )


def mobility_exception_handler(exc, context):
    """As every API error, and ``code: quota_exceeded`` when an allocation would be exceeded."""
    response = exception_handler(exc, context)
    if isinstance(exc, services.QuotaExceeded) and response is not None:
        response.data["code"] = "quota_exceeded"
    return response


class StartSerializer(serializers.Serializer):
    started_on = serializers.DateField(
        label=_("started on"), required=False, allow_null=True, help_text=_("The planned start when not given.")
    )


class CompleteSerializer(serializers.Serializer):
    ended_on = serializers.DateField(
        label=_("ended on"), required=False, allow_null=True, help_text=_("The planned end when not given.")
    )


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(label=_("reason for cancellation"))


@extend_schema(tags=["mobility"])
class MobilityViewSet(RestrictedModelViewSet):
    """Mobilities, incoming and outgoing: who goes where, under which programme, agreement and quota.

    ``status`` moves only through ``confirm``, ``start``, ``complete`` and ``cancel``.
    Linking a mobility to an allocation with nothing left is refused with ``code:
    quota_exceeded`` unless ``allow_over_quota`` is true.
    """

    serializer_class = MobilitySerializer
    filterset_class = MobilityFilter
    selector = staticmethod(selectors.mobility_list)

    def get_exception_handler(self):
        return mobility_exception_handler

    def perform_destroy(self, instance):
        services.mobility_delete(mobility=instance, acting_user=self.request.user)

    def _transition(self, run, serializer_class=None):
        mobility = self.get_object()
        arguments = {}
        if serializer_class is not None:
            checked = serializer_class(data=self.request.data)
            checked.is_valid(raise_exception=True)
            arguments = checked.validated_data
        run(mobility, arguments)
        return Response(self.get_serializer(self.get_queryset().get(pk=mobility.pk)).data)

    @extend_schema(request=None, responses={200: MobilitySerializer}, summary=_("Confirm"))
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """A nominated mobility is confirmed by the host."""
        return self._transition(lambda m, a: services.mobility_confirm(mobility=m, acting_user=request.user))

    @extend_schema(request=StartSerializer, responses={200: MobilitySerializer}, summary=_("Start"))
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """The stay has begun; its actual start is the planned one unless given."""
        return self._transition(
            lambda m, a: services.mobility_start(mobility=m, acting_user=request.user, started_on=a.get("started_on")),
            StartSerializer,
        )

    @extend_schema(request=CompleteSerializer, responses={200: MobilitySerializer}, summary=_("Complete"))
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """The stay has ended; its actual end is the planned one unless given."""
        return self._transition(
            lambda m, a: services.mobility_complete(mobility=m, acting_user=request.user, ended_on=a.get("ended_on")),
            CompleteSerializer,
        )

    @extend_schema(request=CancelSerializer, responses={200: MobilitySerializer}, summary=_("Cancel"))
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """The stay will not happen (or stops), with the reason; it no longer counts."""
        return self._transition(
            lambda m, a: services.mobility_cancel(mobility=m, acting_user=request.user, reason=a["reason"]),
            CancelSerializer,
        )


@extend_schema(tags=["mobility"])
class CallViewSet(RestrictedModelViewSet):
    """Calls for applications: places, dates, eligibility and the weights of the score.

    ``select`` scores, ranks and selects (it may be run again until confirmed); ``confirm``
    nominates the selected, creating their outgoing mobilities. A change to the call or its
    applications clears a proposed selection.
    """

    serializer_class = CallSerializer
    filterset_class = CallFilter
    selector = staticmethod(selectors.call_list)

    def get_queryset(self):
        return super().get_queryset().order_by("-closes_on", "-id")

    def perform_destroy(self, instance):
        services.call_delete(call=instance, acting_user=self.request.user)

    @extend_schema(request=None, responses={200: SelectionSerializer}, summary=_("Run the selection"))
    @action(detail=True, methods=["post"])
    def select(self, request, pk=None):
        """Check eligibility, score, rank, select up to the places and put the rest on the waiting list."""
        call = self.get_object()
        outcomes = services.selection_run(call=call, acting_user=request.user)
        applications = {
            a.pk: a for a in Application.objects.filter(call=call).select_related("call").only("id", "call__owner_id")
        }
        fresh = self.get_queryset().get(pk=call.pk)
        context = self.get_serializer_context()
        rows = [
            {
                "application": outcome.id,
                "display_name": selectors.display_name(request.user, applications[outcome.id]),
                "status": outcome.status,
                "score": outcome.score,
                "rank": outcome.rank,
                "explanation": outcome.as_json(),
            }
            for outcome in outcomes
        ]
        return Response(SelectionSerializer({"call": fresh, "outcomes": rows}, context=context).data)

    @extend_schema(request=None, responses={201: MobilitySerializer(many=True)}, summary=_("Confirm the selection"))
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Confirm the proposed selection: every selected applicant is nominated with an outgoing mobility."""
        call = self.get_object()
        created = services.selection_confirm(call=call, acting_user=request.user)
        mobilities = (
            selectors.mobility_list(user=request.user)
            .select_related("application")
            .filter(pk__in=[m.pk for m in created])
        )
        mobilities = sorted(mobilities, key=lambda m: m.application.rank if m.application_id else 0)
        context = self.get_serializer_context()
        return Response(MobilitySerializer(mobilities, many=True, context=context).data, status=status.HTTP_201_CREATED)


# Exchange balance ------------------------------------------------------------------------


class BalanceRowSerializer(serializers.Serializer):
    key = serializers.IntegerField(help_text=_("The id of the partner or agreement; 0 for the totals."))
    label = serializers.CharField()
    year = serializers.CharField(help_text=_("The academic year, such as 2025/2026; empty for the totals."))
    incoming_people = serializers.IntegerField()
    outgoing_people = serializers.IntegerField()
    people_balance = serializers.IntegerField(help_text=_("Incoming minus outgoing people."))
    incoming_months = serializers.DecimalField(max_digits=10, decimal_places=1)
    outgoing_months = serializers.DecimalField(max_digits=10, decimal_places=1)
    months_balance = serializers.DecimalField(
        max_digits=10, decimal_places=1, help_text=_("Incoming minus outgoing months.")
    )


class BalanceSerializer(serializers.Serializer):
    by = serializers.ChoiceField(choices=[("partner", _("partner")), ("agreement", _("agreement"))])
    rows = BalanceRowSerializer(many=True)
    totals = BalanceRowSerializer()


@extend_schema(tags=["mobility"])
class MobilityBalanceViewSet(viewsets.GenericViewSet):
    """The exchange balance: incoming against outgoing people and months, per partner or agreement
    and academic year, over the mobilities the user may see (cancelled ones do not count).

    The mobility filters apply (``academic_year``, ``programme``, ``category``…).
    """

    serializer_class = BalanceSerializer
    filterset_class = MobilityFilter
    pagination_class = None

    def get_queryset(self):
        return Mobility.objects.restrict(self.request.user)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "by", str, enum=["partner", "agreement"], description=_("Group by partner (default) or agreement.")
            )
        ],
        responses={200: BalanceSerializer},
    )
    def list(self, request):
        by = request.query_params.get("by") or "partner"
        if by not in {"partner", "agreement"}:
            raise serializers.ValidationError({"by": [_("Group by partner or agreement.")]})
        balance = selectors.exchange_balance(self.filter_queryset(self.get_queryset()), by=by)
        return Response(BalanceSerializer({"by": by, "rows": balance.rows, "totals": balance.totals}).data)
