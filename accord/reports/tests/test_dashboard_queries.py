"""The dashboard reads the database in a fixed number of queries, whatever the number of records."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord.funding.models import Allocation
from accord.plans.models import Indicator, Plan, Task
from accord.reports.tests.test_dashboard import build_for, build_world, partners

pytestmark = pytest.mark.django_db

MAX_QUERIES = 45


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def grow(tenants, times: int) -> None:
    """More of every record: agreements, commitments, stays, engagements, actions, quotas, tasks, indicators."""
    today = timezone.localdate()
    p = partners()
    for key in ("qn", "hlu", "qui"):
        allocation = Allocation.objects.filter(recipient=tenants[key]).first()
        build_for(tenants[key], p, today, scale=times, allocation=allocation)
    top = Allocation.objects.get(recipient=tenants["qn"], parent=None)
    for n in range(times):
        Allocation.objects.create(
            scheme=top.scheme, parent=top, recipient=tenants["qui"], quantity=Decimal(1), period=str(n)
        )
    for plan in Plan.objects.filter(owner__in=[tenants["qn"], tenants["hlu"]]):
        for n in range(times):
            task = Task.objects.create(
                plan=plan, position=50 + n, title=f"More {n}", deadline=today - datetime.timedelta(days=2)
            )
            Indicator.objects.create(
                plan=plan, task=task, name=f"Linked {n}", target=Decimal(3), rule="engagements_linked"
            )
            Indicator.objects.create(plan=plan, name=f"Stays {n}", target=Decimal(3), rule="outgoing_students")


@pytest.mark.parametrize("url", ["/reports/dashboard/", "/api/v1/reports/dashboard/"])
def test_query_count_does_not_grow_with_the_records(url, tenants, users, client, django_assert_max_num_queries):
    # Given a few records, then many more of every kind
    build_world(tenants)
    client.force_login(users["admin"])
    count_queries(client, url)  # warm the caches (content types, sessions)
    few = count_queries(client, url)
    grow(tenants, 4)

    # When the consolidated dashboard is read again
    many = count_queries(client, url)

    # Then it takes as many queries, and no more than the bound
    assert few == many
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(url)
