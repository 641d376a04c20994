"""REST API of agreements: the same selectors, filters and services as the pages.

Agreements are written with their titles, parties and commitments in one request; the
lifecycle (sign, terminate, renew) is a POST on the agreement, never a change of ``status``.
Documents are uploaded as multipart and checked by their content, like on the pages.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accord.agreements import selectors, services
from accord.agreements.choices import AgreementHealth, AgreementStatus, DocumentKind, Fulfilment
from accord.agreements.filters import AgreementFilter
from accord.agreements.models import (
    ActivityType,
    Agreement,
    AgreementDocument,
    AgreementEvent,
    AgreementParty,
    AgreementTitle,
    Commitment,
    Evidence,
)
from accord.core.api import RestrictedModelViewSet, VisibleRelatedField
from accord.core.tenancy import scope_ids
from accord.partners.api import ChildSerializer
from accord.partners.models import Organization, Person

# Statuses a client may set directly; the others come from the lifecycle actions.
EDITABLE_STATUSES = (AgreementStatus.DRAFT, AgreementStatus.NEGOTIATING)


class TitleSerializer(ChildSerializer):
    class Meta:
        model = AgreementTitle
        fields = ["id", "language", "title", "DELETE"]
        validators = []


class PartySerializer(ChildSerializer):
    organization = VisibleRelatedField(queryset=Organization.objects.all(), label=_("organisation"))
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    signatory = VisibleRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True, label=_("signed by")
    )

    class Meta:
        model = AgreementParty
        fields = [
            "id",
            "organization",
            "organization_name",
            "role",
            "signatory",
            "signatory_name",
            "signed_on",
            "DELETE",
        ]
        validators = []


class FulfilmentSerializer(serializers.Serializer):
    """How far a commitment is kept in the current academic year, from its evidence."""

    state = serializers.ChoiceField(choices=Fulfilment.choices)
    label = serializers.CharField()
    done = serializers.DecimalField(max_digits=12, decimal_places=2)
    target = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    percent = serializers.IntegerField()
    year = serializers.CharField(help_text=_("The academic year, such as 2025/2026."))
    last = serializers.DateField(allow_null=True, help_text=_("The date of the latest evidence."))


class CommitmentSerializer(ChildSerializer):
    activity_type = serializers.SlugRelatedField(
        slug_field="code", queryset=ActivityType.objects.all(), label=_("activity")
    )
    activity_label = serializers.SerializerMethodField()
    fulfilment = serializers.SerializerMethodField()

    class Meta:
        model = Commitment
        fields = [
            "id",
            "activity_type",
            "activity_label",
            "description",
            "direction",
            "quantity_per_year",
            "unit",
            "academic_years",
            "subject_areas",
            "language",
            "cefr_level",
            "eqf_levels",
            "position",
            "fulfilment",
            "DELETE",
        ]

    def get_activity_label(self, commitment) -> str:
        return commitment.activity_type.label()

    @extend_schema_field(FulfilmentSerializer)
    def get_fulfilment(self, commitment):
        state = selectors.fulfilment(commitment)
        return FulfilmentSerializer(
            {
                "state": state.state,
                "label": state.label,
                "done": state.done,
                "target": state.target,
                "percent": state.percent,
                "year": state.year,
                "last": state.last,
            }
        ).data


class CommitmentReadSerializer(CommitmentSerializer):
    """A commitment on its own, with the agreement it belongs to."""

    class Meta(CommitmentSerializer.Meta):
        fields = ["agreement", *[f for f in CommitmentSerializer.Meta.fields if f != "DELETE"]]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()

    class Meta:
        model = AgreementEvent
        fields = ["kind", "date", "actor", "parameters"]
        read_only_fields = fields


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evidence
        fields = ["id", "commitment", "happened_on", "note", "quantity", "url", "created_at"]
        read_only_fields = fields


class AgreementSerializer(serializers.ModelSerializer):
    owner = VisibleRelatedField(
        queryset=Organization.objects.filter(is_home=True),
        required=False,
        label=_("owner"),
        help_text=_("The home organisation that keeps the agreement; yours when not given."),
    )
    status = serializers.ChoiceField(
        choices=AgreementStatus.choices,
        required=False,
        help_text=_("Only draft or negotiating may be set; sign, terminate and renew change it otherwise."),
    )
    health = serializers.SerializerMethodField()
    successor = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    titles = TitleSerializer(many=True, required=False)
    parties = PartySerializer(many=True, required=False)
    commitments = CommitmentSerializer(many=True, required=False)
    events = EventSerializer(many=True, read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "kind",
            "title",
            "title_language",
            "reference",
            "owner",
            "status",
            "health",
            "signed_on",
            "effective_on",
            "expires_on",
            "auto_renewal",
            "renewal_lead_days",
            "renewal_starts_on",
            "predecessor",
            "successor",
            "terminated_on",
            "termination_reason",
            "summary",
            "notes",
            "titles",
            "parties",
            "commitments",
            "events",
            "url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "renewal_starts_on",
            "predecessor",
            "terminated_on",
            "termination_reason",
            "created_at",
            "updated_at",
        ]
        # Uniqueness of the reference is the service's check, with the pages' message.
        validators = []

    @extend_schema_field(serializers.ChoiceField(choices=AgreementHealth.choices))
    def get_health(self, agreement) -> str:
        return selectors.health(agreement)

    @extend_schema_field(OpenApiTypes.INT)
    def get_successor(self, agreement):
        try:
            return agreement.successor.pk
        except Agreement.successor.RelatedObjectDoesNotExist:
            return None

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, agreement) -> str:
        request = self.context.get("request")
        url = agreement.get_absolute_url()
        return request.build_absolute_uri(url) if request is not None else url

    def validate_owner(self, value):
        user = self.context["request"].user
        if value is not None and not user.is_superuser and value.pk not in scope_ids(user):
            raise serializers.ValidationError(_("Choose your own organisation or one below it."))
        return value

    def validate_status(self, value):
        current = self.instance.status if self.instance is not None else None
        if value not in EDITABLE_STATUSES and value != current:
            raise serializers.ValidationError(
                _("Only draft or negotiating can be set here; use the sign, terminate and renew actions.")
            )
        return value

    def validate(self, attrs):
        # Dates, parties and commitment values are checked by the service, so that the API
        # and the pages give the same messages; here only types are checked.
        return attrs

    def _split(self, validated):
        return {key: validated.pop(key, None) for key in ("titles", "parties", "commitments")}

    def create(self, validated):
        children = self._split(validated)
        return services.agreement_create(acting_user=self.context["request"].user, data=validated, **children)

    def update(self, instance, validated):
        children = self._split(validated)
        return services.agreement_update(
            agreement=instance, acting_user=self.context["request"].user, data=validated, **children
        )


class SignSerializer(serializers.Serializer):
    signed_on = serializers.DateField(label=_("signed on"))
    effective_on = serializers.DateField(
        label=_("in effect from"), required=False, allow_null=True, help_text=_("The signature date when not given.")
    )


class TerminateSerializer(serializers.Serializer):
    terminated_on = serializers.DateField(label=_("terminated on"))
    reason = serializers.CharField(label=_("reason for termination"))


class RenewSerializer(serializers.Serializer):
    expires_on = serializers.DateField(
        label=_("expires on"), allow_null=True, help_text=_("The expiry of the renewed agreement; null for none.")
    )
    signed_on = serializers.DateField(
        label=_("signed on"),
        required=False,
        allow_null=True,
        help_text=_("Sign the renewal at once, which supersedes this agreement."),
    )
    title = serializers.CharField(label=_("title"), required=False, allow_blank=True, max_length=500)


@extend_schema(tags=["agreements"])
class AgreementViewSet(RestrictedModelViewSet):
    """Agreements kept by the user's organisations, with titles, parties and commitments.

    Search with ``q`` ignores case and diacritics and covers titles, references and parties.
    Only drafts can be deleted; a signed agreement is terminated instead.
    """

    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter
    selector = staticmethod(selectors.agreement_list)

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(
                "titles",
                "events__actor",
                Prefetch(
                    "commitments",
                    queryset=Commitment.objects.select_related("activity_type").prefetch_related(
                        "evidence", selectors.counted_mobilities()
                    ),
                ),
            )
        )

    def perform_destroy(self, instance):
        services.agreement_delete(agreement=instance, acting_user=self.request.user)

    def _lifecycle(self, serializer_class, run, created=False):
        agreement = self.get_object()
        arguments = serializer_class(data=self.request.data, context=self.get_serializer_context())
        arguments.is_valid(raise_exception=True)
        result = run(agreement, arguments.validated_data)
        fresh = self.get_queryset().get(pk=result.pk)
        return Response(
            self.get_serializer(fresh).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(request=SignSerializer, responses={200: AgreementSerializer}, summary=_("Sign"))
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """Record the signature: the agreement becomes active (a signed renewal supersedes the old one)."""
        return self._lifecycle(
            SignSerializer,
            lambda agreement, data: services.agreement_sign(agreement=agreement, acting_user=request.user, **data),
        )

    @extend_schema(request=TerminateSerializer, responses={200: AgreementSerializer}, summary=_("Terminate"))
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        """End an active agreement before its expiry, with the reason."""
        return self._lifecycle(
            TerminateSerializer,
            lambda agreement, data: services.agreement_terminate(agreement=agreement, acting_user=request.user, **data),
        )

    @extend_schema(request=RenewSerializer, responses={201: AgreementSerializer}, summary=_("Renew"))
    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        """Create the successor with the same parties and commitments; answers with the successor."""
        return self._lifecycle(
            RenewSerializer,
            lambda agreement, data: services.agreement_renew(agreement=agreement, acting_user=request.user, **data),
            created=True,
        )


def commitment_list(*, user):
    return (
        Commitment.objects.restrict(user)
        .select_related("agreement", "activity_type")
        .prefetch_related("evidence", selectors.counted_mobilities())
        .order_by("agreement_id", "position", "id")
    )


@extend_schema(tags=["agreements"])
class CommitmentViewSet(RestrictedModelViewSet):
    """The commitments of the agreements the user may see, with their fulfilment this academic year.

    Commitments are written with their agreement (``/agreements/``).
    """

    http_method_names = ["get", "head", "options"]
    serializer_class = CommitmentReadSerializer
    filterset_fields = ["agreement"]
    selector = staticmethod(commitment_list)

    @extend_schema(responses={200: EvidenceSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def evidence(self, request, pk=None):
        """The evidence recorded for the commitment, newest first."""
        commitment = self.get_object()
        rows = commitment.evidence.order_by("-happened_on", "-id")
        return Response(EvidenceSerializer(rows, many=True, context=self.get_serializer_context()).data)


class DocumentSerializer(serializers.ModelSerializer):
    agreement = VisibleRelatedField(queryset=Agreement.objects.all(), label=_("agreement"))
    kind = serializers.ChoiceField(choices=DocumentKind.choices, default=DocumentKind.SIGNED)
    file = serializers.FileField(
        write_only=True, help_text=_("A PDF, Word (DOCX), PNG or JPEG file, recognised by its content.")
    )
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = AgreementDocument
        fields = [
            "id",
            "agreement",
            "kind",
            "language",
            "file",
            "filename",
            "content_type",
            "size",
            "sha256",
            "download_url",
            "created_at",
        ]
        read_only_fields = ["filename", "content_type", "size", "sha256", "created_at"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, document) -> str:
        request = self.context.get("request")
        url = document.get_absolute_url()
        return request.build_absolute_uri(url) if request is not None else url

    def create(self, validated):
        return services.document_add(
            agreement=validated["agreement"],
            acting_user=self.context["request"].user,
            upload=validated["file"],
            kind=validated.get("kind", DocumentKind.SIGNED),
            language=validated.get("language", ""),
        )


def document_list(*, user):
    return AgreementDocument.objects.restrict(user).select_related("agreement").order_by("agreement_id", "kind", "id")


@extend_schema(tags=["agreements"])
class AgreementDocumentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Documents of agreements: metadata, upload (multipart) and download.

    The file itself is served by ``download`` (or the page at ``download_url``), only to
    readers of the agreement.
    """

    serializer_class = DocumentSerializer
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["agreement"]

    def get_queryset(self):
        return document_list(user=self.request.user)

    def perform_destroy(self, instance):
        services.document_delete(document=instance, acting_user=self.request.user)

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            404: inline_serializer("DocumentNotFound", {"detail": serializers.CharField()}),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The file, as an attachment with its original name."""
        document = self.get_object()
        try:
            handle = document.file.open("rb")
        except (FileNotFoundError, ValueError) as exc:
            raise Http404 from exc
        response = FileResponse(
            handle, as_attachment=True, filename=document.filename, content_type=document.content_type
        )
        response["Cache-Control"] = "private, no-store"
        return response
