"""The funding lists, exports, the scheme page with its allocation tree and the project page run a
fixed number of queries.

Each page is requested with few records and with many (the scheme page for a shallow tree and a
deep one with calls, mobilities and training courses on every allocation; the project page for a
bare and a rich project); the number of queries must be the same, and at most the bound measured
with few. When a page starts running one more query per row, these tests name it and show the
queries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.engagements.tests.test_views import make_engagement, organization
from accord.funding.models import FundingScheme, Project
from accord.funding.tests.test_views import allocate, make_project, make_scheme

D = datetime.date
FEW, MANY = 4, 30


@pytest.fixture(autouse=True)
def today(monkeypatch):
    from django.utils import timezone

    from accord.funding.tests.test_views import TODAY

    real = timezone.localdate
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, timezone=None: TODAY if value is None else real(value, timezone)
    )


@dataclass(frozen=True)
class Page:
    label: str
    url: str
    args: tuple = ()
    query: tuple = ()
    max_queries: int = 0


# The bounds were measured with FEW records; the tests check that MANY need no more.
PAGES = [
    Page("scheme list", "funding:scheme_list", max_queries=8),
    Page("scheme list filtered", "funding:scheme_list", query=(("q", "plan"), ("kind", "quota_plan")), max_queries=8),
    Page("scheme list sorted by total", "funding:scheme_list", query=(("o", "-total"),), max_queries=8),
    Page("scheme export XLSX", "funding:scheme_export", args=("xlsx",), max_queries=4),
    Page("scheme export CSV", "funding:scheme_export", args=("csv",), max_queries=4),
    Page("project list", "funding:project_list", max_queries=10),
    Page(
        "project list filtered",
        "funding:project_list",
        query=(("status", "running"), ("theme", "music"), ("year", "2025"), ("q", "project")),
        max_queries=10,
    ),
    Page("project export XLSX", "funding:project_export", args=("xlsx",), max_queries=5),
    Page("project export CSV", "funding:project_export", args=("csv",), max_queries=5),
]


@pytest.fixture
def grow(users, tenants):
    """Schemes and projects that grow on demand, each project with a coordinator, a partner and outputs."""
    editor = users["editor"]
    funder = organization(editor, "Guangxi Education Department", "CN")
    partners = [organization(editor, f"Partner university {n}", "FI") for n in range(3)]
    schemes: list[FundingScheme] = []
    projects: list[Project] = []

    def to(count: int) -> None:
        while len(schemes) < count:
            n = len(schemes)
            scheme = make_scheme(editor, f"Quota plan {n:03d}", funder=funder, total=100)
            allocate(editor, scheme, tenants["hlu"], 10)
            schemes.append(scheme)
            projects.append(
                make_project(
                    editor,
                    f"P{n:03d}",
                    f"Music project {n:03d}",
                    funder=funder,
                    scheme=scheme,
                    budget=Decimal("1000"),
                    currency="EUR",
                    starts_on=D(2024, 1, 1),
                    ends_on=D(2026, 12, 31),
                    themes="music, teachers",
                    partners=[(partners[0], "coordinator", None), (partners[1 + n % 2], "partner", None)],
                    outputs=[("deliverable", f"Report {n}", D(2025, 6, 30), None)],
                )
            )

    to.funder, to.partners = funder, partners
    return to


def _fetch(client, page: Page):
    response = client.get(reverse(page.url, args=page.args), dict(page.query))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, body[:500]
    return body


def _queries(captured) -> str:
    return "\n".join(q["sql"] for q in captured.captured_queries)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.label)
def test_the_lists_and_exports_run_the_same_queries_for_few_and_many(
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
    assert len(large) > len(small), "the second request should show more"
    assert len(many) == len(few), f"few rows:\n{_queries(few)}\n\nmany rows:\n{_queries(many)}"


# --- the scheme page: a shallow tree and a deep one ----------------------------------------------------


def _uses(editor, world, allocation, n: int) -> None:
    """A training course, a call and an outgoing mobility that use ``allocation``."""
    from accord.mobility import services as mobility_services

    make_engagement(
        editor, f"Course {allocation.pk}-{n}", D(2025, 7, 1), kind="training_course", headcount=1, allocation=allocation
    )
    mobility_services.call_create(
        acting_user=editor,
        data={
            "programme": world["programme"],
            "title": f"Call {allocation.pk}-{n}",
            "academic_year": "2026/2027",
            "places": 1,
            "opens_on": D(2026, 3, 1),
            "closes_on": D(2026, 4, 30),
            "allocation": allocation,
        },
    )
    mobility_services.mobility_create(
        acting_user=editor,
        data={
            "direction": "outgoing",
            "category": "student",
            "full_name": f"Student {allocation.pk}-{n}",
            "fictitious": True,
            "host_organization": world["osaka"],
            "planned_start": D(2026, 10, 1),
            "planned_end": D(2027, 3, 31),
            "allocation": allocation,
        },
        allow_over_quota=True,
    )


@pytest.fixture
def world(users, tenants):
    from accord.mobility import services as mobility_services

    editor = users["editor"]
    osaka = organization(editor, "Osaka University", "JP")
    programme = mobility_services.programme_create(
        acting_user=editor, data={"name": "Study in Japan", "kind": "exchange", "level": "bachelor"}
    )
    return {"osaka": osaka, "programme": programme, "funder": organization(editor, "Japan Foundation", "JP")}


def _tree(editor, world, tenants, *, depth: int, breadth: int, name: str) -> FundingScheme:
    """A scheme whose allocations branch ``breadth`` times per level down to ``depth``, each used."""
    scheme = make_scheme(editor, name, funder=world["funder"], total=10**6)
    level = [None]
    for d in range(depth):
        next_level = []
        for parent in level:
            quantity = 10 ** (5 - d)
            for b in range(breadth if d else 1):
                recipient = world.setdefault(f"org-{d}-{b}", organization(editor, f"Recipient {d}-{b}", "VN"))
                allocation = allocate(editor, scheme, recipient, quantity // (breadth + 1), parent=parent)
                _uses(editor, world, allocation, b)
                next_level.append(allocation)
        level = next_level
    return scheme


# The editor also gets the form that allocates at the top of the scheme.
SCHEME_MAX_QUERIES = {"viewer": 17, "editor": 20}


@pytest.mark.parametrize("role", SCHEME_MAX_QUERIES)
def test_the_scheme_page_runs_the_same_queries_for_a_shallow_and_a_deep_tree(
    client, users, tenants, world, django_assert_max_num_queries, role
):
    # given a tree of one allocation and one below it, and a tree of 2 + 4 + 8 + 16 under one root
    editor = users["editor"]
    shallow = _tree(editor, world, tenants, depth=2, breadth=1, name="Shallow plan")
    client.force_login(users[role])
    export = reverse("funding:allocation_export", args=[shallow.pk, "xlsx"])
    client.get(shallow.get_absolute_url())
    with django_assert_max_num_queries(SCHEME_MAX_QUERIES[role]) as few:
        small = client.get(shallow.get_absolute_url())
    with CaptureQueriesContext(connection) as few_exported:
        client.get(export)
    deep = _tree(editor, world, tenants, depth=5, breadth=2, name="Deep plan")

    # when
    with django_assert_max_num_queries(SCHEME_MAX_QUERIES[role]) as many:
        large = client.get(deep.get_absolute_url())
    with CaptureQueriesContext(connection) as many_exported:
        exported = client.get(reverse("funding:allocation_export", args=[deep.pk, "xlsx"]))

    # then
    html = large.content.decode()
    assert small.status_code == large.status_code == exported.status_code == 200
    assert html.count('<tr id="allocation-') == 1 + 2 + 4 + 8 + 16
    assert html.count("Course ") == 31 and html.count("Call ") == 31 and html.count("Nominated 1") == 31
    assert 'data-depth="4"' in html
    assert len(many) == len(few), f"shallow:\n{_queries(few)}\n\ndeep:\n{_queries(many)}"
    assert len(many_exported) == len(few_exported), _queries(many_exported)


# --- the project page: a bare and a rich project -------------------------------------------------------

# Editors also get the ways to cite a source.
PROJECT_MAX_QUERIES = {"viewer": 15, "editor": 16}


def _project(editor, grow, *, rows: int, title: str) -> Project:
    partners = [organization(editor, f"{title} partner {n}", "DE") for n in range(rows)]
    visits = [make_engagement(editor, f"{title} visit {n}", D(2025, 3, 1 + n)) for n in range(rows)]
    return make_project(
        editor,
        title.upper()[:10],
        title,
        funder=grow.funder,
        budget=Decimal(10_000 * rows),
        currency="EUR",
        starts_on=D(2024, 1, 1),
        ends_on=D(2026, 12, 31),
        themes=", ".join(f"theme {n}" for n in range(rows)),
        partners=[(p, "coordinator" if n == 0 else "partner", Decimal(100)) for n, p in enumerate(partners)],
        outputs=[("deliverable", f"{title} output {n}", D(2025, 1, 1 + n), None) for n in range(rows)],
        engagements=visits,
    )


@pytest.mark.parametrize("role", PROJECT_MAX_QUERIES)
def test_the_project_page_runs_the_same_queries_for_a_bare_and_a_rich_project(
    client, users, grow, django_assert_max_num_queries, role
):
    # given a bare project (one of everything) among few, and a rich one (ten of everything) among many
    editor = users["editor"]
    grow(FEW)
    bare = _project(editor, grow, rows=1, title="Bare project")
    client.force_login(users[role])
    client.get(bare.get_absolute_url())
    with django_assert_max_num_queries(PROJECT_MAX_QUERIES[role]) as few:
        small = client.get(bare.get_absolute_url())
    grow(MANY)
    rich = _project(editor, grow, rows=10, title="Rich project")

    # when
    with django_assert_max_num_queries(PROJECT_MAX_QUERIES[role]) as many:
        large = client.get(rich.get_absolute_url())

    # then
    html = large.content.decode()
    assert small.status_code == large.status_code == 200
    assert html.count("Rich project partner") >= 10 and html.count('data-output="') == 10
    assert html.count("Rich project visit") == 10 and html.count(">overdue<") == 10
    assert len(many) == len(few), f"bare:\n{_queries(few)}\n\nrich:\n{_queries(many)}"
