"""Who may reach each page and API operation of the annual report.

Any role may read and ask for the report of an organisation in its scope (leadership often has
the viewer role); another tenant's report does not exist for a user (404), and a university
under the DoET sees neither the DoET's report nor its jobs. Anonymous visitors are sent to sign
in (pages) or refused (API, 403: session authentication comes first).
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accord.agreements.models import Agreement
from accord.reports.models import JobStatus, ReportJob
from accord.reports.tasks import produce

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "viewer", "editor", "manager", "admin", "other", "unit")
LOGIN = "login"
YEAR = 2025


@pytest.fixture
def jobs(tenants, users, monkeypatch):
    # Rights, not rendering, are tested here: a one-line PDF keeps the matrix quick (the real PDF
    # is tested in test_annual_outputs).
    from accord.reports import pdf

    monkeypatch.setattr(pdf, "render_pdf", lambda html: b"%PDF-1.4\n%%EOF\n")
    for key in ("qn", "hlu", "hp"):
        Agreement.objects.create(
            kind="mou", title=f"A {key}", owner=tenants[key], status="active", signed_on=datetime.date(YEAR, 2, 1)
        )
    made = {}
    for key, user in (("qn", users["editor"]), ("hlu", users["unit"])):
        job = ReportJob.objects.create(requested_by=user, organization=tenants[key], year=YEAR, language="en")
        assert produce(job.pk) == JobStatus.DONE
        made[key] = job
    return made


PAGES = [
    # (name, args, method, statuses in the order of ROLES)
    ("reports:annual_report", (), "get", (LOGIN, 200, 200, 200, 200, 200, 200)),
    ("reports:annual_report", (), "post", (LOGIN, 302, 302, 302, 302, 404, 404)),
    ("reports:annual_job", ("qn",), "get", (LOGIN, 200, 200, 200, 200, 404, 404)),
    ("reports:annual_job", ("hlu",), "get", (LOGIN, 200, 200, 200, 200, 404, 200)),
    ("reports:annual_download", ("qn", "xlsx"), "get", (LOGIN, 200, 200, 200, 200, 404, 404)),
    ("reports:annual_download", ("qn", "pdf"), "get", (LOGIN, 200, 200, 200, 200, 404, 404)),
    ("reports:annual_download", ("qn", "html"), "get", (LOGIN, 200, 200, 200, 200, 404, 404)),
    ("reports:annual_download", ("hlu", "xlsx"), "get", (LOGIN, 200, 200, 200, 200, 404, 200)),
    ("reports:annual_download", ("qn", "exe"), "get", (LOGIN, 404, 404, 404, 404, 404, 404)),
]


def _args(args, jobs):
    return [jobs[a].pk if a in jobs else a for a in args]


@pytest.mark.parametrize(
    "name,args,method,role,expected",
    [
        pytest.param(name, args, method, role, expected, id=f"{method} {name}{args} {role}")
        for name, args, method, statuses in PAGES
        for role, expected in zip(ROLES, statuses, strict=True)
    ],
)
def test_page_permissions(client, users, tenants, jobs, name, args, method, role, expected):
    # given
    if role != "anonymous":
        client.force_login(users[role])
    url = reverse(name, args=_args(args, jobs))
    before = ReportJob.objects.count()

    # when
    if method == "post":
        response = client.post(url, {"organization": tenants["qn"].pk, "year": YEAR, "language": "vi"})
    else:
        response = client.get(url)

    # then
    if expected == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected
    if method == "post":
        assert ReportJob.objects.count() == before + (1 if expected == 302 else 0)
    if expected == 404:
        assert tenants["qn"].name not in response.content.decode()


def _api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


API = [
    ("get report", (403, 200, 200, 200, 200, 404, 404)),
    ("list jobs", (403, 200, 200, 200, 200, 200, 200)),
    ("create job", (403, 202, 202, 202, 202, 404, 404)),
    ("get job", (403, 200, 200, 200, 200, 404, 404)),
]


@pytest.mark.parametrize(
    "op,role,expected",
    [
        pytest.param(op, role, expected, id=f"{op} {role}")
        for op, statuses in API
        for role, expected in zip(ROLES, statuses, strict=True)
    ],
)
def test_api_permissions(users, tenants, jobs, op, role, expected):
    # given
    client = _api(None if role == "anonymous" else users[role])
    query = {"organization": tenants["qn"].pk, "year": YEAR, "language": "en"}
    before = ReportJob.objects.count()

    # when
    if op == "get report":
        response = client.get("/api/v1/reports/annual/", query)
    elif op == "list jobs":
        response = client.get("/api/v1/reports/annual/jobs/")
    elif op == "create job":
        response = client.post("/api/v1/reports/annual/jobs/", query, format="json")
    else:
        response = client.get(f"/api/v1/reports/annual/jobs/{jobs['qn'].pk}/")

    # then
    assert response.status_code == expected
    assert ReportJob.objects.count() == before + (1 if expected == 202 else 0)
    if expected == 200 and op == "list jobs":
        seen = {row["organization"] for row in response.json()["results"]}
        allowed = {"other": {tenants["hp"].pk}, "unit": {tenants["hlu"].pk}}.get(
            role, {tenants["qn"].pk, tenants["hlu"].pk}
        )
        assert seen <= allowed
    if expected == 404:
        assert tenants["qn"].name not in response.content.decode()


def test_api_report_and_job_contents(users, tenants, jobs):
    client = _api(users["viewer"])

    # when
    report = client.get(
        "/api/v1/reports/annual/", {"organization": tenants["qn"].pk, "year": YEAR, "language": "fr"}
    ).json()
    job = client.get(f"/api/v1/reports/annual/jobs/{jobs['qn'].pk}/").json()
    bad_year = client.get("/api/v1/reports/annual/", {"organization": tenants["qn"].pk, "year": 1990})

    # then
    assert report["language"] == "fr"
    assert [s["key"] for s in report["sections"]] == [
        "partners",
        "agreements",
        "engagements",
        "mobility",
        "projects",
        "quotas",
        "plans",
    ]
    agreements = next(s for s in report["sections"] if s["key"] == "agreements")
    assert agreements["figures"]["signed"] == 0  # the agreement has no signing event
    assert job["status"] == "done" and set(job["downloads"]) == {"xlsx", "pdf", "html"}
    assert bad_year.status_code == 400 and "year" in bad_year.json()


def test_the_openapi_schema_describes_the_report(users):
    client = _api(users["viewer"])

    # when
    schema = client.get("/api/schema/", {"format": "json"})

    # then
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/reports/annual/", "/api/v1/reports/annual/jobs/", "/api/v1/reports/annual/jobs/{id}/"} <= set(
        paths
    )
