"""The bare reference view of the API throughput scenario, mounted only for the bench.

``accord/urls.py`` includes these routes only when the environment has ``ACCORD_BENCH_URLS=1``
(set by the bench for the gunicorn it starts): never in a normal deployment.
"""

from django.http import JsonResponse
from django.urls import path

from accord.partners.models import Organization

FIELDS = ["id", "kind", "name", "name_language", "country", "subdivision", "city", "website", "parent_id", "is_home"]


def organizations(request):
    """The first page of organisations, as many rows as the API's page, as plain JSON: no DRF, no tenancy."""
    from django.conf import settings

    size = settings.REST_FRAMEWORK.get("PAGE_SIZE", 50)
    rows = list(
        Organization.objects.filter(merged_into__isnull=True).order_by("sort_name", "id").values(*FIELDS)[:size]
    )
    return JsonResponse({"rows": rows})


urlpatterns = [path("organizations/", organizations, name="bench-organizations")]
