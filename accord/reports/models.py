"""A report produced in the background: who asked for it, for which organisation and year, how far it got."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accord.core.tenancy import RestrictedQuerySet, owner_q


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


def report_path(instance: ReportJob, filename: str) -> str:
    return f"reports/{instance.pk or 'new'}/{filename}"


class ReportJob(models.Model):
    """One run of the annual report. Its files exist only once it is done; a failed run keeps none.

    Seen by the users whose scope includes the organisation reported on.
    """

    FORMATS = ("xlsx", "pdf", "html")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    organization = models.ForeignKey(
        "partners.Organization", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="report_jobs"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    status = models.CharField(_("status"), max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    xlsx_file = models.FileField(_("workbook"), upload_to=report_path, blank=True)
    pdf_file = models.FileField(_("PDF"), upload_to=report_path, blank=True)
    html_file = models.FileField(_("printable page"), upload_to=report_path, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "created_at"])]

    def __str__(self) -> str:
        return f"{self.organization} {self.year} ({self.language})"

    def get_absolute_url(self) -> str:
        return reverse("reports:annual_job", args=[self.pk])

    @classmethod
    def tenancy_q(cls, scope, action) -> Q:
        return owner_q("organization", scope)

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    def file_for(self, fmt: str):
        return {"xlsx": self.xlsx_file, "pdf": self.pdf_file, "html": self.html_file}.get(fmt)
