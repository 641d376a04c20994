"""What every API view shares: role permissions, tenancy and readable errors."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from accord.core.services import ConflictError


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
