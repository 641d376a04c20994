"""The REST API, version 1: every area registers its viewsets on one router."""

from rest_framework.routers import DefaultRouter

from accord.agreements.api import AgreementDocumentViewSet, AgreementViewSet, CommitmentViewSet
from accord.engagements.api import ActionViewSet, EngagementSeriesViewSet, EngagementViewSet
from accord.partners.api import OrganizationViewSet, PersonViewSet
from accord.sources.api import CitationViewSet, SourceViewSet, StoryViewSet

router = DefaultRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("people", PersonViewSet, basename="person")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("commitments", CommitmentViewSet, basename="commitment")
router.register("agreement-documents", AgreementDocumentViewSet, basename="agreement-document")
router.register("engagements", EngagementViewSet, basename="engagement")
router.register("actions", ActionViewSet, basename="action")
router.register("engagement-series", EngagementSeriesViewSet, basename="engagement-series")
router.register("sources", SourceViewSet, basename="source")
router.register("stories", StoryViewSet, basename="story")
router.register("citations", CitationViewSet, basename="citation")

urlpatterns = router.urls
