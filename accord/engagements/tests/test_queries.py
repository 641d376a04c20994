"""The engagement and action lists, their exports, the record page, the calendar and the feed run
a fixed number of queries.

Each page is requested with few engagements and with many (the record page for a bare and a rich
engagement); the number of queries must be the same, and at most the bound measured with few.
When a page starts running one more query per row, these tests name it and show the queries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.urls import reverse

from accord.agreements.tests.test_views import make_agreement
from accord.engagements import services
from accord.engagements.models import Engagement
from accord.engagements.tests.test_views import D, make_action, make_engagement, organization, person

FEW, MANY = 5, 50


@pytest.fixture(autouse=True)
def today(monkeypatch):
    from django.utils import timezone

    from accord.engagements.tests.test_views import TODAY

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

    def path(self, token: str = "") -> str:
        return reverse(self.url, args=[token] if self.url == "engagements:calendar_ics" else self.args)


# The bounds were measured with FEW engagements; the tests check that MANY need no more.
PAGES = [
    Page("engagement list", "engagements:engagement_list", max_queries=11),
    Page("engagement list searched", "engagements:engagement_list", query=(("q", "delegation"),), max_queries=11),
    Page(
        "engagement list filtered",
        "engagements:engagement_list",
        query=(
            ("country", "JP"),
            ("has_open_actions", "true"),
            ("date_from", "2025-10-01"),
            ("kind", "incoming_delegation"),
        ),
        max_queries=11,
    ),
    Page("engagement list sorted by title", "engagements:engagement_list", query=(("o", "title"),), max_queries=11),
    Page("engagement export XLSX", "engagements:engagement_export", args=("xlsx",), max_queries=5),
    Page("engagement export CSV", "engagements:engagement_export", args=("csv",), max_queries=5),
    Page("calendar", "engagements:calendar", max_queries=10),
    Page("calendar filtered", "engagements:calendar", query=(("country", "JP"), ("q", "delegation")), max_queries=10),
    Page("action list", "engagements:action_list", max_queries=8),
    Page("action list, all statuses", "engagements:action_list", query=(("status", ""), ("o", "-due")), max_queries=8),
    Page("action export CSV", "engagements:action_export", args=("csv",), max_queries=4),
    Page("calendar feed", "engagements:calendar_ics", max_queries=6),
]


def _make(editor, qn, osaka, people, i: int, *, rows: int) -> Engagement:
    """An engagement with ``rows`` organisations' worth of people and actions."""
    engagement = make_engagement(
        editor,
        f"Osaka delegation {i:03d}",
        D(2025, 11, 1) + datetime.timedelta(days=(i * 3) % 150),
        ends_on=D(2025, 11, 2) + datetime.timedelta(days=(i * 3) % 150),
        city="Hạ Long",
        country="VN",
        host=qn,
        organizations=[(qn, "host"), (osaka, "guest")],
        participants=[(p, osaka, "member") for p in people[:rows]],
    )
    for n in range(rows):
        make_action(
            editor, f"Follow-up {i}-{n}", engagement=engagement, due_on=D(2026, 1, 1) + datetime.timedelta(days=n)
        )
    return engagement


@pytest.fixture
def grow(users, tenants):
    """Engagements that grow on demand, each with two organisations, two participants and two actions."""
    editor = users["editor"]
    osaka = organization(editor, "Osaka University of Education", "JP")
    people = [person(editor, f"Tanaka {n}", osaka) for n in range(12)]
    made: list[Engagement] = []

    def to(count: int) -> None:
        while len(made) < count:
            made.append(_make(editor, tenants["qn"], osaka, people, len(made), rows=2))

    to.osaka, to.people, to.made = osaka, people, made
    return to


def _fetch(client, page: Page, token: str):
    response = client.get(page.path(token), dict(page.query))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, body[:500]
    return body


def _queries(captured) -> str:
    return "\n".join(q["sql"] for q in captured.captured_queries)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.label)
def test_the_lists_exports_calendar_and_feed_run_the_same_queries_for_few_and_many(
    client, users, grow, django_assert_max_num_queries, page
):
    # given
    client.force_login(users["viewer"])
    token = services.calendar_feed_get_or_create(user=users["viewer"]).token
    grow(FEW)
    _fetch(client, page, token)  # the first request fills per-process caches (content types, sessions)

    # when
    with django_assert_max_num_queries(page.max_queries) as few:
        small = _fetch(client, page, token)
    grow(MANY)
    with django_assert_max_num_queries(page.max_queries) as many:
        large = _fetch(client, page, token)

    # then
    assert len(large) > len(small), "the second request should show more"
    assert len(many) == len(few), f"few rows:\n{_queries(few)}\n\nmany rows:\n{_queries(many)}"


# Editors also see the form that adds an action, which reads the people and owners.
DETAIL_MAX_QUERIES = {"viewer": 22, "editor": 25}


def _rich(editor, tenants, grow, *, rows: int, title: str) -> Engagement:
    """An engagement with ``rows`` of everything: titles aside, organisations, people, actions, parts, agreements."""
    qn = tenants["qn"]
    partners = [grow.osaka, *(organization(editor, f"University {n} of {title}", "JP") for n in range(rows - 1))]
    engagement = make_engagement(
        editor,
        title,
        D(2025, 11, 2),
        ends_on=D(2025, 11, 4),
        host=qn,
        summary="Talks.",
        organizations=[(qn, "host"), *((p, "guest") for p in partners)],
        participants=[(p, grow.osaka, "member") for p in grow.people[:rows]],
    )
    services.engagement_update(
        engagement=engagement,
        acting_user=editor,
        data={"summary": "Talks on joint training."},
        titles=[{"language": "vi", "title": f"{title} (vi)"}],
        agreements=[make_agreement(editor, f"{title} MoU {n}", [qn, grow.osaka]) for n in range(rows)],
    )
    for n in range(rows):
        make_action(editor, f"{title} action {n}", engagement=engagement, due_on=D(2026, 2, 1))
        make_engagement(editor, f"{title} part {n}", D(2025, 11, 3), parent=engagement)
    return engagement


@pytest.mark.parametrize("role", DETAIL_MAX_QUERIES)
def test_the_record_page_runs_the_same_queries_for_a_bare_and_a_rich_engagement(
    client, users, tenants, grow, django_assert_max_num_queries, role
):
    # given a bare engagement (one of everything) among 5, and a rich one (ten of everything) among 50
    editor = users["editor"]
    grow(FEW)
    bare = _rich(editor, tenants, grow, rows=1, title="Bare visit")
    client.force_login(users[role])
    client.get(bare.get_absolute_url())
    with django_assert_max_num_queries(DETAIL_MAX_QUERIES[role]) as few:
        small = client.get(bare.get_absolute_url())
    grow(MANY)
    rich = _rich(editor, tenants, grow, rows=10, title="Rich visit")

    # when
    with django_assert_max_num_queries(DETAIL_MAX_QUERIES[role]) as many:
        large = client.get(rich.get_absolute_url())

    # then
    html = large.content.decode()
    assert small.status_code == large.status_code == 200
    assert html.count("Rich visit action") == 10 and html.count("Rich visit MoU") == 10
    assert html.count("Rich visit part") == 10 and html.count("Tanaka") >= 10
    assert len(many) == len(few), f"bare:\n{_queries(few)}\n\nrich:\n{_queries(many)}"
