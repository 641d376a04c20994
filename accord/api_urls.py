"""The REST API, version 1: every area registers its viewsets on one router."""

from rest_framework.routers import DefaultRouter

from accord.agreements.api import AgreementDocumentViewSet, AgreementViewSet, CommitmentViewSet
from accord.partners.api import OrganizationViewSet, PersonViewSet

router = DefaultRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("people", PersonViewSet, basename="person")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("commitments", CommitmentViewSet, basename="commitment")
router.register("agreement-documents", AgreementDocumentViewSet, basename="agreement-document")

urlpatterns = router.urls
