"""The REST API, version 1: every area registers its viewsets on one router."""

from rest_framework.routers import DefaultRouter

from accord.partners.api import OrganizationViewSet, PersonViewSet

router = DefaultRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("people", PersonViewSet, basename="person")

urlpatterns = router.urls
