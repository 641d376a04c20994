"""What a user does with the annual report in the browser: ask for the 2025 report of Quảng Ninh,
watch the job until it is done, download the workbook and open the printable page.

The task runs synchronously here (django-tasks' ImmediateBackend); a second test leaves a job
queued and lets the page's polling discover that the worker finished it.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from accord.partners.tests.test_browser import sign_in
from accord.reports.models import JobStatus, ReportJob
from accord.reports.tasks import produce
from accord.reports.tests.test_annual import IMMEDIATE, YEAR, make_world

pytestmark = pytest.mark.browser


def test_request_the_2025_report_and_download_the_workbook(page, live_server, users, tenants, settings):
    # Given the records of Quảng Ninh and its universities, and a worker that runs jobs at once
    settings.TASKS = IMMEDIATE
    make_world(tenants)
    sign_in(page, live_server, users["viewer"])

    # When the user asks for the 2025 report in English
    page.goto(live_server.url + "/reports/report/")
    page.locator("#id_organization").select_option(str(tenants["qn"].pk))
    page.locator("#id_year").fill(str(YEAR))
    page.locator("#id_language").select_option("en")
    page.locator("#produce-report").click()

    # Then the job page says it is ready and offers the files
    expect(page.locator("#job-status")).to_have_attribute("data-status", "done")
    expect(page.locator("#download-xlsx")).to_be_visible()

    # When they download the workbook
    with page.expect_download() as info:
        page.locator("#download-xlsx").click()
    download = info.value

    # Then it is the report's workbook
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as handle:
        book = openpyxl.load_workbook(io.BytesIO(handle.read()))
    assert "Agreements" in book.sheetnames
    assert book["Report"]["A1"].value == f"International cooperation report {YEAR}"

    # And the printable page opens with its sections
    page.goto(live_server.url + page.locator("#view-html").get_attribute("href"))
    expect(page.locator("#report-title")).to_have_text(f"International cooperation report {YEAR}")
    expect(page.locator("#section-agreements h2")).to_contain_text("Agreements")


def test_the_job_page_polls_until_the_worker_is_done(page, live_server, users, tenants):
    # Given a job no worker has picked up yet
    make_world(tenants)
    job = ReportJob.objects.create(requested_by=users["editor"], organization=tenants["qn"], year=YEAR, language="en")
    sign_in(page, live_server, users["editor"])
    page.goto(live_server.url + job.get_absolute_url())
    expect(page.locator("#job-step")).to_contain_text("Waiting for the worker")
    expect(page.locator("#download-xlsx")).to_have_count(0)

    # When the worker produces it
    assert produce(job.pk) == JobStatus.DONE

    # Then the page, polling every second, offers the files without being reloaded
    expect(page.locator("#job-status")).to_have_attribute("data-status", "done", timeout=5000)
    expect(page.locator("#download-xlsx")).to_be_visible()
