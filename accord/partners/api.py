"""REST API of the partner directory: the same selectors, filters and services as the pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from accord.core.api import RestrictedModelViewSet
from accord.partners import selectors, services
from accord.partners.choices import FactMetric, IdentifierScheme, NameKind
from accord.partners.filters import OrganizationFilter, PersonFilter
from accord.partners.models import Organization, OrganizationFact, OrganizationIdentifier, OrganizationName, Person


class ChildSerializer(serializers.ModelSerializer):
    """A nested row: with ``id`` it changes that row, with ``DELETE`` it removes it."""

    id = serializers.IntegerField(required=False)
    DELETE = serializers.BooleanField(required=False, write_only=True, help_text=_("Remove the row given by id."))


class NameSerializer(ChildSerializer):
    kind = serializers.ChoiceField(choices=NameKind.choices, default=NameKind.OFFICIAL)

    class Meta:
        model = OrganizationName
        fields = ["id", "name", "language", "kind", "DELETE"]


class IdentifierSerializer(ChildSerializer):
    scheme = serializers.ChoiceField(choices=IdentifierScheme.choices)

    class Meta:
        model = OrganizationIdentifier
        fields = ["id", "scheme", "value", "DELETE"]
        validators = []


class FactSerializer(ChildSerializer):
    metric = serializers.ChoiceField(choices=FactMetric.choices)

    class Meta:
        model = OrganizationFact
        fields = ["id", "metric", "year", "value", "note", "source", "DELETE"]


class OrganizationSerializer(serializers.ModelSerializer):
    names = NameSerializer(many=True, required=False)
    identifiers = IdentifierSerializer(many=True, required=False)
    facts = FactSerializer(many=True, required=False)
    allow_similar = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text=_("Create even when an organisation with a close name exists (otherwise 409)."),
    )

    class Meta:
        model = Organization
        fields = [
            "id",
            "kind",
            "name",
            "name_language",
            "country",
            "subdivision",
            "city",
            "website",
            "parent",
            "is_home",
            "owner",
            "shared",
            "notes",
            "names",
            "identifiers",
            "facts",
            "allow_similar",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, attrs):
        # Model validation (country, subdivision, uniqueness) is the service's job, so that
        # the API and the pages give the same messages; here only types are checked.
        return attrs

    def create(self, validated):
        children = {key: validated.pop(key, None) for key in ("names", "identifiers", "facts")}
        allow_similar = validated.pop("allow_similar", False)
        return services.organization_create(
            acting_user=self.context["request"].user, data=validated, allow_similar=allow_similar, **children
        )

    def update(self, instance, validated):
        children = {key: validated.pop(key, None) for key in ("names", "identifiers", "facts")}
        validated.pop("allow_similar", None)
        return services.organization_update(
            organization=instance, acting_user=self.context["request"].user, data=validated, **children
        )


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = [
            "id",
            "honorific",
            "name",
            "other_names",
            "position",
            "affiliation",
            "email",
            "phone",
            "languages",
            "owner",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"owner": {"required": False}}

    def create(self, validated):
        return services.person_create(acting_user=self.context["request"].user, data=validated)

    def update(self, instance, validated):
        return services.person_update(person=instance, acting_user=self.context["request"].user, data=validated)


@extend_schema(tags=["partners"])
class OrganizationViewSet(RestrictedModelViewSet):
    """Organisations of the directory, with their names, identifiers and facts.

    Search with ``q`` ignores case and diacritics and covers every name and abbreviation.
    """

    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    selector = staticmethod(selectors.organization_list)

    def get_queryset(self):
        return super().get_queryset().prefetch_related("identifiers", "facts")

    def perform_destroy(self, instance):
        services.organization_delete(organization=instance, acting_user=self.request.user)


@extend_schema(tags=["partners"])
class PersonViewSet(RestrictedModelViewSet):
    """People kept by the user's organisations."""

    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    selector = staticmethod(selectors.person_list)

    def perform_destroy(self, instance):
        services.person_delete(person=instance, acting_user=self.request.user)
