"""The REST API, version 1: every area registers its viewsets on one router."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from accord.agreements.api import AgreementDocumentViewSet, AgreementViewSet, CommitmentViewSet
from accord.core.views_search import SearchViewSet
from accord.engagements.api import ActionViewSet, EngagementSeriesViewSet, EngagementViewSet
from accord.funding.api import AllocationViewSet, FundingSchemeViewSet, ProjectViewSet
from accord.mobility.api import (
    ApplicationViewSet,
    CallViewSet,
    MobilityBalanceViewSet,
    MobilityViewSet,
    ProgrammeViewSet,
)
from accord.partners.api import OrganizationViewSet, PersonViewSet
from accord.plans.api import IndicatorViewSet, PlanViewSet, TaskLinkViewSet, TaskViewSet
from accord.reports.api import DashboardView
from accord.reports.api_report import AnnualReportJobDetail, AnnualReportJobList, AnnualReportView
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
router.register("programmes", ProgrammeViewSet, basename="programme")
router.register("calls", CallViewSet, basename="call")
router.register("applications", ApplicationViewSet, basename="application")
router.register("mobilities", MobilityViewSet, basename="mobility")
router.register("mobility-balance", MobilityBalanceViewSet, basename="mobility-balance")
router.register("funding-schemes", FundingSchemeViewSet, basename="funding-scheme")
router.register("allocations", AllocationViewSet, basename="allocation")
router.register("projects", ProjectViewSet, basename="project")
router.register("search", SearchViewSet, basename="search")
router.register("plans", PlanViewSet, basename="plan")
router.register("plan-tasks", TaskViewSet, basename="plan-task")
router.register("plan-indicators", IndicatorViewSet, basename="plan-indicator")
router.register("plan-task-links", TaskLinkViewSet, basename="plan-task-link")

urlpatterns = router.urls + [
    path("reports/dashboard/", DashboardView.as_view(), name="reports-dashboard"),
    path("reports/annual/", AnnualReportView.as_view(), name="reports-annual"),
    path("reports/annual/jobs/", AnnualReportJobList.as_view(), name="reports-annual-jobs"),
    path("reports/annual/jobs/<int:pk>/", AnnualReportJobDetail.as_view(), name="reports-annual-job"),
]
