import os

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

import accord.core.urls  # noqa: F401 - registers the export format converter first
from accord.core.views import healthz

urlpatterns = [
    path("", include("accord.core.urls")),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accord.accounts.urls")),
    path("partners/", include("accord.partners.urls")),
    path("agreements/", include("accord.agreements.urls")),
    path("engagements/", include("accord.engagements.urls")),
    path("sources/", include("accord.sources.urls")),
    path("mobility/", include("accord.mobility.urls")),
    path("funding/", include("accord.funding.urls")),
    path("plans/", include("accord.plans.urls")),
    path("notifications/", include("accord.notifications.urls")),
    path("reports/", include("accord.reports.urls")),
    path("api/v1/", include("accord.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
if os.environ.get("ACCORD_BENCH_URLS") == "1":  # the bench's reference view, only while `make bench` runs
    urlpatterns.append(path("bench/", include("accord.bench.urls_bench")))
