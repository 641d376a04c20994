"""Every list, detail, export and API list of the partner directory runs a fixed number of queries.

Each page is requested with few rows and with many; the number of queries must be the same
(so it cannot grow with the rows) and at most the bound measured with few rows. When a page
starts running one more query per row, these tests name it and show the queries.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accord.partners import services
from accord.partners.models import Organization

FEW, MANY = 5, 60


@dataclass(frozen=True)
class Page:
    label: str
    url: str  # a route name, or a path starting with "/"
    args: tuple = ()
    query: tuple = ()
    max_queries: int = 0
    api: bool = False

    def path(self) -> str:
        return self.url if self.url.startswith("/") else reverse(self.url, args=self.args)


# The bounds were measured with FEW rows; the tests check that MANY rows need no more.
LISTS = [
    # Each page also counts the user's unread notifications for the bell in the navigation bar.
    Page("organisation list", "partners:organization_list", max_queries=8),
    Page(
        "organisation list with a search", "partners:organization_list", query=(("q", "partner univ"),), max_queries=8
    ),
    Page("organisation list sorted by country", "partners:organization_list", query=(("o", "country"),), max_queries=8),
    Page("people list", "partners:person_list", max_queries=7),
    Page("people list with a search", "partners:person_list", query=(("q", "lecturer"),), max_queries=7),
    Page("organisation export XLSX", "partners:organization_export", args=("xlsx",), max_queries=6),
    Page("organisation export CSV", "partners:organization_export", args=("csv",), max_queries=6),
    Page("people export XLSX", "partners:person_export", args=("xlsx",), max_queries=4),
    Page("people export CSV", "partners:person_export", args=("csv",), max_queries=4),
    Page("organisations API", "/api/v1/organizations/", max_queries=8, api=True),
    Page(
        "organisations API with a search", "/api/v1/organizations/", query=(("q", "partner"),), max_queries=8, api=True
    ),
    Page("people API", "/api/v1/people/", max_queries=5, api=True),
]


@pytest.fixture
def directory(users, tenants):
    """A directory that grows on demand: organisations with three names and an identifier,
    half of them units of a consortium, and people affiliated with them, kept by Quảng Ninh
    DoET and by Ha Long University below it."""
    editor, school = users["editor"], users["unit"]
    consortium = services.organization_create(
        acting_user=editor, data={"kind": "association", "name": "Kansai University Consortium", "country": "JP"}
    )
    made: list[Organization] = []

    def grow(count: int) -> None:
        while len(made) < count:
            i = len(made)
            org = services.organization_create(
                acting_user=editor if i % 2 else school,
                data={
                    "kind": "university",
                    "name": f"Partner University {i:03d}",
                    "name_language": "en",
                    "country": ["JP", "KR", "CN", "FR"][i % 4],
                    "city": f"City {i}",
                    "parent": consortium if i % 2 else None,
                },
                names=[
                    {"name": f"パートナー大学 {i:03d}", "language": "ja", "kind": "official"},
                    {"name": f"Đại học Đối tác {i:03d}", "language": "vi", "kind": "official"},
                    {"name": f"PU{i:03d}", "language": "en", "kind": "abbreviation"},
                ],
                identifiers=[{"scheme": "pic", "value": f"{900000000 + i}"}],
                allow_similar=True,
            )
            services.person_create(
                acting_user=editor if i % 2 else school,
                data={
                    "name": f"Person {i:03d}",
                    "position": "Lecturer",
                    "affiliation": org,
                    "email": f"p{i}@example.org",
                },
            )
            made.append(org)

    return grow


def _client(users, api: bool):
    client = APIClient() if api else Client()
    client.force_login(users["viewer"])
    return client


def _fetch(client, page: Page):
    response = client.get(page.path(), dict(page.query))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, body[:500]
    return body


def _queries(captured) -> str:
    return "\n".join(q["sql"] for q in captured.captured_queries)


@pytest.mark.parametrize("page", LISTS, ids=lambda p: p.label)
def test_lists_exports_and_api_lists_run_the_same_queries_for_few_and_many_rows(
    users, directory, django_assert_max_num_queries, page
):
    # given
    client = _client(users, page.api)
    directory(FEW)
    _fetch(client, page)  # the first request fills per-process caches (content types, sessions)

    # when
    with django_assert_max_num_queries(page.max_queries) as few:
        small = _fetch(client, page)
    directory(MANY)
    with django_assert_max_num_queries(page.max_queries) as many:
        large = _fetch(client, page)

    # then
    assert len(large) > len(small), "the second request should show more rows"
    assert len(many) == len(few), f"few rows:\n{_queries(few)}\n\nmany rows:\n{_queries(many)}"


@pytest.fixture
def two_organisations(users, tenants):
    """A bare organisation and a rich one: 10 names, units, facts, people and 30 edits."""
    editor = users["editor"]

    def make(name: str, size: int, edits: int) -> Organization:
        org = services.organization_create(
            acting_user=editor,
            data={"kind": "university", "name": name, "country": "JP", "parent": tenants["qn"]},
            names=[{"name": f"{name} alias {i}", "language": "en", "kind": "alias"} for i in range(size)],
            identifiers=[
                {"scheme": "pic", "value": f"{(800000000 if size > 1 else 700000000) + i}"} for i in range(size)
            ],
            facts=[
                {"metric": "students", "year": 2000 + i, "value": 1000 + i, "source": "annual report"}
                for i in range(size)
            ],
            allow_similar=True,
        )
        for i in range(size):
            services.organization_create(
                acting_user=editor,
                data={"kind": "other", "name": f"Faculty {i} of {name}", "parent": org},
                allow_similar=True,
            )
            services.person_create(
                acting_user=editor, data={"name": f"Lecturer {i} of {name}", "position": "Dean", "affiliation": org}
            )
        for i in range(edits):
            services.organization_update(organization=org, acting_user=editor, data={"city": f"City {i}"})
        return org

    return make("Bare University", 1, 1), make("Rich University", 10, 30)


# Editors also see the edit buttons, which ask whether they may change the record. The page
# also shows the sources the organisation cites (one query) and the history of the
# cooperation (agreement events, engagements, cited sources, and the actions of those
# engagements when there are any: three or four queries).
DETAIL_MAX_QUERIES = {"viewer": 23, "editor": 24}  # the timeline counts each kind per year, then lists the newest


@pytest.mark.parametrize("role", DETAIL_MAX_QUERIES)
def test_an_organisation_page_runs_the_same_queries_for_a_bare_and_a_rich_record(
    client, users, two_organisations, django_assert_max_num_queries, role
):
    # given
    bare, rich = two_organisations
    client.force_login(users[role])
    client.get(bare.get_absolute_url())

    # when
    with django_assert_max_num_queries(DETAIL_MAX_QUERIES[role]) as few:
        small = client.get(bare.get_absolute_url())
    with django_assert_max_num_queries(DETAIL_MAX_QUERIES[role]) as many:
        large = client.get(rich.get_absolute_url())

    # then
    html = large.content.decode()
    assert small.status_code == large.status_code == 200
    assert "Rich University alias 9" in html and "Faculty 9 of Rich University" in html
    assert "Lecturer 9 of Rich University" in html and "City 29" in html
    assert len(many) == len(few), f"bare:\n{_queries(few)}\n\nrich:\n{_queries(many)}"


PERSON_MAX_QUERIES = {"viewer": 8, "editor": 9}


@pytest.mark.parametrize("role", PERSON_MAX_QUERIES)
def test_a_person_page_runs_the_same_queries_for_a_new_and_a_much_edited_record(
    client, users, tenants, django_assert_max_num_queries, role
):
    # given
    editor = users["editor"]
    university = services.organization_create(
        acting_user=editor, data={"kind": "university", "name": "Liaoning Technical University", "country": "CN"}
    )
    new = services.person_create(acting_user=editor, data={"name": "Nguyễn Thị Lan"})
    edited = services.person_create(acting_user=editor, data={"name": "Wang Wei", "affiliation": university})
    for i in range(30):
        services.person_update(
            person=edited, acting_user=editor, data={"position": f"Position {i}", "owner": tenants["hlu"]}
        )
    client.force_login(users[role])
    client.get(new.get_absolute_url())

    # when
    with django_assert_max_num_queries(PERSON_MAX_QUERIES[role]) as few:
        small = client.get(new.get_absolute_url())
    with django_assert_max_num_queries(PERSON_MAX_QUERIES[role]) as many:
        large = client.get(edited.get_absolute_url())

    # then
    assert small.status_code == large.status_code == 200
    assert "Position 29" in large.content.decode()
    assert len(many) == len(few), f"new:\n{_queries(few)}\n\nedited:\n{_queries(many)}"
