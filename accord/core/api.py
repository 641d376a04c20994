"""What every API view shares: role permissions, tenancy and readable errors."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from accord.core.services import ConflictError
from accord.core.tenancy import scope_ids


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A related record by id, chosen among those the requesting user may see.

    A record outside the user's view is answered as if it did not exist.
    """

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        return queryset.restrict(request.user) if request is not None else queryset.none()


def request_user(serializer):
    return serializer.context["request"].user


def absolute_url(serializer, url: str) -> str:
    request = serializer.context.get("request")
    return request.build_absolute_uri(url) if request is not None else url


def owner_field(help_text):
    """The home organisation that keeps a record: the user's own or one below it."""
    from accord.partners.models import Organization

    return VisibleRelatedField(
        queryset=Organization.objects.filter(is_home=True), required=False, label=_("owner"), help_text=help_text
    )


def check_owner_in_scope(serializer, value):
    user = request_user(serializer)
    if value is not None and not user.is_superuser and value.pk not in scope_ids(user):
        raise serializers.ValidationError(_("Choose your own organisation or one below it."))
    return value


class RestrictedModelViewSet(viewsets.ModelViewSet):
    """A viewset whose rows are always ``restrict``-ed to the requesting user."""

    selector = None

    def get_queryset(self):
        return type(self).selector(user=self.request.user)


def exception_handler(exc, context):
    """Errors raised by services become 400/403/409 with the fields they name."""
    if isinstance(exc, ConflictError):
        return Response({"detail": exc.messages, "code": "conflict"}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        candidates = getattr(exc, "candidates", None)
        if candidates is not None:
            return Response(
                {
                    "detail": exc.messages,
                    "code": "similar",
                    "similar": [
                        {
                            "id": c.organization.pk,
                            "name": c.organization.name,
                            "matched_name": c.matched_name,
                            "score": c.score,
                        }
                        for c in candidates
                    ],
                },
                status=status.HTTP_409_CONFLICT,
            )
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)
