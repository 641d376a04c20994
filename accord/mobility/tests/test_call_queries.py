"""The programme and call lists, their exports, the call page with its ranked applications and
nominated mobilities, and the application page run a fixed number of queries.

Each page is read with few rows, then again after many more were added; the number of queries
must be the same, and at most the bound measured with few.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.mobility import services
from accord.mobility.tests.test_call_views import PDF, allocation_of, apply, make_call, make_programme, partner

FEW, MANY = 3, 15


@dataclass(frozen=True)
class Page:
    label: str
    url: str
    args: tuple = ()
    query: tuple = ()
    max_queries: int = 0


PAGES = [
    Page("programme list", "mobility:programme_list", max_queries=10),
    Page(
        "programme list searched",
        "mobility:programme_list",
        query=(("q", "japan"), ("kind", "exchange")),
        max_queries=10,
    ),
    Page("programme export CSV", "mobility:programme_export", args=("csv",), max_queries=6),
    Page("programme export XLSX", "mobility:programme_export", args=("xlsx",), max_queries=6),
    Page("programme page", "mobility:programme_detail", args=("programme",), max_queries=16),
    Page("call list", "mobility:call_list", max_queries=10),
    Page("call list filtered", "mobility:call_list", query=(("status", "confirmed"), ("o", "title")), max_queries=10),
    Page("call export CSV", "mobility:call_export", args=("csv",), max_queries=6),
    Page("call page", "mobility:call_detail", args=("call",), max_queries=22),
    Page("call page searched", "mobility:call_detail", args=("call",), query=(("q", "Applicant"),), max_queries=22),
    Page("application export CSV", "mobility:application_export", args=("call", "csv"), max_queries=6),
    Page("application export XLSX", "mobility:application_export", args=("call", "xlsx"), max_queries=6),
    Page("application page", "mobility:application_detail", args=("application",), max_queries=14),
]


@pytest.fixture
def grow(users, tenants):
    """A programme and a confirmed call drawing on a quota; ``grow(n)`` brings them to n of
    everything: programmes, partners, calls, applicants and nominated mobilities."""
    editor = users["editor"]
    host = partner(editor)
    programme = make_programme(editor, "Study in Japan", partners=[host])
    allocation = allocation_of(editor, tenants["qn"], quantity=100)
    state = {"count": 0, "programme": programme}

    def grow(n: int) -> dict:
        for i in range(state["count"], n):
            other = partner(editor, f"Partner university {i:03d}", "JP")
            extra = make_programme(editor, f"Exchange in Japan {i:03d}", partners=[other, host])
            make_call(editor, extra, f"Exchange call {i:03d}", host=other)
            programme.partners.add(other)
        # The main call is made again with n applicants, run and confirmed.
        call = make_call(editor, programme, f"Main call with {n}", host=host, places=n - 1, allocation=allocation)
        applications = [
            apply(editor, call, f"Applicant {i:03d}", student_number=f"QN-{i:03d}", gpa=f"{2 + i % 20 / 10:.1f}")
            for i in range(n)
        ]
        for application in applications[:2]:
            services.application_document_add(
                application=application,
                acting_user=editor,
                upload=SimpleUploadedFile(f"doc-{application.pk}.pdf", PDF, "application/pdf"),
            )
        services.selection_run(call=call, acting_user=editor)
        services.selection_confirm(call=call, acting_user=editor)
        state["count"] = n
        return {"programme": programme, "call": call, "application": applications[0]}

    return grow


def _count(client, path: str, query) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, dict(query))
    assert response.status_code == 200, response.content[:1000]
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    return len(queries), [q["sql"] for q in queries.captured_queries]


def _path(page: Page, records: dict) -> str:
    return reverse(page.url, args=[getattr(records.get(a), "pk", a) for a in page.args])


@pytest.mark.parametrize("page", PAGES, ids=[p.label for p in PAGES])
def test_the_page_runs_as_many_queries_with_many_rows_as_with_few(
    client, users, grow, page, django_assert_max_num_queries
):
    client.force_login(users["editor"])
    few_path = _path(page, grow(FEW))
    client.get(few_path, dict(page.query))  # fills the per-process caches (content types)
    few_count, few_sql = _count(client, few_path, page.query)
    path = _path(page, grow(MANY))

    many_count, many_sql = _count(client, path, page.query)

    assert many_count == few_count, "few:\n" + "\n".join(few_sql) + "\nmany:\n" + "\n".join(many_sql)
    with django_assert_max_num_queries(page.max_queries):
        client.get(path, dict(page.query))
