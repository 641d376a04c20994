"""Background tasks (django-tasks): the annual report, produced section by section with its progress.

The files are written under a temporary directory and moved into place only when all of them
are complete; a run that fails keeps none and says why.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from pathlib import Path

from django.core.files.storage import default_storage
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from accord.reports.models import JobStatus, ReportJob

log = logging.getLogger(__name__)


def _steps() -> dict[str, str]:
    return {
        "partners": _("Counting partners"),
        "agreements": _("Reading agreement events"),
        "engagements": _("Reading engagements"),
        "mobility": _("Counting mobility"),
        "projects": _("Reading projects and funding"),
        "quotas": _("Reading quotas"),
        "plans": _("Reading plans, tasks and indicators"),
        "xlsx": _("Writing the workbook"),
        "html": _("Writing the printable page"),
        "pdf": _("Writing the PDF"),
        "done": _("Done"),
    }


def _set(job_id: int, **fields) -> None:
    ReportJob.objects.filter(pk=job_id).update(**fields)


def produce(job_id: int) -> str:
    """Produce the report of ``job_id``; returns its final status."""
    from accord.reports import annual, pdf, xlsx

    job = ReportJob.objects.select_related("organization", "requested_by").get(pk=job_id)
    if job.status == JobStatus.DONE:
        return job.status
    _set(job_id, status=JobStatus.RUNNING, started_at=timezone.now(), progress=0, error="")
    base = Path(default_storage.path("reports"))
    scratch = base / f"tmp-{uuid.uuid4().hex}"
    current = "partners"
    with translation.override(job.language):
        steps = _steps()
        try:
            scratch.mkdir(parents=True, exist_ok=True)

            def progress(percent: int, step: str) -> None:
                nonlocal current
                current = step
                _set(job_id, progress=percent, step=steps.get(step, step))

            report = annual.build(job.requested_by, job.organization, job.year, job.language, progress=progress)
            progress(75, "xlsx")
            (scratch / "report.xlsx").write_bytes(xlsx.workbook_bytes(report))
            progress(80, "html")
            html = pdf.render_html(report)
            (scratch / "report.html").write_text(html, encoding="utf-8")
            made_pdf = False
            if pdf.available():
                progress(85, "pdf")
                (scratch / "report.pdf").write_bytes(pdf.render_pdf(html))
                made_pdf = True
            # Everything is written: move it into place in one go.
            final = base / str(job_id)
            if final.exists():
                shutil.rmtree(final)
            os.replace(scratch, final)
            names = {"xlsx_file": f"reports/{job_id}/report.xlsx", "html_file": f"reports/{job_id}/report.html"}
            names["pdf_file"] = f"reports/{job_id}/report.pdf" if made_pdf else ""
            _set(
                job_id,
                status=JobStatus.DONE,
                progress=100,
                step=steps["done"],
                finished_at=timezone.now(),
                **names,
            )
            return JobStatus.DONE
        except Exception as exc:  # noqa: BLE001 - any failure is reported on the job, no file is kept
            log.exception("annual report job %s failed", job_id)
            shutil.rmtree(scratch, ignore_errors=True)
            message = _("The report could not be produced (%(step)s): %(error)s") % {
                "step": steps.get(current, current),
                "error": str(exc) or exc.__class__.__name__,
            }
            _set(
                job_id,
                status=JobStatus.FAILED,
                step=steps.get(current, current),
                error=message,
                finished_at=timezone.now(),
                xlsx_file="",
                pdf_file="",
                html_file="",
            )
            return JobStatus.FAILED


@task()
def annual_report_task(job_id: int) -> str:
    return produce(job_id)
