"""REST API of sources, stories and citations: the same selectors and services as the pages.

A source is sent as JSON, or as multipart with its ``file``. A cited source is deleted only
with ``?remove_citations=true``, so no record is left citing nothing by accident. A citation
names its record by ``record_type`` (one of ``RECORD_TYPES``) and ``record_id``.
"""

from __future__ import annotations

import django_filters
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from accord.agreements.api import VisibleRelatedField
from accord.core.api import RestrictedModelViewSet
from accord.core.api import absolute_url as _absolute
from accord.core.api import check_owner_in_scope as _check_owner_in_scope
from accord.core.api import owner_field as _owner_field
from accord.core.tenancy import CHANGE
from accord.sources import selectors, services
from accord.sources.filters import SourceFilter, StoryFilter
from accord.sources.models import Citation, Source, Story

# The records a citation may be attached to, as "app_label.model".
RECORD_TYPES = [
    ("partners.organization", _("Organisation")),
    ("agreements.agreement", _("Agreement")),
    ("agreements.commitment", _("Commitment")),
    ("engagements.engagement", _("Engagement")),
    ("engagements.followupaction", _("Follow-up action")),
    ("mobility.programme", _("Programme")),
    ("funding.fundingscheme", _("Funding scheme")),
    ("funding.project", _("Project")),
    ("plans.plan", _("Plan")),
]
TRUE_WORDS = {"1", "true", "yes", "on"}


class SourceSerializer(serializers.ModelSerializer):
    owner = _owner_field(_("The home organisation that keeps the source; yours when not given."))
    story = VisibleRelatedField(queryset=Story.objects.all(), required=False, allow_null=True, label=_("story"))
    file = serializers.FileField(
        write_only=True,
        required=False,
        help_text=_("The source itself (a scan, a PDF…), sent as multipart when the source is created."),
    )
    file_url = serializers.SerializerMethodField()
    citation_count = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Source
        fields = [
            "id",
            "kind",
            "title",
            "url",
            "publisher",
            "published_on",
            "language",
            "text",
            "story",
            "owner",
            "file",
            "filename",
            "file_url",
            "citation_count",
            "page_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["filename", "created_at", "updated_at"]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_file_url(self, source):
        if not source.file:
            return None
        return _absolute(self, reverse("sources:source_file", args=[source.pk]))

    def get_citation_count(self, source) -> int:
        counted = getattr(source, "citation_count", None)
        return counted if counted is not None else source.citations.count()

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, source) -> str:
        return _absolute(self, source.get_absolute_url())

    def validate_owner(self, value):
        return _check_owner_in_scope(self, value)

    def validate_file(self, value):
        if self.instance is not None:
            raise serializers.ValidationError(_("The file of a source cannot be replaced; add a new source."))
        return value

    def validate(self, attrs):
        # "Give the address, the text or a file" is the service's check, as on the pages.
        return attrs

    def create(self, validated):
        upload = validated.pop("file", None)
        return services.source_create(acting_user=self.context["request"].user, data=validated, upload=upload)

    def update(self, instance, validated):
        return services.source_update(source=instance, acting_user=self.context["request"].user, data=validated)


@extend_schema(tags=["sources"])
class SourceViewSet(RestrictedModelViewSet):
    """Sources (articles, letters, reports, minutes) kept by the user's organisations.

    Search with ``q`` ignores case and diacritics and covers the title, publisher, address
    and text. The file is given once, at creation.
    """

    serializer_class = SourceSerializer
    filterset_class = SourceFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    selector = staticmethod(selectors.source_list)

    def get_queryset(self):
        # The citation count groups the rows, which drops the model's ordering.
        return super().get_queryset().order_by("-published_on", "-id")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "remove_citations",
                OpenApiTypes.BOOL,
                description=_("Delete a cited source together with its citations (otherwise 400)."),
            )
        ]
    )
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance):
        confirmed = self.request.query_params.get("remove_citations", "").lower() in TRUE_WORDS
        services.source_delete(source=instance, acting_user=self.request.user, remove_citations=confirmed)


class StorySerializer(serializers.ModelSerializer):
    owner = _owner_field(_("The home organisation that keeps the story; yours when not given."))
    sources = VisibleRelatedField(
        queryset=Source.objects.all(),
        many=True,
        required=False,
        label=_("sources"),
        help_text=_("The ids of the sources telling the story; on a change, the list replaces them."),
    )
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Story
        fields = ["id", "title", "summary", "owner", "sources", "page_url", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, story) -> str:
        return _absolute(self, story.get_absolute_url())

    def validate_owner(self, value):
        return _check_owner_in_scope(self, value)

    def create(self, validated):
        return services.story_create(acting_user=self.context["request"].user, **validated)

    def update(self, instance, validated):
        sources = validated.pop("sources", None)
        return services.story_update(
            story=instance, acting_user=self.context["request"].user, data=validated, sources=sources
        )


