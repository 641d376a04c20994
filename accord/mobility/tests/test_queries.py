"""The mobility list, its exports, the exchange balance and the record page run a fixed number of queries.

Each page is requested with few mobilities and with many; the number of queries must be the same,
and at most the bound measured with few.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.urls import reverse

from accord.agreements.tests.test_views import make_agreement
from accord.mobility import services
from accord.mobility.tests.test_views import make_mobility, make_programme, make_quota, organization

D = datetime.date
FEW, MANY = 4, 40


@dataclass(frozen=True)
class Page:
    label: str
    url: str
    args: tuple = ()
    query: tuple = ()
    max_queries: int = 0


PAGES = [
    Page("landing page", "mobility:index", max_queries=8),
    Page("mobility list", "mobility:mobility_list", max_queries=14),
    Page(
        "mobility list filtered",
        "mobility:mobility_list",
        query=(("direction", "outgoing"), ("country", "JP"), ("academic_year", "2025/2026"), ("status", "nominated")),
        max_queries=14,
    ),
    Page("mobility list searched", "mobility:mobility_list", query=(("q", "osaka"),), max_queries=14),
    Page("mobility list sorted", "mobility:mobility_list", query=(("o", "-partner"),), max_queries=14),
    Page("mobility export XLSX", "mobility:mobility_export", args=("xlsx",), max_queries=6),
    Page("mobility export CSV", "mobility:mobility_export", args=("csv",), max_queries=6),
    Page("balance per partner", "mobility:balance", max_queries=8),
    Page("balance per agreement", "mobility:balance", query=(("by", "agreement"),), max_queries=8),
    Page("balance export XLSX", "mobility:balance_export", args=("xlsx",), max_queries=6),
    Page("balance export CSV", "mobility:balance_export", args=("csv",), query=(("by", "agreement"),), max_queries=6),
]


@pytest.fixture
def grow(users, tenants):
    """Mobilities that grow on demand, with a new partner, programme and agreement every few."""
    editor = users["editor"]
    made = []

    def to(count: int) -> None:
        while len(made) < count:
            n = len(made) // 2
            partner = organization(editor, f"University {n} of Osaka", "JP")
            programme = make_programme(editor, f"Programme {n}")
            agreement = make_agreement(editor, f"MoU {n}", [tenants["qn"], partner])
            start = D(2025, 9, 1) + datetime.timedelta(days=n * 5)
            # Every other one is kept by Ha Long University, whose people Quảng Ninh sees as numbers.
            links = {"programme": programme, "agreement": agreement} if n % 2 else {}
            for direction in ("outgoing", "incoming"):
                made.append(
                    make_mobility(
                        editor if n % 2 else users["unit"],
                        partner,
                        start,
                        start + datetime.timedelta(days=90),
                        direction=direction,
                        name=f"Person {n} {direction}",
                        **links,
                    )
                )

    return to


def _fetch(client, page: Page):
    response = client.get(reverse(page.url, args=page.args), dict(page.query))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, body[:500]
    return body


def _queries(captured) -> str:
    return "\n".join(q["sql"] for q in captured.captured_queries)


@pytest.mark.parametrize("role", ["viewer", "editor"])
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.label)
def test_the_lists_exports_and_balance_run_the_same_queries_for_few_and_many(
    client, users, grow, django_assert_max_num_queries, page, role
):
    # given
    client.force_login(users[role])
    grow(FEW)
    _fetch(client, page)  # the first request fills per-process caches

    # when
    with django_assert_max_num_queries(page.max_queries) as few:
        small = _fetch(client, page)
    grow(MANY)
    with django_assert_max_num_queries(page.max_queries) as many:
        large = _fetch(client, page)

    # then
    assert len(large) > len(small), "the second request should show more"
    assert len(many) == len(few), f"few rows:\n{_queries(few)}\n\nmany rows:\n{_queries(many)}"


DETAIL_MAX_QUERIES = {"viewer": 20, "editor": 21}


def _rich(users, tenants, *, name: str, steps: int):
    """A mobility with every link, a quota, and ``steps`` changes in its history."""
    editor = users["editor"]
    partner = organization(editor, f"Partner of {name}", "JP")
    programme = make_programme(editor, f"Programme of {name}")
    agreement = make_agreement(editor, f"MoU of {name}", [tenants["qn"], partner])
    quota = make_quota(editor, tenants["qn"], partner, places=5)
    mobility = make_mobility(
        editor,
        partner,
        D(2025, 10, 1),
        D(2026, 2, 28),
        name=name,
        programme=programme,
        agreement=agreement,
        allocation=quota,
        email="someone@example.org",
    )
    for n in range(steps):
        mobility = services.mobility_update(mobility=mobility, acting_user=editor, data={"note": f"Change {n}"})
    return mobility


@pytest.mark.parametrize("role", DETAIL_MAX_QUERIES)
def test_the_record_page_runs_the_same_queries_for_a_short_and_a_long_history(
    client, users, tenants, django_assert_max_num_queries, role
):
    short = _rich(users, tenants, name="Short", steps=1)
    client.force_login(users[role])
    client.get(short.get_absolute_url())
    with django_assert_max_num_queries(DETAIL_MAX_QUERIES[role]) as few:
        small = client.get(short.get_absolute_url())
    long = _rich(users, tenants, name="Long", steps=12)

    with django_assert_max_num_queries(DETAIL_MAX_QUERIES[role]) as many:
        large = client.get(long.get_absolute_url())

    assert small.status_code == large.status_code == 200
    assert "Change 11" in large.content.decode()
    assert len(many) == len(few), f"short:\n{_queries(few)}\n\nlong:\n{_queries(many)}"
