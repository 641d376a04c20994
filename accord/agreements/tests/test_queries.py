"""The agreement list, its export and the record page run a fixed number of queries.

Each page is requested with few agreements and with many (and the record page for a bare and a
rich agreement); the number of queries must be the same, and at most the bound measured with
few. When a page starts running one more query per row, these tests name it and show the queries.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accord.agreements import services
from accord.agreements.models import Agreement
from accord.agreements.tests.test_views import PDF, activity, days, partner
from accord.partners import services as partner_services

FEW, MANY = 5, 50


@dataclass(frozen=True)
class Page:
    label: str
    url: str
    args: tuple = ()
    query: tuple = ()
    max_queries: int = 0

    def path(self) -> str:
        return reverse(self.url, args=self.args)


# The bounds were measured with FEW agreements; the tests check that MANY need no more.
LISTS = [
    Page("agreement list", "agreements:agreement_list", max_queries=11),
    Page("agreement list searched", "agreements:agreement_list", query=(("q", "exchange"),), max_queries=11),
    Page(
        "agreement list filtered",
        "agreements:agreement_list",
        query=(("expiring", "400"), ("country", "JP"), ("activity", "student_exchange"), ("health", "at_risk")),
        max_queries=12,
    ),
    Page("agreement list sorted by expiry", "agreements:agreement_list", query=(("o", "-expires"),), max_queries=11),
    Page("agreement export XLSX", "agreements:agreement_export", args=("xlsx",), max_queries=6),
    Page("agreement export CSV", "agreements:agreement_export", args=("csv",), max_queries=6),
]


def _make(editor, qn, partners, signatory, i: int, *, commitments: int, evidence: int, documents: int) -> Agreement:
    agreement = services.agreement_create(
        acting_user=editor,
        data={
            "kind": "student_exchange",
            "title": f"Student exchange {i:03d}",
            "reference": f"QN-{i:03d}",
            "expires_on": days(100 + i),
        },
        titles=[{"language": "vi", "title": f"Trao đổi sinh viên {i:03d}"}],
        parties=[
            {"organization": qn, "role": "signatory", "signatory": signatory},
            *({"organization": p, "role": "partner"} for p in partners),
        ],
        commitments=[
            {
                "activity_type": activity(["student_exchange", "staff_exchange", "joint_research"][n % 3]),
                "quantity_per_year": 4,
                "unit": "students",
                "subject_areas": "0613",
                "position": n,
            }
            for n in range(commitments)
        ],
    )
    agreement = services.agreement_sign(agreement=agreement, acting_user=editor, signed_on=days(-30 - i))
    for commitment in agreement.commitments.all():
        for n in range(evidence):
            services.evidence_add(
                commitment=commitment,
                acting_user=editor,
                data={"happened_on": days(-n - 1), "note": f"Mobility {n}", "quantity": 1},
            )
    for n in range(documents):
        services.document_add(
            agreement=agreement, acting_user=editor, upload=SimpleUploadedFile(f"copy {n}.pdf", PDF), kind="signed"
        )
    return agreement


@pytest.fixture
def grow(users, tenants):
    """Agreements that grow on demand: three parties, three commitments with evidence, a document."""
    editor = users["editor"]
    partners = [
        partner(editor, "Osaka University of Education", country="JP"),
        partner(editor, "Liaoning Technical University", country="CN"),
    ]
    signatory = partner_services.person_create(acting_user=editor, data={"name": "Nguyễn Văn Hùng"})
    made: list[Agreement] = []

    def to(count: int) -> None:
        while len(made) < count:
            made.append(
                _make(editor, tenants["qn"], partners, signatory, len(made), commitments=3, evidence=1, documents=1)
            )

    return to


def _fetch(client, page: Page):
    response = client.get(page.path(), dict(page.query))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, body[:500]
    return body


def _queries(captured) -> str:
    return "\n".join(q["sql"] for q in captured.captured_queries)


@pytest.mark.parametrize("page", LISTS, ids=lambda p: p.label)
def test_the_list_and_the_export_run_the_same_queries_for_few_and_many_agreements(
    client, users, grow, django_assert_max_num_queries, page
):
    # given
    client.force_login(users["viewer"])
    grow(FEW)
    _fetch(client, page)  # the first request fills per-process caches (content types, sessions)

    # when
    with django_assert_max_num_queries(page.max_queries) as few:
        small = _fetch(client, page)
    grow(MANY)
    with django_assert_max_num_queries(page.max_queries) as many:
        large = _fetch(client, page)

    # then
    assert len(large) > len(small), "the second request should show more rows"
    assert len(many) == len(few), f"few rows:\n{_queries(few)}\n\nmany rows:\n{_queries(many)}"


# Editors also see the forms that change the agreement, which ask whether they may. The page
# also shows the engagements it was signed at, and the citations of the agreement and of all
# its commitments (fetched together, one query however many commitments there are).
DETAIL_MAX_QUERIES = {"viewer": 25, "editor": 26}  # commitments count mobilities since issue 5


@pytest.mark.parametrize("role", DETAIL_MAX_QUERIES)
def test_the_record_page_runs_the_same_queries_for_a_bare_and_a_rich_agreement(
    client, users, tenants, grow, django_assert_max_num_queries, role
):
    # given a bare agreement among 5, and a rich one (10 commitments with evidence, documents,
    # events) among 50
    editor = users["editor"]
    partners = [partner(editor, "Kitami Institute of Technology", country="JP")]
    signatory = partner_services.person_create(acting_user=editor, data={"name": "Trần Thị Mai"})
    grow(FEW)
    bare = _make(editor, tenants["qn"], partners, signatory, 900, commitments=1, evidence=1, documents=1)
    client.force_login(users[role])
    client.get(bare.get_absolute_url())
    with django_assert_max_num_queries(DETAIL_MAX_QUERIES[role]) as few:
        small = client.get(bare.get_absolute_url())
    grow(MANY)
    rich = _make(editor, tenants["qn"], partners, signatory, 901, commitments=10, evidence=3, documents=3)
    for n in range(5):
        services.agreement_update(agreement=rich, acting_user=editor, data={"summary": f"Revision {n}"})

    # when
    with django_assert_max_num_queries(DETAIL_MAX_QUERIES[role]) as many:
        large = client.get(rich.get_absolute_url())

    # then
    html = large.content.decode()
    assert small.status_code == large.status_code == 200
    assert html.count('class="card mb-2 commitment"') == 10 and html.count("Mobility 2") == 10
    assert html.count('class="me-auto document-link"') == 3 and "Revision 4" in html
    assert html.count("data-event=") == 5  # created, signed, three documents added
    assert len(many) == len(few), f"bare:\n{_queries(few)}\n\nrich:\n{_queries(many)}"
