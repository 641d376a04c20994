"""Pages of the annual report: ask for one, watch it being produced, download it.

Asking for a report creates a job and hands it to the task worker; the job's page polls (htmx)
until it is done. An organisation the user may not see does not exist for them (404); a year
outside the data is a form error (400).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accord.core.forms import bootstrap
from accord.core.tenancy import VIEW, access, scope_ids, user_can
from accord.core.views import private_file_response
from accord.reports import annual
from accord.reports.models import ReportJob
from accord.reports.scope import owners, report_organization
from accord.reports.tasks import annual_report_task

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def home_organizations(user):
    from accord.partners.models import Organization

    found = Organization.objects.filter(is_home=True).prefetch_related("names").order_by("sort_name", "id")
    return found if user.is_superuser else found.filter(pk__in=scope_ids(user))


class AnnualReportForm(forms.Form):
    organization = forms.TypedChoiceField(label=_("Organisation"), coerce=int)
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2200)
    language = forms.ChoiceField(label=_("Language of the report"), choices=settings.LANGUAGES)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["organization"].choices = [(o.pk, o.label()) for o in home_organizations(user)]
        self.fields["organization"].help_text = _("Consolidated over the organisations under it.")
        bootstrap(self)

    def clean(self):
        data = super().clean()
        organization, year = data.get("organization"), data.get("year")
        if organization and year:
            org = report_organization(self.user, organization)
            message = annual.year_error(owners(self.user, org), year)
            if message:
                self.add_error("year", message)
            data["organization_obj"] = org
        return data


def organization_or_404(user, raw):
    """The organisation asked for, if the user may see it: anything else is a 404, saying nothing."""
    if raw in (None, ""):
        return None
    if not str(raw).isdigit():
        raise Http404
    return report_organization(user, int(raw))


def create_job(user, organization, year: int, language: str) -> ReportJob:
    job = ReportJob.objects.create(requested_by=user, organization=organization, year=year, language=language)
    annual_report_task.enqueue(job.pk)
    job.refresh_from_db()
    return job


@login_required
@require_http_methods(["GET", "POST"])
def annual_report(request):
    user = request.user
    if not user_can(user, VIEW):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        organization_or_404(user, request.POST.get("organization"))
        form = AnnualReportForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            job = create_job(user, data["organization_obj"], data["year"], data["language"])
            return redirect(job.get_absolute_url(), permanent=False)
        status = 400
    else:
        language = (translation.get_language() or "vi").split("-")[0]
        form = AnnualReportForm(
            initial={
                # The dashboard's "Annual report" link names the organisation it shows.
                "organization": int(request.GET["organization"])
                if request.GET.get("organization", "").isdigit()
                else user.home_organization_id,
                "year": timezone.localdate().year - 1,
                "language": language if language in dict(settings.LANGUAGES) else "vi",
            },
            user=user,
        )
    jobs = ReportJob.objects.restrict(user).select_related("organization", "requested_by")[:10]
    return render(request, "reports/annual_form.html", {"form": form, "jobs": jobs}, status=status)


@login_required
def annual_job(request, pk: int):
    job = access(ReportJob.objects.select_related("organization", "requested_by"), request.user, VIEW, pk=pk)
    template = "reports/annual_job_status.html" if request.htmx else "reports/annual_job.html"
    return render(request, template, {"job": job})


@login_required
def annual_download(request, pk: int, fmt: str):
    job = access(ReportJob.objects.all(), request.user, VIEW, pk=pk)
    field_file = job.file_for(fmt) if job.status == "done" else None
    if not field_file:
        raise Http404
    if fmt == "html":
        try:
            with field_file.open("rb") as handle:
                content = handle.read()
        except (FileNotFoundError, ValueError) as exc:
            raise Http404 from exc
        response = HttpResponse(content, content_type="text/html; charset=utf-8")
        response["Cache-Control"] = "private, no-store"
        return response
    filename = f"accord-report-{job.year}-{job.language}-{job.pk}.{fmt}"
    return private_file_response(field_file, filename=filename, content_type=CONTENT_TYPES[fmt])
