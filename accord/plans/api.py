"""REST API of plans, their tasks, the records linked to tasks, and indicators: the same selectors,
filters and services as the pages.

An indicator's ``actual`` is either the figure entered by hand (rule ``manual``, with its
evidence) or computed by its rule from the records; ``computed`` says which, ``percent`` is
the actual against the target (capped at 100). A task-based rule needs a task of the same
plan, a target is never negative and a computed indicator takes no entered actual: each is
refused with 400 naming the field. A plan comes with its progress (tasks, done, overdue, mean
progress of the tasks that are not cancelled).
"""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from accord.agreements.api import VisibleRelatedField
from accord.core.api import RestrictedModelViewSet
from accord.core.api import absolute_url as _absolute
from accord.core.api import request_user as _user
from accord.core.tenancy import scope_ids
from accord.partners.models import Organization
from accord.plans import selectors, services
from accord.plans.filters import RECORD_KINDS, IndicatorFilter, PlanFilter, TaskFilter, TaskLinkFilter
from accord.plans.models import Indicator, Plan, Task, TaskLink, TaskStatus
from accord.sources.models import Source


def _stays(serializer, attrs, field: str, message):
    """A child stays on its parent: a different ``field`` on update is refused."""
    if serializer.instance is not None and field in attrs:
        if attrs.pop(field) != getattr(serializer.instance, field):
            raise serializers.ValidationError({field: [message]})


class ProgressSerializer(serializers.Serializer):
    tasks = serializers.IntegerField(help_text=_("Tasks that are not cancelled."))
    done = serializers.IntegerField()
    overdue = serializers.IntegerField(help_text=_("Past their deadline and not done."))
    mean_progress = serializers.IntegerField(help_text=_("The mean progress of the tasks, in per cent."))


class PlanSerializer(serializers.ModelSerializer):
    owner = VisibleRelatedField(
        queryset=Organization.objects.filter(is_home=True),
        required=False,
        label=_("issued by"),
        help_text=_("The home organisation that issued the plan; yours when not given."),
    )
    document = VisibleRelatedField(
        queryset=Source.objects.all(), required=False, allow_null=True, label=_("the plan's document")
    )
    progress = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "id",
            "owner",
            "number",
            "title",
            "issued_on",
            "starts_on",
            "ends_on",
            "objectives",
            "document",
            "progress",
            "url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators = []

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, plan):
        progress = selectors.plan_progress(plan, plan.tasks.all())
        return ProgressSerializer(progress).data

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, plan) -> str:
        return _absolute(self, plan.get_absolute_url())

    def validate_owner(self, value):
        user = _user(self)
        if value is not None and not user.is_superuser and value.pk not in scope_ids(user):
            raise serializers.ValidationError(_("Choose your own organisation or one below it."))
        return value

    def create(self, validated):
        return services.plan_create(acting_user=_user(self), data=validated)

    def update(self, instance, validated):
        return services.plan_update(plan=instance, acting_user=_user(self), data=validated)


@extend_schema(tags=["plans"])
class PlanViewSet(RestrictedModelViewSet):
    """Plans issued by the user's organisations (such as Plan No. 850/KH-SGDĐT), with their progress.

    Deleting a plan deletes its tasks, their links and its indicators.
    """

    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    selector = staticmethod(selectors.plan_list)

    def get_queryset(self):
        return super().get_queryset().prefetch_related("tasks").order_by(*Plan._meta.ordering)

    def perform_destroy(self, instance):
        services.plan_delete(plan=instance, acting_user=self.request.user)


class TaskSerializer(serializers.ModelSerializer):
    plan = VisibleRelatedField(queryset=Plan.objects.all(), label=_("plan"))
    responsible = VisibleRelatedField(
        queryset=Organization.objects.all(),
        many=True,
        required=False,
        label=_("responsible organisations"),
        help_text=_("The ids of the organisations carrying the task out; the list replaces the one recorded."),
    )
    overdue = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "plan",
            "position",
            "title",
            "description",
            "responsible",
            "deadline",
            "status",
            "progress",
            "overdue",
            "url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_overdue(self, task) -> bool:
        today = self.context.get("today")
        if today is None:
            from django.utils import timezone

            today = self.context["today"] = timezone.localdate()
        return bool(
            task.deadline and task.deadline < today and task.status not in (TaskStatus.DONE, TaskStatus.CANCELLED)
        )

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, task) -> str:
        return _absolute(self, task.get_absolute_url())

    def validate(self, attrs):
        _stays(self, attrs, "plan", _("A task stays in its plan; delete it and add it to the other plan."))
        return attrs

    def create(self, validated):
        plan = validated.pop("plan")
        responsible = validated.pop("responsible", None)
        return services.task_create(acting_user=_user(self), plan=plan, data=validated, responsible=responsible)

    def update(self, instance, validated):
        responsible = validated.pop("responsible", None)
        return services.task_update(task=instance, acting_user=_user(self), data=validated, responsible=responsible)


@extend_schema(tags=["plans"])
class TaskViewSet(RestrictedModelViewSet):
    """Tasks of the plans: who carries each out, by when, its status and progress.

    ``overdue`` is true for a task past its deadline that is neither done nor cancelled
    (filter with ``?overdue=true``). A task marked done has progress 100.
    """

    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    selector = staticmethod(selectors.task_list)

    def get_queryset(self):
        return super().get_queryset().order_by(*Task._meta.ordering)

    def perform_destroy(self, instance):
        services.task_delete(task=instance, acting_user=self.request.user)


