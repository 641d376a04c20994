"""The dashboard in the API: the same figures as the page, as JSON.

``GET /api/v1/reports/dashboard/?organization=<id>``: the figures of that home organisation,
consolidated over the organisations below it (the reader's own organisation without the
parameter). An organisation the reader may not see answers 404.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accord.reports import figures
from accord.reports.views_dashboard import dashboard_organization


class DashboardFigureSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("The code of what is counted (a kind, a state, a year)."))
    label = serializers.CharField(help_text=_("What is counted, in the language of the request."))
    value = serializers.IntegerField(help_text=_("How many."))
    url = serializers.CharField(allow_null=True, help_text=_("The list of the records counted, on the site."))


class DashboardCountrySerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("ISO 3166-1 alpha-2 code of the partner country."))
    numeric = serializers.CharField(help_text=_("ISO 3166-1 numeric code (the map's country id)."))
    label = serializers.CharField()
    agreements = serializers.IntegerField(help_text=_("Active agreements with a partner of that country."))
    partners = serializers.IntegerField(help_text=_("Partner organisations of that country in active agreements."))
    url = serializers.CharField()


class DashboardFlowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    incoming = serializers.IntegerField()
    outgoing = serializers.IntegerField()
    balance = serializers.IntegerField(help_text=_("Incoming minus outgoing people."))
    incoming_months = serializers.DecimalField(max_digits=12, decimal_places=1)
    outgoing_months = serializers.DecimalField(max_digits=12, decimal_places=1)
    months_balance = serializers.DecimalField(max_digits=12, decimal_places=1)
    incoming_url = serializers.CharField(allow_null=True)
    outgoing_url = serializers.CharField(allow_null=True)


class DashboardQuotaSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("The allocation."))
    scheme = serializers.CharField()
    recipient = serializers.CharField()
    unit = serializers.CharField()
    unit_label = serializers.CharField()
    period = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=16, decimal_places=2)
    passed_on = serializers.DecimalField(max_digits=16, decimal_places=2)
    used_here = serializers.DecimalField(max_digits=16, decimal_places=2)
    used = serializers.DecimalField(max_digits=16, decimal_places=2)
    remaining = serializers.DecimalField(max_digits=16, decimal_places=2)
    percent = serializers.IntegerField()
    exceeded = serializers.BooleanField()
    url = serializers.CharField(allow_null=True)


class DashboardIndicatorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    unit = serializers.CharField()
    target = serializers.DecimalField(max_digits=14, decimal_places=2)
    actual = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    computed = serializers.BooleanField(help_text=_("Computed from linked records by the indicator's rule."))
    percent = serializers.IntegerField(allow_null=True)


class DashboardPlanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    owner = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    tasks = serializers.IntegerField(help_text=_("Tasks not cancelled."))
    done = serializers.IntegerField()
    overdue = serializers.IntegerField()
    mean_progress = serializers.IntegerField()
    url = serializers.CharField(allow_null=True)
    indicators = DashboardIndicatorSerializer(many=True)


class DashboardSerializer(serializers.Serializer):
    organization_id = serializers.IntegerField()
    organization = serializers.CharField()
    owners = serializers.ListField(
        child=serializers.IntegerField(), help_text=_("The home organisations whose records are counted.")
    )
    today = serializers.DateField()
    academic_year = serializers.CharField()
    year = serializers.IntegerField()
    active_agreements = DashboardFigureSerializer()
    agreements_by_country = DashboardCountrySerializer(many=True)
    agreements_by_kind = DashboardFigureSerializer(many=True)
    agreement_health = DashboardFigureSerializer(
        many=True, help_text=_("Due for renewal (at_risk), dormant and lapsed.")
    )
    agreements_signed_per_year = DashboardFigureSerializer(many=True)
    commitments = DashboardFigureSerializer(
        many=True, help_text=_("Commitments of the active agreements by fulfilment.")
    )
    mobility_by_country = DashboardFlowSerializer(many=True)
    mobility_by_category = DashboardFlowSerializer(many=True)
    mobility_totals = DashboardFlowSerializer()
    mobility_per_year = DashboardFlowSerializer(many=True)
    quotas = DashboardQuotaSerializer(many=True)
    engagements_by_kind = DashboardFigureSerializer(many=True)
    engagements_total = DashboardFigureSerializer()
    actions = DashboardFigureSerializer(many=True, help_text=_("Open and overdue follow-up actions."))
    plans = DashboardPlanSerializer(many=True)


class DashboardView(APIView):
    """The dashboard's figures for a home organisation, consolidated over those below it."""

    @extend_schema(
        tags=["reports"],
        operation_id="reports_dashboard",
        parameters=[
            OpenApiParameter(
                "organization",
                OpenApiTypes.INT,
                description=_("A home organisation the user may see (default: the user's own)."),
            )
        ],
        responses={200: DashboardSerializer},
    )
    def get(self, request):
        organization = dashboard_organization(request.user, request.query_params.get("organization"))
        board = figures.dashboard(request.user, organization)
        return Response(DashboardSerializer(board.as_dict()).data)
