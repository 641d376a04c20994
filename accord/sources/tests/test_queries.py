"""The source pages, and the records that show citations and the history of the cooperation, run a
fixed number of queries.

Each page is requested with few rows and with many; the number of queries must be the same
(so it cannot grow with the rows) and at most the bound measured with few. When a page starts
running one more query per row, these tests name it and show the queries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accord.engagements import services as engagement_services
from accord.sources import services
from accord.sources.models import Source
from accord.sources.tests.test_views import PDF, make_agreement, make_source, partner

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


# The bounds were measured with FEW sources; the tests check that MANY need no more. Each page
# also reads the session and the user, and counts unread notifications for the navigation bar.
LISTS = [
    Page("source list", "sources:source_list", max_queries=8),
    Page("source list searched", "sources:source_list", query=(("q", "giao vien"),), max_queries=8),
    Page(
        "source list filtered",
        "sources:source_list",
        query=(("kind", "article"), ("language", "vi"), ("date_from", "2000-01-01"), ("cited", "true")),
        max_queries=8,
    ),
    Page("source list sorted by title", "sources:source_list", query=(("o", "title"),), max_queries=8),
    Page("story list", "sources:story_list", max_queries=8),
    Page("story list searched", "sources:story_list", query=(("q", "quang ninh"),), max_queries=8),
    Page("source export XLSX", "sources:source_export", args=("xlsx",), max_queries=4),
    Page("source export CSV", "sources:source_export", args=("csv",), max_queries=4),
]


@pytest.fixture
def grow(users, tenants):
    """Sources that grow on demand, in pairs (Vietnamese and English) telling one story, each
    cited on Quảng Ninh DoET; half of them kept by Ha Long University below it."""
    editor, school = users["editor"], users["unit"]
    made: list[Source] = []

    def to(count: int) -> None:
        while len(made) < count:
            i = len(made)
            user = editor if i % 2 else school
            story = services.story_create(acting_user=user, title=f"Quảng Ninh story {i:03d}")
            for language in ("vi", "en"):
                source = make_source(
                    user,
                    f"Giáo viên Quảng Ninh {i:03d} ({language})",
                    language=language,
                    publisher="Báo Quảng Ninh",
                    published_on=datetime.date(2000 + i % 25, 1 + i % 12, 1),
                    story=story,
                )
                services.citation_add(acting_user=editor, record=tenants["qn"], source=source, passage=f"p{i}")
            made.append(story)

    return to


def _fetch(client, page: Page):
    response = client.get(page.path(), dict(page.query))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, body[:500]
    return body


def _queries(captured) -> str:
    return "\n".join(q["sql"] for q in captured.captured_queries)


@pytest.mark.parametrize("page", LISTS, ids=lambda p: p.label)
def test_the_lists_and_the_export_run_the_same_queries_for_few_and_many_sources(
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


# --- record pages ---------------------------------------------------------------------------------


def _rich_source(editor, tenants, title: str, size: int) -> Source:
    """A source in a story of ``size`` versions, cited on ``size`` records of each citable kind
    (organisations, agreements, commitments, engagements, actions), edited ``size`` times."""
    story = services.story_create(acting_user=editor, title=f"Story of {title}")
    source = make_source(editor, title, language="vi", story=story, upload=SimpleUploadedFile("a.pdf", PDF))
    for n in range(size):
        make_source(editor, f"{title} version {n}", language=["en", "ja", "zh-Hans", "fr"][n % 4], story=story)
        org = partner(editor, f"{title} partner {n}")
        agreement = make_agreement(
            editor, f"{title} agreement {n}", [tenants["qn"], org], commitments=["staff_exchange"]
        )
        engagement = engagement_services.engagement_create(
            acting_user=editor,
            data={"kind": "working_session", "title": f"{title} session {n}", "starts_on": datetime.date(2024, 1, 1)},
            organizations=[{"organization": org, "role": "guest"}],
        )
        action = engagement_services.action_create(
            acting_user=editor, data={"title": f"{title} action {n}", "engagement": engagement}
        )
        for record in (org, agreement, agreement.commitments.get(), engagement, action):
            services.citation_add(acting_user=editor, record=record, source=source, passage=f"passage {n}")
        services.source_update(source=source, acting_user=editor, data={"publisher": f"Publisher {n}"})
    return source


# Editors also see the edit and delete buttons, which ask whether they may.
SOURCE_MAX_QUERIES = {"viewer": 16, "editor": 17}


@pytest.mark.parametrize("role", SOURCE_MAX_QUERIES)
def test_the_source_page_runs_the_same_queries_for_a_bare_and_a_much_cited_source(
    client, users, tenants, django_assert_max_num_queries, role
):
    # given
    editor = users["editor"]
    bare = _rich_source(editor, tenants, "Bare report", 1)
    rich = _rich_source(editor, tenants, "Rich report", 8)
    client.force_login(users[role])
    client.get(bare.get_absolute_url())

    # when
    with django_assert_max_num_queries(SOURCE_MAX_QUERIES[role]) as few:
        small = client.get(bare.get_absolute_url())
    with django_assert_max_num_queries(SOURCE_MAX_QUERIES[role]) as many:
        large = client.get(rich.get_absolute_url())

    # then
    html = large.content.decode()
    assert small.status_code == large.status_code == 200
    assert "Rich report agreement 7" in html and "Rich report action 7" in html and "Rich report version 7" in html
    assert "Publisher 7" in html
    assert len(many) == len(few), f"bare:\n{_queries(few)}\n\nrich:\n{_queries(many)}"


@pytest.mark.parametrize(
    ("name", "max_queries"), [("story_detail", 12), ("source_delete", 13)], ids=["story page", "delete page"]
)
def test_the_story_and_delete_pages_run_the_same_queries_for_few_and_many_rows(
    client, users, tenants, django_assert_max_num_queries, name, max_queries
):
    # given
    editor = users["editor"]
    bare = _rich_source(editor, tenants, "Bare report", 1)
    rich = _rich_source(editor, tenants, "Rich report", 8)
    pk = {"story_detail": lambda s: s.story_id, "source_delete": lambda s: s.pk}[name]
    client.force_login(editor)
    client.get(reverse(f"sources:{name}", args=[pk(bare)]))

    # when
    with django_assert_max_num_queries(max_queries) as few:
        small = client.get(reverse(f"sources:{name}", args=[pk(bare)]))
    with django_assert_max_num_queries(max_queries) as many:
        large = client.get(reverse(f"sources:{name}", args=[pk(rich)]))

    # then
    assert small.status_code == large.status_code == 200
    assert "Rich report version 7" in large.content.decode() or "Rich report action 7" in large.content.decode()
    assert len(many) == len(few), f"few:\n{_queries(few)}\n\nmany:\n{_queries(many)}"


def _partner_with_history(editor, tenants, name: str, entries: int):
    """A partner with ``entries`` events of each kind spread over twenty years (2006–2025):
    agreements signed, engagements with an action each, and sources cited on it."""
    org = partner(editor, name)
    for n in range(entries):
        year = 2006 + n % 20
        make_agreement(editor, f"{name} agreement {n}", [tenants["qn"], org], signed_on=datetime.date(year, 3, 1))
        engagement = engagement_services.engagement_create(
            acting_user=editor,
            data={"kind": "conference", "title": f"{name} conference {n}", "starts_on": datetime.date(year, 6, 1)},
            organizations=[{"organization": org, "role": "guest"}],
        )
        action = engagement_services.action_create(
            acting_user=editor, data={"title": f"{name} action {n}", "engagement": engagement}
        )
        engagement_services.action_complete(action=action, acting_user=editor, done_on=datetime.date(year, 9, 1))
        source = make_source(editor, f"{name} article {n}", published_on=datetime.date(year, 10, 1))
        services.citation_add(acting_user=editor, record=org, source=source, passage=f"passage {n}")
    return org


# The bounds of the organisation page without engagements are in
# accord/partners/tests/test_queries.py; a partner with engagements needs one query more, for
# the actions agreed at them.
ORGANIZATION_MAX_QUERIES = {
    "viewer": 28,
    "editor": 29,
}  # the timeline counts each of its five kinds per year, then lists them


@pytest.mark.parametrize("role", ORGANIZATION_MAX_QUERIES)
def test_the_organisation_page_runs_the_same_queries_for_a_short_and_a_twenty_year_history(
    client, users, tenants, django_assert_max_num_queries, role
):
    # given
    editor = users["editor"]
    short = _partner_with_history(editor, tenants, "Kitami Institute of Technology", FEW)
    long = _partner_with_history(editor, tenants, "Liaoning Technical University", MANY)
    client.force_login(users[role])
    client.get(short.get_absolute_url())

    # when
    with django_assert_max_num_queries(ORGANIZATION_MAX_QUERIES[role]) as few:
        small = client.get(short.get_absolute_url())
    with django_assert_max_num_queries(ORGANIZATION_MAX_QUERIES[role]) as many:
        large = client.get(long.get_absolute_url())

    # then
    html = large.content.decode()
    assert small.status_code == large.status_code == 200
    assert 'id="timeline-span">2006–2025<' in html and html.count('class="timeline-year') == 20
    # Every year is counted; the entries of the newest years are listed up to 150 at once: 2016–2025
    # hold 8 entries each and 2011–2015 12 each (140), the older years offer theirs on asking.
    assert html.count('class="timeline-entry') == 140
    assert html.count("Show the entries of") == 5
    assert "Liaoning Technical University article 49" in html
    assert len(many) == len(few), f"short:\n{_queries(few)}\n\nlong:\n{_queries(many)}"


AGREEMENT_MAX_QUERIES = {"viewer": 24, "editor": 25}


@pytest.mark.parametrize("role", AGREEMENT_MAX_QUERIES)
def test_the_agreement_page_fetches_the_citations_of_all_its_commitments_at_once(
    client, users, tenants, django_assert_max_num_queries, role
):
    # given an agreement with one cited commitment and one with twelve
    editor = users["editor"]
    org = partner(editor, "Osaka University of Education")
    source = make_source(editor, "Osaka newsletter", language="ja")
    made = []
    for size in (1, 12):
        agreement = make_agreement(
            editor, f"Exchange of {size}", [tenants["qn"], org], commitments=["student_exchange"] * size
        )
        services.citation_add(acting_user=editor, record=agreement, source=source, passage="signed in Osaka")
        for commitment in agreement.commitments.all():
            services.citation_add(acting_user=editor, record=commitment, source=source, passage=f"c{commitment.pk}")
        made.append(agreement)
    bare, rich = made
    client.force_login(users[role])
    client.get(bare.get_absolute_url())

    # when
    with django_assert_max_num_queries(AGREEMENT_MAX_QUERIES[role]) as few:
        small = client.get(bare.get_absolute_url())
    with django_assert_max_num_queries(AGREEMENT_MAX_QUERIES[role]) as many:
        large = client.get(rich.get_absolute_url())

    # then
    html = large.content.decode()
    assert small.status_code == large.status_code == 200
    assert html.count('class="citation d-flex') == 13
    assert len(many) == len(few), f"bare:\n{_queries(few)}\n\nrich:\n{_queries(many)}"
