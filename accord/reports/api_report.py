"""The annual report in the API.

- ``GET /api/v1/reports/annual/?organization=<id>&year=<year>&language=<vi|en|fr|th>``: the report's
  sections, computed now (tables of typed values, figures and the sources cited);
- ``POST /api/v1/reports/annual/jobs/`` with ``organization``, ``year``, ``language``: produce the
  workbook, the printable page and the PDF in the background (202 with the job);
- ``GET /api/v1/reports/annual/jobs/`` and ``…/jobs/<id>/``: the jobs, their progress and, once
  done, where to download the files.

Reading a report needs the viewer role; an organisation the user may not see answers 404, a
year outside the data 400.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accord.core.tenancy import VIEW, user_can
from accord.reports import annual
from accord.reports.models import ReportJob
from accord.reports.scope import owners, report_organization


class CanReadReports(permissions.BasePermission):
    """Any role may read and request reports of the organisations in its scope."""

    def has_permission(self, request, view):
        return user_can(request.user, VIEW)


class ReportRequestSerializer(serializers.Serializer):
    organization = serializers.IntegerField(help_text=_("The home organisation; consolidated over those under it."))
    year = serializers.IntegerField(min_value=1900, max_value=2200)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, default="vi")

    def validate(self, data):
        user = self.context["request"].user
        organization = report_organization(user, data["organization"])  # 404 when not visible
        message = annual.year_error(owners(user, organization), data["year"])
        if message:
            raise serializers.ValidationError({"year": [message]})
        data["organization_obj"] = organization
        return data


def _validated(request, data) -> dict:
    raw = data.get("organization")
    if raw not in (None, "") and not str(raw).isdigit():
        raise Http404
    serializer = ReportRequestSerializer(data=data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ReportJobSerializer(serializers.ModelSerializer):
    downloads = serializers.SerializerMethodField(help_text=_("Where to download each file, once done."))
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = ReportJob
        fields = [
            "id",
            "organization",
            "organization_name",
            "year",
            "language",
            "status",
            "progress",
            "step",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "downloads",
        ]
        read_only_fields = fields

    def get_downloads(self, job) -> dict[str, str]:
        if job.status != "done":
            return {}
        request = self.context.get("request")
        found = {}
        for fmt in ReportJob.FORMATS:
            if job.file_for(fmt):
                url = reverse("reports:annual_download", args=[job.pk, fmt])
                found[fmt] = request.build_absolute_uri(url) if request else url
        return found


class AnnualReportView(APIView):
    permission_classes = [CanReadReports]

    @extend_schema(
        parameters=[
            OpenApiParameter("organization", int, required=True, description=_("The home organisation.")),
            OpenApiParameter("year", int, required=True, description=_("The calendar year.")),
            OpenApiParameter("language", str, enum=[code for code, _name in settings.LANGUAGES]),
        ],
        responses={200: OpenApiTypes.OBJECT},
        description=_("The annual report's sections, computed now."),
    )
    def get(self, request):
        data = _validated(request, request.query_params)
        report = annual.build(request.user, data["organization_obj"], data["year"], data["language"])
        return Response(annual.plain(report))


class AnnualReportJobList(generics.ListCreateAPIView):
    permission_classes = [CanReadReports]
    serializer_class = ReportJobSerializer

    def get_queryset(self):
        return ReportJob.objects.restrict(self.request.user).select_related("organization")

    @extend_schema(request=ReportRequestSerializer, responses={202: ReportJobSerializer})
    def post(self, request, *args, **kwargs):
        from accord.reports.views_report import create_job

        data = _validated(request, request.data)
        job = create_job(request.user, data["organization_obj"], data["year"], data["language"])
        return Response(ReportJobSerializer(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)


class AnnualReportJobDetail(generics.RetrieveAPIView):
    permission_classes = [CanReadReports]
    serializer_class = ReportJobSerializer

    def get_queryset(self):
        return ReportJob.objects.restrict(self.request.user).select_related("organization")