class IndicatorSerializer(serializers.ModelSerializer):
    plan = VisibleRelatedField(queryset=Plan.objects.all(), label=_("plan"))
    task = VisibleRelatedField(queryset=Task.objects.all(), required=False, allow_null=True, label=_("task"))
    evidence_source = VisibleRelatedField(
        queryset=Source.objects.all(), required=False, allow_null=True, label=_("evidence source")
    )
    rule_label = serializers.CharField(source="get_rule_display", read_only=True)
    actual = serializers.SerializerMethodField(help_text=_("The figure entered, or computed by the rule."))
    computed = serializers.SerializerMethodField()
    percent = serializers.SerializerMethodField(
        help_text=_("The actual against the target, in per cent (at most 100).")
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "id",
            "plan",
            "task",
            "position",
            "name",
            "unit",
            "target",
            "rule",
            "rule_label",
            "actual_entered",
            "evidence",
            "evidence_source",
            "actual",
            "computed",
            "percent",
            "url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def _actual(self, indicator) -> selectors.Actual:
        found = self.context.setdefault("actuals", {})
        if indicator.pk not in found:
            found.update(selectors.actuals([indicator]))
        return found[indicator.pk]

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True))
    def get_actual(self, indicator):
        value = self._actual(indicator).value
        return None if value is None else f"{value:.2f}"

    def get_computed(self, indicator) -> bool:
        return self._actual(indicator).computed

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_percent(self, indicator):
        return self._actual(indicator).percent_of(indicator.target)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, indicator) -> str:
        return _absolute(self, indicator.get_absolute_url())

    def validate(self, attrs):
        _stays(self, attrs, "plan", _("An indicator stays in its plan."))
        return attrs

    def create(self, validated):
        plan = validated.pop("plan")
        return services.indicator_create(acting_user=_user(self), plan=plan, data=validated)

    def update(self, instance, validated):
        return services.indicator_update(indicator=instance, acting_user=_user(self), data=validated)


@extend_schema(tags=["plans"])
class IndicatorViewSet(RestrictedModelViewSet):
    """Indicators of the plans, each with a target and its actual.

    Rules: ``manual`` (entered in ``actual_entered`` with ``evidence`` or ``evidence_source``),
    ``people_trained`` and ``engagements_linked`` (counted from the records linked to ``task``),
    ``agreements_signed``, ``outgoing_students``, ``incoming_people`` and ``projects_running``
    (counted over the plan's period for its issuer and the organisations under it).
    """

    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    selector = staticmethod(selectors.indicator_list)

    def get_queryset(self):
        return super().get_queryset().order_by(*Indicator._meta.ordering)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        context = self.get_serializer_context()
        # The actuals of the whole page in a fixed number of queries.
        context["actuals"] = selectors.actuals(rows)
        serializer = self.get_serializer_class()(rows, many=True, context=context)
        if page is not None:
            return self.get_paginated_response(serializer.data)
        return Response(serializer.data)

    def perform_destroy(self, instance):
        services.indicator_delete(indicator=instance, acting_user=self.request.user)


class RecordTypeField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=RECORD_KINDS, **kwargs)

    def to_representation(self, value):
        return f"{value.app_label}.{value.model}"


class TaskLinkSerializer(serializers.ModelSerializer):
    task = VisibleRelatedField(queryset=Task.objects.all(), label=_("task"))
    record_type = RecordTypeField(source="content_type", label=_("kind of record"))
    record_id = serializers.IntegerField(source="object_id", min_value=1, label=_("record"))
    record_label = serializers.SerializerMethodField()
    record_url = serializers.SerializerMethodField()

    class Meta:
        model = TaskLink
        fields = ["id", "task", "record_type", "record_id", "record_label", "record_url", "note", "created_at"]
        read_only_fields = ["created_at"]

    def _record(self, link):
        found = self.context.setdefault("records", {})
        key = (link.content_type_id, link.object_id)
        if key not in found:
            found.update(selectors.records_for_links([link], _user(self)))
            found.setdefault(key, None)
        return found[key]

    def get_record_label(self, link) -> str | None:
        record = self._record(link)
        return None if record is None else selectors.record_label(_user(self), record)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_record_url(self, link):
        record = self._record(link)
        return None if record is None else _absolute(self, record.get_absolute_url())

    def create(self, validated):
        model = apps.get_model(validated.pop("content_type"))
        record = model.objects.restrict(_user(self)).filter(pk=validated["object_id"]).first()
        if record is None:
            raise serializers.ValidationError({"record_id": [_("Choose a record you can see.")]})
        return services.task_link_add(
            acting_user=_user(self), task=validated["task"], record=record, note=validated.get("note", "")
        )


@extend_schema(tags=["plans"])
class TaskLinkViewSet(RestrictedModelViewSet):
    """The records linked to tasks as evidence: engagements, agreements, mobilities and projects.

    A link is added (POST with ``task``, ``record_type`` and ``record_id``) or removed; it is
    not changed. A stay is named by the person only for those who may see personal data.
    """

    http_method_names = ["get", "post", "delete", "head", "options"]
    serializer_class = TaskLinkSerializer
    filterset_class = TaskLinkFilter

    @staticmethod
    def selector(*, user):
        return TaskLink.objects.restrict(user).select_related("content_type").order_by("task_id", "id")

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        context = self.get_serializer_context()
        context["records"] = selectors.records_for_links(rows, request.user)
        for link in rows:
            context["records"].setdefault((link.content_type_id, link.object_id), None)
        serializer = self.get_serializer_class()(rows, many=True, context=context)
        if page is not None:
            return self.get_paginated_response(serializer.data)
        return Response(serializer.data)

    def perform_destroy(self, instance):
        services.task_link_remove(link=instance, acting_user=self.request.user)