@extend_schema(tags=["sources"])
class StoryViewSet(RestrictedModelViewSet):
    """Stories told by several sources, usually in several languages.

    Search with ``q`` covers the title and the words of the story's sources. ``sources``
    lists the sources telling the story; sent on a change, it replaces them.
    """

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    serializer_class = StorySerializer
    filterset_class = StoryFilter

    def get_queryset(self):
        user = self.request.user
        return (
            Story.objects.restrict(user)
            .select_related("owner")
            .prefetch_related(Prefetch("sources", queryset=Source.objects.restrict(user).only("id", "story_id")))
        )


class RecordTypeField(serializers.ChoiceField):
    """The kind of the cited record, as ``app_label.model``, read from its content type."""

    def __init__(self, **kwargs):
        super().__init__(choices=RECORD_TYPES, **kwargs)

    def to_representation(self, value):
        if isinstance(value, ContentType):
            return f"{value.app_label}.{value.model}"
        return super().to_representation(value)


class CitationSerializer(serializers.ModelSerializer):
    source = VisibleRelatedField(queryset=Source.objects.all(), label=_("source"))
    source_title = serializers.CharField(source="source.title", read_only=True)
    record_type = RecordTypeField(source="content_type", label=_("kind of record"))
    record_id = serializers.IntegerField(source="object_id", min_value=1, label=_("record"))
    record_label = serializers.SerializerMethodField()
    record_url = serializers.SerializerMethodField()

    class Meta:
        model = Citation
        fields = [
            "id",
            "source",
            "source_title",
            "record_type",
            "record_id",
            "record_label",
            "record_url",
            "passage",
            "note",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        # Citing the same passage twice is the service's check, with the pages' message.
        validators = []

    def get_record_label(self, citation) -> str:
        return str(citation.record) if citation.record is not None else ""

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_record_url(self, citation):
        record = citation.record
        if record is None or not hasattr(record, "get_absolute_url"):
            return None
        return _absolute(self, record.get_absolute_url())

    def validate(self, attrs):
        # The record must be one the user may change; one they cannot see is answered the
        # same way, so its existence is not revealed.
        model = apps.get_model(attrs["content_type"])
        user = self.context["request"].user
        record = model.objects.restrict(user, CHANGE).filter(pk=attrs["object_id"]).first()
        if record is None:
            raise serializers.ValidationError({"record_id": [_("Choose a record you can change.")]})
        attrs["record"] = record
        return attrs

    def create(self, validated):
        return services.citation_add(
            acting_user=self.context["request"].user,
            record=validated["record"],
            source=validated["source"],
            passage=validated.get("passage", ""),
            note=validated.get("note", ""),
        )


def citation_list(*, user):
    """Citations whose source and record the user may both see."""
    visible_records = Q()
    for label, _label in RECORD_TYPES:
        model = apps.get_model(label)
        visible_records |= Q(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=model.objects.restrict(user).values("pk"),
        )
    return (
        Citation.objects.restrict(user)
        .filter(visible_records)
        .select_related("source", "content_type")
        .prefetch_related("record")
        .order_by("id")
    )


class CitationFilter(django_filters.FilterSet):
    record_type = django_filters.ChoiceFilter(label=_("Kind of record"), choices=RECORD_TYPES, method="filter_type")
    record_id = django_filters.NumberFilter(label=_("Record"), field_name="object_id")
    source = django_filters.NumberFilter(label=_("Source"), field_name="source_id")

    class Meta:
        model = Citation
        fields = ["record_type", "record_id", "source"]

    def filter_type(self, queryset, name, value: str):
        app_label, model = value.split(".")
        return queryset.filter(content_type__app_label=app_label, content_type__model=model)


@extend_schema(tags=["sources"])
class CitationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Citations of sources on records: list those of a record with ``record_type`` and ``record_id``.

    Citing needs the right to change the record and to see the source.
    """

    serializer_class = CitationSerializer
    filterset_class = CitationFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            # The schema generator only needs the model, not the user's rows.
            return Citation.objects.none()
        return citation_list(user=self.request.user)

    def perform_destroy(self, instance):
        services.citation_delete(citation=instance, acting_user=self.request.user)
