"""Funding seen from other records: the quota line of a training course, citations through the API."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accord.engagements.tests.test_views import make_engagement, organization
from accord.funding.tests.test_views import allocate, make_scheme
from accord.sources import services as source_services

D = datetime.date


@pytest.fixture
def course(users, tenants, make_user):
    """A Ha Long University training course using Quảng Ninh's allocation to QUI (not to Ha Long)."""
    admin = make_user("admin", username="root", is_superuser=True)
    guangxi = organization(admin, "Guangxi Education Department")
    scheme = make_scheme(users["editor"], funder=guangxi, total=100)
    to_qui = allocate(users["editor"], scheme, tenants["qui"], 10)
    engagement = make_engagement(
        admin,
        "AI training course",
        D(2026, 3, 2),
        kind="training_course",
        owner=tenants["hlu"],
        allocation=to_qui,
        headcount=12,
    )
    return engagement, to_qui


def test_the_course_page_names_the_quota_to_those_who_may_see_it(client, users, course):
    engagement, allocation = course
    client.force_login(users["editor"])
    page = client.get(reverse("engagements:engagement_detail", args=[engagement.pk])).content.decode()
    assert 'id="allocation"' in page and allocation.scheme.name in page


def test_the_course_page_hides_a_quota_the_reader_may_not_see(client, users, course):
    engagement, allocation = course
    client.force_login(users["unit"])  # Ha Long University: the course is theirs, the allocation is QUI's
    response = client.get(reverse("engagements:engagement_detail", args=[engagement.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="allocation"' not in page and allocation.scheme.name not in page


@pytest.mark.parametrize("kind", ["funding.project", "funding.fundingscheme", "mobility.programme"])
def test_a_source_is_cited_on_projects_schemes_and_programmes_through_the_api(users, tenants, kind):
    from accord.funding import services as funding
    from accord.mobility import services as mobility

    editor = users["editor"]
    guangxi = organization(editor, "Guangxi Education Department")
    record = {
        "funding.project": lambda: funding.project_create(
            acting_user=editor, data={"acronym": "VIETMUS", "title": "Music education"}
        ),
        "funding.fundingscheme": lambda: make_scheme(editor, funder=guangxi),
        "mobility.programme": lambda: mobility.programme_create(
            acting_user=editor, data={"name": "Summer Experience", "kind": "summer"}
        ),
    }[kind]()
    source = source_services.source_create(
        acting_user=editor, data={"title": "Cooperation news", "url": "https://example.org/news"}
    )
    api = APIClient()
    api.force_authenticate(editor)
    response = api.post(
        "/api/v1/citations/", {"source": source.pk, "record_type": kind, "record_id": record.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert record.citations.count() == 1
